// The "AccessKey from my environment" cloud source, through the backend both shells use and the real
// engine: the real SDK reads the fake API with the keys from the environment the app was started with.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackend } from '../src/core/backend/backend';
import { coreEngine } from '../src/core/backend/core-engine';
import type { Diagnosis } from '../src/core/diagnosis/types';
import { webHost } from '../src/cli/serve/web-host';
import { buildScenario, startFakeAliyun, TEST_ACCESS_KEY, type FakeAliyun } from './fake-api';

describe('cloud source: environment', () => {
  let fake: FakeAliyun;
  let dir: string;
  let port: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sgd-env-cred-'));
    writeFileSync(join(dir, 'config.json'), '{}');
    const s = createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    port = (s.address() as AddressInfo).port;
    await new Promise<void>((r) => s.close(() => r())); // closed port: the probe gets a RST
    fake = await startFakeAliyun({ scenario: buildScenario({ publicIp: '127.0.0.1', port }), ...TEST_ACCESS_KEY, latencyMs: 0 });
  });
  afterAll(async () => {
    await fake?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const envWith = (keys: boolean): NodeJS.ProcessEnv => ({
    HOME: dir,
    SGD_CONFIG: join(dir, 'config.json'),
    SGD_EGRESS_IP_URLS: '',
    SGD_CONTROL_HOSTS: '',
    SGD_DNS_SERVERS: '127.0.0.1:1',
    SGD_ECS_ENDPOINT: fake.endpoint,
    SGD_VPC_ENDPOINT: fake.endpoint,
    SGD_STS_ENDPOINT: fake.endpoint,
    ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true',
    ...(keys ? { ALIBABA_CLOUD_ACCESS_KEY_ID: TEST_ACCESS_KEY.accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: TEST_ACCESS_KEY.accessKeySecret } : {}),
  });

  async function run(env: NodeJS.ProcessEnv) {
    const backend = createBackend({ host: webHost(join(dir, 'data')), engine: coreEngine({ env }), resourcesDir: dir, env });
    const status = await backend.dispatch('credentials.status', {});
    const done = new Promise<{ result: { ok: boolean; value?: Diagnosis } }>((ok) => backend.onEvent((e, p) => e === 'diagnosis.done' && ok(p as never)));
    const start = await backend.dispatch('diagnosis.start', { host: '127.0.0.1', port, service: 'custom', cloud: { mode: 'environment' }, instanceId: 'i-bp1sgdoctor00000001', region: 'cn-hangzhou' });
    expect(start.ok).toBe(true);
    return { status, done: await done };
  }

  it('says the keys are there and reads the cloud with them', async () => {
    const { status, done } = await run(envWith(true));
    expect(status.ok && (status.value as { environment: boolean }).environment).toBe(true);
    expect(done.result.ok).toBe(true);
    const d = done.result.value!;
    expect(d.cloud.snapshot?.account?.credentialSource).toMatch(/environment/i);
    expect(d.cloud.snapshot?.instance?.id).toBe('i-bp1sgdoctor00000001');
    expect(JSON.stringify(d)).not.toContain(TEST_ACCESS_KEY.accessKeySecret);
  }, 60_000);

  it('without the variables it says so, and the read reports missing credentials instead of inventing facts', async () => {
    const { status, done } = await run(envWith(false));
    expect(status.ok && (status.value as { environment: boolean }).environment).toBe(false);
    const d = done.result.value!;
    expect(d.cloud.snapshot?.instance ?? null).toBeNull();
    expect(d.checks.find((c) => c.id === 'instance.running')?.status).toBe('unknown');
  }, 60_000);
});

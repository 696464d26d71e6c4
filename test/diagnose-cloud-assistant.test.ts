// Server-side evidence through Cloud Assistant, end to end on loopback: the real CLI asks the fake API
// (real SDK, signed requests) to RunCommand the read-only script, polls DescribeInvocationResults, parses
// the output and names the server-side fault. The "instance" is this machine: the fake answers with the
// output of the very script it was sent, run here for real (the script only reads).
import { execFile, execFileSync } from 'node:child_process';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evidenceScript } from '../src/core/diagnosis/server-evidence/scripts';
import type { Diagnosis } from '../src/core/diagnosis/types';
import { buildScenario, startFakeAliyun, TEST_ACCESS_KEY, type FakeAliyun } from './fake-api';

const CLIENT_IP = '203.0.113.7';

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('diagnose --cloud-assistant (fake API, loopback)', () => {
  let fake: FakeAliyun;
  let echo: HttpServer;
  let echoUrl: string;
  let port: number;
  const home = mkdtempSync(join(tmpdir(), 'sgd-ca-home-'));
  const config = join(home, 'config.json');

  beforeAll(async () => {
    writeFileSync(config, '{}');
    port = await freePort(); // nothing listens here: the probe gets a RST
    echo = createHttpServer((_q, res) => res.end(`${CLIENT_IP}\n`));
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
    echoUrl = `http://127.0.0.1:${(echo.address() as AddressInfo).port}/`;
    fake = await startFakeAliyun({
      scenario: buildScenario({
        publicIp: '127.0.0.1',
        clientIp: CLIENT_IP,
        port,
        assistant: { status: 'Success', exitCode: 0, pendingPolls: 1, output: (script) => execFileSync('sh', ['-c', script], { encoding: 'utf8', timeout: 20_000 }) },
      }),
      ...TEST_ACCESS_KEY,
      latencyMs: 0,
    });
  });

  afterAll(async () => {
    await fake?.stop();
    await new Promise<void>((r) => (echo ? echo.close(() => r()) : r()));
  });

  it('shows the script, runs it on the instance and blames the server (nothing listens)', async () => {
    const env = {
      ...process.env,
      HOME: home,
      SGD_CONFIG: config,
      NO_COLOR: '1',
      SGD_ECS_ENDPOINT: fake.endpoint,
      SGD_VPC_ENDPOINT: fake.endpoint,
      SGD_STS_ENDPOINT: fake.endpoint,
      ALIBABA_CLOUD_ACCESS_KEY_ID: TEST_ACCESS_KEY.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: TEST_ACCESS_KEY.accessKeySecret,
      ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true',
    };
    const args = ['node_modules/tsx/dist/cli.mjs', 'src/cli/index.ts', 'diagnose', `127.0.0.1:${port}`, '--instance', 'i-bp1sgdoctor00000001', '--region', 'cn-hangzhou',
      '--cloud-assistant', '--json', '--egress-ip-urls', echoUrl, '--control-hosts', '', '--dns-servers', '127.0.0.1:1'];
    // Exit code 1: a fault was located (the same with --json).
    const r = await promisify(execFile)(process.execPath, args, { env, maxBuffer: 20 * 1024 * 1024 }).then(
      (ok) => ({ ...ok, code: 0 }),
      (e: { code?: number; stdout: string; stderr: string }) => ({ stdout: e.stdout, stderr: e.stderr, code: e.code }),
    );
    expect(r.code, r.stderr).toBe(1);
    const d = JSON.parse(r.stdout) as Diagnosis;

    // The user saw exactly the script that ran.
    const { script } = evidenceScript('linux', [port]);
    expect(fake.commands).toHaveLength(1);
    expect(fake.commands[0]).toMatchObject({ instanceId: 'i-bp1sgdoctor00000001', type: 'RunShellScript', script });
    expect(r.stderr).toContain('Running this read-only script on i-bp1sgdoctor00000001 through Cloud Assistant');
    expect(r.stderr).toContain(`  | ${script.split('\n')[1]}`);

    expect(d.server?.source).toBe('cloud-assistant');
    expect(d.server?.os).toBe('linux');
    expect(d.verdict.locus).toBe('server');
    expect(d.verdict.blockingCheckIds).toContain('os.listening');
    expect(d.checks.find((c) => c.id === 'os.listening')?.status).toBe('fail');
    expect(JSON.stringify(d)).not.toContain(TEST_ACCESS_KEY.accessKeySecret);
  }, 120_000);
});

// Region and endpoint injection: a region id reaches the SDK, which builds the API host from it
// ("ecs.<region>.aliyuncs.com"). A session file, a flag, the environment or an aliyun CLI profile naming
// "x@127.0.0.1:2225" must never make SG Doctor send a signed request to a host of that text's choosing.
// Everything here stays on loopback; no cloud endpoint is ever contacted (STS is pointed at a dead port).
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClientTarget, checkEndpoints, regionalHost } from '../src/core/cloud/alicloud/endpoints';
import { environmentRegion, listAliyunProfiles, resolveCredentials } from '../src/core/cloud/alicloud/credentials';
import { readCloudSnapshot } from '../src/core/cloud/alicloud/read';
import { runCloudAssistant } from '../src/core/cloud/alicloud/assistant';
import { checkCloudId, InvalidCloudIdError, isCloudId, isRegionId } from '../src/core/cloud/ids';
import { diagnoseArgsSchema, sessionPlanSchema, cloudSourceSchema } from '../src/core/api';
import { createSession, parseSession } from '../src/core/session';
import { sampleDiagnosis } from './support/diagnosis-fixture';
import { buildScenario, startFakeAliyun, TEST_ACCESS_KEY, type FakeAliyun } from './fake-api';
import { parseConfigFile } from '../src/core/config';
import { createBackend } from '../src/core/backend/backend';
import { coreEngine } from '../src/core/backend/core-engine';
import { webHost } from '../src/cli/serve/web-host';

const INJECTED = ['x@127.0.0.1:2225', 'x@127.0.0.1:2225/', 'x@127.0.0.1:2225#', 'cn-hangzhou.evil.example', 'cn-hangzhou/../x', 'CN-HANGZHOU', 'cn_hangzhou', 'cn-hangzhou ', ' cn-hangzhou', 'cn-', 'hangzhou', '', 'cn-hangzhou\n', `cn-${'a'.repeat(80)}`];
const GOOD = ['cn-hangzhou', 'ap-southeast-1', 'cn-shanghai-finance-1', 'us-east-1', 'eu-central-1', 'cn-north-2-gov-1', 'me-east-1'];

/** A loopback listener that only counts who connects. */
async function listener(port: number): Promise<{ server: Server; connections: () => number; close: () => Promise<void> }> {
  let n = 0;
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    n++;
    sockets.add(s);
    s.on('error', () => undefined);
    s.destroy();
  });
  await new Promise<void>((ok, ko) => {
    server.once('error', ko);
    server.listen(port, '127.0.0.1', () => ok());
  });
  return {
    server,
    connections: () => n,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}

describe('the shared cloud-id validator', () => {
  it('accepts documented region ids and refuses everything else', () => {
    for (const r of GOOD) expect(isRegionId(r), r).toBe(true);
    for (const r of INJECTED) expect(isRegionId(r), JSON.stringify(r)).toBe(false);
    expect(isRegionId(undefined)).toBe(false);
    expect(isRegionId(42)).toBe(false);
  });

  it('checks instance ids, security group ids and profile names', () => {
    expect(isCloudId('instance', 'i-bp1sgdoctor00000001')).toBe(true);
    for (const bad of ['i-', 'bp1abcdef', 'i-bp1abc/../x', 'i-bp1abc@127.0.0.1', 'i-bp1 abcdef']) expect(isCloudId('instance', bad), bad).toBe(false);
    expect(isCloudId('securityGroup', 'sg-bp1abcdefgh')).toBe(true);
    expect(isCloudId('securityGroup', 'sg-bp1abc:22')).toBe(false);
    for (const good of ['default', 'prod', 'my_profile.2', 'ops@team']) expect(isCloudId('profile', good), good).toBe(true);
    for (const bad of ['', '../etc', 'a b', 'x"y', 'a/b', '-flag', 'p'.repeat(65)]) expect(isCloudId('profile', bad), bad).toBe(false);
  });

  it('refuses with one line that quotes a short, escaped value', () => {
    const r = checkCloudId('region', 'x@127.0.0.1:2225\nsecond line', 'plan.region');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.message).toBe('plan.region: "x@127.0.0.1:2225\\nsecond line" is not a region id (like cn-hangzhou or ap-southeast-1)');
    expect(r.message).not.toContain('\n');
  });
});

describe('the endpoint builder refuses to build a host from an invalid region (defence in depth)', () => {
  it('throws for every injected region and builds for good ones', () => {
    for (const r of INJECTED) expect(() => apiClientTarget('ecs', r, {}), JSON.stringify(r)).toThrow(InvalidCloudIdError);
    for (const r of INJECTED) expect(() => apiClientTarget('sts', r, { sts: '127.0.0.1:1' })).toThrow(InvalidCloudIdError);
    expect(apiClientTarget('ecs', 'cn-hangzhou', {})).toEqual({ regionId: 'cn-hangzhou', protocol: 'https' });
    expect(apiClientTarget('vpc', 'cn-hangzhou', { vpc: '127.0.0.1:8089' })).toEqual({ regionId: 'cn-hangzhou', endpoint: '127.0.0.1:8089', protocol: 'http' });
    expect(regionalHost('ecs', 'ap-southeast-1')).toBe('ecs.ap-southeast-1.aliyuncs.com');
    expect(() => regionalHost('ecs', 'x@127.0.0.1:2225')).toThrow(InvalidCloudIdError);
  });

  it('accepts only host[:port] as a configured endpoint', () => {
    expect(checkEndpoints({ ecs: '127.0.0.1:8089', vpc: 'vpc.cn-hangzhou.aliyuncs.com', sts: '[::1]:8089' }).ok).toBe(true);
    for (const bad of ['x@127.0.0.1:2225', '127.0.0.1:2225/path', 'host:99999', 'a b', 'host?x=1']) expect(checkEndpoints({ ecs: bad }).ok, bad).toBe(false);
  });
});

describe('every entry point validates the region', () => {
  it('session plans: an invalid region, instance or profile is refused; endpoints in a plan are dropped', () => {
    const base = createSession(sampleDiagnosis(), { host: '127.0.0.1', port: 22 });
    for (const [key, value] of [
      ['region', 'x@127.0.0.1:2225'],
      ['instanceId', 'i-abc@127.0.0.1:2225'],
      ['profile', '../../etc/passwd'],
    ] as const) {
      const r = parseSession(JSON.stringify({ ...base, plan: { ...base.plan, [key]: value } }), 'evil.sgdiag');
      expect(r.ok, key).toBe(false);
      if (r.ok) continue;
      expect(r.code).toBe('INVALID');
      expect(r.message).toContain(`plan.${key}`);
    }
    const carried = parseSession(
      JSON.stringify({ ...base, plan: { ...base.plan, region: 'cn-hangzhou', ecsEndpoint: '127.0.0.1:2225', endpoints: { ecs: '127.0.0.1:2225' }, apiProtocol: 'http' } }),
      'endpoints.sgdiag',
    );
    expect(carried.ok).toBe(true);
    if (!carried.ok) return;
    expect(carried.value.session.plan).toEqual({ host: '127.0.0.1', port: 22, region: 'cn-hangzhou' });
  });

  it('web shell / IPC requests: the contract schemas use the same validator', () => {
    const args = { host: '127.0.0.1', port: 22, service: 'ssh', cloud: { mode: 'environment' } };
    expect(diagnoseArgsSchema.safeParse({ ...args, region: 'cn-shanghai-finance-1' }).success).toBe(true);
    expect(diagnoseArgsSchema.safeParse({ ...args, region: 'x@127.0.0.1:2225' }).success).toBe(false);
    expect(diagnoseArgsSchema.safeParse({ ...args, instanceId: 'i-x@127.0.0.1' }).success).toBe(false);
    expect(sessionPlanSchema.safeParse({ host: 'h', port: 22, region: 'x@127.0.0.1:2225' }).success).toBe(false);
    expect(sessionPlanSchema.safeParse({ host: 'h', port: 22, profile: 'a/b' }).success).toBe(false);
    expect(cloudSourceSchema.safeParse({ mode: 'profile', profile: 'a b' }).success).toBe(false);
    expect(cloudSourceSchema.safeParse({ mode: 'profile', profile: 'prod' }).success).toBe(true);
  });

  it('aliyun CLI profile region_id, credentials-file region_id and the environment', () => {
    const home = mkdtempSync(join(tmpdir(), 'sgd-region-home-'));
    try {
      mkdirSync(join(home, '.aliyun'));
      writeFileSync(
        join(home, '.aliyun', 'config.json'),
        JSON.stringify({
          current: 'evil',
          profiles: [
            { name: 'evil', mode: 'AK', access_key_id: 'LTAI5tEvil000011112222', access_key_secret: 'EvilSecret0000000000000000', region_id: 'x@127.0.0.1:2225' },
            { name: 'good', mode: 'AK', access_key_id: 'LTAI5tGood000011112222', access_key_secret: 'GoodSecret0000000000000000', region_id: 'cn-hangzhou' },
          ],
        }),
      );
      mkdirSync(join(home, '.alibabacloud'));
      writeFileSync(join(home, '.alibabacloud', 'credentials'), '[default]\ntype = access_key\naccess_key_id = LTAI5tFile000011112222\naccess_key_secret = FileSecret00000000000\nregion_id = x@127.0.0.1:2225\n');
      const env = {};
      const evil = resolveCredentials({ home, env });
      expect(evil.ok).toBe(false);
      if (!evil.ok) expect([evil.code, evil.message]).toEqual(['BadRegion', `region_id of profile 'evil' in ${join(home, '.aliyun', 'config.json')}: "x@127.0.0.1:2225" is not a region id (like cn-hangzhou or ap-southeast-1)`]);
      expect(resolveCredentials({ home, env, profile: 'good' }).ok).toBe(true);
      const file = resolveCredentials({ home, env, profile: 'default' });
      expect(file.ok ? null : file.code).toBe('BadRegion');
      const listed = listAliyunProfiles({ home });
      expect(listed.ok && listed.value.profiles.map((p) => [p.name, p.supported, p.regionId ?? null])).toEqual([
        ['evil', false, null],
        ['good', true, 'cn-hangzhou'],
      ]);
      const byEnv = resolveCredentials({ home, env: { ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAI5tEnv0000111122', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'EnvSecret000000000', ALIBABA_CLOUD_REGION_ID: 'x@127.0.0.1:2225' } });
      expect(byEnv.ok ? null : byEnv.code).toBe('BadRegion');
      expect(environmentRegion({ ALICLOUD_REGION_ID: 'cn-beijing' })).toEqual({ ok: true, value: 'cn-beijing' });
      expect(resolveCredentials({ home, env, profile: '../x' }).ok).toBe(false);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});

describe('the cloud reader and Cloud Assistant send nothing for an invalid region', () => {
  let trap: Awaited<ReturnType<typeof listener>>;
  beforeAll(async () => {
    trap = await listener(2225);
  });
  afterAll(() => trap.close());

  it('readCloudSnapshot records the refusal and opens no connection', async () => {
    for (const region of ['x@127.0.0.1:2225', 'x@127.0.0.1:2225/']) {
      const snap = await readCloudSnapshot({
        instanceId: 'i-bp1sgdoctor00000001',
        region,
        credentials: { accessKeyId: 'LTAI5tTest0000111122', accessKeySecret: 'TestSecret000000000000' },
        endpoints: { sts: '127.0.0.1:1' },
        retries: 0,
        timeoutMs: 500,
      });
      expect(snap.errors.map((e) => e.code)).toEqual(['InvalidInput']);
      expect(snap.errors[0].message).toContain('is not a region id');
      expect(snap.instance).toBeNull();
    }
    // An instance id from a file is checked too.
    const snap = await readCloudSnapshot({ instanceId: 'i-x@127.0.0.1:2225/', region: 'cn-hangzhou', credentials: { accessKeyId: 'LTAI5tTest0000111122', accessKeySecret: 'TestSecret000000000000' }, endpoints: { sts: '127.0.0.1:1', ecs: '127.0.0.1:1', vpc: '127.0.0.1:1' }, retries: 0 });
    expect(snap.errors.map((e) => e.code)).toEqual(['InvalidInput']);
    expect(trap.connections()).toBe(0);
  }, 120_000);

  it('runCloudAssistant refuses a region taken from a pasted snapshot', async () => {
    const r = await runCloudAssistant({ instanceId: 'i-bp1sgdoctor00000001', region: 'x@127.0.0.1:2225/', script: 'true', type: 'RunShellScript', credentials: { accessKeyId: 'LTAI5tTest0000111122', accessKeySecret: 'TestSecret000000000000' }, endpoints: { sts: '127.0.0.1:1' }, retries: 0 });
    expect(r.status).toBe('Error');
    expect(r.explanation).toContain('is not a region id');
    expect(trap.connections()).toBe(0);
  });
});

// ---- the real CLI ----------------------------------------------------------------------------------------

const CLI_ENV = {
  NO_COLOR: '1',
  SGD_EGRESS_IP_URLS: '',
  SGD_CONTROL_HOSTS: '',
  SGD_DNS_SERVERS: '127.0.0.1:1',
  ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true',
  ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAI5tInjectTest00001111',
  ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'InjectTestSecret0000000000000000',
  ALIBABA_CLOUD_SECURITY_TOKEN: 'CAISInjectTestToken000000',
  // Never the real STS, whatever happens.
  SGD_STS_ENDPOINT: '127.0.0.1:1',
};

function cli(args: string[], env: Record<string, string>, input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(ALIBABA_CLOUD_|ALICLOUD_|SGD_)/.test(k)));
    const child = execFile(process.execPath, ['node_modules/tsx/dist/cli.mjs', 'src/cli/index.ts', ...args], { env: { ...clean, ...env }, timeout: 90_000 }, (e, stdout, stderr) => {
      resolve({ code: e ? ((e as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
    child.stdin?.end(input ?? '');
  });
}

describe('sg-doctor refuses injected regions with exit 2 and sends nothing', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sgd-inject-'));
  const home = join(dir, 'home');
  mkdirSync(home);
  let trap: Awaited<ReturnType<typeof listener>>;
  beforeAll(async () => {
    trap = await listener(2225);
  });
  afterAll(async () => {
    await trap.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function evilSession(plan: Record<string, unknown>): string {
    const file = join(dir, `evil-${Math.random().toString(36).slice(2)}.sgdiag`);
    const s = createSession(sampleDiagnosis(), { host: '127.0.0.1', port: 9 });
    writeFileSync(file, JSON.stringify({ ...s, plan: { host: '127.0.0.1', port: 9, cloudMode: 'api', instanceId: 'i-bp1sgdoctor00000001', ...plan } }));
    return file;
  }

  it.each(['x@127.0.0.1:2225', 'x@127.0.0.1:2225/'])('rerun of a session whose plan.region is %s, with credentials in the environment', async (region) => {
    const r = await cli(['rerun', evilSession({ region }), '--json'], { ...CLI_ENV, HOME: home });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/plan\.region: must be a region id/);
    expect(r.stdout).toBe('');
    expect(trap.connections()).toBe(0);
  }, 120_000);

  it('diagnose --region, ALIBABA_CLOUD_REGION_ID and a profile region_id are refused the same way', async () => {
    const a = await cli(['diagnose', '127.0.0.1:9', '--region', 'x@127.0.0.1:2225/', '--instance', 'i-bp1sgdoctor00000001'], { ...CLI_ENV, HOME: home });
    expect([a.code, a.stderr.trim()]).toEqual([2, 'sg-doctor: --region: "x@127.0.0.1:2225/" is not a region id (like cn-hangzhou or ap-southeast-1)']);
    const b = await cli(['diagnose', '127.0.0.1:9', '--instance', 'i-bp1sgdoctor00000001'], { ...CLI_ENV, HOME: home, ALIBABA_CLOUD_REGION_ID: 'x@127.0.0.1:2225/' });
    expect([b.code, b.stderr.trim()]).toEqual([2, 'sg-doctor: ALIBABA_CLOUD_REGION_ID: "x@127.0.0.1:2225/" is not a region id (like cn-hangzhou or ap-southeast-1)']);
    const profHome = join(dir, 'profile-home');
    mkdirSync(join(profHome, '.aliyun'), { recursive: true });
    writeFileSync(join(profHome, '.aliyun', 'config.json'), JSON.stringify({ current: 'evil', profiles: [{ name: 'evil', mode: 'AK', access_key_id: 'LTAI5tEvil000011112222', access_key_secret: 'EvilSecret0000000000000000', region_id: 'x@127.0.0.1:2225/' }] }));
    const { ALIBABA_CLOUD_ACCESS_KEY_ID: _i, ALIBABA_CLOUD_ACCESS_KEY_SECRET: _s, ALIBABA_CLOUD_SECURITY_TOKEN: _t, ...noKeys } = CLI_ENV;
    const c = await cli(['rerun', evilSession({}), '--json'], { ...noKeys, HOME: profHome });
    expect(c.code).toBe(2);
    expect(c.stderr).toContain("region_id of profile 'evil'");
    expect(c.stderr).not.toContain('EvilSecret');
    expect(trap.connections()).toBe(0);
  }, 120_000);

  it('an endpoint carried in a session plan is ignored; the configured one is used', async () => {
    const planned = await listener(0);
    const configured = await listener(0);
    try {
      const port = (s: Server) => (s.address() as { port: number }).port;
      const file = evilSession({ region: 'cn-hangzhou', ecsEndpoint: `127.0.0.1:${port(planned.server)}`, vpcEndpoint: `127.0.0.1:${port(planned.server)}`, endpoints: { ecs: `127.0.0.1:${port(planned.server)}` } });
      const ep = `127.0.0.1:${port(configured.server)}`;
      const r = await cli(['rerun', file, '--json'], { ...CLI_ENV, HOME: home, SGD_ECS_ENDPOINT: ep, SGD_VPC_ENDPOINT: ep, SGD_STS_ENDPOINT: ep });
      expect(r.stderr).not.toContain('InjectTestSecret');
      expect(planned.connections()).toBe(0);
      expect(configured.connections()).toBeGreaterThan(0);
    } finally {
      await planned.close();
      await configured.close();
    }
  }, 120_000);
});

describe('diagnose and rerun accept --access-key-stdin as cloud does', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sgd-akstdin-'));
  let fake: FakeAliyun;
  beforeAll(async () => {
    fake = await startFakeAliyun({ scenario: buildScenario({ variant: 'healthy', publicIp: '127.0.0.1' }), ...TEST_ACCESS_KEY });
  });
  afterAll(async () => {
    await fake.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads the key from stdin (not from the environment or a profile), signs with it and never prints the secret', async () => {
    const env = { ...CLI_ENV, HOME: dir, SGD_ECS_ENDPOINT: fake.endpoint, SGD_VPC_ENDPOINT: fake.endpoint, SGD_STS_ENDPOINT: fake.endpoint };
    // The environment holds another key: the stdin key must win, as in `cloud`.
    const input = `${TEST_ACCESS_KEY.accessKeyId}\n${TEST_ACCESS_KEY.accessKeySecret}\n`;
    const file = join(dir, 'ak.sgdiag');
    const d = await cli(['diagnose', '127.0.0.1:9', '--instance', 'i-bp1sgdoctor00000001', '--region', 'cn-hangzhou', '--access-key-stdin', '--json', '--save', file], env, input);
    expect(d.stderr).not.toMatch(/No Alibaba Cloud credentials|InvalidAccessKeyId/);
    const doc = JSON.parse(d.stdout) as { cloud: { snapshot: { instance: { id: string } | null; account?: { accessKeyIdRedacted?: string } } | null } };
    expect(doc.cloud.snapshot?.instance?.id).toBe('i-bp1sgdoctor00000001');
    expect(d.stdout + d.stderr).not.toContain(TEST_ACCESS_KEY.accessKeySecret);
    const signedBy = new Set(fake.calls.map((c) => c.accessKeyId));
    expect([...signedBy]).toEqual([TEST_ACCESS_KEY.accessKeyId]);

    const before = fake.calls.length;
    const r = await cli(['rerun', file, '--json', '--access-key-stdin'], env, input);
    const out = JSON.parse(r.stdout) as { after: { cloud: { snapshot: { instance: { id: string } | null } | null } } };
    expect(out.after.cloud.snapshot?.instance?.id).toBe('i-bp1sgdoctor00000001');
    expect(fake.calls.length).toBeGreaterThan(before);
    expect(new Set(fake.calls.map((c) => c.accessKeyId))).toEqual(new Set([TEST_ACCESS_KEY.accessKeyId]));

    const empty = await cli(['rerun', file, '--access-key-stdin'], env, 'only-one-line\n');
    expect([empty.code, empty.stderr.trim()]).toEqual([2, 'sg-doctor: --access-key-stdin expects the AccessKey ID and the AccessKey Secret on two lines of standard input']);
    const both = await cli(['diagnose', '127.0.0.1:9', '--access-key-stdin', '--server-evidence', '-'], env, input);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--access-key-stdin reads standard input');
  }, 120_000);
});

describe('config file and backend requests', () => {
  it('the config file accepts only host[:port] endpoints', () => {
    expect(parseConfigFile({ ecsEndpoint: '127.0.0.1:8089', vpcEndpoint: 'https://vpc.cn-hangzhou.aliyuncs.com/' }).ok).toBe(true);
    const bad = parseConfigFile({ ecsEndpoint: 'x@127.0.0.1:2225/' }, 'config file c.json');
    expect(bad.ok ? null : bad.message).toBe('config file c.json: ecsEndpoint: must be a host or host:port');
  });

  it('Cloud Assistant from the app refuses a region or instance id carried by an opened diagnosis', async () => {
    const trap = await listener(2225);
    try {
      const env = { ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAI5tBackend0000111', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'BackendSecret000000000', SGD_STS_ENDPOINT: '127.0.0.1:1', ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true' };
      const dir = mkdtempSync(join(tmpdir(), 'sgd-backend-ids-'));
      const backend = createBackend({ host: webHost(dir), engine: coreEngine({ env }), resourcesDir: dir, env });
      for (const inst of [{ region: 'x@127.0.0.1:2225/' }, { id: 'i-x@127.0.0.1:2225/' }]) {
        const d = sampleDiagnosis();
        const snapshot = d.cloud.snapshot!;
        const diagnosis = { ...d, cloud: { ...d.cloud, snapshot: { ...snapshot, instance: { ...snapshot.instance!, ...inst } } } };
        const r = await backend.dispatch('server.runCloudAssistant', { diagnosis, cloud: { mode: 'environment' }, consent: true });
        expect(r.ok).toBe(false);
        if (!r.ok) expect([r.code, r.message]).toEqual(['BAD_ID', expect.stringMatching(/^instance (region|id): "i?-?x@127\.0\.0\.1:2225\/" is not /)]);
      }
      rmSync(dir, { recursive: true, force: true });
      expect(trap.connections()).toBe(0);
    } finally {
      await trap.close();
    }
  });
});

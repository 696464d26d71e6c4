// The account step's cloud choice (issue 10, "App") through the contract and the backend both shells use:
// the cloud source names its provider (Alibaba Cloud by default, so old calls and saved plans still work), the
// key form has each cloud's documented shape, the keychain keeps one entry per cloud, the environment source
// reads the cloud's own variables, profiles are the cloud's CLI profiles (KooCLI's encrypted ones disabled with
// how to hand the key over), pasted JSON is recognised by its documents, and a run reads the chosen cloud —
// here the real engine against the loopback fake Huawei API.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseArgs, type CredentialStatus, type ProfileList } from '../src/core/api';
import { createBackend, type Backend } from '../src/core/backend/backend';
import { coreEngine } from '../src/core/backend/core-engine';
import type { DiagnosisEngine } from '../src/core/backend/engine';
import { memorySecretStore } from '../src/core/backend/host';
import type { Diagnosis } from '../src/core/diagnosis/types';
import { webHost } from '../src/cli/serve/web-host';
import { FAKE_AK, FAKE_SK, PROJECT_ID, REGION, SERVER_ID, scenario, startFakeHuawei, type FakeHuawei } from './fake-huawei';
import { sampleDiagnosis } from './support/diagnosis-fixture';

const FX = join(__dirname, 'fixtures', 'huawei');
const HUAWEI_DOCS = ['show-server.json', 'list-ports.json', 'show-security-group.json', 'list-security-group-rules.json', 'show-firewall.json', 'list-publicips.json']
  .map((f) => readFileSync(join(FX, f), 'utf8'))
  .join('\n');
const ALIBABA_DOC = JSON.stringify({
  Instances: { Instance: [{ InstanceId: 'i-bp1sgdoctor00000001', RegionId: 'cn-hangzhou', Status: 'Running', PublicIpAddress: { IpAddress: ['47.98.10.20'] }, SecurityGroupIds: { SecurityGroupId: [] } }] },
});

describe('contract: the cloud source and the account channels name the provider', () => {
  it('defaults to Alibaba Cloud when the provider is absent (old calls, saved plans)', () => {
    const r = parseArgs('diagnosis.start', { host: 'h', port: 22, service: 'ssh', cloud: { mode: 'stored-key' } });
    expect(r.ok && r.value.cloud).toEqual({ mode: 'stored-key', provider: 'alicloud' });
    const p = parseArgs('profiles.list', {});
    expect(p.ok && p.value).toEqual({ provider: 'alicloud' });
  });

  it('takes Huawei Cloud for every source and refuses an unknown cloud', () => {
    for (const cloud of [{ mode: 'environment' }, { mode: 'stored-key' }, { mode: 'profile', profile: 'default' }, { mode: 'none' }, { mode: 'import', json: '{}' }]) {
      const r = parseArgs('diagnosis.start', { host: 'h', port: 22, service: 'ssh', cloud: { ...cloud, provider: 'huawei' } });
      expect(r.ok && r.value.cloud.provider).toBe('huawei');
    }
    expect(parseArgs('diagnosis.start', { host: 'h', port: 22, service: 'ssh', cloud: { mode: 'none', provider: 'aws' } }).ok).toBe(false);
    expect(parseArgs('credentials.status', { provider: 'tencent' }).ok).toBe(false);
    expect(parseArgs('credentials.clear', { provider: 'huawei', extra: 1 }).ok).toBe(false);
  });

  it('checks each cloud’s key shape: Alibaba AccessKey, Huawei AK/SK with an optional 32-hex project id', () => {
    expect(parseArgs('credentials.setAccessKey', { accessKeyId: 'LTAI5tExampleKeyId01', accessKeySecret: 'S3cretS3cretS3cretS3cret0123' }).ok).toBe(true);
    expect(parseArgs('credentials.setAccessKey', { provider: 'huawei', accessKeyId: FAKE_AK, accessKeySecret: FAKE_SK, projectId: PROJECT_ID }).ok).toBe(true);
    expect(parseArgs('credentials.setAccessKey', { provider: 'huawei', accessKeyId: FAKE_AK, accessKeySecret: FAKE_SK }).ok).toBe(true);
    const badProject = parseArgs('credentials.setAccessKey', { provider: 'huawei', accessKeyId: FAKE_AK, accessKeySecret: FAKE_SK, projectId: '../v3/x' });
    expect(!badProject.ok && badProject.message).toMatch(/projectId: Project ID: 32 hexadecimal/);
    const shortSk = parseArgs('credentials.setAccessKey', { provider: 'huawei', accessKeyId: FAKE_AK, accessKeySecret: 'short' });
    expect(!shortSk.ok && shortSk.message).toMatch(/accessKeySecret: Secret access key \(SK\)/);
    // A project id is a Huawei setting: not accepted with an Alibaba key.
    expect(parseArgs('credentials.setAccessKey', { accessKeyId: 'LTAI5tExampleKeyId01', accessKeySecret: 'S3cretS3cretS3cretS3cret0123', projectId: PROJECT_ID }).ok).toBe(false);
    expect(parseArgs('credentials.setAccessKey', { provider: 'huawei', accessKeyId: 'HP UA', accessKeySecret: FAKE_SK }).ok).toBe(false);
  });
});

/** An engine that records what it was asked (the cloud choice and the resolved credentials). */
function recordingEngine(): DiagnosisEngine & { seen: { args: unknown; credentials: unknown }[] } {
  const seen: { args: unknown; credentials: unknown }[] = [];
  return {
    seen,
    async run(args, ctx) {
      seen.push({ args, credentials: ctx.credentials });
      return sampleDiagnosis();
    },
    checkImport: async () => ({ region: 'r', instanceId: null, securityGroups: 0, rules: 0, networkAcls: 0, warnings: [] }),
    serverScript: (os, port) => ({ os, script: `echo ${port}`, howTo: '' }),
    applyServerOutput: async (d) => ({ diagnosis: d, server: null as never }),
    runCloudAssistant: async (d) => ({ diagnosis: d, server: null as never }),
  };
}

describe('backend: one account per cloud', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sgd-cloud-choice-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const make = (env: NodeJS.ProcessEnv = {}, engine: DiagnosisEngine = recordingEngine()): Backend =>
    createBackend({ host: webHost(join(dir, 'data')), engine, resourcesDir: dir, env: { HOME: dir, ...env } });
  const status = async (b: Backend, provider?: string): Promise<CredentialStatus> => {
    const r = await b.dispatch('credentials.status', provider ? { provider } : {});
    if (!r.ok) throw new Error(r.message);
    return r.value as CredentialStatus;
  };

  it('keeps a Huawei key and an Alibaba key apart: storing, reading and clearing one never touches the other', async () => {
    const engine = recordingEngine();
    const b = make({}, engine);
    const hw = await b.dispatch('credentials.setAccessKey', { provider: 'huawei', accessKeyId: FAKE_AK, accessKeySecret: FAKE_SK, projectId: PROJECT_ID.toUpperCase() });
    expect(hw.ok && hw.value).toMatchObject({ provider: 'huawei', stored: true, accessKeyIdRedacted: 'HPUA****0001', projectId: PROJECT_ID });
    expect(JSON.stringify(hw)).not.toContain(FAKE_SK);
    expect((await status(b)).stored).toBe(false);
    // The Alibaba source refuses to run with the Huawei key.
    const ali = await b.dispatch('diagnosis.start', { host: 'h', port: 22, service: 'ssh', cloud: { mode: 'stored-key' } });
    expect(!ali.ok && ali.code).toBe('NO_ACCESS_KEY');
    await b.dispatch('credentials.setAccessKey', { accessKeyId: 'LTAI5tExampleKeyId01', accessKeySecret: 'S3cretS3cretS3cretS3cret0123' });
    expect((await status(b, 'alicloud')).accessKeyIdRedacted).toBe('LTAI****Id01');
    expect((await status(b, 'huawei')).accessKeyIdRedacted).toBe('HPUA****0001');
    // A Huawei run gets the Huawei key with its project id.
    const run = await b.dispatch('diagnosis.start', { host: 'h', port: 22, service: 'ssh', cloud: { mode: 'stored-key', provider: 'huawei' } });
    expect(run.ok).toBe(true);
    await new Promise((r) => setTimeout(r, 50));
    expect(engine.seen[0]).toMatchObject({ args: { cloud: { provider: 'huawei' } }, credentials: { kind: 'access-key', key: { accessKeyId: FAKE_AK, accessKeySecret: FAKE_SK, projectId: PROJECT_ID } } });
    await b.dispatch('credentials.clear', { provider: 'huawei' });
    expect((await status(b, 'huawei')).stored).toBe(false);
    expect((await status(b, 'alicloud')).stored).toBe(true);
  });

  it('the memory store (web shell) keeps one entry per cloud, Alibaba by default', async () => {
    const s = memorySecretStore();
    await s.save({ accessKeyId: 'a', accessKeySecret: 'b' });
    await s.save({ accessKeyId: 'c', accessKeySecret: 'd', projectId: PROJECT_ID }, 'huawei');
    expect(await s.load()).toEqual({ accessKeyId: 'a', accessKeySecret: 'b' });
    expect(await s.load('alicloud')).toEqual({ accessKeyId: 'a', accessKeySecret: 'b' });
    expect(await s.load('huawei')).toEqual({ accessKeyId: 'c', accessKeySecret: 'd', projectId: PROJECT_ID });
    await s.clear();
    expect(await s.load()).toBeNull();
    expect(await s.load('huawei')).not.toBeNull();
  });

  it.each([
    ['HUAWEICLOUD_SDK_AK/_SK', { HUAWEICLOUD_SDK_AK: FAKE_AK, HUAWEICLOUD_SDK_SK: FAKE_SK }, { huawei: true, alicloud: false }],
    ['CLOUD_SDK_AK/_SK (Huawei’s samples)', { CLOUD_SDK_AK: FAKE_AK, CLOUD_SDK_SK: FAKE_SK }, { huawei: true, alicloud: false }],
    ['only the AK', { HUAWEICLOUD_SDK_AK: FAKE_AK }, { huawei: false, alicloud: false }],
    ['an empty SK', { HUAWEICLOUD_SDK_AK: FAKE_AK, HUAWEICLOUD_SDK_SK: ' ' }, { huawei: false, alicloud: false }],
    ['Alibaba’s variables', { ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAI5tExampleKeyId01', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'x'.repeat(30) }, { huawei: false, alicloud: true }],
  ])('environment mode reads each cloud’s own variables: %s', async (_name, env, want) => {
    const b = make(env);
    const hw = await status(b, 'huawei');
    const ali = await status(b, 'alicloud');
    expect({ huawei: hw.environment, alicloud: ali.environment }).toEqual(want);
    expect(hw.environmentVariables).toEqual(['HUAWEICLOUD_SDK_AK', 'HUAWEICLOUD_SDK_SK', 'CLOUD_SDK_AK', 'CLOUD_SDK_SK']);
    expect(ali.environmentVariables).toEqual(['ALIBABA_CLOUD_ACCESS_KEY_ID', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET']);
  });

  const writeHcloud = (doc: unknown): void => {
    mkdirSync(join(dir, '.hcloud'), { recursive: true });
    writeFileSync(join(dir, '.hcloud', 'config.json'), JSON.stringify(doc));
  };
  const profiles = async (b: Backend, provider: string): Promise<ProfileList> => {
    const r = await b.dispatch('profiles.list', { provider });
    if (!r.ok) throw new Error(r.message);
    return r.value as ProfileList;
  };

  it('lists KooCLI profiles with the AK masked; other sign-in modes disabled with the reason in both languages', async () => {
    writeHcloud({
      authEncrypt: 'false',
      current: 'prod',
      profiles: [
        { name: 'prod', mode: 'AKSK', accessKeyId: FAKE_AK, secretAccessKey: FAKE_SK, region: REGION, projectId: PROJECT_ID },
        { name: 'sso', mode: 'SSO', region: REGION },
      ],
    });
    const list = await profiles(make(), 'huawei');
    expect(list.provider).toBe('huawei');
    expect(list.path).toBe(join(dir, '.hcloud', 'config.json'));
    expect(list.encrypted).toBeUndefined();
    expect(list.profiles[0]).toMatchObject({ name: 'prod', supported: true, current: true, regionId: REGION, accessKeyIdRedacted: 'HPUA****0001' });
    expect(list.profiles[1]).toMatchObject({ name: 'sso', supported: false, current: false });
    expect(list.profiles[1].unsupportedText?.['zh-CN']).toMatch(/SSO.*AKSK/);
    expect(list.profiles[1].unsupportedText?.en).toMatch(/SSO.*AKSK/);
    expect(JSON.stringify(list)).not.toContain(FAKE_SK);
    expect(JSON.stringify(list)).not.toContain(FAKE_AK);
    // The Alibaba list is the aliyun CLI's (none here), not KooCLI's.
    expect((await profiles(make(), 'alicloud')).profiles).toEqual([]);
  });

  it('says that KooCLI’s encrypted keys cannot be read and how to hand the key over instead', async () => {
    writeHcloud({ authEncrypt: 'true', current: 'default', profiles: [{ name: 'default', mode: 'AKSK', accessKeyId: 'ENCRYPTED-AK-TEXT', secretAccessKey: 'ENCRYPTED-SK-TEXT', region: REGION }] });
    const list = await profiles(make(), 'huawei');
    expect(list.encrypted).toBe(true);
    expect(list.note?.en).toMatch(/encrypted.*HUAWEICLOUD_SDK_AK/s);
    expect(list.note?.['zh-CN']).toMatch(/加密.*HUAWEICLOUD_SDK_AK/s);
    expect(list.profiles).toEqual([expect.objectContaining({ name: 'default', supported: false })]);
    expect(list.profiles[0].accessKeyIdRedacted).toBeUndefined();
    expect(JSON.stringify(list)).not.toContain('ENCRYPTED-SK-TEXT');
  });

  it('aliyun CLI profiles of an unsupported mode say why in both languages', async () => {
    mkdirSync(join(dir, '.aliyun'), { recursive: true });
    writeFileSync(join(dir, '.aliyun', 'config.json'), JSON.stringify({ current: 'ak', profiles: [{ name: 'ak', mode: 'AK', access_key_id: 'LTAI5tExampleKeyId01', access_key_secret: 'S3cretS3cretS3cretS3cret0123', region_id: 'cn-hangzhou' }, { name: 'oidc', mode: 'OIDC', region_id: 'cn-hangzhou' }] }));
    const list = await profiles(make(), 'alicloud');
    expect(list.provider).toBe('alicloud');
    expect(list.profiles[0]).toMatchObject({ name: 'ak', supported: true, current: true, accessKeyIdRedacted: 'LTAI****Id01' });
    expect(list.profiles[0].unsupportedText).toBeUndefined();
    expect(list.profiles[1]).toMatchObject({ name: 'oidc', supported: false });
    expect(list.profiles[1].unsupportedText?.['zh-CN']).toMatch(/OIDC.*不支持/);
    expect(list.profiles[1].unsupportedText?.en).toMatch(/OIDC.*does not support/);
    expect(JSON.stringify(list)).not.toContain('S3cretS3cret');
    // KooCLI's list does not show aliyun's profiles.
    expect((await profiles(make(), 'huawei')).profiles).toEqual([]);
  });

  it('recognises pasted KooCLI output as Huawei Cloud and aliyun output as Alibaba Cloud', async () => {
    const b = createBackend({ host: webHost(join(dir, 'data')), engine: coreEngine({ env: { HOME: dir } }), resourcesDir: dir, env: { HOME: dir } });
    const hw = await b.dispatch('cloud.checkImport', { json: HUAWEI_DOCS });
    expect(hw.ok && hw.value).toMatchObject({ provider: 'huawei', region: REGION, instanceId: SERVER_ID });
    const ali = await b.dispatch('cloud.checkImport', { json: ALIBABA_DOC });
    expect(ali.ok && ali.value).toMatchObject({ provider: 'alicloud', instanceId: 'i-bp1sgdoctor00000001' });
  });
});

describe('a Huawei run through the backend and the real engine (loopback fake Huawei API)', () => {
  let fake: FakeHuawei;
  let dir: string;
  let closed: number;
  let listening: Server;
  let open: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sgd-cloud-choice-run-'));
    writeFileSync(join(dir, 'config.json'), '{}');
    listening = createServer((s) => s.end());
    await new Promise<void>((r) => listening.listen(0, '127.0.0.1', r));
    open = (listening.address() as AddressInfo).port;
    const s = createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    closed = (s.address() as AddressInfo).port;
    await new Promise<void>((r) => s.close(() => r()));
    fake = await startFakeHuawei({ state: scenario('healthy', { eip: '127.0.0.1', port: open }) });
  });
  afterAll(async () => {
    await fake?.close();
    await new Promise<void>((r) => listening.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  });

  const baseEnv = (): NodeJS.ProcessEnv => ({
    HOME: dir,
    SGD_CONFIG: join(dir, 'config.json'),
    SGD_EGRESS_IP_URLS: '',
    SGD_CONTROL_HOSTS: '',
    SGD_DNS_SERVERS: '127.0.0.1:1',
    SGD_HUAWEI_ENDPOINT: fake.url,
    HUAWEICLOUD_SDK_REGION: REGION,
    ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true',
  });

  async function run(env: NodeJS.ProcessEnv, cloud: Record<string, unknown>, port: number, prepare?: (b: Backend) => Promise<void>): Promise<Diagnosis> {
    const backend = createBackend({ host: webHost(join(dir, 'data')), engine: coreEngine({ env }), resourcesDir: dir, env });
    await prepare?.(backend);
    const done = new Promise<{ result: { ok: boolean; value?: Diagnosis; message?: string } }>((ok) => backend.onEvent((e, p) => e === 'diagnosis.done' && ok(p as never)));
    const start = await backend.dispatch('diagnosis.start', { host: '127.0.0.1', port, service: 'custom', cloud, sourceIp: '198.51.100.7', instanceId: SERVER_ID });
    expect(start.ok).toBe(true);
    const r = (await done).result;
    expect(r.ok, r.message).toBe(true);
    return r.value!;
  }

  it('environment mode reads Huawei Cloud with HUAWEICLOUD_SDK_AK/_SK and names the deciding rule', async () => {
    const d = await run({ ...baseEnv(), HUAWEICLOUD_SDK_AK: FAKE_AK, HUAWEICLOUD_SDK_SK: FAKE_SK }, { mode: 'environment', provider: 'huawei' }, open);
    expect(d.cloud.snapshot?.provider).toBe('huawei');
    expect(d.cloud.snapshot?.instance?.id).toBe(SERVER_ID);
    expect(d.cloud.snapshot?.account?.credentialSource).toMatch(/HUAWEICLOUD_SDK_AK/);
    const sg = d.checks.find((c) => c.id === 'sg.inbound-rule');
    expect(sg?.status).toBe('pass');
    expect(JSON.stringify(sg)).toMatch(/-ssh/); // the allowing rule's id (the fake's "<group>-ssh")
    expect(d.verdict.locus).toBe('none');
    expect(fake.calls.some((c) => c.ak === FAKE_AK && c.status === 200)).toBe(true);
    expect(JSON.stringify(d)).not.toContain(FAKE_SK);
  }, 60_000);

  it('the Huawei key typed in the app (with its project id) is the one the reader signs with', async () => {
    const before = fake.calls.length;
    const d = await run(baseEnv(), { mode: 'stored-key', provider: 'huawei' }, closed, async (b) => {
      const r = await b.dispatch('credentials.setAccessKey', { provider: 'huawei', accessKeyId: FAKE_AK, accessKeySecret: FAKE_SK, projectId: PROJECT_ID });
      expect(r.ok).toBe(true);
    });
    expect(d.cloud.snapshot?.provider).toBe('huawei');
    expect(d.cloud.snapshot?.instance?.id).toBe(SERVER_ID);
    const calls = fake.calls.slice(before);
    expect(calls.length).toBeGreaterThan(0);
    // The project id came with the key: no IAM look-up was needed.
    expect(calls.some((c) => c.op === 'KeystoneListAuthProjects')).toBe(false);
    expect(calls.every((c) => c.path.includes(PROJECT_ID) || !c.path.includes('/v'))).toBe(true);
  }, 60_000);

  it('environment mode without Huawei variables reads nothing and invents nothing (the Alibaba variables are not used)', async () => {
    const before = fake.calls.length;
    const d = await run({ ...baseEnv(), ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAI5tExampleKeyId01', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'x'.repeat(30) }, { mode: 'environment', provider: 'huawei' }, open);
    expect(d.cloud.snapshot?.instance ?? null).toBeNull();
    expect(JSON.stringify(d.cloud.snapshot?.errors ?? [])).toMatch(/HUAWEICLOUD_SDK_AK/);
    expect(fake.calls.length).toBe(before);
    expect(d.checks.find((c) => c.id === 'sg.inbound-rule')?.status).toBe('unknown');
  }, 60_000);
});

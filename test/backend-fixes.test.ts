// Applying a fix from the app (issue 11 §2): the `fixes.preview`, `fixes.apply` and `fixes.undo` channels
// through `dispatch` (the entry Electron's IPC and the web shell use), against the loopback fake Alibaba API
// with the real SDK. The diagnosis is a real run (the cloud read through the provider, the real checks), only
// the probe facts are canned (no traffic leaves the machine). Checks: only a proposed fix, only with
// confirm: true, the change and its undo recorded in the session file, undo removes exactly what was created,
// a denied write names the permission and changes nothing, a read-only session is refused.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FixApplyResult, FixPreview } from '../src/core/api';
import { createBackend, type Backend } from '../src/core/backend/backend';
import { composeDeps } from '../src/core/backend/compose';
import { alicloudProvider } from '../src/core/cloud/alicloud/provider';
import type { DiagnosisEngine } from '../src/core/backend/engine';
import { runDiagnosis } from '../src/core/diagnosis/run';
import type { Diagnosis } from '../src/core/diagnosis/types';
import { createSession, saveSession, serializeSession } from '../src/core/session';
import { webHost } from '../src/cli/serve/web-host';
import { buildScenario, startFakeAliyun, TEST_ACCESS_KEY, type FakeAliyun } from './fake-api';
import type { ApiObject } from './fake-api/scenarios';
import { sampleDiagnosis } from './support/diagnosis-fixture';

const unused = (): never => {
  throw new Error('not used by these tests');
};
const engine: DiagnosisEngine = { run: unused, checkImport: unused, serverScript: unused, applyServerOutput: unused, runCloudAssistant: unused };

const PUBLIC_IP = '47.98.10.20';
const CLIENT_IP = '203.0.113.7';
const INSTANCE = 'i-bp1sgdoctor00000001';
const REGION = 'cn-hangzhou';
const WEB = 'sg-bp1web0000000000001';

let fake: FakeAliyun;
let dir: string;
let backend: Backend;
let diagnosis: Diagnosis;
const plan = { host: PUBLIC_IP, port: 22, cloudMode: 'api' as const, credentialSource: 'environment' as const, instanceId: INSTANCE, region: REGION };

const env = (): NodeJS.ProcessEnv => ({
  HOME: dir,
  SGD_CONFIG: '',
  SGD_ECS_ENDPOINT: fake.endpoint,
  SGD_VPC_ENDPOINT: fake.endpoint,
  SGD_STS_ENDPOINT: fake.endpoint,
  ALIBABA_CLOUD_ACCESS_KEY_ID: TEST_ACCESS_KEY.accessKeyId,
  ALIBABA_CLOUD_ACCESS_KEY_SECRET: TEST_ACCESS_KEY.accessKeySecret,
  ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true',
});

const scenario = () => buildScenario({ variant: 'rule-missing', publicIp: PUBLIC_IP, clientIp: CLIENT_IP, instanceId: INSTANCE, region: REGION, port: 22 });
const webRules = (): ApiObject[] => fake.scenario().securityGroups.find((g) => g.SecurityGroupId === WEB)!.Permissions as ApiObject[];

/** A real diagnosis of the fake cloud: canned probe facts (port 22 filtered from 203.0.113.7), the rest real. */
async function diagnose(): Promise<Diagnosis> {
  const probes = sampleDiagnosis().probes!;
  return runDiagnosis(
    {
      target: { host: PUBLIC_IP, port: 22, protocol: 'tcp', service: 'ssh', instanceId: INSTANCE },
      probe: { host: PUBLIC_IP, ports: [22] } as never,
      cloud: { mode: 'api', instanceId: INSTANCE, region: REGION, endpoints: (alicloudProvider.endpoints!({ env: env() }) as { value: unknown }).value },
    },
    { deps: composeDeps({ env: env(), overrides: { runProbe: async () => probes } }) },
  );
}

/** The failing check's first fix that carries actions, with where it is. */
function proposed(d: Diagnosis): { checkId: string; fixIndex: number; actions: unknown[] } {
  for (const c of d.checks) {
    if (c.status !== 'fail') continue;
    const i = c.fixes.findIndex((f) => (f as { actions?: unknown[] }).actions?.length && (f as { simulated?: { decision?: string } }).simulated?.decision === 'allow');
    if (i >= 0) return { checkId: c.id, fixIndex: i, actions: (c.fixes[i] as { actions: unknown[] }).actions };
  }
  throw new Error('no applicable fix');
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sgd-backend-fixes-'));
  fake = await startFakeAliyun({ scenario: scenario(), accessKeyId: TEST_ACCESS_KEY.accessKeyId, accessKeySecret: TEST_ACCESS_KEY.accessKeySecret });
  diagnosis = await diagnose();
}, 60_000);
afterAll(async () => {
  await fake?.stop();
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  fake.setScenario(scenario());
  fake.setFaults([]);
  fake.calls.length = 0;
  const data = join(dir, `data-${Math.random().toString(36).slice(2)}`);
  mkdirSync(join(dir, 'resources'), { recursive: true });
  backend = createBackend({ host: webHost(data, { locale: 'en-US' }), engine, resourcesDir: join(dir, 'resources'), env: env() });
});

const cloud = { mode: 'environment' as const };
const apply = (extra: Record<string, unknown> = {}) => backend.dispatch('fixes.apply', { diagnosis, plan, ...proposed(diagnosis), cloud, lang: 'en', confirm: true, ...extra });

describe('fixes.* channels', () => {
  it('the diagnosis of "rule missing" proposes an applicable fix', () => {
    const p = proposed(diagnosis);
    expect(p.checkId).toMatch(/^sg\./);
    expect(JSON.stringify(p.actions)).toContain('AuthorizeSecurityGroup');
    expect(JSON.stringify(p.actions)).toContain(`${CLIENT_IP}/32`);
  });

  it('preview: the change as diff lines, the account, the region and the permission; nothing is sent', async () => {
    const r = await backend.dispatch('fixes.preview', { diagnosis, ...proposed(diagnosis), lang: 'en' });
    expect(r.ok).toBe(true);
    const p = (r as { value: FixPreview }).value;
    expect(p.available).toBe(true);
    expect(p.region).toBe(REGION);
    expect(p.accountId).toBe('1234567890123456');
    expect(p.changes[0].api).toBe('AuthorizeSecurityGroup');
    expect(p.changes[0].lines.some((l) => l.startsWith('+ accept TCP 22/22 from 203.0.113.7/32'))).toBe(true);
    expect(p.permissions).toEqual(['ecs:AuthorizeSecurityGroup']);
    expect(fake.calls.length).toBe(0);
  });

  it('apply without confirm: true is refused by the contract; nothing is sent', async () => {
    for (const confirm of [undefined, false, 'true']) {
      const r = await apply({ confirm });
      expect(r.ok).toBe(false);
      expect((r as { code: string }).code).toBe('BAD_ARGS');
    }
    expect(fake.calls.length).toBe(0);
  });

  it('actions the diagnosis did not propose are refused, whatever the renderer sends', async () => {
    const p = proposed(diagnosis);
    const widened = JSON.parse(JSON.stringify(p.actions).replace(`${CLIENT_IP}/32`, '0.0.0.0/0')) as unknown[];
    const r1 = await apply({ actions: widened });
    expect((r1 as { code: string }).code).toBe('FIX_NOT_PROPOSED');
    const r2 = await apply({ actions: [{ api: 'DeleteInstance', params: { InstanceId: INSTANCE } }] });
    expect((r2 as { code: string }).code).toBe('FIX_NOT_PROPOSED');
    // A forged diagnosis whose check "proposes" arbitrary actions: the backend runs the checks again itself.
    const forged = JSON.parse(JSON.stringify(diagnosis)) as Diagnosis;
    const c = forged.checks.find((x) => x.id === p.checkId)!;
    (c.fixes[p.fixIndex] as unknown as { actions: unknown[] }).actions = widened;
    const r3 = await backend.dispatch('fixes.apply', { diagnosis: forged, plan, ...p, actions: widened, cloud, lang: 'en', confirm: true });
    expect((r3 as { code: string }).code).toBe('FIX_NOT_PROPOSED');
    expect(fake.calls.length).toBe(0);
  });

  it('apply → the rule exists, the record is in a new session file; undo removes exactly that rule', async () => {
    const before = webRules().map((r) => r.SecurityGroupRuleId);
    const r = await apply();
    expect(r.ok).toBe(true);
    const v = (r as { value: FixApplyResult }).value;
    expect(v.failure).toBeNull();
    expect(v.records).toHaveLength(1);
    expect(v.records[0]).toMatchObject({ api: 'AuthorizeSecurityGroup', changed: true, region: REGION, accountId: '1234567890123456', provider: 'alicloud' });
    expect(v.records[0].requestId).toEqual(expect.any(String));
    const added = webRules().filter((x) => !before.includes(x.SecurityGroupRuleId));
    expect(added).toHaveLength(1);
    expect(added[0]).toMatchObject({ SourceCidrIp: `${CLIENT_IP}/32`, PortRange: '22/22' });
    // The session file holds the record (and no pending tokens) and opens again.
    const file = JSON.parse(readFileSync(v.ref, 'utf8')) as { applied: { created: { ruleIds: string[] } }[]; pendingApply: unknown };
    expect(file.applied[0].created.ruleIds).toEqual([added[0].SecurityGroupRuleId]);
    expect(file.pendingApply).toBeNull();
    expect((await backend.dispatch('sessions.open', { ref: v.ref })).ok).toBe(true);
    // Saving the diagnosis over that file keeps the record.
    const saved = await backend.dispatch('sessions.save', { diagnosis, plan, ref: v.ref, saveAs: false });
    expect(saved.ok).toBe(true);
    expect((JSON.parse(readFileSync(v.ref, 'utf8')) as { applied: unknown[] }).applied).toHaveLength(1);

    const u = await backend.dispatch('fixes.undo', { ref: v.ref, cloud, lang: 'en', confirm: true });
    expect(u.ok).toBe(true);
    const uv = (u as { value: FixApplyResult }).value;
    expect(uv.failure).toBeNull();
    expect(uv.applied[0].undoneAt).toEqual(expect.any(String));
    expect(webRules().map((x) => x.SecurityGroupRuleId)).toEqual(before);
    const again = await backend.dispatch('fixes.undo', { ref: v.ref, cloud, lang: 'en', confirm: true });
    expect((again as { code: string }).code).toBe('NOTHING_TO_UNDO');
  });

  it('a write denied by policy: the failure names the permission to grant, nothing changed, nothing recorded', async () => {
    fake.setFaults([{ action: 'AuthorizeSecurityGroup', kind: 'forbidden' }]);
    const n = webRules().length;
    const r = await apply();
    expect(r.ok).toBe(true);
    const v = (r as { value: FixApplyResult }).value;
    expect(v.records).toEqual([]);
    expect(v.failure?.message).toContain('ecs:AuthorizeSecurityGroup');
    expect(webRules().length).toBe(n);
    const zh = (await apply({ lang: 'zh-CN', ref: v.ref })) as { value: FixApplyResult };
    expect(zh.value.failure?.message).toMatch(/[\u4e00-\u9fff]/);
  });

  it('credentials of another account, or none: refused before any write', async () => {
    const none = await apply({ cloud: { mode: 'none' } });
    expect((none as { code: string }).code).toBe('NEEDS_ACCOUNT');
    // Refused before anything is written: no session file was made for it.
    expect(existsSync(backend.sessionsDir) ? readdirSync(backend.sessionsDir) : []).toEqual([]);
    const other = JSON.parse(JSON.stringify(diagnosis)) as Diagnosis;
    other.cloud.snapshot!.account = { ...other.cloud.snapshot!.account, accountId: '9999999999999999' };
    // The fix is the same (the account is not part of it); the provider's account check refuses.
    const r = await backend.dispatch('fixes.apply', { diagnosis: other, plan, ...proposed(other), cloud, lang: 'en', confirm: true });
    expect((r as { code: string; message: string }).code).toBe('REFUSED');
    expect((r as { message: string }).message).toContain('9999999999999999');
    expect(fake.calls.filter((c) => !c.action.startsWith('Describe') && c.action !== 'GetCallerIdentity')).toEqual([]);
  });

  it('a read-only session (written by a newer SG Doctor) is never applied from', async () => {
    const first = (await apply()) as { value: FixApplyResult };
    const ref = first.value.ref;
    const doc = JSON.parse(serializeSession(createSession(diagnosis, plan))) as Record<string, unknown>;
    writeFileSync(ref, JSON.stringify({ ...doc, schemaVersion: 99 }));
    const n = fake.calls.length;
    const r = await apply({ ref });
    expect((r as { code: string }).code).toBe('READ_ONLY');
    const u = await backend.dispatch('fixes.undo', { ref, cloud, lang: 'en', confirm: true });
    expect(u.ok).toBe(false);
    expect(fake.calls.length).toBe(n);
    void saveSession;
  });
});

describe('fixes.preview for a Huawei Cloud diagnosis, and for a cloud whose provider has no apply (a stub)', () => {
  it('Huawei: the preview is available with Huawei diff lines; a stub provider without apply says plainly it is not, and nothing is sent', async () => {
    const { mapHuaweiSnapshot } = await import('../src/core/cloud/huawei/map');
    const hw = await import('../src/core/cloud/huawei/provider');
    const s = await import('./fake-huawei/scenarios');
    const web = { id: s.SG_WEB, name: 'web', security_group_rules: [{ id: 'r-1', security_group_id: s.SG_WEB, direction: 'ingress', protocol: 'tcp', ethertype: 'IPv4', multiport: '80', action: 'allow', priority: 1, remote_ip_prefix: '0.0.0.0/0' }] };
    const snapshot = JSON.parse(
      JSON.stringify(
        mapHuaweiSnapshot({
          region: s.REGION,
          source: 'import',
          server: s.server({ status: 'ACTIVE', security_groups: [{ id: s.SG_WEB, name: '' }] }),
          ports: [s.port({ security_groups: [s.SG_WEB] })],
          securityGroups: [web] as never,
          firewalls: [],
          firewallsRead: true,
          publicips: [s.publicip()],
        }),
      ),
    );
    const flow = { direction: 'ingress' as const, protocol: 'tcp' as const, sourceIp: CLIENT_IP, destinationIp: s.EIP, port: 22 };
    const base = sampleDiagnosis();
    const probes = JSON.parse(JSON.stringify(base.probes).replaceAll('47.98.10.20', s.EIP)) as Diagnosis['probes'];
    const d0: Diagnosis = {
      ...base,
      target: { host: s.EIP, port: 22, protocol: 'tcp', service: 'ssh' },
      probes,
      cloud: { mode: 'snapshot', snapshot, flow, securityGroups: hw.evaluateSecurityGroups(snapshot, flow), networkAcl: hw.evaluateNetworkAcl(snapshot, flow) } as Diagnosis['cloud'],
    };
    const { runChecks } = await import('../src/core/diagnosis/checks');
    const { renderCloudFixes } = await import('../src/core/backend/compose');
    const hwd: Diagnosis = { ...d0, checks: runChecks({ target: d0.target, probes: d0.probes, cloud: d0.cloud, server: null, semantics: hw.huaweiProvider.semantics }, undefined, { fixes: renderCloudFixes }) };
    const p = proposed(hwd);
    expect(JSON.stringify(p.actions)).toContain(CLIENT_IP);
    const real = await backend.dispatch('fixes.preview', { diagnosis: hwd, ...p, lang: 'en' });
    expect(real.ok).toBe(true);
    const hv = (real as { value: FixPreview }).value;
    expect(hv.available).toBe(true);
    expect(hv.unavailable).toBeNull();
    expect(hv.changes[0].lines.join('\n')).toContain(`allow TCP 22 from ${CLIENT_IP}/32`);
    expect(hv.permissions).toContain('vpc:securityGroupRules:create');

    // The same diagnosis with the registry's Huawei slot holding a stub provider that has no `apply`.
    const { providers } = await import('../src/core/cloud/registry');
    const { L } = await import('../src/core/i18n');
    const saved = providers.huawei;
    providers.huawei = { ...hw.huaweiProvider, name: L('桩云', 'Stub Cloud'), apply: undefined };
    try {
      const r = await backend.dispatch('fixes.preview', { diagnosis: hwd, ...p, lang: 'en' });
      expect(r.ok).toBe(true);
      const v = (r as { value: FixPreview }).value;
      expect(v.available).toBe(false);
      expect(v.unavailable?.en).toBe('Applying fixes from SG Doctor is not available for Stub Cloud yet: copy the commands above, or make the change in the console.');
      expect(v.changes.map((c) => c.api)).toEqual((p.actions as { api: string }[]).map((a) => a.api));
      const a = await backend.dispatch('fixes.apply', { diagnosis: hwd, plan, ...p, cloud, lang: 'zh-CN', confirm: true });
      expect((a as { code: string }).code).toBe('NOT_SUPPORTED');
      expect((a as { message: string }).message).toContain('还不能从 SG Doctor 直接执行修复');
    } finally {
      providers.huawei = saved;
    }
    expect(fake.calls).toEqual([]);
  });
});

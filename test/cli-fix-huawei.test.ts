// `sg-doctor fix` on a Huawei Cloud diagnosis: the same dry run, --apply (--yes, --fix N), the record in the
// session and --undo as on Alibaba Cloud, through the provider port — the real CLI and the real Huawei SDK
// against the loopback fake Huawei API (signature-verified; no traffic leaves the machine).
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSession, saveSession } from '../src/core/session';
import type { CloudAction } from '../src/core/cloud/provider';
import type { Check } from '../src/core/diagnosis/types';
import { ACL_ID, firewall, PROJECT_ID, REGION, scenario, SG_WEB } from './fake-huawei/scenarios';
import { FAKE_AK, FAKE_SK, startFakeHuawei, WRITE_OPERATIONS, type FakeHuawei } from './fake-huawei/server';
import { sampleDiagnosis, sampleSnapshot } from './support/diagnosis-fixture';

let fake: FakeHuawei;
const dir = mkdtempSync(join(tmpdir(), 'sgd-cli-fix-hw-'));
const home = mkdtempSync(join(tmpdir(), 'sgd-cli-fix-hw-home-'));

const run = (args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> =>
  new Promise((resolve) => {
    execFile(
      process.execPath,
      ['node_modules/tsx/dist/cli.mjs', 'src/cli/index.ts', ...args],
      {
        timeout: 60_000,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: home,
          NO_COLOR: '1',
          SGD_CONFIG: '',
          SGD_EGRESS_IP_URLS: '',
          SGD_CONTROL_HOSTS: '',
          SGD_DNS_SERVERS: '',
          ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true',
          SGD_HUAWEI_ENDPOINT: fake.url,
          HUAWEICLOUD_SDK_AK: FAKE_AK,
          HUAWEICLOUD_SDK_SK: FAKE_SK,
          HUAWEICLOUD_SDK_PROJECT_ID: PROJECT_ID,
          HUAWEICLOUD_SDK_REGION: REGION,
          ...env,
        },
      },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });

const MY_IP = '203.0.113.7/32';
const aclInsert: CloudAction = {
  api: 'AddFirewallRules',
  params: { firewall_id: ACL_ID, firewall: { ingress_rules: [{ name: 'sg-doctor', action: 'allow', protocol: 'tcp', ip_version: 4, source_ip_address: MY_IP, destination_port: '22', enabled: true }] } },
};
const allowSsh: CloudAction = {
  api: 'CreateSecurityGroupRule',
  params: { security_group_rule: { security_group_id: SG_WEB, direction: 'ingress', ethertype: 'IPv4', protocol: 'tcp', multiport: '22', remote_ip_prefix: MY_IP, action: 'allow', priority: 1, description: 'sg-doctor' } },
};

/** A saved Huawei diagnosis: one failing check with two fixes (the ACL insert, then the group rule). */
async function writeSession(file: string, accountId = PROJECT_ID): Promise<void> {
  const snapshot = { ...sampleSnapshot(), provider: 'huawei', region: REGION, account: { accountId, credentialSource: 'environment variables HUAWEICLOUD_SDK_AK / HUAWEICLOUD_SDK_SK' } };
  const d = sampleDiagnosis();
  const fix = (title: string, actions: CloudAction[]) => ({ kind: 'hcloud-cli', title: { 'zh-CN': title, en: title }, actions, simulated: { decision: 'allow' } }) as Check['fixes'][number];
  const check: Check = {
    id: 'sg.inbound-rule',
    layer: 'network',
    status: 'fail',
    title: { 'zh-CN': '安全组入方向规则', en: 'Inbound security group rule' },
    finding: { 'zh-CN': '没有放行 22 端口的规则', en: 'No rule admits port 22' },
    explanation: { 'zh-CN': '', en: '' },
    evidence: [],
    fixes: [fix('Insert the network ACL allow rule', [aclInsert]), fix('Add the allow rule with KooCLI', [allowSsh])],
    condition: 'no-rule',
  };
  const diagnosis = { ...d, cloud: { ...d.cloud, snapshot }, checks: [check, ...d.checks] };
  const r = await saveSession(file, createSession(diagnosis as never, { host: '203.0.113.10', port: 22 }));
  if (!r.ok) throw new Error(r.message);
}

const sessionJson = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as { applied?: Record<string, unknown>[]; pendingApply?: unknown };
const writes = () => fake.calls.filter((c) => (WRITE_OPERATIONS as string[]).includes(c.op)).map((c) => c.op);
const rules = () => fake.options.state.securityGroups.find((g) => g.id === SG_WEB)!.security_group_rules ?? [];

beforeAll(async () => {
  fake = await startFakeHuawei({ state: scenario('rule-missing') });
});
afterAll(async () => {
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
  rmSync(home, { recursive: true, force: true });
});
beforeEach(() => {
  const st = scenario('rule-missing');
  st.firewalls = [firewall()];
  fake.options.state = st;
  fake.setFaults([]);
  fake.calls.length = 0;
});

describe('sg-doctor fix on a Huawei Cloud diagnosis', { timeout: 120_000 }, () => {
  it('dry run: both fixes as Huawei diff lines; nothing sent', async () => {
    const file = join(dir, 'dry.sgdiag');
    await writeSession(file);
    const r = await run(['fix', file, '--lang', 'en']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`account ${PROJECT_ID} · region ${REGION}`);
    expect(r.stdout).toContain(`[2] Add the allow rule with KooCLI`);
    expect(r.stdout).toContain(`+ allow TCP 22 from ${MY_IP} priority 1 (ingress)`);
    expect(r.stdout).toContain(`+ allow TCP 22 from ${MY_IP} — inserted first`);
    expect(fake.calls).toEqual([]);
  });

  it('--apply --fix 2 --yes creates the rule and records it; --undo --yes removes exactly it', async () => {
    const file = join(dir, 'apply.sgdiag');
    await writeSession(file);
    const before = structuredClone(rules());
    const a = await run(['fix', file, '--apply', '--yes', '--fix', '2', '--lang', 'en']);
    expect(a.stderr).toBe('');
    expect(a.code).toBe(0);
    expect(a.stdout).toContain(`About to apply fix [2]: Add the allow rule with KooCLI`);
    expect(a.stdout).toMatch(/✓ Added rule [0-9a-f-]{36} to /);
    expect(writes()).toEqual(['CreateSecurityGroupRule']);
    const s = sessionJson(file);
    expect(s.applied).toHaveLength(1);
    const rec = s.applied![0] as { provider: string; accountId: string; region: string; created: { ruleIds: string[] }; undo: CloudAction[] };
    expect(rec).toMatchObject({ provider: 'huawei', accountId: PROJECT_ID, region: REGION, changed: true });
    const id = rec.created.ruleIds[0];
    expect(rules().map((r) => r.id)).toContain(id);
    expect(rec.undo).toEqual([{ api: 'DeleteSecurityGroupRule', params: { security_group_rule_id: id } }]);
    expect(s.pendingApply).toBeNull();

    fake.calls.length = 0;
    const u = await run(['fix', file, '--undo', '--yes', '--lang', 'en']);
    expect(u.code).toBe(0);
    expect(u.stdout).toContain(`- rule ${id} (allow TCP 22 from ${MY_IP} priority 1 (ingress))`);
    expect(writes()).toEqual(['DeleteSecurityGroupRule']);
    expect(rules()).toEqual(before);
    expect((sessionJson(file).applied![0] as { undoneAt?: string }).undoneAt).toBeTruthy();
    expect(`${a.stdout}${a.stderr}${u.stdout}${u.stderr}`).not.toContain(FAKE_SK);
  });

  it('--apply (fix 1, the ACL insert) and --undo through the port', async () => {
    const file = join(dir, 'acl.sgdiag');
    await writeSession(file);
    const a = await run(['fix', file, '--apply', '--yes', '--lang', 'en']);
    expect(a.code).toBe(0);
    expect(fake.options.state.firewalls[0].ingress_rules!.length).toBe(2);
    expect(writes()).toEqual(['AddFirewallRules']);
    const u = await run(['fix', file, '--undo', '--yes', '--lang', 'en']);
    expect(u.code).toBe(0);
    expect(writes()).toEqual(['AddFirewallRules', 'RemoveFirewallRules']);
    expect(fake.options.state.firewalls[0].ingress_rules!.map((r) => r.id)).toEqual(['acl-in-1']);
  });

  it('a denied write exits 1 naming the IAM action; nothing recorded as applied; no terminal and no --yes is refused', async () => {
    const file = join(dir, 'denied.sgdiag');
    await writeSession(file);
    fake.setFaults([{ op: 'CreateSecurityGroupRule', kind: 'forbidden' }]);
    const r = await run(['fix', file, '--apply', '--yes', '--fix', '2', '--lang', 'en']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Grant vpc:securityGroupRules:create (sg-doctor cloud policy --provider huawei --write prints the write policy)');
    expect(sessionJson(file).applied ?? []).toEqual([]);
    fake.calls.length = 0;
    const noTty = await run(['fix', file, '--apply', '--fix', '2', '--lang', 'en']);
    expect(noTty.code).toBe(2);
    expect(noTty.stderr).toContain('no terminal to confirm on');
    expect(fake.calls).toEqual([]);
  });

  it('credentials of another project than the diagnosis read: refused (exit 2) before any write', async () => {
    const file = join(dir, 'other.sgdiag');
    await writeSession(file, '2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e');
    const r = await run(['fix', file, '--apply', '--yes', '--fix', '2', '--lang', 'en']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('but the diagnosis read project 2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e');
    expect(writes()).toEqual([]);
  });
});

// `sg-doctor fix <session>`: dry run, guarded --apply (confirmation, --yes), the record in the session file,
// --undo, a denied write, a read-only session, a refused action list — the real CLI and the real SDK against
// the loopback fake API (no traffic leaves the machine).
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSession, saveSession } from '../src/core/session';
import type { CloudAction } from '../src/core/cloud/provider';
import type { Check } from '../src/core/diagnosis/types';
import { buildScenario, startFakeAliyun, TEST_ACCESS_KEY, type FakeAliyun } from './fake-api';
import type { ApiObject } from './fake-api/scenarios';
import { sampleDiagnosis, sampleSnapshot } from './support/diagnosis-fixture';

const REGION = 'cn-hangzhou';
const WEB = 'sg-bp1web0000000000001';
let fake: FakeAliyun;
const dir = mkdtempSync(join(tmpdir(), 'sgd-cli-fix-'));
const home = mkdtempSync(join(tmpdir(), 'sgd-cli-fix-home-'));

const baseEnv = (): Record<string, string> => ({
  PATH: process.env.PATH ?? '',
  HOME: home,
  NO_COLOR: '1',
  SGD_CONFIG: '',
  SGD_ECS_ENDPOINT: fake.endpoint,
  SGD_VPC_ENDPOINT: fake.endpoint,
  SGD_STS_ENDPOINT: fake.endpoint,
  SGD_EGRESS_IP_URLS: '',
  SGD_CONTROL_HOSTS: '',
  SGD_DNS_SERVERS: '',
  ALIBABA_CLOUD_ACCESS_KEY_ID: TEST_ACCESS_KEY.accessKeyId,
  ALIBABA_CLOUD_ACCESS_KEY_SECRET: TEST_ACCESS_KEY.accessKeySecret,
  ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true',
});

const run = (args: string[], env: Record<string, string> = {}, preload: string[] = []): Promise<{ code: number; stdout: string; stderr: string }> =>
  new Promise((resolve) => {
    execFile(
      process.execPath,
      ['node_modules/tsx/dist/cli.mjs', ...preload.flatMap((p) => ['--import', p]), 'src/cli/index.ts', ...args],
      {
        timeout: 60_000,
        env: {
          ...baseEnv(),
          ...env,
        },
      },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });

const allow: CloudAction = {
  api: 'AuthorizeSecurityGroup',
  params: { RegionId: REGION, SecurityGroupId: WEB, IpProtocol: 'tcp', PortRange: '22/22', SourceCidrIp: '203.0.113.7/32', Policy: 'accept', Priority: 1, Description: 'added by SG Doctor' },
};

/** A saved diagnosis whose failing check carries a cloud fix with hand-built actions. */
async function writeSession(file: string, actions: CloudAction[], extra: Record<string, unknown> = {}, accountId = '1234567890123456'): Promise<void> {
  const snapshot = { ...sampleSnapshot(), region: REGION, account: { accountId, credentialSource: 'environment' } };
  const d = sampleDiagnosis();
  const check: Check = {
    id: 'sg.inbound-rule',
    layer: 'network',
    status: 'fail',
    title: { 'zh-CN': '安全组入方向规则', en: 'Inbound security group rule' },
    finding: { 'zh-CN': '没有放行 22 端口的规则', en: 'No rule admits port 22' },
    explanation: { 'zh-CN': '', en: '' },
    evidence: [],
    fixes: [{ kind: 'aliyun-cli', title: { 'zh-CN': '添加入方向规则：TCP 22/22 来自 203.0.113.7/32', en: 'Add an inbound rule: TCP 22/22 from 203.0.113.7/32' }, actions, simulated: { decision: 'allow' } } as Check['fixes'][number]],
    condition: 'no-rule',
  };
  const diagnosis = { ...d, cloud: { ...d.cloud, snapshot }, checks: [check, ...d.checks] };
  const r = await saveSession(file, { ...createSession(diagnosis, { host: '47.96.10.20', port: 22 }), ...extra });
  if (!r.ok) throw new Error(r.message);
}

const rulesOf = (groupId: string): ApiObject[] => fake.scenario().securityGroups.find((g) => g.SecurityGroupId === groupId)!.Permissions as ApiObject[];
const sessionJson = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as { applied?: Record<string, unknown>[]; pendingApply?: { tokens: string[] } | null };
const writes = () => fake.calls.filter((c) => !c.action.startsWith('Describe') && c.action !== 'GetCallerIdentity').map((c) => c.action);

beforeAll(async () => {
  fake = await startFakeAliyun({ scenario: buildScenario({ variant: 'rule-missing' }), ...TEST_ACCESS_KEY });
});
afterAll(async () => {
  await fake.stop();
  rmSync(dir, { recursive: true, force: true });
  rmSync(home, { recursive: true, force: true });
});
beforeEach(() => {
  fake.setScenario(buildScenario({ variant: 'rule-missing' }));
  fake.setFaults([]);
  fake.calls.length = 0;
});

describe('sg-doctor fix', { timeout: 120_000 }, () => {
  it('without --apply: a dry run listing the fix and its actions as a diff; nothing is sent', async () => {
    const file = join(dir, 'dry.sgdiag');
    await writeSession(file, [allow]);
    const en = await run(['fix', file, '--lang', 'en']);
    expect(en.code).toBe(0);
    expect(en.stdout).toContain('[1] Add an inbound rule: TCP 22/22 from 203.0.113.7/32');
    expect(en.stdout).toContain('account 1234567890123456 · region cn-hangzhou');
    expect(en.stdout).toContain('+ accept TCP 22/22 from 203.0.113.7/32 priority 1');
    const zh = await run(['fix', file, '--lang', 'zh-CN']);
    expect(zh.stdout).toContain('这只是预览，没有发送任何请求');
    const json = await run(['fix', file, '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ region: REGION, fixes: [{ n: 1, checkId: 'sg.inbound-rule', actions: [allow], simulated: { decision: 'allow' } }] });
    expect(fake.calls).toEqual([]);
  });

  it('--apply with no terminal and no --yes is refused (exit 2), nothing sent, file unchanged', async () => {
    const file = join(dir, 'notty.sgdiag');
    await writeSession(file, [allow]);
    const before = readFileSync(file, 'utf8');
    const r = await run(['fix', file, '--apply', '--lang', 'en']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no terminal to confirm on');
    expect(r.stderr).toContain('--yes');
    expect(r.stdout).toContain('+ accept TCP 22/22 from 203.0.113.7/32'); // the change was shown first
    expect(fake.calls).toEqual([]);
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it('--apply --yes adds the rule and records it with its undo; --undo removes exactly that rule', async () => {
    const file = join(dir, 'apply.sgdiag');
    await writeSession(file, [allow]);
    const ids = rulesOf(WEB).map((r) => r.SecurityGroupRuleId);
    const a = await run(['fix', file, '--apply', '--yes', '--lang', 'en']);
    expect(a.stderr).toBe('');
    expect(a.code).toBe(0);
    const added = rulesOf(WEB).filter((r) => !ids.includes(r.SecurityGroupRuleId));
    expect(added).toHaveLength(1);
    expect(a.stdout).toContain(`Added 1 rule(s) to ${WEB} (${added[0].SecurityGroupRuleId as string})`);
    const doc = sessionJson(file);
    expect(doc.pendingApply).toBeNull();
    expect(doc.applied).toHaveLength(1);
    expect(doc.applied![0]).toMatchObject({
      api: 'AuthorizeSecurityGroup',
      region: REGION,
      accountId: '1234567890123456',
      changed: true,
      fix: { checkId: 'sg.inbound-rule' },
      created: { securityGroupId: WEB, ruleIds: [added[0].SecurityGroupRuleId] },
      undo: [{ api: 'RevokeSecurityGroup', params: { 'SecurityGroupRuleId.1': added[0].SecurityGroupRuleId } }],
    });
    expect(doc.applied![0].requestId).toMatch(/^[0-9A-F-]{36}$/);
    expect(fake.calls.find((c) => c.action === 'AuthorizeSecurityGroup')!.params.ClientToken).toBe(doc.applied![0].clientToken);

    // Applying it again: already there, success with no change.
    const again = await run(['fix', file, '--apply', '--yes', '--lang', 'en']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('already in');
    expect(rulesOf(WEB).filter((r) => !ids.includes(r.SecurityGroupRuleId))).toHaveLength(1);

    const u = await run(['fix', file, '--undo', '--yes', '--lang', 'en']);
    expect(u.code).toBe(0);
    expect(u.stdout).toContain(`- rule ${added[0].SecurityGroupRuleId as string} (accept TCP 22/22 from 203.0.113.7/32 priority 1)`);
    expect(rulesOf(WEB).map((r) => r.SecurityGroupRuleId)).toEqual(ids);
    const after = sessionJson(file);
    expect(after.applied![0].undoneAt).toEqual(expect.any(String));
    const nothing = await run(['fix', file, '--undo', '--yes', '--lang', 'en']);
    expect(nothing.code).toBe(0);
    expect(nothing.stdout).toContain('no applied change to undo');
  });

  it('a write denied by policy: exit 1, names the RAM action to grant, nothing changed, the tokens kept for a retry', async () => {
    const file = join(dir, 'denied.sgdiag');
    await writeSession(file, [allow]);
    fake.setFaults([{ action: 'AuthorizeSecurityGroup', kind: 'forbidden' }]);
    const n = rulesOf(WEB).length;
    const r = await run(['fix', file, '--apply', '--yes', '--lang', 'en']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Grant ecs:AuthorizeSecurityGroup');
    expect(r.stderr).toContain('sg-doctor cloud policy --write');
    expect(rulesOf(WEB).length).toBe(n);
    const doc = sessionJson(file);
    expect(doc.applied ?? []).toEqual([]);
    const token = doc.pendingApply!.tokens[0];
    expect(fake.calls.find((c) => c.action === 'AuthorizeSecurityGroup')!.params.ClientToken).toBe(token);
    // Granted now: the retry reuses the same ClientToken.
    fake.setFaults([]);
    fake.calls.length = 0;
    const retry = await run(['fix', file, '--apply', '--yes', '--lang', 'zh-CN']);
    expect(retry.code).toBe(0);
    expect(retry.stdout).toContain('已在 sg-bp1web0000000000001 添加 1 条规则');
    expect(fake.calls.find((c) => c.action === 'AuthorizeSecurityGroup')!.params.ClientToken).toBe(token);
  });

  it('never applies from a read-only (newer) session, and refuses an action that is not a fix (exit 2, nothing sent)', async () => {
    const newer = join(dir, 'newer.sgdiag');
    await writeSession(newer, [allow]);
    const doc = JSON.parse(readFileSync(newer, 'utf8')) as Record<string, unknown>;
    writeFileSync(newer, JSON.stringify({ ...doc, schemaVersion: 99 }));
    const r = await run(['fix', newer, '--apply', '--yes', '--lang', 'en']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('read-only');

    const evil = join(dir, 'evil.sgdiag');
    await writeSession(evil, [{ api: 'DeleteInstance', params: { RegionId: REGION, InstanceId: 'i-bp1sgdoctor00000001', Force: true } }]);
    const e = await run(['fix', evil, '--apply', '--yes', '--lang', 'en']);
    expect(e.code).toBe(2);
    expect(e.stderr).toContain('DeleteInstance is not one of the fix actions');
    expect(writes()).toEqual([]);
    expect(fake.calls).toEqual([]);
  });

  it('on a terminal it asks [y/N]: "n" changes nothing, "y" applies', async () => {
    const file = join(dir, 'tty.sgdiag');
    await writeSession(file, [allow]);
    const n = rulesOf(WEB).length;
    // `script` gives the CLI a pseudo-terminal; the answer is typed ahead on it.
    const onTty = (answer: string) =>
      new Promise<{ code: number; out: string }>((resolve) => {
        const cmd = [process.execPath, 'node_modules/tsx/dist/cli.mjs', 'src/cli/index.ts', 'fix', file, '--apply', '--lang', 'en'].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
        const child = execFile('script', ['-qec', cmd, '/dev/null'], { timeout: 60_000, env: { ...baseEnv(), TERM: 'dumb' } }, (err, stdout) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout }));
        child.stdin!.end(`${answer}\n`);
      });
    const no = await onTty('n');
    expect(no.out).toContain('Make these changes? [y/N]');
    expect(no.out).toContain('Nothing was changed.');
    expect(no.code).toBe(0);
    expect(rulesOf(WEB).length).toBe(n);
    expect(writes()).toEqual([]);
    const yes = await onTty('y');
    expect(yes.code).toBe(0);
    expect(yes.out).toContain(`Added 1 rule(s) to ${WEB}`);
    expect(rulesOf(WEB).length).toBe(n + 1);
  });

  it('credentials of another account than the diagnosis read: refused before any write (exit 2)', async () => {
    const file = join(dir, 'other-account.sgdiag');
    await writeSession(file, [allow], {}, '9999999999999999');
    const r = await run(['fix', file, '--apply', '--yes', '--lang', 'en']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('These credentials belong to account 1234567890123456 but the diagnosis read account 9999999999999999');
    expect(fake.calls.map((c) => c.action)).toEqual(['GetCallerIdentity']);
  });

  it('a cloud whose provider has no apply on the port (a stub provider): the dry run lists the actions, --apply says plainly it is not available (exit 2, nothing sent)', async () => {
    const file = join(dir, 'stub.sgdiag');
    await writeSession(file, [{ api: 'NeutronCreateSecurityGroupRule', params: { security_group_rule: { direction: 'ingress', port_range_min: 22, port_range_max: 22 } } }]);
    writeFileSync(file, readFileSync(file, 'utf8').replace('"provider": "alicloud"', '"provider": "huawei"'));
    const stub = ['./test/support/stub-provider-no-apply.ts'];
    const dry = await run(['fix', file, '--lang', 'en'], {}, stub);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('NeutronCreateSecurityGroupRule');
    const r = await run(['fix', file, '--apply', '--yes', '--lang', 'en'], {}, stub);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('applying fixes is not available for Stub Cloud yet: copy the commands shown above');
    expect(fake.calls).toEqual([]);
  });

  it('the host:port form: refused before any probe without --yes on no terminal, with --undo, or with a diagnosis flag on a file', async () => {
    const noTty = await run(['fix', '127.0.0.1:9', '--apply', '--lang', 'en', '--egress-ip-urls', '', '--control-hosts', '', '--dns-servers', '']);
    expect(noTty.code).toBe(2);
    expect(noTty.stderr).toContain('no terminal to confirm on');
    const undo = await run(['fix', '127.0.0.1:9', '--undo', '--yes', '--lang', 'en']);
    expect(undo.code).toBe(2);
    expect(undo.stderr).toContain('--undo needs the session file');
    const file = join(dir, 'flags.sgdiag');
    await writeSession(file, [allow]);
    const flag = await run(['fix', file, '--instance', 'i-bp1sgdoctor00000001', '--lang', 'en']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain('--instance goes with the host:port form');
    expect(fake.calls).toEqual([]);
  });

  it('usage: --apply with --undo, --fix out of range → exit 2', async () => {
    const file = join(dir, 'usage.sgdiag');
    await writeSession(file, [allow]);
    expect((await run(['fix', file, '--apply', '--undo', '--yes'])).code).toBe(2);
    expect((await run(['fix', file, '--apply', '--yes', '--fix', '7'])).code).toBe(2);
    // A fix whose simulation did not allow the flow is never applied.
    writeFileSync(file, readFileSync(file, 'utf8').replace('"decision": "allow"', '"decision": "deny"'));
    const denied = await run(['fix', file, '--apply', '--yes', '--lang', 'en']);
    expect(denied.code).toBe(2);
    expect(denied.stderr).toContain('did not make the flow allowed when simulated');
    expect(fake.calls).toEqual([]);
  });

  it('cloud policy --write prints the write actions; the default policy stays read-only', async () => {
    const write = JSON.parse((await run(['cloud', 'policy', '--write'])).stdout) as { Statement: { Action: string[] }[] };
    const read = JSON.parse((await run(['cloud', 'policy'])).stdout) as { Statement: { Action: string[] }[] };
    expect(write.Statement[0].Action).toContain('ecs:AuthorizeSecurityGroup');
    expect(write.Statement[0].Action).toContain('vpc:UpdateNetworkAclEntries');
    expect(read.Statement[0].Action.filter((a) => /Authorize|Revoke|Update|Join|Leave|Start|Modify/.test(a))).toEqual([]);
  });
});

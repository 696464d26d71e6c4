import { describe, expect, it } from 'vitest';
import { runChecks } from '../../diagnosis/checks';
import { cloudFixList, intentFix, renderIntents } from '../../diagnosis/fixes';
import type { Fix } from '../../diagnosis/types';
import { CLIENT_IP, group, snapshot, sshFlow } from '../../rules/fixtures';
import type { CloudAction, FixIntent } from '../provider';
import { alibabaFixes, cliCommand, renderFix, terraformText } from './fixes';
import { applyActions, proveFix } from './fixes-simulate';

const allow = (over: Partial<Extract<FixIntent, { kind: 'allow-flow' }>> = {}): FixIntent => ({ kind: 'allow-flow', groupId: 'sg-web', direction: 'ingress', protocol: 'tcp', port: 22, cidr: `${CLIENT_IP}/32`, ...over });
const cli = (fixes: Fix[]): Fix | undefined => fixes.find((f) => f.kind === 'aliyun-cli' && f.actions?.length);
const authorize = (perm: Record<string, unknown>, groupId = 'sg-web'): CloudAction => ({
  api: 'AuthorizeSecurityGroup',
  params: { RegionId: 'cn-hangzhou', SecurityGroupId: groupId, Permissions: [{ IpProtocol: 'TCP', PortRange: '22/22', SourceCidrIp: `${CLIENT_IP}/32`, Policy: 'accept', Priority: '1', ...perm }] },
});

describe('(b) a higher-priority drop: the proposed fix beats it', () => {
  it('drop at priority 5 → an accept at priority 4 for the client /32 only, simulated allow', () => {
    const snap = snapshot({ groups: [group('sg-web', [{ id: 'office', cidr: '198.51.100.0/24', priority: 10 }, { id: 'drop-5', cidr: '0.0.0.0/0', policy: 'drop', priority: 5 }])] });
    const fixes = alibabaFixes(allow({ beatPriority: 5 }), { snapshot: snap, flow: sshFlow() });
    const c = cli(fixes)!;
    expect(c.actions).toEqual([authorize({ Priority: '4', Description: 'added by SG Doctor' })]);
    expect(c.simulated).toEqual({ decision: 'allow' });
    expect(c.command).toContain('--Permissions.1.Priority 4');
    // Every rendering carries the same actions and proof.
    for (const f of fixes.filter((x) => x.actions)) expect([f.actions, f.simulated]).toEqual([c.actions, c.simulated]);
  });

  it('the priority follows the deciding drop even when the check did not say (another check’s allow intent)', () => {
    const snap = snapshot({ groups: [group('sg-web', [{ id: 'drop-9', cidr: '203.0.113.0/24', policy: 'drop', priority: 9 }])] });
    expect(cli(alibabaFixes(allow(), { snapshot: snap, flow: sshFlow() }))!.command).toContain('--Permissions.1.Priority 8');
  });

  it('drop at priority 1 that serves nothing else → revoke it (simulated allow)', () => {
    const snap = snapshot({ groups: [group('sg-web', [{ id: 'mine', cidr: `${CLIENT_IP}/32`, priority: 10 }, { id: 'drop-1', cidr: '0.0.0.0/0', policy: 'drop', priority: 1 }])] });
    const fixes = alibabaFixes({ kind: 'revoke-rule', groupId: 'sg-web', ruleId: 'drop-1', direction: 'ingress' }, { snapshot: snap, flow: sshFlow() });
    expect(cli(fixes)!.command).toBe('aliyun ecs RevokeSecurityGroup --RegionId cn-hangzhou --SecurityGroupId sg-web --SecurityGroupRuleId.1 drop-1');
    expect(cli(fixes)!.simulated?.decision).toBe('allow');
    // A new accept cannot outrank a priority-1 drop: said in words, no command.
    const add = alibabaFixes(allow(), { snapshot: snap, flow: sshFlow() });
    expect(add.every((f) => !f.actions?.length)).toBe(true);
    expect(add[0].title.en).toMatch(/already has priority 1 and drop wins ties/);
  });

  it('drop at priority 1 that also blocks others → revoke withheld (it says what else it would open), the drop moves down one instead', () => {
    const snap = snapshot({ groups: [group('sg-web', [{ id: 'mine', cidr: `${CLIENT_IP}/32`, priority: 10 }, { id: 'office', cidr: '198.51.100.0/24', priority: 50 }, { id: 'drop-1', cidr: '0.0.0.0/0', policy: 'drop', priority: 1 }])] });
    const fixes = alibabaFixes({ kind: 'revoke-rule', groupId: 'sg-web', ruleId: 'drop-1', direction: 'ingress' }, { snapshot: snap, flow: sshFlow() });
    const offered = cli(fixes)!;
    expect(offered.actions!.map((a) => a.api)).toEqual(['ModifySecurityGroupRule', 'AuthorizeSecurityGroup']);
    expect(offered.actions![0].params).toMatchObject({ SecurityGroupRuleId: 'drop-1', Priority: '2' });
    expect(offered.simulated?.decision).toBe('allow');
    const note = fixes.find((f) => f.kind === 'info')!;
    expect(note.title.en).toMatch(/Not offered: “Delete rule drop-1”: it would also admit other connections, e\.g\. TCP 198\.51\.100\.\d+ → /);
    expect(note.title['zh-CN']).toMatch(/没有提供“删除规则 drop-1”：它还会放行其他连接/);
  });
});

describe('(c) a fix that opens more than the flow is rejected', () => {
  const snap = snapshot({ groups: [group('sg-web', [{ ports: '80/80' }])] });
  const flow = sshFlow();
  it.each([
    ['0.0.0.0/0', { SourceCidrIp: '0.0.0.0/0' }, /source 0\.0\.0\.0\/0/],
    ['the client’s /24', { SourceCidrIp: '203.0.113.0/24' }, /source 203\.0\.113\.0\/24/],
    ['a port range', { PortRange: '20/30' }, /ports 20\/30/],
    ['all ports', { PortRange: '-1/-1' }, /ports -1\/-1/],
    ['protocol ALL', { IpProtocol: 'ALL', PortRange: '-1/-1' }, /protocol ALL/],
  ])('%s', (_, perm, why) => {
    const p = proveFix(snap, flow, [authorize(perm)]);
    expect(p.decision).toBe('allow'); // it does let the flow in…
    expect(p.rejected?.en).toMatch(why); // …but it is withheld
  });

  it('revoking a drop that shadows a world-open accept is rejected with a witness flow', () => {
    const s = snapshot({ groups: [group('sg-web', [{ id: 'world', cidr: '0.0.0.0/0', priority: 1 }, { id: 'drop', cidr: '0.0.0.0/0', policy: 'drop', priority: 1 }])] });
    const p = proveFix(s, flow, [{ api: 'RevokeSecurityGroup', params: { RegionId: 'cn-hangzhou', SecurityGroupId: 'sg-web', SecurityGroupRuleId: ['drop'] } }]);
    expect(p.decision).toBe('allow');
    expect(p.witness?.sourceIp).not.toBe(CLIENT_IP);
  });

  it('an ACL update that drops or reorders existing entries is rejected (the call replaces the whole list)', () => {
    const s = snapshot({ groups: [group('sg-web', [{}])], acl: { ingress: [{ id: 'deny-all', protocol: 'all', portRange: { from: -1, to: -1 }, policy: 'drop' }], egress: [{ protocol: 'tcp', portRange: { from: 1024, to: 65535 } }] } });
    const acl = s.networkAcls[0].id;
    const newEntry = { NetworkAclEntryName: 'x', Policy: 'accept', Protocol: 'tcp', Port: '22/22', SourceCidrIp: `${CLIENT_IP}/32` };
    const dropped = proveFix(s, flow, [{ api: 'UpdateNetworkAclEntries', params: { RegionId: 'cn-hangzhou', NetworkAclId: acl, UpdateIngressAclEntries: true, IngressAclEntries: [newEntry] } }]);
    expect(dropped.decision).toBe('allow');
    expect(dropped.rejected?.en).toMatch(/change or drop existing entries/);
    const kept = proveFix(s, flow, [{ api: 'UpdateNetworkAclEntries', params: { RegionId: 'cn-hangzhou', NetworkAclId: acl, UpdateIngressAclEntries: true, IngressAclEntries: [newEntry, { NetworkAclEntryId: 'deny-all', Policy: 'drop', Protocol: 'all', Port: '-1/-1', SourceCidrIp: '0.0.0.0/0' }] } }]);
    expect(kept).toEqual({ decision: 'allow' });
  });

  it('a fix whose simulation does not allow is not offered: it becomes a note', () => {
    // The check names a drop at priority 6 (stale), the drop that decides is at 3: the renderer outranks the real one.
    const s = snapshot({ groups: [group('sg-web', [{ id: 'd3', cidr: '0.0.0.0/0', policy: 'drop', priority: 3 }])] });
    expect(cli(alibabaFixes(allow({ beatPriority: 6 }), { snapshot: s, flow }))!.command).toContain('Priority 2');
    // An action on a group that is not on the interface cannot admit the flow: withheld with a note.
    const other = snapshot({ groups: [group('sg-web', [{ ports: '80/80' }]), group('sg-other', [])], primaryGroups: ['sg-web'] });
    const fixes = alibabaFixes(allow({ groupId: 'sg-other' }), { snapshot: other, flow });
    expect(fixes.some((f) => f.actions?.length)).toBe(false);
    expect(fixes[0].title.en).toMatch(/^Not offered: “Add an inbound rule: TCP 22\/22 from 203\.0\.113\.7\/32”: after the change, the security groups would still not admit TCP 203\.0\.113\.7 → /);
  });
});

describe('(d) the renderings are derived from the actions', () => {
  const a = authorize({ Description: 'added by SG Doctor' });
  it('the CLI and Terraform texts follow each action parameter', () => {
    const base = renderFix([a], 'cn-hangzhou', { intent: allow(), simulated: { decision: 'allow' }, executable: true });
    const cmd = base.find((f) => f.kind === 'aliyun-cli')!.command!;
    const tf = base.find((f) => f.kind === 'terraform')!.command!;
    expect(cmd).toBe(cliCommand(a, 'cn-hangzhou'));
    expect(tf).toBe(terraformText([a]));
    const changes: [string, unknown, RegExp, RegExp][] = [
      ['PortRange', '2222/2222', /--Permissions\.1\.PortRange 2222\/2222/, /port_range += "2222\/2222"/],
      ['SourceCidrIp', '198.51.100.7/32', /--Permissions\.1\.SourceCidrIp 198\.51\.100\.7\/32/, /cidr_ip += "198\.51\.100\.7\/32"/],
      ['Priority', '7', /--Permissions\.1\.Priority 7/, /priority += 7/],
      ['IpProtocol', 'UDP', /--Permissions\.1\.IpProtocol UDP/, /ip_protocol += "udp"/],
    ];
    for (const [k, v, inCli, inTf] of changes) {
      const changed: CloudAction = { ...a, params: { ...a.params, Permissions: [{ ...(a.params.Permissions as Record<string, unknown>[])[0], [k]: v }] } };
      const r = renderFix([changed], 'cn-hangzhou', { intent: allow(), simulated: { decision: 'allow' }, executable: true });
      const c = r.find((f) => f.kind === 'aliyun-cli')!;
      expect(c.command, k).toMatch(inCli);
      expect(c.command).not.toBe(cmd);
      expect(r.find((f) => f.kind === 'terraform')!.command, k).toMatch(inTf);
      expect(c.title.en).toContain(String(v).split('/')[0]);
    }
    // The group id feeds the command, the Terraform and the console link.
    const g = renderFix([{ ...a, params: { ...a.params, SecurityGroupId: 'sg-other' } }], 'cn-hangzhou', { intent: allow(), simulated: { decision: 'allow' }, executable: true });
    expect(g.find((f) => f.kind === 'aliyun-cli')!.command).toContain('--SecurityGroupId sg-other');
    expect(g.find((f) => f.kind === 'terraform')!.command).toContain('security_group_id = "sg-other"');
    expect(g.find((f) => f.kind === 'console')!.url).toBe('https://ecs.console.aliyun.com/securityGroupDetail/region/cn-hangzhou/groupId/sg-other/detail/intranetIngress');
  });

  it('parameters follow the SDK request models: RegionId only where the API has it, lists as .N', () => {
    expect(cliCommand({ api: 'StartInstance', params: { InstanceId: 'i-1' } }, 'cn-beijing')).toBe('aliyun ecs StartInstance --RegionId cn-beijing --InstanceId i-1');
    expect(cliCommand({ api: 'RevokeSecurityGroup', params: { RegionId: 'r', SecurityGroupId: 'sg-1', SecurityGroupRuleId: ['a', 'b'] } }, 'r')).toBe('aliyun ecs RevokeSecurityGroup --RegionId r --SecurityGroupId sg-1 --SecurityGroupRuleId.1 a --SecurityGroupRuleId.2 b');
    expect(cliCommand({ api: 'ModifyEipAddressAttribute', params: { RegionId: 'r', AllocationId: 'eip-1', Bandwidth: '5' } }, 'r')).toBe('aliyun vpc ModifyEipAddressAttribute --RegionId r --AllocationId eip-1 --Bandwidth 5');
  });
});

describe('placeholders, plain words and the JSON list', () => {
  it('client IP unknown → the fix has no actions and simulated unknown, the renderings show the placeholder', () => {
    const snap = snapshot({ groups: [group('sg-web', [])] });
    const fixes = alibabaFixes(allow({ cidr: null }), { snapshot: snap, flow: { ...sshFlow(), sourceIp: '' } });
    const c = fixes.find((f) => f.kind === 'aliyun-cli')!;
    expect(c.actions).toEqual([]);
    expect(c.simulated).toEqual({ decision: 'unknown' });
    expect(c.command).toContain("--Permissions.1.SourceCidrIp '<your-public-ip>/32'");
  });

  it('without a renderer an intent stays a plain-words fix (no command); with one it becomes proven fixes', () => {
    const snap = snapshot({ groups: [group('sg-web', [{ ports: '80/80' }])] });
    const plain = renderIntents([intentFix(allow())], { snapshot: snap, flow: sshFlow() });
    expect(plain).toHaveLength(1);
    expect(plain[0]).toMatchObject({ kind: 'info', intent: allow() });
    expect(plain[0].command).toBeUndefined();
    expect(plain[0].title.en).toBe('Add an inbound accept rule to security group sg-web: TCP port 22 from 203.0.113.7/32');
    expect(plain[0].title['zh-CN']).toBe('在安全组 sg-web 中添加一条入方向放行规则：TCP 端口 22，授权对象 203.0.113.7/32');
    const rendered = renderIntents([intentFix(allow())], { snapshot: snap, flow: sshFlow() }, alibabaFixes);
    expect(rendered.map((f) => f.kind)).toEqual(['console', 'aliyun-cli', 'terraform']);
  });

  it('cloudFixList merges the renderings of one fix into one entry per failing check', () => {
    const snap = snapshot({ groups: [group('sg-web', [{ ports: '80/80' }])] });
    const flow = sshFlow();
    const checks = runChecks(
      { target: { host: flow.destinationIp, port: 22, protocol: 'tcp' }, probes: null, cloud: { mode: 'snapshot', snapshot: snap, flow, securityGroups: null, networkAcl: null, sourceIpOrigin: 'user' }, server: null },
      undefined,
      { fixes: alibabaFixes },
    );
    expect(checks.find((c) => c.id === 'sg.inbound-rule')?.status).toBe('unknown'); // no evaluation given: nothing to fix
    expect(cloudFixList(checks)).toEqual([]);
  });

  it('applyActions leaves the given snapshot untouched', () => {
    const snap = snapshot({ groups: [group('sg-web', [])] });
    const before = JSON.stringify(snap);
    const after = applyActions(snap, [authorize({})]);
    expect(JSON.stringify(snap)).toBe(before);
    expect(after.securityGroups[0].rules).toHaveLength(1);
    // An identical rule is "already there": success, no second copy.
    expect(applyActions(after, [authorize({})]).securityGroups[0].rules).toHaveLength(1);
  });
});

describe('fixes in a session file (untrusted) are checked in shape', () => {
  it('a fix with well-formed actions passes; a malformed action or decision is refused', async () => {
    const { diagnosisSchema } = await import('../../session/schema');
    const snap = snapshot({ groups: [group('sg-web', [{ ports: '80/80' }])] });
    const flow = sshFlow();
    const d = {
      schemaVersion: 1,
      appVersion: 't',
      createdAt: '2026-12-02T00:00:00Z',
      target: { host: flow.destinationIp, port: 22, protocol: 'tcp' },
      probes: null,
      cloud: { mode: 'snapshot', snapshot: null, flow: null, securityGroups: null, networkAcl: null },
      server: null,
      checks: [{ id: 'sg.inbound-rule', layer: 'network', status: 'fail', title: { en: 'x', 'zh-CN': 'x' }, finding: { en: 'x', 'zh-CN': 'x' }, explanation: { en: 'x', 'zh-CN': 'x' }, evidence: [], condition: 'no-rule', fixes: alibabaFixes(allow(), { snapshot: snap, flow }) }],
      verdict: { locus: 'network', summary: { en: 'x', 'zh-CN': 'x' }, reasoning: [], blockingCheckIds: [], confidence: 'high', ruleId: 'r' },
      notes: '',
    };
    expect(diagnosisSchema.safeParse(d).success).toBe(true);
    const bad = (mut: (f: Record<string, unknown>) => void) => {
      const copy = JSON.parse(JSON.stringify(d));
      mut(copy.checks[0].fixes[1]);
      return diagnosisSchema.safeParse(copy).success;
    };
    expect(bad((f) => (f.actions = [{ api: 'rm -rf /', params: {} }]))).toBe(false);
    expect(bad((f) => (f.actions = [{ api: 'StartInstance', params: 'x' }]))).toBe(false);
    expect(bad((f) => (f.simulated = { decision: 'yes' }))).toBe(false);
  });
});

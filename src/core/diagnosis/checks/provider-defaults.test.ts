// Two mechanisms the Huawei Cloud lab scenarios (test/scenarios/huawei.lab.test.ts) exposed, checked on the
// provider-neutral facts:
// - a rule admitting every protocol on every port from a security group is intra-group access (Huawei puts
//   one in every new group, its "remote group = itself" default), not an attempt at an internet flow: it is no
//   near miss that explains a deny (sg.source must not fail on it); a group reference that covers the port, or
//   whose membership cannot be told, still is;
// - a server the cloud froze (lock 'frozen', Huawei's EcmResStatus "freeze", most often for arrears) is the
//   overdue-lock finding, offered no "start" fix, and decides the verdict as a stopped instance would.
import { describe, expect, it } from 'vitest';
import { runChecks } from '../checks';
import { view } from '../facts';
import { facts, IDS, miss, report, rule, sgDeny, snapshot, tcp } from '../testing/builders';
import { contradictions } from '../invariants';
import { decideVerdict } from '../verdict';
import { isRelevantMiss } from './sg';

const timeout = () => tcp('filtered', 'no-response');
const groupAll = rule('def-i4', { protocol: 'all', rawProtocol: '', portRange: { from: -1, to: -1 }, rawPortRange: '', peer: { kind: 'group', groupId: IDS.group } });
const groupSsh = rule('sgr-grp-22', { peer: { kind: 'group', groupId: 'sg-bp1other00000001' } });
const groupTcpAll = rule('sgr-grp-tcp', { portRange: { from: 1, to: 65535 }, rawPortRange: '1-65535', peer: { kind: 'group', groupId: 'sg-bp1other00000001' } });
const publicMiss = (id: string) => miss('group-reference', id, 'rule admits a security group, not an address range', { groupId: IDS.group, clientScope: 'public' });

function run(rules: ReturnType<typeof rule>[], misses: ReturnType<typeof miss>[]) {
  const f = facts({ probes: report([timeout()]), snapshot: snapshot({ rules }), sg: sgDeny(misses) });
  const checks = runChecks(f);
  return { f, checks, verdict: decideVerdict(f, checks) };
}

describe('intra-group rules are no near miss for an internet flow', () => {
  it('the default "all from the group itself" rule: the rule is missing, not the source (sg.source passes)', () => {
    const { checks, verdict } = run([groupAll], [publicMiss('def-i4')]);
    expect(verdict.locus).toBe('network');
    expect(verdict.blockingCheckIds[0]).toBe('sg.inbound-rule');
    expect(checks.find((c) => c.id === 'sg.inbound-rule')?.condition).toBe('no-rule');
    expect(checks.find((c) => c.id === 'sg.source')?.status).toBe('pass');
    expect(contradictions(checks, verdict)).toEqual([]);
  });

  it('a group reference for the service port is still the source mistake (sg.source fails)', () => {
    const { checks, verdict } = run([groupSsh], [publicMiss('sgr-grp-22')]);
    expect(verdict.blockingCheckIds).toContain('sg.source');
    expect(checks.find((c) => c.id === 'sg.source')?.condition).toBe('group-reference');
  });

  it('a group reference for all TCP ports (one protocol) is still relevant; all protocols with unknown membership too', () => {
    const v1 = view(facts({ probes: report([timeout()]), snapshot: snapshot({ rules: [groupTcpAll] }), sg: sgDeny([publicMiss('sgr-grp-tcp')]) }));
    expect(isRelevantMiss(v1, publicMiss('sgr-grp-tcp'))).toBe(true);
    const unknown = miss('group-reference', 'def-i4', 'membership unknown', { groupId: IDS.group, membership: 'unknown' });
    const v2 = view(facts({ probes: report([timeout()]), snapshot: snapshot({ rules: [groupAll] }), sg: sgDeny([unknown]) }));
    expect(isRelevantMiss(v2, unknown)).toBe(true);
    expect(isRelevantMiss(v2, publicMiss('def-i4'))).toBe(false);
  });
});

describe('a source the client is not in, named by what the rule admits', () => {
  it('an IP address group / prefix list: its entries and id, never a placeholder', () => {
    const office = rule('sgr-office', { peer: { kind: 'prefix-list', prefixListId: 'ad000000-office', cidrs: ['198.51.100.0/24', '192.0.2.10-192.0.2.20'] } });
    const m = miss('source-excludes-client', 'sgr-office', 'IP address group ad000000-office does not contain 203.0.113.7', { clientIp: IDS.clientIp });
    const { checks, verdict } = run([office], [m]);
    const egress = checks.find((c) => c.id === 'client.egress-ip')!;
    expect(egress.condition).toBe('rule-admits-other-ip');
    expect(egress.finding.en).toContain('admits only 198.51.100.0/24, 192.0.2.10-192.0.2.20 (ad000000-office)');
    expect(egress.finding['zh-CN']).not.toContain('?');
    expect(verdict.locus).toBe('client');
  });
});

describe('a frozen server', () => {
  const frozen = () => {
    const f = facts({ probes: report([timeout()]), snapshot: snapshot({ status: 'Stopped', locks: ['frozen'] }) });
    const checks = runChecks(f);
    return { checks, verdict: decideVerdict(f, checks) };
  };

  it('is the overdue-lock finding (condition frozen), network locus, with no start fix and no security-lock claim', () => {
    const { checks, verdict } = frozen();
    expect(verdict.locus).toBe('network');
    expect(verdict.ruleId).toBe('instance-not-running');
    expect(verdict.blockingCheckIds[0]).toBe('instance.overdue-lock');
    expect(verdict.summary.en).toContain('frozen');
    expect(verdict.summary['zh-CN']).toContain('冻结');
    const overdue = checks.find((c) => c.id === 'instance.overdue-lock')!;
    expect(overdue.condition).toBe('frozen');
    expect(overdue.finding['zh-CN']).toMatch(/冻结.*欠费/);
    const running = checks.find((c) => c.id === 'instance.running')!;
    expect(running.status).toBe('fail');
    expect(running.fixes.some((x) => x.intent?.kind === 'start-instance')).toBe(false);
    expect(checks.find((c) => c.id === 'instance.security-lock')?.status).toBe('pass');
    expect(checks.filter((c) => c.id.startsWith('sg.') && c.status === 'fail')).toEqual([]);
    expect(contradictions(checks, verdict)).toEqual([]);
  });

  it('a plainly stopped server keeps its start fix; an Alibaba financial lock keeps its own wording', () => {
    const f = facts({ probes: report([timeout()]), snapshot: snapshot({ status: 'Stopped' }) });
    expect(runChecks(f).find((c) => c.id === 'instance.running')!.fixes.some((x) => x.intent?.kind === 'start-instance')).toBe(true);
    const g = facts({ probes: report([timeout()]), snapshot: snapshot({ status: 'Stopped', locks: ['financial'] }) });
    const checks = runChecks(g);
    expect(checks.find((c) => c.id === 'instance.overdue-lock')?.condition).toBe('financial-lock');
    expect(decideVerdict(g, checks).summary.en).toBe('The instance is stopped for an overdue payment');
  });
});

import { describe, expect, it } from 'vitest';
import type { Flow } from '../../rules/types';
import { isLegacyFlavour, parsePorts, parseProtocol, spanCoverage } from './fields';
import { evaluateHuaweiSecurityGroups as evaluate, type HuaweiSgOptions } from './securityGroups';
import type { HuaweiEvaluation, HuaweiSecurityGroup, HuaweiSecurityGroupRule } from './types';

const CLIENT = '203.0.113.7';
const SERVER = '10.0.1.20';
const flow = (over: Partial<Flow> = {}): Flow => ({ direction: 'ingress', protocol: 'tcp', sourceIp: CLIENT, destinationIp: SERVER, port: 22, ...over });
let n = 0;
const rule = (over: Partial<HuaweiSecurityGroupRule> = {}): HuaweiSecurityGroupRule => ({ id: `r${++n}`, direction: 'ingress', protocol: 'tcp', ethertype: 'IPv4', multiport: '22', action: 'allow', priority: 1, remote_ip_prefix: '0.0.0.0/0', ...over });
const sg = (id: string, rules: HuaweiSecurityGroupRule[]): HuaweiSecurityGroup => ({ id, security_group_rules: rules });
// A current flavour unless a test says otherwise (deny rules depend on it: see "older flavours").
const MODERN = 's6.small.1';
const evaluateHuaweiSecurityGroups = (g: HuaweiSecurityGroup[], f: Flow, opts: HuaweiSgOptions = {}): HuaweiEvaluation => evaluate(g, f, { flavour: MODERN, ...opts });
const reasons = (e: HuaweiEvaluation): string[] => e.nearMisses.map((m) => m.reason);

describe('fields', () => {
  it('reads multiport lists and ranges, empty = all', () => {
    expect(parsePorts('22')).toEqual([{ from: 22, to: 22 }]);
    expect(parsePorts('80,443')).toEqual([{ from: 80, to: 80 }, { from: 443, to: 443 }]);
    expect(parsePorts('20-30')).toEqual([{ from: 20, to: 30 }]);
    expect(parsePorts('22, 8000-8080')).toEqual([{ from: 22, to: 22 }, { from: 8000, to: 8080 }]);
    expect(parsePorts('20:22')).toEqual([{ from: 20, to: 22 }]);
    expect(parsePorts('')).toBeNull();
    expect(parsePorts(undefined)).toBeNull();
    expect(parsePorts('30-20')).toBe('invalid');
    expect(parsePorts('0')).toBe('invalid');
    expect(parsePorts('70000')).toBe('invalid');
    expect(parsePorts('ssh')).toBe('invalid');
  });
  it('reads protocols: empty and any are all, numbers map to names', () => {
    expect(parseProtocol('')).toBe('all');
    expect(parseProtocol(null)).toBe('all');
    expect(parseProtocol('any')).toBe('all');
    expect(parseProtocol('TCP')).toBe('tcp');
    expect(parseProtocol('6')).toBe('tcp');
    expect(parseProtocol('58')).toBe('icmpv6');
    expect(parseProtocol('132')).toBe('other:132');
  });
  it('covers port spans', () => {
    expect(spanCoverage([{ from: 1, to: 65535 }], { from: 1024, to: 65535 })).toBe('all');
    expect(spanCoverage([{ from: 1024, to: 30000 }, { from: 30001, to: 65535 }], { from: 1024, to: 65535 })).toBe('all');
    expect(spanCoverage([{ from: 32768, to: 65535 }], { from: 1024, to: 65535 })).toBe('some');
    expect(spanCoverage([{ from: 22, to: 22 }], { from: 1024, to: 65535 })).toBe('none');
  });
  it('knows the older flavours by family', () => {
    expect(isLegacyFlavour('s1.medium')).toBe(true);
    expect(isLegacyFlavour('C2.large.2')).toBe(true);
    expect(isLegacyFlavour('et2.xlarge')).toBe(true);
    expect(isLegacyFlavour('s6.small.1')).toBe(false);
    expect(isLegacyFlavour('c2ne.large')).toBe(false);
    expect(isLegacyFlavour('s12.large')).toBe(false);
  });
});

describe('evaluateHuaweiSecurityGroups: one group', () => {
  it('allows SSH from 0.0.0.0/0 and names the rule', () => {
    const r = rule({ id: 'ssh' });
    const e = evaluateHuaweiSecurityGroups([sg('sg-a', [r])], flow());
    expect(e.decision).toBe('allow');
    expect(e.decidedBy).toEqual({ kind: 'rule', ruleId: 'ssh', containerId: 'sg-a', priority: 1, order: 0, policy: 'accept' });
    expect(e.explanation).toBe('rule-accept');
  });
  it('denies what no rule allows (default deny) and says so', () => {
    const e = evaluateHuaweiSecurityGroups([sg('sg-a', [])], flow());
    expect(e.decision).toBe('deny');
    expect(e.decidedBy?.kind).toBe('default');
    expect(e.explanation).toBe('default-deny');
  });
  it('empty protocol means all protocols and empty multiport all ports', () => {
    const g = [sg('sg-a', [rule({ protocol: '', multiport: '' })])];
    expect(evaluateHuaweiSecurityGroups(g, flow({ port: 8080 })).decision).toBe('allow');
    expect(evaluateHuaweiSecurityGroups(g, flow({ protocol: 'udp', port: 53 })).decision).toBe('allow');
    expect(evaluateHuaweiSecurityGroups(g, flow({ protocol: 'icmp', port: 0 })).decision).toBe('allow');
  });
  it('matches multiport lists and ranges', () => {
    const g = [sg('sg-a', [rule({ multiport: '80,443,8000-8010' })])];
    for (const p of [80, 443, 8000, 8005, 8010]) expect(evaluateHuaweiSecurityGroups(g, flow({ port: p })).decision).toBe('allow');
    for (const p of [22, 81, 442, 7999, 8011]) expect(evaluateHuaweiSecurityGroups(g, flow({ port: p })).decision).toBe('deny');
  });
  it('lower priority number first', () => {
    const g = [sg('sg-a', [rule({ id: 'allow50', priority: 50 }), rule({ id: 'deny10', action: 'deny', priority: 10 })])];
    const e = evaluateHuaweiSecurityGroups(g, flow());
    expect(e.decision).toBe('deny');
    expect(e.decidedBy).toMatchObject({ ruleId: 'deny10' });
    expect(reasons(e)).toEqual(['shadowed-by-drop']);
    expect(e.nearMisses[0].detail).toContain('priority 10');
  });
  it('deny before allow at equal priority, whatever the listed order', () => {
    const g = [sg('sg-a', [rule({ id: 'allow', priority: 5 }), rule({ id: 'deny', action: 'deny', priority: 5 })])];
    const e = evaluateHuaweiSecurityGroups(g, flow());
    expect(e.decision).toBe('deny');
    expect(e.nearMisses[0]).toMatchObject({ reason: 'shadowed-by-drop', ruleId: 'allow' });
    expect(e.nearMisses[0].values?.samePriority).toBe(1);
  });
  it('ethertype: an IPv6 rule does not admit an IPv4 client (near miss), and an IPv6 client is matched', () => {
    const g = [sg('sg-a', [rule({ ethertype: 'IPv6', remote_ip_prefix: '::/0' })])];
    const e = evaluateHuaweiSecurityGroups(g, flow());
    expect(e.decision).toBe('deny');
    expect(e.nearMisses[0]).toMatchObject({ reason: 'source-excludes-client' });
    expect(e.nearMisses[0].values?.familyMismatch).toBe(1);
    expect(evaluateHuaweiSecurityGroups(g, flow({ sourceIp: '2001:db8::5' })).decision).toBe('allow');
  });
  it('names the one wrong field: direction, protocol, port, private source, other source', () => {
    const cases: [Partial<HuaweiSecurityGroupRule>, string][] = [
      [{ direction: 'egress' }, 'wrong-direction'],
      [{ protocol: 'udp' }, 'wrong-protocol'],
      [{ multiport: '2222' }, 'port-outside-range'],
      [{ remote_ip_prefix: '192.168.0.0/16' }, 'private-source'],
      [{ remote_ip_prefix: '198.51.100.0/24' }, 'source-excludes-client'],
      [{ remote_group_id: 'sg-b', remote_ip_prefix: null }, 'group-reference'],
    ];
    for (const [over, reason] of cases) {
      const e = evaluateHuaweiSecurityGroups([sg('sg-a', [rule(over)])], flow());
      expect(e.decision, reason).toBe('deny');
      expect(reasons(e), reason).toEqual([reason]);
    }
  });
  it('no near miss when two fields are wrong', () => {
    const e = evaluateHuaweiSecurityGroups([sg('sg-a', [rule({ direction: 'egress', multiport: '80' })])], flow());
    expect(e.nearMisses).toEqual([]);
  });
  it('an unread address group may match: unknown, then resolved both ways', () => {
    const g = [sg('sg-a', [rule({ remote_ip_prefix: null, remote_address_group_id: 'ag-1' })])];
    const e = evaluateHuaweiSecurityGroups(g, flow());
    expect(e.decision).toBe('unknown');
    expect(e.explanation).toBe('uncertain-peer');
    expect(evaluateHuaweiSecurityGroups(g, flow(), { addressGroups: { 'ag-1': ['203.0.113.1-203.0.113.9'] } }).decision).toBe('allow');
    const no = evaluateHuaweiSecurityGroups(g, flow(), { addressGroups: { 'ag-1': ['198.51.100.0/24'] } });
    expect(no.decision).toBe('deny');
    expect(reasons(no)).toEqual(['source-excludes-client']);
  });
  it('a remote group admits its members only; resolvable from the members list', () => {
    const g = [sg('sg-a', [rule({ remote_ip_prefix: null, remote_group_id: 'sg-b' })])];
    expect(evaluateHuaweiSecurityGroups(g, flow({ sourceIp: '10.0.1.30' })).decision).toBe('unknown');
    expect(evaluateHuaweiSecurityGroups(g, flow({ sourceIp: '10.0.1.30' }), { groupMembers: { 'sg-b': ['10.0.1.30'] } }).decision).toBe('allow');
    expect(evaluateHuaweiSecurityGroups(g, flow({ sourceIp: '10.0.1.31' }), { groupMembers: { 'sg-b': ['10.0.1.30'] } }).decision).toBe('deny');
  });
  it('a may-match rule that would decide the same way does not make the result unknown', () => {
    const g = [sg('sg-a', [rule({ priority: 1, remote_ip_prefix: null, remote_address_group_id: 'ag-1' }), rule({ priority: 2 })])];
    expect(evaluateHuaweiSecurityGroups(g, flow()).decision).toBe('allow');
  });
  it('a rule with an unreadable port field makes the result unknown only when it could decide otherwise', () => {
    const g = [sg('sg-a', [rule({ action: 'deny', multiport: 'ssh' }), rule({ priority: 2 })])];
    const e = evaluateHuaweiSecurityGroups(g, flow());
    expect(e.decision).toBe('unknown');
    expect(e.explanation).toBe('uncertain-field');
    expect(evaluateHuaweiSecurityGroups([sg('sg-a', [rule({ multiport: 'ssh' }), rule({ priority: 2 })])], flow()).decision).toBe('allow');
  });
  it('egress flows use egress rules and the destination as the remote', () => {
    const g = [sg('sg-a', [rule({ direction: 'egress', multiport: '443', remote_ip_prefix: '198.51.100.0/24' })])];
    const out = (dst: string): Flow => flow({ direction: 'egress', sourceIp: SERVER, destinationIp: dst, port: 443 });
    expect(evaluateHuaweiSecurityGroups(g, out('198.51.100.9')).decision).toBe('allow');
    expect(evaluateHuaweiSecurityGroups(g, out('203.0.113.9')).decision).toBe('deny');
  });
  it('ICMP ignores the port field', () => {
    const g = [sg('sg-a', [rule({ protocol: 'icmp', multiport: '' })])];
    expect(evaluateHuaweiSecurityGroups(g, flow({ protocol: 'icmp', port: 0 })).decision).toBe('allow');
  });
});

describe('evaluateHuaweiSecurityGroups: several groups on one port (matched in their order)', () => {
  it('a deny at priority 100 in the first group beats an allow at priority 1 in the second', () => {
    const g = [sg('sg-first', [rule({ id: 'deny', action: 'deny', priority: 100 })]), sg('sg-second', [rule({ id: 'allow', priority: 1 })])];
    const e = evaluateHuaweiSecurityGroups(g, flow());
    expect(e.decision).toBe('deny');
    expect(e.decidedBy).toMatchObject({ ruleId: 'deny', containerId: 'sg-first' });
    expect(e.nearMisses[0]).toMatchObject({ reason: 'shadowed-by-drop', ruleId: 'allow', containerId: 'sg-second' });
    expect(e.nearMisses[0].values?.earlierGroup).toBe(1);
    expect(e.nearMisses[0].detail).toContain('comes before');
  });
  it('the same groups in the other order allow', () => {
    const g = [sg('sg-second', [rule({ id: 'allow', priority: 1 })]), sg('sg-first', [rule({ id: 'deny', action: 'deny', priority: 100 })])];
    expect(evaluateHuaweiSecurityGroups(g, flow())).toMatchObject({ decision: 'allow', decidedBy: { ruleId: 'allow' } });
  });
  it('an allow in the first group decides before a deny at priority 1 in the second', () => {
    const g = [sg('sg-a', [rule({ id: 'allow', priority: 100 })]), sg('sg-b', [rule({ action: 'deny', priority: 1 })])];
    expect(evaluateHuaweiSecurityGroups(g, flow()).decision).toBe('allow');
  });
  it('no match in the first group falls through to the next', () => {
    const g = [sg('sg-a', [rule({ multiport: '80' })]), sg('sg-b', [rule({ id: 'ssh' })])];
    expect(evaluateHuaweiSecurityGroups(g, flow())).toMatchObject({ decision: 'allow', decidedBy: { containerId: 'sg-b' } });
    expect(evaluateHuaweiSecurityGroups(g, flow()).considered).toEqual(['sg-a', 'sg-b']);
  });
  it('no group at all is unknown, not a deny', () => {
    expect(evaluateHuaweiSecurityGroups([], flow()).decision).toBe('unknown');
  });
});

describe('evaluateHuaweiSecurityGroups: older flavours', () => {
  const denyFirst = [sg('sg-a', [rule({ id: 'deny', action: 'deny', priority: 1 }), rule({ id: 'allow', priority: 2 })])];
  it('a deny rule has no effect on S1..ET2 flavours', () => {
    expect(evaluateHuaweiSecurityGroups(denyFirst, flow(), { flavour: 's6.small.1' }).decision).toBe('deny');
    expect(evaluateHuaweiSecurityGroups(denyFirst, flow(), { flavour: 's1.medium' })).toMatchObject({ decision: 'allow', decidedBy: { ruleId: 'allow' } });
  });
  it('an unknown flavour makes the outcome unknown only when the flavour would change it', () => {
    const e = evaluate(denyFirst, flow());
    expect(e.decision).toBe('unknown');
    expect(e.explanation).toBe('flavour-unknown');
    expect(e.notes?.[0].code).toBe('uncertain-field');
    // What would change on a current flavour is still named.
    expect(reasons(e)).toEqual(['shadowed-by-drop']);
    // A plain allow list does not depend on the flavour.
    expect(evaluate([sg('sg-a', [rule()])], flow()).decision).toBe('allow');
  });
  it('a port list or address group that would admit the flow is ignored there: near miss', () => {
    const g = [sg('sg-a', [rule({ id: 'list', multiport: '22,80' })])];
    expect(evaluateHuaweiSecurityGroups(g, flow(), { flavour: 'c6.large.2' }).decision).toBe('allow');
    const e = evaluateHuaweiSecurityGroups(g, flow(), { flavour: 'c2.large' });
    expect(e.decision).toBe('deny');
    expect(e.nearMisses).toMatchObject([{ reason: 'ignored-on-flavour', ruleId: 'list' }]);
    expect(e.nearMisses[0].values?.flavour).toBe('c2.large');
    // A contiguous range is not a list: it works on old flavours too.
    expect(evaluateHuaweiSecurityGroups([sg('sg-a', [rule({ multiport: '20-30' })])], flow(), { flavour: 'c2.large' }).decision).toBe('allow');
  });
});

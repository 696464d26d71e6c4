// Rule fields beyond direction/protocol/port/peer: five-tuple source ports and fields that cannot be
// evaluated. A restricting field is evaluated exactly or makes the rule "may match" — never a silent match.
import { describe, expect, it } from 'vitest';
import type { UnevaluatedField } from '../cloud/model';
import { effectiveAccess, segmentAt } from './effective';
import { nearMissText } from './format';
import { EIP, group, snapshot, sshFlow } from './fixtures';
import { evaluateNetworkAcl } from './networkAcl';
import { referenceEvaluate } from './reference';
import { evaluateSecurityGroups } from './securityGroups';

const PORT_LIST: UnevaluatedField = { field: 'PortRangeListId', value: 'prl-bp1web', why: 'unresolved-reference' };
const FUTURE: UnevaluatedField = { field: 'SourceAddressBookId', value: 'ab-bp1future', why: 'unknown-field' };

describe('SourcePortRange (five-tuple rules)', () => {
  it('source port 22 does not admit a client connecting from an ephemeral port: deny with a near miss', () => {
    const snap = snapshot({ groups: [group('sg-web', [{ id: 'sgr-src22', ports: '22/22', sourcePorts: '22/22' }])] });
    const e = evaluateSecurityGroups(snap, sshFlow());
    expect(e.decision).toBe('deny');
    expect(e.decidedBy).toMatchObject({ kind: 'default' });
    expect(e.nearMisses).toEqual([expect.objectContaining({ reason: 'source-port-restricted', ruleId: 'sgr-src22', values: expect.objectContaining({ sourcePortRange: '22/22', ephemeralFrom: 1024, ephemeralTo: 65535 }) })]);
    expect(e.nearMisses[0].detail).toMatch(/ephemeral source port/);
    expect(nearMissText(e.nearMisses[0], 'zh-CN')).toMatch(/^规则只放行源端口 22（源端口范围 22\/22）；客户端发起连接时使用的是随机临时端口（1024-65535）/);
    expect(referenceEvaluate(snap, sshFlow()).decision).toBe('deny');
  });

  it('a source range covering the whole ephemeral range admits; a partial one leaves it open', () => {
    const full = snapshot({ groups: [group('sg-web', [{ id: 'full', sourcePorts: '1024/65535' }])] });
    expect(evaluateSecurityGroups(full, sshFlow())).toMatchObject({ decision: 'allow', decidedBy: { ruleId: 'full' } });
    const all = snapshot({ groups: [group('sg-web', [{ id: 'all', sourcePorts: '1/65535' }])] });
    expect(evaluateSecurityGroups(all, sshFlow()).decision).toBe('allow');
    const part = snapshot({ groups: [group('sg-web', [{ id: 'part', sourcePorts: '32768/65535' }])] });
    const e = evaluateSecurityGroups(part, sshFlow());
    expect(e.decision).toBe('unknown');
    expect(e.explanation).toBe('uncertain-field');
    expect(e.notes?.find((n) => n.code === 'uncertain-field')).toMatchObject({ values: { ruleId: 'part', fields: 'SourcePortRange', reasons: 'partial-source-ports' } });
    // A client whose ephemeral range is known: its Linux default is inside 32768–65535.
    expect(evaluateSecurityGroups(part, { ...sshFlow(), sourcePorts: { from: 32768, to: 60999 } }).decision).toBe('allow');
    expect(evaluateSecurityGroups(part, { ...sshFlow(), sourcePorts: { from: 1024, to: 5000 } }).decision).toBe('deny');
  });

  it('a drop rule limited to a source port the client never uses does not drop it; one covering the range does', () => {
    const snap = snapshot({ groups: [group('sg-web', [{ id: 'drop53', policy: 'drop', ports: '22/22', sourcePorts: '53/53' }, { id: 'ok', priority: 2 }])] });
    expect(evaluateSecurityGroups(snap, sshFlow())).toMatchObject({ decision: 'allow', decidedBy: { ruleId: 'ok' } });
    const all = snapshot({ groups: [group('sg-web', [{ id: 'drop', policy: 'drop', sourcePorts: '1024/65535' }, { id: 'ok', priority: 2 }])] });
    expect(evaluateSecurityGroups(all, sshFlow())).toMatchObject({ decision: 'deny', decidedBy: { ruleId: 'drop' } });
  });

  it('effective access: a source-port-restricted rule admits no port; a partial one leaves its ports unknown', () => {
    const snap = snapshot({ groups: [group('sg-web', [{ id: 'src22', ports: '22/22', sourcePorts: '22/22' }, { id: 'part', ports: '80/80', sourcePorts: '40000/65535' }])] });
    const a = effectiveAccess(snap, '203.0.113.7', { destinationIp: EIP });
    expect(segmentAt(a.tcp, 22)?.decision).toBe('deny');
    expect(segmentAt(a.tcp, 80)?.decision).toBe('unknown');
    expect(segmentAt(a.tcp, 81)?.decision).toBe('deny');
  });
});

describe('fields that cannot be evaluated', () => {
  it('a port list with unknown entries: the only accept rule may match → unknown, naming the rule and field', () => {
    const snap = snapshot({ groups: [group('sg-web', [{ id: 'sgr-list', ports: '-1/-1', unevaluated: [PORT_LIST] }])] });
    const e = evaluateSecurityGroups(snap, sshFlow());
    expect(e.decision).toBe('unknown');
    expect(e.explanation).toBe('uncertain-field');
    const note = e.notes?.find((n) => n.code === 'uncertain-field');
    expect(note?.detail).toMatch(/sgr-list.*PortRangeListId=prl-bp1web/);
    expect(note?.values).toMatchObject({ ruleId: 'sgr-list', groupId: 'sg-web', fields: 'PortRangeListId', reasons: 'unresolved-reference' });
    expect(e.nearMisses).toEqual([]);
  });

  it('an unknown field on an accept rule is never a silent match; on a drop rule never a silent non-match', () => {
    const acc = snapshot({ groups: [group('sg-web', [{ id: 'acc', unevaluated: [FUTURE] }])] });
    expect(evaluateSecurityGroups(acc, sshFlow()).decision).toBe('unknown');
    const drop = snapshot({ groups: [group('sg-web', [{ id: 'drop', policy: 'drop', unevaluated: [FUTURE] }, { id: 'ok', priority: 5 }])] });
    expect(evaluateSecurityGroups(drop, sshFlow())).toMatchObject({ decision: 'unknown', explanation: 'uncertain-field' });
    expect(referenceEvaluate(drop, sshFlow()).decision).toBe('unknown');
  });

  it('it changes nothing when the outcome is the same either way, or when another field already says no', () => {
    // A later uncertain accept below a definite accept: allow stands.
    const a = snapshot({ groups: [group('sg-web', [{ id: 'ok' }, { id: 'later', priority: 9, unevaluated: [FUTURE] }])] });
    expect(evaluateSecurityGroups(a, sshFlow())).toMatchObject({ decision: 'allow', decidedBy: { ruleId: 'ok' } });
    // An uncertain drop when nothing accepts anyway: deny stands.
    const d = snapshot({ groups: [group('sg-web', [{ id: 'drop', policy: 'drop', unevaluated: [FUTURE] }])] });
    expect(evaluateSecurityGroups(d, sshFlow()).decision).toBe('deny');
    // An uncertain accept for another port: its port field says no.
    const p = snapshot({ groups: [group('sg-web', [{ id: 'web', ports: '80/80', unevaluated: [FUTURE] }])] });
    expect(evaluateSecurityGroups(p, sshFlow()).decision).toBe('deny');
  });

  it('an unparsable DestCidrIp or peer is not a match and not a non-match', () => {
    const local = snapshot({ groups: [group('sg-web', [{ id: 'r', localCidr: '172.16.0.999/32' }])] });
    expect(evaluateSecurityGroups(local, sshFlow()).decision).toBe('unknown');
    const peer = snapshot({ groups: [group('sg-web', [{ id: 'r', cidr: 'not-an-address' }])] });
    expect(evaluateSecurityGroups(peer, sshFlow()).decision).toBe('unknown');
    expect(referenceEvaluate(peer, sshFlow()).decision).toBe('unknown');
  });
});

describe('network ACL entries with fields that cannot be evaluated', () => {
  const sg = [group('sg-web', [{}])];
  const EPH = { protocol: 'tcp' as const, portRange: { from: 1024, to: 65535 } };

  it('an earlier entry that may match and would decide otherwise makes the inbound decision unknown', () => {
    const snap = snapshot({ groups: sg, acl: { ingress: [{ id: 'maybe-drop', policy: 'drop' }, { id: 'in22' }], egress: [{ ...EPH }] } });
    snap.networkAcls[0].ingress[0].unevaluated = [FUTURE];
    const r = evaluateNetworkAcl(snap, sshFlow());
    expect(r.inbound.decision).toBe('unknown');
    expect(r.inbound.explanation).toBe('ingress-uncertain-field');
    expect(r.inbound.notes?.find((n) => n.code === 'uncertain-field')?.detail).toMatch(/maybe-drop.*SourceAddressBookId/);
    expect(r.decision).toBe('unknown');
  });

  it('after the deciding entry, or with the same policy, it changes nothing', () => {
    const snap = snapshot({ groups: sg, acl: { ingress: [{ id: 'in22' }, { id: 'later-drop', policy: 'drop' }], egress: [{ ...EPH }] } });
    snap.networkAcls[0].ingress[1].unevaluated = [FUTURE];
    expect(evaluateNetworkAcl(snap, sshFlow()).decision).toBe('allow');
  });

  it('on the return path the ports such an entry may decide are neither allowed nor denied', () => {
    const snap = snapshot({ groups: sg, acl: { ingress: [{ id: 'in22' }], egress: [{ id: 'maybe', ...EPH }] } });
    snap.networkAcls[0].egress[0].unevaluated = [FUTURE];
    const r = evaluateNetworkAcl(snap, sshFlow());
    expect(r.returnPorts).toMatchObject({ allowed: [], denied: [], uncertain: [{ from: 1024, to: 65535 }] });
    expect(r.returnPath.decision).toBe('unknown');
  });
});

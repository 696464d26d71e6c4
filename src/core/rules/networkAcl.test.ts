import { describe, expect, it } from 'vitest';
import { CLIENT_IP, group, snapshot, sshFlow } from './fixtures';
import { evaluateNetworkAcl } from './networkAcl';

const sg = [group('sg-web', [{}])];
const EPH = { protocol: 'tcp' as const, portRange: { from: 1024, to: 65535 } };

describe('evaluateNetworkAcl', () => {
  it('no ACL on the vSwitch: present false, allow', () => {
    const r = evaluateNetworkAcl(snapshot({ groups: sg }), sshFlow());
    expect(r).toMatchObject({ present: false, aclId: null, decision: 'allow' });
  });

  it('ACL data unreadable: unknown, not allow', () => {
    const snap = snapshot({ groups: sg });
    snap.errors.push({ action: 'DescribeNetworkAcls', code: 'Forbidden.RAM', message: 'denied', leavesUnknown: ['networkAcls'] });
    expect(evaluateNetworkAcl(snap, sshFlow()).decision).toBe('unknown');
  });

  it('inbound 22 and egress ephemeral 1024-65535: allow', () => {
    const snap = snapshot({ groups: sg, acl: { ingress: [{ id: 'in22' }], egress: [{ id: 'out-eph', ...EPH }] } });
    const r = evaluateNetworkAcl(snap, sshFlow());
    expect(r.decision).toBe('allow');
    expect(r.inbound.decidedBy).toMatchObject({ ruleId: 'in22', containerId: 'nacl-bp1lhl0taikrteen8xxxx' });
    expect(r.returnPath.decision).toBe('allow');
    expect(r.returnPorts).toMatchObject({ coverage: 'full', allowed: [{ from: 1024, to: 65535 }], denied: [] });
  });

  it('empty ACL denies everything', () => {
    const r = evaluateNetworkAcl(snapshot({ groups: sg, acl: { ingress: [], egress: [] } }), sshFlow());
    expect(r).toMatchObject({ present: true, decision: 'deny' });
    expect(r.inbound.explanation).toBe('ingress-empty-denies');
    expect(r.returnPorts?.coverage).toBe('none');
  });

  it('first match in array order: an earlier drop wins over a later accept (shadowed)', () => {
    const snap = snapshot({
      groups: sg,
      acl: { ingress: [{ id: 'drop-all', protocol: 'all', portRange: { from: -1, to: -1 }, policy: 'drop' }, { id: 'in22' }], egress: [{ ...EPH }] },
    });
    const r = evaluateNetworkAcl(snap, sshFlow());
    expect(r.inbound.decision).toBe('deny');
    expect(r.inbound.nearMisses).toEqual([expect.objectContaining({ reason: 'shadowed-by-drop', ruleId: 'in22', values: expect.objectContaining({ dropRuleId: 'drop-all' }) })]);
    // Reordered: accept first.
    const ok = snapshot({ groups: sg, acl: { ingress: [{ id: 'in22' }, { protocol: 'all', portRange: { from: -1, to: -1 }, policy: 'drop' }], egress: [{ ...EPH }] } });
    expect(evaluateNetworkAcl(ok, sshFlow()).decision).toBe('allow');
  });

  it('return path: egress only for port 22 (the classic stateless mistake) denies the reply', () => {
    const snap = snapshot({ groups: sg, acl: { ingress: [{ id: 'in22' }], egress: [{ id: 'out22' }] } });
    const r = evaluateNetworkAcl(snap, sshFlow());
    expect(r.inbound.decision).toBe('allow');
    expect(r.returnPath.decision).toBe('deny');
    expect(r.decision).toBe('deny');
    const m = r.returnPath.nearMisses.find((x) => x.ruleId === 'out22');
    expect(m).toMatchObject({ reason: 'port-outside-range', values: { ephemeralFrom: 1024, ephemeralTo: 65535, portFrom: 22, portTo: 22 } });
    expect(m?.detail).toContain('service port 22');
  });

  it('return path: a partial ephemeral range is reported with per-OS coverage', () => {
    const snap = snapshot({ groups: sg, acl: { ingress: [{}], egress: [{ id: 'hi', protocol: 'tcp', portRange: { from: 49152, to: 65535 } }] } });
    const r = evaluateNetworkAcl(snap, sshFlow());
    expect(r.returnPorts).toMatchObject({ coverage: 'partial', allowed: [{ from: 49152, to: 65535 }], denied: [{ from: 1024, to: 49151 }] });
    expect(r.returnPorts?.clients).toEqual([
      { os: 'linux', from: 32768, to: 60999, allowed: false },
      { os: 'windows', from: 49152, to: 65535, allowed: true },
      { os: 'macos', from: 49152, to: 65535, allowed: true },
    ]);
    expect(r.returnPath.decision).toBe('unknown');
    expect(r.returnPath.notes?.[0].code).toBe('ephemeral-partial');
    expect(r.returnPath.nearMisses[0]).toMatchObject({ reason: 'port-outside-range', ruleId: 'hi' });
    // Told the client is Windows: its range is fully covered.
    expect(evaluateNetworkAcl(snap, sshFlow(), { clientEphemeral: { from: 49152, to: 65535 } }).decision).toBe('allow');
  });

  it('return path covering every common client default counts as allow, with a note', () => {
    const snap = snapshot({ groups: sg, acl: { ingress: [{}], egress: [{ protocol: 'tcp', portRange: { from: 32768, to: 65535 } }] } });
    const r = evaluateNetworkAcl(snap, sshFlow());
    expect(r.returnPath).toMatchObject({ decision: 'allow', explanation: 'return-partial-covers-common-clients' });
  });

  it('near misses on the inbound list: private source, wrong protocol, port, wrong direction', () => {
    const snap = snapshot({
      groups: sg,
      acl: {
        ingress: [{ id: 'lan', cidr: '192.168.0.0/16' }, { id: 'udp', protocol: 'udp' }, { id: 'p2222', portRange: { from: 2222, to: 2222 } }, { id: 'office', cidr: '198.51.100.0/24' }],
        egress: [{ id: 'eg22-any', protocol: 'tcp', portRange: { from: 22, to: 22 } }],
      },
    });
    const r = evaluateNetworkAcl(snap, sshFlow());
    expect(r.inbound.explanation).toBe('ingress-no-match-denies');
    expect(r.inbound.nearMisses.map((m) => [m.reason, m.ruleId])).toEqual([
      ['private-source', 'lan'],
      ['wrong-protocol', 'udp'],
      ['port-outside-range', 'p2222'],
      ['source-excludes-client', 'office'],
      ['wrong-direction', 'eg22-any'],
    ]);
    expect(r.inbound.nearMisses[0].values).toMatchObject({ clientIp: CLIENT_IP, cidr: '192.168.0.0/16' });
  });

  it('ICMP: request through ingress, echo reply through egress; port-less', () => {
    const icmp = { protocol: 'icmp' as const, portRange: { from: -1, to: -1 } };
    const snap = snapshot({ groups: sg, acl: { ingress: [{ ...icmp }], egress: [{ ...icmp }] } });
    const r = evaluateNetworkAcl(snap, sshFlow({ protocol: 'icmp', port: 0 }));
    expect(r.decision).toBe('allow');
    expect(r.returnPorts).toBeUndefined();
    const noReply = snapshot({ groups: sg, acl: { ingress: [{ ...icmp }], egress: [] } });
    expect(evaluateNetworkAcl(noReply, sshFlow({ protocol: 'icmp', port: 0 })).returnPath.decision).toBe('deny');
  });

  it('EIP on a secondary ENI: notes that cut-through mode bypasses the ACL', () => {
    const snap = snapshot({
      groups: sg,
      secondary: { id: 'eni-2', privateIps: ['172.16.0.30'], groups: ['sg-web'], eip: '47.98.10.99' },
      acl: { ingress: [{}], egress: [{ ...EPH }] },
    });
    const r = evaluateNetworkAcl(snap, sshFlow({ destinationIp: '47.98.10.99' }));
    expect(r.inbound.notes?.[0].code).toBe('acl-not-applied');
  });

  it('system entries are evaluated after every custom entry', () => {
    const snap = snapshot({
      groups: sg,
      acl: { ingress: [{ id: 'sys-deny', protocol: 'all', portRange: { from: -1, to: -1 }, policy: 'drop', entryType: 'system' }, { id: 'in22' }], egress: [{ ...EPH }] },
    });
    expect(evaluateNetworkAcl(snap, sshFlow()).inbound.decidedBy).toMatchObject({ ruleId: 'in22' });
    expect(evaluateNetworkAcl(snap, sshFlow({ port: 80 })).inbound.decidedBy).toMatchObject({ ruleId: 'sys-deny' });
  });

  it('traffic from another ENI in the same vSwitch is not filtered', () => {
    const snap = snapshot({ groups: sg, secondary: { id: 'eni-2', privateIps: ['172.16.0.30'], groups: ['sg-web'] }, acl: { ingress: [], egress: [] } });
    const r = evaluateNetworkAcl(snap, sshFlow({ sourceIp: '172.16.0.30', destinationIp: '172.16.0.10' }));
    expect(r).toMatchObject({ present: true, decision: 'allow' });
    expect(r.inbound.explanation).toBe('intra-vswitch');
  });
});

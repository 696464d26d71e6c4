import { describe, expect, it } from 'vitest';
import { CLIENT_IP, bigSnapshot, group, snapshot } from './fixtures';
import { effectiveAccess, segmentAt } from './effective';
import { referenceEvaluate } from './reference';

describe('effectiveAccess', () => {
  it('maps ports to allow/deny with the deciding rule, merged into compact ranges', () => {
    const snap = snapshot({
      groups: [
        group('sg-web', [
          { id: 'web', ports: '80/80' },
          { id: 'tls', ports: '443/443' },
          { id: 'range', ports: '8000/8100' },
          { id: 'drop8080', ports: '8080/8080', policy: 'drop', priority: 1 },
          { id: 'dns', protocol: 'udp', ports: '53/53' },
          { id: 'ping', protocol: 'icmp', ports: '-1/-1' },
        ]),
      ],
    });
    const a = effectiveAccess(snap, CLIENT_IP);
    expect(a.interfaceId).toBe('eni-bp1d66qjxb3qoin3xxxx');
    const allowed = a.tcp.filter((s) => s.decision === 'allow').map((s) => [s.from, s.to, s.decidedBy?.kind === 'rule' ? s.decidedBy.ruleId : '']);
    expect(allowed).toEqual([
      [80, 80, 'web'],
      [443, 443, 'tls'],
      [8000, 8079, 'range'],
      [8081, 8100, 'range'],
    ]);
    expect(segmentAt(a.tcp, 8080)).toMatchObject({ decision: 'deny', decidedBy: { ruleId: 'drop8080' } });
    expect(segmentAt(a.tcp, 22)).toMatchObject({ decision: 'deny', explanation: 'default-deny-basic' });
    expect(a.tcp[0].from).toBe(1);
    expect(a.tcp[a.tcp.length - 1].to).toBe(65535);
    expect(a.udp.filter((s) => s.decision === 'allow')).toEqual([expect.objectContaining({ from: 53, to: 53 })]);
    expect(a.icmp).toMatchObject({ decision: 'allow', decidedBy: { ruleId: 'ping' } });
    expect(a.gre.decision).toBe('deny');
  });

  it('rules for other sources do not count; ALL -1/-1 covers every port', () => {
    const snap = snapshot({ groups: [group('sg-web', [{ id: 'other', cidr: '198.51.100.0/24', ports: '1/65535' }, { id: 'all', protocol: 'all', ports: '-1/-1', cidr: `${CLIENT_IP}/32`, priority: 90 }])] });
    const a = effectiveAccess(snap, CLIENT_IP);
    expect(a.tcp).toEqual([expect.objectContaining({ from: 1, to: 65535, decision: 'allow', decidedBy: expect.objectContaining({ ruleId: 'all' }) })]);
    expect(effectiveAccess(snap, '198.51.100.5').tcp).toHaveLength(1);
  });

  it('agrees with the reference evaluator port by port on a 2000-rule set at sampled ports', () => {
    const snap = bigSnapshot(4, 500, 7);
    const src = '37.10.20.30';
    const a = effectiveAccess(snap, src);
    const ports = new Set<number>([1, 22, 80, 443, 65535]);
    for (const s of a.tcp) [s.from, s.to, s.from - 1, s.to + 1].forEach((p) => p >= 1 && p <= 65535 && ports.add(p));
    let checked = 0;
    for (const port of ports) {
      if (checked++ > 400) break;
      const ref = referenceEvaluate(snap, { direction: 'ingress', protocol: 'tcp', sourceIp: src, destinationIp: snap.instance?.eipAddress ?? '', port });
      const seg = segmentAt(a.tcp, port);
      expect(seg?.decision).toBe(ref.decision);
      expect(seg?.decidedBy?.kind === 'rule' ? seg.decidedBy.ruleId : 'default').toBe(ref.ruleId);
    }
  });
});

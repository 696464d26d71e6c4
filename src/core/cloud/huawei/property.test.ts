// Property tests: random Huawei security groups (several per port, ties, deny rules, multiport lists, empty
// protocol, IPv6, remote groups, address groups, unreadable ports, old and new and unknown flavours) and network
// ACLs (order, disabled rules, source ports, address groups, EIP destinations) checked against the brute-force
// reference in ./reference.ts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Flow } from '../../rules/types';
import { evaluateHuaweiFirewall } from './firewall';
import { referenceHuaweiAcl, referenceHuaweiSg } from './reference';
import { evaluateHuaweiSecurityGroups } from './securityGroups';
import type { HuaweiFirewall, HuaweiFirewallRule, HuaweiSecurityGroup, HuaweiSecurityGroupRule } from './types';

const SERVER = '10.0.1.20';
const EIP = '198.51.100.50';
const SOURCES = ['203.0.113.7', '198.51.100.9', '192.168.1.5', '10.0.1.30', '10.0.9.9', '2001:db8::5', '2001:db9::5', '8.8.4.4'];
const CIDRS = ['0.0.0.0/0', '0.0.0.0/0', '0.0.0.0/0', '0.0.0.0/0', '203.0.113.0/24', '203.0.113.7', '203.0.113.7/32', '198.51.100.0/24', '192.168.0.0/16', '10.0.0.0/8', '::/0', '2001:db8::/32'];
const PORTS = [22, 80, 443, 25, 2222, 8080, 65535];
const ADDRESS_GROUPS = { 'ag-1': ['203.0.113.0/24', '2001:db8::5'], 'ag-2': ['10.0.0.1-10.0.255.255'] };
const GROUP_MEMBERS = { 'sg-0': ['10.0.1.30'], 'sg-x': ['192.168.1.5'] };

/** A choice with weights: each field mostly takes the value that matches the usual flow (TCP 22 from 203.0.113.7). */
const w = <T,>(...pairs: [T, number][]): fc.Arbitrary<T> => fc.oneof(...pairs.map(([v, weight]) => ({ weight, arbitrary: fc.constant(v) })));

const sgRule: fc.Arbitrary<Omit<HuaweiSecurityGroupRule, 'id'>> = fc
  .record({
    direction: w(['ingress', 5], ['egress', 1]),
    protocol: w<string | undefined>(['tcp', 6], ['', 1], [undefined, 1], ['6', 1], ['udp', 1], ['icmp', 1], ['icmpv6', 1], ['gre', 1]),
    ethertype: w<string | undefined>(['IPv4', 6], [undefined, 1], ['IPv6', 1]),
    multiport: w<string | undefined>(['22', 6], ['', 1], [undefined, 1], ['1-65535', 1], ['20-30', 1], ['22,8000-8080', 2], ['80,443', 1], ['2222', 1], ['ssh', 1]),
    action: w<string | undefined>(['allow', 3], ['deny', 2], [undefined, 1]),
    priority: w<number | string | undefined>([1, 3], [2, 2], [100, 1], [undefined, 1], ['2', 1]),
    remote: fc.oneof(
      { weight: 8, arbitrary: fc.constantFrom(...CIDRS).map((c) => ({ remote_ip_prefix: c })) },
      { weight: 1, arbitrary: fc.constant({}) },
      { weight: 2, arbitrary: fc.constantFrom('sg-0', 'sg-x').map((g) => ({ remote_group_id: g })) },
      { weight: 2, arbitrary: fc.constantFrom('ag-1', 'ag-2').map((g) => ({ remote_address_group_id: g })) },
    ),
  })
  .map(({ remote, ...r }) => ({ ...r, ...remote }));

const groupsArb: fc.Arbitrary<HuaweiSecurityGroup[]> = fc
  .array(fc.array(sgRule, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 3 })
  .map((gs) => gs.map((rules, gi) => ({ id: `sg-${gi}`, security_group_rules: rules.map((r, ri) => ({ ...r, id: `r${gi}-${ri}` })) })));

const USUAL: Flow = { direction: 'ingress', protocol: 'tcp', sourceIp: '203.0.113.7', destinationIp: SERVER, port: 22 };
const flowArb: fc.Arbitrary<Flow> = fc.oneof(
  { weight: 5, arbitrary: fc.constant(USUAL) },
  {
    weight: 4,
    arbitrary: fc
      .record({
        egress: w([false, 4], [true, 1]),
        protocol: w<Flow['protocol']>(['tcp', 5], ['udp', 1], ['icmp', 1], ['icmpv6', 1], ['gre', 1]),
        remote: fc.constantFrom(...SOURCES),
        local: w([SERVER, 2], [EIP, 1]),
        port: fc.constantFrom(...PORTS),
      })
      .map(({ egress, protocol, remote, local, port }): Flow =>
        egress ? { direction: 'egress', protocol, sourceIp: local, destinationIp: remote, port } : { direction: 'ingress', protocol, sourceIp: remote, destinationIp: local, port },
      ),
  },
);

describe('Huawei security groups agree with the brute-force reference', () => {
  it('decision and deciding rule', () => {
    fc.assert(
      fc.property(
        groupsArb,
        flowArb,
        fc.constantFrom(undefined, 's6.small.1', 's1.medium', 'c2.large', 'c7.xlarge.2'),
        fc.boolean(),
        fc.boolean(),
        (groups, flow, flavour, knownAg, knownMembers) => {
          const opts = { flavour, addressGroups: knownAg ? ADDRESS_GROUPS : undefined, groupMembers: knownMembers ? GROUP_MEMBERS : undefined };
          const e = evaluateHuaweiSecurityGroups(groups, flow, opts);
          const ref = referenceHuaweiSg(groups, flow, opts);
          expect(e.decision).toBe(ref.decision);
          if (ref.ruleId && e.decision !== 'unknown') {
            expect(e.decidedBy?.kind === 'rule' ? e.decidedBy.ruleId : 'default').toBe(ref.ruleId);
          }
          // No near miss when allowed; every near miss names an allow rule of these groups.
          if (e.decision === 'allow') expect(e.nearMisses).toEqual([]);
          for (const m of e.nearMisses) expect(m.policy).toBe('accept');
        },
      ),
      { numRuns: 600, seed: 20261202 },
    );
  });

  it('moving a group to the front never lets a later group overrule it', () => {
    fc.assert(
      fc.property(groupsArb, flowArb, (groups, flow) => {
        const opts = { flavour: 's6.small.1', addressGroups: ADDRESS_GROUPS, groupMembers: GROUP_MEMBERS };
        const first = evaluateHuaweiSecurityGroups(groups.slice(0, 1), flow, opts);
        const whole = evaluateHuaweiSecurityGroups(groups, flow, opts);
        // A rule of the first group that decides alone decides with the others behind it too.
        if (first.decidedBy?.kind === 'rule' && first.decision !== 'unknown') {
          expect(whole.decision).toBe(first.decision);
          expect(whole.decidedBy).toEqual(first.decidedBy);
        }
      }),
      { numRuns: 300, seed: 11 },
    );
  });
});

const aclRule: fc.Arbitrary<Omit<HuaweiFirewallRule, 'id'>> = fc.record({
  action: w(['allow', 3], ['deny', 2]),
  protocol: w<string | undefined>(['tcp', 5], ['udp', 1], ['icmp', 1], ['any', 1], ['', 1], [undefined, 1]),
  ip_version: w<number | undefined>([4, 5], [6, 1], [undefined, 1]),
  source_ip_address: w<string | undefined>([undefined, 2], ['0.0.0.0/0', 3], ['203.0.113.0/24', 1], ['198.51.100.0/24', 1], ['10.0.0.0/8', 1], ['::/0', 1], ['203.0.113.7', 1]),
  destination_ip_address: w<string | undefined>([undefined, 6], ['10.0.1.0/24', 1], ['10.0.2.0/24', 1], ['0.0.0.0/0', 1], ['203.0.113.0/24', 1]),
  source_port: w<string | undefined>([undefined, 8], ['22', 1], ['1-65535', 1], ['32768-65535', 1], ['1024-65535', 1]),
  destination_port: w<string | undefined>(['22', 5], [undefined, 1], ['', 1], ['80,443', 1], ['20-30', 1], ['1-65535', 1], ['2222', 1], ['22,8000-8080', 1]),
  source_address_group_id: w<string | undefined>([undefined, 8], ['ag-1', 1], ['ag-2', 1]),
  enabled: w<boolean | undefined>([true, 5], [undefined, 1], [false, 2]),
});

const aclArb: fc.Arbitrary<HuaweiFirewall> = fc
  .record({
    ingress: fc.array(aclRule, { minLength: 1, maxLength: 6 }),
    egress: fc.array(aclRule, { maxLength: 4 }),
    associated: w([true, 6], [false, 1]),
    admin: w<boolean | undefined>([true, 5], [undefined, 1], [false, 1]),
  })
  .map(({ ingress, egress, associated, admin }) => ({
    id: 'acl-1',
    admin_state_up: admin,
    associations: associated ? [{ virsubnet_id: 'subnet-1' }] : [],
    ingress_rules: ingress.map((r, i) => ({ ...r, id: `in${i}` })),
    egress_rules: egress.map((r, i) => ({ ...r, id: `out${i}` })),
  }));

describe('Huawei network ACL agrees with the brute-force reference', () => {
  it('decision and deciding rule; the return path is always allowed (stateful)', () => {
    fc.assert(
      fc.property(
        aclArb,
        flowArb,
        w<string | undefined>(['subnet-1', 6], [undefined, 1], ['subnet-2', 1]),
        fc.constantFrom<string | undefined>(undefined, SERVER),
        w([false, 6], [true, 1]),
        fc.boolean(),
        fc.constantFrom<{ from: number; to: number } | undefined>(undefined, { from: 32768, to: 60999 }, { from: 49152, to: 65535 }),
        (acl, flow, subnetId, localIp, sameSubnet, knownAg, sourcePorts) => {
          const f = sourcePorts ? { ...flow, sourcePorts } : flow;
          const opts = { subnetId, localIp, sameSubnet, addressGroups: knownAg ? ADDRESS_GROUPS : undefined };
          const e = evaluateHuaweiFirewall(acl, f, opts);
          const ref = referenceHuaweiAcl(acl, f, opts);
          expect(e.decision).toBe(ref.decision);
          expect(e.inbound.decision).toBe(ref.decision);
          expect(e.returnPath.decision).toBe('allow');
          if (ref.ruleId && e.present && e.decision !== 'unknown' && e.inbound.decidedBy) {
            expect(e.inbound.decidedBy.kind === 'rule' ? e.inbound.decidedBy.ruleId : 'default').toBe(ref.ruleId);
          }
          if (e.decision === 'allow') expect(e.inbound.nearMisses).toEqual([]);
        },
      ),
      { numRuns: 400, seed: 4242 },
    );
  });
});

describe('near misses name the one thing to change', () => {
  it('security groups: fixing the named field makes that rule alone admit the flow', () => {
    const seen: Record<string, number> = {};
    fc.assert(
      fc.property(groupsArb, flowArb, fc.constantFrom<string | undefined>('s6.small.1', 's1.medium', undefined), (groups, flow, flavour) => {
        const opts = { flavour, addressGroups: ADDRESS_GROUPS, groupMembers: GROUP_MEMBERS };
        const e = evaluateHuaweiSecurityGroups(groups, flow, opts);
        const client = flow.direction === 'ingress' ? flow.sourceIp : flow.destinationIp;
        for (const m of e.nearMisses) {
          const original = groups.flatMap((g) => g.security_group_rules).find((r) => r.id === m.ruleId);
          expect(original, m.ruleId).toBeDefined();
          if (!original || m.values?.familyMismatch) continue;
          const fixed: HuaweiSecurityGroupRule = { ...original };
          // Unknown flavour: the near misses are those of a current flavour.
          let fixedOpts = flavour === undefined ? { ...opts, flavour: 's6.small.1' } : opts;
          switch (m.reason) {
            case 'wrong-direction':
              fixed.direction = flow.direction;
              break;
            case 'wrong-protocol':
              fixed.protocol = flow.protocol;
              break;
            case 'port-outside-range':
              fixed.multiport = String(flow.port);
              break;
            case 'source-excludes-client':
            case 'private-source':
            case 'group-reference':
              Object.assign(fixed, { remote_ip_prefix: client, remote_group_id: undefined, remote_address_group_id: undefined });
              break;
            case 'ignored-on-flavour':
              fixedOpts = { ...opts, flavour: 's6.small.1' };
              break;
            case 'shadowed-by-drop':
              break;
            default:
              throw new Error(`unexpected near miss ${m.reason}`);
          }
          seen[m.reason] = (seen[m.reason] ?? 0) + 1;
          const alone = evaluateHuaweiSecurityGroups([{ id: 'g', security_group_rules: [fixed] }], flow, fixedOpts);
          expect(alone.decision, `${m.reason} ${JSON.stringify(original)}`).toBe('allow');
        }
      }),
      { numRuns: 500, seed: 77 },
    );
    // Not vacuous: each kind of near miss came up.
    for (const r of ['wrong-direction', 'wrong-protocol', 'port-outside-range', 'source-excludes-client', 'private-source', 'group-reference', 'ignored-on-flavour', 'shadowed-by-drop']) expect(seen[r] ?? 0, r).toBeGreaterThan(3);
  });

  it('network ACL: fixing the named field makes that rule alone admit the flow', () => {
    const seen: Record<string, number> = {};
    fc.assert(
      fc.property(aclArb, flowArb, (acl, flow) => {
        const opts = { subnetId: 'subnet-1', localIp: SERVER, addressGroups: ADDRESS_GROUPS };
        const e = evaluateHuaweiFirewall({ ...acl, associations: [{ virsubnet_id: 'subnet-1' }], admin_state_up: true }, flow, opts);
        const client = flow.direction === 'ingress' ? flow.sourceIp : flow.destinationIp;
        for (const m of e.inbound.nearMisses) {
          const original = [...(acl.ingress_rules ?? []), ...(acl.egress_rules ?? [])].find((r) => r.id === m.ruleId);
          expect(original, m.ruleId).toBeDefined();
          if (!original || m.values?.familyMismatch) continue;
          const fixed: HuaweiFirewallRule = { ...original };
          const remoteKey = flow.direction === 'ingress' ? 'source' : 'destination';
          switch (m.reason) {
            case 'wrong-protocol':
              fixed.protocol = flow.protocol;
              break;
            case 'port-outside-range':
              fixed.destination_port = String(flow.port);
              break;
            case 'source-port-restricted':
              fixed.source_port = null;
              break;
            case 'source-excludes-client':
            case 'private-source':
              Object.assign(fixed, { [`${remoteKey}_ip_address`]: client, [`${remoteKey}_address_group_id`]: null });
              break;
            case 'rule-disabled':
              fixed.enabled = true;
              break;
            case 'wrong-direction':
            case 'shadowed-by-drop':
              break;
            default:
              throw new Error(`unexpected near miss ${m.reason}`);
          }
          const list = flow.direction === 'ingress' ? { ingress_rules: [fixed], egress_rules: [] } : { ingress_rules: [], egress_rules: [fixed] };
          seen[m.reason] = (seen[m.reason] ?? 0) + 1;
          const alone = evaluateHuaweiFirewall({ id: 'acl-x', associations: [{ virsubnet_id: 'subnet-1' }], ...list }, flow, opts);
          expect(alone.decision, `${m.reason} ${JSON.stringify(original)}`).toBe('allow');
        }
      }),
      { numRuns: 500, seed: 78 },
    );
    for (const r of ['wrong-direction', 'wrong-protocol', 'port-outside-range', 'source-excludes-client', 'private-source', 'source-port-restricted', 'rule-disabled', 'shadowed-by-drop']) expect(seen[r] ?? 0, r).toBeGreaterThan(3);
  });
});

// Every proposed cloud fix is proven before it is shown. These tests re-prove the proposals INDEPENDENTLY:
// the actions are applied by a small reimplementation written here (a mutable rule list / ACL entry list,
// sharing no code with fixes-simulate.ts) and the flow is evaluated with the brute-force reference
// evaluator (src/core/rules/reference.ts), never with the fast engine the product uses.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CloudFixJson } from '../../diagnosis/fixes';
import { CLIENT_IP, group, snapshot, sshFlow, type RuleSpec } from '../../rules/fixtures';
import { referenceAclAllowedPorts, referenceAclFirstMatch, referenceEvaluate } from '../../rules/reference';
import type { Flow } from '../../rules/types';
import type { CloudSnapshot, NetworkAclEntry, SecurityGroupRule } from '../model';
import type { CloudAction } from '../provider';
import { DENIED_SCENARIOS, deniedByCloud, proposedFixes } from './fix-scenarios';

// ---- the independent reimplementation ----------------------------------------------------------------

type P = Record<string, unknown>;

function portsOf(text: unknown): { from: number; to: number } {
  const [a, b] = String(text).split('/').map(Number);
  return { from: a, to: b };
}

/** Applies the actions to a JSON copy: just enough of each API to tell what the configuration becomes. */
function applyIndependently(snap: CloudSnapshot, actions: readonly CloudAction[]): CloudSnapshot {
  const s = JSON.parse(JSON.stringify(snap)) as CloudSnapshot;
  let n = 0;
  for (const { api, params } of actions) {
    const g = s.securityGroups.find((x) => x.id === params.SecurityGroupId);
    if (api === 'AuthorizeSecurityGroup' || api === 'AuthorizeSecurityGroupEgress') {
      expect(g, `${api}: group ${String(params.SecurityGroupId)}`).toBeDefined();
      for (const p of params.Permissions as P[]) {
        const egress = api.endsWith('Egress');
        const cidr = String(p[egress ? 'DestCidrIp' : 'SourceCidrIp'] ?? p[egress ? 'Ipv6DestCidrIp' : 'Ipv6SourceCidrIp']);
        const r: SecurityGroupRule = {
          id: `independent-${++n}`,
          groupId: g!.id,
          direction: egress ? 'egress' : 'ingress',
          protocol: String(p.IpProtocol).toLowerCase() as SecurityGroupRule['protocol'],
          rawProtocol: String(p.IpProtocol),
          portRange: portsOf(p.PortRange),
          rawPortRange: String(p.PortRange),
          peer: { kind: 'cidr', cidr, family: cidr.includes(':') ? 6 : 4 },
          policy: String(p.Policy).toLowerCase() as 'accept' | 'drop',
          priority: Number(p.Priority),
          order: g!.rules.length,
          nicType: (p.NicType as 'internet' | undefined) ?? 'intranet',
        };
        g!.rules.push(r);
      }
    } else if (api === 'RevokeSecurityGroup' || api === 'RevokeSecurityGroupEgress') {
      const ids = params.SecurityGroupRuleId as string[];
      g!.rules = g!.rules.filter((r) => !ids.includes(r.id));
    } else if (api === 'ModifySecurityGroupRule') {
      const r = g!.rules.find((x) => x.id === params.SecurityGroupRuleId)!;
      expect(r).toBeDefined();
      if (params.Priority !== undefined) r.priority = Number(params.Priority);
      if (params.PortRange !== undefined) r.portRange = portsOf(params.PortRange);
      if (params.IpProtocol !== undefined) r.protocol = String(params.IpProtocol).toLowerCase() as SecurityGroupRule['protocol'];
      if (params.SourceCidrIp !== undefined) r.peer = { kind: 'cidr', cidr: String(params.SourceCidrIp), family: 4 };
      if (params.Ipv6SourceCidrIp !== undefined) r.peer = { kind: 'cidr', cidr: String(params.Ipv6SourceCidrIp), family: 6 };
    } else if (api === 'JoinSecurityGroup') {
      const eni = params.NetworkInterfaceId ? s.interfaces.find((e) => e.id === params.NetworkInterfaceId)! : s.interfaces.find((e) => e.type === 'primary')!;
      eni.securityGroupIds.push(String(params.SecurityGroupId));
    } else if (api === 'UpdateNetworkAclEntries') {
      const acl = s.networkAcls.find((a) => a.id === params.NetworkAclId)!;
      for (const dir of ['ingress', 'egress'] as const) {
        if (params[dir === 'ingress' ? 'UpdateIngressAclEntries' : 'UpdateEgressAclEntries'] !== true) continue;
        const items = params[dir === 'ingress' ? 'IngressAclEntries' : 'EgressAclEntries'] as P[];
        const entries: NetworkAclEntry[] = items.map((it, order) => ({
          id: String(it.NetworkAclEntryId ?? `independent-acl-${order}`),
          direction: dir,
          protocol: String(it.Protocol) as NetworkAclEntry['protocol'],
          portRange: portsOf(it.Port),
          cidr: String(it[dir === 'ingress' ? 'SourceCidrIp' : 'DestinationCidrIp']),
          policy: String(it.Policy) as 'accept' | 'drop',
          order,
          entryType: 'custom',
        }));
        if (dir === 'ingress') acl.ingress = entries;
        else acl.egress = entries;
      }
    } else throw new Error(`the independent check does not know ${api}`);
  }
  return s;
}

const isSg = (a: CloudAction): boolean => /SecurityGroup/.test(a.api);

/** The reference decision of the layer(s) the actions change. */
function referenceAfter(snap: CloudSnapshot, flow: Flow, actions: readonly CloudAction[]): 'allow' | 'deny' | 'unknown' {
  const after = applyIndependently(snap, actions);
  const out: string[] = [];
  for (const a of actions) {
    if (isSg(a)) out.push(referenceEvaluate(after, flow).decision);
    if (a.api === 'UpdateNetworkAclEntries') {
      const acl = after.networkAcls.find((x) => x.id === a.params.NetworkAclId)!;
      if (a.params.UpdateIngressAclEntries === true) out.push(referenceAclFirstMatch(acl.ingress, flow.protocol, flow.port, flow.sourceIp).policy === 'accept' ? 'allow' : 'deny');
      if (a.params.UpdateEgressAclEntries === true) out.push(referenceAclAllowedPorts(acl, flow.protocol, flow.sourceIp, 1024, 65535).size === 65535 - 1024 + 1 ? 'allow' : 'deny');
    }
  }
  return out.includes('deny') ? 'deny' : out.length && out.every((d) => d === 'allow') ? 'allow' : 'unknown';
}

/** Other flows to the same address: neighbours of the client, other networks, other ports and protocols. */
function otherFlows(snap: CloudSnapshot, flow: Flow): Flow[] {
  const v6 = flow.sourceIp.includes(':');
  const sources = v6 ? ['2001:db8:1::8', '2001:db8:1::6', '2001:db8:2::1', '2400:3200::1'] : ['203.0.113.8', '203.0.113.6', '203.0.113.200', '198.51.100.77', '8.8.4.4', '1.1.1.1', '192.168.1.10', '10.1.2.3'];
  for (const g of snap.securityGroups) for (const r of g.rules) if (r.peer.kind === 'cidr' && r.peer.family === (v6 ? 6 : 4)) sources.push(r.peer.cidr.split('/')[0]);
  const ports = [flow.port - 1, flow.port + 1, 80, 2222, 65535].filter((p) => p >= 1 && p <= 65535);
  const out: Flow[] = [];
  for (const sourceIp of [flow.sourceIp, ...sources]) {
    for (const protocol of ['tcp', 'udp'] as const) for (const port of [flow.port, ...ports]) {
      if (sourceIp === flow.sourceIp && protocol === flow.protocol && port === flow.port) continue;
      out.push({ ...flow, sourceIp, protocol, port });
    }
    if (sourceIp !== flow.sourceIp || flow.protocol !== 'icmp') out.push({ ...flow, sourceIp, protocol: v6 ? 'icmpv6' : 'icmp', port: -1 });
  }
  return out;
}

/** A flow the fix's security-group changes admit that the reference did not admit before, or null. */
function independentWidening(snap: CloudSnapshot, flow: Flow, actions: readonly CloudAction[]): Flow | null {
  if (!actions.some(isSg)) return null;
  const after = applyIndependently(snap, actions);
  for (const f of otherFlows(snap, flow)) {
    if (referenceEvaluate(after, f).decision === 'allow' && referenceEvaluate(snap, f).decision !== 'allow') return f;
  }
  return null;
}

const offered = (fixes: CloudFixJson[]): CloudFixJson[] => fixes.filter((f) => f.actions.length > 0);

// ---- (a) every denied scenario of the rule-engine suites -------------------------------------------------

describe('proposed fixes for the denied scenarios of the rule-engine suites', () => {
  it('the table holds only flows the cloud denies', () => {
    for (const s of DENIED_SCENARIOS) expect(deniedByCloud(s.snapshot, s.flow), s.name).toBe(true);
  });

  for (const s of DENIED_SCENARIOS) {
    it(`${s.name}: ${s.noNarrowFix ? 'no fix offered (none is narrow)' : 'the fix simulates allow, and an independent re-application agrees'}`, () => {
      const fixes = offered(proposedFixes(s.snapshot, s.flow));
      if (s.noNarrowFix) {
        expect(fixes).toEqual([]);
        return;
      }
      expect(fixes.length, 'at least one proven fix').toBeGreaterThan(0);
      for (const f of fixes) {
        const ctx = `${f.checkId}: ${f.command}`;
        expect(f.simulated.decision, ctx).toBe('allow');
        expect(referenceAfter(s.snapshot, s.flow, f.actions), ctx).toBe('allow');
        expect(independentWidening(s.snapshot, s.flow, f.actions), ctx).toBeNull();
      }
    });
  }
});

// ---- (e) property: generated denied snapshots ----------------------------------------------------------

const CIDRS = [`${CLIENT_IP}/32`, '203.0.113.0/24', '203.0.113.0/25', '0.0.0.0/0', '198.51.100.0/24', '10.0.0.0/8', '203.0.113.8/32'];
const PORTS = ['22/22', '21/23', '80/80', '2222/2222', '1/65535', '-1/-1'];

const ruleArb: fc.Arbitrary<RuleSpec> = fc.record({
  protocol: fc.constantFrom('tcp', 'tcp', 'udp', 'all') as fc.Arbitrary<RuleSpec['protocol']>,
  ports: fc.constantFrom(...PORTS),
  cidr: fc.constantFrom(...CIDRS),
  policy: fc.constantFrom('accept', 'drop') as fc.Arbitrary<'accept' | 'drop'>,
  priority: fc.integer({ min: 1, max: 4 }),
  direction: fc.constantFrom('ingress', 'ingress', 'ingress', 'egress') as fc.Arbitrary<'ingress' | 'egress'>,
});

const snapArb = fc.tuple(fc.array(ruleArb, { maxLength: 5 }), fc.array(ruleArb, { maxLength: 4 }), fc.boolean()).map(([a, b, enterprise]) =>
  snapshot({
    groups: [
      group(
        'sg-a',
        a.map((r) => ({ ...r, ports: r.protocol === 'all' ? '-1/-1' : r.ports === '-1/-1' ? '22/22' : r.ports })),
        { type: enterprise ? 'enterprise' : 'normal' },
      ),
      group(
        'sg-b',
        b.map((r) => ({ ...r, ports: r.protocol === 'all' ? '-1/-1' : r.ports === '-1/-1' ? '22/22' : r.ports })),
        { type: enterprise ? 'enterprise' : 'normal' },
      ),
    ],
  }),
);

describe('property: fixes for generated denied security groups', () => {
  it('every offered fix simulates allow, re-applies to allow independently, and opens nothing else; a drop above priority 1 never leaves the flow without a fix', () => {
    fc.assert(
      fc.property(snapArb, (snap) => {
        const flow = sshFlow();
        const ref = referenceEvaluate(snap, flow);
        fc.pre(ref.decision === 'deny');
        const fixes = offered(proposedFixes(snap, flow));
        for (const f of fixes) {
          expect(f.simulated.decision).toBe('allow');
          expect(referenceAfter(snap, flow, f.actions)).toBe('allow');
          expect(independentWidening(snap, flow, f.actions)).toBeNull();
          // Narrowness of what is added: exactly the client /32, the port and the protocol.
          for (const a of f.actions) {
            if (a.api !== 'AuthorizeSecurityGroup') continue;
            for (const p of a.params.Permissions as P[]) expect([p.SourceCidrIp, p.PortRange, p.IpProtocol]).toEqual([`${CLIENT_IP}/32`, '22/22', 'TCP']);
          }
        }
        // Completeness: a default deny, or a drop that an accept one priority higher can outrank, always has a fix.
        const drop = snap.securityGroups.flatMap((g) => g.rules).find((r) => r.id === ref.ruleId);
        if (ref.ruleId === 'default' || (drop && drop.priority > 1)) expect(fixes.length).toBeGreaterThan(0);
      }),
      { numRuns: 60, seed: 11 },
    );
  }, 240_000);
});

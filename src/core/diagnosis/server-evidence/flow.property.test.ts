// Property tests: random iptables rule sets (also rendered as nftables rulesets) and ufw rule lists (user chains, RETURN, goto, negations, multiport, conntrack
// states, interfaces, ipsets, chain policy) rendered as iptables-save output, parsed by the real parser and
// evaluated per flow, checked against the brute-force reference evaluator in reference.ts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluateFirewallFlow } from './flow';
import { parseIptables } from './iptables';
import { parseNftables } from './nftables';
import { referenceIptables, referenceUfw, renderIptablesSave, renderNftRuleset, renderUfwStatus, type RefIptRule, type RefIptWorld, type RefPacket, type RefUfwRule, type RefUfwWorld } from './reference';
import { parseUfw } from './ufw';

const CIDRS = ['203.0.113.0/24', '203.0.113.7', '203.0.113.128/25', '198.51.100.0/24', '10.0.0.0/8', '0.0.0.0/0', '192.0.2.0/28'];
const SOURCES = ['203.0.113.7', '203.0.113.200', '198.51.100.9', '10.1.2.3', '192.0.2.5', '8.8.4.4'];
const PORTS = [22, 80, 443, 3306, 8080, 8100];
const CHAINS = ['INPUT', 'A', 'B', 'C'];

const portSpec = fc.oneof(
  fc.constantFrom(...PORTS).map((p) => ({ spec: String(p), multi: false })),
  fc.constantFrom('8000:8100', '1:1024', '3000:4000').map((spec) => ({ spec, multi: false })),
  fc.subarray(['22', '80', '443', '8000:8100', '3306'], { minLength: 1 }).map((l) => ({ spec: l.join(','), multi: true })),
);

const rule = (chainIndex: number): fc.Arbitrary<RefIptRule> => {
  const later = CHAINS.slice(chainIndex + 1);
  const targets: fc.Arbitrary<RefIptRule['target']>[] = [fc.constantFrom<RefIptRule['target']>('ACCEPT', 'ACCEPT', 'DROP', 'REJECT', 'RETURN', 'LOG')];
  if (later.length) targets.push(fc.constantFrom(...later).map((c) => ({ jump: c })), fc.constantFrom(...later).map((c) => ({ goto: c })));
  return fc
    .record(
      {
        src: fc.record({ cidr: fc.constantFrom(...CIDRS), neg: fc.boolean() }),
        proto: fc.record({ p: fc.constantFrom<'tcp' | 'udp' | 'icmp' | 'all'>('tcp', 'tcp', 'udp', 'icmp', 'all'), neg: fc.boolean() }),
        dport: fc.record({ port: portSpec, neg: fc.boolean() }),
        state: fc.record({ states: fc.subarray<'NEW' | 'ESTABLISHED' | 'RELATED' | 'INVALID'>(['NEW', 'ESTABLISHED', 'RELATED', 'INVALID'], { minLength: 1 }), neg: fc.boolean() }),
        iface: fc.record({ name: fc.constantFrom<'lo' | 'eth0'>('lo', 'eth0'), neg: fc.boolean() }),
        set: fc.record({ name: fc.constantFrom<'blocklist' | 'office'>('blocklist', 'office'), neg: fc.boolean() }),
        target: fc.oneof(...targets),
      },
      { requiredKeys: ['target'] },
    )
    .map((r) => {
      const out: RefIptRule = { target: r.target };
      if (r.src) out.src = r.src;
      // --dport needs a positive -p tcp/udp (iptables refuses it otherwise).
      if (r.dport && r.proto && (r.proto.p === 'tcp' || r.proto.p === 'udp') && !r.proto.neg) {
        out.proto = r.proto;
        out.dport = { spec: r.dport.port.spec, multi: r.dport.port.multi, neg: r.dport.neg };
      } else if (r.proto) out.proto = r.proto;
      if (r.state) out.state = r.state;
      if (r.iface) out.iface = r.iface;
      if (r.set) out.set = r.set;
      return out;
    });
};

/** Worlds without unknown contents (no -i other than lo, no ipsets): every decision must be exact. */
const world = (opts: { unknowns: boolean }): fc.Arbitrary<RefIptWorld> =>
  fc
    .record({
      policy: fc.constantFrom<'ACCEPT' | 'DROP'>('ACCEPT', 'DROP'),
      chains: fc.tuple(...CHAINS.map((_, i) => fc.array(rule(i), { maxLength: i === 0 ? 8 : 4 }))),
    })
    .map(({ policy, chains }) => ({
      policy,
      chains: CHAINS.map((name, i) => ({
        name,
        rules: chains[i].map((r) => {
          if (opts.unknowns) return r;
          const { set: _s, ...rest } = r;
          return rest.iface && rest.iface.name !== 'lo' ? { ...rest, iface: { name: 'lo' as const, neg: rest.iface.neg } } : rest;
        }),
      })),
    }));

const packet = (withUnknownSource: boolean): fc.Arbitrary<RefPacket> =>
  fc.record({
    source: withUnknownSource ? fc.option(fc.constantFrom(...SOURCES), { nil: null, freq: 2 }) : fc.constantFrom(...SOURCES),
    protocol: fc.constantFrom<'tcp' | 'udp'>('tcp', 'tcp', 'udp'),
    port: fc.constantFrom(...PORTS),
  });

function real(w: RefIptWorld, p: RefPacket) {
  const fact = parseIptables(renderIptablesSave(w), [p.port]);
  if (!fact) throw new Error('the rendered output did not parse');
  return evaluateFirewallFlow(fact, { sourceIp: p.source, protocol: p.protocol, port: p.port });
}

describe('iptables per-flow evaluation agrees with the reference', () => {
  it('known source, no unknown contents: the same decision, action and deciding rule', () => {
    fc.assert(
      fc.property(world({ unknowns: false }), packet(false), (w, p) => {
        const ref = referenceIptables(w, p);
        const got = real(w, p);
        expect(got.decision).toBe(ref.decision);
        if (ref.decision === 'unknown') return;
        expect(got.action).toBe(ref.action);
        // An INPUT with no rules and policy ACCEPT is "not active"; otherwise the policy is named.
        if (ref.by === 'policy') expect(got.decidedBy?.text).toBe(w.policy === 'ACCEPT' && !w.chains[0].rules.length ? 'iptables is not active' : `INPUT policy ${w.policy}`);
        else expect(got.decidedBy).toMatchObject({ kind: 'rule', chain: ref.by.chain, index: ref.by.index });
        expect(got.mayMatch).toEqual([]);
      }),
      { numRuns: 600 },
    );
  });

  it('unknown source, interfaces and ipsets: a certain answer is always the reference’s; an unknown reference is never decided', () => {
    let exact = 0;
    let total = 0;
    fc.assert(
      fc.property(world({ unknowns: true }), packet(true), (w, p) => {
        const ref = referenceIptables(w, p);
        const got = real(w, p);
        total++;
        if (got.decision === ref.decision) exact++;
        if (got.decision !== 'unknown') {
          expect(ref.decision).toBe(got.decision);
        }
        if (ref.decision === 'unknown') expect(got.decision).toBe('unknown');
        if (got.decision === 'unknown') expect(got.mayMatch.length + (got.candidates?.some((c) => c.action === 'unknown') ? 1 : 0)).toBeGreaterThan(0);
      }),
      { numRuns: 600 },
    );
    // Three-valued walking loses precision only when one unknown is met twice (correlated): rare.
    expect(exact / total).toBeGreaterThan(0.9);
  });

  it('unknown source, no other unknowns: exactly the reference (unknown only when sources really differ)', () => {
    fc.assert(
      fc.property(world({ unknowns: false }), packet(true), (w, p) => {
        const ref = referenceIptables(w, p);
        const got = real(w, p);
        expect(got.decision).toBe(ref.decision);
        if (ref.decision !== 'unknown') expect(got.action === 'accept').toBe(ref.action === 'accept');
      }),
      { numRuns: 500 },
    );
  });

  it('an unknown source only matters when a rule on the path tests it', () => {
    fc.assert(
      fc.property(world({ unknowns: false }), packet(false), (w, p) => {
        const noSrc: RefIptWorld = { ...w, chains: w.chains.map((c) => ({ ...c, rules: c.rules.map(({ src: _s, ...r }) => r) })) };
        const known = real(noSrc, p);
        const unknown = real(noSrc, { ...p, source: null });
        expect(unknown.decision).toBe(known.decision);
        expect(unknown.decidedBy).toEqual(known.decidedBy);
      }),
      { numRuns: 300 },
    );
  });
});

const ufwRule: fc.Arbitrary<RefUfwRule> = fc
  .record({
    ports: fc.oneof(fc.constantFrom(...PORTS).map(String), fc.constantFrom('8000:8100', '1:1024', '80,443', '22,3306,8000:8100')),
    proto: fc.constantFrom<'tcp' | 'udp' | undefined>('tcp', 'tcp', 'udp', undefined),
    action: fc.constantFrom<RefUfwRule['action']>('ALLOW', 'ALLOW', 'DENY', 'REJECT', 'LIMIT'),
    from: fc.constantFrom('Anywhere', 'Anywhere', ...CIDRS.filter((c) => c !== '0.0.0.0/0')),
    v6: fc.boolean(),
  })
  // ufw needs a protocol for ranges and lists.
  .map((r) => ({ ...r, proto: /[:,]/.test(r.ports) ? (r.proto ?? 'tcp') : r.proto }));

const ufwWorld: fc.Arbitrary<RefUfwWorld> = fc.record({ defaultIncoming: fc.constantFrom<'allow' | 'deny' | 'reject'>('allow', 'deny', 'deny', 'reject'), rules: fc.array(ufwRule, { maxLength: 10 }) });

describe('ufw per-flow evaluation agrees with the reference', () => {
  it('same decision, action and deciding rule; an unknown source is unknown exactly when the reference says so', () => {
    fc.assert(
      fc.property(ufwWorld, packet(true), (w, p) => {
        const fact = parseUfw(renderUfwStatus(w), [p.port]);
        if (!fact) throw new Error('the rendered status did not parse');
        const got = evaluateFirewallFlow(fact, { sourceIp: p.source, protocol: p.protocol, port: p.port });
        const ref = referenceUfw(w, p);
        expect(got.decision).toBe(ref.decision);
        if (ref.decision === 'unknown' || p.source === null) return;
        expect(got.action).toBe(ref.action);
        if (ref.by === 'policy') expect(got.decidedBy?.kind).toBe('policy');
        else expect(got.decidedBy).toMatchObject({ kind: 'rule', index: ref.by.index });
      }),
      { numRuns: 800 },
    );
  });
});

describe('nftables per-flow evaluation agrees with the reference (the same worlds as an inet table)', () => {
  const nftReal = (w: RefIptWorld, p: RefPacket) => {
    const fact = parseNftables(renderNftRuleset(w), [p.port]);
    if (!fact) throw new Error('the rendered ruleset did not parse');
    return evaluateFirewallFlow(fact, { sourceIp: p.source, protocol: p.protocol, port: p.port });
  };

  it('known source, no unknown contents: the same decision, action and deciding rule', () => {
    fc.assert(
      fc.property(world({ unknowns: false }), packet(false), (w, p) => {
        const ref = referenceIptables(w, p);
        const got = nftReal(w, p);
        expect(got.decision).toBe(ref.decision);
        if (ref.decision === 'unknown') return;
        expect(got.action).toBe(ref.action);
        if (ref.by === 'policy') expect(got.decidedBy).toMatchObject({ kind: 'policy', text: `inet t INPUT policy ${w.policy.toLowerCase()}` });
        else expect(got.decidedBy).toMatchObject({ kind: 'rule', chain: `inet t ${ref.by.chain}`, index: ref.by.index });
      }),
      { numRuns: 500 },
    );
  });

  it('unknowns: a certain answer is always the reference’s; an unknown reference is never decided', () => {
    fc.assert(
      fc.property(world({ unknowns: true }), packet(true), (w, p) => {
        const ref = referenceIptables(w, p);
        const got = nftReal(w, p);
        if (got.decision !== 'unknown') expect(ref.decision).toBe(got.decision);
        if (ref.decision === 'unknown') expect(got.decision).toBe('unknown');
      }),
      { numRuns: 500 },
    );
  });
});

// The diagnosis invariants over generated situations: any mix of probe outcome, instance state, public
// path, rules, client-side evidence and server evidence, evaluated with the real rule engine, must give a
// checklist with no contradicting failures, inferences that fail only on true premises, and a verdict
// whose confidence is high only when what it depends on was decided.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CloudSnapshot, Eip } from '../cloud/model';
import { evaluateNetworkAcl } from '../rules/networkAcl';
import { evaluateSecurityGroups } from '../rules/securityGroups';
import { runChecks } from './checks';
import { contradictions } from './invariants';
import { evaluateCloud } from './run';
import { client, evidence, IDS, report, rule, snapshot, sshBanner, tcp, traceFact } from './testing/builders';
import type { DiagnosisFacts } from './facts';
import { decideVerdict } from './verdict';

const OTHER_HOST = '47.96.99.99';

const arbSituation = fc.record({
  probe: fc.constantFrom('open', 'refused', 'timeout', 'host-prohibited', 'local-eperm'),
  probedOther: fc.boolean(),
  status: fc.constantFrom('Running', 'Stopped'),
  locks: fc.constantFrom<string[][]>([], ['financial'], ['security']),
  publicPath: fc.constantFrom('public-ip', 'no-public', 'zero-bandwidth', 'eip-ok', 'eip-locked', 'eip-unbound'),
  rules: fc.constantFrom('allow-me', 'allow-any', 'none', 'egress-only', 'drop-first', 'other-source'),
  port: fc.constantFrom(22, 445, 3389),
  egress: fc.constantFrom<'known' | 'unknown' | 'user'>('known', 'unknown', 'user'),
  control: fc.constantFrom('ok', 'fails', 'none'),
  server: fc.constantFrom('none', 'fw-allows', 'fw-drops', 'not-listening', 'loopback'),
  cloud: fc.constantFrom('api', 'none'),
  trace: fc.constantFrom('none', 'tcp-own', 'tcp-beyond', 'tcp-reached', 'udp-own', 'udp-reached'),
});

type Situation = typeof arbSituation extends fc.Arbitrary<infer T> ? T : never;

function build(s: Situation): DiagnosisFacts {
  const address = s.probedOther ? OTHER_HOST : IDS.publicIp;
  const fact =
    s.probe === 'open'
      ? tcp('open', 'syn-ack', { port: s.port, address, banner: sshBanner() })
      : s.probe === 'refused'
        ? tcp('closed', 'conn-refused', { port: s.port, address, errno: 'ECONNREFUSED' })
        : s.probe === 'timeout'
          ? tcp('filtered', 'no-response', { port: s.port, address })
          : s.probe === 'host-prohibited'
            ? tcp('filtered', 'host-unreach', { port: s.port, address, errno: 'EHOSTUNREACH' })
            : tcp('filtered', 'admin-prohibited', { port: s.port, address, errno: 'EPERM' });
  const control = s.control === 'none' ? [] : [{ host: 'control.test', port: s.port, state: s.control === 'ok' ? ('open' as const) : ('filtered' as const), reason: s.control === 'ok' ? ('syn-ack' as const) : ('no-response' as const), rttMs: 20 }];
  const probes = report([fact], { client: client({ egress: s.egress === 'known' ? IDS.clientIp : null, control }) });
  const me = { kind: 'cidr' as const, cidr: `${IDS.clientIp}/32`, family: 4 as const };
  const any = { kind: 'cidr' as const, cidr: '0.0.0.0/0', family: 4 as const };
  const ports = { portRange: { from: s.port, to: s.port }, rawPortRange: `${s.port}/${s.port}` };
  const rules = {
    'allow-me': [rule('r1', { ...ports, peer: me })],
    'allow-any': [rule('r1', { ...ports, peer: any })],
    none: [],
    'egress-only': [rule('r1', { ...ports, direction: 'egress', peer: any })],
    'drop-first': [rule('r1', { ...ports, peer: any, priority: 10 }), rule('r2', { ...ports, peer: any, policy: 'drop', priority: 1 })],
    'other-source': [rule('r1', { ...ports, peer: { kind: 'cidr', cidr: '198.51.100.23/32', family: 4 } })],
  }[s.rules];
  const noPublic = s.publicPath === 'no-public';
  const eipPath = s.publicPath.startsWith('eip');
  let snap: CloudSnapshot = snapshot({ status: s.status, locks: s.locks, rules, publicIp: noPublic || eipPath ? null : IDS.publicIp, bandwidth: s.publicPath === 'zero-bandwidth' ? 0 : noPublic || eipPath ? 0 : 5 });
  if (eipPath) {
    const eip: Eip = { allocationId: 'eip-bp1diag0000001', ipAddress: IDS.publicIp, status: s.publicPath === 'eip-unbound' ? 'Available' : 'InUse', businessStatus: s.publicPath === 'eip-locked' ? 'FinancialLocked' : 'Normal', bandwidthMbps: 5, ...(s.publicPath === 'eip-unbound' ? {} : { instanceId: IDS.instance }), instanceType: 'EcsInstance', region: IDS.region };
    snap = { ...snap, instance: { ...snap.instance!, eipAddress: s.publicPath === 'eip-unbound' ? undefined : IDS.publicIp, eipAllocationId: eip.allocationId }, eips: [eip], interfaces: snap.interfaces.map((e) => ({ ...e, publicIp: s.publicPath === 'eip-unbound' ? undefined : IDS.publicIp })) };
  }
  const server =
    s.server === 'none'
      ? null
      : evidence({
          listeners: s.server === 'not-listening' ? [] : [{ protocol: 'tcp', address: s.server === 'loopback' ? '127.0.0.1' : '0.0.0.0', port: s.port, process: 'svc' }],
          firewall: [{ kind: 'ufw', active: true, allowsPort: { [`${s.port}/tcp`]: s.server !== 'fw-drops' }, defaultInbound: 'drop', details: [] }],
          sshd: undefined,
        });
  const target = { host: address, port: s.port, protocol: 'tcp' as const, service: s.port === 22 ? 'ssh' : undefined };
  const cloud = s.cloud === 'none' ? { mode: 'none' as const, snapshot: null, flow: null, securityGroups: null, networkAcl: null } : evaluateCloud({ evaluateSecurityGroups, evaluateNetworkAcl }, 'api', snap, target, probes, s.egress === 'user' ? IDS.clientIp : undefined);
  const [method, where] = s.trace.split('-') as ['tcp' | 'udp' | 'none', 'own' | 'beyond' | 'reached' | undefined];
  const hops = where === 'own' ? ['192.168.1.1', null, null] : where === 'beyond' ? ['192.168.1.1', '61.1.2.3', null] : [ '192.168.1.1', '61.1.2.3', address];
  const trace = method === 'none' ? undefined : traceFact(method === 'tcp' ? 'tcp-syn' : 'udp', hops, { target: address, targetAddress: address, reached: where === 'reached', ...(method === 'tcp' ? { port: s.port } : {}) });
  return { target, probes, cloud, server, ...(trace ? { trace } : {}) };
}

describe('diagnosis invariants over generated situations', () => {
  it('no two failed checks contradict each other, and the verdict blocks only on failed checks', () => {
    fc.assert(
      fc.property(arbSituation, (s) => {
        const f = build(s);
        const checks = runChecks(f);
        const v = decideVerdict(f, checks);
        expect(contradictions(checks, v), JSON.stringify(s)).toEqual([]);
      }),
      { numRuns: 600, seed: 8 },
    );
  });

  it('an inferred failure shows every premise it rests on as established', () => {
    fc.assert(
      fc.property(arbSituation, (s) => {
        const checks = runChecks(build(s));
        for (const c of checks.filter((x) => x.status === 'fail' && x.condition.startsWith('inferred-'))) {
          const premises = c.evidence.filter((e) => e.path.startsWith('/premises/'));
          expect(premises.length, `${c.id} ${JSON.stringify(s)}`).toBeGreaterThan(0);
          // Established (✓), or not known and not needed (·): never false (✗) nor needed-but-unknown (?).
          for (const p of premises) expect(/^[✓·] /.test(p.summary), `${c.id}: ${p.summary}`).toBe(true);
        }
      }),
      { numRuns: 600, seed: 9 },
    );
  });

  it('a high-confidence verdict never rests on an undecided cloud when it blames the cloud', () => {
    fc.assert(
      fc.property(arbSituation, (s) => {
        const f = build(s);
        const v = decideVerdict(f, runChecks(f));
        if (v.confidence === 'high' && v.locus === 'network') {
          expect(f.cloud?.snapshot, JSON.stringify(s)).not.toBeNull();
          expect(v.reasoning.some((r) => r.en.startsWith('(not established')), JSON.stringify(s)).toBe(false);
        }
      }),
      { numRuns: 400, seed: 10 },
    );
  });

  it('detects a contradiction when one is planted (the invariant can fail)', () => {
    const f = build({ probe: 'timeout', probedOther: false, status: 'Running', locks: [], publicPath: 'public-ip', rules: 'none', port: 22, egress: 'known', control: 'ok', server: 'none', cloud: 'api', trace: 'none' });
    const checks = runChecks(f);
    const planted = checks.map((c) => (c.id === 'os.firewall' ? { ...c, status: 'fail' as const, condition: 'inferred-silent-drop' } : c));
    expect(contradictions(planted).join('\n')).toMatch(/os\.firewall.*sg\.inbound-rule/);
  });

  it('detects a planted contradiction with the path trace (a failed trace beside an inference from reaching the host)', () => {
    const f = build({ probe: 'timeout', probedOther: false, status: 'Running', locks: [], publicPath: 'public-ip', rules: 'allow-me', port: 22, egress: 'known', control: 'none', server: 'none', cloud: 'api', trace: 'tcp-beyond' });
    const checks = runChecks(f);
    expect(checks.find((c) => c.id === 'os.firewall')).toMatchObject({ status: 'fail', condition: 'inferred-silent-drop' });
    const planted = checks.map((c) => (c.id === 'path.trace' ? { ...c, status: 'fail' as const, condition: 'tcp-stops-in-own-network' } : c));
    expect(contradictions(planted).join('\n')).toMatch(/os\.firewall.*path\.trace/);
  });
});

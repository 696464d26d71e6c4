// The path trace in the checklist and the verdict (issue 12): the check fails only for a TCP SYN trace to the
// diagnosed port that stops inside the user's own network; other protocols only corroborate; the verdict
// rules (a) own network → client, (b) beyond + configuration denies → network with the configuration rule,
// (c) reached host + timeout → the host or its security group.
import { describe, expect, it } from 'vitest';
import type { ControlProbeFact } from '../../probe/types';
import type { TraceFact, TraceHop } from '../../probe/trace/types';
import { runChecks } from '.';
import { contradictions } from '../invariants';
import type { DiagnosisFacts } from '../facts';
import { client, facts, IDS, report, rule, sgDeny, snapshot, tcp } from '../testing/builders';
import { decideVerdict } from '../verdict';

const hop = (ttl: number, address: string | null): TraceHop => ({ ttl, address, rttMs: address ? [1.5, 1.7] : [], sent: 2, loss: address ? 0 : 1 });

function trace(method: TraceFact['method'], addrs: (string | null)[], o: Partial<TraceFact> = {}): TraceFact {
  const hops = addrs.map((a, i) => hop(i + 1, a));
  return {
    method, tool: 'traceroute', target: IDS.publicIp, targetAddress: IDS.publicIp, hops, reached: addrs.includes(IDS.publicIp),
    maxHops: 30, durationMs: 4200, startedAt: '2026-12-02T23:00:00.000Z', ...(method === 'tcp-syn' ? { port: 22 } : {}), ...o,
  };
}

const OWN_STOP = ['192.168.1.1', '10.8.0.1', null, null, null];
const BEYOND_STOP = ['192.168.1.1', '100.64.3.1', '61.1.2.3', '47.96.0.1', null, null];
const REACHED = ['192.168.1.1', '61.1.2.3', IDS.publicIp];

const controls = {
  none: [] as ControlProbeFact[],
  ok: [{ host: 'control.example', port: 22, state: 'open' as const, reason: 'syn-ack' as const, rttMs: 20 }],
  fails: [{ host: 'control.example', port: 22, state: 'filtered' as const, reason: 'no-response' as const, rttMs: null }],
};

function situation(o: { trace?: TraceFact | null; control?: keyof typeof controls; cloud?: 'allow' | 'deny' | 'none'; state?: 'timeout' | 'open' }): DiagnosisFacts {
  const fact = o.state === 'open' ? tcp('open', 'syn-ack') : tcp('filtered', 'no-response');
  const probes = report([fact], { client: client({ control: controls[o.control ?? 'none'] }) });
  const f =
    o.cloud === 'none'
      ? facts({ probes, snapshot: null })
      : o.cloud === 'deny'
        ? facts({ probes, snapshot: snapshot({ rules: [] }), sg: sgDeny() })
        : facts({ probes, snapshot: snapshot({ rules: [rule('r1', { portRange: { from: 22, to: 22 }, rawPortRange: '22/22' })] }) });
  return o.trace === undefined ? f : { ...f, trace: o.trace };
}

const run = (f: DiagnosisFacts) => {
  const checks = runChecks(f);
  const verdict = decideVerdict(f, checks);
  expect(contradictions(checks, verdict)).toEqual([]);
  return { check: checks.find((c) => c.id === 'path.trace'), verdict, checks };
};

describe('path.trace check', () => {
  it('is in the checklist only when a trace was asked for', () => {
    expect(run(situation({ control: 'none', cloud: 'allow' })).check).toBeUndefined();
    expect(run(situation({ trace: trace('none', [], { error: { kind: 'no-tool', detail: 'no trace tool found' } }) })).check).toMatchObject({ status: 'unknown', condition: 'no-tool' });
  });

  it('a TCP SYN trace that stops in the own network fails; the evidence lists every hop with its class', () => {
    const { check } = run(situation({ trace: trace('tcp-syn', OWN_STOP), cloud: 'none' }));
    expect(check).toMatchObject({ status: 'fail', condition: 'tcp-stops-in-own-network', layer: 'network' });
    expect(check!.finding.en).toContain('10.8.0.1 (TTL 2)');
    expect(check!.evidence.map((e) => e.summary)).toEqual([
      expect.stringContaining('tcp-syn to port 22 (traceroute)'),
      expect.stringMatching(/^1 {2}192\.168\.1\.1 .*private, your network/),
      expect.stringMatching(/^2 {2}10\.8\.0\.1 .*private, your network/),
      '3  *  (no answer)',
      '4  *  (no answer)',
      '5  *  (no answer)',
    ]);
    expect(check!.fixes.length).toBeGreaterThan(0);
  });

  it('a control host answering on the same port makes an own-network stop unknown (not a block of the port)', () => {
    expect(run(situation({ trace: trace('tcp-syn', OWN_STOP), control: 'ok' })).check).toMatchObject({ status: 'unknown', condition: 'own-network-stop-control-ok' });
  });

  it('a UDP or ICMP trace never fails the check: it says it is another protocol', () => {
    for (const m of ['udp', 'icmp'] as const) {
      const { check, verdict } = run(situation({ trace: trace(m, OWN_STOP), cloud: 'none' }));
      expect(check).toMatchObject({ status: 'warn', condition: 'other-protocol-stops-in-own-network' });
      expect(check!.finding.en).toContain('it can only corroborate');
      expect(verdict.ruleId).not.toBe('trace-stops-in-own-network');
    }
  });

  it('a private target cannot tell the own network from the target’s unless the user names their networks', () => {
    const priv = trace('tcp-syn', ['10.0.0.1', '10.0.1.1', null], { targetAddress: '10.9.9.9', target: '10.9.9.9' });
    const unknownSide = run(situation({ trace: priv })).check;
    expect(unknownSide).toMatchObject({ status: 'unknown', condition: 'private-target' });
    expect(unknownSide!.finding.en).not.toMatch(/--|tcp-syn|own-network/);
    expect(run(situation({ trace: { ...priv, ownNetworks: ['10.0.0.0/24'] } })).check).toMatchObject({ status: 'pass', condition: 'beyond-own-network-tcp' });
    expect(run(situation({ trace: { ...priv, ownNetworks: ['10.0.0.0/16'] }, cloud: 'none' })).check).toMatchObject({ status: 'fail', condition: 'tcp-stops-in-own-network' });
  });

  it('passes when the probes get beyond the own network or reach the server', () => {
    expect(run(situation({ trace: trace('tcp-syn', BEYOND_STOP) })).check).toMatchObject({ status: 'pass', condition: 'beyond-own-network-tcp' });
    expect(run(situation({ trace: trace('udp', BEYOND_STOP) })).check).toMatchObject({ status: 'pass', condition: 'beyond-own-network-other-protocol' });
    const reached = run(situation({ trace: trace('tcp-syn', REACHED) })).check;
    expect(reached).toMatchObject({ status: 'pass', condition: 'reached-tcp' });
    expect(reached!.evidence.at(-1)?.summary).toBe(`3  ${IDS.publicIp}  1.5/1.7 ms  (public, the server)`);
    expect(reached!.evidence[0].summary).toContain('target answered, 3 hops');
    expect(run(situation({ trace: trace('icmp', REACHED) })).check).toMatchObject({ status: 'pass', condition: 'reached-other-protocol' });
    expect(run(situation({ trace: trace('tcp-syn', [null, null, null]) })).check).toMatchObject({ status: 'unknown', condition: 'no-hop-answered' });
  });
});

describe('the verdict with a trace', () => {
  it('(a) TCP SYNs stop in the own network → client; one step less sure without a control probe', () => {
    const { verdict } = run(situation({ trace: trace('tcp-syn', OWN_STOP), cloud: 'allow' }));
    expect(verdict).toMatchObject({ locus: 'client', ruleId: 'trace-stops-in-own-network', confidence: 'medium' });
    expect(verdict.blockingCheckIds[0]).toBe('path.trace');
    expect(verdict.reasoning.map((r) => r.en).join('\n')).toContain('not established: no same-port control probe');
  });

  it('(a) with the control host failing on the same port too → client, high (the control rule decides, the trace corroborates)', () => {
    const { verdict } = run(situation({ trace: trace('tcp-syn', OWN_STOP), control: 'fails', cloud: 'allow' }));
    expect(verdict).toMatchObject({ locus: 'client', ruleId: 'control-same-port-fails', confidence: 'high' });
    expect(verdict.reasoning.map((r) => r.en).join('\n')).toContain('Path trace: TCP SYNs to port 22 stop inside your own network');
  });

  it('(a) with a control host answering on the same port → not a client verdict', () => {
    const { verdict } = run(situation({ trace: trace('tcp-syn', OWN_STOP), control: 'ok', cloud: 'allow' }));
    expect(verdict.locus).not.toBe('client');
  });

  it('(a) the configuration denying as well: the first block on the path is the client’s, the configuration is listed', () => {
    const { verdict } = run(situation({ trace: trace('tcp-syn', OWN_STOP), cloud: 'deny' }));
    expect(verdict).toMatchObject({ locus: 'client', ruleId: 'trace-stops-in-own-network' });
    expect(verdict.blockingCheckIds).toContain('sg.inbound-rule');
  });

  it('(b) beyond the own network while the configuration denies → network with the configuration rule; the trace corroborates', () => {
    const { verdict } = run(situation({ trace: trace('tcp-syn', BEYOND_STOP), cloud: 'deny' }));
    expect(verdict).toMatchObject({ locus: 'network', ruleId: 'security-group-denies', confidence: 'high' });
    expect(verdict.reasoning.map((r) => r.en).join('\n')).toContain('Path trace: TCP SYNs to port 22 get out of your network: the last hop that answers is 47.96.0.1 (TTL 4)');
  });

  it('a TCP SYN trace that got out of the own network stands for the control probe: cloud allows + timeout → the server', () => {
    const without = run(situation({ cloud: 'allow' })).verdict;
    expect(without).toMatchObject({ locus: 'inconclusive', ruleId: 'timeout-cloud-allows' });
    const { verdict, checks } = run(situation({ trace: trace('tcp-syn', BEYOND_STOP), cloud: 'allow' }));
    expect(verdict).toMatchObject({ locus: 'server', ruleId: 'timeout-cloud-allows' });
    expect(checks.find((c) => c.id === 'os.firewall')?.status).toBe('fail');
    // A UDP trace is another protocol: it does not stand for the control probe.
    expect(run(situation({ trace: trace('udp', BEYOND_STOP), cloud: 'allow' })).verdict).toMatchObject({ locus: 'inconclusive', ruleId: 'timeout-cloud-allows' });
  });

  it('(c) the trace reaches the host while TCP times out, no cloud data → the host or its security group, never the network on the way', () => {
    const tcpReached = run(situation({ trace: trace('tcp-syn', REACHED), cloud: 'none' })).verdict;
    expect(tcpReached).toMatchObject({ locus: 'inconclusive', ruleId: 'trace-reached-host', confidence: 'low' });
    expect(tcpReached.summary.en).toContain('its security group or the server’s own firewall');
    const udpReached = run(situation({ trace: trace('udp', REACHED), cloud: 'none' })).verdict;
    expect(udpReached).toMatchObject({ ruleId: 'trace-reached-host' });
    expect(udpReached.reasoning.map((r) => r.en).join('\n')).toContain('not established');
    // Without a trace the same probes say less.
    expect(run(situation({ cloud: 'none' })).verdict.ruleId).toBe('timeout-without-cloud');
  });

  it('an open port with a trace stays "reachable"', () => {
    const { verdict } = run(situation({ trace: trace('tcp-syn', REACHED), state: 'open', control: 'ok' }));
    expect(verdict.locus).toBe('none');
  });
});

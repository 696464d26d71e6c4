// The path trace wired through the shells, with the trace engine injected (the real one runs in the lab
// tests): runProbe traces the first address after the probes (TCP SYN port: the first that did not connect),
// runDiagnosis traces the instance address to the diagnosed port after the probes, streams trace-hop events
// and puts the result in Diagnosis.trace; cancellation during the trace rejects; the CLI options. (The app's
// side: src/renderer/src/trace.test.ts.)
import { describe, expect, it } from 'vitest';
import { traceFromOptions } from '../src/cli/commands/probe';
import { importSnapshot } from '../src/core/cloud/alicloud/import';
import { runDiagnosis, type DiagnoseDeps } from '../src/core/diagnosis/run';
import { IDS, report, rule, snapshot, tcp, traceFact } from '../src/core/diagnosis/testing/builders';
import type { DiagnosisEvent } from '../src/core/diagnosis/types';
import { defaultProbeRequest, runProbe, validateTraceRequest } from '../src/core/probe/run';
import type { TraceOptions } from '../src/core/probe/trace/run';
import type { TraceFact } from '../src/core/probe/trace/types';
import { createServer, type AddressInfo } from 'node:net';
import type { ProbeEvent } from '../src/core/probe/types';
import { evaluateNetworkAcl } from '../src/core/rules/networkAcl';
import { evaluateSecurityGroups } from '../src/core/rules/securityGroups';

const HOPS = ['192.168.1.1', '61.1.2.3', null, null];

/** A stand-in trace engine that records how it was called and reports each hop through onHop. */
function fakeTrace(calls: { target: string; opts: TraceOptions }[], delayMs = 0) {
  return async (target: string, opts: TraceOptions = {}): Promise<TraceFact> => {
    calls.push({ target, opts });
    const f = traceFact(opts.port !== undefined ? 'tcp-syn' : 'udp', HOPS, { target, targetAddress: target, ...(opts.port !== undefined ? { port: opts.port } : {}) });
    for (const h of f.hops) opts.onHop?.(h);
    if (delayMs) {
      await new Promise<void>((resolve) => {
        if (opts.signal?.aborted) return resolve();
        const t = setTimeout(resolve, delayMs);
        opts.signal?.addEventListener('abort', () => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return opts.signal?.aborted ? { ...f, stopped: 'cancelled' } : f;
  };
}

/** A listening loopback port and a closed one (the probes stay on 127.0.0.1). */
async function loopbackPorts(): Promise<{ open: number; closed: number; close: () => void }> {
  const srv = createServer((s) => s.destroy());
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const closed = (probe.address() as AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
  return { open: (srv.address() as AddressInfo).port, closed, close: () => srv.close() };
}

describe('runProbe with a trace', () => {
  it('traces the first address after the probes, to the first port that did not connect; progress events per hop', async () => {
    const calls: { target: string; opts: TraceOptions }[] = [];
    const events: ProbeEvent[] = [];
    const lo = await loopbackPorts();
    const req = defaultProbeRequest({ host: '127.0.0.1', ports: [lo.open, lo.closed], banners: false, attempts: 1, trace: { ownNetworks: ['192.168.0.0/16'], timeoutMs: 5000 } });
    const r = await runProbe(req, { probes: { runTrace: fakeTrace(calls) }, onEvent: (e) => events.push(e) }).finally(lo.close);
    expect(calls).toHaveLength(1);
    expect(calls[0].target).toBe('127.0.0.1');
    expect(calls[0].opts).toMatchObject({ port: lo.closed, timeoutMs: 5000 });
    expect(r.trace).toMatchObject({ method: 'tcp-syn', port: lo.closed, ownNetworks: ['192.168.0.0/16'] });
    expect(events.filter((e) => e.type === 'trace-hop')).toHaveLength(HOPS.length);
    const kinds = events.map((e) => e.type);
    // After every TCP result.
    expect(kinds.indexOf('trace-phase')).toBeGreaterThan(kinds.lastIndexOf('tcp-port'));
    expect(r.timings.phasesMs.trace).toBeGreaterThanOrEqual(0);
  });

  it('no trace unless asked; a bad trace request is refused before any packet', async () => {
    const calls: { target: string; opts: TraceOptions }[] = [];
    const lo = await loopbackPorts();
    const r = await runProbe(defaultProbeRequest({ host: '127.0.0.1', ports: [lo.open], banners: false, attempts: 1 }), { probes: { runTrace: fakeTrace(calls) } }).finally(lo.close);
    expect(calls).toHaveLength(0);
    expect(r.trace).toBeUndefined();
    await expect(runProbe(defaultProbeRequest({ host: '127.0.0.1', ports: [22], trace: { maxHops: 31 } }))).rejects.toThrow(/hops must be from 1 to 30/);
    expect(validateTraceRequest({ ownNetworks: ['10.0.0.0/8', 'nonsense'] })).toMatch(/"nonsense" is not an address or CIDR/);
    expect(validateTraceRequest({ timeoutMs: 500 })).toMatch(/1000 to 180000/);
    expect(validateTraceRequest({ port: 22, maxHops: 30, timeoutMs: 60_000, ownNetworks: ['fd00::/8', '192.0.2.1'] })).toBeNull();
  });
});

function deps(over: Partial<DiagnoseDeps> = {}): DiagnoseDeps {
  return {
    runProbe: async () => report([tcp('filtered', 'no-response')]),
    readCloudSnapshot: async () => snapshot({ rules: [rule('sgr-ssh', { portRange: { from: 22, to: 22 }, rawPortRange: '22/22' })] }),
    importSnapshot: (i) => importSnapshot(i),
    evaluateSecurityGroups,
    evaluateNetworkAcl: (s, f) => evaluateNetworkAcl(s, f),
    ...over,
  };
}
const request = {
  target: { host: IDS.publicIp, port: 22, protocol: 'tcp' as const, service: 'ssh', instanceId: IDS.instance },
  probe: defaultProbeRequest({ host: IDS.publicIp, ports: [22] }),
  cloud: { mode: 'api' as const, instanceId: IDS.instance, region: IDS.region },
};

describe('runDiagnosis with a trace', () => {
  it('traces the instance address to the diagnosed port after the probes; Diagnosis.trace, path.trace, events', async () => {
    const calls: { target: string; opts: TraceOptions }[] = [];
    const events: DiagnosisEvent[] = [];
    const d = await runDiagnosis({ ...request, trace: { ownNetworks: ['192.168.1.0/24'] } }, { deps: deps({ runTrace: fakeTrace(calls) }), onEvent: (e) => events.push(e) });
    expect(calls).toEqual([{ target: IDS.publicIp, opts: expect.objectContaining({ port: 22 }) }]);
    expect(d.trace).toMatchObject({ method: 'tcp-syn', port: 22, ownNetworks: ['192.168.1.0/24'] });
    expect(d.checks.find((c) => c.id === 'path.trace')).toMatchObject({ status: 'pass', condition: 'beyond-own-network-tcp' });
    const kinds = events.map((e) => (e.type === 'stage' ? `${e.stage}:${e.status}` : e.type));
    expect(kinds.indexOf('trace')).toBeGreaterThan(kinds.indexOf('probe:done'));
    expect(kinds.filter((k) => k === 'trace-hop')).toHaveLength(HOPS.length);
    expect(events.find((e) => e.type === 'trace' && e.status === 'done')).toMatchObject({ trace: d.trace });
    expect(d.timings?.stagesMs.trace).toBeGreaterThanOrEqual(0);
    expect(JSON.parse(JSON.stringify(d))).toEqual(d);
  });

  it('without a trace asked for: no trace, no path.trace check; a build without the engine notes it', async () => {
    const d = await runDiagnosis(request, { deps: deps({ runTrace: fakeTrace([]) }) });
    expect(d.trace).toBeUndefined();
    expect(d.checks.some((c) => c.id === 'path.trace')).toBe(false);
    const n = await runDiagnosis({ ...request, trace: {} }, { deps: deps() });
    expect(n.trace).toBeUndefined();
    expect(n.notes).toContain('path trace unavailable');
  });

  it('cancelling during the trace rejects the run', async () => {
    const ac = new AbortController();
    const p = runDiagnosis({ ...request, trace: {} }, { signal: ac.signal, deps: deps({ runTrace: fakeTrace([], 5000) }), onEvent: (e) => e.type === 'trace-hop' && ac.abort() });
    const t0 = performance.now();
    await expect(p).rejects.toThrow();
    expect(performance.now() - t0).toBeLessThan(2000);
  });
});

describe('command-line trace options', () => {
  it('maps --trace, --trace-timeout-ms and --own-network', () => {
    expect(traceFromOptions({})).toBeUndefined();
    expect(traceFromOptions({ trace: true })).toEqual({});
    expect(traceFromOptions({ trace: true, traceTimeoutMs: '30000', ownNetwork: '10.0.0.0/8, 192.168.0.0/16' })).toEqual({ timeoutMs: 30_000, ownNetworks: ['10.0.0.0/8', '192.168.0.0/16'] });
  });
});

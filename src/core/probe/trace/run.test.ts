// Runner tests against loopback only (127.0.0.1 / ::1): the real system tools, no network beyond this host.
import { describe, expect, it } from 'vitest';
import { findTool, planTrace, rawSocketsAllowed, runTrace } from './run';
import type { TraceHop } from './types';

const haveTraceroute = findTool('traceroute', 'linux') !== null && process.platform === 'linux';
const haveTracepath = findTool('tracepath', 'linux') !== null && process.platform === 'linux';
const root = rawSocketsAllowed();

describe('planTrace (which tool, which argv)', () => {
  const paths = { traceroute: '/x/traceroute', tracepath: '/x/tracepath', tracert: 'C:\\W\\tracert.exe' };
  it('Linux with raw sockets and a port: TCP SYN first, then UDP, ICMP, tracepath', () => {
    const plans = planTrace('10.0.0.1', { platform: 'linux', toolPaths: paths, rawAllowed: true, port: 443, maxHops: 12, probeWaitMs: 1500 });
    expect(plans.map((p) => `${p.tool}:${p.method}`)).toEqual(['traceroute:tcp-syn', 'traceroute:udp', 'traceroute:icmp', 'tracepath:udp']);
    expect(plans[0].argv).toEqual(['-4', '-n', '-q', '3', '-w', '1.5', '-m', '12', '-T', '-p', '443', '10.0.0.1']);
    expect(plans[3].argv).toEqual(['-4', '-n', '-m', '12', '10.0.0.1']);
  });
  it('Linux without raw sockets: no TCP SYN, no ICMP', () => {
    expect(planTrace('fd00::1', { platform: 'linux', toolPaths: paths, rawAllowed: false, port: 443 }).map((p) => `${p.tool}:${p.method}`)).toEqual(['traceroute:udp', 'tracepath:udp']);
  });
  it('at most 30 hops whatever is asked; a name is passed through (the tool resolves it)', () => {
    const [p] = planTrace('host.example', { platform: 'linux', toolPaths: paths, rawAllowed: false, maxHops: 99 });
    expect(p.argv).toEqual(['-n', '-q', '3', '-w', '1.0', '-m', '30', 'host.example']);
  });
  it('Windows: tracert -d, ICMP', () => {
    const plans = planTrace('10.0.0.1', { platform: 'win32', toolPaths: paths, port: 22 });
    expect(plans).toEqual([{ method: 'icmp', tool: 'tracert', path: paths.tracert, format: 'tracert', argv: ['-d', '-h', '30', '-w', '1000', '-4', '10.0.0.1'] }]);
  });
  it('macOS: traceroute UDP (whole seconds), TCP with -P tcp when raw sockets are allowed', () => {
    expect(planTrace('10.0.0.1', { platform: 'darwin', toolPaths: paths, rawAllowed: false, probeWaitMs: 300 })[0].argv).toEqual(['-n', '-q', '3', '-w', '1', '-m', '30', '10.0.0.1']);
    expect(planTrace('10.0.0.1', { platform: 'darwin', toolPaths: paths, rawAllowed: true, port: 22 }).map((p) => p.method)).toEqual(['tcp-syn', 'udp']);
  });
  it('a named method is used only when available', () => {
    expect(planTrace('10.0.0.1', { platform: 'linux', toolPaths: paths, rawAllowed: false, method: 'tcp-syn', port: 22 })).toEqual([]);
  });
});

describe.runIf(haveTraceroute)('runTrace on loopback (real traceroute)', () => {
  it.runIf(root)('TCP SYN to a loopback port: one hop, reached, method reported', async () => {
    const hops: TraceHop[] = [];
    const f = await runTrace('127.0.0.1', { port: 9, maxHops: 5, onHop: (h) => hops.push(h) });
    expect(f).toMatchObject({ method: 'tcp-syn', tool: 'traceroute', target: '127.0.0.1', targetAddress: '127.0.0.1', reached: true, port: 9, maxHops: 5 });
    expect(f.hops).toHaveLength(1);
    expect(f.hops[0]).toMatchObject({ ttl: 1, address: '127.0.0.1', sent: 3, loss: 0 });
    expect(f.hops[0].rttMs).toHaveLength(3);
    const latest = new Map(hops.map((h) => [h.ttl, h]));
    expect([...latest.values()]).toEqual(f.hops);
    expect(f.error).toBeUndefined();
    expect(f.durationMs).toBeLessThan(5000);
  });
  it('UDP without raw sockets, IPv4 and IPv6 loopback; no port in the fact', async () => {
    for (const t of ['127.0.0.1', '::1']) {
      const f = await runTrace(t, { port: 22, rawAllowed: false, maxHops: 3 });
      expect(f).toMatchObject({ method: 'udp', tool: 'traceroute', reached: true, targetAddress: t });
      expect(f.port).toBeUndefined();
      expect(f.hops.map((h) => h.address)).toEqual([t]);
    }
  });
  it('an already-cancelled signal returns at once without running a tool, marked cancelled', async () => {
    const ac = new AbortController();
    ac.abort();
    const f = await runTrace('127.0.0.1', { rawAllowed: false, signal: ac.signal });
    expect(f).toMatchObject({ stopped: 'cancelled', reached: false, method: 'none', tool: null, hops: [] });
    expect(f.durationMs).toBeLessThan(3000);
  });
  it('a name that does not resolve: no hops, the tool failure recorded, never throws', async () => {
    const f = await runTrace('no-such-host.invalid', { rawAllowed: false, maxHops: 2, timeoutMs: 5000, toolPaths: { tracepath: '/nonexistent/tracepath' } });
    expect(f.hops).toEqual([]);
    expect(f.reached).toBe(false);
    expect(f.error?.kind).toMatch(/tool-failed|spawn-failed/);
  });
});

describe.runIf(haveTracepath)('runTrace on loopback (real tracepath)', () => {
  it('tracepath reaches ::1 and 127.0.0.1', async () => {
    for (const t of ['127.0.0.1', '::1']) {
      const f = await runTrace(t, { rawAllowed: false, maxHops: 3, toolPaths: { traceroute: '/nonexistent/traceroute' } });
      // The missing traceroute fails to spawn; the runner falls through to tracepath.
      expect(f).toMatchObject({ tool: 'tracepath', method: 'udp', reached: true });
      expect(f.hops[0].address).toBe(t);
    }
  });
});

describe('runTrace input and tool errors', () => {
  it.each(['', '-T', 'a b'])('refuses %j as a target without running anything', async (t) => {
    const f = await runTrace(t);
    expect(f).toMatchObject({ method: 'none', tool: null, hops: [], reached: false, error: { kind: 'bad-target' } });
  });
  it('no tool anywhere: method none, error no-tool', async () => {
    const f = await runTrace('127.0.0.1', { platform: 'win32', toolPaths: { tracert: undefined }, rawAllowed: false });
    if (findTool('tracert', 'win32') === null) expect(f).toMatchObject({ method: 'none', error: { kind: 'no-tool' } });
  });
});

// runProbe end to end on loopback: real TCP and banners, real client context (no third-party endpoint),
// DNS/ICMP replaced only where a test needs a controlled answer.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProbeInputError, chooseAddresses, defaultProbeRequest, runProbe, systemResolveHost } from '../src/core/probe/run';
import { HostTiming, TIMING_PRESETS } from '../src/core/probe/timing';
import type { IcmpFact, ProbeEvent } from '../src/core/probe/types';

let sshLike: net.Server;
let openPort: number;
let closedPort: number;

function listen(handler: (s: net.Socket) => void, host = '127.0.0.1'): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer(handler);
    srv.once('error', reject);
    srv.listen(0, host, () => resolve(srv));
  });
}
const portOf = (s: net.Server) => (s.address() as net.AddressInfo).port;

beforeAll(async () => {
  sshLike = await listen((s) => {
    s.on('error', () => undefined);
    s.end('SSH-2.0-OpenSSH_9.6 sgdtest\r\n');
  });
  openPort = portOf(sshLike);
  const tmp = await listen(() => undefined);
  closedPort = portOf(tmp);
  await new Promise<void>((r) => tmp.close(() => r()));
});
afterAll(async () => {
  await new Promise<void>((r) => sshLike.close(() => r()));
});

const fakeIcmp = (rtts: number[]) => async (address: string): Promise<IcmpFact> => {
  const t = new Date().toISOString();
  return {
    address, state: rtts.length ? 'reply' : 'timeout', method: 'system-ping', sent: 3, received: rtts.length, lossPct: 0, rttMs: rtts,
    rttAvgMs: null, rttMinMs: null, rttMaxMs: null, startedAt: t, finishedAt: t,
  };
};

describe('runProbe on loopback', () => {
  it('an IP literal: no DNS, TCP open and closed, banner on the open port, client context, events in order', async () => {
    const events: ProbeEvent[] = [];
    const report = await runProbe(defaultProbeRequest({ host: '127.0.0.1', ports: [openPort, closedPort] }), { onEvent: (e) => events.push(e) });
    expect(report.target).toEqual({ host: '127.0.0.1', addresses: ['127.0.0.1'], family: 4 });
    expect(report.dns).toBeNull();
    expect(report.icmp).toBeNull();
    const [open, closed] = report.tcp;
    expect(open).toMatchObject({ port: openPort, state: 'open', reason: 'syn-ack', attempts: 1, flaky: false });
    expect(closed).toMatchObject({ port: closedPort, state: 'closed', reason: 'conn-refused' });
    expect(open.banner?.sshIdent ?? open.banner?.firstBytes).toContain('SSH-2.0-OpenSSH_9.6');
    expect(closed.banner).toBeUndefined();
    expect(report.client.egressIp).toBeNull();
    expect(report.client.control).toEqual([]);
    expect(report.timings.totalMs).toBeGreaterThan(0);
    expect(Object.keys(report.timings.phasesMs)).toEqual(expect.arrayContaining(['tcp', 'banner', 'client']));
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);

    const kinds = events.map((e) => (e.type === 'phase' ? `${e.phase}:${e.status}` : e.type));
    expect(kinds.filter((k) => k === 'tcp-port')).toHaveLength(2);
    expect(kinds.indexOf('tcp:start')).toBeLessThan(kinds.indexOf('tcp-port'));
    expect(kinds.lastIndexOf('tcp-port')).toBeLessThan(kinds.indexOf('tcp:done'));
    expect(kinds.indexOf('tcp:done')).toBeLessThan(kinds.indexOf('banner'));
    expect(kinds).toContain('client');
    expect(kinds).toContain('client:done');
  });

  it('ICMP replies seed the TCP timeouts (nmap estimator)', async () => {
    const report = await runProbe(defaultProbeRequest({ host: '127.0.0.1', ports: [openPort], icmp: true, banners: false }), {
      probes: { probeIcmp: fakeIcmp([30, 32]) },
    });
    // srtt 30 -> 30.25, rttvar 30 -> 23: timeout 30.25 + 4*23 = 122.25 ms, rounded up
    expect(report.tcp[0].samples[0].timeoutMs).toBe(123);
    expect(report.icmp?.state).toBe('reply');
    expect(report.timings.phasesMs.icmp).toBeGreaterThanOrEqual(0);
  });

  it('a name without the DNS probe is resolved by resolveHost; the expected IP is probed too', async () => {
    const report = await runProbe(
      defaultProbeRequest({ host: 'Server.Example', dns: false, expectIp: '127.0.0.2', ports: [openPort], banners: false }),
      { resolveHost: async (h) => (h === 'server.example' ? ['127.0.0.1'] : []) },
    );
    expect(report.target.host).toBe('server.example');
    expect(report.target.addresses).toEqual(['127.0.0.1', '127.0.0.2']);
    expect(report.dns).toBeNull();
    expect(report.tcp.map((f) => [f.address, f.state])).toEqual([
      ['127.0.0.1', 'open'],
      ['127.0.0.2', 'closed'], // the listener is bound to 127.0.0.1 only
    ]);
    expect(report.tcp.every((f) => f.host === 'server.example')).toBe(true);
  });

  it('a name with the DNS probe: its addresses are probed and its fact is reported', async () => {
    const events: ProbeEvent[] = [];
    const t = new Date().toISOString();
    const report = await runProbe(defaultProbeRequest({ host: 'srv.example', expectIp: '127.0.0.1', ports: [openPort], banners: false, dnsServers: ['127.0.0.1:9'] }), {
      onEvent: (e) => events.push(e),
      probes: {
        probeDns: async (host, o) => ({
          host, isIpLiteral: false, addresses: ['127.0.0.3'], direct: [], startedAt: t, finishedAt: t,
          system: { resolver: 'system', a: ['127.0.0.3'], aaaa: [], cname: [], durationMs: 1 },
          expected: { address: o.expectIp!, verdict: 'mismatch', detail: 'test' },
        }),
      },
      resolveHost: async () => {
        throw new Error('must not be called when the DNS probe consulted the system resolver');
      },
    });
    expect(report.dns?.expected?.verdict).toBe('mismatch');
    expect(report.target.addresses).toEqual(['127.0.0.3', '127.0.0.1']);
    expect(report.tcp.map((f) => [f.address, f.state])).toEqual([
      ['127.0.0.3', 'closed'],
      ['127.0.0.1', 'open'],
    ]);
    expect(events.some((e) => e.type === 'dns')).toBe(true);
    expect(report.timings.phasesMs.dns).toBeGreaterThanOrEqual(0);
  });

  it('real ICMP to 127.0.0.1 (system ping or raw socket): a fact comes back, replies seed the timing', async () => {
    const report = await runProbe(defaultProbeRequest({ host: '127.0.0.1', ports: [openPort], icmp: true, icmpCount: 2, banners: false }));
    expect(report.icmp).not.toBeNull();
    expect(report.icmp!.address).toBe('127.0.0.1');
    if (report.icmp!.rttMs.length) {
      // the first TCP attempt uses the estimate from the ping replies instead of the 500 ms initial timeout
      const expected = new HostTiming(TIMING_PRESETS.T4);
      for (const rtt of report.icmp!.rttMs) expected.observe(rtt, 'icmp');
      expect(report.tcp[0].samples[0].timeoutMs).toBe(Math.ceil(expected.timeoutMs()));
    } else {
      expect(report.tcp[0].samples[0].timeoutMs).toBe(500);
    }
  });

  it('an unresolvable name gives a report with no address and no TCP probe', async () => {
    const report = await runProbe(defaultProbeRequest({ host: 'nonexistent.invalid', dns: false, ports: [22] }));
    expect(report.target.addresses).toEqual([]);
    expect(report.tcp).toEqual([]);
  });

  it.each([
    [{ host: '1.2.3' }, 'bad-host'],
    [{ host: '' }, 'bad-host'],
    [{ host: '127.0.0.1', ports: [0] }, 'bad-port'],
    [{ host: '127.0.0.1', ports: [70000] }, 'bad-port'],
    [{ host: '127.0.0.1', ports: Array.from({ length: 33 }, (_, i) => i + 1) }, 'too-many-ports'],
    [{ host: '127.0.0.1', attempts: 0 }, 'bad-attempts'],
    [{ host: '127.0.0.1', expectIp: '1.2.3' }, 'bad-expect-ip'],
    [{ host: '127.0.0.1', timing: { initialTimeoutMs: 500, minTimeoutMs: 0, maxTimeoutMs: 1 } }, 'bad-timing'],
  ])('refuses bad input %j before sending anything', async (partial, code) => {
    let events = 0;
    const err = await runProbe(defaultProbeRequest(partial as { host: string }), { onEvent: () => events++ }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProbeInputError);
    expect((err as ProbeInputError).code).toBe(code);
    expect(events).toBe(0);
  });

  it('cancellation rejects promptly', async () => {
    const ac = new AbortController();
    const silent = () => Object.assign(new (class extends net.Socket {})(), {}) as net.Socket; // never connects
    const started = Date.now();
    setTimeout(() => ac.abort(new Error('cancelled by test')), 50);
    await expect(
      runProbe(defaultProbeRequest({ host: '127.0.0.1', ports: [1, 2, 3], attempts: 3, timing: { initialTimeoutMs: 20_000, minTimeoutMs: 100, maxTimeoutMs: 20_000 } }), {
        signal: ac.signal,
        connect: silent,
      }),
    ).rejects.toThrow('cancelled by test');
    expect(Date.now() - started).toBeLessThan(10_000); // far below one 20 s attempt: the abort, not a timer, ended it
  });
});

describe('helpers', () => {
  it('chooseAddresses keeps order, bounds and appends the expected IP', () => {
    expect(chooseAddresses(['a', 'b', 'a', 'c'], undefined, 2)).toEqual(['a', 'b']);
    expect(chooseAddresses(['a'], 'x', 4)).toEqual(['a', 'x']);
    expect(chooseAddresses(['a', 'x'], 'x', 4)).toEqual(['a', 'x']);
  });

  it('systemResolveHost: .invalid never resolves (RFC 6761, no query sent); localhost does', async () => {
    expect(await systemResolveHost('nonexistent.invalid')).toEqual([]);
    expect(await systemResolveHost('localhost')).toContain('127.0.0.1');
  });
});

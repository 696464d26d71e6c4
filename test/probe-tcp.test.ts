// Loopback integration of the TCP probe against real sockets: open listener, closed port, IPv6.
// Filtered and unreachable paths need packet filters: the network lab (test/lab/) covers them.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeTcpPort } from '../src/core/probe/tcp';
import { HostTiming, TIMING_PRESETS } from '../src/core/probe/timing';

function listen(host: string): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer((s) => s.end());
    srv.once('error', reject);
    srv.listen(0, host, () => resolve(srv));
  });
}
const portOf = (s: net.Server): number => (s.address() as net.AddressInfo).port;
const close = (s: net.Server): Promise<void> => new Promise((r) => s.close(() => r()));

/** A port that was just free on loopback (listen on 0, read it, close). */
async function freePort(host: string): Promise<number> {
  const s = await listen(host);
  const p = portOf(s);
  await close(s);
  return p;
}

async function hasIpv6Loopback(): Promise<boolean> {
  try {
    const s = await listen('::1');
    await close(s);
    return true;
  } catch {
    return false;
  }
}

let server: net.Server;
let ipv6: boolean;
beforeAll(async () => {
  server = await listen('127.0.0.1');
  ipv6 = await hasIpv6Loopback();
});
afterAll(async () => {
  await close(server);
});

describe('probeTcpPort on loopback', () => {
  it('an open listener is open/syn-ack in one attempt, and its RTT feeds the host timing', async () => {
    const timing = new HostTiming(TIMING_PRESETS.T4);
    const fact = await probeTcpPort({ host: 'localhost', address: '127.0.0.1', port: portOf(server) }, { attempts: 3, timing });
    expect(fact).toMatchObject({ host: 'localhost', address: '127.0.0.1', state: 'open', reason: 'syn-ack', attempts: 1, flaky: false });
    expect(fact.rttMs).toBeGreaterThanOrEqual(0);
    expect(fact.samples).toHaveLength(1);
    expect(fact.samples[0].timeoutMs).toBe(500); // nothing known yet: T4 initial
    expect(timing.estimate?.samples).toBe(1);
    // first sample: srtt = rtt, rttvar = max(rtt, 5): timeout = 5 * rtt, at least the 100 ms floor
    const rtt = fact.samples[0].durationMs;
    expect(timing.timeoutMs()).toBeCloseTo(Math.min(1250, Math.max(100, rtt + 4 * Math.max(5, rtt))), 6);
    expect(Date.parse(fact.finishedAt)).toBeGreaterThanOrEqual(Date.parse(fact.startedAt));
    expect(JSON.parse(JSON.stringify(fact))).toEqual(fact); // serialisable
  });

  it('a port without a listener is closed/conn-refused with errno ECONNREFUSED', async () => {
    const port = await freePort('127.0.0.1');
    const fact = await probeTcpPort({ host: '127.0.0.1', address: '127.0.0.1', port }, { attempts: 3 });
    expect(fact).toMatchObject({ state: 'closed', reason: 'conn-refused', attempts: 1, flaky: false });
    expect(fact.samples[0].errno).toBe('ECONNREFUSED');
    expect(fact.rttMs).not.toBeNull();
  });

  it('stopOnAnswer:false repeats every attempt against a stable listener without flakiness', async () => {
    const fact = await probeTcpPort({ host: '127.0.0.1', address: '127.0.0.1', port: portOf(server) }, { attempts: 4, stopOnAnswer: false });
    expect(fact).toMatchObject({ state: 'open', attempts: 4, flaky: false });
  });

  it('many concurrent probes leave no socket open on the server side', async () => {
    const port = portOf(server);
    const facts = await Promise.all(Array.from({ length: 20 }, () => probeTcpPort({ host: 'h', address: '127.0.0.1', port }, { attempts: 1 })));
    expect(facts.every((f) => f.state === 'open')).toBe(true);
    // the client destroys right after the handshake; the server's connection count drains to 0
    const deadline = Date.now() + 2000;
    let count = -1;
    while (Date.now() < deadline) {
      count = await new Promise<number>((r) => server.getConnections((_e, n) => r(n)));
      if (count === 0) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(count).toBe(0);
  });

  it('IPv6 loopback: open and closed', async (ctx) => {
    if (!ipv6) ctx.skip(); // no ::1 in this environment (said so in the test name of the report)
    const s6 = await listen('::1');
    try {
      const open = await probeTcpPort({ host: '::1', address: '::1', port: portOf(s6) });
      expect(open).toMatchObject({ state: 'open', reason: 'syn-ack' });
      const closedPort = await freePort('::1');
      const closed = await probeTcpPort({ host: '::1', address: '::1', port: closedPort });
      expect(closed).toMatchObject({ state: 'closed', reason: 'conn-refused' });
    } finally {
      await close(s6);
    }
  });
});

// Client context against local servers only: egress-IP echo endpoints on 127.0.0.1 (agreeing,
// disagreeing, failing, slow), proxy redaction, and the control probe to an open and a closed port.
import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectEgressIp, gatherClientContext } from '../src/core/probe/client';
import type { ControlProbeFact } from '../src/core/probe/types';

const LO = '127.0.0.1';
const servers: net.Server[] = [];
const sockets = new Set<net.Socket>();
let base = '';
let openPort = 0;
let closedPort = 0;

async function listen(server: net.Server): Promise<number> {
  servers.push(server);
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, LO, r));
  return (server.address() as net.AddressInfo).port;
}

beforeAll(async () => {
  const echo = http.createServer((req, res) => {
    const url = req.url ?? '/';
    if (url === '/a') return res.end('203.0.113.7\n');
    if (url === '/b') {
      res.setHeader('content-type', 'application/json');
      return res.end('{"ip":"203.0.113.7","country":"CN"}');
    }
    if (url === '/c') return res.end('198.51.100.9');
    if (url === '/mapped') return res.end('::ffff:203.0.113.7');
    if (url === '/v6') return res.end('2001:DB8::1');
    if (url === '/fail') {
      res.statusCode = 503;
      return res.end('busy');
    }
    if (url === '/garbage') return res.end('<html>hello</html>');
    if (url === '/slow') {
      const t = setTimeout(() => res.end('192.0.2.1'), 3000);
      res.on('close', () => clearTimeout(t));
      return;
    }
    res.statusCode = 404;
    res.end();
  });
  base = `http://${LO}:${await listen(echo)}`;
  openPort = await listen(net.createServer((s) => s.end()));
  const temp = net.createServer();
  closedPort = await listen(temp);
  await new Promise((r) => temp.close(r));
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await Promise.all(servers.map((s) => new Promise((r) => (s.listening ? s.close(r) : r(undefined)))));
});

describe('egress IP', () => {
  it('agrees across plain-text and JSON endpoints, normalising a mapped address', async () => {
    const f = await detectEgressIp([`${base}/a`, `${base}/b`, `${base}/mapped`]);
    expect(f.address).toBe('203.0.113.7');
    expect(f.consensus).toBe(true);
    expect(f.agreeing).toBe(3);
    expect(f.sources.map((s) => s.address)).toEqual(['203.0.113.7', '203.0.113.7', '203.0.113.7']);
  });

  it('takes the majority and keeps the dissenting source as evidence', async () => {
    const f = await detectEgressIp([`${base}/a`, `${base}/c`, `${base}/b`]);
    expect(f.address).toBe('203.0.113.7');
    expect(f.consensus).toBe(true);
    expect(f.agreeing).toBe(2);
    expect(f.distinct).toEqual(['203.0.113.7', '198.51.100.9']);
    expect(f.sources[1]).toMatchObject({ url: `${base}/c`, address: '198.51.100.9' });
  });

  it('has no consensus on a tie', async () => {
    const f = await detectEgressIp([`${base}/a`, `${base}/c`]);
    expect(f.address).toBeNull();
    expect(f.consensus).toBe(false);
    expect(f.answered).toBe(2);
  });

  it('records failing, garbage and slow sources without waiting for them', async () => {
    const started = Date.now();
    const f = await detectEgressIp([`${base}/fail`, `${base}/garbage`, `${base}/slow`, `${base}/a`], { timeoutMs: 400 });
    expect(Date.now() - started).toBeLessThan(2500);
    expect(f.address).toBe('203.0.113.7');
    expect(f.sources[0].error).toBe('HTTP 503');
    expect(f.sources[1].error).toMatch(/^no IP address/);
    expect(f.sources[2].error).toBe('timeout after 400 ms');
    expect(f.sources[2].address).toBeUndefined();
  });

  it('reports an unreachable endpoint and prefers IPv4 when both families answer', async () => {
    const f = await detectEgressIp([`http://${LO}:${closedPort}/`, `${base}/v6`, `${base}/c`]);
    expect(f.sources[0].error).toBe('ECONNREFUSED');
    expect(f.address).toBe('198.51.100.9');
    expect(f.addressV6).toBe('2001:db8::1');
  });

  it('stops when aborted', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const f = await detectEgressIp([`${base}/slow`], { signal: ac.signal, timeoutMs: 5000 });
    expect(f.sources[0].error).toBe('aborted');
    expect(f.sources[0].durationMs).toBeLessThan(2000);
  });
});

describe('gatherClientContext', () => {
  it('combines egress, interfaces, proxies (redacted) and control probes to open and closed ports', async () => {
    const ctx = await gatherClientContext({
      egressIpUrls: [`${base}/a`, `${base}/b`],
      controlHosts: [LO, `${LO}:${openPort}`],
      ports: [openPort, closedPort],
      env: {
        HTTPS_PROXY: 'http://alice:s3cret@proxy.corp:3128',
        no_proxy: 'localhost,127.0.0.1,.corp',
        ALL_PROXY: 'socks5://bob@10.0.0.1:1080',
        PATH: '/usr/bin',
      },
      timing: { initialTimeoutMs: 500, minTimeoutMs: 100, maxTimeoutMs: 1250 },
    });
    expect(ctx.egressIp?.address).toBe('203.0.113.7');
    expect(ctx.proxies).toEqual([
      { variable: 'HTTPS_PROXY', value: 'http://***:***@proxy.corp:3128' },
      { variable: 'ALL_PROXY', value: 'socks5://***@10.0.0.1:1080' },
      { variable: 'no_proxy', value: 'localhost,127.0.0.1,.corp' },
    ]);
    expect(JSON.stringify(ctx)).not.toContain('s3cret');
    // "127.0.0.1" without a port takes every probed port; "127.0.0.1:open" is not probed twice.
    expect(ctx.control.map((c) => [c.port, c.state, c.reason])).toEqual([
      [openPort, 'open', 'syn-ack'],
      [closedPort, 'closed', 'conn-refused'],
    ]);
    expect(ctx.control[0].rttMs).toBeGreaterThanOrEqual(0);
    expect(ctx.interfaces.some((i) => i.name === 'lo' && i.addresses.some((a) => a.internal))).toBe(true);
    expect(ctx.platform).toMatch(/^linux /);
    expect(ctx.defaultRoute === undefined || typeof ctx.defaultRoute.interface === 'string').toBe(true);
  });

  it('uses the injected probe and survives one that throws', async () => {
    const calls: string[] = [];
    const probePort = async (host: string, port: number): Promise<ControlProbeFact> => {
      calls.push(`${host}:${port}`);
      if (port === 2) throw new Error('boom');
      return { host, port, state: 'open', reason: 'syn-ack', rttMs: 1 };
    };
    const ctx = await gatherClientContext({ egressIpUrls: [], controlHosts: ['control.lab', '[::1]:2'], ports: [1], probePort, env: {} });
    expect(calls).toEqual(['control.lab:1', '::1:2']);
    expect(ctx.egressIp).toBeNull();
    expect(ctx.control[1]).toMatchObject({ state: 'filtered', errno: 'boom' });
  });
});

// ICP-filing interception probe against real servers on 127.0.0.1: an HTTP server that resets the
// connection when the Host is the blocked name, one that answers that name with another server's notice
// page, a front that resets a TLS ClientHello carrying a given SNI (and hands every other connection to
// a real TLS server), and the plain healthy cases. Certificates come from the openssl CLI.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeIcp } from '../src/core/probe/icp';
import { defaultProbeRequest, runProbe } from '../src/core/probe/run';

const LO = '127.0.0.1';
const BLOCKED = 'blocked.sgd.test';
const FINE = 'fine.sgd.test';
const servers: net.Server[] = [];
const sockets = new Set<net.Socket>();

async function listen<T extends net.Server>(server: T): Promise<number> {
  servers.push(server);
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, LO, resolve));
  return (server.address() as net.AddressInfo).port;
}

const page = (res: http.ServerResponse, server: string, body: string, code = 200): void => {
  res.writeHead(code, { server, 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
};

/** The site itself: same Server header for every Host (a default page for the IP, the site for the name). */
const site: http.RequestListener = (req, res) => page(res, 'nginx/1.24.0', req.headers.host?.startsWith(FINE) || req.headers.host?.startsWith(BLOCKED) ? '<h1>shop</h1>' : '<h1>Welcome to nginx!</h1>');

/** A middlebox in front of `site`: reads the request head, resets when it names the blocked host. */
function resettingFront(target: http.RequestListener): net.Server {
  const inner = http.createServer(target);
  return net.createServer((s) => {
    s.on('error', () => undefined);
    s.once('data', (chunk: Buffer) => {
      if (chunk.toString('latin1').includes(`Host: ${BLOCKED}`)) {
        s.resetAndDestroy();
        return;
      }
      s.pause();
      s.unshift(chunk);
      inner.emit('connection', s);
      s.resume();
    });
  });
}

let dir: string;
let tlsKey: Buffer;
let tlsCert: Buffer;
let resetPort: number;
let noticePort: number;
let sitePort: number;
let deadPort: number;
let sniResetPort: number;
let httpsPort: number;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'sgd-icp-'));
  const key = path.join(dir, 'k.pem');
  const crt = path.join(dir, 'c.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', '/CN=sgd.test', '-addext', `subjectAltName=DNS:${FINE},DNS:${BLOCKED},IP:127.0.0.1`, '-keyout', key, '-out', crt], { stdio: 'pipe' });
  tlsKey = readFileSync(key);
  tlsCert = readFileSync(crt);

  resetPort = await listen(resettingFront(site));
  // Answers the blocked name with an interception notice from another server (like a block page).
  noticePort = await listen(
    http.createServer((req, res) => (req.headers.host?.startsWith(BLOCKED) ? page(res, 'Beaver', '<html><body>网站暂时无法访问</body></html>', 403) : site(req, res))),
  );
  sitePort = await listen(http.createServer(site));
  // Closes every connection without a word.
  deadPort = await listen(net.createServer((s) => s.destroy()));

  // A TLS front (a TCP relay): peeks the ClientHello; the blocked SNI is reset, everything else is relayed
  // to a real TLS server.
  const innerPort = await listen(https.createServer({ key: tlsKey, cert: tlsCert }, site));
  sniResetPort = await listen(
    net.createServer((s) => {
      s.on('error', () => undefined);
      s.once('data', (chunk: Buffer) => {
        if (chunk.includes(Buffer.from(BLOCKED, 'latin1'))) {
          s.resetAndDestroy();
          return;
        }
        const up = net.connect({ host: LO, port: innerPort });
        up.on('error', () => s.destroy());
        up.write(chunk);
        s.pipe(up);
        up.pipe(s);
      });
    }),
  );
  httpsPort = await listen(https.createServer({ key: tlsKey, cert: tlsCert }, site));
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  rmSync(dir, { recursive: true, force: true });
});

describe('probeIcp over HTTP', () => {
  it('resets by Host → blocked (name-reset); the IP request got the default page', async () => {
    const f = await probeIcp(BLOCKED, LO, resetPort, 'http', { timeoutMs: 3000 });
    expect(f.byIp.http?.statusCode).toBe(200);
    expect(f.byIp.hostHeader).toBe(`${LO}:${resetPort}`);
    expect(f.byName).toMatchObject({ connected: true, sent: true, error: 'reset', failedAt: 'response', hostHeader: `${BLOCKED}:${resetPort}` });
    expect(f.decision).toMatchObject({ status: 'blocked', condition: 'name-reset' });
  });

  it('the same front lets another name through → clear', async () => {
    const f = await probeIcp(FINE, LO, resetPort, 'http', { timeoutMs: 3000 });
    expect(f.byName.http?.statusCode).toBe(200);
    expect(f.byName.bodySha256).not.toBe(f.byIp.bodySha256); // a virtual host: another page, same server
    expect(f.decision).toMatchObject({ status: 'clear', condition: 'same-server' });
  });

  it('an interception notice from another server → blocked (block-page)', async () => {
    const f = await probeIcp(BLOCKED, LO, noticePort, 'http', { timeoutMs: 3000 });
    expect(f.byName.http?.server).toBe('Beaver');
    expect(f.byName.blockPageText).toBe('网站暂时无法访问');
    expect(f.decision).toMatchObject({ status: 'blocked', condition: 'block-page' });
  });

  it('a healthy site → clear', async () => {
    const f = await probeIcp(BLOCKED, LO, sitePort, 'http', { timeoutMs: 3000 });
    expect(f.decision.status).toBe('clear');
  });

  it('a server that closes every connection → inconclusive (nothing to compare), never blocked', async () => {
    const f = await probeIcp(BLOCKED, LO, deadPort, 'http', { timeoutMs: 3000 });
    expect(f.byIp.http).toBeUndefined();
    expect(f.decision.status).toBe('inconclusive');
  });

  it('a closed port → inconclusive, refused before any name left', async () => {
    const f = await probeIcp(BLOCKED, LO, await freePort(), 'http', { timeoutMs: 2000 });
    expect(f.byName).toMatchObject({ connected: false, sent: false, error: 'refused', failedAt: 'connect' });
    expect(f.decision).toMatchObject({ status: 'inconclusive', condition: 'ip-not-connected' });
  });

  it('honours the deadline and the AbortSignal', async () => {
    const silent = await listen(net.createServer((s) => s.resume()));
    const t0 = Date.now();
    const f = await probeIcp(BLOCKED, LO, silent, 'http', { timeoutMs: 300 });
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(f.byIp.error).toBe('timeout');
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 100);
    const g = await probeIcp(BLOCKED, LO, silent, 'http', { timeoutMs: 5000, signal: ctl.signal });
    expect(g.byIp.error).toBe('aborted');
    expect(g.byName.error).toBe('aborted');
  });
});

describe('probeIcp over HTTPS', () => {
  it('a ClientHello with the blocked SNI is reset; without SNI the handshake and the request succeed → blocked (sni-reset)', async () => {
    const f = await probeIcp(BLOCKED, LO, sniResetPort, 'https', { timeoutMs: 3000 });
    expect(f.byIp.sni).toBeNull();
    expect(f.byIp.tls?.subject).toContain('CN=sgd.test');
    expect(f.byIp.http?.statusCode).toBe(200);
    expect(f.byName).toMatchObject({ sni: BLOCKED, sent: true, error: 'reset', failedAt: 'tls-handshake' });
    expect(f.decision).toMatchObject({ status: 'blocked', condition: 'sni-reset' });
  });

  it('another SNI through the same front → clear', async () => {
    const f = await probeIcp(FINE, LO, sniResetPort, 'https', { timeoutMs: 3000 });
    expect(f.byName.http?.statusCode).toBe(200);
    expect(f.decision.status).toBe('clear');
  });

  it('a healthy HTTPS site → clear', async () => {
    const f = await probeIcp(BLOCKED, LO, httpsPort, 'https', { timeoutMs: 3000 });
    expect(f.decision).toMatchObject({ status: 'clear', condition: 'same-server' });
  });
});

describe('runProbe with the icp option', () => {
  it('compares on the open port of a name and puts the fact in the report', async () => {
    const r = await runProbe(defaultProbeRequest({ host: BLOCKED, ports: [resetPort], dns: false, banners: false, icp: { port: resetPort, scheme: 'http' } }), { resolveHost: async () => [LO] });
    expect(r.icp?.decision).toMatchObject({ status: 'blocked', condition: 'name-reset' });
    expect(r.timings.phasesMs.icp).toBeGreaterThanOrEqual(0);
  });

  it('does nothing for an IP target, and leaves null when the port does not connect', async () => {
    const byIp = await runProbe(defaultProbeRequest({ host: LO, ports: [resetPort], banners: false, icp: { port: resetPort, scheme: 'http' } }));
    expect(byIp.icp).toBeUndefined();
    const closed = await freePort();
    const r = await runProbe(defaultProbeRequest({ host: BLOCKED, ports: [closed], dns: false, attempts: 1, banners: false, icp: { port: closed, scheme: 'http' } }), { resolveHost: async () => [LO] });
    expect(r.icp).toBeNull();
  });
});

/** A port nothing listens on (bound and released). */
async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, LO, r));
  const p = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return p;
}

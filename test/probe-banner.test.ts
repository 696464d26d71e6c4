// Banners against real local servers on 127.0.0.1: SSH-like, HTTP, HTTPS with certificates generated
// here by the openssl CLI (valid and expired), a silent server, MySQL-, PostgreSQL-, Redis- and RDP-like
// greetings.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bannerStrategyFor, printable, readBanner } from '../src/core/probe/banner';

const LO = '127.0.0.1';
const servers: net.Server[] = [];
const sockets = new Set<net.Socket>();

async function listen<T extends net.Server>(server: T): Promise<number> {
  servers.push(server);
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, LO, resolve));
  return (server.address() as net.AddressInfo).port;
}

function tcpServer(onConn: (s: net.Socket) => void): net.Server {
  return net.createServer((s) => {
    s.on('error', () => undefined);
    onConn(s);
  });
}

let dir: string;
function makeCert(name: string, cn: string, days: number): { key: Buffer; cert: Buffer } {
  const key = path.join(dir, `${name}.key`);
  const crt = path.join(dir, `${name}.crt`);
  if (days > 0) {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', String(days),
      '-subj', `/CN=${cn}/O=SGD Lab`, '-addext', `subjectAltName=DNS:${cn},IP:127.0.0.1`, '-keyout', key, '-out', crt,
    ], { stdio: 'pipe' });
  } else {
    // Expired: sign a request with a negative validity (notAfter before notBefore = now).
    const csr = path.join(dir, `${name}.csr`);
    execFileSync('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', `/CN=${cn}`, '-keyout', key, '-out', csr], { stdio: 'pipe' });
    execFileSync('openssl', ['x509', '-req', '-in', csr, '-signkey', key, '-days', String(days), '-out', crt], { stdio: 'pipe' });
  }
  return { key: readFileSync(key), cert: readFileSync(crt) };
}

let httpsPort: number;
let expiredPort: number;
let seenSni: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'sgd-banner-'));
  const valid = makeCert('valid', 'lab.test', 2);
  const expired = makeCert('expired', 'old.test', -1);
  const handler: http.RequestListener = (req, res) => {
    res.writeHead(200, { Server: 'lab-tls/1.0' });
    res.end();
  };
  // SNICallback runs only when the client sent a server name: it records exactly what SNI carried.
  const s1 = https.createServer(
    { ...valid, SNICallback: (name, cb) => { seenSni.push(name); cb(null, tls.createSecureContext(valid)); } },
    handler,
  );
  httpsPort = await listen(s1);
  expiredPort = await listen(https.createServer({ ...expired }, handler));
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await Promise.all(servers.map((s) => new Promise((r) => (s.listening ? s.close(r) : r(undefined)))));
  rmSync(dir, { recursive: true, force: true });
});

describe('strategy per port', () => {
  it('knows the usual ports and lets the hint win', () => {
    expect(bannerStrategyFor(22)).toBe('ssh');
    expect(bannerStrategyFor(80)).toBe('http');
    expect(bannerStrategyFor(8080)).toBe('http');
    expect(bannerStrategyFor(443)).toBe('https');
    expect(bannerStrategyFor(993)).toBe('tls');
    expect(bannerStrategyFor(3306)).toBe('mysql');
    expect(bannerStrategyFor(5432)).toBe('postgresql');
    expect(bannerStrategyFor(6379)).toBe('redis');
    expect(bannerStrategyFor(3389)).toBe('rdp');
    expect(bannerStrategyFor(12345)).toBe('generic');
    expect(bannerStrategyFor(2200, 'SSH')).toBe('ssh');
    expect(bannerStrategyFor(22, 'nonsense')).toBe('ssh');
  });

  it('prints bytes readably and truncates', () => {
    expect(printable(Buffer.from('ok\r\n\x00\xff', 'latin1'))).toBe('ok\\r\\n\\x00\\xff');
    expect(printable(Buffer.alloc(300, 0x41), 10)).toBe('AAAAAAAAAA…');
  });
});

describe('ssh', () => {
  it('reads the identification string, skipping lines before it', async () => {
    const port = await listen(tcpServer((s) => s.write('Welcome to lab\r\nSSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n')));
    const b = await readBanner(LO, port, { hint: 'ssh', timeoutMs: 2000 });
    expect(b.kind).toBe('ssh');
    expect(b.method).toBe('ssh-ident');
    expect(b.sshIdent).toBe('SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3');
    expect(b.bytesRead).toBe(56);
    expect(b.error).toBeUndefined();
  });

  it('reports a silent server as a timeout within the budget', async () => {
    const port = await listen(tcpServer(() => undefined));
    const b = await readBanner(LO, port, { hint: 'ssh', timeoutMs: 300 });
    expect(b.kind).toBe('none');
    expect(b.error).toBe('timeout');
    expect(b.bytesRead).toBe(0);
    expect(b.durationMs).toBeGreaterThanOrEqual(250);
    expect(b.durationMs).toBeLessThan(2000);
  });

  it('says what answered when it is not SSH', async () => {
    const port = await listen(tcpServer((s) => s.end('220 mail.lab ESMTP Postfix\r\n')));
    const b = await readBanner(LO, port, { hint: 'ssh', timeoutMs: 1000 });
    expect(b.kind).toBe('generic');
    expect(b.firstBytes).toBe('220 mail.lab ESMTP Postfix\\r\\n');
  });

  it('reports a refused connection and an abort without throwing', async () => {
    const probe = tcpServer(() => undefined);
    const closedPort = await listen(probe);
    await new Promise((r) => probe.close(r));
    const refused = await readBanner(LO, closedPort, { hint: 'ssh', timeoutMs: 1000 });
    expect(refused.kind).toBe('none');
    expect(refused.error).toBe('refused');

    const silent = await listen(tcpServer(() => undefined));
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const aborted = await readBanner(LO, silent, { hint: 'ssh', timeoutMs: 5000, signal: ac.signal });
    expect(aborted.error).toBe('aborted');
    expect(aborted.durationMs).toBeLessThan(2000);
  });
});

describe('http', () => {
  it('sends HEAD with Host and parses status, Server and Location', async () => {
    let seen: http.IncomingHttpHeaders = {};
    let method = '';
    const port = await listen(
      http.createServer((req, res) => {
        seen = req.headers;
        method = req.method ?? '';
        res.writeHead(301, { Server: 'nginx/1.24.0', Location: 'https://lab.test/' });
        res.end();
      }),
    );
    const b = await readBanner(LO, port, { hint: 'http', servername: 'lab.test', timeoutMs: 2000 });
    expect(method).toBe('HEAD');
    expect(seen.host).toBe(`lab.test:${port}`);
    expect(b.kind).toBe('http');
    expect(b.http).toEqual({ statusLine: 'HTTP/1.1 301 Moved Permanently', statusCode: 301, server: 'nginx/1.24.0', location: 'https://lab.test/' });
    expect(b.bytesRead).toBeGreaterThan(40);
  });

  it('recognises a TLS-only port answering plain HTTP', async () => {
    const b = await readBanner(LO, httpsPort, { hint: 'http', timeoutMs: 2000 });
    expect(b.kind).not.toBe('http');
    expect(b.error).toBeDefined();
  });
});

describe('tls', () => {
  it('handshakes with SNI and reports the self-signed certificate, then HTTP over TLS', async () => {
    seenSni = [];
    const b = await readBanner(LO, httpsPort, { hint: 'https', servername: 'lab.test', timeoutMs: 3000 });
    expect(seenSni).toEqual(['lab.test']);
    expect(b.kind).toBe('tls');
    const t = b.tls!;
    expect(t.protocol).toBe('TLSv1.3');
    expect(t.cipher).toMatch(/AES|CHACHA/);
    expect(t.servername).toBe('lab.test');
    expect(t.subject).toBe('CN=lab.test, O=SGD Lab');
    expect(t.issuer).toBe('CN=lab.test, O=SGD Lab');
    expect(t.selfSigned).toBe(true);
    expect(t.expired).toBe(false);
    expect(t.authorized).toBe(false);
    expect(t.authorizationError).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
    expect(t.altNames).toEqual(['DNS:lab.test', 'IP Address:127.0.0.1']);
    expect(Date.parse(t.validTo!) - Date.parse(t.validFrom!)).toBe(2 * 86_400_000);
    expect(b.http?.statusCode).toBe(200);
    expect(b.http?.server).toBe('lab-tls/1.0');
    expect(b.bytesRead).toBeGreaterThan(300); // the certificate came in
  });

  it('sends no SNI for an IP literal', async () => {
    seenSni = [];
    const b = await readBanner(LO, httpsPort, { hint: 'tls', servername: '127.0.0.1', timeoutMs: 3000 });
    expect(seenSni).toEqual([]);
    expect(b.tls?.servername).toBeNull();
    expect(b.method).toBe('tls-handshake');
    expect(b.http).toBeUndefined();
  });

  it('flags an expired certificate', async () => {
    const b = await readBanner(LO, expiredPort, { hint: 'https', servername: 'old.test', timeoutMs: 3000 });
    expect(b.kind).toBe('tls');
    expect(b.tls?.expired).toBe(true);
    expect(b.tls?.subject).toBe('CN=old.test');
    expect(b.tls?.authorized).toBe(false);
    expect(Date.parse(b.tls!.validTo!)).toBeLessThan(Date.now());
  });

  it('reports a TLS error against a plain-text server', async () => {
    const port = await listen(tcpServer((s) => s.end('SSH-2.0-NotTLS\r\n')));
    const b = await readBanner(LO, port, { hint: 'https', timeoutMs: 2000 });
    expect(b.kind).toBe('none');
    expect(b.error).toMatch(/^tls-error: /);
  });
});

describe('database and other greetings', () => {
  it('parses the MySQL handshake version', async () => {
    const version = '8.0.36-0ubuntu0.22.04.1';
    const payload = Buffer.concat([Buffer.from([0x0a]), Buffer.from(`${version}\0`), Buffer.from([1, 0, 0, 0]), Buffer.alloc(20, 0x61)]);
    const header = Buffer.from([payload.length & 255, payload.length >> 8, 0, 0]);
    const port = await listen(tcpServer((s) => s.write(Buffer.concat([header, payload]))));
    const b = await readBanner(LO, port, { hint: 'mysql', timeoutMs: 2000 });
    expect(b.service).toBe('mysql');
    expect(b.version).toBe(version);
    expect(b.bytesRead).toBe(4 + payload.length);
    expect(b.error).toBeUndefined();
  });

  it('reports a MySQL host-not-allowed error packet', async () => {
    const msg = "Host '10.0.0.9' is not allowed to connect to this MySQL server";
    const payload = Buffer.concat([Buffer.from([0xff, 0x6a, 0x04]), Buffer.from(msg)]);
    const port = await listen(tcpServer((s) => s.end(Buffer.concat([Buffer.from([payload.length, 0, 0, 0]), payload]))));
    const b = await readBanner(LO, port, { hint: 'mysql', timeoutMs: 2000 });
    expect(b.error).toBe(`mysql-error 1130: ${msg}`);
  });

  it('answers the PostgreSQL SSLRequest', async () => {
    let got = Buffer.alloc(0);
    const port = await listen(tcpServer((s) => s.once('data', (d) => { got = d; s.write('N'); })));
    const b = await readBanner(LO, port, { hint: 'postgresql', timeoutMs: 2000 });
    expect([...got]).toEqual([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]);
    expect(b.detail).toBe('SSL not offered');
    expect(b.bytesRead).toBe(1);
  });

  it('reads Redis PONG and NOAUTH', async () => {
    const pong = await listen(tcpServer((s) => s.on('data', (d) => { if (String(d) === 'PING\r\n') s.write('+PONG\r\n'); })));
    const noauth = await listen(tcpServer((s) => s.on('data', () => s.write('-NOAUTH Authentication required.\r\n'))));
    const a = await readBanner(LO, pong, { hint: 'redis', timeoutMs: 2000 });
    expect(a.detail).toBe('+PONG');
    expect(a.error).toBeUndefined();
    const b = await readBanner(LO, noauth, { hint: 'redis', timeoutMs: 2000 });
    expect(b.service).toBe('redis');
    expect(b.error).toBe('redis: NOAUTH Authentication required.');
  });

  it('recognises an RDP connection confirm', async () => {
    const confirm = Buffer.from([0x03, 0, 0, 0x13, 0x0e, 0xd0, 0, 0, 0x12, 0x34, 0, 0x02, 0x00, 0x08, 0x00, 0x01, 0, 0, 0]);
    let req = Buffer.alloc(0);
    const port = await listen(tcpServer((s) => s.once('data', (d) => { req = d; s.write(confirm); })));
    const b = await readBanner(LO, port, { hint: 'rdp', timeoutMs: 2000 });
    expect(req[0]).toBe(0x03);
    expect(req[5]).toBe(0xe0);
    expect(b.service).toBe('rdp');
    expect(b.detail).toBe('negotiated TLS');
  });

  it('generic: listens first, then nudges a server that waits for input', async () => {
    const port = await listen(tcpServer((s) => s.once('data', () => s.write('HELLO? unknown command\n'))));
    const b = await readBanner(LO, port, { timeoutMs: 2000 });
    expect(b.method).toBe('first-bytes');
    expect(b.kind).toBe('generic');
    expect(b.firstBytes).toBe('HELLO? unknown command\\n');
    expect(b.error).toBeUndefined();
  });

  it('generic: recognises SSH on an unusual port', async () => {
    const port = await listen(tcpServer((s) => s.write('SSH-2.0-dropbear_2022.83\r\n')));
    const b = await readBanner(LO, port, { timeoutMs: 2000 });
    expect(b.kind).toBe('ssh');
    expect(b.sshIdent).toBe('SSH-2.0-dropbear_2022.83');
  });
});

describe('tls failures', () => {
  it('reports a refused TLS port', async () => {
    const probe = tcpServer(() => undefined);
    const port = await listen(probe);
    await new Promise((r) => probe.close(r));
    const b = await readBanner(LO, port, { hint: 'https', timeoutMs: 1000 });
    expect(b.kind).toBe('none');
    expect(b.error).toMatch(/ECONNREFUSED|refused/);
  });
});

// The protocol-aware application check end to end on real sockets: servers on 127.0.0.1 started here
// (HTTP that answers only after a request, HTTP 500, HEAD not implemented, a RST or a close after the
// request, TLS with a self-signed certificate and with a failing handshake, a silent server, Redis-like
// PING/PONG and protected mode, server-first greetings good and bad, a server that closes at once), the
// real banner reader with the protocol the user named, then the pure app.responds check on that fact.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decideAppResponds } from '../src/core/diagnosis/checks/app';
import { view } from '../src/core/diagnosis/facts';
import { facts, report, tcp } from '../src/core/diagnosis/testing/builders';
import { readBanner } from '../src/core/probe/banner';
import type { BannerFact } from '../src/core/probe/types';

const LO = '127.0.0.1';
const servers: net.Server[] = [];
const sockets = new Set<net.Socket>();

async function listen<T extends net.Server>(server: T): Promise<number> {
  servers.push(server);
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, LO, resolve));
  return (server.address() as net.AddressInfo).port;
}

const tcpServer = (onConn: (s: net.Socket) => void): net.Server => net.createServer(onConn);

/** The check's outcome for a banner read on `port` (the fact shaped as runProbe makes it). */
function check(port: number, banner: BannerFact, service?: string) {
  const f = facts({ probes: report([tcp('open', 'syn-ack', { port, address: LO, banner })]), port, host: LO, service, snapshot: null });
  return decideAppResponds(view(f));
}

let dir: string;
let key: Buffer;
let cert: Buffer;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'sgd-app-protocol-'));
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
    '-subj', '/CN=app.test', '-addext', 'subjectAltName=DNS:app.test', '-keyout', path.join(dir, 'k.pem'), '-out', path.join(dir, 'c.pem'),
  ], { stdio: 'pipe' });
  key = readFileSync(path.join(dir, 'k.pem'));
  cert = readFileSync(path.join(dir, 'c.pem'));
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await Promise.all(servers.map((s) => new Promise((r) => (s.listening ? s.close(r) : r(undefined)))));
  rmSync(dir, { recursive: true, force: true });
});

describe('HTTP (client-first)', () => {
  it('a server that answers only after a request: HEAD with the typed name as Host → pass', async () => {
    let host = '';
    let method = '';
    const port = await listen(http.createServer((req, res) => {
      host = req.headers.host ?? '';
      method = req.method ?? '';
      res.writeHead(200, { Server: 'SimpleHTTP/0.6 Python/3.11' });
      res.end();
    }));
    const b = await readBanner(LO, port, { hint: 'http', servername: 'shop.example', timeoutMs: 2000 });
    expect(method).toBe('HEAD');
    expect(host).toBe(`shop.example:${port}`);
    expect(b.exchange).toMatchObject({ protocol: 'http', chosenBy: 'hint', serverFirst: false, requestSent: true, end: 'answered', endedAfter: 'request' });
    expect(b.exchange!.sent[0]).toMatch(/^HEAD \/ HTTP\/1\.0\\r\\nHost: shop\.example:\d+\\r\\n/);
    const c = check(port, b);
    expect(c).toMatchObject({ status: 'pass', condition: 'http-200' });
    expect(c.evidence!.map((e) => e.summary).join('\n')).toContain('HEAD / HTTP/1.0');
  });

  it('the same server without a protocol named (custom port): not a fail — reachable, not identified', async () => {
    const port = await listen(http.createServer((_req, res) => res.end('ok')));
    const b = await readBanner(LO, port, { timeoutMs: 1500 });
    expect(b.exchange).toMatchObject({ protocol: 'generic', chosenBy: 'default', requestSent: false });
    const c = check(port, b);
    expect(c.status).not.toBe('fail');
    expect(['not-identified', 'answered', 'http-400']).toContain(c.condition);
  });

  it('HTTP 500 after a valid request → fail http-5xx', async () => {
    const port = await listen(http.createServer((_req, res) => {
      res.writeHead(500, { Server: 'broken-app' });
      res.end();
    }));
    const c = check(port, await readBanner(LO, port, { hint: 'http', timeoutMs: 2000 }));
    expect(c).toMatchObject({ status: 'fail', condition: 'http-5xx' });
    expect(c.finding.en).toContain('500');
  });

  it('HEAD not implemented (501): asks again with GET and judges that answer', async () => {
    const methods: string[] = [];
    const port = await listen(http.createServer((req, res) => {
      methods.push(req.method ?? '');
      res.writeHead(req.method === 'HEAD' ? 501 : 200);
      res.end();
    }));
    const b = await readBanner(LO, port, { hint: 'http', timeoutMs: 2000 });
    expect(methods).toEqual(['HEAD', 'GET']);
    expect(b.method).toBe('http-get');
    expect(b.exchange!.sent).toHaveLength(2);
    expect(check(port, b)).toMatchObject({ status: 'pass', condition: 'http-200' });
  });

  it('a RST right after the request → fail reset-after-request', async () => {
    const port = await listen(tcpServer((s) => s.once('data', () => s.resetAndDestroy())));
    const b = await readBanner(LO, port, { hint: 'http', timeoutMs: 2000 });
    expect(b.exchange).toMatchObject({ end: 'reset', endedAfter: 'request' });
    expect(check(port, b)).toMatchObject({ status: 'fail', condition: 'reset-after-request' });
  });

  it('a close (FIN) right after the request without an answer → fail closed-after-request', async () => {
    const port = await listen(tcpServer((s) => s.once('data', () => s.end())));
    const b = await readBanner(LO, port, { hint: 'http', timeoutMs: 2000 });
    expect(b.exchange).toMatchObject({ end: 'closed', endedAfter: 'request' });
    expect(check(port, b)).toMatchObject({ status: 'fail', condition: 'closed-after-request' });
  });

  it('silence after a valid HTTP request is not a fail: reachable, not identified', async () => {
    const port = await listen(tcpServer((s) => s.resume()));
    const b = await readBanner(LO, port, { hint: 'http', timeoutMs: 400 });
    expect(b.exchange).toMatchObject({ end: 'silent', requestSent: true });
    const c = check(port, b);
    expect(c).toMatchObject({ status: 'pass', condition: 'not-identified' });
    expect(c.finding.en).toMatch(/^Reachable; the application was not identified/);
  });

  it('plain HTTP to a TLS port: another protocol answers → warn, not fail', async () => {
    const port = await listen(tls.createServer({ key, cert }, (s) => s.end()));
    const b = await readBanner(LO, port, { hint: 'http', timeoutMs: 2000 });
    expect(b.exchange).toMatchObject({ end: 'wrong-protocol', protocol: 'http' });
    expect(b.exchange!.sent[1]).toMatch(/^TLS ClientHello/);
    const c = check(port, b);
    expect(c).toMatchObject({ status: 'warn', condition: 'wrong-protocol' });
    expect(c.finding.en).toContain('https://');
  });
});

describe('TLS / HTTPS', () => {
  it('self-signed server: ClientHello with SNI, handshake succeeds → pass tls', async () => {
    const seen: string[] = [];
    const port = await listen(tls.createServer({ key, cert, SNICallback: (name, cb) => { seen.push(name); cb(null, tls.createSecureContext({ key, cert })); } }, (s) => {
      s.once('data', () => s.end('HTTP/1.1 204 No Content\r\nServer: tls-lab\r\n\r\n'));
    }));
    const b = await readBanner(LO, port, { hint: 'https', servername: 'app.test', timeoutMs: 3000 });
    expect(seen).toEqual(['app.test']);
    expect(b.exchange!.sent[0]).toBe('TLS ClientHello (SNI app.test, ALPN http/1.1)');
    expect(b.tls?.selfSigned).toBe(true);
    const c = check(port, b);
    expect(c).toMatchObject({ status: 'pass', condition: 'tls' });
    expect(c.finding.en).toContain('204');
  });

  it('a server that answers the ClientHello with an alert (TLS 1.0 only) → fail tls-alert', async () => {
    const srv = tls.createServer({ key, cert, minVersion: 'TLSv1', maxVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' }, (s) => s.end());
    srv.on('tlsClientError', () => undefined);
    const port = await listen(srv);
    const b = await readBanner(LO, port, { hint: 'https', servername: 'app.test', timeoutMs: 2000 });
    expect(b.exchange?.end).toBe('tls-alert');
    expect(check(port, b)).toMatchObject({ status: 'fail', condition: 'tls-alert' });
  });

  it('a server that aborts the handshake (no site for this SNI name) → fail', async () => {
    const srv = tls.createServer({ key, cert, SNICallback: (_n, cb) => cb(new Error('no site for this name'), undefined as unknown as tls.SecureContext) }, (s) => s.end());
    srv.on('tlsClientError', () => undefined);
    const port = await listen(srv);
    const b = await readBanner(LO, port, { hint: 'https', servername: 'other.test', timeoutMs: 2000 });
    const c = check(port, b);
    expect(c.status).toBe('fail');
    expect(['closed-after-request', 'reset-after-request', 'tls-alert', 'tls-handshake-failed']).toContain(c.condition);
  });

  it('TLS asked of a plain-text HTTP server: warn wrong-protocol (the port answers, in plain text)', async () => {
    const port = await listen(http.createServer((_req, res) => res.end()));
    const b = await readBanner(LO, port, { hint: 'https', timeoutMs: 2000 });
    expect(b.exchange?.end).toBe('wrong-protocol');
    expect(check(port, b)).toMatchObject({ status: 'warn', condition: 'wrong-protocol' });
  });
});

describe('Redis, PostgreSQL, RDP (client-first requests)', () => {
  it('Redis PING → +PONG: pass; protected mode -DENIED: fail app-refuses', async () => {
    const pong = await listen(tcpServer((s) => s.on('data', (d) => { if (String(d) === 'PING\r\n') s.write('+PONG\r\n'); })));
    const denied = await listen(tcpServer((s) => s.once('data', () => s.end('-DENIED Redis is running in protected mode because protected mode is enabled\r\n'))));
    const a = await readBanner(LO, pong, { hint: 'redis', timeoutMs: 2000 });
    expect(a.exchange).toMatchObject({ sent: ['PING\\r\\n'], requestSent: true });
    expect(check(pong, a)).toMatchObject({ status: 'pass', condition: 'redis-answers' });
    const b = await readBanner(LO, denied, { hint: 'redis', timeoutMs: 2000 });
    const c = check(denied, b);
    expect(c).toMatchObject({ status: 'fail', condition: 'app-refuses' });
    expect(c.fixes!.map((f) => f.title.en).join(' ')).toContain('protected mode');
  });

  it('PostgreSQL SSLRequest → N: pass; silence: not identified', async () => {
    const pg = await listen(tcpServer((s) => s.once('data', () => s.write('N'))));
    const quiet = await listen(tcpServer((s) => s.resume()));
    const a = await readBanner(LO, pg, { hint: 'postgresql', timeoutMs: 2000 });
    expect(a.exchange!.sent).toEqual(['PostgreSQL SSLRequest (00 00 00 08 04 d2 16 2f)']);
    expect(check(pg, a)).toMatchObject({ status: 'pass', condition: 'postgresql-answers' });
    expect(check(quiet, await readBanner(LO, quiet, { hint: 'postgresql', timeoutMs: 300 }))).toMatchObject({ status: 'pass', condition: 'not-identified' });
  });

  it('RDP X.224 connection confirm: pass', async () => {
    const confirm = Buffer.from([0x03, 0, 0, 0x13, 0x0e, 0xd0, 0, 0, 0x12, 0x34, 0, 0x02, 0x00, 0x08, 0x00, 0x02, 0, 0, 0]);
    const port = await listen(tcpServer((s) => s.once('data', () => s.write(confirm))));
    const b = await readBanner(LO, port, { hint: 'rdp', timeoutMs: 2000 });
    expect(check(port, b)).toMatchObject({ status: 'pass', condition: 'rdp-answers' });
    expect(b.detail).toBe('negotiated CredSSP (NLA)');
  });
});

describe('server-first protocols', () => {
  it('SSH and SMTP greetings: pass; SMTP 421: fail app-refuses', async () => {
    const ssh = await listen(tcpServer((s) => s.write('SSH-2.0-OpenSSH_9.6\r\n')));
    const smtp = await listen(tcpServer((s) => s.write('220 mail.lab ESMTP Postfix\r\n')));
    const busy = await listen(tcpServer((s) => s.end('421 4.3.2 mail.lab Service not available, closing channel\r\n')));
    expect(check(ssh, await readBanner(LO, ssh, { hint: 'ssh', timeoutMs: 2000 }))).toMatchObject({ status: 'pass', condition: 'ssh-ident' });
    const a = await readBanner(LO, smtp, { hint: 'smtp', timeoutMs: 2000 });
    expect(a.exchange).toMatchObject({ protocol: 'smtp', serverFirst: true, sent: [], requestSent: false });
    expect(check(smtp, a)).toMatchObject({ status: 'pass', condition: 'smtp-answers' });
    expect(check(busy, await readBanner(LO, busy, { hint: 'smtp', timeoutMs: 2000 }))).toMatchObject({ status: 'fail', condition: 'app-refuses' });
  });

  it('a malformed greeting → fail malformed-greeting, quoting what came', async () => {
    const port = await listen(tcpServer((s) => s.write('hello there\r\n')));
    const c = check(port, await readBanner(LO, port, { hint: 'ssh', timeoutMs: 1000 }), 'ssh');
    expect(c).toMatchObject({ status: 'fail', condition: 'malformed-greeting' });
    expect(c.finding.en).toContain('hello there');
  });

  it('silence after connect is at most a warning (slow or stuck), never a fail', async () => {
    const port = await listen(tcpServer((s) => s.resume()));
    for (const hint of ['ssh', 'smtp', 'mysql']) {
      const b = await readBanner(LO, port, { hint, timeoutMs: 300 });
      expect(b.exchange).toMatchObject({ serverFirst: true, end: 'silent' });
      expect(check(port, b)).toMatchObject({ status: 'warn', condition: 'no-greeting' });
    }
  });

  it('MySQL greeting: pass; host-not-allowed error packet: fail app-refuses', async () => {
    const payload = Buffer.concat([Buffer.from([0x0a]), Buffer.from('8.0.36\0'), Buffer.alloc(24, 0x61)]);
    const ok = await listen(tcpServer((s) => s.write(Buffer.concat([Buffer.from([payload.length, 0, 0, 0]), payload]))));
    const msg = "Host '10.0.0.9' is not allowed to connect to this MySQL server";
    const err = Buffer.concat([Buffer.from([0xff, 0x6a, 0x04]), Buffer.from(msg)]);
    const refused = await listen(tcpServer((s) => s.end(Buffer.concat([Buffer.from([err.length, 0, 0, 0]), err]))));
    expect(check(ok, await readBanner(LO, ok, { hint: 'mysql', timeoutMs: 2000 }))).toMatchObject({ status: 'pass', condition: 'mysql-answers' });
    const c = check(refused, await readBanner(LO, refused, { hint: 'mysql', timeoutMs: 2000 }));
    expect(c).toMatchObject({ status: 'fail', condition: 'app-refuses' });
    expect(c.fixes!.map((f) => f.title.en).join(' ')).toContain('CREATE USER');
  });
});

describe('a server that closes at once', () => {
  const closer = (): net.Server => tcpServer((s) => s.end());

  it('server-first protocol: fail closed-before-greeting', async () => {
    const port = await listen(closer());
    for (const hint of ['ssh', 'smtp']) {
      const b = await readBanner(LO, port, { hint, timeoutMs: 1000 });
      expect(b.exchange).toMatchObject({ end: 'closed', endedAfter: 'connect' });
      expect(check(port, b)).toMatchObject({ status: 'fail', condition: 'closed-before-greeting' });
    }
  });

  it('unknown protocol: a warning (it may refuse this client), not a fail', async () => {
    const port = await listen(closer());
    const b = await readBanner(LO, port, { hint: 'other', timeoutMs: 1000 });
    expect(b.exchange).toMatchObject({ protocol: 'generic', chosenBy: 'hint', end: 'closed', endedAfter: 'connect', sent: [] });
    expect(check(port, b)).toMatchObject({ status: 'warn', condition: 'closed-without-request' });
  });

  it('unknown protocol silent, then closing on our blank-line nudge: reachable, not identified', async () => {
    const port = await listen(tcpServer((s) => s.once('data', () => s.end())));
    const b = await readBanner(LO, port, { timeoutMs: 1500 });
    expect(b.exchange).toMatchObject({ end: 'closed', endedAfter: 'nudge', sent: ['\\r\\n\\r\\n'] });
    expect(check(port, b)).toMatchObject({ status: 'pass', condition: 'not-identified' });
  });
});

// Runs INSIDE a lab host's network namespace (`ip netns exec NS node --import tsx host-server.ts '<json>'`)
// and serves that host's listeners: plain TCP accept, an SSH-like banner, HTTP, TLS (HTTPS), an
// egress-IP echo (HTTP answering the caller's address), UDP echo, and a DNS server (test/support/dns-server).
// Prints one line "READY" when every listener is bound (the lab waits for it) or "FAILED <why>" and exits.
// Sockets are closed on SIGTERM; the lab kills whatever is left in the namespace anyway.
import { readFileSync } from 'node:fs';
import dgram from 'node:dgram';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { startDnsServer, type TestDnsServer } from '../support/dns-server';
import { FILTER_PAGE, FILTER_SERVER_HEADER, HTTP_SERVER_HEADER, SSH_BANNER, type HostListenerConfig, type HostServerConfig } from './protocol';

type Closable = { close(): unknown };

function httpHandler(kind: 'http' | 'https' | 'egress-echo' | 'http-500'): http.RequestListener {
  return (req, res) => {
    if (kind === 'http-500') {
      // An application that is up but failing (a crashed upstream behind the web server).
      res.writeHead(500, { 'content-type': 'text/plain', server: HTTP_SERVER_HEADER });
      res.end(req.method === 'HEAD' ? undefined : 'internal error\n');
      return;
    }
    if (kind === 'egress-echo') {
      // Plain text like api.ipify.org / ifconfig.me: the caller's address as the server sees it.
      const addr = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
      res.writeHead(200, { 'content-type': 'text/plain', server: HTTP_SERVER_HEADER });
      res.end(`${addr}\n`);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain', server: HTTP_SERVER_HEADER });
    res.end(req.method === 'HEAD' ? undefined : `sgdlab ${kind} ${req.method} ${req.url}\n`);
  };
}

/**
 * A filtering relay (a middlebox's transparent proxy; the lab REDIRECTs the server's port here): reads the
 * request head; a request for the blocked Host gets a notice page from this relay, anything else is
 * relayed to the upstream as is. Bounded: 8 KB of head, 10 s per connection.
 */
function nameFilter(l: HostListenerConfig, track: (s: net.Socket) => void): net.Server {
  const f = l.filter;
  if (!f) throw new Error(`name-filter on ${l.port} needs a filter`);
  return net.createServer((s) => {
    track(s);
    s.setTimeout(10_000, () => s.destroy());
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      head = Buffer.concat([head, chunk]);
      const text = head.toString('latin1');
      if (!/\r?\n\r?\n/.test(text) && head.length < 8192) return;
      s.removeListener('data', onData);
      const host = /^host:\s*([^\r\n]*)/im.exec(text)?.[1]?.trim().replace(/:\d+$/, '').toLowerCase();
      if (host === f.blockHost) {
        const body = Buffer.from(FILTER_PAGE, 'utf8');
        s.end(Buffer.concat([Buffer.from(`HTTP/1.1 403 Forbidden\r\nServer: ${FILTER_SERVER_HEADER}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`, 'latin1'), body]));
        return;
      }
      const up = net.connect(f.upstream);
      up.on('error', () => s.destroy());
      s.on('close', () => up.destroy());
      up.write(head);
      s.pipe(up);
      up.pipe(s);
    };
    s.on('data', onData);
  });
}

async function listen(server: net.Server, port: number, host: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // ipv6Only false: '::' takes IPv4 too, so one listener serves both families.
    server.listen({ port, host, ipv6Only: false }, () => resolve());
  });
}

async function start(cfg: HostServerConfig): Promise<Closable[]> {
  const open: Closable[] = [];
  const sockets = new Set<net.Socket>();
  const track = (s: net.Socket): void => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
  };
  open.push({ close: () => sockets.forEach((s) => s.destroy()) });
  const tlsOpts = cfg.tls ? { cert: readFileSync(cfg.tls.certFile), key: readFileSync(cfg.tls.keyFile) } : undefined;

  for (const l of cfg.listeners) {
    let server: net.Server;
    switch (l.kind) {
      case 'tcp':
        // Accept and hold: like a service that waits for the client to speak first. Bounded in time.
        server = net.createServer((s) => {
          track(s);
          s.setTimeout(10_000, () => s.destroy());
          s.resume();
        });
        break;
      case 'ssh':
        server = net.createServer((s) => {
          track(s);
          s.setTimeout(10_000, () => s.destroy());
          s.write(`${SSH_BANNER}\r\n`);
          s.resume();
        });
        break;
      case 'http':
      case 'http-500':
      case 'egress-echo':
        server = http.createServer(httpHandler(l.kind));
        server.on('connection', track);
        break;
      case 'name-filter':
        server = nameFilter(l, track);
        break;
      case 'https':
        if (!tlsOpts) throw new Error(`https listener on ${l.port} needs a certificate`);
        server = https.createServer(tlsOpts, httpHandler('https'));
        server.on('connection', track);
        break;
    }
    await listen(server, l.port, l.host);
    open.push(server);
  }

  for (const u of cfg.udpEcho) {
    const sock = dgram.createSocket({ type: u.host.includes(':') ? 'udp6' : 'udp4', ipv6Only: false });
    sock.on('message', (msg, rinfo) => sock.send(msg, rinfo.port, rinfo.address));
    await new Promise<void>((resolve, reject) => {
      sock.once('error', reject);
      sock.bind(u.port, u.host, () => resolve());
    });
    open.push(sock);
  }

  if (cfg.dns) {
    for (const host of cfg.dns.hosts) {
      const srv: TestDnsServer = await startDnsServer(cfg.dns.zone, { host, port: cfg.dns.port });
      open.push({ close: () => srv.close() });
    }
  }
  return open;
}

async function main(): Promise<void> {
  const cfg = JSON.parse(process.argv[2] ?? '{}') as HostServerConfig;
  let open: Closable[];
  try {
    open = await start(cfg);
  } catch (err) {
    process.stdout.write(`FAILED ${(err as Error).message}\n`);
    process.exit(1);
  }
  const stop = (): void => {
    for (const c of open) {
      try {
        c.close();
      } catch {
        // already closed
      }
    }
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // The lab holds our stdin; when the lab's process dies, stdin ends and we go too (no orphans).
  process.stdin.on('end', stop);
  process.stdin.resume();
  process.stdout.write('READY\n');
}

void main();

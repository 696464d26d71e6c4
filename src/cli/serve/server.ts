// The web shell: the same renderer and the same contract over HTTP, for tests and for machines without
// the desktop runtime. Loopback only; every API request carries the per-launch token; the Host header
// must name the loopback address we listen on (no DNS rebinding) and any Origin / Sec-Fetch-Site must be
// our own (no cross-site requests). Arguments go through the same `dispatch` (and validation) as IPC.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { constants as fsConstants, createReadStream, promises as fsp } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, resolve, sep } from 'node:path';
import type { Backend } from '../../core/backend/backend';
import type { Logger } from '../../core/backend/log';
import { silentLogger } from '../../core/backend/log';

export interface WebShellOptions {
  backend: Backend;
  /** Built renderer (out/renderer): index.html and assets/. */
  rendererDir: string;
  /** 0 = any free port. */
  port?: number;
  /** Fixed token (tests); default: 32 random bytes per launch. */
  token?: string;
  log?: Logger;
  /** Largest request body (default 10 MB: an offline import of a big account). */
  maxBodyBytes?: number;
}

export interface WebShell {
  url: string;
  origin: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

export const LISTEN_ADDRESS = '127.0.0.1';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

// The page itself may only talk to this origin; no framing, no referrer (the token is in the URL).
const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Report formats the web shell offers as downloads. */
const DOWNLOAD_TYPES: Record<string, string> = { '.md': 'text/markdown; charset=utf-8', '.html': 'text/html; charset=utf-8', '.pdf': 'application/pdf' };

function baseHeaders(res: ServerResponse): void {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
}

function refuse(res: ServerResponse, status: number, code: string, message: string): void {
  baseHeaders(res);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify({ ok: false, code, message }));
}

const tokenEquals = (given: string | null | undefined, token: string): boolean => {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
};

/** The pure gate every request passes: Host, Origin, Sec-Fetch-Site. Exported for unit tests. */
export function checkRequestOrigin(
  headers: IncomingMessage['headers'],
  port: number,
): { ok: true } | { ok: false; status: number; code: string; message: string } {
  const allowedHosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const hostHeader = (headers.host ?? '').toLowerCase();
  if (!allowedHosts.has(hostHeader)) {
    return { ok: false, status: 421, code: 'BAD_HOST', message: `Host ${JSON.stringify(hostHeader.slice(0, 100))} is not this server (DNS rebinding refused)` };
  }
  const origin = headers.origin;
  if (origin !== undefined && !new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]).has(origin.toLowerCase())) {
    return { ok: false, status: 403, code: 'BAD_ORIGIN', message: 'Cross-origin requests are refused' };
  }
  const site = headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') {
    return { ok: false, status: 403, code: 'BAD_ORIGIN', message: `Sec-Fetch-Site ${String(site)} is refused` };
  }
  return { ok: true };
}

/** null when over `limit`: the rest is read and dropped (so the client gets the 413), up to 4× the limit. */
async function readBody(req: IncomingMessage, limit: number): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit * 4) {
      req.destroy();
      return null;
    }
    if (size <= limit) chunks.push(chunk as Buffer);
  }
  return size > limit ? null : Buffer.concat(chunks).toString('utf8');
}

export async function startWebShell(opts: WebShellOptions): Promise<WebShell> {
  const token = opts.token ?? randomBytes(32).toString('base64url');
  const log = opts.log ?? silentLogger();
  const rendererDir = resolve(opts.rendererDir);
  const maxBody = opts.maxBodyBytes ?? 10 * 1024 * 1024;
  const sse = new Set<ServerResponse>();
  let port = 0;

  const unsubscribe = opts.backend.onEvent((event, payload) => {
    const frame = `event: ${event}\ndata: ${JSON.stringify(payload)}\n\n`;
    for (const res of sse) res.write(frame);
  });

  async function serveStatic(res: ServerResponse, rel: string): Promise<void> {
    const file = resolve(join(rendererDir, rel));
    if (file !== rendererDir && !file.startsWith(rendererDir + sep)) return refuse(res, 404, 'NOT_FOUND', 'not found');
    const st = await fsp.stat(file).catch(() => null);
    if (!st?.isFile()) return refuse(res, 404, 'NOT_FOUND', 'not found');
    baseHeaders(res);
    res.setHeader('Content-Security-Policy', CSP);
    res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Content-Length': st.size });
    createReadStream(file).pipe(res);
  }

  /** A report from the backend's reports folder, by plain file name; never a link, never outside the folder. */
  async function serveDownload(res: ServerResponse, encoded: string): Promise<void> {
    let name: string;
    try {
      name = decodeURIComponent(encoded);
    } catch {
      return refuse(res, 404, 'NOT_FOUND', 'not found');
    }
    const type = DOWNLOAD_TYPES[extname(name).toLowerCase()];
    if (!type || name.startsWith('.') || /[/\\\0]/.test(name)) return refuse(res, 404, 'NOT_FOUND', 'not found');
    const dir = resolve(opts.backend.reportsDir);
    const file = join(dir, name);
    const st = await fsp.lstat(file).catch(() => null);
    if (!st?.isFile()) return refuse(res, 404, 'NOT_FOUND', 'not found');
    const handle = await fsp.open(file, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW).catch(() => null);
    if (!handle) return refuse(res, 404, 'NOT_FOUND', 'not found');
    baseHeaders(res);
    res.setHeader('Content-Security-Policy', "sandbox; default-src 'none'");
    const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
    res.writeHead(200, {
      'Content-Type': type,
      'Content-Length': st.size,
      'Content-Disposition': `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`,
    });
    handle.createReadStream().pipe(res);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const gate = checkRequestOrigin(req.headers, port);
    if (!gate.ok) {
      log.warn('web shell refused', { code: gate.code });
      return refuse(res, gate.status, gate.code, gate.message);
    }
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    const path = url.pathname;

    if (req.method === 'GET' && (path === '/' || path === '/index.html')) {
      if (!tokenEquals(url.searchParams.get('token'), token)) return refuse(res, 403, 'BAD_TOKEN', 'Open the exact URL printed by `sg-doctor serve` (it carries this launch\'s token)');
      return serveStatic(res, 'index.html');
    }
    // Everything else in the renderer folder is the public app bundle (scripts, styles, icon).
    if (req.method === 'GET' && !path.startsWith('/api/')) {
      let rel: string;
      try {
        rel = decodeURIComponent(path).slice(1);
      } catch {
        return refuse(res, 404, 'NOT_FOUND', 'not found');
      }
      return serveStatic(res, rel);
    }

    if (req.method === 'GET' && path === '/api/events') {
      if (!tokenEquals(url.searchParams.get('token'), token)) return refuse(res, 403, 'BAD_TOKEN', 'wrong or missing token');
      baseHeaders(res);
      res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', Connection: 'keep-alive' });
      res.write(': connected\n\n');
      sse.add(res);
      const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
      req.on('close', () => {
        clearInterval(ping);
        sse.delete(res);
      });
      return;
    }

    // An exported report as a browser download (the page cannot read the server's folders otherwise).
    const dl = /^\/api\/download\/([^/]+)$/.exec(path);
    if (dl) {
      if (req.method !== 'GET') return refuse(res, 405, 'METHOD', 'GET only');
      if (!tokenEquals(url.searchParams.get('token'), token)) return refuse(res, 403, 'BAD_TOKEN', 'wrong or missing token');
      return serveDownload(res, dl[1]);
    }

    const m = /^\/api\/invoke\/([a-zA-Z.]+)$/.exec(path);
    if (m) {
      if (req.method !== 'POST') return refuse(res, 405, 'METHOD', 'POST only');
      if (!tokenEquals(req.headers['x-sgd-token'] as string | undefined, token)) return refuse(res, 403, 'BAD_TOKEN', 'wrong or missing token');
      // application/json cannot be sent cross-site without a CORS preflight, which we never answer.
      if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) return refuse(res, 415, 'BAD_CONTENT_TYPE', 'application/json only');
      const body = await readBody(req, maxBody);
      if (body === null) return refuse(res, 413, 'TOO_LARGE', `request body over ${maxBody} bytes`);
      let parsed: unknown;
      try {
        parsed = body ? JSON.parse(body) : {};
      } catch {
        return refuse(res, 400, 'BAD_JSON', 'request body is not JSON');
      }
      const args = parsed && typeof parsed === 'object' && 'args' in parsed ? (parsed as { args: unknown }).args : undefined;
      const result = await opts.backend.dispatch(m[1], args);
      baseHeaders(res);
      res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(result));
      return;
    }
    if (req.method === 'OPTIONS') return refuse(res, 403, 'BAD_ORIGIN', 'no CORS here');
    return refuse(res, 404, 'NOT_FOUND', 'not found');
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      log.error('web shell error', { message: (e as Error).message });
      if (!res.headersSent) refuse(res, 500, 'INTERNAL', 'internal error');
      else res.end();
    });
  });
  await new Promise<void>((ok, ko) => {
    server.once('error', ko);
    server.listen(opts.port ?? 0, LISTEN_ADDRESS, () => ok());
  });
  port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/?token=${token}`,
    origin,
    port,
    token,
    async close() {
      unsubscribe();
      opts.backend.cancelAll();
      for (const res of sse) res.end();
      sse.clear();
      server.closeAllConnections();
      await new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}

// Application banners on an open port: which program answers, and how. A banner turns "the port is
// open" into "OpenSSH 8.9 answers" or "nginx answers 502", and a TLS handshake shows the certificate the
// user's browser will see. Every reader is bounded by one deadline, honours an AbortSignal, counts the
// bytes it received and never throws: failures come back as `error` on the fact.
import net from 'node:net';
import tls from 'node:tls';
import { isServerFirst } from './app-protocol';
import type { BannerEnd, BannerExchange, BannerFact, TlsInfo } from './types';

export interface BannerOptions {
  /** Host name for TLS SNI and the HTTP Host header (ignored for SNI when it is an IP literal). */
  servername?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Application protocol or service name (ssh, http, https, tls, mysql, postgresql, redis, rdp, smtp, other, ...) overriding the port's default. */
  hint?: string;
}

export type BannerStrategy = 'ssh' | 'http' | 'https' | 'tls' | 'mysql' | 'postgresql' | 'redis' | 'rdp' | 'smtp' | 'ftp' | 'pop3' | 'imap' | 'generic';

const DEFAULT_TIMEOUT_MS = 3000;
/** Enough for a status line and headers, a greeting packet or a certificate-less first burst. */
const MAX_BYTES = 8192;
const PRINTABLE_LIMIT = 200;

const PORT_STRATEGY: Record<number, BannerStrategy> = {
  22: 'ssh',
  2222: 'ssh',
  80: 'http',
  8080: 'http',
  8000: 'http',
  8888: 'http',
  443: 'https',
  8443: 'https',
  465: 'tls', // SMTPS
  993: 'tls', // IMAPS
  995: 'tls', // POP3S
  636: 'tls', // LDAPS
  3306: 'mysql',
  5432: 'postgresql',
  6379: 'redis',
  3389: 'rdp',
  21: 'ftp',
  25: 'smtp',
  587: 'smtp',
  110: 'pop3',
  143: 'imap',
};

const HINT_ALIASES: Record<string, BannerStrategy> = {
  ssh: 'ssh',
  http: 'http',
  'http-alt': 'http',
  https: 'https',
  'https-alt': 'https',
  tls: 'tls',
  ssl: 'tls',
  smtps: 'tls',
  imaps: 'tls',
  pop3s: 'tls',
  ldaps: 'tls',
  mysql: 'mysql',
  mariadb: 'mysql',
  postgres: 'postgresql',
  postgresql: 'postgresql',
  redis: 'redis',
  rdp: 'rdp',
  'ms-wbt-server': 'rdp',
  'remote-desktop': 'rdp',
  pg: 'postgresql',
  smtp: 'smtp',
  submission: 'smtp',
  ftp: 'ftp',
  pop3: 'pop3',
  imap: 'imap',
  generic: 'generic',
  other: 'generic',
  unknown: 'generic',
};

/** Which conversation to hold with a port, and why: the hint wins when it names a known protocol or service. */
export function chooseBannerStrategy(port: number, hint?: string): { strategy: BannerStrategy; chosenBy: BannerExchange['chosenBy'] } {
  const fromHint = hint ? HINT_ALIASES[hint.trim().toLowerCase()] : undefined;
  if (fromHint) return { strategy: fromHint, chosenBy: 'hint' };
  const fromPort = PORT_STRATEGY[port];
  if (fromPort) return { strategy: fromPort, chosenBy: 'port' };
  return { strategy: 'generic', chosenBy: 'default' };
}

/** Which conversation to hold with a port: the hint wins when it names a known service. */
export function bannerStrategyFor(port: number, hint?: string): BannerStrategy {
  return chooseBannerStrategy(port, hint).strategy;
}

/** Bytes as readable text: printable ASCII kept, CR/LF/TAB escaped, the rest as \xNN; truncated. */
export function printable(buf: Buffer, limit = PRINTABLE_LIMIT): string {
  let out = '';
  for (const byte of buf) {
    if (out.length >= limit) return `${out}…`;
    if (byte === 0x0d) out += '\\r';
    else if (byte === 0x0a) out += '\\n';
    else if (byte === 0x09) out += '\\t';
    else if (byte >= 0x20 && byte < 0x7f) out += String.fromCharCode(byte);
    else out += `\\x${byte.toString(16).padStart(2, '0')}`;
  }
  return out;
}

export async function readBanner(address: string, port: number, opts: BannerOptions = {}): Promise<BannerFact> {
  const started = Date.now();
  const { strategy, chosenBy } = chooseBannerStrategy(port, opts.hint);
  const ctx: Ctx = {
    address,
    port,
    servername: opts.servername,
    deadline: started + Math.max(50, opts.timeoutMs ?? DEFAULT_TIMEOUT_MS),
    signal: opts.signal,
    strategy,
    chosenBy,
  };
  let fact: Omit<BannerFact, 'durationMs'>;
  try {
    fact = await STRATEGIES[strategy](ctx);
  } catch (err) {
    // Defensive: the readers resolve rather than reject, but a banner must never break a probe run.
    fact = { kind: 'none', method: strategy, bytesRead: 0, error: `internal: ${(err as Error).message}` };
  }
  return { ...fact, durationMs: Date.now() - started };
}

interface Ctx {
  address: string;
  port: number;
  servername?: string;
  deadline: number;
  signal?: AbortSignal;
  strategy: BannerStrategy;
  chosenBy: BannerExchange['chosenBy'];
}

type Reader = (ctx: Ctx) => Promise<Omit<BannerFact, 'durationMs'>>;

// ---------------------------------------------------------------------------------------------------
// One bounded conversation over a socket.

interface Exchange {
  data: Buffer;
  /** connect / handshake finished */
  connected: boolean;
  /** timeout, aborted, reset, refused, closed, tls-error: ... ; absent when `done` matched. */
  error?: string;
  /** What was written, readable, in order. */
  sent: string[];
  /** What the end followed. */
  endedAfter: BannerExchange['endedAfter'];
}

interface Plan {
  /** Sent as soon as the connection is up (with its readable description for the evidence). */
  send?: Buffer;
  sendLabel?: string;
  /** Sent when the server stayed silent this long (nmap's "NULL probe first, then a gentle one"). */
  nudge?: { afterMs: number; data: Buffer };
  /** True when enough has been read. */
  done: (data: Buffer) => boolean;
}

function remaining(ctx: Ctx): number {
  return Math.max(0, ctx.deadline - Date.now());
}

/** A socket error as a short token (reset, refused, closed, the errno code, else the message's first line). */
export function errorName(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'ECONNRESET':
      return 'reset';
    case 'ECONNREFUSED':
      return 'refused';
    case 'EPIPE':
      return 'closed';
    default:
      return err.code ? err.code : err.message.split('\n')[0].slice(0, 120);
  }
}

/** Talk over an already-created socket; `readyEvent` is 'connect' for TCP, 'secureConnect' for TLS. */
function converse(
  ctx: Ctx,
  socket: net.Socket | tls.TLSSocket,
  readyEvent: 'connect' | 'secureConnect' | null,
  plan: Plan,
): Promise<Exchange> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let connected = readyEvent === null;
    let settled = false;
    let nudgeTimer: NodeJS.Timeout | undefined;
    const sent: string[] = [];
    let endedAfter: BannerExchange['endedAfter'] = 'connect';

    const finish = (error?: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(nudgeTimer);
      ctx.signal?.removeEventListener('abort', onAbort);
      socket.removeListener('data', onData);
      socket.removeListener('error', onError);
      socket.removeListener('end', onEnd);
      socket.removeListener('close', onEnd);
      if (readyEvent) socket.removeListener(readyEvent, onReady);
      socket.destroy();
      socket.on('error', () => undefined); // late errors after we are done must not crash the process
      resolve({ data: Buffer.concat(chunks, size), connected, error, sent, endedAfter });
    };
    const onAbort = (): void => finish('aborted');
    const onData = (chunk: Buffer): void => {
      const room = MAX_BYTES - size;
      const piece = chunk.length > room ? chunk.subarray(0, room) : chunk;
      chunks.push(piece);
      size += piece.length;
      const all = Buffer.concat(chunks, size);
      if (plan.done(all)) finish();
      else if (size >= MAX_BYTES) finish();
    };
    const onError = (err: NodeJS.ErrnoException): void => finish(errorName(err));
    const onEnd = (): void => finish(size > 0 ? undefined : 'closed');
    const start = (): void => {
      if (plan.send) {
        socket.write(plan.send);
        sent.push(plan.sendLabel ?? printable(plan.send));
        endedAfter = 'request';
      }
      if (plan.nudge) {
        const nudge = plan.nudge;
        nudgeTimer = setTimeout(() => {
          if (!settled && size === 0 && socket.writable) {
            socket.write(nudge.data);
            sent.push(printable(nudge.data));
            endedAfter = 'nudge';
          }
        }, Math.min(nudge.afterMs, remaining(ctx)));
      }
    };
    const onReady = (): void => {
      connected = true;
      start();
    };

    if (ctx.signal?.aborted) {
      finish('aborted');
      return;
    }
    ctx.signal?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => finish('timeout'), remaining(ctx));
    socket.on('data', onData);
    socket.on('error', onError);
    socket.on('end', onEnd);
    socket.on('close', onEnd);
    if (readyEvent) socket.once(readyEvent, onReady);
    else start();
  });
}

function tcpConnect(ctx: Ctx): net.Socket {
  const socket = net.connect({ host: ctx.address, port: ctx.port });
  socket.setNoDelay(true);
  return socket;
}

function withBytes(ex: Exchange, extra: Partial<BannerFact>): Partial<BannerFact> {
  return ex.data.length > 0 ? { firstBytes: printable(ex.data), ...extra } : extra;
}

/** How a conversation ended, from what came back and the error the socket gave. */
export function bannerEndOf(data: Buffer | number, error: string | undefined): BannerEnd {
  const bytes = typeof data === 'number' ? data : data.length;
  const e = error ?? '';
  // A TLS alert in answer to plain text, or plain text in answer to a ClientHello: another protocol answers.
  if (/^tls-alert/.test(e) || /WRONG_VERSION_NUMBER|PACKET_LENGTH_TOO_LONG|HTTP_REQUEST|UNKNOWN_PROTOCOL/i.test(e)) return 'wrong-protocol';
  if (bytes > 0) return 'answered';
  if (e === 'timeout') return 'silent';
  if (e === 'aborted') return 'aborted';
  if (e === 'closed' || e === 'EOF' || /closed during handshake|socket disconnected/i.test(e)) return 'closed';
  if (e === 'reset' || /ECONNRESET/.test(e)) return 'reset';
  if (/^tls-error: .*ALERT/i.test(e)) return 'tls-alert';
  if (/^tls-error/.test(e)) return 'tls-error';
  return 'error';
}

/** The conversation record of a plain-socket exchange. */
function exchangeOf(ctx: Ctx, ex: Exchange, end?: BannerEnd): BannerExchange {
  return {
    protocol: ctx.strategy,
    chosenBy: ctx.chosenBy,
    serverFirst: isServerFirst(ctx.strategy),
    sent: ex.sent,
    requestSent: ctx.strategy !== 'generic' && ex.sent.length > 0,
    end: end ?? bannerEndOf(ex.data, ex.error),
    endedAfter: ex.endedAfter,
  };
}

/** A reply we did not expect: report what came back, as evidence. */
function unexpected(ctx: Ctx, method: string, ex: Exchange): Omit<BannerFact, 'durationMs'> {
  const exchange = exchangeOf(ctx, ex);
  if (ex.data.length === 0) return { kind: 'none', method, bytesRead: 0, error: ex.error ?? 'no data', exchange };
  // Whatever the port, an SSH or HTTP answer is recognisable: say so.
  const text = ex.data.toString('latin1');
  const ssh = parseSshIdent(text);
  if (ssh) return { kind: 'ssh', method, sshIdent: ssh, firstBytes: printable(ex.data), bytesRead: ex.data.length, exchange };
  const http = parseHttpHead(text);
  if (http) return { kind: 'http', method, http, firstBytes: printable(ex.data), bytesRead: ex.data.length, exchange };
  return { kind: 'generic', method, firstBytes: printable(ex.data), bytesRead: ex.data.length, error: ex.error, exchange };
}

// ---------------------------------------------------------------------------------------------------
// SSH: the server speaks first with "SSH-protoversion-softwareversion" (RFC 4253 §4.2); other lines may
// precede it.

export function parseSshIdent(text: string): string | undefined {
  for (const line of text.split('\n')) {
    const clean = line.replace(/\r$/, '');
    if (clean.startsWith('SSH-')) return clean.slice(0, 255);
  }
  return undefined;
}

const readSsh: Reader = async (ctx) => {
  const ex = await converse(ctx, tcpConnect(ctx), 'connect', {
    done: (d) => /(^|\n)SSH-[^\n]*\n/.test(d.toString('latin1')),
  });
  const ident = parseSshIdent(ex.data.toString('latin1'));
  // A complete line is required unless the server closed: "SSH-2.0-x" without newline still counts then.
  if (ident) return { kind: 'ssh', method: 'ssh-ident', sshIdent: ident, ...withBytes(ex, {}), bytesRead: ex.data.length, exchange: exchangeOf(ctx, ex) };
  return { ...unexpected(ctx, 'ssh-ident', ex) };
};

// ---------------------------------------------------------------------------------------------------
// HTTP: HEAD / over HTTP/1.0, status line + Server + Location.

export function parseHttpHead(text: string): BannerFact['http'] | undefined {
  const head = text.split(/\r?\n\r?\n/)[0];
  const lines = head.split(/\r?\n/);
  const m = /^HTTP\/\d(?:\.\d)?\s+(\d{3})(?:\s.*)?$/.exec(lines[0] ?? '');
  if (!m) return undefined;
  const header = (name: string): string | null => {
    for (const line of lines.slice(1)) {
      const idx = line.indexOf(':');
      if (idx > 0 && line.slice(0, idx).trim().toLowerCase() === name) return line.slice(idx + 1).trim();
    }
    return null;
  };
  return { statusLine: lines[0].trim(), statusCode: Number(m[1]), server: header('server'), location: header('location') };
}

function hostHeader(ctx: Ctx): string {
  const name = ctx.servername ?? ctx.address;
  const host = net.isIPv6(name) ? `[${name}]` : name;
  const defaultPort = ctx.port === 80 || ctx.port === 443;
  return defaultPort ? host : `${host}:${ctx.port}`;
}

function headRequest(ctx: Ctx, method: 'HEAD' | 'GET' = 'HEAD'): Buffer {
  return Buffer.from(
    `${method} / HTTP/1.0\r\nHost: ${hostHeader(ctx)}\r\nUser-Agent: sg-doctor\r\nAccept: */*\r\nConnection: close\r\n\r\n`,
    'latin1',
  );
}

const headerComplete = (d: Buffer): boolean => /\r?\n\r?\n/.test(d.toString('latin1'));

/** HEAD not implemented or not allowed: ask again with GET (only the headers are read). */
const retryWithGet = (code: number): boolean => code === 501 || code === 405;

const readHttp: Reader = async (ctx) => {
  let ex = await converse(ctx, tcpConnect(ctx), 'connect', { send: headRequest(ctx), done: headerComplete });
  let http = parseHttpHead(ex.data.toString('latin1'));
  let method = 'http-head';
  if (http && retryWithGet(http.statusCode) && remaining(ctx) > 0) {
    const again = await converse(ctx, tcpConnect(ctx), 'connect', { send: headRequest(ctx, 'GET'), done: headerComplete });
    const httpGet = parseHttpHead(again.data.toString('latin1'));
    if (httpGet) {
      ex = { ...again, sent: [...ex.sent, ...again.sent] };
      http = httpGet;
      method = 'http-get';
    }
  }
  if (http) return { kind: 'http', method, http, ...withBytes(ex, {}), bytesRead: ex.data.length, exchange: exchangeOf(ctx, ex) };
  // A TLS alert (0x15 0x03) in answer to plain HTTP: this port speaks TLS.
  if (ex.data.length >= 2 && ex.data[0] === 0x15 && ex.data[1] === 0x03) {
    const error = 'tls-alert: the port expects TLS';
    return { kind: 'generic', method, firstBytes: printable(ex.data), bytesRead: ex.data.length, error, exchange: exchangeOf(ctx, ex, 'wrong-protocol') };
  }
  // Dropped without a word on plain HTTP: many TLS servers do that. If a TLS handshake succeeds, the
  // request was in the wrong protocol, not refused by a failing application.
  if (ex.data.length === 0 && (ex.error === 'closed' || ex.error === 'reset') && remaining(ctx) > 0) {
    const t = await readTls(false)(ctx);
    if (t.tls) {
      const exchange: BannerExchange = { ...exchangeOf(ctx, ex, 'wrong-protocol'), sent: [...ex.sent, ...(t.exchange?.sent ?? [])] };
      return { kind: 'tls', method: 'http-head+tls-handshake', tls: t.tls, bytesRead: t.bytesRead, error: `http: ${ex.error}; the port speaks TLS`, exchange };
    }
  }
  return unexpected(ctx, method, ex);
};

// ---------------------------------------------------------------------------------------------------
// TLS: handshake with SNI (unless the name is an IP), never rejecting, recording what a browser would say.

function dn(entity: tls.Certificate | undefined): string | null {
  if (!entity || typeof entity !== 'object') return null;
  const parts: string[] = [];
  for (const key of ['CN', 'O', 'OU'] as const) {
    const v = entity[key];
    if (v) parts.push(`${key}=${Array.isArray(v) ? v.join('+') : v}`);
  }
  return parts.length ? parts.join(', ') : null;
}

function isoDate(s: string | undefined): string | null {
  if (!s) return null;
  const t = Date.parse(s);
  return Number.isNaN(t) ? null : new Date(t).toISOString();
}

export function tlsInfoFrom(socket: tls.TLSSocket, servername: string | null, now = Date.now()): TlsInfo {
  const cert = socket.getPeerCertificate(true) as tls.DetailedPeerCertificate | Record<string, never>;
  const hasCert = cert && typeof cert === 'object' && 'subject' in cert && cert.subject !== undefined;
  const c = hasCert ? (cert as tls.DetailedPeerCertificate) : undefined;
  const validFrom = isoDate(c?.valid_from);
  const validTo = isoDate(c?.valid_to);
  const cipher = socket.getCipher();
  const authErr = socket.authorizationError ? String(socket.authorizationError) : null;
  let selfSigned: boolean | null = null;
  if (c) {
    const issuerCert = c.issuerCertificate;
    selfSigned =
      authErr === 'DEPTH_ZERO_SELF_SIGNED_CERT' ||
      (issuerCert !== undefined && issuerCert.fingerprint256 === c.fingerprint256) ||
      (issuerCert === undefined && dn(c.subject) === dn(c.issuer));
  }
  return {
    protocol: socket.getProtocol() ?? null,
    cipher: cipher?.name ?? null,
    servername,
    subject: dn(c?.subject),
    issuer: dn(c?.issuer),
    validFrom,
    validTo,
    expired: validTo ? Date.parse(validTo) < now : null,
    selfSigned,
    authorized: socket.authorized,
    authorizationError: authErr,
    altNames: c?.subjectaltname ? c.subjectaltname.split(/,\s*/).filter(Boolean) : [],
  };
}

function readTls(alsoHttp: boolean): Reader {
  return async (ctx) => {
    const sni = ctx.servername && net.isIP(ctx.servername) === 0 ? ctx.servername : null;
    // Our own TCP socket underneath, so bytesRead counts what came over the wire (certificates included).
    const raw = tcpConnect(ctx);
    const socket = tls.connect({
      socket: raw,
      servername: sni ?? undefined,
      rejectUnauthorized: false, // we report trust problems, we do not refuse to look
      ALPNProtocols: alsoHttp ? ['http/1.1'] : undefined,
    });
    const hello = `TLS ClientHello (${sni ? `SNI ${sni}` : 'no SNI: the target is an IP address'}${alsoHttp ? ', ALPN http/1.1' : ''})`;
    const handshake = await handshakeExchange(ctx, socket, raw);
    const tlsExchange = (end: BannerEnd, sent: string[] = [hello]): BannerExchange => ({
      protocol: ctx.strategy,
      chosenBy: ctx.chosenBy,
      serverFirst: false,
      sent,
      requestSent: true,
      end,
      endedAfter: 'request',
    });
    if (!handshake.connected) {
      const error = handshake.error ?? 'tls-error';
      // A refused or unreachable TCP connect never got to the ClientHello.
      const connectFailed = /ECONNREFUSED|EHOSTUNREACH|ENETUNREACH|EACCES|EPERM|^refused/.test(error);
      // Whatever bytes came (an alert), the handshake failed: the end is named from the error.
      const exchange: BannerExchange = connectFailed ? { ...tlsExchange('error', []), requestSent: false, endedAfter: 'connect' } : tlsExchange(bannerEndOf(0, error));
      return { kind: 'none', method: 'tls-handshake', bytesRead: raw.bytesRead, error, exchange };
    }
    const info = tlsInfoFrom(socket, sni);
    const bytesHandshake = raw.bytesRead;
    if (!alsoHttp || remaining(ctx) === 0) {
      socket.destroy();
      return { kind: 'tls', method: 'tls-handshake', tls: info, bytesRead: bytesHandshake, exchange: tlsExchange('answered') };
    }
    const ex = await converse(ctx, socket, null, { send: headRequest(ctx), done: headerComplete });
    const http = parseHttpHead(ex.data.toString('latin1'));
    return {
      kind: 'tls',
      method: 'tls-handshake+http-head',
      tls: info,
      ...(http ? { http } : {}),
      ...(ex.data.length ? { firstBytes: printable(ex.data) } : {}),
      bytesRead: raw.bytesRead,
      ...(http ? {} : { error: `http: ${ex.error ?? 'no HTTP answer'}` }),
      // The handshake answered; what HTTP over it did is in `http` / `error`.
      exchange: tlsExchange('answered', [hello, ...ex.sent]),
    };
  };
}

/** The handshake alone settles this exchange; the socket stays open for HTTP on success. */
function handshakeExchange(ctx: Ctx, socket: tls.TLSSocket, raw: net.Socket): Promise<Exchange> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (ex: Exchange): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      ctx.signal?.removeEventListener('abort', onAbort);
      socket.removeListener('secureConnect', onSecure);
      socket.removeListener('error', onError);
      socket.removeListener('close', onClose);
      raw.removeListener('error', onError);
      socket.on('error', () => undefined);
      raw.on('error', () => undefined);
      if (ex.error) {
        socket.destroy();
        raw.destroy();
      }
      resolve(ex);
    };
    const onSecure = (): void => finish({ data: Buffer.alloc(0), connected: true, sent: [], endedAfter: 'request' });
    const none = { data: Buffer.alloc(0), connected: false, sent: [], endedAfter: 'request' as const };
    const onError = (err: NodeJS.ErrnoException): void =>
      finish({ ...none, error: `tls-error: ${err.code ?? err.message}${err.code && err.message ? ` (${err.message.split('\n')[0].slice(0, 120)})` : ''}` });
    const onClose = (): void => finish({ ...none, error: 'tls-error: closed during handshake' });
    const onAbort = (): void => finish({ ...none, error: 'aborted' });
    if (ctx.signal?.aborted) return onAbort();
    ctx.signal?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => finish({ ...none, error: 'timeout' }), remaining(ctx));
    socket.once('secureConnect', onSecure);
    socket.on('error', onError);
    raw.on('error', onError); // connect errors (refused, unreachable) surface on the TCP socket
    socket.once('close', onClose);
  });
}

// ---------------------------------------------------------------------------------------------------
// MySQL / MariaDB: the server sends a handshake packet first: 3-byte length, sequence id, then protocol
// version 10 and a NUL-terminated version string; or an error packet (0xff, code, message), e.g.
// "Host '1.2.3.4' is not allowed to connect to this MySQL server".

export function parseMysqlGreeting(d: Buffer): { version?: string; error?: string; code?: number } | undefined {
  if (d.length < 5) return undefined;
  const len = d.readUIntLE(0, 3);
  const payload = d.subarray(4, 4 + len);
  if (payload.length === 0) return undefined;
  if (payload[0] === 0x0a) {
    const end = payload.indexOf(0, 1);
    if (end < 0) return undefined;
    return { version: payload.subarray(1, end).toString('latin1') };
  }
  if (payload[0] === 0xff && payload.length >= 3) {
    const code = payload.readUInt16LE(1);
    let msg = payload.subarray(3);
    if (msg[0] === 0x23) msg = msg.subarray(6); // '#' + 5-char SQL state (only after a handshake, but harmless)
    return { code, error: msg.toString('utf8') };
  }
  return undefined;
}

function fullPacket(d: Buffer): boolean {
  return d.length >= 4 && d.length >= 4 + d.readUIntLE(0, 3);
}

const readMysql: Reader = async (ctx) => {
  const ex = await converse(ctx, tcpConnect(ctx), 'connect', { done: fullPacket });
  const g = parseMysqlGreeting(ex.data);
  const exchange = exchangeOf(ctx, ex);
  if (g?.version !== undefined) {
    return { kind: 'generic', method: 'mysql-greeting', service: 'mysql', version: g.version, firstBytes: printable(ex.data), bytesRead: ex.data.length, exchange };
  }
  if (g?.error !== undefined) {
    // An error packet instead of the handshake: the server refuses this client (1130 host not allowed,
    // 1040 too many connections, 1129 host blocked...).
    const error = `mysql-error ${g.code}: ${g.error}`;
    return { kind: 'generic', method: 'mysql-greeting', service: 'mysql', firstBytes: printable(ex.data), bytesRead: ex.data.length, error, refusal: error, exchange };
  }
  return unexpected(ctx, 'mysql-greeting', ex);
};

// ---------------------------------------------------------------------------------------------------
// PostgreSQL: SSLRequest (length 8, code 80877103); the server answers one byte, 'S' or 'N'.

const PG_SSL_REQUEST = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]);

const readPostgres: Reader = async (ctx) => {
  const ex = await converse(ctx, tcpConnect(ctx), 'connect', {
    send: PG_SSL_REQUEST,
    sendLabel: 'PostgreSQL SSLRequest (00 00 00 08 04 d2 16 2f)',
    done: (d) => d.length >= 1,
  });
  const b = ex.data[0];
  const exchange = exchangeOf(ctx, ex);
  if (ex.data.length >= 1 && (b === 0x53 || b === 0x4e)) {
    return {
      kind: 'generic',
      method: 'postgres-sslrequest',
      service: 'postgresql',
      detail: b === 0x53 ? 'SSL supported' : 'SSL not offered',
      firstBytes: printable(ex.data),
      bytesRead: ex.data.length,
      exchange,
    };
  }
  if (ex.data.length >= 1 && b === 0x45) {
    // 'E': an ErrorResponse, sent by very old servers or poolers that do not know SSLRequest.
    return { kind: 'generic', method: 'postgres-sslrequest', service: 'postgresql', detail: 'error response', firstBytes: printable(ex.data), bytesRead: ex.data.length, exchange };
  }
  return unexpected(ctx, 'postgres-sslrequest', ex);
};

// ---------------------------------------------------------------------------------------------------
// Redis: PING → "+PONG", or "-NOAUTH" (password set), or "-DENIED" (protected mode refuses remote clients).

const readRedis: Reader = async (ctx) => {
  const ex = await converse(ctx, tcpConnect(ctx), 'connect', {
    send: Buffer.from('PING\r\n'),
    done: (d) => d.includes('\r\n'),
  });
  const line = ex.data.toString('latin1').split('\r\n')[0];
  if (/^[+-]/.test(line)) {
    const isPong = line.startsWith('+PONG');
    return {
      kind: 'generic',
      method: 'redis-ping',
      service: 'redis',
      detail: line.slice(0, 160),
      firstBytes: printable(ex.data),
      bytesRead: ex.data.length,
      ...(isPong ? {} : { error: `redis: ${line.slice(1, 120)}` }),
      // Protected mode: Redis answers, but refuses every client that is not on loopback.
      ...(line.startsWith('-DENIED') ? { refusal: line.slice(0, 200) } : {}),
      exchange: exchangeOf(ctx, ex),
    };
  }
  return unexpected(ctx, 'redis-ping', ex);
};

// ---------------------------------------------------------------------------------------------------
// RDP: TPKT + X.224 Connection Request carrying an RDP Negotiation Request (TLS|CredSSP). A Connection
// Confirm (code 0xD0) means an RDP stack answered; its negotiation response names the protocol chosen.

export const RDP_CONNECTION_REQUEST = Buffer.from([
  0x03, 0x00, 0x00, 0x13, // TPKT v3, length 19
  0x0e, 0xe0, 0x00, 0x00, 0x00, 0x00, 0x00, // X.224 CR, length 14
  0x01, 0x00, 0x08, 0x00, 0x03, 0x00, 0x00, 0x00, // RDP_NEG_REQ: PROTOCOL_SSL | PROTOCOL_HYBRID
]);

const RDP_PROTOCOLS: Record<number, string> = { 0: 'standard RDP security', 1: 'TLS', 2: 'CredSSP (NLA)', 8: 'CredSSP with Early User Auth' };

export function parseRdpConfirm(d: Buffer): { confirmed: boolean; detail: string } | undefined {
  if (d.length < 7 || d[0] !== 0x03) return undefined;
  if ((d[5] & 0xf0) !== 0xd0) return { confirmed: false, detail: `TPKT reply without X.224 confirm (0x${d[5].toString(16)})` };
  if (d.length >= 19) {
    const type = d[11];
    const value = d.readUInt32LE(15);
    if (type === 0x02) return { confirmed: true, detail: `negotiated ${RDP_PROTOCOLS[value] ?? `protocol ${value}`}` };
    if (type === 0x03) return { confirmed: true, detail: `negotiation failure code ${value}` };
  }
  return { confirmed: true, detail: 'connection confirm' };
}

const readRdp: Reader = async (ctx) => {
  const ex = await converse(ctx, tcpConnect(ctx), 'connect', {
    send: RDP_CONNECTION_REQUEST,
    sendLabel: 'RDP X.224 Connection Request (offers TLS and CredSSP)',
    done: (d) => d.length >= 4 && d[0] === 0x03 && d.length >= d.readUInt16BE(2),
  });
  const r = parseRdpConfirm(ex.data);
  if (r?.confirmed) {
    return { kind: 'generic', method: 'rdp-x224', service: 'rdp', detail: r.detail, firstBytes: printable(ex.data), bytesRead: ex.data.length, exchange: exchangeOf(ctx, ex) };
  }
  return unexpected(ctx, 'rdp-x224', ex);
};

// ---------------------------------------------------------------------------------------------------
// Line greetings of server-first mail and file protocols: SMTP and FTP "220 ..." (RFC 5321 §4.2,
// RFC 959 §4.2: 421 or 554 when the service refuses), POP3 "+OK" / "-ERR" (RFC 1939 §4), IMAP "* OK" /
// "* PREAUTH" / "* BYE" (RFC 9051 §7.1).

type LineProtocol = 'smtp' | 'ftp' | 'pop3' | 'imap';

export function parseGreetingLine(protocol: LineProtocol, line: string): 'ok' | 'refused' | 'malformed' {
  switch (protocol) {
    case 'smtp':
    case 'ftp':
      if (/^220(?:[ -]|$)/.test(line)) return 'ok';
      return /^(?:421|5\d\d)(?:[ -]|$)/.test(line) ? 'refused' : 'malformed';
    case 'pop3':
      if (/^\+OK\b/.test(line)) return 'ok';
      return /^-ERR\b/.test(line) ? 'refused' : 'malformed';
    case 'imap':
      if (/^\* (?:OK|PREAUTH)\b/i.test(line)) return 'ok';
      return /^\* BYE\b/i.test(line) ? 'refused' : 'malformed';
  }
}

function readGreeting(protocol: LineProtocol): Reader {
  return async (ctx) => {
    const ex = await converse(ctx, tcpConnect(ctx), 'connect', { done: (d) => d.includes('\n') });
    if (ex.data.length === 0) return unexpected(ctx, `${protocol}-greeting`, ex);
    const line = ex.data.toString('latin1').split(/\r?\n/)[0];
    const kind = parseGreetingLine(protocol, line);
    if (kind === 'malformed') return unexpected(ctx, `${protocol}-greeting`, ex);
    return {
      kind: 'generic',
      method: `${protocol}-greeting`,
      service: protocol,
      detail: line.slice(0, 160),
      firstBytes: printable(ex.data),
      bytesRead: ex.data.length,
      ...(kind === 'refused' ? { refusal: line.slice(0, 200) } : {}),
      exchange: exchangeOf(ctx, ex),
    };
  };
}

// ---------------------------------------------------------------------------------------------------
// Anything else: listen first (SSH, SMTP, FTP, MySQL speak first), then a gentle "\r\n\r\n" nudge.

const readGeneric: Reader = async (ctx) => {
  const ex = await converse(ctx, tcpConnect(ctx), 'connect', {
    nudge: { afterMs: Math.min(1000, Math.max(100, remaining(ctx) / 3)), data: Buffer.from('\r\n\r\n') },
    // A line or a packet is enough to identify; keep reading only until the first chunk settles.
    done: (d) => d.includes('\n') || d.length >= 512,
  });
  const fact = unexpected(ctx, 'first-bytes', ex);
  // Data that ended in a timeout is still a banner: only report the timeout when nothing came.
  if (fact.bytesRead > 0 && ex.error === 'timeout') delete fact.error;
  return fact;
};

const STRATEGIES: Record<BannerStrategy, Reader> = {
  ssh: readSsh,
  http: readHttp,
  https: readTls(true),
  tls: readTls(false),
  mysql: readMysql,
  postgresql: readPostgres,
  redis: readRedis,
  rdp: readRdp,
  smtp: readGreeting('smtp'),
  ftp: readGreeting('ftp'),
  pop3: readGreeting('pop3'),
  imap: readGreeting('imap'),
  generic: readGeneric,
};

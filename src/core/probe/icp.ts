// ICP-filing (备案) interception. Mainland-China regions stop web traffic to domains that have no ICP filing
// with the provider, and they do it BY NAME: the same server answers a request for its IP address but not
// one for the domain (the HTTP Host header, or the TLS SNI). So we send the same request twice to the same
// address — first by IP (Host: <ip>, no SNI), then by name (Host: <name>, SNI <name>) — and compare what
// came back. The decision is a pure function of the two facts; the I/O is bounded by one deadline per
// request, honours an AbortSignal and never throws for a network outcome.
import { createHash } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import { bannerStrategyFor, errorName, parseHttpHead, printable, tlsInfoFrom } from './banner';
import type { IcpDecision, IcpFact, IcpRequestFact, IcpScheme } from './types';

export const DEFAULT_ICP_TIMEOUT_MS = 4000;
/** Enough for a response head and the start of a page (an interception notice is small). */
const MAX_BYTES = 32 * 1024;

/**
 * Phrases of interception notices, matched in the BODY of the by-name answer only when the by-IP answer does
 * not contain them. "网站暂时无法访问" is the notice Alibaba Cloud shows for a domain without a filing, as
 * users report it, e.g. https://github.com/itwanger/toBeBetterJavaer/blob/master/docs/szjy/record-domain.md
 * ("新注册的域名在短时间内是可以访问到的，但过一段时间后，就会提示「网站暂时无法访问」", on an Alibaba Cloud
 * server, before the filing). Text is only supporting evidence: the decision stands on behaviour.
 */
export const BLOCK_PAGE_PHRASES: readonly string[] = ['网站暂时无法访问'];

// ---------------------------------------------------------------------------------------------------
// Pure parts.

/** The Host header value for a host (IPv6 in brackets) and port (omitted for 80 and 443). */
export function hostHeaderFor(host: string, port: number): string {
  const h = net.isIPv6(host) ? `[${host}]` : host;
  return port === 80 || port === 443 ? h : `${h}:${port}`;
}

export function httpRequest(hostHeader: string): Buffer {
  return Buffer.from(`GET / HTTP/1.1\r\nHost: ${hostHeader}\r\nUser-Agent: sg-doctor\r\nAccept: */*\r\nConnection: close\r\n\r\n`, 'latin1');
}

/** The web scheme of a port (the service the user named wins, else the port's usual one); null: not a web port. */
export function icpSchemeFor(port: number, service?: string): IcpScheme | null {
  const s = bannerStrategyFor(port, service);
  return s === 'http' || s === 'https' ? s : null;
}

/** Is a mainland-China region (where the filing is enforced)? null when the region is unknown. */
export function isMainlandRegion(region: string | null | undefined): boolean | null {
  if (!region) return null;
  const r = region.trim().toLowerCase();
  return r.startsWith('cn-') && r !== 'cn-hongkong';
}

/** The product part of a Server header ("nginx/1.24.0 (Ubuntu)" → "nginx"): per-site server_tokens differ in the version only. */
function serverProduct(server: string | null): string | null {
  if (!server) return null;
  const p = server.trim().split(/[\s/]/)[0]?.toLowerCase();
  return p || null;
}

function locationHost(location: string | null): string | null {
  if (!location) return null;
  try {
    // Relative locations stay on the same site: resolve against a placeholder and drop it.
    const u = new URL(location, 'http://relative.invalid/');
    return u.hostname === 'relative.invalid' ? null : u.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  } catch {
    return null;
  }
}

/** Same site: equal, or one is under the other's last two labels (www.example.com ~ example.com). Lenient on purpose. */
function sameSite(a: string, b: string): boolean {
  if (a === b) return true;
  if (net.isIP(a) || net.isIP(b)) return false;
  const base = (h: string): string => h.split('.').filter(Boolean).slice(-2).join('.');
  return base(a) === base(b);
}

const answered = (r: IcpRequestFact): boolean => r.http !== undefined;
const describe = (r: IcpRequestFact): string => {
  const head = `${r.by === 'ip' ? 'by IP' : 'by name'} (Host: ${r.hostHeader}${r.sni ? `, SNI ${r.sni}` : r.by === 'ip' ? ', no SNI' : ''})`;
  if (r.http) return `${head}: ${r.http.statusLine}${r.http.server ? `, Server: ${r.http.server}` : ''}${r.http.location ? `, Location: ${r.http.location}` : ''}, ${r.bodyBytes} body bytes`;
  return `${head}: ${r.error ?? 'no answer'}${r.failedAt ? ` at ${r.failedAt}` : ''}${r.sent ? ' after the request was sent' : ''}`;
};

/**
 * Compares the two answers. Blocked needs behaviour: the name request is reset or closed right after the
 * name left us, or it is answered by something that is not the server that answers by IP (another Server
 * product, a redirect to another site, an interception notice). A page that only differs (virtual hosts:
 * the IP gets the default site) is not evidence.
 */
export function decideIcp(byIp: IcpRequestFact, byName: IcpRequestFact, name: string, address: string): IcpDecision {
  const observations = [describe(byIp), describe(byName)];
  const d = (status: IcpDecision['status'], condition: string, extra?: string): IcpDecision => ({ status, condition, observations: extra ? [...observations, extra] : observations });
  if (!answered(byIp)) {
    if (answered(byName)) return d('clear', 'name-answers', 'the request by name gets an answer: the name is not intercepted');
    return d('inconclusive', byIp.connected ? 'ip-no-answer' : 'ip-not-connected', 'the request by IP got no answer either: nothing to compare');
  }
  if (!answered(byName)) {
    if (!byName.connected) return d('inconclusive', 'name-not-connected', 'the second connection did not open: the name was never sent');
    const cut = byName.error === 'reset' || byName.error === 'closed';
    if (cut && byName.sent) {
      const how = byName.error === 'reset' ? 'reset' : 'closed';
      if (byName.failedAt === 'tls-handshake') return d('blocked', `sni-${how}`, `the connection was ${how === 'reset' ? 'reset' : 'closed'} right after the ClientHello carrying SNI ${byName.sni}, while the same handshake without SNI succeeded`);
      return d('blocked', `name-${how}`, `the connection was ${how === 'reset' ? 'reset' : 'closed'} right after the request for ${name}, while the request for ${address} was answered`);
    }
    if (byName.error === 'timeout' && byName.sent) return d('suspect', 'name-silent', 'the request by name got no answer before the deadline, while the request by IP was answered');
    return d('inconclusive', 'name-other-error', `the request by name failed (${byName.error ?? 'no answer'}) in a way an interception does not explain`);
  }
  const ip = byIp.http!;
  const nm = byName.http!;
  if (byName.blockPageText && !byIp.blockPageText) return d('blocked', 'block-page', `the answer by name carries an interception notice ("${byName.blockPageText}")`);
  const pi = serverProduct(ip.server);
  const pn = serverProduct(nm.server);
  if (pi && pn && pi !== pn) return d('blocked', 'different-server', `another server answers by name (Server: ${nm.server}) than by IP (Server: ${ip.server})`);
  const ln = locationHost(nm.statusCode >= 300 && nm.statusCode < 400 ? nm.location : null);
  const li = locationHost(ip.statusCode >= 300 && ip.statusCode < 400 ? ip.location : null);
  if (ln && ln !== li && !sameSite(ln, name.toLowerCase()) && ln !== address.toLowerCase()) {
    return d('blocked', 'foreign-redirect', `the request by name is redirected to another site (${ln}), the request by IP is not`);
  }
  const okIp = ip.statusCode < 400;
  if (okIp && (nm.statusCode === 403 || nm.statusCode === 451) && byName.bodySha256 !== byIp.bodySha256) {
    return d('suspect', 'name-forbidden', `the request by name is refused (${nm.statusLine}) with another page, the request by IP is not`);
  }
  return d('clear', 'same-server', 'both requests are answered by the same server');
}

// ---------------------------------------------------------------------------------------------------
// I/O.

export interface IcpProbeOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

interface OneRequest {
  by: 'ip' | 'name';
  address: string;
  port: number;
  scheme: IcpScheme;
  hostHeader: string;
  sni: string | null;
  timeoutMs: number;
  signal?: AbortSignal;
}

/** As the banner reader names socket errors, with a TLS alert told apart (the name was refused at the handshake). */
function errName(err: NodeJS.ErrnoException): string {
  const name = errorName(err);
  if (!['reset', 'refused', 'closed'].includes(name) && /alert/i.test(err.message)) return `tls-alert: ${name}`;
  return name;
}

interface HeadInfo {
  headerEnd: number; // index after the blank line
  contentLength: number | null;
  chunked: boolean;
  noBody: boolean;
}

function headInfo(data: Buffer): HeadInfo | null {
  const text = data.toString('latin1');
  const m = /\r?\n\r?\n/.exec(text);
  if (!m) return null;
  const head = text.slice(0, m.index);
  const code = Number(/^HTTP\/\d(?:\.\d)?\s+(\d{3})/.exec(head)?.[1] ?? NaN);
  const cl = /^content-length:\s*(\d+)\s*$/im.exec(head);
  return {
    headerEnd: m.index + m[0].length,
    contentLength: cl ? Number(cl[1]) : null,
    chunked: /^transfer-encoding:.*chunked/im.test(head),
    noBody: (code >= 100 && code < 200) || code === 204 || code === 304,
  };
}

/** Whole response read (HEAD-less GET): by Content-Length, the last chunk, or a status without a body. */
function responseComplete(data: Buffer): boolean {
  const h = headInfo(data);
  if (!h) return false;
  if (h.noBody) return true;
  const body = data.length - h.headerEnd;
  if (h.contentLength !== null) return body >= h.contentLength;
  if (h.chunked) return /(^|\r\n)0\r\n\r\n$/.test(data.subarray(h.headerEnd).toString('latin1'));
  return false; // until the server closes
}

function requestOnce(o: OneRequest): Promise<IcpRequestFact> {
  const started = Date.now();
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let connected = false;
    let sent = false;
    let phase: 'connect' | 'tls-handshake' | 'response' = 'connect';
    let settled = false;
    let tlsInfo: IcpRequestFact['tls'];
    const raw = net.connect({ host: o.address, port: o.port });
    raw.setNoDelay(true);
    let stream: net.Socket | tls.TLSSocket = raw;

    const finish = (error?: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
      const data = Buffer.concat(chunks, size);
      const bytesRead = raw.bytesRead;
      for (const s of new Set([stream, raw])) {
        s.removeAllListeners('data');
        s.on('error', () => undefined); // late errors must not crash the process
        s.destroy();
      }
      const text = data.toString('latin1');
      const http = parseHttpHead(text);
      const h = http ? headInfo(data) : null;
      const body = h ? data.subarray(h.headerEnd) : Buffer.alloc(0);
      const bodyText = body.toString('utf8');
      const blockPageText = BLOCK_PAGE_PHRASES.find((p) => bodyText.includes(p));
      // Headers that arrived before a timeout or close are an answer; only report the error without one.
      const failed = !http;
      resolve({
        by: o.by,
        hostHeader: o.hostHeader,
        sni: o.sni,
        connected,
        sent,
        ...(failed ? { failedAt: phase, error: error ?? (size > 0 ? 'not HTTP' : 'no answer') } : {}),
        ...(http ? { http } : {}),
        ...(tlsInfo ? { tls: tlsInfo } : {}),
        bodyBytes: body.length,
        ...(body.length ? { bodySha256: createHash('sha256').update(body).digest('hex'), bodyStart: printable(body, 160) } : {}),
        ...(failed && size > 0 ? { bodyStart: printable(data, 160) } : {}),
        ...(blockPageText ? { blockPageText } : {}),
        bytesRead,
        durationMs: Date.now() - started,
      });
    };
    const onAbort = (): void => finish('aborted');
    const onData = (chunk: Buffer): void => {
      const room = MAX_BYTES - size;
      const piece = chunk.length > room ? chunk.subarray(0, room) : chunk;
      chunks.push(piece);
      size += piece.length;
      if (size >= MAX_BYTES || responseComplete(Buffer.concat(chunks, size))) finish();
    };
    const onError = (err: NodeJS.ErrnoException): void => finish(errName(err));
    const onClose = (): void => finish('closed');
    const sendRequest = (): void => {
      phase = 'response';
      stream.on('data', onData);
      stream.once('end', onClose);
      stream.write(httpRequest(o.hostHeader));
      sent = true;
    };

    if (o.signal?.aborted) {
      // Resolve on the next tick with the same shape (the timer below exists by then).
      queueMicrotask(() => finish('aborted'));
    }
    o.signal?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => finish('timeout'), Math.max(50, o.timeoutMs));
    raw.on('error', onError);
    raw.once('close', onClose);
    raw.once('connect', () => {
      connected = true;
      if (o.scheme === 'http') return sendRequest();
      phase = 'tls-handshake';
      const t = tls.connect({ socket: raw, servername: o.sni ?? undefined, rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] });
      stream = t;
      sent = true; // the ClientHello (with the SNI, if any) leaves now
      t.on('error', onError);
      t.once('close', onClose);
      t.once('secureConnect', () => {
        const info = tlsInfoFrom(t, o.sni);
        tlsInfo = { protocol: info.protocol, subject: info.subject, issuer: info.issuer };
        sendRequest();
      });
    });
  });
}

/**
 * The two requests, one after the other (by IP first, so an interception of the name cannot affect it),
 * to the same address; `name` must be a host name, not an IP literal.
 */
export async function probeIcp(name: string, address: string, port: number, scheme: IcpScheme, opts: IcpProbeOptions = {}): Promise<IcpFact> {
  const startedAt = new Date().toISOString();
  const timeoutMs = opts.timeoutMs ?? DEFAULT_ICP_TIMEOUT_MS;
  const base = { address, port, scheme, timeoutMs, signal: opts.signal };
  const byIp = await requestOnce({ ...base, by: 'ip', hostHeader: hostHeaderFor(address, port), sni: null });
  const byName = await requestOnce({ ...base, by: 'name', hostHeader: hostHeaderFor(name, port), sni: scheme === 'https' ? name : null });
  return { host: name, address, port, scheme, byIp, byName, decision: decideIcp(byIp, byName, name, address), startedAt, finishedAt: new Date().toISOString() };
}

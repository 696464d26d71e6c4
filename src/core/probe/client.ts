// Client context: what about the user's own side could explain a failure. The egress IP is what the
// security group sees as the source (it often differs from what the user typed into the rule); a VPN
// or tunnel may carry the traffic elsewhere; a proxy only affects HTTP tools, not SSH; and the control
// probe — the same port on a known-good host — separates "my network blocks outbound 22" from
// "the server is unreachable". Nothing here throws: every part degrades to "unknown".
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import ipaddr from 'ipaddr.js';
import pLimit from 'p-limit';
import { classifyConnectError } from './tcp';
import type {
  ClientContextFact,
  ControlProbeFact,
  EgressIpFact,
  EgressIpSource,
  NetworkInterfaceFact,
  ProxySetting,
  TimingOptions,
} from './types';

export interface ClientContextOptions {
  egressIpUrls: string[];
  controlHosts: string[];
  ports: number[];
  signal?: AbortSignal;
  timing?: TimingOptions;
  probePort?: (host: string, port: number, signal?: AbortSignal) => Promise<ControlProbeFact>;
  /** Environment to read proxy settings from (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** Per-request timeout for egress-IP endpoints (default 4000 ms). */
  egressTimeoutMs?: number;
}

/** Bounds: this gathers context, it is not a scanner. */
const MAX_EGRESS_URLS = 8;
const MAX_CONTROL_PROBES = 32;
const MAX_ECHO_BODY = 4096;

export async function gatherClientContext(opts: ClientContextOptions): Promise<ClientContextFact> {
  const interfaces = listInterfaces(os.networkInterfaces());
  const tunnels = interfaces.filter((i) => i.isTunnel).map((i) => i.name);
  const [egressIp, control, defaultRoute] = await Promise.all([
    opts.egressIpUrls.length
      ? detectEgressIp(opts.egressIpUrls, { signal: opts.signal, timeoutMs: opts.egressTimeoutMs })
      : Promise.resolve(null),
    runControlProbes(opts),
    readDefaultRoute().catch(() => null),
  ]);
  const fact: ClientContextFact = {
    egressIp,
    interfaces,
    tunnels,
    proxies: proxiesFromEnv(opts.env ?? process.env),
    control,
    platform: `${os.platform()} ${os.release()}`,
  };
  if (defaultRoute) {
    fact.defaultRoute = {
      ...defaultRoute,
      viaTunnel: defaultRoute.interface ? isTunnelName(defaultRoute.interface) : undefined,
    };
  }
  return fact;
}

// ---------------------------------------------------------------------------------------------------
// Egress IP: several echo endpoints in parallel; majority vote.

/** Accept a bare address ("203.0.113.7\n") or JSON with an ip-like field ({"ip": "..."}). */
export function parseEchoBody(body: string): string | undefined {
  const text = body.trim();
  let candidate: unknown = text;
  if (text.startsWith('{')) {
    try {
      const json = JSON.parse(text) as Record<string, unknown>;
      candidate = json.ip ?? json.address ?? json.origin ?? json.query ?? json.ip_addr;
    } catch {
      return undefined;
    }
  }
  if (typeof candidate !== 'string') return undefined;
  const first = candidate.split(',')[0].trim(); // httpbin-style "origin": "a, b" lists the client first
  if (!ipaddr.isValid(first)) return undefined;
  // Only canonical forms: ipaddr.js also accepts "1" or "0x7f.1" which no echo service sends.
  if (!ipaddr.IPv4.isValidFourPartDecimal(first) && !ipaddr.IPv6.isValid(first)) return undefined;
  return ipaddr.process(first).toString(); // ::ffff:a.b.c.d → a.b.c.d; IPv6 in RFC 5952 form
}

async function fetchEcho(url: string, signal: AbortSignal | undefined, timeoutMs: number): Promise<EgressIpSource> {
  const started = Date.now();
  const signals = [AbortSignal.timeout(timeoutMs), ...(signal ? [signal] : [])];
  const combined = AbortSignal.any(signals);
  try {
    const res = await fetch(url, {
      signal: combined,
      headers: { accept: 'text/plain, application/json;q=0.9', 'user-agent': 'sg-doctor' },
      redirect: 'follow',
    });
    if (!res.ok) {
      await res.body?.cancel().catch(() => undefined);
      return { url, error: `HTTP ${res.status}`, durationMs: Date.now() - started };
    }
    const body = await readCapped(res, MAX_ECHO_BODY);
    const address = parseEchoBody(body);
    return address
      ? { url, address, durationMs: Date.now() - started }
      : { url, error: `no IP address in the answer: ${JSON.stringify(body.slice(0, 60))}`, durationMs: Date.now() - started };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    const reason =
      signal?.aborted ? 'aborted' : e.name === 'TimeoutError' || e.name === 'AbortError' ? `timeout after ${timeoutMs} ms` : (e.cause?.code ?? e.message);
    return { url, error: reason, durationMs: Date.now() - started };
  }
}

async function readCapped(res: Response, limit: number): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  while (size < limit) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    size += value.length;
  }
  await reader.cancel().catch(() => undefined);
  return Buffer.concat(parts).subarray(0, limit).toString('utf8');
}

/**
 * Majority vote per address family. IPv4 decides when any source answered over IPv4 (security-group
 * rules are mostly IPv4); `consensus` means a strict majority of the answering sources of that family
 * agree. Disagreement itself is evidence: several egress paths (dual WAN, split-tunnel VPN, a proxy).
 */
export function egressConsensus(sources: EgressIpSource[]): EgressIpFact {
  const answered = sources.filter((s): s is EgressIpSource & { address: string } => !!s.address);
  const v4 = answered.filter((s) => net.isIPv4(s.address));
  const v6 = answered.filter((s) => net.isIPv6(s.address));
  const vote = (list: { address: string }[]): { address: string | null; count: number } => {
    const counts = new Map<string, number>();
    for (const s of list) counts.set(s.address, (counts.get(s.address) ?? 0) + 1);
    let best: string | null = null;
    let bestCount = 0;
    for (const [addr, n] of counts) if (n > bestCount) [best, bestCount] = [addr, n];
    return bestCount * 2 > list.length ? { address: best, count: bestCount } : { address: null, count: bestCount };
  };
  const primary = v4.length ? v4 : v6;
  const result = vote(primary);
  const other = v4.length && v6.length ? vote(v6).address : null;
  const distinct = [...new Set(answered.map((s) => s.address))];
  return {
    address: result.address,
    consensus: result.address !== null,
    sources,
    answered: answered.length,
    agreeing: result.address ? result.count : 0,
    distinct,
    ...(other ? { addressV6: other } : {}),
  };
}

export async function detectEgressIp(
  urls: string[],
  opts: { signal?: AbortSignal; timeoutMs?: number } = {},
): Promise<EgressIpFact> {
  const list = [...new Set(urls)].slice(0, MAX_EGRESS_URLS);
  const sources = await Promise.all(list.map((u) => fetchEcho(u, opts.signal, opts.timeoutMs ?? 4000)));
  return egressConsensus(sources);
}

// ---------------------------------------------------------------------------------------------------
// Interfaces and routes.

const TUNNEL_PREFIX = /^(tun|tap|wg|utun|ppp|ipsec|zt|tailscale|gpd|nordlynx|cscotun|vti|gre|ipip|sit|l2tp)/i;
const TUNNEL_WORDS = /vpn|tap-windows|wintun|wireguard|openvpn|tailscale|zerotier|anyconnect|globalprotect|fortinet|forticlient|pangp|sstp|l2tp|pptp|ikev2/i;

export function isTunnelName(name: string): boolean {
  return TUNNEL_PREFIX.test(name) || TUNNEL_WORDS.test(name);
}

export function listInterfaces(
  table: NodeJS.Dict<os.NetworkInterfaceInfo[]>,
): NetworkInterfaceFact[] {
  const out: NetworkInterfaceFact[] = [];
  for (const [name, infos] of Object.entries(table)) {
    if (!infos) continue;
    out.push({
      name,
      addresses: infos.map((i) => ({
        address: i.address,
        family: (i.family === 'IPv6' || (i.family as unknown) === 6 ? 6 : 4) as 4 | 6,
        cidr: i.cidr ?? null,
        internal: i.internal,
      })),
      isTunnel: isTunnelName(name),
    });
  }
  return out;
}

/** Linux /proc/net/route: hex little-endian IPv4; the default route has destination and mask 0. */
export function parseProcNetRoute(text: string): { gateway: string | null; interface: string | null } | null {
  let best: { gateway: string | null; interface: string | null; metric: number } | null = null;
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8) continue;
    const [iface, dest, gw, flags, , , metric, mask] = f;
    if (dest !== '00000000' || mask !== '00000000') continue;
    if ((parseInt(flags, 16) & 0x1) === 0) continue; // RTF_UP
    const g = parseInt(gw, 16);
    const gateway = g ? [g & 255, (g >>> 8) & 255, (g >>> 16) & 255, (g >>> 24) & 255].join('.') : null;
    const m = Number(metric);
    if (!best || m < best.metric) best = { gateway, interface: iface, metric: m };
  }
  return best ? { gateway: best.gateway, interface: best.interface } : null;
}

/** `ip route show default`, macOS `route -n get default`, Windows `route print -4 0.0.0.0`. */
export function parseRouteCommand(text: string): { gateway: string | null; interface: string | null } | null {
  const ip = /^default(?:\s+via\s+(\S+))?.*?\sdev\s+(\S+)/m.exec(text);
  if (ip) return { gateway: ip[1] ?? null, interface: ip[2] };
  const mac = { gw: /^\s*gateway:\s*(\S+)/m.exec(text), iface: /^\s*interface:\s*(\S+)/m.exec(text) };
  if (mac.gw || mac.iface) return { gateway: mac.gw?.[1] ?? null, interface: mac.iface?.[1] ?? null };
  // Windows: "          0.0.0.0          0.0.0.0      192.168.1.1    192.168.1.23     25"
  const win = /^\s*0\.0\.0\.0\s+0\.0\.0\.0\s+(\S+)\s+(\S+)\s+\d+/m.exec(text);
  if (win) return { gateway: net.isIP(win[1]) ? win[1] : null, interface: win[2] };
  return null;
}

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: 2000, windowsHide: true, maxBuffer: 256 * 1024 }, (err, stdout) =>
      resolve(err ? '' : String(stdout)),
    );
  });
}

export async function readDefaultRoute(): Promise<{ gateway: string | null; interface: string | null } | null> {
  const platform = os.platform();
  if (platform === 'linux') {
    const proc = await readFile('/proc/net/route', 'utf8').catch(() => '');
    const fromProc = proc ? parseProcNetRoute(proc) : null;
    if (fromProc) return fromProc;
    return parseRouteCommand(await run('ip', ['route', 'show', 'default']));
  }
  if (platform === 'darwin') return parseRouteCommand(await run('route', ['-n', 'get', 'default']));
  if (platform === 'win32') return parseRouteCommand(await run('route', ['print', '-4', '0.0.0.0']));
  return null;
}

// ---------------------------------------------------------------------------------------------------
// Proxies: affect HTTP(S) clients (browsers, curl), not SSH or RDP; worth showing, with secrets hidden.

const PROXY_VARS = ['HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY', 'NO_PROXY', 'FTP_PROXY', 'SOCKS_PROXY'];

export function redactProxyValue(value: string): string {
  // "user:pw@host:3128" parses as a URL with scheme "user:": only scheme://… values are URLs here.
  if (!value.includes('://')) return value.replace(/([^\s,@/]+)@/g, '***@');
  try {
    const u = new URL(value);
    if (u.username || u.password) {
      u.username = '***';
      u.password = u.password ? '***' : '';
      return u.toString().replace(/\/$/, value.endsWith('/') ? '/' : '');
    }
    return value;
  } catch {
    // Not a URL (NO_PROXY lists, "host:port"): hide anything before an '@'.
    return value.replace(/([^\s,@/]+)@/g, '***@');
  }
}

export function proxiesFromEnv(env: NodeJS.ProcessEnv): ProxySetting[] {
  const out: ProxySetting[] = [];
  for (const base of PROXY_VARS) {
    for (const variable of [base, base.toLowerCase()]) {
      const value = env[variable];
      if (value !== undefined && value !== '') out.push({ variable, value: redactProxyValue(value) });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Control probe: the same port on a known-good host.

/** "host", "host:port", "[v6]:port" or a bare IPv6 literal. */
export function parseControlHost(spec: string): { host: string; port?: number } | null {
  const s = spec.trim();
  if (!s) return null;
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(s);
  if (bracket) return { host: bracket[1], ...(bracket[2] ? { port: Number(bracket[2]) } : {}) };
  if (net.isIPv6(s)) return { host: s };
  const m = /^([^:]+):(\d+)$/.exec(s);
  if (m) {
    const port = Number(m[2]);
    return port >= 1 && port <= 65535 ? { host: m[1], port } : null;
  }
  return s.includes(':') ? null : { host: s };
}

export function controlTargets(controlHosts: string[], ports: number[]): { host: string; port: number }[] {
  const seen = new Set<string>();
  const out: { host: string; port: number }[] = [];
  for (const spec of controlHosts) {
    const parsed = parseControlHost(spec);
    if (!parsed) continue;
    for (const port of parsed.port ? [parsed.port] : ports) {
      const key = `${parsed.host}|${port}`;
      if (seen.has(key) || out.length >= MAX_CONTROL_PROBES) continue;
      seen.add(key);
      out.push({ host: parsed.host, port });
    }
  }
  return out;
}

// One mapping of connect() outcomes (DESIGN.md table) for port probes and control probes alike.
export { classifyConnectError };

export function connectProbe(host: string, port: number, timeoutMs: number, signal?: AbortSignal): Promise<ControlProbeFact> {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const elapsed = (): number => Math.round(Number(process.hrtime.bigint() - started) / 1e4) / 100;
    let settled = false;
    const socket = new net.Socket();
    const finish = (fact: ControlProbeFact): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(fact);
    };
    const onAbort = (): void => finish({ host, port, state: 'filtered', reason: 'no-response', rttMs: null, errno: 'ABORTED' });
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => finish({ host, port, state: 'filtered', reason: 'no-response', rttMs: null }), timeoutMs);
    socket.once('connect', () => finish({ host, port, state: 'open', reason: 'syn-ack', rttMs: elapsed() }));
    socket.once('error', (err: NodeJS.ErrnoException) => {
      const { state, reason } = classifyConnectError(err.code);
      // Name resolution failures say nothing about the port: keep the errno so nobody reads them as a block.
      const answered = state === 'closed' || reason === 'host-unreach' || reason === 'net-unreach' || reason === 'admin-prohibited';
      finish({ host, port, state, reason, rttMs: answered ? elapsed() : null, errno: err.code ?? err.message });
    });
    socket.connect({ host, port });
  });
}

function controlTimeout(timing?: TimingOptions): number {
  if (!timing) return 3000;
  // A known-good host answers fast; still give it a few initial timeouts before calling it filtered.
  return Math.min(Math.max(timing.initialTimeoutMs * 3, 1000), Math.max(timing.maxTimeoutMs, 1000));
}

async function runControlProbes(opts: ClientContextOptions): Promise<ControlProbeFact[]> {
  const targets = controlTargets(opts.controlHosts, opts.ports);
  const limit = pLimit(4);
  const timeoutMs = controlTimeout(opts.timing);
  return Promise.all(
    targets.map((t) =>
      limit(async (): Promise<ControlProbeFact> => {
        if (opts.probePort) {
          try {
            return await opts.probePort(t.host, t.port, opts.signal);
          } catch (err) {
            return { host: t.host, port: t.port, state: 'filtered', reason: 'no-response', rttMs: null, errno: (err as Error).message };
          }
        }
        return connectProbe(t.host, t.port, timeoutMs, opts.signal);
      }),
    ),
  );
}

// ICMP echo probe: raw sockets through net-ping when permitted (root / CAP_NET_RAW / admin), else the
// system `ping`, whose output ping-parse.ts understands. Never throws for a network outcome.

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { decodePingOutput, interpretPing, parsePing, type PingOutcome } from './ping-parse';
import type { IcmpFact } from './types';

export interface IcmpOptions {
  /** Echo requests to send (default 3, at most 20). */
  count?: number;
  /** Per-request reply timeout in ms (default 1000). */
  timeoutMs?: number;
  /** Gap between requests in ms (default 250; the system ping may round it up, Windows ignores it). */
  intervalMs?: number;
  method?: 'auto' | 'raw-socket' | 'system-ping';
  signal?: AbortSignal;
  /** Explicit ping binary (tests, unusual systems). */
  pingPath?: string;
  /** Platform whose ping syntax to use (defaults to process.platform; tests only). */
  platform?: NodeJS.Platform;
}

const MAX_COUNT = 20;

interface Resolved {
  count: number;
  timeoutMs: number;
  intervalMs: number;
}

function resolveOptions(opts: IcmpOptions): Resolved {
  const count = Math.min(MAX_COUNT, Math.max(1, Math.floor(opts.count ?? 3)));
  const timeoutMs = Math.min(30_000, Math.max(100, Math.floor(opts.timeoutMs ?? 1000)));
  const intervalMs = Math.min(10_000, Math.max(0, Math.floor(opts.intervalMs ?? 250)));
  return { count, timeoutMs, intervalMs };
}

function stripBrackets(address: string): string {
  return address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
}

function baseFact(address: string, startedAt: string): IcmpFact {
  return {
    address,
    state: 'unavailable',
    method: 'none',
    sent: 0,
    received: 0,
    lossPct: 100,
    rttMs: [],
    rttAvgMs: null,
    rttMinMs: null,
    rttMaxMs: null,
    startedAt,
    finishedAt: startedAt,
  };
}

export async function probeIcmp(address: string, opts: IcmpOptions = {}): Promise<IcmpFact> {
  const startedAt = new Date().toISOString();
  const target = stripBrackets(address.trim());
  const family = isIP(target.split('%')[0]);
  const fact = baseFact(target, startedAt);
  const done = (f: IcmpFact): IcmpFact => ({ ...f, finishedAt: new Date().toISOString() });
  if (family === 0) return done({ ...fact, error: `not an IP address: ${address} (resolve names before ICMP)` });
  if (opts.signal?.aborted) return done({ ...fact, error: 'aborted' });
  const r = resolveOptions(opts);
  const method = opts.method ?? 'auto';

  let fallback: string | undefined;
  if (method !== 'system-ping') {
    const raw = await pingRawSocket(target, family as 4 | 6, r, opts.signal);
    if (raw.ok) return done({ ...fact, ...raw.outcome, method: 'raw-socket', ...(raw.error ? { error: raw.error } : {}) });
    if (method === 'raw-socket') return done({ ...fact, error: `raw socket unavailable: ${raw.reason}` });
    fallback = `raw socket unavailable (${raw.reason}); used the system ping`;
  }
  const sys = await pingSystem(target, family as 4 | 6, r, opts);
  return done({ ...fact, ...sys, ...(fallback ? { fallback } : {}) });
}

// ---------------------------------------------------------------------------------------------------
// Raw sockets (net-ping). Loaded lazily: the addon may be absent (Electron without a rebuild) or the
// process may lack CAP_NET_RAW (createSession then throws "Operation not permitted").

interface NetPingSession {
  pingHost(target: string, cb: (err: Error | null, target: string, sent?: Date, rcvd?: Date) => void): void;
  close(): void;
  on(ev: 'error', cb: (e: Error) => void): void;
  fromBuffer(buf: Buffer): NetPingRequest | null | undefined;
  reqs: Record<number, NetPingRequest | undefined>;
  sessionId: number;
}
interface NetPingRequest {
  id: number;
  type: number;
  code: number;
}
interface NetPingModule {
  createSession(o: Record<string, unknown>): NetPingSession;
  NetworkProtocol: { IPv4: number; IPv6: number };
}

let netPing: NetPingModule | null | undefined;
let netPingLoadError = '';

function loadNetPing(): NetPingModule | null {
  if (netPing !== undefined) return netPing;
  try {
    // Lazy on purpose: a missing/unbuildable native addon must not break module loading.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    netPing = require('net-ping') as NetPingModule;
  } catch (e) {
    netPing = null;
    netPingLoadError = `net-ping could not be loaded: ${(e as Error).message.split('\n')[0]}`;
  }
  return netPing;
}

// One process may run several sessions; net-ping matches replies by session id (default: the pid).
let sessionSeq = 0;
function nextSessionId(): number {
  sessionSeq = (sessionSeq + 1) % 1000;
  return ((process.pid * 7 + sessionSeq * 7919) % 65534) + 1;
}

type RawResult = { ok: true; outcome: PingOutcome; error?: string } | { ok: false; reason: string };

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (ms <= 0 || signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

async function pingRawSocket(target: string, family: 4 | 6, r: Resolved, signal?: AbortSignal): Promise<RawResult> {
  const mod = loadNetPing();
  if (!mod) return { ok: false, reason: netPingLoadError };
  let session: NetPingSession;
  try {
    session = mod.createSession({
      networkProtocol: family === 6 ? mod.NetworkProtocol.IPv6 : mod.NetworkProtocol.IPv4,
      retries: 0,
      timeout: r.timeoutMs,
      sessionId: nextSessionId(),
    });
  } catch (e) {
    const msg = (e as Error).message;
    const hint = /not permitted|EPERM|EACCES/i.test(msg) ? ' (needs root, CAP_NET_RAW or administrator)' : '';
    return { ok: false, reason: `${msg}${hint}` };
  }
  // net-ping does not hand the ICMP type/code to the callback; fromBuffer runs synchronously just before
  // it, so remember the last match. It also cannot match ICMPv6 errors to requests (it reads the echo id
  // from the error header instead of the quoted packet): do that here, or they would look like timeouts.
  let lastTypeCode: { type: number; code: number } | null = null;
  const origFromBuffer = session.fromBuffer.bind(session);
  session.fromBuffer = (buf: Buffer) => {
    const req = origFromBuffer(buf) ?? (family === 6 ? matchIcmp6Error(session, buf) : undefined);
    if (req) lastTypeCode = { type: req.type, code: req.code };
    return req;
  };
  let socketError: string | undefined;
  session.on('error', (e) => {
    socketError = e.message;
  });

  const rtts: number[] = [];
  const unreach: { from?: string; text: string; type?: number; code?: number }[] = [];
  let sent = 0;
  let sendError: string | undefined;
  try {
    for (let i = 0; i < r.count && !signal?.aborted; i++) {
      if (i > 0) await sleep(r.intervalMs, signal);
      if (signal?.aborted) break;
      sent++;
      lastTypeCode = null;
      const t0 = performance.now();
      const res = await new Promise<{ err: Error | null; ms: number; tc: { type: number; code: number } | null }>(
        (resolve) => {
          const onAbort = (): void => resolve({ err: new Error('aborted'), ms: performance.now() - t0, tc: null });
          signal?.addEventListener('abort', onAbort, { once: true });
          // Our own deadline: net-ping's timer and socket do not keep the process alive, and a probe must
          // never wait on a callback that may not come.
          const guard = setTimeout(() => {
            signal?.removeEventListener('abort', onAbort);
            resolve({ err: Object.assign(new Error('no reply before the deadline'), { name: 'RequestTimedOutError' }), ms: performance.now() - t0, tc: null });
          }, r.timeoutMs + 500);
          session.pingHost(target, (err) => {
            clearTimeout(guard);
            signal?.removeEventListener('abort', onAbort);
            resolve({ err, ms: performance.now() - t0, tc: lastTypeCode });
          });
        },
      );
      if (!res.err) {
        rtts.push(Math.round(res.ms * 1000) / 1000);
        continue;
      }
      const name = res.err.name;
      if (name === 'RequestTimedOutError') continue;
      if (res.err.message === 'aborted') {
        sent--;
        break;
      } else if (/Error$/.test(name) && name !== 'Error') {
        // DestinationUnreachableError, TimeExceededError, PacketTooBigError, ...: an ICMP error came back.
        const from = (res.err as Error & { source?: string }).source ?? res.err.message;
        unreach.push(icmpErrorText(family, res.tc, name, from));
      } else {
        // Send failed locally: EHOSTUNREACH / ENETUNREACH (routing) or EPERM (a local firewall).
        sendError = res.err.message;
        const local = /not permitted|EPERM|EACCES/i.test(sendError)
          ? `${sendError} (a local firewall blocked the echo request)`
          : sendError;
        unreach.push({ from: 'local', text: local });
      }
    }
  } finally {
    try {
      session.close();
    } catch {
      /* already closed */
    }
  }
  const received = rtts.length;
  const outcome: PingOutcome = {
    state: received > 0 ? 'reply' : unreach.length > 0 ? 'unreachable' : sent > 0 ? 'timeout' : 'unavailable',
    sent,
    received,
    lossPct: sent > 0 ? Math.round(((sent - received) / sent) * 1000) / 10 : 100,
    rttMs: rtts,
    rttMinMs: received ? Math.min(...rtts) : null,
    rttMaxMs: received ? Math.max(...rtts) : null,
    rttAvgMs: received ? Math.round((rtts.reduce((a, b) => a + b, 0) / received) * 1000) / 1000 : null,
    ...(unreach[0] ? { unreachable: unreach[0] } : {}),
  };
  const error = signal?.aborted ? 'aborted' : socketError;
  return { ok: true, outcome, ...(error ? { error } : {}) };
}

/**
 * ICMPv6 error (types 1-4): 8-byte header, then the offending packet: IPv6 header (40 bytes) and our
 * echo request (type 128, identifier, sequence). Extension headers are not expected on our own echoes.
 */
function matchIcmp6Error(session: NetPingSession, buf: Buffer): NetPingRequest | undefined {
  if (buf.length < 8 + 40 + 8) return undefined;
  const type = buf.readUInt8(0);
  if (type < 1 || type > 4) return undefined;
  const inner = 8 + 40;
  if (buf.readUInt8(8 + 6) !== 58 || buf.readUInt8(inner) !== 128) return undefined; // next header ICMPv6, echo
  if (buf.readUInt16BE(inner + 4) !== session.sessionId) return undefined;
  const req = session.reqs[buf.readUInt16BE(inner + 6)];
  if (!req) return undefined;
  req.type = type;
  req.code = buf.readUInt8(1);
  return req;
}

// Texts as iputils prints them, so both methods describe the same ICMP error the same way.
const V4_UNREACH: Record<number, string> = {
  0: 'Destination Net Unreachable',
  1: 'Destination Host Unreachable',
  2: 'Destination Protocol Unreachable',
  3: 'Destination Port Unreachable',
  4: 'Frag needed and DF set',
  9: 'Destination Net Prohibited',
  10: 'Destination Host Prohibited',
  13: 'Packet filtered (communication administratively prohibited)',
};
const V6_UNREACH: Record<number, string> = {
  0: 'Destination unreachable: No route',
  1: 'Destination unreachable: Administratively prohibited',
  3: 'Destination unreachable: Address unreachable',
  4: 'Destination unreachable: Port unreachable',
  5: 'Destination unreachable: Source address failed ingress/egress policy',
  6: 'Destination unreachable: Reject route to destination',
};

function icmpErrorText(
  family: 4 | 6,
  tc: { type: number; code: number } | null,
  errName: string,
  from: string,
): { from?: string; text: string; type?: number; code?: number } {
  if (!tc) return { from, text: errName.replace(/Error$/, '') };
  const unreachType = family === 6 ? 1 : 3;
  let text: string;
  if (tc.type === unreachType) {
    text = (family === 6 ? V6_UNREACH : V4_UNREACH)[tc.code] ?? `Destination unreachable (code ${tc.code})`;
  } else if ((family === 4 && tc.type === 11) || (family === 6 && tc.type === 3)) {
    text = 'Time to live exceeded';
  } else {
    text = `${errName.replace(/Error$/, '')} (type ${tc.type} code ${tc.code})`;
  }
  return { from, text, type: tc.type, code: tc.code };
}

// ---------------------------------------------------------------------------------------------------
// System ping.

export interface PingCommand {
  file: string;
  args: string[];
  /** Hard bound for the whole run, ms. */
  hardTimeoutMs: number;
}

function findPing(platform: NodeJS.Platform, family: 4 | 6): string {
  if (platform === 'win32') {
    const root = process.env.SystemRoot ?? process.env.windir ?? 'C:\\Windows';
    return join(root, 'System32', 'PING.EXE');
  }
  // GUI apps start with a thin PATH: look in the usual places before trusting it.
  const names = platform === 'darwin' && family === 6 ? ['ping6'] : ['ping'];
  for (const dir of ['/bin', '/usr/bin', '/sbin', '/usr/sbin']) {
    for (const n of names) if (existsSync(join(dir, n))) return join(dir, n);
  }
  return names[0];
}

/** The argv for one run of the platform's ping (pure apart from locating the binary). */
export function buildPingCommand(
  target: string,
  family: 4 | 6,
  r: Resolved,
  platform: NodeJS.Platform,
  pingPath?: string,
): PingCommand {
  const file = pingPath ?? findPing(platform, family);
  const waitS = Math.max(1, Math.ceil(r.timeoutMs / 1000));
  // Unprivileged iputils refuses intervals under 200 ms; macOS under 100 ms without root.
  const intervalS = Math.max(0.2, Math.round(r.intervalMs / 100) / 10);
  const slack = 2000;
  if (platform === 'win32') {
    // Windows waits ~1 s between requests regardless; -w is the per-reply timeout in ms.
    return {
      file,
      args: ['-n', String(r.count), '-w', String(r.timeoutMs), ...(family === 6 ? ['-6'] : ['-4']), target],
      hardTimeoutMs: r.count * (r.timeoutMs + 1000) + slack,
    };
  }
  if (platform === 'darwin') {
    const totalS = Math.ceil((r.count - 1) * intervalS + r.timeoutMs / 1000) + 1;
    if (family === 6) {
      // macOS ping6 has no per-reply wait option: bound it by count and interval and the hard timeout.
      return {
        file,
        args: ['-n', '-c', String(r.count), '-i', intervalS.toFixed(1), target],
        hardTimeoutMs: totalS * 1000 + slack,
      };
    }
    return {
      file,
      args: ['-n', '-c', String(r.count), '-W', String(r.timeoutMs), '-i', intervalS.toFixed(1), '-t', String(totalS), target],
      hardTimeoutMs: totalS * 1000 + slack,
    };
  }
  // Linux iputils (also BusyBox, which accepts the same short options).
  return {
    file,
    args: [...(family === 6 ? ['-6'] : []), '-n', '-c', String(r.count), '-W', String(waitS), '-i', intervalS.toFixed(1), target],
    hardTimeoutMs: Math.round((r.count - 1) * intervalS * 1000) + waitS * 1000 + slack,
  };
}

interface RunResult {
  stdout: Buffer;
  stderr: Buffer;
  exitCode: number | null;
  error?: NodeJS.ErrnoException & { killed?: boolean };
}

function run(cmd: PingCommand, signal?: AbortSignal): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(
      cmd.file,
      cmd.args,
      {
        encoding: 'buffer',
        timeout: cmd.hardTimeoutMs,
        killSignal: 'SIGKILL',
        signal,
        windowsHide: true,
        maxBuffer: 1024 * 1024,
        // English, unlocalised output where the tool honours the locale (iputils with NLS, BSD).
        env: { ...process.env, LC_ALL: 'C', LANG: 'C' },
      },
      (error, stdout, stderr) => {
        const code = error && typeof (error as { code?: unknown }).code === 'number' ? (error as { code: number }).code : error ? null : 0;
        resolve({ stdout, stderr, exitCode: code, ...(error ? { error: error as RunResult['error'] } : {}) });
      },
    );
  });
}

async function pingSystem(
  target: string,
  family: 4 | 6,
  r: Resolved,
  opts: IcmpOptions,
): Promise<Partial<IcmpFact>> {
  const platform = opts.platform ?? process.platform;
  let cmd = buildPingCommand(target, family, r, platform, opts.pingPath);
  let res = await run(cmd, opts.signal);
  let text = decodePingOutput(Buffer.concat([res.stdout, res.stderr]));
  // Old Linux iputils has no -6: fall back to ping6 with the same options.
  if (platform === 'linux' && family === 6 && !opts.pingPath && /invalid option|usage/i.test(text) && !/packets transmitted/.test(text)) {
    cmd = { ...cmd, file: 'ping6', args: cmd.args.filter((a) => a !== '-6') };
    res = await run(cmd, opts.signal);
    text = decodePingOutput(Buffer.concat([res.stdout, res.stderr]));
  }
  const command = [cmd.file, ...cmd.args];
  const errCode = res.error?.code;
  if (errCode === 'ENOENT' || errCode === 'EACCES') {
    return {
      method: 'none',
      state: 'unavailable',
      command,
      error: `system ping not runnable (${String(errCode)}: ${cmd.file}) and raw sockets unavailable`,
    };
  }
  const parsed = parsePing(text, family);
  const outcome = interpretPing(parsed, r.count);
  const aborted = opts.signal?.aborted || res.error?.name === 'AbortError';
  const killed = !aborted && res.error?.killed === true;
  const notes = [outcome.error, aborted ? 'aborted' : undefined, killed ? `ping killed after ${cmd.hardTimeoutMs} ms` : undefined]
    .filter(Boolean)
    .join('; ');
  // A killed run that saw nothing still means no reply arrived in time.
  const state = killed && outcome.state === 'unavailable' && !parsed.fatal ? 'timeout' : outcome.state;
  const rest: Omit<PingOutcome, 'error'> & { error?: string } = { ...outcome };
  delete rest.error;
  return {
    ...rest,
    state,
    ...(killed && rest.sent === 0 ? { sent: r.count } : {}),
    method: 'system-ping',
    raw: text.length > 16_000 ? `${text.slice(0, 16_000)}\n[truncated]` : text,
    command,
    format: parsed.format,
    ...(notes ? { error: notes } : {}),
  };
}

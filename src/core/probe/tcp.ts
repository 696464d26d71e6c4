// TCP connect probe (nmap connect-scan vocabulary, DESIGN.md "Probe semantics").
//
// Each attempt is a plain connect() with our own timer: the OS would wait 21 s (Windows) to 127 s (Linux)
// for a silently dropped SYN, we wait the adaptive timeout of the host's timing state.
//
// Attempt policy (why it stays fast and still catches flaky paths):
// - open (SYN-ACK) or closed (RST): decisive, the host's own stack answered; stop.
// - admin-prohibited (EACCES/EPERM): the client's own firewall refused locally and will refuse again; stop.
// - no-response / host-unreach / net-unreach: try again, up to `attempts`. One lost SYN, a flapping route
//   or ICMP rate limiting then does not make a port "filtered". If a later attempt answers, the port takes
//   the answered state and `flaky` is set. Each attempt asks the host timing for its timeout at that
//   moment, so a retry benefits from RTTs other ports (or ICMP) measured meanwhile; while nothing is known
//   about the host, silent attempts back off (500, 1000, 1250 ms with T4) -- see timing.ts.
// `stopOnAnswer: false` makes every attempt even after an answer (to measure flakiness deliberately).
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { serviceForPort } from './ports';
import { ipFamilyOf } from './target';
import { DEFAULT_TIMING, HostTiming } from './timing';
import type { PortReason, PortState, TcpAttempt, TcpPortFact } from './types';

export interface TcpTarget {
  /** What the user asked for (name or IP), kept for the report. */
  host: string;
  /** The IP address to connect to. */
  address: string;
  port: number;
}

/** The part of a socket the probe uses; `net.Socket` satisfies it (tests inject fakes). */
export interface SocketLike {
  on(event: 'connect', listener: () => void): unknown;
  on(event: 'error', listener: (err: Error & { code?: string }) => void): unknown;
  destroy(): unknown;
}

export type ConnectFn = (opts: { host: string; port: number; family?: number }) => SocketLike;

export const DEFAULT_ATTEMPTS = 3;
export const MAX_ATTEMPTS = 10;

export interface TcpProbeOptions {
  /** Attempts per port (default 3, at most 10). */
  attempts?: number;
  /** Shared per-host timing state; a fresh T4 state when absent. Open/closed RTTs are fed back into it. */
  timing?: HostTiming;
  signal?: AbortSignal;
  /** Stop at the first open/closed answer (default true). */
  stopOnAnswer?: boolean;
  /** Injected connect (tests); default node:net createConnection. */
  connect?: ConnectFn;
  /**
   * Lower bound for the timeout of the last attempt after silent ones. Default: WINDOWS_REFUSED_FLOOR_MS
   * on Windows, 0 elsewhere. Windows answers a RST by re-sending the SYN (twice, ~0.5 s apart) before it
   * reports WSAECONNREFUSED, so a closed port there takes ~1-2 s to refuse: without this floor every
   * attempt would time out first and a server-side fault would look like a silent drop.
   */
  finalAttemptFloorMs?: number;
}

export const WINDOWS_REFUSED_FLOOR_MS = 2500;

const defaultConnect: ConnectFn = (opts) => net.createConnection({ host: opts.host, port: opts.port, family: opts.family, noDelay: true });

/** errno -> (state, reason) per DESIGN.md. Unknown codes are local failures reported as filtered/no-response with the errno kept. */
export function classifyConnectError(code: string | undefined): { state: PortState; reason: PortReason } {
  switch (code) {
    case 'ECONNREFUSED':
    case 'ECONNRESET': // a RST during the handshake (some stacks report it this way)
      return { state: 'closed', reason: 'conn-refused' };
    case 'EHOSTUNREACH':
    case 'EHOSTDOWN':
      return { state: 'filtered', reason: 'host-unreach' };
    case 'ENETUNREACH':
    case 'ENETDOWN':
      return { state: 'filtered', reason: 'net-unreach' };
    case 'EACCES':
    case 'EPERM':
      return { state: 'filtered', reason: 'admin-prohibited' };
    default: // ETIMEDOUT (the OS gave up first) and anything unexpected
      return { state: 'filtered', reason: 'no-response' };
  }
}

export function abortError(signal: AbortSignal): Error {
  const r: unknown = signal.reason;
  if (r instanceof Error) return r;
  const e = new Error('The operation was aborted');
  e.name = 'AbortError';
  return e;
}

/** One connect() with our own timer. Resolves with the attempt; rejects only when aborted. */
export function connectOnce(
  target: Pick<TcpTarget, 'address' | 'port'>,
  timeoutMs: number,
  opts: { signal?: AbortSignal; connect?: ConnectFn } = {},
): Promise<TcpAttempt> {
  const { signal } = opts;
  const connect = opts.connect ?? defaultConnect;
  const timeout = Math.max(1, Math.ceil(timeoutMs));
  return new Promise<TcpAttempt>((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal));
    const startedAt = new Date().toISOString();
    const t0 = performance.now();
    let settled = false;
    let socket: SocketLike | null = null;

    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket?.destroy();
      fn();
    };
    const done = (state: PortState, reason: PortReason, errno?: string): void =>
      finish(() => {
        const attempt: TcpAttempt = { startedAt, durationMs: round(performance.now() - t0), state, reason, timeoutMs: timeout };
        if (errno) attempt.errno = errno;
        resolve(attempt);
      });
    const onAbort = (): void => finish(() => reject(abortError(signal!)));

    const timer = setTimeout(() => done('filtered', 'no-response'), timeout);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const family = ipFamilyOf(target.address.split('%')[0]) ?? undefined;
      socket = connect({ host: target.address, port: target.port, family });
      // A late error after we gave up must not crash the process: keep the listener for the socket's life.
      socket.on('error', (err) => {
        const code = err.code ?? 'EUNKNOWN';
        const { state, reason } = classifyConnectError(code);
        done(state, reason, code);
      });
      socket.on('connect', () => done('open', 'syn-ack'));
      if (settled) socket.destroy(); // aborted synchronously while connecting
    } catch (err) {
      const code = (err as { code?: string }).code ?? 'EINVAL';
      const { state, reason } = classifyConnectError(code);
      done(state, reason, code);
    }
  });
}

const round = (ms: number): number => Math.round(ms * 100) / 100;

const ANSWERED: ReadonlySet<PortState> = new Set(['open', 'closed']);

/** Pure: the port's verdict from its attempts (open > closed > ICMP-signalled filtered > silent). */
export function summariseAttempts(samples: readonly TcpAttempt[]): Pick<TcpPortFact, 'state' | 'reason' | 'rttMs' | 'flaky'> {
  if (samples.length === 0) return { state: 'filtered', reason: 'no-response', rttMs: null, flaky: false };
  const pick =
    samples.find((s) => s.state === 'open') ??
    samples.find((s) => s.state === 'closed') ??
    samples.find((s) => s.reason !== 'no-response') ??
    samples[0];
  const same = samples.filter((s) => s.state === pick.state && s.reason === pick.reason);
  const rttMs = pick.reason === 'no-response' ? null : Math.min(...same.map((s) => s.durationMs));
  const flaky = new Set(samples.map((s) => s.state)).size > 1;
  return { state: pick.state, reason: pick.reason, rttMs, flaky };
}

/** Pure: whether another attempt is worth making after these. */
export function shouldRetry(samples: readonly TcpAttempt[], attempts: number, stopOnAnswer: boolean): boolean {
  if (samples.length >= attempts) return false;
  const last = samples[samples.length - 1];
  if (!last) return true;
  if (last.reason === 'admin-prohibited') return false;
  if (stopOnAnswer && ANSWERED.has(last.state)) return false;
  return true;
}

/**
 * Probes one port. Never throws for a network outcome; rejects only when `signal` aborts.
 */
export async function probeTcpPort(target: TcpTarget, opts: TcpProbeOptions = {}): Promise<TcpPortFact> {
  const attempts = Math.min(MAX_ATTEMPTS, Math.max(1, Math.floor(opts.attempts ?? DEFAULT_ATTEMPTS)));
  const timing = opts.timing ?? new HostTiming(DEFAULT_TIMING);
  const stopOnAnswer = opts.stopOnAnswer ?? true;
  const startedAt = new Date().toISOString();
  const samples: TcpAttempt[] = [];
  const finalFloor = opts.finalAttemptFloorMs ?? (process.platform === 'win32' ? WINDOWS_REFUSED_FLOOR_MS : 0);
  let silent = 0; // unanswered attempts so far: drives the back-off
  while (shouldRetry(samples, attempts, stopOnAnswer)) {
    let timeoutMs = timing.attemptTimeoutMs(silent + 1);
    const isLast = samples.length === attempts - 1;
    if (isLast && silent === samples.length) timeoutMs = Math.max(timeoutMs, finalFloor);
    const a = await connectOnce(target, timeoutMs, { signal: opts.signal, connect: opts.connect });
    samples.push(a);
    if (a.state === 'open') timing.observe(a.durationMs, 'tcp-open');
    else if (a.state === 'closed') timing.observe(a.durationMs, 'tcp-closed');
    else if (a.reason === 'no-response') silent++;
  }
  const service = serviceForPort(target.port);
  return {
    host: target.host,
    address: target.address,
    port: target.port,
    ...(service ? { service } : {}),
    ...summariseAttempts(samples),
    attempts: samples.length,
    samples,
    startedAt,
    finishedAt: new Date().toISOString(),
  };
}

// Watch until it works (issue 11 §3): re-probe one TCP flow from this machine with a bounded back-off
// until the first connection succeeds, the time runs out, or the user cancels.
//
// The schedule is pure (watch-model.ts: waitMs / scheduleOffsets): 1 s after the first failed attempt,
// growing by a factor (1.5) up to a cap (30 s). The loop does one TCP connect per attempt with the probe's
// own connectOnce (its own timer, never the OS's 21–127 s), re-resolving a host name each time (a fixed DNS
// record is a fix too). It never throws for a network outcome: it ends with status works / timed-out /
// cancelled and the attempts made, so the CLI, the backend and the UI all tell the same timeline.
import { lookup } from 'node:dns/promises';
import { connectOnce, type ConnectFn } from './probe/tcp';
import { parseTarget } from './probe/target';
import type { TcpAttempt } from './probe/types';
import {
  DEFAULT_ATTEMPT_TIMEOUT_MS,
  DEFAULT_WATCH_MS,
  MAX_WATCH_ATTEMPTS,
  MAX_WATCH_MS,
  MIN_WATCH_MS,
  normaliseSchedule,
  outcomeOf,
  waitMs,
  type WatchAttempt,
  type WatchResult,
  type WatchSchedule,
  type WatchStatus,
} from './watch-model';

export * from './watch-model';

export type ResolveFn = (host: string) => Promise<string[]>;

export interface WatchOptions {
  signal?: AbortSignal;
  /** Stop after this long (default 10 min; bounded 1 s – 24 h). */
  maxDurationMs?: number;
  schedule?: Partial<WatchSchedule>;
  /** Time one connect() is given (default 3 s). */
  attemptTimeoutMs?: number;
  /** Called after every attempt, in order (the live timeline). */
  onAttempt?: (a: WatchAttempt) => void;
  /** Injected for tests: connect, name resolution, clock and sleep. */
  connect?: ConnectFn;
  resolve?: ResolveFn;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export class WatchInputError extends Error {
  override name = 'WatchInputError';
}

const systemResolve: ResolveFn = async (host) => {
  if (/(^|\.)invalid\.?$/i.test(host)) return [];
  return lookup(host, { all: true, verbatim: true }).then(
    (rs) => [...new Set(rs.map((r) => r.address))],
    () => [],
  );
};

/** Sleeps; resolves early (never rejects) when the signal aborts. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, ms));
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Watches `target` until the first successful TCP connection. Never throws for a network outcome or a
 * cancel (status 'cancelled'); throws WatchInputError for a host or port that cannot be probed.
 */
export async function watch(target: { host: string; port: number }, opts: WatchOptions = {}): Promise<WatchResult> {
  const parsed = parseTarget(target.host);
  if (!parsed.ok) throw new WatchInputError(parsed.message);
  if (!Number.isInteger(target.port) || target.port < 1 || target.port > 65535) throw new WatchInputError(`the port must be a whole number from 1 to 65535 (got ${target.port})`);
  const host = parsed.value.host;
  const port = target.port;
  const schedule = normaliseSchedule(opts.schedule);
  const maxDurationMs = Math.min(MAX_WATCH_MS, Math.max(MIN_WATCH_MS, Math.floor(opts.maxDurationMs ?? DEFAULT_WATCH_MS)));
  const attemptTimeoutMs = Math.min(30_000, Math.max(50, Math.floor(opts.attemptTimeoutMs ?? DEFAULT_ATTEMPT_TIMEOUT_MS)));
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? abortableSleep;
  const resolveHost = opts.resolve ?? systemResolve;
  const signal = opts.signal;
  const started = now();
  const deadline = started + maxDurationMs;
  const attempts: WatchAttempt[] = [];
  const end = (status: WatchStatus, worksSince: string | null = null): WatchResult => ({
    target: { host, port },
    status,
    startedAt: new Date(started).toISOString(),
    endedAt: new Date(now()).toISOString(),
    worksSince,
    attempts,
  });

  while (attempts.length < MAX_WATCH_ATTEMPTS) {
    if (signal?.aborted) return end('cancelled');
    const n = attempts.length + 1;
    const t0 = now();
    const at = new Date(t0).toISOString();
    let attempt: Omit<WatchAttempt, 'nextInMs'>;
    const addresses = parsed.value.address ? [parsed.value.address] : await resolveHost(host);
    if (signal?.aborted) return end('cancelled');
    if (addresses.length === 0) {
      attempt = { n, at, outcome: 'error', rttMs: null, reason: 'dns', errno: 'ENOTFOUND' };
    } else {
      // The last attempt may start at the deadline; it still gets a full connect timeout.
      let a: TcpAttempt;
      try {
        a = await connectOnce({ address: addresses[0], port }, attemptTimeoutMs, { signal, connect: opts.connect });
      } catch (e) {
        if (signal?.aborted) return end('cancelled');
        throw e;
      }
      const outcome = outcomeOf(a);
      attempt = {
        n,
        at,
        outcome,
        rttMs: outcome === 'connected' || outcome === 'refused' ? a.durationMs : null,
        reason: a.reason,
        ...(a.errno ? { errno: a.errno } : {}),
        address: addresses[0],
      };
    }
    if (attempt.outcome === 'connected') {
      const since = new Date(Date.parse(at) + (attempt.rttMs ?? 0)).toISOString();
      const last = { ...attempt, nextInMs: null };
      attempts.push(last);
      opts.onAttempt?.(last);
      return end('works', since);
    }
    const remaining = deadline - now();
    const nextInMs = remaining > 0 ? Math.min(waitMs(n, schedule), remaining) : null;
    const recorded = { ...attempt, nextInMs };
    attempts.push(recorded);
    opts.onAttempt?.(recorded);
    if (nextInMs === null) return end('timed-out');
    await sleep(nextInMs, signal);
  }
  return end('timed-out');
}


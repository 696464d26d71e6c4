// Adaptive probe timeouts, as nmap computes them (timing.cc, adjust_timeouts2), in milliseconds.
//
//   first sample:  srtt = RTT, rttvar = clamp(RTT, 5 ms, 2 s)
//   later samples: d = RTT - srtt (the srtt before this sample)
//                  srtt   += d / 8
//                  rttvar += (|d| - rttvar) / 4
//   timeout = srtt + 4 * rttvar, clamped to [minTimeoutMs, maxTimeoutMs]
//
// Before any RTT is known the timeout is `initialTimeoutMs`. Only answers that prove a round trip to the
// host itself feed the estimator: an ICMP echo reply, a SYN-ACK (open) or a RST (closed). Timeouts and ICMP
// errors from routers do not (they say nothing about the host's RTT).
//
// Why T4 is our default: nmap's T4 ("aggressive", 500/100/1250 ms) is what nmap recommends on any decent
// broadband or wired link. A 1250 ms ceiling still covers the worst common path for our users (mainland
// China <-> Europe/US, 200-350 ms RTT with jitter), while T3's 10 s ceiling would make every silently
// dropped port -- the very fault a security group produces -- cost seconds per attempt. Users on very slow
// links (satellite, congested mobile) can pick T3 or raise the ceiling (`--timeout-ms`).

import type { TimingOptions } from './types';

export const TIMING_PRESETS = {
  /** nmap -T3 (normal). */
  T3: { initialTimeoutMs: 1000, minTimeoutMs: 100, maxTimeoutMs: 10_000 },
  /** nmap -T4 (aggressive): our default. */
  T4: { initialTimeoutMs: 500, minTimeoutMs: 100, maxTimeoutMs: 1250 },
} as const satisfies Record<string, TimingOptions>;

export type TimingPreset = keyof typeof TIMING_PRESETS;

export const DEFAULT_TIMING: TimingOptions = { ...TIMING_PRESETS.T4 };

/** nmap's bounds on the first rttvar (5 ms .. 2 s). */
export const RTTVAR_MIN_FIRST_MS = 5;
export const RTTVAR_MAX_FIRST_MS = 2000;

export interface RttEstimate {
  srttMs: number;
  rttvarMs: number;
  samples: number;
}

export type RttSource = 'icmp' | 'tcp-open' | 'tcp-closed' | 'other';

const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));

/** Checks bounds are usable: positive, finite and min <= initial <= max is not required (initial is clamped). */
export function validateTimingOptions(t: TimingOptions): string | null {
  for (const [k, v] of Object.entries(t)) {
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) return `${k} must be a positive number of ms`;
  }
  if (t.minTimeoutMs > t.maxTimeoutMs) return 'minTimeoutMs must not exceed maxTimeoutMs';
  return null;
}

/** Folds one RTT sample into an estimate (null = no sample yet). Pure. */
export function updateRttEstimate(est: RttEstimate | null, rttMs: number): RttEstimate {
  const rtt = Math.max(0, rttMs);
  if (!est) {
    return { srttMs: rtt, rttvarMs: clamp(rtt, RTTVAR_MIN_FIRST_MS, RTTVAR_MAX_FIRST_MS), samples: 1 };
  }
  const delta = rtt - est.srttMs;
  return {
    srttMs: est.srttMs + delta / 8,
    rttvarMs: est.rttvarMs + (Math.abs(delta) - est.rttvarMs) / 4,
    samples: est.samples + 1,
  };
}

/** The timeout for the next probe. Pure. */
export function timeoutForEstimate(est: RttEstimate | null, t: TimingOptions): number {
  const raw = est ? est.srttMs + 4 * est.rttvarMs : t.initialTimeoutMs;
  return clamp(raw, t.minTimeoutMs, t.maxTimeoutMs);
}

/**
 * Timeout for attempt number `attempt` (1-based) while nothing is known about the host: the initial
 * timeout doubled per previous silent attempt, capped at the ceiling (TCP's RTO back-off). It keeps a
 * slow-but-alive host (satellite, congested mobile: RTT above the initial guess) from being reported
 * filtered. Once any RTT was measured, the estimate already covers the host and no back-off applies.
 */
export function backoffTimeout(baseMs: number, attempt: number, t: TimingOptions): number {
  const factor = 2 ** Math.max(0, Math.min(attempt - 1, 16));
  return clamp(baseMs * factor, t.minTimeoutMs, t.maxTimeoutMs);
}

export interface HostTimingSnapshot {
  estimate: RttEstimate | null;
  timeoutMs: number;
  sources: Partial<Record<RttSource, number>>;
  options: TimingOptions;
}

/**
 * Per-host timing state shared by every probe to that host (TCP ports run concurrently and feed it as
 * they answer, the ICMP reply seeds it before). Deliberately a tiny mutable holder around the pure
 * functions above; no globals: callers create one per host and per run.
 */
export class HostTiming {
  private est: RttEstimate | null = null;
  private readonly sources: Partial<Record<RttSource, number>> = {};

  constructor(readonly options: TimingOptions = DEFAULT_TIMING) {
    const problem = validateTimingOptions(options);
    if (problem) throw new RangeError(`invalid timing options: ${problem}`);
  }

  /** Feeds one measured round trip to the host. Non-finite or negative values are ignored. */
  observe(rttMs: number, source: RttSource = 'other'): void {
    if (!Number.isFinite(rttMs) || rttMs < 0) return;
    this.est = updateRttEstimate(this.est, rttMs);
    this.sources[source] = (this.sources[source] ?? 0) + 1;
  }

  get estimate(): RttEstimate | null {
    return this.est ? { ...this.est } : null;
  }

  /** Timeout for the next probe's first attempt. */
  timeoutMs(): number {
    return timeoutForEstimate(this.est, this.options);
  }

  /**
   * Timeout for a probe's n-th attempt (1-based): the adaptive timeout once an RTT is known (nmap keeps
   * the same timeout for retransmissions); before that, the initial timeout with back-off.
   * T4 figures for a port that never answers, 3 attempts: RTT known and <= 20 ms: 3 x 100 ms; RTT 50 ms:
   * 3 x 250 ms; nothing known: 500 + 1000 + 1250 ms (an ICMP reply or any answering port avoids this).
   */
  attemptTimeoutMs(attempt: number): number {
    return this.est ? this.timeoutMs() : backoffTimeout(this.timeoutMs(), attempt, this.options);
  }

  snapshot(): HostTimingSnapshot {
    return { estimate: this.estimate, timeoutMs: this.timeoutMs(), sources: { ...this.sources }, options: { ...this.options } };
  }
}

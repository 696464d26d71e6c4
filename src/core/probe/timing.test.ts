import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  DEFAULT_TIMING,
  HostTiming,
  TIMING_PRESETS,
  backoffTimeout,
  timeoutForEstimate,
  updateRttEstimate,
  validateTimingOptions,
  type RttEstimate,
} from './timing';

const T4 = TIMING_PRESETS.T4;
const T3 = TIMING_PRESETS.T3;
const wide = { initialTimeoutMs: 1000, minTimeoutMs: 1, maxTimeoutMs: 1_000_000 };

describe('presets', () => {
  it('match nmap T3 and T4, T4 is the default', () => {
    expect(T3).toEqual({ initialTimeoutMs: 1000, minTimeoutMs: 100, maxTimeoutMs: 10_000 });
    expect(T4).toEqual({ initialTimeoutMs: 500, minTimeoutMs: 100, maxTimeoutMs: 1250 });
    expect(DEFAULT_TIMING).toEqual(T4);
  });
});

describe('updateRttEstimate (nmap adjust_timeouts2)', () => {
  it('first sample: srtt = RTT, rttvar = RTT', () => {
    expect(updateRttEstimate(null, 40)).toEqual({ srttMs: 40, rttvarMs: 40, samples: 1 });
  });

  it('first sample: rttvar clamped to at least 5 ms', () => {
    expect(updateRttEstimate(null, 1)).toEqual({ srttMs: 1, rttvarMs: 5, samples: 1 });
    expect(updateRttEstimate(null, 0)).toEqual({ srttMs: 0, rttvarMs: 5, samples: 1 });
  });

  it('first sample: rttvar clamped to at most 2 s', () => {
    expect(updateRttEstimate(null, 3000)).toEqual({ srttMs: 3000, rttvarMs: 2000, samples: 1 });
  });

  it('later samples: srtt += d/8, rttvar += (|d| - rttvar)/4, d against the previous srtt', () => {
    const a = updateRttEstimate(null, 40);
    const b = updateRttEstimate(a, 60); // d = 20
    expect(b.srttMs).toBeCloseTo(42.5, 10);
    expect(b.rttvarMs).toBeCloseTo(35, 10); // 40 + (20 - 40)/4
    const c = updateRttEstimate(b, 10); // d = -32.5
    expect(c.srttMs).toBeCloseTo(42.5 - 32.5 / 8, 10);
    expect(c.rttvarMs).toBeCloseTo(35 + (32.5 - 35) / 4, 10);
    expect(c.samples).toBe(3);
  });

  it('later samples are not clamped (only the first rttvar is)', () => {
    let e: RttEstimate | null = null;
    for (let i = 0; i < 200; i++) e = updateRttEstimate(e, 1);
    // rttvar decays towards |d| = 0, below the 5 ms the first sample was clamped to
    expect(e!.rttvarMs).toBeLessThan(0.01);
    expect(e!.srttMs).toBeCloseTo(1, 10);
  });

  it('negative RTT is treated as 0', () => {
    expect(updateRttEstimate(null, -3).srttMs).toBe(0);
  });

  it('converges on a constant RTT (property)', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 5000, noNaN: true }), fc.double({ min: 0, max: 5000, noNaN: true }), (first, steady) => {
        let e = updateRttEstimate(null, first);
        for (let i = 0; i < 300; i++) e = updateRttEstimate(e, steady);
        expect(Math.abs(e.srttMs - steady)).toBeLessThan(0.01 + steady * 1e-6);
        expect(e.rttvarMs).toBeLessThan(0.01 + steady * 1e-6);
      }),
    );
  });
});

describe('timeoutForEstimate', () => {
  it('is the initial timeout before any sample', () => {
    expect(timeoutForEstimate(null, T4)).toBe(500);
    expect(timeoutForEstimate(null, T3)).toBe(1000);
  });

  it('is srtt + 4 * rttvar', () => {
    expect(timeoutForEstimate(updateRttEstimate(null, 40), T4)).toBe(200);
    const b = updateRttEstimate(updateRttEstimate(null, 40), 60);
    expect(timeoutForEstimate(b, T4)).toBeCloseTo(42.5 + 4 * 35, 10);
  });

  it('is clamped to the floor (fast hosts) and the ceiling (slow hosts)', () => {
    expect(timeoutForEstimate(updateRttEstimate(null, 1), T4)).toBe(100); // 1 + 20 < 100
    expect(timeoutForEstimate(updateRttEstimate(null, 1), wide)).toBe(21);
    expect(timeoutForEstimate(updateRttEstimate(null, 300), T4)).toBe(1250); // 300 + 1200
    expect(timeoutForEstimate(updateRttEstimate(null, 3000), T3)).toBe(10_000);
    expect(timeoutForEstimate(updateRttEstimate(null, 3000), wide)).toBe(11_000);
  });

  it('clamps the initial timeout too', () => {
    expect(timeoutForEstimate(null, { initialTimeoutMs: 5000, minTimeoutMs: 100, maxTimeoutMs: 1250 })).toBe(1250);
  });

  it('always lies within [min, max] (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 100_000, noNaN: true }), { maxLength: 50 }),
        fc.integer({ min: 1, max: 5000 }),
        fc.integer({ min: 0, max: 20_000 }),
        (samples, min, span) => {
          const t = { initialTimeoutMs: 700, minTimeoutMs: min, maxTimeoutMs: min + span };
          let e: RttEstimate | null = null;
          for (const s of samples) {
            e = updateRttEstimate(e, s);
            const to = timeoutForEstimate(e, t);
            expect(to).toBeGreaterThanOrEqual(t.minTimeoutMs);
            expect(to).toBeLessThanOrEqual(t.maxTimeoutMs);
          }
        },
      ),
    );
  });

  it('never falls below the newest constant RTT once settled (property)', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1000, noNaN: true }), (rtt) => {
        let e: RttEstimate | null = null;
        for (let i = 0; i < 20; i++) {
          e = updateRttEstimate(e, rtt);
          expect(timeoutForEstimate(e, wide)).toBeGreaterThanOrEqual(Math.max(rtt, wide.minTimeoutMs) - 1e-9);
        }
      }),
    );
  });
});

describe('backoffTimeout', () => {
  it('doubles per attempt and stops at the ceiling', () => {
    expect([1, 2, 3, 4].map((n) => backoffTimeout(100, n, T4))).toEqual([100, 200, 400, 800]);
    expect(backoffTimeout(500, 3, T4)).toBe(1250);
    expect(backoffTimeout(500, 1000, T4)).toBe(1250);
    expect(backoffTimeout(10, 1, T4)).toBe(100);
  });
});

describe('validateTimingOptions', () => {
  it('accepts presets and rejects nonsense', () => {
    expect(validateTimingOptions(T4)).toBeNull();
    expect(validateTimingOptions({ ...T4, minTimeoutMs: 0 })).toMatch(/minTimeoutMs/);
    expect(validateTimingOptions({ ...T4, maxTimeoutMs: Number.NaN })).toMatch(/maxTimeoutMs/);
    expect(validateTimingOptions({ ...T4, minTimeoutMs: 2000 })).toMatch(/exceed/);
  });
});

describe('HostTiming', () => {
  it('starts at the initial timeout and adapts to observed RTTs', () => {
    const h = new HostTiming(T4);
    expect(h.timeoutMs()).toBe(500);
    expect(h.estimate).toBeNull();
    h.observe(40, 'icmp');
    expect(h.timeoutMs()).toBe(200);
    h.observe(60, 'tcp-open');
    expect(h.timeoutMs()).toBeCloseTo(182.5, 10);
    expect(h.snapshot().sources).toEqual({ icmp: 1, 'tcp-open': 1 });
    expect(h.snapshot().estimate?.samples).toBe(2);
  });

  it('ignores unusable samples', () => {
    const h = new HostTiming(T4);
    h.observe(Number.NaN);
    h.observe(-1);
    h.observe(Number.POSITIVE_INFINITY);
    expect(h.estimate).toBeNull();
  });

  it('backs off per silent attempt only while nothing is known about the host', () => {
    const h = new HostTiming(T4);
    expect([1, 2, 3].map((n) => h.attemptTimeoutMs(n))).toEqual([500, 1000, 1250]);
    h.observe(2, 'tcp-closed'); // 2 + 4*5 = 22 -> floor 100
    expect([1, 2, 3].map((n) => h.attemptTimeoutMs(n))).toEqual([100, 100, 100]);
    h.observe(50, 'tcp-open');
    expect(h.attemptTimeoutMs(3)).toBeCloseTo(h.timeoutMs(), 10);
  });

  it('returns copies, not its internal state', () => {
    const h = new HostTiming(T4);
    h.observe(10);
    const e = h.estimate!;
    e.srttMs = 9999;
    expect(h.estimate!.srttMs).toBe(10);
  });

  it('rejects invalid options', () => {
    expect(() => new HostTiming({ initialTimeoutMs: 1, minTimeoutMs: 10, maxTimeoutMs: 5 })).toThrow(RangeError);
  });
});

import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConnectFn, SocketLike } from './probe/tcp';
import {
  DEFAULT_SCHEDULE,
  MAX_WATCH_ATTEMPTS,
  attemptLine,
  durationWords,
  localClock,
  normaliseSchedule,
  outcomeOf,
  parseDuration,
  resultWords,
  scheduleOffsets,
  successNotification,
  successTitle,
  waitMs,
  watch,
  watchRecordOf,
  WatchInputError,
  type WatchAttempt,
} from './watch';

describe('schedule (pure)', () => {
  it('starts at 1 s, grows by 1.5 and is capped at 30 s', () => {
    const waits = Array.from({ length: 12 }, (_, i) => waitMs(i + 1));
    expect(waits.slice(0, 5)).toEqual([1000, 1500, 2250, 3375, 5063]);
    expect(Math.max(...waits)).toBe(30_000);
    for (let i = 1; i < waits.length; i++) expect(waits[i]).toBeGreaterThanOrEqual(waits[i - 1]);
    expect(waitMs(10_000)).toBe(30_000); // no overflow far out
  });

  it('doubling is a schedule too, and a bad override is clamped', () => {
    const s = normaliseSchedule({ factor: 2, initialMs: 1000, maxMs: 30_000 });
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => waitMs(n, s))).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000]);
    const bad = normaliseSchedule({ factor: 0.2, initialMs: -5, maxMs: Number.NaN });
    expect(bad.factor).toBe(1);
    expect(bad.initialMs).toBe(10);
    expect(bad.maxMs).toBe(DEFAULT_SCHEDULE.maxMs);
    expect(normaliseSchedule({ initialMs: 5000, maxMs: 100 }).maxMs).toBe(5000); // the cap is never below the first wait
  });

  it('offsets end exactly at the duration and are bounded in count', () => {
    const ten = scheduleOffsets(10 * 60_000);
    expect(ten[0]).toBe(0);
    expect(ten[ten.length - 1]).toBe(600_000);
    expect(ten.length).toBeLessThan(40); // 1 s → 30 s over 10 minutes is about 30 tries, not 600
    const day = scheduleOffsets(24 * 3600_000);
    expect(day.length).toBeLessThanOrEqual(MAX_WATCH_ATTEMPTS);
    const fast = scheduleOffsets(3000, normaliseSchedule({ initialMs: 10, factor: 1, maxMs: 10 }));
    expect(fast.length).toBeLessThanOrEqual(MAX_WATCH_ATTEMPTS);
  });

  it('reads --for durations', () => {
    expect(parseDuration('10m')).toBe(600_000);
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('1h 30m')).toBe(5_400_000);
    expect(parseDuration('45')).toBe(45_000);
    expect(parseDuration('2.5m')).toBe(150_000);
    expect(parseDuration('1500ms')).toBe(1500);
    for (const bad of ['', 'soon', '10x', '-5m', '500ms', '25h', 'm10', '10m extra']) expect(parseDuration(bad), bad).toBeNull();
  });

  it('names probe outcomes in the timeline vocabulary', () => {
    expect(outcomeOf({ state: 'open', reason: 'syn-ack' })).toBe('connected');
    expect(outcomeOf({ state: 'closed', reason: 'conn-refused' })).toBe('refused');
    expect(outcomeOf({ state: 'filtered', reason: 'no-response' })).toBe('timeout');
    expect(outcomeOf({ state: 'filtered', reason: 'host-unreach' })).toBe('error');
    expect(outcomeOf({ state: 'filtered', reason: 'admin-prohibited' })).toBe('error');
  });
});

/** A scripted fake socket: each connect() answers with the next outcome of the script. */
function scripted(script: ('open' | 'refused' | 'silent' | 'unreach')[]): { connect: ConnectFn; calls: number[] } {
  const calls: number[] = [];
  const connect: ConnectFn = (o) => {
    calls.push(o.port);
    const step = script[Math.min(calls.length - 1, script.length - 1)];
    const handlers: Record<string, ((e?: unknown) => void)[]> = {};
    const sock: SocketLike = {
      on(event: string, l: (e?: unknown) => void) {
        (handlers[event] ??= []).push(l);
        return sock;
      },
      destroy: () => undefined,
    } as SocketLike;
    setImmediate(() => {
      if (step === 'open') handlers.connect?.forEach((l) => l());
      else if (step === 'refused') handlers.error?.forEach((l) => l(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' })));
      else if (step === 'unreach') handlers.error?.forEach((l) => l(Object.assign(new Error('unreach'), { code: 'EHOSTUNREACH' })));
    });
    return sock;
  };
  return { connect, calls };
}

/** A virtual clock: sleep advances it instantly (and records the waits). */
function virtualClock(start = Date.UTC(2026, 11, 2, 14, 2, 0)) {
  let t = start;
  const waits: number[] = [];
  return {
    now: () => t,
    sleep: async (ms: number, signal?: AbortSignal) => {
      waits.push(ms);
      if (!signal?.aborted) t += ms;
    },
    waits,
    advance: (ms: number) => (t += ms),
  };
}

describe('watch loop', () => {
  it('ends at the first success with worksSince, after the failures, waiting by the schedule', async () => {
    const clock = virtualClock();
    const { connect } = scripted(['refused', 'silent', 'refused', 'open']);
    const seen: WatchAttempt[] = [];
    const r = await watch({ host: '203.0.113.10', port: 22 }, { connect, now: clock.now, sleep: clock.sleep, attemptTimeoutMs: 50, onAttempt: (a) => seen.push(a) });
    expect(r.status).toBe('works');
    expect(r.attempts.map((a) => a.outcome)).toEqual(['refused', 'timeout', 'refused', 'connected']);
    expect(seen).toEqual(r.attempts);
    expect(clock.waits).toEqual([1000, 1500, 2250]);
    expect(r.attempts.map((a) => a.nextInMs)).toEqual([1000, 1500, 2250, null]);
    expect(r.attempts[3].rttMs).not.toBeNull();
    expect(r.attempts[1].rttMs).toBeNull();
    expect(Date.parse(r.worksSince!)).toBeGreaterThanOrEqual(Date.parse(r.attempts[3].at));
    expect(watchRecordOf(r)).toMatchObject({ host: '203.0.113.10', port: 22, attempts: 4, worksSince: r.worksSince });
  });

  it('stops when the time runs out: the last attempt at the deadline, then timed-out', async () => {
    const clock = virtualClock();
    const { connect } = scripted(['refused']);
    const r = await watch({ host: '127.0.0.1', port: 9 }, { connect, now: clock.now, sleep: clock.sleep, maxDurationMs: 5000 });
    expect(r.status).toBe('timed-out');
    expect(r.worksSince).toBeNull();
    // 0, 1, 2.5, 4.75, then the deadline at 5 s.
    expect(clock.waits).toEqual([1000, 1500, 2250, 250]);
    expect(r.attempts).toHaveLength(5);
    expect(r.attempts[4].nextInMs).toBeNull();
    expect(watchRecordOf(r)).toBeNull();
  });

  it('cancel during a wait ends at once with status cancelled', async () => {
    const ac = new AbortController();
    const { connect } = scripted(['refused']);
    const started = Date.now();
    setTimeout(() => ac.abort(), 150);
    const r = await watch({ host: '127.0.0.1', port: 9 }, { connect, signal: ac.signal, schedule: { initialMs: 5000 } });
    expect(r.status).toBe('cancelled');
    expect(r.attempts).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('cancel during a connect ends at once too', async () => {
    const ac = new AbortController();
    const { connect } = scripted(['silent']);
    setTimeout(() => ac.abort(), 100);
    const started = Date.now();
    const r = await watch({ host: '127.0.0.1', port: 9 }, { connect, signal: ac.signal, attemptTimeoutMs: 10_000 });
    expect(r.status).toBe('cancelled');
    expect(r.attempts).toHaveLength(0);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('an unresolvable name is an error attempt, re-resolved each time (a fixed record is a fix too)', async () => {
    const clock = virtualClock();
    const { connect } = scripted(['open']);
    let lookups = 0;
    const resolve = async () => (++lookups < 3 ? [] : ['203.0.113.10']);
    const r = await watch({ host: 'www.example.com', port: 443 }, { connect, resolve, now: clock.now, sleep: clock.sleep });
    expect(r.attempts.map((a) => [a.outcome, a.reason])).toEqual([
      ['error', 'dns'],
      ['error', 'dns'],
      ['connected', 'syn-ack'],
    ]);
    expect(r.attempts[2].address).toBe('203.0.113.10');
  });

  it('refuses input it cannot probe', async () => {
    await expect(watch({ host: 'http://x', port: 22 })).rejects.toBeInstanceOf(WatchInputError);
    await expect(watch({ host: '127.0.0.1', port: 0 })).rejects.toBeInstanceOf(WatchInputError);
  });

  describe('real loopback port that starts listening later', () => {
    let server: Server | null = null;
    afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

    it('sees refusals, then the connection, within the bound', async () => {
      // Find a free port, close it, open it again after ~1.2 s.
      const probe = createServer();
      await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
      const port = (probe.address() as { port: number }).port;
      await new Promise<void>((r) => probe.close(() => r()));
      const timer = setTimeout(() => {
        server = createServer((s) => s.destroy());
        server.listen(port, '127.0.0.1');
      }, 1200);
      const r = await watch({ host: '127.0.0.1', port }, { maxDurationMs: 10_000, schedule: { initialMs: 300, factor: 1.5, maxMs: 1000 } });
      clearTimeout(timer);
      expect(r.status).toBe('works');
      expect(r.attempts[0].outcome).toBe('refused');
      expect(r.attempts[r.attempts.length - 1].outcome).toBe('connected');
      expect(r.attempts.length).toBeGreaterThanOrEqual(3);
    });
  });
});

describe('words', () => {
  const at = new Date(2026, 11, 2, 14, 2, 11).toISOString(); // local time 14:02:11
  it('shows local clock time', () => {
    expect(localClock(at)).toBe('14:02:11');
  });

  it('speaks both languages, Chinese with full-width punctuation', () => {
    const a: WatchAttempt = { n: 3, at, outcome: 'refused', rttMs: 0.4, reason: 'conn-refused', nextInMs: 2250 };
    expect(attemptLine(a, 'en')).toBe('14:02:11  #3  refused (reset), 0.4 ms — next try in 2.3 s');
    expect(attemptLine(a, 'zh-CN')).toBe('14:02:11  第 3 次  被拒绝（RST），0.4 毫秒，2.3 秒后重试');
    const dns: WatchAttempt = { n: 1, at, outcome: 'error', rttMs: null, reason: 'dns', nextInMs: null };
    expect(attemptLine(dns, 'zh-CN')).toContain('出错：域名无法解析');
    const r = { target: { host: '203.0.113.10', port: 22 }, status: 'works' as const, startedAt: new Date(Date.parse(at) - 42_000).toISOString(), endedAt: at, worksSince: at, attempts: [a] };
    expect(resultWords(r, 'en')).toBe('203.0.113.10:22 works since 14:02:11 (attempt 1, after 42 s).');
    expect(resultWords(r, 'zh-CN')).toBe('203.0.113.10:22 自 14:02:11 起可以连通（第 1 次尝试，用时 42 秒）。');
    expect(successNotification(r, 'en')).toEqual({ title: '✓ 203.0.113.10:22 works', body: 'SG Doctor: 203.0.113.10:22 works since 14:02:11.' });
    expect(successNotification(r, 'zh-CN').body).toBe('SG Doctor：203.0.113.10:22 自 14:02:11 起可以连通。');
    expect(successTitle({ host: '2001:db8::1', port: 22 }, 'en')).toBe('✓ works — [2001:db8::1]:22 — SG Doctor');
    expect(durationWords(150_000, 'zh-CN')).toBe('2 分 30 秒');
    expect(durationWords(3_600_000, 'en')).toBe('1 h');
    const timedOut = { ...r, status: 'timed-out' as const, worksSince: null, attempts: [{ ...a, outcome: 'timeout' as const, rttMs: null }] };
    expect(resultWords(timedOut, 'en')).toBe(
      '203.0.113.10:22 is still not reachable after 42 s (1 attempt; the last: no answer). That means nothing came back in time: the packets may be dropped silently by a security group, a network ACL or a firewall, or nothing is there.',
    );
    expect(resultWords(timedOut, 'zh-CN')).toMatch(/^观察 42 秒后 203\.0\.113\.10:22 仍然无法连通（1 次尝试，最后一次：无应答）。最后一次的结果说明在限定时间内没有任何回应：/);
  });
});

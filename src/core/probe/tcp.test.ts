// Unit tests of the TCP probe's decision logic with an injected connect (the loopback behaviour is covered
// in test/probe-tcp.test.ts; real filtered/unreachable paths in the network lab).
import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { classifyConnectError, connectOnce, probeTcpPort, shouldRetry, summariseAttempts, type ConnectFn } from './tcp';
import { HostTiming } from './timing';
import type { TcpAttempt } from './types';

type Script = { after: number; outcome: 'connect' | 'silent' | string };

/** A fake socket per attempt, following a script: connect, stay silent, or fail with an errno. */
function scripted(script: Script[]) {
  const sockets: { destroyed: boolean; opts: { host: string; port: number; family?: number } }[] = [];
  let i = 0;
  const connect: ConnectFn = (opts) => {
    const step = script[Math.min(i++, script.length - 1)];
    const ee = new EventEmitter();
    const rec = { destroyed: false, opts };
    sockets.push(rec);
    const sock = Object.assign(ee, {
      destroy() {
        rec.destroyed = true;
        ee.removeAllListeners('connect');
      },
    });
    if (step.outcome !== 'silent') {
      setTimeout(() => {
        if (rec.destroyed) return;
        if (step.outcome === 'connect') ee.emit('connect');
        else ee.emit('error', Object.assign(new Error(step.outcome), { code: step.outcome }));
      }, step.after);
    }
    return sock;
  };
  return { connect, sockets };
}

const fastTiming = () => new HostTiming({ initialTimeoutMs: 40, minTimeoutMs: 20, maxTimeoutMs: 200 });
const target = { host: 'server.example', address: '192.0.2.10', port: 22 };

afterEach(() => {
  vi.useRealTimers();
});

describe('classifyConnectError (DESIGN.md table)', () => {
  it.each([
    ['ECONNREFUSED', 'closed', 'conn-refused'],
    ['EHOSTUNREACH', 'filtered', 'host-unreach'],
    ['ENETUNREACH', 'filtered', 'net-unreach'],
    ['EACCES', 'filtered', 'admin-prohibited'],
    ['EPERM', 'filtered', 'admin-prohibited'],
    ['ETIMEDOUT', 'filtered', 'no-response'],
  ])('%s -> %s/%s', (code, state, reason) => {
    expect(classifyConnectError(code)).toEqual({ state, reason });
  });
});

describe('summariseAttempts', () => {
  const a = (state: TcpAttempt['state'], reason: TcpAttempt['reason'], durationMs: number): TcpAttempt => ({
    startedAt: '2024-01-01T00:00:00.000Z', durationMs, state, reason, timeoutMs: 100,
  });
  it('all silent -> filtered/no-response, no RTT, not flaky', () => {
    expect(summariseAttempts([a('filtered', 'no-response', 100), a('filtered', 'no-response', 200)])).toEqual({
      state: 'filtered', reason: 'no-response', rttMs: null, flaky: false,
    });
  });
  it('silent then open -> open and flaky, RTT of the answer', () => {
    expect(summariseAttempts([a('filtered', 'no-response', 100), a('open', 'syn-ack', 12)])).toEqual({
      state: 'open', reason: 'syn-ack', rttMs: 12, flaky: true,
    });
  });
  it('open beats closed; RTT is the best of the chosen state', () => {
    expect(summariseAttempts([a('closed', 'conn-refused', 3), a('open', 'syn-ack', 9), a('open', 'syn-ack', 7)])).toEqual({
      state: 'open', reason: 'syn-ack', rttMs: 7, flaky: true,
    });
  });
  it('an ICMP reason beats silence', () => {
    expect(summariseAttempts([a('filtered', 'no-response', 100), a('filtered', 'host-unreach', 30)])).toEqual({
      state: 'filtered', reason: 'host-unreach', rttMs: 30, flaky: false,
    });
  });
  it('no samples -> filtered', () => {
    expect(summariseAttempts([]).state).toBe('filtered');
  });
});

describe('shouldRetry', () => {
  const s = (state: TcpAttempt['state'], reason: TcpAttempt['reason']): TcpAttempt => ({ startedAt: '', durationMs: 1, state, reason, timeoutMs: 1 });
  it('stops on an answer, on a local refusal and at the bound', () => {
    expect(shouldRetry([], 3, true)).toBe(true);
    expect(shouldRetry([s('open', 'syn-ack')], 3, true)).toBe(false);
    expect(shouldRetry([s('closed', 'conn-refused')], 3, true)).toBe(false);
    expect(shouldRetry([s('closed', 'conn-refused')], 3, false)).toBe(true);
    expect(shouldRetry([s('filtered', 'admin-prohibited')], 3, false)).toBe(false);
    expect(shouldRetry([s('filtered', 'no-response')], 3, true)).toBe(true);
    expect(shouldRetry([s('filtered', 'host-unreach')], 3, true)).toBe(true);
    expect(shouldRetry([s('filtered', 'no-response'), s('filtered', 'no-response'), s('filtered', 'no-response')], 3, true)).toBe(false);
  });
});

describe('probeTcpPort with an injected connect', () => {
  it('a silent port is filtered/no-response after every attempt, with back-off, sockets destroyed', async () => {
    const { connect, sockets } = scripted([{ after: 0, outcome: 'silent' }]);
    const t0 = Date.now();
    const fact = await probeTcpPort(target, { attempts: 3, timing: fastTiming(), connect });
    const elapsed = Date.now() - t0;
    expect(fact).toMatchObject({ state: 'filtered', reason: 'no-response', rttMs: null, attempts: 3, flaky: false, service: 'ssh' });
    expect(fact.samples.map((s) => s.timeoutMs)).toEqual([40, 80, 160]); // nothing known: back-off
    expect(elapsed).toBeGreaterThanOrEqual(270);
    expect(elapsed).toBeLessThan(5000); // our timer, never the OS's
    expect(sockets).toHaveLength(3);
    expect(sockets.every((s) => s.destroyed)).toBe(true);
    expect(sockets[0].opts).toEqual({ host: '192.0.2.10', port: 22, family: 4 });
  });

  it('once the host answered elsewhere, retries use the adaptive timeout without back-off', async () => {
    const { connect } = scripted([{ after: 0, outcome: 'silent' }]);
    const timing = fastTiming();
    timing.observe(10, 'tcp-open'); // 10 + 4*10 = 50 ms
    const fact = await probeTcpPort(target, { attempts: 3, timing, connect });
    expect(fact.samples.map((s) => s.timeoutMs)).toEqual([50, 50, 50]);
  });

  it('finalAttemptFloorMs lengthens only the last attempt after silent ones (Windows refuses slowly)', async () => {
    const { connect } = scripted([{ after: 0, outcome: 'silent' }]);
    const fact = await probeTcpPort(target, { attempts: 3, timing: fastTiming(), connect, finalAttemptFloorMs: 120 });
    expect(fact.samples.map((s) => s.timeoutMs)).toEqual([40, 80, 160]);
    const { connect: c2 } = scripted([{ after: 0, outcome: 'silent' }, { after: 0, outcome: 'silent' }, { after: 90, outcome: 'ECONNREFUSED' }]);
    const t = new HostTiming({ initialTimeoutMs: 30, minTimeoutMs: 20, maxTimeoutMs: 30 });
    const slowRefusal = await probeTcpPort(target, { attempts: 3, timing: t, connect: c2, finalAttemptFloorMs: 300 });
    expect(slowRefusal.samples.map((s) => s.timeoutMs)).toEqual([30, 30, 300]);
    expect(slowRefusal).toMatchObject({ state: 'closed', reason: 'conn-refused', flaky: true });
  });

  it('silent then answered -> open, flaky', async () => {
    const { connect } = scripted([{ after: 0, outcome: 'silent' }, { after: 5, outcome: 'connect' }]);
    const timing = fastTiming();
    const fact = await probeTcpPort(target, { attempts: 3, timing, connect });
    expect(fact).toMatchObject({ state: 'open', reason: 'syn-ack', attempts: 2, flaky: true });
    expect(fact.rttMs).toBeGreaterThan(0);
    expect(timing.estimate?.samples).toBe(1); // the answer fed the host timing, the silence did not
  });

  it('refused is decisive: one attempt, errno kept', async () => {
    const { connect } = scripted([{ after: 2, outcome: 'ECONNREFUSED' }]);
    const fact = await probeTcpPort(target, { attempts: 3, timing: fastTiming(), connect });
    expect(fact).toMatchObject({ state: 'closed', reason: 'conn-refused', attempts: 1, flaky: false });
    expect(fact.samples[0].errno).toBe('ECONNREFUSED');
  });

  it('stopOnAnswer:false makes every attempt and sees mixed answers as flaky', async () => {
    const { connect } = scripted([{ after: 1, outcome: 'connect' }, { after: 1, outcome: 'ECONNREFUSED' }, { after: 1, outcome: 'connect' }]);
    const fact = await probeTcpPort(target, { attempts: 3, timing: fastTiming(), connect, stopOnAnswer: false });
    expect(fact).toMatchObject({ state: 'open', attempts: 3, flaky: true });
  });

  it.each([
    ['EHOSTUNREACH', 'host-unreach', 3],
    ['ENETUNREACH', 'net-unreach', 3],
    ['EACCES', 'admin-prohibited', 1],
    ['EPERM', 'admin-prohibited', 1],
  ])('%s -> filtered/%s after %i attempt(s)', async (code, reason, attempts) => {
    const { connect } = scripted([{ after: 1, outcome: code }]);
    const fact = await probeTcpPort(target, { attempts: 3, timing: fastTiming(), connect });
    expect(fact).toMatchObject({ state: 'filtered', reason, attempts, flaky: false });
    expect(fact.rttMs).not.toBeNull();
    expect(fact.samples.every((s) => s.errno === code)).toBe(true);
  });

  it('passes family 6 for IPv6 (zone ids allowed)', async () => {
    const { connect, sockets } = scripted([{ after: 1, outcome: 'connect' }]);
    await probeTcpPort({ host: 'h', address: 'fe80::1%eth0', port: 80 }, { timing: fastTiming(), connect });
    expect(sockets[0].opts.family).toBe(6);
  });

  it('a synchronous throw from connect is an outcome, not an exception', async () => {
    const connect: ConnectFn = () => {
      throw Object.assign(new Error('nope'), { code: 'EACCES' });
    };
    const fact = await probeTcpPort(target, { timing: fastTiming(), connect });
    expect(fact).toMatchObject({ state: 'filtered', reason: 'admin-prohibited', attempts: 1 });
  });

  it('attempts are bounded to 1..10', async () => {
    const { connect, sockets } = scripted([{ after: 0, outcome: 'ECONNREFUSED' }]);
    await probeTcpPort(target, { attempts: 0, timing: fastTiming(), connect });
    expect(sockets).toHaveLength(1);
    const { connect: c2, sockets: s2 } = scripted([{ after: 0, outcome: 'EHOSTUNREACH' }]);
    await probeTcpPort(target, { attempts: 99, timing: fastTiming(), connect: c2 });
    expect(s2).toHaveLength(10);
  });

  it('abort rejects with the reason, destroys the socket and leaves no timer behind', async () => {
    vi.useFakeTimers();
    const { connect, sockets } = scripted([{ after: 0, outcome: 'silent' }]);
    const ac = new AbortController();
    const p = probeTcpPort(target, { attempts: 3, timing: fastTiming(), connect, signal: ac.signal });
    await vi.advanceTimersByTimeAsync(10);
    expect(vi.getTimerCount()).toBe(1);
    ac.abort(new Error('user cancelled'));
    await expect(p).rejects.toThrow('user cancelled');
    expect(sockets[0].destroyed).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('an already-aborted signal rejects before connecting', async () => {
    const { connect, sockets } = scripted([{ after: 0, outcome: 'connect' }]);
    await expect(probeTcpPort(target, { connect, signal: AbortSignal.abort() })).rejects.toThrow();
    expect(sockets).toHaveLength(0);
  });

  it('the timer is cleared once the attempt settles (fake clock)', async () => {
    vi.useFakeTimers();
    const { connect } = scripted([{ after: 3, outcome: 'connect' }]);
    const p = connectOnce(target, 1000, { connect });
    await vi.advanceTimersByTimeAsync(3);
    const a = await p;
    expect(a.state).toBe('open');
    expect(vi.getTimerCount()).toBe(0);
  });
});

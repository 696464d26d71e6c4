import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPlan, runTcpPlan, type PlanTask } from './plan';
import { TIMING_PRESETS } from './timing';
import type { ProbeEvent } from './types';

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      reject(signal.reason);
    }, { once: true });
  });

function tracked(n: number, ms: number) {
  const stats = { active: 0, maxActive: 0, started: 0, aborted: 0 };
  const tasks: PlanTask<number>[] = Array.from({ length: n }, (_, i) => ({
    id: `t${i}`,
    run: async (signal) => {
      stats.started++;
      stats.active++;
      stats.maxActive = Math.max(stats.maxActive, stats.active);
      try {
        await sleep(ms * ((i % 3) + 1), signal);
        return i * 10;
      } catch (e) {
        stats.aborted++;
        throw e;
      } finally {
        stats.active--;
      }
    },
  }));
  return { tasks, stats };
}

describe('runPlan', () => {
  it('respects the concurrency cap, returns results in task order and reports progress', async () => {
    const { tasks, stats } = tracked(10, 5);
    const progress: number[] = [];
    const out = await runPlan(tasks, { concurrency: 3, onResult: (_r, i) => progress.push(i.done) });
    expect(out).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
    expect(stats.maxActive).toBe(3);
    expect(progress).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('cancellation rejects, aborts running tasks and never starts queued ones', async () => {
    const { tasks, stats } = tracked(10, 50);
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('stop')), 20);
    await expect(runPlan(tasks, { concurrency: 2, signal: ac.signal })).rejects.toThrow('stop');
    await sleep(200);
    expect(stats.started).toBe(2);
    expect(stats.aborted).toBe(2);
  });

  it('an already-aborted signal starts nothing', async () => {
    const { tasks, stats } = tracked(3, 5);
    await expect(runPlan(tasks, { concurrency: 2, signal: AbortSignal.abort() })).rejects.toThrow();
    expect(stats.started).toBe(0);
  });

  it('a task that throws (a bug) stops the plan', async () => {
    const { tasks, stats } = tracked(6, 30);
    tasks[0] = { id: 'bad', run: async () => { throw new Error('bug'); } };
    await expect(runPlan(tasks, { concurrency: 2 })).rejects.toThrow('bug');
    await sleep(150);
    expect(stats.started).toBe(1); // only the task that was running next to the failing one
    expect(stats.aborted).toBe(1);
  });

  it('handles an empty plan', async () => {
    expect(await runPlan([], { concurrency: 4 })).toEqual([]);
  });
});

describe('runTcpPlan on loopback', () => {
  let server: net.Server;
  let openPort: number;
  beforeAll(async () => {
    server = net.createServer((s) => s.end());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    openPort = (server.address() as net.AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('probes every port, emits one tcp-port event per port and shares host timing', async () => {
    const events: ProbeEvent[] = [];
    const closedPort = openPort === 65535 ? openPort - 1 : openPort + 1; // nothing listens there in practice
    const facts = await runTcpPlan([{ host: 'localhost', address: '127.0.0.1' }], {
      ports: [openPort, closedPort, openPort],
      attempts: 2,
      concurrency: 4,
      timing: TIMING_PRESETS.T4,
      onEvent: (e) => events.push(e),
    });
    expect(facts.map((f) => f.port)).toEqual([openPort, closedPort]);
    expect(facts[0].state).toBe('open');
    expect(events.filter((e) => e.type === 'tcp-port')).toHaveLength(2);
    const last = events[events.length - 1];
    expect(last.type === 'tcp-port' && last.done === 2 && last.total === 2).toBe(true);
  });

  it('refuses more ports than the per-run bound', async () => {
    await expect(
      runTcpPlan([{ host: 'h', address: '127.0.0.1' }], { ports: Array.from({ length: 33 }, (_, i) => i + 1), attempts: 1, concurrency: 1, timing: TIMING_PRESETS.T4 }),
    ).rejects.toThrow(RangeError);
  });
});

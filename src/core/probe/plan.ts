// A probe plan: many probes at once under a concurrency cap, with progress callbacks and cancellation.
// Probes resolve with facts for every network outcome, so a rejection here is either the caller's
// abort or a bug; both stop the whole plan (queued tasks never start, running ones see the abort).
import { setMaxListeners } from 'node:events';
import pLimit from 'p-limit';
import { abortError, probeTcpPort, type ConnectFn } from './tcp';
import { HostTiming } from './timing';
import { MAX_PORTS_PER_RUN, type ProbeEvent, type TcpPortFact, type TimingOptions } from './types';

export interface PlanTask<T> {
  /** Label for errors and progress (e.g. "203.0.113.10:22"). */
  id: string;
  run: (signal: AbortSignal) => Promise<T>;
}

export interface PlanOptions<T> {
  concurrency: number;
  signal?: AbortSignal;
  /** Called once per finished task, in completion order. */
  onResult?: (result: T, info: { index: number; done: number; total: number; id: string }) => void;
}

export const MAX_CONCURRENCY = 64;

/** Runs the tasks, at most `concurrency` at a time; results in task order. Rejects on abort or on a task's bug. */
export async function runPlan<T>(tasks: readonly PlanTask<T>[], opts: PlanOptions<T>): Promise<T[]> {
  const concurrency = Math.min(MAX_CONCURRENCY, Math.max(1, Math.floor(opts.concurrency) || 1));
  if (opts.signal?.aborted) throw abortError(opts.signal);
  const inner = new AbortController();
  setMaxListeners(MAX_CONCURRENCY * 2, inner.signal); // one listener per running probe is expected
  const onOuterAbort = (): void => inner.abort(opts.signal!.reason);
  opts.signal?.addEventListener('abort', onOuterAbort, { once: true });
  const limit = pLimit(concurrency);
  let done = 0;
  try {
    return await Promise.all(
      tasks.map((task, index) =>
        limit(async () => {
          if (inner.signal.aborted) throw abortError(inner.signal);
          try {
            const result = await task.run(inner.signal);
            done++;
            opts.onResult?.(result, { index, done, total: tasks.length, id: task.id });
            return result;
          } catch (err) {
            // First failure stops the rest: queued tasks are dropped, running ones are aborted.
            if (!inner.signal.aborted) inner.abort(err);
            limit.clearQueue();
            throw err;
          }
        }),
      ),
    );
  } catch (err) {
    limit.clearQueue();
    if (opts.signal?.aborted) throw abortError(opts.signal);
    throw err;
  } finally {
    opts.signal?.removeEventListener('abort', onOuterAbort);
  }
}

export interface TcpPlanTarget {
  host: string;
  address: string;
}

export interface TcpPlanOptions {
  ports: readonly number[];
  attempts: number;
  concurrency: number;
  /** Timing bounds; a HostTiming per address is created from them unless given in `timings`. */
  timing: TimingOptions;
  /** Shared per-address timing states (e.g. already seeded with an ICMP RTT). */
  timings?: Map<string, HostTiming>;
  signal?: AbortSignal;
  onEvent?: (e: ProbeEvent) => void;
  connect?: ConnectFn;
  stopOnAnswer?: boolean;
  /** Bound on ports (default MAX_PORTS_PER_RUN). */
  maxPorts?: number;
}

/**
 * Probes every port on every target address, emitting a `tcp-port` event per finished port. Ports are
 * bounded per run (this is not a scanner): more than `maxPorts` distinct ports is a RangeError.
 */
export async function runTcpPlan(targets: readonly TcpPlanTarget[], opts: TcpPlanOptions): Promise<TcpPortFact[]> {
  const maxPorts = opts.maxPorts ?? MAX_PORTS_PER_RUN;
  const distinct = [...new Set(opts.ports)];
  if (distinct.length > maxPorts) throw new RangeError(`too many ports: ${distinct.length} > ${maxPorts} per run`);
  const timings = opts.timings ?? new Map<string, HostTiming>();
  for (const t of targets) if (!timings.has(t.address)) timings.set(t.address, new HostTiming(opts.timing));
  const tasks: PlanTask<TcpPortFact>[] = [];
  for (const t of targets) {
    for (const port of distinct) {
      tasks.push({
        id: `${t.address.includes(':') ? `[${t.address}]` : t.address}:${port}`,
        run: (signal) =>
          probeTcpPort(
            { host: t.host, address: t.address, port },
            { attempts: opts.attempts, timing: timings.get(t.address), signal, connect: opts.connect, stopOnAnswer: opts.stopOnAnswer },
          ),
      });
    }
  }
  return runPlan(tasks, {
    concurrency: opts.concurrency,
    signal: opts.signal,
    onResult: (fact, { done, total }) => opts.onEvent?.({ type: 'tcp-port', fact, done, total }),
  });
}

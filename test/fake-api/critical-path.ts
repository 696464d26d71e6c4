import type { CallRecord } from './server';

/**
 * Sequential round trips on the critical path, measured from the fake's own call log: the longest chain
 * of calls where each one started after the previous one had been answered (calls that overlap in time
 * ran in parallel and count once).
 */
export function criticalPathRoundTrips(calls: readonly Pick<CallRecord, 'startedAt' | 'endedAt'>[]): number {
  const sorted = [...calls].filter((c) => c.endedAt > 0).sort((a, b) => a.endedAt - b.endedAt);
  const depth: number[] = [];
  for (let i = 0; i < sorted.length; i++) {
    let best = 0;
    for (let j = 0; j < i; j++) if (sorted[j].endedAt <= sorted[i].startedAt && depth[j] > best) best = depth[j];
    depth.push(best + 1);
  }
  return depth.length ? Math.max(...depth) : 0;
}

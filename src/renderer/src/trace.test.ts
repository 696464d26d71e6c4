// The app's path option: the form → request → plan → form, and the run state folding trace events.
import { describe, expect, it } from 'vitest';
import type { TraceHop } from '../../core/probe/trace/types';
import { applyEvent, argsOf, emptyForm, formOf, planOf, startingRun } from './logic';

const hop = (ttl: number, address: string | null): TraceHop => ({ ttl, address, rttMs: address ? [1.5] : [], sent: 1, loss: address ? 0 : 1 });
const HOPS = [hop(1, '192.168.1.1'), hop(2, '61.1.2.3'), hop(3, null)];

describe('the app: trace option and live hops', () => {
  it('the option reaches the request and the plan, and comes back from a plan', () => {
    const form = { ...emptyForm(), host: '47.98.10.20', trace: true };
    const args = argsOf(form)!;
    expect(args.trace).toBe(true);
    expect(planOf(args).trace).toBe(true);
    expect(formOf(planOf(args)).trace).toBe(true);
    expect(argsOf({ ...emptyForm(), host: '47.98.10.20' })).not.toHaveProperty('trace');
  });

  it('folds trace events: hops by TTL (a later answer for the same TTL replaces it), then the result', () => {
    let run = startingRun();
    run = applyEvent(run, 'r1', { type: 'trace', status: 'start' });
    expect(run.trace).toEqual({ status: 'running', hops: [] });
    const f = { method: 'tcp-syn' as const, tool: 'traceroute' as const, target: '47.98.10.20', targetAddress: '47.98.10.20', port: 22, hops: HOPS, reached: false, maxHops: 30, durationMs: 900, startedAt: '2026-12-02T23:00:00.000Z' };
    run = applyEvent(run, 'r1', { type: 'trace-hop', hop: f.hops[1] });
    run = applyEvent(run, 'r1', { type: 'trace-hop', hop: { ...f.hops[0], rttMs: [] } });
    run = applyEvent(run, 'r1', { type: 'trace-hop', hop: f.hops[0] });
    expect(run.trace?.hops.map((h) => [h.ttl, h.rttMs.length])).toEqual([[1, 1], [2, 1]]);
    run = applyEvent(run, 'r1', { type: 'trace', status: 'done', trace: f });
    expect(run.trace).toEqual({ status: 'done', hops: f.hops, method: 'tcp-syn' });
  });
});

// The trace runner: picks the best available way to trace the path to a target from this machine, runs the
// system tool with an argv (never a shell string), parses its output as it arrives, and returns a TraceFact.
// Bounded (at most 30 hops, an overall time limit, a limit of consecutive silent hops), cancellable, never
// throws for a network outcome.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { delimiter, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { decodePingOutput } from '../ping-parse';
import { parseTrace, type TraceFormat } from './parse';
import type { TraceFact, TraceHop, TraceMethod, TraceTool } from './types';

export const MAX_TRACE_HOPS = 30;

export interface TraceOptions {
  /** The diagnosed TCP port: enables the TCP SYN method where raw sockets are permitted. */
  port?: number;
  /** At most 30 (default 30). */
  maxHops?: number;
  /** Overall time limit in ms (default 60 000; 1 000 … 180 000). The trace so far is returned when it passes. */
  timeoutMs?: number;
  /** How long to wait for each probe's answer, in ms (default 1 000; rounded up to whole seconds where the tool needs it). */
  probeWaitMs?: number;
  /** Probes per hop (default 3, 1 … 5; tracert always sends 3 and tracepath its own number). */
  probesPerHop?: number;
  /** Stop after this many consecutive silent hops once they are printed (default 8). */
  silentHopLimit?: number;
  /** 'auto' (default): the best available. A named method is used only if available; otherwise method 'none'. */
  method?: 'auto' | TraceMethod;
  signal?: AbortSignal;
  /**
   * Progress: called with a hop as soon as the tool prints it, and again (same TTL) whenever more answers
   * for it arrive — the last call for a TTL is the hop as the result holds it.
   */
  onHop?: (hop: TraceHop) => void;
  /** Tests / unusual systems: platform whose tools to use, explicit tool paths, raw-socket permission. */
  platform?: NodeJS.Platform;
  /** Explicit paths; `stdbuf: null` runs the tools without line buffering. */
  toolPaths?: Partial<Record<TraceTool, string>> & { stdbuf?: string | null };
  rawAllowed?: boolean;
}

export interface TracePlan {
  method: Exclude<TraceMethod, 'none'>;
  tool: TraceTool;
  path: string;
  argv: string[];
  format: TraceFormat;
  /** coreutils `stdbuf`, to run the tool line-buffered (Linux), when found. */
  lineBuffer?: string;
}

const SEARCH_DIRS: Record<string, string[]> = {
  linux: ['/usr/sbin', '/usr/bin', '/sbin', '/bin', '/usr/local/sbin', '/usr/local/bin'],
  darwin: ['/usr/sbin', '/usr/bin', '/sbin', '/opt/homebrew/bin', '/usr/local/bin'],
  win32: [join(process.env.SystemRoot ?? 'C:\\Windows', 'System32')],
};

/** Finds a tool in the usual places (GUI apps start with a thin PATH), then in PATH. */
export function findTool(tool: TraceTool, platform: NodeJS.Platform = process.platform): string | null {
  return findProgram(tool, platform);
}

function findProgram(tool: string, platform: NodeJS.Platform): string | null {
  const exe = platform === 'win32' ? `${tool}.exe` : tool;
  const dirs = [...(SEARCH_DIRS[platform] ?? SEARCH_DIRS.linux), ...(process.env.PATH ?? '').split(delimiter).filter(Boolean)];
  for (const d of dirs) {
    const p = join(d, exe);
    if (existsSync(p)) return p;
  }
  return null;
}

/** Whether this process may open raw sockets: root, or CAP_NET_RAW (bit 13) in its effective set (Linux). */
export function rawSocketsAllowed(platform: NodeJS.Platform = process.platform): boolean {
  if (platform === 'win32') return false; // tracert needs no raw socket; TCP SYN tracing would need a driver
  if (typeof process.getuid === 'function' && process.getuid() === 0) return true;
  if (platform !== 'linux') return false;
  try {
    const m = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? (BigInt(`0x${m[1]}`) & (1n << 13n)) !== 0n : false;
  } catch {
    return false;
  }
}

const clamp = (v: number | undefined, lo: number, hi: number, dflt: number): number =>
  Math.min(hi, Math.max(lo, Math.floor(v ?? dflt)));

/** The ways to trace, best first, that exist on this machine (pure apart from finding the tools). */
export function planTrace(target: string, opts: TraceOptions = {}): TracePlan[] {
  const platform = opts.platform ?? process.platform;
  const maxHops = clamp(opts.maxHops, 1, MAX_TRACE_HOPS, MAX_TRACE_HOPS);
  const waitMs = clamp(opts.probeWaitMs, 100, 10_000, 1000);
  const q = clamp(opts.probesPerHop, 1, 5, 3);
  const raw = opts.rawAllowed ?? rawSocketsAllowed(platform);
  const path = (t: TraceTool): string | null => opts.toolPaths?.[t] ?? findTool(t, platform);
  const plans: TracePlan[] = [];
  const fam = isIP(target) === 6 ? ['-6'] : isIP(target) === 4 ? ['-4'] : [];
  if (platform === 'win32') {
    const p = path('tracert');
    if (p) plans.push({ method: 'icmp', tool: 'tracert', path: p, format: 'tracert', argv: ['-d', '-h', String(maxHops), '-w', String(waitMs), ...fam, target] });
  } else if (platform === 'darwin') {
    const p = path('traceroute');
    const w = String(Math.max(1, Math.ceil(waitMs / 1000)));
    if (p && opts.port !== undefined && raw) {
      plans.push({ method: 'tcp-syn', tool: 'traceroute', path: p, format: 'traceroute', argv: ['-n', '-P', 'tcp', '-p', String(opts.port), '-q', String(q), '-w', w, '-m', String(maxHops), target] });
    }
    if (p) plans.push({ method: 'udp', tool: 'traceroute', path: p, format: 'traceroute', argv: ['-n', '-q', String(q), '-w', w, '-m', String(maxHops), target] });
  } else {
    const tr = path('traceroute');
    const w = (waitMs / 1000).toFixed(1);
    const common = ['-n', '-q', String(q), '-w', w, '-m', String(maxHops)];
    if (tr && opts.port !== undefined && raw) {
      plans.push({ method: 'tcp-syn', tool: 'traceroute', path: tr, format: 'traceroute', argv: [...fam, ...common, '-T', '-p', String(opts.port), target] });
    }
    if (tr) plans.push({ method: 'udp', tool: 'traceroute', path: tr, format: 'traceroute', argv: [...fam, ...common, target] });
    if (tr && raw) plans.push({ method: 'icmp', tool: 'traceroute', path: tr, format: 'traceroute', argv: [...fam, ...common, '-I', target] });
    const tp = path('tracepath');
    if (tp) plans.push({ method: 'udp', tool: 'tracepath', path: tp, format: 'tracepath', argv: [...fam, '-n', '-m', String(maxHops), target] });
  }
  if (platform === 'linux') {
    const sb = opts.toolPaths?.stdbuf !== undefined ? opts.toolPaths.stdbuf : findProgram('stdbuf', platform);
    if (sb) for (const p of plans) p.lineBuffer = sb;
  }
  const want = opts.method ?? 'auto';
  return want === 'auto' ? plans : plans.filter((p) => p.method === want);
}

function sameAddress(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** The target answered: one of the hops' addresses is the target's (or tracepath printed `reached`). */
export function targetReached(hops: TraceHop[], destination: string | null, reachedMark = false): boolean {
  if (reachedMark) return true;
  if (!destination) return false;
  return hops.some((h) => [h.address, ...(h.otherAddresses ?? [])].some((a) => a !== null && sameAddress(a, destination)));
}

interface RunOutcome {
  text: string;
  code: number | null;
  stderr: string;
  stopped?: TraceFact['stopped'];
  spawnError?: string;
}

function runPlan(plan: TracePlan, o: { deadline: number; silentHopLimit: number; signal?: AbortSignal; onHop?: (h: TraceHop) => void }): Promise<RunOutcome> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const errs: Buffer[] = [];
    let stopped: TraceFact['stopped'];
    const reported = new Map<number, string>();
    let settled = false;
    // The tools print a hop when it is done, but into a pipe stdio buffers everything until exit — no
    // progress, and a killed tool (cancel, time limit) would lose every hop. Where coreutils' stdbuf exists
    // (Linux), the tool runs line-buffered under it.
    const stdbuf = plan.lineBuffer ?? null;
    const [cmd, args] = stdbuf ? [stdbuf, ['-oL', plan.path, ...plan.argv]] : [plan.path, plan.argv];
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true, env: { ...process.env, LC_ALL: 'C' } });
    const stop = (why: NonNullable<TraceFact['stopped']>): void => {
      if (stopped || settled) return;
      stopped = why;
      child.kill('SIGTERM');
      setTimeout(() => { if (!settled) child.kill('SIGKILL'); }, 500).unref();
    };
    const timer = setTimeout(() => stop('timeout'), Math.max(0, o.deadline - performance.now()));
    const onAbort = (): void => stop('cancelled');
    if (o.signal?.aborted) onAbort();
    o.signal?.addEventListener('abort', onAbort, { once: true });
    /**
     * Reports every hop that is new or changed since the last report, on each complete output line (tools
     * print a hop's answers as they come: tracepath a line per probe, BSD traceroute continuation lines).
     */
    const emit = (): void => {
      const hops = parseTrace(decodePingOutput(Buffer.concat(chunks)), plan.format).hops;
      for (const h of hops) {
        const key = JSON.stringify(h);
        if (reported.get(h.ttl) === key) continue;
        reported.set(h.ttl, key);
        try {
          o.onHop?.(h);
        } catch {
          // a progress callback must not break the trace
        }
      }
      let silent = 0;
      for (let i = hops.length - 1; i >= 0 && hops[i].address === null; i--) silent++;
      if (silent >= o.silentHopLimit) stop('silent-hops');
    };
    child.stdout.on('data', (b: Buffer) => {
      chunks.push(b);
      if (b.includes(0x0a)) emit();
    });
    child.stderr.on('data', (b: Buffer) => errs.push(b));
    const finish = (code: number | null, spawnError?: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
      emit();
      resolve({ text: decodePingOutput(Buffer.concat(chunks)), code, stderr: decodePingOutput(Buffer.concat(errs)), stopped, spawnError });
    };
    child.on('error', (e) => finish(null, e.message));
    child.on('close', (code) => finish(code));
  });
}

/**
 * Traces the path to `target` (an address, or a name the tool resolves) with the best available method:
 * TCP SYN to `port` with rising TTL (Linux/macOS `traceroute` with raw sockets), else UDP (`traceroute`,
 * `tracepath`), ICMP on Windows (`tracert`). A method the tool refuses (e.g. no privilege) falls through to
 * the next. Never throws for a network outcome.
 */
export async function runTrace(target: string, opts: TraceOptions = {}): Promise<TraceFact> {
  const t0 = performance.now();
  const startedAt = new Date().toISOString();
  const maxHops = clamp(opts.maxHops, 1, MAX_TRACE_HOPS, MAX_TRACE_HOPS);
  const timeoutMs = clamp(opts.timeoutMs, 1000, 180_000, 60_000);
  const base: TraceFact = {
    method: 'none', tool: null, target, targetAddress: isIP(target) ? target : null, hops: [], reached: false, maxHops,
    durationMs: 0, startedAt, ...(opts.port !== undefined ? { port: opts.port } : {}),
  };
  const done = (f: TraceFact): TraceFact => ({ ...f, durationMs: Math.round(performance.now() - t0) });
  if (!target || target.startsWith('-') || /\s/.test(target)) {
    return done({ ...base, error: { kind: 'bad-target', detail: `not an address or host name: ${JSON.stringify(target)}` } });
  }
  if (opts.signal?.aborted) return done({ ...base, stopped: 'cancelled' });
  const plans = planTrace(target, opts);
  if (!plans.length) {
    return done({ ...base, error: { kind: 'no-tool', detail: 'no trace tool found (traceroute, tracepath or tracert)' } });
  }
  let last: TraceFact | null = null;
  for (const plan of plans) {
    const r = await runPlan(plan, { deadline: t0 + timeoutMs, silentHopLimit: clamp(opts.silentHopLimit, 1, MAX_TRACE_HOPS, 8), signal: opts.signal, onHop: opts.onHop });
    const parsed = parseTrace(r.text, plan.format);
    const hops = parsed.hops.filter((h) => h.ttl <= maxHops);
    const destination = parsed.destination ?? base.targetAddress;
    const fact: TraceFact = {
      ...base, method: plan.method, tool: plan.tool, targetAddress: destination, hops,
      reached: targetReached(hops, destination, parsed.reachedMark),
      ...(opts.port !== undefined && plan.method === 'tcp-syn' ? { port: opts.port } : {}),
      ...(r.stopped ? { stopped: r.stopped } : {}),
    };
    if (opts.port !== undefined && plan.method !== 'tcp-syn') delete fact.port;
    if (r.spawnError) fact.error = { kind: 'spawn-failed', detail: r.spawnError };
    else if (!hops.length && !r.stopped) fact.error = { kind: 'tool-failed', detail: (r.stderr.trim().split(/\r?\n/)[0] || `exit code ${r.code}`).slice(0, 300) };
    last = fact;
    // A tool that refused or failed before printing a hop: try the next way (unless cancelled / out of time).
    if (fact.error && !r.stopped && performance.now() - t0 < timeoutMs) continue;
    return done(fact);
  }
  return done(last ?? base);
}

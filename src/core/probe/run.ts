// One probe run: resolve the target, ping it (optional; its RTT seeds the adaptive timeouts), connect to
// every port concurrently, read banners on open ports, and gather the client's context in parallel.
// Bad input is refused before any packet leaves (ProbeInputError); network outcomes are facts in the
// report; only cancellation rejects.
import { lookup } from 'node:dns/promises';
import { setMaxListeners } from 'node:events';
import pLimit from 'p-limit';
import { fail, ok, type Result } from '../result';
import { readBanner } from './banner';
import { gatherClientContext } from './client';
import { probeIcp } from './icp';
import { probeDns } from './dns';
import { probeIcmp } from './icmp';
import { runTcpPlan } from './plan';
import { DEFAULT_PORTS, validatePorts } from './ports';
import { parseTarget, ipFamilyOf, type ParsedTarget } from './target';
import { abortError, DEFAULT_ATTEMPTS, MAX_ATTEMPTS, type ConnectFn } from './tcp';
import { DEFAULT_TIMING, HostTiming, validateTimingOptions } from './timing';
import { MAX_TRACE_HOPS, runTrace } from './trace/run';
import { parseOwnNetworks } from './trace/classify';
import {
  MAX_PORTS_PER_RUN,
  type BannerFact,
  type ClientContextFact,
  type DnsFact,
  type IcmpFact,
  type IcpFact,
  type IpFamily,
  type ProbeEvent,
  type ProbeReport,
  type ProbeRequest,
  type TcpPortFact,
} from './types';

export const DEFAULT_CONCURRENCY = 16;
export const DEFAULT_MAX_ADDRESSES = 4;
export const DEFAULT_ICMP_COUNT = 3;
export const DEFAULT_BANNER_TIMEOUT_MS = 3000;

/** Bad input: the caller (CLI: exit code 2; UI: a form error) shows `message` as is. */
export class ProbeInputError extends Error {
  override name = 'ProbeInputError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A complete request with the product's defaults: ports 22/80/443/3389, three attempts, nmap T4 timing,
 * banners on, no ICMP, DNS on, and NO third-party endpoints (egress-IP echo services, control hosts):
 * those come from configuration (src/core/config.ts), so tests and library users never reach the
 * Internet by accident.
 */
export function defaultProbeRequest(partial: Partial<ProbeRequest> & { host: string }): ProbeRequest {
  return {
    ports: [...DEFAULT_PORTS],
    icmp: false,
    dns: true,
    attempts: DEFAULT_ATTEMPTS,
    banners: true,
    concurrency: DEFAULT_CONCURRENCY,
    egressIpUrls: [],
    controlHosts: [],
    dnsServers: [],
    ...partial,
    timing: { ...DEFAULT_TIMING, ...partial.timing },
  };
}

export interface ValidRequest {
  request: ProbeRequest;
  target: ParsedTarget;
}

/** Pure: checks everything the user could get wrong, with a message fit to print. */
export function validateProbeRequest(req: ProbeRequest): Result<ValidRequest> {
  const target = parseTarget(req.host);
  if (!target.ok) return target;
  const ports = validatePorts(req.ports, MAX_PORTS_PER_RUN);
  if (!ports.ok) return ports;
  if (!Number.isInteger(req.attempts) || req.attempts < 1 || req.attempts > MAX_ATTEMPTS) {
    return fail('bad-attempts', `attempts must be a whole number from 1 to ${MAX_ATTEMPTS}`);
  }
  const timingProblem = validateTimingOptions(req.timing);
  if (timingProblem) return fail('bad-timing', `timing: ${timingProblem}`);
  if (req.expectIp !== undefined && ipFamilyOf(req.expectIp) === null) {
    return fail('bad-expect-ip', `--expect-ip "${req.expectIp}" is not an IPv4 or IPv6 address`);
  }
  if (!Number.isInteger(req.concurrency) || req.concurrency < 1) return fail('bad-concurrency', 'concurrency must be at least 1');
  const traceProblem = req.trace ? validateTraceRequest(req.trace) : null;
  if (traceProblem) return fail('bad-trace', traceProblem);
  return ok({ request: { ...req, host: target.value.host, ports: ports.value }, target: target.value });
}

/** Pure: what is wrong with a trace request, in words fit to print; null when it is fine. */
export function validateTraceRequest(t: NonNullable<ProbeRequest['trace']>): string | null {
  if (t.port !== undefined && (!Number.isInteger(t.port) || t.port < 1 || t.port > 65535)) return `trace port must be from 1 to 65535 (got ${t.port})`;
  if (t.maxHops !== undefined && (!Number.isInteger(t.maxHops) || t.maxHops < 1 || t.maxHops > MAX_TRACE_HOPS)) return `trace hops must be from 1 to ${MAX_TRACE_HOPS} (got ${t.maxHops})`;
  if (t.timeoutMs !== undefined && (!Number.isInteger(t.timeoutMs) || t.timeoutMs < 1000 || t.timeoutMs > 180_000)) return `trace time limit must be from 1000 to 180000 ms (got ${t.timeoutMs})`;
  const bad = (t.ownNetworks ?? []).find((n) => !parseOwnNetworks([n]));
  if (bad !== undefined) return `own network "${bad}" is not an address or CIDR (e.g. 192.168.0.0/16)`;
  return null;
}

/** The port a TCP SYN trace goes to: the one asked for, else the first that did not connect, else the first probed. */
export function tracePort(req: Pick<ProbeRequest, 'ports' | 'trace'>, tcp: readonly TcpPortFact[]): number | undefined {
  return req.trace?.port ?? tcp.find((f) => f.state !== 'open')?.port ?? req.ports[0];
}

export type ResolveHostFn = (host: string, signal?: AbortSignal) => Promise<string[]>;

/** System resolver (getaddrinfo), every address in the system's order; [] when the name does not resolve. */
export const systemResolveHost: ResolveHostFn = async (host, signal) => {
  // RFC 6761: "invalid" names never resolve, and resolvers should say so without asking the network.
  if (/(^|\.)invalid\.?$/i.test(host)) return [];
  const p = lookup(host, { all: true, verbatim: true }).then(
    (rs) => [...new Set(rs.map((r) => r.address))],
    () => [] as string[],
  );
  if (!signal) return p;
  return abortable(p, signal);
};

function abortable<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(abortError(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/** The probes runProbe calls; injectable so a test can replace one (e.g. ICMP without ping) and keep the rest real. */
export interface ProbeFunctions {
  probeDns: typeof probeDns;
  probeIcmp: typeof probeIcmp;
  readBanner: typeof readBanner;
  gatherClientContext: typeof gatherClientContext;
  probeIcp: typeof probeIcp;
  runTrace: typeof runTrace;
}

export interface RunProbeOptions {
  signal?: AbortSignal;
  onEvent?: (e: ProbeEvent) => void;
  /** Name resolution when the DNS probe is off (request.dns false) or could not consult the system resolver. */
  resolveHost?: ResolveHostFn;
  probes?: Partial<ProbeFunctions>;
  /** Injected TCP connect (tests). */
  connect?: ConnectFn;
}

const now = (): number => performance.now();
const ms = (a: number, b: number): number => Math.round((b - a) * 10) / 10;

function emptyClient(): ClientContextFact {
  return { egressIp: null, interfaces: [], tunnels: [], proxies: [], control: [], platform: `${process.platform}` };
}

/** Addresses to probe: DNS order, the expected IP added when DNS did not return it, bounded. */
export function chooseAddresses(resolved: readonly string[], expectIp: string | undefined, max: number): string[] {
  const out = [...new Set(resolved)].slice(0, Math.max(1, max));
  if (expectIp && !out.includes(expectIp)) out.push(expectIp);
  return out;
}

export async function runProbe(request: ProbeRequest, opts: RunProbeOptions = {}): Promise<ProbeReport> {
  const valid = validateProbeRequest(request);
  if (!valid.ok) throw new ProbeInputError(valid.code, valid.message);
  const { request: req, target } = valid.value;
  // Our own signal, linked to the caller's: every probe of the run listens to it (dozens at once).
  const ctl = new AbortController();
  setMaxListeners(256, ctl.signal);
  const outer = opts.signal;
  const onOuterAbort = (): void => ctl.abort(outer!.reason);
  if (outer?.aborted) onOuterAbort();
  else outer?.addEventListener('abort', onOuterAbort, { once: true });
  const signal = ctl.signal;
  const emit = (e: ProbeEvent): void => opts.onEvent?.(e);
  const fns: ProbeFunctions = { probeDns, probeIcmp, readBanner, gatherClientContext, probeIcp, runTrace, ...opts.probes };
  const resolveHost = opts.resolveHost ?? systemResolveHost;
  const checkAbort = (): void => {
    if (signal?.aborted) throw abortError(signal);
  };
  checkAbort();

  const startedAt = new Date().toISOString();
  const t0 = now();
  const phasesMs: Record<string, number> = {};

  // Client context runs alongside everything else (it talks to other hosts).
  emit({ type: 'phase', phase: 'client', status: 'start' });
  const tc = now();
  const clientP = fns
    .gatherClientContext({ egressIpUrls: req.egressIpUrls, controlHosts: req.controlHosts, ports: req.ports, signal, timing: req.timing })
    .catch((): ClientContextFact => emptyClient()) // it never throws by contract; a bug here must not sink the run
    .then((fact) => {
      phasesMs.client = ms(tc, now());
      emit({ type: 'client', fact });
      emit({ type: 'phase', phase: 'client', status: 'done' });
      return fact;
    });
  // An abort while we wait elsewhere must not leave this promise's rejection unhandled.
  clientP.catch(() => undefined);

  try {
    // 1. Addresses.
    let dnsFact: DnsFact | null = null;
    let resolved: string[];
    if (target.address) {
      resolved = [target.address];
    } else if (req.dns) {
      emit({ type: 'phase', phase: 'dns', status: 'start' });
      const td = now();
      dnsFact = await fns.probeDns(target.host, { servers: req.dnsServers, expectIp: req.expectIp, signal, timeoutMs: req.timing.maxTimeoutMs * 2 });
      checkAbort();
      resolved = dnsFact.addresses;
      // The DNS probe reports the system resolver's answer; if it could not ask it at all, ask it here.
      if (resolved.length === 0 && dnsFact.system === null) resolved = await resolveHost(target.host, signal);
      phasesMs.dns = ms(td, now());
      emit({ type: 'dns', fact: dnsFact });
      emit({ type: 'phase', phase: 'dns', status: 'done' });
    } else {
      const td = now();
      resolved = await resolveHost(target.host, signal);
      phasesMs.resolve = ms(td, now());
    }
    checkAbort();
    const addresses = resolved.length ? chooseAddresses(resolved, target.address ? undefined : req.expectIp, req.maxAddresses ?? DEFAULT_MAX_ADDRESSES) : [];
    const timings = new Map<string, HostTiming>(addresses.map((a) => [a, new HostTiming(req.timing)]));

    // 2. ICMP on the primary address; its replies seed that address's timing.
    let icmpFact: IcmpFact | null = null;
    if (req.icmp && addresses.length) {
      emit({ type: 'phase', phase: 'icmp', status: 'start' });
      const ti = now();
      icmpFact = await fns.probeIcmp(addresses[0], {
        count: req.icmpCount ?? DEFAULT_ICMP_COUNT,
        timeoutMs: Math.max(1000, req.timing.maxTimeoutMs),
        method: req.icmpMethod ?? 'auto',
        signal,
      });
      checkAbort();
      for (const rtt of icmpFact.rttMs) timings.get(addresses[0])?.observe(rtt, 'icmp');
      phasesMs.icmp = ms(ti, now());
      emit({ type: 'icmp', fact: icmpFact });
      emit({ type: 'phase', phase: 'icmp', status: 'done' });
    }

    // 3. TCP on every address and port.
    let tcp: TcpPortFact[] = [];
    if (addresses.length) {
      emit({ type: 'phase', phase: 'tcp', status: 'start' });
      const tt = now();
      tcp = await runTcpPlan(
        addresses.map((address) => ({ host: target.host, address })),
        { ports: req.ports, attempts: req.attempts, concurrency: req.concurrency, timing: req.timing, timings, signal, onEvent: emit, connect: opts.connect },
      );
      phasesMs.tcp = ms(tt, now());
      emit({ type: 'phase', phase: 'tcp', status: 'done' });
    }

    // 4. Banners on open ports.
    const open = tcp.filter((f) => f.state === 'open');
    if (req.banners && open.length) {
      emit({ type: 'phase', phase: 'banner', status: 'start' });
      const tb = now();
      const limit = pLimit(Math.max(1, Math.min(req.concurrency, 8)));
      const servername = target.kind === 'hostname' ? target.host : undefined;
      await Promise.all(
        open.map((f) =>
          limit(async () => {
            checkAbort();
            const hint = req.appProtocols?.[f.port];
            const banner: BannerFact = await fns.readBanner(f.address, f.port, {
              servername,
              timeoutMs: req.bannerTimeoutMs ?? DEFAULT_BANNER_TIMEOUT_MS,
              signal,
              ...(hint ? { hint } : {}),
            });
            f.banner = banner;
            emit({ type: 'banner', address: f.address, port: f.port, fact: banner });
          }),
        ),
      );
      checkAbort();
      phasesMs.banner = ms(tb, now());
      emit({ type: 'phase', phase: 'banner', status: 'done' });
    }

    // 5. ICP-filing interception: the same web request by IP and by name, on the first open address.
    let icpFact: IcpFact | null | undefined;
    if (req.icp && target.kind === 'hostname') {
      const icp = req.icp;
      const open = tcp.find((f) => f.port === icp.port && f.state === 'open');
      icpFact = null;
      if (open) {
        const ti = now();
        icpFact = await fns.probeIcp(target.host, open.address, icp.port, icp.scheme, { timeoutMs: icp.timeoutMs ?? req.bannerTimeoutMs ?? DEFAULT_BANNER_TIMEOUT_MS, signal });
        checkAbort();
        phasesMs.icp = ms(ti, now());
      }
    }

    // 6. The path trace, after the probes (it sends its own packets; they must not disturb the RTTs above).
    let traceFact: ProbeReport['trace'];
    if (req.trace && addresses.length) {
      const tt = now();
      const port = tracePort(req, tcp);
      emit({ type: 'trace-phase', status: 'start' });
      traceFact = await fns.runTrace(addresses[0].split('%')[0], {
        ...(port !== undefined ? { port } : {}),
        ...(req.trace.maxHops !== undefined ? { maxHops: req.trace.maxHops } : {}),
        ...(req.trace.timeoutMs !== undefined ? { timeoutMs: req.trace.timeoutMs } : {}),
        signal,
        onHop: (hop) => emit({ type: 'trace-hop', hop }),
      });
      if (req.trace.ownNetworks?.length) traceFact = { ...traceFact, ownNetworks: [...req.trace.ownNetworks] };
      checkAbort();
      phasesMs.trace = ms(tt, now());
      emit({ type: 'trace-phase', status: 'done', method: traceFact.method });
    }

    const client = await clientP;
    checkAbort();
    const t1 = now();
    const family: IpFamily | null = addresses.length ? ipFamilyOf(addresses[0].split('%')[0]) : null;
    return {
      target: { host: target.host, addresses, family },
      dns: dnsFact,
      icmp: icmpFact,
      tcp,
      client,
      timings: { startedAt, finishedAt: new Date().toISOString(), totalMs: ms(t0, t1), phasesMs },
      ...(icpFact !== undefined ? { icp: icpFact } : {}),
      ...(traceFact ? { trace: traceFact } : {}),
    };
  } catch (err) {
    if (signal.aborted) throw abortError(signal);
    ctl.abort(err); // a bug: stop whatever still runs in the background (client context)
    throw err;
  } finally {
    outer?.removeEventListener('abort', onOuterAbort);
  }
}

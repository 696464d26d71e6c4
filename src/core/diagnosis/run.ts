// One diagnosis run (the imperative shell around the pure checklist and verdict): the probes and the
// cloud read run concurrently, the rule engine evaluates the real flow once both are in, server evidence
// is parsed or collected, and events stream the checklist as facts arrive. Every dependency is
// injectable so tests can run the real probes against a lab and the real SDK against a fake API.
import type { CloudSnapshot } from '../cloud/model';
import type { ProviderId, ProviderSemantics } from '../cloud/provider';
import { appProtocolForService } from '../probe/app-protocol';
import { icpSchemeFor } from '../probe/icp';
import type { ProbeEvent, ProbeReport, ProbeRequest, TraceRequest } from '../probe/types';
import type { TraceFact } from '../probe/trace/types';
import type { TraceOptions } from '../probe/trace/run';
import { parseIp } from '../rules/cidr';
import type { AclEvaluation, Evaluation, Flow } from '../rules/types';
import type { Result } from '../result';
import { APP_VERSION } from '../version';
import { runChecks, type FactSource } from './checks';
import { instanceAddresses, isLoopback, type DiagnosisFacts } from './facts';
import type { FixRenderer } from './fixes';
import { SCHEMA_VERSION } from './schema-version';
import type { Diagnosis, DiagnosisCloud, DiagnosisEvent, DiagnosisTarget, ServerEvidence } from './types';
import { evaluateWithoutSource } from './unknown-source';
import { decideVerdict } from './verdict';

/**
 * Where the cloud facts come from. `provider`: which cloud (the composition root's default when absent; for
 * documents, the cloud that recognises them). `endpoints` are the provider's own resolved settings, opaque here.
 */
export type CloudRequest =
  | { mode: 'api'; provider?: ProviderId; instanceId?: string; region?: string; profile?: string; endpoints?: unknown }
  | { mode: 'snapshot'; provider?: ProviderId; documents: (string | { name?: string; content: unknown })[]; instanceId?: string }
  | { mode: 'none'; provider?: ProviderId };

export type ServerRequest =
  | { mode: 'text'; text: string; source?: 'pasted' | 'cloud-assistant' }
  | { mode: 'cloud-assistant'; timeoutMs?: number }
  | { mode: 'none' };

export interface DiagnoseRequest {
  target: DiagnosisTarget;
  /** The probe run; its ports must include target.port. */
  probe: ProbeRequest;
  cloud: CloudRequest;
  server?: ServerRequest;
  /** The client's public address as the user knows it (overrides the egress-IP echo for the rule engine). */
  sourceIp?: string;
  /** When the name resolves elsewhere, also probe the instance's own address (default true). */
  probeInstanceAddress?: boolean;
  /**
   * Trace the path to the probed address after the probes (TCP SYN to the target port where raw sockets are
   * permitted); the result is Diagnosis.trace and the check path.trace. Absent: no trace.
   */
  trace?: Omit<TraceRequest, 'port'>;
}

export interface ReadCloudArgs {
  provider?: ProviderId;
  instanceId?: string;
  address?: string;
  region?: string;
  profile?: string;
  endpoints?: unknown;
  signal?: AbortSignal;
}

export interface DiagnoseDeps {
  runProbe(request: ProbeRequest, opts: { signal?: AbortSignal; onEvent?: (e: ProbeEvent) => void }): Promise<ProbeReport>;
  readCloudSnapshot(opts: ReadCloudArgs): Promise<CloudSnapshot>;
  /** Builds the snapshot from documents; `selection` picks the instance when they describe several; `provider` as asked. */
  importSnapshot(inputs: readonly unknown[], selection?: { address?: string | null; instanceId?: string | null }, provider?: ProviderId): Result<CloudSnapshot>;
  evaluateSecurityGroups(snapshot: CloudSnapshot, flow: Flow): Evaluation;
  evaluateNetworkAcl(snapshot: CloudSnapshot, flow: Flow): AclEvaluation;
  parseServerEvidence?(text: string, opts: { ports: number[]; source: 'cloud-assistant' | 'pasted' }): ServerEvidence;
  /** Runs the read-only evidence script on the instance; resolves with its output text. */
  runCloudAssistant?(args: { provider?: ProviderId; instanceId: string; region: string; ports: number[]; osType?: string; profile?: string; endpoints?: unknown; signal?: AbortSignal; timeoutMs?: number }): Promise<Result<{ output: string }>>;
  /** The cloud's published semantics for the facts (carrier-blocked ports, …); absent = the checks' fallbacks. */
  semantics?(provider: ProviderId | undefined): ProviderSemantics;
  now?(): number;
  /** The path trace engine (src/core/probe/trace/run.ts runTrace); without it a requested trace is noted as unavailable. */
  runTrace?(target: string, opts: TraceOptions): Promise<TraceFact>;
  /**
   * Loads what the cloud read needs (the SDKs: about a second of synchronous CPU) before any probe starts,
   * so that loading never stalls the event loop while connect() timeouts and RTTs are being measured.
   */
  prepareCloud?(provider?: ProviderId): Promise<void>;
  /** The cloud provider's fix renderer (intent → proven fixes with actions); without it fixes stay plain words. */
  renderFixes?: FixRenderer;
}

export interface RunDiagnosisOptions {
  signal?: AbortSignal;
  onEvent?: (e: DiagnosisEvent) => void;
  /** Raw probe events too (the CLI's progress line). */
  onProbeEvent?: (e: ProbeEvent) => void;
  deps: DiagnoseDeps;
}

/** Input the caller must fix (offline JSON that cannot be used): the CLI exits 2, the backend answers bad-input. */
export class DiagnoseInputError extends Error {
  override name = 'DiagnoseInputError';
  constructor(
    readonly code: 'bad-snapshot',
    message: string,
  ) {
    super(message);
  }
}

const norm = (ip: string | null | undefined): string | null => (ip ? (parseIp(ip)?.text ?? null) : null);

/** The address the cloud evaluates as destination: an instance address among those probed, else the first probed. */
export function chooseDestination(report: ProbeReport | null, snapshot: CloudSnapshot | null, fallback: string): string {
  const { publicAddresses, privateAddresses } = instanceAddresses(snapshot);
  const probed = report?.target.addresses.map((a) => norm(a) ?? a) ?? [];
  return probed.find((a) => publicAddresses.includes(a) || privateAddresses.includes(a)) ?? probed[0] ?? norm(fallback) ?? fallback;
}

/** Pure: the rule-engine half of the facts. */
export function evaluateCloud(
  deps: Pick<DiagnoseDeps, 'evaluateSecurityGroups' | 'evaluateNetworkAcl'>,
  mode: DiagnosisCloud['mode'],
  snapshot: CloudSnapshot | null,
  target: DiagnosisTarget,
  report: ProbeReport | null,
  sourceIp: string | undefined,
): DiagnosisCloud {
  if (!snapshot) return { mode, snapshot: null, flow: null, securityGroups: null, networkAcl: null, icmp: null, sourceIpOrigin: 'none' };
  const egress = norm(report?.client.egressIp?.address);
  const source = norm(sourceIp) ?? egress;
  const origin = norm(sourceIp) ? 'user' : egress ? 'egress-ip' : 'none';
  const destination = chooseDestination(report, snapshot, target.host);
  if (!snapshot.instance || !parseIp(destination)) {
    return { mode, snapshot, flow: null, securityGroups: null, networkAcl: null, icmp: null, sourceIpOrigin: origin };
  }
  if (!source) {
    // The client's public IP is unknown: decide what holds for every public source, leave the rest unknown.
    const sourceless = { direction: 'ingress' as const, protocol: target.protocol, destinationIp: destination, port: target.port };
    const e = evaluateWithoutSource(deps, snapshot, sourceless);
    const icmp = evaluateWithoutSource(deps, snapshot, { ...sourceless, protocol: parseIp(destination)?.family === 6 ? 'icmpv6' : 'icmp', port: -1 });
    return { mode, snapshot, flow: { ...sourceless, sourceIp: '' }, securityGroups: e.securityGroups, networkAcl: e.networkAcl, icmp: icmp.securityGroups, sourceIpOrigin: 'none' };
  }
  const flow: Flow = { direction: 'ingress', protocol: target.protocol, sourceIp: source, destinationIp: destination, port: target.port };
  return {
    mode,
    snapshot,
    flow,
    securityGroups: deps.evaluateSecurityGroups(snapshot, flow),
    networkAcl: deps.evaluateNetworkAcl(snapshot, flow),
    icmp: deps.evaluateSecurityGroups(snapshot, { ...flow, protocol: parseIp(destination)?.family === 6 ? 'icmpv6' : 'icmp', port: -1 }),
    sourceIpOrigin: origin,
  };
}

function abortError(signal: AbortSignal): Error {
  const r: unknown = signal.reason;
  if (r instanceof Error) return r;
  const e = new Error('cancelled');
  e.name = 'AbortError';
  return e;
}

export async function runDiagnosis(request: DiagnoseRequest, opts: RunDiagnosisOptions): Promise<Diagnosis> {
  const { deps, signal } = opts;
  const clock = deps.now ?? (() => performance.now());
  const t0 = clock();
  const stagesMs: Record<string, number> = {};
  const emit = (e: DiagnosisEvent): void => opts.onEvent?.(e);
  const target = request.target;
  if (!request.probe.ports.includes(target.port)) request = { ...request, probe: { ...request.probe, ports: [target.port, ...request.probe.ports] } };
  // The application protocol of the target port reaches the banner reader, whatever the entry (CLI, app, re-run).
  const appProtocol = target.appProtocol ?? appProtocolForService(target.service);
  if (appProtocol && !request.probe.appProtocols?.[target.port]) {
    request = { ...request, probe: { ...request.probe, appProtocols: { ...request.probe.appProtocols, [target.port]: appProtocol } } };
  }
  // A name on a web port: also compare a request by IP with one by name (ICP-filing interception, net.icp-filing).
  const icpScheme = target.protocol === 'tcp' && !parseIp(target.host) ? icpSchemeFor(target.port, target.service) : null;
  if (icpScheme && !request.probe.icp) request = { ...request, probe: { ...request.probe, icp: { port: target.port, scheme: icpScheme } } };
  if (signal?.aborted) throw abortError(signal);

  const ready = new Set<FactSource>();
  const facts: DiagnosisFacts = { target, probes: null, cloud: null, server: null };
  const semanticsFor = (id: ProviderId | undefined): void => {
    const s = deps.semantics?.(id);
    if (s) facts.semantics = s;
  };
  semanticsFor(request.cloud.provider);
  const notes: string[] = [];
  const cloudMode: DiagnosisCloud['mode'] = request.cloud.mode === 'api' ? 'api' : request.cloud.mode === 'snapshot' ? 'snapshot' : 'none';
  let snapshot: CloudSnapshot | null = null;
  const pushChecks = (): void => emit({ type: 'checks', checks: runChecks(facts, ready, { fixes: deps.renderFixes }) });

  // The first resolved address lets the cloud read look the instance up by address when no id is given.
  let resolveAddress!: (a: string | null) => void;
  const firstAddress = new Promise<string | null>((r) => (resolveAddress = r));
  const literal = parseIp(target.host) ? norm(target.host) : null;
  if (literal) resolveAddress(literal);

  // Offline JSON is checked before any packet leaves: unusable input is the caller's error (exit 2,
  // bad-input), never a run that quietly has no cloud data.
  let imported: CloudSnapshot | null = null;
  if (request.cloud.mode === 'snapshot') {
    // The documents may describe several instances: the one that owns the probed address is analysed.
    const c = request.cloud;
    const r = deps.importSnapshot(c.documents, { instanceId: c.instanceId ?? null, address: literal }, c.provider);
    // Only a name's address is still unknown here: that choice waits for the resolution.
    const waitsForAddress = !r.ok && r.code === 'AmbiguousInstance' && !literal && !c.instanceId;
    if (!r.ok && !waitsForAddress) throw new DiagnoseInputError('bad-snapshot', r.message);
    if (r.ok) imported = r.value;
  }

  if (request.cloud.mode === 'api' && deps.prepareCloud) await deps.prepareCloud(request.cloud.provider);
  emit({ type: 'stage', stage: 'probe', status: 'start' });
  const tp = clock();
  const probeP = deps
    .runProbe(request.probe, {
      signal,
      onEvent: (e) => {
        opts.onProbeEvent?.(e);
        if (e.type === 'dns') resolveAddress(e.fact.addresses[0] ?? null);
      },
    })
    .then((report) => {
      resolveAddress(report.target.addresses[0] ?? null);
      stagesMs.probe = Math.round(clock() - tp);
      facts.probes = report;
      ready.add('probes');
      emit({ type: 'stage', stage: 'probe', status: 'done' });
      pushChecks();
      return report;
    })
    .catch((err: unknown) => {
      resolveAddress(null);
      throw err;
    });

  const tc = clock();
  const cloudP: Promise<CloudSnapshot | null> = (async () => {
    const c = request.cloud;
    if (c.mode === 'none') return null;
    emit({ type: 'stage', stage: 'cloud', status: 'start' });
    if (c.mode === 'snapshot') {
      if (imported) return imported;
      // Several instances and a name: the one that owns the resolved address is analysed.
      const r = deps.importSnapshot(c.documents, { instanceId: null, address: await firstAddress }, c.provider);
      if (!r.ok) throw new DiagnoseInputError('bad-snapshot', r.message);
      return r.value;
    }
    const address = c.instanceId ? undefined : ((await firstAddress) ?? undefined);
    if (!c.instanceId && address && isLoopback(address)) {
      // 127.0.0.1 is this computer: no cloud account has it, so there is nothing to look up.
      notes.push(`${address} is this computer (loopback): the cloud configuration was not read`);
      emit({ type: 'stage', stage: 'cloud', status: 'done', message: 'loopback target: no cloud lookup' });
      return null;
    }
    if (!c.instanceId && !address) {
      emit({ type: 'stage', stage: 'cloud', status: 'error', message: 'no instance id and the name did not resolve' });
      notes.push('cloud read skipped: no instance id and the name did not resolve');
      return null;
    }
    return deps.readCloudSnapshot({ ...(c.provider ? { provider: c.provider } : {}), instanceId: c.instanceId, address, region: c.region, profile: c.profile, endpoints: c.endpoints, signal });
  })().then((snap) => {
    stagesMs.cloud = Math.round(clock() - tc);
    snapshot = snap;
    if (snap) {
      // The snapshot's own cloud decides (documents are recognised by whichever provider they belong to).
      semanticsFor(snap.provider);
      facts.cloud = { mode: cloudMode, snapshot: snap, flow: null, securityGroups: null, networkAcl: null, icmp: null };
      const fatal = snap.errors.find((e) => e.leavesUnknown.includes('everything'));
      emit({ type: 'stage', stage: 'cloud', status: fatal ? 'error' : 'done', message: fatal ? `${fatal.action}: ${fatal.code}` : undefined });
      ready.add('cloud');
      pushChecks();
    }
    return snap;
  });

  // Server evidence: pasted text now; Cloud Assistant once the instance is known.
  const ts = clock();
  const serverP: Promise<ServerEvidence | null> = (async () => {
    const s = request.server ?? { mode: 'none' };
    if (s.mode === 'none') return null;
    emit({ type: 'stage', stage: 'server', status: 'start' });
    if (!deps.parseServerEvidence) {
      emit({ type: 'stage', stage: 'server', status: 'error', message: 'server evidence parser unavailable' });
      return null;
    }
    if (s.mode === 'text') return deps.parseServerEvidence(s.text, { ports: [target.port], source: s.source ?? 'pasted' });
    const snap = await cloudP;
    if (!snap?.instance || !deps.runCloudAssistant) {
      const why = !deps.runCloudAssistant ? 'Cloud Assistant is unavailable in this build' : 'the instance is unknown (no cloud data)';
      notes.push(`Cloud Assistant skipped: ${why}`);
      emit({ type: 'stage', stage: 'server', status: 'error', message: why });
      return null;
    }
    const c = request.cloud.mode === 'api' ? request.cloud : undefined;
    const r = await deps.runCloudAssistant({ provider: snap.provider, instanceId: snap.instance.id, region: snap.instance.region, ports: [target.port], osType: snap.instance.osType, profile: c?.profile, endpoints: c?.endpoints, signal, timeoutMs: s.timeoutMs });
    if (!r.ok) {
      notes.push(`Cloud Assistant failed: ${r.code}: ${r.message}`);
      emit({ type: 'stage', stage: 'server', status: 'error', message: `${r.code}: ${r.message}` });
      return null;
    }
    return deps.parseServerEvidence(r.value.output, { ports: [target.port], source: 'cloud-assistant' });
  })().then((ev) => {
    stagesMs.server = Math.round(clock() - ts);
    if (ev) {
      facts.server = ev;
      ready.add('server');
      emit({ type: 'stage', stage: 'server', status: 'done' });
      pushChecks();
    }
    return ev;
  });

  let report: ProbeReport;
  try {
    [report] = await Promise.all([probeP, cloudP]);
  } catch (err) {
    // Let the sibling promises settle quietly; the caller sees the first failure (abort or bad input).
    cloudP.catch(() => undefined);
    serverP.catch(() => undefined);
    throw err;
  }
  const snap = snapshot as CloudSnapshot | null;

  // The name resolves elsewhere: probe the instance's own address too, so the verdict can say whether
  // the instance itself is reachable.
  if (request.probeInstanceAddress !== false && snap?.instance && !literal && target.protocol === 'tcp') {
    const { publicAddresses } = instanceAddresses(snap);
    const probed = new Set(report.target.addresses.map((a) => norm(a)));
    const missing = publicAddresses.find((a) => !probed.has(a));
    if (missing && publicAddresses.every((a) => !probed.has(a))) {
      const extra = await deps.runProbe(
        { ...request.probe, host: missing, ports: [target.port], dns: false, icmp: false, egressIpUrls: [], controlHosts: [], dnsServers: [] },
        { signal, onEvent: opts.onProbeEvent },
      );
      report = { ...report, target: { ...report.target, addresses: [...report.target.addresses, missing] }, tcp: [...report.tcp, ...extra.tcp] };
      facts.probes = report;
      notes.push(`${target.host} does not resolve to the instance; ${missing} was probed as well`);
    }
  }

  // The path trace, after the probes (its packets must not disturb their timing), to the address the
  // verdict is about; the server evidence may still be arriving meanwhile.
  if (request.trace && report.target.addresses.length && target.protocol === 'tcp') {
    if (!deps.runTrace) {
      notes.push('path trace unavailable in this build');
    } else {
      const tt = clock();
      emit({ type: 'trace', status: 'start' });
      const address = chooseDestination(report, snap, target.host);
      let fact = await deps.runTrace(address.split('%')[0], {
        port: target.port,
        ...(request.trace.maxHops !== undefined ? { maxHops: request.trace.maxHops } : {}),
        ...(request.trace.timeoutMs !== undefined ? { timeoutMs: request.trace.timeoutMs } : {}),
        signal,
        onHop: (hop) => emit({ type: 'trace-hop', hop }),
      });
      if (signal?.aborted) {
        serverP.catch(() => undefined);
        throw abortError(signal);
      }
      if (request.trace.ownNetworks?.length) fact = { ...fact, ownNetworks: [...request.trace.ownNetworks] };
      stagesMs.trace = Math.round(clock() - tt);
      facts.trace = fact;
      ready.add('trace');
      emit({ type: 'trace', status: 'done', trace: fact });
    }
  }

  emit({ type: 'stage', stage: 'rules', status: 'start' });
  const tr = clock();
  facts.cloud = evaluateCloud(deps, cloudMode, snap, target, report, request.sourceIp);
  stagesMs.rules = Math.round(clock() - tr);
  ready.add('rules');
  emit({ type: 'stage', stage: 'rules', status: 'done' });
  pushChecks();

  await serverP;
  if (signal?.aborted) throw abortError(signal);

  emit({ type: 'stage', stage: 'verdict', status: 'start' });
  const checks = runChecks(facts, undefined, { fixes: deps.renderFixes });
  const verdict = decideVerdict(facts, checks);
  emit({ type: 'checks', checks });
  emit({ type: 'verdict', verdict });
  emit({ type: 'stage', stage: 'verdict', status: 'done' });

  return {
    schemaVersion: SCHEMA_VERSION,
    appVersion: APP_VERSION,
    createdAt: new Date().toISOString(),
    target,
    probes: facts.probes,
    cloud: facts.cloud ?? { mode: cloudMode, snapshot: null, flow: null, securityGroups: null, networkAcl: null },
    server: facts.server,
    checks,
    verdict,
    notes: notes.join('\n'),
    timings: { totalMs: Math.round(clock() - t0), stagesMs },
    ...(facts.trace ? { trace: facts.trace } : {}),
  };
}



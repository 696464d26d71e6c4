// Pure state transitions of the UI (tested without a DOM): the live run folding diagnosis events, the
// guided form's validation, and the mapping between the form, a session plan and a re-run.
import type { AppProtocol, CloudCapabilities, CloudSource, DiagnoseArgs } from '../../core/api';
import type { ProviderId } from '../../core/cloud/provider';
import type { OfflineCommandArgs } from '../../core/cloud/types';
import { SERVICE_PRESETS, type ServicePreset } from '../../core/api-client';
import type { Check, Diagnosis, DiagnosisEvent, Layer, Localized, Verdict } from '../../core/diagnosis/types';
import type { TraceHop } from '../../core/probe/trace/types';
import type { Result } from '../../core/result';
import type { SessionPlan } from '../../core/session/types';

export type Stage = 'probe' | 'cloud' | 'rules' | 'server' | 'verdict';
export const STAGES: Stage[] = ['probe', 'cloud', 'rules', 'server', 'verdict'];
export type StageStatus = 'pending' | 'start' | 'done' | 'error';

export interface RunState {
  status: 'idle' | 'starting' | 'running' | 'done' | 'failed' | 'cancelled';
  runId: string | null;
  stages: Record<Stage, StageStatus>;
  stageMessages: Partial<Record<Stage, string>>;
  checks: Check[];
  verdict: Verdict | null;
  error: { code: string; message: string } | null;
  /** The path trace of this run, when one was asked for: hops as they arrive (one per TTL, latest answer). */
  trace?: { status: 'running' | 'done'; hops: TraceHop[]; method?: string };
}

export const idleRun = (): RunState => ({
  status: 'idle',
  runId: null,
  stages: { probe: 'pending', cloud: 'pending', rules: 'pending', server: 'pending', verdict: 'pending' },
  stageMessages: {},
  checks: [],
  verdict: null,
  error: null,
});

export const startingRun = (): RunState => ({ ...idleRun(), status: 'starting' });

/** Events for another run (an old one still finishing) are ignored. */
export function acceptsRun(run: RunState, runId: string): boolean {
  return run.runId === runId || (run.runId === null && run.status === 'starting');
}

export function applyEvent(run: RunState, runId: string, e: DiagnosisEvent): RunState {
  if (!acceptsRun(run, runId) || run.status === 'done' || run.status === 'cancelled') return run;
  const base = { ...run, runId, status: 'running' as const };
  switch (e.type) {
    case 'stage':
      return {
        ...base,
        stages: { ...run.stages, [e.stage]: e.status },
        stageMessages: e.message ? { ...run.stageMessages, [e.stage]: e.message } : run.stageMessages,
      };
    case 'checks':
      return { ...base, checks: e.checks };
    case 'verdict':
      return { ...base, verdict: e.verdict };
    case 'trace':
      return e.status === 'start'
        ? { ...base, trace: { status: 'running', hops: [] } }
        : { ...base, trace: { status: 'done', hops: e.trace?.hops ?? run.trace?.hops ?? [], ...(e.trace ? { method: e.trace.method } : {}) } };
    case 'trace-hop': {
      const hops = (run.trace?.hops ?? []).filter((h) => h.ttl !== e.hop.ttl);
      return { ...base, trace: { status: 'running', hops: [...hops, e.hop].sort((a, b) => a.ttl - b.ttl) } };
    }
  }
}

export function finishRun(run: RunState, runId: string, result: Result<Diagnosis>): RunState {
  if (!acceptsRun(run, runId)) return run;
  if (result.ok) return { ...run, runId, status: 'done', checks: result.value.checks, verdict: result.value.verdict, error: null };
  if (result.code === 'CANCELLED') return { ...run, runId, status: 'cancelled', error: null };
  return { ...run, runId, status: 'failed', error: { code: result.code, message: result.message } };
}

export function checksByLayer(checks: readonly Check[]): Record<Layer, Check[]> {
  const out: Record<Layer, Check[]> = { client: [], network: [], server: [] };
  for (const c of checks) out[c.layer].push(c);
  return out;
}

export interface FlowForm {
  host: string;
  service: ServicePreset;
  customPort: string;
  cloudMode: CloudSource['mode'];
  /** The cloud chosen at the top of the account step (Alibaba Cloud unless the user picks Huawei Cloud). */
  provider: ProviderId;
  profile: string;
  importJson: string;
  instanceId: string;
  region: string;
  /** The application protocol of a custom port ('' = not chosen). */
  appProtocol: AppProtocol | '';
  /** Your public IP as the server sees it ('' = use the detected one). */
  sourceIp: string;
  /** Trace the path hop by hop after the probes (the run step's path option). */
  trace?: boolean;
}

export const emptyForm = (): FlowForm => ({ host: '', service: 'ssh', customPort: '', cloudMode: 'none', provider: 'alicloud', profile: '', importJson: '', instanceId: '', region: '', appProtocol: '', sourceIp: '' });

/** Application protocols offered for a custom port (the contract's list), with their usual ports. */
export const APP_PROTOCOL_CHOICES: { id: AppProtocol; label: string }[] = [
  { id: 'http', label: 'HTTP' },
  { id: 'https', label: 'HTTPS' },
  { id: 'ssh', label: 'SSH' },
  { id: 'rdp', label: 'RDP' },
  { id: 'mysql', label: 'MySQL' },
  { id: 'postgresql', label: 'PostgreSQL' },
  { id: 'redis', label: 'Redis' },
  { id: 'smtp', label: 'SMTP' },
  { id: 'other', label: '' },
];

/**
 * Splits what the user typed in the address field into host and port: "1.2.3.4:8080",
 * "[2001:db8::1]:22", "example.com:443", and URLs such as "http://example.com:8080/path".
 * A bare IPv6 address ("2001:db8::1") has no port. Returns null when there is no port to split off.
 */
export function splitHostPort(raw: string): { host: string; port: number } | null {
  let t = raw.trim();
  const url = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]+)/i.exec(t);
  if (url) t = url[1].replace(/^[^@]*@/, '');
  const bracket = /^\[([^\]]+)\]:(\d{1,5})$/.exec(t);
  const plain = /^([^:\s]+):(\d{1,5})$/.exec(t);
  const m = bracket ?? plain;
  if (!m) return null;
  const port = Number(m[2]);
  if (!(port >= 1 && port <= 65535)) return null;
  return { host: m[1], port };
}

/** The form after the address field changed: a "host:port" is split into the host and the port. */
export function withAddress(form: FlowForm, raw: string): Partial<FlowForm> {
  const hp = splitHostPort(raw);
  if (!hp) return { host: raw };
  const preset = SERVICE_PRESETS.find((p) => p.id !== 'custom' && p.port === hp.port);
  return preset ? { host: hp.host, service: preset.id, customPort: '' } : { host: hp.host, service: 'custom', customPort: String(hp.port) };
}

/** A typed public IP: IPv4 or IPv6 text (the backend checks it again). */
export function isIpText(s: string): boolean {
  const t = s.trim();
  if (/^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/.test(t)) return true;
  return /^[0-9a-f:]+$/i.test(t) && t.includes(':') && (t.match(/::/g)?.length ?? 0) <= 1 && t.split(':').length <= 8 && t.split(':').length >= 3;
}

export function portOf(form: FlowForm): number | null {
  if (form.service !== 'custom') return SERVICE_PRESETS.find((p) => p.id === form.service)!.port;
  const t = form.customPort.trim();
  if (!/^\d{1,5}$/.test(t)) return null;
  const n = Number(t);
  return n >= 1 && n <= 65535 ? n : null;
}

export function cloudOf(form: FlowForm): CloudSource | null {
  const provider = form.provider;
  switch (form.cloudMode) {
    case 'profile':
      return form.profile ? { mode: 'profile', provider, profile: form.profile } : null;
    case 'stored-key':
      return { mode: 'stored-key', provider };
    case 'environment':
      return { mode: 'environment', provider };
    case 'import':
      return form.importJson.trim().length >= 2 ? { mode: 'import', provider, json: form.importJson } : null;
    case 'none':
      return { mode: 'none', provider };
  }
}

/**
 * The account step after the user chose a cloud: the profile of the other cloud's CLI and the typed ids
 * (instance, region) do not carry over, the source (key, environment, paste, skip) does.
 */
export function withProvider(form: FlowForm, provider: ProviderId): Partial<FlowForm> {
  if (form.provider === provider) return {};
  return { provider, profile: '', instanceId: '', region: '' };
}

export function argsOf(form: FlowForm): DiagnoseArgs | null {
  const port = portOf(form);
  const cloud = cloudOf(form);
  if (!form.host.trim() || port === null || !cloud) return null;
  return {
    host: form.host.trim(),
    port,
    service: form.service,
    cloud,
    ...(form.instanceId.trim() ? { instanceId: form.instanceId.trim() } : {}),
    ...(form.region.trim() ? { region: form.region.trim() } : {}),
    ...(form.service === 'custom' && form.appProtocol ? { appProtocol: form.appProtocol } : {}),
    ...(isIpText(form.sourceIp) ? { sourceIp: form.sourceIp.trim() } : {}),
    ...(form.trace ? { trace: true } : {}),
  };
}

export function planOf(args: DiagnoseArgs): SessionPlan {
  return {
    host: args.host,
    port: args.port,
    protocol: 'tcp',
    service: args.service,
    // The cloud read (re-open and re-run read the same one); Alibaba Cloud is left implicit, as in older files.
    ...(args.cloud.provider && args.cloud.provider !== 'alicloud' ? { provider: args.cloud.provider } : {}),
    ...(args.instanceId ? { instanceId: args.instanceId } : {}),
    ...(args.region ? { region: args.region } : {}),
    ...(args.cloud.mode === 'profile' ? { profile: args.cloud.profile } : {}),
    ...(args.cloud.mode === 'stored-key' || args.cloud.mode === 'environment' ? { credentialSource: args.cloud.mode } : {}),
    cloudMode: args.cloud.mode === 'import' ? 'snapshot' : args.cloud.mode === 'none' ? 'none' : 'api',
    ...(args.appProtocol ? { appProtocol: args.appProtocol } : {}),
    ...(args.sourceIp ? { sourceIp: args.sourceIp } : {}),
    ...(args.trace ? { trace: true } : {}),
  };
}

/**
 * A saved plan back into the form (re-run). Offline JSON lives on in the saved diagnosis (its imported
 * cloud configuration, which holds no secret): a re-run imports that again instead of becoming probe-only.
 */
export function formOf(plan: SessionPlan, saved?: Pick<Diagnosis, 'cloud'> | null): FlowForm {
  const preset = SERVICE_PRESETS.find((p) => p.id === plan.service && p.id !== 'custom') ?? SERVICE_PRESETS.find((p) => p.port === plan.port && p.id !== 'custom');
  const importJson = plan.cloudMode === 'snapshot' && saved?.cloud.snapshot ? JSON.stringify(saved.cloud.snapshot) : '';
  const cloudMode: FlowForm['cloudMode'] = plan.profile
    ? 'profile'
    : importJson
      ? 'import'
      : plan.cloudMode !== 'api'
        ? 'none'
        : plan.credentialSource === 'environment'
          ? 'environment'
          : 'stored-key';
  return {
    ...emptyForm(),
    host: plan.host,
    service: preset ? preset.id : 'custom',
    customPort: preset ? '' : String(plan.port),
    cloudMode,
    // The saved cloud: the plan's, else the imported snapshot's own, else Alibaba Cloud (files before Huawei Cloud).
    provider: plan.provider ?? saved?.cloud.snapshot?.provider ?? 'alicloud',
    profile: plan.profile ?? '',
    instanceId: plan.instanceId ?? '',
    region: plan.region ?? '',
    ...(importJson ? { importJson } : {}),
    appProtocol: APP_PROTOCOL_CHOICES.find((c) => c.id === plan.appProtocol)?.id ?? '',
    sourceIp: typeof plan.sourceIp === 'string' ? plan.sourceIp : '',
    ...(plan.trace === true ? { trace: true } : {}),
  };
}

// ---------------------------------------------------------------------------------------------------
// Offline JSON: the commands to run where the aliyun CLI has access, filled in with what is known.

/** Placeholders the core leaves in a command when a value is unknown ("<your-public-ip>"). */
export const PLACEHOLDER_RE = /<([a-z][\w-]*)>/gi;

/**
 * A fix command with the values the user gave filled in; `missing` lists what is still unknown (the UI
 * then says so in words instead of offering a command with a placeholder).
 */
export function fillCommand(command: string, values: { ip?: string }): { command: string; missing: string[] } {
  const missing = new Set<string>();
  const out = command.replace(PLACEHOLDER_RE, (whole, name: string) => {
    const n = name.toLowerCase();
    if ((n === 'your-public-ip' || n === 'your-ip') && values.ip) return values.ip;
    missing.add(n);
    return whole;
  });
  return { command: out, missing: [...missing] };
}

/** Resolves a JSON-pointer-like evidence path ("/probes/tcp/0") in the diagnosis document. */
export function resolvePointer(doc: unknown, path: string): unknown {
  if (!path.startsWith('/')) return undefined;
  let cur: unknown = doc;
  for (const raw of path.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (cur === null || typeof cur !== 'object') return undefined;
    if (!Object.prototype.hasOwnProperty.call(cur, key)) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

/** Fixes of the checks that decided the verdict, then of other failing checks; duplicates removed. */
export function verdictFixes(checks: readonly Check[], verdict: Verdict | null): Check['fixes'] {
  if (!verdict) return [];
  const blocking = new Set(verdict.blockingCheckIds);
  const ordered = [...checks.filter((c) => blocking.has(c.id)), ...checks.filter((c) => !blocking.has(c.id) && c.status === 'fail')];
  const seen = new Set<string>();
  const out: Check['fixes'] = [];
  for (const c of ordered) {
    for (const f of c.fixes) {
      const key = `${f.kind}|${f.command ?? ''}|${f.url ?? ''}|${f.title.en}`;
      if (!seen.has(key)) {
        seen.add(key);
        out.push(f);
      }
    }
  }
  return out;
}

type Fix = Check['fixes'][number];
const FIREWALL_PLATFORMS = new Set(['ufw', 'firewalld', 'iptables', 'nftables', 'windows']);
/** Fixes that do the same thing by different means (console, CLI, Terraform; one firewall tool or another). */
const isAlternative = (f: Fix): boolean => f.kind === 'console' || f.kind === 'aliyun-cli' || f.kind === 'hcloud-cli' || f.kind === 'terraform' || (f.kind === 'os-command' && FIREWALL_PLATFORMS.has(f.platform ?? ''));

export interface FixGroup {
  checkId: string;
  /** Ways to do the same change: the user picks one ("or"). */
  alternatives: Fix[];
  /** Other steps and notes. */
  steps: Fix[];
}

/** verdictFixes, grouped by check: alternatives shown as alternatives, the rest as steps. */
export function verdictFixGroups(checks: readonly Check[], verdict: Verdict | null): FixGroup[] {
  if (!verdict) return [];
  const blocking = new Set(verdict.blockingCheckIds);
  const ordered = [...checks.filter((c) => blocking.has(c.id)), ...checks.filter((c) => !blocking.has(c.id) && c.status === 'fail')];
  const seen = new Set<string>();
  const out: FixGroup[] = [];
  for (const c of ordered) {
    const g: FixGroup = { checkId: c.id, alternatives: [], steps: [] };
    for (const f of c.fixes) {
      const key = `${f.kind}|${f.command ?? ''}|${f.url ?? ''}|${f.title.en}`;
      if (seen.has(key)) continue;
      seen.add(key);
      (isAlternative(f) ? g.alternatives : g.steps).push(f);
    }
    // A single "alternative" is just a step.
    if (g.alternatives.length === 1) {
      g.steps.unshift(g.alternatives[0]);
      g.alternatives = [];
    }
    if (g.alternatives.length || g.steps.length) out.push(g);
  }
  return out;
}

/** Whether any check failed: then "no change needed" must not be said. */
export const anyFailing = (checks: readonly Check[]): boolean => checks.some((c) => c.status === 'fail');

/** host:port as users write it ([v6]:port). */
export const targetText = (host: string, port: number): string => (host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`);

/** A date and time in the app's language (Intl), e.g. "2026/12/2 16:08" or "Dec 2, 2026, 4:08 PM". */
export function formatDate(iso: string, lang: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' }).format(d);
}

/**
 * Can the diagnosis's cloud run the server script through its own agent (Alibaba Cloud Assistant)? From the
 * backend's list of clouds; a backend that sends no list (older) is taken to offer it, as before.
 */
export function remoteScriptCloud(clouds: readonly CloudCapabilities[] | undefined, provider: ProviderId): { remoteScript: boolean; name: Localized | null } {
  if (!clouds) return { remoteScript: true, name: null };
  const c = clouds.find((x) => x.id === provider);
  return { remoteScript: c?.remoteScript ?? false, name: c?.name ?? null };
}

export type OfflineCommandRequest = { provider: ProviderId } & OfflineCommandArgs;

/**
 * The offline step's request for its commands, as a stable JSON text (the effect's dependency: a new request
 * only when something known changed). Blank values and empty lists are left out.
 */
export function offlineKnown(provider: ProviderId, k: OfflineCommandArgs): string {
  const req: Record<string, unknown> = { provider };
  for (const [key, value] of Object.entries(k)) {
    if (typeof value === 'string' && value.trim()) req[key] = value.trim();
    else if (Array.isArray(value) && value.length) req[key] = value;
  }
  return JSON.stringify(req);
}

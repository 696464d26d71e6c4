// Pure state transitions of the UI (tested without a DOM): the live run folding diagnosis events, the
// guided form's validation, and the mapping between the form, a session plan and a re-run.
import type { CloudSource, DiagnoseArgs } from '../../core/api';
import { SERVICE_PRESETS, type ServicePreset } from '../../core/api-client';
import type { Check, Diagnosis, DiagnosisEvent, Layer, Verdict } from '../../core/diagnosis/types';
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
  profile: string;
  importJson: string;
  instanceId: string;
  region: string;
}

export const emptyForm = (): FlowForm => ({ host: '', service: 'ssh', customPort: '', cloudMode: 'none', profile: '', importJson: '', instanceId: '', region: '' });

export function portOf(form: FlowForm): number | null {
  if (form.service !== 'custom') return SERVICE_PRESETS.find((p) => p.id === form.service)!.port;
  const t = form.customPort.trim();
  if (!/^\d{1,5}$/.test(t)) return null;
  const n = Number(t);
  return n >= 1 && n <= 65535 ? n : null;
}

export function cloudOf(form: FlowForm): CloudSource | null {
  switch (form.cloudMode) {
    case 'profile':
      return form.profile ? { mode: 'profile', profile: form.profile } : null;
    case 'stored-key':
      return { mode: 'stored-key' };
    case 'environment':
      return { mode: 'environment' };
    case 'import':
      return form.importJson.trim().length >= 2 ? { mode: 'import', json: form.importJson } : null;
    case 'none':
      return { mode: 'none' };
  }
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
  };
}

export function planOf(args: DiagnoseArgs): SessionPlan {
  return {
    host: args.host,
    port: args.port,
    protocol: 'tcp',
    service: args.service,
    ...(args.instanceId ? { instanceId: args.instanceId } : {}),
    ...(args.region ? { region: args.region } : {}),
    ...(args.cloud.mode === 'profile' ? { profile: args.cloud.profile } : {}),
    ...(args.cloud.mode === 'stored-key' || args.cloud.mode === 'environment' ? { credentialSource: args.cloud.mode } : {}),
    cloudMode: args.cloud.mode === 'import' ? 'snapshot' : args.cloud.mode === 'none' ? 'none' : 'api',
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
    profile: plan.profile ?? '',
    instanceId: plan.instanceId ?? '',
    region: plan.region ?? '',
    ...(importJson ? { importJson } : {}),
  };
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

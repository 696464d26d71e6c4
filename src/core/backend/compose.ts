// THE composition root: the one place that wires the diagnosis engine to real probes and to the cloud
// providers of the registry. The CLI (diagnose, rerun, cloud), the web shell and Electron (core-engine) all
// build their dependencies here, so there is one Cloud Assistant path, one import path and one reader path.
// Provider-neutral code (diagnosis, rules, session, report, renderer) never imports a provider module.
import type { CloudSnapshot } from '../cloud/model';
import type { ProviderAccessKey, ProviderEnv, ProviderId, RemoteScriptResult } from '../cloud/provider';
import type { CloudCapabilities } from '../api/types';
import { DEFAULT_PROVIDER, detectProvider, providerFor, registeredProviders } from '../cloud/registry';
import { intentFix, type FixRenderer } from '../diagnosis/fixes';
import type { DiagnoseDeps } from '../diagnosis/run';
import { parseServerEvidence } from '../diagnosis/server-evidence/parse';
import { evidenceScript } from '../diagnosis/server-evidence/scripts';
import { runProbe } from '../probe/run';
import { runTrace } from '../probe/trace/run';
import { fail, ok, type Result } from '../result';

export interface ComposeOptions {
  /** Environment the providers read credentials, regions and endpoints from (default process.env). */
  env?: ProviderEnv;
  /** A key the user typed (app keychain, `--access-key-stdin`): used instead of the credential chain. */
  credentials?: ProviderAccessKey;
  /** Test seams: replace single dependencies (e.g. the probe runner) and keep the rest real. */
  overrides?: Partial<DiagnoseDeps>;
}

/** What each registered cloud can do beyond reading (shown by the app: e.g. no Cloud Assistant button for a cloud without an agent). */
export function cloudCapabilities(): CloudCapabilities[] {
  return registeredProviders().map((p) => ({ id: p.id, name: p.name, remoteScript: typeof p.runRemoteScript === 'function', apply: p.apply !== undefined }));
}

/**
 * Offline documents to a snapshot: the provider that recognises them imports them (a saved snapshot names its
 * own). `requested` (e.g. `--provider`) is used when nothing is recognised, so its importer names the document
 * it cannot read; the default provider otherwise.
 */
export function importDocuments(inputs: readonly unknown[], selection?: { address?: string | null; instanceId?: string | null }, requested?: ProviderId): Result<CloudSnapshot> {
  const id = requested ?? detectProvider(inputs) ?? DEFAULT_PROVIDER;
  return providerFor(id).importSnapshot(inputs, selection);
}

export interface ServerEvidenceRunArgs {
  provider?: ProviderId;
  instanceId: string;
  region: string;
  os: 'linux' | 'windows';
  ports: number[];
  credentials?: ProviderAccessKey;
  profile?: string;
  env?: ProviderEnv;
  endpoints?: unknown;
  signal?: AbortSignal;
  timeoutMs?: number;
}

/**
 * The one remote evidence path (Alibaba: Cloud Assistant): the read-only evidence script for the OS and port,
 * run by the instance's provider. Used by the CLI's `--cloud-assistant` and the app's button alike.
 */
export async function runServerEvidenceScript(args: ServerEvidenceRunArgs): Promise<RemoteScriptResult> {
  const provider = providerFor(args.provider ?? DEFAULT_PROVIDER);
  if (!provider.runRemoteScript) {
    return { ok: false, stage: 'run', code: 'Unsupported', message: `${provider.name.en} has no remote script runner in this version: copy the script and run it by hand` };
  }
  const { script } = evidenceScript(args.os, args.ports);
  return provider.runRemoteScript({
    instanceId: args.instanceId,
    region: args.region,
    os: args.os,
    script,
    ...(args.credentials ? { credentials: args.credentials } : {}),
    ...(args.profile ? { profile: args.profile } : {}),
    ...(args.env ? { env: args.env } : {}),
    ...(args.endpoints !== undefined ? { endpoints: args.endpoints } : {}),
    ...(args.signal ? { signal: args.signal } : {}),
    ...(args.timeoutMs ? { timeoutSec: Math.ceil(args.timeoutMs / 1000) } : {}),
  });
}

/**
 * Fix intents rendered by the snapshot's own provider (the default provider's when there is no snapshot, so
 * the words still name its console and CLI); a provider without a renderer leaves the intent as plain words.
 */
export const renderCloudFixes: FixRenderer = (intent, ctx) => {
  const provider = providerFor(ctx.snapshot?.provider ?? DEFAULT_PROVIDER);
  return provider.renderFixes ? provider.renderFixes(intent, ctx) : [intentFix(intent)];
};

/** The real dependencies of runDiagnosis. Evaluators follow the snapshot's own provider. */
export function composeDeps(opts: ComposeOptions = {}): DiagnoseDeps {
  const { env, credentials } = opts;
  return {
    runProbe: (req, o) => runProbe(req, o),
    runTrace: (target, o) => runTrace(target, o),
    readCloudSnapshot: ({ provider, ...args }) =>
      providerFor(provider ?? DEFAULT_PROVIDER).read({
        ...args,
        ...(credentials ? { credentials } : {}),
        ...(env ? { env } : {}),
      }),
    prepareCloud: (provider) => providerFor(provider ?? DEFAULT_PROVIDER).prepare(),
    importSnapshot: (inputs, selection, provider) => importDocuments(inputs, selection, provider),
    evaluateSecurityGroups: (snapshot, flow) => providerFor(snapshot.provider).evaluateSecurityGroups(snapshot, flow),
    evaluateNetworkAcl: (snapshot, flow) => providerFor(snapshot.provider).evaluateNetworkAcl(snapshot, flow),
    parseServerEvidence: (text, o) => parseServerEvidence(text, o),
    // The read-only evidence script (shown to the user before it runs) through the provider's agent.
    runCloudAssistant: async ({ osType, ...a }) => {
      const r = await runServerEvidenceScript({ ...a, os: osType === 'windows' ? 'windows' : 'linux', ...(credentials ? { credentials } : {}), ...(env ? { env } : {}) });
      return r.ok ? ok({ output: r.output }) : fail(r.code, r.message);
    },
    renderFixes: renderCloudFixes,
    semantics: (provider) => providerFor(provider ?? DEFAULT_PROVIDER).semantics,
    ...opts.overrides,
  };
}

// The real engine: the core's diagnosis run (probes + cloud read + rules + checklist + verdict), the
// offline import check and the server-evidence scripts, behind the DiagnosisEngine interface.
// Endpoints (egress-IP echo, control hosts, API endpoints) come from configuration, as in the CLI.
import type { ProviderAccessKey, ProviderSemantics } from '../cloud/provider';
import { checkCloudIds } from '../cloud/ids';
import { DEFAULT_PROVIDER, providerFor } from '../cloud/registry';
import { loadEndpointConfig } from '../config';
import { runChecks } from '../diagnosis/checks';
import type { DiagnosisFacts } from '../diagnosis/facts';
import { DiagnoseInputError, runDiagnosis, type CloudRequest } from '../diagnosis/run';
import { evidenceScript } from '../diagnosis/server-evidence/scripts';
import { parseServerEvidence } from '../diagnosis/server-evidence/parse';
import type { Diagnosis, ServerEvidence } from '../diagnosis/types';
import { decideVerdict } from '../diagnosis/verdict';
import { defaultProbeRequest } from '../probe/run';
import { composeDeps, importDocuments, renderCloudFixes, runServerEvidenceScript } from './compose';
import { EngineError, type DiagnosisEngine, type RunCredentials } from './engine';

/** Result code for input the user must fix before a run can start (unusable offline JSON). */
export const BAD_INPUT = 'bad-input';

export interface CoreEngineOptions {
  env?: NodeJS.ProcessEnv;
}

/** Pure: a diagnosis decided again with server evidence added (checklist and verdict recomputed). */
export function withServerEvidence(diagnosis: Diagnosis, server: ServerEvidence, semantics?: ProviderSemantics): Diagnosis {
  const facts: DiagnosisFacts = { target: diagnosis.target, probes: diagnosis.probes, cloud: diagnosis.cloud, server, ...(diagnosis.trace ? { trace: diagnosis.trace } : {}), ...(semantics ? { semantics } : {}) };
  const checks = runChecks(facts, undefined, { fixes: renderCloudFixes });
  return { ...diagnosis, server, checks, verdict: decideVerdict(facts, checks) };
}

function accessKeyOf(c: RunCredentials): ProviderAccessKey | undefined {
  return c.kind === 'access-key' ? { accessKeyId: c.key.accessKeyId, accessKeySecret: c.key.accessKeySecret, ...(c.key.projectId ? { projectId: c.key.projectId } : {}) } : undefined;
}

/** The service the checks reason about: the preset, else the protocol the user named for a custom port. */
export function serviceOf(args: { service: string; appProtocol?: string }): string | undefined {
  if (args.service !== 'custom') return args.service;
  return args.appProtocol && args.appProtocol !== 'other' ? args.appProtocol : undefined;
}

export function coreEngine(opts: CoreEngineOptions = {}): DiagnosisEngine {
  const env = opts.env ?? process.env;
  return {
    async run(args, ctx) {
      // The same shipped defaults as the command line (one source: SHIPPED_DEFAULTS in core/config.ts).
      const cfg = await loadEndpointConfig({ env, useShippedDefaults: true });
      if (!cfg.ok) throw new EngineError('BAD_CONFIG', cfg.message);
      // The cloud the user chose in the account step (requests from before Huawei Cloud: Alibaba Cloud).
      const providerId = args.cloud.provider ?? DEFAULT_PROVIDER;
      const c = ctx.credentials;
      let endpoints: unknown;
      if (c.kind !== 'import' && c.kind !== 'none') {
        // Endpoints come only from the environment / config; ids were checked by the request schema.
        const resolved = providerFor(providerId).endpoints?.({ env }) ?? { ok: true as const, value: undefined };
        if (!resolved.ok) throw new EngineError('BAD_CONFIG', resolved.message);
        endpoints = resolved.value;
      }
      const cloud: CloudRequest =
        c.kind === 'import'
          ? // Pasted documents say which cloud they are (a saved snapshot names its own); not the choice.
            { mode: 'snapshot', documents: [{ name: 'pasted JSON', content: c.json }] }
          : c.kind === 'none'
            ? { mode: 'none', provider: providerId }
            : { mode: 'api', provider: providerId, instanceId: args.instanceId, region: args.region, profile: c.kind === 'profile' ? c.profile : undefined, endpoints };
      const accessKey = accessKeyOf(c);
      try {
        return await runDiagnosis(
          {
            target: {
              host: args.host,
              port: args.port,
              protocol: 'tcp',
              service: args.service === 'custom' ? undefined : args.service,
              // A custom port always carries its protocol: the one picked, else "other" (listen, then nudge).
              ...(args.appProtocol || args.service === 'custom' ? { appProtocol: args.appProtocol ?? 'other' } : {}),
              ...(args.instanceId ? { instanceId: args.instanceId } : {}),
            },
            probe: defaultProbeRequest({
              host: args.host,
              ports: [args.port],
              icmp: args.icmp,
              egressIpUrls: cfg.value.egressIpUrls,
              controlHosts: cfg.value.controlHosts,
              dnsServers: cfg.value.dnsServers,
            }),
            cloud,
            // The public IP the user typed ("as the server sees it"): the rules are evaluated with it.
            ...(args.sourceIp ? { sourceIp: args.sourceIp } : {}),
            // The app's path option: trace the path after the probes.
            ...(args.trace ? { trace: {} } : {}),
          },
          {
            signal: ctx.signal,
            onEvent: ctx.onEvent,
            // A typed AccessKey goes to the provider directly; a profile is resolved by the cloud reader.
            deps: composeDeps({ env, ...(accessKey ? { credentials: accessKey } : {}) }),
          },
        );
      } catch (e) {
        if (ctx.signal.aborted) throw e;
        const code = (e as { code?: unknown }).code;
        if ((e as Error).name === 'ProbeInputError' && typeof code === 'string') throw new EngineError(code.toUpperCase(), (e as Error).message);
        // Unusable offline JSON: the same bad-input answer as the import check, never a probes-only verdict.
        if (e instanceof DiagnoseInputError) throw new EngineError(BAD_INPUT, e.message);
        throw e;
      }
    },

    async checkImport(json) {
      let r = importDocuments([{ name: 'pasted JSON', content: json }]);
      // Several instances are fine: the run analyses the one that owns the address being tested.
      const several = !r.ok && r.code === 'AmbiguousInstance' ? r.message : null;
      if (several) r = importDocuments([{ name: 'pasted JSON', content: json }], { instanceId: firstInstanceId(json) });
      if (!r.ok) throw new EngineError(BAD_INPUT, r.message);
      const s = r.value;
      return {
        provider: s.provider,
        region: s.region,
        instanceId: several ? null : (s.instance?.id ?? null),
        securityGroups: s.securityGroups.length,
        rules: s.securityGroups.reduce((n, g) => n + g.rules.length, 0),
        networkAcls: s.networkAcls.length,
        warnings: [...(several ? [several.replace(/; say which.*$/, '; the one that owns the address you test is analysed')] : []), ...(s.notes ?? []), ...s.errors.map((e) => `${e.action}: ${e.message}`)],
        securityGroupIds: s.instance?.securityGroupIds ?? [],
        missingGroupIds: (s.instance?.securityGroupIds ?? []).filter((id) => !s.securityGroups.some((g) => g.id === id)),
        ...(s.instance?.vSwitchId ? { vSwitchId: s.instance.vSwitchId } : {}),
        networkAclIds: s.networkAcls.map((a) => a.id),
      };
    },

    serverScript(os, port) {
      const s = evidenceScript(os, [port]);
      const howTo =
        os === 'windows'
          ? 'Open PowerShell as Administrator on the server (VNC / Workbench in the console), paste the script, then copy everything it prints back here. It only reads settings.'
          : 'Log in to the server (VNC / Workbench in the console), run the script with sudo (sudo sh), then copy everything it prints back here. It only reads settings.';
      return { os, script: s.script, howTo };
    },

    async applyServerOutput(diagnosis, text) {
      const server = parseServerEvidence(text, { ports: [diagnosis.target.port], source: 'pasted' });
      return { diagnosis: withServerEvidence(diagnosis, server, semanticsOf(diagnosis)), server };
    },

    async runCloudAssistant(diagnosis, credentials, signal) {
      const inst = diagnosis.cloud.snapshot?.instance;
      if (!inst) throw new EngineError('NO_INSTANCE', 'The instance is unknown (no cloud data in this diagnosis): copy the script and run it by hand');
      // The diagnosis comes back from the renderer (maybe from an opened session file): its ids are untrusted.
      const ids = checkCloudIds({ region: { value: inst.region, where: 'instance region' }, instance: { value: inst.id, where: 'instance id' } });
      if (!ids.ok || !inst.region || !inst.id) throw new EngineError('BAD_ID', ids.ok ? 'The diagnosis names no instance region or id' : ids.message);
      const who =
        credentials.kind === 'access-key'
          ? { credentials: accessKeyOf(credentials)! }
          : credentials.kind === 'profile'
            ? { profile: credentials.profile }
            : credentials.kind === 'environment'
              ? {}
              : null;
      if (!who) throw new EngineError('NEEDS_ACCOUNT', 'Cloud Assistant needs a cloud account');
      const provider = diagnosis.cloud.snapshot?.provider ?? DEFAULT_PROVIDER;
      const resolved = providerFor(provider).endpoints?.({ env }) ?? { ok: true as const, value: undefined };
      if (!resolved.ok) throw new EngineError('BAD_CONFIG', resolved.message);
      const os = inst.osType === 'windows' ? 'windows' : 'linux';
      const r = await runServerEvidenceScript({ provider, instanceId: inst.id, region: inst.region, os, ports: [diagnosis.target.port], ...who, env, endpoints: resolved.value, signal });
      if (!r.ok) throw new EngineError(r.stage === 'credentials' ? r.code : `CLOUD_ASSISTANT_${r.code.toUpperCase()}`, r.message);
      const server = parseServerEvidence(r.output, { ports: [diagnosis.target.port], source: 'cloud-assistant' });
      if (!r.complete) server.warnings.push(r.explanation);
      return { diagnosis: withServerEvidence(diagnosis, server, semanticsOf(diagnosis)), server };
    },
  };
}

/** The semantics of the diagnosis's cloud (the default provider's when it has no snapshot). */
function semanticsOf(diagnosis: Diagnosis): ProviderSemantics | undefined {
  try {
    return providerFor(diagnosis.cloud.snapshot?.provider ?? DEFAULT_PROVIDER).semantics;
  } catch {
    // A snapshot of a cloud this build has no provider for: the checks' common fallbacks apply.
    return undefined;
  }
}

/** The first instance id in pasted DescribeInstances text (only to preview a multi-instance paste). */
function firstInstanceId(json: string): string | null {
  return /"InstanceId"\s*:\s*"(i-[A-Za-z0-9-]+)"/.exec(json)?.[1] ?? null;
}

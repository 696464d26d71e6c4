// The provider port: everything cloud-specific (credentials, reader, offline import, rule semantics, fixes,
// console links, remote script runner) sits behind this interface, in the provider's own folder. Rules-neutral
// code (diagnosis, session, report, renderer) only sees CloudProvider values handed to it by the composition
// root (src/core/backend/compose.ts) and never imports a provider module. Adding a cloud = one folder that
// exports a CloudProvider + one line in the registry (src/core/cloud/registry.ts).
import type { ProfileList } from '../api/types';
import type { Fix, Localized } from '../diagnosis/types';
import type { Result } from '../result';
import type { AclEvaluation, Evaluation, Flow } from '../rules/types';
import type { CloudSnapshot } from './model';

export type ProviderId = 'alicloud' | 'huawei';

/** Environment variables a provider reads credentials / regions / endpoints from (process.env in the shells). */
export type ProviderEnv = Record<string, string | undefined>;

/** Every provider id, for schemas (zod enums) of untrusted input: sessions, saved snapshots, requests. */
export const PROVIDER_IDS = ['alicloud', 'huawei'] as const satisfies readonly ProviderId[];
/** Compile-time: PROVIDER_IDS names every ProviderId (adding an id without listing it is a type error). */
export const PROVIDER_IDS_COMPLETE: Exclude<ProviderId, (typeof PROVIDER_IDS)[number]> extends never ? true : never = true;

// ---- fixes as data (issue 11): defined in ./types (the renderer's type-check sees them there) -----------

import type { CloudAction, FixContext, FixIntent, OfflineCommand, OfflineCommandArgs } from './types';
export type { CloudAction, FixIntent, SimulatedFix } from './types';

// ---- semantics the provider-neutral evaluators and words need ----------------------------------------------

export interface ProviderSemantics {
  /** The network ACL tracks connections (Huawei): no ephemeral-port return rule is needed. */
  aclStateful: boolean;
  /** Security-group priorities: lowest and highest value, and whether a lower value is matched first. */
  priority: { min: number; max: number; lowerFirst: boolean };
  /** Ports carriers are documented to block (the provider's own published list). */
  carrierBlockedTcpPorts: readonly number[];
  /**
   * Outbound TCP 25 from the provider's servers blocked by default: in every region, only in the listed
   * regions, or in none the provider documents.
   */
  outboundTcp25Blocked: 'all-regions' | readonly string[];
  /** ICP filing (备案) for mainland regions: the provider's filing console, and regions outside the mainland. */
  icpFiling: { console: string; regionsOutsideMainland: Localized };
  /** Do the security groups answer a denied packet (RST / ICMP reject)? Both clouds drop silently. */
  groupsDropSilently: boolean;
  /** Basic and enterprise security groups with different defaults (Alibaba); false: one kind of group. */
  enterpriseGroups: boolean;
  /** Classic-network instances whose rules name a NIC type, internet or intranet (Alibaba); false: VPC only. */
  classicNetwork: boolean;
  /** Security groups per interface and rules across them, as the cloud's quota page states; null: not built in. */
  interfaceQuota: { groups: number; rules: number } | null;
}

export interface ConsoleLinks {
  /** Hosts every console URL of this provider must be on (openExternal checks against them). */
  hosts: readonly string[];
  securityGroup(region: string | null, groupId: string | null): string | null;
  instance(region: string | null, instanceId: string | null): string | null;
  networkAcl(region: string | null, aclId: string | null): string | null;
}

/** An access key the user typed (the app's keychain, `--access-key-stdin`): handed to the provider, never logged. */
export interface ProviderAccessKey {
  accessKeyId: string;
  accessKeySecret: string;
  /** A temporary (STS) token, when the key is temporary. */
  securityToken?: string;
  /** Huawei: the project the key signs for. */
  projectId?: string;
}

export interface ProviderReadArgs {
  instanceId?: string;
  address?: string;
  region?: string;
  profile?: string;
  signal?: AbortSignal;
  /** A key typed in the app (resolved by the backend from the OS keychain); never logged. */
  credentials?: ProviderAccessKey;
  env?: ProviderEnv;
  /**
   * API endpoints as this provider's `endpoints()` resolved them from the user's own configuration (opaque to
   * provider-neutral code; the provider validates the shape again). Undefined = the public cloud's.
   */
  endpoints?: unknown;
  /** Per-call API timeout, ms (the provider's default otherwise). */
  timeoutMs?: number;
  /** Redacted progress lines (each failed call, region searches). */
  log?: (line: string) => void;
  /** Let the credential chain ask the instance metadata service (only when the app runs on that cloud). */
  allowInstanceMetadata?: boolean;
}

/** Where endpoint settings come from, strongest first: command-line flags, environment, the config file. */
export interface EndpointSources {
  flags?: Record<string, string | undefined>;
  env?: ProviderEnv;
  /** The parsed sg-doctor config file (core/config.ts), or null. */
  file?: Record<string, unknown> | null;
}

/** What the shells check before anything is sent (flags, a session's plan, the environment, a CLI profile). */
export interface ProviderInputCheck {
  region?: string;
  instance?: string;
  profile?: string;
  endpoints?: unknown;
  /** A key was given directly: profiles and environment keys are not consulted. */
  accessKey?: boolean;
  env?: ProviderEnv;
  /** How each value is named in messages (e.g. "--region", "the session's region"). */
  names?: { region?: string; instance?: string; profile?: string };
}

/** A read-only script run on the instance by the cloud's agent (Alibaba Cloud Assistant), no SSH. */
export interface RemoteScriptArgs {
  instanceId: string;
  region: string;
  os: 'linux' | 'windows';
  script: string;
  /** A typed key; else the provider resolves credentials (profile, environment, CLI configuration). */
  credentials?: ProviderAccessKey;
  profile?: string;
  env?: ProviderEnv;
  endpoints?: unknown;
  signal?: AbortSignal;
  /** Script timeout on the instance, seconds. */
  timeoutSec?: number;
}

export type RemoteScriptResult =
  /** `complete` false: the script did not finish (failed, timed out) but printed something; `explanation` says why. */
  | { ok: true; output: string; complete: boolean; explanation: string }
  /** `stage` says whether no credentials could be had, or the run itself failed (status code of the agent). */
  | { ok: false; stage: 'credentials' | 'run'; code: string; message: string };

/** The account step's facts: where the "environment" source looks, and the cloud CLI's profiles. */
export interface ProviderAccounts {
  /** Access-key variable pairs (id, secret) the environment source reads, tried in order (shown to the user). */
  environmentPairs: readonly (readonly [string, string])[];
  /** The cloud CLI's profiles for the picker: never a secret, the key id masked, why one cannot be used. */
  listProfiles(env: ProviderEnv): Result<ProfileList>;
}

export interface CloudProvider {
  id: ProviderId;
  name: Localized;
  semantics: ProviderSemantics;
  console: ConsoleLinks;
  accounts: ProviderAccounts;
  /** Loads the SDKs (lazily: about a second of CPU) before probes start. */
  prepare(): Promise<void>;
  read(args: ProviderReadArgs): Promise<CloudSnapshot>;
  /** Does this pasted / loaded document look like this provider's API output? (offline import detection) */
  recognises(document: unknown): boolean;
  importSnapshot(inputs: readonly unknown[], selection?: { address?: string | null; instanceId?: string | null }): Result<CloudSnapshot>;
  evaluateSecurityGroups(snapshot: CloudSnapshot, flow: Flow): Evaluation;
  evaluateNetworkAcl(snapshot: CloudSnapshot, flow: Flow): AclEvaluation;
  /**
   * Fix intents → this cloud's fixes: API actions (its own names), the CLI / Terraform / console renderings
   * made from them, each proven on the snapshot first (a fix that does not admit the flow is withheld).
   */
  renderFixes?(intent: FixIntent, ctx: FixContext): Fix[];
  /** The cloud CLI's commands whose output the offline importer reads (aliyun, KooCLI), filled in with what is known. */
  offlineCommands(args: OfflineCommandArgs): OfflineCommand[];
  /** Minimal IAM / RAM policy document: read-only by default; `write` adds exactly the fix actions. */
  policy(opts?: { write?: boolean; remoteScript?: boolean }): unknown;
  /** Resolves and checks the API endpoints from the user's configuration (never from a session or a snapshot). */
  endpoints?(sources: EndpointSources): Result<unknown>;
  /** Refuses a region, instance id, profile name or endpoint that does not have this cloud's documented shape. */
  checkInput?(input: ProviderInputCheck): Result<void>;
  /**
   * Which credentials a read with these arguments would use, as human text without secrets ("aliyun CLI
   * profile 'prod' (~/.aliyun/config.json)"), or why there are none — checked before anything is sent.
   */
  credentialSource?(args: Pick<ProviderReadArgs, 'profile' | 'credentials' | 'env' | 'allowInstanceMetadata'>): Result<string>;
  /** Runs a read-only script on the instance through the cloud's agent; absent when the cloud has none wired. */
  runRemoteScript?(args: RemoteScriptArgs): Promise<RemoteScriptResult>;
  /** Guarded apply of fix actions with undo (issue 11 §2); absent: applying is not available for this cloud yet. */
  apply?: ProviderApply;
}

// ---- guarded apply of fix actions (issue 11 §2): optional, a provider without it only shows the commands ----

/** Who a write is made as and where: the same credential sources as the read. */
export interface ApplyActionsArgs {
  region: string;
  /** A typed key; else the provider resolves credentials (profile, environment, CLI configuration). */
  credentials?: ProviderAccessKey;
  profile?: string;
  env?: ProviderEnv;
  /** As `endpoints()` resolved them from the user's own configuration (undefined: the public cloud's). */
  endpoints?: unknown;
  signal?: AbortSignal;
  /** Asked once, after validation and the account check, before the first write; false → nothing is sent. */
  confirm?: () => Promise<boolean>;
  /** The account the diagnosis was read in: credentials of another account → refused, nothing sent. */
  expectAccountId?: string | null;
  /** A ClientToken per action (same order), kept by the caller so that a retry is idempotent. */
  clientTokens?: readonly string[];
  timeoutMs?: number;
  log?: (line: string) => void;
}

/** What one applied action changed, with the actions that put it back (kept in the session). */
export interface AppliedCloudChange {
  at: string;
  api: string;
  params: Record<string, unknown>;
  requestId: string | null;
  clientToken: string | null;
  /** False: it was already like that, nothing was written. */
  changed: boolean;
  /** What the provider found it had created (rule ids, previous entries, …): opaque to neutral code. */
  created: Record<string, unknown>;
  /** Removes exactly what was created (empty: nothing to undo, or not undone automatically — see undoNote). */
  undo: CloudAction[];
  undoNote?: Localized;
  note: Localized;
}

export interface ApplyActionsOutcome {
  applied: AppliedCloudChange[];
  /** The action that failed (those after it were not sent); `message` names the permission to grant when denied. */
  failure: { index: number; api: string; code: string; message: Localized; requestId: string | null } | null;
  /** Actions not sent (an earlier one failed, the run was cancelled, or the confirmation said no). */
  notSent: number;
}

/**
 * `refused`: nothing was sent — an action that is not one of this provider's fix actions, another region or
 * account, malformed ids, no credentials. The words say why in the user's terms.
 */
export type ApplyActionsResult = { ok: true; outcome: ApplyActionsOutcome } | { ok: false; refused: Localized };

export interface ActionDescribeContext {
  /** The diagnosis' snapshot (rule ids in a removal are shown with what they stand for). */
  snapshot?: unknown;
  /** Changes applied earlier (their `created`), for rule ids an apply created. */
  applied?: readonly { created: unknown }[];
}

/** The optional write side of a provider. */
export interface ProviderApply {
  /** Sends fix actions (only this provider's fix APIs), reading back what each created, with its undo. */
  applyActions(actions: readonly CloudAction[], args: ApplyActionsArgs): Promise<ApplyActionsResult>;
  /** Each action as diff lines ("+ …" added, "- …" removed, "~ …" changed), the first line naming where. */
  describeActions(actions: readonly CloudAction[], ctx?: ActionDescribeContext): string[][];
  /**
   * The write permissions these actions need, in the provider's own policy names. Absent: taken from
   * `policy({write: true})` by the action's name (Alibaba's `service:ApiName` form).
   */
  permissions?(actions: readonly CloudAction[]): string[];
}

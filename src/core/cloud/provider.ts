// The provider port: everything cloud-specific (credentials, reader, offline import, rule semantics, fixes,
// console links, remote script runner) sits behind this interface, in the provider's own folder. Rules-neutral
// code (diagnosis, session, report, renderer) only sees CloudProvider values handed to it by the composition
// root (src/core/backend/compose.ts) and never imports a provider module. Adding a cloud = one folder that
// exports a CloudProvider + one line in the registry (src/core/cloud/registry.ts).
import type { Localized } from '../diagnosis/types';
import type { Result } from '../result';
import type { AclEvaluation, Evaluation, Flow } from '../rules/types';
import type { CloudSnapshot } from './model';

export type ProviderId = 'alicloud' | 'huawei';

// ---- fixes as data (issue 11): defined in ./types (the renderer's type-check sees them there) -----------

export type { CloudAction, FixIntent, SimulatedFix } from './types';

// ---- semantics the provider-neutral evaluators and words need ----------------------------------------------

export interface ProviderSemantics {
  /** The network ACL tracks connections (Huawei): no ephemeral-port return rule is needed. */
  aclStateful: boolean;
  /** Security-group priorities: lowest and highest value, and whether a lower value is matched first. */
  priority: { min: number; max: number; lowerFirst: boolean };
  /** Ports carriers are documented to block (the provider's own published list). */
  carrierBlockedTcpPorts: readonly number[];
}

export interface ConsoleLinks {
  /** Hosts every console URL of this provider must be on (openExternal checks against them). */
  hosts: readonly string[];
  securityGroup(region: string | null, groupId: string | null): string | null;
  instance(region: string | null, instanceId: string | null): string | null;
  networkAcl(region: string | null, aclId: string | null): string | null;
}

export interface ProviderReadArgs {
  instanceId?: string;
  address?: string;
  region?: string;
  profile?: string;
  signal?: AbortSignal;
  /** A key typed in the app (resolved by the backend from the OS keychain); never logged. */
  credentials?: { accessKeyId: string; accessKeySecret: string; projectId?: string };
  env?: NodeJS.ProcessEnv;
}

export interface CloudProvider {
  id: ProviderId;
  name: Localized;
  semantics: ProviderSemantics;
  console: ConsoleLinks;
  /** Loads the SDKs (lazily: about a second of CPU) before probes start. */
  prepare(): Promise<void>;
  read(args: ProviderReadArgs): Promise<CloudSnapshot>;
  /** Does this pasted / loaded document look like this provider's API output? (offline import detection) */
  recognises(document: unknown): boolean;
  importSnapshot(inputs: readonly unknown[], selection?: { address?: string | null; instanceId?: string | null }): Result<CloudSnapshot>;
  evaluateSecurityGroups(snapshot: CloudSnapshot, flow: Flow): Evaluation;
  evaluateNetworkAcl(snapshot: CloudSnapshot, flow: Flow): AclEvaluation;
  /** Minimal IAM / RAM policy document: read-only by default; `write` adds exactly the fix actions. */
  policy(opts?: { write?: boolean; remoteScript?: boolean }): unknown;
}

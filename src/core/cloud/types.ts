// Fixes as data (issue 11): the provider-neutral part of the provider port that diagnosis documents carry
// (Fix.intent, Fix.actions, Fix.simulated). Types only, so the renderer's type-check can see them; the
// provider port (./provider.ts) re-exports them.
import type { Localized } from '../diagnosis/types';
import type { Flow } from '../rules/types';
import type { CloudSnapshot, Protocol } from './model';

/**
 * One call of the cloud's own API, in the API's own names (Alibaba `AuthorizeSecurityGroup`, Huawei
 * `CreateSecurityGroupRule`, …) with its request parameters as the API takes them. The aliyun / hcloud CLI,
 * Terraform and console texts are rendered from this, never written separately.
 */
export interface CloudAction {
  api: string;
  params: Record<string, unknown>;
}

/**
 * What a provider-neutral check wants changed. The provider turns an intent into its API actions (and the
 * renderings), narrowest first; the simulation proves them on the snapshot before they are shown.
 */
export type FixIntent =
  /** Admit one flow: the client's address (a /32 or /128, or null when unknown) to one port and protocol. */
  | { kind: 'allow-flow'; groupId: string | null; direction: 'ingress' | 'egress'; protocol: Exclude<Protocol, 'all'>; port: number | null; cidr: string | null; beatPriority?: number; description?: string }
  /** Remove one rule (a drop that decides the flow and serves nothing else). */
  | { kind: 'revoke-rule'; groupId: string; ruleId: string; direction: 'ingress' | 'egress' }
  /** Change fields of one rule (e.g. widen its port range, fix its protocol). */
  | { kind: 'modify-rule'; groupId: string; ruleId: string; changes: Record<string, string | number> }
  /** Put the instance into a group that allows the flow. */
  | { kind: 'join-group'; instanceId: string | null; groupId: string }
  /** Allow the flow (and, for a stateless ACL, its return) in a network ACL, before the entry that denies. */
  | { kind: 'acl-allow'; aclId: string | null; direction: 'ingress' | 'egress'; protocol: Exclude<Protocol, 'all'>; port: number | null; cidr: string | null; beforeEntryId?: string }
  | { kind: 'start-instance'; instanceId: string | null }
  | { kind: 'public-bandwidth'; instanceId: string | null; eipId?: string | null; mbps: number }
  | { kind: 'bind-public-ip'; instanceId: string | null; eipId?: string | null };

/** The outcome of applying a fix's actions to a snapshot and evaluating the flow again. */
export interface SimulatedFix {
  decision: 'allow' | 'deny' | 'unknown';
  /** Why a fix was withheld (fails to allow, or opens more than the flow). */
  rejected?: Localized;
}


/** What a provider's fix renderer is given besides the intent: the configuration and the flow it must admit. */
export interface FixContext {
  snapshot: CloudSnapshot | null;
  /** The evaluated flow; its sourceIp is '' when the client's public IP is unknown. */
  flow: Flow | null;
}

/** A copy-ready command of the cloud's own CLI whose JSON output the offline importer reads. */
export interface OfflineCommand {
  /** What the command reads, in the UI's words (a locale key under cmd.). */
  what: 'instances' | 'group' | 'acls' | 'acl' | 'ports' | 'firewalls' | 'eips';
  command: string;
  /** A security group or ACL id the command is for. */
  id?: string;
}

/** What is known so far (the form, the documents pasted): the commands fill it in, never a placeholder. */
export interface OfflineCommandArgs {
  region?: string;
  instanceId?: string;
  publicIp?: string;
  /** Groups whose rules are still missing. */
  securityGroupIds?: string[];
  vSwitchId?: string;
  networkAclIds?: string[];
}

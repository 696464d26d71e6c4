// The diagnosis document: the layered checklist and the verdict. Field names are part of the
// `sg-doctor diagnose --json` contract and of the session file.
import type { CloudSnapshot } from '../cloud/model';
import type { CloudAction, FixIntent, SimulatedFix } from '../cloud/types';
import type { AppProtocol } from '../probe/app-protocol';
import type { ProbeReport } from '../probe/types';
import type { TraceFact, TraceHop } from '../probe/trace/types';
import type { AclEvaluation, Evaluation, Flow } from '../rules/types';
import type { CheckId } from './checks/ids';

export type Layer = 'client' | 'network' | 'server';
export type CheckStatus = 'pass' | 'fail' | 'warn' | 'unknown' | 'skipped';
export type Locus = 'client' | 'network' | 'server' | 'none' | 'inconclusive';
export type Lang = 'zh-CN' | 'en';

/** Text in both languages the app speaks. */
export interface Localized {
  'zh-CN': string;
  en: string;
}

/** Where a check's evidence comes from: a pointer into the diagnosis document plus a short quote. */
export interface EvidenceRef {
  source: 'probe' | 'cloud' | 'rules' | 'server' | 'client' | 'user';
  /** JSON-pointer-like path into the document, e.g. "/probes/tcp/0" or "/cloud/securityGroups/1/rules/3". */
  path: string;
  summary: string;
}

export type FixKind = 'console' | 'aliyun-cli' | 'hcloud-cli' | 'os-command' | 'terraform' | 'client' | 'info';

export interface Fix {
  kind: FixKind;
  title: Localized;
  /** Copyable text: a command, a snippet; absent for console-only fixes. */
  command?: string;
  /** Console deep link (https only) where one exists. */
  url?: string;
  /** Which OS / shell the command is for (firewalld, ufw, iptables, windows, systemctl, sshd, ...). */
  platform?: string;
  /** The fix widens exposure (0.0.0.0/0, binding to all addresses): what it risks and the narrower alternative. */
  warning?: Localized;
  /** A cloud fix: what the check wants changed, provider-neutral (a provider renders it into actions). */
  intent?: FixIntent;
  /**
   * The cloud API calls that make the change, in the API's own names; the command, Terraform and console
   * renderings of the same fix come from these. Empty when a value is unknown (a placeholder fix).
   */
  actions?: CloudAction[];
  /** The actions applied to the snapshot and the flow evaluated again (absent for fixes that are not cloud changes). */
  simulated?: SimulatedFix;
}

export interface Check {
  /**
   * Stable, e.g. 'sg.source', 'os.firewall': a CheckId (checks/ids.ts) when this version made the check; a
   * document read back (a session of a newer version) may hold ids this version does not know (isCheckId).
   */
  id: CheckId | (string & {});
  layer: Layer;
  status: CheckStatus;
  title: Localized;
  /** One-line finding for this run. */
  finding: Localized;
  /** Why this matters / what was checked. */
  explanation: Localized;
  evidence: EvidenceRef[];
  fixes: Fix[];
  /** Which condition of the check fired (for tests and the evidence panel). */
  condition: string;
}

export interface Verdict {
  locus: Locus;
  summary: Localized;
  reasoning: Localized[];
  blockingCheckIds: string[];
  confidence: 'high' | 'medium' | 'low';
  /** Id of the reasoning rule that decided (tested per rule). */
  ruleId: string;
}

/** Facts gathered inside the server (Cloud Assistant or pasted script output). */
export interface ServerEvidence {
  source: 'cloud-assistant' | 'pasted';
  os: 'linux' | 'windows' | 'unknown';
  collectedAt: string;
  listeners: { protocol: 'tcp' | 'udp'; address: string; port: number; process?: string; pid?: number }[];
  firewall: {
    kind: 'firewalld' | 'ufw' | 'iptables' | 'nftables' | 'windows' | 'none' | 'unknown';
    active: boolean | null;
    /** Does the firewall let the port in? null when it cannot be told. */
    allowsPort: Record<string, boolean | null>;
    /** Default inbound action where known: accept/drop/reject. */
    defaultInbound?: 'accept' | 'drop' | 'reject' | null;
    details: string[];
    /** Port → the only sources allowed in (the port is closed to everyone else); compare with the egress IP. */
    sourceRestricted?: Record<string, string[]>;
    /** The parsed rules in evaluation order, for evaluating one flow (source, protocol, port); absent in older sessions. */
    rules?: FirewallRuleSet;
  }[];
  sshd?: { ports: number[]; listenAddresses: string[]; permitRootLogin?: string; passwordAuthentication?: string };
  services: { name: string; active: boolean | null; state: string }[];
  /** Windows RDP settings: the port RDP listens on (PortNumber) and whether connections are allowed. */
  rdp?: { port: number | null; enabled: boolean | null };
  /** Distribution / Windows edition as reported (PRETTY_NAME, Caption). */
  osName?: string;
  raw?: string;
  warnings: string[];
}

/**
 * The rules of one firewall as the server printed them, in the order the firewall applies them. Rule texts
 * are kept verbatim (they are quoted as evidence and re-read by the per-flow evaluator).
 */
export type FirewallRuleSet =
  | {
      kind: 'iptables';
      /** Built-in chain → policy (ACCEPT/DROP). */
      policies: Record<string, string>;
      /** Chains in declaration order, each with its rules (the text after `-A CHAIN`) in order. */
      chains: { name: string; rules: string[] }[];
      /** The output was cut: chains after `cutInChain` are missing rules, and that chain may be incomplete. */
      truncated?: boolean;
      cutInChain?: string;
    }
  | {
      kind: 'nftables';
      chains: { family: string; table: string; name: string; hook?: string; priority: number; policy?: 'accept' | 'drop'; rules: string[] }[];
      /** "family table name" → elements of named sets. */
      sets: Record<string, string[]>;
      /** "family table" of tables owned by iptables-nft (reported by the iptables entry). */
      managedTables: string[];
      truncated?: boolean;
    }
  | {
      kind: 'firewalld';
      zones: { name: string; active: boolean; isDefault: boolean; fields: Record<string, string>; richRules: string[] }[];
      defaultZone?: string;
    }
  | {
      kind: 'ufw';
      rules: { to: string; action: 'ALLOW' | 'DENY' | 'REJECT' | 'LIMIT'; direction: string; from: string; line: string }[];
      defaultIncoming: 'allow' | 'deny' | 'reject' | null;
    }
  | {
      kind: 'windows';
      profiles: { name: 'Domain' | 'Private' | 'Public'; enabled: boolean | null; inbound: 'Block' | 'Allow' | 'NotConfigured' | null }[];
      /** Network categories of the connected networks (empty: unknown, every profile may apply). */
      categories: string[];
      rules: { action: 'Allow' | 'Block'; profile: string; protocol: string; port: string; remote: string; name: string }[];
      /** Was the inbound rule list printed at all (an empty list is an answer, a missing one is not)? */
      rulesListed: boolean;
    };

export interface DiagnosisTarget {
  host: string;
  port: number;
  protocol: 'tcp' | 'udp';
  service?: string; // ssh, rdp, http, https, mysql, ...
  /** The application protocol the user named for the port (wins over the service's and the port's preset). */
  appProtocol?: AppProtocol;
  instanceId?: string;
}

export interface DiagnosisCloud {
  mode: 'api' | 'snapshot' | 'none';
  snapshot: CloudSnapshot | null;
  flow: Flow | null;
  securityGroups: Evaluation | null;
  networkAcl: AclEvaluation | null;
  /** Would the security groups let ICMP echo in (explains a failing ping)? Optional: added by the diagnosis engine. */
  icmp?: Evaluation | null;
  /** Where the flow's source address came from: the egress-IP echo, the user (--source-ip), or nowhere. */
  sourceIpOrigin?: 'egress-ip' | 'user' | 'none';
}

export interface Diagnosis {
  schemaVersion: number;
  appVersion: string;
  createdAt: string;
  target: DiagnosisTarget;
  probes: ProbeReport | null;
  cloud: DiagnosisCloud;
  server: ServerEvidence | null;
  checks: Check[];
  verdict: Verdict;
  notes: string;
  /** Wall time per stage of the run (ms); optional, added by the diagnosis engine. */
  timings?: { totalMs: number; stagesMs: Record<string, number> };
  /** Hop-by-hop path trace to the probed address (only when asked: `--trace`, the app's path option). */
  trace?: TraceFact;
}

/** Progress of a diagnosis run, streamed to the CLI and the UI. */
export type DiagnosisEvent =
  | { type: 'stage'; stage: 'probe' | 'cloud' | 'rules' | 'server' | 'verdict'; status: 'start' | 'done' | 'error'; message?: string }
  | { type: 'checks'; checks: Check[] } // the checklist so far (whole list, cheap to render)
  | { type: 'verdict'; verdict: Verdict }
  /** The path trace started / ended (only when asked for); `trace` is the result at the end. */
  | { type: 'trace'; status: 'start' | 'done'; trace?: TraceFact }
  /** One hop of the running trace, as it arrives (again, same TTL, when more answers for it come). */
  | { type: 'trace-hop'; hop: TraceHop };

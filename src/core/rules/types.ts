// Inputs and outputs of the pure rule engine (security groups and network ACLs).
import type { Direction, Policy, Protocol } from '../cloud/model';

/**
 * A flow as the cloud sees it, from the instance's point of view for `direction`.
 * Ingress: sourceIp is the remote client, destinationIp the instance address it targets.
 * Egress: sourceIp is the instance address, destinationIp the remote peer.
 */
export interface Flow {
  /** 'ingress': a client connects to the instance (the usual question). */
  direction: Direction;
  protocol: Exclude<Protocol, 'all'>;
  /** Client address (the user's public egress IP for internet access). */
  sourceIp: string;
  /** Instance address the client targets (public IP / EIP / private IP). */
  destinationIp: string;
  /** Destination port (ignored for ICMP). */
  port: number;
  /**
   * The connecting side's source port(s), for five-tuple rules (SourcePortRange): the client's for ingress,
   * the instance's for egress. Default 1024–65535: an ephemeral port the OS (and any NAT) picks.
   */
  sourcePorts?: { from: number; to: number };
}

export type NearMissReason =
  | 'wrong-direction'
  | 'wrong-protocol'
  | 'port-outside-range'
  | 'source-excludes-client'
  | 'private-source'
  | 'bare-ip-without-mask'
  | 'shadowed-by-drop'
  | 'group-reference'
  | 'enterprise-default-deny'
  | 'other-interface'
  | 'prefix-list-unresolved'
  | 'nic-type'
  | 'source-port-restricted' // a five-tuple rule admits only source ports a connecting client does not use
  | 'ignored-on-flavour' // Huawei: the rule uses a feature (address group, port list) the server's older flavour ignores
  | 'rule-disabled'; // Huawei: a network ACL rule that would admit the flow is disabled (skipped)

export interface NearMiss {
  reason: NearMissReason;
  /** Rule (or ACL entry) id and its group/ACL. */
  ruleId: string;
  containerId: string;
  priority?: number;
  policy: Policy;
  /** Human explanation with the concrete values (client IP, CIDR, port range, ...). */
  detail: string;
  /** Values that make the explanation checkable, e.g. { clientIp, cidr }. */
  values?: Record<string, string | number>;
}

export type Decider =
  | { kind: 'rule'; ruleId: string; containerId: string; priority?: number; order?: number; policy: Policy }
  | { kind: 'default'; policy: Policy; reason: string };

export interface Evaluation {
  decision: 'allow' | 'deny' | 'unknown';
  decidedBy: Decider | null;
  nearMisses: NearMiss[];
  /** Ids of the groups or ACLs considered. */
  considered: string[];
  /** Which condition fired, for the evidence panel and tests. */
  explanation: string;
  /** The ENI whose groups (or vSwitch ACL) were evaluated. */
  interfaceId?: string;
  /** Facts worth telling the user that are not near misses (platform blocks, mixed group types, ...). */
  notes?: EvaluationNote[];
}

export type EvaluationNoteCode =
  | 'mixed-group-types' // basic and enterprise groups on one ENI: the platform forbids it
  | 'group-missing' // a group id on the ENI has no data in the snapshot
  | 'tcp-25-blocked' // Alibaba blocks outbound TCP 25 by default, whatever the rules say
  | 'bare-ip-is-host' // a rule's bare IP is a single host (/32, /128): it works, no mask needed
  | 'destination-not-on-instance' // the destination address belongs to no ENI of the instance
  | 'uncertain-peer' // a rule's peer (group member, prefix list) cannot be resolved from the snapshot
  | 'no-interface' // no instance/ENI data at all
  | 'acl-not-applied' // e.g. secondary ENI with an EIP in cut-through mode, intra-vSwitch traffic
  | 'ephemeral-partial' // the ACL egress allows only part of the client's ephemeral range
  | 'same-for-every-source' // the client's IP is unknown, but every public source gets the same decision
  | 'depends-on-source' // the client's IP is unknown and the decision depends on it
  | 'source-unknown' // the client's IP is unknown and the sources could not be enumerated
  | 'uncertain-field'; // a rule or ACL entry has a field that may restrict it but cannot be evaluated

export interface EvaluationNote {
  code: EvaluationNoteCode;
  detail: string;
  values?: Record<string, string | number>;
}

/** Which client ephemeral ports the ACL's egress entries let the return traffic reach. */
export interface EphemeralCoverage {
  /** The range that was checked (1024–65535 unless the caller knows the client's range). */
  checked: { from: number; to: number };
  allowed: { from: number; to: number }[];
  denied: { from: number; to: number }[];
  coverage: 'full' | 'partial' | 'none';
  /** Default ephemeral ranges of common client OSes and whether each is fully allowed. */
  clients: { os: 'linux' | 'windows' | 'macos'; from: number; to: number; allowed: boolean }[];
  /** Ports an entry with a field that cannot be evaluated may decide otherwise (neither allowed nor denied). */
  uncertain?: { from: number; to: number }[];
}

export interface AclEvaluation {
  /** Is there an ACL on the path at all? */
  present: boolean;
  aclId: string | null;
  inbound: Evaluation;
  /** The return traffic (instance port → client ephemeral ports) through the egress entries. */
  returnPath: Evaluation;
  decision: 'allow' | 'deny' | 'unknown';
  /** Ephemeral-port coverage of the return path (TCP/UDP only). */
  returnPorts?: EphemeralCoverage;
}

// Inputs and outputs of the pure rule engine (security groups and network ACLs).
import type { Direction, Policy, Protocol } from '../cloud/model';

/** A flow as the cloud sees it, from the instance's point of view for `direction`. */
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
  | 'nic-type';

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
}

export interface AclEvaluation {
  /** Is there an ACL on the path at all? */
  present: boolean;
  aclId: string | null;
  inbound: Evaluation;
  /** The return traffic (instance port → client ephemeral ports) through the egress entries. */
  returnPath: Evaluation;
  decision: 'allow' | 'deny' | 'unknown';
}

// Provider-neutral model of an instance's network configuration. Built by a cloud provider (cloud/alicloud,
// cloud/huawei) from its API or from pasted CLI JSON (the provider's offline import). Contains no secrets.
import type { ProviderId } from './provider';

export type Direction = 'ingress' | 'egress';
/** Lower-case protocol names; 'all' matches every protocol. */
export type Protocol = 'tcp' | 'udp' | 'icmp' | 'icmpv6' | 'gre' | 'all';
export type Policy = 'accept' | 'drop';

export interface PortRange {
  from: number; // inclusive; -1 with to -1 means all ports (as the API's "-1/-1")
  to: number;
}

/** Who the rule talks about: the remote side of the flow (source for ingress, destination for egress). */
export type Peer =
  | { kind: 'cidr'; cidr: string; family: 4 | 6 }
  | { kind: 'group'; groupId: string; ownerAccount?: string }
  | { kind: 'prefix-list'; prefixListId: string; cidrs: string[] | null /* null: could not be resolved */ }
  | { kind: 'any' }; // no peer fields set at all (should not happen; kept for malformed input)

export interface SecurityGroupRule {
  /** Source rule id (SecurityGroupRuleId), or a synthetic "<groupId>#<index>" when absent. */
  id: string;
  groupId: string;
  direction: Direction;
  protocol: Protocol;
  /** Raw API protocol text, e.g. "TCP". */
  rawProtocol: string;
  portRange: PortRange;
  /** Raw API PortRange text, e.g. "22/22". */
  rawPortRange: string;
  peer: Peer;
  /** Local side restriction (DestCidrIp / Ipv6DestCidrIp on ingress, SourceCidrIp / Ipv6SourceCidrIp on egress), if any. */
  localCidr?: string;
  /**
   * Five-tuple rules: the source ports the rule admits (SourcePortRange). On an ingress rule that is the remote
   * client's port — an ephemeral port for a normal client — on an egress rule the instance's own source port.
   * Absent (or -1/-1) = any source port.
   */
  sourcePortRange?: PortRange;
  /** Raw API SourcePortRange text, e.g. "22/22". */
  rawSourcePortRange?: string;
  /**
   * Fields that may restrict the rule but cannot be evaluated from the snapshot (a port list whose entries are
   * unknown, a field this version does not know, a value that does not parse). A rule with any of them can
   * only "maybe" match a flow its other fields admit: the decision it would take is reported as unknown.
   */
  unevaluated?: UnevaluatedField[];
  policy: Policy;
  /** 1..100; lower wins. */
  priority: number;
  /** Position in the API response (stable tie-breaker for display only). */
  order: number;
  /** Classic network only: 'internet' | 'intranet'. VPC rules are 'intranet' and cover both. */
  nicType?: 'internet' | 'intranet';
  description?: string;
  createdAt?: string;
  /** The raw API object, for the evidence panel. */
  raw?: Record<string, unknown>;
}

/** A rule or ACL-entry field present with a value the engine cannot evaluate. */
export interface UnevaluatedField {
  /** The API field name, e.g. 'PortRangeListId'. */
  field: string;
  /** Its value as text (shortened). */
  value: string;
  /** Why it cannot be evaluated. */
  why: 'unknown-field' | 'unresolved-reference' | 'unparsable' | 'conflicting-fields' | 'not-for-direction';
}

export interface SecurityGroup {
  id: string;
  name?: string;
  type: 'normal' | 'enterprise';
  vpcId?: string;
  region: string;
  /** Basic groups: 'Accept' lets members of the group reach each other privately. */
  innerAccessPolicy?: 'Accept' | 'Drop';
  rules: SecurityGroupRule[];
  description?: string;
}

export interface NetworkInterface {
  id: string;
  /** 'Primary' or 'Secondary'. */
  type: 'primary' | 'secondary';
  privateIps: string[];
  ipv6s: string[];
  /** Public address attached to this ENI (EIP or the instance's public IP for the primary ENI). */
  publicIp?: string;
  securityGroupIds: string[];
  vSwitchId?: string;
  vpcId?: string;
  macAddress?: string;
  /** The instance the ENI is attached to, when the source says (DescribeNetworkInterfaces). */
  instanceId?: string;
}

export type InstanceStatus = 'Pending' | 'Running' | 'Starting' | 'Stopping' | 'Stopped' | string;

export interface Instance {
  id: string;
  name?: string;
  region: string;
  zone?: string;
  status: InstanceStatus;
  /**
   * LockReason values of OperationLocks: 'financial' (overdue), 'security', ...; 'frozen' when the cloud froze
   * the instance without saying why (Huawei Cloud's EcmResStatus "freeze", most often for arrears).
   */
  operationLocks: string[];
  networkType: 'vpc' | 'classic';
  publicIp?: string; // the instance's own public IP (PublicIpAddress)
  eipAddress?: string; // EipAddress.IpAddress, if an EIP is bound
  eipAllocationId?: string;
  internetMaxBandwidthOut: number; // Mbps; 0 = no public bandwidth
  internetChargeType?: string;
  vpcId?: string;
  vSwitchId?: string;
  privateIps: string[];
  securityGroupIds: string[];
  osType?: 'linux' | 'windows';
  osName?: string;
  raw?: Record<string, unknown>;
}

export interface Eip {
  allocationId: string;
  ipAddress: string;
  /** InUse / Available / Associating / Unassociating ... */
  status: string;
  /** Normal / FinancialLocked / SecurityProtected */
  businessStatus?: string;
  bandwidthMbps: number;
  instanceId?: string;
  instanceType?: string; // EcsInstance, NetworkInterface, ...
  region: string;
}

export interface NetworkAclEntry {
  id: string;
  name?: string;
  direction: Direction;
  protocol: Protocol;
  portRange: PortRange;
  /** SourceCidrIp for ingress, DestinationCidrIp for egress. */
  cidr: string;
  policy: Policy;
  /** Position in the array: entries are evaluated in this order, first match wins. */
  order: number;
  /** 'custom' or 'system' (the platform's trailing deny-all entries). */
  entryType?: string;
  /** Fields present with a value the engine cannot evaluate: the entry can only "maybe" match. */
  unevaluated?: UnevaluatedField[];
  raw?: Record<string, unknown>;
}

export interface NetworkAcl {
  id: string;
  name?: string;
  vpcId?: string;
  region: string;
  /** vSwitches the ACL is bound to. */
  vSwitchIds: string[];
  ingress: NetworkAclEntry[];
  egress: NetworkAclEntry[];
  status?: string;
}

/** One failed API call: what it leaves unknown, never a secret. */
export interface CloudError {
  action: string; // e.g. 'DescribeNetworkAclAttributes'
  code: string; // e.g. 'Forbidden.RAM', 'Throttling', 'Timeout', 'MalformedResponse'
  message: string;
  requestId?: string;
  /** Which facts are unknown because of it, e.g. ['networkAcls']. */
  leavesUnknown: string[];
  /** For permission errors: the RAM action to grant, e.g. 'vpc:DescribeNetworkAclAttributes'. */
  grant?: string;
}

export interface CloudSnapshot {
  /** Which cloud this describes: the registry hands the snapshot back to that provider's evaluators. */
  provider: ProviderId;
  /** Where the data came from. */
  source: 'api' | 'import';
  account?: { accountId?: string; credentialSource?: string; accessKeyIdRedacted?: string; profile?: string };
  region: string;
  fetchedAt: string;
  instance: Instance | null;
  interfaces: NetworkInterface[];
  securityGroups: SecurityGroup[];
  networkAcls: NetworkAcl[];
  eips: Eip[];
  errors: CloudError[];
  /** Free-text notes for the user (e.g. "address belongs to no instance of this account"). */
  notes?: string[];
  /**
   * The provider's native data the neutral model cannot carry (e.g. Huawei's v3 groups and firewall). Opaque
   * to everything but that provider, which validates it (zod) when it reads it back: a session file is untrusted.
   */
  providerData?: unknown;
}

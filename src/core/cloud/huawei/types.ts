// Huawei Cloud API shapes the rule engine reads, as the v3 APIs return them (snake_case JSON, as KooCLI prints).
//
// Verified against the official SDK models (github.com/huaweicloud/huaweicloud-sdk-nodejs-v3):
// - services/vpc/v3/model/SecurityGroupRule.ts: id, description, security_group_id, direction, protocol,
//   ethertype, multiport, action, priority, remote_group_id, remote_ip_prefix, remote_address_group_id, ...
// - services/vpc/v3/model/FirewallDetail.ts: id, name, admin_state_up, status, associations, ingress_rules,
//   egress_rules, type, ...
// - services/vpc/v3/model/FirewallRuleDetail.ts: id, name, action, protocol, ip_version, source_ip_address,
//   destination_ip_address, source_port, destination_port, source_address_group_id,
//   destination_address_group_id, enabled
// and the field descriptions of the VPC API v3 reference ("Security Group Rule" and "Network ACL" chapters of
// https://support.huaweicloud.com/api-vpc/, as also carried in the SDK's OpenAPI definitions):
// - protocol: "icmp, tcp, udp, icmpv6 or an IP protocol number"; empty means all protocols;
// - ethertype: IPv4 or IPv6, IPv4 when not given;
// - multiport: a single port ("80"), a range ("1-30") or non-contiguous ports ("22,3389,80");
// - action: allow or deny (allow when not given); priority 1..100, 1 is the highest (1 when not given);
// - network ACL source_port / destination_port: "a port, a port range, several separated by commas".
import type { NearMiss, NearMissReason, Evaluation, AclEvaluation } from '../../rules/types';

/** VPC v3 `SecurityGroupRule`. Every field optional: the API omits empty ones. */
export interface HuaweiSecurityGroupRule {
  id: string;
  description?: string;
  security_group_id?: string;
  direction: 'ingress' | 'egress' | string;
  /** 'tcp' | 'udp' | 'icmp' | 'icmpv6' | an IP protocol number; empty or absent = all protocols. */
  protocol?: string | null;
  /** 'IPv4' | 'IPv6'; IPv4 when absent. */
  ethertype?: string | null;
  /** "22", "80,443", "20-30", "22,8000-8080"; empty or absent = all ports. */
  multiport?: string | null;
  /** 'allow' | 'deny'; allow when absent. */
  action?: string | null;
  /** 1..100, lower first; 1 when absent. May arrive as a string from some printers. */
  priority?: number | string | null;
  remote_ip_prefix?: string | null;
  remote_group_id?: string | null;
  remote_address_group_id?: string | null;
}

/** VPC v3 `SecurityGroupInfo` as `ShowSecurityGroup` returns it (rules embedded). */
export interface HuaweiSecurityGroup {
  id: string;
  name?: string;
  security_group_rules: HuaweiSecurityGroupRule[];
}

/** VPC v3 `FirewallRuleDetail` (one network ACL rule). */
export interface HuaweiFirewallRule {
  id: string;
  name?: string;
  description?: string;
  /** 'allow' | 'deny'. */
  action: string;
  /** 'tcp' | 'udp' | 'icmp' | 'icmpv6' | 'any' | an IP protocol number; empty or absent = all. */
  protocol?: string | null;
  /** 4 or 6 (4 when absent). */
  ip_version?: number | string | null;
  source_ip_address?: string | null;
  destination_ip_address?: string | null;
  source_port?: string | null;
  destination_port?: string | null;
  source_address_group_id?: string | null;
  destination_address_group_id?: string | null;
  /** false: the rule is skipped. Absent means enabled. */
  enabled?: boolean | null;
}

/** VPC v3 `FirewallDetail` (one network ACL). */
export interface HuaweiFirewall {
  id: string;
  name?: string;
  /** false: the ACL is disabled and filters nothing. */
  admin_state_up?: boolean | null;
  /** ACTIVE, INACTIVE (no subnet associated), ... */
  status?: string | null;
  associations?: { virsubnet_id: string }[] | null;
  ingress_rules?: HuaweiFirewallRule[] | null;
  egress_rules?: HuaweiFirewallRule[] | null;
}

/** Known contents of IP address groups (VPC v3 `AddressGroup.ip_set`), by address-group id. */
export type AddressGroups = Record<string, string[]>;

/** Private addresses of the instances in a security group, by group id (for remote_group_id). */
export type GroupMembers = Record<string, string[]>;

/**
 * Near-miss reasons: the shared codes (src/core/rules/types.ts), so a Huawei near miss names the same mistake
 * with the same code as an Alibaba one; `ignored-on-flavour` and `rule-disabled` are in the shared list too
 * (only Huawei produces them today).
 */
export type HuaweiNearMissReason = NearMissReason;

export type HuaweiNearMiss = NearMiss;

export type HuaweiEvaluation = Evaluation;

export type HuaweiAclEvaluation = AclEvaluation;

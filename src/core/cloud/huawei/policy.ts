// The minimal IAM custom policy SG Doctor needs on Huawei Cloud (role/policy-based authorization, policy
// "Version": "1.1"). Read-only by default; `write` adds exactly the actions the fixes call.
//
// Action names, as Huawei's "权限和授权项" / "Permissions Policies and Supported Actions" tables of the ECS and
// VPC API references list them for the APIs the reader and the fixes call:
// - ShowServer GET /v1/{project_id}/cloudservers/{server_id} → ecs:cloudServers:get;
//   ListServersDetails GET /v1/{project_id}/cloudservers/detail → ecs:cloudServers:list;
//   BatchStartServers POST /v1/{project_id}/cloudservers/action (os-start) → ecs:cloudServers:start.
// - ListPorts GET /v1/{project_id}/ports → vpc:ports:get.
// - ShowSecurityGroup (v3) → vpc:securityGroups:get; ListSecurityGroupRules (v3) → vpc:securityGroupRules:get;
//   CreateSecurityGroupRule (v3) → vpc:securityGroupRules:create; DeleteSecurityGroupRule (v3) →
//   vpc:securityGroupRules:delete ("安全组规则(API V3)" table: "创建安全组规则 POST
//   /v3/{project_id}/vpc/security-group-rules vpc:securityGroupRules:create").
// - ShowFirewall / ListFirewall (v3 network ACL) → vpc:firewalls:get / vpc:firewalls:list (ListFirewall's
//   "授权信息" names vpc:firewalls:list).
// - EIP list GET /v1/{project_id}/publicips: the VPC API's permissions table names vpc:publicIps:list ("Queries
//   EIPs. GET /v1/{project_id}/publicips vpc:publicIps:list"); the reader's table (read.ts) says
//   eip:publicIps:list, the EIP service's own name — the policy follows the reader's table, see the report.
// - AddFirewallRules (PUT /v3/{project_id}/vpc/firewalls/{id}/insert-rules) and AddSecurityGroups
//   (PUT /v3/{project_id}/ports/{id}/insert-security-groups) change a network ACL / a port:
//   vpc:firewalls:update and vpc:ports:update (the update action of the resource; not found verbatim for these
//   two v3 paths in the stored pages — the names follow the tables' resource:verb pattern). Their undo APIs,
//   RemoveFirewallRules (PUT …/firewalls/{id}/remove-rules) and RemoveSecurityGroups (PUT
//   …/ports/{id}/remove-security-groups), change the same resources: the same two actions — these two ARE
//   stated in their API pages' 授权信息 (support.huaweicloud.com/api-vpc/RemoveFirewallRules.html:
//   "vpc:firewalls:update Write firewall"; /api-vpc/RemoveSecurityGroups.html: "vpc:ports:update Write port",
//   listing vpc:vips:update / vpc:vips:delete as dependent actions for a port with a virtual IP).
// Huawei Cloud has no remote-script runner wired in SG Doctor (Alibaba's Cloud Assistant), so `remoteScript`
// adds nothing.
import { HUAWEI_READ_ACTIONS } from './read';

/**
 * The read actions: exactly the IAM action of every call the reader makes (read.ts's table is the one source, so
 * the policy cannot drift from the reader), without duplicates; calls that need no policy (IAM's project lookup)
 * add nothing.
 */
export const HUAWEI_POLICY_READ_ACTIONS: readonly string[] = [...new Set(Object.values(HUAWEI_READ_ACTIONS).map((a) => a.iam).filter((x): x is NonNullable<typeof x> => x !== null))];

/** The write action each fix API needs (fixes.ts emits only these APIs), and the two undo APIs of apply.ts. */
export const HUAWEI_WRITE_ACTIONS: Record<string, string> = {
  CreateSecurityGroupRule: 'vpc:securityGroupRules:create',
  DeleteSecurityGroupRule: 'vpc:securityGroupRules:delete',
  AddFirewallRules: 'vpc:firewalls:update',
  AddSecurityGroups: 'vpc:ports:update',
  BatchStartServers: 'ecs:cloudServers:start',
  // Only sent as the undo of AddFirewallRules / AddSecurityGroups (apply.ts): the same update actions.
  RemoveFirewallRules: 'vpc:firewalls:update',
  RemoveSecurityGroups: 'vpc:ports:update',
};

export interface HuaweiPolicyDocument {
  Version: '1.1';
  Statement: { Effect: 'Allow'; Action: string[] }[];
}

export function huaweiPolicy(opts: { write?: boolean; remoteScript?: boolean } = {}): HuaweiPolicyDocument {
  const actions: string[] = [...HUAWEI_POLICY_READ_ACTIONS];
  if (opts.write) for (const a of Object.values(HUAWEI_WRITE_ACTIONS)) if (!actions.includes(a)) actions.push(a);
  return { Version: '1.1', Statement: [{ Effect: 'Allow', Action: actions }] };
}

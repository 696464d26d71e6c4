// The cloud's half of the path for one flow on Huawei Cloud: the subnet's network ACL first, then the security
// groups of the port. "If a network ACL rule conflicts with a security group rule, the network ACL rule takes
// precedence… the traffic preferentially matches the network ACL rule" (VPC FAQ, "Why Are My Security Group
// Rules Not Working?", seed 004); "当网络ACL和安全组同时存在时，流量先匹配网络ACL规则，然后匹配安全组规则"
// (VPC user guide, "网络ACL配置示例").
import type { Flow } from '../../rules/types';
import { evaluateHuaweiFirewall, type HuaweiAclOptions } from './firewall';
import { evaluateHuaweiSecurityGroups, type HuaweiSgOptions } from './securityGroups';
import type { HuaweiAclEvaluation, HuaweiEvaluation, HuaweiFirewall, HuaweiSecurityGroup } from './types';

export interface HuaweiPathEvaluation {
  decision: 'allow' | 'deny' | 'unknown';
  /** Where the traffic is stopped (deny), or null. The ACL is met first, so an ACL deny is named even if a group also denies. */
  blockedAt: 'network-acl' | 'security-group' | null;
  acl: HuaweiAclEvaluation;
  securityGroups: HuaweiEvaluation;
}

export function evaluateHuaweiPath(acl: HuaweiFirewall | null, groups: HuaweiSecurityGroup[], flow: Flow, opts: HuaweiAclOptions & HuaweiSgOptions = {}): HuaweiPathEvaluation {
  const a = evaluateHuaweiFirewall(acl, flow, opts);
  const g = evaluateHuaweiSecurityGroups(groups, flow, opts);
  // Deny on positive evidence only: a layer that denies for certain stops the traffic whatever the other says.
  if (a.decision === 'deny') return { decision: 'deny', blockedAt: 'network-acl', acl: a, securityGroups: g };
  if (g.decision === 'deny') return { decision: 'deny', blockedAt: 'security-group', acl: a, securityGroups: g };
  const decision = a.decision === 'allow' && g.decision === 'allow' ? 'allow' : 'unknown';
  return { decision, blockedAt: null, acl: a, securityGroups: g };
}

// The rule engine's public surface: pure functions from a CloudSnapshot and a flow to findings.
import type { CloudSnapshot } from '../cloud/model';
import { evaluateNetworkAcl, type AclOptions } from './networkAcl';
import { evaluateSecurityGroups } from './securityGroups';
import type { AclEvaluation, Evaluation, Flow } from './types';

export { evaluateSecurityGroups } from './securityGroups';
export { evaluateNetworkAcl, CLIENT_EPHEMERAL, EPHEMERAL_ALL, type AclOptions } from './networkAcl';
export { effectiveAccess, segmentAt, type EffectiveAccess, type EffectiveOptions, type PortSegment, type PointAccess } from './effective';
export { resolveInterface, type InterfaceChoice } from './interfaces';
export { addressScope, parseCidr, parseIp, type AddressScope } from './cidr';
export { formatAclEvaluation, formatEffectiveAccess, formatEvaluation, formatInterfaceRules, formatRulesTable, NEAR_MISS_LABELS, type FormatLang } from './format';
export type * from './types';

export interface FlowVerdict {
  securityGroups: Evaluation;
  networkAcl: AclEvaluation;
  /** deny if either layer denies; unknown if either cannot tell; else allow. */
  decision: 'allow' | 'deny' | 'unknown';
  /** Which layer(s) block: for the verdict's evidence. */
  blockedBy: ('security-group' | 'network-acl')[];
}

/** Both cloud layers for one flow: the security groups (stateful) and the vSwitch's network ACL (stateless). */
export function evaluateFlow(snapshot: CloudSnapshot, flow: Flow, aclOptions?: AclOptions): FlowVerdict {
  const securityGroups = evaluateSecurityGroups(snapshot, flow);
  const networkAcl = evaluateNetworkAcl(snapshot, flow, aclOptions);
  const blockedBy: FlowVerdict['blockedBy'] = [];
  if (securityGroups.decision === 'deny') blockedBy.push('security-group');
  if (networkAcl.decision === 'deny') blockedBy.push('network-acl');
  const decision = blockedBy.length ? 'deny' : securityGroups.decision === 'unknown' || networkAcl.decision === 'unknown' ? 'unknown' : 'allow';
  return { securityGroups, networkAcl, decision, blockedBy };
}

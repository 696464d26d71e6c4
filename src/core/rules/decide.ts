// The final step shared by the single-flow evaluator and the effective-access sweep: the first matching
// rule in evaluation order decides, otherwise the group type's implicit default; and when the snapshot
// cannot tell (unresolvable peers, missing groups) the answer is 'unknown', never a guess.
import type { Direction, SecurityGroup } from '../cloud/model';
import type { Decider } from './types';
import { compareRules, type PlacedRule, type RemoteContext } from './compile';

export interface DefaultOutcome {
  policy: 'accept' | 'drop';
  /** Condition code, e.g. 'default-deny-basic'. */
  code: string;
  reason: string;
  /** True when the outcome depends on group membership we cannot see (a private remote outside the snapshot). */
  uncertain: boolean;
  groupId?: string;
}

/**
 * Implicit rules (official docs): basic groups accept inbound private traffic from members of the same group
 * (InnerAccessPolicy Accept, the default) and all outbound traffic; enterprise groups deny both directions.
 * Mixing both types on one ENI is rejected by the platform; we then apply the stricter enterprise default.
 */
export function defaultOutcome(groups: SecurityGroup[], direction: Direction, remote: RemoteContext): DefaultOutcome {
  const enterprise = groups.find((g) => g.type === 'enterprise');
  if (enterprise) {
    return {
      policy: 'drop',
      code: 'default-deny-enterprise',
      reason: `no rule matches; enterprise security group ${enterprise.id} denies ${direction === 'ingress' ? 'inbound' : 'outbound'} traffic by default`,
      uncertain: false,
      groupId: enterprise.id,
    };
  }
  if (direction === 'egress') {
    return { policy: 'accept', code: 'default-allow-egress-basic', reason: 'no rule matches; basic security groups allow all outbound traffic by default', uncertain: false };
  }
  const inner = groups.filter((g) => g.innerAccessPolicy !== 'Drop');
  if (remote.memberOf) {
    const via = inner.find((g) => remote.memberOf?.has(g.id));
    if (via) {
      return {
        policy: 'accept',
        code: 'inner-access-accept',
        reason: `no rule matches; ${remote.ip.text} is a private address of a member of basic group ${via.id}, whose intra-group policy accepts`,
        uncertain: false,
        groupId: via.id,
      };
    }
  }
  return {
    policy: 'drop',
    code: 'default-deny-basic',
    reason: 'no rule matches; basic security groups deny inbound traffic by default (only private traffic from members of the same group is accepted)',
    uncertain: remote.memberOf === null && inner.length > 0,
  };
}

export interface Decision {
  decision: 'allow' | 'deny' | 'unknown';
  decidedBy: Decider | null;
  /** Condition code for `explanation`. */
  code: string;
  /** The deciding rule, if a rule decided. */
  rule: PlacedRule | null;
  /** With an 'uncertain-peer' code: the first rule that may match and would decide otherwise. */
  rival?: PlacedRule;
}

export function ruleDecider(p: PlacedRule): Decider {
  return { kind: 'rule', ruleId: p.c.rule.id, containerId: p.c.group.id, priority: p.c.priority, order: p.c.rule.order, policy: p.c.policy };
}

/**
 * @param best the first definitely matching rule in evaluation order, or null
 * @param firstMaybeAccept / firstMaybeDrop the first rules that may match (peer unresolvable), or null
 * @param def the implicit default
 * @param missingGroups groups on the ENI whose rules we do not have
 */
export function decide(
  best: PlacedRule | null,
  firstMaybeAccept: PlacedRule | null,
  firstMaybeDrop: PlacedRule | null,
  def: DefaultOutcome,
  missingGroups: number,
): Decision {
  const policy = best ? best.c.policy : def.policy;
  const decidedBy: Decider = best ? ruleDecider(best) : { kind: 'default', policy: def.policy, reason: def.reason };
  const rivalMaybe = policy === 'accept' ? firstMaybeDrop : firstMaybeAccept;
  const rivalFirst = rivalMaybe !== null && (best === null || compareRules(rivalMaybe, best) < 0);
  if (rivalFirst) return { decision: 'unknown', decidedBy, code: 'uncertain-peer', rule: best, ...(rivalMaybe ? { rival: rivalMaybe } : {}) };
  if (!best && def.uncertain) return { decision: 'unknown', decidedBy, code: 'uncertain-membership', rule: null };
  // A missing group could hold an earlier rule; only a drop at priority 1 cannot be overturned.
  if (missingGroups > 0 && !(best && best.c.policy === 'drop' && best.c.priority === 1)) {
    return { decision: 'unknown', decidedBy, code: 'group-missing', rule: best };
  }
  if (best) return { decision: policy === 'accept' ? 'allow' : 'deny', decidedBy, code: policy === 'accept' ? 'rule-accept' : 'rule-drop', rule: best };
  return { decision: policy === 'accept' ? 'allow' : 'deny', decidedBy, code: def.code, rule: null };
}

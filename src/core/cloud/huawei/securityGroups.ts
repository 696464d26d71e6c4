// Security-group evaluation with Huawei Cloud semantics. Sources (official Huawei Cloud documentation):
// - VPC user guide, "安全组和安全组规则概述" (updated 2025-09-24),
//   https://support.huaweicloud.com/usermanual-vpc/zh-cn_topic_0073379079.html :
//   "一个实例可以关联多个安全组，多个安全组按照优先级顺序依次匹配流量"; a group without rules denies all traffic
//   (rules are allow lists); deny rules, IP address groups and non-contiguous ports have no effect on the
//   flavours S1, C1, C2, M1, H1, D1, G1, G2, E1, E2, ET2.
// - VPC user guide, "访问控制概述" (traffic matching order of security-group rules, "规则生效顺序"):
//   "当实例上绑定多个安全组，并且安全组中存在多条规则时，生效顺序如下：首先根据实例绑定安全组的顺序生效，排在前面的
//   安全组优先级高。然后根据安全组内规则的优先级生效，优先级的数字越小，优先级越高。当优先级相同的情况下，再按照策略
//   匹配，拒绝策略高于允许策略。"
// Encoded exactly so: the order key is (position of the group on the port, rule priority, deny before allow);
// the first rule that matches decides; no match in any group: denied. Unlike Alibaba, the groups are NOT
// pooled: an allow at priority 1 in the second group comes after a deny at priority 100 in the first.
// Security groups are stateful: for a connection only the rules of its direction decide.
import { addressScope, hostLooksLikeNetwork, isNonPublicCidr, parseIp, sameNeighbourhood, type ParsedIp } from '../../rules/cidr';
import type { Decider, EvaluationNote } from '../../rules/types';
import type { Flow } from '../../rules/types';
import { matchRemote, remoteSpec, remoteText, type RemoteSpec, type Tri } from './addresses';
import { isLegacyFlavour, parseAction, parseFamily, parsePorts, parsePriority, parseProtocol, portIn, PORTFUL, spansText, type PortSpan, type RuleProtocol } from './fields';
import type { AddressGroups, GroupMembers, HuaweiEvaluation, HuaweiNearMiss, HuaweiSecurityGroup, HuaweiSecurityGroupRule } from './types';

export interface HuaweiSgOptions {
  /** The server's flavour id (ECS ShowServer `flavor.id`, e.g. "s6.small.1"); unknown when absent. */
  flavour?: string;
  /** Known contents of the IP address groups the rules reference. */
  addressGroups?: AddressGroups;
  /** Known private addresses of the members of referenced security groups. */
  groupMembers?: GroupMembers;
}

export interface CompiledSgRule {
  rule: HuaweiSecurityGroupRule;
  groupId: string;
  groupIndex: number;
  /** Position of the rule inside its group as listed. */
  index: number;
  direction: string;
  proto: RuleProtocol;
  family: 4 | 6 | null;
  ports: PortSpan[] | null | 'invalid';
  action: 'allow' | 'deny' | null;
  priority: number | null;
  remote: RemoteSpec;
  /** Deny rule, address-group reference or non-contiguous port list: no effect on older flavours. */
  legacyIgnored: boolean;
}

export function compileSgRules(groups: HuaweiSecurityGroup[]): CompiledSgRule[] {
  const out: CompiledSgRule[] = [];
  groups.forEach((g, groupIndex) => {
    (g.security_group_rules ?? []).forEach((rule, index) => {
      const ports = parsePorts(rule.multiport);
      const action = parseAction(rule.action);
      out.push({
        rule,
        groupId: g.id,
        groupIndex,
        index,
        direction: String(rule.direction ?? '').toLowerCase(),
        proto: parseProtocol(rule.protocol),
        family: parseFamily(rule.ethertype),
        ports,
        action,
        priority: parsePriority(rule.priority),
        remote: remoteSpec(rule.remote_ip_prefix, rule.remote_group_id, rule.remote_address_group_id),
        legacyIgnored: action === 'deny' || !!rule.remote_address_group_id || (Array.isArray(ports) && ports.length > 1),
      });
    });
  });
  return out;
}

/**
 * The rules compiled and in evaluation order, memoised per groups array: evaluating many flows (every source of
 * an unknown client, every port of a scan) against the same groups compiles them once. The groups are read-only
 * input; a caller that changes them passes a new array (the fix simulation works on a copy).
 */
const compiledCache = new WeakMap<HuaweiSecurityGroup[], CompiledSgRule[]>();
function compiledInOrder(groups: HuaweiSecurityGroup[]): CompiledSgRule[] {
  let sorted = compiledCache.get(groups);
  if (!sorted) {
    sorted = compileSgRules(groups).sort(compareSg);
    compiledCache.set(groups, sorted);
  }
  return sorted;
}

/** Evaluation order: group position on the port, then priority (lower first), then deny before allow. */
export function compareSg(a: CompiledSgRule, b: CompiledSgRule): number {
  return a.groupIndex - b.groupIndex || (a.priority ?? 1) - (b.priority ?? 1) || (a.action === 'deny' ? 0 : 1) - (b.action === 'deny' ? 0 : 1) || a.index - b.index;
}

export const FIELD = { direction: 1, family: 2, protocol: 4, port: 8, remote: 16, remoteMaybe: 32, fieldMaybe: 64 } as const;

interface Ctx {
  direction: 'ingress' | 'egress';
  proto: Flow['protocol'];
  remote: ParsedIp;
  port: number;
  opts: HuaweiSgOptions;
}

/** Bit mask of the fields that keep the rule from matching; `remoteMaybe`/`fieldMaybe` when undecidable. */
export function sgMask(c: CompiledSgRule, ctx: Ctx): number {
  let m = 0;
  if (c.direction !== ctx.direction) m |= FIELD.direction;
  if (c.family === null) m |= FIELD.fieldMaybe;
  else if (c.family !== ctx.remote.family) m |= FIELD.family;
  if (c.proto !== 'all' && c.proto !== ctx.proto) m |= FIELD.protocol;
  if (PORTFUL(ctx.proto)) {
    if (c.ports === 'invalid') m |= FIELD.fieldMaybe;
    else if (c.ports !== null && !portIn(c.ports, ctx.port)) m |= FIELD.port;
  }
  if (c.action === null || c.priority === null) m |= FIELD.fieldMaybe;
  // A rule of the other IP version cannot match whatever its remote says: report the version alone.
  if (m & FIELD.family) return m;
  const r: Tri = matchRemote(c.remote, ctx.remote, ctx.opts.addressGroups, ctx.opts.groupMembers);
  if (r === 'no') m |= FIELD.remote;
  else if (r === 'maybe') m |= c.remote.kind === 'invalid' ? FIELD.fieldMaybe : FIELD.remoteMaybe;
  return m;
}

const HARD = FIELD.direction | FIELD.family | FIELD.protocol | FIELD.port | FIELD.remote;
export const matchOf = (mask: number): Tri => (mask & HARD ? 'no' : mask ? 'maybe' : 'yes');

interface Walk {
  /** First definitely matching rule in order, or null (then the default deny decides). */
  best: CompiledSgRule | null;
  /** Rules before `best` that may match and could decide otherwise. */
  rivals: CompiledSgRule[];
  outcomes: Set<'allow' | 'deny'>;
}

function walk(sorted: CompiledSgRule[], ctx: Ctx, legacy: boolean): Walk {
  const outcomes = new Set<'allow' | 'deny'>();
  const maybes: CompiledSgRule[] = [];
  for (const c of sorted) {
    if (legacy && c.legacyIgnored) continue;
    const mask = sgMask(c, ctx);
    const t = matchOf(mask);
    if (t === 'no') continue;
    const actions: ('allow' | 'deny')[] = c.action === null ? ['allow', 'deny'] : [c.action];
    if (t === 'maybe') {
      maybes.push(c);
      actions.forEach((a) => outcomes.add(a));
      continue;
    }
    actions.forEach((a) => outcomes.add(a));
    return { best: c, rivals: maybes.filter((x) => x.action !== c.action), outcomes };
  }
  outcomes.add('deny');
  return { best: null, rivals: maybes.filter((x) => x.action !== 'deny'), outcomes };
}

const policyOf = (a: 'allow' | 'deny' | null): 'accept' | 'drop' => (a === 'deny' ? 'drop' : 'accept');

function decider(c: CompiledSgRule | null): Decider {
  return c
    ? { kind: 'rule', ruleId: c.rule.id, containerId: c.groupId, priority: c.priority ?? undefined, order: c.index, policy: policyOf(c.action) }
    : { kind: 'default', policy: 'drop', reason: 'no rule of any security group on the port matches: Huawei security groups deny what no rule allows' };
}

function unknown(explanation: string, considered: string[], notes: EvaluationNote[] = []): HuaweiEvaluation {
  return { decision: 'unknown', decidedBy: null, nearMisses: [], considered, explanation, notes };
}

/**
 * Evaluate a flow against the security groups of one port, given in the port's order (ListPorts
 * `security_groups`, the order shown on the instance).
 */
export function evaluateHuaweiSecurityGroups(groups: HuaweiSecurityGroup[], flow: Flow, opts: HuaweiSgOptions = {}): HuaweiEvaluation {
  const considered = groups.map((g) => g.id);
  const remoteTextIn = flow.direction === 'ingress' ? flow.sourceIp : flow.destinationIp;
  const remote = parseIp(remoteTextIn);
  if (!remote) return unknown('invalid-remote-address', considered);
  if (groups.length === 0) {
    return unknown('no-group', considered, [{ code: 'group-missing', detail: 'no security group of the port was read', values: {} }]);
  }
  const ctx: Ctx = { direction: flow.direction, proto: flow.protocol, remote, port: flow.port, opts };
  const sorted = compiledInOrder(groups);
  const notes: EvaluationNote[] = [];

  const legacy = opts.flavour !== undefined ? isLegacyFlavour(opts.flavour) : null;
  const w = walk(sorted, ctx, legacy === true);
  if (legacy === null) {
    // The flavour is unknown: if older flavours would decide otherwise, the flavour is a premise we lack.
    const old = walk(sorted, ctx, true);
    const a = w.outcomes.size === 1 ? [...w.outcomes][0] : 'unknown';
    const b = old.outcomes.size === 1 ? [...old.outcomes][0] : 'unknown';
    if (a !== b) {
      const rule = [w.best, ...w.rivals].find((c) => c?.legacyIgnored) ?? w.best;
      notes.push({
        code: 'uncertain-field',
        detail: `the server's flavour is not known; rule ${rule?.rule.id ?? ''} (${rule?.groupId ?? ''}) is a deny rule, an address-group reference or a list of separate ports, which has no effect on the older flavours S1, C1, C2, M1, H1, D1, G1, G2, E1, E2 and ET2, so the outcome depends on the flavour`,
        values: { ruleId: rule?.rule.id ?? '', groupId: rule?.groupId ?? '', modern: a, legacy: b },
      });
      // Near misses as on a current flavour: the rules a fix would touch are the same.
      return { decision: 'unknown', decidedBy: decider(w.best), nearMisses: findNearMisses(sorted, ctx, flow, w.best, false), considered, explanation: 'flavour-unknown', notes };
    }
  }

  const policy = w.best ? w.best.action : 'deny';
  let decision: HuaweiEvaluation['decision'] = w.outcomes.size === 1 ? (policy === 'allow' ? 'allow' : 'deny') : 'unknown';
  let explanation = w.best ? (w.best.action === 'allow' ? 'rule-accept' : w.best.action === 'deny' ? 'rule-drop' : 'uncertain-field') : 'default-deny';
  if (w.best && w.best.action === null) decision = 'unknown';
  if (decision === 'unknown' && explanation !== 'uncertain-field') {
    const byField = w.rivals.some((c) => sgMask(c, ctx) & FIELD.fieldMaybe);
    explanation = byField ? 'uncertain-field' : 'uncertain-peer';
    for (const c of w.rivals.slice(0, 5)) {
      notes.push({
        code: byField ? 'uncertain-field' : 'uncertain-peer',
        detail: `${c.action ?? 'unreadable'} rule ${c.rule.id} (${c.groupId}, priority ${c.rule.priority ?? 1}) may or may not match ${remote.text}: its ${c.remote.kind === 'address-group' ? `IP address group ${c.remote.id} was not read` : c.remote.kind === 'group' ? `security group ${c.remote.id}'s members were not read` : 'fields could not all be read'}`,
        values: { ruleId: c.rule.id, groupId: c.groupId, peer: remoteText(c.remote) },
      });
    }
  }
  const nearMisses = decision === 'allow' ? [] : findNearMisses(sorted, ctx, flow, w.best, legacy === true);
  return { decision, decidedBy: decider(w.best), nearMisses, considered, explanation, notes };
}

function values(c: CompiledSgRule, ctx: Ctx, flow: Flow): Record<string, string | number> {
  return {
    clientIp: ctx.remote.text,
    destinationIp: flow.destinationIp,
    protocol: ctx.proto,
    port: flow.port,
    direction: ctx.direction,
    ruleDirection: c.direction,
    ruleProtocol: c.proto,
    portRange: c.rule.multiport ? String(c.rule.multiport) : 'all',
    peer: remoteText(c.remote),
    priority: c.priority ?? String(c.rule.priority),
    policy: policyOf(c.action),
    groupIndex: c.groupIndex,
  };
}

function miss(c: CompiledSgRule, reason: HuaweiNearMiss['reason'], detail: string, v: Record<string, string | number>): HuaweiNearMiss {
  return { reason, ruleId: c.rule.id, containerId: c.groupId, priority: c.priority ?? undefined, policy: policyOf(c.action), detail, values: v };
}

function findNearMisses(sorted: CompiledSgRule[], ctx: Ctx, flow: Flow, best: CompiledSgRule | null, legacy: boolean): HuaweiNearMiss[] {
  const out: HuaweiNearMiss[] = [];
  for (const c of sorted) {
    if (c.action !== 'allow') continue;
    const mask = sgMask(c, ctx);
    if (mask & FIELD.fieldMaybe) continue;
    const v = values(c, ctx, flow);
    if (legacy && c.legacyIgnored) {
      if (mask === 0) {
        const what = c.remote.kind === 'address-group' ? `references IP address group ${c.remote.id}` : `lists separate ports (${c.rule.multiport})`;
        out.push(miss(c, 'ignored-on-flavour', `rule would admit this connection, but it ${what}, which has no effect on the server's flavour ${ctx.opts.flavour} (older flavours S1, C1, C2, M1, H1, D1, G1, G2, E1, E2, ET2 ignore deny rules, address groups and non-contiguous ports)`, { ...v, flavour: ctx.opts.flavour ?? '' }));
      }
      continue;
    }
    if (mask === 0) {
      if (best && best.action === 'deny' && best !== c) {
        const why =
          best.groupIndex < c.groupIndex
            ? `deny rule ${best.rule.id} is in security group ${best.groupId}, which comes before ${c.groupId} on the port; groups are matched one after another in their order, whatever the priorities`
            : best.priority === c.priority
              ? `deny rule ${best.rule.id} has the same priority ${best.priority} and deny beats allow at equal priority`
              : `deny rule ${best.rule.id} has priority ${best.priority}, which is matched before priority ${c.priority} (lower number first)`;
        out.push(miss(c, 'shadowed-by-drop', `rule matches, but ${why}`, { ...v, dropRuleId: best.rule.id, dropGroupId: best.groupId, dropPriority: best.priority ?? 1, dropPeer: remoteText(best.remote), samePriority: best.priority === c.priority && best.groupIndex === c.groupIndex ? 1 : 0, earlierGroup: best.groupIndex < c.groupIndex ? 1 : 0 }));
      }
      continue;
    }
    const wrong = mask & ~FIELD.remoteMaybe;
    if (wrong === 0) {
      // Nothing wrong but a peer that cannot be resolved: the same near misses as Alibaba's for the same case
      // (a group reference whose members, or an address group whose entries, were not read).
      const client = ctx.remote.text;
      if (c.remote.kind === 'group') out.push(miss(c, 'group-reference', `rule admits members of security group ${c.remote.id}; whether ${client} is a private address of one of its instances cannot be told from this snapshot`, { ...v, groupId: c.remote.id, membership: 'unknown' }));
      else if (c.remote.kind === 'address-group') out.push(miss(c, 'prefix-list-unresolved', `rule admits IP address group ${c.remote.id}, whose entries were not read; it may or may not contain ${client}`, { ...v, addressGroupId: c.remote.id }));
      continue;
    }
    if ((wrong & (wrong - 1)) !== 0 || mask & FIELD.remoteMaybe) continue;
    const m = oneField(c, wrong, ctx, flow, v);
    if (m) {
      if (best && best.action === 'deny' && compareSg(best, c) < 0 && m.values) m.values.shadowedBy = best.rule.id;
      out.push(m);
    }
  }
  return out;
}

function oneField(c: CompiledSgRule, wrong: number, ctx: Ctx, flow: Flow, v: Record<string, string | number>): HuaweiNearMiss | null {
  const client = ctx.remote.text;
  switch (wrong) {
    case FIELD.direction:
      return miss(c, 'wrong-direction', `rule is an ${c.direction === 'egress' ? 'outbound (egress)' : 'inbound (ingress)'} rule; a connection ${ctx.direction === 'ingress' ? 'to' : 'from'} the server needs an ${ctx.direction === 'ingress' ? 'inbound (ingress)' : 'outbound (egress)'} rule`, v);
    case FIELD.protocol: {
      const p = c.proto;
      const plausible = (PORTFUL(p) && PORTFUL(ctx.proto)) || (p.startsWith('icmp') && ctx.proto.startsWith('icmp'));
      return plausible ? miss(c, 'wrong-protocol', `rule is for ${p.toUpperCase()}, the connection uses ${ctx.proto.toUpperCase()}`, v) : null;
    }
    case FIELD.port: {
      const spans = c.ports as PortSpan[];
      const distance = Math.min(...spans.map((s) => (flow.port < s.from ? s.from - flow.port : flow.port - s.to)));
      const likely = distance <= 10 || spans.some((s) => String(s.from).includes(String(flow.port)) || String(s.to).includes(String(flow.port)));
      return miss(c, 'port-outside-range', `rule opens ${c.proto === 'all' ? 'ports' : c.proto.toUpperCase()} ${spansText(spans)}, the connection is to port ${flow.port}`, { ...v, portFrom: spans[0].from, portTo: spans[spans.length - 1].to, distance, likely: likely ? 1 : 0 });
    }
    case FIELD.family:
      return miss(c, 'source-excludes-client', `rule is for IPv${c.family} (ethertype ${c.rule.ethertype}); ${client} is an IPv${ctx.remote.family} address`, { ...v, familyMismatch: 1, ethertype: String(c.rule.ethertype ?? 'IPv4') });
    case FIELD.remote: {
      const r = c.remote;
      if (r.kind === 'group') {
        const why = addressScope(ctx.remote) === 'public' ? `${client} is a public address and a security-group reference admits only the private addresses of that group's instances, so it never admits an internet client` : `${client} is not an address of an instance in that group`;
        return miss(c, 'group-reference', `rule admits security group ${r.id}, not an address range; ${why}`, { ...v, groupId: r.id, clientScope: addressScope(ctx.remote) });
      }
      if (r.kind === 'address-group') return miss(c, 'source-excludes-client', `IP address group ${r.id} does not contain ${client}`, { ...v, addressGroupId: r.id });
      if (r.kind !== 'cidr') return null;
      if (r.cidr.family !== ctx.remote.family) return miss(c, 'source-excludes-client', `rule admits the IPv${r.cidr.family} block ${r.cidr.text}; ${client} is IPv${ctx.remote.family}`, { ...v, cidr: r.cidr.text, familyMismatch: 1 });
      if (isNonPublicCidr(r.cidr) && addressScope(ctx.remote) === 'public') {
        return miss(c, 'private-source', `rule admits ${r.cidr.text}, a private range; internet traffic arrives from your public address ${client}, never from a private one`, { ...v, cidr: r.cidr.text });
      }
      // The same slip as on Alibaba Cloud, with the same code: an address written without a mask is one host.
      const host = parseIp(r.cidr.network.split('/')[0]);
      if (r.cidr.bare && host && (hostLooksLikeNetwork(r.cidr) || sameNeighbourhood(ctx.remote, host))) {
        const guess = r.cidr.family === 4 ? `${host.text}/24` : `${host.text}/64`;
        return miss(c, 'bare-ip-without-mask', `rule admits "${r.cidr.text}" written without a mask, which is the single host ${r.cidr.network}; ${client} is not that host (did you mean a range such as ${guess}?)`, { ...v, cidr: r.cidr.text, treatedAs: r.cidr.network, suggestion: guess });
      }
      return miss(c, 'source-excludes-client', `rule admits ${r.cidr.text}, which does not contain ${client}`, { ...v, cidr: r.cidr.text });
    }
    default:
      return null;
  }
}

// Network ACL (VPC v3 "firewall") evaluation with Huawei Cloud semantics. Sources (official documentation):
// - VPC FAQ "Why Are My Security Group Rules Not Working?" (seed 004): "If a network ACL rule conflicts with a
//   security group rule, the network ACL rule takes precedence… the traffic preferentially matches the network
//   ACL rule"; and the VPC search summary of "网络ACL配置示例": "当网络ACL和安全组同时存在时，流量先匹配网络ACL
//   规则，然后匹配安全组规则" — the ACL is matched before the security groups.
// - VPC product description, "Network ACL" (updated 2024-06-26),
//   https://support.huaweicloud.com/intl/pt-br/productdesc-vpc/pt-br_topic_0051746676.html : "By default, each
//   network ACL denies all inbound traffic to and outbound traffic from the associated subnet until you add
//   rules"; "Each newly created network ACL is in the Inactive state until you associate subnets with it";
//   "Network ACLs are stateful… responses to allowed inbound traffic are allowed to flow out, regardless of
//   outbound rules". Unlike Alibaba Cloud (stateless), no return rule for the client's ephemeral ports is
//   needed, so the return path is always allowed.
// - VPC user guide, "添加网络ACL规则" (updated 2024-10-30),
//   https://support.huaweicloud.com/usermanual-vpc/zh-cn_topic_0051746702.html : rules are matched in their
//   order (1, 2, 3, …; rules added later come later unless inserted), the default rule "*" comes last.
// - Traffic inside a subnet is not filtered by its ACL (the ACL controls traffic in and out of the subnet).
// - A disabled rule (`enabled: false`) is skipped; a disabled ACL (`admin_state_up: false`) filters nothing.
import { addressScope, isNonPublicCidr, parseIp, type ParsedIp } from '../../rules/cidr';
import { DEFAULT_SOURCE_PORTS } from '../../rules/compile';
import type { Decider, EvaluationNote, Flow } from '../../rules/types';
import { matchRemote, remoteSpec, remoteText, type RemoteSpec, type Tri } from './addresses';
import { parseAction, parseFamily, parsePorts, parseProtocol, portIn, PORTFUL, spanCoverage, spansText, type PortSpan, type RuleProtocol } from './fields';
import type { AddressGroups, HuaweiAclEvaluation, HuaweiEvaluation, HuaweiFirewall, HuaweiFirewallRule, HuaweiNearMiss } from './types';

export interface HuaweiAclOptions {
  /** The subnet (`virsubnet_id`, ListPorts `network_id`'s subnet) of the server's port. */
  subnetId?: string;
  /** The private address the ACL sees for the server (an EIP is translated before the subnet). */
  localIp?: string;
  /** The peer is in the same subnet as the server: the ACL does not filter that traffic. */
  sameSubnet?: boolean;
  addressGroups?: AddressGroups;
}

export interface CompiledAclRule {
  rule: HuaweiFirewallRule;
  /** The list the rule is in. */
  direction: 'ingress' | 'egress';
  index: number;
  enabled: boolean;
  action: 'allow' | 'deny' | null;
  proto: RuleProtocol;
  family: 4 | 6 | null;
  source: RemoteSpec;
  destination: RemoteSpec;
  sourcePorts: PortSpan[] | null | 'invalid';
  destinationPorts: PortSpan[] | null | 'invalid';
}

export function compileAclRules(acl: HuaweiFirewall): CompiledAclRule[] {
  const one = (rule: HuaweiFirewallRule, index: number, direction: 'ingress' | 'egress'): CompiledAclRule => ({
    rule,
    direction,
    index,
    enabled: rule.enabled !== false,
    action: parseAction(rule.action),
    proto: parseProtocol(rule.protocol),
    family: parseFamily(rule.ip_version),
    source: remoteSpec(rule.source_ip_address, null, rule.source_address_group_id),
    destination: remoteSpec(rule.destination_ip_address, null, rule.destination_address_group_id),
    sourcePorts: parsePorts(rule.source_port),
    destinationPorts: parsePorts(rule.destination_port),
  });
  return [...(acl.ingress_rules ?? []).map((r, i) => one(r, i, 'ingress')), ...(acl.egress_rules ?? []).map((r, i) => one(r, i, 'egress'))];
}

export const AFIELD = { direction: 1, family: 2, protocol: 4, port: 8, remote: 16, local: 32, srcPort: 64, maybe: 128, disabled: 256 } as const;

interface AclCtx {
  direction: 'ingress' | 'egress';
  proto: Flow['protocol'];
  remote: ParsedIp;
  local: ParsedIp | null;
  port: number;
  sourcePorts: { from: number; to: number };
  addressGroups?: AddressGroups;
}

/** Fields that keep the rule from matching, read as a rule of the flow's direction (for near misses). */
export function aclMask(c: CompiledAclRule, ctx: AclCtx): number {
  let m = 0;
  if (c.direction !== ctx.direction) m |= AFIELD.direction;
  if (!c.enabled) m |= AFIELD.disabled;
  if (c.action === null) m |= AFIELD.maybe;
  if (c.family === null) m |= AFIELD.maybe;
  else if (c.family !== ctx.remote.family) return m | AFIELD.family;
  if (c.proto !== 'all' && c.proto !== ctx.proto) m |= AFIELD.protocol;
  if (PORTFUL(ctx.proto)) {
    if (c.destinationPorts === 'invalid') m |= AFIELD.maybe;
    else if (c.destinationPorts !== null && !portIn(c.destinationPorts, ctx.port)) m |= AFIELD.port;
    if (c.sourcePorts === 'invalid') m |= AFIELD.maybe;
    else if (c.sourcePorts !== null) {
      const cov = spanCoverage(c.sourcePorts, ctx.sourcePorts);
      if (cov === 'none') m |= AFIELD.srcPort;
      else if (cov === 'some') m |= AFIELD.maybe;
    }
  }
  // Ingress: the source is the remote peer, the destination the server; egress: the other way round.
  const remoteSide = ctx.direction === 'ingress' ? c.source : c.destination;
  const localSide = ctx.direction === 'ingress' ? c.destination : c.source;
  const r: Tri = matchRemote(remoteSide, ctx.remote, ctx.addressGroups, undefined);
  if (r === 'no') m |= AFIELD.remote;
  else if (r === 'maybe') m |= AFIELD.maybe;
  if (localSide.kind !== 'any') {
    const l: Tri = ctx.local ? matchRemote(localSide, ctx.local, ctx.addressGroups, undefined) : 'maybe';
    if (l === 'no') m |= AFIELD.local;
    else if (l === 'maybe') m |= AFIELD.maybe;
  }
  return m;
}

const HARD = AFIELD.direction | AFIELD.family | AFIELD.protocol | AFIELD.port | AFIELD.remote | AFIELD.local | AFIELD.srcPort | AFIELD.disabled;
const matchOf = (m: number): Tri => (m & HARD ? 'no' : m ? 'maybe' : 'yes');
const policyOf = (a: 'allow' | 'deny' | null): 'accept' | 'drop' => (a === 'deny' ? 'drop' : 'accept');

const decider = (c: CompiledAclRule | null): Decider =>
  c ? { kind: 'rule', ruleId: c.rule.id, containerId: '', order: c.index, policy: policyOf(c.action) } : { kind: 'default', policy: 'drop', reason: 'no rule of the network ACL matches: its default rule denies the traffic' };

function notPresent(aclId: string | null, explanation: string, detail: string, notes: EvaluationNote[] = []): HuaweiAclEvaluation {
  const ev: HuaweiEvaluation = { decision: 'allow', decidedBy: null, nearMisses: [], considered: aclId ? [aclId] : [], explanation, notes: [...notes, { code: 'acl-not-applied', detail }] };
  return { present: false, aclId, inbound: ev, returnPath: { ...ev, notes: [] }, decision: 'allow' };
}

/** Evaluate a flow through the network ACL of the server's subnet (null: no ACL is associated). */
export function evaluateHuaweiFirewall(acl: HuaweiFirewall | null, flow: Flow, opts: HuaweiAclOptions = {}): HuaweiAclEvaluation {
  if (!acl) return notPresent(null, 'no-acl', 'no network ACL is associated with the subnet, so it filters nothing');
  const associated = (acl.associations ?? []).map((a) => a.virsubnet_id);
  if (opts.subnetId !== undefined ? !associated.includes(opts.subnetId) : associated.length === 0) {
    return notPresent(acl.id, 'acl-not-associated', `network ACL ${acl.id} is not associated with ${opts.subnetId ? `subnet ${opts.subnetId}` : 'any subnet'}, so it filters nothing here`);
  }
  if (acl.admin_state_up === false) return notPresent(acl.id, 'acl-disabled', `network ACL ${acl.id} is disabled, so it filters nothing`);
  const remote = parseIp(flow.direction === 'ingress' ? flow.sourceIp : flow.destinationIp);
  const considered = [acl.id];
  const stateful: HuaweiEvaluation = { decision: 'allow', decidedBy: null, nearMisses: [], considered, explanation: 'stateful', notes: [] };
  if (!remote) {
    const inbound: HuaweiEvaluation = { decision: 'unknown', decidedBy: null, nearMisses: [], considered, explanation: 'invalid-remote-address', notes: [] };
    return { present: true, aclId: acl.id, inbound, returnPath: stateful, decision: 'unknown' };
  }
  if (opts.sameSubnet) {
    const inbound: HuaweiEvaluation = { decision: 'allow', decidedBy: null, nearMisses: [], considered, explanation: 'intra-subnet', notes: [{ code: 'acl-not-applied', detail: `${remote.text} is in the same subnet as the server; a network ACL does not filter traffic inside its subnet` }] };
    return { present: true, aclId: acl.id, inbound, returnPath: stateful, decision: 'allow' };
  }
  const localText = opts.localIp ?? (flow.direction === 'ingress' ? flow.destinationIp : flow.sourceIp);
  const localParsed = parseIp(localText);
  // An EIP is translated to the private address before the subnet: a public local address is not what the ACL sees.
  const local = localParsed && (opts.localIp !== undefined || addressScope(localParsed) !== 'public') ? localParsed : null;
  const ctx: AclCtx = { direction: flow.direction, proto: flow.protocol, remote, local, port: flow.port, sourcePorts: flow.sourcePorts ?? DEFAULT_SOURCE_PORTS, addressGroups: opts.addressGroups };

  const rules = compileAclRules(acl);
  const list = rules.filter((c) => c.direction === ctx.direction);
  const outcomes = new Set<'allow' | 'deny'>();
  let best: CompiledAclRule | null = null;
  const maybes: CompiledAclRule[] = [];
  for (const c of list) {
    const t = matchOf(aclMask(c, ctx));
    if (t === 'no') continue;
    const acts: ('allow' | 'deny')[] = c.action === null ? ['allow', 'deny'] : [c.action];
    acts.forEach((a) => outcomes.add(a));
    if (t === 'maybe') {
      maybes.push(c);
      continue;
    }
    best = c;
    break;
  }
  if (!best) outcomes.add('deny');
  const notes: EvaluationNote[] = [];
  let decision: HuaweiEvaluation['decision'];
  let explanation: string;
  if (outcomes.size > 1 || best?.action === null) {
    decision = 'unknown';
    explanation = 'uncertain-field';
    for (const c of maybes.slice(0, 5)) {
      notes.push({ code: 'uncertain-field', detail: `network ACL rule ${c.rule.id} may or may not match this connection (an address group that was not read, a source port range covering only part of the client's ports, the server's private address not known, or a field that could not be read)`, values: { ruleId: c.rule.id, aclId: acl.id } });
    }
  } else {
    decision = best ? (best.action === 'allow' ? 'allow' : 'deny') : 'deny';
    explanation = best ? (best.action === 'allow' ? 'rule-accept' : 'rule-drop') : 'default-deny';
  }
  const d = decider(best);
  if (d.kind === 'rule') d.containerId = acl.id;
  const nearMisses = decision === 'allow' ? [] : aclNearMisses(acl.id, rules, ctx, flow, best);
  const inbound: HuaweiEvaluation = { decision, decidedBy: d, nearMisses, considered, explanation, notes };
  return { present: true, aclId: acl.id, inbound, returnPath: stateful, decision };
}

function aclNearMisses(aclId: string, rules: CompiledAclRule[], ctx: AclCtx, flow: Flow, best: CompiledAclRule | null): HuaweiNearMiss[] {
  const out: HuaweiNearMiss[] = [];
  const portText = (s: PortSpan[] | null | 'invalid'): string => (s === null ? 'all' : s === 'invalid' ? 'unreadable' : spansText(s));
  for (const c of rules) {
    if (c.action !== 'allow') continue;
    const mask = aclMask(c, ctx);
    if (mask & AFIELD.maybe) continue;
    const remoteSide = ctx.direction === 'ingress' ? c.source : c.destination;
    const v: Record<string, string | number> = {
      clientIp: ctx.remote.text,
      destinationIp: flow.destinationIp,
      protocol: ctx.proto,
      port: flow.port,
      direction: ctx.direction,
      ruleDirection: c.direction,
      ruleProtocol: c.proto,
      portRange: portText(c.destinationPorts),
      peer: remoteText(remoteSide),
      policy: 'accept',
      order: c.index,
    };
    const nm = (reason: HuaweiNearMiss['reason'], detail: string, extra: Record<string, string | number> = {}): HuaweiNearMiss => ({ reason, ruleId: c.rule.id, containerId: aclId, policy: 'accept', detail, values: { ...v, ...extra } });
    if (mask === 0) {
      if (best && best.action === 'deny') {
        out.push(nm('shadowed-by-drop', `rule matches, but deny rule ${best.rule.id} comes before it in the network ACL (rules are matched in their order, the first match decides)`, { dropRuleId: best.rule.id, dropOrder: best.index, dropPeer: remoteText(ctx.direction === 'ingress' ? best.source : best.destination) }));
      }
      continue;
    }
    if (mask === AFIELD.disabled) {
      out.push(nm('rule-disabled', `rule would admit this connection, but it is disabled, and a disabled network ACL rule is skipped`));
      continue;
    }
    if (mask & AFIELD.disabled || (mask & (mask - 1)) !== 0) continue;
    switch (mask) {
      case AFIELD.direction:
        out.push(nm('wrong-direction', `rule is in the ${c.direction === 'egress' ? 'outbound' : 'inbound'} rules of the network ACL; a connection ${ctx.direction === 'ingress' ? 'to' : 'from'} the server needs an ${ctx.direction === 'ingress' ? 'inbound' : 'outbound'} rule (the ACL is stateful: the replies need no rule)`));
        break;
      case AFIELD.protocol:
        if ((PORTFUL(c.proto) && PORTFUL(ctx.proto)) || (c.proto.startsWith('icmp') && ctx.proto.startsWith('icmp'))) out.push(nm('wrong-protocol', `rule is for ${c.proto.toUpperCase()}, the connection uses ${ctx.proto.toUpperCase()}`));
        break;
      case AFIELD.port: {
        const spans = c.destinationPorts as PortSpan[];
        out.push(nm('port-outside-range', `rule opens port ${spansText(spans)}, the connection is to port ${flow.port}`, { portFrom: spans[0].from, portTo: spans[spans.length - 1].to }));
        break;
      }
      case AFIELD.srcPort:
        out.push(nm('source-port-restricted', `rule admits only source port ${portText(c.sourcePorts)}; a connection comes from an ephemeral source port (${ctx.sourcePorts.from}-${ctx.sourcePorts.to}), so the service port belongs in the destination port and the source port should be left empty`, { sourcePort: portText(c.sourcePorts) }));
        break;
      case AFIELD.family:
        out.push(nm('source-excludes-client', `rule is for IPv${c.family}; ${ctx.remote.text} is an IPv${ctx.remote.family} address`, { familyMismatch: 1 }));
        break;
      case AFIELD.remote:
        if (remoteSide.kind === 'cidr' && isNonPublicCidr(remoteSide.cidr) && addressScope(ctx.remote) === 'public') {
          out.push(nm('private-source', `rule admits ${remoteSide.cidr.text}, a private range; internet traffic arrives from your public address ${ctx.remote.text}, never from a private one`, { cidr: remoteSide.cidr.text }));
        } else {
          out.push(nm('source-excludes-client', `rule admits ${remoteText(remoteSide)}, which does not contain ${ctx.remote.text}`, { cidr: remoteText(remoteSide) }));
        }
        break;
      default:
        break; // a destination mismatch names another local address: not a slip we can name
    }
  }
  return out;
}

// Security-group evaluation with Alibaba Cloud semantics (official docs):
// - all groups of the ENI the address belongs to are aggregated and sorted together;
// - Priority 1..100, lower first; at equal priority drop beats accept (not "top to bottom", a common myth);
// - the first matching rule decides, otherwise the implicit default of the group type;
// - stateful: for an inbound connection only the ingress rules decide (replies are allowed).
// Near misses explain a deny: every accept rule that would have matched but for one field.
import type { CloudSnapshot, SecurityGroup } from '../cloud/model';
import { hostLooksLikeNetwork, isNonPublicCidr, parseIp, sameNeighbourhood, type ParsedIp } from './cidr';
import {
  compareRules,
  fieldMask,
  fieldUncertain,
  fixedMatch,
  flowContext,
  MISS,
  placeRules,
  portMatches,
  PORTFUL,
  protoMatches,
  sourcePortMatch,
  type CompiledRule,
  type FlowContext,
  type PlacedRule,
  type Placement,
} from './compile';
import { decide, defaultOutcome, type Decision } from './decide';
import { resolveInterface, type InterfaceChoice } from './interfaces';
import type { Evaluation, EvaluationNote, Flow, NearMiss } from './types';

const portText = (c: CompiledRule): string => (PORTFUL(c.proto) ? `${c.from}/${c.to}` : '-1/-1');

function peerText(c: CompiledRule): string {
  const p = c.peer;
  switch (p.kind) {
    case 'cidr':
      return p.cidr.text;
    case 'invalid':
      return p.text;
    case 'group':
      return p.groupId;
    case 'prefix-list':
      return p.prefixListId;
    default:
      return '(none)';
  }
}

function baseValues(c: CompiledRule, flow: Flow, ctx: FlowContext): Record<string, string | number> {
  return {
    clientIp: ctx.remote.ip.text,
    destinationIp: flow.destinationIp,
    protocol: ctx.proto,
    port: flow.port,
    direction: ctx.direction,
    ruleDirection: c.rule.direction,
    ruleProtocol: c.proto,
    portRange: c.rule.rawPortRange || portText(c),
    peer: peerText(c),
    priority: c.priority,
    policy: c.policy,
  };
}

function miss(c: CompiledRule, reason: NearMiss['reason'], detail: string, values: Record<string, string | number>): NearMiss {
  return { reason, ruleId: c.rule.id, containerId: c.group.id, priority: c.priority, policy: c.policy, detail, values };
}

/** The one field that kept an accept rule from matching, as a near miss; null when 0 or ≥2 fields differ. */
function nearMissFor(c: CompiledRule, mask: number, flow: Flow, ctx: FlowContext): NearMiss | null {
  // A rule with a field that cannot be evaluated is no near miss: it may match as it is.
  if (mask & MISS.fieldMaybe) return null;
  const wrong = mask & ~MISS.peerMaybe;
  // Exactly one field wrong, or nothing wrong but a peer we cannot resolve.
  if (wrong === 0 ? mask === 0 : (wrong & (wrong - 1)) !== 0 || (mask & MISS.peerMaybe) !== 0) return null;
  const v = baseValues(c, flow, ctx);
  const client = ctx.remote.ip.text;
  if (wrong === 0) {
    if (c.peer.kind === 'group') {
      return miss(c, 'group-reference', `rule admits members of security group ${c.peer.groupId}; whether ${client} is a private address of one of its instances cannot be told from this snapshot`, { ...v, groupId: c.peer.groupId, membership: 'unknown' });
    }
    if (c.peer.kind === 'prefix-list') {
      return miss(c, 'prefix-list-unresolved', `rule admits prefix list ${c.peer.prefixListId}, whose entries could not be read; it may or may not contain ${client}`, { ...v, prefixListId: c.peer.prefixListId });
    }
    return null;
  }
  switch (wrong) {
    case MISS.direction:
      return miss(c, 'wrong-direction', `rule is an ${c.rule.direction} (${c.rule.direction === 'egress' ? 'outbound' : 'inbound'}) rule; a connection ${ctx.direction === 'ingress' ? 'to' : 'from'} the instance needs an ${ctx.direction} rule`, v);
    case MISS.protocol:
      // Only a port-bearing mix-up (UDP for SSH) or an ICMP/ICMPv6 family mix-up is a plausible near miss.
      if ((PORTFUL(c.proto) && PORTFUL(ctx.proto)) || (c.proto.startsWith('icmp') && ctx.proto.startsWith('icmp'))) {
        return miss(c, 'wrong-protocol', `rule is for ${c.proto.toUpperCase()}, the connection uses ${ctx.proto.toUpperCase()}`, v);
      }
      return null;
    case MISS.port: {
      const distance = flow.port < c.from ? c.from - flow.port : flow.port - c.to;
      // "likely": the rule looks like a slip for this port (2222 for 22, 8022, or a neighbour), not another service.
      const likely = distance <= 10 || String(c.from).includes(String(flow.port)) || String(c.to).includes(String(flow.port));
      return miss(c, 'port-outside-range', `rule opens ${c.proto.toUpperCase()} ${c.from === c.to ? c.from : `${c.from}-${c.to}`}, the connection is to port ${flow.port}`, { ...v, portFrom: c.from, portTo: c.to, distance, likely: likely ? 1 : 0 });
    }
    case MISS.nic:
      return miss(c, 'nic-type', `classic-network rule is for the ${c.rule.nicType} NIC; this traffic uses the ${ctx.scope} NIC`, { ...v, nicType: c.rule.nicType ?? '', trafficNic: ctx.scope });
    case MISS.peer:
      return peerNearMiss(c, v, ctx);
    case MISS.srcPort: {
      const src = c.srcFrom === c.srcTo ? String(c.srcFrom) : `${c.srcFrom}-${c.srcTo}`;
      const eph = `${ctx.sourcePorts.from}-${ctx.sourcePorts.to}`;
      const who = ctx.direction === 'ingress' ? 'your computer' : 'the instance';
      return miss(
        c,
        'source-port-restricted',
        `rule admits only source port ${src} (SourcePortRange ${c.rule.rawSourcePortRange ?? `${c.srcFrom}/${c.srcTo}`}); a connection from ${who} comes from an ephemeral source port (${eph}), never from ${src}, so the rule does not admit it. The service port belongs in PortRange; leave the source port range empty or -1/-1`,
        { ...v, sourcePortRange: c.rule.rawSourcePortRange ?? `${c.srcFrom}/${c.srcTo}`, sourcePortFrom: c.srcFrom ?? -1, sourcePortTo: c.srcTo ?? -1, ephemeralFrom: ctx.sourcePorts.from, ephemeralTo: ctx.sourcePorts.to },
      );
    }
    default:
      return null; // a DestCidrIp mismatch names another local address: not a user mistake we can name
  }
}

function peerNearMiss(c: CompiledRule, v: Record<string, string | number>, ctx: FlowContext): NearMiss | null {
  const client = ctx.remote.ip;
  const p = c.peer;
  if (p.kind === 'group') {
    const why =
      ctx.remote.scope === 'public'
        ? `${client.text} is a public address and a security-group reference only ever matches private addresses of instances in that group, so it can never admit an internet client`
        : `${client.text} is not a private address of an instance in that group`;
    return miss(c, 'group-reference', `rule admits security group ${p.groupId}, not an address range; ${why}`, { ...v, groupId: p.groupId, clientScope: ctx.remote.scope });
  }
  if (p.kind === 'prefix-list') {
    return miss(c, 'source-excludes-client', `prefix list ${p.prefixListId} does not contain ${client.text}`, { ...v, prefixListId: p.prefixListId, cidr: (p.cidrs ?? []).map((x) => x.text).join(',') });
  }
  if (p.kind !== 'cidr') return null;
  const cidr = p.cidr;
  if (cidr.family !== client.family) {
    return miss(c, 'source-excludes-client', `rule admits the IPv${cidr.family} block ${cidr.text}; the client address ${client.text} is IPv${client.family}`, { ...v, cidr: cidr.text, familyMismatch: 1 });
  }
  if (isNonPublicCidr(cidr) && ctx.remote.scope === 'public') {
    return miss(c, 'private-source', `rule admits ${cidr.text}, a private/internal range; internet traffic arrives from your public egress IP ${client.text}, never from a private address`, { ...v, cidr: cidr.text });
  }
  const isHost = c.bare && cidr.prefix === (cidr.family === 4 ? 32 : 128);
  if (isHost && (hostLooksLikeNetwork(cidr) || sameNeighbourhood(client, parseIp(cidr.network.split('/')[0]) as ParsedIp))) {
    const guess = cidr.family === 4 ? `${cidr.network.split('/')[0]}/24` : `${cidr.network.split('/')[0]}/64`;
    return miss(c, 'bare-ip-without-mask', `rule admits "${cidr.text.replace(/\/\d+$/, '')}" written without a mask, which the platform treats as the single host ${cidr.network}; ${client.text} is not that host (did you mean a range such as ${guess}?)`, { ...v, cidr: cidr.text, treatedAs: cidr.network, suggestion: guess });
  }
  return miss(c, 'source-excludes-client', `rule admits ${cidr.text}, which does not contain your egress IP ${client.text}`, { ...v, cidr: cidr.text, bare: c.bare ? 1 : 0 });
}

interface Scan {
  best: PlacedRule | null;
  maybeAccept: PlacedRule | null;
  maybeDrop: PlacedRule | null;
}

const earlier = (a: PlacedRule | null, b: PlacedRule): PlacedRule => (a === null || compareRules(b, a) < 0 ? b : a);

/** First match without sorting: a linear minimum over the matching rules (O(n) per flow). */
function scan(placed: PlacedRule[], ctx: FlowContext, port: number): Scan {
  let best: PlacedRule | null = null;
  let maybeAccept: PlacedRule | null = null;
  let maybeDrop: PlacedRule | null = null;
  for (const p of placed) {
    const c = p.c;
    // Cheapest tests first, no allocation: this loop runs over up to thousands of rules per flow.
    if (c.rule.direction !== ctx.direction || !protoMatches(c, ctx.proto) || !portMatches(c, ctx.proto, port)) continue;
    const m = fixedMatch(c, ctx);
    if (m === 'no') continue;
    if (m === 'match') best = earlier(best, p);
    else if (p.c.policy === 'accept') maybeAccept = earlier(maybeAccept, p);
    else maybeDrop = earlier(maybeDrop, p);
  }
  return { best, maybeAccept, maybeDrop };
}

function unknownEval(explanation: string, considered: string[], notes: EvaluationNote[], interfaceId?: string): Evaluation {
  return { decision: 'unknown', decidedBy: null, nearMisses: [], considered, explanation, interfaceId, notes };
}

export interface SecurityGroupEvalContext {
  choice: InterfaceChoice;
  ctx: FlowContext;
  groups: SecurityGroup[];
  placed: PlacedRule[];
  placement: Placement;
  missing: string[];
  notes: EvaluationNote[];
}

/** Resolve the ENI, its groups and the flow context, or an error code when there is nothing to evaluate. */
export function prepare(snapshot: CloudSnapshot, flow: Flow): SecurityGroupEvalContext | { error: string; notes: EvaluationNote[] } {
  const notes: EvaluationNote[] = [];
  const remoteText = flow.direction === 'ingress' ? flow.sourceIp : flow.destinationIp;
  const localText = flow.direction === 'ingress' ? flow.destinationIp : flow.sourceIp;
  const remote = parseIp(remoteText);
  if (!remote) return { error: 'invalid-remote-address', notes };
  const choice = resolveInterface(snapshot, localText);
  if (!choice.eni) {
    notes.push({ code: 'no-interface', detail: 'the snapshot has no instance or network interface to evaluate' });
    return { error: 'no-interface', notes };
  }
  if (!choice.matched) {
    const inst = snapshot.instance;
    if (inst) {
      // The configuration describes another host: its rules say nothing about this address.
      const known = [inst.publicIp, inst.eipAddress, ...snapshot.interfaces.flatMap((e) => [e.publicIp, ...e.privateIps, ...e.ipv6s]), ...inst.privateIps].filter((a): a is string => !!a);
      notes.push({
        code: 'destination-not-on-instance',
        detail: `${localText} is not an address of instance ${inst.id} (it has ${[...new Set(known)].join(', ') || 'no address'}); its security groups say nothing about ${localText}`,
        values: { address: localText, instanceAddresses: [...new Set(known)].join(',') },
      });
      return { error: 'destination-not-on-instance', notes };
    }
    // No instance in the snapshot (only groups were given): the user asserted these groups apply.
    notes.push({
      code: 'destination-not-on-instance',
      detail: `no instance is described, so ${localText} cannot be checked against it; the given groups were evaluated as the instance's`,
      values: { address: localText, interfaceId: choice.eni.id },
    });
  }
  const placement = placeRules(snapshot, choice.groupIds);
  const { placed, groups, missing } = placement;
  for (const id of missing) notes.push({ code: 'group-missing', detail: `security group ${id} is attached to ${choice.eni.id} but its rules were not read`, values: { groupId: id } });
  if (groups.some((g) => g.type === 'enterprise') && groups.some((g) => g.type !== 'enterprise')) {
    notes.push({
      code: 'mixed-group-types',
      detail: `${choice.eni.id} has both basic and enterprise security groups, which the platform does not allow; the stricter enterprise defaults were applied`,
      values: { interfaceId: choice.eni.id, groups: groups.map((g) => `${g.id}:${g.type}`).join(',') },
    });
  }
  const ctx = flowContext(snapshot, flow.direction, flow.protocol, remote, parseIp(localText), choice, flow.sourcePorts);
  return { choice, ctx, groups, placed, placement, missing, notes };
}

export function evaluateSecurityGroups(snapshot: CloudSnapshot, flow: Flow): Evaluation {
  const prep = prepare(snapshot, flow);
  if ('error' in prep) return unknownEval(prep.error, [], prep.notes);
  const { choice, ctx, groups, placed, missing, notes } = prep;
  const considered = choice.groupIds;
  if (groups.length === 0) return unknownEval('group-missing', considered, notes, choice.eni?.id);

  const s = scan(placed, ctx, flow.port);
  const def = defaultOutcome(groups, ctx.direction, ctx.remote);
  const decided: Decision = decide(s.best, s.maybeAccept, s.maybeDrop, def, missing.length);
  // A rival that may match because of a field (not a group membership or prefix list): say so by its own code.
  const d: Decision = decided.code === 'uncertain-peer' && decided.rival && fieldUncertain(decided.rival.c, ctx) ? { ...decided, code: 'uncertain-field' } : decided;

  if (ctx.direction === 'egress' && ctx.proto === 'tcp' && flow.port === 25) {
    notes.push({ code: 'tcp-25-blocked', detail: 'Alibaba Cloud blocks outbound TCP 25 by default whatever the security group says; use port 465 (SMTP over SSL)', values: { port: 25 } });
  }
  if (d.rule?.c.bare && d.rule.c.peer.kind === 'cidr') {
    notes.push({ code: 'bare-ip-is-host', detail: `rule ${d.rule.c.rule.id} names "${d.rule.c.peer.cidr.text}" without a mask; the platform treats it as the single host ${d.rule.c.peer.cidr.network}, which is what matches this client`, values: { ruleId: d.rule.c.rule.id, cidr: d.rule.c.peer.cidr.text } });
  }
  if (d.code === 'uncertain-field') notes.push(...uncertainFieldNotes(placed, ctx, flow.port, d));
  if (d.code === 'uncertain-peer' || d.code === 'uncertain-membership') {
    notes.push({ code: 'uncertain-peer', detail: `whether ${ctx.remote.ip.text} matches a security-group reference or prefix list cannot be told from this snapshot`, values: { clientIp: ctx.remote.ip.text } });
  }

  const nearMisses = d.decision === 'allow' ? [] : findNearMisses(snapshot, flow, prep, d);
  return { decision: d.decision, decidedBy: d.decidedBy, nearMisses, considered, explanation: d.code, interfaceId: choice.eni?.id, notes };
}

/** Human words for why a field cannot be evaluated. */
const WHY: Record<string, string> = {
  'unknown-field': 'a field this version of SG Doctor does not know',
  'unresolved-reference': 'a port list whose entries were not read',
  unparsable: 'a value that could not be read',
  'conflicting-fields': 'set together with another field of the same kind',
  'not-for-direction': 'a field that does not belong to a rule of this direction',
};

/**
 * The rules that may match only because of a field we cannot evaluate and would decide otherwise: one note
 * per rule, naming the rule and the field(s).
 */
function uncertainFieldNotes(placed: PlacedRule[], ctx: FlowContext, port: number, d: Decision): EvaluationNote[] {
  const policy = d.rule ? d.rule.c.policy : d.decidedBy?.policy;
  const out: EvaluationNote[] = [];
  for (const p of [...placed].sort(compareRules)) {
    if (d.rule && compareRules(p, d.rule) >= 0) break;
    const c = p.c;
    if (c.policy === policy || c.rule.direction !== ctx.direction || !protoMatches(c, ctx.proto) || !portMatches(c, ctx.proto, port)) continue;
    if (fixedMatch(c, ctx) === 'no' || !fieldUncertain(c, ctx)) continue;
    const fields = c.unevaluated.map((u) => `${u.field}=${u.value} (${WHY[u.why] ?? u.why})`);
    if (sourcePortMatch(c, ctx) === 'maybe') {
      fields.push(`SourcePortRange=${c.rule.rawSourcePortRange ?? `${c.srcFrom}/${c.srcTo}`} (covers only part of the ephemeral source ports ${ctx.sourcePorts.from}-${ctx.sourcePorts.to} a connection may come from)`);
    }
    out.push({
      code: 'uncertain-field',
      detail: `${c.policy} rule ${c.rule.id} (${c.group.id}, priority ${c.priority}) may or may not apply to this connection: ${fields.join('; ')}; so whether the security groups ${policy === 'accept' ? 'allow' : 'block'} it cannot be told`,
      values: {
        ruleId: c.rule.id,
        groupId: c.group.id,
        policy: c.policy,
        priority: c.priority,
        fields: [...c.unevaluated.map((u) => u.field), ...(sourcePortMatch(c, ctx) === 'maybe' ? ['SourcePortRange'] : [])].join(','),
        values: [...c.unevaluated.map((u) => u.value), ...(sourcePortMatch(c, ctx) === 'maybe' ? [c.rule.rawSourcePortRange ?? ''] : [])].join(','),
        reasons: [...c.unevaluated.map((u) => u.why), ...(sourcePortMatch(c, ctx) === 'maybe' ? ['partial-source-ports'] : [])].join(','),
      },
    });
    if (out.length >= 5) break;
  }
  return out;
}

function findNearMisses(snapshot: CloudSnapshot, flow: Flow, prep: SecurityGroupEvalContext, d: Decision): NearMiss[] {
  const { ctx, placed, groups, choice } = prep;
  const out: { p: PlacedRule; m: NearMiss }[] = [];
  for (const p of placed) {
    if (p.c.policy !== 'accept') continue;
    const mask = fieldMask(p.c, ctx, flow.port);
    if (mask === 0 && d.rule && d.rule !== p && d.rule.c.policy === 'drop') {
      const drop = d.rule.c;
      const same = drop.priority === p.c.priority;
      out.push({
        p,
        m: miss(
          p.c,
          'shadowed-by-drop',
          same
            ? `rule matches, but drop rule ${drop.rule.id} (${drop.group.id}) has the same priority ${drop.priority} and drop beats accept at equal priority`
            : `rule matches, but drop rule ${drop.rule.id} (${drop.group.id}) has priority ${drop.priority}, which is evaluated before priority ${p.c.priority} (lower number first; rule order does not matter)`,
          { ...baseValues(p.c, flow, ctx), dropRuleId: drop.rule.id, dropGroupId: drop.group.id, dropPriority: drop.priority, dropPeer: peerText(drop), samePriority: same ? 1 : 0 },
        ),
      });
      continue;
    }
    const m = nearMissFor(p.c, mask, flow, ctx);
    if (m) {
      // Fixing this field alone would not be enough if a drop that is evaluated first decided.
      if (d.rule && d.rule.c.policy === 'drop' && compareRules(d.rule, p) < 0 && m.values) m.values.shadowedBy = d.rule.c.rule.id;
      out.push({ p, m });
    }
  }
  out.sort((a, b) => compareRules(a.p, b.p));
  const result = out.map((x) => x.m);

  // Enterprise groups deny what no rule accepts: name the group whose default decided.
  if (d.decidedBy?.kind === 'default' && d.code === 'default-deny-enterprise') {
    for (const g of groups.filter((x) => x.type === 'enterprise')) {
      const accepts = g.rules.filter((r) => r.direction === ctx.direction && r.policy === 'accept').length;
      result.push({
        reason: 'enterprise-default-deny',
        ruleId: '(default)',
        containerId: g.id,
        policy: 'drop',
        detail: `enterprise security group ${g.id} ${accepts === 0 ? `has no ${ctx.direction} accept rule` : `has no ${ctx.direction} accept rule matching this flow`}; unlike a basic group it denies ${ctx.direction === 'ingress' ? 'inbound' : 'outbound'} traffic by default`,
        values: { groupId: g.id, direction: ctx.direction, acceptRules: accepts, clientIp: ctx.remote.ip.text, protocol: ctx.proto, port: flow.port },
      });
    }
  }

  // Rules on groups of the instance's other ENIs would have admitted the flow had it used that ENI.
  const here = new Set(choice.groupIds);
  const seen = new Set<string>();
  for (const eni of choice.others) {
    const otherIds = eni.securityGroupIds.filter((id) => !here.has(id) && !seen.has(id));
    otherIds.forEach((id) => seen.add(id));
    const { placed: otherPlaced } = placeRules(snapshot, otherIds);
    for (const p of otherPlaced) {
      if (p.c.policy !== 'accept') continue;
      if (fieldMask(p.c, ctx, flow.port) === 0) {
        result.push(
          miss(p.c, 'other-interface', `rule would admit this flow, but its group ${p.c.group.id} is attached to ${eni.type} interface ${eni.id}; ${flow.direction === 'ingress' ? flow.destinationIp : flow.sourceIp} uses interface ${choice.eni?.id}, whose groups do not include it`, {
            ...baseValues(p.c, flow, ctx),
            interfaceId: eni.id,
            interfaceType: eni.type,
            usedInterfaceId: choice.eni?.id ?? '',
            groupId: p.c.group.id,
          }),
        );
      }
    }
  }
  return result;
}

// Security-group rules compiled once into integers (ports, masks) plus the flow context they are matched
// against. Shared by the single-flow evaluator and the effective-access sweep so both agree by construction.
import type { CloudSnapshot, Direction, Protocol, SecurityGroup, SecurityGroupRule, UnevaluatedField } from '../cloud/model';
import { addressScope, cidrContains, parseCidr, parseIp, type AddressScope, type ParsedCidr, type ParsedIp } from './cidr';
import type { InterfaceChoice } from './interfaces';
import { instanceInterfaces } from './interfaces';

export type CompiledPeer =
  | { kind: 'cidr'; cidr: ParsedCidr }
  | { kind: 'invalid'; text: string }
  | { kind: 'group'; groupId: string }
  | { kind: 'prefix-list'; prefixListId: string; cidrs: ParsedCidr[] | null }
  | { kind: 'any' };

export interface CompiledRule {
  rule: SecurityGroupRule;
  group: SecurityGroup;
  policy: 'accept' | 'drop';
  priority: number;
  proto: Protocol;
  /** Port bounds for TCP/UDP rules (-1/-1 → 1..65535). Other protocols ignore ports. */
  from: number;
  to: number;
  peer: CompiledPeer;
  local: ParsedCidr | null;
  /** The peer was written as a bare address (no "/len"). */
  bare: boolean;
  /** Five-tuple source-port bounds (SourcePortRange); null = any source port. */
  srcFrom: number | null;
  srcTo: number | null;
  /**
   * Why the rule can at best "maybe" match a flow its other fields admit: fields that may restrict it but
   * cannot be evaluated (see UnevaluatedField), including a DestCidrIp that does not parse. Empty = none.
   */
  unevaluated: UnevaluatedField[];
  /** The destination ports come from a port list whose entries are unknown: the port test cannot say no. */
  portUnknown: boolean;
}

/** A compiled rule in the context of one ENI: its group's position breaks ties deterministically. */
export interface PlacedRule {
  c: CompiledRule;
  groupIndex: number;
}

export const PORTFUL = (p: Protocol): boolean => p === 'tcp' || p === 'udp';

/** Normalise a priority the way the platform does: integer 1..100, default 1. */
export function normPriority(p: unknown): number {
  const n = typeof p === 'number' ? p : Number.parseInt(String(p ?? ''), 10);
  if (!Number.isFinite(n)) return 1;
  return Math.min(100, Math.max(1, Math.trunc(n)));
}

function rawPeerText(rule: SecurityGroupRule): string | undefined {
  const raw = rule.raw;
  if (!raw) return undefined;
  const keys = rule.direction === 'ingress' ? ['SourceCidrIp', 'Ipv6SourceCidrIp'] : ['DestCidrIp', 'Ipv6DestCidrIp'];
  for (const k of keys) {
    const v = raw[k];
    if (typeof v === 'string' && v.trim() !== '') return v;
  }
  return undefined;
}

const cache = new WeakMap<SecurityGroupRule, CompiledRule>();

/** Compile one rule (cached per rule object: snapshots are treated as immutable). */
export function compileRule(rule: SecurityGroupRule, group: SecurityGroup): CompiledRule {
  const hit = cache.get(rule);
  if (hit && hit.group === group) return hit;
  let peer: CompiledPeer;
  let bare = false;
  switch (rule.peer.kind) {
    case 'cidr': {
      const c = parseCidr(rule.peer.cidr);
      peer = c ? { kind: 'cidr', cidr: c } : { kind: 'invalid', text: rule.peer.cidr };
      const rawText = rawPeerText(rule);
      bare = (c?.bare ?? false) || (rawText !== undefined && !rawText.includes('/'));
      break;
    }
    case 'group':
      peer = { kind: 'group', groupId: rule.peer.groupId };
      break;
    case 'prefix-list':
      peer = {
        kind: 'prefix-list',
        prefixListId: rule.peer.prefixListId,
        cidrs: rule.peer.cidrs ? rule.peer.cidrs.map(parseCidr).filter((x): x is ParsedCidr => x !== null) : null,
      };
      break;
    default:
      peer = { kind: 'any' };
  }
  const portful = PORTFUL(rule.protocol);
  const unevaluated: UnevaluatedField[] = [...(rule.unevaluated ?? [])];
  const portUnknown = unevaluated.some((u) => u.field === 'PortRangeListId');
  let from = 1;
  let to = 65535;
  if (portful && !portUnknown && !(rule.portRange.from === -1 && rule.portRange.to === -1)) {
    from = Math.max(1, rule.portRange.from);
    to = Math.min(65535, rule.portRange.to);
  }
  const local = rule.localCidr ? parseCidr(rule.localCidr) : null;
  if (rule.localCidr && !local) unevaluated.push({ field: rule.direction === 'ingress' ? 'DestCidrIp' : 'SourceCidrIp', value: rule.localCidr, why: 'unparsable' });
  const src = rule.sourcePortRange;
  const hasSrc = src !== undefined && !(src.from === -1 && src.to === -1);
  const compiled: CompiledRule = {
    rule,
    group,
    policy: rule.policy === 'drop' ? 'drop' : 'accept',
    priority: normPriority(rule.priority),
    proto: rule.protocol,
    from,
    to,
    peer,
    local,
    bare,
    srcFrom: hasSrc ? Math.max(1, src.from) : null,
    srcTo: hasSrc ? Math.min(65535, src.to) : null,
    unevaluated,
    portUnknown,
  };
  cache.set(rule, compiled);
  return compiled;
}

/**
 * Evaluation order: lower priority number first, drop before accept at equal priority; then the group's
 * position on the ENI and the rule's position in the API response (a stable tie-break for display).
 * Negative when a comes first.
 */
export function compareRules(a: PlacedRule, b: PlacedRule): number {
  return (
    a.c.priority - b.c.priority ||
    (a.c.policy === b.c.policy ? 0 : a.c.policy === 'drop' ? -1 : 1) ||
    a.groupIndex - b.groupIndex ||
    a.c.rule.order - b.c.rule.order
  );
}

/** What we know about the remote side of a flow. */
export interface RemoteContext {
  ip: ParsedIp;
  scope: AddressScope;
  /**
   * Groups the remote address is a member of, by its private address on an ENI we know. A public address
   * is never a member (group references match private addresses only). null = unknown (a private address
   * of some instance outside the snapshot).
   */
  memberOf: Set<string> | null;
}

export function remoteContext(snapshot: CloudSnapshot, remote: ParsedIp): RemoteContext {
  const scope = addressScope(remote);
  if (scope === 'public') return { ip: remote, scope, memberOf: new Set() };
  for (const eni of instanceInterfaces(snapshot)) {
    const addrs = [...eni.privateIps, ...eni.ipv6s];
    if (addrs.some((a) => parseIp(a)?.text === remote.text)) return { ip: remote, scope, memberOf: new Set(eni.securityGroupIds) };
  }
  return { ip: remote, scope, memberOf: null };
}

export type PeerMatch = 'match' | 'no' | 'maybe';

export function matchPeer(peer: CompiledPeer, remote: RemoteContext): PeerMatch {
  switch (peer.kind) {
    case 'cidr':
      return cidrContains(peer.cidr, remote.ip) ? 'match' : 'no';
    case 'invalid':
      // A peer that does not parse here may still be something the platform accepts: never a silent answer.
      return 'maybe';
    case 'group':
      if (remote.memberOf === null) return 'maybe';
      return remote.memberOf.has(peer.groupId) ? 'match' : 'no';
    case 'prefix-list':
      if (peer.cidrs === null) return 'maybe';
      return peer.cidrs.some((c) => cidrContains(c, remote.ip)) ? 'match' : 'no';
    default:
      return 'maybe';
  }
}

/** The parts of a flow that do not depend on the port: everything the sweep can fix in advance. */
export interface FlowContext {
  direction: Direction;
  /** Normalised protocol: ICMP over IPv6 is ICMPv6. */
  proto: Exclude<Protocol, 'all'>;
  remote: RemoteContext;
  /** Instance-side addresses DestCidrIp may name (the targeted address and the ENI's private ones). */
  locals: ParsedIp[];
  classic: boolean;
  scope: 'internet' | 'intranet';
  /** The connecting side's source port(s): the client's ephemeral port for ingress, the instance's for egress. */
  sourcePorts: { from: number; to: number };
}

/**
 * The source port of a connection is an ephemeral port chosen by the connecting OS (Linux 32768–60999,
 * Windows and macOS 49152–65535 by default) and possibly rewritten by a NAT on the way, which keeps it at
 * 1024 or above: unless the caller knows better, any of 1024–65535 (as networkAcl.ts's EPHEMERAL_ALL).
 */
export const DEFAULT_SOURCE_PORTS = { from: 1024, to: 65535 } as const;

export function flowContext(
  snapshot: CloudSnapshot,
  direction: Direction,
  proto: Exclude<Protocol, 'all'>,
  remote: ParsedIp,
  local: ParsedIp | null,
  choice: InterfaceChoice,
  sourcePorts: { from: number; to: number } = DEFAULT_SOURCE_PORTS,
): FlowContext {
  const locals = [local, ...choice.localPrivateIps.map(parseIp)].filter((x): x is ParsedIp => x !== null);
  let p = proto;
  if (p === 'icmp' && remote.family === 6) p = 'icmpv6';
  if (p === 'icmpv6' && remote.family === 4) p = 'icmp';
  return {
    direction,
    proto: p,
    remote: remoteContext(snapshot, remote),
    locals,
    classic: snapshot.instance?.networkType === 'classic',
    scope: choice.scope,
    sourcePorts: { from: sourcePorts.from, to: sourcePorts.to },
  };
}

export function protoMatches(c: CompiledRule, proto: Protocol): boolean {
  return c.proto === 'all' || c.proto === proto;
}

export function portMatches(c: CompiledRule, proto: Protocol, port: number): boolean {
  if (c.proto === 'all' || !PORTFUL(proto) || c.portUnknown) return true;
  return port >= c.from && port <= c.to;
}

export function nicMatches(c: CompiledRule, ctx: FlowContext): boolean {
  // Classic network: internet rules govern the public NIC, intranet rules the private one. In a VPC,
  // "intranet" rules cover both, so NicType never excludes anything.
  if (!ctx.classic || !c.rule.nicType) return true;
  return c.rule.nicType === ctx.scope;
}

export function localMatches(c: CompiledRule, ctx: FlowContext): boolean {
  if (!c.local) return true; // no DestCidrIp, or one that does not parse (then c.unevaluated says so)
  const local = c.local;
  return ctx.locals.some((l) => cidrContains(local, l));
}

/**
 * Source port (five-tuple rules): the connection's source port lies somewhere in `ctx.sourcePorts`. A rule
 * range covering all of it matches, one disjoint from it does not, one covering part of it may.
 */
export function sourcePortMatch(c: CompiledRule, ctx: FlowContext): PeerMatch {
  if (c.srcFrom === null || c.srcTo === null) return 'match';
  // Only TCP/UDP have ports; a source range on an ALL/ICMP/GRE rule is not something the platform defines.
  if (!PORTFUL(c.proto)) return 'maybe';
  const { from, to } = ctx.sourcePorts;
  if (c.srcFrom <= from && c.srcTo >= to) return 'match';
  if (c.srcTo < from || c.srcFrom > to) return 'no';
  return 'maybe';
}

/**
 * Everything but protocol and destination port: direction, NIC type, local address, peer, source port and
 * the fields that cannot be evaluated. 'maybe' when no field says no and something cannot be told.
 */
export function fixedMatch(c: CompiledRule, ctx: FlowContext): PeerMatch {
  if (c.rule.direction !== ctx.direction || !nicMatches(c, ctx) || !localMatches(c, ctx)) return 'no';
  const src = sourcePortMatch(c, ctx);
  if (src === 'no') return 'no';
  const peer = matchPeer(c.peer, ctx.remote);
  if (peer === 'no') return 'no';
  return peer === 'maybe' || src === 'maybe' || c.unevaluated.length > 0 ? 'maybe' : 'match';
}

/** Is the rule's "maybe" (if any) about a field rather than about the peer's membership or list? */
export function fieldUncertain(c: CompiledRule, ctx: FlowContext): boolean {
  return c.unevaluated.length > 0 || sourcePortMatch(c, ctx) === 'maybe';
}

/** Bit per field that does not match ('maybe' results have their own bits); 0 = the rule matches. No allocation. */
export const MISS = { direction: 1, protocol: 2, port: 4, peer: 8, nic: 16, local: 32, peerMaybe: 64, srcPort: 128, fieldMaybe: 256 } as const;

export function fieldMask(c: CompiledRule, ctx: FlowContext, port: number): number {
  let m = 0;
  if (c.rule.direction !== ctx.direction) m |= MISS.direction;
  if (!protoMatches(c, ctx.proto)) m |= MISS.protocol;
  if (!portMatches(c, ctx.proto, port)) m |= MISS.port;
  if (!nicMatches(c, ctx)) m |= MISS.nic;
  if (!localMatches(c, ctx)) m |= MISS.local;
  const src = sourcePortMatch(c, ctx);
  if (src === 'no') m |= MISS.srcPort;
  if (src === 'maybe' || c.unevaluated.length > 0) m |= MISS.fieldMaybe;
  // Two misses already: the peer cannot make it a near miss, skip the address test.
  if ((m & (m - 1)) !== 0) return m;
  const peer = matchPeer(c.peer, ctx.remote);
  if (peer === 'no') m |= MISS.peer;
  else if (peer === 'maybe') m |= MISS.peerMaybe;
  return m;
}

export interface Placement {
  placed: PlacedRule[];
  groups: SecurityGroup[];
  missing: string[];
  /** The placed rules in evaluation order (computed once, cached with the placement). */
  sorted(): PlacedRule[];
}

interface CachedPlacement extends Placement {
  ruleLists: SecurityGroupRule[][];
  ruleCounts: number[];
}

const placements = new WeakMap<SecurityGroup[], Map<string, CachedPlacement>>();

/**
 * Place the rules of an ENI's groups; missing group ids are returned separately. Cached per snapshot
 * group list and ENI group set (snapshots are immutable), so repeated evaluations skip all compilation.
 */
export function placeRules(snapshot: CloudSnapshot, groupIds: string[]): Placement {
  let perSnapshot = placements.get(snapshot.securityGroups);
  if (!perSnapshot) {
    perSnapshot = new Map();
    placements.set(snapshot.securityGroups, perSnapshot);
  }
  const key = groupIds.join('\n');
  const hit = perSnapshot.get(key);
  // Cheap guard against a group's rule list replaced or grown in place since it was cached.
  if (hit && hit.groups.every((g, i) => g.rules === hit.ruleLists[i] && g.rules.length === hit.ruleCounts[i])) return hit;
  const byId = new Map(snapshot.securityGroups.map((g) => [g.id, g]));
  const placed: PlacedRule[] = [];
  const groups: SecurityGroup[] = [];
  const missing: string[] = [];
  groupIds.forEach((id, groupIndex) => {
    const g = byId.get(id);
    if (!g) {
      missing.push(id);
      return;
    }
    groups.push(g);
    for (const r of g.rules) placed.push({ c: compileRule(r, g), groupIndex });
  });
  let sorted: PlacedRule[] | null = null;
  const placement: CachedPlacement = {
    placed,
    groups,
    missing,
    sorted: () => (sorted ??= [...placed].sort(compareRules)),
    ruleLists: groups.map((g) => g.rules),
    ruleCounts: groups.map((g) => g.rules.length),
  };
  perSnapshot.set(key, placement);
  return placement;
}

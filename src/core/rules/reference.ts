// A slow, obviously-correct reference of the rule semantics, for tests only. It shares nothing with the fast
// path except the ENI lookup: no compiled integers, no sorting, no sweep — it collects every matching rule
// with ipaddr.js and takes the minimum by (priority, drop first, group position, rule position), and it
// answers "which ports" by asking port after port.
import ipaddr from 'ipaddr.js';
import type { CloudSnapshot, NetworkAcl, NetworkAclEntry, SecurityGroupRule } from '../cloud/model';
import { instanceInterfaces, resolveInterface } from './interfaces';
import type { Flow } from './types';

export interface RefResult {
  decision: 'allow' | 'deny' | 'unknown';
  /** Deciding rule id, or 'default'. */
  ruleId: string;
  policy: 'accept' | 'drop';
}

function addr(text: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  try {
    return ipaddr.process(text.trim());
  } catch {
    return null;
  }
}

function inCidr(ipText: string, cidrText: string): boolean {
  const a = addr(ipText);
  if (!a) return false;
  let range: [ipaddr.IPv4 | ipaddr.IPv6, number];
  try {
    const t = cidrText.trim();
    range = t.includes('/') ? ipaddr.parseCIDR(t) : [ipaddr.parse(t), ipaddr.parse(t).kind() === 'ipv4' ? 32 : 128];
  } catch {
    return false;
  }
  let net = range[0];
  if (net.kind() === 'ipv6' && (net as ipaddr.IPv6).isIPv4MappedAddress()) net = (net as ipaddr.IPv6).toIPv4Address();
  if (a.kind() !== net.kind()) return false;
  return a.kind() === 'ipv4' ? (a as ipaddr.IPv4).match(net as ipaddr.IPv4, range[1]) : (a as ipaddr.IPv6).match(net as ipaddr.IPv6, range[1]);
}

const sameIp = (x: string, y: string): boolean => {
  const a = addr(x);
  const b = addr(y);
  return !!a && !!b && a.kind() === b.kind() && a.toNormalizedString() === b.toNormalizedString();
};

function isPublic(ipText: string): boolean {
  const a = addr(ipText);
  if (!a) return false;
  const nonPublic = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '169.254.0.0/16', '127.0.0.0/8', '0.0.0.0/8', '224.0.0.0/4', '240.0.0.0/4', 'fc00::/7', 'fe80::/10', '::1/128', '::/128', 'ff00::/8'];
  return !nonPublic.some((c) => inCidr(ipText, c));
}

const prio = (p: unknown): number => {
  const n = Number.parseInt(String(p), 10);
  return Number.isFinite(n) ? Math.min(100, Math.max(1, n)) : 1;
};

type Tri = 'yes' | 'no' | 'maybe';

export function referenceEvaluate(snapshot: CloudSnapshot, flow: Flow): RefResult {
  const remoteIp = flow.direction === 'ingress' ? flow.sourceIp : flow.destinationIp;
  const localIp = flow.direction === 'ingress' ? flow.destinationIp : flow.sourceIp;
  const unknown: RefResult = { decision: 'unknown', ruleId: 'none', policy: 'drop' };
  const remote = addr(remoteIp);
  if (!remote) return unknown;
  const choice = resolveInterface(snapshot, localIp);
  if (!choice.eni) return unknown;
  // An address that is not the described instance's: its groups say nothing about it.
  if (!choice.matched && snapshot.instance) return unknown;
  const v6 = remote.kind() === 'ipv6';
  let proto: string = flow.protocol;
  if (proto === 'icmp' && v6) proto = 'icmpv6';
  if (proto === 'icmpv6' && !v6) proto = 'icmp';

  // Membership of the remote: public addresses never belong to a group; private ones only if we see their ENI.
  let member: string[] | null = null;
  if (isPublic(remoteIp)) member = [];
  else {
    const eni = instanceInterfaces(snapshot).find((e) => [...e.privateIps, ...e.ipv6s].some((p) => sameIp(p, remoteIp)));
    if (eni) member = eni.securityGroupIds;
  }

  const groups = choice.groupIds.map((id) => snapshot.securityGroups.find((g) => g.id === id));
  const present = groups.filter((g) => g !== undefined);
  const missing = groups.length - present.length;
  if (present.length === 0) return unknown;

  // The connecting side's source port: one of these (an ephemeral port unless the flow says otherwise).
  const srcLo = flow.sourcePorts?.from ?? 1024;
  const srcHi = flow.sourcePorts?.to ?? 65535;
  const sourcePort = (r: SecurityGroupRule): Tri => {
    const s = r.sourcePortRange;
    if (!s || (s.from === -1 && s.to === -1)) return 'yes';
    if (r.protocol !== 'tcp' && r.protocol !== 'udp') return 'maybe';
    // How many of the possible source ports the rule admits: all → yes, none → no, some → maybe.
    const overlap = Math.max(0, Math.min(srcHi, s.to) - Math.max(srcLo, s.from) + 1);
    return overlap === srcHi - srcLo + 1 ? 'yes' : overlap === 0 ? 'no' : 'maybe';
  };
  const parses = (cidr: string): boolean => {
    const t = cidr.trim();
    try {
      if (t.includes('/')) ipaddr.parseCIDR(t);
      else ipaddr.parse(t);
      return true;
    } catch {
      return false;
    }
  };

  const matches = (r: SecurityGroupRule): Tri => {
    let uncertain = (r.unevaluated?.length ?? 0) > 0;
    const portList = r.unevaluated?.some((u) => u.field === 'PortRangeListId') ?? false;
    if (r.direction !== flow.direction) return 'no';
    if (r.protocol !== 'all' && r.protocol !== proto) return 'no';
    const portless = r.protocol === 'all' || (proto !== 'tcp' && proto !== 'udp') || (r.portRange.from === -1 && r.portRange.to === -1) || portList;
    if (!portless && (flow.port < r.portRange.from || flow.port > r.portRange.to)) return 'no';
    if (snapshot.instance?.networkType === 'classic' && r.nicType && r.nicType !== choice.scope) return 'no';
    if (r.localCidr) {
      if (!parses(r.localCidr)) uncertain = true;
      else if (![localIp, ...choice.localPrivateIps].some((l) => inCidr(l, r.localCidr as string))) return 'no';
    }
    const sp = sourcePort(r);
    if (sp === 'no') return 'no';
    if (sp === 'maybe') uncertain = true;
    const p = r.peer;
    let peer: Tri;
    if (p.kind === 'cidr') peer = !parses(p.cidr) ? 'maybe' : inCidr(remoteIp, p.cidr) ? 'yes' : 'no';
    else if (p.kind === 'group') peer = member === null ? 'maybe' : member.includes(p.groupId) ? 'yes' : 'no';
    else if (p.kind === 'prefix-list') peer = p.cidrs === null ? 'maybe' : p.cidrs.some((c) => inCidr(remoteIp, c)) ? 'yes' : 'no';
    else peer = 'maybe';
    if (peer === 'no') return 'no';
    return peer === 'maybe' || uncertain ? 'maybe' : 'yes';
  };

  type Cand = { r: SecurityGroupRule; gi: number };
  const yes: Cand[] = [];
  const maybe: Cand[] = [];
  groups.forEach((g, gi) => {
    if (!g) return;
    for (const r of g.rules) {
      const m = matches(r);
      if (m === 'yes') yes.push({ r, gi });
      else if (m === 'maybe') maybe.push({ r, gi });
    }
  });
  const key = (c: Cand): number[] => [prio(c.r.priority), c.r.policy === 'drop' ? 0 : 1, c.gi, c.r.order];
  const less = (a: Cand, b: Cand): boolean => {
    const ka = key(a);
    const kb = key(b);
    for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i] < kb[i];
    return false;
  };
  const winner = (cs: Cand[]): Cand | null => cs.reduce<Cand | null>((w, c) => (w === null || less(c, w) ? c : w), null);

  // Implicit default.
  let defPolicy: 'accept' | 'drop';
  let defUncertain = false;
  if (present.some((g) => g.type === 'enterprise')) defPolicy = 'drop';
  else if (flow.direction === 'egress') defPolicy = 'accept';
  else {
    const inner = present.filter((g) => g.innerAccessPolicy !== 'Drop');
    if (member !== null && inner.some((g) => member?.includes(g.id))) defPolicy = 'accept';
    else {
      defPolicy = 'drop';
      defUncertain = member === null && inner.length > 0;
    }
  }

  const w = winner(yes);
  const policy = w ? w.r.policy : defPolicy;
  // Would any single uncertain rule, if it matched, change the outcome?
  for (const m of maybe) {
    const alt = winner([...yes, m]);
    const altPolicy = alt ? alt.r.policy : defPolicy;
    if (altPolicy !== policy) return { decision: 'unknown', ruleId: w ? w.r.id : 'default', policy };
  }
  if (!w && defUncertain) return { decision: 'unknown', ruleId: 'default', policy };
  if (missing > 0 && !(w && w.r.policy === 'drop' && prio(w.r.priority) === 1)) return { decision: 'unknown', ruleId: w ? w.r.id : 'default', policy };
  return { decision: policy === 'accept' ? 'allow' : 'deny', ruleId: w ? w.r.id : 'default', policy };
}

/**
 * First match in array order; the ids of an ACL list and the decision. An entry with a field that cannot be
 * evaluated (or a CIDR that does not parse) may or may not match: `possible` collects every policy the list
 * could end with, so more than one means "unknown".
 */
export function referenceAclFirstMatch(entries: NetworkAclEntry[], proto: string, port: number, remoteIp: string): { policy: 'accept' | 'drop'; entryId: string | null; possible: Set<'accept' | 'drop'> } {
  const rank = (e: NetworkAclEntry): number => (e.entryType === 'system' ? 1e9 : 0) + e.order;
  const sorted = [...entries].sort((a, b) => rank(a) - rank(b));
  const possible = new Set<'accept' | 'drop'>();
  for (const e of sorted) {
    if (e.protocol !== 'all' && e.protocol !== proto) continue;
    const portless = e.protocol === 'all' || (proto !== 'tcp' && proto !== 'udp') || (e.portRange.from === -1 && e.portRange.to === -1);
    if (!portless && (port < e.portRange.from || port > e.portRange.to)) continue;
    const maybe = (e.unevaluated?.length ?? 0) > 0 || addr(e.cidr.split('/')[0]) === null;
    if (maybe) {
      if (addr(e.cidr.split('/')[0]) !== null && !inCidr(remoteIp, e.cidr)) continue;
      possible.add(e.policy);
      continue;
    }
    if (!inCidr(remoteIp, e.cidr)) continue;
    possible.add(e.policy);
    return { policy: e.policy, entryId: e.id, possible };
  }
  possible.add('drop');
  return { policy: 'drop', entryId: null, possible };
}

/** Port by port: which of from..to the ACL's egress list lets a reply reach, and which it may or may not (sorted and address-tested once). */
export function referenceAclAllowedPorts(acl: NetworkAcl, proto: string, remoteIp: string, from: number, to: number): Set<number> & { uncertain?: Set<number> } {
  const rank = (e: NetworkAclEntry): number => (e.entryType === 'system' ? 1e9 : 0) + e.order;
  const list = [...acl.egress]
    .sort((a, b) => rank(a) - rank(b))
    .filter((e) => e.protocol === 'all' || e.protocol === proto)
    .map((e) => {
      const parses = addr(e.cidr.split('/')[0]) !== null;
      const maybe = (e.unevaluated?.length ?? 0) > 0 || !parses;
      return { e, maybe, hit: parses ? inCidr(remoteIp, e.cidr) : true };
    })
    .filter((x) => x.hit);
  const ok: Set<number> & { uncertain?: Set<number> } = new Set<number>();
  const uncertain = new Set<number>();
  for (let p = from; p <= to; p++) {
    const possible = new Set<string>();
    let final: string | null = null;
    for (const { e, maybe } of list) {
      const covers = e.protocol === 'all' || (e.portRange.from === -1 && e.portRange.to === -1) || (p >= e.portRange.from && p <= e.portRange.to);
      if (!covers) continue;
      possible.add(e.policy);
      if (!maybe) {
        final = e.policy;
        break;
      }
    }
    if (final === null) possible.add('drop');
    if (possible.size > 1) uncertain.add(p);
    else if ((final ?? 'drop') === 'accept') ok.add(p);
  }
  ok.uncertain = uncertain;
  return ok;
}

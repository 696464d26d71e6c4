// A slow, obviously-correct reference of the Huawei rule semantics, for tests only. It shares no code with the
// evaluators: addresses through ipaddr.js, ports by asking each comma-separated token, no sort (the winner is the
// matching rule of least rank), and every rule that may or may not match is settled by trying all 2^k worlds
// (and, when the flavour is unknown, both kinds of flavour). The answer is the set of outcomes over the worlds.
import ipaddr from 'ipaddr.js';
import type { Flow } from '../../rules/types';
import type { AddressGroups, GroupMembers, HuaweiFirewall, HuaweiFirewallRule, HuaweiSecurityGroup, HuaweiSecurityGroupRule } from './types';

export interface RefOutcome {
  decision: 'allow' | 'deny' | 'unknown';
  /** With a known decision and no may-match rule in the way: the deciding rule id, or 'default'. */
  ruleId?: string;
}

type Tri = 'yes' | 'no' | 'maybe';

function ip(text: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  try {
    return ipaddr.process(text.trim());
  } catch {
    return null;
  }
}

function cidrHas(cidr: string, who: string): Tri {
  const a = ip(who);
  if (!a) return 'maybe';
  let net: ipaddr.IPv4 | ipaddr.IPv6;
  let len: number;
  try {
    if (cidr.includes('/')) [net, len] = ipaddr.parseCIDR(cidr.trim());
    else {
      net = ipaddr.parse(cidr.trim());
      len = net.kind() === 'ipv4' ? 32 : 128;
    }
  } catch {
    return 'maybe';
  }
  if (net.kind() !== a.kind()) return 'no';
  return (a as ipaddr.IPv4).match(net as ipaddr.IPv4, len) ? 'yes' : 'no';
}

function bytesOf(x: ipaddr.IPv4 | ipaddr.IPv6): number[] {
  return x.toByteArray();
}

function setEntryHas(entry: string, who: string): Tri {
  if (!entry.includes('-')) return cidrHas(entry, who);
  const [lo, hi] = entry.split('-').map((s) => ip(s));
  const a = ip(who);
  if (!lo || !hi || !a || lo.kind() !== hi.kind()) return 'maybe';
  if (a.kind() !== lo.kind()) return 'no';
  const cmp = (x: number[], y: number[]): number => {
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i] - y[i];
    return 0;
  };
  return cmp(bytesOf(a), bytesOf(lo)) >= 0 && cmp(bytesOf(a), bytesOf(hi)) <= 0 ? 'yes' : 'no';
}

// Documentation ranges (203.0.113.0/24, 2001:db8::/32) count as public here, as they stand in for internet hosts.
const NON_PUBLIC = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '169.254.0.0/16', '127.0.0.0/8', '0.0.0.0/8', '224.0.0.0/4', '240.0.0.0/4', 'fc00::/7', 'fe80::/10', '::1/128', '::/128', 'ff00::/8'];
const isPublic = (who: string): boolean => !!ip(who) && !NON_PUBLIC.some((c) => cidrHas(c, who) === 'yes');

/** 'all' when empty; null when unreadable. */
function tokensHave(spec: string | null | undefined, port: number): Tri {
  if (spec === null || spec === undefined || spec.trim() === '' || spec.trim() === '-1' || spec.trim().toLowerCase() === 'any') return 'yes';
  let found = false;
  for (const token of spec.split(',')) {
    const m = /^\s*(\d+)\s*(?:[-:]\s*(\d+))?\s*$/.exec(token);
    if (!m) return 'maybe';
    const lo = Number(m[1]);
    const hi = m[2] ? Number(m[2]) : lo;
    if (lo < 1 || hi > 65535 || lo > hi) return 'maybe';
    if (port >= lo && port <= hi) found = true;
  }
  return found ? 'yes' : 'no';
}

function protoName(p: string | null | undefined): string {
  const t = (p ?? '').trim().toLowerCase();
  const names: Record<string, string> = { '': 'all', any: 'all', all: 'all', '-1': 'all', '1': 'icmp', '6': 'tcp', '17': 'udp', '47': 'gre', '58': 'icmpv6' };
  return names[t] ?? t;
}

function versionOf(v: string | number | null | undefined): number | null {
  if (v === null || v === undefined || v === '') return 4;
  const t = String(v).toLowerCase().replace('ipv', '');
  return t === '4' ? 4 : t === '6' ? 6 : null;
}

const and = (...xs: Tri[]): Tri => (xs.includes('no') ? 'no' : xs.includes('maybe') ? 'maybe' : 'yes');

function sgRuleMatches(r: HuaweiSecurityGroupRule, flow: Flow, ag: AddressGroups | undefined, gm: GroupMembers | undefined): Tri {
  if (String(r.direction).toLowerCase() !== flow.direction) return 'no';
  const who = flow.direction === 'ingress' ? flow.sourceIp : flow.destinationIp;
  const fam = ip(who)?.kind() === 'ipv6' ? 6 : 4;
  const v = versionOf(r.ethertype);
  if (v !== null && v !== fam) return 'no';
  const p = protoName(r.protocol);
  if (p !== 'all' && p !== flow.protocol) return 'no';
  const port: Tri = flow.protocol === 'tcp' || flow.protocol === 'udp' ? tokensHave(r.multiport, flow.port) : 'yes';
  let remote: Tri;
  if (r.remote_address_group_id) {
    const set = ag?.[r.remote_address_group_id];
    remote = set ? (set.map((e) => setEntryHas(e, who)).includes('yes') ? 'yes' : set.map((e) => setEntryHas(e, who)).includes('maybe') ? 'maybe' : 'no') : 'maybe';
  } else if (r.remote_group_id) {
    const members = gm?.[r.remote_group_id];
    remote = members ? (members.some((m) => ip(m)?.toNormalizedString() === ip(who)?.toNormalizedString()) ? 'yes' : 'no') : isPublic(who) ? 'no' : 'maybe';
  } else if (r.remote_ip_prefix && r.remote_ip_prefix.trim() !== '') remote = cidrHas(r.remote_ip_prefix, who);
  else remote = 'yes';
  return and(v === null ? 'maybe' : 'yes', port, remote);
}

const OLD = /^(s1|c1|c2|m1|h1|d1|g1|g2|e1|e2|et2)$/i;

function oldFlavourIgnores(r: HuaweiSecurityGroupRule): boolean {
  return String(r.action ?? 'allow').toLowerCase() === 'deny' || !!r.remote_address_group_id || (r.multiport ?? '').includes(',');
}

function settle(outcomes: Set<string>, winners: Set<string>): RefOutcome {
  if (outcomes.size !== 1) return { decision: 'unknown' };
  const decision = [...outcomes][0] as 'allow' | 'deny';
  return winners.size === 1 ? { decision, ruleId: [...winners][0] } : { decision };
}

/** Security groups in port order, flow, options: the outcome over every world. */
export function referenceHuaweiSg(
  groups: HuaweiSecurityGroup[],
  flow: Flow,
  opts: { flavour?: string; addressGroups?: AddressGroups; groupMembers?: GroupMembers } = {},
): RefOutcome {
  if (groups.length === 0 || !ip(flow.direction === 'ingress' ? flow.sourceIp : flow.destinationIp)) return { decision: 'unknown' };
  const all: { r: HuaweiSecurityGroupRule; rank: number; m: Tri }[] = [];
  groups.forEach((g, gi) =>
    g.security_group_rules.forEach((r) => {
      const deny = String(r.action ?? 'allow').toLowerCase() === 'deny';
      const prio = r.priority === undefined || r.priority === null || r.priority === '' ? 1 : Number(r.priority);
      all.push({ r, rank: gi * 1000 + prio * 2 + (deny ? 0 : 1), m: sgRuleMatches(r, flow, opts.addressGroups, opts.groupMembers) });
    }),
  );
  const flavours = opts.flavour === undefined ? [false, true] : [OLD.test(opts.flavour.split('.')[0])];
  const outcomes = new Set<string>();
  const winners = new Set<string>();
  for (const old of flavours) {
    const live = all.filter((x) => !(old && oldFlavourIgnores(x.r)) && x.m !== 'no');
    const maybes = live.filter((x) => x.m === 'maybe');
    if (maybes.length > 12) return { decision: 'unknown' };
    for (let world = 0; world < 1 << maybes.length; world++) {
      const on = live.filter((x) => x.m === 'yes' || (world >> maybes.indexOf(x)) & 1);
      let best: (typeof on)[number] | null = null;
      for (const x of on) if (!best || x.rank < best.rank) best = x;
      outcomes.add(best ? (String(best.r.action ?? 'allow').toLowerCase() === 'deny' ? 'deny' : 'allow') : 'deny');
      // Rules of equal rank decide alike; report the one listed first.
      winners.add(best ? on.filter((x) => x.rank === best.rank)[0].r.id : 'default');
    }
  }
  return settle(outcomes, winners);
}

function aclRuleMatches(r: HuaweiFirewallRule, flow: Flow, localIp: string | null, ag: AddressGroups | undefined, sourcePorts: { from: number; to: number }): Tri {
  if (r.enabled === false) return 'no';
  const who = flow.direction === 'ingress' ? flow.sourceIp : flow.destinationIp;
  const fam = ip(who)?.kind() === 'ipv6' ? 6 : 4;
  const v = versionOf(r.ip_version);
  if (v !== null && v !== fam) return 'no';
  const p = protoName(r.protocol);
  if (p !== 'all' && p !== flow.protocol) return 'no';
  const portful = flow.protocol === 'tcp' || flow.protocol === 'udp';
  const dport: Tri = portful ? tokensHave(r.destination_port, flow.port) : 'yes';
  // Source ports: ask every port the connecting side may use.
  let sport: Tri = 'yes';
  if (portful && r.source_port) {
    let yes = 0;
    let no = 0;
    const spec = r.source_port;
    const memo = new Map<string, Tri>();
    for (let q = sourcePorts.from; q <= sourcePorts.to; q++) {
      // Same answer for every port between two token bounds: memoise by the bounds the port falls between.
      const key = spec.split(/[,:-]/).map((b) => (q < Number(b) ? 'l' : q > Number(b) ? 'g' : 'e')).join('');
      let t = memo.get(key);
      if (t === undefined) {
        t = tokensHave(spec, q);
        memo.set(key, t);
      }
      if (t === 'maybe') {
        yes = no = 1;
        break;
      }
      if (t === 'yes') yes++;
      else no++;
    }
    sport = yes && no ? 'maybe' : yes ? 'yes' : 'no';
  }
  const addrMatch = (cidr: string | null | undefined, group: string | null | undefined, target: string | null): Tri => {
    if (group) {
      const set = ag?.[group];
      if (!set || target === null) return 'maybe';
      const r2 = set.map((e) => setEntryHas(e, target));
      return r2.includes('yes') ? 'yes' : r2.includes('maybe') ? 'maybe' : 'no';
    }
    if (!cidr || cidr.trim() === '') return 'yes';
    return target === null ? 'maybe' : cidrHas(cidr, target);
  };
  const remote = flow.direction === 'ingress' ? addrMatch(r.source_ip_address, r.source_address_group_id, who) : addrMatch(r.destination_ip_address, r.destination_address_group_id, who);
  const local = flow.direction === 'ingress' ? addrMatch(r.destination_ip_address, r.destination_address_group_id, localIp) : addrMatch(r.source_ip_address, r.source_address_group_id, localIp);
  const act = String(r.action ?? '').toLowerCase();
  return and(v === null ? 'maybe' : 'yes', dport, sport, remote, local, act === 'allow' || act === 'deny' ? 'yes' : 'maybe');
}

/** The network ACL of the server's subnet: the inbound outcome over every world (stateful: no return check). */
export function referenceHuaweiAcl(
  acl: HuaweiFirewall | null,
  flow: Flow,
  opts: { subnetId?: string; localIp?: string; sameSubnet?: boolean; addressGroups?: AddressGroups } = {},
): RefOutcome {
  if (!acl || acl.admin_state_up === false) return { decision: 'allow' };
  const subnets = (acl.associations ?? []).map((a) => a.virsubnet_id);
  if (opts.subnetId !== undefined ? !subnets.includes(opts.subnetId) : subnets.length === 0) return { decision: 'allow' };
  if (!ip(flow.direction === 'ingress' ? flow.sourceIp : flow.destinationIp)) return { decision: 'unknown' };
  if (opts.sameSubnet) return { decision: 'allow' };
  const localText = opts.localIp ?? (flow.direction === 'ingress' ? flow.destinationIp : flow.sourceIp);
  const local = opts.localIp !== undefined || (ip(localText) && !isPublic(localText)) ? localText : null;
  const list = (flow.direction === 'ingress' ? acl.ingress_rules : acl.egress_rules) ?? [];
  const m = list.map((r) => ({ r, m: aclRuleMatches(r, flow, local, opts.addressGroups, flow.sourcePorts ?? { from: 1024, to: 65535 }) }));
  const maybes = m.filter((x) => x.m === 'maybe');
  if (maybes.length > 12) return { decision: 'unknown' };
  const outcomes = new Set<string>();
  const winners = new Set<string>();
  for (let world = 0; world < 1 << maybes.length; world++) {
    const first = m.find((x) => x.m === 'yes' || (x.m === 'maybe' && (world >> maybes.indexOf(x)) & 1));
    const act = first ? String(first.r.action).toLowerCase() : 'deny';
    // An unreadable action may be either.
    if (act !== 'allow' && act !== 'deny') {
      outcomes.add('allow');
      outcomes.add('deny');
    } else outcomes.add(act);
    winners.add(first ? first.r.id : 'default');
  }
  return settle(outcomes, winners);
}

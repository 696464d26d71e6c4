// Per-flow firewall evaluation: what does this firewall do with a NEW inbound connection from THIS client
// (its public egress IP as the server sees it), protocol and destination port? Every match condition is
// three-valued: yes, no, or "may match" (the source address is unknown, an ipset's contents are not listed,
// an interface other than lo, a rate limit, an option SG Doctor does not read). A rule that may match splits
// the walk: both "it matched" and "it did not" are followed, and the decision is certain only when every
// path ends in the same action (allow vs deny). Otherwise the decision is `unknown`, and `dependsOn` says on
// what. Semantics per firewall:
// - iptables (iptables-save, filter table): INPUT and the chains it jumps (-j) or goes (-g) to, rules in
//   order, first terminal target wins (ACCEPT, DROP, REJECT), RETURN and the end of a user chain go back to
//   the caller (after -g: to the caller's caller), the end of INPUT applies its policy. ufw's ufw-* chains
//   and firewalld's INPUT_ZONES / IN_<zone> chains (iptables backend) are ordinary user chains here.
// - nftables: every base chain on the input hook (ip/inet for IPv4, ip6/inet for IPv6) by priority; an
//   accept ends that chain and the packet meets the next one, drop/reject is final, the end of a base
//   chain applies its policy.
// - firewalld: the zone of the source (a zone whose `sources:` contains the client) wins over the zone of
//   the interface (else the default zone); in the zone: rich rules with a negative priority in order, then
//   deny rich rules, then allows (services, ports, protocols, source ports, allow rich rules), then rich
//   rules with a positive priority, then the target (default/%%REJECT%% reject, DROP, ACCEPT).
// - ufw: `ufw status verbose`, rules in order, first match wins, then `Default: … (incoming)`.
// - Windows Firewall: the profiles in force, inbound rules for protocol/port/remote address; a matching
//   Block rule beats any Allow rule; no match → the profile's default inbound action.
import { cidrContains, parseCidr, parseIp, type ParsedIp } from '../../rules/cidr';
import type { FirewallRuleSet, ServerEvidence } from '../types';
import { listCovers, rangeCovers, servicePorts } from './ports';

type FirewallFact = ServerEvidence['firewall'][number];
export type FlowAction = 'accept' | 'drop' | 'reject';
export type Dependency = 'source' | 'set' | 'interface' | 'destination' | 'rate' | 'source-port' | 'profile' | 'option' | 'incomplete';

export interface FlowInput {
  /** The client's public egress IP as the server sees it; null (or empty) when unknown. */
  sourceIp: string | null;
  protocol: 'tcp' | 'udp';
  port: number;
  /** The address the packet is sent to, as the server sees it (usually unknown: the cloud NATs the public IP). */
  destinationIp?: string | null;
}

export interface DecidedBy {
  kind: 'rule' | 'policy';
  /** The rule as printed, or "INPUT policy DROP", "zone public target default", … */
  text: string;
  chain?: string;
  /** 0-based position of the rule in its chain / list. */
  index?: number;
}

export interface FlowDecision {
  decision: 'allow' | 'deny' | 'unknown';
  /** The action of the deciding rule (reject vs drop tells how the client sees it). */
  action?: FlowAction;
  decidedBy?: DecidedBy;
  /** Plain English summary for the details panel. */
  reason: string;
  /** Rules that may or may not match this flow (texts), in the order met. */
  mayMatch: string[];
  /** What an undecided (or assumed) match depends on. */
  dependsOn: Dependency[];
  /** For an unknown decision: the distinct endings the flow may meet. */
  candidates?: { action: FlowAction | 'unknown'; by: DecidedBy }[];
}

// ---------------------------------------------------------------------------------------------------
// Three-valued matching.

export type Tri = 'yes' | 'no' | 'maybe';
interface M {
  tri: Tri;
  deps: Dependency[];
}
const YES: M = { tri: 'yes', deps: [] };
const NO: M = { tri: 'no', deps: [] };
const maybe = (...deps: Dependency[]): M => ({ tri: 'maybe', deps });
const tri = (b: boolean): M => (b ? YES : NO);
const not = (m: M): M => (m.tri === 'maybe' ? m : m.tri === 'yes' ? NO : YES);
function and(...ms: M[]): M {
  if (ms.some((m) => m.tri === 'no')) return NO;
  const may = ms.filter((m) => m.tri === 'maybe');
  return may.length ? { tri: 'maybe', deps: [...new Set(may.flatMap((m) => m.deps))] } : YES;
}
function or(ms: M[]): M {
  if (ms.some((m) => m.tri === 'yes')) return YES;
  const may = ms.filter((m) => m.tri === 'maybe');
  return may.length ? { tri: 'maybe', deps: [...new Set(may.flatMap((m) => m.deps))] } : NO;
}

/**
 * The client's source port is some ephemeral port (Linux 32768–60999, Windows 49152–65535, all ≥ 1024):
 * a source-port condition that covers none of 1024–65535 (DHCP's 67:68, DNS's 53) never matches; one that
 * covers some may match.
 */
const EPHEMERAL: [number, number] = [1024, 65535];
function sourcePortMay(ranges: [number, number][]): M {
  return ranges.some(([lo, hi]) => hi >= EPHEMERAL[0] && lo <= EPHEMERAL[1]) ? maybe('source-port') : NO;
}

/** "22", "1000:2000", "1000-2000", "80,443", service names → port ranges. */
function portRanges(spec: string): [number, number][] {
  return spec.split(',').flatMap((part): [number, number][] => {
    const m = /^\s*(\d+)(?:[-:](\d+))?\s*$/.exec(part);
    if (m) return [[Number(m[1]), Number(m[2] ?? m[1])]];
    return (servicePorts(part) ?? []).map((p): [number, number] => [p, p]);
  });
}

/** One address / CIDR / range "a-b" / netmask "a/255.255.0.0" against the source. */
function addressSpecCovers(spec: string, ip: ParsedIp | null, dep: Dependency = 'source'): M {
  const s = spec.trim().replace(/^"|"$/g, '');
  if (/^any$/i.test(s)) return YES;
  const mask = /^([\d.]+)\/(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  const range = /^([^-\s]+)-([^-\s]+)$/.exec(s);
  if (mask) {
    const bits = mask[2].split('.').map(Number).reduce((n, o) => n * 256 + o, 0);
    const len = bits.toString(2).replace(/0+$/, '').length;
    return addressSpecCovers(`${mask[1]}/${len}`, ip, dep);
  }
  if (range && parseIp(range[1]) && parseIp(range[2])) {
    const lo = parseIp(range[1])!;
    const hi = parseIp(range[2])!;
    if (!ip) return maybe(dep);
    if (ip.family !== lo.family) return NO;
    const n = (x: ParsedIp): bigint => (x.family === 4 ? BigInt(x.v4) : x.v6);
    return tri(n(ip) >= n(lo) && n(ip) <= n(hi));
  }
  const c = parseCidr(s);
  if (!c) return maybe('option');
  if (c.prefix === 0) return ip === null || ip.family === c.family ? YES : NO;
  if (!ip) return maybe(dep);
  return tri(cidrContains(c, ip));
}

// ---------------------------------------------------------------------------------------------------
// Chain walking with "may match" branches (iptables and nftables).

type Verdict = { kind: 'final'; action: FlowAction } | { kind: 'return' } | { kind: 'jump' | 'goto'; chain: string } | { kind: 'unknown'; why: string; dep: Dependency } | { kind: 'continue' };

interface WalkRule {
  text: string;
  index: number;
  match: M;
  verdict: Verdict;
}

interface Ending {
  kind: 'final' | 'return';
  action?: FlowAction | 'unknown';
  by?: DecidedBy;
  /** Rules assumed to have matched on the way (may-match rules taken). */
  assumedMatch: number;
  deps: Dependency[];
  why?: string;
}

interface WalkCtx {
  chain(name: string): { rules: WalkRule[]; incomplete: boolean } | undefined;
  mayMatch: string[];
  deps: Set<Dependency>;
  budget: { steps: number };
}

const MAX_STEPS = 20_000;
const MAX_DEPTH = 32;

function dedupe(es: Ending[]): Ending[] {
  const seen = new Map<string, Ending>();
  for (const e of es) {
    const k = `${e.kind}|${e.action ?? ''}|${e.by?.chain ?? ''}|${e.by?.index ?? ''}|${e.by?.text ?? ''}|${e.why ?? ''}`;
    const prev = seen.get(k);
    if (!prev || e.assumedMatch < prev.assumedMatch) seen.set(k, e);
  }
  return [...seen.values()];
}

function walkFrom(ctx: WalkCtx, chainName: string, start: number, depth: number, memo: Map<string, Ending[]>): Ending[] {
  const key = `${chainName}#${start}#${depth > MAX_DEPTH ? 'x' : ''}`;
  const hit = memo.get(key);
  if (hit) return hit;
  const chain = ctx.chain(chainName);
  let out: Ending[];
  if (!chain) out = [{ kind: 'final', action: 'unknown', by: { kind: 'rule', text: `chain ${chainName}`, chain: chainName }, assumedMatch: 0, deps: ['incomplete'], why: `chain ${chainName} is not in the output` }];
  else if (depth > MAX_DEPTH || ++ctx.budget.steps > MAX_STEPS) out = [{ kind: 'final', action: 'unknown', by: { kind: 'rule', text: `chain ${chainName}`, chain: chainName }, assumedMatch: 0, deps: ['incomplete'], why: 'too many jumps to follow' }];
  else out = walkRules(ctx, chainName, chain, start, depth, memo);
  out = dedupe(out);
  memo.set(key, out);
  return out;
}

function walkRules(ctx: WalkCtx, chainName: string, chain: { rules: WalkRule[]; incomplete: boolean }, start: number, depth: number, memo: Map<string, Ending[]>): Ending[] {
  for (let i = start; i < chain.rules.length; i++) {
    const r = chain.rules[i];
    if (r.match.tri === 'no' || r.verdict.kind === 'continue') continue;
    const by: DecidedBy = { kind: 'rule', text: r.text, chain: chainName, index: r.index };
    let taken: Ending[];
    const v = r.verdict;
    if (v.kind === 'final') taken = [{ kind: 'final', action: v.action, by, assumedMatch: 0, deps: [] }];
    else if (v.kind === 'return') taken = [{ kind: 'return', assumedMatch: 0, deps: [] }];
    else if (v.kind === 'unknown') taken = [{ kind: 'final', action: 'unknown', by, assumedMatch: 0, deps: [v.dep], why: v.why }];
    else {
      const sub = walkFrom(ctx, v.chain, 0, depth + 1, memo);
      taken = [];
      for (const e of sub) {
        if (e.kind === 'final') taken.push(e);
        else if (v.kind === 'goto') taken.push(e); // -g: the end of the target returns to our caller
        else taken.push(...walkFrom(ctx, chainName, i + 1, depth, memo).map((x) => ({ ...x, assumedMatch: x.assumedMatch + e.assumedMatch, deps: [...e.deps, ...x.deps] })));
      }
    }
    if (r.match.tri === 'yes') return taken;
    // May match: both ways.
    ctx.mayMatch.push(r.text);
    for (const d of r.match.deps) ctx.deps.add(d);
    const skipped = walkFrom(ctx, chainName, i + 1, depth, memo);
    return [...taken.map((e) => ({ ...e, assumedMatch: e.assumedMatch + 1, deps: [...e.deps, ...r.match.deps] })), ...skipped];
  }
  if (chain.incomplete) return [{ kind: 'final', action: 'unknown', by: { kind: 'rule', text: `chain ${chainName}`, chain: chainName }, assumedMatch: 0, deps: ['incomplete'], why: `chain ${chainName} was cut off in the output` }];
  return [{ kind: 'return', assumedMatch: 0, deps: [] }];
}

const category = (a: FlowAction | 'unknown' | undefined): 'allow' | 'deny' | 'unknown' => (a === 'accept' ? 'allow' : a === 'drop' || a === 'reject' ? 'deny' : 'unknown');

/** Endings → one decision. */
function conclude(endings: Ending[], mayMatch: string[], deps: Set<Dependency>, input: FlowInput): FlowDecision {
  const finals = endings.filter((e) => e.kind === 'final');
  const cats = new Set(finals.map((e) => category(e.action)));
  const uniqMay = [...new Set(mayMatch)];
  const allDeps = [...new Set([...deps, ...finals.flatMap((e) => e.deps)])];
  if (cats.size === 1 && !cats.has('unknown')) {
    // The ending reached with the fewest assumed matches is the one that holds whatever the unknowns are.
    const best = [...finals].sort((a, b) => a.assumedMatch - b.assumedMatch)[0];
    const decision = [...cats][0] as 'allow' | 'deny';
    const what = decision === 'allow' ? 'lets it in' : best.action === 'reject' ? 'rejects it' : 'drops it';
    return { decision, action: best.action as FlowAction, decidedBy: best.by, reason: `${best.by!.text} ${what}${uniqMay.length ? ` (whether or not ${uniqMay.length} undecided rule(s) match)` : ''}`, mayMatch: uniqMay, dependsOn: allDeps };
  }
  const candidates = dedupeCandidates(finals);
  const why = finals.find((e) => e.action === 'unknown')?.why;
  const src = allDeps.includes('source') && !input.sourceIp ? 'the deciding rule depends on the source address and the client\'s public IP is unknown' : '';
  const reason = [src, why, uniqMay.length ? `undecided: ${uniqMay.slice(0, 3).join(' | ')}` : ''].filter(Boolean).join('; ') || 'the rules could not be decided';
  return { decision: 'unknown', reason, mayMatch: uniqMay, dependsOn: allDeps, candidates };
}

function dedupeCandidates(finals: Ending[]): { action: FlowAction | 'unknown'; by: DecidedBy }[] {
  const out: { action: FlowAction | 'unknown'; by: DecidedBy }[] = [];
  for (const e of finals) if (e.by && !out.some((o) => o.action === e.action && o.by.text === e.by!.text && o.by.chain === e.by!.chain)) out.push({ action: e.action ?? 'unknown', by: e.by });
  return out;
}

// ---------------------------------------------------------------------------------------------------
// iptables.

function tokenize(s: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s))) out.push(m[1] ?? m[2]);
  return out;
}

const IPT_TERMINAL: Record<string, FlowAction> = { ACCEPT: 'accept', DROP: 'drop', REJECT: 'reject' };
/** Targets that do not end the walk. */
const IPT_NON_TERMINAL = new Set(['LOG', 'NFLOG', 'ULOG', 'MARK', 'CONNMARK', 'TRACE', 'AUDIT', 'CT', 'NOTRACK', 'TCPMSS', 'SET', 'CLASSIFY', 'DSCP', 'TOS', 'TTL', 'HL', 'SECMARK', 'CONNSECMARK', 'IDLETIMER', 'LED', 'RATEEST']);

/** Options followed by N values that do not restrict a NEW packet of this flow (or are handled elsewhere). */
const IPT_IGNORED: Record<string, number> = { '--limit-burst': 1, '--hashlimit-burst': 1, '--hashlimit-mode': 1, '--hashlimit-name': 1, '--hashlimit-htable-expire': 1, '--hashlimit-htable-size': 1, '--hashlimit-htable-max': 1, '--hashlimit-htable-gcinterval': 1, '--hashlimit-srcmask': 1, '--hashlimit-dstmask': 1, '--limit-iface-in': 0, '--limit-iface-out': 0, '-m': 1, '--match': 1, '--comment': 1, '--reject-with': 1, '--log-prefix': 1, '--log-level': 1, '--log-uid': 0, '--log-tcp-options': 0, '--log-ip-options': 0, '--log-tcp-sequence': 0, '--nflog-group': 1, '--nflog-prefix': 1, '--set-xmark': 1, '--set-mark': 1, '-c': 2, '--name': 1, '--mask': 1, '--rsource': 0, '--rdest': 0, '--reap': 0, '--rttl': 0 };

/** Values of iptables match options for a NEW inbound packet of the flow. */
export function iptablesMatch(args: string[], input: FlowInput): M {
  const ip = input.sourceIp ? parseIp(input.sourceIp) : null;
  const dst = input.destinationIp ? parseIp(input.destinationIp) : null;
  const ms: M[] = [];
  const protoNum = input.protocol === 'tcp' ? '6' : '17';
  for (let i = 0; i < args.length; i++) {
    let neg = false;
    if (args[i] === '!') {
      neg = true;
      i++;
    }
    const opt = args[i];
    // "-p ! tcp" (old syntax) also negates.
    const next = (): string => {
      if (args[i + 1] === '!') {
        neg = !neg;
        i++;
      }
      return args[++i] ?? '';
    };
    const put = (m: M): void => {
      ms.push(neg ? not(m) : m);
    };
    switch (opt) {
      case '-p':
      case '--protocol': {
        const v = next().toLowerCase();
        put(v === 'all' || v === '0' ? YES : tri(v === input.protocol || v === protoNum));
        break;
      }
      case '-s':
      case '--source':
      case '--src':
        put(or(next().split(',').map((x) => addressSpecCovers(x, ip, 'source'))));
        break;
      case '-d':
      case '--destination':
      case '--dst': {
        const v = next();
        // A client's packet is unicast to the instance: broadcast/multicast destinations never match.
        if (/^(22[4-9]|23\d|24\d|25[0-5])\./.test(v) && !/\/0$/.test(v)) put(NO);
        else put(or(v.split(',').map((x) => addressSpecCovers(x, dst, 'destination'))));
        break;
      }
      case '-i':
      case '--in-interface': {
        const v = next();
        put(v === 'lo' ? NO : v === '+' ? YES : maybe('interface'));
        break;
      }
      case '-o':
      case '--out-interface':
        next();
        put(NO); // INPUT has no output interface: iptables refuses -o there; in a user chain it never matches inbound
        break;
      case '--dport':
      case '--destination-port':
      case '--dports':
      case '--destination-ports':
        put(tri(listCovers(next(), input.port)));
        break;
      case '--sport':
      case '--source-port':
      case '--sports':
      case '--source-ports': {
        const v = next();
        put(sourcePortMay(portRanges(v)));
        break;
      }
      case '--ports': {
        const v = next(); // source or destination port
        put(or([tri(listCovers(v, input.port)), sourcePortMay(portRanges(v))]));
        break;
      }
      case '--state':
      case '--ctstate': {
        const states = next().toUpperCase().split(',');
        put(tri(states.includes('NEW')));
        break;
      }
      case '--syn':
        put(tri(input.protocol === 'tcp'));
        break;
      case '--tcp-flags': {
        const mask = next().toUpperCase().split(',');
        const comp = next().toUpperCase().split(',');
        const set = (l: string[]): Set<string> => new Set(l.includes('ALL') ? ['SYN', 'ACK', 'FIN', 'RST', 'URG', 'PSH'] : l.includes('NONE') ? [] : l);
        const m = set(mask);
        const c = set(comp);
        // A SYN carries SYN only: (flags & mask) == comp.
        const have = new Set<string>([...m].filter((f) => f === 'SYN'));
        put(tri(input.protocol === 'tcp' && have.size === c.size && [...c].every((f) => have.has(f))));
        break;
      }
      case '--dst-type': {
        const v = next().toUpperCase().split(',');
        put(tri(v.includes('LOCAL')));
        break;
      }
      case '--src-type': {
        const v = next().toUpperCase().split(',');
        put(v.includes('UNICAST') ? YES : v.some((x) => ['LOCAL', 'BROADCAST', 'MULTICAST', 'BLACKHOLE', 'UNREACHABLE', 'PROHIBIT'].includes(x)) && !v.includes('UNSPEC') ? NO : maybe('option'));
        break;
      }
      case '--icmp-type':
      case '--icmpv6-type':
        next();
        put(NO);
        break;
      case '--match-set': {
        next();
        next();
        put(maybe('set'));
        break;
      }
      // Rate conditions are read for one fresh connection attempt, below every limit: `limit` and
      // `hashlimit-upto` match (they match while under the rate), `hashlimit-above` and `recent --hitcount`
      // (the "too many attempts" branch of ufw LIMIT) do not. A `recent` check without a hit count is a
      // list of addresses seen before (port knocking, block lists): its contents are unknown.
      case '--limit':
      case '--hashlimit-upto':
      case '--hashlimit':
        next();
        put(YES);
        break;
      case '--hashlimit-above':
        next();
        put(NO);
        break;
      case '--rcheck':
      case '--update':
        put(args.includes('--hitcount') ? NO : maybe('set'));
        break;
      case '--set':
      case '--remove':
        break; // recent: records, always matches
      case '--seconds':
      case '--hitcount':
        next();
        break; // qualify --rcheck/--update
      case '-j':
      case '--jump':
      case '-g':
      case '--goto':
        next();
        break;
      default: {
        if (opt in IPT_IGNORED) {
          i += IPT_IGNORED[opt];
          break;
        }
        if (!opt?.startsWith('-')) break; // a stray value
        // An option SG Doctor does not read may restrict the rule: "may match".
        while (args[i + 1] !== undefined && !args[i + 1].startsWith('-') && args[i + 1] !== '!') i++;
        put(maybe('option'));
      }
    }
  }
  return and(...ms);
}

function iptablesVerdict(args: string[], chains: Set<string>): Verdict {
  let target: string | undefined;
  let go = false;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '-j' || args[i] === '--jump') target = args[i + 1];
    if (args[i] === '-g' || args[i] === '--goto') {
      target = args[i + 1];
      go = true;
    }
  }
  if (!target || IPT_NON_TERMINAL.has(target)) return { kind: 'continue' };
  if (target in IPT_TERMINAL) return { kind: 'final', action: IPT_TERMINAL[target] };
  if (target === 'RETURN') return { kind: 'return' };
  if (chains.has(target)) return { kind: go ? 'goto' : 'jump', chain: target };
  return { kind: 'unknown', why: `target ${target} is not understood`, dep: 'option' };
}

export function evaluateIptables(rs: Extract<FirewallRuleSet, { kind: 'iptables' }>, input: FlowInput): FlowDecision {
  const names = new Set(rs.chains.map((c) => c.name));
  const order = rs.chains.map((c) => c.name);
  const cutAt = rs.cutInChain ? order.indexOf(rs.cutInChain) : -1;
  const cache = new Map<string, { rules: WalkRule[]; incomplete: boolean } | undefined>();
  const ctx: WalkCtx = {
    chain(name) {
      if (cache.has(name)) return cache.get(name);
      const c = rs.chains.find((x) => x.name === name);
      let out: { rules: WalkRule[]; incomplete: boolean } | undefined;
      if (c) {
        const idx = order.indexOf(name);
        const builtin = ['INPUT', 'FORWARD', 'OUTPUT'].includes(name);
        const incomplete = !!rs.truncated && (cutAt < 0 || idx >= cutAt) && !(builtin && idx < cutAt);
        out = {
          incomplete,
          rules: c.rules.map((text, index) => {
            const args = tokenize(text);
            return { text: `-A ${name} ${text}`, index, match: iptablesMatch(args, input), verdict: iptablesVerdict(args, names) };
          }),
        };
      }
      cache.set(name, out);
      return out;
    },
    mayMatch: [],
    deps: new Set(),
    budget: { steps: 0 },
  };
  const endings = walkFrom(ctx, 'INPUT', 0, 0, new Map());
  const policy = (rs.policies.INPUT ?? 'ACCEPT').toUpperCase();
  const resolved = endings.map((e) => (e.kind === 'return' ? { ...e, kind: 'final' as const, action: IPT_TERMINAL[policy] ?? ('unknown' as const), by: { kind: 'policy' as const, text: `INPUT policy ${policy}`, chain: 'INPUT' } } : e));
  return conclude(resolved, ctx.mayMatch, ctx.deps, input);
}

// ---------------------------------------------------------------------------------------------------
// nftables.

/** Tokens of an nft rule, keeping `{ … }` sets and quoted strings whole. */
function nftTokens(rule: string): string[] {
  const out: string[] = [];
  const re = /{[^}]*}|"[^"]*"|\S+/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(rule))) out.push(m[0]);
  return out;
}

function nftElements(value: string, sets: Record<string, string[]>, family: string, table: string): string[] | null {
  if (value.startsWith('@')) return sets[`${family} ${table} ${value.slice(1)}`] ?? null;
  if (value.startsWith('{')) return value.slice(1, -1).split(',').map((x) => x.trim()).filter(Boolean);
  return [value.replace(/^"|"$/g, '')];
}

function nftPortElement(e: string, port: number): boolean {
  if (/^\d+(-\d+)?$/.test(e)) return rangeCovers(e, port);
  return (servicePorts(e) ?? []).includes(port);
}

/** firewalld services that are not TCP (servicePorts lists TCP ports): they never admit a TCP flow. */
const UDP_SERVICES: Record<string, number[]> = { 'dhcpv6-client': [546], dhcpv6: [547], dhcp: [67], mdns: [5353], ntp: [123], 'samba-client': [137, 138], snmp: [161], 'ipp-client': [631], openvpn: [1194], wireguard: [51820] };

/** Does a firewalld service / ufw application admit the flow? */
function serviceMatch(name: string, input: FlowInput): M {
  const udp = UDP_SERVICES[name.toLowerCase()];
  if (udp) return tri(input.protocol === 'udp' && udp.includes(input.port));
  const ports = servicePorts(name);
  return ports ? tri(input.protocol === 'tcp' && ports.includes(input.port)) : maybe('option');
}

const NFT_PROTO: Record<string, string> = { tcp: 'tcp', '6': 'tcp', udp: 'udp', '17': 'udp' };

interface NftRuleRead {
  match: M;
  verdict: Verdict;
}

/** Reads one nft rule for a NEW inbound packet of the flow. */
export function nftRead(rule: string, input: FlowInput, family: string, table: string, sets: Record<string, string[]>, v6: boolean): NftRuleRead {
  const t = nftTokens(rule);
  const ip = input.sourceIp ? parseIp(input.sourceIp) : null;
  const dst = input.destinationIp ? parseIp(input.destinationIp) : null;
  const ms: M[] = [];
  let verdict: Verdict = { kind: 'continue' };
  let i = 0;
  const value = (): { neg: boolean; v: string } => {
    let neg = false;
    if (t[i] === '!=') {
      neg = true;
      i++;
    } else if (t[i] === '==') i++;
    return { neg, v: t[i++] ?? '' };
  };
  const put = (m: M, neg: boolean): void => {
    ms.push(neg ? not(m) : m);
  };
  const elements = (v: string): string[] | null => nftElements(v, sets, family, table);
  while (i < t.length) {
    const a = t[i];
    const b = t[i + 1];
    if (a === 'counter') {
      i++;
      if (t[i] === 'packets') i += 4;
      continue;
    }
    if (a === 'comment') {
      i += 2;
      continue;
    }
    if (a === 'log') {
      i++;
      while (['prefix', 'level', 'group', 'flags', 'snaplen', 'queue-threshold'].includes(t[i])) i += 2;
      continue;
    }
    if ((a === 'iif' || a === 'iifname') && b) {
      i += 1;
      const { neg, v } = value();
      const names = elements(v)?.map((x) => x.replace(/^"|"$/g, '')) ?? null;
      put(names === null ? maybe('set') : names.length === 1 && names[0] === 'lo' ? NO : names.includes('lo') ? maybe('interface') : maybe('interface'), neg);
      continue;
    }
    if ((a === 'oif' || a === 'oifname') && b) {
      i += 1;
      value();
      put(NO, false);
      continue;
    }
    if ((a === 'ip' || a === 'ip6') && (b === 'saddr' || b === 'daddr')) {
      i += 2;
      const { neg, v } = value();
      if ((a === 'ip6') !== v6) {
        ms.push(NO); // an ip6 expression never matches an IPv4 packet (and vice versa)
        continue;
      }
      const el = elements(v);
      const target = b === 'saddr' ? ip : dst;
      const dep: Dependency = b === 'saddr' ? 'source' : 'destination';
      put(el === null ? maybe('set') : or(el.map((e) => addressSpecCovers(e, target, dep))), neg);
      continue;
    }
    if ((a === 'ip' && b === 'protocol') || (a === 'meta' && b === 'l4proto') || (a === 'ip6' && b === 'nexthdr')) {
      i += 2;
      const { neg, v } = value();
      if ((a === 'ip' && v6) || (a === 'ip6' && !v6)) {
        ms.push(NO);
        continue;
      }
      const el = elements(v);
      put(el === null ? maybe('set') : tri(el.some((e) => NFT_PROTO[e] === input.protocol)), neg);
      continue;
    }
    if (a === 'meta' && b === 'nfproto') {
      i += 2;
      const { neg, v } = value();
      put(tri(v === (v6 ? 'ipv6' : 'ipv4')), neg);
      continue;
    }
    if (a === 'meta' && b === 'pkttype') {
      i += 2;
      const { neg, v } = value();
      put(tri((elements(v) ?? []).includes('host')), neg);
      continue;
    }
    if (['tcp', 'udp', 'th', 'sctp', 'dccp', 'udplite'].includes(a) && (b === 'dport' || b === 'sport')) {
      i += 2;
      const { neg, v } = value();
      const protoOk = a === 'th' ? input.protocol === 'tcp' || input.protocol === 'udp' : a === input.protocol;
      if (!protoOk) {
        ms.push(NO); // the expression implies its protocol, even under !=
        continue;
      }
      const el = elements(v);
      if (el === null) put(maybe('set'), neg);
      else if (b === 'dport') put(tri(el.some((e) => nftPortElement(e, input.port))), neg);
      else put(sourcePortMay(el.flatMap((e) => portRanges(e))), neg);
      continue;
    }
    if (a === 'tcp' && b === 'flags') {
      i += 2;
      while (i < t.length && !/^(accept|drop|reject|return|jump|goto|counter|log|limit|ct|queue|continue)$/.test(t[i])) i++;
      ms.push(input.protocol === 'tcp' ? maybe('option') : NO);
      continue;
    }
    if ((a === 'icmp' || a === 'icmpv6') && b) {
      i += 2;
      value();
      ms.push(NO);
      continue;
    }
    if (a === 'ct' && b === 'state') {
      i += 2;
      const { neg, v } = value();
      put(tri((elements(v) ?? []).includes('new')), neg);
      continue;
    }
    if (a === 'ct' && b === 'status') {
      i += 2;
      const { neg, v } = value();
      // The cloud translates the public address before the instance: no DNAT on the instance itself.
      put((elements(v) ?? []).some((x) => x === 'dnat' || x === 'snat') ? NO : maybe('option'), neg);
      continue;
    }
    if (a === 'fib' && b === 'daddr' && t[i + 2] === 'type') {
      i += 3;
      const { neg, v } = value();
      put(tri((elements(v) ?? []).includes('local')), neg);
      continue;
    }
    if (a === 'limit' || a === 'meter' || (a === 'ct' && b === 'count')) {
      // One fresh connection attempt (see the iptables note): under a rate it matches, "over" it does not.
      const start = i;
      i++;
      while (i < t.length && !/^(accept|drop|reject|return|jump|goto|counter|log|queue|continue)$/.test(t[i])) i++;
      const body = t.slice(start, i).join(' ');
      ms.push(a === 'meter' ? maybe('rate') : /\bover\b/.test(body) ? NO : YES);
      continue;
    }
    // Verdicts.
    if (a === 'accept' || a === 'drop') {
      verdict = { kind: 'final', action: a };
      i++;
      continue;
    }
    if (a === 'reject') {
      verdict = { kind: 'final', action: 'reject' };
      i++;
      // "with tcp reset", "with icmpx type admin-prohibited", "with icmpx admin-prohibited"
      if (t[i] === 'with') {
        i += 2;
        if (t[i] === 'type') i++;
        i++;
      }
      continue;
    }
    if (a === 'return') {
      verdict = { kind: 'return' };
      i++;
      continue;
    }
    if ((a === 'jump' || a === 'goto') && b) {
      verdict = { kind: a, chain: b };
      i += 2;
      continue;
    }
    if (a === 'queue') {
      verdict = { kind: 'unknown', why: 'packets are queued to a userspace program', dep: 'option' };
      break;
    }
    if (a === 'continue') {
      i++;
      continue;
    }
    // Anything else may restrict the rule.
    ms.push(maybe('option'));
    i++;
  }
  return { match: and(...ms), verdict };
}

export function evaluateNftables(rs: Extract<FirewallRuleSet, { kind: 'nftables' }>, input: FlowInput): FlowDecision {
  const v6 = (input.sourceIp ? parseIp(input.sourceIp)?.family : input.destinationIp ? parseIp(input.destinationIp)?.family : 4) === 6;
  const families = v6 ? ['ip6', 'inet'] : ['ip', 'inet'];
  const managed = new Set(rs.managedTables);
  const bases = rs.chains.filter((c) => c.hook === 'input' && families.includes(c.family) && !managed.has(`${c.family} ${c.table}`)).sort((a, b) => a.priority - b.priority);
  const key = (c: { family: string; table: string; name: string }): string => `${c.family} ${c.table} ${c.name}`;
  const byKey = new Map(rs.chains.map((c) => [key(c), c]));
  const mayMatch: string[] = [];
  const deps = new Set<Dependency>();
  if (!bases.length) return { decision: 'allow', decidedBy: { kind: 'policy', text: 'no nftables chain on the input hook' }, action: 'accept', reason: 'no chain filters inbound packets', mayMatch, dependsOn: [] };
  const cache = new Map<string, { rules: WalkRule[]; incomplete: boolean } | undefined>();
  // Chain names in the walker are "family table name" so that jumps stay inside their table.
  const ctx: WalkCtx = {
    chain(name) {
      if (cache.has(name)) return cache.get(name);
      const c = byKey.get(name);
      const out = c && {
        incomplete: !!rs.truncated && c === rs.chains[rs.chains.length - 1],
        rules: c.rules.map((text, index) => {
          const r = nftRead(text, input, c.family, c.table, rs.sets, v6);
          const verdict: Verdict = r.verdict.kind === 'jump' || r.verdict.kind === 'goto' ? { kind: r.verdict.kind, chain: `${c.family} ${c.table} ${r.verdict.chain}` } : r.verdict;
          return { text: text.replace(/\s*counter packets \d+ bytes \d+/, ''), index, match: r.match, verdict };
        }),
      };
      cache.set(name, out);
      return out;
    },
    mayMatch,
    deps,
    budget: { steps: 0 },
  };
  // Base chains in sequence: accept moves on to the next base chain.
  let endings: Ending[] = [];
  const run = (bi: number, assumed: number, d: Dependency[]): void => {
    const c = bases[bi];
    const es = walkFrom(ctx, key(c), 0, 0, new Map());
    for (const e of es) {
      const fin: Ending = e.kind === 'return' ? { ...e, kind: 'final', action: c.policy ?? 'accept', by: { kind: 'policy', text: `${key(c)} policy ${c.policy ?? 'accept'}`, chain: key(c) } } : e;
      const merged = { ...fin, assumedMatch: fin.assumedMatch + assumed, deps: [...d, ...fin.deps] };
      if (fin.action === 'accept' && bi + 1 < bases.length) run(bi + 1, merged.assumedMatch, merged.deps);
      else endings.push(merged);
    }
  };
  run(0, 0, []);
  endings = dedupe(endings);
  // An accept by an earlier chain is not what decided when a later chain's policy accepts too: report the last one reached.
  return conclude(endings, mayMatch, deps, input);
}

// ---------------------------------------------------------------------------------------------------
// firewalld.

type Zone = Extract<FirewallRuleSet, { kind: 'firewalld' }>['zones'][number];
const words = (v: string | undefined): string[] => (v ?? '').split(/\s+/).filter(Boolean);

interface Step {
  m: M;
  action: FlowAction;
  by: DecidedBy;
}

function richStep(zone: Zone, rule: string, index: number, input: FlowInput, ip: ParsedIp | null): Step | null {
  const action: FlowAction | undefined = /\saccept\b/.test(rule) ? 'accept' : /\sreject\b/.test(rule) ? 'reject' : /\sdrop\b/.test(rule) ? 'drop' : undefined;
  if (!action) return null; // log/audit/mark only
  const ms: M[] = [];
  const fam = /family="(ipv4|ipv6)"/.exec(rule)?.[1];
  const v6 = ip?.family === 6;
  if (fam) ms.push(tri((fam === 'ipv6') === v6));
  const src = /source\s+(not\s+)?address="([^"]+)"/.exec(rule);
  if (src) ms.push(src[1] ? not(addressSpecCovers(src[2], ip)) : addressSpecCovers(src[2], ip));
  if (/source\s+(not\s+)?ipset=/.test(rule)) ms.push(maybe('set'));
  if (/source\s+(not\s+)?mac=/.test(rule)) ms.push(maybe('source'));
  if (/destination\s+(not\s+)?address=/.test(rule)) ms.push(maybe('destination'));
  const port = /\bport\s+port="([^"]+)"\s+protocol="([^"]+)"/.exec(rule);
  const sport = /source-port\s+port="([^"]+)"\s+protocol="([^"]+)"/.exec(rule);
  const svc = /service\s+name="([^"]+)"/.exec(rule);
  const proto = /protocol\s+value="([^"]+)"/.exec(rule);
  if (/\b(icmp-block|icmp-type|forward-port|masquerade)\b/.test(rule)) return null;
  if (port && !/source-port\s+port="[^"]+"\s+protocol="[^"]+"\s*$/.test(port[0])) ms.push(tri(port[2] === input.protocol && rangeCovers(port[1], input.port)));
  if (sport) ms.push(sport[2] === input.protocol ? sourcePortMay(portRanges(sport[1])) : NO);
  if (svc) ms.push(serviceMatch(svc[1], input));
  if (proto) ms.push(tri(proto[1] === input.protocol));
  return { m: and(...ms), action, by: { kind: 'rule', text: `zone ${zone.name} rich rule: ${rule}`, chain: zone.name, index } };
}

function zoneSteps(zone: Zone, input: FlowInput, ip: ParsedIp | null): { steps: Step[]; end: Step } {
  const rich = zone.richRules.map((r, i) => ({ r, i, prio: Number(/priority="?(-?\d+)"?/.exec(r)?.[1] ?? 0), step: richStep(zone, r, i, input, ip) })).filter((x) => x.step !== null);
  const pre = rich.filter((x) => x.prio < 0).sort((a, b) => a.prio - b.prio).map((x) => x.step!);
  const post = rich.filter((x) => x.prio > 0).sort((a, b) => a.prio - b.prio).map((x) => x.step!);
  const deny = rich.filter((x) => x.prio === 0 && x.step!.action !== 'accept').map((x) => x.step!);
  const allow: Step[] = rich.filter((x) => x.prio === 0 && x.step!.action === 'accept').map((x) => x.step!);
  const z = (field: string, text: string): DecidedBy => ({ kind: 'rule', text: `zone ${zone.name} ${field}: ${text}`, chain: zone.name });
  for (const p of words(zone.fields.ports)) {
    const m = /^([\d-]+)\/(\w+)$/.exec(p);
    if (m) allow.push({ m: tri(m[2] === input.protocol && rangeCovers(m[1], input.port)), action: 'accept', by: z('ports', p) });
  }
  for (const s of words(zone.fields.services)) {
    allow.push({ m: serviceMatch(s, input), action: 'accept', by: z('services', s) });
  }
  for (const p of words(zone.fields.protocols)) allow.push({ m: tri(p === input.protocol), action: 'accept', by: z('protocols', p) });
  for (const p of words(zone.fields['source-ports'])) {
    const m = /^([\d-]+)\/(\w+)$/.exec(p);
    if (m) allow.push({ m: m[2] === input.protocol ? sourcePortMay(portRanges(m[1])) : NO, action: 'accept', by: z('source-ports', p) });
  }
  for (const f of words(zone.fields['forward-ports'])) {
    const m = /port=([\d-]+):proto=(\w+)/.exec(f);
    if (m) allow.push({ m: tri(m[2] === input.protocol && rangeCovers(m[1], input.port)), action: 'accept', by: z('forward-ports', f) });
  }
  const target = zone.fields.target ?? 'default';
  const action: FlowAction = target === 'ACCEPT' ? 'accept' : target === 'DROP' ? 'drop' : 'reject';
  return { steps: [...pre, ...deny, ...allow, ...post], end: { m: YES, action, by: { kind: 'policy', text: `zone ${zone.name} target ${target}`, chain: zone.name } } };
}

/** First terminal match wins over a list of steps, with may-match branching. */
function walkSteps(steps: Step[], end: Step, mayMatch: string[], deps: Set<Dependency>): Ending[] {
  const out: Ending[] = [];
  for (const s of steps) {
    if (s.m.tri === 'no') continue;
    if (s.m.tri === 'yes') {
      out.push({ kind: 'final', action: s.action, by: s.by, assumedMatch: 0, deps: [] });
      return out;
    }
    mayMatch.push(s.by.text);
    for (const d of s.m.deps) deps.add(d);
    out.push({ kind: 'final', action: s.action, by: s.by, assumedMatch: 1, deps: s.m.deps });
  }
  out.push({ kind: 'final', action: end.action, by: end.by, assumedMatch: 0, deps: [] });
  return out;
}

export function evaluateFirewalld(rs: Extract<FirewallRuleSet, { kind: 'firewalld' }>, input: FlowInput): FlowDecision {
  const ip = input.sourceIp ? parseIp(input.sourceIp) : null;
  const mayMatch: string[] = [];
  const deps = new Set<Dependency>();
  const endings: Ending[] = [];
  // The zone of the interface carrying the traffic: the zones with interfaces (lo excluded), else the default zone.
  const ifZones = rs.zones.filter((z) => words(z.fields.interfaces).some((i) => i !== 'lo'));
  const fallback = rs.zones.find((z) => z.name === rs.defaultZone) ?? rs.zones.find((z) => z.isDefault) ?? rs.zones[0];
  const ifaceCandidates = ifZones.length ? ifZones : fallback ? [fallback] : [];
  if (ifZones.length > 1) {
    deps.add('interface');
    mayMatch.push(`zones with interfaces: ${ifZones.map((z) => `${z.name} (${z.fields.interfaces})`).join(', ')}`);
  }
  // Source zones win over interface zones (first matching source zone).
  let assumed = 0;
  let decided = false;
  for (const z of rs.zones.filter((x) => words(x.fields.sources).length)) {
    const m = or(words(z.fields.sources).map((s) => (s.startsWith('ipset:') ? maybe('set') : /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i.test(s) ? maybe('source') : addressSpecCovers(s, ip))));
    if (m.tri === 'no') continue;
    const { steps, end } = zoneSteps(z, input, ip);
    const es = walkSteps(steps, end, mayMatch, deps).map((e) => ({ ...e, assumedMatch: e.assumedMatch + (m.tri === 'maybe' ? 1 : 0) + assumed, deps: [...e.deps, ...m.deps] }));
    endings.push(...es);
    if (m.tri === 'yes') {
      decided = true;
      break;
    }
    mayMatch.push(`zone ${z.name} sources: ${z.fields.sources}`);
    for (const d of m.deps) deps.add(d);
    assumed++;
  }
  if (!decided) {
    for (const z of ifaceCandidates) {
      const { steps, end } = zoneSteps(z, input, ip);
      endings.push(...walkSteps(steps, end, mayMatch, deps).map((e) => ({ ...e, assumedMatch: e.assumedMatch + assumed })));
    }
  }
  if (!endings.length) return { decision: 'unknown', reason: 'no firewalld zone in the output', mayMatch, dependsOn: ['incomplete'] };
  return conclude(dedupe(endings), mayMatch, deps, input);
}

// ---------------------------------------------------------------------------------------------------
// ufw.

const UFW_ACTION: Record<string, FlowAction> = { ALLOW: 'accept', LIMIT: 'accept', DENY: 'drop', REJECT: 'reject' };

/** The "To" or "From" column: "[address] [port[/proto]] [(app)] [on iface]" or "Anywhere" or an app name. */
function ufwColumn(col: string, input: FlowInput, side: 'to' | 'from', ip: ParsedIp | null): M {
  let s = col.trim();
  const ms: M[] = [];
  const on = /\s+on\s+(\S+)$/.exec(s);
  if (on) {
    ms.push(on[1] === 'lo' ? NO : maybe('interface'));
    s = s.slice(0, on.index).trim();
  }
  const v6 = /\(v6\)/.test(s);
  s = s.replace(/\s*\(v6\)/, '').trim();
  if (v6 !== (ip?.family === 6)) ms.push(NO);
  // "22/tcp (OpenSSH)" → "22/tcp"
  s = s.replace(/\s*\((?:[^()]|\([^)]*\))*\)\s*$/, '').trim();
  if (s === 'Anywhere' || s === '') return and(...ms);
  const parts = s.split(/\s+/);
  let addr: string | undefined;
  let port: string | undefined;
  if (parts.length >= 2) {
    addr = parts[0];
    port = parts.slice(1).join(' ');
  } else if (parseCidr(parts[0]) || parseIp(parts[0])) addr = parts[0];
  else port = parts[0];
  if (addr && addr !== 'Anywhere') ms.push(side === 'from' ? addressSpecCovers(addr, ip) : addressSpecCovers(addr, input.destinationIp ? parseIp(input.destinationIp) : null, 'destination'));
  if (port) {
    const pm = /^([\d,:]+)(?:\/(tcp|udp))?$/.exec(port);
    if (pm) ms.push(pm[2] && pm[2] !== input.protocol ? NO : side === 'to' ? tri(listCovers(pm[1], input.port)) : sourcePortMay(portRanges(pm[1])));
    else {
      const app = servicePorts(port);
      ms.push(app ? (side === 'to' ? tri(input.protocol === 'tcp' && app.includes(input.port)) : maybe('source-port')) : maybe('option'));
    }
  }
  return and(...ms);
}

export function evaluateUfw(rs: Extract<FirewallRuleSet, { kind: 'ufw' }>, input: FlowInput): FlowDecision {
  const ip = input.sourceIp ? parseIp(input.sourceIp) : null;
  const steps: Step[] = [];
  rs.rules.forEach((r, index) => {
    if (r.direction !== 'IN') return;
    const m = and(ufwColumn(r.to, input, 'to', ip), ufwColumn(r.from, input, 'from', ip));
    // LIMIT accepts a fresh attempt (it rejects only the 6th attempt within 30 s from one address).
    steps.push({ m, action: UFW_ACTION[r.action], by: { kind: 'rule', text: `ufw: ${r.line.replace(/\s{2,}/g, ' ')}`, index } });
  });
  const d = rs.defaultIncoming;
  const mayMatch: string[] = [];
  const deps = new Set<Dependency>();
  if (!d) {
    const endings = walkSteps(steps, { m: YES, action: 'drop', by: { kind: 'policy', text: 'ufw default (incoming) not shown' } }, mayMatch, deps).map((e) => (e.by?.kind === 'policy' ? { ...e, action: 'unknown' as const, why: 'the default incoming policy is not in the output (use `ufw status verbose`)' } : e));
    return conclude(endings, mayMatch, deps, input);
  }
  const end: Step = { m: YES, action: UFW_ACTION[d === 'allow' ? 'ALLOW' : d === 'deny' ? 'DENY' : 'REJECT'], by: { kind: 'policy', text: `ufw default ${d} (incoming)` } };
  return conclude(walkSteps(steps, end, mayMatch, deps), mayMatch, deps, input);
}

// ---------------------------------------------------------------------------------------------------
// Windows Firewall.

function winRemote(remote: string, ip: ParsedIp | null): M {
  return or(
    remote.split(',').map((r) => {
      const s = r.trim();
      if (/^(Any|\*)$/i.test(s)) return YES;
      if (parseCidr(s) || parseIp(s) || /^[^-\s]+-[^-\s]+$/.test(s) || /\/\d+\.\d+\.\d+\.\d+$/.test(s)) return addressSpecCovers(s, ip);
      // LocalSubnet, Internet, Intranet, DefaultGateway, DNS, …: keywords whose contents the evidence does not list.
      return maybe('source');
    }),
  );
}

export function evaluateWindows(rs: Extract<FirewallRuleSet, { kind: 'windows' }>, input: FlowInput): FlowDecision {
  const ip = input.sourceIp ? parseIp(input.sourceIp) : null;
  const mayMatch: string[] = [];
  const deps = new Set<Dependency>();
  const live = rs.profiles.filter((p) => !rs.categories.length || rs.categories.includes(p.name));
  const candidates = live.length ? live : rs.profiles;
  const endings: Ending[] = [];
  // The public NIC is in one profile; which one is not known when several are in force.
  const multi = candidates.length > 1;
  if (multi) deps.add('profile');
  for (const p of candidates) {
    const pm: number = multi ? 1 : 0;
    if (p.enabled === false) {
      endings.push({ kind: 'final', action: 'accept', by: { kind: 'policy', text: `profile ${p.name} is off` }, assumedMatch: pm, deps: [] });
      continue;
    }
    const rules = rs.rules.map((r, index) => {
      const profiles = /^(Any|All)$/i.test(r.profile) ? ['Domain', 'Private', 'Public'] : r.profile.split(/,\s*/);
      const proto = r.protocol.toUpperCase();
      const m = and(
        tri(profiles.some((x) => x.toLowerCase() === p.name.toLowerCase())),
        tri(proto === 'ANY' || proto === input.protocol.toUpperCase() || proto === (input.protocol === 'tcp' ? '6' : '17')),
        tri(r.port.split(',').some((x) => /^Any$/i.test(x.trim()) || listCovers(x.trim().replace('-', ':'), input.port))),
        winRemote(r.remote, ip),
      );
      return { r, index, m };
    });
    const by = (x: (typeof rules)[number]): DecidedBy => ({ kind: 'rule', text: `${x.r.action} rule "${x.r.name}" (remote ${x.r.remote}, profile ${x.r.profile})`, index: x.index });
    const blocks = rules.filter((x) => x.r.action === 'Block' && x.m.tri !== 'no');
    const allows = rules.filter((x) => x.r.action === 'Allow' && x.m.tri !== 'no');
    const sureBlock = blocks.find((x) => x.m.tri === 'yes');
    for (const x of [...blocks, ...allows].filter((y) => y.m.tri === 'maybe')) {
      mayMatch.push(by(x).text);
      for (const d of x.m.deps) deps.add(d);
    }
    if (sureBlock) {
      endings.push({ kind: 'final', action: 'drop', by: by(sureBlock), assumedMatch: pm, deps: [] });
      continue;
    }
    // Block beats allow: a block that may match is a possible ending whatever allows.
    for (const b of blocks) endings.push({ kind: 'final', action: 'drop', by: by(b), assumedMatch: pm + 1, deps: b.m.deps });
    const sureAllow = allows.find((x) => x.m.tri === 'yes');
    if (sureAllow) {
      endings.push({ kind: 'final', action: 'accept', by: by(sureAllow), assumedMatch: pm, deps: [] });
      continue;
    }
    for (const a of allows) endings.push({ kind: 'final', action: 'accept', by: by(a), assumedMatch: pm + 1, deps: a.m.deps });
    const dflt = p.inbound === 'Allow' ? 'accept' : p.inbound === 'Block' || p.inbound === 'NotConfigured' ? 'drop' : null;
    const text = `profile ${p.name} default inbound ${p.inbound ?? 'unknown'}`;
    if (!rs.rulesListed) endings.push({ kind: 'final', action: 'unknown', by: { kind: 'policy', text }, assumedMatch: pm, deps: ['incomplete'], why: 'the inbound rules were not listed' });
    else if (p.enabled === null) endings.push({ kind: 'final', action: dflt ?? 'unknown', by: { kind: 'policy', text }, assumedMatch: pm + 1, deps: ['profile'] }, { kind: 'final', action: 'accept', by: { kind: 'policy', text: `profile ${p.name} may be off` }, assumedMatch: pm + 1, deps: ['profile'] });
    else endings.push({ kind: 'final', action: dflt ?? 'unknown', by: { kind: 'policy', text }, assumedMatch: pm, deps: [], ...(dflt ? {} : { why: `the default inbound action of profile ${p.name} is not known` }) });
  }
  if (!endings.length) return { decision: 'unknown', reason: 'no firewall profile in the output', mayMatch, dependsOn: ['incomplete'] };
  return conclude(dedupe(endings), mayMatch, deps, input);
}

// ---------------------------------------------------------------------------------------------------
// Entry point.

/**
 * What this firewall does with the flow. Facts without parsed rules (older sessions) fall back to `allowsPort`.
 * With the source unknown, a three-valued walk can stay undecided where every source gets the same answer
 * (a DENY for 203.0.113.0/24 shadowing an ALLOW for 203.0.113.128/25): the IPv4 address space is then cut at
 * every address and network the rules name, one address of each piece is evaluated, and an answer shared by
 * all of them is the answer for any source.
 */
export function evaluateFirewallFlow(fw: FirewallFact, input: FlowInput): FlowDecision {
  const base = evaluateOnce(fw, input);
  if (input.sourceIp || base.decision !== 'unknown' || !base.dependsOn.includes('source')) return base;
  const candidates = sourceCandidates(fw);
  if (!candidates) return base;
  const each = candidates.map((ip) => evaluateOnce(fw, { ...input, sourceIp: ip }));
  const decisions = new Set(each.map((d) => d.decision));
  if (decisions.size !== 1 || decisions.has('unknown')) return base;
  const deciders = [...new Map(each.filter((d) => d.decidedBy).map((d) => [d.decidedBy!.text, d.decidedBy!])).values()];
  const first = each[0];
  return {
    ...first,
    reason: `the same for every source address${deciders.length > 1 ? `, by ${deciders.map((d) => d.text).join(' | ')}` : ''}`,
    mayMatch: base.mayMatch,
    dependsOn: base.dependsOn.filter((d) => d !== 'source'),
  };
}

const MAX_SOURCE_CANDIDATES = 512;

/** One IPv4 address per piece of the address space the rules' addresses and networks cut it into. */
function sourceCandidates(fw: FirewallFact): string[] | null {
  const text = JSON.stringify(fw.rules ?? fw.sourceRestricted ?? {});
  const points = new Set<number>([0, 2 ** 32 - 1, 134744072 /* 8.8.8.8 */]);
  for (const m of text.matchAll(/(?<![\d.])(\d{1,3}(?:\.\d{1,3}){3})(?:\/(\d{1,3}(?:\.\d{1,3}){3}|\d{1,2}))?(?![\d.])/g)) {
    const ip = parseIp(m[1]);
    if (!ip || ip.family !== 4) continue;
    let len = 32;
    if (m[2]?.includes('.')) len = m[2].split('.').map(Number).reduce((n, o) => n * 256 + o, 0).toString(2).replace(/0+$/, '').length;
    else if (m[2]) len = Math.min(32, Number(m[2]));
    const size = 2 ** (32 - len);
    const lo = Math.floor(ip.v4 / size) * size;
    for (const n of [lo - 1, lo, lo + size - 1, lo + size]) if (n >= 0 && n < 2 ** 32) points.add(n);
    if (points.size > MAX_SOURCE_CANDIDATES) return null;
  }
  return [...points].map((n) => [24, 16, 8, 0].map((sh) => Math.floor(n / 2 ** sh) % 256).join('.'));
}

function evaluateOnce(fw: FirewallFact, input: FlowInput): FlowDecision {
  if (fw.kind === 'none' || fw.active === false) {
    return { decision: 'allow', action: 'accept', decidedBy: { kind: 'policy', text: fw.kind === 'none' ? 'no firewall' : `${fw.kind} is not active` }, reason: 'the firewall is off', mayMatch: [], dependsOn: [] };
  }
  const rs = fw.rules;
  if (rs && rs.kind === fw.kind) {
    switch (rs.kind) {
      case 'iptables':
        return evaluateIptables(rs, input);
      case 'nftables':
        return evaluateNftables(rs, input);
      case 'firewalld':
        return evaluateFirewalld(rs, input);
      case 'ufw':
        return evaluateUfw(rs, input);
      case 'windows':
        return evaluateWindows(rs, input);
    }
  }
  return legacyDecision(fw, input);
}

/** Evidence saved before rules were kept: the per-port summary, made per-source with `sourceRestricted`. */
function legacyDecision(fw: FirewallFact, input: FlowInput): FlowDecision {
  const keys = [`${input.port}/${input.protocol}`, `${input.port}`, `${input.protocol}/${input.port}`];
  const key = keys.find((k) => k in fw.allowsPort);
  const summary: DecidedBy = { kind: 'policy', text: `${fw.kind}: ${fw.details.find((d) => d.startsWith(`port ${input.port}:`)) ?? `port ${input.port}`}` };
  const value = key !== undefined ? fw.allowsPort[key] : fw.defaultInbound === 'accept' ? true : null;
  if (value === true) return { decision: 'allow', action: 'accept', decidedBy: summary, reason: 'the firewall lets the port in', mayMatch: [], dependsOn: [] };
  if (value === false) return { decision: 'deny', action: fw.defaultInbound === 'reject' ? 'reject' : 'drop', decidedBy: summary, reason: 'the firewall does not let the port in', mayMatch: [], dependsOn: [] };
  const only = key !== undefined ? fw.sourceRestricted?.[key] ?? fw.sourceRestricted?.[String(input.port)] : undefined;
  if (only?.length) {
    const ip = input.sourceIp ? parseIp(input.sourceIp) : null;
    const m = or(only.map((s) => addressSpecCovers(s, ip)));
    const text = `${fw.kind}: port ${input.port} open only to ${only.join(', ')}`;
    if (m.tri === 'yes') return { decision: 'allow', action: 'accept', decidedBy: { kind: 'rule', text }, reason: 'the client is among the allowed sources', mayMatch: [], dependsOn: [] };
    if (m.tri === 'no') return { decision: 'deny', action: fw.defaultInbound === 'reject' ? 'reject' : 'drop', decidedBy: { kind: 'rule', text }, reason: 'the client is not among the allowed sources', mayMatch: [], dependsOn: [] };
    return { decision: 'unknown', reason: 'the port is open to some sources only and the client\'s public IP is unknown', mayMatch: [text], dependsOn: ['source'] };
  }
  return { decision: 'unknown', reason: 'the firewall evidence does not decide this port', mayMatch: [], dependsOn: ['incomplete'] };
}

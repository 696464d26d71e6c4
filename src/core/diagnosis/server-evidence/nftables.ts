// nftables: `nft list ruleset`. Every base chain on the input hook (ip and inet families) must accept
// the packet; a drop or reject in any of them is final. Rules are read for the usual matches (tcp dport,
// ct state, iif lo, ip saddr, l4proto) and verdicts (accept, drop, reject, jump, goto, return).
import { applyDecisions, allPorts, newDecision, type Action, type FirewallFact, type PortDecision } from './decision';
import { rangeCovers, servicePorts } from './ports';
import type { FirewallRuleSet } from '../types';

interface Chain {
  table: string;
  family: string;
  name: string;
  hook?: string;
  priority: number;
  policy?: 'accept' | 'drop';
  rules: string[];
}

const PRIORITY_NAMES: Record<string, number> = { raw: -300, mangle: -150, dstnat: -100, filter: 0, security: 50, srcnat: 100 };

export function parseNftRuleset(text: string): { chains: Map<string, Chain>; sets: Map<string, string[]> } {
  const chains = new Map<string, Chain>();
  const sets = new Map<string, string[]>();
  let table: { family: string; name: string } | null = null;
  let chain: Chain | null = null;
  let set: { key: string; buf: string } | null = null;
  let depth = 0;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    const opens = (line.match(/{/g) ?? []).length;
    const closes = (line.match(/}/g) ?? []).length;
    if (set) {
      set.buf += ` ${line}`;
      depth += opens - closes;
      if (depth <= 1) {
        const el = /elements\s*=\s*{([^}]*)}/.exec(set.buf);
        sets.set(set.key, el ? el[1].split(',').map((s) => s.trim()).filter(Boolean) : []);
        set = null;
      }
      continue;
    }
    let m = /^table\s+(\S+)\s+(\S+)\s*{/.exec(line);
    if (m) {
      table = { family: m[1], name: m[2] };
      depth = 1;
      continue;
    }
    m = /^(?:set|map)\s+(\S+)\s*{/.exec(line);
    if (m && table) {
      set = { key: `${table.family} ${table.name} ${m[1]}`, buf: line };
      depth += opens - closes;
      if (depth <= 1) {
        const el = /elements\s*=\s*{([^}]*)}/.exec(set.buf);
        sets.set(set.key, el ? el[1].split(',').map((s) => s.trim()).filter(Boolean) : []);
        set = null;
      }
      continue;
    }
    m = /^chain\s+(\S+)\s*{/.exec(line);
    if (m && table) {
      chain = { table: table.name, family: table.family, name: m[1], priority: 0, rules: [] };
      chains.set(`${table.family} ${table.name} ${m[1]}`, chain);
      depth = 2;
      const rest = line.slice(line.indexOf('{') + 1).replace(/}\s*$/, '').trim();
      if (rest) readChainLine(chain, rest);
      if (line.trim().endsWith('}') && closes >= opens) {
        chain = null;
        depth = 1;
      }
      continue;
    }
    if (line === '}') {
      depth--;
      if (depth <= 1) chain = null;
      if (depth <= 0) table = null;
      continue;
    }
    if (chain) readChainLine(chain, line);
  }
  return { chains, sets };
}

function readChainLine(chain: Chain, line: string): void {
  const base = /type\s+\S+\s+hook\s+(\S+)(?:\s+device\s+\S+)?\s+priority\s+([^;]+);(?:\s*policy\s+(accept|drop);)?/.exec(line);
  if (base) {
    chain.hook = base[1];
    const p = base[2].trim();
    const named = /^([a-z]+)\s*(?:([+-])\s*(\d+))?$/.exec(p);
    chain.priority = named && PRIORITY_NAMES[named[1]] !== undefined ? PRIORITY_NAMES[named[1]] + (named[2] === '-' ? -1 : 1) * Number(named[3] ?? 0) : Number(p) || 0;
    chain.policy = (base[3] as 'accept' | 'drop' | undefined) ?? 'accept';
    return;
  }
  chain.rules.push(line);
}

type Match = { kind: 'yes' } | { kind: 'no' } | { kind: 'source'; source: string } | { kind: 'unsure'; why: string };

/** Elements of "22", "{ 22, 80, 1000-2000 }", "@name", "ssh". */
function valuesCover(spec: string, port: number, family: string, table: string, sets: Map<string, string[]>): boolean | null {
  const s = spec.trim();
  if (s.startsWith('@')) {
    const el = sets.get(`${family} ${table} ${s.slice(1)}`);
    return el ? el.some((e) => elementCovers(e, port)) : null;
  }
  return s.replace(/^{|}$/g, '').split(',').map((x) => x.trim()).filter(Boolean).some((e) => elementCovers(e, port));
}

function elementCovers(e: string, port: number): boolean {
  if (/^\d+(-\d+)?$/.test(e)) return rangeCovers(e, port);
  return (servicePorts(e) ?? []).includes(port);
}

const VALUE = String.raw`(!=\s*)?({[^}]*}|@\S+|\S+)`;

function matches(rule: string, port: number, chain: Chain, sets: Map<string, string[]>): Match {
  const r = rule.replace(/\bcounter(\s+packets\s+\d+\s+bytes\s+\d+)?/g, ' ').replace(/\bcomment\s+"[^"]*"/g, ' ');
  if (/\b(iif|iifname)\s+(?:"lo"|lo\b)/.test(r) && !/\b(iif|iifname)\s+!=/.test(r)) return { kind: 'no' };
  if (/\b(udp|icmp|icmpv6|sctp)\s+(dport|sport|type|code)\b/.test(r)) return { kind: 'no' };
  if (/\b(ip6|meta nfproto ipv6)\b/.test(r)) return { kind: 'no' };
  if (/\btcp\s+sport\b/.test(r)) return { kind: 'no' };
  // The cloud NATs the public address before the instance: a client's SYN is not DNAT-ed here.
  if (/\bct status\s+(dnat|snat)\b/.test(r)) return { kind: 'no' };
  const proto = /\b(?:meta l4proto|ip protocol)\s+(!=\s*)?({[^}]*}|\S+)/.exec(r);
  if (proto) {
    const hasTcp = /\btcp\b|\b6\b/.test(proto[2]);
    if (hasTcp === !!proto[1]) return { kind: 'no' };
  }
  const ct = new RegExp(String.raw`\bct state\s+${VALUE}`).exec(r);
  if (ct) {
    const hasNew = /\b(new|untracked)\b/.test(ct[2]);
    if (hasNew === !!ct[1]) return { kind: 'no' };
  }
  const dport = new RegExp(String.raw`\b(?:tcp|th)\s+dport\s+${VALUE}`).exec(r);
  if (dport) {
    const covers = valuesCover(dport[2], port, chain.family, chain.table, sets);
    if (covers === null) return { kind: 'unsure', why: `set ${dport[2]} not listed` };
    if (covers === !!dport[1]) return { kind: 'no' };
  }
  if (/\bfib daddr type\s+(?!local)\S+/.test(r)) return { kind: 'no' };
  const saddr = new RegExp(String.raw`\bip saddr\s+${VALUE}`).exec(r);
  if (saddr && !saddr[1]) return { kind: 'source', source: saddr[2] };
  return { kind: 'yes' };
}

type Verdict = { kind: 'accept' | 'drop' | 'reject' } | { kind: 'jump' | 'goto'; target: string } | { kind: 'return' } | null;

function verdictOf(rule: string): Verdict {
  const m = /\b(accept|drop|reject|return|queue)\b(?:.*)?$|\b(jump|goto)\s+(\S+)\s*$/.exec(rule);
  if (!m) return null;
  if (m[2]) return { kind: m[2] as 'jump' | 'goto', target: m[3] };
  if (m[1] === 'queue') return null;
  return { kind: m[1] as 'accept' | 'drop' | 'reject' | 'return' };
}

type Walk = { action: Action; by: string } | { action: 'return' } | { action: 'unknown'; by: string };

function walk(chain: Chain, port: number, all: Map<string, Chain>, sets: Map<string, string[]>, d: PortDecision, depth: number): Walk {
  if (depth > 16) return { action: 'unknown', by: `jump depth limit at ${chain.name}` };
  for (const rule of chain.rules) {
    const v = verdictOf(rule);
    if (!v) continue;
    const m = matches(rule, port, chain, sets);
    if (m.kind === 'no') continue;
    if (m.kind === 'source') {
      if (v.kind === 'accept') d.allowedSources.push(m.source);
      else if (v.kind === 'drop' || v.kind === 'reject') d.notes.push(`${v.kind} for source ${m.source}: ${rule}`);
      continue;
    }
    if (m.kind === 'unsure') d.notes.push(`assumed to match (${m.why}): ${rule}`);
    const where = `${chain.family} ${chain.table} ${chain.name}: ${rule.replace(/\s*counter packets \d+ bytes \d+/, '')}`;
    if (v.kind === 'return') return { action: 'return' };
    if (v.kind === 'jump' || v.kind === 'goto') {
      const target = all.get(`${chain.family} ${chain.table} ${v.target}`);
      if (!target) return { action: 'unknown', by: `chain ${v.target} not in the output (truncated?)` };
      const sub = walk(target, port, all, sets, d, depth + 1);
      if (sub.action === 'return') {
        if (v.kind === 'goto') return { action: 'return' };
        continue;
      }
      return sub;
    }
    return { action: v.kind, by: where };
  }
  return { action: 'return' };
}

/**
 * `iptablesNft`: the iptables section came from iptables-nft (`iptables-save … (nf_tables)`), so the nft
 * table `ip filter` holds the very rules that section reports — with or without nft's "managed by
 * iptables-nft" warning (rules added with `iptables -A` do not always get it) — and is not reported twice.
 */
export function parseNftables(text: string, ports: number[], truncated = false, iptablesNft = false): FirewallFact | null {
  if (/^not installed/m.test(text) || !/^\s*table\s+\S+\s+\S+\s*{/m.test(text)) {
    if (/Operation not permitted|Permission denied/.test(text)) {
      return { kind: 'nftables', active: null, allowsPort: allPorts(ports, null), details: ['nft list ruleset needs root'] };
    }
    return null;
  }
  const { chains, sets } = parseNftRuleset(text);
  // Tables owned by iptables-nft are the iptables rules again: the iptables entry reports them.
  const managed = new Set([...text.matchAll(/^# Warning: table (\S+ \S+) is managed by iptables-nft/gm)].map((m) => m[1]));
  if (iptablesNft) managed.add('ip filter');
  const inputs = [...chains.values()]
    .filter((c) => c.hook === 'input' && (c.family === 'inet' || c.family === 'ip') && !managed.has(`${c.family} ${c.table}`))
    .sort((a, b) => a.priority - b.priority);
  const rules: FirewallRuleSet = {
    kind: 'nftables',
    chains: [...chains.values()].map((c) => ({ family: c.family, table: c.table, name: c.name, ...(c.hook ? { hook: c.hook } : {}), priority: c.priority, ...(c.policy ? { policy: c.policy } : {}), rules: [...c.rules] })),
    sets: Object.fromEntries(sets),
    managedTables: [...managed],
    ...(truncated ? { truncated: true } : {}),
  };
  const fact: FirewallFact = { kind: 'nftables', active: inputs.length > 0, allowsPort: allPorts(ports, true), details: [], rules };
  if (!inputs.length) {
    if (managed.size && ![...chains.values()].some((c) => !managed.has(`${c.family} ${c.table}`))) return null;
    fact.details.push('no chain on the input hook: nftables filters nothing inbound');
    return fact;
  }
  fact.defaultInbound = inputs.some((c) => c.policy === 'drop') ? 'drop' : 'accept';
  fact.details.push(`input chains: ${inputs.map((c) => `${c.family} ${c.table} ${c.name} (policy ${c.policy})`).join('; ')}`);
  const decisions = new Map<number, PortDecision>();
  for (const port of ports) {
    const d = newDecision();
    d.action = 'accept';
    for (const c of inputs) {
      const w = walk(c, port, chains, sets, d, 0);
      const action = w.action === 'return' ? (c.policy ?? 'accept') : w.action;
      const by = w.action === 'return' ? `${c.family} ${c.table} ${c.name} policy ${c.policy}` : w.by;
      if (action === 'accept') {
        d.by = by;
        continue;
      }
      d.action = action === 'unknown' ? null : action;
      d.by = by;
      break;
    }
    decisions.set(port, d);
  }
  if (truncated) fact.details.push('output was truncated: rules after the cut are not seen');
  return applyDecisions(fact, decisions);
}

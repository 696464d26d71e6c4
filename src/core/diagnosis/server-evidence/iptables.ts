// iptables: `iptables-save -t filter` or `iptables -S`. Walks the INPUT chain (and the chains it jumps
// to) for a new TCP connection to each port from an arbitrary source.
import { applyDecisions, allPorts, newDecision, type Action, type FirewallFact, type PortDecision } from './decision';
import { listCovers } from './ports';
import type { FirewallRuleSet } from '../types';

interface Rule {
  chain: string;
  line: string;
  args: string[];
}

interface Table {
  policies: Map<string, string>;
  chains: Map<string, Rule[]>;
  /** Chains in declaration order; iptables-save prints their rules in the same order. */
  order: string[];
  lastRuleChain?: string;
}

function tokenize(s: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s))) out.push(m[1] ?? m[2]);
  return out;
}

export function parseIptablesTable(text: string): Table {
  const t: Table = { policies: new Map(), chains: new Map(), order: [] };
  let table = 'filter';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('*')) {
      table = line.slice(1);
      continue;
    }
    if (table !== 'filter') continue;
    let m = /^:(\S+)\s+(\S+)/.exec(line);
    if (m) {
      if (m[2] !== '-') t.policies.set(m[1], m[2]);
      if (!t.chains.has(m[1])) t.chains.set(m[1], []);
      if (!t.order.includes(m[1])) t.order.push(m[1]);
      continue;
    }
    m = /^-P\s+(\S+)\s+(\S+)/.exec(line);
    if (m) {
      t.policies.set(m[1], m[2]);
      if (!t.chains.has(m[1])) t.chains.set(m[1], []);
      continue;
    }
    m = /^-N\s+(\S+)/.exec(line);
    if (m) {
      if (!t.chains.has(m[1])) t.chains.set(m[1], []);
      continue;
    }
    m = /^-A\s+(\S+)\s+(.*)$/.exec(line);
    if (m) {
      const list = t.chains.get(m[1]) ?? [];
      list.push({ chain: m[1], line, args: tokenize(m[2]) });
      t.chains.set(m[1], list);
      t.lastRuleChain = m[1];
    }
  }
  return t;
}

type Match = { kind: 'yes' } | { kind: 'no' } | { kind: 'source'; source: string } | { kind: 'unsure'; why: string };

/** Does this rule match a NEW tcp packet to `port` from an arbitrary internet source on the public NIC? */
function matches(args: string[], port: number): Match {
  let source: string | undefined;
  let unsure: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const neg = args[i] === '!';
    const opt = neg ? args[++i] : args[i];
    const val = args[i + 1];
    switch (opt) {
      case '-p':
      case '--protocol':
        i++;
        if (!neg && !['tcp', '6', 'all'].includes(val)) return { kind: 'no' };
        if (neg && val === 'tcp') return { kind: 'no' };
        break;
      case '-i':
      case '--in-interface':
        i++;
        if (!neg && (val === 'lo' || val.startsWith('docker') || val.startsWith('br-'))) return { kind: 'no' };
        break;
      case '-s':
      case '--source':
      case '--src':
        i++;
        if (!neg && val !== '0.0.0.0/0') source = val;
        break;
      case '-d':
      case '--destination':
        i++;
        if (!neg && /^(22[4-9]|23\d|255)\./.test(val)) return { kind: 'no' }; // multicast / broadcast
        break;
      case '--dport':
      case '--destination-port':
      case '--dports':
      case '--destination-ports': {
        i++;
        const covers = listCovers(val, port);
        if (covers === neg) return { kind: 'no' };
        break;
      }
      case '--state':
      case '--ctstate': {
        i++;
        const states = val.split(',');
        const newMatches = states.includes('NEW') || states.includes('UNTRACKED');
        if (newMatches === neg) return { kind: 'no' };
        break;
      }
      case '--dst-type':
        i++;
        if (!neg && val !== 'LOCAL') return { kind: 'no' }; // our packet is addressed to a local address
        break;
      case '--match-set':
        i += 2;
        if (!neg && args[i] === 'src') source = `ipset:${val}`;
        else unsure = `ipset ${val}`;
        break;
      case '--icmp-type':
      case '--sport':
      case '--source-port':
      case '--sports':
        return { kind: 'no' }; // source-port rules (DHCP replies) and ICMP do not match a client's SYN
      case '-m':
      case '--match':
      case '-j':
      case '-g':
      case '--reject-with':
      case '--comment':
      case '--log-prefix':
      case '--log-level':
      case '--limit':
      case '--limit-burst':
      case '--tcp-flags':
        i++;
        if (opt === '--tcp-flags') i++;
        break;
      default:
        if (opt?.startsWith('-') && !['--syn', '--rcheck', '--update', '--set'].includes(opt)) {
          if (val !== undefined && !val.startsWith('-')) i++;
        }
    }
  }
  if (source) return { kind: 'source', source };
  return unsure ? { kind: 'unsure', why: unsure } : { kind: 'yes' };
}

function targetOf(args: string[]): { jump?: string; goto?: string } {
  const j = args.indexOf('-j');
  const g = args.indexOf('-g');
  return { jump: j >= 0 ? args[j + 1] : undefined, goto: g >= 0 ? args[g + 1] : undefined };
}

type Walk = { action: Action; by: string } | { action: 'return' } | { action: 'unknown'; by: string };

const NON_TERMINAL = new Set(['LOG', 'NFLOG', 'ULOG', 'MARK', 'CONNMARK', 'TRACE', 'AUDIT', 'CT', 'NOTRACK', 'TCPMSS', 'SET']);

const BUILTIN = new Set(['INPUT', 'FORWARD', 'OUTPUT']);

function walk(t: Table, chain: string, port: number, d: PortDecision, depth: number, truncated: boolean): Walk {
  const rules = t.chains.get(chain);
  if (!rules) return { action: 'unknown', by: `chain ${chain} not in the output (truncated?)` };
  // Cut output: chains printed after the last rule seen may have lost their rules.
  if (truncated && !BUILTIN.has(chain) && t.lastRuleChain) {
    const idx = t.order.indexOf(chain);
    const cut = t.order.indexOf(t.lastRuleChain);
    if (idx < 0 || idx > cut) return { action: 'unknown', by: `chain ${chain} is after the cut of the truncated output` };
    if (idx === cut) d.notes.push(`chain ${chain} may be incomplete (the output was cut inside it)`);
  }
  if (depth > 16) return { action: 'unknown', by: `jump depth limit at ${chain}` };
  for (const r of rules) {
    const m = matches(r.args, port);
    if (m.kind === 'no') continue;
    const { jump, goto } = targetOf(r.args);
    const target = jump ?? goto;
    if (!target || NON_TERMINAL.has(target)) continue;
    const verdict: Action | 'return' | undefined =
      target === 'ACCEPT' ? 'accept' : target === 'DROP' ? 'drop' : target === 'REJECT' ? 'reject' : target === 'RETURN' ? 'return' : undefined;
    if (m.kind === 'source') {
      if (verdict === 'accept') d.allowedSources.push(m.source);
      else if (verdict === 'drop' || verdict === 'reject') d.notes.push(`${verdict} for source ${m.source}: ${r.line}`);
      else if (verdict === undefined) d.notes.push(`jump for source ${m.source} not followed: ${r.line}`);
      continue;
    }
    if (m.kind === 'unsure') d.notes.push(`assumed to match (${m.why}): ${r.line}`);
    if (verdict === 'return') return { action: 'return' };
    if (verdict) return { action: verdict, by: r.line };
    const sub = walk(t, target, port, d, depth + 1, truncated);
    if (sub.action === 'return') {
      if (goto) return { action: 'return' };
      continue;
    }
    return sub;
  }
  return { action: 'return' };
}

/** The filter table as stored in the evidence, for the per-flow evaluator. */
export function iptablesRuleSet(t: Table, truncated: boolean): Extract<FirewallRuleSet, { kind: 'iptables' }> {
  const names = [...t.order, ...[...t.chains.keys()].filter((n) => !t.order.includes(n))];
  return {
    kind: 'iptables',
    policies: Object.fromEntries(t.policies),
    chains: names.map((name) => ({ name, rules: (t.chains.get(name) ?? []).map((r) => r.line.replace(/^-A\s+\S+\s+/, '')) })),
    ...(truncated ? { truncated: true, ...(t.lastRuleChain ? { cutInChain: t.lastRuleChain } : {}) } : {}),
  };
}

export function parseIptables(text: string, ports: number[], truncated = false): FirewallFact | null {
  if (/^not installed/m.test(text) || !/^(\*filter|:INPUT|-P INPUT|-A INPUT)/m.test(text)) {
    if (/Permission denied|you must be root/i.test(text)) {
      return { kind: 'iptables', active: null, allowsPort: allPorts(ports, null), details: ['iptables-save needs root'] };
    }
    return null;
  }
  const t = parseIptablesTable(text);
  const policy = (t.policies.get('INPUT') ?? 'ACCEPT').toUpperCase();
  const defaultInbound: Action = policy === 'DROP' ? 'drop' : 'accept';
  const rules = t.chains.get('INPUT') ?? [];
  const fact: FirewallFact = { kind: 'iptables', active: rules.length > 0 || policy !== 'ACCEPT', allowsPort: allPorts(ports, null), defaultInbound, details: [], rules: iptablesRuleSet(t, truncated) };
  if (/nf_tables/.test(text)) fact.details.push('iptables-nft: these rules also appear in `nft list ruleset`');
  if (!fact.active) {
    fact.allowsPort = allPorts(ports, true);
    fact.details.push('INPUT policy ACCEPT and no rules');
    return fact;
  }
  const decisions = new Map<number, PortDecision>();
  for (const port of ports) {
    const d = newDecision();
    const w = walk(t, 'INPUT', port, d, 0, truncated);
    if (w.action === 'return') {
      d.action = defaultInbound;
      d.by = `INPUT policy ${policy}`;
    } else if (w.action === 'unknown') {
      d.action = null;
      d.by = w.by;
    } else {
      d.action = w.action;
      d.by = w.by;
    }
    decisions.set(port, d);
  }
  if (truncated) fact.details.push('output was truncated: rules after the cut are not seen');
  return applyDecisions(fact, decisions);
}

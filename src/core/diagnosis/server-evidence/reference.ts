// Reference evaluators for firewall rules, written independently of flow.ts from the same documented
// semantics, for the property tests. They are slow on purpose: each rule is expanded to explicit sets
// (address ranges as integers, ports as a Set of numbers, protocols and states as sets) and the rules are
// interpreted one concrete packet at a time. What the evidence leaves open (the client's address when it is
// unknown, whether a packet arrives on "eth0", whether an ipset holds the client) is enumerated: every
// concrete world is walked, and the decision is certain only when every world agrees.

/** A rule of the test model (iptables filter table semantics, `iptables(8)`, `iptables-extensions(8)`). */
export interface RefIptRule {
  src?: { cidr: string; neg: boolean };
  proto?: { p: 'tcp' | 'udp' | 'icmp' | 'all'; neg: boolean };
  /** Destination ports: a single port, a range "a:b" (one --dport) or a multiport list "a,b:c". */
  dport?: { spec: string; neg: boolean; multi: boolean };
  state?: { states: ('NEW' | 'ESTABLISHED' | 'RELATED' | 'INVALID')[]; neg: boolean };
  iface?: { name: 'lo' | 'eth0'; neg: boolean };
  set?: { name: 'blocklist' | 'office'; neg: boolean };
  target: 'ACCEPT' | 'DROP' | 'REJECT' | 'RETURN' | 'LOG' | { jump: string } | { goto: string };
}

export interface RefIptWorld {
  policy: 'ACCEPT' | 'DROP';
  /** INPUT first; user chains may jump only to chains after them (iptables refuses loops). */
  chains: { name: string; rules: RefIptRule[] }[];
}

export interface RefPacket {
  /** Dotted IPv4, or null: unknown. */
  source: string | null;
  protocol: 'tcp' | 'udp';
  port: number;
}

export type RefDecision = { decision: 'allow' | 'deny'; action: 'accept' | 'drop' | 'reject'; by: { chain: string; index: number } | 'policy' } | { decision: 'unknown' };

const ipToInt = (ip: string): number => ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);
const intToIp = (n: number): string => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');

/** A CIDR as the closed integer range it covers. */
function cidrRange(cidr: string): [number, number] {
  const [addr, lenText] = cidr.split('/');
  const len = lenText === undefined ? 32 : Number(lenText);
  const size = 2 ** (32 - len);
  const lo = Math.floor(ipToInt(addr) / size) * size;
  return [lo, lo + size - 1];
}

/** Every port a --dport / --dports value names, expanded. */
function expandPorts(spec: string): Set<number> {
  const out = new Set<number>();
  for (const part of spec.split(',')) {
    const [a, b] = part.split(':').map(Number);
    for (let p = a; p <= (b ?? a); p++) out.add(p);
  }
  return out;
}

interface Concrete {
  source: number;
  protocol: 'tcp' | 'udp';
  port: number;
  /** The packet's input interface (never lo: it comes from the network). */
  iface: 'eth0' | 'eth1';
  /** Set name → does it hold the source? */
  sets: Record<string, boolean>;
}

interface Expanded {
  src?: { range: [number, number]; neg: boolean };
  protos?: { set: Set<string>; neg: boolean };
  ports?: { set: Set<number>; neg: boolean };
  states?: { set: Set<string>; neg: boolean };
  iface?: { name: string; neg: boolean };
  set?: { name: string; neg: boolean };
  target: RefIptRule['target'];
}

function expand(r: RefIptRule): Expanded {
  return {
    ...(r.src ? { src: { range: cidrRange(r.src.cidr), neg: r.src.neg } } : {}),
    ...(r.proto ? { protos: { set: new Set(r.proto.p === 'all' ? ['tcp', 'udp', 'icmp'] : [r.proto.p]), neg: r.proto.neg } } : {}),
    ...(r.dport ? { ports: { set: expandPorts(r.dport.spec), neg: r.dport.neg } } : {}),
    ...(r.state ? { states: { set: new Set(r.state.states), neg: r.state.neg } } : {}),
    ...(r.iface ? { iface: { ...r.iface } } : {}),
    ...(r.set ? { set: { ...r.set } } : {}),
    target: r.target,
  };
}

function holds(e: Expanded, p: Concrete): boolean {
  const x = (cond: boolean, neg: boolean): boolean => cond !== neg;
  if (e.src && !x(p.source >= e.src.range[0] && p.source <= e.src.range[1], e.src.neg)) return false;
  if (e.protos && !x(e.protos.set.has(p.protocol), e.protos.neg)) return false;
  // --dport implies its protocol module (-p tcp -m tcp): the port test only applies to that protocol.
  if (e.ports && !x(e.ports.set.has(p.port), e.ports.neg)) return false;
  if (e.states && !x(e.states.set.has('NEW'), e.states.neg)) return false;
  if (e.iface && !x(e.iface.name === p.iface, e.iface.neg)) return false;
  if (e.set && !x(p.sets[e.set.name], e.set.neg)) return false;
  return true;
}

type Result = { action: 'accept' | 'drop' | 'reject'; by: { chain: string; index: number } | 'policy' };

/** One concrete packet through the chains: a call stack, first terminal target wins. */
function interpret(chains: Map<string, Expanded[]>, policy: 'ACCEPT' | 'DROP', p: Concrete): Result {
  // Frames: [chain, next rule index]. A goto replaces the current frame.
  const stack: [string, number][] = [['INPUT', 0]];
  for (let steps = 0; steps < 100_000; steps++) {
    const top = stack[stack.length - 1];
    if (!top) break;
    const rules = chains.get(top[0])!;
    if (top[1] >= rules.length) {
      stack.pop();
      if (!stack.length) break;
      continue;
    }
    const idx = top[1]++;
    const e = rules[idx];
    if (!holds(e, p)) continue;
    const t = e.target;
    if (t === 'LOG') continue;
    if (t === 'ACCEPT') return { action: 'accept', by: { chain: top[0], index: idx } };
    if (t === 'DROP') return { action: 'drop', by: { chain: top[0], index: idx } };
    if (t === 'REJECT') return { action: 'reject', by: { chain: top[0], index: idx } };
    if (t === 'RETURN') {
      stack.pop();
      if (!stack.length) break;
      continue;
    }
    if ('jump' in t) stack.push([t.jump, 0]);
    else stack[stack.length - 1] = [t.goto, 0];
  }
  return { action: policy === 'ACCEPT' ? 'accept' : 'drop', by: 'policy' };
}

/** Source addresses that stand for every class of the address space the rules tell apart. */
function candidateSources(world: RefIptWorld): number[] {
  const out = new Set<number>([0, ipToInt('8.8.8.8'), 2 ** 32 - 1]);
  for (const c of world.chains)
    for (const r of c.rules)
      if (r.src) {
        const [lo, hi] = cidrRange(r.src.cidr);
        for (const n of [lo - 1, lo, hi, hi + 1]) if (n >= 0 && n < 2 ** 32) out.add(n);
      }
  return [...out];
}

export function referenceIptables(world: RefIptWorld, packet: RefPacket): RefDecision {
  const chains = new Map(world.chains.map((c) => [c.name, c.rules.map(expand)]));
  const sources = packet.source === null ? candidateSources(world) : [ipToInt(packet.source)];
  const setNames = [...new Set(world.chains.flatMap((c) => c.rules.flatMap((r) => (r.set ? [r.set.name] : []))))];
  const ifaceUsed = world.chains.some((c) => c.rules.some((r) => r.iface && r.iface.name !== 'lo'));
  const results: Result[] = [];
  for (const source of sources)
    for (const iface of ifaceUsed ? (['eth0', 'eth1'] as const) : (['eth1'] as const))
      for (let mask = 0; mask < 2 ** setNames.length; mask++) {
        const sets = Object.fromEntries(setNames.map((n, i) => [n, ((mask >> i) & 1) === 1]));
        results.push(interpret(chains, world.policy, { source, protocol: packet.protocol, port: packet.port, iface, sets }));
      }
  const cats = new Set(results.map((r) => (r.action === 'accept' ? 'allow' : 'deny')));
  if (cats.size !== 1) return { decision: 'unknown' };
  const certain = results.length === 1;
  const r = results[0];
  return { decision: [...cats][0] as 'allow' | 'deny', action: r.action, by: certain ? r.by : 'policy' };
}

/** The world as `iptables-save -t filter` prints it. */
export function renderIptablesSave(world: RefIptWorld): string {
  const lines = ['*filter', `:INPUT ${world.policy} [0:0]`, ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]'];
  for (const c of world.chains) if (c.name !== 'INPUT') lines.push(`:${c.name} - [0:0]`);
  for (const c of world.chains)
    for (const r of c.rules) {
      const a: string[] = ['-A', c.name];
      if (r.src) a.push(...(r.src.neg ? ['!'] : []), '-s', r.src.cidr.includes('/') ? r.src.cidr : `${r.src.cidr}/32`);
      if (r.iface) a.push(...(r.iface.neg ? ['!'] : []), '-i', r.iface.name);
      if (r.proto) a.push(...(r.proto.neg ? ['!'] : []), '-p', r.proto.p);
      if (r.dport) {
        if (r.dport.multi) a.push('-m', 'multiport', ...(r.dport.neg ? ['!'] : []), '--dports', r.dport.spec);
        else a.push('-m', r.proto?.p ?? 'tcp', ...(r.dport.neg ? ['!'] : []), '--dport', r.dport.spec);
      }
      if (r.state) a.push('-m', 'conntrack', ...(r.state.neg ? ['!'] : []), '--ctstate', r.state.states.join(','));
      if (r.set) a.push('-m', 'set', ...(r.set.neg ? ['!'] : []), '--match-set', r.set.name, 'src');
      const t = r.target;
      if (typeof t === 'string') a.push('-j', t, ...(t === 'LOG' ? ['--log-prefix', '"sgd "'] : t === 'REJECT' ? ['--reject-with', 'icmp-port-unreachable'] : []));
      else if ('jump' in t) a.push('-j', t.jump);
      else a.push('-g', t.goto);
      lines.push(a.join(' '));
    }
  lines.push('COMMIT', '');
  return lines.join('\n');
}

export { intToIp };

/** A ufw rule of the test model (`ufw status verbose` columns). */
export interface RefUfwRule {
  /** "22", "8000:8100", "80,443" (ranges and lists need a protocol in ufw). */
  ports: string;
  proto?: 'tcp' | 'udp';
  action: 'ALLOW' | 'DENY' | 'REJECT' | 'LIMIT';
  /** "Anywhere" or a CIDR / address. */
  from: string;
  v6: boolean;
}

export interface RefUfwWorld {
  defaultIncoming: 'allow' | 'deny' | 'reject';
  rules: RefUfwRule[];
}

/** ufw semantics (ufw(8)): rules in order, first match wins, then the default incoming policy. */
export function referenceUfw(world: RefUfwWorld, packet: RefPacket): RefDecision {
  const rules = world.rules.map((r) => ({ r, ports: expandPorts(r.ports), from: r.from === 'Anywhere' ? ([0, 2 ** 32 - 1] as [number, number]) : cidrRange(r.from) }));
  const sources = packet.source === null ? [...new Set([0, 2 ** 32 - 1, ...rules.flatMap(({ from: [lo, hi] }) => [lo - 1, lo, hi, hi + 1])])].filter((n) => n >= 0 && n < 2 ** 32) : [ipToInt(packet.source)];
  const results = sources.map((src): Result => {
    for (let i = 0; i < rules.length; i++) {
      const { r, ports, from } = rules[i];
      if (r.v6) continue; // an IPv4 packet
      if (r.proto && r.proto !== packet.protocol) continue;
      if (!ports.has(packet.port)) continue;
      if (src < from[0] || src > from[1]) continue;
      return { action: r.action === 'ALLOW' || r.action === 'LIMIT' ? 'accept' : r.action === 'DENY' ? 'drop' : 'reject', by: { chain: 'ufw', index: i } };
    }
    return { action: world.defaultIncoming === 'allow' ? 'accept' : world.defaultIncoming === 'deny' ? 'drop' : 'reject', by: 'policy' };
  });
  const cats = new Set(results.map((r) => (r.action === 'accept' ? 'allow' : 'deny')));
  if (cats.size !== 1) return { decision: 'unknown' };
  const r = results[0];
  return { decision: [...cats][0] as 'allow' | 'deny', action: r.action, by: results.length === 1 ? r.by : 'policy' };
}

/** The world as `ufw status verbose` prints it. */
export function renderUfwStatus(world: RefUfwWorld): string {
  // ufw's own format: "%-26s %-12s%-26s" (a long To column leaves one space).
  const row = (to: string, action: string, from: string): string => `${to.padEnd(26)} ${action.padEnd(12)}${from.padEnd(26)}`;
  const lines = ['Status: active', 'Logging: on (low)', `Default: ${world.defaultIncoming} (incoming), allow (outgoing), disabled (routed)`, 'New profiles: skip', '', row('To', 'Action', 'From').trimEnd(), row('--', '------', '----').trimEnd()];
  for (const r of world.rules) {
    const to = `${r.ports}${r.proto ? `/${r.proto}` : ''}${r.v6 ? ' (v6)' : ''}`;
    const from = r.v6 ? (r.from === 'Anywhere' ? 'Anywhere (v6)' : '2001:db8::/32') : r.from;
    lines.push(row(to, `${r.action} IN`, from));
  }
  return `${lines.join('\n')}\n`;
}

/**
 * The same world as an nftables ruleset (one inet table, INPUT as its input base chain): one base chain with
 * jump/goto/return has iptables' semantics (nft(8), "VERDICT STATEMENT"), so referenceIptables is its
 * reference too. `-p all` has no nft spelling: negated, it is rendered as a protocol no flow uses.
 */
export function renderNftRuleset(world: RefIptWorld): string {
  const out = ['table inet t {'];
  for (const c of world.chains) {
    out.push(`\tchain ${c.name} {`);
    if (c.name === 'INPUT') out.push(`\t\ttype filter hook input priority filter; policy ${world.policy === 'ACCEPT' ? 'accept' : 'drop'};`);
    for (const r of c.rules) {
      const a: string[] = [];
      const ne = (neg: boolean): string => (neg ? '!= ' : '');
      if (r.src) a.push(`ip saddr ${ne(r.src.neg)}${r.src.cidr}`);
      if (r.iface) a.push(`iifname ${ne(r.iface.neg)}"${r.iface.name}"`);
      if (r.proto && !r.dport) a.push(r.proto.p === 'all' ? (r.proto.neg ? 'meta l4proto gre' : '') : `meta l4proto ${ne(r.proto.neg)}${r.proto.p}`);
      if (r.dport) {
        const items = r.dport.spec.split(',').map((x) => x.replace(':', '-'));
        a.push(`${r.proto?.p ?? 'tcp'} dport ${ne(r.dport.neg)}${items.length > 1 || r.dport.multi ? `{ ${items.join(', ')} }` : items[0]}`);
      }
      if (r.state) a.push(`ct state ${ne(r.state.neg)}{ ${r.state.states.map((s) => s.toLowerCase()).join(', ')} }`);
      if (r.set) a.push(`ip saddr ${ne(r.set.neg)}@${r.set.name}`);
      a.push('counter packets 0 bytes 0');
      const t = r.target;
      if (typeof t === 'string') a.push(t === 'LOG' ? 'log prefix "sgd "' : t === 'REJECT' ? 'reject with icmpx admin-prohibited' : t.toLowerCase());
      else if ('jump' in t) a.push(`jump ${t.jump}`);
      else a.push(`goto ${t.goto}`);
      out.push(`\t\t${a.filter(Boolean).join(' ')}`);
    }
    out.push('\t}');
  }
  out.push('}', '');
  return out.join('\n');
}

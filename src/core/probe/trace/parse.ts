// Pure parsers for the output of the system trace tools: Linux and macOS/BSD `traceroute` (any of -n, -T,
// -I, names shown or not), Linux `tracepath`, Windows `tracert` (any language). They read numbers and
// addresses only — never the words around them — so localized output (Chinese Windows included) parses.
// Fixtures in fixtures/ pin the formats down.
import { isIP } from 'node:net';
import type { HopUnreachable, TraceHop } from './types';

export type TraceFormat = 'traceroute' | 'tracepath' | 'tracert';

export interface TraceParse {
  format: TraceFormat;
  /** The address the tool traced to, from its header; null when the header shows none. */
  destination: string | null;
  hops: TraceHop[];
  /** tracepath printed `reached` on a hop (it does not localize). */
  reachedMark: boolean;
}

/** An address in a token, with the brackets/parentheses/trailing punctuation tools put around it. */
export function tokenAddress(token: string): string | null {
  const t = token.replace(/^[[(]+/, '').replace(/[\])]+[,:;]?$/, '').replace(/[,:;]$/, '');
  return isIP(t) ? t : null;
}

const HOP_LINE = /^\s*(\d{1,3})(\??:)?\s+(.*)$/;

/** Lines before the first hop line are the header; its first address is the destination. */
function headerDestination(lines: string[]): string | null {
  for (const line of lines) {
    if (HOP_LINE.test(line)) return null;
    for (const tok of line.split(/\s+/)) {
      const a = tokenAddress(tok);
      if (a) return a;
    }
  }
  return null;
}

export function detectTraceFormat(text: string): TraceFormat {
  const lines = text.split(/\r?\n/);
  if (lines.some((l) => /^\s*\d{1,3}\??:\s/.test(l))) return 'tracepath';
  // tracert puts the RTT columns first: the token after the TTL is a number, `<1`, or `*` followed by more
  // columns; traceroute puts an address or name first.
  for (const l of lines) {
    const m = /^\s*\d{1,3}\s+(\S+)/.exec(l);
    if (m && /^<?\d+(\.\d+)?\D*$/.test(m[1]) && !tokenAddress(m[1])) return 'tracert';
  }
  return 'traceroute';
}

const BANG: Record<string, HopUnreachable> = {
  H: 'host-unreachable',
  N: 'net-unreachable',
  P: 'protocol-unreachable',
  X: 'admin-prohibited',
  C: 'admin-prohibited',
  V: 'admin-prohibited',
  F: 'frag-needed',
  S: 'source-route-failed',
  U: 'net-unreachable',
  W: 'net-unreachable',
  I: 'admin-prohibited',
  A: 'admin-prohibited',
  Z: 'admin-prohibited',
  Q: 'other',
  T: 'other',
};

interface Acc {
  ttl: number;
  answers: { address: string; rttMs: number }[];
  /** Addresses seen on the line (order), also those without an RTT (Windows "reports:" lines). */
  addresses: string[];
  lost: number;
  unreachable?: HopUnreachable;
}

function finish(acc: Acc): TraceHop {
  const counts = new Map<string, number>();
  for (const a of acc.addresses) counts.set(a, (counts.get(a) ?? 0) + 1);
  const ordered = [...counts.keys()];
  const sent = acc.answers.length + acc.lost;
  const hop: TraceHop = {
    ttl: acc.ttl,
    address: ordered[0] ?? null,
    rttMs: acc.answers.map((a) => a.rttMs),
    // A hop with an address but no RTT column (Windows "reports:") counts as one answered probe.
    sent: Math.max(sent, ordered.length && !acc.answers.length ? acc.lost + 1 : sent),
    loss: 0,
  };
  hop.loss = hop.sent === 0 ? 1 : (hop.sent - (hop.address === null ? 0 : Math.max(1, acc.answers.length))) / hop.sent;
  if (hop.address === null) hop.loss = 1;
  hop.loss = Math.round(hop.loss * 1000) / 1000;
  if (ordered.length > 1) hop.otherAddresses = ordered.slice(1);
  if (acc.unreachable) hop.unreachable = acc.unreachable;
  return hop;
}

const NUM = /^(\d+(?:\.\d+)?)$/;

/** Linux / macOS traceroute: ` 3  name (addr)  1.2 ms !X  addr2  3.4 ms  *`. */
function parseTracerouteLine(ttl: number, rest: string): Acc {
  const acc: Acc = { ttl, answers: [], addresses: [], lost: 0 };
  const toks = rest.trim().split(/\s+/);
  let current: string | null = null;
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i];
    if (t === '*') {
      acc.lost++;
      continue;
    }
    const a = tokenAddress(t);
    if (a) {
      current = a;
      continue;
    }
    const glued = /^(\d+(?:\.\d+)?)ms$/.exec(t);
    if ((NUM.test(t) && toks[i + 1] === 'ms') || glued) {
      const rtt = Number(glued ? glued[1] : t);
      if (!glued) i++;
      if (current) {
        acc.answers.push({ address: current, rttMs: rtt });
        acc.addresses.push(current);
      }
      continue;
    }
    const bang = /^!(\w)?/.exec(t);
    if (bang) {
      acc.unreachable = (bang[1] && BANG[bang[1]]) || 'other';
      continue;
    }
    // A host name, or words: ignored (the address in parentheses follows a name).
  }
  return acc;
}

/** Windows tracert: `  3    12 ms    <1 ms     *     name [addr]` or `  3  addr  reports: ...` (any language). */
function parseTracertLine(ttl: number, rest: string): Acc {
  const acc: Acc = { ttl, answers: [], addresses: [], lost: 0 };
  const toks = rest.trim().split(/\s+/);
  const rtts: number[] = [];
  let i = 0;
  // The RTT columns: up to three of `*`, `N unit`, `<N unit`, `Nunit`.
  while (i < toks.length && rtts.length + acc.lost < 3) {
    const t = toks[i];
    if (t === '*') {
      acc.lost++;
      i++;
      continue;
    }
    if (tokenAddress(t)) break;
    const m = /^<?(\d+(?:\.\d+)?)(\D*)$/.exec(t);
    if (!m) break;
    rtts.push(Number(m[1]));
    i++;
    // A separate unit word ("ms", "毫秒") follows a bare number.
    if (m[2] === '' && i < toks.length && !tokenAddress(toks[i]) && toks[i] !== '*' && !/^<?\d/.test(toks[i])) i++;
  }
  let address: string | null = null;
  let sawRttColumns = rtts.length + acc.lost > 0;
  for (; i < toks.length; i++) {
    const a = tokenAddress(toks[i]);
    if (a) address = a;
    if (a && !sawRttColumns) break; // "addr reports: ..." — the first address is the reporter
  }
  if (address) {
    for (const r of rtts) acc.answers.push({ address, rttMs: r });
    acc.addresses.push(address);
    if (!rtts.length) {
      // Windows prints "reports: <localized reason>" with no RTT: an ICMP error from that address.
      acc.unreachable = unreachableFromWords(rest);
    }
  }
  sawRttColumns = false;
  return acc;
}

/** Only for the reason of a Windows "reports:" line, where numbers say nothing; falls back to 'other'. */
function unreachableFromWords(line: string): HopUnreachable {
  if (/host|主机/i.test(line)) return 'host-unreachable';
  if (/net|网/i.test(line)) return 'net-unreachable';
  if (/prohibit|禁止|filter/i.test(line)) return 'admin-prohibited';
  if (/protocol|协议/i.test(line)) return 'protocol-unreachable';
  return 'other';
}

/** tracepath: ` 1:  addr   0.074ms` / ` 2:  no reply` / ` 2:  name (addr)  0.030ms asymm  3` / `reached`. */
function parseTracepathLine(ttl: number, rest: string): Acc {
  const acc: Acc = { ttl, answers: [], addresses: [], lost: 0 };
  const toks = rest.trim().split(/\s+/);
  let current: string | null = null;
  let answered = false;
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i];
    const a = tokenAddress(t);
    if (a) {
      current = a;
      continue;
    }
    const m = /^(\d+(?:\.\d+)?)ms$/.exec(t) ?? (NUM.test(t) && toks[i + 1] === 'ms' ? [t, t] : null);
    if (m && current && !answered) {
      acc.answers.push({ address: current, rttMs: Number(m[1]) });
      acc.addresses.push(current);
      answered = true;
      if (m[0] === t && !t.endsWith('ms')) i++;
    }
  }
  if (!current) acc.lost = 1; // "no reply" (or a line with no address at all)
  else if (!answered) acc.addresses.push(current);
  return acc;
}

export function parseTrace(text: string, format: TraceFormat = detectTraceFormat(text)): TraceParse {
  const lines = text.split(/\r?\n/);
  const byTtl = new Map<number, Acc[]>();
  let reachedMark = false;
  let reachedAddress: string | null = null;
  let lastTtl: number | null = null;
  for (const line of lines) {
    const m = HOP_LINE.exec(line);
    if (!m) {
      // BSD/macOS and Linux traceroute print further answerers of the same TTL on indented lines.
      if (format === 'traceroute' && lastTtl !== null && /^\s+\S/.test(line) && /\sms\b|\dms\b/.test(line)) {
        const acc = parseTracerouteLine(lastTtl, line);
        byTtl.get(lastTtl)?.push(acc);
      }
      continue;
    }
    const ttl = Number(m[1]);
    if (ttl < 1 || ttl > 255) continue;
    const tp = m[2] !== undefined;
    if (format === 'tracepath') {
      if (!tp || m[2] === '?:') continue; // "1?: [LOCALHOST] pmtu 1500": the local end, not a hop
    } else if (tp) continue;
    const rest = m[3];
    let acc: Acc;
    if (format === 'tracepath') {
      acc = parseTracepathLine(ttl, rest);
      if (/\breached\b/.test(rest)) {
        reachedMark = true;
        reachedAddress = acc.addresses[acc.addresses.length - 1] ?? reachedAddress;
      }
    } else if (format === 'tracert') acc = parseTracertLine(ttl, rest);
    else acc = parseTracerouteLine(ttl, rest);
    byTtl.set(ttl, [...(byTtl.get(ttl) ?? []), acc]);
    lastTtl = ttl;
  }
  const hops = [...byTtl.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([ttl, accs]) =>
      finish({
        ttl,
        answers: accs.flatMap((a) => a.answers),
        addresses: accs.flatMap((a) => a.addresses),
        lost: accs.reduce((n, a) => n + a.lost, 0),
        unreachable: accs.find((a) => a.unreachable)?.unreachable,
      }),
    );
  // tracepath prints no header: the address on its `reached` line is the destination.
  return { format, destination: headerDestination(lines) ?? reachedAddress, hops, reachedMark };
}

// Pure parsers for the output of the system `ping` (Linux iputils / BusyBox, macOS / BSD, Windows in
// English and Chinese) and the interpretation of a parse as an ICMP outcome. No I/O here: the runner in
// icmp.ts feeds bytes in, the fixtures in fixtures/ping/ pin the formats down.

import type { IcmpFact } from './types';

export type PingFormat = 'iputils' | 'bsd' | 'windows-en' | 'windows-zh' | 'unknown';

/** What kind of ICMP error (or local failure) stood in for a reply. */
export type UnreachableKind =
  | 'net-unreachable'
  | 'host-unreachable'
  | 'protocol-unreachable'
  | 'port-unreachable'
  | 'net-prohibited'
  | 'host-prohibited'
  | 'admin-prohibited'
  | 'address-unreachable'
  | 'no-route'
  | 'ttl-exceeded'
  | 'frag-needed'
  | 'other';

export interface PingReply {
  from: string;
  rttMs: number;
  seq?: number;
  ttl?: number;
  /** Windows prints `time<1ms`: the RTT is an upper bound, recorded as 1 ms. */
  upperBound?: boolean;
}

export interface PingUnreachable {
  from?: string;
  text: string;
  kind: UnreachableKind;
  type?: number;
  code?: number;
  /** Reported by the sending host itself (routing / ARP / local firewall), not by a router or the target. */
  local?: boolean;
}

export type PingFatalKind =
  | 'unknown-host'
  | 'no-permission'
  | 'local-unreachable'
  | 'send-blocked'
  | 'general-failure'
  | 'usage'
  | 'other';

export interface PingParse {
  format: PingFormat;
  /** Echo requests sent, from the summary; null when there is no summary. */
  transmitted: number | null;
  /** Received, from the summary as the tool counts it (Windows counts ICMP errors as received!). */
  summaryReceived: number | null;
  replies: PingReply[];
  duplicates: number;
  unreachable: PingUnreachable[];
  /** Explicit per-request timeout lines ("Request timed out.", "Request timeout for icmp_seq 0"). */
  timeouts: number;
  summaryRtt: { min: number; avg: number; max: number } | null;
  /** A line that stopped ping from doing its job (unknown host, no permission, no route, ...). */
  fatal?: { kind: PingFatalKind; text: string };
}

interface UnreachRule {
  re: RegExp;
  kind: UnreachableKind;
  v4?: [number, number];
  v6?: [number, number];
}

// ICMPv4 type 3 / ICMPv6 type 1 codes (RFC 792, RFC 1812, RFC 4443); texts as the tools print them.
const UNREACH_RULES: UnreachRule[] = [
  { re: /host prohibited|主机.*禁止/i, kind: 'host-prohibited', v4: [3, 10] },
  { re: /net(work)? prohibited|网络?.*禁止/i, kind: 'net-prohibited', v4: [3, 9] },
  {
    re: /packet filtered|administratively prohibited|prohibited by filter|communication prohibited|禁止|管理/i,
    kind: 'admin-prohibited',
    v4: [3, 13],
    v6: [1, 1],
  },
  { re: /address unreachable/i, kind: 'address-unreachable', v6: [1, 3] },
  { re: /unreachable: no route|no route to host/i, kind: 'no-route', v6: [1, 0] },
  { re: /net(work)? unreachable|net unknown|目标网/i, kind: 'net-unreachable', v4: [3, 0], v6: [1, 0] },
  { re: /host unreachable|host unknown|host is down|目标主机|目的主机/i, kind: 'host-unreachable', v4: [3, 1], v6: [1, 3] },
  { re: /protocol unreachable|协议/i, kind: 'protocol-unreachable', v4: [3, 2] },
  { re: /port unreachable|端口/i, kind: 'port-unreachable', v4: [3, 3], v6: [1, 4] },
  { re: /frag needed|packet too big/i, kind: 'frag-needed', v4: [3, 4] },
  { re: /time to live exceeded|ttl expired|hop limit|time exceeded|过期/i, kind: 'ttl-exceeded', v4: [11, 0], v6: [3, 0] },
];

export function classifyUnreachable(text: string, family: 4 | 6): Omit<PingUnreachable, 'from' | 'local'> {
  for (const rule of UNREACH_RULES) {
    if (!rule.re.test(text)) continue;
    const tc = family === 6 ? rule.v6 : rule.v4;
    return tc ? { text, kind: rule.kind, type: tc[0], code: tc[1] } : { text, kind: rule.kind };
  }
  return { text, kind: 'other' };
}

/** Fold full-width punctuation (Chinese Windows) to ASCII and normalise line ends. */
export function normalisePingText(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/[：]/g, ':')
    .replace(/[，、]/g, ',')
    .replace(/[（]/g, '(')
    .replace(/[）]/g, ')')
    .replace(/[＝]/g, '=')
    .replace(/[＜]/g, '<')
    .replace(/\u3000/g, ' ');
}

/**
 * Decode ping's bytes. Windows writes in the console's OEM code page (936 = GBK on Chinese systems);
 * everything else here is UTF-8/ASCII. GBK text is almost never valid UTF-8, so try UTF-8 strictly
 * and fall back to GB18030 (a superset of GBK; needs Node's full ICU, which Node 20 and Electron ship).
 */
export function decodePingOutput(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    try {
      return new TextDecoder('gb18030').decode(bytes);
    } catch {
      return new TextDecoder('utf-8').decode(bytes);
    }
  }
}

export function detectPingFormat(text: string): PingFormat {
  if (/来自 .* 的回复|正在 Ping|请求超时|数据包:|Ping 统计信息|Ping 请求找不到主机/.test(text)) return 'windows-zh';
  if (/^Pinging |Reply from |Request timed out|Packets: Sent =|Ping request could not find host/m.test(text))
    return 'windows-en';
  if (/packets received|round-trip min|Request timeout for icmp_seq|^PING6\(|bytes from \S+, icmp_seq/m.test(text))
    return 'bsd';
  if (/^PING |packets transmitted|rtt min|^ping6?: /m.test(text)) return 'iputils';
  return 'unknown';
}

function num(s: string | undefined): number | undefined {
  if (s === undefined) return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
}

function fatalOf(line: string): PingParse['fatal'] | undefined {
  const text = line.trim();
  if (/unknown host|cannot resolve|name or service not known|name resolution|could not find host|找不到主机|no address associated/i.test(text))
    return { kind: 'unknown-host', text };
  if (/socket: operation not permitted|lacking privilege|socktype|permission denied|must be root|are you root/i.test(text))
    return { kind: 'no-permission', text };
  if (/(sendmsg|sendto): operation not permitted/i.test(text)) return { kind: 'send-blocked', text };
  if (/network is unreachable|no route to host|host is down|connect: /i.test(text))
    return { kind: 'local-unreachable', text };
  if (/general failure|transmit failed|常见故障|一般故障|传输失败/i.test(text)) return { kind: 'general-failure', text };
  if (/usage|invalid option|illegal option|bad (number|value)|invalid argument/i.test(text)) return { kind: 'usage', text };
  return undefined;
}

/**
 * Parse the complete (or partial, if ping was killed) output of one ping run.
 * `family` picks ICMP vs ICMPv6 type/code numbers for the texts that do not say.
 */
export function parsePing(output: string, family: 4 | 6 = 4): PingParse {
  const text = normalisePingText(output);
  const format = detectPingFormat(text);
  const res: PingParse = {
    format,
    transmitted: null,
    summaryReceived: null,
    replies: [],
    duplicates: 0,
    unreachable: [],
    timeouts: 0,
    summaryRtt: null,
  };
  let m: RegExpMatchArray | null;
  for (const rawLine of text.split('\n')) {
    const line = rawLine.trim();
    if (!line || line.startsWith('#')) continue;

    // --- Windows (English) -------------------------------------------------------------------
    if ((m = line.match(/^Reply from (\S+?):\s+(?:bytes=\d+\s*)?time\s*([=<])\s*(\d+(?:\.\d+)?)\s*ms(?:\s+TTL=(\d+))?/i))) {
      res.replies.push({ from: m[1], rttMs: Number(m[3]), ttl: num(m[4]), ...(m[2] === '<' ? { upperBound: true } : {}) });
      continue;
    }
    // --- Windows (Chinese), after full-width folding -----------------------------------------
    if ((m = line.match(/^来自\s*(\S+?)\s*的回复:\s*(?:字节=\d+\s*)?时间\s*([=<])\s*(\d+(?:\.\d+)?)\s*ms(?:\s+TTL=(\d+))?/i))) {
      res.replies.push({ from: m[1], rttMs: Number(m[3]), ttl: num(m[4]), ...(m[2] === '<' ? { upperBound: true } : {}) });
      continue;
    }
    if ((m = line.match(/^Reply from (\S+?):\s+(.+)$/) ?? line.match(/^来自\s*(\S+?)\s*的回复:\s*(.+)$/))) {
      // An ICMP error Windows reports as a "reply" (and counts as received in its summary).
      const detail = m[2].replace(/[。.]+$/, '');
      res.unreachable.push({ from: m[1], ...classifyUnreachable(detail, family) });
      continue;
    }
    if (/^Request timed out\.?$|^请求超时/.test(line)) {
      res.timeouts++;
      continue;
    }
    if (/^(?:Destination (?:host|net|port|protocol) unreachable|无法访问目标|目标主机无法访问|目标网络无法访问)/i.test(line)) {
      res.unreachable.push({ ...classifyUnreachable(line.replace(/[。.]+$/, ''), family), local: true });
      continue;
    }
    if ((m = line.match(/Packets:\s*Sent\s*=\s*(\d+),\s*Received\s*=\s*(\d+),\s*Lost\s*=\s*(\d+)/i)) ||
        (m = line.match(/数据包:\s*已发送\s*=\s*(\d+),\s*已接收\s*=\s*(\d+),\s*丢失\s*=\s*(\d+)/))) {
      res.transmitted = Number(m[1]);
      res.summaryReceived = Number(m[2]);
      continue;
    }
    if ((m = line.match(/Minimum\s*=\s*(\d+)\s*ms,\s*Maximum\s*=\s*(\d+)\s*ms,\s*Average\s*=\s*(\d+)\s*ms/i)) ||
        (m = line.match(/最短\s*=\s*(\d+)\s*ms,\s*最长\s*=\s*(\d+)\s*ms,\s*平均\s*=\s*(\d+)\s*ms/))) {
      res.summaryRtt = { min: Number(m[1]), max: Number(m[2]), avg: Number(m[3]) };
      continue;
    }

    // --- Unix: iputils, BusyBox, macOS/BSD ---------------------------------------------------
    if ((m = line.match(/^\d+ bytes from (.+?)[:,]\s+(?:icmp_)?seq=(\d+)\s+(?:ttl|hlim)=(\d+)\s+time=(\d+(?:\.\d+)?)\s*ms(.*)$/))) {
      if (/DUP!/.test(m[5])) {
        res.duplicates++;
        continue;
      }
      // "64 bytes from localhost (127.0.0.1): ..." when names are resolved: keep the address.
      const from = m[1].match(/\(([^)]+)\)$/)?.[1] ?? m[1];
      res.replies.push({ from, seq: Number(m[2]), ttl: Number(m[3]), rttMs: Number(m[4]) });
      continue;
    }
    // iputils: "From 10.0.0.1 icmp_seq=1 Destination Host Prohibited" (also "From gw (10.0.0.1) icmp_seq=...").
    if ((m = line.match(/^From (\S+)(?: \(([^)]+)\))?:? (?:icmp_)?seq=\d+\s+(.+)$/))) {
      res.unreachable.push({ from: m[2] ?? m[1], ...classifyUnreachable(m[3], family) });
      continue;
    }
    // macOS/BSD: "92 bytes from 192.168.1.10: Destination Host Unreachable" (then a header dump).
    if ((m = line.match(/^\d+ bytes from (\S+?)[:,]\s+(.*(?:unreachable|prohibited|exceeded|filter|too big).*)$/i))) {
      res.unreachable.push({ from: m[1], ...classifyUnreachable(m[2], family) });
      continue;
    }
    if (/^Request timeout for icmp_seq/i.test(line)) {
      res.timeouts++;
      continue;
    }
    if ((m = line.match(/^(\d+) packets transmitted, (\d+) (?:packets )?received/))) {
      res.transmitted = Number(m[1]);
      res.summaryReceived = Number(m[2]);
      continue;
    }
    if ((m = line.match(/^(?:rtt|round-trip) min\/avg\/max(?:\/(?:mdev|stddev|std-dev))? = ([\d.]+)\/([\d.]+)\/([\d.]+)/))) {
      res.summaryRtt = { min: Number(m[1]), avg: Number(m[2]), max: Number(m[3]) };
      continue;
    }

    // --- Failures that stop ping (any platform) ----------------------------------------------
    if (!res.fatal && /^(?:ping6?|PING):|^Ping request|^Ping 请求|^Transmit failed|^General failure|^一般故障|^传输失败/i.test(line)) {
      const fatal = fatalOf(line);
      if (fatal) res.fatal = fatal;
      else if (/^ping6?:/i.test(line)) res.fatal = { kind: 'other', text: line };
    }
  }
  return res;
}

/** What a ping run yields before the probe adds address, method and timestamps. */
export type PingOutcome = Pick<IcmpFact, 'state' | 'sent' | 'received' | 'lossPct' | 'rttMs' | 'rttAvgMs' | 'rttMinMs' | 'rttMaxMs' | 'unreachable' | 'error'>;

const round3 = (n: number): number => Math.round(n * 1000) / 1000;

/**
 * Turn a parse into the ICMP outcome. Windows counts ICMP errors as "received" in its summary, so the
 * reply lines (not the summary) decide what was received; elsewhere the summary wins when present.
 */
export function interpretPing(p: PingParse, requested: number): PingOutcome {
  const windows = p.format === 'windows-en' || p.format === 'windows-zh';
  const received = windows || p.summaryReceived === null ? p.replies.length : p.summaryReceived;
  const observed = p.replies.length + p.unreachable.length + p.timeouts;
  const sent = p.transmitted ?? (observed > 0 ? Math.max(observed, received) : p.fatal ? 0 : requested);
  const lossPct = sent > 0 ? Math.round(((sent - Math.min(received, sent)) / sent) * 1000) / 10 : 100;
  const rttMs = p.replies.map((r) => r.rttMs);
  const stats = rttMs.length
    ? {
        rttMinMs: Math.min(...rttMs),
        rttMaxMs: Math.max(...rttMs),
        rttAvgMs: round3(rttMs.reduce((a, b) => a + b, 0) / rttMs.length),
      }
    : p.summaryRtt && received > 0
      ? { rttMinMs: p.summaryRtt.min, rttMaxMs: p.summaryRtt.max, rttAvgMs: p.summaryRtt.avg }
      : { rttMinMs: null, rttMaxMs: null, rttAvgMs: null };
  const base = { sent, received, lossPct, rttMs, ...stats };
  const first = p.unreachable[0];
  const unreachable = first
    ? { from: first.from, text: first.text, ...(first.type !== undefined ? { type: first.type, code: first.code } : {}) }
    : undefined;

  if (received > 0) return { state: 'reply', ...base, ...(unreachable ? { unreachable } : {}) };
  if (unreachable) return { state: 'unreachable', ...base, unreachable };
  if (p.fatal) {
    if (p.fatal.kind === 'local-unreachable' || p.fatal.kind === 'send-blocked' || p.fatal.kind === 'general-failure') {
      const text =
        p.fatal.kind === 'send-blocked'
          ? `${p.fatal.text} (a local firewall blocked the echo request)`
          : p.fatal.text;
      return { state: 'unreachable', ...base, unreachable: { from: 'local', text } };
    }
    return { state: 'unavailable', ...base, error: p.fatal.text };
  }
  if (p.transmitted !== null || p.timeouts > 0) return { state: 'timeout', ...base };
  return { state: 'unavailable', ...base, error: 'unrecognised ping output' };
}

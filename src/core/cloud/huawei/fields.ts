// Reading the fields of Huawei security-group and network-ACL rules into values the evaluator compares.
import type { Protocol } from '../model';

export interface PortSpan {
  from: number;
  to: number;
}

/**
 * A port field: `multiport` of a security-group rule ("22", "80,443", "20-30", "22,8000-8080") or
 * `source_port` / `destination_port` of a network-ACL rule (the same forms; the v2 ACL API wrote ranges
 * "a:b", which is accepted too). Empty or absent: all ports → null. Unreadable → 'invalid'.
 */
export function parsePorts(text: string | null | undefined): PortSpan[] | null | 'invalid' {
  if (text === null || text === undefined) return null;
  const t = String(text).trim();
  if (t === '' || t === '-1' || t.toLowerCase() === 'any') return null;
  const spans: PortSpan[] = [];
  for (const part of t.split(',')) {
    const m = /^\s*(\d{1,5})\s*(?:[-:]\s*(\d{1,5})\s*)?$/.exec(part);
    if (!m) return 'invalid';
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (from < 1 || to > 65535 || from > to) return 'invalid';
    spans.push({ from, to });
  }
  return spans;
}

/** Is every port of `want` inside `spans`? Some but not all? None? */
export function spanCoverage(spans: PortSpan[], want: PortSpan): 'all' | 'some' | 'none' {
  // Merge the spans that touch `want`, then see whether they tile it.
  const hits = spans.filter((s) => s.to >= want.from && s.from <= want.to).sort((a, b) => a.from - b.from);
  if (hits.length === 0) return 'none';
  let next = want.from;
  for (const s of hits) {
    if (s.from > next) return 'some';
    next = Math.max(next, s.to + 1);
    if (next > want.to) return 'all';
  }
  return 'some';
}

export const portIn = (spans: PortSpan[], port: number): boolean => spans.some((s) => port >= s.from && port <= s.to);

export const spansText = (spans: PortSpan[]): string => spans.map((s) => (s.from === s.to ? String(s.from) : `${s.from}-${s.to}`)).join(',');

/** A rule's protocol: 'all' for empty/any, a name for the protocols a flow can use, or 'other:<text>'. */
export type RuleProtocol = Protocol | `other:${string}`;

const BY_NUMBER: Record<string, Protocol> = { '1': 'icmp', '6': 'tcp', '17': 'udp', '47': 'gre', '58': 'icmpv6' };

export function parseProtocol(text: string | null | undefined): RuleProtocol {
  if (text === null || text === undefined) return 'all';
  const t = String(text).trim().toLowerCase();
  if (t === '' || t === 'any' || t === 'all' || t === '-1') return 'all';
  if (t === 'tcp' || t === 'udp' || t === 'icmp' || t === 'icmpv6' || t === 'gre') return t;
  if (BY_NUMBER[t]) return BY_NUMBER[t];
  return `other:${t}`;
}

/** Ports apply to TCP and UDP only; for other protocols the port field does not restrict the flow. */
export const PORTFUL = (p: RuleProtocol): boolean => p === 'tcp' || p === 'udp';

/** 4 or 6 from an `ethertype` ("IPv4"/"IPv6") or `ip_version` (4/6); absent = 4; unreadable = null. */
export function parseFamily(v: string | number | null | undefined): 4 | 6 | null {
  if (v === null || v === undefined || v === '') return 4;
  const t = String(v).trim().toLowerCase();
  if (t === 'ipv4' || t === '4') return 4;
  if (t === 'ipv6' || t === '6') return 6;
  return null;
}

/** Priority 1..100 (1 when absent); null when not a number in range. */
export function parsePriority(v: number | string | null | undefined): number | null {
  if (v === null || v === undefined || v === '') return 1;
  const n = typeof v === 'number' ? v : /^\s*\d+\s*$/.test(v) ? Number(v) : NaN;
  return Number.isInteger(n) && n >= 1 && n <= 100 ? n : null;
}

/** 'allow' | 'deny' (allow when absent); null when unreadable. */
export function parseAction(v: string | null | undefined): 'allow' | 'deny' | null {
  if (v === null || v === undefined || v === '') return 'allow';
  const t = v.trim().toLowerCase();
  return t === 'allow' || t === 'deny' ? t : null;
}

/**
 * Flavours on which deny rules, address groups and non-contiguous port lists of security groups have no
 * effect (paraphrased; the constraint is stated in the Huawei VPC user guide, security group overview
 * "安全组和安全组规则概述", https://support.huaweicloud.com/usermanual-vpc/zh-cn_topic_0073379079.html, updated
 * 2025-09-24, and recorded in the design notes): S1, C1, C2, M1, H1, D1, G1, G2, E1, E2, ET2.
 * A flavour id is "<family>.<size>[.<ratio>]", e.g. "s1.medium", "c2.large.2", "s6.small.1".
 */
export const LEGACY_FAMILIES = ['s1', 'c1', 'c2', 'm1', 'h1', 'd1', 'g1', 'g2', 'e1', 'e2', 'et2'] as const;

export function isLegacyFlavour(flavour: string): boolean {
  const family = flavour.trim().toLowerCase().split('.')[0];
  return (LEGACY_FAMILIES as readonly string[]).includes(family);
}

// Addresses and CIDR blocks as the rule engine needs them: parsed once into integers so that matching
// thousands of rules is a mask-and-compare, plus the private/shared ranges behind `private-source`.
//
// Alibaba Cloud accepts "a CIDR block or an IP address" in SourceCidrIp / DestCidrIp (ModifySecurityGroupRule:
// "IPv4 的 CIDR 地址块(或 IP 地址)"): a bare IP is one host, i.e. /32 (/128 for IPv6). The seeds' claim that
// "1.2.3.4" without /32 makes a rule ineffective is a myth; we only flag a bare IP when it probably was meant
// as a network (see securityGroups.ts).
import ipaddr from 'ipaddr.js';

export type Family = 4 | 6;

export interface ParsedIp {
  family: Family;
  /** IPv4 as an unsigned 32-bit integer (family 4). */
  v4: number;
  /** IPv6 as a 128-bit integer (family 6). */
  v6: bigint;
  /** Normalised text (IPv4-mapped IPv6 is reported as IPv4). */
  text: string;
}

export interface ParsedCidr {
  family: Family;
  prefix: number;
  /** True when the text had no "/len": a single host. */
  bare: boolean;
  /** The text as written. */
  text: string;
  /** Canonical network text, e.g. "203.0.113.0/24". */
  network: string;
  v4net: number;
  v4mask: number;
  v6net: bigint;
  v6mask: bigint;
}

const V6_ALL = (1n << 128n) - 1n;
const DOTTED = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function v4ToInt(bytes: number[]): number {
  return ((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]) >>> 0;
}

function v6ToBig(parts: number[]): bigint {
  let v = 0n;
  for (const p of parts) v = (v << 16n) | BigInt(p);
  return v;
}

function intToV4(n: number): string {
  return [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

function bigToV6(v: bigint): string {
  const parts: number[] = [];
  for (let i = 7; i >= 0; i--) parts.push(Number((v >> BigInt(i * 16)) & 0xffffn));
  return new ipaddr.IPv6(parts).toString();
}

const v4Mask = (prefix: number): number => (prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0);
const v6Mask = (prefix: number): bigint => (prefix === 0 ? 0n : (V6_ALL >> BigInt(128 - prefix)) << BigInt(128 - prefix));

/** Parse an address; IPv4-mapped IPv6 (::ffff:a.b.c.d) becomes IPv4. Null when invalid. */
export function parseIp(text: string): ParsedIp | null {
  const t = text.trim().replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  if (!t.includes(':')) {
    // Strict dotted quad, parsed by hand (the hot path when compiling thousands of rules); ipaddr.js would
    // also accept inet_aton shorthands ("1.2.3", "0x7f.1") that the API rejects.
    const m = DOTTED.exec(t);
    if (!m) return null;
    const b = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])];
    if (b.some((x) => x > 255)) return null;
    const v4 = v4ToInt(b);
    return { family: 4, v4, v6: 0n, text: intToV4(v4) };
  }
  if (!ipaddr.isValid(t)) return null;
  const a = ipaddr.process(t);
  if (a.kind() === 'ipv4') {
    const v4 = v4ToInt((a as ipaddr.IPv4).octets);
    return { family: 4, v4, v6: 0n, text: intToV4(v4) };
  }
  const v6 = v6ToBig((a as ipaddr.IPv6).parts);
  return { family: 6, v4: 0, v6, text: bigToV6(v6) };
}

/** Parse "a.b.c.d/len", "x::/len" or a bare address (one host). Null when invalid. */
export function parseCidr(text: string): ParsedCidr | null {
  const t = text.trim();
  const slash = t.indexOf('/');
  const bare = slash < 0;
  const ip = parseIp(bare ? t : t.slice(0, slash));
  if (!ip) return null;
  const max = ip.family === 4 ? 32 : 128;
  let prefix = max;
  if (!bare) {
    const lenText = t.slice(slash + 1);
    if (!/^\d{1,3}$/.test(lenText)) return null;
    prefix = Number(lenText);
    if (prefix > max) return null;
  }
  if (ip.family === 4) {
    const mask = v4Mask(prefix);
    const net = (ip.v4 & mask) >>> 0;
    return { family: 4, prefix, bare, text: t, network: `${intToV4(net)}/${prefix}`, v4net: net, v4mask: mask, v6net: 0n, v6mask: 0n };
  }
  const mask = v6Mask(prefix);
  const net = ip.v6 & mask;
  return { family: 6, prefix, bare, text: t, network: `${bigToV6(net)}/${prefix}`, v4net: 0, v4mask: 0, v6net: net, v6mask: mask };
}

export function cidrContains(c: ParsedCidr, ip: ParsedIp): boolean {
  if (c.family !== ip.family) return false;
  return c.family === 4 ? ((ip.v4 & c.v4mask) >>> 0) === c.v4net : (ip.v6 & c.v6mask) === c.v6net;
}

/** Is block `inner` entirely inside block `outer`? */
export function cidrWithin(inner: ParsedCidr, outer: ParsedCidr): boolean {
  if (inner.family !== outer.family || inner.prefix < outer.prefix) return false;
  return inner.family === 4
    ? ((inner.v4net & outer.v4mask) >>> 0) === outer.v4net
    : (inner.v6net & outer.v6mask) === outer.v6net;
}

export type AddressScope = 'public' | 'private' | 'shared' | 'link-local' | 'loopback' | 'unique-local' | 'special';

const SCOPED: { cidr: ParsedCidr; scope: AddressScope }[] = (
  [
    ['10.0.0.0/8', 'private'],
    ['172.16.0.0/12', 'private'],
    ['192.168.0.0/16', 'private'],
    ['100.64.0.0/10', 'shared'], // RFC 6598 carrier-grade NAT
    ['169.254.0.0/16', 'link-local'],
    ['127.0.0.0/8', 'loopback'],
    ['0.0.0.0/8', 'special'],
    ['224.0.0.0/4', 'special'],
    ['240.0.0.0/4', 'special'],
    ['fc00::/7', 'unique-local'],
    ['fe80::/10', 'link-local'],
    ['::1/128', 'loopback'],
    ['::/128', 'special'],
    ['ff00::/8', 'special'],
  ] as const
).map(([c, scope]) => ({ cidr: parseCidr(c) as ParsedCidr, scope }));

/** Where an address lives: only 'public' addresses can be a client's internet egress IP. */
export function addressScope(ip: ParsedIp): AddressScope {
  for (const s of SCOPED) if (cidrContains(s.cidr, ip)) return s.scope;
  return 'public';
}

/** Scope of a whole block when it lies inside one non-public range, else null (e.g. 0.0.0.0/0). */
export function cidrScope(c: ParsedCidr): AddressScope | null {
  for (const s of SCOPED) if (cidrWithin(c, s.cidr)) return s.scope;
  return null;
}

/** A block that can never contain an internet client address (RFC 1918, CGNAT, link-local, ULA, ...). */
export function isNonPublicCidr(c: ParsedCidr): boolean {
  const s = cidrScope(c);
  return s !== null && s !== 'special';
}

/**
 * A bare address that was probably meant as a network: it ends in .0 (IPv4) or its low 64 bits are zero
 * (IPv6), e.g. "203.0.113.0" treated as the single host 203.0.113.0/32 although the user meant /24.
 */
export function hostLooksLikeNetwork(c: ParsedCidr): boolean {
  return c.family === 4 ? (c.v4net & 0xff) === 0 : (c.v6net & ((1n << 64n) - 1n)) === 0n;
}

/** Do two addresses share the same /24 (IPv4) or /64 (IPv6)? Used to guess "meant a range". */
export function sameNeighbourhood(a: ParsedIp, b: ParsedIp): boolean {
  if (a.family !== b.family) return false;
  return a.family === 4 ? a.v4 >>> 8 === b.v4 >>> 8 : a.v6 >> 64n === b.v6 >> 64n;
}

export function familyOf(text: string): Family | null {
  return parseIp(text)?.family ?? null;
}

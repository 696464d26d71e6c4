// Classification of trace hops by address range, and where the user's own network ends. Pure, with no Node
// import: the renderer (path picture, report) classifies the hops of a saved trace the same way.
// ipaddr.js rather than node:net or hand-written parsing.
import ipaddr from 'ipaddr.js';
import type { TraceFact, TraceHop } from './types';


/**
 * - private: RFC 1918 (10/8, 172.16/12, 192.168/16) and IPv6 unique-local fc00::/7;
 * - cgnat: the carrier-grade NAT shared space 100.64.0.0/10 (RFC 6598) — the carrier's, not the user's;
 * - loopback, link-local: 127/8, ::1; 169.254/16, fe80::/10;
 * - special: other non-routable space (0/8, 192.0.0/24, documentation and benchmark nets, 240/4, multicast,
 *   2001:db8::/32) — neither the user's network nor a known public router;
 * - public: everything else.
 */
export type HopClass = 'private' | 'cgnat' | 'loopback' | 'link-local' | 'special' | 'public';

const isIPv4 = (a: string): boolean => ipaddr.IPv4.isValidFourPartDecimal(a);
const isIPv6 = (a: string): boolean => ipaddr.IPv6.isValid(a);

function v4(address: string): number {
  const p = address.split('.').map(Number);
  return ((p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3]) >>> 0;
}
function in4(a: number, net: string, bits: number): boolean {
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return ((a & mask) >>> 0) === ((v4(net) & mask) >>> 0);
}

/** Expands an IPv6 address (no zone) to its 8 groups. */
function groups6(address: string): number[] | null {
  let a = address.split('%')[0].toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (dotted) {
    const n = v4(dotted[1]);
    a = a.slice(0, -dotted[1].length) + `${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head, tail] = a.split('::');
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail ? tail.split(':') : [];
  const fill = a.includes('::') ? 8 - h.length - t.length : 0;
  const all = [...h, ...Array<string>(fill).fill('0'), ...t].map((g) => parseInt(g, 16));
  return all.length === 8 && all.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? all : null;
}

export function classifyAddress(address: string): HopClass {
  if (isIPv4(address)) {
    const a = v4(address);
    if (in4(a, '10.0.0.0', 8) || in4(a, '172.16.0.0', 12) || in4(a, '192.168.0.0', 16)) return 'private';
    if (in4(a, '100.64.0.0', 10)) return 'cgnat';
    if (in4(a, '127.0.0.0', 8)) return 'loopback';
    if (in4(a, '169.254.0.0', 16)) return 'link-local';
    const special: [string, number][] = [
      ['0.0.0.0', 8], ['192.0.0.0', 24], ['192.0.2.0', 24], ['198.18.0.0', 15], ['198.51.100.0', 24],
      ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
    ];
    return special.some(([n, b]) => in4(a, n, b)) ? 'special' : 'public';
  }
  if (isIPv6(address)) {
    const g = groups6(address);
    if (!g) return 'special';
    if (g.every((x, i) => (i < 7 ? x === 0 : x === 1))) return 'loopback';
    if (g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff) {
      return classifyAddress(`${g[6] >>> 8}.${g[6] & 0xff}.${g[7] >>> 8}.${g[7] & 0xff}`);
    }
    if ((g[0] & 0xfe00) === 0xfc00) return 'private';
    if ((g[0] & 0xffc0) === 0xfe80) return 'link-local';
    if (g[0] === 0x2001 && g[1] === 0x0db8) return 'special';
    if ((g[0] & 0xff00) === 0xff00 || g.every((x) => x === 0)) return 'special';
    return 'public';
  }
  return 'special';
}

/**
 * Where a hop lies on the path:
 * - own-network: before the first hop that is neither private, loopback nor link-local (the user's LAN, home
 *   router, office network). Issue 12 says "before the first public hop"; a carrier-grade NAT hop (100.64/10)
 *   is the carrier's, so it ends the user's network too;
 * - beyond: that first non-private hop and every hop after it (carrier, internet, cloud edge, the target);
 * - unknown: a silent hop whose side cannot be told (after the last own-network hop that answered and before
 *   the first hop beyond, or anywhere when no hop answered).
 */
export type HopZone = 'own-network' | 'beyond' | 'unknown';

export interface ClassifiedHop extends TraceHop {
  class: HopClass | null;
  zone: HopZone;
}

export interface TraceSummary {
  hops: ClassifiedHop[];
  /** TTL of the first hop beyond the user's own network (first non-private answer); null when none answered. */
  boundaryTtl: number | null;
  /** The last hop that answered (any address), or null when none did. */
  lastAnswering: ClassifiedHop | null;
  /**
   * Where the probes stopped:
   * - target: the target answered (reached);
   * - own-network: the last answering hop lies in the user's own network (when no hop beyond it answered at all,
   *   `premises.publicHopSeen` is false: the boundary is then only "no public hop answered");
   * - beyond: the last answering hop lies beyond the user's network, the target did not answer;
   * - unknown: nothing answered.
   */
  stoppedIn: 'target' | 'own-network' | 'beyond' | 'unknown';
  /** The facts this summary rests on, in words for evidence lists (plain data, no user text). */
  premises: { targetAnswered: boolean; publicHopSeen: boolean; answeringHops: number; silentTail: number };
}

const OWN: ReadonlySet<HopClass> = new Set(['private', 'loopback', 'link-local']);

/** A network as address family, bits (IPv4: one number; IPv6: 8 groups) and prefix length. */
export interface OwnNetwork {
  family: 4 | 6;
  v4: number;
  v6: number[];
  prefix: number;
}

/** "10.0.0.0/8", "fd00::/8", or a bare address (its /32 or /128); null when it is neither. */
function parseNetwork(text: string): OwnNetwork | null {
  const [addr, len, ...rest] = text.trim().split('/');
  if (rest.length || (len !== undefined && !/^\d{1,3}$/.test(len))) return null;
  if (isIPv4(addr)) {
    const prefix = len === undefined ? 32 : Number(len);
    return prefix <= 32 ? { family: 4, v4: v4(addr), v6: [], prefix } : null;
  }
  const g = isIPv6(addr) ? groups6(addr) : null;
  if (!g) return null;
  const prefix = len === undefined ? 128 : Number(len);
  return prefix <= 128 ? { family: 6, v4: 0, v6: g, prefix } : null;
}

function inNetwork(address: string, n: OwnNetwork): boolean {
  if (n.family === 4) {
    if (!isIPv4(address)) return false;
    const mask = n.prefix === 0 ? 0 : (0xffffffff << (32 - n.prefix)) >>> 0;
    return ((v4(address) & mask) >>> 0) === ((n.v4 & mask) >>> 0);
  }
  const g = isIPv6(address) ? groups6(address) : null;
  if (!g) return false;
  for (let i = 0, left = n.prefix; i < 8 && left > 0; i++, left -= 16) {
    const bits = Math.min(16, left);
    const mask = (0xffff << (16 - bits)) & 0xffff;
    if ((g[i] & mask) !== (n.v6[i] & mask)) return false;
  }
  return true;
}

/** The declared own networks that parse (a bare address counts as its /32 or /128); null when none were declared. */
export function parseOwnNetworks(list: readonly string[] | undefined): OwnNetwork[] | null {
  if (!list?.length) return null;
  const out = list.map(parseNetwork).filter((n): n is OwnNetwork => n !== null);
  return out.length ? out : null;
}

/**
 * With `ownNetworks` declared (TraceFact.ownNetworks), a hop is the user's own exactly when its address lies in
 * one of them; otherwise by address class (private, loopback, link-local).
 */
export function summarizeTrace(fact: Pick<TraceFact, 'hops' | 'reached' | 'ownNetworks'>): TraceSummary {
  const classes = fact.hops.map((h) => (h.address === null ? null : classifyAddress(h.address)));
  const declared = parseOwnNetworks(fact.ownNetworks);
  const own = fact.hops.map((h, i) => {
    if (h.address === null) return null;
    if (!declared) return OWN.has(classes[i]!);
    const address = h.address;
    return declared.some((n) => inNetwork(address, n));
  });
  const bIdx = own.findIndex((o) => o === false);
  const boundaryTtl = bIdx >= 0 ? fact.hops[bIdx].ttl : null;
  let lastOwnIdx = -1;
  own.forEach((o, i) => {
    if (o === true && (bIdx < 0 || i < bIdx)) lastOwnIdx = i;
  });
  const hops: ClassifiedHop[] = fact.hops.map((h, i) => {
    const c = classes[i];
    let zone: HopZone;
    if (bIdx >= 0 && i >= bIdx) zone = 'beyond';
    else if (c !== null) zone = own[i] ? 'own-network' : 'beyond';
    else zone = i < lastOwnIdx ? 'own-network' : 'unknown';
    return { ...h, class: c, zone };
  });
  let last: ClassifiedHop | null = null;
  for (const h of hops) if (h.address !== null) last = h;
  const lastIdx = last ? hops.indexOf(last) : -1;
  const silentTail = hops.length - 1 - lastIdx;
  let stoppedIn: TraceSummary['stoppedIn'];
  if (fact.reached) stoppedIn = 'target';
  else if (!last) stoppedIn = 'unknown';
  else stoppedIn = last.zone === 'own-network' ? 'own-network' : 'beyond';
  return {
    hops,
    boundaryTtl,
    lastAnswering: last,
    stoppedIn,
    premises: { targetAnswered: fact.reached, publicHopSeen: bIdx >= 0, answeringHops: hops.filter((h) => h.address !== null).length, silentTail },
  };
}

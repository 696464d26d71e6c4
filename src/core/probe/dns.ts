// DNS probe: what the system resolver answers (getaddrinfo: hosts file, search domains, VPN resolvers)
// and what each configured resolver answers when asked directly (A, AAAA, CNAME chain), each timed and
// with an error class, compared with the address the user expects. Never throws for a DNS outcome.

import { promises as dnsp, getServers } from 'node:dns';
import { isIP } from 'node:net';
import { performance } from 'node:perf_hooks';
import ipaddr from 'ipaddr.js';
import type { DnsAnswerSet, DnsErrorClass, DnsExpectation, DnsFact } from './types';

export interface DnsOptions {
  /** Resolvers to query directly: "ip", "ip:port", "[v6]:port"; empty = the system's configured servers. */
  servers: string[];
  expectIp?: string;
  signal?: AbortSignal;
  /** Per-query timeout (default 2000 ms). */
  timeoutMs?: number;
  /** Ask the system resolver too (default true). Off in loopback tests that must not leave the host. */
  systemResolver?: boolean;
}

const MAX_CNAME_HOPS = 8;
const MAX_SERVERS = 8;

/** Node/c-ares/getaddrinfo error codes → the classes a user can act on. */
export function classifyDnsError(code: string | undefined): DnsErrorClass {
  switch (code) {
    case 'ENOTFOUND':
      return 'NXDOMAIN';
    case 'ENODATA':
      return 'NODATA';
    case 'ESERVFAIL':
      return 'SERVFAIL';
    case 'ETIMEOUT':
    case 'ETIMEDOUT':
    case 'EAI_AGAIN': // getaddrinfo: "temporary failure" = no answer in time (or SERVFAIL from upstream)
      return 'TIMEOUT';
    case 'ECONNREFUSED':
    case 'EREFUSED':
      return 'REFUSED';
    default:
      return 'OTHER';
  }
}

/** "[::1]" or "::1" or "1.2.3.4" → the bare literal, else null. Zone ids ("fe80::1%eth0") are kept. */
export function ipLiteral(host: string): string | null {
  const h = host.trim().replace(/^\[(.*)\]$/, '$1');
  return isIP(h.split('%')[0]) ? h : null;
}

function sameIp(a: string, b: string): boolean {
  try {
    const x = ipaddr.process(a.split('%')[0]);
    const y = ipaddr.process(b.split('%')[0]);
    return x.kind() === y.kind() && x.toNormalizedString() === y.toNormalizedString();
  } catch {
    return a === b;
  }
}

const ms = (t0: number): number => Math.round((performance.now() - t0) * 100) / 100;

function errOf(e: unknown): { code?: string; message: string } {
  const err = e as NodeJS.ErrnoException;
  return { code: typeof err?.code === 'string' ? err.code : undefined, message: err?.message ?? String(e) };
}

/** Reject with a synthetic ETIMEOUT / ECANCELLED so a hung getaddrinfo cannot hold the probe. */
function bounded<T>(p: Promise<T>, timeoutMs: number, signal?: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => finish(() => reject(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEOUT' }))), timeoutMs);
    const onAbort = (): void => finish(() => reject(Object.assign(new Error('aborted'), { code: 'ECANCELLED' })));
    let settled = false;
    function finish(fn: () => void): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      fn();
    }
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    p.then((v) => finish(() => resolve(v)), (e: unknown) => finish(() => reject(e)));
  });
}

async function querySystem(host: string, timeoutMs: number, signal?: AbortSignal): Promise<DnsAnswerSet> {
  const t0 = performance.now();
  const set: DnsAnswerSet = { resolver: 'system', a: [], aaaa: [], cname: [], durationMs: 0 };
  try {
    // getaddrinfo can take the OS's full retry schedule; give it a few query timeouts, not forever.
    const res = await bounded(dnsp.lookup(host, { all: true, verbatim: true }), timeoutMs * 3, signal);
    for (const r of res) {
      const list = r.family === 6 ? set.aaaa : set.a;
      if (!list.includes(r.address)) list.push(r.address);
    }
  } catch (e) {
    const { code, message } = errOf(e);
    set.error = classifyDnsError(code);
    set.errorDetail = code ? `${code}: ${message}` : message;
  }
  set.durationMs = ms(t0);
  return set;
}

async function queryServer(host: string, server: string, timeoutMs: number, signal?: AbortSignal): Promise<DnsAnswerSet> {
  const t0 = performance.now();
  const set: DnsAnswerSet = { resolver: server, a: [], aaaa: [], cname: [], durationMs: 0 };
  const resolver = new dnsp.Resolver({ timeout: timeoutMs, tries: 1 });
  try {
    resolver.setServers([server]);
  } catch (e) {
    set.error = 'OTHER';
    set.errorDetail = `invalid resolver address "${server}": ${errOf(e).message}`;
    set.durationMs = ms(t0);
    return set;
  }
  const onAbort = (): void => resolver.cancel();
  signal?.addEventListener('abort', onAbort, { once: true });
  // c-ares 1.34 stretches short timeouts (200 ms → ~400 ms, 500 ms → ~1 s): enforce ours as a deadline
  // for the whole set (A, AAAA and the CNAME walk run in parallel).
  let deadlineHit = false;
  const deadline = setTimeout(() => {
    deadlineHit = true;
    resolver.cancel();
  }, timeoutMs + 50);
  try {
    const settle = <T>(p: Promise<T>): Promise<{ ok: true; v: T } | { ok: false; code?: string; message: string }> =>
      p.then((v) => ({ ok: true as const, v }), (e: unknown) => ({ ok: false as const, ...errOf(e) }));
    const [a, aaaa, cname] = await Promise.all([
      settle(resolver.resolve4(host)),
      settle(resolver.resolve6(host)),
      settle(followCnames(resolver, host)),
    ]);
    if (a.ok) set.a = a.v;
    if (aaaa.ok) set.aaaa = aaaa.v;
    if (cname.ok) set.cname = cname.v;
    if (set.a.length === 0 && set.aaaa.length === 0) {
      // Report the most telling failure: a hard error beats "no record of this type".
      const failures = [a, aaaa].filter((r) => !r.ok);
      const rank = (c: DnsErrorClass): number =>
        ({ NXDOMAIN: 0, SERVFAIL: 1, REFUSED: 2, TIMEOUT: 3, OTHER: 4, NODATA: 5 })[c];
      let best: { cls: DnsErrorClass; detail: string } | null = null;
      for (const f of failures) {
        const cls = signal?.aborted ? 'OTHER' : deadlineHit && f.code === 'ECANCELLED' ? 'TIMEOUT' : classifyDnsError(f.code);
        if (!best || rank(cls) < rank(best.cls)) best = { cls, detail: `${f.code ?? 'error'}: ${f.message}` };
      }
      set.error = best?.cls ?? 'NODATA';
      set.errorDetail = signal?.aborted
        ? 'aborted'
        : deadlineHit && set.error === 'TIMEOUT'
          ? `no answer within ${timeoutMs} ms`
          : (best?.detail ?? 'no A or AAAA records');
    }
  } finally {
    clearTimeout(deadline);
    signal?.removeEventListener('abort', onAbort);
  }
  set.durationMs = ms(t0);
  return set;
}

/** CNAME chain from `host`, hop by hop (resolveCname returns only the next name). */
async function followCnames(resolver: dnsp.Resolver, host: string): Promise<string[]> {
  const chain: string[] = [];
  let name = host;
  for (let i = 0; i < MAX_CNAME_HOPS; i++) {
    let next: string[];
    try {
      next = await resolver.resolveCname(name);
    } catch (e) {
      if (chain.length > 0) break; // the chain ends where a name has no CNAME
      throw e;
    }
    if (next.length === 0 || chain.includes(next[0])) break;
    chain.push(next[0]);
    name = next[0];
  }
  return chain;
}

function describeSet(s: DnsAnswerSet): string {
  const addrs = [...s.a, ...s.aaaa];
  const who = s.resolver === 'system' ? 'the system resolver' : s.resolver;
  if (addrs.length) return `${who}: ${addrs.join(', ')}`;
  return `${who}: ${s.error ?? 'no answer'}`;
}

/** Pure comparison of the answers with the expected address; records which condition fired. */
export function compareExpected(
  host: string,
  expectIp: string,
  sets: DnsAnswerSet[],
): { address: string; verdict: DnsExpectation; detail: string } {
  const fam = isIP(expectIp.split('%')[0]) === 6 ? 'aaaa' : 'a';
  const answering = sets.filter((s) => s.a.length + s.aaaa.length > 0);
  const summary = sets.map(describeSet).join('; ');
  if (answering.length === 0) {
    return {
      address: expectIp,
      verdict: 'no-answer',
      detail: `no resolver returned an address for ${host} (${summary || 'no resolver asked'}); expected ${expectIp}`,
    };
  }
  const has = (s: DnsAnswerSet): boolean => [...s.a, ...s.aaaa].some((x) => sameIp(x, expectIp));
  const withExpect = answering.filter(has);
  // A resolver that says the name (or its addresses) does not exist disagrees; one that is merely
  // broken (SERVFAIL, REFUSED, TIMEOUT) does not, though it shows up in the detail.
  const denying = sets.filter((s) => s.a.length + s.aaaa.length === 0 && (s.error === 'NXDOMAIN' || s.error === 'NODATA'));
  if (withExpect.length === answering.length && denying.length === 0) {
    return { address: expectIp, verdict: 'match', detail: `${host} resolves to the expected ${expectIp} (${summary})` };
  }
  if (withExpect.length > 0) {
    return {
      address: expectIp,
      verdict: 'resolvers-disagree',
      detail: `resolvers disagree about ${host}: ${summary}; expected ${expectIp} (split horizon, hosts file, VPN or hijacked DNS)`,
    };
  }
  const cnames = [...new Set(sets.flatMap((s) => s.cname))];
  const others = [...new Set(answering.flatMap((s) => [...s.a, ...s.aaaa]))];
  if (cnames.length > 0) {
    return {
      address: expectIp,
      verdict: 'cdn-or-proxy',
      detail: `${host} is an alias (CNAME ${cnames.join(' → ')}) resolving to ${others.join(', ')}, not ${expectIp}: traffic goes to a CDN, proxy or another service first`,
    };
  }
  const key = (s: DnsAnswerSet): string => [...s[fam]].sort().join(',');
  if (new Set(answering.map(key)).size > 1) {
    return {
      address: expectIp,
      verdict: 'resolvers-disagree',
      detail: `resolvers disagree about ${host} and none returns ${expectIp}: ${summary}`,
    };
  }
  return {
    address: expectIp,
    verdict: 'mismatch',
    detail: `${host} resolves to ${others.join(', ')}, not the expected ${expectIp} (${summary}): stale or wrong DNS record`,
  };
}

export async function probeDns(host: string, opts: DnsOptions): Promise<DnsFact> {
  const startedAt = new Date().toISOString();
  const name = host.trim().replace(/\.$/, '');
  const literal = ipLiteral(name);
  const finish = (f: Omit<DnsFact, 'finishedAt'>): DnsFact => ({ ...f, finishedAt: new Date().toISOString() });

  if (literal) {
    const expected = opts.expectIp
      ? sameIp(literal, opts.expectIp)
        ? { address: opts.expectIp, verdict: 'match' as const, detail: `target is the IP literal ${literal}; no DNS involved` }
        : {
            address: opts.expectIp,
            verdict: 'mismatch' as const,
            detail: `target is the IP literal ${literal}, not the expected ${opts.expectIp}; no DNS involved`,
          }
      : undefined;
    return finish({
      host: name,
      isIpLiteral: true,
      system: null,
      direct: [],
      addresses: [literal],
      ...(expected ? { expected } : {}),
      startedAt,
    });
  }

  // RFC 6761: names under .invalid never exist; answer without sending a query anywhere.
  if (/(^|\.)invalid$/i.test(name)) {
    const nx = (resolver: string): DnsAnswerSet => ({ resolver, a: [], aaaa: [], cname: [], error: 'NXDOMAIN', errorDetail: 'reserved name (.invalid, RFC 6761): not queried', durationMs: 0 });
    return finish({ host: name, isIpLiteral: false, system: nx('system'), direct: [], addresses: [], startedAt });
  }

  const timeoutMs = Math.min(30_000, Math.max(100, opts.timeoutMs ?? 2000));
  let servers = opts.servers.map((s) => s.trim()).filter(Boolean);
  if (servers.length === 0) servers = getServers();
  servers = [...new Set(servers)].slice(0, MAX_SERVERS);

  const [system, ...direct] = await Promise.all([
    opts.systemResolver === false ? Promise.resolve(null) : querySystem(name, timeoutMs, opts.signal),
    ...servers.map((s) => queryServer(name, s, timeoutMs, opts.signal)),
  ]);

  const addresses: string[] = [];
  const add = (x: string): void => {
    if (!addresses.some((y) => sameIp(x, y))) addresses.push(x);
  };
  for (const s of [system, ...direct]) if (s) [...s.a, ...s.aaaa].forEach(add);

  const sets = [system, ...direct].filter((s): s is DnsAnswerSet => s !== null);
  const expected = opts.expectIp ? compareExpected(name, opts.expectIp, sets) : undefined;
  return finish({ host: name, isIpLiteral: false, system, direct, addresses, ...(expected ? { expected } : {}), startedAt });
}

// Evaluating the cloud configuration when the client's public IP is unknown (no echo service answered and
// the user gave none). Many questions do not depend on it: a port no rule mentions is denied for every
// source, a rule open to 0.0.0.0/0 admits every source. The decision is a function of which rule CIDRs
// contain the source, so it is constant between consecutive CIDR boundaries: evaluating one public address
// per elementary interval (the CIDR starts and ends + 1, refined by the private and reserved ranges a
// client's public IP cannot be in) decides exactly whether the answer is the same for every public source.
// When it is not, the decision is `unknown` and says which public addresses get in and which do not.
import type { CloudSnapshot } from '../cloud/model';
import { parseIp, addressScope } from '../rules/cidr';
import type { AclEvaluation, Evaluation, Flow } from '../rules/types';

/** A flow whose source is unknown: the rule engine's Flow without a source address. */
export type SourcelessFlow = Omit<Flow, 'sourceIp'>;

interface Evaluators {
  evaluateSecurityGroups(snapshot: CloudSnapshot, flow: Flow): Evaluation;
  evaluateNetworkAcl(snapshot: CloudSnapshot, flow: Flow): AclEvaluation;
}

/** More candidates than this (a huge configuration): say "unknown" rather than spend seconds. */
const MAX_CANDIDATES = 4096;

/** Ranges a public egress IP is never in (RFC 6890 special-purpose IPv4), as [first, last] integers. */
const NON_PUBLIC_V4: readonly [string, number][] = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 3],
];

const toInt = (ip: string): number | null => {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(ip);
  if (!m) return null;
  return ((Number(m[1]) << 24) >>> 0) + (Number(m[2]) << 16) + (Number(m[3]) << 8) + Number(m[4]);
};
const toIp = (n: number): string => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');

function cidrBounds(cidr: string): [number, number] | null {
  const [addr, lenText] = cidr.split('/');
  const base = toInt(addr.trim());
  if (base === null) return null;
  const len = lenText === undefined ? 32 : Number(lenText);
  if (!Number.isInteger(len) || len < 0 || len > 32) return null;
  const size = 2 ** (32 - len);
  const first = Math.floor(base / size) * size;
  return [first, first + size - 1];
}

/** Every IPv4 CIDR the configuration compares a source with: rule peers, prefix lists, ACL entries. */
function configCidrs(snapshot: CloudSnapshot): string[] {
  const out: string[] = [];
  for (const g of snapshot.securityGroups) {
    for (const r of g.rules) {
      if (r.peer.kind === 'cidr' && r.peer.family === 4) out.push(r.peer.cidr);
      if (r.peer.kind === 'prefix-list') out.push(...(r.peer.cidrs ?? []));
    }
  }
  for (const a of snapshot.networkAcls) for (const e of [...a.ingress, ...a.egress]) out.push(e.cidr);
  return out;
}

/** One public IPv4 address per elementary interval of the configuration's CIDR boundaries, or null when too many. */
export function representativeSources(snapshot: CloudSnapshot): string[] | null {
  const starts = new Set<number>([0]);
  const add = (b: [number, number] | null): void => {
    if (!b) return;
    starts.add(b[0]);
    if (b[1] < 0xffffffff) starts.add(b[1] + 1);
  };
  for (const c of configCidrs(snapshot)) add(cidrBounds(c));
  for (const [a, len] of NON_PUBLIC_V4) add(cidrBounds(`${a}/${len}`));
  if (starts.size > MAX_CANDIDATES) return null;
  const out: string[] = [];
  for (const s of [...starts].sort((x, y) => x - y)) {
    const ip = toIp(s);
    const parsed = parseIp(ip);
    if (parsed && addressScope(parsed) === 'public') out.push(ip);
  }
  return out;
}

export interface SourcelessEvaluation {
  securityGroups: Evaluation;
  networkAcl: AclEvaluation;
}

function summarise<T extends { decision: 'allow' | 'deny' | 'unknown' }>(
  results: { source: string; e: T }[],
  what: string,
): { same: T | null; allowed?: string; denied?: string } {
  const first = results[0]?.e;
  if (first && first.decision !== 'unknown' && results.every((r) => r.e.decision === first.decision)) return { same: first };
  return { same: null, allowed: results.find((r) => r.e.decision === 'allow')?.source, denied: results.find((r) => r.e.decision !== 'allow')?.source ?? what };
}

/** Evaluates the flow for every public source at once; a decision that depends on the source is `unknown`. */
export function evaluateWithoutSource(deps: Evaluators, snapshot: CloudSnapshot, flow: SourcelessFlow): SourcelessEvaluation {
  const v6 = parseIp(flow.destinationIp)?.family === 6;
  const sources = v6 ? null : representativeSources(snapshot);
  const undecided = (explanation: 'depends-on-source' | 'source-unknown', detail: string, values: Record<string, string | number> = {}): Evaluation => ({
    decision: 'unknown',
    decidedBy: null,
    nearMisses: [],
    considered: [],
    explanation,
    notes: [{ code: explanation, detail, values }],
  });
  if (!sources || !sources.length) {
    const why = v6 ? 'IPv6 sources are not enumerated' : 'the configuration is too large to enumerate every source';
    const ev = undecided('source-unknown', `your public IP is unknown and ${why}`);
    return { securityGroups: ev, networkAcl: { present: false, aclId: null, inbound: ev, returnPath: ev, decision: 'unknown' } };
  }
  const sg = sources.map((source) => ({ source, e: deps.evaluateSecurityGroups(snapshot, { ...flow, sourceIp: source }) }));
  const acl = sources.map((source) => ({ source, e: deps.evaluateNetworkAcl(snapshot, { ...flow, sourceIp: source }) }));
  const s = summarise(sg, '');
  const a = summarise(acl, '');
  const every = `for every public source address (${sources.length} representative addresses evaluated)`;
  const securityGroups: Evaluation = s.same
    ? {
        ...s.same,
        // Misses that name one representative address would be about an address that is not the user's.
        nearMisses: s.same.nearMisses.filter((m) => m.reason !== 'source-excludes-client'),
        notes: [...(s.same.notes ?? []), { code: 'same-for-every-source', detail: `the decision is ${s.same.decision} ${every}`, values: { candidates: sources.length } }],
      }
    : undecided('depends-on-source', `whether the security groups admit you depends on your public IP: ${s.allowed ?? '-'} would be admitted, ${s.denied ?? '-'} would not`, { allowedExample: s.allowed ?? '', deniedExample: s.denied ?? '' });
  const networkAcl: AclEvaluation = a.same
    ? a.same
    : (() => {
        const ev = undecided('depends-on-source', `whether the network ACL lets you in depends on your public IP: ${a.allowed ?? '-'} would pass, ${a.denied ?? '-'} would not`, { allowedExample: a.allowed ?? '', deniedExample: a.denied ?? '' });
        const present = acl[0]?.e.present ?? false;
        return { present, aclId: acl[0]?.e.aclId ?? null, inbound: ev, returnPath: ev, decision: 'unknown' as const };
      })();
  return { securityGroups, networkAcl };
}

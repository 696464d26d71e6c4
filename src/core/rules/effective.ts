// Effective access for one source address: per protocol, which ports the security groups let in and which
// rule decides each range. Computed with a sweep over rule boundaries — each elementary port interval is
// painted by the first rule (in evaluation order) that covers it — never by 65535 evaluations.
import type { CloudSnapshot, Direction } from '../cloud/model';
import { parseIp } from './cidr';
import {
  fixedMatch,
  flowContext,
  type FlowContext,
  type PlacedRule,
} from './compile';
import { decide, defaultOutcome, type DefaultOutcome } from './decide';
import { prepare } from './securityGroups';
import type { Decider, EvaluationNote } from './types';

export interface PortSegment {
  from: number;
  to: number;
  decision: 'allow' | 'deny' | 'unknown';
  decidedBy: Decider | null;
  /** Condition code, as Evaluation.explanation. */
  explanation: string;
}

export interface PointAccess {
  decision: 'allow' | 'deny' | 'unknown';
  decidedBy: Decider | null;
  explanation: string;
}

export interface EffectiveAccess {
  sourceIp: string;
  destinationIp: string | null;
  direction: Direction;
  interfaceId: string | null;
  considered: string[];
  /** Sorted, non-overlapping, covering 1..65535; adjacent segments with the same decider are merged. */
  tcp: PortSegment[];
  udp: PortSegment[];
  /** ICMP (or ICMPv6 for an IPv6 source) and GRE have no ports. */
  icmp: PointAccess;
  gre: PointAccess;
  notes: EvaluationNote[];
  /** Set when nothing could be evaluated (no instance/ENI, invalid address). */
  error?: string;
}

export interface EffectiveOptions {
  /** Instance address the source targets; default the instance's public address (EIP / public IP). */
  destinationIp?: string;
  direction?: Direction;
  /** The source's ephemeral ports (five-tuple rules); default 1024–65535. */
  sourcePorts?: { from: number; to: number };
}

function defaultDestination(snapshot: CloudSnapshot): string {
  const inst = snapshot.instance;
  const primary = snapshot.interfaces.find((e) => e.type === 'primary') ?? snapshot.interfaces[0];
  return inst?.eipAddress ?? inst?.publicIp ?? primary?.publicIp ?? inst?.privateIps[0] ?? primary?.privateIps[0] ?? '';
}

/**
 * Rules that can match this source at all, whatever the port; split into definite and maybe (unresolvable
 * peer, a source-port range covering part of the ephemeral ports, a field that cannot be evaluated).
 */
function applicable(sorted: PlacedRule[], ctx: FlowContext): { definite: PlacedRule[]; maybe: PlacedRule[] } {
  const definite: PlacedRule[] = [];
  const maybe: PlacedRule[] = [];
  for (const p of sorted) {
    const m = fixedMatch(p.c, ctx);
    if (m === 'match') definite.push(p);
    else if (m === 'maybe') maybe.push(p);
  }
  return { definite, maybe }; // filtered from the sorted list: already in evaluation order
}

/** Elementary intervals between all rule boundaries, and for each the first covering rule (painting). */
class Painter {
  readonly starts: number[];
  constructor(rules: PlacedRule[]) {
    const b = new Set<number>([1, 65536]);
    for (const p of rules) {
      b.add(p.c.from);
      b.add(p.c.to + 1);
    }
    this.starts = [...b].filter((x) => x >= 1 && x <= 65536).sort((x, y) => x - y);
  }

  private index(port: number): number {
    // Largest i with starts[i] <= port.
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= port) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** For each elementary interval, the first rule of `sorted` covering it (or null). Near-linear via skip pointers. */
  paint(sorted: PlacedRule[]): (PlacedRule | null)[] {
    const n = this.starts.length - 1;
    const out: (PlacedRule | null)[] = new Array(n).fill(null);
    const next = new Int32Array(n + 1);
    for (let i = 0; i <= n; i++) next[i] = i;
    const find = (i: number): number => {
      let r = i;
      while (next[r] !== r) r = next[r];
      while (next[i] !== r) {
        const t = next[i];
        next[i] = r;
        i = t;
      }
      return r;
    };
    for (const p of sorted) {
      const a = this.index(p.c.from);
      const b = this.index(p.c.to);
      for (let i = find(a); i <= b; i = find(i)) {
        out[i] = p;
        next[i] = i + 1;
      }
    }
    return out;
  }
}

function portSegments(definite: PlacedRule[], maybe: PlacedRule[], proto: 'tcp' | 'udp', def: DefaultOutcome, missing: number): PortSegment[] {
  const rel = (p: PlacedRule): boolean => p.c.proto === proto || p.c.proto === 'all';
  // 'all' rules cover every port; protocol rules their range (compile.ts already normalised -1/-1).
  const widen = (p: PlacedRule): PlacedRule => (p.c.proto === 'all' ? { ...p, c: { ...p.c, from: 1, to: 65535 } } : p);
  const d = definite.filter(rel).map(widen);
  const ma = maybe.filter((p) => rel(p) && p.c.policy === 'accept').map(widen);
  const md = maybe.filter((p) => rel(p) && p.c.policy === 'drop').map(widen);
  const painter = new Painter([...d, ...ma, ...md]);
  const best = painter.paint(d);
  const firstMa = painter.paint(ma);
  const firstMd = painter.paint(md);
  const segs: PortSegment[] = [];
  for (let i = 0; i < best.length; i++) {
    // `widen` made copies: decide() compares by fields, and the decider names the original rule id.
    const r = decide(best[i], firstMa[i], firstMd[i], def, missing);
    const from = painter.starts[i];
    const to = painter.starts[i + 1] - 1;
    const last = segs[segs.length - 1];
    if (last && last.decision === r.decision && last.explanation === r.code && sameDecider(last.decidedBy, r.decidedBy)) last.to = to;
    else segs.push({ from, to, decision: r.decision, decidedBy: r.decidedBy, explanation: r.code });
  }
  return segs;
}

function sameDecider(a: Decider | null, b: Decider | null): boolean {
  if (a === null || b === null) return a === b;
  if (a.kind === 'default' || b.kind === 'default') return a.kind === b.kind && a.policy === b.policy;
  return a.ruleId === b.ruleId && a.containerId === b.containerId;
}

function point(definite: PlacedRule[], maybe: PlacedRule[], proto: string, def: DefaultOutcome, missing: number): PointAccess {
  const rel = (p: PlacedRule): boolean => p.c.proto === proto || p.c.proto === 'all';
  const best = definite.find(rel) ?? null;
  const ma = maybe.find((p) => rel(p) && p.c.policy === 'accept') ?? null;
  const md = maybe.find((p) => rel(p) && p.c.policy === 'drop') ?? null;
  const r = decide(best, ma, md, def, missing);
  return { decision: r.decision, decidedBy: r.decidedBy, explanation: r.code };
}

export function effectiveAccess(snapshot: CloudSnapshot, sourceIp: string, opts: EffectiveOptions = {}): EffectiveAccess {
  const direction = opts.direction ?? 'ingress';
  const destinationIp = opts.destinationIp ?? defaultDestination(snapshot);
  const empty = (error: string, notes: EvaluationNote[]): EffectiveAccess => {
    const u: PointAccess = { decision: 'unknown', decidedBy: null, explanation: error };
    const all: PortSegment[] = [{ from: 1, to: 65535, decision: 'unknown', decidedBy: null, explanation: error }];
    return { sourceIp, destinationIp: destinationIp || null, direction, interfaceId: null, considered: [], tcp: all, udp: all, icmp: u, gre: u, notes, error };
  };
  const flow = direction === 'ingress'
    ? { direction, protocol: 'tcp' as const, sourceIp, destinationIp, port: 1 }
    : { direction, protocol: 'tcp' as const, sourceIp: destinationIp, destinationIp: sourceIp, port: 1 };
  const prep = prepare(snapshot, flow);
  if ('error' in prep) return empty(prep.error, prep.notes);
  const { choice, groups, placement, missing, notes } = prep;
  if (groups.length === 0) return empty('group-missing', notes);
  const remote = parseIp(sourceIp);
  if (!remote) return empty('invalid-remote-address', notes);
  const ctx = flowContext(snapshot, direction, 'tcp', remote, parseIp(destinationIp), choice, opts.sourcePorts);
  const def = defaultOutcome(groups, direction, ctx.remote);
  const { definite, maybe } = applicable(placement.sorted(), ctx);
  const icmpProto = remote.family === 6 ? 'icmpv6' : 'icmp';
  return {
    sourceIp: remote.text,
    destinationIp: destinationIp || null,
    direction,
    interfaceId: choice.eni?.id ?? null,
    considered: choice.groupIds,
    tcp: portSegments(definite, maybe, 'tcp', def, missing.length),
    udp: portSegments(definite, maybe, 'udp', def, missing.length),
    icmp: point(definite, maybe, icmpProto, def, missing.length),
    gre: point(definite, maybe, 'gre', def, missing.length),
    notes,
  };
}

/** Look up one port in a segment list (binary search). */
export function segmentAt(segs: PortSegment[], port: number): PortSegment | undefined {
  let lo = 0;
  let hi = segs.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (segs[mid].to < port) lo = mid + 1;
    else if (segs[mid].from > port) hi = mid - 1;
    else return segs[mid];
  }
  return undefined;
}


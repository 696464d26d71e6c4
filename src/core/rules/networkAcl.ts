// Network ACL evaluation (VPC, per vSwitch). Unlike security groups an ACL is STATELESS: the request must pass
// the inbound entries and the reply must pass the outbound entries on its own. Entries are evaluated in
// array order, first match wins; with no matching entry (or no entries at all) traffic is dropped. The port
// of an entry is always the destination port, so the reply to a client needs the client's ephemeral ports
// (1024–65535) in the outbound entries — the classic "ACL allows 22 in, but SSH still hangs".
import type { CloudSnapshot, NetworkAcl, NetworkAclEntry, Protocol, UnevaluatedField } from '../cloud/model';
import { addressScope, cidrContains, isNonPublicCidr, parseCidr, parseIp, type ParsedCidr, type ParsedIp } from './cidr';
import { resolveInterface } from './interfaces';
import { PORTFUL } from './compile';
import type { AclEvaluation, Decider, EphemeralCoverage, Evaluation, EvaluationNote, Flow, NearMiss } from './types';

export const EPHEMERAL_ALL = { from: 1024, to: 65535 } as const;
/** Default ephemeral (dynamic) port ranges of common client OSes. */
export const CLIENT_EPHEMERAL = [
  { os: 'linux', from: 32768, to: 60999 },
  { os: 'windows', from: 49152, to: 65535 },
  { os: 'macos', from: 49152, to: 65535 },
] as const;

export interface AclOptions {
  /** The client's ephemeral range when known (e.g. from the client platform); default 1024–65535. */
  clientEphemeral?: { from: number; to: number };
}

interface CompiledEntry {
  e: NetworkAclEntry;
  cidr: ParsedCidr | null;
  from: number;
  to: number;
  /** Position in evaluation order. */
  pos: number;
  /** Fields that may restrict the entry but cannot be evaluated (incl. a CIDR that does not parse): it can only "maybe" match. */
  uncertain: UnevaluatedField[];
}

function compileEntry(e: NetworkAclEntry, pos: number): CompiledEntry {
  const all = e.portRange.from === -1 && e.portRange.to === -1;
  const cidr = parseCidr(e.cidr);
  const uncertain = [...(e.unevaluated ?? []), ...(cidr ? [] : [{ field: e.direction === 'ingress' ? 'SourceCidrIp' : 'DestinationCidrIp', value: e.cidr, why: 'unparsable' as const }])];
  return { e, cidr, from: all ? 1 : Math.max(1, e.portRange.from), to: all ? 65535 : Math.min(65535, e.portRange.to), pos, uncertain };
}

const protoOk = (c: CompiledEntry, proto: string): boolean => c.e.protocol === 'all' || c.e.protocol === proto;
const portOk = (c: CompiledEntry, proto: string, port: number): boolean => c.e.protocol === 'all' || !PORTFUL(proto as Protocol) || (port >= c.from && port <= c.to);
/** The address test alone: an entry whose CIDR does not parse is not "ok" here (it is uncertain instead). */
const cidrOk = (c: CompiledEntry, ip: ParsedIp): boolean => c.cidr !== null && cidrContains(c.cidr, ip);
/** Address test with uncertainty: 'no' only on positive evidence. */
const cidrTri = (c: CompiledEntry, ip: ParsedIp): 'yes' | 'no' | 'maybe' => {
  if (c.cidr !== null && !cidrContains(c.cidr, ip)) return 'no';
  return c.uncertain.length ? 'maybe' : 'yes';
};

/** Array order, with the platform's system entries (the trailing deny-all) after every custom entry. */
const ordered = (entries: NetworkAclEntry[]): CompiledEntry[] =>
  [...entries].sort((a, b) => Number(a.entryType === 'system') - Number(b.entryType === 'system') || a.order - b.order).map(compileEntry);

function uncertainNote(acl: NetworkAcl, entries: CompiledEntry[], outcome: 'accept' | 'drop'): EvaluationNote {
  const list = entries.map((c) => `${c.e.policy} entry ${c.e.id} (position ${c.e.order}): ${c.uncertain.map((u) => `${u.field}=${u.value}`).join(', ')}`).join('; ');
  return {
    code: 'uncertain-field',
    detail: `network ACL ${acl.id}: ${list} — ${entries.length > 1 ? 'these entries have' : 'this entry has'} a field that cannot be evaluated, so whether it applies (and the ACL ${outcome === 'accept' ? 'allows' : 'drops'} the packet) cannot be told`,
    values: { aclId: acl.id, ruleId: entries.map((c) => c.e.id).join(','), fields: entries.flatMap((c) => c.uncertain.map((u) => u.field)).join(','), values: entries.flatMap((c) => c.uncertain.map((u) => u.value)).join(',') },
  };
}

const entryDecider = (acl: NetworkAcl, c: CompiledEntry): Decider => ({ kind: 'rule', ruleId: c.e.id, containerId: acl.id, order: c.e.order, policy: c.e.policy });

function entryMiss(acl: NetworkAcl, c: CompiledEntry, reason: NearMiss['reason'], detail: string, values: Record<string, string | number>): NearMiss {
  return { reason, ruleId: c.e.id, containerId: acl.id, policy: c.e.policy, detail, values: { order: c.e.order, cidr: c.e.cidr, protocol: c.e.protocol, portRange: `${c.e.portRange.from}/${c.e.portRange.to}`, ...values } };
}

/** The peer-field near miss: which kind of "this CIDR is not you". */
function cidrMiss(acl: NetworkAcl, c: CompiledEntry, remote: ParsedIp, side: 'source' | 'destination', values: Record<string, string | number>): NearMiss {
  const v = { ...values, clientIp: remote.text };
  if (c.cidr && isNonPublicCidr(c.cidr) && addressScope(remote) === 'public') {
    return entryMiss(acl, c, 'private-source', `ACL entry ${side} ${c.e.cidr} is a private range; internet traffic comes from your public IP ${remote.text}`, v);
  }
  return entryMiss(acl, c, 'source-excludes-client', `ACL entry ${side} ${c.e.cidr} does not contain ${remote.text}`, v);
}

/** First match in order for one packet; near misses are accept entries off by exactly one field. */
function firstMatch(
  acl: NetworkAcl,
  entries: CompiledEntry[],
  other: CompiledEntry[],
  proto: string,
  port: number,
  remote: ParsedIp,
  side: 'source' | 'destination',
  label: string,
): Evaluation {
  const considered = [acl.id];
  let decider: CompiledEntry | null = null;
  // Entries before the decider that may match (a field that cannot be evaluated).
  const maybes: CompiledEntry[] = [];
  for (const c of entries) {
    if (!protoOk(c, proto) || !portOk(c, proto, port)) continue;
    const m = cidrTri(c, remote);
    if (m === 'yes') {
      decider = c;
      break;
    }
    if (m === 'maybe') maybes.push(c);
  }
  const outcome = decider ? decider.e.policy : 'drop';
  const rivals = maybes.filter((c) => c.e.policy !== outcome);
  const decision = rivals.length ? 'unknown' : decider ? (decider.e.policy === 'accept' ? 'allow' : 'deny') : 'deny';
  const explanation = rivals.length
    ? `${label}-uncertain-field`
    : decider
      ? `${label}-entry-${decider.e.policy}`
      : entries.length === 0
        ? `${label}-empty-denies`
        : `${label}-no-match-denies`;
  const decidedBy: Decider = decider
    ? entryDecider(acl, decider)
    : { kind: 'default', policy: 'drop', reason: entries.length === 0 ? `network ACL ${acl.id} has no ${label} entries: an empty ACL denies everything` : `no ${label} entry of network ACL ${acl.id} matches: the ACL denies` };
  const nearMisses: NearMiss[] = [];
  if (decision === 'deny') {
    const base = { port, flowProtocol: proto };
    for (const c of entries) {
      if (c.e.policy !== 'accept' || c.uncertain.length) continue;
      const p = protoOk(c, proto);
      const o = portOk(c, proto, port);
      const r = cidrOk(c, remote);
      if (p && o && r && decider && decider.e.order < c.e.order) {
        nearMisses.push(entryMiss(acl, c, 'shadowed-by-drop', `entry matches, but drop entry ${decider.e.id} comes earlier in the list (position ${decider.e.order} before ${c.e.order}) and ACL entries are matched first-come`, { ...base, clientIp: remote.text, dropRuleId: decider.e.id, dropOrder: decider.e.order }));
      } else if (!p && o && r && PORTFUL(c.e.protocol) && PORTFUL(proto as Protocol)) {
        nearMisses.push(entryMiss(acl, c, 'wrong-protocol', `ACL entry is for ${c.e.protocol.toUpperCase()}, the traffic is ${proto.toUpperCase()}`, { ...base, clientIp: remote.text }));
      } else if (p && !o && r) {
        nearMisses.push(entryMiss(acl, c, 'port-outside-range', `ACL entry covers ports ${c.from}-${c.to}, the packet goes to port ${port}`, { ...base, clientIp: remote.text, portFrom: c.from, portTo: c.to }));
      } else if (p && o && !r) {
        nearMisses.push(cidrMiss(acl, c, remote, side, base));
      }
    }
    // An entry in the other list that would match: a rule added in the wrong direction.
    for (const c of other) {
      if (c.e.policy === 'accept' && protoOk(c, proto) && portOk(c, proto, port) && cidrOk(c, remote)) {
        nearMisses.push(entryMiss(acl, c, 'wrong-direction', `entry is in the ${c.e.direction} list; this packet is checked against the ${label} list`, { port, flowProtocol: proto, clientIp: remote.text }));
      }
    }
  }
  return { decision, decidedBy, nearMisses, considered, explanation, ...(rivals.length ? { notes: [uncertainNote(acl, rivals, outcome === 'accept' ? 'drop' : 'accept')] } : {}) };
}

type Seg = { from: number; to: number; entry: CompiledEntry | null };

/** Paint [lo, hi] with the first matching entry per port: a sweep over entry boundaries, in order. */
export function paintPorts(entries: CompiledEntry[], lo: number, hi: number): Seg[] {
  let segs: Seg[] = [{ from: lo, to: hi, entry: null }];
  for (const c of entries) {
    const next: Seg[] = [];
    for (const s of segs) {
      if (s.entry || c.to < s.from || c.from > s.to) {
        next.push(s);
        continue;
      }
      const a = Math.max(s.from, c.from);
      const b = Math.min(s.to, c.to);
      if (s.from < a) next.push({ from: s.from, to: a - 1, entry: null });
      next.push({ from: a, to: b, entry: c });
      if (b < s.to) next.push({ from: b + 1, to: s.to, entry: null });
    }
    segs = next;
  }
  return segs;
}

function mergeRanges(rs: { from: number; to: number }[]): { from: number; to: number }[] {
  const out: { from: number; to: number }[] = [];
  for (const r of rs) {
    const last = out[out.length - 1];
    if (last && last.to + 1 === r.from) last.to = r.to;
    else out.push({ ...r });
  }
  return out;
}

/** Sorted, overlapping ranges merged. */
function unionRanges(rs: { from: number; to: number }[]): { from: number; to: number }[] {
  const sorted = [...rs].sort((a, b) => a.from - b.from);
  const out: { from: number; to: number }[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.from <= last.to + 1) last.to = Math.max(last.to, r.to);
    else out.push({ ...r });
  }
  return out;
}

/** `rs` minus `cut` (both sorted, non-overlapping). */
function subtractRanges(rs: { from: number; to: number }[], cut: { from: number; to: number }[]): { from: number; to: number }[] {
  let out = rs.map((r) => ({ ...r }));
  for (const c of cut) {
    const next: { from: number; to: number }[] = [];
    for (const r of out) {
      if (c.to < r.from || c.from > r.to) next.push(r);
      else {
        if (r.from < c.from) next.push({ from: r.from, to: c.from - 1 });
        if (c.to < r.to) next.push({ from: c.to + 1, to: r.to });
      }
    }
    out = next;
  }
  return out;
}

const covers = (allowed: { from: number; to: number }[], from: number, to: number): boolean => allowed.some((r) => r.from <= from && r.to >= to);

function returnPathPorts(
  acl: NetworkAcl,
  entries: CompiledEntry[],
  other: CompiledEntry[],
  proto: string,
  remote: ParsedIp,
  range: { from: number; to: number },
  serverPort: number,
): { evaluation: Evaluation; coverage: EphemeralCoverage } {
  const widenAll = (c: CompiledEntry): CompiledEntry => (c.e.protocol === 'all' ? { ...c, from: 1, to: 65535 } : c);
  const protoRelevant = entries.filter((c) => c.e.protocol === 'all' || c.e.protocol === proto);
  const relevant = protoRelevant.filter((c) => cidrTri(c, remote) === 'yes');
  const maybeEntries = protoRelevant.filter((c) => cidrTri(c, remote) === 'maybe').map(widenAll);
  const segs = paintPorts(relevant.map(widenAll), range.from, range.to);
  // Ports where an entry that may match comes before the deciding one and would decide otherwise.
  const uncertainRaw: { from: number; to: number }[] = [];
  const contributing = new Set<CompiledEntry>();
  for (const m of maybeEntries) {
    for (const sg of segs) {
      const a = Math.max(sg.from, m.from);
      const b = Math.min(sg.to, m.to);
      if (a > b) continue;
      const policy = sg.entry ? sg.entry.e.policy : 'drop';
      if (policy !== m.e.policy && (sg.entry === null || sg.entry.pos > m.pos)) {
        uncertainRaw.push({ from: a, to: b });
        contributing.add(m);
      }
    }
  }
  const uncertain = mergeRanges(unionRanges(uncertainRaw));
  const allowed = subtractRanges(mergeRanges(segs.filter((s) => s.entry?.e.policy === 'accept').map(({ from, to }) => ({ from, to }))), uncertain);
  const denied = subtractRanges(mergeRanges(segs.filter((s) => s.entry?.e.policy !== 'accept').map(({ from, to }) => ({ from, to }))), uncertain);
  const coverage: EphemeralCoverage = {
    checked: { ...range },
    allowed,
    denied,
    coverage: denied.length === 0 && uncertain.length === 0 ? 'full' : allowed.length === 0 && uncertain.length === 0 ? 'none' : 'partial',
    clients: CLIENT_EPHEMERAL.map((c) => ({ os: c.os, from: c.from, to: c.to, allowed: covers(allowed, c.from, c.to) })),
    ...(uncertain.length ? { uncertain } : {}),
  };
  // The entry deciding the largest share of the range names the outcome.
  const weight = new Map<CompiledEntry | null, number>();
  for (const s of segs) weight.set(s.entry, (weight.get(s.entry) ?? 0) + s.to - s.from + 1);
  let top: CompiledEntry | null = null;
  let topW = -1;
  for (const [k, w] of weight) if (w > topW) [top, topW] = [k, w];
  const decidedBy: Decider = top ? entryDecider(acl, top) : { kind: 'default', policy: 'drop', reason: entries.length === 0 ? `network ACL ${acl.id} has no egress entries: an empty ACL denies everything` : `no egress entry of network ACL ${acl.id} matches the reply: the ACL denies` };
  // Ports that may go either way leave the answer open.
  const decision = uncertain.length ? 'unknown' : coverage.coverage === 'full' ? 'allow' : coverage.coverage === 'none' ? 'deny' : 'unknown';
  const nearMisses: NearMiss[] = [];
  if (decision !== 'allow') {
    const base = { ephemeralFrom: range.from, ephemeralTo: range.to, serverPort, flowProtocol: proto, clientIp: remote.text, allowedPorts: allowed.map((r) => `${r.from}-${r.to}`).join(',') };
    for (const c of entries) {
      if (c.e.policy !== 'accept') continue;
      const p = c.e.protocol === 'all' || c.e.protocol === proto;
      const r = cidrOk(c, remote);
      const overlapsGap = denied.some((d) => c.e.protocol === 'all' || (c.from <= d.to && c.to >= d.from));
      if (p && r && overlapsGap) {
        const first = entries.find((x) => x.e.policy === 'drop' && (x.e.protocol === 'all' || x.e.protocol === proto) && cidrOk(x, remote) && x.e.order < c.e.order && denied.some((d) => x.from <= d.to && x.to >= d.from));
        if (first) nearMisses.push(entryMiss(acl, c, 'shadowed-by-drop', `reply entry is preceded by drop entry ${first.e.id}, which takes the ephemeral ports first`, { ...base, dropRuleId: first.e.id, dropOrder: first.e.order }));
      } else if (p && r) {
        nearMisses.push(entryMiss(acl, c, 'port-outside-range', `egress entry covers ports ${c.from}-${c.to}; replies go to the client's ephemeral ports ${range.from}-${range.to}, so ${c.from === serverPort && c.to === serverPort ? `an egress entry for the service port ${serverPort} does not help` : 'only part (or none) of them is covered'}`, { ...base, portFrom: c.from, portTo: c.to }));
      } else if (p && !r) {
        nearMisses.push(cidrMiss(acl, c, remote, 'destination', base));
      }
    }
    for (const c of other) {
      if (c.e.policy === 'accept' && (c.e.protocol === 'all' || c.e.protocol === proto) && cidrOk(c, remote) && c.from <= range.from && c.to >= range.to) {
        nearMisses.push(entryMiss(acl, c, 'wrong-direction', `entry allows the ephemeral ports but sits in the ${c.e.direction} list; replies are checked against the egress list`, base));
      }
    }
  }
  const explanation = uncertain.length ? 'return-uncertain-field' : `return-${coverage.coverage}`;
  const notes = uncertain.length ? [uncertainNote(acl, [...contributing], [...contributing][0].e.policy)] : undefined;
  return { evaluation: { decision, decidedBy, nearMisses, considered: [acl.id], explanation, ...(notes ? { notes } : {}) }, coverage };
}

const allow = (explanation: string): Evaluation => ({ decision: 'allow', decidedBy: null, nearMisses: [], considered: [], explanation });

export function findAcl(snapshot: CloudSnapshot, vSwitchId: string | undefined): NetworkAcl | null {
  if (!vSwitchId) return null;
  return snapshot.networkAcls.find((a) => a.vSwitchIds.includes(vSwitchId)) ?? null;
}

export function evaluateNetworkAcl(snapshot: CloudSnapshot, flow: Flow, opts: AclOptions = {}): AclEvaluation {
  const remoteText = flow.direction === 'ingress' ? flow.sourceIp : flow.destinationIp;
  const localText = flow.direction === 'ingress' ? flow.destinationIp : flow.sourceIp;
  const remote = parseIp(remoteText);
  const choice = resolveInterface(snapshot, localText);
  if (!choice.matched && snapshot.instance) {
    // The configuration describes another host: which vSwitch (and ACL) this address sits behind is unknown.
    const ev: Evaluation = { decision: 'unknown', decidedBy: null, nearMisses: [], considered: [], explanation: 'destination-not-on-instance' };
    return { present: false, aclId: null, inbound: ev, returnPath: ev, decision: 'unknown' };
  }
  const acl = findAcl(snapshot, choice.vSwitchId);
  const unknownAcl = snapshot.errors.some((e) => e.leavesUnknown.includes('networkAcls'));
  if (!acl || !remote) {
    const ev = unknownAcl ? { ...allow('acl-unknown'), decision: 'unknown' as const } : allow(remote ? 'no-acl' : 'invalid-remote-address');
    return { present: false, aclId: null, inbound: ev, returnPath: ev, decision: ev.decision };
  }
  const notes: EvaluationNote[] = [];
  // Traffic between ENIs of the same vSwitch never crosses the ACL.
  const peerEni = snapshot.interfaces.find((e) => e !== choice.eni && e.vSwitchId === choice.vSwitchId && [...e.privateIps, ...e.ipv6s].some((a) => parseIp(a)?.text === remote.text));
  if (peerEni) {
    const ev: Evaluation = { ...allow('intra-vswitch'), considered: [acl.id], notes: [{ code: 'acl-not-applied', detail: `${remote.text} is in the same vSwitch ${choice.vSwitchId}: network ACLs do not filter traffic inside one vSwitch`, values: { vSwitchId: choice.vSwitchId ?? '' } }] };
    return { present: true, aclId: acl.id, inbound: ev, returnPath: ev, decision: 'allow' };
  }
  if (choice.eni?.type === 'secondary' && (choice.via === 'eip-on-eni' || choice.via === 'eni-public-ip')) {
    notes.push({ code: 'acl-not-applied', detail: `the EIP is bound to secondary interface ${choice.eni.id}: in cut-through (passthrough) mode the network ACL does not filter it, in NAT mode it does (evaluated as NAT mode)`, values: { interfaceId: choice.eni.id } });
  }
  let proto: string = flow.protocol;
  if (proto === 'icmp' && remote.family === 6) proto = 'icmpv6';
  const ingress = ordered(acl.ingress);
  const egress = ordered(acl.egress);
  const [fwd, back] = flow.direction === 'ingress' ? [ingress, egress] : [egress, ingress];
  const forward = firstMatch(acl, fwd, back, proto, flow.port, remote, flow.direction === 'ingress' ? 'source' : 'destination', flow.direction);
  forward.interfaceId = choice.eni?.id;
  forward.notes = [...notes, ...(forward.notes ?? [])];

  let returnPath: Evaluation;
  let returnPorts: EphemeralCoverage | undefined;
  if (PORTFUL(flow.protocol)) {
    const range = opts.clientEphemeral ?? EPHEMERAL_ALL;
    const r = returnPathPorts(acl, back, fwd, proto, remote, range, flow.port);
    returnPath = r.evaluation;
    returnPorts = r.coverage;
    if (r.coverage.coverage === 'partial' && !r.coverage.uncertain) {
      const okClients = r.coverage.clients.filter((c) => c.allowed).map((c) => c.os);
      returnPath.notes = [
        {
          code: 'ephemeral-partial',
          detail: `the ACL's ${flow.direction === 'ingress' ? 'egress' : 'ingress'} entries let replies reach only ports ${r.coverage.allowed.map((x) => `${x.from}-${x.to}`).join(', ')} of ${range.from}-${range.to}; clients whose ephemeral port falls outside will hang${okClients.length ? ` (default ranges fully covered: ${okClients.join(', ')})` : ''}`,
          values: { allowedPorts: r.coverage.allowed.map((x) => `${x.from}-${x.to}`).join(','), deniedPorts: r.coverage.denied.map((x) => `${x.from}-${x.to}`).join(','), coveredClients: okClients.join(',') },
        },
      ];
      // Without the client's own range, covering every common OS default is as good as full.
      if (!opts.clientEphemeral && okClients.length === CLIENT_EPHEMERAL.length) {
        returnPath.decision = 'allow';
        returnPath.explanation = 'return-partial-covers-common-clients';
      }
    }
  } else {
    // ICMP echo reply (or GRE) back to the client: port-less, first match in the other list.
    returnPath = firstMatch(acl, back, fwd, proto, 0, remote, flow.direction === 'ingress' ? 'destination' : 'source', flow.direction === 'ingress' ? 'egress' : 'ingress');
  }
  const decision =
    forward.decision === 'deny' || returnPath.decision === 'deny' ? 'deny' : forward.decision === 'unknown' || returnPath.decision === 'unknown' ? 'unknown' : 'allow';
  return { present: true, aclId: acl.id, inbound: forward, returnPath, decision, returnPorts };
}

// The path as a picture (issue 12): this computer → its network → the internet → the cloud's edge →
// network ACL → security group → the server's firewall → the service, each segment ok / broken / unknown
// from the evidence alone. Pure: the verdict card, the report and the tests all call pathSegments().
//
// Where a segment's status comes from, strongest first:
//  - the packets were seen to pass it: a TCP connection (every segment up to the service), a RST or an
//    ICMP reject from the target itself (every segment up to the security group: those only drop
//    silently), a TCP trace to the port that reached the target or left the user's network;
//  - its checks: a failed check marks it broken; its clearing checks all passing mark it ok;
//  - nothing: unknown (grey), never invented.
// A check that says "blocked" on a segment the packets were seen to pass is a conflict (stale snapshot,
// another route): the segment is unknown, not red, so the picture never shows two contradicting reds.
// Exactly one segment is THE break: the one of the verdict's deciding check; a verdict that names a place
// (client / network / server) but no check marks the not-ok segments of that place as suspects instead.
import { fullWidthZh } from '../i18n/punctuation';
import { summarizeTrace, type ClassifiedHop } from '../probe/trace/classify';
import type { TraceFact } from '../probe/trace/types';
import { isLocalBlock, view, type FactsView } from './facts';
import { PATH_BLOCKERS } from './invariants';
import type { Check, Diagnosis, Localized, Locus } from './types';

const L = (zh: string, en: string): Localized => ({ 'zh-CN': fullWidthZh(zh), en });

export type SegmentId = 'computer' | 'own-network' | 'internet' | 'cloud-edge' | 'acl' | 'security-group' | 'host-firewall' | 'service';
export type SegmentStatus = 'ok' | 'broken' | 'unknown';

export const SEGMENT_IDS: readonly SegmentId[] = ['computer', 'own-network', 'internet', 'cloud-edge', 'acl', 'security-group', 'host-firewall', 'service'];

export const SEGMENT_LABELS: Record<SegmentId, Localized> = {
  computer: L('这台电脑', 'This computer'),
  'own-network': L('你的网络', 'Your network'),
  internet: L('互联网', 'The internet'),
  'cloud-edge': L('云的入口', 'The cloud’s edge'),
  acl: L('网络 ACL', 'Network ACL'),
  'security-group': L('安全组', 'Security group'),
  'host-firewall': L('服务器防火墙', 'The server’s firewall'),
  service: L('服务', 'The service'),
};

export const SEGMENT_STATUS_WORDS: Record<SegmentStatus, Localized> = {
  ok: L('畅通', 'gets through'),
  broken: L('中断', 'broken'),
  unknown: L('未知', 'unknown'),
};

/** The marks beside a segment's status: the break, a likely break, a suspect, conflicting evidence. */
export const SEGMENT_MARK_WORDS = {
  break: L('在这里断开', 'It breaks here'),
  likely: L('很可能在这里断开', 'Most likely breaks here'),
  suspect: L('故障可能在这一段', 'The fault may be here'),
  conflict: L('证据相互矛盾', 'The evidence conflicts'),
} as const satisfies Record<string, Localized>;

/** The mark of a segment, if it has one. */
export function segmentMark(s: Segment): keyof typeof SEGMENT_MARK_WORDS | null {
  if (s.isBreak) return s.likely ? 'likely' : 'break';
  if (s.conflict) return 'conflict';
  if (s.suspect) return 'suspect';
  return null;
}

/** What decided a segment's status. */
export type SegmentBasis = 'connection' | 'reached-host' | 'trace' | 'check' | 'verdict' | 'none';

export interface Segment {
  id: SegmentId;
  label: Localized;
  status: SegmentStatus;
  /** The one-line finding that decides the segment (a check's, or what the probes saw); absent when nothing does. */
  finding?: Localized;
  basis: SegmentBasis;
  /** Checks about this segment, the deciding one first (to open their evidence). */
  checkIds: string[];
  /** Trace hops on this segment, when a trace ran (with their address class and zone). */
  hops?: ClassifiedHop[];
  /** THE break: the segment of the verdict's deciding check (at most one per picture). */
  isBreak: boolean;
  /** The break rests on a suspicion (the deciding check warned rather than failed). */
  likely?: boolean;
  /** The verdict places the fault here or in another suspect segment, without a check naming which. */
  suspect?: boolean;
  /** A check says blocked, yet the packets were seen to pass: the evidence conflicts. */
  conflict?: boolean;
}

/** Which segment a check speaks about. Checks not listed here (icmp.*, net.port25) are not on the inbound path. */
const SEGMENT_OF_CHECK: Record<string, SegmentId> = {
  'client.dns': 'computer',
  'client.local-firewall': 'computer',
  'client.proxy': 'computer',
  'client.vpn-tunnel': 'computer',
  'client.egress': 'own-network',
  // The trace check fails only when TCP SYNs to the port stop inside the user's own network.
  'path.trace': 'own-network',
  // The rule admits another address than the one the packets leave with: they die at the security group.
  'client.egress-ip': 'security-group',
  'net.carrier-blocked-port': 'internet',
  'instance.running': 'cloud-edge',
  'instance.overdue-lock': 'cloud-edge',
  'instance.security-lock': 'cloud-edge',
  'net.public-ip': 'cloud-edge',
  'net.eip': 'cloud-edge',
  'net.eip-financial-lock': 'cloud-edge',
  'net.eip-bandwidth': 'cloud-edge',
  'net.slb-or-nat-address': 'cloud-edge',
  'net.icp-filing': 'cloud-edge',
  'net.acl-inbound': 'acl',
  'net.acl-return': 'acl',
  'os.firewall': 'host-firewall',
  'os.listening': 'service',
  'os.bind-address': 'service',
  'os.sshd-config': 'service',
  'os.service-running': 'service',
  'app.responds': 'service',
};

/** Checks that speak about no segment of the inbound path (outbound mail, ping). */
export const OFF_PATH_CHECKS: ReadonlySet<string> = new Set(['net.port25', 'icmp.not-a-port-test', 'icmp.blocked-by-default']);

export function segmentOfCheck(id: string): SegmentId | null {
  if (SEGMENT_OF_CHECK[id]) return SEGMENT_OF_CHECK[id];
  if (id.startsWith('sg.')) return 'security-group';
  return null;
}

/**
 * A segment is cleared by its checks when each of these passed (with the given condition, when named): the
 * positive evidence that it lets the flow through. Segments absent here are cleared only by packets seen
 * to pass them.
 */
const CLEARING: Partial<Record<SegmentId, { id: string; condition?: string }[]>> = {
  // A known-good host answers on the same port: this computer and its network let the port out.
  computer: [{ id: 'client.egress', condition: 'control-same-port-ok' }],
  'own-network': [{ id: 'client.egress', condition: 'control-same-port-ok' }],
  'cloud-edge': [{ id: 'instance.running' }, { id: 'net.public-ip' }],
  acl: [{ id: 'net.acl-inbound' }, { id: 'net.acl-return' }],
  'security-group': [{ id: 'sg.inbound-rule' }],
  'host-firewall': [{ id: 'os.firewall' }],
  service: [{ id: 'os.listening' }],
};

/** The segments where a verdict's locus can lie. */
const LOCUS_SEGMENTS: Partial<Record<Locus, SegmentId[]>> = {
  client: ['computer', 'own-network'],
  network: ['internet', 'cloud-edge', 'acl', 'security-group'],
  server: ['host-firewall', 'service'],
};

/** What pathSegments reads: a diagnosis, with the optional trace of issue 12. */
export type PathInput = Pick<Diagnosis, 'target' | 'probes' | 'cloud' | 'server' | 'checks' | 'verdict'> & { trace?: TraceFact | null };

const idx = (id: SegmentId): number => SEGMENT_IDS.indexOf(id);

/**
 * An ICMP reject that came from the target itself (not the client's own firewall, not a device on the way):
 * premises.ts rejectFromTarget, restated here as a boolean so the renderer need not load the premises' words.
 */
function rejectFromTarget(v: FactsView): boolean {
  const t = v.tcp;
  if (!t || !(t.reason === 'host-unreach' || (t.reason === 'admin-prohibited' && !isLocalBlock(t)))) return false;
  const from = v.facts.probes?.icmp?.unreachable?.from;
  return !from || from === t.address;
}

/** How far the packets were seen to get: the last segment they passed, and the words for it. */
function reached(d: PathInput, checks: Map<string, Check>): { upTo: number; basis: SegmentBasis; finding: Localized } | null {
  // A name that resolves elsewhere sends the probes to another host: what they met says nothing about this path.
  if (checks.get('client.dns')?.status === 'fail') return null;
  const v = view({ target: d.target, probes: d.probes, cloud: d.cloud, server: d.server });
  const t = v.tcp;
  let best: { upTo: number; basis: SegmentBasis; finding: Localized } | null = null;
  const better = (upTo: number, basis: SegmentBasis, finding: Localized) => {
    if (!best || upTo > best.upTo) best = { upTo, basis, finding };
  };
  if (t?.state === 'open') better(idx('service'), 'connection', L(`TCP ${t.address}:${t.port} 连接成功：数据包到达了服务`, `TCP ${t.address}:${t.port} connected: the packets reached the service`));
  else if (t?.state === 'closed' && t.reason === 'conn-refused') {
    better(idx('security-group'), 'reached-host', L(`TCP ${t.address}:${t.port} 收到 RST：数据包到达了主机（安全组和 ACL 只会静默丢弃）`, `TCP ${t.address}:${t.port} got a RST: the packets reached the host (security groups and ACLs only drop silently)`));
  } else if (t && rejectFromTarget(v)) {
    better(idx('security-group'), 'reached-host', L(`TCP ${t.address}:${t.port} 收到目标主机的 ICMP 拒绝：数据包到达了主机`, `TCP ${t.address}:${t.port} got an ICMP reject from the target: the packets reached the host`));
  }
  const tr = traceOf(d);
  // Only a TCP trace to the diagnosed port says anything about this port; UDP or ICMP traces show the route.
  if (tr && tr.method === 'tcp-syn' && tr.port === d.target.port) {
    const s = summarizeTrace(tr);
    if (s.stoppedIn === 'target') better(idx('security-group'), 'trace', L(`TCP 路径追踪（端口 ${tr.port}）到达了目标`, `The TCP trace (port ${tr.port}) reached the target`));
    else if (s.premises.publicHopSeen) better(idx('own-network'), 'trace', L(`TCP 路径追踪（端口 ${tr.port}）离开了你的网络（第 ${s.boundaryTtl} 跳是公网地址）`, `The TCP trace (port ${tr.port}) left your network (hop ${s.boundaryTtl} is public)`));
  }
  return best;
}

/** The trace, when the document carries a usable one (a session file is untrusted). */
function traceOf(d: PathInput): TraceFact | null {
  const t = d.trace;
  if (!t || typeof t !== 'object' || !Array.isArray(t.hops) || typeof t.reached !== 'boolean') return null;
  return t;
}

/** Trace hops per segment: the user's own network, the internet, the target's own answer at the cloud's edge. */
function hopsBySegment(d: PathInput): Map<SegmentId, ClassifiedHop[]> {
  const out = new Map<SegmentId, ClassifiedHop[]>();
  const tr = traceOf(d);
  if (!tr || tr.hops.length === 0) return out;
  const s = summarizeTrace(tr);
  let last: SegmentId = 'own-network';
  for (const h of s.hops) {
    let seg: SegmentId;
    if (h.zone === 'own-network') seg = 'own-network';
    else if (h.zone === 'beyond') seg = h.address !== null && (h.address === tr.targetAddress || (tr.reached && h === s.lastAnswering)) ? 'cloud-edge' : 'internet';
    else seg = last; // a silent hop whose side cannot be told stays with the hops before it
    out.set(seg, [...(out.get(seg) ?? []), h]);
    last = seg;
  }
  return out;
}

export function pathSegments(d: PathInput): Segment[] {
  const checks = new Map(d.checks.map((c) => [c.id, c]));
  const hops = hopsBySegment(d);
  const reach = reached(d, checks);
  const segs: Segment[] = SEGMENT_IDS.map((id) => {
    const own = d.checks.filter((c) => segmentOfCheck(c.id) === id && !OFF_PATH_CHECKS.has(c.id));
    const seg: Segment = { id, label: SEGMENT_LABELS[id], status: 'unknown', basis: 'none', checkIds: own.map((c) => c.id), isBreak: false };
    const h = hops.get(id);
    if (h?.length) seg.hops = h;
    const failed = own.filter((c) => c.status === 'fail');
    const passedThrough = reach !== null && idx(id) <= reach.upTo;
    if (failed.length) {
      // A path blocker that says "no packets pass here" cannot stand beside packets seen to pass; a fault
      // the packets meet after they got through (the application, a name-based interception) can.
      const blocking = failed.filter((c) => PATH_BLOCKERS.has(c.id));
      if (passedThrough && blocking.length === failed.length) {
        Object.assign(seg, { status: 'unknown', basis: reach!.basis, conflict: true, finding: blocking[0].finding });
      } else {
        const first = failed.find((c) => !passedThrough || !PATH_BLOCKERS.has(c.id))!;
        Object.assign(seg, { status: 'broken', basis: 'check', finding: first.finding });
      }
      seg.checkIds = [...new Set([...failed.map((c) => c.id), ...seg.checkIds])];
      return seg;
    }
    if (passedThrough) return Object.assign(seg, { status: 'ok', basis: reach!.basis, finding: reach!.finding });
    const clearing = CLEARING[id];
    if (clearing && clearing.every((x) => checks.get(x.id)?.status === 'pass' && (!x.condition || checks.get(x.id)!.condition === x.condition))) {
      const decider = checks.get(clearing[0].id)!;
      seg.checkIds = [...new Set([decider.id, ...seg.checkIds])];
      return Object.assign(seg, { status: 'ok', basis: 'check', finding: decider.finding });
    }
    return seg;
  });
  markBreak(d, segs, checks);
  return segs;
}

function markBreak(d: PathInput, segs: Segment[], checks: Map<string, Check>): void {
  const { verdict } = d;
  const places = LOCUS_SEGMENTS[verdict.locus];
  if (!places) return; // none / inconclusive: the picture shows what is known, no break is claimed
  const decidingId = verdict.blockingCheckIds.find((id) => segmentOfCheck(id) !== null && checks.has(id));
  if (decidingId) {
    const c = checks.get(decidingId)!;
    const seg = segs[idx(segmentOfCheck(decidingId)!)];
    if (seg.conflict) return; // the packets passed it: no red here, whatever the verdict read from the configuration
    seg.isBreak = true;
    seg.status = 'broken';
    seg.basis = 'check';
    seg.finding = c.finding;
    if (c.status !== 'fail') seg.likely = true;
    seg.checkIds = [decidingId, ...seg.checkIds.filter((x) => x !== decidingId)];
    return;
  }
  const suspects = segs.filter((s) => places.includes(s.id) && s.status !== 'ok');
  if (suspects.length === 1) {
    // One place left where the verdict's fault can be: it is the break, said in the verdict's words.
    Object.assign(suspects[0], { isBreak: true, status: 'broken', basis: 'verdict', finding: verdict.summary, likely: verdict.confidence !== 'high' });
  } else for (const s of suspects) s.suspect = true;
}

/** The break, when the picture has one. */
export const pathBreak = (segs: readonly Segment[]): Segment | null => segs.find((s) => s.isBreak) ?? null;

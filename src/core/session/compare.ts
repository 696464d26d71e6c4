// Re-run comparison: what changed between a saved diagnosis and a fresh run of the same plan.
import type { Peer } from '../cloud/model';
import type { Diagnosis, Localized } from '../diagnosis/types';

export type ChangeKind = 'verdict' | 'port' | 'icmp' | 'check' | 'rule-added' | 'rule-removed' | 'address';

export interface Change {
  kind: ChangeKind;
  /** Stable key of what changed (port number, check id, rule id). */
  key: string;
  before: string | null;
  after: string | null;
  text: Localized;
}

/** A check whose facts this run did not read again (no cloud data, no server evidence): not a change. */
export interface NotRechecked {
  key: string;
  title: Localized;
  /** Its status in the saved run. */
  before: string;
  /** The facts that were read before and not this time. */
  missing: FactKind[];
}

/** `rules`: the evaluation of the flow against the rules (needs the cloud data and the client's source address). */
export type FactKind = 'probes' | 'cloud' | 'rules' | 'server';

export interface Comparison {
  same: boolean;
  changes: Change[];
  /** Checks that could not be re-checked (their facts were not read this time); left out of `changes`. */
  notRechecked: NotRechecked[];
}

const EVIDENCE_FACT: Record<string, FactKind> = { probe: 'probes', client: 'probes', cloud: 'cloud', rules: 'rules', server: 'server' };

/** A check without evidence refs: the facts its layer is read from. */
const LAYER_FACT: Record<string, FactKind> = { client: 'probes', network: 'cloud', server: 'server' };

/** Facts present in the saved run and absent from the new one. */
function factsNotReread(before: Diagnosis, after: Diagnosis): Set<FactKind> {
  const gone = new Set<FactKind>();
  if (before.probes && !after.probes) gone.add('probes');
  if (before.cloud.snapshot && !after.cloud.snapshot) gone.add('cloud');
  if (before.cloud.flow && !after.cloud.flow) gone.add('rules');
  if (before.server && !after.server) gone.add('server');
  return gone;
}

const t = (en: string, zh: string): Localized => ({ en, 'zh-CN': zh });

export function compareDiagnoses(before: Diagnosis, after: Diagnosis): Comparison {
  const changes: Change[] = [];

  if (before.verdict.locus !== after.verdict.locus) {
    changes.push({
      kind: 'verdict',
      key: 'locus',
      before: before.verdict.locus,
      after: after.verdict.locus,
      text: t(`verdict was ${before.verdict.locus}, now ${after.verdict.locus}`, `结论由 ${before.verdict.locus} 变为 ${after.verdict.locus}`),
    });
  }

  const portStates = (d: Diagnosis) => new Map((d.probes?.tcp ?? []).map((p) => [p.port, `${p.state}${p.flaky ? ' (flaky)' : ''}`]));
  const pb = portStates(before);
  const pa = portStates(after);
  for (const port of new Set([...pb.keys(), ...pa.keys()])) {
    const b = pb.get(port) ?? null;
    const a = pa.get(port) ?? null;
    if (b !== a) {
      changes.push({
        kind: 'port',
        key: String(port),
        before: b,
        after: a,
        text: t(`port ${port} was ${b ?? 'not probed'}, now ${a ?? 'not probed'}`, `端口 ${port} 由 ${b ?? '未探测'} 变为 ${a ?? '未探测'}`),
      });
    }
  }

  const ib = before.probes?.icmp?.state ?? null;
  const ia = after.probes?.icmp?.state ?? null;
  if (ib !== ia && ib !== null && ia !== null) {
    changes.push({ kind: 'icmp', key: 'icmp', before: ib, after: ia, text: t(`ping was ${ib}, now ${ia}`, `ping 由 ${ib} 变为 ${ia}`) });
  }

  const ab = (before.probes?.target.addresses ?? []).join(', ');
  const aa = (after.probes?.target.addresses ?? []).join(', ');
  if (ab && aa && ab !== aa) {
    changes.push({ kind: 'address', key: 'addresses', before: ab, after: aa, text: t(`${before.target.host} resolved to ${ab}, now ${aa}`, `${before.target.host} 解析由 ${ab} 变为 ${aa}`) });
  }

  const rules = (d: Diagnosis) => {
    const m = new Map<string, string>();
    for (const g of d.cloud.snapshot?.securityGroups ?? []) {
      for (const r of g.rules) m.set(r.id, `${g.id} ${r.direction} ${r.policy} ${r.rawProtocol} ${r.rawPortRange} ${peerText(r.peer)} p${r.priority}`);
    }
    return m;
  };
  if (before.cloud.snapshot && after.cloud.snapshot) {
    const rb = rules(before);
    const ra = rules(after);
    for (const [id, desc] of ra) {
      if (!rb.has(id)) changes.push({ kind: 'rule-added', key: id, before: null, after: desc, text: t(`rule ${id} added: ${desc}`, `新增规则 ${id}：${desc}`) });
    }
    for (const [id, desc] of rb) {
      if (!ra.has(id)) changes.push({ kind: 'rule-removed', key: id, before: desc, after: null, text: t(`rule ${id} removed: ${desc}`, `删除规则 ${id}：${desc}`) });
    }
  }

  const notRechecked: NotRechecked[] = [];
  const gone = factsNotReread(before, after);
  const cb = new Map(before.checks.map((c) => [c.id, c]));
  for (const c of after.checks) {
    const prev = cb.get(c.id);
    const was = prev?.status;
    if (prev && was && was !== c.status) {
      // Unknown now only because a premise was not read again (e.g. a re-run without the cloud data): the
      // check was not re-checked, it did not change.
      const sources = prev.evidence.length ? prev.evidence.map((e) => EVIDENCE_FACT[e.source]) : [LAYER_FACT[prev.layer]];
      const missing = [...new Set(sources.filter((f): f is FactKind => !!f && gone.has(f)))];
      if ((c.status === 'unknown' || c.status === 'skipped') && missing.length) {
        notRechecked.push({ key: c.id, title: c.title, before: was, missing });
        continue;
      }
      changes.push({ kind: 'check', key: c.id, before: was, after: c.status, text: t(`${c.title.en}: ${was} → ${c.status}`, `${c.title['zh-CN']}：${was} → ${c.status}`) });
    }
  }
  return { same: changes.length === 0, changes, notRechecked };
}

function peerText(peer: Peer): string {
  switch (peer.kind) {
    case 'cidr':
      return peer.cidr;
    case 'group':
      return peer.groupId;
    case 'prefix-list':
      return peer.prefixListId;
    default:
      return 'any';
  }
}

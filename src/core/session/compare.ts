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

export interface Comparison {
  same: boolean;
  changes: Change[];
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

  const cb = new Map(before.checks.map((c) => [c.id, c.status]));
  for (const c of after.checks) {
    const was = cb.get(c.id);
    if (was && was !== c.status) {
      changes.push({ kind: 'check', key: c.id, before: was, after: c.status, text: t(`${c.title.en}: ${was} → ${c.status}`, `${c.title['zh-CN']}：${was} → ${c.status}`) });
    }
  }
  return { same: changes.length === 0, changes };
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

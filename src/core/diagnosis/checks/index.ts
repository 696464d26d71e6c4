// The whole checklist in display order: client, network, server. Each entry is data plus a pure function.
import { L } from '../../i18n';
import { instanceReadFailure, view, type DiagnosisFacts, type FactsView } from '../facts';
import { PATH_BLOCKERS } from '../invariants';
import { addressIsInstance, premiseEvidence } from '../premises';
import { renderIntents, type FixRenderer } from '../fixes';
import type { Check } from '../types';
import { CLIENT_CHECKS } from './client';
import { toCheck, type CheckDef, type CheckOutcome, type FactSource } from './define';
import { ICP_CHECKS } from './icp';
import { CHECKLIST_ORDER, type CheckId } from './ids';
import { NETWORK_CHECKS } from './network';
import { PATH_CHECKS } from './path';
import { SERVER_CHECKS } from './server';
import { SG_CHECKS } from './sg';

/** Orders the check definitions by CHECKLIST_ORDER; a check without a place, or a place without a check, is a bug. */
export function orderChecks(defs: readonly CheckDef[], order: readonly CheckId[]): CheckDef[] {
  const byId = new Map<CheckId, CheckDef>();
  for (const d of defs) {
    if (byId.has(d.id)) throw new Error(`check ${d.id} is defined twice`);
    byId.set(d.id, d);
  }
  const out = order.map((id) => {
    const d = byId.get(id);
    if (!d) throw new Error(`check ${id} is in CHECKLIST_ORDER but has no definition`);
    byId.delete(id);
    return d;
  });
  if (byId.size) throw new Error(`checks without a place in CHECKLIST_ORDER: ${[...byId.keys()].join(', ')}`);
  return out;
}

export const CHECKS: readonly CheckDef[] = orderChecks([...CLIENT_CHECKS, ...PATH_CHECKS, ...NETWORK_CHECKS, ...SG_CHECKS, ...ICP_CHECKS, ...SERVER_CHECKS], CHECKLIST_ORDER);

export { CHECK_IDS, CHECKLIST_ORDER, isCheckId, type CheckId } from './ids';

/** Checks that report the address/instance mismatch themselves; every other cloud check is gated by it. */
const REPORTS_ADDRESS_MISMATCH: ReadonlySet<CheckId> = new Set<CheckId>(['net.slb-or-nat-address', 'client.dns']);

/**
 * Gates that hold for every check that reads the cloud configuration, applied here once rather than in
 * each check: a configuration that could not be read says nothing (not "not found"), and a configuration
 * that describes another host than the probed address says nothing about that address's path.
 */
function gate(def: CheckDef, v: FactsView): CheckOutcome | null {
  if (!def.needs.includes('cloud')) return null;
  if (v.instanceLookup === 'read-failed') {
    const why = instanceReadFailure(v) ?? '';
    return { status: 'unknown', condition: 'cloud-read-failed', finding: L(`云端配置没有读到(${why}),无法判断`, `The cloud configuration could not be read (${why}); this cannot be told`) };
  }
  if (!REPORTS_ADDRESS_MISMATCH.has(def.id)) {
    const a = addressIsInstance(v);
    if (a.state === 'false') {
      return { status: 'unknown', condition: 'address-not-instance', finding: L(`云端配置描述的是另一台主机:${a.text['zh-CN']};这项检查不适用于探测的地址`, `The cloud configuration describes another host: ${a.text.en}; this check does not apply to the probed address`), evidence: premiseEvidence([a]) };
    }
  }
  return null;
}

/**
 * A connection that was seen to work outweighs a configuration that says it cannot: a path-blocking
 * failure read from the configuration becomes a warning (stale snapshot, another route) rather than a
 * second, contradicting verdict beside "it works".
 */
function contradictedByProbe(def: CheckDef, v: FactsView, out: CheckOutcome): CheckOutcome {
  if (out.status !== 'fail' || !PATH_BLOCKERS.has(def.id) || v.tcp?.state !== 'open') return out;
  return {
    ...out,
    status: 'warn',
    condition: `contradicted-by-probe:${out.condition}`,
    finding: L(`${out.finding['zh-CN']}(但连接实际成功了:配置可能已过期,或流量走了别的路径)`, `${out.finding.en} (yet the connection works: the configuration may be stale, or the traffic takes another path)`),
  };
}

export interface RunChecksOptions {
  /** The provider's fix renderer (intent → fixes with actions, proven); without one an intent stays plain words. */
  fixes?: FixRenderer;
}

export function runCheck(def: CheckDef, v: FactsView, opts: RunChecksOptions = {}): Check {
  const out = gate(def, v) ?? contradictedByProbe(def, v, def.run(v));
  const fixes = out.fixes?.length ? renderIntents(out.fixes, { snapshot: v.snapshot, flow: v.flow }, opts.fixes) : out.fixes;
  return toCheck(def, { ...out, fixes });
}

/**
 * Runs the checklist. `ready` (live runs): only checks whose needed fact sources have all arrived;
 * omitted = every check (the final list, where missing facts make a check unknown, never invented).
 */
export function runChecks(facts: DiagnosisFacts, ready?: ReadonlySet<FactSource>, opts: RunChecksOptions = {}): Check[] {
  const v = view(facts);
  return CHECKS.filter((d) => (!d.present || d.present(facts)) && (!ready || d.needs.every((n) => ready.has(n)))).map((d) => runCheck(d, v, opts));
}

export type { CheckDef, FactSource } from './define';

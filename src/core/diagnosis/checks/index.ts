// The whole checklist in display order: client, network, server. Each entry is data plus a pure function.
import { view, type DiagnosisFacts, type FactsView } from '../facts';
import type { Check } from '../types';
import { CLIENT_CHECKS } from './client';
import { toCheck, type CheckDef, type FactSource } from './define';
import { ICP_CHECKS } from './icp';
import { NETWORK_CHECKS } from './network';
import { SERVER_CHECKS } from './server';
import { SG_CHECKS } from './sg';

export const CHECKS: readonly CheckDef[] = [...CLIENT_CHECKS, ...NETWORK_CHECKS.slice(0, 3), ...SG_CHECKS, ...NETWORK_CHECKS.slice(3), ...ICP_CHECKS, ...SERVER_CHECKS];

export const CHECK_IDS: readonly string[] = CHECKS.map((c) => c.id);

export function runCheck(def: CheckDef, v: FactsView): Check {
  return toCheck(def, def.run(v));
}

/**
 * Runs the checklist. `ready` (live runs): only checks whose needed fact sources have all arrived;
 * omitted = every check (the final list, where missing facts make a check unknown, never invented).
 */
export function runChecks(facts: DiagnosisFacts, ready?: ReadonlySet<FactSource>): Check[] {
  const v = view(facts);
  return CHECKS.filter((d) => !ready || d.needs.every((n) => ready.has(n))).map((d) => runCheck(d, v));
}

export type { CheckDef, FactSource } from './define';

// The shape of one checklist item: static text (title, why it matters) plus a pure function of the facts
// that returns the status, the condition that fired, a one-line finding, evidence pointers and fixes.
import type { Localized } from '../types';
import type { FactsView } from '../facts';
import type { CheckId } from './ids';
import type { Check, CheckStatus, EvidenceRef, Fix, Layer } from '../types';

export type FactSource = 'probes' | 'cloud' | 'rules' | 'server' | 'trace';

export interface CheckOutcome {
  status: CheckStatus;
  condition: string;
  finding: Localized;
  evidence?: EvidenceRef[];
  fixes?: Fix[];
}

export interface CheckDef {
  /** One of CHECK_IDS (checks/ids.ts): a typo or an unlisted id does not compile. */
  id: CheckId;
  layer: Layer;
  title: Localized;
  explanation: Localized;
  /** Stages whose facts the check waits for before it is shown during a live run. */
  needs: FactSource[];
  /** Only in the checklist when this holds (e.g. the path trace: only when one was asked for); default always. */
  present?(facts: FactsView['facts']): boolean;
  run(v: FactsView): CheckOutcome;
}

export const ev = (source: EvidenceRef['source'], path: string, summary: string): EvidenceRef => ({ source, path, summary });

export function toCheck(def: CheckDef, out: CheckOutcome): Check {
  return {
    id: def.id,
    layer: def.layer,
    status: out.status,
    title: def.title,
    finding: out.finding,
    explanation: def.explanation,
    evidence: out.evidence ?? [],
    fixes: out.fixes ?? [],
    condition: out.condition,
  };
}

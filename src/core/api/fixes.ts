// The contract of applying a fix from the app (issue 11 §2): preview (what would change, where, as whom),
// apply (only a fix the diagnosis itself proposes, only with the literal `confirm: true` the dialog sends) and
// undo (exactly what the last apply created). Importable from the renderer: zod and types only.
import { z } from 'zod';
import type { Localized } from '../diagnosis/types';
import type { AppliedChangeRecord } from '../session/schema';
import { cloudSourceSchema, diagnosisDoc, fileRef, lang, sessionPlanSchema } from './schemas';

const cloudActionDoc = z.object({ api: z.string().min(1).max(64), params: z.record(z.string().min(1).max(128), z.unknown()) });

/** Which fix: its check and its place in that check's fixes, plus the actions the dialog showed (must match). */
const fixRef = {
  diagnosis: diagnosisDoc,
  checkId: z.string().min(1).max(80),
  fixIndex: z.number().int().min(0).max(50),
  actions: z.array(cloudActionDoc).min(1).max(20),
  lang,
};

export const fixPreviewArgs = z.object(fixRef);
export const fixApplyArgs = z.object({
  ...fixRef,
  plan: sessionPlanSchema,
  /** The session file the diagnosis is in (its record gets the change); absent: a new file in the sessions folder. */
  ref: fileRef.optional(),
  /** The credentials of the run (a profile, the stored key, the environment). */
  cloud: cloudSourceSchema,
  /** Sent only by the confirmation dialog's Confirm button. */
  confirm: z.literal(true),
});
export const fixUndoArgs = z.object({ ref: fileRef, cloud: cloudSourceSchema, lang, confirm: z.literal(true) });

export interface FixPreview {
  /** False: applying is not offered (the words say why; the commands to copy stay). */
  available: boolean;
  unavailable: Localized | null;
  title: Localized;
  cloudName: Localized;
  accountId: string | null;
  region: string | null;
  /** One block per action: its API name, then diff lines ("+ …" added, "- …" removed, "~ …" changed). */
  changes: { api: string; lines: string[] }[];
  /** The write permissions the fix needs (as the cloud's policy names them). */
  permissions: string[];
}

export interface FixApplyFailure {
  api: string;
  code: string;
  message: string;
  requestId: string | null;
}

export interface FixApplyResult {
  /** The session file holding the record (a new one in the sessions folder when the diagnosis was unsaved). */
  ref: string;
  name: string;
  /** This apply's (or undo's) changes. */
  records: AppliedChangeRecord[];
  /** Every change recorded in the session, oldest first. */
  applied: AppliedChangeRecord[];
  failure: FixApplyFailure | null;
  notSent: number;
}

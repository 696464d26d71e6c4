// A saved diagnosis: the versioned envelope the app reads and writes as a .sgdiag file.
import type { Diagnosis } from '../diagnosis/types';
import type { AppliedChangeRecord, PendingApply, SessionHistoryEntry, SessionPlan, SessionWatch } from './schema';

export type { AppliedChangeRecord, PendingApply, SessionHistoryEntry, SessionPlan, SessionWatch };

export interface Session {
  kind: 'sg-doctor-session';
  schemaVersion: number;
  appVersion: string;
  createdAt: string;
  savedAt: string;
  plan: SessionPlan;
  diagnosis: Diagnosis;
  history: SessionHistoryEntry[];
  /** Cloud changes applied from this session (issue 11), oldest first; absent when none. */
  applied?: AppliedChangeRecord[];
  /** An apply or undo under way (its ClientTokens); null or absent when none. */
  pendingApply?: PendingApply | null;
  /** When the flow first worked from this machine, found by watching (issue 11 §3); absent until then. */
  watch?: SessionWatch;
}

export type SessionErrorCode =
  | 'NOT_FOUND'
  | 'IO'
  | 'TOO_LARGE'
  | 'NOT_JSON'
  | 'TRUNCATED'
  | 'NOT_A_SESSION'
  | 'INVALID'
  | 'NEWER_INCOMPATIBLE'
  | 'READ_ONLY'
  /** A link in the sessions folder that points outside it. */
  | 'OUTSIDE';

export interface LoadedSession {
  session: Session;
  /** A file written by a newer app: shown, never overwritten. */
  readOnly: boolean;
  /** Schema version the file had before migration (null when already current). */
  migratedFrom: number | null;
  warnings: string[];
}

// The diagnosis engine as the backend sees it: the core's runDiagnosis, the cloud import check and the
// server-side evidence scripts, behind one interface so the transport code never imports them directly.
import type { ImportCheck, ParsedArgsOf, ServerScript } from '../api';
import type { Diagnosis, DiagnosisEvent, ServerEvidence } from '../diagnosis/types';
import type { StoredAccessKey } from './host';

/** Credentials resolved by the backend for one run (the secret never goes back to the UI). */
export type RunCredentials =
  | { kind: 'profile'; profile: string }
  | { kind: 'access-key'; key: StoredAccessKey }
  | { kind: 'import'; json: string }
  | { kind: 'environment' }
  | { kind: 'none' };

export interface RunContext {
  signal: AbortSignal;
  onEvent(event: DiagnosisEvent): void;
  credentials: RunCredentials;
}

export interface DiagnosisEngine {
  run(args: ParsedArgsOf<'diagnosis.start'>, ctx: RunContext): Promise<Diagnosis>;
  checkImport(json: string): Promise<ImportCheck>;
  serverScript(os: 'linux' | 'windows', port: number): ServerScript;
  /** Parses pasted script output and decides again with it. */
  applyServerOutput(diagnosis: Diagnosis, text: string): Promise<{ diagnosis: Diagnosis; server: ServerEvidence }>;
  runCloudAssistant(diagnosis: Diagnosis, credentials: RunCredentials, signal: AbortSignal): Promise<{ diagnosis: Diagnosis; server: ServerEvidence }>;
}

/** Thrown by an engine for an expected failure the UI shows as is (code + message). */
export class EngineError extends Error {
  override name = 'EngineError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

// Server-side evidence: the read-only scripts (shown to the user, run by Cloud Assistant or copied)
// and the parser that turns their output into ServerEvidence.
export { evidenceScript, linuxEvidenceScript, windowsEvidenceScript, FORBIDDEN_COMMANDS, OUTPUT_LIMIT_BYTES, SCRIPT_VERSION } from './scripts';
export type { EvidenceShell } from './scripts';
export { parseServerEvidence } from './parse';
export type { ParseOptions } from './parse';
export { listenerScope } from './listeners';

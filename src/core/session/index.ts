// Sessions: versioned .sgdiag files (save/open/migrate), redaction and re-run comparison.
export * from './types';
export { CURRENT_SESSION_SCHEMA, SESSION_KIND } from './schema';
export { createSession, loadSession, parseSession, saveSession, serializeSession, SESSION_EXTENSION, type SaveOps } from './io';
export { compareDiagnoses, type Change, type Comparison } from './compare';
export { maskIps, maskIpsInText, redactDocument, redactText } from './redact';
export { MIGRATIONS } from './migrations';

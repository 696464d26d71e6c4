// Version of the Diagnosis document (`sg-doctor diagnose --json`, the session file's payload).
// Bump on a breaking shape change and add a migration in src/core/session/migrations.ts.
export const SCHEMA_VERSION = 1;
export const DIAGNOSIS_SCHEMA_VERSION = SCHEMA_VERSION;

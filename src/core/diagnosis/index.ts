// The diagnosis engine: layered checklist + verdict over probes, cloud analysis and server evidence.
export { runDiagnosis, evaluateCloud, type DiagnoseRequest, type DiagnoseDeps, type CloudRequest, type ServerRequest, type RunDiagnosisOptions } from './run';
export { runChecks, CHECKS, CHECK_IDS } from './checks';
export { decideVerdict, RULES, type ReasoningRule, type VerdictCandidate } from './verdict';
export { view, type DiagnosisFacts, type FactsView } from './facts';
export { SCHEMA_VERSION } from './schema-version';
export * from './types';

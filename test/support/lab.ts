// Entry point for suites outside test/lab (diagnosis scenarios, UI e2e) that need the network lab.
export * from '../lab/lab';
export { describeLab, labRequired } from '../lab/describe-lab';

// Re-exports for tests that build `aliyun` CLI documents from scenarios.
export { buildScenario } from './scenarios';
export type { ApiObject as ApiObjectLike } from './scenarios';

// Reusable loopback fake of the Alibaba Cloud API for integration and end-to-end tests.
export { startFakeAliyun, type CallRecord, type FakeAliyun, type FakeAliyunOptions, type Fault, type FaultKind } from './server';
export { buildScenario, REGIONS, TEST_ACCESS_KEY, VARIANTS, type AssistantBehaviour, type Scenario, type ScenarioParams, type Variant } from './scenarios';
export { criticalPathRoundTrips } from './critical-path';

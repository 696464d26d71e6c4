// Reusable loopback fake of the Huawei Cloud APIs SG Doctor reads, for integration, lab and end-to-end tests.
export { FAKE_AK, FAKE_SK, PROJECTS, sdkUrlEncode, startFakeHuawei, verifySignature, WRITE_OPERATIONS, type FakeHuawei, type FakeHuaweiOptions, type Fault, type FaultKind, type Operation, type RecordedCall } from './server';
export * from './scenarios';

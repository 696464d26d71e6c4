// Shortcuts for tests that read through the real SDK against the fake API.
import type { ReadOptions } from '../../src/core/cloud/alicloud/read';
import type { FakeAliyun } from './server';

export const endpointsOf = (fake: FakeAliyun): NonNullable<ReadOptions['endpoints']> => ({ ecs: fake.endpoint, vpc: fake.endpoint, sts: fake.endpoint });

/** Fast retry/timeout settings so fault tests finish quickly. */
export const FAST: Pick<ReadOptions, 'timeoutMs' | 'retries' | 'baseDelayMs' | 'maxDelayMs'> = { timeoutMs: 1500, retries: 2, baseDelayMs: 20, maxDelayMs: 200 };

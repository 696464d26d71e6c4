// Cloud Assistant (RunCommand + DescribeInvocationResults) with the real SDK against the fake API.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCloudAssistant } from '../src/core/cloud/alicloud/assistant';
import { buildScenario, startFakeAliyun, TEST_ACCESS_KEY, type AssistantBehaviour, type FakeAliyun } from './fake-api';
import { endpointsOf } from './fake-api/helpers';

const INSTANCE = 'i-bp1sgdoctor00000001';
let fake: FakeAliyun;
beforeAll(async () => {
  fake = await startFakeAliyun({ scenario: buildScenario(), ...TEST_ACCESS_KEY });
});
afterAll(() => fake.stop());
beforeEach(() => {
  fake.setFaults([]);
  fake.calls.length = 0;
});

const run = (assistant: AssistantBehaviour | undefined, extra: Partial<Parameters<typeof runCloudAssistant>[0]> = {}) => {
  fake.setScenario(buildScenario(assistant ? { assistant } : {}));
  return runCloudAssistant({
    instanceId: INSTANCE,
    region: 'cn-hangzhou',
    script: 'ss -ltnp; echo "中文 ok"',
    type: 'RunShellScript',
    timeoutSec: 30,
    credentials: { ...TEST_ACCESS_KEY },
    endpoints: endpointsOf(fake),
    pollIntervalMs: 10,
    maxPollIntervalMs: 30,
    ...extra,
  });
};

describe('runCloudAssistant', () => {
  it('runs the script, polls until final and decodes the base64 output', async () => {
    const r = await run({ status: 'Success', pendingPolls: 2, output: (s) => `ran: ${s}\nLISTEN 0 128 0.0.0.0:22\n` });
    expect(r.status).toBe('Success');
    expect(r.exitCode).toBe(0);
    expect(r.output).toBe('ran: ss -ltnp; echo "中文 ok"\nLISTEN 0 128 0.0.0.0:22\n');
    expect(r.polls).toBe(3);
    expect(fake.commands).toContainEqual({ instanceId: INSTANCE, type: 'RunShellScript', script: 'ss -ltnp; echo "中文 ok"' });
    const runCall = fake.calls.find((c) => c.action === 'RunCommand')!;
    expect(runCall.params.ContentEncoding).toBe('Base64');
    expect(runCall.params['InstanceId.1']).toBe(INSTANCE);
  });

  it('reports an agent that is not running / not installed', async () => {
    const r = await run(undefined);
    expect(r.status).toBe('AgentNotRunning');
    expect(r.errorCode).toBe('ClientNotRunning');
    expect(r.explanation).toMatch(/not installed, stopped/);
  });

  it('reports a script timeout, a failure with its exit code, and truncation at 24 KB', async () => {
    expect((await run({ status: 'Timeout', errorCode: 'ExecutionTimeout' })).status).toBe('Timeout');
    const failed = await run({ status: 'Failed', exitCode: 3, errorCode: 'ExitCodeNonzero', output: 'boom' });
    expect(failed).toMatchObject({ status: 'Failed', exitCode: 3, output: 'boom' });
    const big = await run({ status: 'Success', output: 'x'.repeat(30 * 1024) });
    expect(big.truncated).toBe(true);
    expect(big.droppedBytes).toBe(6 * 1024);
    expect(big.output.length).toBe(24 * 1024);
  });

  it('stops polling at the bound and reports Timeout', async () => {
    const r = await run({ status: 'Success', pendingPolls: 100 }, { maxPolls: 4 });
    expect(r.status).toBe('Timeout');
    expect(r.polls).toBe(4);
    expect(r.invocationStatus).toBe('Running');
  });

  it('turns a RunCommand denied by RAM into an error with the action to grant', async () => {
    fake.setFaults([{ action: 'RunCommand', kind: 'forbidden' }]);
    const r = await run({ status: 'Success' });
    expect(r.status).toBe('Error');
    expect(r.error).toMatchObject({ code: 'Forbidden.RAM', grant: 'ecs:RunCommand' });
  });
});

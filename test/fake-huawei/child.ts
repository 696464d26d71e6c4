// Runs the fake Huawei Cloud API as a child process (e.g. inside a lab namespace with `ip netns exec`, so the
// CLI run there reaches it on that namespace's loopback). Protocol on stdio, like test/scenarios/fake-api-child:
// argv[2] = JSON {"scenario": name, "params": {eip, privateIp, port}, "faults": [...]}; prints
// {"endpoint":"http://127.0.0.1:PORT","ak":…,"sk":…,"projectId":…,"region":…} once listening; then each stdin
// line {"scenario": name, "params": {…}, "faults"?: […]} switches the state and is answered {"ok":true,"calls":n}.
// Exits when stdin closes or on SIGTERM.
import { createInterface } from 'node:readline';
import { PROJECT_ID, REGION, scenario, SCENARIO_NAMES, type ScenarioName, type ScenarioParams } from './scenarios';
import { FAKE_AK, FAKE_SK, startFakeHuawei, type Fault } from './server';

interface Order {
  scenario?: ScenarioName;
  params?: ScenarioParams;
  faults?: Fault[];
}

function stateOf(o: Order) {
  const name = o.scenario ?? 'healthy';
  if (!SCENARIO_NAMES.includes(name)) throw new Error(`unknown scenario ${JSON.stringify(name)} (known: ${SCENARIO_NAMES.join(', ')})`);
  return scenario(name, o.params ?? {});
}

async function main(): Promise<void> {
  const first = JSON.parse(process.argv[2] ?? '{}') as Order;
  const fake = await startFakeHuawei({ state: stateOf(first), faults: first.faults ?? [] });
  process.stdout.write(`${JSON.stringify({ endpoint: fake.url, ak: FAKE_AK, sk: FAKE_SK, projectId: PROJECT_ID, region: REGION })}\n`);
  const rl = createInterface({ input: process.stdin });
  rl.on('line', (line) => {
    try {
      const o = JSON.parse(line) as Order;
      fake.options.state = stateOf(o);
      if (o.faults) fake.setFaults(o.faults);
      process.stdout.write(`${JSON.stringify({ ok: true, calls: fake.calls.length })}\n`);
    } catch (e) {
      process.stdout.write(`${JSON.stringify({ ok: false, error: (e as Error).message })}\n`);
    }
  });
  const stop = (): void => void fake.close().finally(() => process.exit(0));
  rl.on('close', stop);
  process.on('SIGTERM', stop);
}

main().catch((e: unknown) => {
  process.stderr.write(`fake-huawei child: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});

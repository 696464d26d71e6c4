// Runs the fake Huawei Cloud API (test/fake-huawei) inside a network namespace (the lab's client namespace), so
// the CLI run there reaches it on that namespace's own loopback, and enforces its state in the lab's server
// namespace (huawei-enforce.ts) so what the API says and what packets meet agree. It also serves the egress-IP
// echo as the Internet would see this client (its NAT's public address, default 203.0.113.7).
// Protocol on stdio, like test/scenarios/fake-api-child.ts: argv[2] = JSON {"scenario", "params", "faults"?,
// "enforce"?, "egressIp"?}; prints {"endpoint","echoUrl","ak","sk","projectId","region"} once listening; then
// each stdin line {"scenario", "params", "faults"?} switches the state (enforced before the answer) and is
// answered {"ok":true,"calls":n}. Every write the API accepts (fix --apply / --undo) is enforced too. Exits when
// stdin closes or on SIGTERM.
import { createServer } from 'node:http';
import { createInterface } from 'node:readline';
import { PROJECT_ID, REGION, scenario, SCENARIO_NAMES, type HuaweiState, type ScenarioName, type ScenarioParams } from '../fake-huawei/scenarios';
import { FAKE_AK, FAKE_SK, startFakeHuawei, type Fault } from '../fake-huawei/server';
import { enforceHuawei, type HuaweiEnforceTarget } from './huawei-enforce';

interface Order {
  scenario?: ScenarioName;
  params?: ScenarioParams;
  faults?: Fault[];
  enforce?: HuaweiEnforceTarget;
  egressIp?: string;
}

function stateOf(o: Order): HuaweiState {
  const name = o.scenario ?? 'healthy';
  if (!SCENARIO_NAMES.includes(name)) throw new Error(`unknown scenario ${JSON.stringify(name)} (known: ${SCENARIO_NAMES.join(', ')})`);
  return scenario(name, o.params ?? {});
}

async function main(): Promise<void> {
  const first = JSON.parse(process.argv[2] ?? '{}') as Order;
  const target = first.enforce;
  const state = stateOf(first);
  // A write through the API (fix --apply / --undo) is enforced before it is answered, as a scenario switch is.
  const fake = await startFakeHuawei({ state, faults: first.faults ?? [], ...(target ? { onWrite: (st) => enforceHuawei(st, target) } : {}) });
  if (target) enforceHuawei(state, target);
  const egressIp = first.egressIp ?? '203.0.113.7';
  const echo = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(`${egressIp}\n`);
  });
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  const echoPort = (echo.address() as { port: number }).port;
  process.stdout.write(`${JSON.stringify({ endpoint: fake.url, echoUrl: `http://127.0.0.1:${echoPort}/`, ak: FAKE_AK, sk: FAKE_SK, projectId: PROJECT_ID, region: REGION })}\n`);
  const rl = createInterface({ input: process.stdin });
  rl.on('line', (line) => {
    try {
      const o = JSON.parse(line) as Order;
      const next = stateOf(o);
      if (target) enforceHuawei(next, target);
      fake.options.state = next;
      fake.setFaults(o.faults ?? []);
      process.stdout.write(`${JSON.stringify({ ok: true, calls: fake.calls.length })}\n`);
    } catch (e) {
      process.stdout.write(`${JSON.stringify({ ok: false, error: (e as Error).message })}\n`);
    }
  });
  const stop = (): void => {
    echo.close();
    void fake.close().finally(() => process.exit(0));
  };
  rl.on('close', stop);
  process.on('SIGTERM', stop);
}

main().catch((e: unknown) => {
  process.stderr.write(`huawei-fake-child: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});

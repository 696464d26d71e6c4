// Runs the fake Alibaba Cloud API inside a network namespace (the lab's client namespace), so that the CLI
// run there reaches it on that namespace's own loopback, exactly as a user's CLI reaches the real API.
// It also serves the egress-IP echo as the Internet would see this client: the lab can only use private
// 10.200.0.0/16 addresses, but a user reaching an instance's public IP is seen by the security group
// under a public address (their NAT gateway's), so this echo answers that public address (default
// 203.0.113.7, TEST-NET-3) and the fake API's rules are written for it.
// Protocol on stdio: prints {"endpoint":"127.0.0.1:PORT","echoUrl":"http://127.0.0.1:PORT/"} once
// listening; then each stdin line is JSON {"params": ScenarioParams, "latencyMs"?: n, "egressIp"?: ip} →
// applied, answered with {"ok":true}. Exits when stdin closes.
import { createServer } from 'node:http';
import { createInterface } from 'node:readline';
import { buildScenario, startFakeAliyun, TEST_ACCESS_KEY, type Fault, type ScenarioParams } from '../fake-api';
import { enforce, type EnforceTarget } from '../lab/cloud-enforce';

async function main(): Promise<void> {
  // `enforce` (optional): program the fake cloud's security groups and ACL into the server namespace's
  // iptables (test/lab/cloud-enforce.ts), rebuilt on every state change before the API answers.
  const first = JSON.parse(process.argv[2] ?? '{}') as { params?: ScenarioParams; latencyMs?: number; enforce?: EnforceTarget };
  const target = first.enforce;
  const fake = await startFakeAliyun({ scenario: buildScenario(first.params ?? {}), ...TEST_ACCESS_KEY, latencyMs: first.latencyMs ?? 0, ...(target ? { onChange: (s) => enforce(s, target) } : {}) });
  if (target) enforce(fake.scenario(), target);
  let egressIp = first.params?.clientIp ?? '203.0.113.7';
  const echo = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(`${egressIp}\n`);
  });
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  const echoPort = (echo.address() as { port: number }).port;
  process.stdout.write(`${JSON.stringify({ endpoint: fake.endpoint, echoUrl: `http://127.0.0.1:${echoPort}/` })}\n`);
  const rl = createInterface({ input: process.stdin });
  rl.on('line', (line) => {
    try {
      const msg = JSON.parse(line) as { params?: ScenarioParams; latencyMs?: number; egressIp?: string; faults?: Fault[]; state?: boolean };
      // {"faults": […]}: inject faults (e.g. a write denied by policy) without touching the state;
      // {"state": true}: answer the current state (the write actions change it).
      if (msg.faults) fake.setFaults(msg.faults);
      if (msg.state) {
        process.stdout.write(`${JSON.stringify({ ok: true, scenario: fake.scenario() })}\n`);
        return;
      }
      if (!msg.params) {
        process.stdout.write(`${JSON.stringify({ ok: true, calls: fake.calls.length })}\n`);
        return;
      }
      fake.setScenario(buildScenario(msg.params));
      if (target) enforce(fake.scenario(), target);
      egressIp = msg.egressIp ?? msg.params.clientIp ?? egressIp;
      if (msg.latencyMs !== undefined) fake.setLatency(msg.latencyMs);
      process.stdout.write(`${JSON.stringify({ ok: true, calls: fake.calls.length })}\n`);
    } catch (e) {
      process.stdout.write(`${JSON.stringify({ ok: false, error: (e as Error).message })}\n`);
    }
  });
  const stop = (): void => {
    echo.close();
    void fake.stop().finally(() => process.exit(0));
  };
  rl.on('close', stop);
  process.on('SIGTERM', stop);
}

main().catch((e: unknown) => {
  process.stderr.write(`fake-api-child: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});

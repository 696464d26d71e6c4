// Glue for the Huawei Cloud end-to-end scenarios: one network lab whose server host has one port per fault,
// the fake Huawei API (test/fake-huawei, real SDK, AK/SK-signed requests) running inside the lab's client
// namespace with its state enforced in the server namespace (huawei-enforce.ts), and the real
// `sg-doctor diagnose --provider huawei --json` run in the client namespace through support.ts's
// runCliInClient (which checks every diagnosis against the shared invariants). Loopback and 10.200.X.0/24 only.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface, type Interface } from 'node:readline';
import { SERVER_ID, type ScenarioName } from '../fake-huawei/scenarios';
import { tsxArgv, REPO_ROOT, type Lab, type LabSpec, type PortSpec } from '../lab/lab';
import type { Diagnosis } from '../../src/core/diagnosis/types';
import type { HuaweiEnforceTarget } from './huawei-enforce';
import { CLIENT_PUBLIC_IP, ECHO_PORT, runCliInClient, type CliRun } from './support';

export const HW_REGION = 'cn-north-4';

export interface HuaweiScenarioSpec {
  name: string;
  state: ScenarioName;
  port: number;
  /** The server's own listener and OS firewall (the cloud's part is enforced from the fake's state). */
  server: Omit<PortSpec, 'port'>;
  locus: Diagnosis['verdict']['locus'];
  failing: string | null;
  /** The condition the failing check records. */
  condition?: string;
  /** An id the deciding evidence must name (rule, ACL entry, …), as placed at the scenario's port. */
  evidenceId?: string;
  /** Near-miss reason codes the security-group analysis must list. */
  nearMisses?: string[];
  /** What the cloud analysis decides for the flow (security groups; the network ACL inbound). */
  sgDecision?: 'allow' | 'deny';
  aclDecision?: 'allow' | 'deny';
  /** Huawei API actions a fix of the failing check must carry (simulated decision allow); none listed: no cloud action at all. */
  fixApis?: string[];
}

export function huaweiLabSpec(scenarios: readonly HuaweiScenarioSpec[]): LabSpec {
  return {
    ipv6: false,
    hosts: {
      server: { ports: scenarios.map((s) => ({ port: s.port, ...s.server })) },
      // The control host: a known-good server answering on every scenario port.
      echo: { ports: [{ port: ECHO_PORT, listen: 'egress-echo' }, ...scenarios.map((s) => ({ port: s.port, listen: 'tcp' as const }))] },
    },
  };
}

/** The fake Huawei API in the lab's client namespace; each state it serves is enforced in the server namespace. */
export class FakeHuaweiInNamespace {
  private constructor(
    private readonly child: ChildProcess,
    private readonly lines: Interface,
    readonly endpoint: string,
    readonly echoUrl: string,
    readonly keys: { ak: string; sk: string; projectId: string },
    private readonly queue: ((line: string) => void)[],
  ) {}

  static async start(lab: Lab, first: { scenario: ScenarioName; port: number }): Promise<FakeHuaweiInNamespace> {
    const enforce: HuaweiEnforceTarget = { ns: lab.hosts.server.ns, serverId: SERVER_ID, sources: [{ labIp: lab.client.ipv4, seenAs: CLIENT_PUBLIC_IP }] };
    const order = { scenario: first.scenario, params: paramsFor(lab, first.port), enforce, egressIp: CLIENT_PUBLIC_IP };
    const argv = tsxArgv('test/scenarios/huawei-fake-child.ts', [JSON.stringify(order)]);
    const child = spawn('ip', ['netns', 'exec', lab.client.ns, ...argv], { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
    const lines = createInterface({ input: child.stdout! });
    const queue: ((line: string) => void)[] = [];
    lines.on('line', (l) => queue.shift()?.(l));
    const firstLine = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('fake Huawei API did not start within 30 s')), 30_000);
      queue.push((l) => {
        clearTimeout(timer);
        resolve(l);
      });
      child.once('exit', (code) => reject(new Error(`fake Huawei API exited (${code})`)));
    });
    const r = JSON.parse(firstLine) as { endpoint: string; echoUrl: string; ak: string; sk: string; projectId: string };
    return new FakeHuaweiInNamespace(child, lines, r.endpoint, r.echoUrl, { ak: r.ak, sk: r.sk, projectId: r.projectId }, queue);
  }

  /** Serves (and enforces) a scenario state placed at the lab's address and the port. */
  async set(lab: Lab, scenario: ScenarioName, port: number): Promise<void> {
    const answer = new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('fake Huawei API did not answer within 20 s')), 20_000);
      this.queue.push((l) => {
        clearTimeout(timer);
        resolve(l);
      });
    });
    this.child.stdin!.write(`${JSON.stringify({ scenario, params: paramsFor(lab, port) })}\n`);
    const r = JSON.parse(await answer) as { ok: boolean; error?: string };
    if (!r.ok) throw new Error(`fake Huawei API: ${r.error}`);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.stdin!.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
    this.lines.close();
  }
}

/** The EIP is the server's lab address (what the client probes); the private address stays the fixture's. */
function paramsFor(lab: Lab, port: number) {
  return { eip: lab.hosts.server.ipv4, port };
}

/** `sg-doctor diagnose <server>:<port> --provider huawei --json` in the client namespace (see runCliInClient); `json: false` for the text a user reads. */
export async function diagnoseHuaweiInClient(lab: Lab, fake: FakeHuaweiInNamespace, s: HuaweiScenarioSpec, opts: { json?: boolean } = {}): Promise<CliRun> {
  const args = [
    'diagnose',
    `${lab.hosts.server.ipv4}:${s.port}`,
    '--service',
    'ssh',
    '--provider',
    'huawei',
    '--instance',
    SERVER_ID,
    '--region',
    HW_REGION,
    '--egress-ip-urls',
    fake.echoUrl,
    '--control-hosts',
    `${lab.hosts.echo.ipv4}:${s.port}`,
    '--attempts',
    '2',
    ...(opts.json === false ? [] : ['--json']),
  ];
  // runCliInClient also points the Alibaba endpoints at this fake: --provider huawei never calls them.
  return runCliInClient(lab, fake, `huawei: ${s.name}`, s.port, args, huaweiCliEnv(fake));
}

/** The CLI's environment against the fake Huawei API: its endpoint and keys; outside contacts only the lab's echo. */
export function huaweiCliEnv(fake: FakeHuaweiInNamespace): Record<string, string> {
  return {
    SGD_HUAWEI_ENDPOINT: fake.endpoint,
    HUAWEICLOUD_SDK_AK: fake.keys.ak,
    HUAWEICLOUD_SDK_SK: fake.keys.sk,
    HUAWEICLOUD_SDK_PROJECT_ID: fake.keys.projectId,
    SGD_EGRESS_IP_URLS: fake.echoUrl,
    SGD_CONTROL_HOSTS: '',
    SGD_DNS_SERVERS: '',
  };
}

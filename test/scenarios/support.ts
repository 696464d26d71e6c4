// Glue for the end-to-end scenarios: one network lab whose server host has one port per fault, the fake
// Alibaba API running inside the lab's client namespace, and the real `sg-doctor diagnose` CLI run in
// that namespace against both. Everything stays on loopback and on the lab's 10.200.X.0/24.
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { TEST_ACCESS_KEY, type Fault, type Scenario, type ScenarioParams, type Variant } from '../fake-api';
import type { EnforceTarget } from '../lab/cloud-enforce';
import { REPO_ROOT, tsxArgv, type ExecResult, type Lab, type LabSpec, type PortSpec } from '../lab/lab';
import type { Diagnosis } from '../../src/core/diagnosis/types';
import { contradictions } from '../../src/core/diagnosis/invariants';

export const INSTANCE_ID = 'i-bp1sgdoctor00000001';
export const REGION = 'cn-hangzhou';
export const DNS_NAME = 'www.sgd.test';
/** Where the stale DNS record points: outside the lab, unroutable from the client namespace (ENETUNREACH, nothing is sent). */
export const STALE_ADDRESS = '198.51.100.99';
export const ECHO_PORT = 8080;
/** The client's public address as the Internet sees it (its NAT gateway's), TEST-NET-3. */
export const CLIENT_PUBLIC_IP = '203.0.113.7';

export interface ScenarioSpec {
  name: string;
  variant: Variant;
  port: number;
  server: Omit<PortSpec, 'port'>;
  locus: Diagnosis['verdict']['locus'];
  failing: string | null;
  /** Host argument instead of the server's address (DNS scenario). */
  host?: 'dns-name';
  /** Collect server evidence with the read-only script inside the server namespace. */
  serverEvidence?: boolean;
  clientBlocked?: boolean;
}

export const SCENARIOS: ScenarioSpec[] = [
  { name: 'rule missing', variant: 'rule-missing', port: 2301, server: { listen: 'ssh', firewall: 'drop' }, locus: 'network', failing: 'sg.inbound-rule' },
  { name: 'rule on the wrong direction', variant: 'wrong-direction', port: 2302, server: { listen: 'ssh', firewall: 'drop' }, locus: 'network', failing: 'sg.direction' },
  { name: 'UDP instead of TCP', variant: 'udp-instead-of-tcp', port: 2303, server: { listen: 'ssh', firewall: 'drop' }, locus: 'network', failing: 'sg.protocol' },
  { name: 'source is the wrong IP (client NAT)', variant: 'wrong-source', port: 2304, server: { listen: 'ssh', firewall: 'drop' }, locus: 'client', failing: 'client.egress-ip' },
  { name: 'higher-priority drop', variant: 'higher-priority-drop', port: 2305, server: { listen: 'ssh', firewall: 'drop' }, locus: 'network', failing: 'sg.priority-drop' },
  { name: 'network ACL deny', variant: 'acl-deny', port: 2306, server: { listen: 'ssh', firewall: 'drop' }, locus: 'network', failing: 'net.acl-inbound' },
  { name: 'ACL missing the return ephemeral range', variant: 'acl-no-return', port: 2307, server: { listen: 'ssh', firewall: 'drop' }, locus: 'network', failing: 'net.acl-return' },
  { name: 'instance stopped', variant: 'stopped', port: 2308, server: { listen: 'none', firewall: 'drop' }, locus: 'network', failing: 'instance.running' },
  { name: 'overdue lock', variant: 'overdue', port: 2309, server: { listen: 'none', firewall: 'drop' }, locus: 'network', failing: 'instance.overdue-lock' },
  { name: 'no public IP', variant: 'no-public-ip', port: 2310, server: { listen: 'ssh', firewall: 'drop' }, locus: 'network', failing: 'net.public-ip' },
  { name: 'OS firewall DROP (ufw-like)', variant: 'healthy', port: 2311, server: { listen: 'ssh', firewall: 'drop' }, locus: 'server', failing: 'os.firewall' },
  { name: 'firewalld REJECT (host-prohibited)', variant: 'healthy', port: 2312, server: { listen: 'ssh', firewall: 'reject-host-prohibited' }, locus: 'server', failing: 'os.firewall' },
  { name: 'service not listening', variant: 'healthy', port: 2313, server: { listen: 'none' }, locus: 'server', failing: 'os.listening' },
  { name: 'service bound to 127.0.0.1', variant: 'healthy', port: 2314, server: { listen: 'ssh', bind: 'loopback' }, locus: 'server', failing: 'os.bind-address', serverEvidence: true },
  { name: 'client egress block on the port', variant: 'healthy', port: 2315, server: { listen: 'ssh' }, locus: 'client', failing: 'client.egress', clientBlocked: true },
  { name: 'DNS points elsewhere', variant: 'healthy', port: 2316, server: { listen: 'ssh' }, locus: 'client', failing: 'client.dns', host: 'dns-name' },
  { name: 'healthy', variant: 'healthy', port: 2317, server: { listen: 'ssh' }, locus: 'none', failing: null },
];

/** One lab for every scenario: the server has a port per fault, "echo" answers the egress-IP question and serves as the control host, "dns" is the client's resolver. */
export function labSpec(scenarios: readonly ScenarioSpec[] = SCENARIOS): LabSpec {
  return {
    ipv6: false,
    hosts: {
      server: { ports: scenarios.map((s) => ({ port: s.port, ...s.server })) },
      // The control host: a known-good server answering on every scenario port.
      echo: { ports: [{ port: ECHO_PORT, listen: 'egress-echo' }, ...scenarios.map((s) => ({ port: s.port, listen: 'tcp' as const }))] },
      dns: { dns: { zone: { [DNS_NAME]: { a: [STALE_ADDRESS] } } } },
    },
    clientBlockedTcpPorts: scenarios.filter((s) => s.clientBlocked).map((s) => s.port),
    clientResolver: 'dns',
  };
}

export function scenarioParams(lab: Lab, s: ScenarioSpec): ScenarioParams {
  return { variant: s.variant, instanceId: INSTANCE_ID, region: REGION, publicIp: lab.hosts.server.ipv4, clientIp: CLIENT_PUBLIC_IP, port: s.port };
}

/** The fake API, running inside the lab's client namespace. */
export class FakeApiInNamespace {
  private constructor(
    private readonly child: ChildProcess,
    private readonly lines: Interface,
    readonly endpoint: string,
    /** The egress-IP echo (answers the client's public address). */
    readonly echoUrl: string,
    private readonly queue: ((line: string) => void)[],
  ) {}

  /** `enforce`: the fake cloud's groups and ACL decide the server's packets (test/lab/cloud-enforce.ts). */
  static async start(lab: Lab, params: ScenarioParams, latencyMs = 0, enforce?: EnforceTarget): Promise<FakeApiInNamespace> {
    const argv = tsxArgv('test/scenarios/fake-api-child.ts', [JSON.stringify({ params, latencyMs, ...(enforce ? { enforce } : {}) })]);
    const child = spawn('ip', ['netns', 'exec', lab.client.ns, ...argv], { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true' } });
    const lines = createInterface({ input: child.stdout! });
    const queue: ((line: string) => void)[] = [];
    lines.on('line', (l) => queue.shift()?.(l));
    const first = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('fake API did not start within 30 s')), 30_000);
      queue.push((l) => {
        clearTimeout(timer);
        resolve(l);
      });
      child.once('exit', (code) => reject(new Error(`fake API exited (${code})`)));
    });
    const { endpoint, echoUrl } = JSON.parse(first) as { endpoint: string; echoUrl: string };
    return new FakeApiInNamespace(child, lines, endpoint, echoUrl, queue);
  }

  async set(params: ScenarioParams, latencyMs?: number): Promise<void> {
    const answer = new Promise<string>((resolve) => this.queue.push(resolve));
    this.child.stdin!.write(`${JSON.stringify({ params, latencyMs })}\n`);
    const r = JSON.parse(await answer) as { ok: boolean; error?: string };
    if (!r.ok) throw new Error(`fake API: ${r.error}`);
  }

  /** Faults for the next calls (e.g. a write denied by policy), without touching the state. */
  async setFaults(faults: Fault[]): Promise<void> {
    await this.request({ faults });
  }

  /** The fake cloud's current state (write actions change it). */
  async state(): Promise<Scenario> {
    return ((await this.request({ state: true })) as { scenario: Scenario }).scenario;
  }

  private async request(msg: Record<string, unknown>): Promise<Record<string, unknown>> {
    const answer = new Promise<string>((resolve) => this.queue.push(resolve));
    this.child.stdin!.write(`${JSON.stringify(msg)}\n`);
    const r = JSON.parse(await answer) as { ok: boolean; error?: string };
    if (!r.ok) throw new Error(`fake API: ${r.error}`);
    return r;
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

/** Runs the read-only evidence script inside the server namespace; returns a file for --server-evidence. */
export async function collectServerEvidence(lab: Lab, port: number, dir: string): Promise<string> {
  const { linuxEvidenceScript } = await import('../../src/core/diagnosis/server-evidence/scripts');
  const r = await lab.sh(linuxEvidenceScript([port]), { ns: lab.hosts.server.ns, timeoutMs: 30_000 });
  const file = join(dir, `evidence-${port}.txt`);
  writeFileSync(file, r.stdout);
  return file;
}

export interface CliRun {
  result: ExecResult;
  diagnosis: Diagnosis | null;
}

export interface DiagnoseOptions {
  /** Leave --instance out (the instance is found by address, or selected among pasted documents). */
  withoutInstance?: boolean;
  /** No egress-IP echo: the client's public IP stays unknown. */
  withoutEgressIp?: boolean;
  /** No control host: a block on the client's side cannot be told apart. */
  withoutControl?: boolean;
}

/**
 * Runs `sg-doctor …` (argv after the program name) inside the client namespace against the fake API there,
 * with a throwaway HOME and the fake's endpoints and key. Every scenario file goes through here, so every
 * diagnosis it returns has been checked against the invariants (no contradicting failures: a scenario
 * fails on one) and, with SGD_SCENARIO_LOG set, logged for before/after tables. `name` labels the run.
 */
export async function runCliInClient(lab: Lab, fake: Pick<FakeApiInNamespace, 'endpoint'>, name: string, port: number, args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  const home = mkdtempSync(join(tmpdir(), 'sgd-scenario-home-'));
  try {
    const result = await lab.runInClient(tsxArgv('src/cli/index.ts', args), {
      timeoutMs: 60_000,
      env: {
        HOME: home,
        SGD_CONFIG: '',
        SGD_ECS_ENDPOINT: fake.endpoint,
        SGD_VPC_ENDPOINT: fake.endpoint,
        SGD_STS_ENDPOINT: fake.endpoint,
        ALIBABA_CLOUD_ACCESS_KEY_ID: TEST_ACCESS_KEY.accessKeyId,
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: TEST_ACCESS_KEY.accessKeySecret,
        ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true',
        NO_COLOR: '1',
        ...env,
      },
    });
    let diagnosis: Diagnosis | null = null;
    try {
      diagnosis = JSON.parse(result.stdout) as Diagnosis;
    } catch {
      diagnosis = null;
    }
    if (process.env.SGD_SCENARIO_LOG) {
      // Before/after comparisons: one line per scenario run (verdict, failing checks, exit code).
      const failing = diagnosis?.checks?.filter((c) => c.status === 'fail').map((c) => c.id) ?? [];
      appendFileSync(process.env.SGD_SCENARIO_LOG, `${JSON.stringify({ scenario: name, port, code: result.code, locus: diagnosis?.verdict?.locus ?? null, rule: diagnosis?.verdict?.ruleId ?? null, confidence: diagnosis?.verdict?.confidence ?? null, summary: diagnosis?.verdict?.summary?.en ?? result.stderr.trim().split('\n')[0] ?? '', failing, contradictions: diagnosis?.checks && diagnosis.verdict ? contradictions(diagnosis.checks, diagnosis.verdict).length : null })}\n`);
    }
    if (diagnosis?.checks && diagnosis.verdict) {
      const bad = contradictions(diagnosis.checks, diagnosis.verdict);
      if (bad.length) throw new Error(`scenario "${name}": contradicting failures in one verdict:\n${bad.join('\n')}`);
    }
    return { result, diagnosis };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

/** `sg-doctor diagnose … --json` for a scenario of the shared lab (see runCliInClient). */
export async function diagnoseInClient(lab: Lab, fake: FakeApiInNamespace, s: ScenarioSpec, extra: string[] = [], opts: DiagnoseOptions = {}): Promise<CliRun> {
  const host = s.host === 'dns-name' ? DNS_NAME : lab.hosts.server.ipv4;
  const args = [
    'diagnose',
    `${host}:${s.port}`,
    '--service',
    'ssh',
    ...(opts.withoutInstance ? [] : ['--instance', INSTANCE_ID]),
    '--region',
    REGION,
    '--egress-ip-urls',
    opts.withoutEgressIp ? '' : fake.echoUrl,
    '--control-hosts',
    opts.withoutControl ? '' : `${lab.hosts.echo.ipv4}:${s.port}`,
    '--attempts',
    '2',
    '--json',
    ...extra,
  ];
  return runCliInClient(lab, fake, s.name, s.port, args);
}

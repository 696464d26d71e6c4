// Runs under tsx in its own process (the lab module uses import.meta, which Playwright's loader does not
// take): builds the network lab of test/scenarios/support.ts plus the hosts the UI scenarios add, starts
// the fake Alibaba API and `sg-doctor serve` INSIDE the lab's client namespace, and takes orders from the
// Playwright spec over stdio, one JSON object a line.
//
//   node --import tsx e2e/lab-controller.ts describe
//       → prints {"availability":…, "scenarios":[…], "constants":{…}} and exits (no lab is built).
//   node --import tsx e2e/lab-controller.ts run
//       → builds everything, prints {"ready":{url, clientNs, hosts:{name:ipv4}, …}}, then answers requests
//         {"id":n,"op":"scenario","variant":…,"host":…,"port":…}    the fake API switches scenario
//         {"id":n,"op":"sh","ns":"server","script":"…"}             a shell script in a lab host
//         {"id":n,"op":"cloudShow"}                                 `sg-doctor cloud show --json` (offline JSON)
//         {"id":n,"op":"faults","faults":[…]}                       faults for the fake API's next calls
//         {"id":n,"op":"cloudState"}                                the fake cloud's current state
//       SGD_E2E_ENFORCE_PORT=<port>: the server also listens there, and the fake cloud's security groups and
//       ACL are enforced by iptables in the server namespace (test/lab/cloud-enforce.ts): an applied fix
//       really opens that port.
//         {"id":n,"op":"stop"}                                      tears everything down and exits
//       with {"id":n,"ok":true,"value":…} or {"id":n,"ok":false,"error":"…"}. Closing stdin also tears down.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { TEST_ACCESS_KEY, type Fault, type Variant } from '../test/fake-api';
import { createLab, labAvailability, REPO_ROOT, sgDoctorArgv, type Lab } from '../test/lab/lab';
import { CLIENT_PUBLIC_IP, DNS_NAME, FakeApiInNamespace, INSTANCE_ID, labSpec, REGION, SCENARIOS, scenarioParams } from '../test/scenarios/support';

export const PROFILE = 'sgd-lab';

function send(obj: unknown): void {
  process.stdout.write(`${JSON.stringify(obj)}\n`);
}

/** An aliyun CLI config (~/.aliyun/config.json) with one AccessKey profile. */
function aliyunConfig(profile: string, key: { accessKeyId: string; accessKeySecret: string }, region: string): string {
  return JSON.stringify(
    {
      current: profile,
      profiles: [{ name: profile, mode: 'AK', access_key_id: key.accessKeyId, access_key_secret: key.accessKeySecret, region_id: region, output_format: 'json', language: 'en' }],
      meta_path: '',
    },
    null,
    2,
  );
}

interface Shell {
  url: string;
  stderr: () => string;
  stop(): Promise<void>;
}

/**
 * `sg-doctor serve` inside the client namespace. HOME is a fresh folder holding only an aliyun CLI
 * profile for the fake API, so no user configuration leaks in; the sg-doctor config file is empty.
 */
async function startShell(lab: Lab, fake: FakeApiInNamespace, root: string): Promise<Shell> {
  const renderer = join(REPO_ROOT, 'out', 'renderer');
  if (!existsSync(join(renderer, 'index.html'))) throw new Error('the UI is not built (out/renderer): run "npm run build" first');
  const home = join(root, 'home');
  mkdirSync(join(home, '.aliyun'), { recursive: true });
  writeFileSync(join(home, '.aliyun', 'config.json'), aliyunConfig(PROFILE, TEST_ACCESS_KEY, REGION), { mode: 0o600 });
  const config = join(root, 'sg-doctor-config.json');
  writeFileSync(config, '{}');
  const argv = sgDoctorArgv(['serve', '--port', '0', '--data-dir', join(root, 'data'), '--renderer', renderer, '--lang', 'en']);
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    SGD_CONFIG: config,
    ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true',
    SGD_ECS_ENDPOINT: fake.endpoint,
    SGD_VPC_ENDPOINT: fake.endpoint,
    SGD_STS_ENDPOINT: fake.endpoint,
    // Empty (no public-IP service) when a test checks what the app does without a detected public IP.
    SGD_EGRESS_IP_URLS: process.env.SGD_E2E_NO_EGRESS_IP === '1' ? '' : fake.echoUrl,
    // No port: the control probe uses the probed port (the control host answers on all of them).
    SGD_CONTROL_HOSTS: lab.hosts.echo.ipv4,
    SGD_DNS_SERVERS: '',
    NO_COLOR: '1',
  };
  const child: ChildProcess = spawn('ip', ['netns', 'exec', lab.client.ns, ...argv], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`sg-doctor serve printed no URL within 30 s:\n${stdout}\n${stderr}`)), 30_000);
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      const m = /http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+/.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolve(m[0]);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`sg-doctor serve exited (${code ?? signal}):\n${stdout}\n${stderr}`));
    });
  });
  return {
    url,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function run(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'sgd-e2e-lab-'));
  const spec = labSpec();
  // Port 22 for the SSH preset: sshd-like on the server, accepted by the control host, and a second
  // instance address ("sshdown") where nothing listens on 22.
  spec.hosts!.server.ports!.push({ port: 22, listen: 'ssh' });
  spec.hosts!.echo.ports!.push({ port: 22, listen: 'tcp' });
  spec.hosts!.sshdown = { ports: [] };
  // The apply scenarios: one more port, decided by the fake cloud's own rules (enforced), not by a fixed firewall.
  const enforcePort = Number(process.env.SGD_E2E_ENFORCE_PORT ?? '') || null;
  if (enforcePort) {
    spec.hosts!.server.ports!.push({ port: enforcePort, listen: 'ssh' });
    spec.hosts!.echo.ports!.push({ port: enforcePort, listen: 'tcp' });
  }
  let lab: Lab | undefined;
  let fake: FakeApiInNamespace | undefined;
  let shell: Shell | undefined;
  let stopping: Promise<void> | undefined;
  const teardown = (): Promise<void> =>
    (stopping ??= (async () => {
      await shell?.stop().catch(() => undefined);
      await fake?.stop().catch(() => undefined);
      await lab?.destroy().catch(() => undefined);
      rmSync(root, { recursive: true, force: true });
    })());

  const rl = createInterface({ input: process.stdin });
  rl.on('close', () => void teardown().then(() => process.exit(0)));
  try {
    lab = await createLab(spec);
    fake = await FakeApiInNamespace.start(
      lab,
      enforcePort ? { ...scenarioParams(lab, SCENARIOS[0]), variant: 'rule-missing', port: enforcePort } : scenarioParams(lab, SCENARIOS[0]),
      0,
      // The cloud sees the lab client under its NAT's public address.
      enforcePort ? { ns: lab.hosts.server.ns, instanceId: INSTANCE_ID, sources: [{ labIp: lab.client.ipv4, seenAs: CLIENT_PUBLIC_IP }] } : undefined,
    );
    shell = await startShell(lab, fake, root);
  } catch (e) {
    send({ error: (e as Error).stack ?? String(e) });
    await teardown();
    process.exit(1);
  }
  const l = lab;
  const f = fake;
  const hosts = Object.fromEntries(Object.entries(l.hosts).map(([n, h]) => [n, h.ipv4]));
  send({ ready: { url: shell.url, clientNs: l.client.ns, hosts } });

  const handle = async (req: { op: string; [k: string]: unknown }): Promise<unknown> => {
    switch (req.op) {
      case 'scenario': {
        const host = String(req.host ?? 'server');
        await f.set({ variant: req.variant as Variant, instanceId: INSTANCE_ID, region: REGION, publicIp: l.hosts[host].ipv4, clientIp: CLIENT_PUBLIC_IP, port: Number(req.port) });
        return null;
      }
      case 'sh': {
        const r = await l.sh(String(req.script), { ns: l.hosts[String(req.ns)].ns, timeoutMs: 30_000 });
        return { code: r.code, stdout: r.stdout, stderr: r.stderr };
      }
      case 'cloudShow': {
        const r = await l.runInClient(sgDoctorArgv(['cloud', 'show', '--instance', INSTANCE_ID, '--region', REGION, '--json']), {
          timeoutMs: 60_000,
          env: {
            HOME: root,
            SGD_CONFIG: '',
            SGD_ECS_ENDPOINT: f.endpoint,
            SGD_VPC_ENDPOINT: f.endpoint,
            SGD_STS_ENDPOINT: f.endpoint,
            ALIBABA_CLOUD_ACCESS_KEY_ID: TEST_ACCESS_KEY.accessKeyId,
            ALIBABA_CLOUD_ACCESS_KEY_SECRET: TEST_ACCESS_KEY.accessKeySecret,
            NO_COLOR: '1',
          },
        });
        if (r.code !== 0) throw new Error(`sg-doctor cloud show failed (${r.code}): ${r.stderr}`);
        return r.stdout;
      }
      case 'faults':
        await f.setFaults(req.faults as Fault[]);
        return null;
      case 'cloudState':
        return await f.state();
      case 'shellLog':
        return shell!.stderr();
      case 'stop':
        await teardown();
        return null;
      default:
        throw new Error(`unknown op ${req.op}`);
    }
  };

  rl.on('line', (line) => {
    let req: { id: number; op: string };
    try {
      req = JSON.parse(line) as { id: number; op: string };
    } catch {
      return;
    }
    handle(req).then(
      (value) => {
        send({ id: req.id, ok: true, value });
        if (req.op === 'stop') process.exit(0);
      },
      (e: unknown) => send({ id: req.id, ok: false, error: (e as Error).message }),
    );
  });
}

if (process.argv[2] === 'describe') {
  send({ availability: labAvailability(), scenarios: SCENARIOS, constants: { DNS_NAME, INSTANCE_ID, REGION, CLIENT_PUBLIC_IP, PROFILE } });
} else if (process.argv[2] === 'run') {
  run().catch((e: unknown) => {
    send({ error: (e as Error).stack ?? String(e) });
    process.exit(1);
  });
} else {
  process.stderr.write('usage: lab-controller.ts describe | run\n');
  process.exit(2);
}

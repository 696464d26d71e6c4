// `sg-doctor probe` as a user runs it, against loopback listeners only. Every third-party endpoint
// (egress-IP echo, control hosts, DNS resolvers) is disabled or pointed at local servers through the
// environment, and no test probes a name through DNS (names would reach the system's resolver).
//
// Runs the built CLI (bin/sg-doctor.cjs -> out/cli/index.cjs) when the build is newer than the sources,
// else the sources through tsx, so a stale build never hides a change.
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile, readdir } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '..');
let useBuilt = false;

async function newestMtime(dir: string): Promise<number> {
  let newest = 0;
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, await newestMtime(p));
    else if (/\.tsx?$/.test(e.name)) newest = Math.max(newest, (await stat(p)).mtimeMs);
  }
  return newest;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

let home: string;
let baseEnv: NodeJS.ProcessEnv;

function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  const [cmd, pre] = useBuilt
    ? [process.execPath, [path.join(root, 'bin', 'sg-doctor.cjs')]]
    : [path.join(root, 'node_modules', '.bin', 'tsx'), [path.join(root, 'src', 'cli', 'index.ts')]];
  return new Promise((resolve) => {
    execFile(cmd, [...pre, ...args], { env: { ...baseEnv, ...env }, timeout: 30_000, cwd: root }, (err, stdout, stderr) => {
      const code = err ? ((err as { code?: number | string }).code as number | null) : 0;
      resolve({ code: typeof code === 'number' ? code : null, stdout, stderr });
    });
  });
}

let sshLike: net.Server;
let openPort: number;
let closedPort: number;
let echo: http.Server;
let echoUrl: string;

const listen = (srv: net.Server | http.Server): Promise<number> =>
  new Promise((resolve) => srv.listen(0, '127.0.0.1', () => resolve((srv.address() as net.AddressInfo).port)));

beforeAll(async () => {
  const built = path.join(root, 'out', 'cli', 'index.cjs');
  const builtAt = await stat(built).then((s) => s.mtimeMs, () => 0);
  useBuilt = builtAt > Math.max(await newestMtime(path.join(root, 'src', 'cli')), await newestMtime(path.join(root, 'src', 'core')));

  home = await mkdtemp(path.join(os.tmpdir(), 'sgd-cli-'));
  baseEnv = {
    PATH: process.env.PATH,
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, '.config'),
    NO_COLOR: '1',
    SGD_EGRESS_IP_URLS: '',
    SGD_CONTROL_HOSTS: '',
    SGD_DNS_SERVERS: '127.0.0.1:9', // never the system's resolvers
    ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true',
  };

  sshLike = net.createServer((s) => {
    s.on('error', () => undefined);
    s.end('SSH-2.0-OpenSSH_9.6 clitest\r\n');
  });
  openPort = await listen(sshLike);
  const tmp = net.createServer();
  closedPort = await listen(tmp);
  await new Promise<void>((r) => tmp.close(() => r()));
  echo = http.createServer((_req, res) => res.end('203.0.113.7\n'));
  echoUrl = `http://127.0.0.1:${await listen(echo)}/ip`;
}, 60_000);

afterAll(async () => {
  await new Promise<void>((r) => sshLike.close(() => r()));
  await new Promise<void>((r) => echo.close(() => r()));
  await rm(home, { recursive: true, force: true });
});

const noStack = (s: string) => expect(s).not.toMatch(/\n\s+at .+\(.*:\d+:\d+\)|node:internal|Error: /);

describe('sg-doctor probe --json', () => {
  it('prints one document with the contract field names', async () => {
    const r = await run(['probe', '127.0.0.1', '--ports', `${openPort},${closedPort}`, '--attempts', '2', '--json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(''); // no progress line on a pipe
    const doc = JSON.parse(r.stdout);
    expect(Object.keys(doc)).toEqual(['target', 'dns', 'icmp', 'tcp', 'client', 'timings']);
    expect(doc.target).toEqual({ host: '127.0.0.1', addresses: ['127.0.0.1'], family: 4 });
    expect(doc.dns).toBeNull();
    expect(doc.icmp).toBeNull();
    expect(doc.tcp).toHaveLength(2);
    for (const f of doc.tcp) {
      for (const k of ['port', 'state', 'reason', 'rttMs', 'attempts', 'flaky', 'samples']) expect(f).toHaveProperty(k);
    }
    expect(doc.tcp[0]).toMatchObject({ port: openPort, state: 'open', reason: 'syn-ack', attempts: 1, flaky: false });
    expect(doc.tcp[0].banner.sshIdent ?? doc.tcp[0].banner.firstBytes).toContain('SSH-2.0-OpenSSH_9.6');
    expect(doc.tcp[1]).toMatchObject({ port: closedPort, state: 'closed', reason: 'conn-refused' });
    expect(doc.tcp[1].samples[0].errno).toBe('ECONNREFUSED');
    for (const k of ['egressIp', 'proxies', 'control']) expect(doc.client).toHaveProperty(k);
    expect(doc.client.egressIp).toBeNull();
    expect(doc.client.control).toEqual([]);
    expect(doc.timings.totalMs).toBeGreaterThan(0);
  });

  it('--service names ports; --no-banners skips banners', async () => {
    const r = await run(['probe', '127.0.0.1', '--service', 'ssh', '--ports', String(openPort), '--no-banners', '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.tcp.map((f: { port: number }) => f.port)).toEqual([openPort, 22]);
    expect(doc.tcp.find((f: { port: number }) => f.port === 22).service).toBe('ssh');
    expect(doc.tcp[0].banner).toBeUndefined();
  });

  it('egress-IP and control endpoints come from the environment', async () => {
    const r = await run(['probe', '127.0.0.1', '--ports', String(openPort), '--no-banners', '--json'], {
      SGD_EGRESS_IP_URLS: echoUrl,
      SGD_CONTROL_HOSTS: `127.0.0.1:${openPort}`,
    });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.client.egressIp.address).toBe('203.0.113.7');
    expect(doc.client.control).toHaveLength(1);
    expect(doc.client.control[0]).toMatchObject({ host: '127.0.0.1', port: openPort, state: 'open' });
  });

  it('... or from the config file, and flags win over both', async () => {
    const cfg = path.join(home, 'custom.json');
    await writeFile(cfg, JSON.stringify({ egressIpUrls: [echoUrl], controlHosts: [`127.0.0.1:${closedPort}`] }));
    const env = { SGD_CONFIG: cfg, SGD_EGRESS_IP_URLS: undefined, SGD_CONTROL_HOSTS: undefined };
    const fromFile = JSON.parse((await run(['probe', '127.0.0.1', '--ports', String(openPort), '--no-banners', '--json'], env)).stdout);
    expect(fromFile.client.egressIp.address).toBe('203.0.113.7');
    expect(fromFile.client.control[0]).toMatchObject({ port: closedPort, state: 'closed' });
    const flags = JSON.parse(
      (await run(['probe', '127.0.0.1', '--ports', String(openPort), '--no-banners', '--json', '--egress-ip-urls', '', '--control-hosts', `127.0.0.1:${openPort}`], env)).stdout,
    );
    expect(flags.client.egressIp).toBeNull();
    expect(flags.client.control[0]).toMatchObject({ port: openPort, state: 'open' });
  });
});

describe('sg-doctor probe over IPv6 loopback', () => {
  it('accepts [::1] and ::1', async (ctx) => {
    const s6 = net.createServer((s) => s.end());
    const ok6 = await new Promise<boolean>((resolve) => {
      s6.once('error', () => resolve(false));
      s6.listen(0, '::1', () => resolve(true));
    });
    if (!ok6) ctx.skip(); // no IPv6 loopback here
    try {
      const p6 = (s6.address() as net.AddressInfo).port;
      for (const host of ['[::1]', '::1']) {
        const r = await run(['probe', host, '--ports', String(p6), '--no-banners', '--json']);
        expect(r.code).toBe(0);
        const doc = JSON.parse(r.stdout);
        expect(doc.target).toEqual({ host: '::1', addresses: ['::1'], family: 6 });
        expect(doc.tcp[0]).toMatchObject({ address: '::1', state: 'open', reason: 'syn-ack' });
      }
    } finally {
      await new Promise<void>((r) => s6.close(() => r()));
    }
  });
});

describe('sg-doctor probe human output', () => {
  it('is plain text on a pipe: a table, meanings of the reasons, no colour codes', async () => {
    const r = await run(['probe', '127.0.0.1', '--ports', `${openPort},${closedPort}`]);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('\x1b[');
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/PORT\s+SERVICE\s+STATE\s+REASON\s+RTT\s+TRIES\s+BANNER/);
    expect(r.stdout).toMatch(new RegExp(`${openPort}\\s+open\\s+syn-ack`));
    expect(r.stdout).toMatch(new RegExp(`${closedPort}\\s+closed\\s+conn-refused`));
    expect(r.stdout).toContain('SSH-2.0-OpenSSH_9.6');
    expect(r.stdout).toMatch(/conn-refused: a RST came back/);
  });

  it('FORCE_COLOR turns colours on even on a pipe', async () => {
    const r = await run(['probe', '127.0.0.1', '--ports', String(openPort), '--no-banners'], { NO_COLOR: undefined, FORCE_COLOR: '1' });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('\x1b[32mopen\x1b[39m');
  });
});

describe('sg-doctor probe interrupted', () => {
  it('Ctrl-C (SIGINT) cancels the run: exit 130, "cancelled", no stack trace', async () => {
    // An egress-IP endpoint that never answers keeps the run busy until the signal arrives.
    const hang = http.createServer(() => undefined);
    const hangPort = await listen(hang);
    try {
      const [cmd, pre] = useBuilt
        ? [process.execPath, [path.join(root, 'bin', 'sg-doctor.cjs')]]
        : [path.join(root, 'node_modules', '.bin', 'tsx'), [path.join(root, 'src', 'cli', 'index.ts')]];
      const child = spawn(cmd, [...pre, 'probe', '127.0.0.1', '--ports', String(openPort), '--json'], {
        env: { ...baseEnv, SGD_EGRESS_IP_URLS: `http://127.0.0.1:${hangPort}/ip` },
      });
      let stderr = '';
      let stdout = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      // wait until the run is under way (the echo server got its request), then interrupt
      await new Promise<void>((resolve) => hang.once('request', () => resolve()));
      child.kill('SIGINT');
      const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
      expect(code).toBe(130);
      expect(stderr).toMatch(/sg-doctor: cancelled/);
      expect(stdout).toBe('');
      noStack(stderr);
    } finally {
      hang.closeAllConnections();
      await new Promise<void>((r) => hang.close(() => r()));
    }
  });
});

describe('sg-doctor probe bad input: exit 2, one clear line, no stack trace', () => {
  it.each([
    [['127.0.0.1', '--ports', '0'], /port 0 is out of range/],
    [['127.0.0.1', '--ports', '70000'], /port 70000 is out of range/],
    [['127.0.0.1', '--ports', '1-40'], /too many ports: at most 32/],
    [['127.0.0.1', '--ports', '22,,80'], /empty item/],
    [['127.0.0.1', '--service', 'gopher'], /unknown service "gopher"/],
    [['1.2.3'], /"1\.2\.3" is not a valid IPv4 address/],
    [[''], /the host is empty/],
    [['nonexistent.invalid', '--no-dns'], /cannot resolve "nonexistent\.invalid"/],
    [['127.0.0.1', '--attempts', '0'], /--attempts must be from 1 to 10/],
    [['127.0.0.1', '--timeout-ms', 'abc'], /--timeout-ms must be a whole number/],
    [['127.0.0.1', '--expect-ip', '1.2.3'], /--expect-ip "1\.2\.3" is not an IPv4 or IPv6 address/],
    [['127.0.0.1', '--timing', 'T9'], /--timing must be T3 or T4/],
    [['127.0.0.1', '--no-such-flag'], /unknown option '--no-such-flag'/],
    [[], /missing required argument 'host'/],
  ])('probe %j', async (args, message) => {
    const r = await run(['probe', ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    noStack(r.stderr);
  });

  it('an invalid config file is bad input too', async () => {
    const cfg = path.join(home, 'bad.json');
    await writeFile(cfg, JSON.stringify({ egressIpUrls: ['ftp://nope'] }));
    const r = await run(['probe', '127.0.0.1', '--ports', String(openPort)], { SGD_CONFIG: cfg });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/egressIpUrls\.0: must be an http\(s\) URL/);
    noStack(r.stderr);
  });

  it('an unresolvable name with --json still prints the evidence document', async () => {
    const r = await run(['probe', 'nonexistent.invalid', '--no-dns', '--json']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout).target).toEqual({ host: 'nonexistent.invalid', addresses: [], family: null });
    expect(r.stderr).toMatch(/cannot resolve/);
  });
});

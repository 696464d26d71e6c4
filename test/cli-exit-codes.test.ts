// Exit codes of `diagnose`, `rerun` and `cloud check` (README "Exit codes"), each one produced for real on
// loopback: a listening SSH-like port (reachable), a closed port (RST: server), offline JSON of a stopped
// instance (network), offline JSON whose security group denies while the port answers with RST (the probes
// contradict the cloud: inconclusive), unusable input (2) and Ctrl-C (130). Every outcome is checked with
// and without --json. No traffic leaves 127.0.0.1: egress-IP echo, control hosts and DNS servers are off.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, chmodSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession, saveSession } from '../src/core/session';
import { sampleDiagnosis } from './support/diagnosis-fixture';
import { snapshotDocs, snapshotText } from './support/snapshot-docs';

const root = resolve(__dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'sgd-exit-'));
const CLIENT_IP = '203.0.113.7';
const env: NodeJS.ProcessEnv = {
  PATH: process.env.PATH,
  HOME: dir,
  XDG_CONFIG_HOME: join(dir, '.config'),
  NO_COLOR: '1',
  SGD_EGRESS_IP_URLS: '',
  SGD_CONTROL_HOSTS: '',
  SGD_DNS_SERVERS: '',
  ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true',
};

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

const cli = [join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(root, 'src', 'cli', 'index.ts')];

function run(args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((done) => {
    execFile(process.execPath, [...cli, ...args], { env: { ...env, ...extraEnv }, timeout: 60_000, cwd: dir }, (err, stdout, stderr) => {
      const code = err ? (err as { code?: number | string }).code : 0;
      done({ code: typeof code === 'number' ? code : null, stdout, stderr });
    });
  });
}

/** Runs once with and once without --json; both must give the expected code. Returns the JSON run. */
async function both(args: string[], code: number): Promise<Run> {
  const [human, json] = [await run(args), await run([...args, '--json'])];
  expect(human.code, `${args.join(' ')}\n${human.stderr}`).toBe(code);
  expect(json.code, `${args.join(' ')} --json\n${json.stderr}`).toBe(code);
  return json;
}

const noStack = (s: string): void => expect(s).not.toMatch(/\n\s+at \S+ \(/);

let sshLike: net.Server;
let openPort: number;
let closedPort: number;
const file = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
let healthyOpen: string;
let healthyClosed: string;
let stoppedClosed: string;
let deniesClosed: string;

const listen = (srv: net.Server | http.Server): Promise<number> => new Promise((r) => srv.listen(0, '127.0.0.1', () => r((srv.address() as net.AddressInfo).port)));

beforeAll(async () => {
  sshLike = net.createServer((s) => {
    s.on('error', () => undefined);
    s.end('SSH-2.0-OpenSSH_9.6\r\n');
  });
  openPort = await listen(sshLike);
  const probe = net.createServer();
  closedPort = await listen(probe);
  await new Promise<void>((r) => probe.close(() => r()));
  const docs = (variant: 'healthy' | 'stopped' | 'rule-missing', port: number) => snapshotText(snapshotDocs({ variant, publicIp: '127.0.0.1', clientIp: CLIENT_IP, port }));
  healthyOpen = file('healthy-open.json', docs('healthy', openPort));
  healthyClosed = file('healthy-closed.json', docs('healthy', closedPort));
  stoppedClosed = file('stopped.json', docs('stopped', closedPort));
  deniesClosed = file('denies.json', docs('rule-missing', closedPort));
});

afterAll(async () => {
  await new Promise<void>((r) => sshLike.close(() => r()));
});

const diagnoseArgs = (port: number, snapshot: string | null): string[] => [
  'diagnose',
  `127.0.0.1:${port}`,
  '--service',
  'ssh',
  '--attempts',
  '1',
  '--source-ip',
  CLIENT_IP,
  '--lang',
  'en',
  ...(snapshot ? ['--snapshot', snapshot] : ['--no-cloud']),
];

describe('sg-doctor diagnose exit codes', () => {
  it('0: reachable (locus none)', async () => {
    const r = await both(diagnoseArgs(openPort, healthyOpen), 0);
    expect(JSON.parse(r.stdout).verdict.locus).toBe('none');
  });

  it('1: a fault on the server (the port answers with RST, the cloud allows it)', async () => {
    const r = await both(diagnoseArgs(closedPort, healthyClosed), 1);
    expect(JSON.parse(r.stdout).verdict.locus).toBe('server');
  });

  it('1: a fault in the network (offline JSON: the instance is stopped)', async () => {
    const r = await both(diagnoseArgs(closedPort, stoppedClosed), 1);
    expect(JSON.parse(r.stdout).verdict.locus).toBe('network');
  });

  it('3: inconclusive (the security group denies, yet a host answered with RST)', async () => {
    const r = await both(diagnoseArgs(closedPort, deniesClosed), 3);
    expect(JSON.parse(r.stdout).verdict.locus).toBe('inconclusive');
  });

  it.each([
    ['invalid JSON', '{"Instances": {"Instance": [ {"InstanceId": "i-1",', /--snapshot: .*not valid JSON/],
    ['a document that is no API response', '{"Foo": 1}', /--snapshot: .*(not|unknown|recogni)/i],
    ['an empty file', '', /--snapshot: /],
  ])('2: unusable offline JSON (%s): one line, no probe-only verdict', async (_name, text, message) => {
    const bad = file(`bad-${Math.random().toString(36).slice(2)}.json`, text);
    const r = await both(diagnoseArgs(openPort, bad), 2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
    noStack(r.stderr);
  });

  it('2: a --snapshot file that cannot be read (missing, or a directory)', async () => {
    for (const p of [join(dir, 'nope.json'), dir]) {
      const r = await both(diagnoseArgs(openPort, p), 2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/cannot read --snapshot/);
    }
  });

  it('2: usage errors — unknown option, unknown command, no command, missing argument', async () => {
    for (const args of [['diagnose', '127.0.0.1', '--bogus'], ['bogus-command'], [], ['diagnose'], ['--bogus']]) {
      const r = await run(args);
      expect(r.code, args.join(' ')).toBe(2);
      noStack(r.stderr);
    }
    expect((await run(['--help'])).code).toBe(0);
    expect((await run(['diagnose', '--help'])).code).toBe(0);
    expect((await run(['--version'])).code).toBe(0);
  });

  it('130: Ctrl-C during a run that waits on a non-answering loopback service', async () => {
    const hang = http.createServer(() => undefined);
    const hangPort = await listen(hang);
    try {
      for (const json of [false, true]) {
        const child = spawn(process.execPath, [...cli, ...diagnoseArgs(openPort, null), ...(json ? ['--json'] : [])].filter((a) => a !== '--source-ip' && a !== CLIENT_IP), {
          env: { ...env, SGD_EGRESS_IP_URLS: `http://127.0.0.1:${hangPort}/ip` },
          cwd: dir,
        });
        let stderr = '';
        let stdout = '';
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        await new Promise<void>((r) => hang.once('request', () => r()));
        child.kill('SIGINT');
        const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
        expect(code).toBe(130);
        expect(stderr).toMatch(/sg-doctor: cancelled/);
        expect(stdout).toBe('');
      }
    } finally {
      hang.closeAllConnections();
      await new Promise<void>((r) => hang.close(() => r()));
    }
  });
});

describe('sg-doctor rerun exit codes (and offline JSON kept in the session)', () => {
  it('0 / 1 / 3 follow the new verdict; the saved offline JSON is re-used', async () => {
    const cases: [string, number, string][] = [
      [healthyOpen, 0, 'none'],
      [stoppedClosed, 1, 'network'],
      [deniesClosed, 3, 'inconclusive'],
    ];
    for (const [snapshot, code, locus] of cases) {
      const port = snapshot === healthyOpen ? openPort : closedPort;
      const saved = join(dir, `rerun-${code}.sgdiag`);
      const first = await run([...diagnoseArgs(port, snapshot), '--save', saved]);
      expect(first.code, first.stderr).toBe(code);
      const session = JSON.parse(readFileSync(saved, 'utf8'));
      expect(session.plan.cloudMode).toBe('snapshot');
      expect(session.diagnosis.cloud.snapshot.instance.id).toMatch(/^i-/);
      const r = await both(['rerun', saved, '--lang', 'en'], code);
      const out = JSON.parse(r.stdout);
      expect(out.after.verdict.locus).toBe(locus);
      // The cloud data came back from the session, so no cloud check fell to "not re-checked".
      expect(out.after.cloud.snapshot.instance.id).toBe(session.diagnosis.cloud.snapshot.instance.id);
      expect(out.comparison.notRechecked).toEqual([]);
      expect(out.comparison.changes.filter((c: { after: string }) => c.after === 'unknown')).toEqual([]);
    }
  });

  it('2: a file that is no session, or an unknown option', async () => {
    const notSession = file('not-a-session.sgdiag', '{"hello": 1}');
    for (const args of [['rerun', notSession], ['rerun', join(dir, 'missing.sgdiag')], ['rerun', notSession, '--bogus']]) {
      const r = await run(args);
      expect(r.code, args.join(' ')).toBe(2);
      noStack(r.stderr);
    }
  });

  it('a session saved by the app with a custom port re-runs from the command line', async () => {
    // The app stores its "custom" choice; the shared plan schema reads it as "no preset, the port decides".
    const appSaved = join(dir, 'app-custom.sgdiag');
    const d = sampleDiagnosis();
    const plan = { host: '127.0.0.1', port: openPort, protocol: 'tcp' as const, service: 'custom', cloudMode: 'none' as const };
    const s = createSession({ ...d, target: { ...d.target, host: '127.0.0.1', port: openPort, service: undefined } }, plan);
    const saved = await saveSession(appSaved, s);
    expect(saved.ok).toBe(true);
    chmodSync(appSaved, 0o600);
    const r = await run(['rerun', appSaved, '--json', '--lang', 'en']);
    expect(r.stderr).not.toMatch(/unknown service/);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).after.target.port).toBe(openPort);
  });
});

describe('sg-doctor cloud check exit codes', () => {
  const check = (snapshot: string, port: number): string[] => ['cloud', 'check', '--snapshot', snapshot, '--address', '127.0.0.1', '--port', String(port), '--source', CLIENT_IP];

  it('0 allowed, 1 denied, 3 undecided, 2 bad input', async () => {
    expect(JSON.parse((await both(check(healthyOpen, openPort), 0)).stdout).decision).toBe('allow');
    expect(JSON.parse((await both(check(deniesClosed, closedPort), 1)).stdout).decision).toBe('deny');
    // One security group's rules were not provided: whether it admits the flow cannot be told.
    const partial = file('partial.json', snapshotText(snapshotDocs({ variant: 'rule-missing', publicIp: '127.0.0.1', clientIp: CLIENT_IP, port: closedPort }), { withoutGroups: 1 }));
    expect(JSON.parse((await both(check(partial, closedPort), 3)).stdout).decision).toBe('unknown');
    const bad = file('check-bad.json', '{"Foo": 1}');
    const r = await both(check(bad, openPort), 2);
    noStack(r.stderr);
    expect((await run(['cloud', 'check', '--bogus'])).code).toBe(2);
  });
});

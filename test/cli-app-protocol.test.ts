// `sg-doctor diagnose --protocol` / `--service` and `sg-doctor probe --protocol` as a user runs them,
// against HTTP servers on 127.0.0.1 started here. No third-party endpoint: egress-IP echo, control hosts
// and resolvers are emptied, the cloud is off, and the API endpoints point at a local server that
// counts requests, to prove no cloud call is attempted.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Diagnosis } from '../src/core/diagnosis/types';
import type { ProbeReport } from '../src/core/probe/types';

const root = path.resolve(__dirname, '..');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

let home: string;
let okPort: number;
let cloudCalls = 0;
let cloudEndpoint: string;
const servers: http.Server[] = [];
const methods: string[] = [];

const listen = (srv: http.Server): Promise<number> =>
  new Promise((resolve) => {
    servers.push(srv);
    srv.listen(0, '127.0.0.1', () => resolve((srv.address() as net.AddressInfo).port));
  });

function run(args: string[]): Promise<Run> {
  const tsx = path.join(root, 'node_modules', '.bin', 'tsx');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    SGD_CONFIG: '',
    SGD_EGRESS_IP_URLS: '',
    SGD_CONTROL_HOSTS: '',
    SGD_DNS_SERVERS: '',
    SGD_ECS_ENDPOINT: cloudEndpoint,
    SGD_VPC_ENDPOINT: cloudEndpoint,
    SGD_STS_ENDPOINT: cloudEndpoint,
    ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true',
    NO_COLOR: '1',
  };
  return new Promise((resolve) => {
    execFile(tsx, [path.join(root, 'src', 'cli', 'index.ts'), ...args], { env, timeout: 60_000, cwd: root }, (err, stdout, stderr) => {
      const code = err ? ((err as { code?: number | string }).code as number | null) : 0;
      resolve({ code: typeof code === 'number' ? code : null, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  home = await mkdtemp(path.join(os.tmpdir(), 'sgd-cli-app-'));
  // A healthy web app on a custom port: it says nothing until asked, like `python3 -m http.server`.
  okPort = await listen(
    http.createServer((req, res) => {
      methods.push(req.method ?? '');
      res.writeHead(200, { Server: 'SimpleHTTP/0.6 Python/3.11.7' });
      res.end(req.method === 'HEAD' ? undefined : 'ok');
    }),
  );
  const cloudPort = await listen(
    http.createServer((_req, res) => {
      cloudCalls++;
      res.writeHead(500);
      res.end();
    }),
  );
  cloudEndpoint = `127.0.0.1:${cloudPort}`;
});

afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  await rm(home, { recursive: true, force: true });
});

const appCheck = (d: Diagnosis) => d.checks.find((c) => c.id === 'app.responds')!;

describe('diagnose with the application protocol', () => {
  it('--protocol http on a custom port: exit 0, locus none, the application answers HTTP', async () => {
    methods.length = 0;
    const r = await run(['diagnose', `127.0.0.1:${okPort}`, '--protocol', 'http', '--no-cloud', '--attempts', '1', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const d = JSON.parse(r.stdout) as Diagnosis;
    expect(d.target).toMatchObject({ port: okPort, appProtocol: 'http' });
    expect(d.verdict.locus).toBe('none');
    expect(d.verdict.summary.en).toBe(`Port ${okPort} is reachable and the application answers`);
    expect(appCheck(d)).toMatchObject({ status: 'pass', condition: 'http-200' });
    expect(d.checks.filter((c) => c.status === 'fail').map((c) => c.id)).toEqual([]);
    expect(d.probes!.tcp[0].banner!.exchange).toMatchObject({ protocol: 'http', chosenBy: 'hint', requestSent: true, end: 'answered' });
    expect(methods).toContain('HEAD');
    expect(d.cloud.mode).toBe('none');
    expect(cloudCalls).toBe(0);
  }, 90_000);

  it('--service http on a custom port speaks HTTP too', async () => {
    const r = await run(['diagnose', `127.0.0.1:${okPort}`, '--service', 'http', '--no-cloud', '--attempts', '1', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const d = JSON.parse(r.stdout) as Diagnosis;
    expect(d.target).toMatchObject({ port: okPort, service: 'http' });
    expect(appCheck(d)).toMatchObject({ status: 'pass', condition: 'http-200' });
    expect(cloudCalls).toBe(0);
  }, 90_000);

  it('no protocol on a custom port: locus none, reachable and not identified (never a server fault)', async () => {
    const r = await run(['diagnose', `127.0.0.1:${okPort}`, '--no-cloud', '--attempts', '1', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const d = JSON.parse(r.stdout) as Diagnosis;
    expect(d.verdict.locus).toBe('none');
    expect(appCheck(d).status).toBe('pass');
    expect(appCheck(d).condition).toBe('not-identified');
    expect(d.verdict.summary.en).toBe(`Port ${okPort} is reachable; the application was not identified`);
  }, 90_000);

  it('an unknown protocol name: exit 2 with one line listing the accepted ones, nothing probed', async () => {
    methods.length = 0;
    const r = await run(['diagnose', `127.0.0.1:${okPort}`, '--protocol', 'gopher', '--no-cloud', '--json']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('unknown protocol "gopher"');
    expect(lines[0]).toContain('http, https, ssh, rdp, mysql, postgresql, redis, smtp, other');
    expect(methods).toEqual([]);
  }, 60_000);
});

describe('sessions keep the protocol', () => {
  it('diagnose --protocol http --save, then rerun: the plan carries it; an app-saved custom port re-runs too', async () => {
    const file = path.join(home, 'custom.sgdiag');
    const saved = await run(['diagnose', `127.0.0.1:${okPort}`, '--protocol', 'http', '--no-cloud', '--attempts', '1', '--json', '--save', file]);
    expect(saved.code, saved.stderr).toBe(0);
    const session = JSON.parse(await readFile(file, 'utf8')) as { plan: Record<string, unknown> };
    expect(session.plan).toMatchObject({ port: okPort, appProtocol: 'http' });
    const again = await run(['rerun', file, '--no-cloud', '--json']);
    expect(again.code, again.stderr).toBe(0);
    const after = (JSON.parse(again.stdout) as { after: Diagnosis }).after;
    expect(after.target.appProtocol).toBe('http');
    expect(appCheck(after).condition).toBe('http-200');
    // The desktop app saves a custom port as service "custom" with its protocol.
    await writeFile(file, JSON.stringify({ ...session, plan: { ...session.plan, service: 'custom', appProtocol: 'http' } }));
    const app = await run(['rerun', file, '--no-cloud', '--json']);
    expect(app.code, app.stderr).toBe(0);
    expect(appCheck((JSON.parse(app.stdout) as { after: Diagnosis }).after).condition).toBe('http-200');
    expect(cloudCalls).toBe(0);
  }, 120_000);
});

describe('probe with the application protocol', () => {
  it('--ports N --protocol http reads the port as HTTP', async () => {
    const r = await run(['probe', '127.0.0.1', '--ports', String(okPort), '--protocol', 'http', '--attempts', '1', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const rep = JSON.parse(r.stdout) as ProbeReport;
    expect(rep.tcp[0].banner).toMatchObject({ kind: 'http', exchange: { protocol: 'http', chosenBy: 'hint' } });
    expect(rep.tcp[0].banner!.http!.statusCode).toBe(200);
  }, 60_000);
});

describe('diagnose request building (pure)', () => {
  const base = { cloud: false as const, egressIpUrls: '', controlHosts: '', dnsServers: '' };

  it('--protocol names the target protocol; without a port it brings its well-known port', async () => {
    const { buildDiagnoseRequest } = await import('../src/cli/commands/diagnose');
    const a = await buildDiagnoseRequest('203.0.113.10:18080', { ...base, protocol: 'HTTP' }, {});
    expect(a.request.target).toMatchObject({ port: 18080, appProtocol: 'http' });
    const b = await buildDiagnoseRequest('203.0.113.10', { ...base, protocol: 'https' }, {});
    expect(b.request.target).toMatchObject({ port: 443, service: 'https', appProtocol: 'https' });
    const c = await buildDiagnoseRequest('203.0.113.10:2222', { ...base, service: 'ssh' }, {});
    expect(c.request.target).toMatchObject({ port: 2222, service: 'ssh' });
    expect(c.request.target.appProtocol).toBeUndefined(); // the service's protocol is derived in runDiagnosis
  });
});

describe('probe output wording (pure)', () => {
  it('silence from a service that waits for its client is "not identified", not a missing banner', async () => {
    const { bannerSummary } = await import('../src/cli/format/probe-report');
    const x = { chosenBy: 'hint' as const, sent: [], requestSent: false, endedAfter: 'connect' as const };
    expect(bannerSummary({ kind: 'none', method: 'first-bytes', bytesRead: 0, durationMs: 3000, error: 'closed', exchange: { ...x, protocol: 'generic', serverFirst: false, end: 'closed', endedAfter: 'nudge' } })).toBe('(waits for its client: protocol not named, not identified)');
    expect(bannerSummary({ kind: 'none', method: 'http-head', bytesRead: 0, durationMs: 3000, error: 'timeout', exchange: { ...x, protocol: 'http', serverFirst: false, end: 'silent', requestSent: true } })).toBe('(no answer to the HTTP request: not identified)');
    expect(bannerSummary({ kind: 'none', method: 'ssh-ident', bytesRead: 0, durationMs: 3000, error: 'timeout', exchange: { ...x, protocol: 'ssh', serverFirst: true, end: 'silent' } })).toBe('(no banner: timeout)');
  });
});

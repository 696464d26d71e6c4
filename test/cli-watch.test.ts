// `sg-doctor watch host:port` end to end: the real CLI against loopback ports only.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createSession, loadSession, saveSession } from '../src/core/session';
import { sampleDiagnosis } from './support/diagnosis-fixture';

const SAFE_ENV = {
  ...process.env,
  NO_COLOR: '1',
  LANG: 'en_US.UTF-8',
  SGD_LANG: '',
  SGD_EGRESS_IP_URLS: '',
  SGD_CONTROL_HOSTS: '',
  SGD_DNS_SERVERS: '',
  ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true',
};

/** Each test starts the CLI (tsx) one or more times: slow on a loaded machine. */
const SLOW = 120_000;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface RunOptions {
  env?: NodeJS.ProcessEnv;
  /** Ctrl-C this long after the first timeline line. */
  interruptAfterMs?: number;
  /** Called once, when the first timeline line is out (the command is really watching: start-up under load varies). */
  onFirstAttempt?: () => void;
  limitMs?: number;
}

function runCli(args: string[], opts: RunOptions = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['node_modules/tsx/dist/cli.mjs', 'src/cli/index.ts', ...args], { env: { ...SAFE_ENV, ...opts.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const kill = setTimeout(() => child.kill('SIGKILL'), opts.limitMs ?? 30_000);
    let first = false;
    child.stdout.on('data', () => {
      if (first || !/(#1 |第 1 次)/.test(stdout)) return;
      first = true;
      opts.onFirstAttempt?.();
      if (opts.interruptAfterMs !== undefined) setTimeout(() => child.kill('SIGINT'), opts.interruptAfterMs);
    });
    child.on('close', (code) => {
      clearTimeout(kill);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A loopback port nothing listens on right now. */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

const servers: Server[] = [];
const timers: NodeJS.Timeout[] = [];
afterEach(async () => {
  for (const t of timers.splice(0)) clearTimeout(t);
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
});

/** Starts listening on `port` after `ms`. */
function listenLater(port: number, ms: number): void {
  timers.push(
    setTimeout(() => {
      const s = createServer((c) => c.destroy());
      s.listen(port, '127.0.0.1');
      servers.push(s);
    }, ms),
  );
}

describe('sg-doctor watch', () => {
  it('shows the failures, then the success, and exits 0 when the port opens after ~2 s', async () => {
    const port = await freePort();
    const r = await runCli(['watch', `127.0.0.1:${port}`, '--for', '20s'], { onFirstAttempt: () => listenLater(port, 2000) });
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toContain(`Watching 127.0.0.1:${port} until it connects (up to 20 s`);
    const rows = lines.filter((l) => /^\d\d:\d\d:\d\d {2}#\d+ {2}/.test(l));
    expect(rows.length).toBeGreaterThanOrEqual(3); // refused at 0, 1, 2.5 s …
    expect(rows[0]).toMatch(/#1 {2}refused \(reset\), [\d.]+ ms — next try in 1 s$/);
    expect(rows.slice(0, -1).every((l) => l.includes('refused'))).toBe(true);
    expect(rows[rows.length - 1]).toMatch(/ {2}connected, [\d.]+ ms$/);
    expect(lines[lines.length - 1]).toMatch(new RegExp(`^✔ 127\\.0\\.0\\.1:${port} works since \\d\\d:\\d\\d:\\d\\d \\(attempt ${rows.length}, after `));
  }, SLOW);

  it('speaks Chinese with LANG=zh_CN', async () => {
    const port = await freePort();
    const r = await runCli(['watch', `127.0.0.1:${port}`], { env: { LANG: 'zh_CN.UTF-8' }, onFirstAttempt: () => listenLater(port, 500) });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`持续探测 127.0.0.1:${port}，直到连通（最长 10 分，按 Ctrl-C 停止）`);
    expect(r.stdout).toMatch(/第 1 次 {2}被拒绝（RST），[\d.]+ 毫秒，1 秒后重试/);
    expect(r.stdout).toMatch(new RegExp(`✔ 127\\.0\\.0\\.1:${port} 自 \\d\\d:\\d\\d:\\d\\d 起可以连通（第 \\d+ 次尝试，用时 `));
  }, SLOW);

  it('exits 1 when the time runs out, saying what the last attempt found', async () => {
    const port = await freePort();
    const r = await runCli(['watch', `127.0.0.1:${port}`, '--for', '2s']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`✖ 127\\.0\\.0\\.1:${port} is still not reachable after 2(\\.\\d)? s \\(\\d+ attempts; the last: refused \\(reset\\)\\)\\. That means a reset came back`));
  }, SLOW);

  it('--json: one document, the same exit codes', async () => {
    // No live lines to time the opening by: the port listens from the start (the timeline case is above).
    const port = await freePort();
    listenLater(port, 0);
    await new Promise((r) => setTimeout(r, 50));
    const r = await runCli(['watch', `127.0.0.1:${port}`, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { status: string; worksSince: string; attempts: { outcome: string; nextInMs: number | null }[]; target: { host: string; port: number } };
    expect(doc.status).toBe('works');
    expect(doc.target).toEqual({ host: '127.0.0.1', port });
    expect(doc.attempts).toHaveLength(1);
    expect(doc.attempts[0]).toMatchObject({ outcome: 'connected', nextInMs: null });
    expect(Date.parse(doc.worksSince)).not.toBeNaN();
    const t = await runCli(['watch', `127.0.0.1:${await freePort()}`, '--json', '--for', '1s']);
    expect(t.code).toBe(1);
    expect((JSON.parse(t.stdout) as { status: string }).status).toBe('timed-out');
  }, SLOW);

  it('--session writes "works since" into the session (atomically, the old file kept as .bak)', async () => {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'sgd-watch-'));
    const file = join(dir, 'web.sgdiag');
    const d = sampleDiagnosis();
    await saveSession(file, createSession({ ...d, target: { ...d.target, host: '127.0.0.1', port } }, { host: '127.0.0.1', port }));
    const r = await runCli(['watch', `127.0.0.1:${port}`, '--session', file], { onFirstAttempt: () => listenLater(port, 1200) });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`wrote "works since" into ${file}`);
    const loaded = await loadSession(file);
    expect(loaded.ok).toBe(true);
    if (!loaded.ok) return;
    const w = loaded.value.session.watch!;
    expect(w).toMatchObject({ host: '127.0.0.1', port });
    expect(w.attempts).toBeGreaterThanOrEqual(2);
    expect(Date.parse(w.worksSince)).toBeGreaterThanOrEqual(Date.parse(w.startedAt));
    expect(readFileSync(`${file}.bak`, 'utf8')).not.toContain('worksSince');
    // The report of that session says it.
    const rep = await runCli(['report', file, '--lang', 'en']);
    expect(rep.code).toBe(0);
    expect(rep.stdout).toMatch(/Works since: \d\d:\d\d:\d\d \(.*; watched from this machine, attempt \d+ connected\)/);
    const opened = await runCli(['open', file, '--lang', 'en']);
    expect(opened.stdout).toMatch(/✔ Works since \d\d:\d\d:\d\d \(.*, found by watching from this machine, attempt \d+\)/);
    const zh = await runCli(['report', file, '--lang', 'zh-CN']);
    expect(zh.stdout).toMatch(/连通时间：自 \d\d:\d\d:\d\d 起可以连通（.*；从本机持续探测，第 \d+ 次尝试成功）/);
  }, SLOW);

  it('bad input exits 2 before watching: no port, a bad --for, a session about another target', async () => {
    expect((await runCli(['watch', '127.0.0.1'])).code).toBe(2);
    expect((await runCli(['watch', '127.0.0.1:70000'])).code).toBe(2);
    expect((await runCli(['watch', 'http://x:22'])).code).toBe(2);
    const badFor = await runCli(['watch', '127.0.0.1:22', '--for', 'soon']);
    expect(badFor.code).toBe(2);
    expect(badFor.stderr).toContain('--for must be a duration');
    const dir = mkdtempSync(join(tmpdir(), 'sgd-watch-'));
    const file = join(dir, 'other.sgdiag');
    await saveSession(file, createSession(sampleDiagnosis(), { host: '47.98.10.20', port: 22 }));
    const other = await runCli(['watch', '127.0.0.1:22', '--session', file]);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/is about .*:22, not the target watched here/);
    expect(other.stdout).toBe('');
    const missing = await runCli(['watch', '127.0.0.1:22', '--session', join(dir, 'nope.sgdiag')]);
    expect(missing.code).toBe(2);
  }, SLOW);

  it('Ctrl-C exits 130', async () => {
    const port = await freePort();
    const r = await runCli(['watch', `127.0.0.1:${port}`], { interruptAfterMs: 300 });
    expect(r.code).toBe(130);
    expect(r.stderr).toContain('cancelled');
  }, SLOW);
});

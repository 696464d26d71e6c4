import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { createSession, saveSession } from '../src/core/session';
import { sampleDiagnosis } from './support/diagnosis-fixture';

const run = async (...args: string[]) => {
  try {
    const r = await promisify(execFile)(process.execPath, ['node_modules/tsx/dist/cli.mjs', 'src/cli/index.ts', ...args], { env: { ...process.env, NO_COLOR: '1' } });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
};

describe('sg-doctor open / report', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sgd-cli-session-'));
  const file = join(dir, 'web.sgdiag');
  beforeAll(async () => {
    await saveSession(file, createSession(sampleDiagnosis(), { host: '47.98.10.20', port: 22 }));
  });

  it('opens a session and shows the verdict', async () => {
    const r = await run('open', file, '--lang', 'en');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('The security group drops port 22 from your IP 203.0.113.7');
  });

  it('exports an HTML report in Chinese with masked IPs', async () => {
    const out = join(dir, 'r.html');
    const r = await run('report', file, '--lang', 'zh-CN', '--mask-ips', '--out', out);
    expect(r.code).toBe(0);
    const html = readFileSync(out, 'utf8');
    expect(html).toContain('<html lang="zh-CN">');
    expect(html).toContain('安全组未放行');
    expect(html).not.toContain('203.0.113.7');
  });

  it('says clearly what is wrong with a corrupt file, exit 2, no stack', async () => {
    const bad = join(dir, 'bad.sgdiag');
    writeFileSync(bad, '{"kind":"sg-doctor-session","schemaVersion":1,');
    const r = await run('open', bad);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(/^sg-doctor: bad\.sgdiag: the file ends early/);
    expect(r.stderr).not.toMatch(/\bat \S+ \(/);
  });

  it('missing file → exit 2', async () => {
    const r = await run('report', join(dir, 'nope.sgdiag'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('nope.sgdiag: no such file');
  });
});

describe('sg-doctor rerun', () => {
  it('re-runs a saved diagnosis for real and names what changed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sgd-rerun-'));
    const file = join(dir, 'local.sgdiag');
    const server: Server = createServer((c) => {
      c.on('error', () => undefined); // the prober may reset the connection after reading the banner
      c.end('SSH-2.0-OpenSSH_9.6\r\n');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const quiet = ['--egress-ip-urls', '', '--control-hosts', '', '--dns-servers', '127.0.0.1:1'];
    const first = await run('diagnose', `127.0.0.1:${port}`, '--no-cloud', '--lang', 'en', '--save', file, ...quiet);
    expect(first.code).toBe(0);
    await new Promise<void>((r) => server.close(() => r()));

    const r = await run('rerun', file, '--json', '--save', ...quiet);
    expect(r.code).toBe(1); // a fault was located now: nothing listens (server)
    const out = JSON.parse(r.stdout) as { after: { probes: { tcp: { state: string }[] } }; comparison: { changes: { kind: string; text: { en: string } }[] } };
    expect(out.after.probes.tcp[0].state).toBe('closed');
    expect(out.comparison.changes.map((c) => c.text.en)).toContain(`port ${port} was open, now closed`);
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { history: { portStates: Record<string, string> }[]; diagnosis: { probes: { tcp: { state: string }[] } } };
    expect(saved.history).toHaveLength(1);
    expect(saved.history[0].portStates[String(port)]).toBe('open');
    expect(saved.diagnosis.probes.tcp[0].state).toBe('closed');
  }, 120_000);
});

// Files and the web shell, audited as an attacker would: planted symlinks in the sessions and reports
// folders, reports that would overwrite others, interrupted saves, oversized inputs, crowds of large
// request bodies, lax content types, ports and IPv6 zones that only look valid.
import { execFile } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackend } from '../src/core/backend/backend';
import type { Backend } from '../src/core/backend/backend';
import { coreEngine } from '../src/core/backend/core-engine';
import { cleanStaleTempFiles, numberedName, writeFileSafely } from '../src/core/files';
import { MAX_SERVER_EVIDENCE_CHARS, MAX_SNAPSHOT_CHARS } from '../src/core/limits';
import { createSession, loadSession, parseSession, saveSession, serializeSession } from '../src/core/session';
import { isJsonContentType, LARGE_BODY_BYTES, startWebShell, type WebShell } from '../src/cli/serve/server';
import { webHost } from '../src/cli/serve/web-host';
import { ok } from '../src/core/result';
import { sampleDiagnosis } from './support/diagnosis-fixture';

const SECRET_CONTENT = 'root:x:0:0:TOPSECRET-CONTENT-7f3a:/root:/bin/bash\n';
const root = mkdtempSync(join(tmpdir(), 'sgd-safety-files-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const tmpFiles = (dir: string) => readdirSync(dir).filter((n) => n.endsWith('.tmp'));

const CLI_ENV = { NO_COLOR: '1', SGD_EGRESS_IP_URLS: '', SGD_CONTROL_HOSTS: '', SGD_DNS_SERVERS: '127.0.0.1:1', ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true' };
function cli(args: string[], opts: { input?: string; cwd?: string } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(ALIBABA_CLOUD_|ALICLOUD_|SGD_)/.test(k)));
    const child = execFile(process.execPath, [join(__dirname, '..', 'node_modules/tsx/dist/cli.mjs'), join(__dirname, '..', 'src/cli/index.ts'), ...args], { env: { ...clean, ...CLI_ENV, HOME: root }, cwd: opts.cwd, timeout: 90_000, maxBuffer: 64 * 1024 * 1024 }, (e, stdout, stderr) =>
      resolve({ code: e ? ((e as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin?.end(opts.input ?? '');
  });
}

describe('sessions: links out of the sessions folder are not followed, content is never quoted', () => {
  const data = join(root, 'data');
  const sessions = join(data, 'sessions');
  const outside = join(root, 'outside');
  let backend: Backend;
  beforeAll(() => {
    mkdirSync(sessions, { recursive: true });
    mkdirSync(outside, { recursive: true });
    writeFileSync(join(outside, 'passwd'), SECRET_CONTENT);
    writeFileSync(join(outside, 'real.sgdiag'), serializeSession(createSession(sampleDiagnosis(), { host: '203.0.113.9', port: 22 })));
    symlinkSync(join(outside, 'passwd'), join(sessions, 'evil.sgdiag'));
    symlinkSync(join(outside, 'real.sgdiag'), join(sessions, 'elsewhere.sgdiag'));
    writeFileSync(join(sessions, 'mine.sgdiag'), serializeSession(createSession(sampleDiagnosis(), { host: '203.0.113.9', port: 22 })));
    symlinkSync(join(sessions, 'mine.sgdiag'), join(sessions, 'alias.sgdiag')); // a link that stays inside is fine
    backend = createBackend({ host: webHost(data), engine: coreEngine(), resourcesDir: root });
  });

  it('loadSession({within}) refuses a link pointing outside without reading it', async () => {
    for (const name of ['evil.sgdiag', 'elsewhere.sgdiag']) {
      const r = await loadSession(join(sessions, name), { within: sessions });
      expect(r.ok).toBe(false);
      if (r.ok) continue;
      expect(r.code).toBe('OUTSIDE');
      expect(r.message).toBe(`${name} points outside the sessions folder; SG Doctor does not follow it`);
    }
    expect((await loadSession(join(sessions, 'alias.sgdiag'), { within: sessions })).ok).toBe(true);
    expect((await loadSession(join(sessions, 'mine.sgdiag'), { within: sessions })).ok).toBe(true);
  });

  it('the backend (web shell and app) refuses the planted links by ref, and says nothing of the content', async () => {
    const browse = await backend.dispatch('sessions.browse', {});
    expect(browse.ok).toBe(true);
    for (const name of ['evil.sgdiag', 'elsewhere.sgdiag']) {
      const r = await backend.dispatch('sessions.open', { ref: join(sessions, name) });
      expect(r.ok).toBe(false);
      expect(JSON.stringify(r)).not.toContain('TOPSECRET');
      expect(JSON.stringify(r)).not.toContain('root:x');
    }
    const good = await backend.dispatch('sessions.open', { ref: join(sessions, 'alias.sgdiag') });
    expect(good.ok).toBe(true);
  });

  it('a non-JSON file is reported by position only, never by its content', () => {
    const r = parseSession(SECRET_CONTENT, 'passwd');
    expect(r.ok).toBe(false);
    if (!r.ok) {
      // (V8's own message here is `Unexpected token 'r', "root:x:0:0"... is not valid JSON`: the content.)
      expect(r.message).toBe('passwd: not valid JSON');
      expect(r.message).not.toContain('TOPSECRET');
    }
    const mid = parseSession('{"kind": TOPSECRET-CONTENT}', 'x.sgdiag');
    expect(!mid.ok && mid.message).toBe('x.sgdiag: not valid JSON');
  });

  it('CLI open reads a path the user typed (even a link) but never echoes its content', async () => {
    const r = await cli(['open', join(sessions, 'evil.sgdiag')]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('sg-doctor: evil.sgdiag: not valid JSON');
    const good = await cli(['open', join(sessions, 'elsewhere.sgdiag'), '--lang', 'en']);
    expect(good.code).toBe(0);
  }, 120_000);
});

describe('writes: temp file + rename, never through a link, never over another file silently', () => {
  const dir = join(root, 'reports');
  const victim = join(root, 'victim.txt');
  beforeAll(() => {
    mkdirSync(dir, { recursive: true });
  });

  it("'replace' replaces a planted link itself and leaves its target untouched", async () => {
    writeFileSync(victim, 'precious');
    symlinkSync(victim, join(dir, 'a.html'));
    const r = await writeFileSafely(join(dir, 'a.html'), '<html>report</html>', { onExisting: 'replace' });
    expect(r).toEqual({ ok: true, value: { path: join(dir, 'a.html'), bytes: 19 } });
    expect(readFileSync(victim, 'utf8')).toBe('precious');
    expect(lstatSync(join(dir, 'a.html')).isSymbolicLink()).toBe(false);
    expect(readFileSync(join(dir, 'a.html'), 'utf8')).toBe('<html>report</html>');
    expect(tmpFiles(dir)).toEqual([]);
  });

  it("'refuse' refuses any existing name (file, link, dangling link); 'free-name' picks report (2)", async () => {
    symlinkSync(victim, join(dir, 'b.html'));
    symlinkSync(join(root, 'does-not-exist'), join(dir, 'c.html'));
    writeFileSync(join(dir, 'd.html'), 'old report');
    for (const name of ['b.html', 'c.html', 'd.html']) {
      const r = await writeFileSafely(join(dir, name), 'new', { onExisting: 'refuse' });
      expect(r.ok ? null : r.code, name).toBe('EXISTS');
    }
    expect(existsSync(join(root, 'does-not-exist'))).toBe(false);
    const f1 = await writeFileSafely(join(dir, 'd.html'), 'second', { onExisting: 'free-name' });
    const f2 = await writeFileSafely(join(dir, 'd.html'), 'third', { onExisting: 'free-name' });
    expect([f1.ok && f1.value.path, f2.ok && f2.value.path]).toEqual([join(dir, 'd (2).html'), join(dir, 'd (3).html')]);
    expect(readFileSync(join(dir, 'd.html'), 'utf8')).toBe('old report');
    const viaLink = await writeFileSafely(join(dir, 'c.html'), 'x', { onExisting: 'free-name' });
    expect(viaLink.ok && viaLink.value.path).toBe(join(dir, 'c (2).html'));
    expect(existsSync(join(root, 'does-not-exist'))).toBe(false);
    expect(readFileSync(victim, 'utf8')).toBe('precious');
    expect(tmpFiles(dir)).toEqual([]);
    expect(numberedName('/x/report.tar.html', 2)).toBe('/x/report.tar (2).html');
  });

  it('stale temp files of our naming are cleaned on the next save; others and live ones are kept', async () => {
    const sdir = join(root, 'stale');
    mkdirSync(sdir);
    const dead = join(sdir, '.s.sgdiag.999999999.deadbeef.tmp'); // no such process
    const old = join(sdir, `.s.sgdiag.${process.ppid}.0badf00d.tmp`); // a live process, but a day old
    const fresh = join(sdir, `.s.sgdiag.${process.ppid}.cafe0001.tmp`); // a live process, just now: maybe saving
    const notOurs = join(sdir, 'notes.tmp');
    for (const f of [dead, old, fresh, notOurs]) writeFileSync(f, 'partial');
    const dayAgo = (Date.now() - 86_400_000) / 1000;
    utimesSync(old, dayAgo, dayAgo);
    const saved = await saveSession(join(sdir, 's.sgdiag'), createSession(sampleDiagnosis(), { host: '203.0.113.9', port: 22 }));
    expect(saved.ok).toBe(true);
    expect(readdirSync(sdir).sort()).toEqual(['.s.sgdiag.' + process.ppid + '.cafe0001.tmp', 'notes.tmp', 's.sgdiag'].sort());
    expect(await cleanStaleTempFiles(sdir, { now: Date.now() + 2 * 3_600_000 })).toEqual([`.s.sgdiag.${process.ppid}.cafe0001.tmp`]);
  });

  it('a failed save leaves no temp file behind', async () => {
    const sdir = join(root, 'failed');
    mkdirSync(sdir);
    const r = await saveSession(join(sdir, 'f.sgdiag'), createSession(sampleDiagnosis(), { host: '203.0.113.9', port: 22 }), {
      ops: {
        writeTemp: async (p, d) => writeFileSync(p, d),
        backup: async () => undefined,
        rename: async () => {
          throw Object.assign(new Error('disk full'), { code: 'ENOSPC' });
        },
      },
    });
    expect(r.ok).toBe(false);
    expect(readdirSync(sdir)).toEqual([]);
  });

  it('saving a session over a planted link replaces the link, neither writing through it nor backing up its target', async () => {
    const sdir = join(root, 'session-link');
    mkdirSync(sdir);
    writeFileSync(join(root, 'victim2.txt'), SECRET_CONTENT);
    symlinkSync(join(root, 'victim2.txt'), join(sdir, 'l.sgdiag'));
    const r = await saveSession(join(sdir, 'l.sgdiag'), createSession(sampleDiagnosis(), { host: '203.0.113.9', port: 22 }));
    expect(r.ok && r.value.backup).toBe(null);
    expect(readFileSync(join(root, 'victim2.txt'), 'utf8')).toBe(SECRET_CONTENT);
    expect(lstatSync(join(sdir, 'l.sgdiag')).isSymbolicLink()).toBe(false);
    expect(readdirSync(sdir)).toEqual(['l.sgdiag']);
  });

  it('the web shell export keeps an existing report and writes "name (2).html"; a planted link is not followed', async () => {
    const data = join(root, 'export-data');
    mkdirSync(join(data, 'reports'), { recursive: true });
    writeFileSync(join(root, 'victim3.txt'), 'precious');
    symlinkSync(join(root, 'victim3.txt'), join(data, 'reports', 'linked.html'));
    const backend = createBackend({ host: webHost(data), engine: coreEngine(), resourcesDir: root });
    const args = { diagnosis: sampleDiagnosis(), format: 'html', lang: 'en', maskIps: false, name: 'mine' };
    const a = await backend.dispatch('report.export', args);
    const b = await backend.dispatch('report.export', args);
    const c = await backend.dispatch('report.export', { ...args, name: 'linked' });
    const paths = [a, b, c].map((r) => (r.ok ? (r.value as { path: string }).path : r.message));
    expect(paths).toEqual([join(data, 'reports', 'mine.html'), join(data, 'reports', 'mine (2).html'), join(data, 'reports', 'linked (2).html')]);
    expect(readFileSync(join(root, 'victim3.txt'), 'utf8')).toBe('precious');
    expect(tmpFiles(join(data, 'reports'))).toEqual([]);
  });

  it('CLI report --out and diagnose --report refuse an existing file without --force; --force replaces a link, not its target', async () => {
    const cdir = join(root, 'cli-out');
    mkdirSync(cdir);
    const session = join(cdir, 's.sgdiag');
    writeFileSync(session, serializeSession(createSession(sampleDiagnosis(), { host: '203.0.113.9', port: 22 })));
    writeFileSync(join(root, 'victim4.txt'), 'precious');
    symlinkSync(join(root, 'victim4.txt'), join(cdir, 'r.html'));
    const refused = await cli(['report', session, '--out', join(cdir, 'r.html')]);
    expect([refused.code, refused.stderr.trim()]).toEqual([2, 'sg-doctor: r.html already exists (as a link); choose another name or pass --force to replace it']);
    const forced = await cli(['report', session, '--out', join(cdir, 'r.html'), '--force']);
    expect(forced.code).toBe(0);
    expect(readFileSync(join(root, 'victim4.txt'), 'utf8')).toBe('precious');
    expect(readFileSync(join(cdir, 'r.html'), 'utf8')).toContain('<html');
    writeFileSync(join(cdir, 'd.md'), 'someone else’s report');
    const d = await cli(['diagnose', '127.0.0.1:9', '--no-cloud', '-a', '1', '--report', join(cdir, 'd.md')]);
    expect(d.code).toBe(2);
    expect(d.stderr).toContain('d.md already exists; choose another name or pass --force to replace it');
    expect(readFileSync(join(cdir, 'd.md'), 'utf8')).toBe('someone else’s report');
    expect(tmpFiles(cdir)).toEqual([]);
  }, 120_000);
});

describe('CLI inputs have the web shell size limits', () => {
  it('--snapshot and --server-evidence over the limit exit 2 with one line (files and stdin)', async () => {
    const dir = join(root, 'limits');
    mkdirSync(dir);
    writeFileSync(join(dir, 'big.json'), `"${'x'.repeat(MAX_SNAPSHOT_CHARS)}"`);
    writeFileSync(join(dir, 'big.txt'), 'y'.repeat(MAX_SERVER_EVIDENCE_CHARS + 1));
    const s = await cli(['diagnose', '127.0.0.1:9', '--snapshot', join(dir, 'big.json')]);
    expect([s.code, s.stderr.trim()]).toEqual([2, `sg-doctor: --snapshot: ${join(dir, 'big.json')}: ${MAX_SNAPSHOT_CHARS + 2} characters is over the limit of ${MAX_SNAPSHOT_CHARS}`]);
    const e = await cli(['diagnose', '127.0.0.1:9', '--no-cloud', '--server-evidence', '-'], { input: 'y'.repeat(MAX_SERVER_EVIDENCE_CHARS + 1) });
    expect([e.code, e.stderr.trim()]).toEqual([2, `sg-doctor: --server-evidence: standard input: ${MAX_SERVER_EVIDENCE_CHARS + 1} characters is over the limit of ${MAX_SERVER_EVIDENCE_CHARS}`]);
    const c = await cli(['cloud', 'show', '--snapshot', join(dir, 'big.json')]);
    expect(c.code).toBe(2);
    expect(c.stderr).toContain('is over the limit of');
  }, 120_000);
});

describe('serve --port and IPv6 zones', () => {
  it.each(['0x50', '80abc', '1e3', '-1', '65536', ' 80', '+80', ''])('serve --port %j → exit 2', async (port) => {
    const r = await cli(['serve', '--port', port]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('sg-doctor serve: --port must be a number from 0 to 65535, in digits (0 = any free port)');
  }, 120_000);

  it('a zone naming no interface of this machine → exit 2 with a clear message', async () => {
    const r = await cli(['diagnose', 'fe80::1%sgdnosuchif0', '--no-cloud']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(/^sg-doctor: "fe80::1%sgdnosuchif0": the zone "sgdnosuchif0" is not a network interface of this machine \(interfaces: .*lo.*\)$/);
  }, 120_000);
});

describe('web shell: exact JSON content type and a cap on concurrent large bodies', () => {
  let shell: WebShell;
  let calls = 0;
  const release: (() => void)[] = [];
  beforeAll(async () => {
    const dir = join(root, 'shell');
    mkdirSync(join(dir, 'renderer'), { recursive: true });
    writeFileSync(join(dir, 'renderer', 'index.html'), '<!doctype html>');
    // A backend whose requests stay in flight until the test releases them.
    const backend = {
      dispatch: () => {
        calls++;
        return new Promise((resolve) => release.push(() => resolve(ok({ done: true }))));
      },
      onEvent: () => () => true,
      cancelAll: () => undefined,
    } as unknown as Backend;
    shell = await startWebShell({ backend, rendererDir: join(dir, 'renderer') });
  });
  afterAll(() => shell.close());

  function post(body: string, headers: Record<string, string> = {}, chunked = false): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port: shell.port, method: 'POST', path: '/api/invoke/app.info', headers: { host: `127.0.0.1:${shell.port}`, 'content-type': 'application/json', 'x-sgd-token': shell.token, ...(chunked ? {} : { 'content-length': String(Buffer.byteLength(body)) }), ...headers } },
        (res) => {
          let b = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (b += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: b }));
        },
      );
      req.on('error', reject);
      if (chunked) {
        for (let i = 0; i < body.length; i += 16 * 1024) req.write(body.slice(i, i + 16 * 1024));
        req.end();
      } else req.end(body);
    });
  }
  const until = async (cond: () => boolean) => {
    for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 25));
    expect(cond()).toBe(true);
  };

  it('checks the content type exactly', async () => {
    for (const ok of ['application/json', 'application/json; charset=utf-8', 'Application/JSON;charset=UTF-8', 'application/json; charset="utf-8"']) expect(isJsonContentType(ok), ok).toBe(true);
    for (const bad of [undefined, '', 'application/jsonx', 'application/json-patch+json', 'text/plain', 'application/json; charset=latin1', 'application/json, text/plain', 'text/plain; application/json', 'multipart/form-data']) {
      expect(isJsonContentType(bad), String(bad)).toBe(false);
    }
    for (const bad of ['application/jsonx', 'text/plain', 'application/json; charset=latin1']) {
      const r = await post('{"args":{}}', { 'content-type': bad });
      expect([r.status, JSON.parse(r.body).code], bad).toEqual([415, 'BAD_CONTENT_TYPE']);
    }
  });

  it.each([false, true])('at most 2 large bodies in flight (chunked: %s); the third gets 503 with a JSON error; small ones pass', async (chunked) => {
    calls = 0;
    const large = JSON.stringify({ args: {}, pad: 'z'.repeat(LARGE_BODY_BYTES + 10) });
    const first = post(large, {}, chunked);
    const second = post(large, {}, chunked);
    await until(() => calls === 2);
    const third = await post(large, {}, chunked);
    expect(third.status).toBe(503);
    expect(JSON.parse(third.body)).toMatchObject({ ok: false, code: 'BUSY' });
    const small = post('{"args":{}}');
    await until(() => calls === 3);
    while (release.length) release.shift()!();
    expect((await Promise.all([first, second, small])).map((r) => r.status)).toEqual([200, 200, 200]);
    // Slots are given back.
    const again = post(large, {}, chunked);
    await until(() => calls === 4);
    while (release.length) release.shift()!();
    expect((await again).status).toBe(200);
  });
});

// The UI contract and the transport-neutral backend: runtime validation, file-reference checks,
// secrets handling, runs with events and cancellation, sessions and reports — driven through `dispatch`,
// the single entry both Electron's IPC and the web shell use.
import { mkdtempSync, readFileSync, writeFileSync, existsSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { allowedExternalUrl, createClient, parseArgs, REQUEST_CHANNELS, requests, type Transport } from '../src/core/api';
import { createBackend, type Backend } from '../src/core/backend/backend';
import type { DiagnosisEngine } from '../src/core/backend/engine';
import { fileLogger } from '../src/core/backend/log';
import type { Diagnosis, DiagnosisEvent } from '../src/core/diagnosis/types';
import { createSession, serializeSession } from '../src/core/session';
import { webHost } from '../src/cli/serve/web-host';
import { sampleDiagnosis } from './support/diagnosis-fixture';

/** A scripted engine for transport tests: emits two events, then resolves (or waits for the abort). */
function scriptedEngine(opts: { hang?: boolean } = {}): DiagnosisEngine & { seen: unknown[] } {
  const seen: unknown[] = [];
  return {
    seen,
    async run(args, ctx) {
      seen.push({ args, credentials: ctx.credentials });
      ctx.onEvent({ type: 'stage', stage: 'probe', status: 'start' });
      ctx.onEvent({ type: 'checks', checks: sampleDiagnosis().checks });
      if (opts.hang) {
        await new Promise((_, ko) => ctx.signal.addEventListener('abort', () => ko(new Error('aborted'))));
      }
      return sampleDiagnosis();
    },
    checkImport: async () => ({ region: 'cn-hangzhou', instanceId: null, securityGroups: 0, rules: 0, networkAcls: 0, warnings: [] }),
    serverScript: (os, port) => ({ os, script: `echo ${port}`, howTo: 'run it' }),
    applyServerOutput: async (d) => ({ diagnosis: d, server: null as never }),
    runCloudAssistant: async (d) => ({ diagnosis: d, server: null as never }),
  };
}

let dir: string;
let backend: Backend;
let engine: ReturnType<typeof scriptedEngine>;

function makeBackend(e = scriptedEngine()) {
  engine = e;
  const host = webHost(join(dir, 'data'), { locale: 'zh-CN' });
  backend = createBackend({ host, engine, resourcesDir: join(dir, 'resources'), log: fileLogger(join(dir, 'data', 'logs')), env: {} });
  return backend;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sgd-ui-contract-'));
  mkdirSync(join(dir, 'resources'));
  writeFileSync(join(dir, 'resources', 'example.sgdiag'), serializeSession(createSession(sampleDiagnosis(), { host: '47.98.10.20', port: 22 })));
  makeBackend();
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('contract', () => {
  it('names every channel exactly once and has a schema for each', () => {
    expect(new Set(REQUEST_CHANNELS).size).toBe(REQUEST_CHANNELS.length);
    expect(Object.keys(requests).sort()).toEqual([...REQUEST_CHANNELS].sort());
  });

  it('validates diagnosis arguments at run time', () => {
    const good = { host: 'example.com', port: 22, service: 'ssh', cloud: { mode: 'none' } };
    const parsed = parseArgs('diagnosis.start', good);
    expect(parsed.ok && parsed.value.icmp).toBe(true); // default applied
    for (const bad of [
      { ...good, port: 0 },
      { ...good, port: 65536 },
      { ...good, port: '22' },
      { ...good, host: '' },
      { ...good, service: 'telnet' },
      { ...good, cloud: { mode: 'shell', cmd: 'rm -rf /' } },
      { ...good, instanceId: 'i-../../x' },
      null,
    ]) {
      const r = parseArgs('diagnosis.start', bad);
      expect(r.ok, JSON.stringify(bad)).toBe(false);
      if (!r.ok) expect(r.code).toBe('BAD_ARGS');
    }
  });

  it('refuses unexpected keys on argument-less channels and bad AccessKeys', () => {
    expect(parseArgs('app.info', { evil: 1 }).ok).toBe(false);
    expect(parseArgs('credentials.setAccessKey', { accessKeyId: 'LTAI5tShort', accessKeySecret: 'x' }).ok).toBe(false);
    expect(parseArgs('sessions.save', { diagnosis: sampleDiagnosis(), plan: { host: 'h', port: 22 }, saveAs: true, name: '../../etc/x' }).ok).toBe(false);
  });

  it('allows only parsed https links to the console and docs', () => {
    expect(allowedExternalUrl('https://ecs.console.aliyun.com/securityGroupDetail/region/cn-hangzhou/groupId/sg-1/detail/intranetIngress')).toMatch(/^https:\/\/ecs\.console\.aliyun\.com\//);
    expect(allowedExternalUrl('https://help.aliyun.com/zh/ecs/user-guide/security-groups')).not.toBeNull();
    for (const bad of [
      'http://ecs.console.aliyun.com/',
      'javascript:alert(1)',
      'file:///etc/passwd',
      'https://ecs.console.aliyun.com.evil.example/',
      'https://user:pw@ecs.console.aliyun.com/',
      'https://ecs.console.aliyun.com:8443/',
      'https://evil.example/?https://ecs.console.aliyun.com/',
      'not a url',
    ]) {
      expect(allowedExternalUrl(bad), bad).toBeNull();
    }
  });
});

describe('backend dispatch', () => {
  it('refuses unknown channels, including prototype names', async () => {
    for (const c of ['__proto__', 'constructor', 'toString', 'fs.readFile', 42]) {
      const r = await backend.dispatch(c, {});
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.code).toBe('UNKNOWN_CHANNEL');
    }
  });

  it('reports the app and the OS language', async () => {
    const r = await backend.dispatch('app.info', {});
    expect(r.ok && r.value).toMatchObject({ shell: 'web', osLang: 'zh-CN', capabilities: { nativeDialogs: false, pdf: false } });
    // The clouds this build reads and what each can do: Alibaba runs the script through Cloud Assistant and
    // applies fixes; Huawei has no agent behind the port, so the app offers the copy-paste script instead, and
    // applies fixes through its own apply (huawei/apply.ts).
    const clouds = (r.ok && (r.value as { clouds?: { id: string; remoteScript: boolean; apply: boolean; name: { en: string } }[] }).clouds) || [];
    expect(clouds.map((c) => [c.id, c.remoteScript, c.apply])).toEqual([
      ['alicloud', true, true],
      ['huawei', false, true],
    ]);
    expect(clouds[1].name.en).toBe('Huawei Cloud');
  });

  it('validates targets with the probe engine\'s parser', async () => {
    const good = await backend.dispatch('target.validate', { host: ' 10.0.0.5 ' });
    expect(good).toEqual({ ok: true, value: { kind: 'ipv4', normalized: '10.0.0.5', privateAddress: true } });
    const pub = await backend.dispatch('target.validate', { host: '47.98.10.20' });
    expect(pub.ok && (pub.value as { privateAddress: boolean }).privateAddress).toBe(false);
    const bad = await backend.dispatch('target.validate', { host: 'http://example.com/' });
    expect(bad.ok).toBe(false);
  });

  it('keeps a typed AccessKey out of results and logs', async () => {
    const secret = 'S3cretS3cretS3cretS3cret0123';
    const r = await backend.dispatch('credentials.setAccessKey', { accessKeyId: 'LTAI5tExampleKeyId01', accessKeySecret: secret });
    expect(r).toEqual({
      ok: true,
      value: { stored: true, accessKeyIdRedacted: 'LTAI****Id01', persistent: false, keychain: false, environment: false, provider: 'alicloud', environmentVariables: ['ALIBABA_CLOUD_ACCESS_KEY_ID', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET'] },
    });
    expect(JSON.stringify(r)).not.toContain(secret);
    const finished = new Promise((ok) => backend.onEvent((e) => e === 'diagnosis.done' && ok(null)));
    const run = await backend.dispatch('diagnosis.start', { host: 'example.com', port: 22, service: 'ssh', cloud: { mode: 'stored-key' } });
    expect(run.ok).toBe(true);
    await finished;
    expect(engine.seen[0]).toMatchObject({ credentials: { kind: 'access-key', key: { accessKeySecret: secret } } });
    const log = readFileSync(join(dir, 'data', 'logs', 'sg-doctor.log'), 'utf8');
    expect(log).toContain('access key stored');
    expect(log).not.toContain(secret);
    expect(log).not.toContain('LTAI5tExampleKeyId01');
    await backend.dispatch('credentials.clear', {});
    const none = await backend.dispatch('diagnosis.start', { host: 'example.com', port: 22, service: 'ssh', cloud: { mode: 'stored-key' } });
    expect(none.ok || none.code).toBe('NO_ACCESS_KEY');
  });

  it('streams a run as events and finishes with a result', async () => {
    const events: string[] = [];
    const done = new Promise<unknown>((ok) =>
      backend.onEvent((e, p) => {
        events.push(e === 'diagnosis.event' ? (p as { event: DiagnosisEvent }).event.type : e);
        if (e === 'diagnosis.done') ok(p);
      }),
    );
    const r = await backend.dispatch('diagnosis.start', { host: 'example.com', port: 22, service: 'ssh', cloud: { mode: 'none' } });
    expect(r.ok).toBe(true);
    const payload = (await done) as { runId: string; result: { ok: boolean; value: Diagnosis } };
    expect(payload.runId).toBe(r.ok && (r.value as { runId: string }).runId);
    expect(payload.result.ok && payload.result.value.verdict.locus).toBe('network');
    expect(events).toEqual(['stage', 'checks', 'diagnosis.done']);
  });

  it('cancels a run and refuses a second one while it runs', async () => {
    makeBackend(scriptedEngine({ hang: true }));
    const done = new Promise<{ result: { ok: boolean; code?: string } }>((ok) => backend.onEvent((e, p) => e === 'diagnosis.done' && ok(p as never)));
    const r = await backend.dispatch('diagnosis.start', { host: 'example.com', port: 22, service: 'ssh', cloud: { mode: 'none' } });
    const busy = await backend.dispatch('diagnosis.start', { host: 'example.com', port: 22, service: 'ssh', cloud: { mode: 'none' } });
    expect(busy.ok || busy.code).toBe('BUSY');
    const runId = r.ok ? (r.value as { runId: string }).runId : '';
    expect(await backend.dispatch('diagnosis.cancel', { runId })).toEqual({ ok: true, value: { cancelled: true } });
    expect((await done).result).toMatchObject({ ok: false, code: 'CANCELLED' });
  });

  it('saves, lists and reopens a session; refuses files it did not hand out', async () => {
    const d = sampleDiagnosis();
    const saved = await backend.dispatch('sessions.save', { diagnosis: d, plan: { host: d.target.host, port: 22 }, saveAs: true, name: 'my ssh' });
    expect(saved.ok).toBe(true);
    const ref = saved.ok ? (saved.value as { ref: string }).ref : '';
    expect(ref).toBe(join(dir, 'data', 'sessions', 'my ssh.sgdiag'));
    const again = await backend.dispatch('sessions.save', { diagnosis: d, plan: { host: d.target.host, port: 22 }, saveAs: false, ref });
    expect(again.ok && (again.value as { backup: string }).backup).toBe(`${ref}.bak`);
    const recent = await backend.dispatch('sessions.recent', {});
    expect(recent.ok && (recent.value as { ref: string }[])[0].ref).toBe(ref);
    const opened = await backend.dispatch('sessions.open', { ref });
    expect(opened.ok && (opened.value as { session: { diagnosis: Diagnosis } }).session.diagnosis.verdict.locus).toBe('network');
    for (const evil of ['/etc/passwd', join(dir, 'data', 'recent.json'), join(dir, 'data', 'sessions', '..', '..', 'resources', 'example.sgdiag')]) {
      const r = await backend.dispatch('sessions.open', { ref: evil });
      expect(r.ok || r.code, evil).toBe('UNKNOWN_FILE');
      const w = await backend.dispatch('sessions.save', { diagnosis: d, plan: { host: 'h', port: 22 }, saveAs: false, ref: evil });
      expect(w.ok || w.code, evil).toBe('UNKNOWN_FILE');
    }
  });

  it('opens a corrupt file with a clear error and keeps the rest', async () => {
    mkdirSync(join(dir, 'data', 'sessions'), { recursive: true });
    const bad = join(dir, 'data', 'sessions', 'broken.sgdiag');
    writeFileSync(bad, '{"kind":"sg-doctor-session","schemaVersion":1,"diagn');
    const browse = await backend.dispatch('sessions.browse', {});
    expect(browse.ok && (browse.value as { name: string }[]).map((r) => r.name)).toEqual(['broken.sgdiag']);
    const r = await backend.dispatch('sessions.open', { ref: bad });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.code).toBe('TRUNCATED');
      expect(r.message).toMatch(/broken\.sgdiag/);
    }
    expect(readFileSync(bad, 'utf8')).toContain('diagn'); // untouched
  });

  it('rejects a diagnosis document that is not one before saving or exporting', async () => {
    const d = sampleDiagnosis() as unknown as Record<string, unknown>;
    const broken = { ...d, checks: [{ id: 'x' }] };
    const r = await backend.dispatch('sessions.save', { diagnosis: broken, plan: { host: 'h', port: 22 }, saveAs: true, name: 'x' });
    expect(r.ok || r.code).toBe('BAD_ARGS');
    expect(existsSync(join(dir, 'data', 'sessions', 'x.sgdiag'))).toBe(false);
  });

  it('opens the bundled example read-only', async () => {
    const r = await backend.dispatch('sessions.example', {});
    expect(r.ok && r.value).toMatchObject({ example: true, readOnly: true, ref: '' });
  });

  it('exports Markdown and HTML reports; PDF needs the desktop app', async () => {
    const d = sampleDiagnosis();
    const md = await backend.dispatch('report.export', { diagnosis: d, format: 'md', lang: 'en', maskIps: false });
    expect(md.ok).toBe(true);
    const mdPath = md.ok ? (md.value as { path: string }).path : '';
    expect(readFileSync(mdPath, 'utf8')).toMatch(/security group drops port 22/);
    const html = await backend.dispatch('report.export', { diagnosis: d, format: 'html', lang: 'zh-CN', maskIps: true, name: 'r' });
    const htmlText = readFileSync(html.ok ? (html.value as { path: string }).path : '', 'utf8');
    expect(htmlText).toMatch(/<html lang="zh-CN"/);
    expect(htmlText).not.toContain('203.0.113.7');
    const pdf = await backend.dispatch('report.export', { diagnosis: d, format: 'pdf', lang: 'en', maskIps: false });
    expect(pdf.ok || pdf.code).toBe('NOT_SUPPORTED');
  });

  it('refuses external links off the allow-list', async () => {
    const r = await backend.dispatch('shell.openExternal', { url: 'https://evil.example/' });
    expect(r.ok || r.code).toBe('URL_NOT_ALLOWED');
  });

  it('answers NOT_IMPLEMENTED honestly where an engine part is missing', async () => {
    const b = createBackend({
      host: webHost(join(dir, 'd2')),
      resourcesDir: dir,
      engine: { ...scriptedEngine(), checkImport: async () => Promise.reject(new (await import('../src/core/backend/engine')).EngineError('NOT_IMPLEMENTED', 'not yet')) },
    });
    expect(await b.dispatch('cloud.checkImport', { json: '{}' })).toEqual({ ok: false, code: 'NOT_IMPLEMENTED', message: 'not yet' });
  });
});

describe('createClient', () => {
  it('gives typed results over any transport and turns transport failures into results', async () => {
    const transport: Transport = {
      invoke: (c, a) => backend.dispatch(c, JSON.parse(JSON.stringify(a ?? {}))),
      subscribe: (event, l) => backend.onEvent((e, p) => e === event && l(p)),
    };
    const client = createClient(transport);
    const info = await client.call('app.info', {});
    expect(info.ok && info.value.shell).toBe('web');
    const broken = createClient({ invoke: () => Promise.reject(new Error('ECONNREFUSED')), subscribe: () => () => {} });
    expect(await broken.call('app.info', {})).toEqual({ ok: false, code: 'TRANSPORT', message: 'ECONNREFUSED' });
    const seen: string[] = [];
    const off = client.on('menu.command', (p) => seen.push(p.command));
    backend.emit('menu.command', { command: 'save' });
    off();
    backend.emit('menu.command', { command: 'open' });
    expect(seen).toEqual(['save']);
  });
});

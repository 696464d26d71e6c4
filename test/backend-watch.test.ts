// The watch channels of the contract (issue 11 §3) through `dispatch`, the entry both Electron's IPC and
// the web shell use: validation, the live attempts and the end as events, one watch at a time, cancel,
// and "works since" carried into a saved session and an exported report. Loopback ports only.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventPayloads } from '../src/core/api';
import { createBackend, type Backend } from '../src/core/backend/backend';
import type { DiagnosisEngine } from '../src/core/backend/engine';
import { createSession, parseSession, serializeSession } from '../src/core/session';
import { webHost } from '../src/cli/serve/web-host';
import { sampleDiagnosis } from './support/diagnosis-fixture';

const unused = (): never => {
  throw new Error('not used by these tests');
};
const engine: DiagnosisEngine = { run: unused, checkImport: unused, serverScript: unused, applyServerOutput: unused, runCloudAssistant: unused };

let dir: string;
let backend: Backend;
let events: { event: string; payload: unknown }[];
const servers: Server[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sgd-backend-watch-'));
  mkdirSync(join(dir, 'resources'));
  writeFileSync(join(dir, 'resources', 'example.sgdiag'), serializeSession(createSession(sampleDiagnosis(), { host: '47.98.10.20', port: 22 })));
  backend = createBackend({
    host: webHost(join(dir, 'data'), { locale: 'en-US' }),
    engine,
    resourcesDir: join(dir, 'resources'),
    env: {},
    watch: { schedule: { initialMs: 200, factor: 1.5, maxMs: 1000 }, attemptTimeoutMs: 500 },
  });
  events = [];
  backend.onEvent((event, payload) => events.push({ event, payload }));
});
afterEach(async () => {
  backend.cancelAll();
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
  rmSync(dir, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

function listenLater(port: number, ms: number): void {
  setTimeout(() => {
    const s = createServer((c) => c.destroy());
    s.listen(port, '127.0.0.1');
    servers.push(s);
  }, ms);
}

async function doneOf(watchId: string, ms = 15_000): Promise<EventPayloads['watch.done']> {
  for (let waited = 0; waited < ms; waited += 20) {
    const e = events.find((x) => x.event === 'watch.done' && (x.payload as { watchId: string }).watchId === watchId);
    if (e) return e.payload as EventPayloads['watch.done'];
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('no watch.done');
}

const attemptsOf = (watchId: string) =>
  events.filter((x) => x.event === 'watch.attempt' && (x.payload as { watchId: string }).watchId === watchId).map((x) => (x.payload as EventPayloads['watch.attempt']).attempt);

describe('watch.* channels', () => {
  it('validates its arguments', async () => {
    for (const bad of [{ host: '', port: 22 }, { host: '127.0.0.1', port: 0 }, { host: '127.0.0.1', port: '22' }, { host: '127.0.0.1', port: 22, maxDurationMs: 10 }, { host: 'http://x', port: 22 }]) {
      const r = await backend.dispatch('watch.start', bad);
      expect(r.ok, JSON.stringify(bad)).toBe(false);
      if (!r.ok) expect(r.code).toBe('BAD_ARGS');
    }
    const c = await backend.dispatch('watch.cancel', { watchId: 'nope' });
    expect(c.ok).toBe(false);
  });

  it('streams the attempts and ends with works and worksSince when the port opens', async () => {
    const port = await freePort();
    listenLater(port, 600);
    const r = await backend.dispatch('watch.start', { host: '127.0.0.1', port });
    expect(r.ok).toBe(true);
    const { watchId } = (r as { value: { watchId: string } }).value;
    const done = await doneOf(watchId);
    expect(done.outcome.ok).toBe(true);
    if (!done.outcome.ok) return;
    const result = done.outcome.value;
    expect(result.status).toBe('works');
    expect(result.worksSince).not.toBeNull();
    const seen = attemptsOf(watchId);
    expect(seen).toEqual(result.attempts); // every attempt was streamed, in order
    expect(seen[0].outcome).toBe('refused');
    expect(seen[seen.length - 1].outcome).toBe('connected');
  });

  it('one watch at a time; cancel ends it with status cancelled and frees the slot', async () => {
    const port = await freePort();
    const a = await backend.dispatch('watch.start', { host: '127.0.0.1', port });
    expect(a.ok).toBe(true);
    const id = (a as { value: { watchId: string } }).value.watchId;
    const busy = await backend.dispatch('watch.start', { host: '127.0.0.1', port });
    expect(busy.ok).toBe(false);
    if (!busy.ok) expect(busy.code).toBe('BUSY');
    const c = await backend.dispatch('watch.cancel', { watchId: id });
    expect(c).toEqual({ ok: true, value: { cancelled: true } });
    const done = await doneOf(id);
    expect(done.outcome.ok && done.outcome.value.status).toBe('cancelled');
    const again = await backend.dispatch('watch.cancel', { watchId: id });
    expect(again).toEqual({ ok: true, value: { cancelled: false } });
    const b = await backend.dispatch('watch.start', { host: '127.0.0.1', port });
    expect(b.ok).toBe(true);
  });

  it('times out after maxDurationMs', async () => {
    const port = await freePort();
    const r = await backend.dispatch('watch.start', { host: '127.0.0.1', port, maxDurationMs: 1000 });
    const id = (r as { value: { watchId: string } }).value.watchId;
    const done = await doneOf(id);
    expect(done.outcome.ok && done.outcome.value.status).toBe('timed-out');
    expect(done.outcome.ok && done.outcome.value.attempts.every((x) => x.outcome === 'refused')).toBe(true);
  });

  it('a saved session keeps "works since", opening it gives it back, the report says it', async () => {
    const d = sampleDiagnosis();
    const worked = { host: d.target.host, port: d.target.port, startedAt: '2026-12-02T06:01:30.000Z', worksSince: '2026-12-02T06:02:11.000Z', attempts: 5 };
    const saved = await backend.dispatch('sessions.save', { diagnosis: d, plan: { host: d.target.host, port: d.target.port }, saveAs: true, name: 'watched', watch: worked });
    expect(saved.ok).toBe(true);
    const ref = (saved as { value: { ref: string } }).value.ref;
    expect(JSON.parse(readFileSync(ref, 'utf8')).watch).toEqual(worked);
    const opened = await backend.dispatch('sessions.open', { ref });
    expect(opened.ok && (opened.value as { session: { watch?: unknown } }).session.watch).toEqual(worked);
    const rep = await backend.dispatch('report.export', { diagnosis: d, format: 'md', lang: 'en', maskIps: false, watch: worked });
    expect(rep.ok).toBe(true);
    const text = readFileSync((rep as { value: { path: string } }).value.path, 'utf8');
    expect(text).toMatch(/Works since: \d\d:\d\d:\d\d \(.*; watched from this machine, attempt 5 connected\)/);
    // A record about another target is not shown.
    const other = await backend.dispatch('report.export', { diagnosis: d, format: 'md', lang: 'en', maskIps: false, watch: { ...worked, port: 2222 }, name: 'other' });
    expect(readFileSync((other as { value: { path: string } }).value.path, 'utf8')).not.toContain('Works since');
    // A malformed record is refused at the boundary.
    const bad = await backend.dispatch('sessions.save', { diagnosis: d, plan: { host: d.target.host, port: d.target.port }, saveAs: true, name: 'bad', watch: { ...worked, worksSince: 'yesterday' } });
    expect(bad.ok).toBe(false);
  });

  it('a session file with a malformed watch record still opens, without the record (the file is untrusted)', () => {
    const d = sampleDiagnosis();
    const good = { host: d.target.host, port: d.target.port, startedAt: '2026-12-02T06:01:30.000Z', worksSince: '2026-12-02T06:02:11.000Z', attempts: 5 };
    const text = (watch: unknown) => JSON.stringify({ ...createSession(d, { host: d.target.host, port: d.target.port }), watch });
    const ok = parseSession(text(good));
    expect(ok.ok && ok.value.session.watch).toEqual(good);
    for (const bad of [{ ...good, worksSince: 'soon' }, { ...good, port: 0 }, 'yesterday', [good]]) {
      const r = parseSession(text(bad));
      expect(r.ok, JSON.stringify(bad)).toBe(true);
      if (r.ok) expect(r.value.session.watch).toBeUndefined();
    }
  });
});

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CURRENT_SESSION_SCHEMA,
  compareDiagnoses,
  createSession,
  loadSession,
  parseSession,
  saveSession,
  type SaveOps,
} from '../src/core/session';
import { sampleDiagnosis } from './support/diagnosis-fixture';

const dir = () => mkdtempSync(join(tmpdir(), 'sgd-session-'));
const plan = { host: '47.98.10.20', port: 22, protocol: 'tcp' as const, cloudMode: 'api' as const };

describe('session files', () => {
  it('round-trips a diagnosis through save and load', async () => {
    const path = join(dir(), 'web-1.sgdiag');
    const session = createSession(sampleDiagnosis(), plan);
    const saved = await saveSession(path, session);
    expect(saved.ok).toBe(true);
    const loaded = await loadSession(path);
    if (!loaded.ok) throw new Error(loaded.message);
    expect(loaded.value.readOnly).toBe(false);
    expect(loaded.value.migratedFrom).toBeNull();
    expect(loaded.value.session.diagnosis).toEqual(sampleDiagnosis());
    expect(loaded.value.session.plan).toEqual(plan);
  });

  it('never writes a secret into the file', async () => {
    const path = join(dir(), 's.sgdiag');
    const d = sampleDiagnosis();
    (d.cloud.snapshot!.account as Record<string, unknown>).accessKeySecret = 'TopSecretValue123';
    d.notes = 'key LTAI5tExampleKeyId9xQz used';
    await saveSession(path, createSession(d, plan));
    const text = readFileSync(path, 'utf8');
    expect(text).not.toContain('TopSecretValue123');
    expect(text).not.toContain('LTAI5tExampleKeyId9xQz');
    expect(text).toContain('LTAI****9xQz');
  });

  it('migrates the v0 prototype format', async () => {
    const loaded = await loadSession(join(__dirname, 'fixtures/sessions/v0-prototype.sgdiag'));
    if (!loaded.ok) throw new Error(loaded.message);
    const { session, migratedFrom, warnings } = loaded.value;
    expect(migratedFrom).toBe(0);
    expect(warnings[0]).toMatch(/Upgraded/);
    expect(session.schemaVersion).toBe(CURRENT_SESSION_SCHEMA);
    expect(session.diagnosis.target).toMatchObject({ host: '47.98.10.20', port: 22, protocol: 'tcp' });
    expect(session.diagnosis.verdict.locus).toBe('server');
    expect(session.diagnosis.verdict.blockingCheckIds).toEqual(['tcp.port', 'os.listening']);
    expect(session.diagnosis.checks[1].fixes[0].command).toBe('sudo systemctl start sshd');
    expect(session.diagnosis.checks[0].title['zh-CN']).toBe('Port 22 reachable');
    expect(session.diagnosis.notes).toBe('tried from the office');
  });

  it('reports a truncated file precisely', () => {
    const text = JSON.stringify(createSession(sampleDiagnosis(), plan), null, 2);
    const r = parseSession(text.slice(0, Math.floor(text.length / 2)), 'cut.sgdiag');
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.code).toBe('TRUNCATED');
      expect(r.message).toMatch(/cut\.sgdiag: the file ends early/);
    }
  });

  it('reports corrupt JSON with line and column', () => {
    const r = parseSession('{\n  "kind": "sg-doctor-session",\n  "schemaVersion": 1,,\n}', 'bad.sgdiag');
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.code).toBe('NOT_JSON');
      expect(r.message).toMatch(/line 3/);
    }
  });

  it('names the invalid field of a structurally wrong session', () => {
    const s = JSON.parse(JSON.stringify(createSession(sampleDiagnosis(), plan)));
    s.diagnosis.verdict.locus = 'somewhere';
    const r = parseSession(JSON.stringify(s), 'x.sgdiag');
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.code).toBe('INVALID');
      expect(r.message).toContain('diagnosis.verdict.locus');
    }
  });

  it('refuses files that are not sessions', () => {
    for (const text of ['[]', '42', '{"hello":"world"}']) {
      const r = parseSession(text, 'other.json');
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.code).toBe('NOT_A_SESSION');
    }
  });

  it('opens a newer-version file read-only and refuses to overwrite it', async () => {
    const path = join(dir(), 'future.sgdiag');
    const future = { ...createSession(sampleDiagnosis(), plan), schemaVersion: CURRENT_SESSION_SCHEMA + 1, appVersion: '9.0.0', newTopLevelThing: { x: 1 } };
    writeFileSync(path, JSON.stringify(future));
    const loaded = await loadSession(path);
    if (!loaded.ok) throw new Error(loaded.message);
    expect(loaded.value.readOnly).toBe(true);
    expect(loaded.value.warnings[0]).toMatch(/newer SG Doctor \(9\.0\.0/);
    const before = readFileSync(path, 'utf8');
    const saved = await saveSession(path, loaded.value.session);
    expect(saved.ok).toBe(false);
    if (!saved.ok) expect(saved.code).toBe('READ_ONLY');
    expect(readFileSync(path, 'utf8')).toBe(before);
  });

  it('keeps the previous file as a backup', async () => {
    const path = join(dir(), 'b.sgdiag');
    await saveSession(path, createSession(sampleDiagnosis({ notes: 'first' }), plan));
    const r = await saveSession(path, createSession(sampleDiagnosis({ notes: 'second' }), plan));
    expect(r.ok && r.value.backup).toBe(`${path}.bak`);
    const bak = await loadSession(`${path}.bak`);
    expect(bak.ok && bak.value.session.diagnosis.notes).toBe('first');
    const cur = await loadSession(path);
    expect(cur.ok && cur.value.session.diagnosis.notes).toBe('second');
  });

  it.each(['writeTemp', 'backup', 'rename'] as const)('an interrupted save at %s loses nothing', async (step) => {
    const d = dir();
    const path = join(d, 'i.sgdiag');
    await saveSession(path, createSession(sampleDiagnosis({ notes: 'original' }), plan));
    const original = readFileSync(path, 'utf8');
    const real: SaveOps = {
      writeTemp: (p, data) => import('node:fs/promises').then((f) => f.writeFile(p, data)),
      backup: (a, b) => import('node:fs/promises').then((f) => f.copyFile(a, b)),
      rename: (a, b) => import('node:fs/promises').then((f) => f.rename(a, b)),
    };
    const ops: SaveOps = {
      ...real,
      [step]: async (...args: [string, string]) => {
        if (step === 'writeTemp') await real.writeTemp(args[0], args[1].slice(0, 100)); // half-written temp file
        throw Object.assign(new Error('disk full'), { code: 'ENOSPC' });
      },
    };
    const r = await saveSession(path, createSession(sampleDiagnosis({ notes: 'new' }), plan), { ops });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(/ENOSPC.*previous file is unchanged/);
    expect(readFileSync(path, 'utf8')).toBe(original);
    expect(readdirSync(d).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('a process killed while saving leaves the old or the new file, never a broken one', async () => {
    const d = dir();
    const path = join(d, 'k.sgdiag');
    await saveSession(path, createSession(sampleDiagnosis({ notes: 'old' }), plan));
    // A child saves a large session in a loop; we SIGKILL it at several moments (bounded: 6 kills).
    const script = `
      import { createSession, saveSession } from './src/core/session';
      import { sampleDiagnosis } from './test/support/diagnosis-fixture';
      const big = 'x'.repeat(4_000_000);
      for (let i = 0; i < 200; i++) await saveSession(${JSON.stringify(path)}, createSession(sampleDiagnosis({ notes: 'new ' + i + big }), ${JSON.stringify(plan)}));
    `;
    const scriptPath = join(d, 'saver.mts');
    writeFileSync(scriptPath, script.replaceAll("'./", `'${process.cwd()}/`));
    const seen = new Set<string>();
    for (let k = 0; k < 6; k++) {
      const child = spawn(process.execPath, [join(process.cwd(), 'node_modules/tsx/dist/cli.mjs'), scriptPath], { stdio: 'ignore' });
      await new Promise((r) => setTimeout(r, 700 + k * 170));
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      const loaded = await loadSession(path);
      if (!loaded.ok) throw new Error(`after kill ${k}: ${loaded.message}`);
      expect(loaded.value.session.diagnosis.notes).toMatch(/^(old|new \d+)/);
      seen.add(loaded.value.session.diagnosis.notes.slice(0, 6));
    }
    // The kills really landed while saves were going on (not before the first one started).
    expect([...seen].some((n) => n.startsWith('new'))).toBe(true);
    expect(existsSync(path)).toBe(true);
  }, 60_000);
});

describe('re-run comparison', () => {
  it('names the port, verdict and rule changes', () => {
    const before = sampleDiagnosis();
    const after = sampleDiagnosis();
    after.probes!.tcp[0] = { ...after.probes!.tcp[0], state: 'open', reason: 'syn-ack', rttMs: 31 };
    after.verdict = { ...after.verdict, locus: 'none' };
    after.cloud.snapshot!.securityGroups[0].rules.push({
      ...after.cloud.snapshot!.securityGroups[0].rules[0],
      id: 'sgr-new22',
      peer: { kind: 'cidr', cidr: '203.0.113.7/32', family: 4 },
    });
    after.checks[0] = { ...after.checks[0], status: 'pass' };
    const c = compareDiagnoses(before, after);
    expect(c.same).toBe(false);
    const texts = c.changes.map((x) => x.text.en);
    expect(texts).toContain('port 22 was filtered, now open');
    expect(texts).toContain('verdict was network, now none');
    expect(texts.some((t) => t.startsWith('rule sgr-new22 added'))).toBe(true);
    expect(c.changes.find((x) => x.kind === 'check')?.key).toBe('sg.source');
  });

  it('says nothing changed for identical runs', () => {
    expect(compareDiagnoses(sampleDiagnosis(), sampleDiagnosis())).toEqual({ same: true, changes: [], notRechecked: [] });
  });
});

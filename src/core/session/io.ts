// Reading and writing .sgdiag files. The user's file is sacred: writes go to a temp file in the same
// folder and are renamed over the old one (atomic on one file system), the previous file is kept as
// `<name>.bak`, and a file written by a newer app is never overwritten.
import { promises as fsp } from 'node:fs';
import { basename, dirname } from 'node:path';
import { cleanStaleTempFiles, realPathWithin, tempPathFor } from '../files';
import type { Diagnosis } from '../diagnosis/types';
import { fail, ok, type Result } from '../result';
import { APP_VERSION } from '../version';
import { detectSchemaVersion, migrate } from './migrations';
import { redactDocument } from './redact';
import { CURRENT_SESSION_SCHEMA, SESSION_KIND, sessionSchema, type SessionPlan } from './schema';
import type { LoadedSession, Session, SessionErrorCode } from './types';

export const SESSION_EXTENSION = '.sgdiag';
/** A session is a few hundred KB at most; anything far larger is not ours. */
const MAX_SESSION_BYTES = 32 * 1024 * 1024;

type SessionResult<T> = Result<T> & ({ ok: true } | { ok: false; code: SessionErrorCode });

const err = <T>(code: SessionErrorCode, message: string): SessionResult<T> => fail(code, message) as SessionResult<T>;

/** Builds a new session (or the next save of an existing one) around a diagnosis. */
export function createSession(diagnosis: Diagnosis, plan: SessionPlan, previous?: Session): Session {
  const now = new Date().toISOString();
  return {
    kind: SESSION_KIND,
    schemaVersion: CURRENT_SESSION_SCHEMA,
    appVersion: APP_VERSION,
    createdAt: previous?.createdAt ?? now,
    savedAt: now,
    plan,
    diagnosis,
    history: previous?.history ?? [],
    // The record of applied cloud changes (and their undo) stays with the session across re-runs.
    ...(previous?.applied?.length ? { applied: previous.applied } : {}),
  };
}

/** Parses file text into a current-schema session: precise errors, migrations, newer files read-only. */
export function parseSession(text: string, fileName = 'session'): SessionResult<LoadedSession> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return jsonError(text, e, fileName);
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    return err('NOT_A_SESSION', `${fileName}: not an SG Doctor session (the file holds ${Array.isArray(raw) ? 'a list' : typeof raw}, not an object)`);
  }
  const doc = raw as Record<string, unknown>;
  const version = detectSchemaVersion(doc);
  if (version === null) {
    return err('NOT_A_SESSION', `${fileName}: not an SG Doctor session (no "kind": "${SESSION_KIND}" and no known older format)`);
  }
  const warnings: string[] = [];
  let current = doc;
  let migratedFrom: number | null = null;
  const readOnly = version > CURRENT_SESSION_SCHEMA;
  if (readOnly) {
    warnings.push(
      `Written by a newer SG Doctor (${String(doc.appVersion ?? 'unknown version')}, schema ${version}); this version knows schema ${CURRENT_SESSION_SCHEMA}. Opened read-only so nothing in it is lost.`,
    );
  } else if (version < CURRENT_SESSION_SCHEMA) {
    try {
      const m = migrate(doc, version);
      current = m.doc;
      migratedFrom = version;
      warnings.push(...m.steps.map((s) => `Upgraded: ${s}`));
    } catch (e) {
      return err('INVALID', `${fileName}: could not upgrade from schema ${version}: ${(e as Error).message}`);
    }
  }
  const parsed = sessionSchema.safeParse(current);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.length ? issue.path.join('.') : '(top level)';
    const code: SessionErrorCode = readOnly ? 'NEWER_INCOMPATIBLE' : 'INVALID';
    return err(code, `${fileName}: invalid session at ${where}: ${issue.message}${parsed.error.issues.length > 1 ? ` (and ${parsed.error.issues.length - 1} more problems)` : ''}`);
  }
  return ok({ session: parsed.data as unknown as Session, readOnly, migratedFrom, warnings }) as SessionResult<LoadedSession>;
}

export interface LoadOptions {
  /**
   * The folder the file must really lie in (the app's sessions folder): a symlink there that points
   * elsewhere is refused without reading its target. Unset for a file the user named explicitly.
   */
  within?: string;
}

export async function loadSession(path: string, opts: LoadOptions = {}): Promise<SessionResult<LoadedSession>> {
  let text: string;
  if (opts.within !== undefined) {
    const inside = await realPathWithin(path, opts.within);
    if (!inside.ok) return err(inside.code === 'NOT_FOUND' ? 'NOT_FOUND' : inside.code === 'OUTSIDE' ? 'OUTSIDE' : 'IO', inside.message);
    path = inside.value;
  }
  try {
    const stat = await fsp.stat(path);
    if (stat.size > MAX_SESSION_BYTES) return err('TOO_LARGE', `${basename(path)}: ${stat.size} bytes is too large for a session file`);
    text = await fsp.readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return err('NOT_FOUND', `${basename(path)}: no such file`);
    return err('IO', `${basename(path)}: cannot read (${code ?? (e as Error).message})`);
  }
  return parseSession(text.replace(/^\uFEFF/, ''), basename(path));
}

/** The file-system steps of a save, injectable so tests can interrupt a save at any step. */
export interface SaveOps {
  writeTemp(path: string, data: string): Promise<void>;
  backup(from: string, to: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
}

const realOps: SaveOps = {
  async writeTemp(path, data) {
    const fh = await fsp.open(path, 'wx', 0o600);
    try {
      await fh.writeFile(data, 'utf8');
      await fh.sync(); // the bytes are on disk before the rename makes them the file
    } finally {
      await fh.close();
    }
  },
  backup: (from, to) => fsp.copyFile(from, to),
  rename: (from, to) => fsp.rename(from, to),
};

export interface SaveOptions {
  ops?: SaveOps;
  /** Keep `<file>.bak` with the previous content (default true). */
  keepBackup?: boolean;
}

/** Serialises without secrets. Exported so the web shell can offer the same bytes for download. */
export function serializeSession(session: Session): string {
  return `${JSON.stringify(redactDocument(session), null, 2)}\n`;
}

export async function saveSession(path: string, session: Session, opts: SaveOptions = {}): Promise<SessionResult<{ path: string; bytes: number; backup: string | null }>> {
  const ops = opts.ops ?? realOps;
  const existing = await readExistingVersion(path);
  if (existing !== null && existing > CURRENT_SESSION_SCHEMA) {
    return err('READ_ONLY', `${basename(path)} was written by a newer SG Doctor (schema ${existing}); save under another name`);
  }
  const data = serializeSession({ ...session, schemaVersion: CURRENT_SESSION_SCHEMA, savedAt: new Date().toISOString() });
  // A save interrupted earlier (killed process, power loss) may have left a temp file: remove it now.
  await cleanStaleTempFiles(dirname(path));
  const tmp = tempPathFor(path);
  let backup: string | null = null;
  try {
    await ops.writeTemp(tmp, data);
    if (existing !== null && opts.keepBackup !== false) {
      backup = `${path}.bak`;
      await ops.backup(path, backup);
    }
    await ops.rename(tmp, path);
  } catch (e) {
    await fsp.rm(tmp, { force: true }).catch(() => undefined);
    return err('IO', `could not save ${basename(path)}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}; the previous file is unchanged`);
  }
  return ok({ path, bytes: Buffer.byteLength(data), backup }) as SessionResult<{ path: string; bytes: number; backup: string | null }>;
}

/** null when there is no readable session at `path` (new file, or not ours: it will be replaced). */
async function readExistingVersion(path: string): Promise<number | null> {
  // A link is replaced by the rename, never read through nor copied to a backup.
  if ((await fsp.lstat(path).catch(() => null))?.isSymbolicLink()) return null;
  try {
    const doc = JSON.parse(await fsp.readFile(path, 'utf8')) as Record<string, unknown>;
    return detectSchemaVersion(doc) ?? 0;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? null : 0;
  }
}

function jsonError(text: string, e: unknown, fileName: string): SessionResult<LoadedSession> {
  const message = (e as Error).message;
  if (text.trim() === '') return err('TRUNCATED', `${fileName}: the file is empty`);
  const pos = /position (\d+)/.exec(message);
  const offset = pos ? Number(pos[1]) : null;
  const truncated = /end of (JSON )?input|Unterminated/i.test(message) || (offset !== null && offset >= text.trimEnd().length);
  const where = offset !== null ? ` at ${lineCol(text, offset)}` : '';
  if (truncated) return err('TRUNCATED', `${fileName}: the file ends early${where} — it was probably cut off while being copied or saved`);
  // The parser's own message quotes the file's content (which may be anything a link pointed at): never shown.
  return err('NOT_JSON', `${fileName}: not valid JSON${where}`);
}

function lineCol(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const col = offset - before.lastIndexOf('\n');
  return `line ${line}, column ${col}`;
}

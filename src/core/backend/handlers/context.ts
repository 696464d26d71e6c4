// What every domain handler module shares: the shell (host), the engine, the environment, the log, the event
// emitter, the runs and watches in flight, and the file-reference rules (a path from the UI is accepted only
// if the backend handed it out, it is recent, or it is in the sessions folder).
import { promises as fsp } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { OpenedSession, ParsedArgsOf, SessionRef } from '../../api';
import { providerFor } from '../../cloud/registry';
import type { Diagnosis } from '../../diagnosis/types';
import { fail, ok, type Result } from '../../result';
import { loadSession, SESSION_EXTENSION } from '../../session';
import { diagnosisSchema } from '../../session/schema';
import type { WatchOptions } from '../../watch';
import type { DiagnosisEngine, RunCredentials } from '../engine';
import type { Host } from '../host';
import { silentLogger, type Logger } from '../log';
import type { EventListener } from './types';

export interface BackendOptions {
  host: Host;
  engine: DiagnosisEngine;
  /** Folder holding example.sgdiag (resources/ in a checkout, process.resourcesPath when packaged). */
  resourcesDir: string;
  log?: Logger;
  /** Most diagnosis runs at a time (default 1: the UI runs one; a second start is refused, not queued). */
  maxRuns?: number;
  /** The environment the app was started from (default process.env): tells whether AccessKey variables are set. */
  env?: NodeJS.ProcessEnv;
  /** Watch tuning (tests): the back-off schedule and the per-attempt connect timeout. */
  watch?: Pick<WatchOptions, 'schedule' | 'attemptTimeoutMs'>;
}

export interface BackendContext {
  host: Host;
  engine: DiagnosisEngine;
  env: NodeJS.ProcessEnv;
  log: Logger;
  emit: EventListener;
  listeners: Set<EventListener>;
  resourcesDir: string;
  sessionsDir: string;
  reportsDir: string;
  maxRuns: number;
  watchTuning: BackendOptions['watch'];
  /** Diagnosis runs in flight. */
  runs: Map<string, AbortController>;
  /** Watches running (issue 11 §3): one at a time. */
  watches: Map<string, AbortController>;
  /** Paths the backend handed out this run (dialogs, saves): the only ones besides recent it accepts back. */
  issued: Set<string>;
  readRecent(): Promise<SessionRef[]>;
  addRecent(entry: SessionRef): Promise<void>;
  resolveRef(ref: string): Promise<string | null>;
  refOf(path: string, savedAt?: string): SessionRef;
  openPath(path: string): Promise<Result<OpenedSession>>;
  credentialsFor(source: ParsedArgsOf<'diagnosis.start'>['cloud']): Promise<Result<RunCredentials>>;
  checkDiagnosis(doc: unknown): Result<Diagnosis>;
}

const MAX_RECENT = 10;

export function createContext(opts: BackendOptions): BackendContext {
  const { host, engine, resourcesDir } = opts;
  const env = opts.env ?? process.env;
  const log = opts.log ?? silentLogger();
  const listeners = new Set<EventListener>();
  const sessionsDir = join(host.dataDir, 'sessions');
  const reportsDir = join(host.dataDir, 'reports');
  const recentFile = join(host.dataDir, 'recent.json');
  const issued = new Set<string>();

  const emit: EventListener = (event, payload) => {
    for (const l of listeners) {
      try {
        l(event, payload);
      } catch (e) {
        log.warn('event listener failed', { event, error: (e as Error).message });
      }
    }
  };

  async function readRecent(): Promise<SessionRef[]> {
    try {
      const doc = JSON.parse(await fsp.readFile(recentFile, 'utf8')) as unknown;
      if (!Array.isArray(doc)) return [];
      return doc
        .filter((r): r is SessionRef => !!r && typeof r === 'object' && typeof (r as SessionRef).ref === 'string' && typeof (r as SessionRef).name === 'string')
        .slice(0, MAX_RECENT);
    } catch {
      return [];
    }
  }

  async function addRecent(entry: SessionRef): Promise<void> {
    const list = [entry, ...(await readRecent()).filter((r) => r.ref !== entry.ref)].slice(0, MAX_RECENT);
    await fsp.mkdir(host.dataDir, { recursive: true, mode: 0o700 });
    await fsp.writeFile(recentFile, JSON.stringify(list, null, 2), { mode: 0o600 });
  }

  /** A file reference from the UI: accepted only if the backend handed it out, it is recent, or it is in the sessions folder. */
  async function resolveRef(ref: string): Promise<string | null> {
    const abs = resolve(ref);
    if (issued.has(abs)) return abs;
    if ((await readRecent()).some((r) => resolve(r.ref) === abs)) return abs;
    if (dirname(abs) === resolve(sessionsDir) && abs.endsWith(SESSION_EXTENSION)) return abs;
    return null;
  }

  const refOf = (path: string, savedAt?: string): SessionRef => ({ ref: path, name: basename(path), display: path, ...(savedAt ? { savedAt } : {}) });

  async function openPath(path: string): Promise<Result<OpenedSession>> {
    // A file in the sessions folder must really be there: a planted link pointing elsewhere is not followed.
    const inSessions = dirname(resolve(path)) === resolve(sessionsDir);
    const loaded = await loadSession(path, inSessions ? { within: sessionsDir } : {});
    if (!loaded.ok) {
      log.warn('session open failed', { code: loaded.code });
      return loaded;
    }
    issued.add(resolve(path));
    const ref = refOf(resolve(path), loaded.value.session.savedAt);
    await addRecent(ref).catch(() => undefined);
    return ok({ ...ref, ...loaded.value });
  }

  async function credentialsFor(source: ParsedArgsOf<'diagnosis.start'>['cloud']): Promise<Result<RunCredentials>> {
    switch (source.mode) {
      case 'profile':
        return ok({ kind: 'profile', profile: source.profile });
      case 'stored-key': {
        // The chosen cloud's own entry: a key typed for the other cloud is never used.
        const key = await host.secrets.load(source.provider);
        if (!key) return fail('NO_ACCESS_KEY', `No ${providerFor(source.provider).name.en} access key is stored: type one in step 2, or choose another source`);
        log.addSecret(key.accessKeySecret);
        return ok({ kind: 'access-key', key });
      }
      case 'environment':
        return ok({ kind: 'environment' });
      case 'import':
        return ok({ kind: 'import', json: source.json });
      case 'none':
        return ok({ kind: 'none' });
    }
  }

  function checkDiagnosis(doc: unknown): Result<Diagnosis> {
    const parsed = diagnosisSchema.safeParse(doc);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return fail('BAD_ARGS', `diagnosis: ${issue.path.join('.')}: ${issue.message}`);
    }
    return ok(parsed.data as unknown as Diagnosis);
  }

  return {
    host,
    engine,
    env,
    log,
    emit,
    listeners,
    resourcesDir,
    sessionsDir,
    reportsDir,
    maxRuns: opts.maxRuns ?? 1,
    watchTuning: opts.watch,
    runs: new Map(),
    watches: new Map(),
    issued,
    readRecent,
    addRecent,
    resolveRef,
    refOf,
    openPath,
    credentialsFor,
    checkDiagnosis,
  };
}

// The transport-neutral backend: one handler per contract channel, on top of the core. Electron's IPC
// and the web shell's HTTP routes both call `dispatch`, which validates the arguments against the
// contract first, so both shells behave identically.
import { randomUUID } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import ipaddr from 'ipaddr.js';
import {
  allowedExternalUrl,
  isRequestChannel,
  parseArgs,
  type EventChannel,
  type EventPayloads,
  type OpenedSession,
  type ParsedArgsOf,
  type RequestChannel,
  type ResultOf,
  type SessionRef,
} from '../api';
import type { ProviderId } from '../cloud/provider';
import { contactSettings, saveContactSettings } from '../config';
import { maskAccessKeyId } from '../cloud/redact';
import type { Diagnosis, Lang } from '../diagnosis/types';
import { parseTarget } from '../probe/target';
import { renderReport } from '../report';
import { fail, ok, type Result } from '../result';
import { writeFileSafely } from '../files';
import { compareDiagnoses, createSession, loadSession, parseSession, saveSession, serializeSession, SESSION_EXTENSION } from '../session';
import { diagnosisSchema } from '../session/schema';
import { APP_VERSION } from '../version';
import { watch, type WatchOptions } from '../watch';
import { environmentHasKey, environmentVariables, listProfiles } from './accounts';
import { cloudCapabilities } from './compose';
import { EngineError, type DiagnosisEngine, type RunCredentials } from './engine';
import { fixHandlers } from './fixes-handlers';
import type { Host } from './host';
import { silentLogger, type Logger } from './log';

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

type Handler<C extends RequestChannel> = (args: ParsedArgsOf<C>) => Promise<Result<ResultOf<C>>>;
export type Handlers = { [C in RequestChannel]: Handler<C> };
export type EventListener = <E extends EventChannel>(event: E, payload: EventPayloads[E]) => void;

export interface Backend {
  /** Validates `rawArgs` against the contract and runs the handler; never throws. */
  dispatch(channel: unknown, rawArgs: unknown): Promise<Result<unknown>>;
  /** Events for the UI (diagnosis progress); returns the unsubscribe function. */
  onEvent(listener: EventListener): () => void;
  emit: EventListener;
  /** Opens a file on the shell's behalf (double-clicked .sgdiag, native Open recent). */
  openPath(path: string): Promise<Result<OpenedSession>>;
  /** Cancels every run (window closing, server stopping). */
  cancelAll(): void;
  readonly sessionsDir: string;
  readonly reportsDir: string;
}

const MAX_RECENT = 10;

export function createBackend(opts: BackendOptions): Backend {
  const { host, engine, resourcesDir } = opts;
  const env = opts.env ?? process.env;
  const log = opts.log ?? silentLogger();
  const listeners = new Set<EventListener>();
  const runs = new Map<string, AbortController>();
  /** Watches running (issue 11 §3): one at a time. */
  const watches = new Map<string, AbortController>();
  const sessionsDir = join(host.dataDir, 'sessions');
  const reportsDir = join(host.dataDir, 'reports');
  const recentFile = join(host.dataDir, 'recent.json');
  /** Paths the backend handed out this run (dialogs, saves): the only ones besides recent it accepts back. */
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
        if (!key) return fail('NO_ACCESS_KEY', source.provider === 'huawei' ? 'No Huawei Cloud access key is stored: type one in step 2, or choose another source' : 'No AccessKey is stored: type one in step 2, or choose a profile');
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

  async function credentialStatus(provider: ProviderId = 'alicloud'): Promise<ResultOf<'credentials.status'>> {
    const key = await host.secrets.load(provider);
    return {
      stored: !!key,
      accessKeyIdRedacted: key ? maskAccessKeyId(key.accessKeyId) : null,
      persistent: host.secrets.persistent,
      keychain: host.secrets.keychain,
      environment: environmentHasKey(provider, env),
      provider,
      environmentVariables: environmentVariables(provider),
      ...(provider === 'huawei' ? { projectId: key?.projectId ?? null } : {}),
    };
  }

  const handlers: Handlers = {
    'app.info': async () =>
      ok({
        version: APP_VERSION,
        shell: host.shell,
        platform: host.platform,
        osLang: (host.locale.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en') as Lang,
        capabilities: host.capabilities,
        dataDir: host.dataDir,
        clouds: cloudCapabilities(),
      }),
    'app.setPrefs': async (a) => {
      host.applyPrefs?.(a);
      return ok({ applied: true as const });
    },
    'app.setDirty': async (a) => {
      host.setDirty?.(a.dirty, a.title);
      return ok({ dirty: a.dirty });
    },
    'app.confirmClose': async () => ok({ closing: host.confirmClose?.() ?? false }),

    'target.validate': async ({ host: raw }) => {
      const t = parseTarget(raw);
      if (!t.ok) return t;
      let privateAddress = false;
      if (t.value.address) {
        const range = ipaddr.parse(t.value.address.replace(/%.*$/, '')).range();
        privateAddress = range !== 'unicast';
      }
      return ok({ kind: t.value.kind, normalized: t.value.host, privateAddress });
    },

    'profiles.list': async ({ provider }) => listProfiles(provider, env),
    'credentials.status': async ({ provider }) => ok(await credentialStatus(provider)),
    'credentials.setAccessKey': async (k) => {
      log.addSecret(k.accessKeySecret);
      await host.secrets.save({ accessKeyId: k.accessKeyId, accessKeySecret: k.accessKeySecret, ...(k.provider === 'huawei' && k.projectId ? { projectId: k.projectId.toLowerCase() } : {}) }, k.provider);
      log.info('access key stored', { provider: k.provider, accessKeyId: maskAccessKeyId(k.accessKeyId), persistent: host.secrets.persistent });
      return ok(await credentialStatus(k.provider));
    },
    'credentials.clear': async ({ provider }) => {
      await host.secrets.clear(provider);
      return ok(await credentialStatus(provider));
    },
    'cloud.checkImport': async ({ json }) => ok(await engine.checkImport(json)),
    'settings.contacts': async () => contactSettings({ env }),
    'settings.setContacts': async (patch) => {
      const r = await saveContactSettings(patch, { env });
      if (r.ok) log.info('outside contacts changed', { kinds: Object.keys(patch) });
      return r;
    },

    'diagnosis.start': async (args) => {
      if (runs.size >= (opts.maxRuns ?? 1)) return fail('BUSY', 'A diagnosis is already running: cancel it or wait for it to finish');
      const creds = await credentialsFor(args.cloud);
      if (!creds.ok) return creds;
      if (creds.value.kind === 'import') {
        // Offline JSON that cannot be used blocks the start (the app shows why) instead of a run without cloud data.
        const refused = await engine.checkImport(creds.value.json).then(
          () => null,
          (e: unknown) => {
            if (e instanceof EngineError) return e.message;
            throw e;
          },
        );
        if (refused !== null) return fail('bad-input', refused);
      }
      const runId = randomUUID();
      const controller = new AbortController();
      runs.set(runId, controller);
      log.info('diagnosis start', { runId, port: args.port, service: args.service, cloud: args.cloud.mode, provider: args.cloud.provider });
      const started = Date.now();
      // Runs in the background; the UI follows it through events.
      void engine
        .run(args, { signal: controller.signal, credentials: creds.value, onEvent: (event) => emit('diagnosis.event', { runId, event }) })
        .then(
          (diagnosis) => {
            log.info('diagnosis done', { runId, locus: diagnosis.verdict.locus, ms: Date.now() - started });
            emit('diagnosis.done', { runId, result: ok(diagnosis) });
          },
          (e: unknown) => {
            const cancelled = controller.signal.aborted;
            const code = cancelled ? 'CANCELLED' : e instanceof EngineError ? e.code : 'DIAGNOSIS_FAILED';
            const message = cancelled ? 'The diagnosis was cancelled' : (e as Error)?.message ?? String(e);
            log.warn('diagnosis failed', { runId, code, message });
            emit('diagnosis.done', { runId, result: fail(code, message) });
          },
        )
        .finally(() => runs.delete(runId));
      return ok({ runId });
    },
    'diagnosis.cancel': async ({ runId }) => {
      const c = runs.get(runId);
      c?.abort();
      return ok({ cancelled: !!c });
    },

    'server.script': async ({ os, port }) => ok(engine.serverScript(os, port)),
    'server.applyOutput': async ({ diagnosis, text }) => {
      const d = checkDiagnosis(diagnosis);
      if (!d.ok) return d;
      return ok(await engine.applyServerOutput(d.value, text));
    },
    'server.runCloudAssistant': async ({ diagnosis, cloud }) => {
      const d = checkDiagnosis(diagnosis);
      if (!d.ok) return d;
      const creds = await credentialsFor(cloud);
      if (!creds.ok) return creds;
      if (creds.value.kind === 'none' || creds.value.kind === 'import') {
        return fail('NEEDS_ACCOUNT', 'Cloud Assistant needs a cloud account (a profile or an AccessKey); copy the script instead');
      }
      log.info('cloud assistant run', { instanceId: d.value.target.instanceId ?? d.value.cloud.snapshot?.instance?.id ?? null });
      return ok(await engine.runCloudAssistant(d.value, creds.value, AbortSignal.timeout(120_000)));
    },

    'sessions.save': async ({ diagnosis, plan, ref, saveAs, name, watch: worked }) => {
      const d = checkDiagnosis(diagnosis);
      if (!d.ok) return d;
      let path: string | null;
      if (ref && !saveAs) {
        path = await resolveRef(ref);
        if (!path) return fail('UNKNOWN_FILE', 'That file was not opened or saved by SG Doctor; use Save as…');
      } else {
        const base = (name ?? `${d.value.target.host}-${d.value.target.port}`).replace(/\.sgdiag$/i, '');
        path = await host.chooseSavePath({ kind: 'session', defaultName: `${base}${SESSION_EXTENSION}`, extensions: ['sgdiag'] });
        if (!path) return ok(null);
      }
      // Saving over a file keeps the cloud changes applied from it (and their undo): the UI never holds them.
      const kept = ref && !saveAs ? await loadSession(path).then((r) => (r.ok ? r.value.session : null)) : null;
      const session = {
        ...createSession(d.value, plan),
        ...(kept?.applied ? { applied: kept.applied } : {}),
        ...(kept?.pendingApply ? { pendingApply: kept.pendingApply } : {}),
        ...(worked ? { watch: worked } : {}),
      };
      // What is written must read back: refuse to write a file this app could not open again.
      const check = parseSession(serializeSession(session), basename(path));
      if (!check.ok) return check;
      await fsp.mkdir(dirname(path), { recursive: true });
      const saved = await saveSession(path, session);
      if (!saved.ok) return saved;
      const abs = resolve(path);
      issued.add(abs);
      const entry = refOf(abs, session.savedAt);
      await addRecent(entry).catch(() => undefined);
      log.info('session saved', { bytes: saved.value.bytes });
      return ok({ ...entry, bytes: saved.value.bytes, backup: saved.value.backup });
    },
    'sessions.open': async ({ ref }) => {
      let path: string | null;
      if (ref) {
        path = await resolveRef(ref);
        if (!path) return fail('UNKNOWN_FILE', 'SG Doctor only opens files you chose, recent files, or files in its sessions folder');
      } else {
        path = await host.chooseOpenPath();
        if (!path) return ok(null);
      }
      return openPath(path);
    },
    'sessions.recent': async () => ok(await readRecent()),
    'sessions.browse': async () => {
      let names: string[];
      try {
        names = (await fsp.readdir(sessionsDir)).filter((n) => n.endsWith(SESSION_EXTENSION));
      } catch {
        return ok([]);
      }
      const refs = await Promise.all(
        names.map(async (n) => {
          const p = join(resolve(sessionsDir), n);
          const st = await fsp.stat(p).catch(() => null);
          return { ...refOf(p, st?.mtime.toISOString()), display: n };
        }),
      );
      return ok(refs.sort((a, b) => (b.savedAt ?? '').localeCompare(a.savedAt ?? '')));
    },
    'sessions.example': async () => {
      const path = join(resourcesDir, 'example.sgdiag');
      const loaded = await loadSession(path);
      if (!loaded.ok) return loaded;
      return ok({ ref: '', name: 'example.sgdiag', display: 'example.sgdiag', ...loaded.value, readOnly: true, example: true });
    },
    'sessions.compare': async ({ before, after }) => {
      const b = checkDiagnosis(before);
      if (!b.ok) return b;
      const a = checkDiagnosis(after);
      if (!a.ok) return a;
      return ok(compareDiagnoses(b.value, a.value));
    },

    'report.export': async ({ diagnosis, format, lang, maskIps, name, watch: worked }) => {
      const d = checkDiagnosis(diagnosis);
      if (!d.ok) return d;
      if (format === 'pdf' && !host.printPdf) return fail('NOT_SUPPORTED', 'PDF export needs the desktop app; export HTML and print it from the browser');
      const base = (name ?? `sg-doctor-${d.value.target.host}-${d.value.target.port}`).replace(/\.(md|html|pdf)$/i, '');
      const path = await host.chooseSavePath({ kind: 'report', defaultName: `${base}.${format}`, extensions: [format] });
      if (!path) return ok({ path: null, display: null, format, bytes: 0 });
      const html = renderReport(d.value, { lang, maskIps, format: format === 'md' ? 'md' : 'html', watch: worked });
      const data = format === 'pdf' ? await host.printPdf!(html) : html;
      await fsp.mkdir(dirname(path), { recursive: true });
      // Temp file + rename, never through a planted link. A native Save dialog has already asked before
      // replacing a file; the web shell cannot ask, so it keeps the old report and picks "name (2).html".
      const written = await writeFileSafely(path, data, { onExisting: host.capabilities.nativeDialogs ? 'replace' : 'free-name' });
      if (!written.ok) return written;
      const bytes = written.value.bytes;
      log.info('report exported', { format, bytes });
      return ok({ path: written.value.path, display: written.value.path, format, bytes, ...(host.shell === 'web' ? { download: basename(written.value.path) } : {}) });
    },

    'shell.openExternal': async ({ url }) => {
      const allowed = allowedExternalUrl(url);
      if (!allowed) return fail('URL_NOT_ALLOWED', 'Only https links to the cloud consoles and documentation are opened');
      return ok({ opened: await host.openExternal(allowed) });
    },

    // Watch until it works (issue 11 §3): the core loop in the background, its attempts and end as events.
    'watch.start': async ({ host: target, port, maxDurationMs }) => {
      const t = parseTarget(target);
      if (!t.ok) return fail('BAD_ARGS', `watch.start: host: ${t.message}`);
      if (watches.size >= 1) return fail('BUSY', 'Already watching a connection: cancel that watch first');
      const watchId = randomUUID();
      const controller = new AbortController();
      watches.set(watchId, controller);
      log.info('watch start', { watchId, port, maxDurationMs: maxDurationMs ?? null });
      void watch(
        { host: t.value.host, port },
        {
          ...opts.watch,
          signal: controller.signal,
          ...(maxDurationMs ? { maxDurationMs } : {}),
          onAttempt: (attempt) => emit('watch.attempt', { watchId, attempt }),
        },
      )
        .then(
          (result) => {
            log.info('watch done', { watchId, status: result.status, attempts: result.attempts.length });
            emit('watch.done', { watchId, outcome: ok(result) });
          },
          (e: unknown) => {
            log.warn('watch failed', { watchId, message: (e as Error)?.message ?? String(e) });
            emit('watch.done', { watchId, outcome: fail('WATCH_FAILED', (e as Error)?.message ?? String(e)) });
          },
        )
        .finally(() => watches.delete(watchId));
      return ok({ watchId });
    },
    'watch.cancel': async ({ watchId }) => {
      const c = watches.get(watchId);
      c?.abort();
      // Freed at once: a new watch may start while this one is winding down.
      watches.delete(watchId);
      return ok({ cancelled: !!c });
    },

    // Apply a fix from the app, with confirmation and undo (issue 11 §2): fixes-handlers.ts.
    ...fixHandlers({
      env,
      log,
      sessionsDir,
      resolveRef,
      adopt: async (path, savedAt) => {
        issued.add(resolve(path));
        await addRecent(refOf(resolve(path), savedAt)).catch(() => undefined);
      },
      credentialsFor,
      checkDiagnosis,
    }),
  };

  async function dispatch(channel: unknown, rawArgs: unknown): Promise<Result<unknown>> {
    // Own-property check through the name list: '__proto__', 'constructor' and the like are unknown channels.
    if (!isRequestChannel(channel)) return fail('UNKNOWN_CHANNEL', `unknown request channel ${JSON.stringify(String(channel)).slice(0, 80)}`);
    const args = parseArgs(channel, rawArgs);
    if (!args.ok) {
      log.warn('rejected request', { channel, code: args.code });
      return args;
    }
    try {
      const handler = handlers[channel] as (a: unknown) => Promise<Result<unknown>>;
      return await handler(args.value);
    } catch (e) {
      const code = e instanceof EngineError ? e.code : 'INTERNAL';
      log.error('request failed', { channel, code, message: (e as Error)?.message ?? String(e) });
      return fail(code, (e as Error)?.message ?? String(e));
    }
  }

  return {
    dispatch,
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    emit,
    openPath,
    cancelAll() {
      for (const c of runs.values()) c.abort();
      for (const c of watches.values()) c.abort();
    },
    sessionsDir,
    reportsDir,
  };
}

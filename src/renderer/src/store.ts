// The UI state (zustand): typed slices updated through the pure functions in logic.ts. Only the UI
// preferences (language, theme) are persisted; documents and runs live in the backend and in files.
import i18next from 'i18next';
import { create } from 'zustand';
import { persist } from 'zustand/middleware';
import type { AppInfo, Client, OpenedSession, ProfileInfo, ProfileList, SessionRef } from '../../core/api';
import type { Diagnosis, Lang } from '../../core/diagnosis/types';
import type { Result } from '../../core/result';
import type { Comparison } from '../../core/session/compare';
import type { SessionPlan, SessionWatch } from '../../core/session/types';
import { successTitle, watchRecordOf, type WatchAttempt, type WatchResult } from '../../core/watch-model';
import { setLanguage } from './i18n';
import { offerDownload } from './transport';
import { applyEvent, argsOf, emptyForm, finishRun, formOf, idleRun, planOf, startingRun, type FlowForm, type RunState } from './logic';

export type Theme = 'light' | 'dark' | 'system';
export type View = 'welcome' | 'flow' | 'result';
export type Dialog = 'saveAs' | 'open' | 'export' | 'close' | 'consent' | 'new' | 'contacts' | null;

export interface Toast {
  id: number;
  kind: 'info' | 'error';
  text: string;
  detail?: string;
}

export interface DocState {
  diagnosis: Diagnosis | null;
  plan: SessionPlan | null;
  ref: string | null;
  name: string | null;
  dirty: boolean;
  readOnly: boolean;
  example: boolean;
  warnings: string[];
  /** The saved diagnosis a re-run is compared with. */
  baseline: Diagnosis | null;
  comparison: Comparison | null;
  /** "Works since", found by watching this target (saved with the session, shown in the report). */
  watch: SessionWatch | null;
}

const emptyDoc = (): DocState => ({ diagnosis: null, plan: null, ref: null, name: null, dirty: false, readOnly: false, example: false, warnings: [], baseline: null, comparison: null, watch: null });

/** Watch until it works (issue 11 §3): the live watch the UI shows. */
export interface WatchState {
  watchId: string | null;
  status: 'idle' | 'starting' | 'watching' | 'works' | 'timed-out' | 'cancelled' | 'failed';
  target: { host: string; port: number } | null;
  attempts: WatchAttempt[];
  result: WatchResult | null;
  error: string | null;
}

export const idleWatch = (): WatchState => ({ watchId: null, status: 'idle', target: null, attempts: [], result: null, error: null });
/** Watches this UI stopped or replaced: their late events are ignored. */
const retiredWatches = new Set<string>();

export interface ImportState {
  state: 'idle' | 'checking' | 'ok' | 'error';
  value?: import('../../core/api').ImportCheck;
  message?: string;
}

export interface State {
  prefs: { lang: Lang | null; theme: Theme; contactsNoteSeen?: boolean };
  /** The pasted offline JSON as the backend read it: the flow's Next waits for 'ok'. */
  importCheck: ImportState;
  setImportCheck(s: ImportState): void;
  setPrefs(patch: Partial<State['prefs']>): void;
  info: AppInfo | null;
  view: View;
  step: 1 | 2 | 3;
  form: FlowForm;
  run: RunState;
  doc: DocState;
  dialog: Dialog;
  toasts: Toast[];
  profiles: { loading: boolean; list: ProfileInfo[]; error: string | null; provider?: ProfileList['provider']; note?: ProfileList['note']; path?: string };
  recent: SessionRef[];
  watch: WatchState;

  setForm(patch: Partial<FlowForm>): void;
  setStep(step: 1 | 2 | 3): void;
  setView(view: View): void;
  setDialog(d: Dialog): void;
  setLang(lang: Lang): void;
  setTheme(theme: Theme): void;
  toast(kind: Toast['kind'], text: string, detail?: string): void;
  dismissToast(id: number): void;

  boot(c: Client): Promise<void>;
  loadProfiles(): Promise<void>;
  loadRecent(): Promise<void>;
  newDiagnosis(force?: boolean): void;
  startRun(): Promise<void>;
  cancelRun(): Promise<void>;
  rerun(): Promise<void>;
  save(saveAs: boolean, name?: string): Promise<boolean>;
  open(ref?: string): Promise<void>;
  openExample(): Promise<void>;
  adoptOpened(r: Result<OpenedSession | null>): void;
  exportReport(format: 'md' | 'html' | 'pdf', maskIps: boolean): Promise<void>;
  applyServer(diagnosis: Diagnosis): void;
  /**
   * Starts watching a target until it connects (default: the diagnosed target); a running watch is
   * stopped first. The apply flow calls this after an apply.
   */
  startWatch(target?: { host: string; port: number }, opts?: { maxDurationMs?: number }): Promise<void>;
  cancelWatch(): Promise<void>;
}

let client: Client | null = null;
export const api = (): Client => {
  if (!client) throw new Error('client not ready');
  return client;
};
let toastSeq = 0;

export const useStore = create<State>()(
  persist(
    (set, get) => ({
      prefs: { lang: null, theme: 'system' },
      info: null,
      importCheck: { state: 'idle' },
      setImportCheck: (importCheck) => set({ importCheck }),
      setPrefs: (patch) => set((s) => ({ prefs: { ...s.prefs, ...patch } })),
      view: 'welcome',
      step: 1,
      form: emptyForm(),
      run: idleRun(),
      doc: emptyDoc(),
      dialog: null,
      toasts: [],
      profiles: { loading: false, list: [], error: null },
      recent: [],
      watch: idleWatch(),

      setForm: (patch) => set((s) => ({ form: { ...s.form, ...patch } })),
      setStep: (step) => set({ step }),
      setView: (view) => set({ view }),
      setDialog: (dialog) => set({ dialog }),
      setLang: (lang) => {
        setLanguage(lang);
        set((s) => ({ prefs: { ...s.prefs, lang } }));
        void client?.call('app.setPrefs', { lang, theme: get().prefs.theme });
      },
      setTheme: (theme) => {
        set((s) => ({ prefs: { ...s.prefs, theme } }));
        void client?.call('app.setPrefs', { lang: currentLang(get()), theme });
      },
      toast: (kind, text, detail) => {
        const id = ++toastSeq;
        set((s) => ({ toasts: [...s.toasts.slice(-3), { id, kind, text, ...(detail ? { detail } : {}) }] }));
        if (kind === 'info') setTimeout(() => get().dismissToast(id), 6000);
      },
      dismissToast: (id) => set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) })),

      async boot(c) {
        client = c;
        c.on('diagnosis.event', ({ runId, event }) => set((s) => ({ run: applyEvent(s.run, runId, event) })));
        c.on('diagnosis.done', ({ runId, result }) => onDone(runId, result));
        c.on('menu.command', ({ command }) => onMenu(command));
        c.on('session.opened', (r) => get().adoptOpened(r));
        c.on('app.closeRequested', () => set({ dialog: 'close' }));
        c.on('watch.attempt', ({ watchId, attempt }) => onWatchAttempt(watchId, attempt));
        c.on('watch.done', ({ watchId, outcome }) => onWatchDone(watchId, outcome));
        const info = await c.call('app.info', {});
        if (info.ok) {
          // The web shell follows the browser's language until the user picks one (then remembered);
          // the desktop app follows the OS.
          const browser = info.value.shell === 'web' ? browserLang() : null;
          set({ info: browser ? { ...info.value, osLang: browser } : info.value });
          const lang = get().prefs.lang ?? browser ?? info.value.osLang;
          setLanguage(lang);
          void c.call('app.setPrefs', { lang, theme: get().prefs.theme });
        } else get().toast('error', info.message);
        void get().loadRecent();
      },

      async loadProfiles() {
        // The chosen cloud's CLI profiles (aliyun or KooCLI); a late answer for the other cloud is dropped.
        const provider = get().form.provider;
        set({ profiles: { loading: true, list: [], error: null, provider } });
        const r = await api().call('profiles.list', { provider });
        if (get().form.provider !== provider) return;
        set({ profiles: r.ok ? { loading: false, list: r.value.profiles, error: null, provider, path: r.value.path, ...(r.value.note ? { note: r.value.note } : {}) } : { loading: false, list: [], error: r.message, provider } });
        const current = r.ok ? r.value.profiles.find((p) => p.current && p.supported) : undefined;
        if (current && !get().form.profile) get().setForm({ profile: current.name });
      },
      async loadRecent() {
        const r = await api().call('sessions.recent', {});
        if (r.ok) set({ recent: r.value });
      },

      newDiagnosis(force = false) {
        if (get().doc.dirty && !force) {
          set({ dialog: 'new' });
          return;
        }
        void get().cancelWatch();
        set({ view: 'flow', step: 1, form: emptyForm(), run: idleRun(), doc: emptyDoc(), dialog: null, watch: idleWatch() });
        void client?.call('app.setDirty', { dirty: false, title: 'SG Doctor' });
      },

      async startRun() {
        const args = argsOf(get().form);
        if (!args) return;
        set((s) => ({ run: startingRun(), view: 'result', doc: { ...s.doc, plan: planOf(args), comparison: null } }));
        const r = await api().call('diagnosis.start', args);
        if (!r.ok) {
          set((s) => ({ run: { ...s.run, status: 'failed', error: { code: r.code, message: r.message } } }));
          return;
        }
        set((s) => (s.run.runId === null ? { run: { ...s.run, runId: r.value.runId, status: s.run.status === 'starting' ? 'running' : s.run.status } } : {}));
      },
      async cancelRun() {
        const id = get().run.runId;
        if (id) await api().call('diagnosis.cancel', { runId: id });
      },
      async rerun() {
        const { plan, diagnosis } = get().doc;
        if (!plan) return;
        set((s) => ({ form: formOf(plan, diagnosis), doc: { ...s.doc, baseline: s.doc.baseline ?? diagnosis } }));
        await get().startRun();
      },

      async save(saveAs, name) {
        const { doc } = get();
        if (!doc.diagnosis || !doc.plan) return false;
        const asNew = saveAs || !doc.ref || doc.readOnly || doc.example;
        if (asNew && !get().info?.capabilities.nativeDialogs && name === undefined) {
          set({ dialog: 'saveAs' });
          return false;
        }
        const r = await api().call('sessions.save', { diagnosis: doc.diagnosis, plan: doc.plan, saveAs: asNew, ...(doc.ref && !asNew ? { ref: doc.ref } : {}), ...(name ? { name } : {}), ...(doc.watch ? { watch: doc.watch } : {}) });
        if (!r.ok) {
          get().toast('error', t('session.saveFailed'), r.message);
          return false;
        }
        if (!r.value) return false; // dialog cancelled
        const saved = r.value;
        set((s) => ({ doc: { ...s.doc, ref: saved.ref, name: saved.name, dirty: false, readOnly: false, example: false, baseline: s.doc.diagnosis }, dialog: s.dialog === 'saveAs' ? null : s.dialog }));
        void api().call('app.setDirty', { dirty: false, title: `${saved.name} — SG Doctor` });
        get().toast('info', t('session.saved', { path: saved.display }));
        void get().loadRecent();
        return true;
      },
      async open(ref) {
        if (!ref && !get().info?.capabilities.nativeDialogs) {
          set({ dialog: 'open' });
          return;
        }
        get().adoptOpened(await api().call('sessions.open', ref ? { ref } : {}));
      },
      async openExample() {
        get().adoptOpened(await api().call('sessions.example', {}));
      },
      adoptOpened(r) {
        if (!r.ok) {
          // A bad file: say why, change nothing else.
          get().toast('error', t('session.openFailed'), r.message);
          return;
        }
        if (!r.value) return;
        const o = r.value;
        const d = o.session.diagnosis;
        void get().cancelWatch();
        set({
          watch: idleWatch(),
          view: 'result',
          dialog: null,
          run: { ...idleRun(), status: 'done', checks: d.checks, verdict: d.verdict },
          form: formOf(o.session.plan, d),
          doc: {
            diagnosis: d,
            plan: o.session.plan,
            ref: o.ref || null,
            name: o.name,
            dirty: false,
            readOnly: o.readOnly,
            example: !!o.example,
            warnings: o.warnings,
            baseline: d,
            comparison: null,
            watch: o.session.watch ?? null,
          },
        });
        void api().call('app.setDirty', { dirty: false, title: `${o.name} — SG Doctor` });
        get().toast('info', t('session.opened', { name: o.name }));
        void get().loadRecent();
      },
      async exportReport(format, maskIps) {
        const { doc } = get();
        if (!doc.diagnosis) return;
        const r = await api().call('report.export', { diagnosis: doc.diagnosis, format, lang: currentLang(get()), maskIps, ...(doc.watch ? { watch: doc.watch } : {}) });
        set({ dialog: null });
        if (!r.ok) get().toast('error', t('errors.generic'), r.message);
        else {
          if (r.value.download) offerDownload(r.value.download); // web shell: the browser saves a copy
          if (r.value.display) get().toast('info', t('dialogs.exported', { path: r.value.display }));
        }
      },
      async startWatch(target, opts) {
        const d = get().doc.diagnosis;
        const t = target ?? (d ? { host: d.target.host, port: d.target.port } : null);
        if (!t) return;
        await get().cancelWatch();
        if (typeof document !== 'undefined') document.title = 'SG Doctor';
        set({ watch: { ...idleWatch(), status: 'starting', target: t } });
        const r = await api().call('watch.start', { host: t.host, port: t.port, ...(opts?.maxDurationMs ? { maxDurationMs: opts.maxDurationMs } : {}) });
        if (!r.ok) {
          set((s) => ({ watch: { ...s.watch, status: 'failed', error: r.message } }));
          return;
        }
        // Events may have arrived first (they adopt the id); otherwise the watch is running now.
        set((s) => (s.watch.watchId === null ? { watch: { ...s.watch, watchId: r.value.watchId, status: s.watch.status === 'starting' ? 'watching' : s.watch.status } } : {}));
      },
      async cancelWatch() {
        const w = get().watch;
        if (!w.watchId || (w.status !== 'watching' && w.status !== 'starting')) return;
        retiredWatches.add(w.watchId);
        set((s) => ({ watch: { ...s.watch, status: 'cancelled' } }));
        await api().call('watch.cancel', { watchId: w.watchId });
      },
      applyServer(diagnosis) {
        set((s) => ({ doc: { ...s.doc, diagnosis, dirty: true }, run: { ...s.run, checks: diagnosis.checks, verdict: diagnosis.verdict } }));
        void api().call('app.setDirty', { dirty: true, title: 'SG Doctor' });
        get().toast('info', t('server.applied'));
      },
    }),
    { name: 'sg-doctor-prefs', partialize: (s) => ({ prefs: s.prefs }) },
  ),
);

/** The browser's preferred language mapped to the app's languages (null: nothing usable). */
export function browserLang(langs: readonly string[] = typeof navigator !== 'undefined' ? (navigator.languages?.length ? navigator.languages : [navigator.language]) : []): Lang | null {
  for (const l of langs) {
    const x = (l ?? '').toLowerCase();
    if (x.startsWith('zh')) return 'zh-CN';
    if (x.startsWith('en')) return 'en';
  }
  return null;
}

/** Starts watching until it works (the apply flow calls this after an apply); see State.startWatch. */
export const startWatch = (target?: { host: string; port: number }, opts?: { maxDurationMs?: number }): Promise<void> => useStore.getState().startWatch(target, opts);

export const currentLang = (s: Pick<State, 'prefs' | 'info'>): Lang => s.prefs.lang ?? s.info?.osLang ?? 'en';

// Translation outside components (toasts): the same i18next instance react-i18next uses.
const t = (key: string, opts?: Record<string, unknown>): string => i18next.t(key, opts);

function onDone(runId: string, result: Result<Diagnosis>): void {
  const s = useStore.getState();
  const run = finishRun(s.run, runId, result);
  if (run === s.run) return;
  if (!result.ok) {
    useStore.setState({ run });
    return;
  }
  const baseline = s.doc.baseline;
  // "Works since" stays true after a new run only while the path still works.
  const watch = result.value.verdict.locus === 'none' ? s.doc.watch : null;
  useStore.setState({ run, doc: { ...s.doc, diagnosis: result.value, dirty: true, readOnly: false, example: false, comparison: null, watch } });
  void client?.call('app.setDirty', { dirty: true, title: 'SG Doctor' });
  if (baseline) {
    void client?.call('sessions.compare', { before: baseline, after: result.value }).then((c) => {
      if (c.ok) useStore.setState((st) => ({ doc: { ...st.doc, comparison: c.value } }));
    });
  }
}

/** An attempt of the current watch (an event can come before watch.start has answered: it adopts the id). */
function onWatchAttempt(watchId: string, attempt: WatchAttempt): void {
  if (retiredWatches.has(watchId)) return;
  const w = useStore.getState().watch;
  if (w.watchId !== watchId && !(w.watchId === null && w.status === 'starting')) return;
  useStore.setState({ watch: { ...w, watchId, status: w.status === 'starting' ? 'watching' : w.status, attempts: [...w.attempts, attempt] } });
}

function onWatchDone(watchId: string, outcome: Result<WatchResult>): void {
  if (retiredWatches.has(watchId)) return;
  const s = useStore.getState();
  const w = s.watch;
  if (w.watchId !== watchId && !(w.watchId === null && w.status === 'starting')) return;
  if (!outcome.ok) {
    useStore.setState({ watch: { ...w, watchId, status: 'failed', error: outcome.message } });
    return;
  }
  const result = outcome.value;
  const watch: WatchState = { ...w, watchId, status: result.status, attempts: result.attempts, result };
  const record = watchRecordOf(result);
  const d = s.doc.diagnosis;
  // "Works since" belongs to the document only when it is about the diagnosed target.
  const forDoc = record && d && d.target.port === record.port && d.target.host.replace(/^\[|\]$/g, '').toLowerCase() === record.host.toLowerCase();
  const title = record ? successTitle(result.target, currentLang(s)) : null;
  if (record && forDoc) {
    useStore.setState({ watch, doc: { ...s.doc, watch: record, dirty: true } });
    void client?.call('app.setDirty', { dirty: true, title: title ?? 'SG Doctor' });
  } else useStore.setState({ watch });
  // The web shell's tab says it (Electron also shows a desktop notification from main).
  if (title && typeof document !== 'undefined') document.title = title;
}

function onMenu(command: string): void {
  const s = useStore.getState();
  switch (command) {
    case 'new':
      return s.newDiagnosis();
    case 'open':
      return void s.open();
    case 'save':
      return void s.save(false);
    case 'saveAs':
      return void s.save(true);
    case 'export':
      if (s.doc.diagnosis) s.setDialog('export');
      return;
    case 'example':
      return void s.openExample();
    case 'lang:en':
    case 'lang:zh-CN':
      return s.setLang(command.slice(5) as Lang);
    case 'theme:light':
    case 'theme:dark':
    case 'theme:system':
      return s.setTheme(command.slice(6) as Theme);
  }
}

// Apply a fix from the app (issue 11 §2): an "Apply…" button on a cloud fix that carries API actions and was
// proven on the configuration (simulated: allow). Nothing is ever applied without the dialog: it shows exactly
// what will change (the rule or entry as diff lines, as the CLI prints them), the account and region, and the
// write permission needed; Confirm applies, the record is shown with an Undo button, and watching the
// connection starts by itself (the Watch card ends with "works since hh:mm:ss").
// The last apply's record lives in a small store of its own, keyed by the session file that holds it.
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { create } from 'zustand';
import type { FixApplyResult, FixPreview } from '../../../core/api';
import type { Check } from '../../../core/diagnosis/types';
import { localClock } from '../../../core/watch-model';
import { applicable, carriesApplyButton, diffLineClass } from '../apply-logic';
import { cloudOf, formOf } from '../logic';
import { api, currentLang, useStore } from '../store';
import { Modal, useL } from './common';

type Fix = Check['fixes'][number];

interface ApplyState {
  /** The last apply (or undo) answered by the backend, for the session file it is recorded in. */
  last: FixApplyResult | null;
  /** What the last answer was: an apply, an undo, or the record found in a session file that was opened. */
  mode: 'apply' | 'undo' | 'opened' | null;
  set(last: FixApplyResult | null, mode: 'apply' | 'undo' | 'opened' | null): void;
}

export const useApplyStore = create<ApplyState>()((set) => ({ last: null, mode: null, set: (last, mode) => set({ last, mode }) }));

/** The credentials of the run: the plan's (a re-opened session), else the form's. */
function runCloud() {
  const s = useStore.getState();
  const fromPlan = s.doc.plan ? cloudOf(formOf(s.doc.plan, s.doc.diagnosis)) : null;
  return fromPlan ?? cloudOf(s.form);
}


export function ApplyFixButton({ fix, checkId, siblings }: { fix: Fix; checkId: string; siblings: readonly Fix[] }) {
  const { t } = useTranslation();
  const doc = useStore((s) => s.doc);
  const [open, setOpen] = useState(false);
  const fixIndex = siblings.indexOf(fix);
  if (fixIndex < 0 || !applicable(fix, doc) || !carriesApplyButton(siblings, fixIndex)) return null;
  return (
    <>
      <button type="button" className="btn small primary" onClick={() => setOpen(true)} aria-label={t('apply.buttonLabel')} data-testid="apply-fix">
        {t('apply.button')}
      </button>
      {open && <ApplyDialog fix={fix} checkId={checkId} fixIndex={fixIndex} onClose={() => setOpen(false)} />}
    </>
  );
}

function ApplyDialog({ fix, checkId, fixIndex, onClose }: { fix: Fix; checkId: string; fixIndex: number; onClose: () => void }) {
  const { t } = useTranslation();
  const l = useL();
  const lang = useStore((s) => currentLang(s));
  const [preview, setPreview] = useState<FixPreview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const cancelRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    const d = useStore.getState().doc.diagnosis;
    if (!d || !fix.actions) return;
    let live = true;
    void api()
      .call('fixes.preview', { diagnosis: d, checkId, fixIndex, actions: fix.actions, lang })
      .then((r) => {
        if (!live) return;
        if (r.ok) setPreview(r.value);
        else setError(r.message);
      });
    return () => {
      live = false;
    };
  }, [fix, checkId, fixIndex, lang]);

  // The safe choice has the focus when the content arrives.
  useEffect(() => {
    if (preview || error) cancelRef.current?.focus();
  }, [preview, error]);

  const confirm = async (): Promise<void> => {
    const s = useStore.getState();
    const d = s.doc.diagnosis;
    const cloud = runCloud();
    if (!d || !s.doc.plan || !fix.actions || !cloud) return;
    setBusy(true);
    setError(null);
    const r = await api().call('fixes.apply', {
      diagnosis: d,
      plan: s.doc.plan,
      ...(s.doc.ref ? { ref: s.doc.ref } : {}),
      checkId,
      fixIndex,
      actions: fix.actions,
      cloud,
      lang,
      confirm: true,
    });
    setBusy(false);
    if (!r.ok) {
      setError(r.message);
      return;
    }
    const v = r.value;
    useApplyStore.getState().set(v, 'apply');
    // The diagnosis is now in that file with the record of the change.
    useStore.setState((st) => ({ doc: { ...st.doc, ref: v.ref, name: v.name, dirty: false } }));
    onClose();
    // After an apply, watching starts by itself (issue 11 §3).
    if (!v.failure) void useStore.getState().startWatch();
  };

  const ready = preview && preview.available;
  return (
    <Modal title={t('apply.title')} labelledBy="apply-h" onClose={busy ? () => undefined : onClose}>
      <div data-testid="apply-dialog" aria-busy={!preview && !error}>
        <p className="fix-title">
          <strong>{l(preview?.title ?? fix.title)}</strong>
        </p>
        {!preview && !error && (
          <p className="muted" role="status">
            <span className="spinner" aria-hidden="true" /> {t('apply.loading')}
          </p>
        )}
        {preview && (
          <>
            <p data-testid="apply-where">{t('apply.where', { account: preview.accountId ?? t('apply.unknownAccount'), region: preview.region ?? t('apply.unknownAccount'), cloud: l(preview.cloudName) })}</p>
            {preview.available ? <p className="small">{t('apply.intro')}</p> : <p className="note info" data-testid="apply-unavailable">{preview.unavailable ? l(preview.unavailable) : t('apply.notAvailable')}</p>}
            <h3 id="apply-changes-h">{t('apply.changes')}</h3>
            <pre className="command apply-diff" tabIndex={0} aria-labelledby="apply-changes-h" data-testid="apply-diff">
              {preview.changes.map((c, i) => (
                <span key={i}>
                  {`${i + 1}. ${c.api}\n`}
                  {c.lines.map((line, k) => (
                    <span key={k} className={diffLineClass(line)}>{`   ${line}\n`}</span>
                  ))}
                </span>
              ))}
            </pre>
            {preview.available && preview.permissions.length > 0 && (
              <p className="hint" data-testid="apply-permission">
                {t('apply.permission', { actions: preview.permissions.join(t('verdict.listSep')) })}
              </p>
            )}
            {preview.available && <p className="hint">{t('apply.undoHint')}</p>}
          </>
        )}
        {error && (
          <p className="note error" role="alert" data-testid="apply-error">
            <strong>{t('apply.failed')}{t('apply.colon')}</strong>
            {error}
          </p>
        )}
        <div className="actions end">
          <button type="button" className="btn" ref={cancelRef} onClick={onClose} disabled={busy} data-testid="apply-cancel">
            {ready ? t('apply.cancel') : t('apply.close')}
          </button>
          {ready && (
            <button type="button" className="btn primary" onClick={() => void confirm()} disabled={busy} data-testid="apply-confirm">
              {busy ? t('apply.applying') : t('apply.confirm')}
            </button>
          )}
        </div>
      </div>
    </Modal>
  );
}

/** The record of the last apply from this session, with Undo (asks first) — shown under the fixes. */
export function AppliedRecord() {
  const { t } = useTranslation();
  const l = useL();
  const lang = useStore((s) => currentLang(s));
  const ref = useStore((s) => s.doc.ref);
  const { last, mode } = useApplyStore();
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  // A session file opened later keeps its record: its last change that can still be undone is shown.
  useEffect(() => {
    if (!ref || useApplyStore.getState().last?.ref === ref) return;
    let live = true;
    void api()
      .call('sessions.open', { ref })
      .then((r) => {
        if (!live || !r.ok || !r.value || r.value.readOnly) return;
        const applied = r.value.session.applied ?? [];
        const open = applied.filter((x) => x.changed && !x.undoneAt && x.undo.length > 0);
        if (!open.length) return;
        const batch = open[open.length - 1].batch;
        useApplyStore.getState().set({ ref, name: r.value.name, records: applied.filter((x) => x.batch === batch), applied, failure: null, notSent: 0 }, 'opened');
      });
    return () => {
      live = false;
    };
  }, [ref]);

  if (!last || last.ref !== ref) return null;
  const batch = last.records[0]?.batch;
  const open = last.applied.filter((x) => x.batch === batch && x.changed && !x.undoneAt && x.undo.length > 0);
  const undoneAt = last.records.find((x) => x.undoneAt)?.undoneAt ?? null;

  const undo = async (): Promise<void> => {
    const cloud = runCloud();
    if (!cloud) return;
    setBusy(true);
    setError(null);
    await useStore.getState().cancelWatch();
    const r = await api().call('fixes.undo', { ref: last.ref, cloud, lang, confirm: true });
    setBusy(false);
    setAsking(false);
    if (!r.ok) {
      setError(r.message);
      return;
    }
    useApplyStore.getState().set(r.value, 'undo');
  };

  return (
    <section className="card applied" aria-labelledby="applied-h" data-testid="applied-record">
      <h3 id="applied-h">{t('apply.recordHeading')}</h3>
      {last.records.length > 0 && (
        <ul className="applied-list">
          {last.records.map((rec, i) => (
            <li key={i} data-testid="applied-change" data-changed={rec.changed}>
              <span aria-hidden="true">{rec.changed ? '✓' : '='}</span> {l(rec.note)}{' '}
              <span className="muted small">
                {rec.changed ? t('apply.applied', { time: localClock(rec.at) }) : t('apply.alreadyThere')}
                {rec.requestId ? ` · ${t('apply.requestId', { id: rec.requestId })}` : ''}
              </span>
              {rec.undoNote && <p className="note warn small">{l(rec.undoNote)}</p>}
            </li>
          ))}
        </ul>
      )}
      {last.failure && (
        <p className="note error" role="alert" data-testid="apply-failure">
          <strong>{mode === 'undo' ? t('apply.undoFailed') : t('apply.failed')}{t('apply.colon')}</strong>
          {last.failure.message}
          {last.notSent > 0 && ` ${t('apply.partial', { applied: last.records.length, notSent: last.notSent })}`}
        </p>
      )}
      {mode === 'undo' && undoneAt && !last.failure && (
        <p className="note info" role="status" data-testid="apply-undone">
          {t('apply.undone', { time: localClock(undoneAt) })}
        </p>
      )}
      {mode === 'apply' && !last.failure && (
        <p className="small muted">
          {t('apply.recorded', { name: last.name })} {t('apply.watchingNext')}
        </p>
      )}
      {error && (
        <p className="note error" role="alert" data-testid="undo-error">
          <strong>{t('apply.undoFailed')}{t('apply.colon')}</strong>
          {error}
        </p>
      )}
      {open.length > 0 && (
        <button type="button" className="btn" onClick={() => setAsking(true)} disabled={busy} data-testid="undo-fix">
          {t('apply.undo')}
        </button>
      )}
      {asking && (
        <Modal title={t('apply.undoTitle')} labelledBy="undo-h" onClose={busy ? () => undefined : () => setAsking(false)}>
          <p>{t('apply.undoIntro')}</p>
          <ul>
            {open.map((rec, i) => (
              <li key={i}>{l(rec.note)}</li>
            ))}
          </ul>
          <div className="actions end">
            <button type="button" className="btn" autoFocus onClick={() => setAsking(false)} disabled={busy} data-testid="undo-cancel">
              {t('apply.cancel')}
            </button>
            <button type="button" className="btn primary" onClick={() => void undo()} disabled={busy} data-testid="undo-confirm">
              {busy ? t('apply.undoing') : t('apply.undoConfirm')}
            </button>
          </div>
        </Modal>
      )}
    </section>
  );
}

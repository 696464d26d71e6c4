// Dialogs: Save as / Open (the web shell's in-app pickers), Export report, unsaved changes.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { SessionRef } from '../../../core/api';
import { formatDate } from '../logic';
import { api, currentLang, useStore } from '../store';
import { Modal } from './common';

export function Dialogs() {
  const dialog = useStore((s) => s.dialog);
  switch (dialog) {
    case 'saveAs':
      return <SaveAsDialog />;
    case 'open':
      return <OpenDialog />;
    case 'export':
      return <ExportDialog />;
    case 'close':
      return <CloseDialog />;
    case 'new':
      return <NewDialog />;
    default:
      return null;
  }
}

function SaveAsDialog() {
  const { t } = useTranslation();
  const doc = useStore((s) => s.doc);
  const info = useStore((s) => s.info);
  const save = useStore((s) => s.save);
  const close = () => useStore.getState().setDialog(null);
  const suggested = (doc.name ?? `${doc.diagnosis?.target.host ?? 'session'}-${doc.diagnosis?.target.port ?? ''}`).replace(/\.sgdiag$/i, '');
  const [name, setName] = useState(suggested);
  const valid = name.trim() !== '' && !/[/\\:*?"<>|]/.test(name);
  return (
    <Modal title={t('dialogs.saveAsTitle')} labelledBy="saveas-h" onClose={close}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (valid) void save(true, name.trim());
        }}
      >
        <label htmlFor="saveas-name">{t('dialogs.fileName')}</label>
        <input id="saveas-name" type="text" autoFocus value={name} aria-invalid={!valid} onChange={(e) => setName(e.target.value)} />
        <p className="hint">{t('dialogs.folder', { dir: `${info?.dataDir ?? ''}/sessions` })}</p>
        <div className="actions end">
          <button type="button" className="btn" onClick={close}>
            {t('dialogs.cancel')}
          </button>
          <button type="submit" className="btn primary" disabled={!valid}>
            {t('nav.save')}
          </button>
        </div>
      </form>
    </Modal>
  );
}

function OpenDialog() {
  const { t } = useTranslation();
  const lang = useStore((s) => currentLang(s));
  const info = useStore((s) => s.info);
  const recent = useStore((s) => s.recent);
  const open = useStore((s) => s.open);
  const close = () => useStore.getState().setDialog(null);
  const [files, setFiles] = useState<SessionRef[] | null>(null);
  useEffect(() => {
    void api()
      .call('sessions.browse', {})
      .then((r) => setFiles(r.ok ? r.value : []));
  }, []);
  const all = [...(files ?? []), ...recent.filter((r) => !(files ?? []).some((f) => f.ref === r.ref))];
  return (
    <Modal title={t('dialogs.openTitle')} labelledBy="open-h" onClose={close}>
      {files === null ? (
        <p className="muted">…</p>
      ) : all.length === 0 ? (
        <p className="empty">{t('dialogs.openEmpty', { dir: `${info?.dataDir ?? ''}/sessions` })}</p>
      ) : (
        <ul className="picker">
          {all.map((f) => (
            <li key={f.ref}>
              <button type="button" className="linklike" onClick={() => void open(f.ref).then(close)}>
                {f.name}
              </button>
              {f.savedAt && <span className="muted small"> · {formatDate(f.savedAt, lang)}</span>}
            </li>
          ))}
        </ul>
      )}
      <div className="actions end">
        <button type="button" className="btn" onClick={close}>
          {t('dialogs.cancel')}
        </button>
      </div>
    </Modal>
  );
}

function ExportDialog() {
  const { t } = useTranslation();
  const info = useStore((s) => s.info);
  const exportReport = useStore((s) => s.exportReport);
  const close = () => useStore.getState().setDialog(null);
  const [format, setFormat] = useState<'md' | 'html' | 'pdf'>('html');
  const [mask, setMask] = useState(false);
  const pdf = info?.capabilities.pdf ?? false;
  return (
    <Modal title={t('dialogs.exportTitle')} labelledBy="export-h" onClose={close}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void exportReport(format, mask);
        }}
      >
        <fieldset>
          <legend>{t('dialogs.format')}</legend>
          {(['md', 'html', 'pdf'] as const).map((f) => (
            <label key={f} className="choice">
              <input type="radio" name="format" value={f} checked={format === f} disabled={f === 'pdf' && !pdf} onChange={() => setFormat(f)} />
              {f === 'pdf' && !pdf ? t('dialogs.pdfWeb') : t(`dialogs.${f}`)}
            </label>
          ))}
        </fieldset>
        <label className="choice">
          <input type="checkbox" checked={mask} onChange={(e) => setMask(e.target.checked)} /> {t('dialogs.maskIps')}
        </label>
        <div className="actions end">
          <button type="button" className="btn" onClick={close}>
            {t('dialogs.cancel')}
          </button>
          <button type="submit" className="btn primary" data-testid="do-export">
            {t('nav.export')}
          </button>
        </div>
      </form>
    </Modal>
  );
}

function CloseDialog() {
  const { t } = useTranslation();
  const save = useStore((s) => s.save);
  const close = () => useStore.getState().setDialog(null);
  return (
    <Modal title={t('dialogs.closeTitle')} labelledBy="close-h" onClose={close}>
      <p>{t('dialogs.closeBody')}</p>
      <div className="actions end">
        <button type="button" className="btn" onClick={close}>
          {t('dialogs.cancel')}
        </button>
        <button type="button" className="btn danger" onClick={() => void api().call('app.confirmClose', {})}>
          {t('dialogs.closeDiscard')}
        </button>
        <button
          type="button"
          className="btn primary"
          onClick={() =>
            void save(false).then((ok) => {
              if (ok) void api().call('app.confirmClose', {});
            })
          }
        >
          {t('dialogs.closeSave')}
        </button>
      </div>
    </Modal>
  );
}

function NewDialog() {
  const { t } = useTranslation();
  const close = () => useStore.getState().setDialog(null);
  return (
    <Modal title={t('dialogs.newTitle')} labelledBy="new-h" onClose={close}>
      <p>{t('dialogs.newBody')}</p>
      <div className="actions end">
        <button type="button" className="btn" onClick={close}>
          {t('dialogs.cancel')}
        </button>
        <button type="button" className="btn danger" onClick={() => useStore.getState().newDiagnosis(true)}>
          {t('dialogs.discard')}
        </button>
      </div>
    </Modal>
  );
}

import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import type { Lang } from '../../../core/diagnosis/types';
import { currentLang, useStore, type Theme } from '../store';
import { ContactsDialog } from './Contacts';
import { Dialogs } from './Dialogs';
import { Flow } from './Flow';
import { Result } from './Result';
import { Welcome } from './Welcome';

function useTheme(): void {
  const theme = useStore((s) => s.prefs.theme);
  useEffect(() => {
    const mq = window.matchMedia('(prefers-color-scheme: dark)');
    const apply = () => {
      document.documentElement.dataset.theme = theme === 'system' ? (mq.matches ? 'dark' : 'light') : theme;
    };
    apply();
    mq.addEventListener('change', apply);
    return () => mq.removeEventListener('change', apply);
  }, [theme]);
}

/** The web shell has no native close prompt: the browser's beforeunload stands in. */
function useUnsavedGuard(): void {
  const dirty = useStore((s) => s.doc.dirty);
  const web = useStore((s) => s.info?.shell === 'web');
  useEffect(() => {
    if (!dirty || !web) return;
    const h = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener('beforeunload', h);
    return () => window.removeEventListener('beforeunload', h);
  }, [dirty, web]);
}

function Header() {
  const { t } = useTranslation();
  const view = useStore((s) => s.view);
  const hasDoc = useStore((s) => s.doc.diagnosis !== null);
  const running = useStore((s) => s.run.status === 'running' || s.run.status === 'starting');
  const dirty = useStore((s) => s.doc.dirty);
  const name = useStore((s) => s.doc.name);
  const readOnly = useStore((s) => s.doc.readOnly);
  const example = useStore((s) => s.doc.example);
  const hasPlan = useStore((s) => s.doc.plan !== null);
  const lang = useStore((s) => currentLang(s));
  const theme = useStore((s) => s.prefs.theme);
  const st = useStore.getState;
  return (
    <header className="topbar">
      <button type="button" className="brand linklike" onClick={() => st().setView('welcome')} aria-label="SG Doctor — home">
        <img src="./icon.svg" alt="" width={24} height={24} /> SG Doctor
      </button>
      {name && (
        <span className="docname" title={name}>
          {name}
          {dirty && <span className="dot" aria-label={t('nav.unsaved')} title={t('nav.unsaved')} />}
          {readOnly && !example && <span className="tag">{t('nav.readOnly')}</span>}
          {example && <span className="tag">{t('nav.example')}</span>}
        </span>
      )}
      {!name && dirty && <span className="docname muted">{t('nav.unsaved')}</span>}
      <nav aria-label="File" className="toolbar">
        <button type="button" className="btn small" onClick={() => st().newDiagnosis()} disabled={running}>
          {t('nav.new')}
        </button>
        <button type="button" className="btn small" onClick={() => void st().open()} disabled={running}>
          {t('nav.open')}
        </button>
        <button type="button" className="btn small" onClick={() => void st().save(false)} disabled={!hasDoc || running} data-testid="save">
          {t('nav.save')}
        </button>
        <button type="button" className="btn small" onClick={() => void st().save(true)} disabled={!hasDoc || running}>
          {t('nav.saveAs')}
        </button>
        <button type="button" className="btn small" onClick={() => st().setDialog('export')} disabled={!hasDoc || running} data-testid="export">
          {t('nav.export')}
        </button>
        <button type="button" className="btn small" onClick={() => st().setDialog('contacts')} data-testid="contacts">
          {t('contacts.open')}
        </button>
        {view === 'result' && hasPlan && !example && (
          <button type="button" className="btn small" onClick={() => void st().rerun()} disabled={running} data-testid="rerun">
            {t('nav.rerun')}
          </button>
        )}
      </nav>
      <div className="prefs">
        <label className="sr-only" htmlFor="lang">
          {t('nav.language')}
        </label>
        <select id="lang" value={lang} onChange={(e) => st().setLang(e.target.value as Lang)} data-testid="lang">
          <option value="zh-CN">简体中文</option>
          <option value="en">English</option>
        </select>
        <label className="sr-only" htmlFor="theme">
          {t('nav.theme')}
        </label>
        <select id="theme" value={theme} onChange={(e) => st().setTheme(e.target.value as Theme)} data-testid="theme">
          <option value="system">{t('nav.system')}</option>
          <option value="light">{t('nav.light')}</option>
          <option value="dark">{t('nav.dark')}</option>
        </select>
      </div>
    </header>
  );
}

function Toasts() {
  const toasts = useStore((s) => s.toasts);
  const dismiss = useStore((s) => s.dismissToast);
  const { t } = useTranslation();
  return (
    <div className="toasts" aria-live="polite">
      {toasts.map((x) => (
        <div key={x.id} className={`toast ${x.kind}`} role={x.kind === 'error' ? 'alert' : 'status'} data-testid={`toast-${x.kind}`}>
          <div>
            <strong>{x.text}</strong>
            {x.detail && <div className="small">{x.detail}</div>}
          </div>
          <button type="button" className="btn small" onClick={() => dismiss(x.id)} aria-label={t('dialogs.close')}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}

export function App() {
  useTheme();
  useUnsavedGuard();
  const view = useStore((s) => s.view);
  const dialog = useStore((s) => s.dialog);
  useStore((s) => currentLang(s)); // re-render on language change
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <Header />
      <main id="main" tabIndex={-1}>
        {view === 'welcome' && <Welcome />}
        {view === 'flow' && <Flow />}
        {view === 'result' && <Result />}
      </main>
      <Dialogs />
      {dialog === 'contacts' && <ContactsDialog />}
      <Toasts />
    </>
  );
}

import { useTranslation } from 'react-i18next';
import { formatDate } from '../logic';
import { currentLang, useStore } from '../store';
import { ContactsNote } from './Contacts';

export function Welcome() {
  const { t } = useTranslation();
  const recent = useStore((s) => s.recent);
  const newDiagnosis = useStore((s) => s.newDiagnosis);
  const openExample = useStore((s) => s.openExample);
  const open = useStore((s) => s.open);
  const lang = useStore((s) => currentLang(s));
  return (
    <section className="welcome" aria-labelledby="welcome-h">
      <h1 id="welcome-h">{t('welcome.heading')}</h1>
      <p className="lead">{t('app.tagline')}</p>
      <p className="muted">{t('welcome.intro')}</p>
      <ContactsNote />
      <div className="actions">
        <button type="button" className="btn primary big" onClick={() => newDiagnosis()} data-testid="start">
          {t('welcome.start')}
        </button>
        <button type="button" className="btn big" onClick={() => void openExample()} data-testid="open-example">
          {t('welcome.example')}
        </button>
      </div>
      <p className="muted small">{t('welcome.exampleHint')}</p>
      <h2>{t('welcome.recent')}</h2>
      {recent.length === 0 ? (
        <p className="empty">{t('welcome.noRecent')}</p>
      ) : (
        <ul className="recent" aria-label={t('welcome.recent')}>
          {recent.map((r) => (
            <li key={r.ref}>
              <button type="button" className="linklike" onClick={() => void open(r.ref)} title={r.display}>
                {r.name}
              </button>
              {r.savedAt && <span className="muted small"> · {formatDate(r.savedAt, lang)}</span>}
            </li>
          ))}
        </ul>
      )}
      <button type="button" className="btn" onClick={() => void open()}>
        {t('welcome.open')}
      </button>
    </section>
  );
}

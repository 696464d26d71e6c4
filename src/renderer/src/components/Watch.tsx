// Watch until it works (issue 11 §3): a button on the result that re-tries the diagnosed connection from
// this computer with a growing pause (1 s up to 30 s), a live timeline of the attempts, cancel, and
// "works since 14:02:11" at the first success (the page title says it too; Electron also notifies).
import { useTranslation } from 'react-i18next';
import { durationWords, localClock, outcomeWords, type WatchAttempt } from '../../../core/watch-model';
import { formatDate } from '../logic';
import { currentLang, useStore } from '../store';

const targetText = (t: { host: string; port: number }): string => (t.host.includes(':') ? `[${t.host}]:${t.port}` : `${t.host}:${t.port}`);

const ICON: Record<WatchAttempt['outcome'], string> = { connected: '✓', refused: '✕', timeout: '…', error: '!' };

export function Watch() {
  const { t } = useTranslation();
  const lang = useStore((s) => currentLang(s));
  const w = useStore((s) => s.watch);
  const doc = useStore((s) => s.doc);
  const startWatch = useStore((s) => s.startWatch);
  const cancelWatch = useStore((s) => s.cancelWatch);
  const rerun = useStore((s) => s.rerun);
  const d = doc.diagnosis;
  if (!d) return null;
  const target = w.target ?? { host: d.target.host, port: d.target.port };
  const live = w.status === 'starting' || w.status === 'watching';
  const result = w.result;
  const took = (from: string, to: string): string => durationWords(Math.max(0, Date.parse(to) - Date.parse(from)), lang);
  const saved = !live && w.status !== 'works' && doc.watch;

  return (
    <section className="card watch" aria-labelledby="watch-h" data-testid="watch">
      <div className="progress-head">
        <h2 id="watch-h">
          {live && <span className="spinner" aria-hidden="true" />} {t('watch.heading')}
        </h2>
        {live ? (
          <button type="button" className="btn" onClick={() => void cancelWatch()} data-testid="watch-cancel">
            {t('watch.cancel')}
          </button>
        ) : (
          <button type="button" className="btn primary" onClick={() => void startWatch()} data-testid="watch-start">
            {w.status === 'idle' ? t('watch.start') : t('watch.again')}
          </button>
        )}
      </div>
      {w.status === 'idle' && !saved && <p className="muted">{t('watch.intro')}</p>}
      {live && (
        <p className="muted" role="status">
          {t('watch.watching', { target: targetText(target) })}
        </p>
      )}
      {w.status === 'works' && result?.worksSince && (
        <div className="note ok" role="status" data-testid="watch-works">
          <strong>✓ {t('watch.works', { time: localClock(result.worksSince) })}</strong>{' '}
          <span className="muted">{t('watch.worksDetail', { target: targetText(result.target), n: result.attempts.length, took: took(result.startedAt, result.worksSince) })}</span>
          {doc.plan && d.verdict.locus !== 'none' && (
            <p className="small">
              {t('watch.rerunHint')}{' '}
              <button type="button" className="btn small" onClick={() => void rerun()} data-testid="watch-rerun">
                {t('nav.rerun')}
              </button>
            </p>
          )}
        </div>
      )}
      {saved && doc.watch && (
        <p className="note ok" data-testid="watch-saved">
          ✓ {t('watch.savedWorks', { time: localClock(doc.watch.worksSince), date: formatDate(doc.watch.worksSince, lang) })}
        </p>
      )}
      {w.status === 'timed-out' && result && (
        <p className="note warn" role="status" data-testid="watch-timed-out">
          {t('watch.timedOut', { took: took(result.startedAt, result.endedAt) })}
        </p>
      )}
      {w.status === 'cancelled' && <p className="note info">{t('watch.cancelled')}</p>}
      {w.status === 'failed' && (
        <p className="note error" role="alert">
          <strong>{t('watch.failed')}: </strong>
          {w.error}
        </p>
      )}
      {w.attempts.length > 0 && (
        <ol className="watch-timeline" aria-label={t('watch.timeline')} data-testid="watch-timeline">
          {w.attempts.map((a) => (
            <li key={a.n} className={`watch-attempt wo-${a.outcome}`} data-testid="watch-attempt" data-outcome={a.outcome}>
              <span className="wt-icon" aria-hidden="true">
                {ICON[a.outcome]}
              </span>
              <time dateTime={a.at}>{localClock(a.at)}</time>
              <span className="muted small">{t('watch.attempt', { n: a.n })}</span>
              <span className="wt-outcome">{outcomeWords(a, lang)}</span>
              {a.rttMs !== null && <span className="muted small">{t('watch.rtt', { ms: a.rttMs.toFixed(1) })}</span>}
              {a.nextInMs !== null && live && a.n === w.attempts.length && <span className="muted small">{t('watch.next', { after: durationWords(a.nextInMs, lang) })}</span>}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

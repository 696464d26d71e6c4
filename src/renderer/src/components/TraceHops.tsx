// The path trace while it runs: the hops as they arrive (one row per hop, the latest answer), announced
// politely to screen readers. The finished trace is in the checklist's evidence (check path.trace).
import { useTranslation } from 'react-i18next';
import type { RunState } from '../logic';

export function TraceHops({ trace }: { trace: NonNullable<RunState['trace']> }) {
  const { t } = useTranslation();
  return (
    <div className="trace-live" data-testid="trace-live">
      <h3>{t('run.traceLive')}</h3>
      {trace.hops.length === 0 ? (
        <p className="muted small">{t('run.traceWaiting')}</p>
      ) : (
        <ol className="trace-hops" aria-label={t('run.traceHops')} aria-live="polite">
          {trace.hops.map((h) => (
            <li key={h.ttl} value={h.ttl}>
              <code>{h.address ?? '*'}</code>{' '}
              <span className="muted small">{h.address ? h.rttMs.map((r) => `${r < 10 ? r.toFixed(1) : Math.round(r)} ms`).join(' · ') : t('run.traceNoAnswer')}</span>
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}

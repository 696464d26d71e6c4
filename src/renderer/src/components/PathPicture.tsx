// The path as a picture, in the verdict card: this computer → its network → the internet → the cloud's edge
// → network ACL → security group → the server's firewall → the service, each segment green / red / grey
// with an icon and a word (never colour alone), the break marked with its one-line finding. A segment with
// checks is a button that opens the deciding check's evidence in the checklist. Screen readers get the
// same picture as an ordered list; trace hops (when a trace ran) are listed per segment below.
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { pathSegments, SEGMENT_MARK_WORDS, SEGMENT_STATUS_WORDS, segmentMark, type Segment } from '../../../core/diagnosis/path-picture';
import { useStore } from '../store';
import { useL } from './common';

const GLYPH: Record<Segment['status'], string> = { ok: '✓', broken: '✕', unknown: '?' };

/** Opens the check's row in the checklist and brings it into view. */
export function openCheckEvidence(checkId: string): void {
  const row = document.querySelector<HTMLElement>(`[data-check="${CSS.escape(checkId)}"]`);
  if (!row) return;
  const details = row.querySelector('details');
  if (details) details.open = true;
  row.scrollIntoView({ block: 'center', behavior: window.matchMedia('(prefers-reduced-motion: reduce)').matches ? 'auto' : 'smooth' });
  row.querySelector<HTMLElement>('summary')?.focus({ preventScroll: true });
}

export function PathPicture() {
  const diagnosis = useStore((s) => (s.run.status === 'done' ? s.doc.diagnosis : null));
  const segs = useMemo(() => (diagnosis ? pathSegments(diagnosis) : null), [diagnosis]);
  const { t } = useTranslation();
  const l = useL();
  if (!segs) return null;
  const marker = (s: Segment): string | null => {
    const m = segmentMark(s);
    return m ? l(SEGMENT_MARK_WORDS[m]) : null;
  };
  const status = (s: Segment): string => l(SEGMENT_STATUS_WORDS[s.status]);
  const traced = segs.filter((s) => s.hops?.length);
  const brk = segs.find((s) => s.isBreak);
  return (
    <figure className="path-picture" aria-labelledby="path-h" data-testid="path-picture" data-break={brk?.id ?? ''}>
      <h3 id="path-h">{t('path.heading')}</h3>
      <ol className="sr-only" data-testid="path-text">
        {segs.map((s) => {
          const m = marker(s);
          return (
            <li key={s.id}>
              {t('path.item', { label: l(s.label), status: status(s) })}
              {m ? `${t('path.sep')}${m}` : ''}
              {s.finding ? `${t('path.sep')}${l(s.finding)}` : ''}
            </li>
          );
        })}
      </ol>
      <div className="path-row" role="group" aria-label={t('path.buttons')}>
        {segs.map((s, i) => {
          const m = marker(s);
          const cls = `path-seg ps-${s.status}${s.isBreak ? ' is-break' : ''}${s.suspect ? ' is-suspect' : ''}${s.conflict ? ' is-conflict' : ''}`;
          const body = (
            <>
              <span className="path-head">
                <span className={`path-icon pi-${s.status}`} aria-hidden="true">
                  {GLYPH[s.status]}
                </span>
                <span className="path-label">{l(s.label)}</span>
              </span>
              <span className="path-status">{status(s)}</span>
              {m && <span className="path-mark">{m}</span>}
              {s.hops?.length ? <span className="path-hops small">{t('path.hops', { count: s.hops.length })}</span> : null}
            </>
          );
          const attrs = { 'data-testid': 'path-segment', 'data-segment': s.id, 'data-status': s.status, 'data-break': s.isBreak ? 'true' : undefined };
          return (
            <div key={s.id} className="path-cell">
              {i > 0 && (
                <span className="path-arrow" aria-hidden="true">
                  →
                </span>
              )}
              {s.checkIds.length > 0 ? (
                <button type="button" className={cls} {...attrs} aria-label={t('path.open', { label: l(s.label), status: status(s) })} onClick={() => openCheckEvidence(s.checkIds[0])}>
                  {body}
                </button>
              ) : (
                <div className={cls} {...attrs} aria-hidden="true">
                  {body}
                </div>
              )}
            </div>
          );
        })}
      </div>
      {segs
        .filter((s) => (s.isBreak || s.conflict) && s.finding)
        .map((s) => (
          <p key={s.id} className={`path-callout${s.isBreak ? ' is-break' : ' is-conflict'}`} data-testid="path-finding" data-segment={s.id} aria-hidden="true">
            <span className={`path-icon pi-${s.status}`}>{GLYPH[s.status]}</span>
            <strong>
              {t('path.item', { label: l(s.label), status: marker(s) })}
            </strong>
            <span className="path-callout-text">{l(s.finding!)}</span>
          </p>
        ))}
      {traced.length > 0 && (
        <details className="path-trace">
          <summary>{t('path.traceHeading')}</summary>
          <table className="table">
            <thead>
              <tr>
                <th>{t('path.cols.segment')}</th>
                <th>{t('path.cols.ttl')}</th>
                <th>{t('path.cols.address')}</th>
                <th>{t('path.cols.rtt')}</th>
              </tr>
            </thead>
            <tbody>
              {traced.flatMap((s) =>
                s.hops!.map((h) => (
                  <tr key={`${s.id}-${h.ttl}`}>
                    <td>{l(s.label)}</td>
                    <td>{h.ttl}</td>
                    <td>{h.address ?? t('path.silent')}</td>
                    <td>{h.rttMs.length ? h.rttMs.map((r) => `${r} ms`).join(' / ') : '—'}</td>
                  </tr>
                )),
              )}
            </tbody>
          </table>
        </details>
      )}
    </figure>
  );
}

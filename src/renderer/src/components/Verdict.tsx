// The verdict banner: where the fault is, why in plain words, and the fixes with copy buttons.
import { useTranslation } from 'react-i18next';
import { allowedExternalUrl } from '../../../core/api-client';
import type { Check, Verdict as VerdictT } from '../../../core/diagnosis/types';
import { verdictFixes } from '../logic';
import { CopyButton, useL } from './common';

export function VerdictBanner({ verdict, checks }: { verdict: VerdictT; checks: Check[] }) {
  const { t } = useTranslation();
  const l = useL();
  const fixes = verdictFixes(checks, verdict);
  return (
    <section className={`verdict locus-${verdict.locus}`} aria-labelledby="verdict-h" data-testid="verdict" data-locus={verdict.locus} data-rule={verdict.ruleId}>
      <p className="verdict-kicker">{t('verdict.heading')}</p>
      <h2 id="verdict-h">{t(`verdict.locus.${verdict.locus}`)}</h2>
      <p className="verdict-summary" role="status">
        {l(verdict.summary)}
      </p>
      <p className="small muted">{t('verdict.confidence', { c: t(`verdict.confidenceLevels.${verdict.confidence}`) })}</p>
      {verdict.reasoning.length > 0 && (
        <>
          <h3>{t('verdict.reasoning')}</h3>
          <ul className="reasoning">
            {verdict.reasoning.map((r, i) => (
              <li key={i}>{l(r)}</li>
            ))}
          </ul>
        </>
      )}
      <h3>{t('verdict.fixes')}</h3>
      {fixes.length === 0 ? (
        <p className="muted">{t('verdict.noFixes')}</p>
      ) : (
        <ul className="fixes" data-testid="fixes">
          {fixes.map((f, i) => {
            const url = f.url ? allowedExternalUrl(f.url) : null;
            return (
              <li key={i} className={`fix k-${f.kind}`}>
                <div className="fix-head">
                  <span className="tag">
                    {t(`verdict.kinds.${f.kind}`)}
                    {f.platform ? ` · ${f.platform}` : ''}
                  </span>
                  <span className="fix-title">{l(f.title)}</span>
                  {f.command && <CopyButton text={f.command} label={l(f.title)} />}
                  {url && (
                    <a className="btn small" href={url} target="_blank" rel="noopener noreferrer">
                      {t('verdict.openConsole')} ↗
                    </a>
                  )}
                </div>
                {f.command && <pre className="command">{f.command}</pre>}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

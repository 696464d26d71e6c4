// The verdict banner: one sentence naming the finding and the target, why in plain words, and the fixes
// (alternatives shown as alternatives) with copy buttons and warnings where a fix widens exposure.
import { useTranslation } from 'react-i18next';
import { allowedExternalUrl } from '../../../core/api-client';
import type { Check, Verdict as VerdictT } from '../../../core/diagnosis/types';
import { anyFailing, fillCommand, targetText, verdictFixGroups } from '../logic';
import { useStore } from '../store';
import { CopyButton, useL } from './common';
import { PathPicture } from './PathPicture';
import { AppliedRecord, ApplyFixButton } from './ApplyFix';

type Fix = Check['fixes'][number];

export function VerdictBanner({ verdict, checks, target }: { verdict: VerdictT; checks: Check[]; target: { host: string; port: number } | null }) {
  const { t } = useTranslation();
  const l = useL();
  const groups = verdictFixGroups(checks, verdict);
  const failing = anyFailing(checks);
  const summary = l(verdict.summary).replace(/[。.]\s*$/, '');
  const headline = target ? t('verdict.headline', { target: targetText(target.host, target.port), summary }) : `${summary}${t('verdict.stop')}`;
  return (
    <section className={`verdict locus-${verdict.locus}`} aria-labelledby="verdict-h" data-testid="verdict" data-locus={verdict.locus} data-rule={verdict.ruleId}>
      <p className="verdict-kicker">{t('verdict.heading')}</p>
      <h2 id="verdict-h">{t(`verdict.locus.${verdict.locus}`)}</h2>
      <p className="verdict-summary" role="status" data-testid="verdict-headline">
        {headline}
      </p>
      <p className="small muted">{t('verdict.confidence', { c: t(`verdict.confidenceLevels.${verdict.confidence}`) })}</p>
      <PathPicture />
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
      {groups.length === 0 ? (
        <p className="muted" data-testid="no-fixes">
          {failing ? t('verdict.noFixesFailing') : verdict.locus === 'none' ? t('verdict.noFixes') : t('verdict.noFixesYet')}
        </p>
      ) : (
        <div className="fixes" data-testid="fixes">
          {groups.map((g) => (
            <div key={g.checkId} className="fix-group">
              {g.steps.length > 0 && (
                <ul className="fix-list">
                  {g.steps.map((f, i) => (
                    <FixItem key={i} fix={f} checkId={g.checkId} siblings={checks.find((c) => c.id === g.checkId)?.fixes ?? []} />
                  ))}
                </ul>
              )}
              {g.alternatives.length > 0 && (
                <>
                  <p className="small muted">{t('verdict.oneOf')}</p>
                  <ul className="fix-list alternatives" data-testid="alternatives">
                    {g.alternatives.map((f, i) => (
                      <li key={i} className="alt">
                        {i > 0 && (
                          <span className="or" aria-hidden="false">
                            {t('verdict.or')}
                          </span>
                        )}
                        <ul className="fix-list">
                          <FixItem fix={f} checkId={g.checkId} siblings={checks.find((c) => c.id === g.checkId)?.fixes ?? []} />
                        </ul>
                      </li>
                    ))}
                  </ul>
                </>
              )}
            </div>
          ))}
        </div>
      )}
      <AppliedRecord />
    </section>
  );
}

const PLACEHOLDER_WORDS: Record<string, string> = {
  'your-public-ip': 'publicIp',
  'security-group-id': 'groupId',
  'instance-id': 'instanceId',
  'region-id': 'regionId',
  allocationid: 'allocationId',
};

function FixItem({ fix, checkId, siblings }: { fix: Fix; checkId: string; siblings: Fix[] }) {
  const { t } = useTranslation();
  const l = useL();
  const sourceIp = useStore((s) => s.form.sourceIp.trim() || s.doc.diagnosis?.cloud.flow?.sourceIp || '');
  const url = fix.url ? allowedExternalUrl(fix.url) : null;
  const filled = fix.command ? fillCommand(fix.command, { ip: sourceIp || undefined }) : null;
  const missing = filled?.missing ?? [];
  const title = l(fix.title).replace(/<([a-z][\w-]*)>/gi, (_, n: string) => t(`verdict.placeholders.${PLACEHOLDER_WORDS[n.toLowerCase()] ?? 'value'}`));
  return (
    <li className={`fix k-${fix.kind}`}>
      <div className="fix-head">
        <span className="tag">
          {t(`verdict.kinds.${fix.kind}`)}
          {fix.platform && fix.platform !== 'aliyun' && fix.platform !== 'terraform' ? ` · ${fix.platform}` : ''}
        </span>
        <span className="fix-title">{title}</span>
        {filled && missing.length === 0 && <CopyButton text={filled.command} label={l(fix.title)} />}
        <ApplyFixButton fix={fix} checkId={checkId} siblings={siblings} />
        {url && (
          <a className="btn small" href={url} target="_blank" rel="noopener noreferrer">
            {t('verdict.openConsole')} ↗
          </a>
        )}
      </div>
      {fix.warning && (
        <p className="note warn small" data-testid="fix-warning">
          {l(fix.warning)}
        </p>
      )}
      {filled && missing.length === 0 && (
        <pre className="command" tabIndex={0}>
          {filled.command}
        </pre>
      )}
      {filled && missing.length > 0 && (
        <p className="hint" data-testid="fix-needs">
          {t('verdict.needs', { what: missing.map((m) => t(`verdict.placeholders.${PLACEHOLDER_WORDS[m] ?? 'value'}`)).join(t('verdict.listSep')) })}
        </p>
      )}
    </li>
  );
}

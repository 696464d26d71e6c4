// The live checklist: client, network and server layers filling in as facts arrive; each check with its
// status, one-line finding and an expandable evidence panel.
import { useTranslation } from 'react-i18next';
import type { SecurityGroupRule } from '../../../core/cloud/model';
import type { Check, Diagnosis, Layer } from '../../../core/diagnosis/types';
import type { Evaluation } from '../../../core/rules/types';
import { evaluationWords, nearMissWords, tcpReasonWords } from '../../../core/diagnosis/words';
import { checksByLayer, resolvePointer } from '../logic';
import { useStore } from '../store';
import { StatusIcon, useL, useWords } from './common';

const LAYERS: Layer[] = ['client', 'network', 'server'];

export function Checklist() {
  const { t } = useTranslation();
  const checks = useStore((s) => s.run.checks);
  const status = useStore((s) => s.run.status);
  const diagnosis = useStore((s) => (s.run.status === 'done' ? s.doc.diagnosis : null));
  const by = checksByLayer(checks);
  const live = status === 'starting' || status === 'running';
  return (
    <section className="checklist" aria-labelledby="checklist-h" aria-busy={live}>
      <h2 id="checklist-h">{t('checklist.heading')}</h2>
      {LAYERS.map((layer) => (
        <div key={layer} className="layer" data-layer={layer}>
          <h3>{t(`checklist.layers.${layer}`)}</h3>
          {by[layer].length === 0 ? (
            live ? (
              <div className="skeleton" aria-hidden="true">
                <span />
                <span />
              </div>
            ) : (
              <p className="empty small">{t('checklist.empty')}</p>
            )
          ) : (
            <ul className="checks">
              {by[layer].map((c) => (
                <CheckRow key={c.id} check={c} diagnosis={diagnosis} />
              ))}
            </ul>
          )}
          {live && by[layer].length === 0 && <p className="muted small">{t('checklist.waiting')}</p>}
        </div>
      ))}
    </section>
  );
}

function CheckRow({ check, diagnosis }: { check: Check; diagnosis: Diagnosis | null }) {
  const { t } = useTranslation();
  const l = useL();
  return (
    <li className={`check st-${check.status}`} data-check={check.id} data-status={check.status} data-condition={check.condition}>
      <details>
        <summary>
          <StatusIcon status={check.status} />
          <span className="check-title">{l(check.title)}</span>
          <span className={`badge b-${check.status}`}>{t(`checklist.status.${check.status}`)}</span>
          <span className="finding">{l(check.finding)}</span>
        </summary>
        <div className="evidence">
          {l(check.explanation) && (
            <p>
              <strong>{t('checklist.why')}: </strong>
              {l(check.explanation)}
            </p>
          )}
          {diagnosis ? <EvidenceDetails check={check} diagnosis={diagnosis} /> : <p className="muted small">{t('checklist.noDetails')}</p>}
        </div>
      </details>
    </li>
  );
}

function EvidenceDetails({ check, diagnosis }: { check: Check; diagnosis: Diagnosis }) {
  const { t } = useTranslation();
  const words = useWords();
  const showRules = check.evidence.some((e) => e.source === 'rules' || e.path.startsWith('/cloud/securityGroups')) || check.id.startsWith('sg');
  const showProbe = check.evidence.some((e) => e.source === 'probe');
  return (
    <>
      {check.evidence.length > 0 && (
        <>
          <h4>{t('checklist.evidence')}</h4>
          <ul className="evidence-list">
            {check.evidence.map((e, i) => (
              <li key={i}>
                <span className="tag">{t(`checklist.sources.${e.source}`, { defaultValue: e.source })}</span> {words(e.summary)}
              </li>
            ))}
          </ul>
        </>
      )}
      {showProbe && <ProbeTable diagnosis={diagnosis} />}
      {showRules && diagnosis.cloud.snapshot && <RulesTable diagnosis={diagnosis} evaluation={diagnosis.cloud.securityGroups} />}
      {check.evidence.length > 0 && (
        <details className="raw">
          <summary>{t('checklist.raw')}</summary>
          {check.evidence.map((e, i) => {
            const v = resolvePointer(diagnosis, e.path);
            return (
              <div key={i}>
                <code className="small">{e.path}</code>
                <pre>{v === undefined ? '—' : JSON.stringify(v, null, 2)}</pre>
              </div>
            );
          })}
        </details>
      )}
    </>
  );
}

function ProbeTable({ diagnosis }: { diagnosis: Diagnosis }) {
  const { t } = useTranslation();
  const l = useL();
  const facts = diagnosis.probes?.tcp ?? [];
  if (facts.length === 0) return null;
  return (
    <>
      <h4>{t('checklist.probe')}</h4>
      <table className="table">
        <thead>
          <tr>
            <th>{t('checklist.cols.address')}</th>
            <th>{t('checklist.cols.ports')}</th>
            <th>{t('checklist.cols.state')}</th>
            <th>{t('checklist.cols.reason')}</th>
            <th>{t('checklist.cols.rtt')}</th>
            <th>{t('checklist.cols.attempts')}</th>
          </tr>
        </thead>
        <tbody>
          {facts.map((f, i) => (
            <tr key={i}>
              <td>{f.address}</td>
              <td>{f.port}</td>
              <td>
                {t(`checklist.states.${f.state}`, { defaultValue: f.state })}
                {f.flaky ? t('checklist.flaky') : ''}
              </td>
              <td>{l(tcpReasonWords(f.reason))}</td>
              <td>{f.rttMs === null ? '—' : `${Math.round(f.rttMs)} ms`}</td>
              <td>{f.attempts}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

const peerText = (r: SecurityGroupRule): string => {
  const p = r.peer;
  return p.kind === 'cidr' ? p.cidr : p.kind === 'group' ? p.groupId : p.kind === 'prefix-list' ? p.prefixListId : '*';
};

/** Ingress rules in evaluation order (priority, then drop before accept), the deciding one marked. */
function RulesTable({ diagnosis, evaluation }: { diagnosis: Diagnosis; evaluation: Evaluation | null }) {
  const { t } = useTranslation();
  const l = useL();
  const words = useWords();
  const rules = (diagnosis.cloud.snapshot?.securityGroups ?? [])
    .flatMap((g) => g.rules)
    .filter((r) => r.direction === 'ingress')
    .sort((a, b) => a.priority - b.priority || (a.policy === b.policy ? a.order - b.order : a.policy === 'drop' ? -1 : 1));
  const decided = evaluation?.decidedBy?.kind === 'rule' ? evaluation.decidedBy.ruleId : null;
  const near = new Map((evaluation?.nearMisses ?? []).map((n) => [n.ruleId, n]));
  return (
    <>
      <h4>{t('checklist.rules')}</h4>
      <div className="table-wrap">
        <table className="table rules">
          <thead>
            <tr>
              <th>{t('checklist.cols.priority')}</th>
              <th>{t('checklist.cols.policy')}</th>
              <th>{t('checklist.cols.protocol')}</th>
              <th>{t('checklist.cols.ports')}</th>
              <th>{t('checklist.cols.source')}</th>
              <th>{t('checklist.cols.group')}</th>
              <th>{t('checklist.cols.note')}</th>
            </tr>
          </thead>
          <tbody>
            {rules.map((r) => (
              <tr key={r.id} className={r.id === decided ? 'decided' : near.has(r.id) ? 'near' : ''}>
                <td>{r.priority}</td>
                <td className={`pol-${r.policy}`}>{t(`checklist.policies.${r.policy}`, { defaultValue: r.policy })}</td>
                <td>{r.rawProtocol}</td>
                <td>{r.rawPortRange}</td>
                <td>{peerText(r)}</td>
                <td>{r.groupId}</td>
                <td>
                  {r.id === decided && <strong>{t('checklist.decided')} </strong>}
                  {words(near.get(r.id)?.detail ?? r.description ?? '')}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {evaluation && (
        <p className="small">
          <strong>{t(`checklist.decisions.${evaluation.decision}`)}</strong>
          {t('checklist.dash')}
          {l(evaluationWords(evaluation.explanation))}
        </p>
      )}
      {(evaluation?.nearMisses.length ?? 0) > 0 && (
        <>
          <h4>{t('checklist.nearMisses')}</h4>
          <ul className="evidence-list">
            {evaluation!.nearMisses.map((n, i) => (
              <li key={i}>
                <span className="tag">{l(nearMissWords(n.reason))}</span> {n.ruleId}: {words(n.detail)}
              </li>
            ))}
          </ul>
        </>
      )}
    </>
  );
}

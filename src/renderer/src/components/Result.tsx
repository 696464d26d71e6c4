// The diagnosis screen: progress (with cancel) while running, then the verdict, the checklist, the
// comparison with the saved run, and the server-side evidence panel.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ServerScript } from '../../../core/api';
import { isIpText, remoteScriptCloud, STAGES } from '../logic';
import { api, currentLang, useStore } from '../store';
import { Checklist } from './Checklist';
import { TraceHops } from './TraceHops';
import { CopyButton, Modal, StatusIcon } from './common';
import { VerdictBanner } from './Verdict';
import { Watch } from './Watch';

export function Result() {
  const { t } = useTranslation();
  const run = useStore((s) => s.run);
  const doc = useStore((s) => s.doc);
  const startRun = useStore((s) => s.startRun);
  const cancelRun = useStore((s) => s.cancelRun);
  const live = run.status === 'starting' || run.status === 'running';
  const lang = useStore((s) => currentLang(s));
  return (
    <div className="result">
      {doc.example && <p className="note info">{t('session.exampleNote')}</p>}
      {doc.readOnly && !doc.example && <p className="note warn">{t('session.readOnlyNote')}</p>}
      {doc.warnings.length > 0 && (
        <div className="note info" role="note">
          <strong>{t('session.warnings')}: </strong>
          {doc.warnings.join(' ')}
        </div>
      )}
      {live && (
        <section className="progress card" aria-labelledby="progress-h" data-testid="progress">
          <div className="progress-head">
            <h2 id="progress-h">
              <span className="spinner" aria-hidden="true" /> {t('run.running')}
            </h2>
            <button type="button" className="btn" onClick={() => void cancelRun()} data-testid="cancel">
              {t('run.cancel')}
            </button>
          </div>
          <ol className="stages">
            {STAGES.map((s) => (
              <li key={s} className={`stage st-${run.stages[s]}`}>
                <StatusIcon status={run.stages[s]} /> {t(`run.stages.${s}`)} <span className="muted small">· {t(`run.stageStatus.${run.stages[s]}`)}</span>
                {run.stageMessages[s] && <span className="muted small"> — {run.stageMessages[s]}</span>}
              </li>
            ))}
          </ol>
          <progress max={STAGES.length} value={STAGES.filter((s) => run.stages[s] === 'done' || run.stages[s] === 'error').length} aria-label={t('run.running')} />
          {run.trace && <TraceHops trace={run.trace} />}
        </section>
      )}
      {run.status === 'cancelled' && (
        <div className="note warn" role="alert">
          {t('run.cancelled')}{' '}
          <button type="button" className="btn small" onClick={() => void startRun()}>
            {t('run.retry')}
          </button>
        </div>
      )}
      {run.status === 'failed' && run.error && (
        <div className="note error" role="alert" data-testid="run-error">
          <strong>{t('run.failed')}: </strong>
          {run.error.message} <code className="small">{run.error.code}</code>{' '}
          <button type="button" className="btn small" onClick={() => void startRun()}>
            {t('run.retry')}
          </button>
        </div>
      )}
      {run.verdict && <VerdictBanner verdict={run.verdict} checks={run.checks} target={doc.diagnosis?.target ?? (doc.plan ? { host: doc.plan.host, port: doc.plan.port } : null)} />}
      {run.status === 'done' && doc.diagnosis && !doc.example && <Watch />}
      {run.status === 'done' && doc.diagnosis && !doc.readOnly && doc.diagnosis.cloud.snapshot && <SourceIpPanel />}
      {doc.comparison && (
        <section className="card compare" aria-labelledby="cmp-h" data-testid="comparison">
          <h2 id="cmp-h">{t('session.compare')}</h2>
          {doc.comparison.same ? (
            <p>{t('session.same')}</p>
          ) : (
            <ul>
              {doc.comparison.changes.map((c, i) => (
                <li key={i}>{c.text[lang]}</li>
              ))}
            </ul>
          )}
        </section>
      )}
      <Checklist />
      {run.status === 'done' && doc.diagnosis && !doc.readOnly && <ServerPanel />}
    </div>
  );
}

function ServerPanel() {
  const { t } = useTranslation();
  const lang = useStore((s) => currentLang(s));
  const doc = useStore((s) => s.doc);
  const form = useStore((s) => s.form);
  const applyServer = useStore((s) => s.applyServer);
  const toast = useStore((s) => s.toast);
  const dialog = useStore((s) => s.dialog);
  const setDialog = useStore((s) => s.setDialog);
  const instance = doc.diagnosis?.cloud.snapshot?.instance ?? null;
  const [os, setOs] = useState<'linux' | 'windows'>(instance?.osType === 'windows' ? 'windows' : 'linux');
  const [script, setScript] = useState<ServerScript | null>(null);
  const [showScript, setShowScript] = useState(false);
  const [output, setOutput] = useState('');
  const [busy, setBusy] = useState(false);
  const port = doc.diagnosis?.target.port ?? 22;
  const hasAccount = form.cloudMode === 'profile' || form.cloudMode === 'stored-key' || form.cloudMode === 'environment';
  const info = useStore((s) => s.info);
  const cloud = remoteScriptCloud(info?.clouds, doc.diagnosis?.cloud.snapshot?.provider ?? form.provider);

  useEffect(() => {
    if (!showScript && dialog !== 'consent') return;
    void api()
      .call('server.script', { os, port })
      .then((r) => (r.ok ? setScript(r.value) : toast('error', t('errors.generic'), r.message)));
  }, [os, port, showScript, dialog, toast, t]);

  const analyze = async () => {
    if (!doc.diagnosis) return;
    setBusy(true);
    const r = await api().call('server.applyOutput', { diagnosis: doc.diagnosis, text: output });
    setBusy(false);
    if (r.ok) applyServer(r.value.diagnosis);
    else toast('error', t('errors.generic'), r.message);
  };
  const runCa = async () => {
    if (!doc.diagnosis) return;
    setDialog(null);
    setBusy(true);
    const provider = form.provider;
    const source =
      form.cloudMode === 'profile' ? { mode: 'profile' as const, provider, profile: form.profile } : form.cloudMode === 'environment' ? { mode: 'environment' as const, provider } : { mode: 'stored-key' as const, provider };
    const r = await api().call('server.runCloudAssistant', { diagnosis: doc.diagnosis, cloud: source, consent: true });
    setBusy(false);
    if (r.ok) applyServer(r.value.diagnosis);
    else toast('error', t('errors.generic'), r.message);
  };

  return (
    <section className="card server" aria-labelledby="server-h">
      <h2 id="server-h">{t('server.heading')}</h2>
      <p className="muted">{t('server.intro')}</p>
      <div className="actions">
        {cloud.remoteScript && (
          <button type="button" className="btn" disabled={!hasAccount || !instance || busy} onClick={() => setDialog('consent')} title={!hasAccount ? t('server.caNeedsAccount') : undefined}>
            {t('server.runCa')}
          </button>
        )}
        <button type="button" className="btn" aria-expanded={showScript} onClick={() => setShowScript((v) => !v)} data-testid="show-script">
          {t('server.showScript')}
        </button>
      </div>
      {cloud.remoteScript && !hasAccount && <p className="hint">{t('server.caNeedsAccount')}</p>}
      {!cloud.remoteScript && (
        <p className="hint" data-testid="no-remote-script">
          {t('server.noRemoteScript', { cloud: cloud.name?.[lang] ?? '' })}
        </p>
      )}
      {showScript && (
        <div className="form">
          <fieldset>
            <legend>{t('server.os')}</legend>
            <div className="chips">
              {(['linux', 'windows'] as const).map((o) => (
                <label key={o} className={`chip ${os === o ? 'on' : ''}`}>
                  <input type="radio" name="server-os" checked={os === o} onChange={() => setOs(o)} /> {o === 'linux' ? 'Linux' : 'Windows'}
                </label>
              ))}
            </div>
          </fieldset>
          {script && (
            <>
              <p className="hint">{script.howTo}</p>
              <div className="script-head">
                <CopyButton text={script.script} label="script" />
              </div>
              <pre className="command script" tabIndex={0}>
                {script.script}
              </pre>
            </>
          )}
          <label htmlFor="server-output">{t('server.paste')}</label>
          <textarea id="server-output" rows={6} spellCheck={false} value={output} onChange={(e) => setOutput(e.target.value)} />
          <div className="actions">
            <button type="button" className="btn primary" disabled={!output.trim() || busy} onClick={() => void analyze()}>
              {t('server.analyze')}
            </button>
          </div>
        </div>
      )}
      {dialog === 'consent' && (
        <Modal title={t('server.consentTitle', { instance: instance?.id ?? '' })} labelledBy="consent-h" onClose={() => setDialog(null)}>
          <p>{t('server.consentBody')}</p>
          <pre className="command script">{script?.script ?? '…'}</pre>
          <div className="actions end">
            <button type="button" className="btn" onClick={() => setDialog(null)}>
              {t('dialogs.cancel')}
            </button>
            <button type="button" className="btn primary" disabled={!script} onClick={() => void runCa()}>
              {t('server.consentRun')}
            </button>
          </div>
        </Modal>
      )}
    </section>
  );
}

/**
 * The security groups are evaluated for a source address: the public IP the server sees. When it could
 * not be detected the groups stay unevaluated; the user can give it (pre-filled when detected) and run again.
 */
function SourceIpPanel() {
  const { t } = useTranslation();
  const doc = useStore((s) => s.doc);
  const form = useStore((s) => s.form);
  const setForm = useStore((s) => s.setForm);
  const startRun = useStore((s) => s.startRun);
  const d = doc.diagnosis!;
  const detected = d.probes?.client.egressIp?.address ?? null;
  const used = d.cloud.flow?.sourceIp ?? null;
  const unknown = d.cloud.sourceIpOrigin === 'none';
  const [value, setValue] = useState(form.sourceIp || used || detected || '');
  const bad = value.trim() !== '' && !isIpText(value);
  const disagree = (d.probes?.client.egressIp?.distinct?.length ?? 0) > 1;
  return (
    <section className={`card source-ip ${unknown ? 'attention' : ''}`} aria-labelledby="srcip-h" data-testid="source-ip-panel">
      <h2 id="srcip-h">{t('publicIp.heading')}</h2>
      {unknown ? (
        <p className="note warn" data-testid="source-ip-unknown">
          {t(disagree ? 'publicIp.disagree' : 'publicIp.unknownWhy')}
        </p>
      ) : (
        <p className="muted">{t(d.cloud.sourceIpOrigin === 'user' ? 'publicIp.usedGiven' : 'publicIp.usedDetected', { ip: used ?? '' })}</p>
      )}
      <form
        className="form inline"
        onSubmit={(e) => {
          e.preventDefault();
          if (!isIpText(value)) return;
          setForm({ sourceIp: value.trim() });
          void startRun();
        }}
      >
        <label htmlFor="source-ip-again">{t('publicIp.label')}</label>
        <input id="source-ip-again" type="text" className="short" spellCheck={false} autoComplete="off" value={value} aria-invalid={bad} onChange={(e) => setValue(e.target.value)} />
        <button type="submit" className="btn primary" disabled={!isIpText(value)} data-testid="source-ip-run">
          {t('publicIp.runAgain')}
        </button>
        <p className={bad ? 'field-status error' : 'hint'}>{bad ? t('publicIp.invalid') : t('publicIp.howToFind')}</p>
      </form>
    </section>
  );
}

// The guided flow: 1) what you are trying to reach, 2) the cloud account, 3) run.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CredentialStatus, ImportCheck, TargetCheck } from '../../../core/api';
import { SERVICE_PRESETS } from '../../../core/api-client';
import { argsOf, portOf } from '../logic';
import { api, useStore } from '../store';

export function Flow() {
  const { t } = useTranslation();
  const step = useStore((s) => s.step);
  const setStep = useStore((s) => s.setStep);
  const form = useStore((s) => s.form);
  const startRun = useStore((s) => s.startRun);
  const [hostOk, setHostOk] = useState(false);
  const canNext1 = hostOk && portOf(form) !== null;
  const args = argsOf(form);
  return (
    <section className="flow" aria-labelledby="flow-h">
      <ol className="stepper" aria-label={t('stepLabel', { n: step })}>
        {(['target', 'account', 'run'] as const).map((k, i) => (
          <li key={k} className={step === i + 1 ? 'current' : step > i + 1 ? 'done' : ''} aria-current={step === i + 1 ? 'step' : undefined}>
            <span className="num">{i + 1}</span> {t(`steps.${k}`)}
          </li>
        ))}
      </ol>
      <h1 id="flow-h">{t(`steps.${(['target', 'account', 'run'] as const)[step - 1]}`)}</h1>
      {step === 1 && <TargetStep onValid={setHostOk} />}
      {step === 2 && <AccountStep />}
      {step === 3 && args && (
        <div className="card">
          <p data-testid="run-summary">{t('run.summary', { host: args.host, port: args.port, service: SERVICE_PRESETS.find((p) => p.id === args.service)?.label })}</p>
          <p className="muted">{t('run.cloud', { mode: t(`modes.${args.cloud.mode}`, { name: args.cloud.mode === 'profile' ? args.cloud.profile : '' }) })}</p>
        </div>
      )}
      <div className="actions">
        {step > 1 && (
          <button type="button" className="btn" onClick={() => setStep((step - 1) as 1 | 2)}>
            {t('run.back')}
          </button>
        )}
        {step === 1 && (
          <button type="button" className="btn primary" disabled={!canNext1} onClick={() => setStep(2)} data-testid="next">
            {t('run.next')}
          </button>
        )}
        {step === 2 && (
          <button type="button" className="btn primary" disabled={!args} onClick={() => setStep(3)} data-testid="next">
            {t('run.next')}
          </button>
        )}
        {step === 3 && (
          <button type="button" className="btn primary" disabled={!args} onClick={() => void startRun()} data-testid="run">
            {t('run.start')}
          </button>
        )}
      </div>
    </section>
  );
}

function TargetStep({ onValid }: { onValid: (ok: boolean) => void }) {
  const { t } = useTranslation();
  const form = useStore((s) => s.form);
  const setForm = useStore((s) => s.setForm);
  const [check, setCheck] = useState<{ state: 'idle' | 'checking' | 'ok' | 'error'; value?: TargetCheck; message?: string }>({ state: 'idle' });

  // Validated as you type (debounced), by the same parser the probes use.
  useEffect(() => {
    if (!form.host.trim()) {
      setCheck({ state: 'idle' });
      onValid(false);
      return;
    }
    setCheck((c) => ({ ...c, state: 'checking' }));
    const id = setTimeout(() => {
      void api()
        .call('target.validate', { host: form.host })
        .then((r) => {
          setCheck(r.ok ? { state: 'ok', value: r.value } : { state: 'error', message: r.message });
          onValid(r.ok);
        });
    }, 200);
    return () => clearTimeout(id);
  }, [form.host, onValid]);

  const portInvalid = form.service === 'custom' && form.customPort !== '' && portOf(form) === null;
  return (
    <div className="card form">
      <label htmlFor="host">{t('target.host')}</label>
      <input
        id="host"
        type="text"
        autoFocus
        spellCheck={false}
        autoComplete="off"
        value={form.host}
        aria-invalid={check.state === 'error'}
        aria-describedby="host-hint host-status"
        onChange={(e) => setForm({ host: e.target.value })}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && check.state === 'ok' && portOf(form) !== null) useStore.getState().setStep(2);
        }}
      />
      <p id="host-hint" className="hint">
        {t('target.hostHint')}
      </p>
      <p id="host-status" className={`field-status ${check.state}`} role="status" aria-live="polite">
        {check.state === 'checking' && t('target.checking')}
        {check.state === 'ok' && check.value && t('target.ok', { kind: t(`target.kinds.${check.value.kind}`), host: check.value.normalized })}
        {check.state === 'error' && check.message}
      </p>
      {check.state === 'ok' && check.value?.privateAddress && <p className="note warn">{t('target.private', { host: check.value.normalized })}</p>}

      <fieldset>
        <legend>{t('target.service')}</legend>
        <div className="chips">
          {SERVICE_PRESETS.map((p) => (
            <label key={p.id} className={`chip ${form.service === p.id ? 'on' : ''}`}>
              <input type="radio" name="service" value={p.id} checked={form.service === p.id} onChange={() => setForm({ service: p.id })} />
              {p.id === 'custom' ? t('target.customPort') : `${p.label} (${p.port})`}
            </label>
          ))}
        </div>
      </fieldset>
      {form.service === 'custom' && (
        <>
          <label htmlFor="port">{t('target.customPort')}</label>
          <input
            id="port"
            type="text"
            inputMode="numeric"
            className="short"
            value={form.customPort}
            aria-invalid={portInvalid}
            aria-describedby="port-status"
            onChange={(e) => setForm({ customPort: e.target.value })}
          />
          <p id="port-status" className="field-status error" role="status">
            {portInvalid ? t('target.portError') : ''}
          </p>
        </>
      )}
    </div>
  );
}

function AccountStep() {
  const { t } = useTranslation();
  const form = useStore((s) => s.form);
  const setForm = useStore((s) => s.setForm);
  const profiles = useStore((s) => s.profiles);
  const loadProfiles = useStore((s) => s.loadProfiles);
  const [cred, setCred] = useState<CredentialStatus | null>(null);
  const [keyId, setKeyId] = useState('');
  const [secret, setSecret] = useState('');
  const [keyError, setKeyError] = useState<string | null>(null);
  const [imp, setImp] = useState<{ state: 'idle' | 'checking' | 'ok' | 'error'; value?: ImportCheck; message?: string }>({ state: 'idle' });

  useEffect(() => {
    void loadProfiles();
    void api()
      .call('credentials.status', {})
      .then((r) => r.ok && setCred(r.value));
  }, [loadProfiles]);

  useEffect(() => {
    if (form.cloudMode !== 'import' || form.importJson.trim().length < 2) {
      setImp({ state: 'idle' });
      return;
    }
    setImp({ state: 'checking' });
    const id = setTimeout(() => {
      void api()
        .call('cloud.checkImport', { json: form.importJson })
        .then((r) => setImp(r.ok ? { state: 'ok', value: r.value } : { state: 'error', message: r.message }));
    }, 300);
    return () => clearTimeout(id);
  }, [form.cloudMode, form.importJson]);

  const storeKey = async () => {
    const r = await api().call('credentials.setAccessKey', { accessKeyId: keyId, accessKeySecret: secret });
    if (r.ok) {
      setCred(r.value);
      setKeyId('');
      setSecret('');
      setKeyError(null);
    } else setKeyError(r.message);
  };

  return (
    <div className="card form">
      <p className="muted">{t('account.intro')}</p>
      <fieldset className="choices">
        <legend className="sr-only">{t('steps.account')}</legend>
        <label className="choice">
          <input type="radio" name="cloud" checked={form.cloudMode === 'profile'} onChange={() => setForm({ cloudMode: 'profile' })} />
          {t('account.profile')}
        </label>
        {form.cloudMode === 'profile' && (
          <div className="sub">
            {profiles.loading && <p className="muted">{t('account.profilesLoading')}</p>}
            {profiles.error && <p className="note error">{profiles.error}</p>}
            {!profiles.loading && !profiles.error && profiles.list.length === 0 && <p className="empty">{t('account.noProfiles')}</p>}
            {profiles.list.length > 0 && (
              <select aria-label={t('account.profile')} value={form.profile} onChange={(e) => setForm({ profile: e.target.value })}>
                <option value="">—</option>
                {profiles.list.map((p) => (
                  <option key={p.name} value={p.name} disabled={!p.supported}>
                    {p.name} · {p.mode}
                    {p.regionId ? ` · ${p.regionId}` : ''}
                    {p.accessKeyIdRedacted ? ` · ${p.accessKeyIdRedacted}` : ''}
                    {p.current ? ` (${t('account.current')})` : ''}
                    {!p.supported ? ` — ${t('account.unsupported')}` : ''}
                  </option>
                ))}
              </select>
            )}
          </div>
        )}
        <label className="choice">
          <input type="radio" name="cloud" checked={form.cloudMode === 'stored-key'} onChange={() => setForm({ cloudMode: 'stored-key' })} />
          {t('account.accessKey')}
        </label>
        {form.cloudMode === 'stored-key' && (
          <div className="sub">
            {cred?.stored ? (
              <p className="note ok">
                {t('account.stored', { id: cred.accessKeyIdRedacted })} — {cred.persistent ? t('account.storedKeychain') : t('account.storedMemory')}{' '}
                <button type="button" className="btn small" onClick={() => void api().call('credentials.clear', {}).then((r) => r.ok && setCred(r.value))}>
                  {t('account.forget')}
                </button>
              </p>
            ) : (
              <div className="grid2">
                <label htmlFor="akid">{t('account.accessKeyId')}</label>
                <input id="akid" type="text" autoComplete="off" spellCheck={false} value={keyId} onChange={(e) => setKeyId(e.target.value)} />
                <label htmlFor="aksecret">{t('account.accessKeySecret')}</label>
                <input id="aksecret" type="password" autoComplete="off" value={secret} onChange={(e) => setSecret(e.target.value)} />
                <span />
                <button type="button" className="btn" disabled={!keyId || !secret} onClick={() => void storeKey()}>
                  {t('account.storeKey')}
                </button>
              </div>
            )}
            {keyError && <p className="note error">{keyError}</p>}
            <p className="hint">{t('account.ramHint')}</p>
          </div>
        )}
        <label className="choice">
          <input type="radio" name="cloud" checked={form.cloudMode === 'environment'} onChange={() => setForm({ cloudMode: 'environment' })} data-testid="cloud-environment" />
          {t('account.environment')}
        </label>
        {form.cloudMode === 'environment' && (
          <p className={`sub note ${cred?.environment ? 'ok' : ''}`}>{cred?.environment ? t('account.environmentFound') : t('account.environmentMissing')}</p>
        )}
        <label className="choice">
          <input type="radio" name="cloud" checked={form.cloudMode === 'import'} onChange={() => setForm({ cloudMode: 'import' })} />
          {t('account.importJson')}
        </label>
        {form.cloudMode === 'import' && (
          <div className="sub">
            <p className="hint">{t('account.importHint')}</p>
            <textarea aria-label={t('account.importJson')} rows={6} spellCheck={false} value={form.importJson} onChange={(e) => setForm({ importJson: e.target.value })} />
            <p className={`field-status ${imp.state}`} role="status" aria-live="polite">
              {imp.state === 'ok' &&
                imp.value &&
                t('account.importOk', { region: imp.value.region, instance: imp.value.instanceId ?? '—', groups: imp.value.securityGroups, rules: imp.value.rules, acls: imp.value.networkAcls })}
              {imp.state === 'error' && imp.message}
            </p>
          </div>
        )}
        <label className="choice">
          <input type="radio" name="cloud" checked={form.cloudMode === 'none'} onChange={() => setForm({ cloudMode: 'none' })} />
          {t('account.none')}
        </label>
        {form.cloudMode === 'none' && <p className="hint sub">{t('account.noneHint')}</p>}
      </fieldset>
      {(form.cloudMode === 'profile' || form.cloudMode === 'stored-key' || form.cloudMode === 'environment') && (
        <div className="grid2">
          <label htmlFor="iid">{t('account.instanceId')}</label>
          <input id="iid" type="text" spellCheck={false} placeholder="i-bp1…" value={form.instanceId} onChange={(e) => setForm({ instanceId: e.target.value })} />
          <label htmlFor="region">{t('account.region')}</label>
          <input id="region" type="text" spellCheck={false} placeholder="cn-hangzhou" value={form.region} onChange={(e) => setForm({ region: e.target.value })} />
          <span />
          <p className="hint">{t('account.findHint')}</p>
        </div>
      )}
    </div>
  );
}

// The guided flow: 1) what you are trying to reach, 2) the cloud account, 3) run.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import type { CredentialStatus, ImportCheck, ProfileInfo, TargetCheck } from '../../../core/api';
import { SERVICE_PRESETS } from '../../../core/api-client';
import type { OfflineCommand } from '../../../core/cloud/types';
import { APP_PROTOCOL_CHOICES, argsOf, isIpText, offlineKnown, portOf, withAddress, type OfflineCommandRequest } from '../logic';
import { CloudChoice, useAccountWords } from './CloudChoice';
import { CopyButton, useL } from './common';
import { api, useStore } from '../store';

export function Flow() {
  const { t } = useTranslation();
  const step = useStore((s) => s.step);
  const setStep = useStore((s) => s.setStep);
  const form = useStore((s) => s.form);
  const startRun = useStore((s) => s.startRun);
  const importCheck = useStore((s) => s.importCheck);
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
        <div className="card form">
          <p data-testid="run-summary">{t('run.summary', { host: args.host, port: args.port, service: serviceLabel(t, args.service, form.appProtocol) })}</p>
          <p className="muted" data-testid="run-cloud">
            {t('run.cloud', {
              mode: t('cloudChoice.runCloud', {
                cloud: t(`cloudChoice.${form.provider}`),
                mode: t([`modes_${form.provider}.${args.cloud.mode}`, `modes.${args.cloud.mode}`], { name: args.cloud.mode === 'profile' ? args.cloud.profile : '' }),
              }),
            })}
          </p>
          {args.cloud.mode !== 'none' && <PublicIpField />}
          <TraceOption />
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
          <button type="button" className="btn primary" disabled={!args || (form.cloudMode === 'import' && importCheck.state !== 'ok')} onClick={() => setStep(3)} data-testid="next">
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
        onChange={(e) => setForm(withAddress(form, e.target.value))}
        onPaste={(e) => {
          // A pasted "host:port" (or URL) is split at once; typing is split as the ":port" completes.
          const text = e.clipboardData.getData('text');
          if (text) {
            e.preventDefault();
            setForm(withAddress(form, text));
          }
        }}
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
      {check.state === 'ok' && check.value?.privateAddress && (
        <p className="note warn" data-testid="private-note">
          {isLoopbackText(check.value.normalized) ? t('target.loopback', { host: check.value.normalized }) : t('target.private', { host: check.value.normalized })}
        </p>
      )}

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
          <label htmlFor="app-protocol">{t('target.appProtocol')}</label>
          <select id="app-protocol" value={form.appProtocol} onChange={(e) => setForm({ appProtocol: e.target.value as typeof form.appProtocol })}>
            <option value="">{t('target.appProtocolUnset')}</option>
            {APP_PROTOCOL_CHOICES.map((c) => (
              <option key={c.id} value={c.id}>
                {c.id === 'other' ? t('target.appProtocolOther') : c.label}
              </option>
            ))}
          </select>
          <p className="hint">{t('target.appProtocolHint')}</p>
        </>
      )}
    </div>
  );
}

function AccountStep() {
  const { t, i18n } = useTranslation();
  const form = useStore((s) => s.form);
  const setForm = useStore((s) => s.setForm);
  const profiles = useStore((s) => s.profiles);
  const loadProfiles = useStore((s) => s.loadProfiles);
  const [cred, setCred] = useState<CredentialStatus | null>(null);
  const [keyId, setKeyId] = useState('');
  const [secret, setSecret] = useState('');
  const [projectId, setProjectId] = useState('');
  const [keyError, setKeyError] = useState<string | null>(null);
  const imp = useStore((s) => s.importCheck);
  const setImp = useStore((s) => s.setImportCheck);
  const w = useAccountWords();
  const l = useL();
  const provider = form.provider;
  const huawei = provider === 'huawei';

  // Each cloud has its own profiles, stored key and variables: asked again when the choice changes.
  useEffect(() => {
    setCred(null);
    setKeyError(null);
    void loadProfiles();
    void api()
      .call('credentials.status', { provider })
      .then((r) => r.ok && r.value.provider === useStore.getState().form.provider && setCred(r.value));
  }, [loadProfiles, provider]);

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
  }, [form.cloudMode, form.importJson, setImp]);

  const storeKey = async () => {
    const r = await api().call('credentials.setAccessKey', { provider, accessKeyId: keyId, accessKeySecret: secret, ...(huawei && projectId.trim() ? { projectId: projectId.trim() } : {}) });
    if (r.ok) {
      setCred(r.value);
      setKeyId('');
      setSecret('');
      setProjectId('');
      setKeyError(null);
    } else setKeyError(r.message);
  };

  return (
    <div className="card form">
      <CloudChoice />
      <p className="muted">{w('intro')}</p>
      <fieldset className="choices">
        <legend className="sr-only">{t('steps.account')}</legend>
        <label className="choice">
          <input type="radio" name="cloud" checked={form.cloudMode === 'profile'} onChange={() => setForm({ cloudMode: 'profile' })} />
          {w('profile')}
        </label>
        {form.cloudMode === 'profile' && (
          <div className="sub">
            {profiles.loading && <p className="muted">{w('profilesLoading')}</p>}
            {profiles.error && <p className="note error">{profiles.error}</p>}
            {!profiles.loading && !profiles.error && profiles.list.length === 0 && <p className="empty">{w('noProfiles', { path: profiles.path ?? '' })}</p>}
            {profiles.note && <p className="note warn" data-testid="profiles-note">{l(profiles.note)}</p>}
            {profiles.list.length > 0 && (
              <select aria-label={w('profile')} value={form.profile} onChange={(e) => setForm({ profile: e.target.value })}>
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
            <UnusableProfiles list={profiles.list} hideReasons={!!profiles.note} />
          </div>
        )}
        <label className="choice">
          <input type="radio" name="cloud" checked={form.cloudMode === 'stored-key'} onChange={() => setForm({ cloudMode: 'stored-key' })} />
          {w('accessKey')}
        </label>
        {form.cloudMode === 'stored-key' && (
          <div className="sub">
            {cred?.stored ? (
              <p className="note ok">
                {t('account.stored', { id: cred.accessKeyIdRedacted })}
                {cred.projectId ? w('storedProject', { id: cred.projectId }) : ''} — {cred.persistent ? t('account.storedKeychain') : t('account.storedMemory')}{' '}
                <button type="button" className="btn small" onClick={() => void api().call('credentials.clear', { provider }).then((r) => r.ok && setCred(r.value))}>
                  {t('account.forget')}
                </button>
              </p>
            ) : (
              <div className="grid2">
                <label htmlFor="akid">{w('accessKeyId')}</label>
                <input id="akid" type="text" autoComplete="off" spellCheck={false} value={keyId} onChange={(e) => setKeyId(e.target.value)} />
                <label htmlFor="aksecret">{w('accessKeySecret')}</label>
                <input id="aksecret" type="password" autoComplete="off" value={secret} onChange={(e) => setSecret(e.target.value)} />
                {huawei && (
                  <>
                    <label htmlFor="project-id">{w('projectId')}</label>
                    <input id="project-id" type="text" autoComplete="off" spellCheck={false} value={projectId} aria-describedby="project-id-hint" onChange={(e) => setProjectId(e.target.value)} />
                    <span />
                    <p id="project-id-hint" className="hint">
                      {w('projectIdHint')}
                    </p>
                  </>
                )}
                <span />
                <button type="button" className="btn" disabled={!keyId || !secret} onClick={() => void storeKey()}>
                  {t('account.storeKey')}
                </button>
              </div>
            )}
            {keyError && <p className="note error">{keyError}</p>}
            <p className="hint">{w('ramHint')}</p>
          </div>
        )}
        <label className="choice">
          <input type="radio" name="cloud" checked={form.cloudMode === 'environment'} onChange={() => setForm({ cloudMode: 'environment' })} data-testid="cloud-environment" />
          {w('environment')}
        </label>
        {form.cloudMode === 'environment' && (
          <p className={`sub note ${cred?.environment ? 'ok' : ''}`} data-testid="environment-status">
            {cred?.environment ? w('environmentFound') : w('environmentMissing', { vars: (cred?.environmentVariables ?? []).join(i18n.language === 'zh-CN' ? '、' : ', ') })}
          </p>
        )}
        <label className="choice">
          <input type="radio" name="cloud" checked={form.cloudMode === 'import'} onChange={() => setForm({ cloudMode: 'import' })} />
          {t('account.importJson')}
        </label>
        {form.cloudMode === 'import' && (
          <ImportPanel imp={imp.value && imp.state === 'ok' ? imp.value : null} />
        )}
        <label className="choice">
          <input type="radio" name="cloud" checked={form.cloudMode === 'none'} onChange={() => setForm({ cloudMode: 'none' })} />
          {t('account.none')}
        </label>
        {form.cloudMode === 'none' && <p className="hint sub">{t('account.noneHint')}</p>}
      </fieldset>
      {(form.cloudMode === 'profile' || form.cloudMode === 'stored-key' || form.cloudMode === 'environment') && (
        <div className="grid2">
          <label htmlFor="iid">{w('instanceId')}</label>
          <input id="iid" type="text" spellCheck={false} placeholder={huawei ? '7d1e3f1a-…' : 'i-bp1…'} value={form.instanceId} onChange={(e) => setForm({ instanceId: e.target.value })} />
          <label htmlFor="region">{w('region')}</label>
          <input id="region" type="text" spellCheck={false} placeholder={huawei ? 'cn-north-4' : 'cn-hangzhou'} value={form.region} onChange={(e) => setForm({ region: e.target.value })} />
          <span />
          <p className="hint">{w('findHint')}</p>
        </div>
      )}
    </div>
  );
}

/** Profiles that cannot be used, each with why (e.g. KooCLI keeps its keys encrypted: how to hand them over instead). */
function UnusableProfiles({ list, hideReasons }: { list: ProfileInfo[]; hideReasons: boolean }) {
  const w = useAccountWords();
  const l = useL();
  const bad = list.filter((p) => !p.supported && (p.unsupportedText || p.unsupportedReason));
  if (bad.length === 0 || hideReasons) return null;
  return (
    <div className="note warn" data-testid="profiles-unusable">
      <p className="small">{w('reasonTitle')}</p>
      <ul>
        {bad.map((p) => (
          <li key={p.name}>
            {p.name}: {p.unsupportedText ? l(p.unsupportedText) : p.unsupportedReason}
          </li>
        ))}
      </ul>
    </div>
  );
}

const isLoopbackText = (h: string): boolean => /^127\./.test(h) || h === '::1' || h.toLowerCase() === 'localhost';

function serviceLabel(t: TFunction, service: string, appProtocol: string): string {
  if (service !== 'custom') return SERVICE_PRESETS.find((p) => p.id === service)?.label ?? service;
  const c = APP_PROTOCOL_CHOICES.find((x) => x.id === appProtocol);
  return c && c.id !== 'other' ? c.label : t('target.unnamedService');
}

/** Offline JSON: paste or load files, the aliyun commands that produce them, and what was read. */
function ImportPanel({ imp }: { imp: ImportCheck | null }) {
  const { t } = useTranslation();
  const form = useStore((s) => s.form);
  const setForm = useStore((s) => s.setForm);
  const state = useStore((s) => s.importCheck);
  const [fileError, setFileError] = useState<string | null>(null);
  const [loaded, setLoaded] = useState<string[]>([]);
  const [switched, setSwitched] = useState(false);
  const w = useAccountWords();
  const host = form.host.trim();
  const publicIp = /^[\d.]+$/.test(host) ? host : undefined;
  const recognised = imp?.provider ?? null;
  // The documents say which cloud they are: a paste of the other cloud switches the choice, and says so.
  useEffect(() => {
    if (recognised && recognised !== form.provider) {
      setForm({ provider: recognised, profile: '' });
      setSwitched(true);
    }
  }, [recognised, form.provider, setForm]);
  // The chosen cloud's own CLI commands (aliyun, KooCLI), built by its provider in the backend from what is known.
  const known = offlineKnown(form.provider, {
    region: form.region || imp?.region,
    instanceId: form.instanceId || imp?.instanceId || undefined,
    publicIp,
    securityGroupIds: imp?.missingGroupIds ?? [],
    vSwitchId: imp && !imp.networkAcls ? imp.vSwitchId : undefined,
  });
  const [commands, setCommands] = useState<OfflineCommand[]>([]);
  useEffect(() => {
    let live = true;
    void api()
      .call('cloud.offlineCommands', JSON.parse(known) as OfflineCommandRequest)
      .then((r) => {
        if (live) setCommands(r.ok ? r.value : []);
      });
    return () => {
      live = false;
    };
  }, [known]);

  const loadFiles = async (files: FileList | null) => {
    if (!files || files.length === 0) return;
    setFileError(null);
    const list = [...files];
    const tooBig = list.find((f) => f.size > 4_000_000);
    if (tooBig) {
      setFileError(w('fileTooBig', { name: tooBig.name }));
      return;
    }
    // Read in the browser (File objects): the renderer never touches the file system itself.
    const texts = await Promise.all(list.map((f) => f.text()));
    const joined = [form.importJson.trim(), ...texts.map((x) => x.trim())].filter(Boolean).join('\n');
    setLoaded((l) => [...l, ...list.map((f) => f.name)]);
    setForm({ importJson: joined });
  };

  return (
    <div className="sub">
      <p className="hint">{w('importHint')}</p>
      <ol className="commands" data-testid="aliyun-commands">
        {commands.map((c) => (
          <li key={c.command}>
            <span className="small">{w(`cmd.${c.what}`, { id: c.id ?? '' })}</span>
            <div className="command-row">
              <pre className="command" tabIndex={0}>
                {c.command}
              </pre>
              <CopyButton text={c.command} label={c.command} />
            </div>
          </li>
        ))}
      </ol>
      {!form.region && !imp && <p className="hint">{w('cmdRegionHint')}</p>}
      <textarea aria-label={t('account.importJson')} rows={6} spellCheck={false} value={form.importJson} onChange={(e) => setForm({ importJson: e.target.value })} />
      <div className="file-row">
        <label className="btn small file-btn">
          {t('account.loadFiles')}
          <input type="file" accept=".json,application/json,text/plain" multiple className="sr-only" data-testid="import-files" onChange={(e) => void loadFiles(e.target.files).then(() => (e.target.value = ''))} />
        </label>
        {loaded.length > 0 && <span className="small muted">{t('account.filesLoaded', { names: loaded.join(', ') })}</span>}
        {form.importJson && (
          <button
            type="button"
            className="btn small"
            onClick={() => {
              setLoaded([]);
              setForm({ importJson: '' });
            }}
          >
            {t('account.clearImport')}
          </button>
        )}
      </div>
      {fileError && <p className="note error">{fileError}</p>}
      <p className={`field-status ${state.state}`} role="status" aria-live="polite" data-testid="import-status">
        {state.state === 'checking' && t('target.checking')}
        {state.state === 'ok' &&
          state.value &&
          t('account.importOk', { region: state.value.region, instance: state.value.instanceId ?? '—', groups: state.value.securityGroups, rules: state.value.rules, acls: state.value.networkAcls })}
        {state.state === 'error' && t('account.importBad', { reason: state.message })}
        {state.state === 'idle' && form.importJson.trim() === '' && t('account.importEmpty')}
      </p>
      {state.state === 'ok' && recognised && (
        <p className={`note ${switched ? 'warn' : 'ok'}`} data-testid="import-cloud" role="status">
          {switched ? t('cloudChoice.switched', { cloud: t(`cloudChoice.${recognised}`) }) : t('cloudChoice.recognised', { cloud: t(`cloudChoice.${recognised}`) })}
        </p>
      )}
      {state.state === 'ok' && state.value && (state.value.missingGroupIds?.length ?? 0) > 0 && (
        <p className="note warn">{t('account.importMissingGroups', { ids: state.value.missingGroupIds!.join(', ') })}</p>
      )}
      {form.cloudMode === 'import' && (
        <div className="grid2">
          <label htmlFor="region">{w('region')}</label>
          <input id="region" type="text" spellCheck={false} placeholder={form.provider === 'huawei' ? 'cn-north-4' : 'cn-hangzhou'} value={form.region} onChange={(e) => setForm({ region: e.target.value })} />
          <label htmlFor="iid">{w('instanceId')}</label>
          <input id="iid" type="text" spellCheck={false} value={form.instanceId} onChange={(e) => setForm({ instanceId: e.target.value })} />
        </div>
      )}
    </div>
  );
}

/** "Your public IP as the server sees it": pre-filled with the detected one when known, editable. */
export function PublicIpField({ detected }: { detected?: string | null }) {
  const { t } = useTranslation();
  const form = useStore((s) => s.form);
  const setForm = useStore((s) => s.setForm);
  const value = form.sourceIp;
  const bad = value.trim() !== '' && !isIpText(value);
  return (
    <div className="public-ip">
      <label htmlFor="source-ip">{t('publicIp.label')}</label>
      <input
        id="source-ip"
        type="text"
        inputMode="decimal"
        spellCheck={false}
        autoComplete="off"
        className="short"
        value={value}
        placeholder={detected ?? ''}
        aria-invalid={bad}
        aria-describedby="source-ip-hint"
        onChange={(e) => setForm({ sourceIp: e.target.value })}
      />
      <p id="source-ip-hint" className={bad ? 'field-status error' : 'hint'}>
        {bad ? t('publicIp.invalid') : detected ? t('publicIp.hintDetected', { ip: detected }) : t('publicIp.hint')}
      </p>
    </div>
  );
}

/** The run step's path option: trace the path hop by hop after the probes (explained in words). */
function TraceOption() {
  const { t } = useTranslation();
  const trace = useStore((s) => s.form.trace === true);
  const setForm = useStore((s) => s.setForm);
  return (
    <div className="trace-option">
      <label className="choice">
        <input type="checkbox" checked={trace} onChange={(e) => setForm({ trace: e.target.checked })} aria-describedby="trace-hint" data-testid="trace-option" />{' '}
        {t('run.trace')}
      </label>
      <p id="trace-hint" className="hint">
        {t('run.traceHint')}
      </p>
    </div>
  );
}

// Outside contacts, disclosed: the public services a diagnosis talks to besides the user's server and the
// cloud API (public-IP echo services, control hosts, DNS resolvers). A first-run note says so; the panel
// shows what runs use, where each list comes from, and lets the user change or turn them off. Choices go
// to the backend's config file, which the command line reads too.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ContactKind, ContactSettings } from '../../../core/api';
import { api, useStore } from '../store';
import { Modal } from './common';

const KINDS: ContactKind[] = ['egressIpUrls', 'controlHosts', 'dnsServers'];
const ENV: Record<ContactKind, string> = { egressIpUrls: 'SGD_EGRESS_IP_URLS', controlHosts: 'SGD_CONTROL_HOSTS', dnsServers: 'SGD_DNS_SERVERS' };

export function ContactsNote() {
  const { t } = useTranslation();
  const seen = useStore((s) => s.prefs.contactsNoteSeen);
  const setPrefs = useStore((s) => s.setPrefs);
  const setDialog = useStore((s) => s.setDialog);
  if (seen) return null;
  return (
    <div className="note info" role="note" data-testid="contacts-note">
      {t('contacts.firstRun')}{' '}
      <button type="button" className="btn small" onClick={() => setDialog('contacts')}>
        {t('contacts.review')}
      </button>{' '}
      <button type="button" className="btn small" onClick={() => setPrefs({ contactsNoteSeen: true })}>
        {t('contacts.dismiss')}
      </button>
    </div>
  );
}

export function ContactsDialog() {
  const { t } = useTranslation();
  const setDialog = useStore((s) => s.setDialog);
  const setPrefs = useStore((s) => s.setPrefs);
  const toast = useStore((s) => s.toast);
  const [cur, setCur] = useState<ContactSettings | null>(null);
  const [draft, setDraft] = useState<Record<ContactKind, string>>({ egressIpUrls: '', controlHosts: '', dnsServers: '' });
  const [error, setError] = useState<string | null>(null);

  const adopt = (c: ContactSettings) => {
    setCur(c);
    setDraft({ egressIpUrls: c.effective.egressIpUrls.join('\n'), controlHosts: c.effective.controlHosts.join('\n'), dnsServers: c.effective.dnsServers.join('\n') });
  };
  useEffect(() => {
    void api()
      .call('settings.contacts', {})
      .then((r) => (r.ok ? adopt(r.value) : setError(r.message)));
  }, []);

  const save = async (patch: Partial<Record<ContactKind, string[] | null>>) => {
    const r = await api().call('settings.setContacts', patch);
    if (!r.ok) {
      setError(r.message);
      return;
    }
    setError(null);
    adopt(r.value);
    setPrefs({ contactsNoteSeen: true });
    toast('info', t('contacts.saved', { path: r.value.configPath }));
  };
  const lines = (s: string): string[] => s.split(/[\n,]+/).map((x) => x.trim()).filter(Boolean);

  return (
    <Modal title={t('contacts.heading')} labelledBy="contacts-h" onClose={() => setDialog(null)}>
      <p className="muted">{t('contacts.intro')}</p>
      {error && <p className="note error">{error}</p>}
      {cur && (
        <div className="form contacts" data-testid="contacts-panel">
          {KINDS.map((k) => (
            <fieldset key={k} data-kind={k}>
              <legend>{t(`contacts.kinds.${k}`)}</legend>
              <p className="small muted">
                {cur.effective[k].length === 0 ? (k === 'dnsServers' ? t('contacts.systemDns') : t('contacts.none')) : null}
                {cur.effective[k].length === 0 ? ' · ' : ''}
                {t(`contacts.sources.${cur.sources[k]}`, { name: ENV[k] })}
              </p>
              <textarea aria-label={t(`contacts.kinds.${k}`)} rows={3} spellCheck={false} value={draft[k]} onChange={(e) => setDraft((d) => ({ ...d, [k]: e.target.value }))} />
              <div className="actions">
                <button type="button" className="btn small" onClick={() => void save({ [k]: [] })}>
                  {t('contacts.off')}
                </button>
                <button type="button" className="btn small" onClick={() => void save({ [k]: null })}>
                  {t('contacts.restore')}
                </button>
              </div>
            </fieldset>
          ))}
          <p className="hint">{t('contacts.edit')}</p>
          {cur.effective.egressIpUrls.length === 0 && <p className="note warn">{t('contacts.offNote')}</p>}
        </div>
      )}
      <div className="actions end">
        <button type="button" className="btn" onClick={() => setDialog(null)}>
          {t('dialogs.close')}
        </button>
        <button type="button" className="btn primary" disabled={!cur} onClick={() => void save({ egressIpUrls: lines(draft.egressIpUrls), controlHosts: lines(draft.controlHosts), dnsServers: lines(draft.dnsServers) })} data-testid="contacts-save">
          {t('contacts.save')}
        </button>
      </div>
    </Modal>
  );
}

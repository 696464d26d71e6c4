// The account step's cloud choice (issue 10): Alibaba Cloud or Huawei Cloud, as a labelled radio group (arrow
// keys move between the two, as for any radio group), and the words of the account step for the chosen cloud.
// Everything cloud-specific the step shows comes through the contract (profiles.list, credentials.status,
// cloud.checkImport) or these words; no provider module is imported here.
import { useTranslation } from 'react-i18next';
import type { ProviderId } from '../../../core/cloud/provider';
import { withProvider } from '../logic';
import { currentLang, useStore } from '../store';

/** The clouds offered before the backend has said which it reads (app.info's `clouds`, from the registry). */
export const CLOUDS: readonly ProviderId[] = ['alicloud', 'huawei'];

export function CloudChoice() {
  const { t, i18n } = useTranslation();
  const form = useStore((s) => s.form);
  const setForm = useStore((s) => s.setForm);
  const info = useStore((s) => s.info);
  const lang = useStore((s) => currentLang(s));
  // The backend's list of clouds (a new provider appears here without a renderer change), else the built-in one.
  const clouds = info?.clouds?.length ? info.clouds : CLOUDS.map((id) => ({ id, name: null }));
  return (
    <fieldset className="cloud-choice" data-testid="cloud-choice">
      <legend>{t('cloudChoice.legend')}</legend>
      <div className="chips" role="radiogroup" aria-label={t('cloudChoice.legend')}>
        {clouds.map(({ id, name }) => (
          <label key={id} className={`chip ${form.provider === id ? 'on' : ''}`}>
            <input type="radio" name="cloud-provider" value={id} checked={form.provider === id} onChange={() => setForm(withProvider(form, id))} data-testid={`cloud-${id}`} />
            {i18n.exists(`cloudChoice.${id}`) ? t(`cloudChoice.${id}`) : (name?.[lang] ?? id)}
          </label>
        ))}
      </div>
    </fieldset>
  );
}

/**
 * The account step's words for the chosen cloud: the cloud's own text where it differs (Huawei: KooCLI, AK/SK,
 * its variables and console), else the common one.
 */
export function useAccountWords(): (key: string, opts?: Record<string, unknown>) => string {
  const { t, i18n } = useTranslation();
  const provider = useStore((s) => s.form.provider);
  return (key, opts) => {
    // A cloud's own words live under account_<cloud> (e.g. account_huawei); the common ones under account.
    const own = `account_${provider}.${key}`;
    return i18n.exists(own) ? t(own, opts) : t(`account.${key}`, opts);
  };
}

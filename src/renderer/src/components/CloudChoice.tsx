// The account step's cloud choice (issue 10): Alibaba Cloud or Huawei Cloud, as a labelled radio group (arrow
// keys move between the two, as for any radio group), and the words of the account step for the chosen cloud.
// Everything cloud-specific the step shows comes through the contract (profiles.list, credentials.status,
// cloud.checkImport) or these words; no provider module is imported here.
import { useTranslation } from 'react-i18next';
import type { ProviderId } from '../../../core/cloud/provider';
import { withProvider } from '../logic';
import { useStore } from '../store';

export const CLOUDS: readonly ProviderId[] = ['alicloud', 'huawei'];

export function CloudChoice() {
  const { t } = useTranslation();
  const form = useStore((s) => s.form);
  const setForm = useStore((s) => s.setForm);
  return (
    <fieldset className="cloud-choice" data-testid="cloud-choice">
      <legend>{t('cloudChoice.legend')}</legend>
      <div className="chips" role="radiogroup" aria-label={t('cloudChoice.legend')}>
        {CLOUDS.map((id) => (
          <label key={id} className={`chip ${form.provider === id ? 'on' : ''}`}>
            <input type="radio" name="cloud-provider" value={id} checked={form.provider === id} onChange={() => setForm(withProvider(form, id))} data-testid={`cloud-${id}`} />
            {t(`cloudChoice.${id}`)}
          </label>
        ))}
      </div>
    </fieldset>
  );
}

/**
 * The account step's words for the chosen cloud: Huawei Cloud's own text where it differs (KooCLI, AK/SK, its
 * variables and console), else the common one.
 */
export function useAccountWords(): (key: string, opts?: Record<string, unknown>) => string {
  const { t, i18n } = useTranslation();
  const provider = useStore((s) => s.form.provider);
  return (key, opts) => {
    const hw = `accountHw.${key}`;
    return provider === 'huawei' && i18n.exists(hw) ? t(hw, opts) : t(`account.${key}`, opts);
  };
}

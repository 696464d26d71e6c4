import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import type { Lang } from '../../core/diagnosis/types';
import { en, zhCN } from './locales';

export function initI18n(lang: Lang): typeof i18next {
  void i18next.use(initReactI18next).init({
    resources: { en: { translation: en }, 'zh-CN': { translation: zhCN } },
    lng: lang,
    fallbackLng: 'en',
    interpolation: { escapeValue: false }, // React escapes
    returnNull: false,
    initImmediate: false,
    showSupportNotice: false,
  });
  document.documentElement.lang = lang;
  return i18next;
}

export function setLanguage(lang: Lang): void {
  void i18next.changeLanguage(lang);
  document.documentElement.lang = lang;
}

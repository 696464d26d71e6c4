// A tiny core-side helper for Localized texts. Diagnosis data carries its text in both languages (so a
// saved session renders the same anywhere); the UI's own chrome uses i18next separately.
import type { Lang, Localized } from '../diagnosis/types';
import { fullWidthZh } from './punctuation';

export { fullWidthZh };

export const LANGS: readonly Lang[] = ['zh-CN', 'en'];

/** Builds a Localized text: Chinese first, as the product's main audience reads it. */
export const L = (zh: string, en: string): Localized => ({ 'zh-CN': fullWidthZh(zh), en });

/** Picks the text for a language, falling back to English, then Chinese. */
export const tr = (text: Localized, lang: Lang): string => text[lang] || text.en || text['zh-CN'];

/** Joins Localized parts per language. */
export function join(parts: readonly Localized[], sep: Localized | string = ' '): Localized {
  const s = typeof sep === 'string' ? L(sep, sep) : sep;
  return L(parts.map((p) => p['zh-CN']).join(s['zh-CN']), parts.map((p) => p.en).join(s.en));
}

/** Parses a --lang value; null when it is neither language. */
export function parseLang(value: string | undefined): Lang | null {
  if (!value) return null;
  const v = value.trim().toLowerCase();
  if (v === 'zh' || v === 'zh-cn' || v === 'zh_cn' || v === 'cn') return 'zh-CN';
  if (v === 'en' || v === 'en-us' || v === 'en-gb' || v === 'en_us') return 'en';
  return null;
}

/** Language from the environment (LANG/LC_ALL): Chinese locales get zh-CN, everything else English. */
export function langFromEnv(env: NodeJS.ProcessEnv = process.env): Lang {
  const v = env.SGD_LANG || env.LC_ALL || env.LC_MESSAGES || env.LANG || '';
  return /^zh/i.test(v) ? 'zh-CN' : 'en';
}

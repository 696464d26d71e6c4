// A tiny core-side helper for Localized texts. Diagnosis data carries its text in both languages (so a
// saved session renders the same anywhere); the UI's own chrome uses i18next separately.
import type { Lang, Localized } from '../diagnosis/types';

export const LANGS: readonly Lang[] = ['zh-CN', 'en'];

// Chinese text and the characters that count as Chinese context for punctuation (ideographs, CJK
// punctuation such as 、。「」, full-width forms).
const IDEO = '\\u3400-\\u9fff\\uf900-\\ufaff';
const CJK = `${IDEO}\\u3000-\\u303f\\uff01-\\uff5e`;
// Only ideographs count next to , : ; ("listen 80;、" is a code snippet followed by a list comma).
const NEAR_CJK = new RegExp(`(?<=[${IDEO}])[,:;]|[,:;](?=[${IDEO}])`, 'g');
const WIDE: Record<string, string> = { ',': '，', ':': '：', ';': '；', '(': '（', ')': '）' };
const HAS_CJK = new RegExp(`[${CJK}]`);

/**
 * zh-CN punctuation, consistently: an ASCII , : ; next to a Chinese character becomes ，：；, and a
 * parenthesis pair becomes （） when it touches Chinese text or holds some. Code-like text that touches
 * no Chinese character (host:port, 0.0.0.0/0, "listen 80;", ecs:Describe*) is left as it is.
 */
export function fullWidthZh(text: string): string {
  if (!HAS_CJK.test(text)) return text;
  let out = text.replace(NEAR_CJK, (c) => WIDE[c]);
  // Parentheses: match pairs (innermost first), decide per pair.
  const chars = [...out];
  const stack: number[] = [];
  for (let i = 0; i < chars.length; i++) {
    if (chars[i] === '(') stack.push(i);
    else if (chars[i] === ')' && stack.length) {
      const open = stack.pop()!;
      const before = chars[open - 1] ?? '';
      const after = chars[i + 1] ?? '';
      const inside = chars.slice(open + 1, i).join('');
      const touches = HAS_CJK.test(before) || HAS_CJK.test(after) || HAS_CJK.test(inside);
      // "f(x)" in a command stays ASCII: an identifier right before the bracket, no Chinese inside or after.
      const call = /[A-Za-z0-9_$]/.test(before) && !HAS_CJK.test(inside) && !HAS_CJK.test(after);
      if (touches && !call) {
        chars[open] = WIDE['('];
        chars[i] = WIDE[')'];
      }
    }
  }
  out = chars.join('');
  return out;
}

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

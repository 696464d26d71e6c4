// zh-CN punctuation, applied where texts are built (L) and where stored texts are shown (app, reports).
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

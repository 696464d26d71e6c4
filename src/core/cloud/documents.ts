// Pasted offline input, whatever the cloud: users paste several CLI outputs one after another. Splitting the
// text into JSON documents is provider-neutral (the registry detects the provider from the parsed documents;
// each provider's importer does the rest).

/**
 * Splits pasted text into top-level JSON values: users paste several `aliyun` outputs one after another.
 * Returns each value's text and its 1-based starting line.
 */
export function splitJsonDocuments(text: string): { text: string; line: number }[] {
  const out: { text: string; line: number }[] = [];
  let depth = 0;
  let inString = false;
  let escaped = false;
  let start = -1;
  let line = 1;
  let startLine = 1;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\n') line++;
    if (inString) {
      if (escaped) escaped = false;
      else if (ch === '\\') escaped = true;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"' && depth > 0) {
      inString = true;
    } else if (ch === '{' || ch === '[') {
      if (depth === 0) {
        start = i;
        startLine = line;
      }
      depth++;
    } else if (ch === '}' || ch === ']') {
      depth--;
      if (depth === 0 && start >= 0) {
        out.push({ text: text.slice(start, i + 1), line: startLine });
        start = -1;
      }
    } else if (depth === 0 && !/\s/.test(ch) && start < 0) {
      // Stray text outside a document (e.g. a shell prompt): keep it so that JSON.parse reports it.
      start = i;
      startLine = line;
      let j = i;
      while (j < text.length && text[j] !== '\n' && text[j] !== '{' && text[j] !== '[') j++;
      out.push({ text: text.slice(i, j), line: startLine });
      start = -1;
      i = j - 1;
    }
  }
  if (depth !== 0 || inString) out.push({ text: text.slice(Math.max(0, start)), line: startLine });
  return out;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Every JSON value in the inputs (texts holding one or more documents, parsed objects, `{name, content}`
 * items; arrays are flattened one level, as the importers do). Text that does not parse is skipped here:
 * the importer reports it with its position.
 */
export function documentValues(inputs: readonly unknown[]): unknown[] {
  const out: unknown[] = [];
  const push = (v: unknown): void => {
    if (Array.isArray(v)) out.push(...(v as unknown[]));
    else out.push(v);
  };
  for (const x of inputs) {
    const content = isObj(x) && 'content' in x ? x.content : x;
    if (typeof content !== 'string') {
      push(content);
      continue;
    }
    for (const part of splitJsonDocuments(content)) {
      try {
        push(JSON.parse(part.text));
      } catch {
        // reported by the importer
      }
    }
  }
  return out;
}

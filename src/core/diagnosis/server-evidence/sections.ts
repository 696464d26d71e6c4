// Splits script output into its `===SGD:<name>===` sections. Text without markers (a user pasting
// plain `ss -tlnp` output) comes back as one anonymous section so every parser can still try it.
export interface Section {
  name: string;
  text: string;
  truncated: boolean;
}

export interface SplitOutput {
  delimited: boolean;
  header: { os?: string; ports?: number[]; version?: number };
  sections: Map<string, Section>;
  /** Saw `===SGD:end===`: the script ran to completion (absent when Cloud Assistant cut the output). */
  complete: boolean;
}

const MARKER = /^===SGD:([a-z0-9-]+)(?:\s+(.*?))?===\s*$/;

export function splitSections(text: string): SplitOutput {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const sections = new Map<string, Section>();
  const header: SplitOutput['header'] = {};
  let current: { name: string; lines: string[] } | null = null;
  let delimited = false;
  let complete = false;
  const close = (): void => {
    if (!current) return;
    const prev = sections.get(current.name);
    const body = current.lines.join('\n').replace(/\n+$/, '');
    sections.set(current.name, { name: current.name, text: prev ? `${prev.text}\n${body}` : body, truncated: prev?.truncated ?? false });
    current = null;
  };
  for (const line of lines) {
    const m = MARKER.exec(line.trim());
    if (!m) {
      current?.lines.push(line);
      continue;
    }
    delimited = true;
    const [, name, rest] = m;
    if (name === 'begin') {
      close();
      for (const kv of (rest ?? '').trim().split(/\s+/)) {
        const [k, v] = kv.split('=');
        if (k === 'os' && v) header.os = v;
        if (k === 'v' && v) header.version = Number(v);
        if (k === 'ports' && v) header.ports = v.split(',').map(Number).filter((n) => n > 0);
      }
    } else if (name === 'end') {
      close();
      complete = true;
    } else if (name === 'truncated') {
      const target = (rest ?? '').trim() || current?.name;
      close();
      const s = target ? sections.get(target) : undefined;
      if (s) s.truncated = true;
    } else {
      close();
      current = { name, lines: [] };
    }
  }
  close();
  if (!delimited) sections.set('raw', { name: 'raw', text: text.replace(/\r\n?/g, '\n'), truncated: false });
  return { delimited, header, sections, complete };
}

// Markdown and self-contained HTML renderings of the report document.
import type { Block, PathBlockSegment } from './model';

export function renderMarkdown(blocks: Block[]): string {
  const out: string[] = [];
  for (const b of blocks) {
    switch (b.type) {
      case 'heading':
        out.push(`${'#'.repeat(b.level)} ${b.text}`, '');
        break;
      case 'paragraph':
        out.push(mdEscapeLine(b.text), '');
        break;
      case 'list':
        out.push(...b.items.map((i) => `- ${mdEscapeLine(i)}`), '');
        break;
      case 'table':
        out.push(`| ${b.head.map(mdCell).join(' | ')} |`, `|${b.head.map(() => '---').join('|')}|`, ...b.rows.map((r) => `| ${r.map(mdCell).join(' | ')} |`), '');
        break;
      case 'code': {
        const fence = b.text.includes('```') ? '~~~~' : '```';
        out.push(`${fence}${b.lang ?? ''}`, b.text, fence, '');
        break;
      }
      case 'verdict':
        out.push(`> **${mdEscapeLine(b.label)}** — ${mdEscapeLine(b.text)}`, '');
        break;
      case 'path':
        // One line to look at, then the same segments as a table to read.
        out.push(`**${mdEscapeLine(b.caption)}**`, '', b.segments.map((s) => `${s.symbol} ${s.isBreak ? `**${mdEscapeLine(s.label)}**` : mdEscapeLine(s.label)}`).join(' → '), '');
        out.push(`| ${b.head.map(mdCell).join(' | ')} |`, `|${b.head.map(() => '---').join('|')}|`, ...b.segments.map((s, i) => `| ${i + 1} | ${mdCell(`${s.symbol} ${s.label}`)} | ${mdCell(s.statusText)} | ${mdCell(segmentFinding(s))} |`), '');
        break;
    }
  }
  return `${out.join('\n').trimEnd()}\n`;
}

const segmentFinding = (s: PathBlockSegment): string => [s.finding, s.hops].filter(Boolean).join(' · ') || '—';

const mdCell = (s: string) => mdEscapeLine(s).replace(/\|/g, '\\|').replace(/\n/g, '<br>') || ' ';
// Keep user-provided text from turning into markup (headings, HTML) in Markdown viewers.
const mdEscapeLine = (s: string) => s.replace(/</g, '&lt;').replace(/^([#>])/gm, '\\$1');

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

const CSS = `
:root{color-scheme:light dark;--fg:#1d2129;--bg:#fff;--muted:#5b6270;--line:#d9dde3;--code:#f4f6f8;--client:#b25e00;--network:#c4291d;--server:#6b3fb3;--none:#1a7f37;--inconclusive:#5b6270}
@media (prefers-color-scheme:dark){:root{--fg:#e6e8eb;--bg:#16181c;--muted:#a0a6b0;--line:#353a42;--code:#22262c}}
body{font:15px/1.55 system-ui,-apple-system,"Segoe UI","PingFang SC","Microsoft YaHei",sans-serif;color:var(--fg);background:var(--bg);max-width:1000px;margin:2rem auto;padding:0 1.25rem}
h1{font-size:1.5rem}h2{font-size:1.2rem;border-bottom:1px solid var(--line);padding-bottom:.25rem;margin-top:2rem}h3{font-size:1.02rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem;font-size:.92rem}th,td{border:1px solid var(--line);padding:.35rem .5rem;text-align:left;vertical-align:top}th{background:var(--code)}
pre{background:var(--code);padding:.75rem;border-radius:6px;overflow-x:auto;white-space:pre;overflow-wrap:normal;word-break:keep-all}code{font-family:ui-monospace,Menlo,Consolas,monospace}
.verdict{border-left:6px solid var(--inconclusive);padding:.75rem 1rem;background:var(--code);border-radius:4px}.verdict strong{display:block;font-size:1.1rem}
.verdict.client{border-color:var(--client)}.verdict.network{border-color:var(--network)}.verdict.server{border-color:var(--server)}.verdict.none{border-color:var(--none)}
figure{margin:1rem 0}.path{list-style:none;display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,6.5rem),1fr));align-items:start;gap:.4rem;padding:0;margin:.5rem 0}.path li{min-width:0;border:2px dashed var(--muted);border-radius:6px;padding:.35rem .5rem;font-size:.9rem;overflow-wrap:anywhere}
.path li.ok{border-style:solid;border-color:var(--none)}.path li.broken{border-style:solid;border-color:var(--network)}.path li.break{border-width:3px}.path .sym{font-weight:700;margin-right:.3rem}.path .ok .sym{color:var(--none)}.path .broken .sym{color:var(--network)}.path .st{display:block;color:var(--muted);font-size:.82rem}.path-find{border-left:4px solid var(--network);background:var(--code);padding:.4rem .6rem;border-radius:4px;overflow-wrap:anywhere}.path-find.conflict{border-color:var(--client)}
@media print{body{margin:0;max-width:none}pre{white-space:pre-wrap;overflow-wrap:normal;word-break:keep-all}}
`;

export function renderHtml(title: string, blocks: Block[], lang: string): string {
  const body: string[] = [];
  for (const b of blocks) {
    switch (b.type) {
      case 'heading':
        body.push(`<h${b.level}>${esc(b.text)}</h${b.level}>`);
        break;
      case 'paragraph':
        body.push(`<p>${esc(b.text)}</p>`);
        break;
      case 'list':
        body.push(`<ul>${b.items.map((i) => `<li>${esc(i)}</li>`).join('')}</ul>`);
        break;
      case 'table':
        body.push(`<table><thead><tr>${b.head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${b.rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`);
        break;
      case 'code':
        body.push(`<pre><code>${esc(b.text)}</code></pre>`);
        break;
      case 'verdict':
        body.push(`<div class="verdict ${esc(b.locus)}" role="status"><strong>${esc(b.label)}</strong>${esc(b.text)}</div>`);
        break;
      case 'path':
        // An ordered list drawn as a row: readable as text (screen readers, no CSS) and as a picture.
        body.push(
          `<figure><figcaption><strong>${esc(b.caption)}</strong></figcaption><ol class="path">${b.segments
            .map(
              (s) =>
                `<li class="${s.status}${s.isBreak ? ' break' : ''}" data-segment="${esc(s.id)}"><span class="sym" aria-hidden="true">${esc(s.symbol)}</span><strong>${esc(s.label)}</strong><span class="st">${esc(s.statusText)}</span></li>`,
            )
            .join('')}</ol>${b.segments
            .filter((s) => s.callout)
            .map((s) => `<p class="path-find${s.isBreak ? '' : ' conflict'}"><strong><span aria-hidden="true">${esc(s.symbol)} </span>${esc(s.callout!)}</strong><br>${esc(s.finding ?? '')}</p>`)
            .join('')}</figure>`,
        );
        break;
    }
  }
  // No scripts, no external resources: the file opens anywhere and can be mailed to support.
  return `<!doctype html>
<html lang="${esc(lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
${body.join('\n')}
</body>
</html>
`;
}

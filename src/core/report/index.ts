// Reports: Markdown and self-contained HTML, zh-CN or English, secrets always removed, IPs optionally masked.
import type { Diagnosis } from '../diagnosis/types';
import { buildReport, type ReportOptions } from './model';
import { renderHtml, renderMarkdown } from './render';

export type ReportFormat = 'md' | 'html';
export { buildReport, type ReportOptions, type Block } from './model';

export function renderReport(diagnosis: Diagnosis, opts: ReportOptions & { format: ReportFormat }): string {
  const { title, blocks } = buildReport(diagnosis, opts);
  return opts.format === 'html' ? renderHtml(title, blocks, opts.lang) : renderMarkdown(blocks);
}

/** Picks the format from a file name (.md/.markdown → md, .html/.htm → html). */
export function reportFormatFor(fileName: string): ReportFormat | null {
  if (/\.(md|markdown)$/i.test(fileName)) return 'md';
  if (/\.html?$/i.test(fileName)) return 'html';
  return null;
}

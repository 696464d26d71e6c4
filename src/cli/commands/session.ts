// `sg-doctor open | report | rerun FILE.sgdiag`: saved diagnoses on the command line.
import { writeFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import type { Lang } from '../../core/diagnosis/types';
import { renderReport, reportFormatFor, type ReportFormat } from '../../core/report';
import { loadSession, type LoadedSession } from '../../core/session';
import { action, fail, printJson, stdoutStyle, withUsageExitCodes } from '../format';

export async function openSessionOrFail(file: string): Promise<LoadedSession> {
  const r = await loadSession(file);
  if (!r.ok) fail(r.message);
  for (const w of r.value.warnings) process.stderr.write(`sg-doctor: ${w}\n`);
  return r.value;
}

export function defaultLang(env: NodeJS.ProcessEnv = process.env): Lang {
  const l = env.SGD_LANG ?? env.LC_ALL ?? env.LC_MESSAGES ?? env.LANG ?? '';
  return /^zh/i.test(l) ? 'zh-CN' : 'en';
}

async function reportCommand(file: string, opts: { format?: ReportFormat; lang?: Lang; maskIps: boolean; out?: string }): Promise<void> {
  const { session } = await openSessionOrFail(file);
  const format = opts.format ?? (opts.out ? reportFormatFor(opts.out) : null) ?? 'md';
  const text = renderReport(session.diagnosis, { format, lang: opts.lang ?? defaultLang(), maskIps: opts.maskIps });
  if (opts.out) {
    await writeFile(opts.out, text, 'utf8').catch((e: NodeJS.ErrnoException) => fail(`cannot write ${opts.out}: ${e.code ?? e.message}`));
    process.stderr.write(`sg-doctor: wrote ${opts.out} (${format}, ${Buffer.byteLength(text)} bytes)\n`);
  } else {
    process.stdout.write(text);
  }
}

async function openCommand(file: string, opts: { json: boolean; lang?: Lang }): Promise<void> {
  const loaded = await openSessionOrFail(file);
  if (opts.json) {
    printJson({ readOnly: loaded.readOnly, migratedFrom: loaded.migratedFrom, warnings: loaded.warnings, ...loaded.session });
    return;
  }
  const s = stdoutStyle();
  process.stdout.write(`${s.dim(`${file} · saved ${loaded.session.savedAt} · SG Doctor ${loaded.session.appVersion}${loaded.readOnly ? ' · read-only' : ''}`)}\n\n`);
  process.stdout.write(renderReport(loaded.session.diagnosis, { format: 'md', lang: opts.lang ?? defaultLang() }));
}

const langOption = () => new Option('--lang <lang>', 'language of the output').choices(['zh-CN', 'en']);

export function registerSession(program: Command): void {
  const open = new Command('open')
    .description('Show a saved diagnosis (.sgdiag): verdict, checklist and fixes.')
    .argument('<file>', 'session file')
    .addOption(langOption())
    .option('--json', 'print the session document', false)
    .action(action(openCommand));
  const report = new Command('report')
    .description('Export a saved diagnosis as a Markdown or self-contained HTML report (secrets never included).')
    .argument('<file>', 'session file')
    .addOption(new Option('--format <format>', 'report format (default: from --out, else md)').choices(['md', 'html']))
    .addOption(langOption())
    .option('--mask-ips', 'partly mask IP addresses (for a report sent to others)', false)
    .option('-o, --out <file>', 'write to a file instead of stdout')
    .action(action(reportCommand));
  for (const c of [open, report]) {
    withUsageExitCodes(c);
    program.addCommand(c);
  }
}

// `sg-doctor open | report | rerun FILE.sgdiag`: saved diagnoses on the command line.
import { Command, Option } from 'commander';
import type { Lang } from '../../core/diagnosis/types';
import { renderReport, reportFormatFor, type ReportFormat } from '../../core/report';
import { compareDiagnoses, createSession, loadSession, saveSession, type LoadedSession, type Session } from '../../core/session';
import { action, exitCodeForLocus, fail, printJson, runInterruptible, stdoutStyle, withUsageExitCodes } from '../format';

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

async function reportCommand(file: string, opts: { format?: ReportFormat; lang?: Lang; maskIps: boolean; out?: string; force?: boolean }): Promise<void> {
  const { session } = await openSessionOrFail(file);
  const format = opts.format ?? (opts.out ? reportFormatFor(opts.out) : null) ?? 'md';
  const text = renderReport(session.diagnosis, { format, lang: opts.lang ?? defaultLang(), maskIps: opts.maskIps, watch: session.watch });
  if (opts.out) {
    // Never through a planted link, never over another file unless --force (then the link itself is replaced).
    const { writeFileSafely } = await import('../../core/files');
    const written = await writeFileSafely(opts.out, text, { onExisting: opts.force ? 'replace' : 'refuse' });
    if (!written.ok) fail(written.message);
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
  const { renderDiagnosis } = await import('./diagnose');
  process.stdout.write(`${s.dim(`${file} · saved ${loaded.session.savedAt} · SG Doctor ${loaded.session.appVersion}${loaded.readOnly ? ' · read-only' : ''}`)}\n\n`);
  process.stdout.write(renderDiagnosis(loaded.session.diagnosis, opts.lang ?? defaultLang(), s));
  const w = loaded.session.watch;
  if (w) {
    const { localClock } = await import('../../core/watch-model');
    const zh = (opts.lang ?? defaultLang()) === 'zh-CN';
    process.stdout.write(`\n${s.green('✔')} ${zh ? `自 ${localClock(w.worksSince)} 起可以连通（${w.worksSince}，由本机持续探测得出，第 ${w.attempts} 次尝试）` : `Works since ${localClock(w.worksSince)} (${w.worksSince}, found by watching from this machine, attempt ${w.attempts})`}\n`);
  }
}

interface RerunOptions {
  json: boolean;
  lang?: Lang;
  save: boolean;
  saveAs?: string;
  cloud?: boolean;
  egressIpUrls?: string;
  controlHosts?: string;
  dnsServers?: string;
  ecsEndpoint?: string;
  vpcEndpoint?: string;
  config?: string;
  sourceIp?: string;
  accessKeyStdin?: boolean;
}

/** Runs the saved plan again and says what changed ("port 22 was filtered, now open; rule sgr-… added"). */
async function rerunCommand(file: string, opts: RerunOptions): Promise<void> {
  const loaded = await openSessionOrFail(file);
  if (opts.save && loaded.readOnly) fail(`${file} was written by a newer SG Doctor; use --save-as to keep the new result`);
  const before = loaded.session;
  const { buildDiagnoseRequest, oneLine, renderDiagnosis } = await import('./diagnose');
  const { DiagnoseInputError, runDiagnosis } = await import('../../core/diagnosis/run');
  const { ProbeInputError } = await import('../../core/probe/run');
  const { SERVICE_PORTS } = await import('../../core/probe/ports');
  const { composeDeps } = await import('../../core/backend/compose');
  const plan = before.plan;
  // A session made from offline JSON re-runs against the snapshot it saved: there is no API access to repeat.
  const snapshotMode = plan.cloudMode === 'snapshot' && before.diagnosis.cloud.snapshot;
  // The plan's port decides; its service is a label, passed on only when the command line knows it (a
  // label it does not know, e.g. one a newer app wrote, never stops a re-run).
  const service = plan.service && Object.hasOwn(SERVICE_PORTS, plan.service) ? plan.service : undefined;
  const { request, lang } = await buildDiagnoseRequest(`${plan.host.includes(':') ? `[${plan.host}]` : plan.host}:${plan.port}`, {
    ...(service ? { service } : {}),
    ...(plan.appProtocol ? { protocol: plan.appProtocol } : {}),
    ...(plan.provider ? { provider: plan.provider } : {}),
    ...(plan.instanceId ? { instance: plan.instanceId } : {}),
    ...(plan.region ? { region: plan.region } : {}),
    ...(plan.profile ? { profile: plan.profile } : {}),
    cloud: opts.cloud === false || plan.cloudMode === 'none' || snapshotMode ? false : undefined,
    egressIpUrls: opts.egressIpUrls,
    controlHosts: opts.controlHosts,
    dnsServers: opts.dnsServers,
    ecsEndpoint: opts.ecsEndpoint,
    vpcEndpoint: opts.vpcEndpoint,
    config: opts.config,
    sourceIp: opts.sourceIp ?? plan.sourceIp,
    ...(plan.trace ? { trace: true } : {}),
    lang: opts.lang,
    json: opts.json,
    accessKeyStdin: opts.accessKeyStdin,
  });
  const { accessKeyFromStdin } = await import('./cloud-input');
  const accessKey = opts.accessKeyStdin && request.cloud.mode === 'api' ? await accessKeyFromStdin() : undefined;
  if (snapshotMode && opts.cloud !== false) request.cloud = { mode: 'snapshot', documents: [{ name: 'saved snapshot', content: before.diagnosis.cloud.snapshot }] };

  const after = await runInterruptible(opts.json, async (signal, progress) => {
    progress.update(`re-running ${plan.host}:${plan.port}…`);
    try {
      return await runDiagnosis(request, { signal, deps: composeDeps({ credentials: accessKey }) });
    } catch (err) {
      if (err instanceof ProbeInputError) fail(err.message);
      if (err instanceof DiagnoseInputError) fail(`${file}: the saved cloud configuration cannot be used: ${oneLine(err.message)}`);
      throw err;
    }
  });
  const comparison = compareDiagnoses(before.diagnosis, after);

  let savedTo: string | null = null;
  if (opts.save || opts.saveAs) {
    const next: Session = {
      // A source IP given this time replaces the saved one (the plan stays what the user asked for last).
      ...createSession(after, opts.sourceIp ? { ...plan, sourceIp: opts.sourceIp } : plan, before),
      history: [...before.history, historyEntry(before)].slice(-20),
    };
    const target = opts.saveAs ?? file;
    const r = await saveSession(target, next);
    if (!r.ok) fail(r.message);
    savedTo = target;
  }

  if (opts.json) {
    printJson({ before: { savedAt: before.savedAt, verdict: before.diagnosis.verdict }, after, comparison, savedTo });
    process.exitCode = exitCodeForLocus(after.verdict.locus);
    return;
  }
  const s = stdoutStyle();
  process.stdout.write(renderDiagnosis(after, lang, s));
  const heading = lang === 'zh-CN' ? `与 ${before.savedAt} 保存的结果相比` : `Compared with the result saved ${before.savedAt}`;
  process.stdout.write(`\n${s.bold(heading)}\n`);
  if (comparison.same) process.stdout.write(`  ${lang === 'zh-CN' ? '没有变化' : 'nothing changed'}\n`);
  for (const c of comparison.changes) process.stdout.write(`  · ${c.text[lang]}\n`);
  if (comparison.notRechecked.length) {
    const list = comparison.notRechecked.map((n) => n.title[lang]).join(lang === 'zh-CN' ? '、' : ', ');
    process.stdout.write(`  ${s.gray(lang === 'zh-CN' ? `未重新检查（本次没有读取这些信息）：${list}` : `Not re-checked (not read this time): ${list}`)}\n`);
  }
  if (savedTo) process.stderr.write(`sg-doctor: saved ${savedTo}\n`);
  process.exitCode = exitCodeForLocus(after.verdict.locus);
}

function historyEntry(s: Session): Session['history'][number] {
  return {
    ranAt: s.diagnosis.createdAt,
    locus: s.diagnosis.verdict.locus,
    summary: s.diagnosis.verdict.summary.en,
    portStates: Object.fromEntries((s.diagnosis.probes?.tcp ?? []).map((p) => [String(p.port), p.state])),
  };
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
    .option('--force', 'replace an existing --out file', false)
    .action(action(reportCommand));
  const rerun = new Command('rerun')
    .description('Run a saved diagnosis again and show what changed since it was saved.')
    .addHelpText('after', '\nExit codes: 0 reachable, 1 a fault was located, 3 inconclusive, 2 bad input or usage, 130 interrupted.')
    .argument('<file>', 'session file')
    .addOption(langOption())
    .option('--json', 'print { before, after, comparison } as JSON', false)
    .option('--save', 'write the new result into the file (the old verdict goes to its history; a .bak is kept)', false)
    .option('--save-as <file>', 'write the new result to another file')
    .option('--no-cloud', 'do not read the cloud configuration this time')
    .option('--source-ip <ip>', 'your public IP as the server sees it')
    .option('--access-key-stdin', 'read "AccessKeyId\\nAccessKeySecret" from standard input')
    .option('--egress-ip-urls <urls>', 'URLs echoing the caller\'s IP (env SGD_EGRESS_IP_URLS)')
    .option('--control-hosts <hosts>', 'known-good host[:port] for control probes (env SGD_CONTROL_HOSTS)')
    .option('--dns-servers <servers>', 'resolvers to query directly (env SGD_DNS_SERVERS)')
    .addOption(new Option('--ecs-endpoint <host>', 'ECS API endpoint').env('SGD_ECS_ENDPOINT'))
    .addOption(new Option('--vpc-endpoint <host>', 'VPC API endpoint').env('SGD_VPC_ENDPOINT'))
    .option('--config <path>', 'config file (default ~/.config/sg-doctor/config.json)')
    .action(action(rerunCommand));
  for (const c of [open, report, rerun]) {
    withUsageExitCodes(c);
    program.addCommand(c);
  }
}

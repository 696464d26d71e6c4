// `sg-doctor fix <session file | host:port>`: the cloud fixes of a diagnosis, applied only when asked (issue 11 §2).
//   fix FILE                      dry run: each fix with the API actions it would call (nothing is sent)
//   fix HOST:PORT [--instance …]  diagnoses first (the same run as `diagnose`), saves the session (--save, else
//                                 a new file in the current folder), then the same as with that file
//   fix FILE --apply [--fix N]    shows exactly what changes (as a diff), the account and region, asks y/N on a
//                                 terminal (--yes for scripts; no terminal and no --yes → refused, exit 2),
//                                 applies, and records every change with its undo in the session file
//   fix FILE --undo               removes exactly what the last apply created (asks the same way)
// Exit codes: 0 applied / undone / nothing to do (and the dry run), 1 a write failed, 2 usage or bad input
// (including a session written by a newer SG Doctor: it is read-only and never applied from).
import { createHash, randomUUID } from 'node:crypto';
import { lstat } from 'node:fs/promises';
import { createInterface } from 'node:readline/promises';
import { Command, Option } from 'commander';
import { loadConfigFile } from '../../core/config';
import type { Lang, Localized } from '../../core/diagnosis/types';
import type { ApplyActionsOutcome, CloudAction, CloudProvider, ProviderAccessKey, ProviderId } from '../../core/cloud/provider';
import { composeDeps } from '../../core/backend/compose';
import { DiagnoseInputError, runDiagnosis } from '../../core/diagnosis/run';
import { ProbeInputError } from '../../core/probe/run';
import { createSession } from '../../core/session';
import { buildDiagnoseRequest } from './diagnose';
import { PROVIDER_IDS } from '../../core/cloud/provider';
import { providerFor } from '../../core/cloud/registry';
import { cloudActionListSchema } from '../../core/cloud/actionList';
import { loadSession, saveSession, type AppliedChangeRecord, type Session } from '../../core/session';
import { action, EXIT_CANCELLED, EXIT_FAULT, fail, printJson, runInterruptible, stdoutStyle, withUsageExitCodes, type Style } from '../format';
import { accessKeyFromStdin, validateCloudInput } from './cloud-input';
import { defaultLang } from './session';

interface FixOptions {
  apply?: boolean;
  undo?: boolean;
  yes?: boolean;
  fix?: string;
  json?: boolean;
  lang?: Lang;
  profile?: string;
  accessKeyStdin?: boolean;
  ecsEndpoint?: string;
  vpcEndpoint?: string;
  stsEndpoint?: string;
  config?: string;
  timeoutMs?: string;
  // The host:port form: what the diagnosis needs (as `diagnose` takes it).
  provider?: ProviderId;
  instance?: string;
  region?: string;
  service?: string;
  port?: string;
  sourceIp?: string;
  egressIpUrls?: string;
  controlHosts?: string;
  dnsServers?: string;
  attempts?: string;
  save?: string;
}

/** A path that exists or names a session file: a file; anything else is a host[:port] to diagnose first. */
async function isSessionFile(arg: string): Promise<boolean> {
  if (/\.sgdiag$/i.test(arg) || arg.includes('/') || arg.includes('\\')) return true;
  return (await lstat(arg).catch(() => null)) !== null;
}

/**
 * `fix host:port`: the diagnosis first (probes + the cloud read, as `diagnose` runs them), saved as a session
 * so that the record of an apply and its undo are kept; then the fixes of that session.
 */
async function diagnoseFirst(target: string, opts: FixOptions, lang: Lang): Promise<{ file: string; accessKey?: ProviderAccessKey }> {
  const t = (zh: string, en: string): string => (lang === 'zh-CN' ? zh : en);
  const { request } = await buildDiagnoseRequest(target, {
    lang,
    json: opts.json,
    ...(opts.port ? { port: opts.port } : {}),
    ...(opts.service ? { service: opts.service } : {}),
    ...(opts.provider ? { provider: opts.provider } : {}),
    ...(opts.instance ? { instance: opts.instance } : {}),
    ...(opts.region ? { region: opts.region } : {}),
    ...(opts.profile ? { profile: opts.profile } : {}),
    ...(opts.sourceIp ? { sourceIp: opts.sourceIp } : {}),
    ...(opts.egressIpUrls !== undefined ? { egressIpUrls: opts.egressIpUrls } : {}),
    ...(opts.controlHosts !== undefined ? { controlHosts: opts.controlHosts } : {}),
    ...(opts.dnsServers !== undefined ? { dnsServers: opts.dnsServers } : {}),
    ...(opts.attempts ? { attempts: opts.attempts } : {}),
    ...(opts.config ? { config: opts.config } : {}),
    ...(opts.ecsEndpoint ? { ecsEndpoint: opts.ecsEndpoint } : {}),
    ...(opts.vpcEndpoint ? { vpcEndpoint: opts.vpcEndpoint } : {}),
    ...(opts.accessKeyStdin ? { accessKeyStdin: true } : {}),
  });
  const typedKey = opts.accessKeyStdin ? await accessKeyFromStdin() : undefined;
  const d = await runInterruptible(opts.json === true, async (signal, progress) => {
    progress.update(t('正在诊断…', 'diagnosing…'));
    try {
      return await runDiagnosis(request, { signal, deps: composeDeps(typedKey ? { credentials: typedKey } : {}) });
    } catch (err) {
      if (err instanceof ProbeInputError || err instanceof DiagnoseInputError) fail(err.message);
      throw err;
    }
  });
  const cloud = request.cloud;
  const plan = {
    host: d.target.host,
    port: d.target.port,
    protocol: d.target.protocol,
    ...(d.target.service ? { service: d.target.service } : {}),
    ...(d.target.instanceId ? { instanceId: d.target.instanceId } : {}),
    ...(d.cloud.snapshot ? { provider: d.cloud.snapshot.provider } : {}),
    ...(cloud.mode === 'api' && cloud.region ? { region: cloud.region } : {}),
    ...(cloud.mode === 'api' && cloud.profile ? { profile: cloud.profile } : {}),
    ...(request.sourceIp ? { sourceIp: request.sourceIp } : {}),
    cloudMode: cloud.mode,
  };
  const stamp = new Date().toISOString().replace(/\.\d+Z$/, '').replace(/[-:]/g, '').replace('T', '-');
  const file = opts.save ?? `sg-doctor-${d.target.host.replace(/[^A-Za-z0-9.-]+/g, '-')}-${d.target.port}-${stamp}.sgdiag`;
  const saved = await saveSession(file, createSession(d, plan));
  if (!saved.ok) fail(t(`无法保存会话文件：${saved.message}`, `could not save the session file: ${saved.message}`));
  process.stderr.write(`${t('诊断：', 'Diagnosis: ')}${d.verdict.summary[lang]}\n${t(`已保存到 ${file}`, `saved to ${file}`)}\n`);
  return { file, ...(typedKey ? { accessKey: typedKey } : {}) };
}

/** One fix of the session that carries cloud actions. */
export interface ActionableFix {
  n: number;
  checkId: string;
  checkStatus: string;
  title: Localized;
  actions: CloudAction[];
  simulated: unknown;
}

/** The fixes with valid `actions`, failing checks first (the order the checklist shows them), numbered from 1. */
export function actionableFixes(session: Session): ActionableFix[] {
  const rank: Record<string, number> = { fail: 0, warn: 1, unknown: 2, pass: 3, skipped: 4 };
  const checks = [...session.diagnosis.checks].sort((a, b) => (rank[a.status] ?? 5) - (rank[b.status] ?? 5));
  const out: ActionableFix[] = [];
  for (const c of checks) {
    for (const f of c.fixes) {
      const raw = (f as { actions?: unknown }).actions;
      if (raw === undefined) continue;
      const parsed = cloudActionListSchema.safeParse(raw);
      if (!parsed.success) continue;
      out.push({ n: out.length + 1, checkId: c.id, checkStatus: c.status, title: f.title, actions: parsed.data, simulated: (f as { simulated?: unknown }).simulated ?? null });
    }
  }
  return out;
}

const keyOf = (kind: string, actions: readonly CloudAction[]): string => `${kind}:${createHash('sha256').update(JSON.stringify(actions)).digest('hex').slice(0, 32)}`;

/** Each action and what it changes, as the provider's port describes it (its parameters when it cannot). */
function diffLines(actions: readonly CloudAction[], provider: CloudProvider | null, session: Session): string[] {
  const described = provider?.apply?.describeActions(actions, { snapshot: session.diagnosis.cloud.snapshot, applied: session.applied ?? [] }) ?? actions.map((a) => [JSON.stringify(a.params)]);
  return actions.flatMap((a, i) => [`  ${i + 1}. ${a.api}`, ...described[i].map((l) => `     ${l}`)]);
}

const kebab = (k: string): string => k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

function colourDiff(line: string, s: Style): string {
  const t = line.trimStart();
  return t.startsWith('+ ') ? s.green(line) : t.startsWith('- ') ? s.red(line) : t.startsWith('~ ') ? s.yellow(line) : line;
}

async function ask(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(question);
    return /^(y|yes|是|好)$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

async function fixCommand(arg: string, opts: FixOptions): Promise<void> {
  const lang = opts.lang ?? defaultLang();
  const t = (zh: string, en: string): string => (lang === 'zh-CN' ? zh : en);
  const diagnoseOnly = ['provider', 'instance', 'region', 'service', 'port', 'sourceIp', 'egressIpUrls', 'controlHosts', 'dnsServers', 'attempts', 'save'] as const;
  const targetForm = !(await isSessionFile(arg));
  if (!targetForm) {
    const given = diagnoseOnly.find((k) => opts[k] !== undefined);
    if (given) fail(t(`--${kebab(given)} 只用于 host:port 形式（先诊断）`, `--${kebab(given)} goes with the host:port form (diagnose first)`));
  }
  const s = stdoutStyle();
  if (opts.apply && opts.undo) fail(t('--apply 和 --undo 只能选一个', 'give either --apply or --undo, not both'));
  if (opts.fix !== undefined && !opts.apply) fail(t('--fix 只和 --apply 一起使用', '--fix goes with --apply'));
  if (opts.yes && !opts.apply && !opts.undo) fail(t('--yes 只和 --apply 或 --undo 一起使用', '--yes goes with --apply or --undo'));

  if (opts.undo && targetForm) fail(t('--undo 需要会话文件（执行修复时保存的那个）', '--undo needs the session file (the one the apply was recorded in)'));
  // Asked before the probes, not after them: without a terminal to confirm on, --yes is needed.
  if (targetForm && opts.apply && !opts.yes && (!process.stdin.isTTY || !process.stderr.isTTY || opts.accessKeyStdin)) {
    fail(t('没有可以确认的终端：加 --yes 再运行（用于脚本）', 'no terminal to confirm on: run again with --yes (for scripts)'));
  }
  const first = targetForm ? await diagnoseFirst(arg, opts, lang) : null;
  const file = first?.file ?? arg;
  const r = await loadSession(file);
  if (!r.ok) fail(r.message);
  const { session, readOnly } = r.value;
  for (const w of r.value.warnings) process.stderr.write(`sg-doctor: ${w}\n`);
  const fixes = actionableFixes(session);
  const snapshot = session.diagnosis.cloud.snapshot as { provider?: string; region?: string; account?: { accountId?: string } } | null;
  const provider = snapshot?.provider ?? 'alicloud';
  // The snapshot's provider through the port (null: a cloud this version does not know).
  const port = (PROVIDER_IDS as readonly string[]).includes(provider) ? providerFor(provider as ProviderId) : null;
  const region = snapshot?.region ?? null;
  const accountId = snapshot?.account?.accountId ?? null;
  // Rule ids in a diff are shown with what they stand for: the diagnosis' snapshot, or a rule an apply created.
  const lookup = { provider: port, session };
  const where = `${t('账号', 'account')} ${accountId ?? t('未知', 'unknown')} · ${t('地域', 'region')} ${region ?? t('未知', 'unknown')}`;

  // ---- dry run -----------------------------------------------------------------------------------------
  if (!opts.apply && !opts.undo) {
    if (opts.json) return printJson({ file, readOnly, provider, region, accountId, fixes: fixes.map((f) => ({ ...f, diff: diffLines(f.actions, lookup.provider, lookup.session).map((l) => l.trim()) })), applied: session.applied ?? [] });
    if (!fixes.length) {
      process.stdout.write(`${t('这个诊断里没有可以通过云 API 执行的修复。', 'This diagnosis has no fix that can be applied through the cloud API.')}\n`);
      return;
    }
    process.stdout.write(`${s.bold(t(`可执行的修复（${where}；这只是预览，没有发送任何请求）`, `Fixes that can be applied (${where}; a dry run: nothing is sent)`))}\n`);
    for (const f of fixes) {
      const sim = (f.simulated as { decision?: string } | null)?.decision;
      const detail = `${f.checkId}${sim ? t(`；模拟结果：${sim}`, `; simulated: ${sim}`) : ''}`;
      process.stdout.write(`\n[${f.n}] ${f.title[lang]}${s.dim(t(`（${detail}）`, ` (${detail})`))}\n`);
      for (const l of diffLines(f.actions, lookup.provider, lookup.session)) process.stdout.write(`${colourDiff(l, s)}\n`);
    }
    process.stdout.write(`\n${s.dim(t(`执行：sg-doctor fix ${file} --apply --fix N；撤销：sg-doctor fix ${file} --undo`, `Apply: sg-doctor fix ${file} --apply --fix N; undo: sg-doctor fix ${file} --undo`))}\n`);
    return;
  }

  // ---- apply / undo: guards --------------------------------------------------------------------------------
  if (readOnly) fail(t(`${file} 由更新版本的 SG Doctor 写入，只能只读打开：不会从它执行或撤销任何更改`, `${file} was written by a newer SG Doctor and is read-only here: nothing is applied or undone from it`));
  const writer = port?.apply;
  if (!writer) {
    const name = port ? port.name[lang] : provider;
    fail(t(`在${name}上还不能由 SG Doctor 直接执行修复：请复制上面的命令，或在控制台中修改`, `applying fixes is not available for ${name} yet: copy the commands shown above, or make the change in the console`));
  }
  if (!region) fail(t('这个诊断没有读取云配置（不知道地域），无法执行修复', 'this diagnosis holds no cloud configuration (no region): nothing to apply to'));

  let actions: CloudAction[];
  let heading: string;
  let batch: string;
  let undoOf: AppliedChangeRecord[] = [];
  let fix: ActionableFix | null = null;
  if (opts.apply) {
    if (!fixes.length) {
      process.stdout.write(`${t('这个诊断里没有可以通过云 API 执行的修复，没有要做的。', 'This diagnosis has no fix that can be applied through the cloud API; nothing to do.')}\n`);
      return;
    }
    const n = opts.fix === undefined ? 1 : Number(opts.fix);
    if (!Number.isInteger(n) || n < 1 || n > fixes.length) fail(t(`--fix 应为 1 到 ${fixes.length} 之间的整数`, `--fix must be a whole number from 1 to ${fixes.length}`));
    fix = fixes[n - 1];
    const decision = (fix.simulated as { decision?: unknown } | null)?.decision;
    if (decision !== undefined && decision !== 'allow') {
      fail(t(`修复 [${fix.n}] 在配置上模拟后没有放行这条连接（${String(decision)}），不会执行它`, `fix [${fix.n}] did not make the flow allowed when simulated on the configuration (${String(decision)}); it is not applied`));
    }
    actions = fix.actions;
    batch = randomUUID();
    heading = t(`将执行修复 [${fix.n}]：${fix.title[lang]}`, `About to apply fix [${fix.n}]: ${fix.title[lang]}`);
  } else {
    const records = session.applied ?? [];
    const open = records.filter((x) => x.changed && !x.undoneAt && x.undo.length);
    if (!open.length) {
      process.stdout.write(`${t('没有可以撤销的更改。', 'There is no applied change to undo.')}\n`);
      const kept = records.filter((x) => x.changed && !x.undoneAt && !x.undo.length);
      for (const k of kept) process.stdout.write(`  · ${k.note[lang]}${k.undoNote ? `${t('：', ': ')}${k.undoNote[lang]}` : ''}\n`);
      return;
    }
    batch = open[open.length - 1].batch;
    undoOf = open.filter((x) => x.batch === batch).reverse();
    actions = undoOf.flatMap((x) => x.undo);
    heading = t(`将撤销 ${undoOf[0].at} 的更改：${undoOf[0].fix.title[lang]}`, `About to undo the change of ${undoOf[0].at}: ${undoOf[0].fix.title.en}`);
  }

  process.stdout.write(`${s.bold(heading)}\n${where}\n`);
  for (const l of diffLines(actions, lookup.provider, lookup.session)) process.stdout.write(`${colourDiff(l, s)}\n`);

  // ---- confirmation: asked after the account check, before the first write ------------------------------------
  if (!opts.yes && (!process.stdin.isTTY || !process.stderr.isTTY || opts.accessKeyStdin)) {
    fail(t('没有可以确认的终端：确认上面的更改后加 --yes 再运行（用于脚本）', 'no terminal to confirm on: check the change above and run again with --yes (for scripts)'));
  }
  let declined = false;
  const confirm = opts.yes
    ? undefined
    : async (): Promise<boolean> => {
        declined = !(await ask(t('执行这些更改？[y/N] ', 'Make these changes? [y/N] ')));
        return !declined;
      };

  // ---- credentials and endpoints --------------------------------------------------------------------------------
  const cfg = await loadConfigFile({ path: opts.config });
  if (!cfg.ok) fail(cfg.message);
  const resolved = port!.endpoints?.({ flags: { ecs: opts.ecsEndpoint, vpc: opts.vpcEndpoint, sts: opts.stsEndpoint }, file: cfg.value.config }) ?? { ok: true as const, value: undefined };
  if (!resolved.ok) fail(resolved.message);
  const endpoints = resolved.value;
  const profile = opts.profile ?? session.plan.profile;
  validateCloudInput({ provider: port!.id, region, profile, endpoints, accessKey: opts.accessKeyStdin }, { region: t('诊断的地域', 'the diagnosis region'), profile: opts.profile ? '--profile' : t('诊断保存的配置名', 'the saved profile') });
  const accessKey = first?.accessKey ?? (opts.accessKeyStdin ? await accessKeyFromStdin() : undefined);
  // Checked before the session file is touched: no credentials → nothing recorded, nothing sent.
  const source = port!.credentialSource?.({ ...(accessKey ? { credentials: accessKey } : {}), ...(profile ? { profile } : {}), env: process.env });
  if (source && !source.ok) fail(source.message);
  const timeoutMs = opts.timeoutMs === undefined ? undefined : Number(opts.timeoutMs);
  if (timeoutMs !== undefined && (!Number.isInteger(timeoutMs) || timeoutMs < 100 || timeoutMs > 120_000)) fail('--timeout-ms must be a whole number from 100 to 120000');

  // ---- ClientTokens kept in the session before the first write (a retry reuses them) --------------------------
  const key = keyOf(opts.apply ? 'apply' : `undo-${batch}`, actions);
  const tokens = session.pendingApply?.key === key && session.pendingApply.tokens.length === actions.length ? session.pendingApply.tokens : actions.map(() => randomUUID());
  const pending: Session = { ...session, pendingApply: { key, tokens, startedAt: new Date().toISOString() } };
  const saved = await saveSession(file, pending);
  if (!saved.ok) fail(t(`无法写入会话文件，没有做任何更改：${saved.message}`, `could not write the session file, nothing was changed: ${saved.message}`));

  const result = await runInterruptible(opts.json === true, (signal, progress) =>
    writer!.applyActions(actions, {
      region,
      ...(accessKey ? { credentials: accessKey } : {}),
      ...(profile ? { profile } : {}),
      env: process.env,
      endpoints,
      signal,
      ...(confirm ? { confirm } : {}),
      expectAccountId: accountId,
      clientTokens: tokens,
      ...(timeoutMs ? { timeoutMs } : {}),
      log: (l) => progress.update(l),
    }),
  );
  if (!result.ok) fail(result.refused[lang]);
  const outcome: ApplyActionsOutcome = result.outcome;

  if (declined) {
    await saveSession(file, { ...session, pendingApply: session.pendingApply ?? null });
    process.stdout.write(`${t('没有做任何更改。', 'Nothing was changed.')}\n`);
    return;
  }

  // ---- the record ----------------------------------------------------------------------------------------------
  const now = new Date().toISOString();
  let applied = [...(session.applied ?? [])];
  if (opts.apply) {
    applied.push(
      ...outcome.applied.map((c) => ({
        ...c,
        created: c.created as Record<string, unknown>,
        batch,
        provider: port!.id,
        fix: { checkId: fix!.checkId, title: fix!.title },
        accountId,
        region,
      })),
    );
  } else {
    // Each record's undo actions were sent in order: a record is undone when all of its actions went through.
    let k = 0;
    const undone = new Map<AppliedChangeRecord, string[]>();
    for (const rec of undoOf) {
      const results = outcome.applied.slice(k, k + rec.undo.length);
      k += rec.undo.length;
      if (results.length === rec.undo.length) undone.set(rec, results.map((x) => x.requestId).filter((x): x is string => x !== null));
    }
    applied = applied.map((rec) => (undone.has(rec) ? { ...rec, undoneAt: now, undoRequestIds: undone.get(rec)! } : rec));
  }
  const next: Session = { ...session, applied, pendingApply: outcome.failure ? pending.pendingApply : null };
  const written = await saveSession(file, next);

  if (opts.json) {
    printJson({ file, mode: opts.apply ? 'apply' : 'undo', region, accountId, applied: outcome.applied, failure: outcome.failure, notSent: outcome.notSent, recorded: written.ok });
  } else {
    for (const c of outcome.applied) process.stdout.write(`${c.changed ? s.green('✓') : s.dim('=')} ${c.note[lang]}${c.requestId ? s.dim(` [RequestId ${c.requestId}]`) : ''}\n`);
    for (const c of outcome.applied) if (c.undoNote && opts.apply) process.stdout.write(`  ${s.yellow('!')} ${c.undoNote[lang]}\n`);
    if (outcome.failure) {
      process.stderr.write(`sg-doctor: ${outcome.failure.message[lang]}\n`);
      if (outcome.failure.requestId) process.stderr.write(`sg-doctor: RequestId ${outcome.failure.requestId}\n`);
      if (outcome.failure.api === actions[outcome.failure.index]?.api) {
        process.stderr.write(
          `sg-doctor: ${t(`已执行 ${outcome.applied.length} 步，失败于第 ${outcome.failure.index + 1} 步，其后 ${outcome.notSent} 步未发送`, `${outcome.applied.length} step(s) applied, step ${outcome.failure.index + 1} failed, ${outcome.notSent} not sent`)}\n`,
        );
      }
    } else if (opts.apply) {
      process.stdout.write(`${s.dim(t(`已记录到 ${file}；撤销：sg-doctor fix ${file} --undo`, `Recorded in ${file}; undo with: sg-doctor fix ${file} --undo`))}\n`);
    }
  }
  if (!written.ok) {
    // The cloud changed but the record could not be written: print the undo so that it is not lost.
    process.stderr.write(`sg-doctor: ${t('更改已执行，但无法写入会话文件', 'the change was made but the session file could not be written')}: ${written.message}\n`);
    process.stderr.write(`${JSON.stringify(outcome.applied.map((c) => ({ at: c.at, api: c.api, created: c.created, undo: c.undo })), null, 2)}\n`);
    process.exitCode = EXIT_FAULT;
    return;
  }
  if (outcome.failure) process.exitCode = EXIT_FAULT;
  else if (outcome.notSent > 0) {
    // Cancelled (Ctrl-C) between two actions: what was applied is recorded above.
    process.stderr.write(`sg-doctor: ${t(`已取消：${outcome.notSent} 步未发送`, `cancelled: ${outcome.notSent} step(s) not sent`)}\n`);
    process.exitCode = EXIT_CANCELLED;
  }
}

export function registerFix(program: Command): void {
  const cmd = new Command('fix')
    .description('Show the cloud fixes of a saved diagnosis; apply one (--apply, asks first) or undo the last one (--undo).')
    .addHelpText(
      'after',
      '\nApplying needs the write policy (Alibaba Cloud: sg-doctor cloud policy --write; Huawei Cloud: sg-doctor cloud policy --provider huawei --write); reading stays read-only.\nExit codes: 0 applied, undone or nothing to do, 1 a write failed, 2 bad input or usage (also: no terminal to confirm on and no --yes).',
    )
    .argument('<file|host:port>', 'session file (.sgdiag) saved by diagnose --save or the app, or a host[:port] to diagnose first')
    .option('--apply', 'apply a fix (shows the change, the account and the region, and asks y/N)', false)
    .option('--undo', 'undo the last applied fix (removes exactly what it created)', false)
    .option('--yes', 'do not ask (for scripts)', false)
    .option('--fix <n>', 'which fix to apply (the number the dry run shows; default 1)')
    .option('--json', 'print JSON', false)
    .addOption(new Option('--lang <lang>', 'language of the output').choices(['zh-CN', 'en']))
    .option('--profile <name>', 'cloud CLI profile: aliyun, or KooCLI for Huawei Cloud (default: the one the diagnosis used)')
    .option('--access-key-stdin', 'read "AccessKeyId\\nAccessKeySecret" from standard input (needs --yes)')
    .addOption(new Option('--ecs-endpoint <host>', 'ECS API endpoint').env('SGD_ECS_ENDPOINT'))
    .addOption(new Option('--vpc-endpoint <host>', 'VPC API endpoint').env('SGD_VPC_ENDPOINT'))
    .addOption(new Option('--sts-endpoint <host>', 'STS API endpoint').env('SGD_STS_ENDPOINT'))
    .option('--config <path>', 'config file (default ~/.config/sg-doctor/config.json)')
    .option('--timeout-ms <ms>', 'per-call timeout')
    // host:port form: the diagnosis first, as `diagnose` takes it.
    .addOption(new Option('--provider <cloud>', 'host:port form: the cloud, alicloud or huawei (default alicloud)').choices([...PROVIDER_IDS]))
    .option('--instance <id>', 'host:port form: the instance id (else looked up by address)')
    .option('--region <id>', 'host:port form: the region to search first')
    .option('-s, --service <name>', 'host:port form: service preset (ssh, rdp, http, …)')
    .option('-p, --port <n>', 'host:port form: the TCP port (default: the service\'s port, else 22)')
    .option('--source-ip <ip>', 'host:port form: your public IP as the server sees it')
    .option('--egress-ip-urls <urls>', 'host:port form: URLs echoing the caller\'s IP ("" = none)')
    .option('--control-hosts <hosts>', 'host:port form: known-good hosts for control probes ("" = none)')
    .option('--dns-servers <servers>', 'host:port form: resolvers to query directly')
    .option('-a, --attempts <n>', 'host:port form: connect attempts')
    .option('--save <file.sgdiag>', 'host:port form: where to save the session (default: a new file in the current folder)')
    .action(action(fixCommand));
  withUsageExitCodes(cmd);
  program.addCommand(cmd);
}

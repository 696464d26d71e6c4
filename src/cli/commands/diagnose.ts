// `sg-doctor diagnose <host>[:port]`: probes + cloud configuration + (optional) server evidence → the
// layered checklist and a verdict naming where the fault is. Human output: verdict at the top, then the
// client / network / server layers, then the fixes; --json prints the Diagnosis document.
// Exit codes: 0 reachable (locus none), 1 a fault located (client, network or server), 3 inconclusive,
// 2 bad input or usage, 130 cancelled, 70 internal error; the same with and without --json.
import { lstat } from 'node:fs/promises';
import { readLimitedText, writeFileSafely } from '../../core/files';
import { MAX_SERVER_EVIDENCE_CHARS, MAX_SNAPSHOT_CHARS } from '../../core/limits';
import { basename } from 'node:path';
import { Command, Option } from 'commander';
import { loadConfigFile } from '../../core/config';
import { isCloudId } from '../../core/cloud/ids';
import { PROVIDER_IDS, type ProviderId } from '../../core/cloud/provider';
import { DEFAULT_PROVIDER } from '../../core/cloud/registry';
import { composeDeps } from '../../core/backend/compose';
import { cloudFixList } from '../../core/diagnosis/fixes';
import { DiagnoseInputError, runDiagnosis, type CloudRequest, type DiagnoseDeps, type DiagnoseRequest, type ServerRequest } from '../../core/diagnosis/run';
import { evidenceScript } from '../../core/diagnosis/server-evidence/scripts';
import type { Check, CheckStatus, Diagnosis, DiagnosisEvent, Lang, Layer } from '../../core/diagnosis/types';
import { langFromEnv, parseLang, tr } from '../../core/i18n';
import { parseIp } from '../../core/rules/cidr';
import { APP_PROTOCOLS, parseAppProtocol, type AppProtocol } from '../../core/probe/app-protocol';
import { SERVICE_PORTS } from '../../core/probe/ports';
import { ProbeInputError } from '../../core/probe/run';
import type { ProbeEvent } from '../../core/probe/types';
import { action, exitCodeForLocus, fail, printJson, runInterruptible, stdoutStyle, withUsageExitCodes, type Style } from '../format';
import { buildProbeRequest, traceFromOptions, type ProbeCliOptions } from './probe';
import { renderTrace, traceHopProgress } from '../format/trace';
import { accessKeyFromStdin, cloudEndpoints, validateCloudInput } from './cloud-input';

export interface DiagnoseCliOptions extends Pick<ProbeCliOptions, 'icmp' | 'icmpMethod' | 'attempts' | 'timeoutMs' | 'timing' | 'egressIpUrls' | 'controlHosts' | 'dnsServers' | 'config' | 'expectIp' | 'trace' | 'traceTimeoutMs' | 'ownNetwork'> {
  port?: string;
  service?: string;
  /** Application protocol of the port (http, https, ssh, rdp, mysql, postgresql, redis, smtp, other). */
  protocol?: string;
  /** The cloud (default: recognised from --snapshot documents, else Alibaba Cloud). */
  provider?: ProviderId;
  instance?: string;
  profile?: string;
  region?: string;
  snapshot?: string[];
  cloud?: boolean; // --no-cloud
  serverEvidence?: string;
  cloudAssistant?: boolean;
  sourceIp?: string;
  ecsEndpoint?: string;
  vpcEndpoint?: string;
  lang?: string;
  json?: boolean;
  save?: string;
  report?: string;
  maskIps?: boolean;
  accessKeyStdin?: boolean;
  force?: boolean;
}

/** "host", "host:22", "1.2.3.4:22", "[2001:db8::1]:22", "2001:db8::1" → host and optional port. */
export function splitHostPort(input: string): { host: string; port?: number } {
  const s = input.trim();
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(s);
  if (bracket) return { host: bracket[1], port: bracket[2] ? Number(bracket[2]) : undefined };
  if (parseIp(s)) return { host: s }; // bare IPv4 or IPv6
  const m = /^([^:]+):(\d+)$/.exec(s);
  if (m) return { host: m[1], port: Number(m[2]) };
  return { host: s };
}

/** Pure: target port and service from the positional argument and the flags. */
export function resolvePort(positional: number | undefined, flag: string | undefined, service: string | undefined): { port: number; service?: string } {
  let fromFlag: number | undefined;
  if (flag !== undefined) {
    if (!/^\d+$/.test(flag.trim())) fail(`--port must be a number from 1 to 65535 (got "${flag}")`);
    fromFlag = Number(flag);
  }
  let fromService: number | undefined;
  const svc = service?.trim().toLowerCase();
  if (svc) {
    const ports = SERVICE_PORTS[svc];
    if (!ports) fail(`--service: unknown service "${service}" (known: ${Object.keys(SERVICE_PORTS).join(', ')})`);
    fromService = ports[0];
  }
  if (positional !== undefined && fromFlag !== undefined && positional !== fromFlag) fail(`the port is given twice (${positional} and --port ${fromFlag})`);
  const port = positional ?? fromFlag ?? fromService ?? 22;
  if (!Number.isInteger(port) || port < 1 || port > 65535) fail(`port must be from 1 to 65535 (got ${port})`);
  const name = svc ?? Object.entries(SERVICE_PORTS).find(([n, ps]) => n !== 'web' && ps.length === 1 && ps[0] === port)?.[0];
  return name ? { port, service: name } : { port };
}

/** The service preset whose port a protocol brings when no port is given. */
const PROTOCOL_SERVICE: Partial<Record<AppProtocol, string>> = {
  http: 'http',
  https: 'https',
  ssh: 'ssh',
  rdp: 'rdp',
  mysql: 'mysql',
  postgresql: 'postgres',
  redis: 'redis',
  smtp: 'smtp',
};

/** Pure: `--protocol` → the application protocol; an unknown name is a usage error listing the accepted ones. */
export function protocolOption(value: string | undefined): AppProtocol | undefined {
  if (value === undefined) return undefined;
  const p = parseAppProtocol(value);
  if (!p) fail(`--protocol: unknown protocol "${value}" (accepted: ${APP_PROTOCOLS.join(', ')})`);
  return p;
}

// ---- human output -------------------------------------------------------------------------------------

const ICON: Record<CheckStatus, string> = { pass: '✔', fail: '✘', warn: '!', unknown: '?', skipped: '–' };

function icon(s: CheckStatus, st: Style): string {
  const i = ICON[s];
  return s === 'pass' ? st.green(i) : s === 'fail' ? st.red(i) : s === 'warn' ? st.yellow(i) : s === 'unknown' ? st.gray(i) : st.dim(i);
}

const LAYER_TITLE: Record<Layer, { 'zh-CN': string; en: string }> = {
  client: { 'zh-CN': '客户端(你这一侧)', en: 'Client (your side)' },
  network: { 'zh-CN': '网络(云上:实例、公网地址、ACL、安全组)', en: 'Network (cloud: instance, public address, ACL, security groups)' },
  server: { 'zh-CN': '服务器(实例内部)', en: 'Server (inside the instance)' },
};

const LOCUS: Record<string, { 'zh-CN': string; en: string }> = {
  client: { 'zh-CN': '客户端', en: 'CLIENT' },
  network: { 'zh-CN': '网络/云配置', en: 'NETWORK' },
  server: { 'zh-CN': '服务器', en: 'SERVER' },
  none: { 'zh-CN': '无故障', en: 'NONE (works)' },
  inconclusive: { 'zh-CN': '无法确定', en: 'INCONCLUSIVE' },
};

const T = {
  verdict: { 'zh-CN': '结论', en: 'Verdict' },
  confidence: { 'zh-CN': '置信度', en: 'confidence' },
  blocking: { 'zh-CN': '阻断项', en: 'Blocking' },
  fixes: { 'zh-CN': '修复建议', en: 'Fixes' },
  noFixes: { 'zh-CN': '无需修复', en: 'Nothing to fix' },
  notes: { 'zh-CN': '备注', en: 'Notes' },
};

export function renderDiagnosis(d: Diagnosis, lang: Lang, st: Style, opts: { all?: boolean } = {}): string {
  const out: string[] = [];
  const t = (l: { 'zh-CN': string; en: string }): string => tr(l, lang);
  const v = d.verdict;
  out.push(st.bold(`SG Doctor — ${d.target.host}:${d.target.port}/${d.target.protocol}${d.target.service || d.target.appProtocol ? ` (${d.target.service ?? d.target.appProtocol})` : ''}${d.target.instanceId ? ` ${d.target.instanceId}` : ''}`));
  out.push('');
  const locusText = t(LOCUS[v.locus]);
  const colour = v.locus === 'none' ? st.green : v.locus === 'inconclusive' ? st.yellow : st.red;
  const conf = lang === 'zh-CN' ? { high: '高', medium: '中', low: '低' }[v.confidence] : v.confidence;
  out.push(`${st.bold(t(T.verdict))}: ${colour(st.bold(locusText))} — ${t(v.summary)}  ${st.gray(`[${t(T.confidence)} ${conf}, ${v.ruleId}]`)}`);
  for (const r of v.reasoning) out.push(`  · ${t(r)}`);
  if (v.blockingCheckIds.length) out.push(`  ${t(T.blocking)}: ${v.blockingCheckIds.join(', ')}`);
  for (const layer of ['client', 'network', 'server'] as const) {
    const checks = d.checks.filter((c) => c.layer === layer && (opts.all || c.status !== 'skipped'));
    if (!checks.length) continue;
    out.push('');
    out.push(st.bold(t(LAYER_TITLE[layer])));
    for (const c of checks) {
      const head = `  ${icon(c.status, st)} ${c.id.padEnd(26)} ${t(c.title)}`;
      out.push(c.status === 'fail' ? st.bold(head) : head);
      out.push(`      ${st.dim(t(c.finding))}`);
    }
  }
  const withFixes = orderForFixes(d.checks, v.blockingCheckIds).filter((c) => (c.status === 'fail' || c.status === 'warn') && c.fixes.length);
  out.push('');
  out.push(st.bold(t(T.fixes)));
  if (!withFixes.length) out.push(`  ${t(T.noFixes)}`);
  for (const c of withFixes) {
    out.push(`  ${icon(c.status, st)} ${st.bold(c.id)}`);
    for (const f of c.fixes) {
      out.push(`    - ${t(f.title)}${f.platform ? st.gray(` [${f.platform}]`) : ''}`);
      if (f.url) out.push(`      ${st.cyan(f.url)}`);
      if (f.command) for (const line of f.command.split('\n')) out.push(`      ${st.cyan(line)}`);
    }
  }
  if (d.notes) {
    out.push('');
    out.push(st.bold(t(T.notes)));
    for (const n of d.notes.split('\n')) out.push(`  ${n}`);
  }
  return `${out.join('\n')}\n`;
}

function orderForFixes(checks: Check[], blocking: string[]): Check[] {
  const first = blocking.map((id) => checks.find((c) => c.id === id)).filter((c): c is Check => !!c);
  return [...first, ...checks.filter((c) => !blocking.includes(c.id))];
}

function progressText(e: DiagnosisEvent | ProbeEvent): string | null {
  if (e.type === 'stage') {
    const label = { probe: 'probing', cloud: 'reading the cloud configuration', rules: 'evaluating rules', server: 'collecting server evidence', verdict: 'deciding' }[e.stage];
    return e.status === 'start' ? `${label}…` : e.status === 'error' ? `${label}: ${e.message ?? 'failed'}` : null;
  }
  if (e.type === 'tcp-port') return `probing TCP ${e.fact.address}:${e.fact.port} → ${e.fact.state}`;
  if (e.type === 'trace' && e.status === 'start') return 'tracing the path…';
  if (e.type === 'trace-hop') return traceHopProgress(e.hop);
  if (e.type === 'checks') {
    const failed = e.checks.filter((c) => c.status === 'fail').map((c) => c.id);
    return `${e.checks.length} checks so far${failed.length ? `, failing: ${failed.join(', ')}` : ''}`;
  }
  return null;
}

// ---- command --------------------------------------------------------------------------------------------

export async function buildDiagnoseRequest(hostArg: string, opts: DiagnoseCliOptions, env: NodeJS.ProcessEnv = process.env): Promise<{ request: DiagnoseRequest; lang: Lang }> {
  const { host, port: positional } = splitHostPort(hostArg);
  if (!host) fail('a host is required');
  const appProtocol = protocolOption(opts.protocol);
  // Without a port or a service, a named protocol brings its well-known port (--protocol https → 443).
  const presetService = opts.service ?? (positional === undefined && opts.port === undefined && appProtocol ? PROTOCOL_SERVICE[appProtocol] : undefined);
  const { port, service } = resolvePort(positional, opts.port, presetService);
  const lang = opts.lang !== undefined ? (parseLang(opts.lang) ?? fail(`--lang must be zh-CN or en (got "${opts.lang}")`)) : langFromEnv(env);
  if (opts.serverEvidence && opts.cloudAssistant) fail('--server-evidence and --cloud-assistant are alternatives: give one');
  if (opts.snapshot?.length && opts.cloud === false) fail('--snapshot and --no-cloud are alternatives: give one');
  if (opts.cloudAssistant && opts.cloud === false) fail('--cloud-assistant needs cloud access (it cannot run with --no-cloud)');
  if (opts.instance !== undefined && !isCloudId('instance', opts.instance)) fail(`--instance "${opts.instance}" is not an instance id (Alibaba Cloud i-…, or a Huawei Cloud server UUID)`);
  if (opts.sourceIp !== undefined && !parseIp(opts.sourceIp)) fail(`--source-ip "${opts.sourceIp}" is not an IP address`);

  // The trace is the diagnosis's own step (after the probes, to the diagnosed port), not the probe run's.
  const trace = traceFromOptions(opts);
  const probe = await buildProbeRequest(host, { ...opts, ports: String(port), service: undefined, json: opts.json, trace: false, ownNetwork: undefined, traceTimeoutMs: undefined }, env);
  let cloud: CloudRequest;
  if (opts.cloud === false) cloud = { mode: 'none' };
  else if (opts.snapshot?.length) {
    const documents = [];
    for (const file of opts.snapshot) {
      const text = await readLimitedText(file, MAX_SNAPSHOT_CHARS, () => process.stdin);
      if (!text.ok) fail(`--snapshot: ${text.message}`);
      documents.push({ name: basename(file), content: text.value });
    }
    cloud = { mode: 'snapshot', documents, ...(opts.instance ? { instanceId: opts.instance } : {}), ...(opts.provider ? { provider: opts.provider } : {}) };
  } else {
    const provider = opts.provider ?? DEFAULT_PROVIDER;
    const file = await loadConfigFile({ path: opts.config, env });
    const endpoints = cloudEndpoints({ flags: { ecs: opts.ecsEndpoint, vpc: opts.vpcEndpoint }, env, file: file.ok ? file.value.config : null }, provider);
    validateCloudInput({ provider, region: opts.region, instance: opts.instance, profile: opts.profile, endpoints, accessKey: opts.accessKeyStdin, env });
    cloud = { mode: 'api', provider, instanceId: opts.instance, region: opts.region, profile: opts.profile, endpoints };
  }
  let server: ServerRequest = { mode: 'none' };
  if (opts.serverEvidence) {
    const text = await readLimitedText(opts.serverEvidence, MAX_SERVER_EVIDENCE_CHARS, () => process.stdin);
    if (!text.ok) fail(`--server-evidence: ${text.message}`);
    server = { mode: 'text', text: text.value, source: 'pasted' };
  } else if (opts.cloudAssistant) server = { mode: 'cloud-assistant' };

  return {
    request: {
      target: { host: probe.host, port, protocol: 'tcp', ...(service ? { service } : {}), ...(appProtocol ? { appProtocol } : {}), ...(opts.instance ? { instanceId: opts.instance } : {}) },
      probe,
      cloud,
      server,
      ...(opts.sourceIp ? { sourceIp: opts.sourceIp } : {}),
      ...(trace ? { trace } : {}),
    },
    lang,
  };
}

type SessionModule = typeof import('../../core/session');
type ReportModule = typeof import('../../core/report');

async function saveAndReport(d: Diagnosis, opts: DiagnoseCliOptions, lang: Lang, request: DiagnoseRequest): Promise<string[]> {
  const lines: string[] = [];
  if (opts.save) {
    const session: SessionModule = await import('../../core/session');
    const cloud = request.cloud;
    const plan = {
      host: d.target.host,
      port: d.target.port,
      protocol: d.target.protocol,
      ...(d.target.service ? { service: d.target.service } : {}),
      ...(d.target.appProtocol ? { appProtocol: d.target.appProtocol } : {}),
      ...(d.target.instanceId ? { instanceId: d.target.instanceId } : {}),
      ...(cloud.provider ? { provider: cloud.provider } : d.cloud.snapshot ? { provider: d.cloud.snapshot.provider } : {}),
      ...(cloud.mode === 'api' && cloud.region ? { region: cloud.region } : {}),
      ...(cloud.mode === 'api' && cloud.profile ? { profile: cloud.profile } : {}),
      ...(request.sourceIp ? { sourceIp: request.sourceIp } : {}),
      ...(request.trace ? { trace: true } : {}),
      cloudMode: cloud.mode,
    };
    const r = await session.saveSession(opts.save, session.createSession(d, plan));
    if (!r.ok) fail(`--save: ${r.message}`);
    lines.push(`saved ${r.value.path} (${r.value.bytes} bytes)`);
  }
  if (opts.report) {
    const report: ReportModule = await import('../../core/report');
    const format = report.reportFormatFor(opts.report);
    if (!format) fail('--report: the file name must end in .md or .html');
    const text = report.renderReport(d, { format, lang, maskIps: opts.maskIps ?? false });
    const written = await writeFileSafely(opts.report, text, { onExisting: opts.force ? 'replace' : 'refuse' });
    if (!written.ok) fail(`--report: ${written.message}`, 2);
    lines.push(`report written to ${opts.report}`);
  }
  return lines;
}

export async function diagnoseCommand(hostArg: string, opts: DiagnoseCliOptions): Promise<void> {
  if (opts.report && !/\.(md|markdown|html?)$/i.test(opts.report)) fail('--report: the file name must end in .md or .html');
  // Refuse before probing, not after: the report would not be written anyway (writeFileSafely re-checks).
  if (opts.report && !opts.force && (await lstat(opts.report).catch(() => null))) fail(`--report: ${basename(opts.report)} already exists; choose another name or pass --force to replace it`);
  if (opts.accessKeyStdin && (opts.snapshot?.includes('-') || opts.serverEvidence === '-')) fail('--access-key-stdin reads standard input: give --snapshot and --server-evidence as files');
  const { request, lang } = await buildDiagnoseRequest(hostArg, opts);
  const accessKey = opts.accessKeyStdin && request.cloud.mode === 'api' ? await accessKeyFromStdin() : undefined;
  const d: Diagnosis = await runInterruptible(opts.json ?? false, async (signal, progress) => {
    const show = (e: DiagnosisEvent | ProbeEvent): void => {
      const t = progressText(e);
      if (t) progress.update(t);
    };
    try {
      return await runDiagnosis(request, {
        signal,
        deps: opts.cloudAssistant ? withScriptShown(composeDeps({ credentials: accessKey }), progress) : composeDeps({ credentials: accessKey }),
        onEvent: show,
        onProbeEvent: show,
      });
    } catch (err) {
      if (err instanceof ProbeInputError) fail(err.message);
      if (err instanceof DiagnoseInputError) fail(`--snapshot: ${oneLine(err.message)}`);
      throw err;
    }
  });
  if (d.probes && d.probes.target.addresses.length === 0 && !d.cloud.snapshot) {
    fail(`cannot resolve "${d.target.host}": check the name, or diagnose the IP address directly`);
  }
  const extra = await saveAndReport(d, opts, lang, request);
  // --json: the Diagnosis document plus `fixes`, the cloud fixes of the failing checks (actions + simulation).
  if (opts.json) printJson({ ...d, fixes: cloudFixList(d.checks) });
  else {
    process.stdout.write(renderDiagnosis(d, lang, stdoutStyle()));
    if (d.trace) process.stdout.write(`\n${renderTrace(d.trace, stdoutStyle())}`);
  }
  for (const l of extra) process.stderr.write(`${l}\n`);
  process.exitCode = exitCodeForLocus(d.verdict.locus);
}

/** Error texts from parsers may span lines; the CLI's bad-input contract is one line. */
export const oneLine = (s: string): string => s.replace(/\s*\n\s*/g, '; ').trim();

/** Cloud Assistant runs as root on the user's server: the exact script is shown before it runs. */
function withScriptShown(deps: DiagnoseDeps, progress: { clear(): void }): DiagnoseDeps {
  const run = deps.runCloudAssistant;
  if (!run) return deps;
  return {
    ...deps,
    runCloudAssistant: (args) => {
      const { script } = evidenceScript(args.osType === 'windows' ? 'windows' : 'linux', args.ports);
      progress.clear();
      process.stderr.write(`Running this read-only script on ${args.instanceId} through Cloud Assistant (it changes nothing):\n${script.replace(/^/gm, '  | ')}\n`);
      return run(args);
    },
  };
}

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

export function registerDiagnose(program: Command): void {
  const cmd = new Command('diagnose')
    .description('Find where the fault is: probes from this machine + the cloud configuration (+ server evidence) → a layered checklist and a verdict (client / network / server).')
    .argument('<host>', 'server name or IP, optionally with :port (e.g. 203.0.113.10:22, [2001:db8::1]:22)')
    .option('-p, --port <n>', 'TCP port to diagnose (default: the service\'s port, else 22)')
    .option('-s, --service <name>', 'service preset: ssh, rdp, http, https, mysql, postgres, redis, ...')
    .option('--protocol <name>', `application protocol of the port, for a custom port (${APP_PROTOCOLS.join(', ')}); wins over the preset`)
    .addOption(new Option('--provider <cloud>', 'the cloud: alicloud or huawei (default: recognised from --snapshot documents, else alicloud)').choices([...PROVIDER_IDS]))
    .option('--instance <id>', 'instance id (Alibaba i-…, Huawei server UUID); without it the instance is looked up by address')
    .option('--profile <name>', 'CLI profile for credentials: aliyun (~/.aliyun/config.json) or KooCLI (~/.hcloud/config.json)')
    .option('--region <id>', 'region to search first, e.g. cn-hangzhou')
    .option('--access-key-stdin', 'read "AccessKeyId\\nAccessKeySecret" from standard input')
    .option('--snapshot <file>', 'offline cloud configuration: aliyun or KooCLI JSON output, or a saved snapshot ("-" = stdin; repeatable)', collect)
    .option('--no-cloud', 'do not read the cloud configuration (verdict from probes alone, lower confidence)')
    .option('--server-evidence <file>', 'output of the read-only server check script, or pasted ss/ufw/firewall-cmd output ("-" = stdin)')
    .option('--cloud-assistant', 'run the read-only check script on the instance through Cloud Assistant', false)
    .option('--source-ip <ip>', 'your public IP as the server sees it (when the egress-IP echo is unavailable)')
    .option('--expect-ip <ip>', 'the address the name should resolve to')
    .option('--icmp', 'ping as well (a failing ping says nothing about ports)', false)
    .addOption(new Option('--icmp-method <method>', 'how to ping').choices(['auto', 'raw-socket', 'system-ping']))
    .option('-a, --attempts <n>', 'connect attempts (default 3)')
    .option('-t, --timeout-ms <n>', 'ceiling of the adaptive per-attempt timeout in ms (default 1250)')
    .option('--timing <preset>', 'T4 (default) or T3')
    .option('--egress-ip-urls <urls>', 'URLs echoing the caller\'s IP ("" = none; env SGD_EGRESS_IP_URLS)')
    .option('--control-hosts <hosts>', 'known-good host[:port] for control probes ("" = none; env SGD_CONTROL_HOSTS)')
    .option('--dns-servers <servers>', 'resolvers to query directly (env SGD_DNS_SERVERS)')
    .addOption(new Option('--ecs-endpoint <host>', 'ECS API endpoint').env('SGD_ECS_ENDPOINT'))
    .addOption(new Option('--vpc-endpoint <host>', 'VPC API endpoint').env('SGD_VPC_ENDPOINT'))
    .option('--config <path>', 'config file (default ~/.config/sg-doctor/config.json)')
    .option('--lang <lang>', 'zh-CN or en (default from LANG)')
    .option('--trace', 'after the probes, trace the path hop by hop (TCP SYN to the port with root/CAP_NET_RAW, else UDP/ICMP; ≤30 hops, up to a minute)', false)
    .option('--trace-timeout-ms <n>', 'time limit of the trace in ms, 1000-180000 (default 60000)')
    .option('--own-network <cidrs>', 'your own networks for the trace, e.g. "10.0.0.0/8" (default: private address ranges)')
    .option('--json', 'print the Diagnosis document as JSON', false)
    .option('--save <file.sgdiag>', 'save the session file')
    .option('--report <file>', 'write a report (.md or .html)')
    .option('--mask-ips', 'mask IP addresses in the report', false)
    .option('--force', 'replace an existing --report file', false)
    .addHelpText(
      'after',
      [
        '',
        'Exit codes: 0 reachable, 1 a fault was located (client, network or server), 3 inconclusive,',
        '            2 bad input or usage, 130 interrupted (the same with --json).',
        '',
        'Examples:',
        '  sg-doctor diagnose 47.96.10.20 --service ssh --instance i-bp1xxxxxxxx --region cn-hangzhou',
        '  sg-doctor diagnose www.example.com:443 --snapshot instance.json --snapshot sg.json',
        '  sg-doctor diagnose 47.96.10.20:22 --no-cloud --server-evidence check.txt --lang zh-CN',
        '  sg-doctor diagnose 47.96.10.20:18080 --protocol http',
      ].join('\n'),
    )
    .action(action(diagnoseCommand));
  withUsageExitCodes(cmd);
  program.addCommand(cmd);
}

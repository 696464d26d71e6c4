// `sg-doctor probe <host>`: real TCP (and optionally ICMP) probes from this machine, DNS, banners and the
// client's context. Human output on a terminal (colours, a progress line on stderr), plain on a pipe,
// one JSON document with --json. Exit codes: 0 the run completed (whatever the ports' states),
// 2 bad input or an unresolvable name, 130 cancelled, 1 internal error.
import { Command, Option } from 'commander';
import { SHIPPED_DEFAULTS, loadEndpointConfig } from '../../core/config';
import { APP_PROTOCOLS, appProtocolForService, parseAppProtocol } from '../../core/probe/app-protocol';
import { DEFAULT_PORTS, parsePortList, parseServiceList, portsForService } from '../../core/probe/ports';
import { parseTarget } from '../../core/probe/target';
import { ProbeInputError, defaultProbeRequest, runProbe } from '../../core/probe/run';
import { MAX_ATTEMPTS } from '../../core/probe/tcp';
import { TIMING_PRESETS, type TimingPreset } from '../../core/probe/timing';
import { MAX_PORTS_PER_RUN, type ProbeEvent, type ProbeReport, type ProbeRequest, type TimingOptions } from '../../core/probe/types';
import { action, fail, printJson, runInterruptible, stdoutStyle, withUsageExitCodes } from '../format';
import { renderProbeReport } from '../format/probe-report';
import { renderTrace, traceHopProgress } from '../format/trace';
import { validateTraceRequest } from '../../core/probe/run';

export interface ProbeCliOptions {
  ports?: string;
  service?: string;
  /** Application protocol of the ports given in --ports (http, https, ssh, ..., other). */
  protocol?: string;
  icmp?: boolean;
  icmpMethod?: 'auto' | 'raw-socket' | 'system-ping';
  dns?: boolean;
  banners?: boolean;
  expectIp?: string;
  attempts?: string;
  timeoutMs?: string;
  timing?: string;
  concurrency?: string;
  egressIpUrls?: string;
  controlHosts?: string;
  dnsServers?: string;
  config?: string;
  json?: boolean;
  /** Trace the path to the target after the probes. */
  trace?: boolean;
  /** Overall time limit of the trace in ms. */
  traceTimeoutMs?: string;
  /** The user's own networks (CIDRs, comma-separated) for the trace's classification. */
  ownNetwork?: string;
}

/** CLI options → the trace request (undefined without --trace); bad values exit 2. */
export function traceFromOptions(opts: Pick<ProbeCliOptions, 'trace' | 'traceTimeoutMs' | 'ownNetwork'>): ProbeRequest['trace'] {
  if (!opts.trace) {
    if (opts.ownNetwork !== undefined || opts.traceTimeoutMs !== undefined) fail('--own-network and --trace-timeout-ms go with --trace');
    return undefined;
  }
  const timeoutMs = intOption(opts.traceTimeoutMs, '--trace-timeout-ms', 1000, 180_000);
  const ownNetworks = listOption(opts.ownNetwork);
  const t = { ...(timeoutMs !== undefined ? { timeoutMs } : {}), ...(ownNetworks?.length ? { ownNetworks } : {}) };
  const problem = validateTraceRequest(t);
  if (problem) fail(problem);
  return t;
}

function intOption(value: string | undefined, name: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value.trim())) fail(`${name} must be a whole number from ${min} to ${max} (got "${value}")`);
  const n = Number(value);
  if (n < min || n > max) fail(`${name} must be from ${min} to ${max} (got ${n})`);
  return n;
}

const listOption = (v: string | undefined): string[] | undefined => (v === undefined ? undefined : v.split(/[\s,]+/).filter(Boolean));

/** Pure-ish: CLI options -> timing bounds. --timeout-ms is the ceiling of the adaptive per-attempt timeout. */
export function timingFromOptions(opts: Pick<ProbeCliOptions, 'timing' | 'timeoutMs'>): TimingOptions {
  const presetName = (opts.timing ?? 'T4').toUpperCase();
  if (!(presetName in TIMING_PRESETS)) fail(`--timing must be T3 or T4 (got "${opts.timing}")`);
  const preset = TIMING_PRESETS[presetName as TimingPreset];
  const ceiling = intOption(opts.timeoutMs, '--timeout-ms', 10, 60_000);
  if (ceiling === undefined) return { ...preset };
  return {
    initialTimeoutMs: Math.min(preset.initialTimeoutMs, ceiling),
    minTimeoutMs: Math.min(preset.minTimeoutMs, ceiling),
    maxTimeoutMs: ceiling,
  };
}

/** CLI options -> ports (both --ports and --service may be given; their union, bounded). */
export function portsFromOptions(opts: Pick<ProbeCliOptions, 'ports' | 'service'>): number[] {
  if (opts.ports === undefined && opts.service === undefined) return [...DEFAULT_PORTS];
  const out: number[] = [];
  if (opts.ports !== undefined) {
    const r = parsePortList(opts.ports);
    if (!r.ok) fail(`--ports: ${r.message}`);
    out.push(...r.value);
  }
  if (opts.service !== undefined) {
    const r = parseServiceList(opts.service);
    if (!r.ok) fail(`--service: ${r.message}`);
    for (const p of r.value) if (!out.includes(p)) out.push(p);
  }
  if (out.length > MAX_PORTS_PER_RUN) fail(`too many ports: at most ${MAX_PORTS_PER_RUN} per run`);
  return out;
}

/**
 * Pure-ish: the application protocol per port for the banner reader. A service's ports speak the service's
 * protocol (--service http → 80 speaks HTTP); --protocol names the protocol of the ports in --ports.
 */
export function appProtocolsFromOptions(opts: Pick<ProbeCliOptions, 'ports' | 'service' | 'protocol'>): Record<number, string> {
  const out: Record<number, string> = {};
  if (opts.service !== undefined) {
    for (const name of opts.service.split(',')) {
      const protocol = appProtocolForService(name);
      if (protocol) for (const p of portsForService(name) ?? []) out[p] = protocol;
    }
  }
  if (opts.protocol !== undefined) {
    const protocol = parseAppProtocol(opts.protocol);
    if (!protocol) fail(`--protocol: unknown protocol "${opts.protocol}" (accepted: ${APP_PROTOCOLS.join(', ')})`);
    if (opts.ports === undefined) fail('--protocol names the protocol of the ports in --ports: give --ports too');
    const r = parsePortList(opts.ports);
    if (r.ok) for (const p of r.value) out[p] = protocol;
  }
  return out;
}

export async function buildProbeRequest(host: string, opts: ProbeCliOptions, env: NodeJS.ProcessEnv = process.env): Promise<ProbeRequest> {
  // Check what the user typed before anything else (the config file is secondary).
  const target = parseTarget(host);
  if (!target.ok) fail(target.message);
  const ports = portsFromOptions(opts);
  const appProtocols = appProtocolsFromOptions(opts);
  const timing = timingFromOptions(opts);
  const attempts = intOption(opts.attempts, '--attempts', 1, MAX_ATTEMPTS);
  const concurrency = intOption(opts.concurrency, '--concurrency', 1, 64);
  const config = await loadEndpointConfig({
    path: opts.config,
    env,
    useShippedDefaults: true,
    explicit: {
      egressIpUrls: listOption(opts.egressIpUrls),
      controlHosts: listOption(opts.controlHosts),
      dnsServers: listOption(opts.dnsServers),
    },
  });
  if (!config.ok) fail(config.message);
  const trace = traceFromOptions(opts);
  return defaultProbeRequest({
    ...(trace ? { trace } : {}),
    host,
    ports,
    timing,
    icmp: opts.icmp ?? false,
    icmpMethod: opts.icmpMethod,
    dns: opts.dns ?? true,
    banners: opts.banners ?? true,
    expectIp: opts.expectIp,
    ...(attempts !== undefined ? { attempts } : {}),
    ...(concurrency !== undefined ? { concurrency } : {}),
    egressIpUrls: config.value.egressIpUrls,
    controlHosts: config.value.controlHosts,
    dnsServers: config.value.dnsServers,
    ...(Object.keys(appProtocols).length ? { appProtocols } : {}),
  });
}

function progressText(e: ProbeEvent, state: { done: number; total: number; phase: string }): string | null {
  if (e.type === 'phase' && e.status === 'start') state.phase = e.phase;
  if (e.type === 'tcp-port') {
    state.done = e.done;
    state.total = e.total;
    return `probing TCP ${e.done}/${e.total}  last: ${e.fact.port} ${e.fact.state}`;
  }
  if (e.type === 'trace-phase' && e.status === 'start') return 'tracing the path…';
  if (e.type === 'trace-hop') return traceHopProgress(e.hop);
  if (e.type === 'phase' && e.status === 'start') {
    const label = { dns: 'resolving', icmp: 'pinging', tcp: 'probing TCP', banner: 'reading banners', client: 'checking this machine' }[e.phase];
    return `${label}…`;
  }
  return null;
}

export async function probeCommand(host: string, opts: ProbeCliOptions): Promise<void> {
  const request = await buildProbeRequest(host, opts);
  const pstate = { done: 0, total: 0, phase: '' };
  const report: ProbeReport = await runInterruptible(opts.json ?? false, async (signal, progress) => {
    try {
      return await runProbe(request, {
        signal,
        onEvent: (e) => {
          const t = progressText(e, pstate);
          if (t) progress.update(t);
        },
      });
    } catch (err) {
      if (err instanceof ProbeInputError) fail(err.message);
      throw err;
    }
  });

  if (opts.json) printJson(report);
  else {
    process.stdout.write(renderProbeReport(report, stdoutStyle()));
    if (report.trace) process.stdout.write(`\n${renderTrace(report.trace, stdoutStyle())}`);
  }

  if (report.target.addresses.length === 0) {
    const why = report.dns?.system?.error ?? report.dns?.direct.find((d) => d.error)?.error;
    const message = `cannot resolve "${report.target.host}"${why ? ` (${why})` : ''}: check the name, or probe the IP address directly`;
    fail(message);
  }
}

export function registerProbe(program: Command): void {
  const cmd = new Command('probe')
    .description('Send real TCP (and optional ICMP) probes from this machine to a host, with DNS, banners and client context.')
    .argument('<host>', 'server name or IP address (IPv4, IPv6, [IPv6])')
    .option('-p, --ports <list>', `ports, ranges and service names, e.g. "22,80,8000-8010" (at most ${MAX_PORTS_PER_RUN}; default ${DEFAULT_PORTS.join(',')})`)
    .option('-s, --service <names>', 'service presets, e.g. "ssh,https" (ssh rdp http https mysql postgres redis http-alt ...)')
    .option('--protocol <name>', `application protocol of the --ports ports (${APP_PROTOCOLS.join(', ')})`)
    .option('--icmp', 'ping first (its RTT tunes the TCP timeouts); a failing ping says nothing about ports', false)
    .addOption(new Option('--icmp-method <method>', 'how to ping').choices(['auto', 'raw-socket', 'system-ping']))
    .option('--no-dns', 'do not run the DNS checks (names are still resolved by the system to probe them)')
    .option('--no-banners', 'do not read application banners on open ports')
    .option('--expect-ip <ip>', 'the public IP the name should resolve to (e.g. the ECS public IP / EIP); it is probed too')
    .option('-a, --attempts <n>', `connect attempts per port, 1-${MAX_ATTEMPTS} (default 3)`)
    .option('-t, --timeout-ms <n>', 'ceiling of the adaptive per-attempt timeout in ms (default 1250, nmap T4)')
    .option('--timing <preset>', 'nmap timing preset: T4 (default, 500/100/1250 ms) or T3 (1000/100/10000 ms)')
    .option('--concurrency <n>', 'simultaneous probes, 1-64 (default 16)')
    .option('--egress-ip-urls <urls>', 'URLs that echo the caller\'s IP, comma-separated ("" = none; env SGD_EGRESS_IP_URLS)')
    .option('--control-hosts <hosts>', 'known-good host[:port] list for control probes ("" = none; env SGD_CONTROL_HOSTS)')
    .option('--dns-servers <servers>', 'resolvers ip[:port] to query directly (env SGD_DNS_SERVERS; default: the system\'s)')
    .option('--config <path>', 'config file (default ~/.config/sg-doctor/config.json; env SGD_CONFIG)')
    .option('--trace', 'after the probes, trace the path hop by hop (TCP SYN to the first failing port with root/CAP_NET_RAW, else UDP/ICMP; ≤30 hops, up to a minute)', false)
    .option('--trace-timeout-ms <n>', 'time limit of the trace in ms, 1000-180000 (default 60000)')
    .option('--own-network <cidrs>', 'your own networks for the trace, e.g. "10.0.0.0/8,192.168.0.0/16" (default: private address ranges)')
    .option('--json', 'print one JSON document instead of the human report', false)
    .addHelpText(
      'after',
      [
        '',
        'Besides the target, a run contacts (unless configured otherwise):',
        `  egress-IP echo services: ${SHIPPED_DEFAULTS.egressIpUrls.join(', ')}`,
        `  control hosts (TCP connect only): ${SHIPPED_DEFAULTS.controlHosts.join(', ')}`,
        '  Disable with --egress-ip-urls "" --control-hosts "" or SGD_EGRESS_IP_URLS= SGD_CONTROL_HOSTS=.',
        '',
        'Exit codes: 0 the run completed (whatever the ports\' states), 2 bad input or an unresolvable name,',
        '130 interrupted, 1 internal error.',
        '',
        'Examples:',
        '  sg-doctor probe 203.0.113.10 --service ssh',
        '  sg-doctor probe www.example.com --ports 80,443 --expect-ip 203.0.113.10 --icmp',
        '  sg-doctor probe [2001:db8::10] --ports 22,3389 --json',
        '  sudo sg-doctor probe 203.0.113.10 --ports 22 --trace',
      ].join('\n'),
    )
    .action(action(probeCommand));
  withUsageExitCodes(cmd);
  program.addCommand(cmd);
}

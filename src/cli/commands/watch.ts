// `sg-doctor watch host:port`: re-probe one TCP flow from this machine with a bounded back-off (1 s
// growing to 30 s) until it first connects. A live line per attempt; exit 0 at the first success, 1 when
// the time runs out, 130 on Ctrl-C, 2 for bad input. `--session FILE` writes "works since" into that
// session (atomic save, the previous file kept as .bak). Contacts nothing but the target (and the
// system resolver for a name).
import { Command } from 'commander';
import type { Lang } from '../../core/diagnosis/types';
import { langFromEnv, parseLang } from '../../core/i18n';
import { ipFamilyOf, parseTarget } from '../../core/probe/target';
import type { LoadedSession } from '../../core/session';
import {
  DEFAULT_WATCH_MS,
  MAX_WATCH_MS,
  attemptLine,
  durationWords,
  parseDuration,
  resultWords,
  watch,
  watchRecordOf,
  WatchInputError,
  type WatchResult,
} from '../../core/watch';
import { CancelledError, EXIT_FAULT, EXIT_OK, action, errLine, fail, okLine, printJson, runInterruptible, stdoutStyle, withUsageExitCodes } from '../format';

export interface WatchCliOptions {
  for?: string;
  json?: boolean;
  session?: string;
  lang?: string;
}

/**
 * "host:port", "[v6]:port" → host and port (a bare IPv6 address has no port). The same reading as
 * diagnose's, kept here so `watch` does not load the cloud SDKs that module pulls in.
 */
export function splitWatchTarget(input: string): { host: string; port?: number } {
  const s = input.trim();
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(s);
  if (bracket) return { host: bracket[1], port: bracket[2] ? Number(bracket[2]) : undefined };
  if (ipFamilyOf(s.split('%')[0]) === 6) return { host: s };
  const m = /^([^:]+):(\d+)$/.exec(s);
  if (m) return { host: m[1], port: Number(m[2]) };
  return { host: s };
}

/** Pure-ish: "host:port" (or "[v6]:port") → the target; a missing or bad port is a usage error. */
export function watchTarget(input: string): { host: string; port: number } {
  const { host, port } = splitWatchTarget(input);
  if (port === undefined) fail(`give the port to watch: host:port, e.g. 203.0.113.10:22 (got "${input}")`);
  if (!Number.isInteger(port) || port < 1 || port > 65535) fail(`the port must be from 1 to 65535 (got ${port})`);
  const t = parseTarget(host);
  if (!t.ok) fail(t.message);
  return { host: t.value.host, port };
}

const sameHost = (a: string, b: string): boolean => a.replace(/^\[|\]$/g, '').toLowerCase() === b.replace(/^\[|\]$/g, '').toLowerCase();

async function sessionFor(file: string, target: { host: string; port: number }): Promise<LoadedSession> {
  const { openSessionOrFail } = await import('./session');
  const loaded = await openSessionOrFail(file);
  if (loaded.readOnly) fail(`${file} was written by a newer SG Doctor and is read-only here; watch without --session`);
  const t = loaded.session.diagnosis.target;
  const saved = parseTarget(t.host);
  const savedHost = saved.ok ? saved.value.host : t.host;
  if (!sameHost(savedHost, target.host) || t.port !== target.port) {
    fail(`${file} is about ${t.host.includes(':') ? `[${t.host}]` : t.host}:${t.port}, not the target watched here`);
  }
  return loaded;
}

export async function watchCommand(input: string, opts: WatchCliOptions): Promise<void> {
  const target = watchTarget(input);
  const lang: Lang = opts.lang !== undefined ? (parseLang(opts.lang) ?? fail(`--lang must be zh-CN or en (got "${opts.lang}")`)) : langFromEnv();
  let maxDurationMs = DEFAULT_WATCH_MS;
  if (opts.for !== undefined) {
    maxDurationMs = parseDuration(opts.for) ?? fail(`--for must be a duration from 1s to ${MAX_WATCH_MS / 3600_000}h, e.g. 90s, 10m, 1h (got "${opts.for}")`);
  }
  // Check the session before watching: a file that cannot take the result is said at once, not after 10 minutes.
  const loaded = opts.session ? await sessionFor(opts.session, target) : null;
  const json = opts.json ?? false;
  const style = stdoutStyle();
  const shown = target.host.includes(':') ? `[${target.host}]:${target.port}` : `${target.host}:${target.port}`;
  if (!json) {
    const upTo = durationWords(maxDurationMs, lang);
    process.stdout.write(`${style.bold(lang === 'zh-CN' ? `持续探测 ${shown}，直到连通（最长 ${upTo}，按 Ctrl-C 停止）` : `Watching ${shown} until it connects (up to ${upTo}; Ctrl-C stops)`)}\n`);
  }
  const result: WatchResult = await runInterruptible(json, async (signal) => {
    try {
      return await watch(target, {
        signal,
        maxDurationMs,
        onAttempt: (a) => {
          if (!json) process.stdout.write(`${a.outcome === 'connected' ? style.green(attemptLine(a, lang)) : attemptLine(a, lang)}\n`);
        },
      });
    } catch (err) {
      if (err instanceof WatchInputError) fail(err.message);
      throw err;
    }
  });
  if (result.status === 'cancelled') throw new CancelledError('cancelled');

  let savedTo: string | null = null;
  const record = watchRecordOf(result);
  if (record && loaded && opts.session) {
    const { saveSession } = await import('../../core/session');
    const saved = await saveSession(opts.session, { ...loaded.session, watch: record });
    if (!saved.ok) fail(saved.message);
    savedTo = opts.session;
  }

  if (json) printJson({ ...result, savedTo });
  else {
    const words = resultWords(result, lang);
    process.stdout.write(`${result.status === 'works' ? okLine(words, style) : errLine(words, style)}\n`);
    if (savedTo) process.stderr.write(`sg-doctor: ${lang === 'zh-CN' ? `已把连通时间写入 ${savedTo}` : `wrote "works since" into ${savedTo}`}\n`);
  }
  process.exitCode = result.status === 'works' ? EXIT_OK : EXIT_FAULT;
}

export function registerWatch(program: Command): void {
  const cmd = new Command('watch')
    .description('Re-probe one TCP port from this machine until it connects (after a fix), with a live timeline.')
    .argument('<host:port>', 'server and port, e.g. 203.0.113.10:22, www.example.com:443, [2001:db8::10]:22')
    .option('--for <duration>', 'give up after this long, e.g. 90s, 10m, 1h (default 10m)')
    .option('--session <file>', 'write "works since" into this saved session (.sgdiag) at the first success')
    .option('--lang <lang>', 'zh-CN or en (default: from LANG)')
    .option('--json', 'print one JSON document (the attempts and the outcome) at the end instead of live lines', false)
    .addHelpText(
      'after',
      [
        '',
        'Tries again after 1 s, then waits 1.5 times longer each time, at most 30 s between tries.',
        'Only the target is contacted (and the system resolver for a name, asked again each time).',
        '',
        'Exit codes: 0 it connected, 1 the time ran out, 2 bad input, 130 interrupted.',
        '',
        'Examples:',
        '  sg-doctor watch 203.0.113.10:22',
        '  sg-doctor watch www.example.com:443 --for 30m --session web.sgdiag',
      ].join('\n'),
    )
    .action(action(watchCommand));
  withUsageExitCodes(cmd);
  program.addCommand(cmd);
}

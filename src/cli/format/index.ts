// Shared output helpers for every `sg-doctor` command: colours only on a terminal (and never with
// NO_COLOR), a one-line progress indicator on stderr, aligned tables, and the error contract:
// bad input -> one clear line on stderr and exit code 2, never a stack trace.
import type { Command } from 'commander';
import { CommanderError } from 'commander';

// Exit codes (README "Exit codes"; DESIGN.md). diagnose/rerun: 0 reachable, 1 a fault located, 3 inconclusive;
// cloud check: 0 allowed, 1 denied, 3 undecided; every command: 2 bad input or usage, 130 cancelled.
export const EXIT_OK = 0;
export const EXIT_FAULT = 1;
export const EXIT_USAGE = 2;
export const EXIT_UNDECIDED = 3;
/** A bug in SG Doctor (never a finding about the user's network, so not 1). */
export const EXIT_INTERNAL = 70;
export const EXIT_CANCELLED = 130;

/** diagnose / rerun: the verdict's locus as the process exit code (the same with and without --json). */
export function exitCodeForLocus(locus: 'client' | 'network' | 'server' | 'none' | 'inconclusive'): number {
  return locus === 'none' ? EXIT_OK : locus === 'inconclusive' ? EXIT_UNDECIDED : EXIT_FAULT;
}

/** cloud check: the cloud's decision for the flow as the process exit code. */
export function exitCodeForDecision(decision: 'allow' | 'deny' | 'unknown'): number {
  return decision === 'allow' ? EXIT_OK : decision === 'deny' ? EXIT_FAULT : EXIT_UNDECIDED;
}

/** Bad input or a condition the user must fix: printed as one line, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
  constructor(
    message: string,
    readonly exitCode: number = EXIT_USAGE,
  ) {
    super(message);
  }
}

/** Throws a UsageError (for use in expressions: `x ?? fail('...')`). */
export function fail(message: string, exitCode: number = EXIT_USAGE): never {
  throw new UsageError(message, exitCode);
}

export class CancelledError extends Error {
  override name = 'CancelledError';
}

type Stream = Pick<NodeJS.WriteStream, 'write'> & { isTTY?: boolean; columns?: number };

/** Colour decision: FORCE_COLOR wins (0 = off), then NO_COLOR (any value = off), TERM=dumb, then "is it a TTY". */
export function colourEnabled(stream: Stream, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '') return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.TERM === 'dumb') return false;
  return stream.isTTY === true;
}

export interface Style {
  enabled: boolean;
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
  gray(s: string): string;
}

const sgr = (open: number, close: number) => (on: boolean) => (s: string) => (on ? `\x1b[${open}m${s}\x1b[${close}m` : s);
const codes = { bold: sgr(1, 22), dim: sgr(2, 22), red: sgr(31, 39), green: sgr(32, 39), yellow: sgr(33, 39), cyan: sgr(36, 39), gray: sgr(90, 39) };

export function createStyle(enabled: boolean): Style {
  return {
    enabled,
    bold: codes.bold(enabled),
    dim: codes.dim(enabled),
    red: codes.red(enabled),
    green: codes.green(enabled),
    yellow: codes.yellow(enabled),
    cyan: codes.cyan(enabled),
    gray: codes.gray(enabled),
  };
}

/** Style for stdout, decided once per command run. */
export function stdoutStyle(env: NodeJS.ProcessEnv = process.env): Style {
  return createStyle(colourEnabled(process.stdout, env));
}

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;
export const stripAnsi = (s: string): string => s.replace(ANSI, '');

/** Display width: ANSI codes take none, CJK and other wide characters take two columns. */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of stripAnsi(s)) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x20 || (cp >= 0x300 && cp <= 0x36f)) continue; // control, combining
    w += isWide(cp) ? 2 : 1;
  }
  return w;
}

function isWide(cp: number): boolean {
  return (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1faff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  );
}

export const padEnd = (s: string, width: number): string => s + ' '.repeat(Math.max(0, width - displayWidth(s)));

/** Aligned columns (two spaces apart); the last column is not padded. Cells may contain colour codes. */
export function formatTable(rows: readonly (readonly string[])[], opts: { header?: readonly string[]; style?: Style; indent?: string } = {}): string {
  const all = opts.header ? [opts.header, ...rows] : [...rows];
  if (all.length === 0) return '';
  const cols = Math.max(...all.map((r) => r.length));
  const widths = Array.from({ length: cols }, (_, c) => Math.max(0, ...all.map((r) => displayWidth(r[c] ?? ''))));
  const line = (r: readonly string[]): string =>
    (opts.indent ?? '') +
    r
      .map((cell, c) => (c === r.length - 1 ? cell : padEnd(cell, widths[c])))
      .join('  ')
      .trimEnd();
  const out = all.map(line);
  if (opts.header && opts.style) out[0] = opts.style.bold(out[0]);
  return out.join('\n');
}

/** Progress indicator: one line on stderr, rewritten in place; silent unless stderr is a terminal. */
export interface Progress {
  update(text: string): void;
  clear(): void;
  readonly active: boolean;
}

export function createProgress(stream: Stream = process.stderr): Progress {
  const active = stream.isTTY === true;
  let shown = false;
  return {
    active,
    update(text: string) {
      if (!active) return;
      const cols = Math.max(20, (stream.columns || 80) - 1); // 0 on some pseudo-terminals
      const t = displayWidth(text) > cols ? `${stripAnsi(text).slice(0, cols - 1)}…` : text;
      stream.write(`\r\x1b[2K${t}`);
      shown = true;
    },
    clear() {
      if (active && shown) stream.write('\r\x1b[2K');
      shown = false;
    },
  };
}

/** One-line messages on stderr. */
export function printError(message: string, stream: Stream = process.stderr): void {
  stream.write(`sg-doctor: ${message}\n`);
}

/** Success line for human output. */
export function okLine(message: string, style: Style): string {
  return `${style.green('✔')} ${message}`;
}

export function warnLine(message: string, style: Style): string {
  return `${style.yellow('!')} ${message}`;
}

export function errLine(message: string, style: Style): string {
  return `${style.red('✖')} ${message}`;
}

/** "12.3 ms", "1.25 s". */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '-';
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 100) return `${Math.round(ms)} ms`;
  return `${ms.toFixed(1)} ms`;
}

/** Pure: commander's exit for one of its own errors: help asked for and --version → 0, anything else → 2. */
export function commanderExitCode(err: Pick<CommanderError, 'code' | 'exitCode'>): number {
  if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return EXIT_OK;
  // Unknown command or option, missing argument, invalid value, and help shown because no command was
  // given (`commander.help` with exit code 1) are all usage errors.
  return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
}

/**
 * Makes commander's own parse errors (unknown command or option, missing argument, invalid value) exit with
 * 2, and keeps help/version at 0. Apply to the program and every sub-command.
 */
export function withUsageExitCodes(cmd: Command): Command {
  return cmd.exitOverride((err: CommanderError) => process.exit(commanderExitCode(err)));
}

/**
 * Wraps a command action: UsageError -> its one line and exit 2; cancellation -> exit 130; anything
 * else is a bug -> one line (the stack only with SGD_DEBUG=1) and exit 1.
 */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<void> | void): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (err) {
      process.exitCode = exitCodeFor(err);
      if (err instanceof CancelledError) printError('cancelled');
      else if (err instanceof UsageError) printError(err.message);
      else {
        printError(`internal error: ${err instanceof Error ? err.message : String(err)}`);
        if (process.env.SGD_DEBUG && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
      }
    }
  };
}

export function exitCodeFor(err: unknown): number {
  if (err instanceof CancelledError) return EXIT_CANCELLED;
  if (err instanceof UsageError) return err.exitCode;
  return EXIT_INTERNAL;
}

/** Writes a JSON document to stdout (2-space indent, trailing newline). */
export function printJson(value: unknown, stream: Stream = process.stdout): void {
  stream.write(`${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Runs a long command body with Ctrl-C as cancellation (a second Ctrl-C exits at once) and a progress
 * line that is cleared afterwards (silent for --json). An abort surfaces as CancelledError (exit 130).
 */
export async function runInterruptible<T>(json: boolean, work: (signal: AbortSignal, progress: Progress) => Promise<T>): Promise<T> {
  const ac = new AbortController();
  let interrupts = 0;
  const onSigint = (): void => {
    interrupts++;
    if (interrupts > 1) process.exit(EXIT_CANCELLED);
    ac.abort(new CancelledError('cancelled'));
  };
  process.on('SIGINT', onSigint);
  const progress = json ? createProgress({ write: () => true, isTTY: false }) : createProgress(process.stderr);
  try {
    return await work(ac.signal, progress);
  } catch (err) {
    if (ac.signal.aborted && !(err instanceof UsageError)) throw new CancelledError('cancelled');
    throw err;
  } finally {
    progress.clear();
    process.off('SIGINT', onSigint);
  }
}

import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  CancelledError, UsageError, action, colourEnabled, commanderExitCode, createProgress, createStyle, displayWidth, exitCodeFor, exitCodeForDecision, exitCodeForLocus, fail, formatMs, formatTable, stripAnsi,
} from './index';

describe('colourEnabled', () => {
  const tty = { write: () => true, isTTY: true };
  const pipe = { write: () => true, isTTY: false };
  it('only on a terminal, never with NO_COLOR or TERM=dumb; FORCE_COLOR wins', () => {
    expect(colourEnabled(tty, {})).toBe(true);
    expect(colourEnabled(pipe, {})).toBe(false);
    expect(colourEnabled(tty, { NO_COLOR: '1' })).toBe(false);
    expect(colourEnabled(tty, { NO_COLOR: '' })).toBe(true); // no-color.org: present and non-empty
    expect(colourEnabled(tty, { TERM: 'dumb' })).toBe(false);
    expect(colourEnabled(pipe, { FORCE_COLOR: '1' })).toBe(true);
    expect(colourEnabled(tty, { FORCE_COLOR: '0' })).toBe(false);
  });
  it('a disabled style returns text unchanged', () => {
    expect(createStyle(false).red('x')).toBe('x');
    expect(createStyle(true).red('x')).toBe('\x1b[31mx\x1b[39m');
  });
});

describe('formatTable', () => {
  it('aligns columns by display width (colour codes and CJK)', () => {
    const s = createStyle(true);
    const out = formatTable([[s.green('open'), '22', '中文'], ['filtered', '3389', 'x']], { header: ['STATE', 'PORT', 'NOTE'] });
    const lines = stripAnsi(out).split('\n');
    expect(lines).toEqual(['STATE     PORT  NOTE', 'open      22    中文', 'filtered  3389  x']);
    expect(displayWidth('中文')).toBe(4);
    expect(displayWidth(s.red('ab'))).toBe(2);
  });
  it('handles no rows', () => {
    expect(formatTable([])).toBe('');
  });
});

describe('createProgress', () => {
  it('rewrites one line on a terminal and clears it', () => {
    const writes: string[] = [];
    const p = createProgress({ write: (s: string) => (writes.push(s), true), isTTY: true, columns: 40 } as never);
    p.update('probing 1/2');
    p.update('x'.repeat(100));
    p.clear();
    expect(writes[0]).toBe('\r\x1b[2Kprobing 1/2');
    expect(writes[1].startsWith('\r\x1b[2K')).toBe(true);
    expect(writes[1].slice(5)).toHaveLength(39); // columns - 1, ending with an ellipsis
    expect(writes[1].endsWith('…')).toBe(true);
    expect(writes[2]).toBe('\r\x1b[2K');
  });
  it('is silent on a pipe', () => {
    const writes: string[] = [];
    const p = createProgress({ write: (s: string) => (writes.push(s), true), isTTY: false } as never);
    p.update('x');
    p.clear();
    expect(writes).toEqual([]);
  });
});

describe('formatMs', () => {
  it('formats', () => {
    expect(formatMs(null)).toBe('-');
    expect(formatMs(3.14159)).toBe('3.1 ms');
    expect(formatMs(250.4)).toBe('250 ms');
    expect(formatMs(1250)).toBe('1.25 s');
  });
});

describe('errors and exit codes', () => {
  const saved = process.exitCode;
  afterEach(() => {
    process.exitCode = saved;
    vi.restoreAllMocks();
  });
  it('fail throws a UsageError with exit code 2', () => {
    expect(() => fail('bad')).toThrow(UsageError);
    expect(exitCodeFor(new UsageError('x'))).toBe(2);
    expect(exitCodeFor(new CancelledError('x'))).toBe(130);
    expect(exitCodeFor(new Error('bug'))).toBe(70); // a bug is never read as "a fault was located" (1)
  });
  it('action prints one line without a stack and sets the exit code', async () => {
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    await action(async () => fail('port 0 is out of range'))();
    expect(process.exitCode).toBe(2);
    expect(err).toHaveBeenCalledWith('sg-doctor: port 0 is out of range\n');
    await action(async () => {
      throw new TypeError('oops');
    })();
    expect(process.exitCode).toBe(70);
    expect(String(err.mock.calls[1][0])).toBe('sg-doctor: internal error: oops\n');
  });
});

describe('exit codes of verdicts and decisions', () => {
  it('diagnose/rerun: 0 reachable, 1 a fault located, 3 inconclusive', () => {
    expect(exitCodeForLocus('none')).toBe(0);
    for (const l of ['client', 'network', 'server'] as const) expect(exitCodeForLocus(l)).toBe(1);
    expect(exitCodeForLocus('inconclusive')).toBe(3);
  });
  it('cloud check: 0 allowed, 1 denied, 3 undecided', () => {
    expect([exitCodeForDecision('allow'), exitCodeForDecision('deny'), exitCodeForDecision('unknown')]).toEqual([0, 1, 3]);
  });
  it("commander's own errors: help and version 0, every usage error 2", () => {
    expect(commanderExitCode({ code: 'commander.helpDisplayed', exitCode: 0 })).toBe(0);
    expect(commanderExitCode({ code: 'commander.version', exitCode: 0 })).toBe(0);
    for (const code of ['commander.unknownCommand', 'commander.unknownOption', 'commander.missingArgument', 'commander.invalidArgument', 'commander.help']) {
      expect(commanderExitCode({ code, exitCode: 1 })).toBe(2);
    }
  });
});

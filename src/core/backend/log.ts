// The app's log file in the user-data folder. Every line goes through the redactors first: known secrets
// (the stored AccessKey), anything shaped like a secret assignment, and AccessKey ids are masked.
import { appendFileSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { redactSecrets } from '../cloud/redact';
import { redactText } from '../session/redact';

export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  /** Secrets learnt at run time (a typed AccessKey) are removed from every later line. */
  addSecret(secret: string | null | undefined): void;
  readonly path: string | null;
}

const MAX_LOG_BYTES = 2 * 1024 * 1024;

export function redactLine(line: string, secrets: readonly string[]): string {
  return redactText(redactSecrets(line, secrets));
}

/** Appends JSON lines to <dir>/sg-doctor.log, rotating once at 2 MB (one .1 file kept). */
export function fileLogger(dir: string, opts: { echo?: boolean } = {}): Logger {
  const path = join(dir, 'sg-doctor.log');
  const secrets: string[] = [];
  let ready = false;
  const write = (level: string, message: string, fields?: Record<string, unknown>) => {
    const line = redactLine(JSON.stringify({ t: new Date().toISOString(), level, message, ...fields }), secrets);
    if (opts.echo) console.error(line);
    try {
      if (!ready) {
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        ready = true;
      }
      try {
        if (statSync(path).size > MAX_LOG_BYTES) renameSync(path, `${path}.1`);
      } catch {
        /* no log yet */
      }
      appendFileSync(path, `${line}\n`, { mode: 0o600 });
    } catch {
      /* logging must never break the app */
    }
  };
  return {
    path,
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    addSecret: (s) => {
      if (s && s.length >= 4 && !secrets.includes(s)) secrets.push(s);
    },
  };
}

export function silentLogger(): Logger {
  return { path: null, info() {}, warn() {}, error() {}, addSecret() {} };
}

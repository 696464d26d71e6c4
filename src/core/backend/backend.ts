// The transport-neutral backend: one handler per contract channel, on top of the core. Electron's IPC
// and the web shell's HTTP routes both call `dispatch`, which validates the arguments against the
// contract first, so both shells behave identically. The handlers live by domain in ./handlers/.
import { resolve } from 'node:path';
import { isRequestChannel, parseArgs, type OpenedSession } from '../api';
import { fail, type Result } from '../result';
import { EngineError } from './engine';
import { accountHandlers } from './handlers/accounts';
import { appHandlers } from './handlers/app';
import { createContext, type BackendOptions } from './handlers/context';
import { diagnosisHandlers } from './handlers/diagnosis';
import { fixHandlers } from './handlers/fixes';
import { sessionHandlers } from './handlers/sessions';
import type { EventListener, Handlers } from './handlers/types';
import { watchHandlers } from './handlers/watch';

export type { BackendOptions } from './handlers/context';
export type { EventListener, Handlers } from './handlers/types';

export interface Backend {
  /** Validates `rawArgs` against the contract and runs the handler; never throws. */
  dispatch(channel: unknown, rawArgs: unknown): Promise<Result<unknown>>;
  /** Events for the UI (diagnosis progress); returns the unsubscribe function. */
  onEvent(listener: EventListener): () => void;
  emit: EventListener;
  /** Opens a file on the shell's behalf (double-clicked .sgdiag, native Open recent). */
  openPath(path: string): Promise<Result<OpenedSession>>;
  /** Cancels every run (window closing, server stopping). */
  cancelAll(): void;
  readonly sessionsDir: string;
  readonly reportsDir: string;
}

export function createBackend(opts: BackendOptions): Backend {
  const ctx = createContext(opts);
  const { log, runs, watches } = ctx;

  // Every channel of the contract, each domain's from its module (the type says none is missing).
  const handlers: Handlers = {
    ...appHandlers(ctx),
    ...accountHandlers(ctx),
    ...diagnosisHandlers(ctx),
    ...sessionHandlers(ctx),
    ...watchHandlers(ctx),
    // Apply a fix from the app, with confirmation and undo (issue 11 §2).
    ...fixHandlers({
      env: ctx.env,
      log,
      sessionsDir: ctx.sessionsDir,
      resolveRef: ctx.resolveRef,
      adopt: async (path, savedAt) => {
        ctx.issued.add(resolve(path));
        await ctx.addRecent(ctx.refOf(resolve(path), savedAt)).catch(() => undefined);
      },
      credentialsFor: ctx.credentialsFor,
      checkDiagnosis: ctx.checkDiagnosis,
    }),
  };

  async function dispatch(channel: unknown, rawArgs: unknown): Promise<Result<unknown>> {
    // Own-property check through the name list: '__proto__', 'constructor' and the like are unknown channels.
    if (!isRequestChannel(channel)) return fail('UNKNOWN_CHANNEL', `unknown request channel ${JSON.stringify(String(channel)).slice(0, 80)}`);
    const args = parseArgs(channel, rawArgs);
    if (!args.ok) {
      log.warn('rejected request', { channel, code: args.code });
      return args;
    }
    try {
      const handler = handlers[channel] as (a: unknown) => Promise<Result<unknown>>;
      return await handler(args.value);
    } catch (e) {
      const code = e instanceof EngineError ? e.code : 'INTERNAL';
      log.error('request failed', { channel, code, message: (e as Error)?.message ?? String(e) });
      return fail(code, (e as Error)?.message ?? String(e));
    }
  }

  return {
    dispatch,
    onEvent(listener) {
      ctx.listeners.add(listener);
      return () => ctx.listeners.delete(listener);
    },
    emit: ctx.emit,
    openPath: ctx.openPath,
    cancelAll() {
      for (const c of runs.values()) c.abort();
      for (const c of watches.values()) c.abort();
    },
    sessionsDir: ctx.sessionsDir,
    reportsDir: ctx.reportsDir,
  };
}

// Watch until it works (issue 11 §3): the core loop in the background, its attempts and end as events.
import { randomUUID } from 'node:crypto';
import { parseTarget } from '../../probe/target';
import { fail, ok } from '../../result';
import { watch } from '../../watch';
import type { BackendContext } from './context';
import type { DomainHandlers } from './types';

export function watchHandlers(ctx: BackendContext): DomainHandlers<'watch'> {
  const { log, emit, watches, watchTuning } = ctx;
  return {
    'watch.start': async ({ host: target, port, maxDurationMs }) => {
      const t = parseTarget(target);
      if (!t.ok) return fail('BAD_ARGS', `watch.start: host: ${t.message}`);
      if (watches.size >= 1) return fail('BUSY', 'Already watching a connection: cancel that watch first');
      const watchId = randomUUID();
      const controller = new AbortController();
      watches.set(watchId, controller);
      log.info('watch start', { watchId, port, maxDurationMs: maxDurationMs ?? null });
      void watch(
        { host: t.value.host, port },
        {
          ...watchTuning,
          signal: controller.signal,
          ...(maxDurationMs ? { maxDurationMs } : {}),
          onAttempt: (attempt) => emit('watch.attempt', { watchId, attempt }),
        },
      )
        .then(
          (result) => {
            log.info('watch done', { watchId, status: result.status, attempts: result.attempts.length });
            emit('watch.done', { watchId, outcome: ok(result) });
          },
          (e: unknown) => {
            log.warn('watch failed', { watchId, message: (e as Error)?.message ?? String(e) });
            emit('watch.done', { watchId, outcome: fail('WATCH_FAILED', (e as Error)?.message ?? String(e)) });
          },
        )
        .finally(() => watches.delete(watchId));
      return ok({ watchId });
    },
    'watch.cancel': async ({ watchId }) => {
      const c = watches.get(watchId);
      c?.abort();
      // Freed at once: a new watch may start while this one is winding down.
      watches.delete(watchId);
      return ok({ cancelled: !!c });
    },
  };
}

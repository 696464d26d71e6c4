// Diagnosis runs (in the background, followed through events) and the server half: the script, its pasted
// output, and Cloud Assistant.
import { randomUUID } from 'node:crypto';
import { fail, ok } from '../../result';
import { EngineError } from '../engine';
import type { BackendContext } from './context';
import type { DomainHandlers } from './types';

export function diagnosisHandlers(ctx: BackendContext): DomainHandlers<'diagnosis' | 'server'> {
  const { engine, log, emit, runs, maxRuns, credentialsFor, checkDiagnosis } = ctx;
  return {
    'diagnosis.start': async (args) => {
      if (runs.size >= maxRuns) return fail('BUSY', 'A diagnosis is already running: cancel it or wait for it to finish');
      const creds = await credentialsFor(args.cloud);
      if (!creds.ok) return creds;
      if (creds.value.kind === 'import') {
        // Offline JSON that cannot be used blocks the start (the app shows why) instead of a run without cloud data.
        const refused = await engine.checkImport(creds.value.json).then(
          () => null,
          (e: unknown) => {
            if (e instanceof EngineError) return e.message;
            throw e;
          },
        );
        if (refused !== null) return fail('bad-input', refused);
      }
      const runId = randomUUID();
      const controller = new AbortController();
      runs.set(runId, controller);
      log.info('diagnosis start', { runId, port: args.port, service: args.service, cloud: args.cloud.mode, provider: args.cloud.provider });
      const started = Date.now();
      // Runs in the background; the UI follows it through events.
      void engine
        .run(args, { signal: controller.signal, credentials: creds.value, onEvent: (event) => emit('diagnosis.event', { runId, event }) })
        .then(
          (diagnosis) => {
            log.info('diagnosis done', { runId, locus: diagnosis.verdict.locus, ms: Date.now() - started });
            emit('diagnosis.done', { runId, result: ok(diagnosis) });
          },
          (e: unknown) => {
            const cancelled = controller.signal.aborted;
            const code = cancelled ? 'CANCELLED' : e instanceof EngineError ? e.code : 'DIAGNOSIS_FAILED';
            const message = cancelled ? 'The diagnosis was cancelled' : (e as Error)?.message ?? String(e);
            log.warn('diagnosis failed', { runId, code, message });
            emit('diagnosis.done', { runId, result: fail(code, message) });
          },
        )
        .finally(() => runs.delete(runId));
      return ok({ runId });
    },
    'diagnosis.cancel': async ({ runId }) => {
      const c = runs.get(runId);
      c?.abort();
      return ok({ cancelled: !!c });
    },

    'server.script': async ({ os, port }) => ok(engine.serverScript(os, port)),
    'server.applyOutput': async ({ diagnosis, text }) => {
      const d = checkDiagnosis(diagnosis);
      if (!d.ok) return d;
      return ok(await engine.applyServerOutput(d.value, text));
    },
    'server.runCloudAssistant': async ({ diagnosis, cloud }) => {
      const d = checkDiagnosis(diagnosis);
      if (!d.ok) return d;
      const creds = await credentialsFor(cloud);
      if (!creds.ok) return creds;
      if (creds.value.kind === 'none' || creds.value.kind === 'import') {
        return fail('NEEDS_ACCOUNT', 'Cloud Assistant needs a cloud account (a profile or an AccessKey); copy the script instead');
      }
      log.info('cloud assistant run', { instanceId: d.value.target.instanceId ?? d.value.cloud.snapshot?.instance?.id ?? null });
      return ok(await engine.runCloudAssistant(d.value, creds.value, AbortSignal.timeout(120_000)));
    },
  };
}

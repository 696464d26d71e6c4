// Runs one or more exported functions of a repository module in THIS process (which the lab starts inside
// a namespace, possibly as another user) and prints their results as one JSON line prefixed with
// RESULT_MARKER. Arguments and results must be JSON-serialisable. A function that throws yields
// { error } for that call instead of a result, so a test can assert on rejections too.
import { pathToFileURL } from 'node:url';
import { RESULT_MARKER, type CallOutcome, type CallSpec } from './protocol';

async function main(): Promise<void> {
  const calls = JSON.parse(process.argv[2] ?? '[]') as CallSpec[];
  const out: CallOutcome[] = [];
  for (const c of calls) {
    const t0 = performance.now();
    try {
      const mod = (await import(c.module.startsWith('node:') ? c.module : pathToFileURL(c.module).href)) as Record<string, unknown>;
      const fn = mod[c.fn];
      if (typeof fn !== 'function') throw new Error(`${c.module} has no exported function ${c.fn}`);
      const value: unknown = await (fn as (...a: unknown[]) => unknown)(...c.args);
      out.push({ ok: true, value, ms: performance.now() - t0 });
    } catch (err) {
      out.push({ ok: false, error: String((err as Error)?.stack ?? err), ms: performance.now() - t0 });
    }
  }
  process.stdout.write(`${RESULT_MARKER}${JSON.stringify(out)}\n`);
  // Probes may leave sockets closing; do not wait for them.
  process.exit(0);
}

void main();

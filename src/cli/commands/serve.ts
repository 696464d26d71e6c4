// `sg-doctor serve`: the desktop app's UI in the browser, served on 127.0.0.1 with a per-launch token.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { createBackend } from '../../core/backend/backend';
import { coreEngine } from '../../core/backend/core-engine';
import { fileLogger } from '../../core/backend/log';
import { startWebShell } from '../serve/server';
import { defaultDataDir, webHost } from '../serve/web-host';

/** First existing candidate: next to the bundle (out/cli → out/renderer), then the checkout's out/. */
function findDir(explicit: string | undefined, rel: string[], marker: string): string | null {
  const candidates = explicit ? [resolve(explicit)] : [join(__dirname, '..', ...rel), join(__dirname, '..', '..', ...rel), join(__dirname, '..', '..', '..', ...rel), join(process.cwd(), ...rel)];
  return candidates.find((c) => existsSync(join(c, marker))) ?? null;
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('Serve the app in your browser on 127.0.0.1 (for machines without the desktop runtime)')
    // Digits only: parseInt would take "0x50" as 0, "80abc" as 80 and "1e3" as 1.
    .option('--port <n>', 'port to listen on (default: any free port)', (v) => (/^\d{1,5}$/.test(v) ? Number(v) : Number.NaN), 0)
    .option('--data-dir <dir>', 'where sessions, reports and logs go (default: the app\'s user-data folder)')
    .option('--renderer <dir>', 'built renderer folder (default: out/renderer)')
    .option('--resources <dir>', 'folder with example.sgdiag (default: resources/)')
    .option('--lang <lang>', 'UI language reported as the OS locale (zh-CN or en)')
    .action(async (o: { port: number; dataDir?: string; renderer?: string; resources?: string; lang?: string }) => {
      if (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535) {
        console.error('sg-doctor serve: --port must be a number from 0 to 65535, in digits (0 = any free port)');
        process.exit(2);
      }
      const rendererDir = findDir(o.renderer, ['out', 'renderer'], 'index.html') ?? findDir(o.renderer, ['renderer'], 'index.html');
      if (!rendererDir) {
        console.error('sg-doctor serve: the UI is not built. Run "npm run build" first.');
        process.exit(2);
      }
      const resourcesDir = findDir(o.resources, ['resources'], 'example.sgdiag') ?? join(process.cwd(), 'resources');
      const dataDir = resolve(o.dataDir ?? defaultDataDir());
      const log = fileLogger(join(dataDir, 'logs'));
      const host = webHost(dataDir, o.lang ? { locale: o.lang } : {});
      const backend = createBackend({ host, engine: coreEngine(), resourcesDir, log });
      const shell = await startWebShell({ backend, rendererDir, port: o.port, log });
      log.info('web shell started', { port: shell.port });
      console.log(`SG Doctor is running in your browser at:\n\n  ${shell.url}\n\nOnly this URL works (it carries this launch's token). Data: ${dataDir}\nPress Ctrl+C to stop.`);
      const stop = () => {
        void shell.close().then(() => process.exit(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}

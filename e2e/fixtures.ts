// Starts the web shell in the test process (the same createBackend + startWebShell `sg-doctor serve`
// uses) with its own data folder, and hands each test a page opened on the tokenised URL.
// Nothing leaves loopback: egress-IP echo services and control hosts are configured empty.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test as base, expect, type Page } from '@playwright/test';
import { createBackend, type Backend } from '../src/core/backend/backend';
import { coreEngine } from '../src/core/backend/core-engine';
import { startWebShell, type WebShell } from '../src/cli/serve/server';
import { webHost } from '../src/cli/serve/web-host';

process.env.ALIBABA_CLOUD_ECS_METADATA_DISABLED = 'true';
process.env.SGD_EGRESS_IP_URLS ??= '';
process.env.SGD_CONTROL_HOSTS ??= '';
process.env.SGD_DNS_SERVERS ??= '';
// An empty config file: no user configuration leaks into the tests.
const emptyConfig = join(mkdtempSync(join(tmpdir(), 'sgd-e2e-config-')), 'config.json');
writeFileSync(emptyConfig, '{}');
process.env.SGD_CONFIG ??= emptyConfig;

export const ROOT = resolve(__dirname, '..');

export interface Shell {
  shell: WebShell;
  backend: Backend;
  dataDir: string;
}

export async function startShell(opts: { locale?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Shell & { stop(): Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sgd-e2e-'));
  const env = { ...process.env, ...opts.env };
  const backend = createBackend({
    host: webHost(dataDir, { locale: opts.locale ?? 'en-US' }),
    engine: coreEngine({ env }),
    resourcesDir: join(ROOT, 'resources'),
    env,
  });
  const shell = await startWebShell({ backend, rendererDir: join(ROOT, 'out', 'renderer') });
  return {
    shell,
    backend,
    dataDir,
    async stop() {
      await shell.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const test = base.extend<{ app: Shell; ready: Page }>({
  // eslint-disable-next-line no-empty-pattern
  app: async ({}, use) => {
    const s = await startShell();
    await use(s);
    await s.stop();
  },
  ready: async ({ page, app }, use) => {
    await page.goto(app.shell.url);
    await page.locator('body[data-ready="true"]').waitFor();
    await use(page);
  },
});

export { expect };

/** Attaches a screenshot to the HTML report (and returns it). */
export async function shot(page: Page, name: string, fullPage = true): Promise<Buffer> {
  const png = await page.screenshot({ fullPage });
  await test.info().attach(name, { body: png, contentType: 'image/png' });
  return png;
}

// Sessions end to end: a real probe-only diagnosis of a loopback service, saved, reopened after a
// reload, re-run with a comparison (the service stopped in between); a corrupt file; a report export.
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, shot, test } from './fixtures';

async function listen(): Promise<{ server: Server; port: number }> {
  const server = createServer((s) => {
    s.on('error', () => undefined); // probes reset connections on purpose
    s.end('SSH-2.0-OpenSSH_9.6 e2e\r\n');
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const a = server.address();
  return { server, port: typeof a === 'object' && a ? a.port : 0 };
}

async function diagnoseLoopback(page: Page, port: number): Promise<void> {
  await page.getByTestId('start').click();
  await page.locator('#host').fill('127.0.0.1');
  await expect(page.locator('#host-status')).toContainText('IPv4');
  await page.locator('input[name="service"][value="custom"]').check();
  await page.locator('#port').fill(String(port));
  await page.getByTestId('next').click();
  await page.getByRole('radio', { name: 'Skip: probe only' }).check();
  await page.getByTestId('next').click();
  await page.getByTestId('run').click();
}

test('save a session, reload, reopen it, re-run it with a comparison', async ({ ready, page, app }) => {
  const { server, port } = await listen();
  try {
    await diagnoseLoopback(ready, port);
    await expect(ready.getByTestId('verdict')).toBeVisible({ timeout: 30_000 });
    const locus = await ready.getByTestId('verdict').getAttribute('data-locus');
    await shot(ready, 'loopback-diagnosis');
    // Save (the web shell asks for a name inside its sessions folder).
    await ready.getByTestId('save').click();
    await ready.locator('#saveas-name').fill('loopback check');
    await ready.getByRole('button', { name: 'Save', exact: true }).last().click();
    await expect(ready.getByTestId('toast-info').filter({ hasText: 'Saved to' })).toContainText('loopback check.sgdiag');
    const file = join(app.dataDir, 'sessions', 'loopback check.sgdiag');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ kind: 'sg-doctor-session', plan: { host: '127.0.0.1', port } });

    // Reload: the document is gone from memory, the recent list brings it back.
    await page.reload();
    await page.locator('body[data-ready="true"]').waitFor();
    await page.getByRole('button', { name: 'loopback check.sgdiag' }).click();
    await expect(page.getByTestId('verdict')).toHaveAttribute('data-locus', locus!);

    // Re-run after the service stopped: the comparison says what changed.
    await new Promise<void>((ok) => server.close(() => ok()));
    await page.getByTestId('rerun').click();
    await expect(page.getByTestId('comparison')).toBeVisible({ timeout: 30_000 });
    await expect(page.getByTestId('comparison')).toContainText(`port ${port} was open, now closed`);
    await shot(page, 'rerun-comparison');
  } finally {
    server.close();
  }
});

test('a corrupt file: a clear error, and the open document is kept', async ({ ready, app }) => {
  await ready.getByTestId('open-example').click();
  await expect(ready.getByTestId('verdict')).toBeVisible();
  mkdirSync(join(app.dataDir, 'sessions'), { recursive: true });
  writeFileSync(join(app.dataDir, 'sessions', 'broken.sgdiag'), '{"kind":"sg-doctor-session","schemaVersion":1,"plan":{"host":"x"');
  await ready.getByRole('button', { name: 'Open…' }).click();
  await ready.getByRole('dialog').getByRole('button', { name: 'broken.sgdiag' }).click();
  const err = ready.getByTestId('toast-error');
  await expect(err).toContainText('Could not open the file');
  await expect(err).toContainText('broken.sgdiag: the file ends early');
  // Nothing else lost: the example is still on screen.
  await expect(ready.getByTestId('verdict')).toHaveAttribute('data-locus', 'network');
  await shot(ready, 'corrupt-file');
});

test('export a report as HTML and Markdown', async ({ ready, app }) => {
  await ready.getByTestId('open-example').click();
  await ready.getByTestId('export').click();
  await ready.getByTestId('do-export').click();
  await expect(ready.getByTestId('toast-info').filter({ hasText: 'Report written to' }).first()).toContainText('.html');
  await ready.getByTestId('export').click();
  await ready.getByLabel('Markdown (.md)').check();
  await ready.getByLabel('Hide IP addresses (for sharing)').check();
  await ready.getByTestId('do-export').click();
  await expect(ready.getByTestId('toast-info').filter({ hasText: '.md' })).toBeVisible();
  const dir = join(app.dataDir, 'reports');
  const files = readdirSync(dir).sort();
  expect(files).toEqual(['sg-doctor-198.51.100.20-22.html', 'sg-doctor-198.51.100.20-22.md']);
  const html = readFileSync(join(dir, files[0]), 'utf8');
  expect(html).toContain('<!doctype html>');
  expect(html).toContain('AuthorizeSecurityGroup');
  const md = readFileSync(join(dir, files[1]), 'utf8');
  expect(md).not.toContain('203.0.113.7'); // masked
  expect(existsSync(join(dir, 'x.pdf'))).toBe(false);
});

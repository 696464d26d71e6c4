// The app's path option end to end: the run step explains "Trace the path" in words (in English and in
// Chinese), a probe-only diagnosis of a loopback service with the option on traces the path, and the trace
// shows in the checklist's evidence (check path.trace, one line per hop). Loopback only.
import { createServer, type Server } from 'node:net';
import type { Page } from '@playwright/test';
import { expect, shot, startShell, test } from './fixtures';

async function listen(): Promise<{ server: Server; port: number }> {
  const server = createServer((s) => {
    s.on('error', () => undefined);
    s.end('SSH-2.0-OpenSSH_9.6 e2e\r\n');
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const a = server.address();
  return { server, port: typeof a === 'object' && a ? a.port : 0 };
}

async function toRunStep(page: Page, port: number, skipName: string | RegExp): Promise<void> {
  await page.getByTestId('start').click();
  await page.locator('#host').fill('127.0.0.1');
  await page.locator('input[name="service"][value="custom"]').check();
  await page.locator('#port').fill(String(port));
  await page.getByTestId('next').click();
  await page.getByRole('radio', { name: skipName }).check();
  await page.getByTestId('next').click();
}

test('the run step offers "Trace the path"; the trace lands in the checklist evidence', async ({ ready }) => {
  const { server, port } = await listen();
  try {
    await toRunStep(ready, port, 'Skip: probe only');
    const option = ready.getByTestId('trace-option');
    await expect(option).not.toBeChecked();
    await expect(ready.getByLabel('Trace the path')).toBeVisible();
    await expect(ready.locator('#trace-hint')).toContainText('up to a minute');
    await expect(ready.locator('#trace-hint')).toContainText('only to the server’s address');
    await option.check();
    await shot(ready, 'trace-option-en');
    await ready.getByTestId('run').click();
    await expect(ready.getByTestId('verdict')).toBeVisible({ timeout: 60_000 });
    const check = ready.locator('li[data-check="path.trace"]');
    await expect(check).toBeVisible();
    await expect(check).toContainText('The packets get out of your own network (path trace)');
    await check.locator('summary').first().click();
    // The method line and the hop (loopback: one hop, the target itself).
    await expect(check.locator('.evidence')).toContainText('127.0.0.1');
    await expect(check.locator('.evidence')).toContainText(/tcp-syn|udp|icmp/);
    await shot(ready, 'trace-evidence-en');
  } finally {
    server.close();
  }
});

test('zh-CN: the option and its explanation in Chinese', async ({ browser }) => {
  const s = await startShell({ locale: 'zh-CN' });
  const { server, port } = await listen();
  const ctx = await browser.newContext({ locale: 'zh-CN' });
  try {
    const page = await ctx.newPage();
    await page.goto(s.shell.url);
    await page.locator('body[data-ready="true"]').waitFor();
    await toRunStep(page, port, /只做探测|跳过/);
    await expect(page.getByLabel('追踪路径')).toBeVisible();
    await expect(page.locator('#trace-hint')).toContainText('最多需要一分钟');
    await shot(page, 'trace-option-zh');
  } finally {
    await ctx.close();
    server.close();
    await s.stop();
  }
});

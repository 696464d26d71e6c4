/// <reference lib="dom" />
// The example session from the welcome screen, language switch, themes, keyboard-only flow, and an
// axe accessibility check — with screenshots attached to the report.
import AxeBuilder from '@axe-core/playwright';
import { expect, shot, test } from './fixtures';

test('the welcome screen opens the example: verdict, failing check, fix', async ({ ready }) => {
  await shot(ready, 'welcome-en');
  await ready.getByTestId('open-example').click();
  const verdict = ready.getByTestId('verdict');
  await expect(verdict).toHaveAttribute('data-locus', 'network');
  await expect(verdict).toContainText('Network / cloud configuration');
  await expect(ready.getByTestId('fixes')).toContainText('aliyun ecs AuthorizeSecurityGroup');
  await expect(ready.getByTestId('fixes')).toContainText('203.0.113.7/32');
  const failing = ready.locator('[data-check][data-status="fail"]').first();
  await expect(failing).toBeVisible();
  // Evidence panel: the rules table with the near miss.
  await ready.locator('[data-check="sg.source"] summary, [data-check][data-status="fail"] summary').first().click();
  await expect(ready.locator('table.rules').first()).toContainText('192.168.1.10/32');
  await shot(ready, 'example-en-light');
});

for (const lang of ['zh-CN', 'en'] as const) {
  for (const theme of ['light', 'dark'] as const) {
    test(`example in ${lang}, ${theme} theme`, async ({ ready }) => {
      await ready.getByTestId('lang').selectOption(lang);
      await ready.getByTestId('theme').selectOption(theme);
      await ready.getByTestId('open-example').click();
      await expect(ready.locator('html')).toHaveAttribute('lang', lang);
      await expect(ready.locator('html')).toHaveAttribute('data-theme', theme);
      await expect(ready.getByTestId('verdict')).toContainText(lang === 'zh-CN' ? '网络 / 云上配置' : 'Network / cloud configuration');
      await shot(ready, `example-${lang}-${theme}`, false);
    });
  }
}

test('switching language re-renders everything and is remembered', async ({ ready, page }) => {
  await ready.getByTestId('lang').selectOption('zh-CN');
  await expect(ready.getByRole('heading', { level: 1 })).toHaveText('测试我的连接');
  await page.reload();
  await page.locator('body[data-ready="true"]').waitFor();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('测试我的连接');
  await page.getByTestId('lang').selectOption('en');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Test my connection');
});

test('keyboard only: start the flow, type a target, pick a service, skip the account', async ({ ready }) => {
  // Tab from the top of the page to the start button and press Enter.
  await ready.keyboard.press('Tab');
  let found = false;
  for (let i = 0; i < 20 && !found; i++) {
    found = await ready.evaluate(() => document.activeElement?.getAttribute('data-testid') === 'start');
    if (!found) await ready.keyboard.press('Tab');
  }
  expect(found).toBe(true);
  await ready.keyboard.press('Enter');
  await expect(ready.locator('#host')).toBeFocused(); // autofocus on step 1
  await ready.keyboard.type('127.0.0.1');
  await expect(ready.locator('#host-status')).toContainText('IPv4');
  // Tab to the service radios and move with the arrow keys (native radio group).
  await ready.keyboard.press('Tab');
  await ready.keyboard.press('ArrowRight');
  await expect(ready.locator('input[name="service"][value="rdp"]')).toBeChecked();
  await ready.keyboard.press('Tab');
  await expect(ready.getByTestId('next')).toBeFocused();
  await ready.keyboard.press('Enter');
  await expect(ready.getByRole('heading', { level: 1 })).toHaveText('Cloud account');
  // The "skip" choice, by keyboard.
  await ready.locator('input[name="cloud"]').first().focus();
  const choices = await ready.locator('input[name="cloud"]').count();
  for (let i = 0; i < choices - 1; i++) await ready.keyboard.press('ArrowDown');
  await expect(ready.getByRole('radio', { name: 'Skip: probe only' })).toBeChecked();
  await ready.getByTestId('next').focus();
  await ready.keyboard.press('Enter');
  await expect(ready.getByTestId('run-summary')).toContainText('127.0.0.1 port 3389');
  await shot(ready, 'keyboard-step3');
});

test('no axe violations on the welcome screen, the flow and the example', async ({ ready }) => {
  const check = async (name: string) => {
    const r = await new AxeBuilder({ page: ready }).withTags(['wcag2a', 'wcag2aa']).analyze();
    const summary = r.violations.map((v) => `${v.id}: ${v.nodes.length} (${v.nodes[0]?.target.join(' ')})`);
    expect(summary, name).toEqual([]);
  };
  await check('welcome');
  await ready.getByTestId('start').click();
  await check('flow');
  await ready.getByRole('button', { name: 'SG Doctor — home' }).click();
  await ready.getByTestId('open-example').click();
  await ready.locator('[data-check][data-status="fail"] summary').first().click();
  await check('example');
  await ready.getByTestId('theme').selectOption('dark');
  await check('example-dark');
});

test('readable at 200% zoom (no horizontal scrolling of the page)', async ({ ready }) => {
  await ready.setViewportSize({ width: 640, height: 400 }); // 1280×800 at 200%
  await ready.getByTestId('open-example').click();
  await expect(ready.getByTestId('verdict')).toBeVisible();
  const overflow = await ready.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(1);
  await shot(ready, 'zoom-200', false);
});

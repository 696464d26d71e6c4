// Watch until it works (issue 11 §3) through the web shell, in zh-CN and English, loopback only: a
// probe-only diagnosis of a port where nothing listens yet, then Watch; the port opens a little later; the
// timeline shows the refusals, then the connection; the page title and "works since" say it; the saved
// session and the exported report keep it. Also: cancel stops the watch.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { expect, shot, test } from './fixtures';

type Lang = 'zh-CN' | 'en';
const T: Record<Lang, { skip: string; watch: string; stop: string; works: RegExp; title: (t: string) => string; refused: string; connected: string; save: string; stopped: string }> = {
  en: {
    skip: 'Skip: probe only',
    watch: 'Watch',
    stop: 'Stop watching',
    works: /^✓ Works since \d\d:\d\d:\d\d/,
    title: (t) => `✓ works — ${t} — SG Doctor`,
    refused: 'refused (reset)',
    connected: 'connected',
    save: 'Save',
    stopped: 'Stopped watching.',
  },
  'zh-CN': {
    skip: '跳过：只做探测',
    watch: '持续探测',
    stop: '停止探测',
    works: /^✓ 自 \d\d:\d\d:\d\d 起可以连通/,
    title: (t) => `✓ 已连通 — ${t} — SG Doctor`,
    refused: '被拒绝（RST）',
    connected: '已连通',
    save: '保存',
    stopped: '已停止探测。',
  },
};

/** A loopback port nothing listens on yet. */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function diagnoseClosedPort(page: Page, lang: Lang, port: number): Promise<void> {
  await page.getByTestId('lang').selectOption(lang);
  await expect(page.locator('html')).toHaveAttribute('lang', lang);
  await page.getByTestId('start').click();
  await page.locator('#host').fill(`127.0.0.1:${port}`);
  await expect(page.locator('#port')).toHaveValue(String(port));
  await page.getByTestId('next').click();
  await page.getByRole('radio', { name: T[lang].skip }).check();
  await page.getByTestId('next').click();
  await page.getByTestId('run').click();
  await expect(page.getByTestId('verdict')).toBeVisible({ timeout: 45_000 });
  await expect(page.getByTestId('progress')).toHaveCount(0, { timeout: 45_000 });
}

for (const lang of ['en', 'zh-CN'] as const) {
  const t = T[lang];

  test(`[${lang}] watch: failures, then the port opens, then the success with title and works since`, async ({ ready, app }) => {
    const port = await freePort();
    let server: Server | null = null;
    try {
      await diagnoseClosedPort(ready, lang, port);
      const card = ready.getByTestId('watch');
      await expect(card).toBeVisible();
      await card.getByTestId('watch-start').click();
      await expect(card.getByTestId('watch-start')).toHaveCount(0);
      await expect(card.getByTestId('watch-cancel')).toHaveText(t.stop);
      // The first attempts are refused (nothing listens); open the port once two are on the timeline.
      const rows = card.getByTestId('watch-attempt');
      await expect(rows.nth(1)).toBeVisible({ timeout: 15_000 });
      await expect(rows.first()).toHaveAttribute('data-outcome', 'refused');
      await expect(rows.first()).toContainText(t.refused);
      await shot(ready, `watch-failing-${lang}`);
      server = createServer((c) => c.destroy());
      await new Promise<void>((r) => server!.listen(port, '127.0.0.1', r));

      const works = card.getByTestId('watch-works');
      await expect(works).toBeVisible({ timeout: 30_000 });
      await expect(works).toHaveText(t.works);
      const outcomes = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-outcome')));
      expect(outcomes.length).toBeGreaterThanOrEqual(3);
      expect(outcomes.slice(0, -1).every((o) => o === 'refused')).toBe(true);
      expect(outcomes[outcomes.length - 1]).toBe('connected');
      await expect(rows.last()).toContainText(t.connected);
      await expect(ready).toHaveTitle(t.title(`127.0.0.1:${port}`));
      await expect(card.getByTestId('watch-cancel')).toHaveCount(0);
      await shot(ready, `watch-works-${lang}`);
      const axe = await new AxeBuilder({ page: ready }).include('[data-testid="watch"]').withTags(['wcag2a', 'wcag2aa']).analyze();
      expect(axe.violations.map((v) => `${v.id}: ${v.nodes.length} (${v.nodes[0]?.target.join(' ')})`)).toEqual([]);

      // The checklist is from before the fix: re-run from the card; the path now works, "works since" stays.
      await card.getByTestId('watch-rerun').click();
      await expect(ready.getByTestId('verdict')).toHaveAttribute('data-locus', 'none', { timeout: 45_000 });
      await expect(ready.getByTestId('progress')).toHaveCount(0, { timeout: 45_000 });
      await expect(ready.getByTestId('watch-works')).toHaveText(t.works);
      await expect(ready.getByTestId('watch-rerun')).toHaveCount(0);

      // Saved with the session: "works since" is in the file.
      await ready.getByTestId('save').click();
      await ready.locator('#saveas-name').fill(`watched-${lang}`);
      await ready.getByRole('button', { name: t.save, exact: true }).last().click();
      await expect(ready.getByTestId('toast-info')).toContainText(`watched-${lang}.sgdiag`);
      const saved = JSON.parse(readFileSync(join(app.dataDir, 'sessions', `watched-${lang}.sgdiag`), 'utf8')) as { watch?: { host: string; port: number; worksSince: string; attempts: number } };
      expect(saved.watch).toMatchObject({ host: '127.0.0.1', port, attempts: outcomes.length });
      expect(Date.parse(saved.watch!.worksSince)).not.toBeNaN();
    } finally {
      server?.close();
    }
  });
}

test('[en] cancel stops the watch; a new watch can start', async ({ ready }) => {
  const port = await freePort();
  await diagnoseClosedPort(ready, 'en', port);
  const card = ready.getByTestId('watch');
  await card.getByTestId('watch-start').click();
  await expect(card.getByTestId('watch-attempt').first()).toBeVisible({ timeout: 15_000 });
  await card.getByTestId('watch-cancel').click();
  await expect(card).toContainText(T.en.stopped);
  const count = await card.getByTestId('watch-attempt').count();
  // Nothing more arrives after the cancel (the next try would have been 1–2 s later).
  await ready.waitForTimeout(2500);
  await expect(card.getByTestId('watch-attempt')).toHaveCount(count);
  await expect(ready).toHaveTitle('SG Doctor');
  await expect(card.getByTestId('watch-start')).toHaveText('Watch again');
  await card.getByTestId('watch-start').click();
  await expect(card.getByTestId('watch-cancel')).toBeVisible();
  await card.getByTestId('watch-cancel').click();
});

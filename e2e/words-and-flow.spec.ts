/// <reference lib="dom" />
// Words users read and the flow's new fields, in zh-CN and English, through the web shell (loopback only):
// host:port split in the address field, the protocol of a custom port (a loopback HTTP server is healthy),
// loopback targets explained as this machine, offline JSON that blocks Next with the reason until it is
// usable (pasted or loaded from files) with copy-ready aliyun commands, outside contacts disclosed (first-run
// note, settings panel persisted in the config file), and no internal code or placeholder on screen.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { buildScenario, type ApiObjectLike } from '../test/fake-api/cli-docs';
import { expect, startShell, test } from './fixtures';

type Lang = 'zh-CN' | 'en';
const T = {
  en: { next: 'Next', port: 'Port', paste: 'Paste JSON (offline)', skip: 'Skip: probe only', start: 'Start diagnosis', healthy: 'Healthy: the connection works', thisComputer: 'this computer itself' },
  'zh-CN': { next: '下一步', port: '端口', paste: '粘贴 JSON（离线）', skip: '跳过：只做探测', start: '开始诊断', healthy: '正常：连接可用', thisComputer: '就是这台电脑本身' },
} as const;

/**
 * Internal codes, CLI flags and placeholders that must never be on screen. (The "Raw fields" panels show
 * the stored JSON as it is, for support: they are left out of the scan.)
 */
const FORBIDDEN = /not-evaluated|closed-after-connect|silent-after-connect|private-source|source-excludes-client|default-deny-basic|no-response|conn-refused|--profile|<your-public-ip>|<region-id>|<security-group-id>|<instance-id>/;

/** The main area's text without the raw-JSON panels. */
async function visibleWords(page: Page): Promise<string> {
  return page.locator('main').evaluate((el) => {
    const c = el.cloneNode(true) as HTMLElement;
    Array.from(c.querySelectorAll('details.raw')).forEach((raw) => raw.remove());
    return c.innerText || c.textContent || '';
  });
}

/** A full-page screenshot kept in the test's output folder and attached to the report. */
async function shot(page: Page, name: string): Promise<void> {
  await page.evaluate(() => window.scrollTo(0, 0));
  const path = test.info().outputPath(`${name}.png`);
  await page.screenshot({ fullPage: true, path });
  await test.info().attach(name, { path, contentType: 'image/png' });
}

async function pickLang(page: Page, lang: Lang): Promise<void> {
  await page.getByTestId('lang').selectOption(lang);
  await expect(page.locator('html')).toHaveAttribute('lang', lang);
}

/** The aliyun outputs a user pastes (DescribeInstances and DescribeSecurityGroupAttribute per group). */
function aliyunDocs(): { instances: string; groups: string[] } {
  const s = buildScenario({});
  const groups = s.securityGroups.map((g) => {
    const { Permissions, SecurityGroupType: _t, CreationTime: _c, ResourceGroupId: _r, ...rest } = g as ApiObjectLike;
    return JSON.stringify({ RequestId: 'B1', ...rest, Permissions: { Permission: Permissions } }, null, 2);
  });
  return { instances: JSON.stringify({ RequestId: 'A1', TotalCount: 1, PageSize: 10, PageNumber: 1, Instances: { Instance: s.instances } }, null, 2), groups };
}

for (const lang of ['en', 'zh-CN'] as const) {
  const t = T[lang];

  test(`[${lang}] the address field splits host:port; loopback is this computer; custom ports name their protocol`, async ({ ready }) => {
    await pickLang(ready, lang);
    await ready.getByTestId('start').click();
    const host = ready.locator('#host');
    await host.fill('example.com:443');
    await expect(host).toHaveValue('example.com');
    await expect(ready.getByRole('radio', { name: 'HTTPS (443)' })).toBeChecked();
    await host.fill('[2001:db8::1]:22');
    await expect(host).toHaveValue('2001:db8::1');
    await expect(ready.getByRole('radio', { name: 'SSH (22)' })).toBeChecked();
    await host.fill('127.0.0.1:8080');
    await expect(host).toHaveValue('127.0.0.1');
    await expect(ready.locator('#port')).toHaveValue('8080');
    await expect(ready.getByTestId('private-note')).toContainText(t.thisComputer);
    await expect(ready.getByTestId('private-note')).not.toContainText('VPC');
    const proto = ready.locator('#app-protocol');
    const options = await proto.locator('option').allInnerTexts();
    for (const p of ['HTTP', 'HTTPS', 'SSH', 'RDP', 'MySQL', 'PostgreSQL', 'Redis', 'SMTP']) expect(options).toContain(p);
    expect(options).toHaveLength(10); // not sure + 8 protocols + other
    await shot(ready, `target-${lang}`);
  });

  test(`[${lang}] a custom-port HTTP service on this machine is healthy`, async ({ ready }) => {
    // A loopback web server that, like python3 -m http.server, waits for the client to speak first.
    const server: Server = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      await pickLang(ready, lang);
      await ready.getByTestId('start').click();
      await ready.locator('#host').fill(`127.0.0.1:${port}`);
      await expect(ready.locator('#port')).toHaveValue(String(port));
      await ready.locator('#app-protocol').selectOption('http');
      await ready.getByTestId('next').click();
      await ready.getByRole('radio', { name: t.skip }).check();
      await ready.getByTestId('next').click();
      await expect(ready.getByTestId('run-summary')).toContainText('HTTP');
      await ready.getByTestId('run').click();
      const verdict = ready.getByTestId('verdict');
      await expect(verdict).toBeVisible({ timeout: 45_000 });
      await expect(ready.getByTestId('progress')).toHaveCount(0, { timeout: 45_000 });
      await expect(verdict).toHaveAttribute('data-locus', 'none');
      await expect(verdict.locator('#verdict-h')).toHaveText(t.healthy);
      await expect(ready.getByTestId('verdict-headline')).toContainText(`127.0.0.1:${port}`);
      await expect(ready.locator('[data-check][data-status="fail"]')).toHaveCount(0);
      await expect(ready.locator('[data-check="app.responds"]')).not.toHaveAttribute('data-status', 'fail');
      expect(await visibleWords(ready)).not.toMatch(FORBIDDEN);
      await shot(ready, `custom-http-healthy-${lang}`);
    } finally {
      server.close();
    }
  });

  test(`[${lang}] offline JSON: Next waits for a usable document, with the reason; commands are filled in; files load`, async ({ ready }) => {
    await pickLang(ready, lang);
    await ready.getByTestId('start').click();
    await ready.locator('#host').fill('47.98.10.20:22');
    await ready.getByTestId('next').click();
    await ready.getByRole('radio', { name: t.paste }).check();
    const next = ready.getByTestId('next');
    const status = ready.getByTestId('import-status');
    const commands = ready.getByTestId('aliyun-commands');
    // Nothing pasted yet: the first command finds the instance by the address typed in step 1.
    await expect(commands).toContainText(`aliyun ecs DescribeInstances --PublicIpAddresses '["47.98.10.20"]'`);
    await expect(next).toBeDisabled();
    // Not JSON: Next stays disabled and the reason is shown.
    const box = ready.getByRole('textbox', { name: t.paste });
    await box.fill('{ "Instances": ');
    await expect(status).toHaveClass(/error/);
    await expect(status).toContainText(/JSON|nothing to import/);
    await expect(next).toBeDisabled();
    // JSON, but not an aliyun output.
    await box.fill('{"hello": "world"}');
    await expect(status).toContainText('not a recognised document');
    await expect(next).toBeDisabled();
    // The region typed is added to the commands.
    await ready.locator('#region').fill('cn-hangzhou');
    await expect(commands).toContainText('aliyun ecs DescribeInstances --RegionId cn-hangzhou');
    // DescribeInstances only: the next commands name the groups still missing.
    const docs = aliyunDocs();
    await box.fill(docs.instances);
    await expect(status).toHaveClass(/ok/);
    await expect(status).toContainText('i-bp1sgdoctor00000001');
    await expect(commands).toContainText('aliyun ecs DescribeSecurityGroupAttribute --RegionId cn-hangzhou --SecurityGroupId sg-');
    await expect(next).toBeEnabled();
    expect(await commands.innerText()).not.toMatch(/<[a-z-]+>/);
    await shot(ready, `offline-commands-${lang}`);
    // Load the group outputs from files (several at once): appended to what was pasted.
    const dir = mkdtempSync(join(tmpdir(), 'sgd-e2e-json-'));
    const files = docs.groups.map((g, i) => {
      const f = join(dir, `group-${i + 1}.json`);
      writeFileSync(f, g);
      return f;
    });
    await ready.getByTestId('import-files').setInputFiles(files);
    await expect(status).toContainText(lang === 'en' ? '2 security group(s)' : '2 个安全组');
    await expect(commands).not.toContainText('DescribeSecurityGroupAttribute');
    await expect(next).toBeEnabled();
    expect(await visibleWords(ready)).not.toMatch(FORBIDDEN);
    await shot(ready, `offline-loaded-${lang}`);
  });

  test(`[${lang}] the example: one-sentence headline with the target, alternatives as alternatives, no codes`, async ({ ready }) => {
    await pickLang(ready, lang);
    await ready.getByTestId('open-example').click();
    await expect(ready.getByTestId('verdict-headline')).toContainText('198.51.100.20:22');
    await expect(ready.getByTestId('alternatives').first()).toContainText(lang === 'en' ? 'or' : '或');
    await shot(ready, `example-top-${lang}`);
    // Open every check's details: still no code, flag or placeholder.
    for (const s of await ready.locator('[data-check] > details > summary').all()) await s.click();
    expect(await visibleWords(ready)).not.toMatch(FORBIDDEN);
    await shot(ready, `example-words-${lang}`);
    // Code blocks keep tokens whole.
    const ws = await ready.locator('pre.command').first().evaluate((el) => getComputedStyle(el).whiteSpace);
    expect(ws).toBe('pre');
    // Dates in the app's language on the welcome screen's recent list.
    await ready.locator('.brand').click();
    const recent = ready.locator('.recent li').first();
    if (await recent.count()) await expect(recent).toContainText(lang === 'en' ? /[A-Z][a-z]{2} \d{1,2}, \d{4}/ : /\d{4}年\d{1,2}月\d{1,2}日/);
  });
}

test('the web shell follows the browser language until the user picks one', async ({ browser }) => {
  const s = await startShell({ locale: 'en-US' });
  try {
    const ctx = await browser.newContext({ locale: 'zh-CN' });
    const page = await ctx.newPage();
    await page.goto(s.shell.url);
    await page.locator('body[data-ready="true"]').waitFor();
    await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('测试我的连接');
    await page.getByTestId('lang').selectOption('en');
    await page.reload();
    await page.locator('body[data-ready="true"]').waitFor();
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    await ctx.close();
  } finally {
    await s.stop();
  }
});

for (const lang of ['en', 'zh-CN'] as const) {
  test(`[${lang}] outside contacts: first-run note and a settings panel that writes the CLI's config file`, async ({ browser }) => {
    // No SGD_* overrides for this shell (nothing is run: the panel only reads and writes the config file).
    const dir = mkdtempSync(join(tmpdir(), 'sgd-e2e-contacts-'));
    const config = join(dir, 'config.json');
    writeFileSync(config, '{"ecsEndpoint":"127.0.0.1:9"}');
    const s = await startShell({ locale: lang, env: { SGD_CONFIG: config, SGD_EGRESS_IP_URLS: undefined, SGD_CONTROL_HOSTS: undefined, SGD_DNS_SERVERS: undefined } });
    try {
      const ctx = await browser.newContext({ locale: lang });
      const page = await ctx.newPage();
      await page.goto(s.shell.url);
      await page.locator('body[data-ready="true"]').waitFor();
      const note = page.getByTestId('contacts-note');
      await expect(note).toBeVisible();
      await shot(page, `contacts-note-${lang}`);
      await note.getByRole('button').first().click();
      const panel = page.getByTestId('contacts-panel');
      // The shipped defaults are listed (the same list the CLI uses).
      await expect(panel.locator('fieldset[data-kind="egressIpUrls"] textarea')).toHaveValue('https://4.ipw.cn\nhttps://api.ipify.org\nhttps://ipv4.icanhazip.com');
      await expect(panel.locator('fieldset[data-kind="controlHosts"] textarea')).toHaveValue(/gitee\.com:22/);
      await shot(page, `contacts-panel-${lang}`);
      // Turn the public-IP services off: written to the config file, other keys kept.
      await panel.locator('fieldset[data-kind="egressIpUrls"]').getByRole('button').first().click();
      await expect(panel.locator('fieldset[data-kind="egressIpUrls"] textarea')).toHaveValue('');
      await expect.poll(() => JSON.parse(readFileSync(config, 'utf8')) as unknown).toEqual({ ecsEndpoint: '127.0.0.1:9', egressIpUrls: [] });
      // Change the control hosts and save.
      await panel.locator('fieldset[data-kind="controlHosts"] textarea').fill('127.0.0.1:22');
      await page.getByTestId('contacts-save').click();
      await expect.poll(() => (JSON.parse(readFileSync(config, 'utf8')) as { controlHosts?: string[] }).controlHosts).toEqual(['127.0.0.1:22']);
      // Remembered: after a reload the note is gone and the panel shows the saved values.
      await page.reload();
      await page.locator('body[data-ready="true"]').waitFor();
      await expect(page.getByTestId('contacts-note')).toHaveCount(0);
      await page.getByTestId('contacts').click();
      await expect(page.getByTestId('contacts-panel').locator('fieldset[data-kind="controlHosts"] textarea')).toHaveValue('127.0.0.1:22');
      // Back to the defaults.
      await page.getByTestId('contacts-panel').locator('fieldset[data-kind="egressIpUrls"]').getByRole('button').nth(1).click();
      await expect.poll(() => Object.keys(JSON.parse(readFileSync(config, 'utf8')) as object).sort()).toEqual(['controlHosts', 'dnsServers', 'ecsEndpoint']);
      await ctx.close();
    } finally {
      await s.stop();
    }
  });
}

/// <reference lib="dom" />
// The web shell refuses a wrong token, a foreign Origin and a foreign Host — checked from a real browser
// and with raw requests.
import { request as httpRequest } from 'node:http';
import { expect, test } from './fixtures';

function raw(port: number, path: string, headers: Record<string, string>, method = 'GET', body?: string): Promise<number> {
  return new Promise((ok, ko) => {
    const r = httpRequest({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      res.resume();
      ok(res.statusCode ?? 0);
    });
    r.on('error', ko);
    r.end(body);
  });
}

test('a wrong or missing token gets no app', async ({ page, app }) => {
  const wrong = await page.goto(`${app.shell.origin}/?token=not-the-token`);
  expect(wrong?.status()).toBe(403);
  await expect(page.locator('body')).toContainText('BAD_TOKEN');
  const none = await page.goto(`${app.shell.origin}/`);
  expect(none?.status()).toBe(403);
});

test('the API refuses a page from another origin', async ({ page, app }) => {
  // A foreign page (about:blank has an opaque origin) tries to call the API with the right token:
  // the browser sends Origin: null and Sec-Fetch-Site: cross-site; the server refuses.
  await page.goto('about:blank');
  const status = await page.evaluate(
    async ({ origin, token }) => {
      try {
        const r = await fetch(`${origin}/api/invoke/app.info`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-sgd-token': token }, body: '{"args":{}}' });
        return r.status;
      } catch {
        return -1; // blocked by CORS before or after the server said no
      }
    },
    { origin: app.shell.origin, token: app.shell.token },
  );
  expect(status).not.toBe(200);
  expect(await raw(app.shell.port, '/api/invoke/app.info', { host: `127.0.0.1:${app.shell.port}`, origin: 'https://evil.example', 'content-type': 'application/json', 'x-sgd-token': app.shell.token }, 'POST', '{"args":{}}')).toBe(403);
});

test('a foreign Host header (DNS rebinding) is refused', async ({ app }) => {
  expect(await raw(app.shell.port, `/?token=${app.shell.token}`, { host: `rebind.evil.example:${app.shell.port}` })).toBe(421);
  expect(await raw(app.shell.port, `/?token=${app.shell.token}`, { host: `127.0.0.1:${app.shell.port}` })).toBe(200);
});

test('the real page talks to its own origin only (CSP) and works', async ({ ready }) => {
  const info = await ready.evaluate(() => document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.getAttribute('content'));
  expect(info).toContain("default-src 'self'");
  await expect(ready.getByRole('heading', { level: 1 })).toBeVisible();
});

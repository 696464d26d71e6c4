// The web shell's security: loopback only, per-launch token, Host (DNS rebinding) and Origin /
// Sec-Fetch-Site (cross-site) checks, JSON-only API, bounded bodies, no path traversal — and that the
// API runs the same validated dispatch as IPC and streams events over SSE.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackend, type Backend } from '../src/core/backend/backend';
import { coreEngine } from '../src/core/backend/core-engine';
import { checkRequestOrigin, startWebShell, type WebShell } from '../src/cli/serve/server';
import { webHost } from '../src/cli/serve/web-host';

let dir: string;
let shell: WebShell;
let backend: Backend;

/** Raw HTTP so the test controls every header (fetch forbids setting Host and Origin). */
function raw(opts: { method?: string; path: string; headers?: Record<string, string>; body?: string }): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((ok, ko) => {
    const req = request({ host: '127.0.0.1', port: shell.port, method: opts.method ?? 'GET', path: opts.path, headers: { host: `127.0.0.1:${shell.port}`, ...opts.headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => ok({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', ko);
    req.end(opts.body);
  });
}

const api = (channel: string, args: unknown, headers: Record<string, string> = {}) =>
  raw({ method: 'POST', path: `/api/invoke/${channel}`, headers: { 'content-type': 'application/json', 'x-sgd-token': shell.token, ...headers }, body: JSON.stringify({ args }) });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sgd-webshell-'));
  mkdirSync(join(dir, 'renderer', 'assets'), { recursive: true });
  writeFileSync(join(dir, 'renderer', 'index.html'), '<!doctype html><title>SG Doctor</title>');
  writeFileSync(join(dir, 'renderer', 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(dir, 'secret.txt'), 'do not serve');
  backend = createBackend({ host: webHost(join(dir, 'data')), engine: coreEngine(), resourcesDir: dir });
  shell = await startWebShell({ backend, rendererDir: join(dir, 'renderer') });
});
afterAll(async () => {
  await shell.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('web shell', () => {
  it('listens on 127.0.0.1 with a long random token in the URL', () => {
    expect(shell.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${shell.port}/\\?token=[A-Za-z0-9_-]{43}$`));
  });

  it('serves the page only with the right token, with a strict CSP and no referrer', async () => {
    expect((await raw({ path: '/' })).status).toBe(403);
    expect((await raw({ path: '/?token=wrong' })).status).toBe(403);
    expect((await raw({ path: `/?token=${shell.token}x` })).status).toBe(403);
    const page = await raw({ path: `/?token=${shell.token}` });
    expect(page.status).toBe(200);
    expect(page.body).toContain('SG Doctor');
    expect(page.headers['content-security-policy']).toMatch(/default-src 'self'; script-src 'self'/);
    expect(page.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.headers['x-frame-options']).toBe('DENY');
  });

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    for (const host of ['evil.example', `evil.example:${shell.port}`, `127.0.0.1:${shell.port + 1}`, `127.0.0.1.nip.io:${shell.port}`]) {
      const r = await raw({ path: `/?token=${shell.token}`, headers: { host } });
      expect(r.status, host).toBe(421);
      expect(JSON.parse(r.body).code).toBe('BAD_HOST');
      expect((await api('app.info', {}, { host })).status).toBe(421);
    }
    expect((await raw({ path: `/?token=${shell.token}`, headers: { host: `localhost:${shell.port}` } })).status).toBe(200);
  });

  it('refuses a foreign Origin and cross-site fetch metadata', async () => {
    for (const origin of ['http://evil.example', 'null', `http://127.0.0.1:${shell.port + 1}`, `https://127.0.0.1:${shell.port}`]) {
      const r = await api('app.info', {}, { origin });
      expect(r.status, origin).toBe(403);
      expect(JSON.parse(r.body).code).toBe('BAD_ORIGIN');
    }
    expect((await api('app.info', {}, { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await api('app.info', {}, { 'sec-fetch-site': 'same-site' })).status).toBe(403);
    const same = await api('app.info', {}, { origin: shell.origin, 'sec-fetch-site': 'same-origin' });
    expect(same.status).toBe(200);
    expect(JSON.parse(same.body)).toMatchObject({ ok: true, value: { shell: 'web' } });
  });

  it('requires the token header and JSON on the API', async () => {
    expect((await api('app.info', {}, { 'x-sgd-token': 'nope' })).status).toBe(403);
    const noToken = await raw({ method: 'POST', path: '/api/invoke/app.info', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(noToken.status).toBe(403);
    // A cross-site HTML form can only send text/plain or form encodings: refused before parsing.
    const form = await raw({ method: 'POST', path: '/api/invoke/app.info', headers: { 'content-type': 'text/plain', 'x-sgd-token': shell.token }, body: '{"args":{}}' });
    expect(form.status).toBe(415);
    expect((await raw({ method: 'GET', path: '/api/invoke/app.info', headers: { 'x-sgd-token': shell.token } })).status).toBe(405);
    // No CORS preflight is ever answered positively.
    const preflight = await raw({ method: 'OPTIONS', path: '/api/invoke/app.info', headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' } });
    expect(preflight.status).toBe(403);
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('runs the same validation as IPC', async () => {
    const bad = JSON.parse((await api('diagnosis.start', { host: 'x', port: 99999, service: 'ssh', cloud: { mode: 'none' } })).body);
    expect(bad).toMatchObject({ ok: false, code: 'BAD_ARGS' });
    expect(JSON.parse((await api('constructor', {})).body)).toMatchObject({ ok: false, code: 'UNKNOWN_CHANNEL' });
    const traversal = JSON.parse((await api('sessions.open', { ref: join(dir, 'secret.txt') })).body);
    expect(traversal).toMatchObject({ ok: false, code: 'UNKNOWN_FILE' });
  });

  it('bounds request bodies and rejects malformed JSON', async () => {
    const big = await raw({ method: 'POST', path: '/api/invoke/app.info', headers: { 'content-type': 'application/json', 'x-sgd-token': shell.token }, body: 'x'.repeat(11 * 1024 * 1024) });
    expect(big.status).toBe(413);
    const junk = await raw({ method: 'POST', path: '/api/invoke/app.info', headers: { 'content-type': 'application/json', 'x-sgd-token': shell.token }, body: '{nope' });
    expect(junk.status).toBe(400);
  });

  it('serves assets but never a file outside the renderer folder', async () => {
    expect((await raw({ path: '/assets/app.js' })).status).toBe(200);
    for (const p of ['/assets/../../secret.txt', '/assets/%2e%2e/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/secret.txt']) {
      expect((await raw({ path: p })).status, p).toBe(404);
    }
  });

  it('streams backend events over SSE to token holders only', async () => {
    expect((await raw({ path: '/api/events?token=bad' })).status).toBe(403);
    const got = await new Promise<string>((ok, ko) => {
      const req = request({ host: '127.0.0.1', port: shell.port, path: `/api/events?token=${shell.token}`, headers: { host: `127.0.0.1:${shell.port}` } }, (res) => {
        let buf = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          buf += c;
          if (buf.includes(': connected') && !buf.includes('menu.command')) backend.emit('menu.command', { command: 'save' });
          if (buf.includes('"command":"save"')) {
            req.destroy();
            ok(buf);
          }
        });
      });
      req.on('error', ko);
      req.end();
    });
    expect(got).toContain('event: menu.command\ndata: {"command":"save"}');
  });

  it('checkRequestOrigin is a pure gate', () => {
    expect(checkRequestOrigin({ host: '127.0.0.1:5000' }, 5000)).toEqual({ ok: true });
    expect(checkRequestOrigin({ host: '127.0.0.1:5000', origin: 'http://localhost:5000' }, 5000)).toEqual({ ok: true });
    expect(checkRequestOrigin({}, 5000)).toMatchObject({ ok: false, code: 'BAD_HOST' });
    expect(checkRequestOrigin({ host: '[::1]:5000' }, 5000)).toMatchObject({ ok: false, code: 'BAD_HOST' });
  });
});

// Report export in the web shell offers a download: report.export answers the file's name, and
// GET /api/download/<name>?token=… serves it as an attachment — only with the token, only plain report
// files of the reports folder (no other folder, no symlink, no dot files).
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackend, type Backend } from '../src/core/backend/backend';
import { coreEngine } from '../src/core/backend/core-engine';
import { startWebShell, type WebShell } from '../src/cli/serve/server';
import { webHost } from '../src/cli/serve/web-host';
import { sampleDiagnosis } from './support/diagnosis-fixture';

let dir: string;
let shell: WebShell;
let backend: Backend;

function get(path: string, method = 'GET'): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((ok, ko) => {
    const req = request({ host: '127.0.0.1', port: shell.port, method, path, headers: { host: `127.0.0.1:${shell.port}` } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => ok({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', ko);
    req.end();
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sgd-download-'));
  mkdirSync(join(dir, 'renderer'), { recursive: true });
  writeFileSync(join(dir, 'renderer', 'index.html'), '<!doctype html><title>SG Doctor</title>');
  writeFileSync(join(dir, 'outside.md'), 'not a report of this app');
  backend = createBackend({ host: webHost(join(dir, 'data')), engine: coreEngine({ env: {} }), resourcesDir: dir });
  shell = await startWebShell({ backend, rendererDir: join(dir, 'renderer') });
});
afterAll(async () => {
  await shell.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('web shell report download', () => {
  it('report.export names the file; the download serves it as an attachment with the token', async () => {
    const r = await backend.dispatch('report.export', { diagnosis: sampleDiagnosis(), format: 'html', lang: 'zh-CN', maskIps: true, name: '诊断 报告' });
    expect(r.ok).toBe(true);
    const value = (r as { value: { download?: string; bytes: number } }).value;
    expect(value.download).toBe('诊断 报告.html');
    const url = `/api/download/${encodeURIComponent(value.download!)}`;
    const res = await get(`${url}?token=${shell.token}`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="__ __.html"; filename*=UTF-8''${encodeURIComponent('诊断 报告.html')}`);
    expect(res.headers['content-security-policy']).toMatch(/sandbox/);
    expect(Buffer.byteLength(res.body)).toBe(value.bytes);
    expect(res.body).toContain('<html lang="zh-CN">');
    // Markdown too.
    const md = await backend.dispatch('report.export', { diagnosis: sampleDiagnosis(), format: 'md', lang: 'en', maskIps: false });
    const mdName = (md as { value: { download: string } }).value.download;
    const mdRes = await get(`/api/download/${encodeURIComponent(mdName)}?token=${shell.token}`);
    expect(mdRes.status).toBe(200);
    expect(mdRes.headers['content-type']).toBe('text/markdown; charset=utf-8');
  });

  it('refuses without the right token, other methods, other folders, links, dot files and other types', async () => {
    const reports = backend.reportsDir;
    writeFileSync(join(reports, '.hidden.md'), 'x');
    writeFileSync(join(reports, 'notes.txt'), 'x');
    symlinkSync(join(dir, 'outside.md'), join(reports, 'link.md'));
    const name = (await backend.dispatch('report.export', { diagnosis: sampleDiagnosis(), format: 'md', lang: 'en', maskIps: false, name: 'ok' })) as { value: { download: string } };
    expect((await get(`/api/download/${name.value.download}`)).status).toBe(403);
    expect((await get(`/api/download/${name.value.download}?token=${shell.token}x`)).status).toBe(403);
    expect((await get(`/api/download/${name.value.download}?token=${shell.token}`, 'POST')).status).toBe(405);
    for (const bad of ['..%2Foutside.md', '%2E%2E%2Foutside.md', '..%5Coutside.md', '.hidden.md', 'notes.txt', 'link.md', 'missing.md', '%E0%A4%A']) {
      const res = await get(`/api/download/${bad}?token=${shell.token}`);
      expect(res.status, bad).toBe(404);
      expect(res.body).not.toContain('not a report of this app');
    }
  });
});

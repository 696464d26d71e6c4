// The app's contract carries the application protocol of a custom port end to end: diagnosis.start →
// the real core engine → probes on 127.0.0.1 → app.responds, and the session plan keeps it. No cloud
// (mode none), no third-party endpoint (the engine's environment names none).
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseArgs } from '../src/core/api';
import { createBackend, type Backend } from '../src/core/backend/backend';
import { coreEngine } from '../src/core/backend/core-engine';
import type { Diagnosis } from '../src/core/diagnosis/types';
import type { Result } from '../src/core/result';
import { webHost } from '../src/cli/serve/web-host';

let dir: string;
let backend: Backend;
let server: http.Server;
let port: number;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sgd-backend-app-'));
  const env = { HOME: dir, SGD_CONFIG: '', SGD_EGRESS_IP_URLS: '', SGD_CONTROL_HOSTS: '', SGD_DNS_SERVERS: '', ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true' };
  backend = createBackend({ host: webHost(join(dir, 'data')), engine: coreEngine({ env }), resourcesDir: dir, env });
  server = http.createServer((_req, res) => {
    res.writeHead(200, { Server: 'custom-port-app' });
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as net.AddressInfo).port;
});

afterAll(async () => {
  backend.cancelAll();
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

async function diagnose(args: Record<string, unknown>): Promise<Diagnosis> {
  const done = new Promise<Result<Diagnosis>>((resolve) => {
    const off = backend.onEvent((event, payload) => {
      if (event !== 'diagnosis.done') return;
      off();
      resolve((payload as { result: Result<Diagnosis> }).result);
    });
  });
  const started = await backend.dispatch('diagnosis.start', { host: '127.0.0.1', port, cloud: { mode: 'none' }, icmp: false, ...args });
  expect(started.ok, JSON.stringify(started)).toBe(true);
  const r = await done;
  if (!r.ok) throw new Error(`${r.code}: ${r.message}`);
  return r.value;
}

describe('the app contract: appProtocol of a custom port', () => {
  it('custom port + HTTP picked: the application is checked in HTTP, locus none', async () => {
    const d = await diagnose({ service: 'custom', appProtocol: 'http' });
    expect(d.target).toMatchObject({ port, appProtocol: 'http' });
    expect(d.target.service).toBeUndefined();
    expect(d.checks.find((c) => c.id === 'app.responds')).toMatchObject({ status: 'pass', condition: 'http-200' });
    expect(d.verdict.locus).toBe('none');
    expect(d.probes!.tcp[0].banner!.exchange).toMatchObject({ protocol: 'http', chosenBy: 'hint' });
  }, 60_000);

  it('custom port without a protocol: "other" — reachable, not identified, never a server fault', async () => {
    const d = await diagnose({ service: 'custom' });
    expect(d.target.appProtocol).toBe('other');
    expect(d.checks.find((c) => c.id === 'app.responds')).toMatchObject({ status: 'pass', condition: 'not-identified' });
    expect(d.verdict.locus).toBe('none');
  }, 60_000);

  it('a preset keeps working and the user’s protocol wins over it', async () => {
    const d = await diagnose({ service: 'ssh', appProtocol: 'http' });
    expect(d.target).toMatchObject({ service: 'ssh', appProtocol: 'http' });
    expect(d.checks.find((c) => c.id === 'app.responds')?.condition).toBe('http-200');
  }, 60_000);

  it('refuses a protocol outside the list; the session plan keeps a valid one', () => {
    const bad = parseArgs('diagnosis.start', { host: 'h', port: 1, service: 'custom', appProtocol: 'gopher', cloud: { mode: 'none' } });
    expect(bad.ok).toBe(false);
    const plan = parseArgs('sessions.save', { diagnosis: { schemaVersion: 1, target: { host: 'h', port: 18080, protocol: 'tcp' }, checks: [], verdict: { locus: 'none' } }, plan: { host: 'h', port: 18080, service: 'custom', appProtocol: 'redis' }, saveAs: true });
    expect(plan.ok && plan.value.plan.appProtocol).toBe('redis');
  });
});

// The path trace in the saved session (validated when read back: a session file is untrusted) and in the
// Markdown / HTML report (a hop table, in both languages, masked with the rest on request).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TraceFact } from '../src/core/probe/trace/types';
import { renderReport } from '../src/core/report';
import { createSession, loadSession, parseSession, saveSession } from '../src/core/session';
import { sampleDiagnosis } from './support/diagnosis-fixture';

const trace: TraceFact = {
  method: 'tcp-syn',
  tool: 'traceroute',
  target: '47.98.10.20',
  targetAddress: '47.98.10.20',
  port: 22,
  hops: [
    { ttl: 1, address: '192.168.1.1', rttMs: [1.2, 1.1], sent: 2, loss: 0 },
    { ttl: 2, address: '61.152.3.4', rttMs: [5.5], sent: 2, loss: 0.5 },
    { ttl: 3, address: null, rttMs: [], sent: 2, loss: 1 },
  ],
  reached: false,
  maxHops: 30,
  durationMs: 4321,
  startedAt: '2026-12-02T23:00:00.000Z',
};
const withTrace = () => ({ ...sampleDiagnosis(), trace });
const plan = { host: '47.98.10.20', port: 22, protocol: 'tcp' as const, cloudMode: 'api' as const };

describe('the path trace in sessions and reports', () => {
  it('round-trips through save and load', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'sgd-trace-')), 'trace.sgdiag');
    expect((await saveSession(path, createSession(withTrace(), plan))).ok).toBe(true);
    const loaded = await loadSession(path);
    if (!loaded.ok) throw new Error(loaded.message);
    expect(loaded.value.session.diagnosis.trace).toEqual(trace);
  });

  it('refuses a session whose trace has the wrong shape, naming the field', () => {
    const s = JSON.parse(JSON.stringify(createSession(withTrace(), plan)));
    s.diagnosis.trace.hops[1].address = 61152;
    const r = parseSession(JSON.stringify(s), 'x.sgdiag');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toContain('diagnosis.trace.hops.1.address');
    const m = JSON.parse(JSON.stringify(createSession(withTrace(), plan)));
    m.diagnosis.trace.method = 'carrier-pigeon';
    expect(parseSession(JSON.stringify(m), 'x.sgdiag').ok).toBe(false);
    // No trace at all is fine (older sessions, runs without --trace).
    expect(parseSession(JSON.stringify(createSession(sampleDiagnosis(), plan)), 'x.sgdiag').ok).toBe(true);
  });

  it('puts a hop table in the report, in English and Chinese, masked on request', () => {
    const en = renderReport(withTrace(), { format: 'md', lang: 'en' });
    expect(en).toContain('## Path trace: TCP SYN → 22 (traceroute)');
    expect(en).toMatch(/\| 1 \| 192\.168\.1\.1 \| 1\.2 ms \/ 1\.1 ms \| 0% \| your network \(private\) \|/);
    expect(en).toMatch(/\| 2 \| 61\.152\.3\.4 \| 5\.5 ms \| 50% \| beyond your network \(public\) \|/);
    expect(en).toMatch(/\| 3 \| \* \(no answer\) \|/);
    expect(en).toContain('The server did not answer the trace. 4.3 s');
    const zh = renderReport(withTrace(), { format: 'md', lang: 'zh-CN' });
    expect(zh).toContain('## 路径追踪');
    expect(zh).toContain('你的网络之外');
    const masked = renderReport(withTrace(), { format: 'md', lang: 'en', maskIps: true });
    expect(masked).not.toContain('61.152.3.4');
    const html = renderReport({ ...withTrace(), trace: { ...trace, method: 'udp', port: undefined } }, { format: 'html', lang: 'en' });
    expect(html).toContain('another protocol than the TCP port');
  });
});

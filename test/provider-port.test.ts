// The provider port, part 1: the snapshot names its provider (either id), sessions written before the port
// (provider 'alicloud') still open, a provider's native data passes through opaque, an unknown id is refused.
import { describe, expect, it } from 'vitest';
import { importSnapshot } from '../src/core/cloud/import';
import { createSession, parseSession, serializeSession } from '../src/core/session';
import { sampleDiagnosis } from './support/diagnosis-fixture';

function sessionWithProvider(provider: unknown, providerData?: unknown): string {
  const d = sampleDiagnosis();
  const session = createSession(d, { host: d.target.host, port: d.target.port, protocol: 'tcp', cloudMode: 'snapshot' });
  const doc = JSON.parse(serializeSession(session)) as { diagnosis: { cloud: { snapshot: Record<string, unknown> } } };
  doc.diagnosis.cloud.snapshot.provider = provider;
  if (providerData !== undefined) doc.diagnosis.cloud.snapshot.providerData = providerData;
  return JSON.stringify(doc);
}

describe('snapshot provider id in sessions', () => {
  it('a session with provider alicloud (every session before the port) still opens', () => {
    const r = parseSession(sessionWithProvider('alicloud'), 'old.sgdiag');
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.value.session.diagnosis.cloud.snapshot?.provider).toBe('alicloud');
  });
  it('a session with provider huawei and native data opens; the native data passes through untouched', () => {
    const native = { groups: [{ id: 'sg-1', rules: [] }], firewall: null };
    const r = parseSession(sessionWithProvider('huawei', native), 'hw.sgdiag');
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.value.session.diagnosis.cloud.snapshot?.providerData).toEqual(native);
  });
  it('a session naming a provider this app does not know is refused', () => {
    const r = parseSession(sessionWithProvider('aws'), 'aws.sgdiag');
    expect(r.ok).toBe(false);
  });
});

describe('saved snapshots as offline input', () => {
  it('the Alibaba importer reads a saved alicloud snapshot and does not take a Huawei one for its own', () => {
    const snap = sampleDiagnosis().cloud.snapshot!;
    const r = importSnapshot([{ name: 'saved.json', content: JSON.stringify(snap) }]);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.value.provider).toBe('alicloud');
    const hw = importSnapshot([{ name: 'hw.json', content: JSON.stringify({ ...snap, provider: 'huawei' }) }]);
    expect(hw.ok).toBe(false);
    if (!hw.ok) expect(hw.code).toBe('UnknownDocument');
  });
});

// Offline JSON that never gets lost: unusable JSON is refused before any probe (core, backend: bad-input),
// the imported configuration stays in the session (and holds no secret), re-runs reuse it, a re-run
// comparison leaves facts that were not read again out of its changes, and one plan schema serves the
// app and the command line.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseArgs } from '../src/core/api';
import { createBackend, type Backend } from '../src/core/backend/backend';
import { BAD_INPUT, coreEngine } from '../src/core/backend/core-engine';
import { fileLogger } from '../src/core/backend/log';
import { importSnapshot } from '../src/core/cloud/alicloud/import';
import { DiagnoseInputError, runDiagnosis, type DiagnoseDeps } from '../src/core/diagnosis/run';
import { report, tcp } from '../src/core/diagnosis/testing/builders';
import type { Diagnosis } from '../src/core/diagnosis/types';
import { evaluateNetworkAcl } from '../src/core/rules/networkAcl';
import { evaluateSecurityGroups } from '../src/core/rules/securityGroups';
import { defaultProbeRequest } from '../src/core/probe/run';
import { compareDiagnoses, createSession, parseSession, serializeSession } from '../src/core/session';
import { planSchema } from '../src/core/session/plan';
import { webHost } from '../src/cli/serve/web-host';
import { sampleDiagnosis } from './support/diagnosis-fixture';
import { snapshotDocs, snapshotText } from './support/snapshot-docs';

const UNUSABLE: [string, string][] = [
  ['invalid JSON', '{"Instances": {"Instance": [ {"InstanceId": "i-1",'],
  ['no recognised API response', '{"Foo": 1}'],
  ['a list of numbers', '[1, 2, 3]'],
  ['a prompt line only', '$ aliyun ecs DescribeInstances'],
];

describe('runDiagnosis with unusable offline JSON', () => {
  it.each(UNUSABLE)('%s: refused before any probe, as input the caller must fix', async (_name, text) => {
    let probes = 0;
    const deps: DiagnoseDeps = {
      runProbe: async () => {
        probes++;
        return report([tcp('open', 'syn-ack')]);
      },
      readCloudSnapshot: async () => {
        throw new Error('no API in this test');
      },
      importSnapshot: (i) => importSnapshot(i),
      evaluateSecurityGroups,
      evaluateNetworkAcl,
    };
    const run = runDiagnosis(
      { target: { host: '127.0.0.1', port: 22, protocol: 'tcp' }, probe: defaultProbeRequest({ host: '127.0.0.1', ports: [22] }), cloud: { mode: 'snapshot', documents: [{ name: 'pasted', content: text }] } },
      { deps },
    );
    await expect(run).rejects.toBeInstanceOf(DiagnoseInputError);
    await expect(run).rejects.toMatchObject({ code: 'bad-snapshot' });
    expect(probes).toBe(0);
  });
});

describe('backend: unusable offline JSON blocks the start (bad-input)', () => {
  let dir: string;
  let backend: Backend;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sgd-offline-'));
    mkdirSync(join(dir, 'resources'));
    const env = { SGD_EGRESS_IP_URLS: '', SGD_CONTROL_HOSTS: '', SGD_DNS_SERVERS: '', HOME: dir, XDG_CONFIG_HOME: join(dir, '.config') };
    backend = createBackend({ host: webHost(join(dir, 'data'), { locale: 'en' }), engine: coreEngine({ env }), resourcesDir: join(dir, 'resources'), log: fileLogger(join(dir, 'data', 'logs')), env });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it.each(UNUSABLE)('%s: diagnosis.start and cloud.checkImport answer bad-input with the reason', async (_name, json) => {
    const started = await backend.dispatch('diagnosis.start', { host: '127.0.0.1', port: 22, service: 'ssh', cloud: { mode: 'import', json } });
    expect(started).toMatchObject({ ok: false, code: BAD_INPUT });
    expect(started.ok || started.message.length).toBeGreaterThan(5);
    const checked = await backend.dispatch('cloud.checkImport', { json });
    expect(checked).toMatchObject({ ok: false, code: BAD_INPUT });
  });

  it('usable offline JSON starts a run whose diagnosis holds the imported configuration', async () => {
    const json = snapshotText(snapshotDocs({ variant: 'healthy', publicIp: '127.0.0.1', clientIp: '203.0.113.7', port: 9 }));
    expect(await backend.dispatch('cloud.checkImport', { json })).toMatchObject({ ok: true, value: { instanceId: 'i-bp1sgdoctor00000001' } });
    const done = new Promise<{ result: { ok: boolean; value: Diagnosis } }>((ok) => backend.onEvent((e, p) => e === 'diagnosis.done' && ok(p as never)));
    const started = await backend.dispatch('diagnosis.start', { host: '127.0.0.1', port: 9, service: 'custom', icmp: false, cloud: { mode: 'import', json } });
    expect(started.ok).toBe(true);
    const { result } = await done;
    expect(result.ok).toBe(true);
    expect(result.value.cloud.mode).toBe('snapshot');
    expect(result.value.cloud.snapshot?.instance?.id).toBe('i-bp1sgdoctor00000001');
  }, 60_000);
});

describe('the imported configuration is kept in the session, without secrets', () => {
  it('a saved session carries the snapshot; a secret-looking value in the pasted JSON is not written', () => {
    const docs = snapshotDocs({ variant: 'healthy' });
    (docs.instances as { Instances: { Instance: Record<string, unknown>[] } }).Instances.Instance[0].AccessKeySecret = 'S3cretValueThatMustNotBeSaved';
    const imported = importSnapshot([snapshotText(docs)]);
    if (!imported.ok) throw new Error(imported.message);
    const d = sampleDiagnosis();
    const diagnosis: Diagnosis = { ...d, cloud: { ...d.cloud, mode: 'snapshot', snapshot: imported.value } };
    const text = serializeSession(createSession(diagnosis, { host: d.target.host, port: d.target.port, cloudMode: 'snapshot' }));
    expect(text).not.toContain('S3cretValueThatMustNotBeSaved');
    const back = parseSession(text);
    if (!back.ok) throw new Error(back.message);
    expect(back.value.session.diagnosis.cloud.snapshot?.instance?.id).toBe('i-bp1sgdoctor00000001');
    // What a re-run imports again (the app's form and `sg-doctor rerun` both hand the saved snapshot back).
    const again = importSnapshot([JSON.stringify(back.value.session.diagnosis.cloud.snapshot)]);
    expect(again.ok && again.value.securityGroups).toEqual(imported.value.securityGroups);
  });
});

describe('re-run comparison: only real changes', () => {
  const withCloud = (): Diagnosis => {
    const imported = importSnapshot([snapshotText(snapshotDocs({ variant: 'healthy' }))]);
    if (!imported.ok) throw new Error(imported.message);
    const d = sampleDiagnosis();
    return { ...d, cloud: { ...d.cloud, snapshot: imported.value } };
  };

  it('a check that is unknown only because its facts were not read again is "not re-checked", not a change', () => {
    const before = withCloud();
    const cloudCheck = before.checks.find((c) => c.evidence.some((e) => e.source === 'cloud' || e.source === 'rules'));
    expect(cloudCheck).toBeDefined();
    const passing = { ...before, checks: before.checks.map((c) => (c.id === cloudCheck!.id ? { ...c, status: 'pass' as const } : c)) };
    const after: Diagnosis = {
      ...passing,
      cloud: { ...passing.cloud, snapshot: null, flow: null, securityGroups: null, networkAcl: null },
      checks: passing.checks.map((c) => (c.id === cloudCheck!.id ? { ...c, status: 'unknown' as const } : c)),
    };
    const cmp = compareDiagnoses(passing, after);
    expect(cmp.changes.map((c) => c.key)).not.toContain(cloudCheck!.id);
    expect(cmp.notRechecked).toEqual([expect.objectContaining({ key: cloudCheck!.id, before: 'pass' })]);
    expect(cmp.notRechecked[0].missing.length).toBeGreaterThan(0);
  });

  it('the same check turning unknown while its facts were read again is a real change', () => {
    const before = withCloud();
    const id = before.checks.find((c) => c.evidence.some((e) => e.source === 'cloud' || e.source === 'rules'))!.id;
    const passing = { ...before, checks: before.checks.map((c) => (c.id === id ? { ...c, status: 'pass' as const } : c)) };
    const after = { ...passing, checks: passing.checks.map((c) => (c.id === id ? { ...c, status: 'unknown' as const } : c)) };
    const cmp = compareDiagnoses(passing, after);
    expect(cmp.changes.map((c) => c.key)).toContain(id);
    expect(cmp.notRechecked).toEqual([]);
  });

  it('a check that fails now is a change even when other facts are missing', () => {
    const before = withCloud();
    const id = before.checks.find((c) => c.evidence.some((e) => e.source === 'cloud' || e.source === 'rules'))!.id;
    const passing = { ...before, checks: before.checks.map((c) => (c.id === id ? { ...c, status: 'pass' as const } : c)) };
    const after = { ...passing, cloud: { ...passing.cloud, snapshot: null, flow: null }, checks: passing.checks.map((c) => (c.id === id ? { ...c, status: 'fail' as const } : c)) };
    expect(compareDiagnoses(passing, after).changes.map((c) => c.key)).toContain(id);
  });
});

describe('one plan schema for the app and the command line', () => {
  it('a plan the app saves (custom port, stored key) is the one the session file and the CLI read', () => {
    // As the app's planOf writes it (src/renderer/src/logic.ts; its own test covers that mapping).
    const appPlan = { host: '47.98.10.20', port: 8443, protocol: 'tcp', service: 'custom', region: 'cn-hangzhou', credentialSource: 'stored-key', cloudMode: 'api' };
    const viaContract = parseArgs('sessions.save', { diagnosis: sampleDiagnosis(), plan: appPlan, saveAs: true });
    expect(viaContract.ok).toBe(true);
    if (!viaContract.ok) return;
    // "custom" is no service: the port decides (the CLI's --service never sees it).
    expect(viaContract.value.plan).toEqual({ host: '47.98.10.20', port: 8443, protocol: 'tcp', region: 'cn-hangzhou', credentialSource: 'stored-key', cloudMode: 'api' });
    const file = serializeSession(createSession(sampleDiagnosis(), viaContract.value.plan));
    const loaded = parseSession(file);
    expect(loaded.ok && loaded.value.session.plan).toEqual(viaContract.value.plan);
  });

  it('a plan the CLI saves (service the app has no preset for, offline JSON, source IP) passes the contract and opens in the form', () => {
    const cliPlan = { host: '127.0.0.1', port: 6379, protocol: 'tcp', service: 'redis', cloudMode: 'snapshot', sourceIp: '203.0.113.7' };
    const viaContract = parseArgs('sessions.save', { diagnosis: sampleDiagnosis(), plan: cliPlan, saveAs: true });
    expect(viaContract.ok && viaContract.value.plan).toEqual(cliPlan);
    expect(planSchema.parse(cliPlan)).toEqual(cliPlan);
  });

  it('old files with service "custom" read as no service; an app-protocol label has room', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sgd-plan-'));
    try {
      const s = createSession(sampleDiagnosis(), { host: 'h', port: 8080, service: 'custom', appProtocol: 'http' });
      const raw = JSON.parse(serializeSession(s));
      raw.plan.service = 'custom'; // as an earlier app wrote it
      writeFileSync(join(dir, 'old.sgdiag'), JSON.stringify(raw));
      const loaded = parseSession(JSON.stringify(raw));
      expect(loaded.ok && loaded.value.session.plan).toMatchObject({ host: 'h', port: 8080, appProtocol: 'http' });
      expect(loaded.ok && 'service' in loaded.value.session.plan && loaded.value.session.plan.service).toBeFalsy();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

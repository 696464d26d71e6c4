// End-to-end scenarios: a real network lab (namespaces, veths, iptables) reproduces the packet-level
// symptom, the fake Alibaba API (real SDK, signed requests) serves the matching cloud configuration, and
// the real CLI `sg-doctor diagnose --json` runs inside the lab's client namespace. Each scenario asserts
// the verdict's locus and the failing check id.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeLab } from '../lab/describe-lab';
import { createLab, type Lab } from '../lab/lab';
import { collectServerEvidence, diagnoseInClient, FakeApiInNamespace, labSpec, SCENARIOS, scenarioParams, STALE_ADDRESS } from './support';

describeLab('diagnose scenarios (lab + fake API + CLI)', () => {
  let lab: Lab;
  let fake: FakeApiInNamespace;
  let dir: string;

  beforeAll(async () => {
    lab = await createLab(labSpec());
    fake = await FakeApiInNamespace.start(lab, scenarioParams(lab, SCENARIOS[0]));
    dir = mkdtempSync(join(tmpdir(), 'sgd-h7-scen-'));
  }, 120_000);

  afterAll(async () => {
    await fake?.stop();
    await lab?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  for (const s of SCENARIOS) {
    it(`${s.name} → ${s.locus}${s.failing ? ` (${s.failing})` : ''}`, async () => {
      await fake.set(scenarioParams(lab, s));
      const extra = s.serverEvidence ? ['--server-evidence', await collectServerEvidence(lab, s.port, dir)] : [];
      const { result, diagnosis } = await diagnoseInClient(lab, fake, s, extra);
      expect(diagnosis, result.stdout.slice(0, 500)).not.toBeNull();
      // Exit code: 0 for a healthy path, 1 when a fault was located (client, network or server), 3 inconclusive.
      expect(result.code, result.stderr).toBe(s.locus === 'none' ? 0 : s.locus === 'inconclusive' ? 3 : 1);
      const d = diagnosis!;
      const ctx = `${d.verdict.ruleId}: ${d.verdict.summary.en}\n${d.verdict.reasoning.map((r) => r.en).join('\n')}\nfailing: ${d.checks.filter((c) => c.status === 'fail').map((c) => `${c.id}[${c.condition}]`).join(', ')}\ncloud errors: ${JSON.stringify(d.cloud.snapshot?.errors ?? null)}\nflow: ${JSON.stringify(d.cloud.flow)} sg: ${JSON.stringify(d.cloud.securityGroups)?.slice(0, 600)} egress: ${JSON.stringify(d.probes?.client.egressIp)}`;
      expect(d.verdict.locus, ctx).toBe(s.locus);
      if (s.failing) {
        expect(d.verdict.blockingCheckIds[0], ctx).toBe(s.failing);
        expect(d.checks.find((c) => c.id === s.failing)?.status, ctx).toBe('fail');
      } else {
        expect(d.verdict.blockingCheckIds).toEqual([]);
      }
      // The document is the --json contract.
      expect(d.schemaVersion).toBe(1);
      expect(d.cloud.mode).toBe('api');
      expect(d.cloud.snapshot?.instance?.id).toBe('i-bp1sgdoctor00000001');
      if (s.host === 'dns-name') expect(JSON.stringify(d.checks.find((c) => c.id === 'client.dns')?.finding)).toContain(STALE_ADDRESS);
      // --json lists the cloud fixes of the failing checks, each proven on the configuration before it is shown.
      const fixes = (d as { fixes?: { checkId: string; actions: unknown[]; simulated: { decision: string } }[] }).fixes;
      expect(Array.isArray(fixes)).toBe(true);
      for (const f of fixes ?? []) if (f.actions.length) expect(f.simulated.decision, f.checkId).toBe('allow');
      if (s.failing && /^(sg\.|net\.acl-|instance\.running)/.test(s.failing)) {
        expect(fixes?.some((f) => f.checkId === s.failing && f.actions.length > 0 && f.simulated.decision === 'allow'), `${ctx}\nfixes: ${JSON.stringify(fixes)}`).toBe(true);
      }
    }, 90_000);
  }
});

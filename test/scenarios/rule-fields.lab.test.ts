// End-to-end: rule fields that restrict a rule (issue 8, class 5). The lab's server really drops the port
// (so the packet-level symptom is what a security group's silent drop looks like), the fake Alibaba API
// serves a rule that only seems to admit the client, and the real CLI diagnoses from the client namespace.
//  - source-port-restricted: the only accept rule has SourcePortRange "22/22" → the security group denies
//    (sg.port fails, os.firewall does not), and the fix is a new rule, never a copy of the restricting one;
//  - unknown-rule-field: the only accept rule carries a field this version does not know → the group's
//    decision is unknown, no sg.* check fails, and the verdict is not a confident blame;
//  - port-range-list: the rule's ports come from a port list whose entries are not read → unknown as well;
//    with the service actually reachable the verdict still says so.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Diagnosis } from '../../src/core/diagnosis/types';
import { describeLab } from '../lab/describe-lab';
import { createLab, type Lab } from '../lab/lab';
import { diagnoseInClient, FakeApiInNamespace, labSpec, scenarioParams, type ScenarioSpec } from './support';

const SOURCE_PORT: ScenarioSpec = { name: 'accept rule limited to source port 22', variant: 'source-port-restricted', port: 2440, server: { listen: 'ssh', firewall: 'drop' }, locus: 'network', failing: 'sg.port' };
const UNKNOWN_FIELD: ScenarioSpec = { name: 'accept rule with an unknown field', variant: 'unknown-rule-field', port: 2441, server: { listen: 'ssh', firewall: 'drop' }, locus: 'inconclusive', failing: null };
const PORT_LIST_DROP: ScenarioSpec = { name: 'accept rule with a port list, port dropped', variant: 'port-range-list', port: 2442, server: { listen: 'ssh', firewall: 'drop' }, locus: 'inconclusive', failing: null };
const PORT_LIST_OPEN: ScenarioSpec = { name: 'accept rule with a port list, service reachable', variant: 'port-range-list', port: 2443, server: { listen: 'ssh' }, locus: 'none', failing: null };
const ALL = [SOURCE_PORT, UNKNOWN_FIELD, PORT_LIST_DROP, PORT_LIST_OPEN];

const failing = (d: Diagnosis): string[] => d.checks.filter((c) => c.status === 'fail').map((c) => c.id);
const context = (d: Diagnosis): string =>
  `${d.verdict.summary.en} [${d.verdict.confidence}]\n${d.verdict.reasoning.map((r) => r.en).join('\n')}\nfailing: ${d.checks
    .filter((c) => c.status === 'fail')
    .map((c) => `${c.id}[${c.condition}]`)
    .join(', ')}\nsg: ${JSON.stringify(d.cloud.securityGroups)?.slice(0, 800)}`;

describeLab('rule fields (lab + fake API + CLI)', () => {
  let lab: Lab;
  let fake: FakeApiInNamespace;

  beforeAll(async () => {
    lab = await createLab(labSpec(ALL));
    fake = await FakeApiInNamespace.start(lab, scenarioParams(lab, ALL[0]));
  }, 120_000);

  afterAll(async () => {
    await fake?.stop();
    await lab?.destroy();
  }, 60_000);

  async function run(s: ScenarioSpec): Promise<Diagnosis> {
    await fake.set(scenarioParams(lab, s));
    const { result, diagnosis } = await diagnoseInClient(lab, fake, s);
    expect(diagnosis, result.stdout.slice(0, 500)).not.toBeNull();
    // Exit codes follow the verdict: 0 reachable, 1 a fault located, 3 inconclusive.
    const locus = diagnosis!.verdict.locus;
    expect(result.code, result.stderr).toBe(locus === 'none' ? 0 : locus === 'inconclusive' ? 3 : 1);
    expect(diagnosis!.cloud.mode).toBe('api');
    expect(diagnosis!.cloud.snapshot?.errors ?? []).toEqual([]);
    return diagnosis!;
  }

  it(`${SOURCE_PORT.name} → network, sg.port fails, os.firewall does not`, async () => {
    const d = await run(SOURCE_PORT);
    const ctx = context(d);
    expect(d.cloud.securityGroups?.decision, ctx).toBe('deny');
    expect(d.cloud.securityGroups?.nearMisses.map((m) => m.reason), ctx).toContain('source-port-restricted');
    expect(d.verdict.locus, ctx).toBe('network');
    expect(d.verdict.confidence, ctx).toBe('high');
    const port = d.checks.find((c) => c.id === 'sg.port');
    expect(port?.status, ctx).toBe('fail');
    expect(port?.condition).toBe('source-port-restricted');
    expect(d.verdict.blockingCheckIds, ctx).toContain('sg.port');
    expect(failing(d), ctx).not.toContain('os.firewall');
    expect(d.checks.find((c) => c.id === 'os.firewall')?.status, ctx).not.toBe('fail');
    // Both languages name the source-port limit in words.
    expect(port?.finding['zh-CN']).toMatch(/规则只放行源端口 22/);
    expect(port?.finding.en).toMatch(/only source port 22/);
    // The fix adds a rule without a source-port limit (never a copy of the restricting one).
    const commands = (port?.fixes ?? []).map((f) => f.command ?? '').join('\n');
    expect(commands).toMatch(/AuthorizeSecurityGroup .*--Permissions\.1\.PortRange 2440\/2440/);
    expect(commands).not.toMatch(/SourcePortRange/);
  }, 90_000);

  for (const s of [UNKNOWN_FIELD, PORT_LIST_DROP]) {
    it(`${s.name} → the group decision is unknown, no sg.* check fails, no confident blame`, async () => {
      const d = await run(s);
      const ctx = context(d);
      expect(d.cloud.securityGroups?.decision, ctx).toBe('unknown');
      expect(d.cloud.securityGroups?.explanation, ctx).toBe('uncertain-field');
      expect(failing(d).filter((id) => id.startsWith('sg.')), ctx).toEqual([]);
      expect(d.verdict.confidence, ctx).not.toBe('high');
      // Neither "the security group blocks it" nor a confident server blame.
      expect(d.verdict.blockingCheckIds.filter((id) => id.startsWith('sg.')), ctx).toEqual([]);
      const inbound = d.checks.find((c) => c.id === 'sg.inbound-rule');
      expect(inbound?.status, ctx).toBe('unknown');
      expect(inbound?.condition).toBe('rule-field-not-evaluated');
      const field = s.variant === 'unknown-rule-field' ? 'SourceAddressBookId' : 'PortRangeListId';
      expect(inbound?.finding.en).toContain(field);
      expect(inbound?.finding['zh-CN']).toContain(field);
      expect(inbound?.finding['zh-CN']).toMatch(/无法评估/);
    }, 90_000);
  }

  it(`${PORT_LIST_OPEN.name} → the path works: none, although the rule could not be evaluated`, async () => {
    const d = await run(PORT_LIST_OPEN);
    const ctx = context(d);
    expect(d.cloud.securityGroups?.decision, ctx).toBe('unknown');
    expect(d.verdict.locus, ctx).toBe('none');
    expect(failing(d), ctx).toEqual([]);
  }, 90_000);
});

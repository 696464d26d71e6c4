// Huawei Cloud end-to-end scenarios (issue 10, "Tests"): a real network lab (namespaces, veths, iptables)
// whose server namespace enforces the fake Huawei Cloud's state (security groups in the port's order, the
// stateful network ACL before them, server status / frozen), the fake Huawei API (real SDK, AK/SK signature
// verified) in the lab's client namespace, and the real `sg-doctor diagnose --provider huawei --json` run there.
// Each scenario asserts the verdict's locus, the failing check and its condition, the deciding rule or ACL
// entry named in the evidence, the JSON shape, the Huawei fix actions (proven on the configuration) and, via
// support.ts, that no two failures contradict each other.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeLab } from '../lab/describe-lab';
import { createLab, type Lab } from '../lab/lab';
import { SERVER_ID, SG_WEB } from '../fake-huawei/scenarios';
import { diagnoseHuaweiInClient, FakeHuaweiInNamespace, huaweiLabSpec, type HuaweiScenarioSpec } from './huawei-support';

const SCENARIOS: HuaweiScenarioSpec[] = [
  // The group opens 80,443, not the service port: no rule covers it (the 80,443 rule is no plausible slip for it).
  { name: 'rule missing', state: 'rule-missing', port: 2401, server: { listen: 'ssh' }, locus: 'network', failing: 'sg.inbound-rule', condition: 'no-rule', evidenceId: SG_WEB, sgDecision: 'deny', nearMisses: ['port-outside-range'], fixApis: ['CreateSecurityGroupRule'] },
  // deny at priority 1 before the allow at 50 in the same group: the same code as Alibaba's higher-priority drop.
  { name: 'deny at a higher priority (lower number)', state: 'deny-higher-priority', port: 2402, server: { listen: 'ssh' }, locus: 'network', failing: 'sg.priority-drop', condition: 'shadowed-by-drop', evidenceId: 'deny-22', sgDecision: 'deny', nearMisses: ['shadowed-by-drop'], fixApis: ['DeleteSecurityGroupRule'] },
  // A deny at priority 100 in the FIRST group on the port beats an allow at priority 1 in the second (groups are matched in order, not pooled).
  { name: 'deny in the first group on the port', state: 'several-groups', port: 2403, server: { listen: 'ssh' }, locus: 'network', failing: 'sg.priority-drop', condition: 'shadowed-by-drop', evidenceId: 'deny-all-22', sgDecision: 'deny', nearMisses: ['shadowed-by-drop'], fixApis: ['DeleteSecurityGroupRule', 'CreateSecurityGroupRule'] },
  { name: 'network ACL deny', state: 'acl-deny', port: 2404, server: { listen: 'ssh' }, locus: 'network', failing: 'net.acl-inbound', condition: 'denied-by-entry', evidenceId: 'acl-in-deny', sgDecision: 'allow', aclDecision: 'deny', fixApis: ['AddFirewallRules'] },
  { name: 'ACL denies all outbound, replies pass by state', state: 'acl-stateful-return', port: 2405, server: { listen: 'ssh' }, locus: 'none', failing: null, sgDecision: 'allow', aclDecision: 'allow' },
  { name: 'server SHUTOFF', state: 'shutoff', port: 2406, server: { listen: 'none' }, locus: 'network', failing: 'instance.running', condition: 'status-stopped', evidenceId: 'Status=Stopped', fixApis: ['BatchStartServers'] },
  // Frozen (ShowServer metadata EcmResStatus "freeze", EIP FREEZED): nothing to start until the bill is settled.
  { name: 'server frozen (arrears)', state: 'frozen', port: 2407, server: { listen: 'none' }, locus: 'network', failing: 'instance.overdue-lock', condition: 'frozen', evidenceId: 'OperationLocks=[frozen]' },
  { name: 'OS firewall DROP while the cloud allows', state: 'healthy', port: 2408, server: { listen: 'ssh', firewall: 'drop' }, locus: 'server', failing: 'os.firewall', condition: 'inferred-silent-drop', sgDecision: 'allow', aclDecision: 'allow' },
  { name: 'OS firewall REJECT (host-prohibited) while the cloud allows', state: 'healthy', port: 2409, server: { listen: 'ssh', firewall: 'reject-host-prohibited' }, locus: 'server', failing: 'os.firewall', condition: 'inferred-reject-host-prohibited', sgDecision: 'allow' },
  { name: 'service not listening', state: 'healthy', port: 2410, server: { listen: 'none' }, locus: 'server', failing: 'os.listening', condition: 'inferred-from-refused', sgDecision: 'allow' },
  // The same slips as the Alibaba scenarios, with the same near-miss codes and checks.
  { name: 'rule on the wrong direction (egress)', state: 'wrong-direction', port: 2412, server: { listen: 'ssh' }, locus: 'network', failing: 'sg.direction', condition: 'wrong-direction', evidenceId: '0001-ssh', sgDecision: 'deny', nearMisses: ['wrong-direction'], fixApis: ['CreateSecurityGroupRule'] },
  { name: 'UDP instead of TCP', state: 'udp-instead-of-tcp', port: 2413, server: { listen: 'ssh' }, locus: 'network', failing: 'sg.protocol', condition: 'wrong-protocol', evidenceId: '0001-ssh', sgDecision: 'deny', nearMisses: ['wrong-protocol'], fixApis: ['CreateSecurityGroupRule'] },
  { name: 'private (LAN) source', state: 'private-source', port: 2414, server: { listen: 'ssh' }, locus: 'network', failing: 'sg.source', condition: 'private-source', evidenceId: '0001-ssh', sgDecision: 'deny', nearMisses: ['private-source'], fixApis: ['CreateSecurityGroupRule'] },
  { name: 'port one off', state: 'port-typo', port: 2415, server: { listen: 'ssh' }, locus: 'network', failing: 'sg.port', condition: 'port-outside-range', evidenceId: '0001-ssh', sgDecision: 'deny', nearMisses: ['port-outside-range'], fixApis: ['CreateSecurityGroupRule'] },
  { name: 'address group without the client', state: 'address-group', port: 2416, server: { listen: 'ssh' }, locus: 'client', failing: 'client.egress-ip', condition: 'rule-admits-other-ip', evidenceId: '198.51.100.0/24', sgDecision: 'deny', nearMisses: ['source-excludes-client'], fixApis: ['CreateSecurityGroupRule'] },
  { name: 'healthy', state: 'healthy', port: 2411, server: { listen: 'ssh' }, locus: 'none', failing: null, sgDecision: 'allow', aclDecision: 'allow' },
];

interface FixJson {
  checkId: string;
  actions: { api: string; params: Record<string, unknown> }[];
  simulated: { decision: string };
}

const timings: { name: string; locus: string; failing: string; ms: number }[] = [];

describeLab('Huawei Cloud diagnose scenarios (lab + fake Huawei API + CLI)', () => {
  let lab: Lab;
  let fake: FakeHuaweiInNamespace;

  beforeAll(async () => {
    lab = await createLab(huaweiLabSpec(SCENARIOS));
    fake = await FakeHuaweiInNamespace.start(lab, { scenario: SCENARIOS[0].state, port: SCENARIOS[0].port });
  }, 120_000);

  afterAll(async () => {
    await fake?.stop();
    await lab?.destroy();
    if (process.env.SGD_SCENARIO_TIMES) console.log(timings.map((t) => `| ${t.name} | ${t.locus} | ${t.failing} | ${(t.ms / 1000).toFixed(1)} s |`).join('\n'));
  }, 60_000);

  for (const s of SCENARIOS) {
    it(`${s.name} → ${s.locus}${s.failing ? ` (${s.failing})` : ''}`, async () => {
      const t0 = Date.now();
      await fake.set(lab, s.state, s.port);
      const { result, diagnosis } = await diagnoseHuaweiInClient(lab, fake, s);
      expect(diagnosis, `${result.stdout.slice(0, 500)}\n${result.stderr.slice(0, 1500)}`).not.toBeNull();
      const d = diagnosis!;
      const failingChecks = d.checks.filter((c) => c.status === 'fail');
      const ctx = `${d.verdict.ruleId}: ${d.verdict.summary.en}\n${d.verdict.reasoning.map((r) => r.en).join('\n')}\nfailing: ${failingChecks.map((c) => `${c.id}[${c.condition}]`).join(', ')}\ncloud errors: ${JSON.stringify(d.cloud.snapshot?.errors ?? null)}\nflow: ${JSON.stringify(d.cloud.flow)}`;
      // Exit code: 0 for a healthy path, 1 when a fault was located, 3 inconclusive.
      expect(result.code, `${ctx}\n${result.stderr}`).toBe(s.locus === 'none' ? 0 : s.locus === 'inconclusive' ? 3 : 1);
      expect(d.verdict.locus, ctx).toBe(s.locus);

      // The --json contract, the same shape as for Alibaba, read through the Huawei provider.
      expect(d.schemaVersion).toBe(1);
      expect(d.cloud.mode).toBe('api');
      expect(d.cloud.snapshot?.provider).toBe('huawei');
      expect(d.cloud.snapshot?.instance?.id).toBe(SERVER_ID);
      expect(d.cloud.snapshot?.errors ?? [], ctx).toEqual([]);
      const fixes = (d as { fixes?: FixJson[] }).fixes;
      expect(Array.isArray(fixes)).toBe(true);

      if (s.sgDecision) expect(d.cloud.securityGroups?.decision, ctx).toBe(s.sgDecision);
      if (s.aclDecision) expect(d.cloud.networkAcl?.inbound?.decision, ctx).toBe(s.aclDecision);
      if (s.failing) {
        expect(d.verdict.blockingCheckIds[0], ctx).toBe(s.failing);
        const check = d.checks.find((c) => c.id === s.failing)!;
        expect(check?.status, ctx).toBe('fail');
        if (s.condition) expect(check.condition, ctx).toBe(s.condition);
        // The deciding rule / ACL entry / state is named in the failing check's own evidence or finding.
        if (s.evidenceId) expect(`${JSON.stringify(check.evidence ?? [])} ${check.finding.en}`, ctx).toContain(s.evidenceId);
        // Never blamed on the security group when it is the server's state that decides.
        if (s.failing.startsWith('instance.')) expect(failingChecks.filter((c) => c.id.startsWith('sg.')), ctx).toEqual([]);
      } else {
        expect(d.verdict.blockingCheckIds, ctx).toEqual([]);
        expect(failingChecks.map((c) => c.id), ctx).toEqual([]);
        expect(d.probes?.tcp?.[0]?.state, ctx).toBe('open');
      }
      // Huawei's ACL is stateful: a flow the ACL admits inbound needs no egress rule for its replies, even when
      // every outbound packet is denied (Alibaba's stateless ACL would need the ephemeral range here).
      if (s.state === 'acl-stateful-return') {
        expect(JSON.stringify(d.cloud.snapshot), ctx).toContain('acl-out-deny');
        expect(d.cloud.networkAcl?.returnPath?.explanation, ctx).toBe('stateful');
        expect(d.checks.find((c) => c.id === 'net.acl-return')?.status, ctx).toBe('pass');
        expect(d.checks.filter((c) => c.id.startsWith('net.acl') && c.status === 'fail'), ctx).toEqual([]);
      }
      // Frozen: the text a user reads says so, and blames neither the security group nor the OS.
      if (s.state === 'frozen') {
        const text = await diagnoseHuaweiInClient(lab, fake, s, { json: false });
        expect(text.result.code, text.result.stderr).toBe(1);
        const verdictLine = text.result.stdout.split('\n').find((l) => l.startsWith('Verdict:'));
        expect(verdictLine, text.result.stdout.slice(0, 600)).toBe('Verdict: NETWORK — The instance is frozen by the cloud (most often for an overdue bill)  [confidence high, instance-not-running]');
        expect(text.result.stdout).toMatch(/✘ instance\.overdue-lock .*\n.*frozen by the cloud/);
      }
      for (const reason of s.nearMisses ?? []) expect((d.cloud.securityGroups?.nearMisses ?? []).map((m) => m.reason), ctx).toContain(reason);

      // Every cloud fix listed is proven on the configuration; a cloud fault gets a Huawei action that opens it.
      for (const f of fixes ?? []) if (f.actions.length) expect(f.simulated.decision, f.checkId).toBe('allow');
      for (const api of s.fixApis ?? []) {
        expect(fixes?.some((f) => f.checkId === s.failing && f.simulated.decision === 'allow' && f.actions.some((a) => a.api === api)), `${api}\n${ctx}\nfixes: ${JSON.stringify(fixes)}`).toBe(true);
      }
      // No cloud action where no cloud fix applies (a frozen server cannot be started; the OS is not the cloud's).
      if (!s.fixApis) expect((fixes ?? []).filter((f) => f.actions.length), ctx).toEqual([]);
      for (const f of fixes ?? []) for (const a of f.actions) expect(a.api, JSON.stringify(f)).not.toMatch(/^(AuthorizeSecurityGroup|StartInstance|CreateNetworkAclEntries|UpdateNetworkAclEntries)/);
      // What the user reads about THIS server speaks Huawei Cloud: no Alibaba product, field or command names.
      const readable = (f: { title?: unknown; command?: unknown; warning?: unknown }) => [f.title, f.command, f.warning];
      const words = JSON.stringify([
        d.verdict.summary,
        d.verdict.reasoning,
        d.checks.filter((c) => c.status !== 'pass').map((c) => [c.finding, c.fixes.map(readable)]),
        (fixes ?? []).map((f) => readable(f as { title?: unknown })),
      ]);
      const alibabaWords = /Alibaba|阿里云|aliyun|LockReason|SourceCidrIp|PortRange|AuthorizeSecurityGroup|vSwitch|交换机/g;
      expect([...words.matchAll(alibabaWords)].map((m) => words.slice(Math.max(0, m.index - 120), m.index + 40)), ctx).toEqual([]);
      timings.push({ name: s.name, locus: d.verdict.locus, failing: d.verdict.blockingCheckIds[0] ?? '—', ms: Date.now() - t0 });
    }, 90_000);
  }
});

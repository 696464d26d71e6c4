// End-to-end scenarios for server firewall evidence evaluated per flow (issue 8, class 4): a real lab server
// whose iptables ACCEPTs a network before a DROP, the read-only evidence script run inside that server's
// namespace, the fake Alibaba API, and the real CLI `sg-doctor diagnose --json` in the client namespace.
// Here the client's public IP (the egress echo and the security-group rule) is its real lab address, so the
// firewall evidence and the packets the server really receives describe the same source.
// Ports 2420–2439 only.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Diagnosis } from '../../src/core/diagnosis/types';
import { describeLab } from '../lab/describe-lab';
import { createLab, type Lab } from '../lab/lab';
import { CLIENT_PUBLIC_IP, collectServerEvidence, diagnoseInClient, FakeApiInNamespace, INSTANCE_ID, REGION, type ScenarioSpec } from './support';

interface FirewallScenario extends ScenarioSpec {
  /** The egress-IP echo fails: the client's public IP is unknown (unless --source-ip gives it). */
  egressUnknown?: boolean;
  /** --source-ip with the client's real address. */
  sourceIpFlag?: boolean;
  /**
   * Whom the security group admits: the client's lab address (default), or a public office address
   * (203.0.113.7) — with the public IP unknown, a rule for a private lab address would be "never an internet
   * source" and decide the group by itself; a public one leaves it undecided, as for a real user.
   */
  sgFor?: 'client' | 'public-office';
  /** os.firewall's status and condition. */
  firewall: { status: 'pass' | 'fail' | 'unknown'; condition: string; findingIncludes?: (lab: Lab) => string[] };
  /** Checks that must not fail. */
  mustNotFail: string[];
}

const SERVER_CHECKS = ['os.firewall', 'os.listening', 'os.bind-address', 'os.sshd-config', 'os.service-running'];

const SCENARIOS: FirewallScenario[] = [
  {
    name: 'iptables ACCEPTs the client network before a DROP, the port answers',
    variant: 'healthy',
    port: 2420,
    server: { listen: 'ssh', firewall: 'accept-client-net-then-drop' },
    locus: 'none',
    failing: null,
    serverEvidence: true,
    firewall: { status: 'pass', condition: 'allows', findingIncludes: (lab) => [`from ${lab.client.ipv4}`, `-s 10.200.${lab.id}.0/30 -p tcp -m tcp --dport 2420 -j ACCEPT`] },
    mustNotFail: ['os.firewall', 'os.listening', 'sg.inbound-rule', 'client.egress-ip'],
  },
  {
    name: 'iptables DROPs everyone',
    variant: 'healthy',
    port: 2421,
    server: { listen: 'ssh', firewall: 'drop' },
    locus: 'server',
    failing: 'os.firewall',
    serverEvidence: true,
    firewall: { status: 'fail', condition: 'blocks:iptables', findingIncludes: () => ['-A INPUT -p tcp -m tcp --dport 2421 -j DROP'] },
    mustNotFail: ['os.listening', 'os.bind-address', 'sg.inbound-rule', 'client.egress-ip', 'client.egress'],
  },
  {
    name: 'iptables ACCEPTs only another network before a DROP',
    variant: 'healthy',
    port: 2422,
    server: { listen: 'ssh', firewall: 'accept-other-net-then-drop' },
    locus: 'server',
    failing: 'os.firewall',
    serverEvidence: true,
    firewall: { status: 'fail', condition: 'blocks:iptables', findingIncludes: (lab) => [`from ${lab.client.ipv4}`, '-A INPUT -p tcp -m tcp --dport 2422 -j DROP'] },
    mustNotFail: ['os.listening', 'os.bind-address', 'sg.inbound-rule', 'client.egress-ip', 'client.egress'],
  },
  {
    name: 'public IP unknown, the port answers, the deciding rule depends on the source',
    variant: 'healthy',
    port: 2423,
    server: { listen: 'ssh', firewall: 'accept-client-net-then-drop' },
    locus: 'none',
    failing: null,
    serverEvidence: true,
    egressUnknown: true,
    sgFor: 'public-office',
    firewall: { status: 'unknown', condition: 'depends-on-source', findingIncludes: () => ['depends on the source address'] },
    mustNotFail: SERVER_CHECKS,
  },
  {
    name: 'public IP unknown, the connection times out, the deciding rule depends on the source',
    variant: 'healthy',
    port: 2424,
    server: { listen: 'ssh', firewall: 'accept-other-net-then-drop' },
    locus: 'inconclusive',
    failing: null,
    serverEvidence: true,
    egressUnknown: true,
    sgFor: 'public-office',
    firewall: { status: 'unknown', condition: 'depends-on-source', findingIncludes: () => ['your public IP is unknown'] },
    mustNotFail: SERVER_CHECKS,
  },
  {
    name: 'public IP unknown to the echo but given with --source-ip: decided again',
    variant: 'healthy',
    port: 2425,
    server: { listen: 'ssh', firewall: 'accept-other-net-then-drop' },
    locus: 'server',
    failing: 'os.firewall',
    serverEvidence: true,
    egressUnknown: true,
    sourceIpFlag: true,
    firewall: { status: 'fail', condition: 'blocks:iptables', findingIncludes: (lab) => [`from ${lab.client.ipv4}`] },
    mustNotFail: ['os.listening', 'os.bind-address', 'sg.inbound-rule'],
  },
];

describeLab('firewall evidence per flow (lab + fake API + CLI)', () => {
  let lab: Lab;
  let fake: FakeApiInNamespace;
  let dir: string;
  const params = (s: FirewallScenario) => ({ variant: s.variant, instanceId: INSTANCE_ID, region: REGION, publicIp: lab.hosts.server.ipv4, clientIp: s.sgFor === 'public-office' ? CLIENT_PUBLIC_IP : lab.client.ipv4, port: s.port });

  beforeAll(async () => {
    lab = await createLab({
      ipv6: false,
      hosts: {
        server: { ports: SCENARIOS.map((s) => ({ port: s.port, ...s.server })) },
        // The control host answers on every scenario port (a known-good server).
        echo: { ports: SCENARIOS.map((s) => ({ port: s.port, listen: 'tcp' as const })) },
      },
    });
    fake = await FakeApiInNamespace.start(lab, params(SCENARIOS[0]));
    dir = mkdtempSync(join(tmpdir(), 'sgd-fw-scen-'));
  }, 120_000);

  afterAll(async () => {
    await fake?.stop();
    await lab?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  for (const s of SCENARIOS) {
    it(`${s.name} → ${s.locus}, os.firewall ${s.firewall.status}`, async () => {
      await fake.set(params(s));
      const evidenceFile = await collectServerEvidence(lab, s.port, dir);
      // The evidence is the real iptables-save of the server namespace.
      expect(readFileSync(evidenceFile, 'utf8')).toContain(`--dport ${s.port} -j DROP`);
      const extra = ['--server-evidence', evidenceFile];
      // Port 9 on the client's own loopback: nothing listens, the echo fails at once.
      if (s.egressUnknown) extra.push('--egress-ip-urls', 'http://127.0.0.1:9/');
      if (s.sourceIpFlag) extra.push('--source-ip', lab.client.ipv4);
      const { result, diagnosis } = await diagnoseInClient(lab, fake, s, extra);
      expect(diagnosis, `${result.stderr}\n${result.stdout.slice(0, 500)}`).not.toBeNull();
      const d = diagnosis as Diagnosis;
      const fw = d.checks.find((c) => c.id === 'os.firewall')!;
      const ctx = `${d.verdict.ruleId}: ${d.verdict.summary.en}\nfailing: ${d.checks
        .filter((c) => c.status === 'fail')
        .map((c) => `${c.id}[${c.condition}]`)
        .join(', ')}\nos.firewall: ${fw.status} [${fw.condition}] ${fw.finding.en}\n${fw.evidence.map((e) => e.summary).join('\n')}\negress: ${JSON.stringify(d.probes?.client.egressIp)} flow: ${JSON.stringify(d.cloud.flow)}`;
      expect(d.verdict.locus, ctx).toBe(s.locus);
      expect(fw.status, ctx).toBe(s.firewall.status);
      expect(fw.condition, ctx).toBe(s.firewall.condition);
      for (const text of s.firewall.findingIncludes?.(lab) ?? []) expect(fw.finding.en, ctx).toContain(text);
      if (s.failing) {
        expect(d.verdict.blockingCheckIds[0], ctx).toBe(s.failing);
        expect(d.checks.find((c) => c.id === s.failing)?.status, ctx).toBe('fail');
      } else {
        expect(d.verdict.blockingCheckIds, ctx).toEqual([]);
      }
      for (const id of s.mustNotFail) expect(d.checks.find((c) => c.id === id)?.status, `${id}\n${ctx}`).not.toBe('fail');
      // Exit codes (DESIGN.md): 0 reachable, 1 a fault located, 3 inconclusive.
      expect(result.code, ctx).toBe(s.locus === 'none' ? 0 : s.locus === 'inconclusive' ? 3 : 1);
      expect(d.server?.firewall.find((f) => f.kind === 'iptables')?.rules?.kind).toBe('iptables');
    }, 90_000);
  }
});

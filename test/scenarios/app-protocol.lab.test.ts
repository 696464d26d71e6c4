// End-to-end scenarios for the protocol-aware application check (issue 8, class 1): the network lab's
// server runs applications on custom ports (an HTTP app that waits for its client, a failing HTTP app,
// a silent service, HTTPS, SSH), the fake Alibaba API allows the port (variant 'healthy'), and the real
// `sg-doctor diagnose --json` runs in the lab's client namespace with the protocol named (or not). Each
// asserts the locus, the failing check (if any), app.responds' condition, and the checks that must NOT
// fail. Ports 2400–2419 only.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Diagnosis } from '../../src/core/diagnosis/types';

import { describeLab } from '../lab/describe-lab';
import { createLab, type Lab, type ListenerKind } from '../lab/lab';
import { ECHO_PORT, FakeApiInNamespace, INSTANCE_ID, REGION, runCliInClient, scenarioParams, type ScenarioSpec } from './support';

interface AppScenario {
  name: string;
  port: number;
  listen: ListenerKind;
  /** CLI flags naming the protocol (none: a custom port whose protocol nobody named). */
  flags: string[];
  locus: Diagnosis['verdict']['locus'];
  failing: string | null;
  app: { status: string; condition: RegExp };
}

const SCENARIOS: AppScenario[] = [
  { name: 'HTTP app on a custom port, --protocol http', port: 2400, listen: 'http', flags: ['--protocol', 'http'], locus: 'none', failing: null, app: { status: 'pass', condition: /^http-200$/ } },
  { name: 'the same app, no protocol named', port: 2401, listen: 'http', flags: [], locus: 'none', failing: null, app: { status: 'pass', condition: /^not-identified$/ } },
  { name: 'HTTP app answering 500, --protocol http', port: 2402, listen: 'http-500', flags: ['--protocol', 'http'], locus: 'server', failing: 'app.responds', app: { status: 'fail', condition: /^http-5xx$/ } },
  { name: 'server-first service (SSH) that stays silent', port: 2403, listen: 'tcp', flags: ['--protocol', 'ssh'], locus: 'none', failing: null, app: { status: 'warn', condition: /^no-greeting$/ } },
  { name: 'HTTPS on a custom port, --protocol https', port: 2404, listen: 'https', flags: ['--protocol', 'https'], locus: 'none', failing: null, app: { status: 'pass', condition: /^tls$/ } },
  { name: 'HTTPS port named plain HTTP: wrong protocol, not an app fault', port: 2405, listen: 'https', flags: ['--protocol', 'http'], locus: 'none', failing: null, app: { status: 'warn', condition: /^wrong-protocol$/ } },
  { name: 'SSH on a custom port, --service ssh', port: 2406, listen: 'ssh', flags: ['--service', 'ssh'], locus: 'none', failing: null, app: { status: 'pass', condition: /^ssh-ident$/ } },
];

/** Checks that a reachable port must never fail, whatever the application does. */
const NEVER_FAIL_WHEN_OPEN = ['os.listening', 'os.firewall', 'os.bind-address', 'sg.inbound-rule', 'net.acl-inbound', 'net.acl-return', 'client.egress', 'client.local-firewall', 'instance.running'];

async function diagnose(lab: Lab, fake: FakeApiInNamespace, s: AppScenario): Promise<{ code: number | null; stderr: string; d: Diagnosis | null; stdout: string }> {
  const args = ['diagnose', `${lab.hosts.server.ipv4}:${s.port}`, ...s.flags, '--instance', INSTANCE_ID, '--region', REGION, '--egress-ip-urls', fake.echoUrl, '--control-hosts', `${lab.hosts.echo.ipv4}:${s.port}`, '--dns-servers', '', '--attempts', '2', '--json'];
  const { result, diagnosis } = await runCliInClient(lab, fake, s.name, s.port, args, { SGD_DNS_SERVERS: '' });
  return { code: result.code, stderr: result.stderr, stdout: result.stdout, d: diagnosis };
}

/** The shared support's parameters for the fake API: the healthy configuration admitting this port. */
const asSpec = (s: AppScenario): ScenarioSpec => ({ name: s.name, variant: 'healthy', port: s.port, server: { listen: s.listen }, locus: s.locus, failing: s.failing });

describeLab('application protocol scenarios (lab + fake API + CLI)', () => {
  let lab: Lab;
  let fake: FakeApiInNamespace;

  beforeAll(async () => {
    lab = await createLab({
      ipv6: false,
      hosts: {
        server: { ports: SCENARIOS.map((s) => ({ port: s.port, listen: s.listen })) },
        // The egress-IP echo and the control host (a known-good server accepting every scenario port).
        echo: { ports: [{ port: ECHO_PORT, listen: 'egress-echo' }, ...SCENARIOS.map((s) => ({ port: s.port, listen: 'tcp' as const }))] },
      },
    });
    fake = await FakeApiInNamespace.start(lab, scenarioParams(lab, asSpec(SCENARIOS[0])));
  }, 120_000);

  afterAll(async () => {
    await fake?.stop();
    await lab?.destroy();
  }, 60_000);

  for (const s of SCENARIOS) {
    it(`${s.name} → ${s.locus}${s.failing ? ` (${s.failing})` : ''}, app.responds ${s.app.status}`, async () => {
      await fake.set(scenarioParams(lab, asSpec(s)));
      const { code, stderr, stdout, d } = await diagnose(lab, fake, s);
      expect(d, `${stdout.slice(0, 400)}\n${stderr.slice(-800)}`).not.toBeNull();
      const failing = d!.checks.filter((c) => c.status === 'fail').map((c) => `${c.id}[${c.condition}]`);
      const app = d!.checks.find((c) => c.id === 'app.responds')!;
      const ctx = `${d!.verdict.ruleId}: ${d!.verdict.summary.en}\nfailing: ${failing.join(', ')}\napp: ${app.status} ${app.condition} ${app.finding.en}\n${app.evidence.map((e) => e.summary).join('\n')}\nexit ${code} ${stderr.slice(-300)}`;
      expect(code === 0 || code === 1, ctx).toBe(true);
      expect(d!.cloud.snapshot?.instance?.id, ctx).toBe(INSTANCE_ID);
      expect(d!.probes!.tcp.find((t) => t.port === s.port)?.state, ctx).toBe('open');
      expect(d!.verdict.locus, ctx).toBe(s.locus);
      expect(app.status, ctx).toBe(s.app.status);
      expect(app.condition, ctx).toMatch(s.app.condition);
      if (s.failing) {
        expect(d!.verdict.blockingCheckIds[0], ctx).toBe(s.failing);
        expect(failing, ctx).toEqual([expect.stringMatching(new RegExp(`^${s.failing.replace('.', '\\.')}\\[`))]);
      } else {
        expect(failing, ctx).toEqual([]);
        expect(d!.verdict.blockingCheckIds).toEqual([]);
      }
      for (const id of NEVER_FAIL_WHEN_OPEN) expect(d!.checks.find((c) => c.id === id)?.status, `${id}\n${ctx}`).not.toBe('fail');
      // The summary never claims more than was established.
      if (app.condition === 'not-identified') expect(d!.verdict.summary.en, ctx).toBe(`Port ${s.port} is reachable; the application was not identified`);
      // Evidence quotes the conversation.
      expect(app.evidence[0].summary, ctx).toMatch(/sent/);
    }, 90_000);
  }
});

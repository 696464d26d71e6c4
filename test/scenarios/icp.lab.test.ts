// ICP-filing (备案) interception, end to end: the web server sits BEHIND a middlebox namespace (a real
// router between the client and the server) whose FORWARD chain resets the connection when a packet
// carries the blocked name — the HTTP "Host: blocked.sgd.test" header or the TLS ClientHello's SNI
// (iptables string match, as a provider's filter acts on the name), or — on a third port — its relay
// answers the blocked Host with a notice page of its own. Requests by IP pass. The lab's DNS
// resolves both names to the server; the fake Alibaba API serves the instance in a mainland region
// (cn-hangzhou) or outside it (ap-southeast-1); the real CLI runs `sg-doctor diagnose --json` in the
// client namespace. Ports 2460–2479.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Diagnosis } from '../../src/core/diagnosis/types';
import type { Variant } from '../fake-api';
import { describeLab } from '../lab/describe-lab';
import { createLab, type Lab, type LabSpec } from '../lab/lab';
import { CLIENT_PUBLIC_IP, ECHO_PORT, FakeApiInNamespace, INSTANCE_ID, runCliInClient } from './support';

const BLOCKED = 'blocked.sgd.test';
const FILED = 'filed.sgd.test';
const HTTP_PORT = 2460;
const HTTPS_PORT = 2461;
/** Behind the middlebox's name filter: a notice page for the blocked Host, relayed otherwise. */
const FILTER_PORT = 2462;

interface IcpScenario {
  name: string;
  host: string;
  port: number;
  service: 'http' | 'https';
  region: string;
  locus: Diagnosis['verdict']['locus'];
  icp: 'fail' | 'warn' | 'pass' | 'skipped';
  /** Further CLI arguments. */
  extra?: string[];
  condition?: string;
  /** Checks that must not fail. */
  notFailing: string[];
}

const NOT_SERVER = ['os.listening', 'os.bind-address', 'os.firewall', 'os.sshd-config', 'os.service-running', 'app.responds'];

const SCENARIOS: IcpScenario[] = [
  { name: 'HTTP: the name is reset after the Host header, the IP answers (mainland)', host: BLOCKED, port: HTTP_PORT, service: 'http', region: 'cn-hangzhou', locus: 'network', icp: 'fail', condition: 'name-reset', notFailing: NOT_SERVER },
  { name: 'HTTPS: the ClientHello with the SNI is reset, without SNI it answers (mainland)', host: BLOCKED, port: HTTPS_PORT, service: 'https', region: 'cn-hangzhou', locus: 'network', icp: 'fail', condition: 'sni-reset', notFailing: NOT_SERVER },
  { name: 'HTTP: a filed name passes the same middlebox', host: FILED, port: HTTP_PORT, service: 'http', region: 'cn-hangzhou', locus: 'none', icp: 'pass', condition: 'same-server', notFailing: [...NOT_SERVER, 'net.icp-filing'] },
  { name: 'HTTPS: a filed name passes the same middlebox', host: FILED, port: HTTPS_PORT, service: 'https', region: 'cn-hangzhou', locus: 'none', icp: 'pass', condition: 'same-server', notFailing: [...NOT_SERVER, 'net.icp-filing'] },
  { name: 'HTTP: the middlebox answers the name with its own notice page (another Server), the IP gets the site', host: BLOCKED, port: FILTER_PORT, service: 'http', region: 'cn-shanghai', locus: 'network', icp: 'fail', condition: 'block-page', notFailing: NOT_SERVER },
  { name: 'HTTP: the name filter relays a filed name to the site', host: FILED, port: FILTER_PORT, service: 'http', region: 'cn-shanghai', locus: 'none', icp: 'pass', condition: 'same-server', notFailing: [...NOT_SERVER, 'net.icp-filing'] },
  { name: 'HTTP: blocked by name without cloud data (--no-cloud): the region is unknown, so inconclusive and saying so', host: BLOCKED, port: HTTP_PORT, service: 'http', region: 'cn-hangzhou', extra: ['--no-cloud'], locus: 'inconclusive', icp: 'warn', condition: 'name-reset-region-unknown', notFailing: [...NOT_SERVER, 'net.icp-filing'] },
  { name: 'outside the mainland (ap-southeast-1): not applicable', host: FILED, port: HTTP_PORT, service: 'http', region: 'ap-southeast-1', locus: 'none', icp: 'skipped', condition: 'not-mainland', notFailing: [...NOT_SERVER, 'net.icp-filing'] },
];

function labSpec(): LabSpec {
  // The middlebox's filter: a TCP reset to the client when a forwarded packet to the web ports names the
  // blocked domain (the HTTP Host header, or the SNI in the ClientHello).
  const resetOn = (port: number, text: string): string[] => ['-p', 'tcp', '--dport', String(port), '-m', 'string', '--string', text, '--algo', 'bm', '-j', 'REJECT', '--reject-with', 'tcp-reset'];
  return {
    ipv6: false,
    hosts: {
      mbox: {
        forwardRules: [resetOn(HTTP_PORT, `Host: ${BLOCKED}`), resetOn(HTTPS_PORT, BLOCKED)],
        ports: [{ port: FILTER_PORT, listen: 'name-filter', filter: { upstream: 'server', blockHost: BLOCKED } }],
      },
      server: {
        via: 'mbox',
        ports: [
          { port: HTTP_PORT, listen: 'http' },
          { port: HTTPS_PORT, listen: 'https' },
          { port: FILTER_PORT, listen: 'http' },
        ],
      },
      echo: { ports: [{ port: ECHO_PORT, listen: 'egress-echo' }, { port: HTTP_PORT, listen: 'tcp' }, { port: HTTPS_PORT, listen: 'tcp' }, { port: FILTER_PORT, listen: 'tcp' }] },
      dns: { dns: { zone: (a) => ({ [BLOCKED]: { a: [a.hosts.server.ipv4] }, [FILED]: { a: [a.hosts.server.ipv4] } }) } },
    },
    clientResolver: 'dns',
  };
}

const params = (lab: Lab, s: IcpScenario) => ({ variant: 'healthy' as Variant, instanceId: INSTANCE_ID, region: s.region, publicIp: lab.hosts.server.ipv4, clientIp: CLIENT_PUBLIC_IP, port: s.port });

async function diagnose(lab: Lab, fake: FakeApiInNamespace, s: IcpScenario): Promise<{ code: number | null; stderr: string; stdout: string; d: Diagnosis | null }> {
  const args = ['diagnose', `${s.host}:${s.port}`, '--service', s.service, '--instance', INSTANCE_ID, '--region', s.region, '--egress-ip-urls', fake.echoUrl, '--control-hosts', `${lab.hosts.echo.ipv4}:${s.port}`, '--dns-servers', lab.hosts.dns.ipv4, '--attempts', '2', '--json', ...(s.extra ?? [])];
  const { result, diagnosis } = await runCliInClient(lab, fake, s.name, s.port, args, { SGD_EGRESS_IP_URLS: fake.echoUrl, SGD_CONTROL_HOSTS: '', SGD_DNS_SERVERS: lab.hosts.dns.ipv4 });
  return { code: result.code, stderr: result.stderr, stdout: result.stdout, d: diagnosis };
}

describeLab('ICP-filing interception (middlebox namespace + fake API + CLI)', () => {
  let lab: Lab;
  let fake: FakeApiInNamespace;

  beforeAll(async () => {
    lab = await createLab(labSpec());
    fake = await FakeApiInNamespace.start(lab, params(lab, SCENARIOS[0]));
  }, 120_000);

  afterAll(async () => {
    await fake?.stop();
    await lab?.destroy();
  }, 60_000);

  it('the middlebox is on the path: the server is reached through it, by IP', async () => {
    const r = await lab.sh(`ip route get ${lab.hosts.server.ipv4}`);
    expect(r.stdout).toContain(`via ${lab.hosts.mbox.ipv4}`);
    const counters = await lab.sh('iptables -w 5 -L FORWARD -n', { ns: lab.hosts.mbox.ns });
    expect(counters.stdout).toContain(`STRING match  "Host: ${BLOCKED}"`);
  });

  for (const s of SCENARIOS) {
    it(`${s.name} → ${s.locus}, net.icp-filing ${s.icp}`, async () => {
      await fake.set(params(lab, s));
      const { code, stderr, stdout, d } = await diagnose(lab, fake, s);
      expect(d, `${stderr}\n${stdout.slice(0, 500)}`).not.toBeNull();
      const icp = d!.checks.find((c) => c.id === 'net.icp-filing');
      const ctx = `${d!.verdict.ruleId}: ${d!.verdict.summary.en}\n${d!.verdict.reasoning.map((r) => r.en).join('\n')}\nfailing: ${d!.checks.filter((c) => c.status === 'fail').map((c) => `${c.id}[${c.condition}]`).join(', ')}\nicp: ${JSON.stringify(d!.probes?.icp)}\ncheck: ${JSON.stringify(icp)}`;
      expect(d!.verdict.locus, ctx).toBe(s.locus);
      expect(icp?.status, ctx).toBe(s.icp);
      if (s.condition) expect(icp?.condition, ctx).toBe(s.condition);
      for (const id of s.notFailing) expect(d!.checks.find((c) => c.id === id)?.status, `${id}\n${ctx}`).not.toBe('fail');
      if (s.icp === 'fail') {
        expect(d!.verdict).toMatchObject({ ruleId: 'icp-filing', blockingCheckIds: ['net.icp-filing'] });
        expect(d!.verdict.summary).toEqual(icp!.finding);
        expect(icp!.finding['zh-CN']).toContain('未备案');
        expect(d!.probes!.icp!.byIp.http?.statusCode, ctx).toBe(200);
        expect(icp!.fixes.map((f) => f.kind)).toEqual(['console', 'info', 'client']);
      }
      // Exit codes: 0 reachable, 1 a fault located, 3 inconclusive; never usage or a crash.
      expect(code, ctx).toBe(s.locus === 'none' ? 0 : s.locus === 'inconclusive' ? 3 : 1);
      if (s.icp === 'warn') expect(d!.verdict.ruleId, ctx).toBe('icp-filing-unconfirmed');
      if (s.icp === 'pass') expect(d!.probes!.icp!.byName.http?.statusCode, ctx).toBe(200);
    }, 90_000);
  }
});

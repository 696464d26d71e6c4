// Table test of the reasoning rules: every locus, with the evidence a real run would produce.
import { describe, expect, it } from 'vitest';
import { alibabaFixes } from '../cloud/alicloud/fixes';
import { runChecks } from './checks';

/** The Alibaba Cloud fix renderer, as the composition root passes it. */
const ALIBABA = { fixes: alibabaFixes };
import { acl, aclEval, client, traceFact, dnsFact, evidence, facts, httpBanner, icmpFact, IDS, miss, report, rule, sgDeny, snapshot, sshBanner, tcp, type FactsOpts } from './testing/builders';
import { contradictions } from './invariants';
import { CheckIndex, decideVerdict, RULES } from './verdict';
import { view } from './facts';
import type { Locus } from './types';
import { decideIcp } from '../probe/icp';
import type { IcpRequestFact } from '../probe/types';

const timeout = (o: { address?: string; port?: number } = {}) => tcp('filtered', 'no-response', o);

/** The instance reached through an EIP that is locked for an overdue payment. */
function lockedEip() {
  const s = snapshot({ publicIp: null });
  const eip = { allocationId: 'eip-bp1diag0000001', ipAddress: IDS.publicIp, status: 'InUse', businessStatus: 'FinancialLocked', bandwidthMbps: 5, instanceId: IDS.instance, instanceType: 'EcsInstance', region: IDS.region };
  return { ...s, instance: { ...s.instance!, eipAddress: IDS.publicIp, eipAllocationId: eip.allocationId }, interfaces: s.interfaces.map((e) => ({ ...e, publicIp: IDS.publicIp })), eips: [eip] };
}
const refused = () => tcp('closed', 'conn-refused', { errno: 'ECONNREFUSED' });
/** A name on port 80 whose request by IP is answered and by name is reset (ICP-filing interception). */
const icpBlocked = (): FactsOpts => {
  const byIp: IcpRequestFact = { by: 'ip', hostHeader: IDS.publicIp, sni: null, connected: true, sent: true, http: { statusLine: 'HTTP/1.1 200 OK', statusCode: 200, server: 'nginx', location: null }, bodyBytes: 10, bytesRead: 200, durationMs: 30 };
  const byName: IcpRequestFact = { by: 'name', hostHeader: 'shop.example.com', sni: null, connected: true, sent: true, failedAt: 'response', error: 'reset', bodyBytes: 0, bytesRead: 0, durationMs: 30 };
  const probes = { ...report([tcp('open', 'syn-ack', { port: 80, banner: { kind: 'none', method: 'http-head', bytesRead: 0, durationMs: 5, error: 'reset' } })], { host: 'shop.example.com' }), icp: { host: 'shop.example.com', address: IDS.publicIp, port: 80, scheme: 'http' as const, byIp, byName, decision: decideIcp(byIp, byName, 'shop.example.com', IDS.publicIp), startedAt: '', finishedAt: '' } };
  return { host: 'shop.example.com', port: 80, service: 'http', probes };
};

interface Row {
  name: string;
  f: FactsOpts;
  locus: Locus;
  rule: string;
  failing?: string; // first blocking check id
  /** Checks that must NOT fail in this situation (a wrong inference would fail them). */
  notFailing?: string[];
  confidence?: 'high' | 'medium' | 'low';
}

const table: Row[] = [
  // The path trace (issue 12): TCP SYNs to the port stop in the user's network (no control probe: one step less sure).
  { name: 'TCP SYN trace stops inside the own network', f: { probes: report([timeout()], { client: client({ control: [] }) }), trace: traceFact('tcp-syn', ['192.168.1.1', '10.8.0.1', null, null]) }, locus: 'client', rule: 'trace-stops-in-own-network', failing: 'path.trace', confidence: 'medium' },
  { name: 'the trace reaches the host, TCP times out, no cloud data', f: { probes: report([timeout()]), snapshot: null, trace: traceFact('tcp-syn', ['192.168.1.1', '61.1.2.3', IDS.publicIp]) }, locus: 'inconclusive', rule: 'trace-reached-host', confidence: 'low', notFailing: ['path.trace'] },
  { name: 'healthy: ssh answers', f: {}, locus: 'none', rule: 'path-open', confidence: 'high' },
  { name: 'rule missing', f: { probes: report([timeout()]), snapshot: snapshot({ rules: [] }), sg: sgDeny() }, locus: 'network', rule: 'security-group-denies', failing: 'sg.inbound-rule', confidence: 'high' },
  {
    name: 'rule missing among unrelated web and egress rules (no false near-miss blame)',
    f: {
      probes: report([timeout()]),
      snapshot: snapshot({
        rules: [
          rule('sgr-80', { portRange: { from: 80, to: 80 }, rawPortRange: '80/80', peer: { kind: 'cidr', cidr: '0.0.0.0/0', family: 4 } }),
          rule('sgr-egress', { direction: 'egress', protocol: 'all', rawProtocol: 'ALL', portRange: { from: -1, to: -1 }, rawPortRange: '-1/-1', peer: { kind: 'cidr', cidr: '0.0.0.0/0', family: 4 } }),
        ],
      }),
      sg: sgDeny([miss('port-outside-range', 'sgr-80', 'rule opens TCP 80'), miss('wrong-direction', 'sgr-egress', 'rule is egress')]),
    },
    locus: 'network',
    rule: 'security-group-denies',
    failing: 'sg.inbound-rule',
  },
  {
    name: 'rule on the wrong direction',
    f: { probes: report([timeout()]), snapshot: snapshot({ rules: [rule('sgr-out', { direction: 'egress' })] }), sg: sgDeny([miss('wrong-direction', 'sgr-out', 'rule is egress; the flow is ingress')]) },
    locus: 'network',
    rule: 'security-group-denies',
    failing: 'sg.direction',
  },
  {
    name: 'UDP instead of TCP',
    f: { probes: report([timeout()]), snapshot: snapshot({ rules: [rule('sgr-udp', { protocol: 'udp', rawProtocol: 'UDP' })] }), sg: sgDeny([miss('wrong-protocol', 'sgr-udp', 'rule is UDP; the flow is TCP')]) },
    locus: 'network',
    rule: 'security-group-denies',
    failing: 'sg.protocol',
  },
  {
    name: 'port range typo',
    f: { probes: report([timeout()]), snapshot: snapshot({ rules: [rule('sgr-2222', { portRange: { from: 2222, to: 2222 }, rawPortRange: '2222/2222' })] }), sg: sgDeny([miss('port-outside-range', 'sgr-2222', '22 is outside 2222/2222')]) },
    locus: 'network',
    rule: 'security-group-denies',
    failing: 'sg.port',
  },
  {
    name: 'private source (192.168.x)',
    f: { probes: report([timeout()]), snapshot: snapshot({ rules: [rule('sgr-lan', { peer: { kind: 'cidr', cidr: '192.168.1.10/32', family: 4 } })] }), sg: sgDeny([miss('private-source', 'sgr-lan', '192.168.1.10/32 is a private address')]) },
    locus: 'network',
    rule: 'security-group-denies',
    failing: 'sg.source',
  },
  {
    name: 'source is the wrong public IP (client NAT)',
    f: {
      probes: report([timeout()], { client: client({ egress: '198.51.100.44' }) }),
      snapshot: snapshot({ rules: [rule('sgr-old', { peer: { kind: 'cidr', cidr: '203.0.113.7/32', family: 4 } })] }),
      sg: sgDeny([miss('source-excludes-client', 'sgr-old', '203.0.113.7/32 does not contain 198.51.100.44', { clientIp: '198.51.100.44', cidr: '203.0.113.7/32' })]),
    },
    locus: 'client',
    rule: 'source-is-not-your-egress-ip',
    failing: 'client.egress-ip',
  },
  {
    name: 'higher-priority drop',
    f: {
      probes: report([timeout()]),
      snapshot: snapshot({ rules: [rule('sgr-drop', { policy: 'drop', priority: 1, peer: { kind: 'cidr', cidr: '0.0.0.0/0', family: 4 } }), rule('sgr-ssh', { priority: 50 })] }),
      sg: sgDeny([miss('shadowed-by-drop', 'sgr-ssh', 'drop rule sgr-drop has priority 1', { dropRuleId: 'sgr-drop', dropPriority: 1 })], { kind: 'rule', ruleId: 'sgr-drop', containerId: IDS.group, priority: 1, policy: 'drop' }),
    },
    locus: 'network',
    rule: 'security-group-denies',
    failing: 'sg.priority-drop',
  },
  { name: 'network ACL deny', f: { probes: report([timeout()]), snapshot: snapshot({ acl: acl() }), acl: aclEval('deny', 'allow') }, locus: 'network', rule: 'acl-denies', failing: 'net.acl-inbound' },
  { name: 'ACL missing the return ephemeral range', f: { probes: report([timeout()]), snapshot: snapshot({ acl: acl() }), acl: aclEval('allow', 'deny') }, locus: 'network', rule: 'acl-denies', failing: 'net.acl-return' },
  { name: 'instance stopped', f: { probes: report([timeout()]), snapshot: snapshot({ status: 'Stopped' }) }, locus: 'network', rule: 'instance-not-running', failing: 'instance.running' },
  { name: 'overdue lock', f: { probes: report([timeout()]), snapshot: snapshot({ status: 'Stopped', locks: ['financial'] }) }, locus: 'network', rule: 'instance-not-running', failing: 'instance.overdue-lock' },
  { name: 'no public IP', f: { probes: report([timeout()]), snapshot: snapshot({ publicIp: null }) }, locus: 'network', rule: 'no-public-path', failing: 'net.public-ip' },
  { name: 'OS firewall DROP (ufw-like)', f: { probes: report([timeout()]) }, locus: 'server', rule: 'timeout-cloud-allows', failing: 'os.firewall', confidence: 'medium' },
  {
    name: 'timeout, cloud allows, no control probe: host firewall or own network, not told apart',
    f: { probes: report([timeout()], { client: client({ control: [] }) }) },
    locus: 'inconclusive',
    rule: 'timeout-cloud-allows',
    notFailing: ['os.firewall'],
  },
  {
    name: 'the configuration describes another host (RST from the probed address)',
    f: { probes: report([tcp('closed', 'conn-refused', { errno: 'ECONNREFUSED', address: '47.96.99.99' })]) },
    locus: 'inconclusive',
    rule: 'config-describes-another-host',
    notFailing: ['os.listening', 'sg.inbound-rule', 'instance.running'],
  },
  {
    name: 'the configuration describes another, stopped host',
    f: { probes: report([timeout({ address: '47.96.99.99' })]), snapshot: snapshot({ status: 'Stopped' }) },
    locus: 'inconclusive',
    rule: 'config-describes-another-host',
    notFailing: ['instance.running', 'os.firewall'],
  },
  { name: 'zero public bandwidth: a payment/plan fault, not the firewall', f: { probes: report([timeout()]), snapshot: snapshot({ bandwidth: 0 }) }, locus: 'network', rule: 'no-public-path', failing: 'net.eip-bandwidth', notFailing: ['os.firewall', 'os.listening'], confidence: 'high' },
  { name: 'EIP locked for arrears: not the firewall', f: { probes: report([timeout()]), snapshot: lockedEip() }, locus: 'network', rule: 'no-public-path', failing: 'net.eip-financial-lock', notFailing: ['os.firewall', 'os.listening'], confidence: 'high' },
  { name: 'carrier-blocked port times out: never the firewall by inference', f: { probes: report([timeout({ port: 445 })]), port: 445, service: 'smb' }, locus: 'network', rule: 'timeout-cloud-allows', failing: undefined, notFailing: ['os.firewall'] },
  {
    name: 'firewalld REJECT host-prohibited',
    f: { probes: report([tcp('filtered', 'host-unreach', { errno: 'EHOSTUNREACH' })], { icmp: icmpFact('unreachable', { type: 3, code: 10, from: IDS.publicIp, text: 'Destination Host Prohibited' }) }) },
    locus: 'server',
    rule: 'host-prohibited',
    failing: 'os.firewall',
    confidence: 'high',
  },
  { name: 'service not listening', f: { probes: report([refused()]) }, locus: 'server', rule: 'rst-reached-host', failing: 'os.listening', confidence: 'high' },
  {
    name: 'service bound to 127.0.0.1 (server evidence)',
    f: { probes: report([refused()]), server: evidence({ listeners: [{ protocol: 'tcp', address: '127.0.0.1', port: 22, process: 'sshd' }], sshd: { ports: [22], listenAddresses: ['127.0.0.1'] } }) },
    locus: 'server',
    rule: 'rst-reached-host',
    failing: 'os.bind-address',
  },
  {
    name: 'client egress block on the port',
    f: { probes: report([timeout()], { client: client({ control: [{ host: 'control.example', port: 22, state: 'filtered', reason: 'no-response', rttMs: null }] }) }) },
    locus: 'client',
    rule: 'control-same-port-fails',
    failing: 'client.egress',
  },
  {
    name: 'DNS points elsewhere',
    f: { host: 'www.example.com', probes: report([tcp('filtered', 'no-response', { address: '198.51.100.99' })], { dns: dnsFact('www.example.com', ['198.51.100.99']), host: 'www.example.com' }) },
    locus: 'client',
    rule: 'dns-resolves-elsewhere',
    failing: 'client.dns',
  },
  { name: 'application error (HTTP 502)', f: { port: 80, service: 'http', probes: report([tcp('open', 'syn-ack', { port: 80, banner: httpBanner(502, 'HTTP/1.1 502 Bad Gateway') })]) }, locus: 'server', rule: 'app-error', failing: 'app.responds' },
  { name: 'local firewall EACCES', f: { probes: report([tcp('filtered', 'admin-prohibited', { errno: 'EACCES' })]) }, locus: 'client', rule: 'client-local-block', failing: 'client.local-firewall' },
  { name: 'RST while the cloud denies: contradiction', f: { probes: report([refused()]), sg: sgDeny() }, locus: 'inconclusive', rule: 'probe-contradicts-cloud', confidence: 'low' },
  { name: 'no cloud: RST still says server, lower confidence', f: { probes: report([refused()]), snapshot: null }, locus: 'server', rule: 'rst-reached-host', failing: 'os.listening', confidence: 'medium' },
  { name: 'no cloud: timeout is inconclusive', f: { probes: report([timeout()]), snapshot: null }, locus: 'inconclusive', rule: 'timeout-without-cloud', confidence: 'low' },
  {
    name: 'no cloud, server evidence clears the server: network',
    f: { probes: report([timeout()]), snapshot: null, server: evidence() },
    locus: 'network',
    rule: 'timeout-server-cleared',
    confidence: 'low',
  },
  { name: 'no cloud: healthy', f: { snapshot: null }, locus: 'none', rule: 'path-open', confidence: 'medium' },
  { name: 'nothing at all', f: { probes: null, snapshot: null }, locus: 'inconclusive', rule: 'no-evidence' },
  {
    name: 'timeout, cloud allows, server evidence allows: inconclusive',
    f: { probes: report([timeout()]), server: evidence() },
    locus: 'inconclusive',
    rule: 'timeout-cloud-allows',
  },
  { name: 'name intercepted for a missing ICP filing (mainland region)', f: icpBlocked(), locus: 'network', rule: 'icp-filing', failing: 'net.icp-filing', confidence: 'high' },
  { name: 'name blocked, IP answers, no cloud data (region unknown): inconclusive, saying so', f: { ...icpBlocked(), snapshot: null }, locus: 'inconclusive', rule: 'icp-filing-unconfirmed', confidence: 'low' },
  { name: 'ufw evidence says deny', f: { probes: report([timeout()]), server: evidence({ firewall: [{ kind: 'ufw', active: true, allowsPort: { '22/tcp': false }, defaultInbound: 'drop', details: [] }] }) }, locus: 'server', rule: 'server-evidence-blocks', failing: 'os.firewall', confidence: 'high' },
];

describe('verdict rules (table)', () => {
  it.each(table)('$name → $locus', (row) => {
    const f = facts(row.f);
    const checks = runChecks(f);
    const v = decideVerdict(f, checks);
    expect(v.locus).toBe(row.locus);
    expect(v.ruleId).toBe(row.rule);
    if (row.failing) {
      expect(v.blockingCheckIds[0]).toBe(row.failing);
      expect(checks.find((c) => c.id === row.failing)?.status).toBe('fail');
    }
    if (row.confidence) expect(v.confidence).toBe(row.confidence);
    for (const id of row.notFailing ?? []) expect(checks.find((c) => c.id === id)?.status, id).not.toBe('fail');
    expect(contradictions(checks, v)).toEqual([]);
    expect(v.summary.en.length).toBeGreaterThan(10);
    expect(v.summary['zh-CN'].length).toBeGreaterThan(3);
    expect(v.reasoning.length).toBeGreaterThan(0);
    for (const id of v.blockingCheckIds) expect(checks.some((c) => c.id === id)).toBe(true);
  });

  it('covers every locus', () => {
    const loci = new Set(table.map((r) => r.locus));
    expect([...loci].sort()).toEqual(['client', 'inconclusive', 'network', 'none', 'server']);
  });

  it('every reasoning rule is exercised by the table', () => {
    const used = new Set(table.map((r) => r.rule));
    const unused = RULES.map((r) => r.id).filter((id) => !used.has(id) && id !== 'fallback');
    expect(unused).toEqual([]);
  });

  it('each rule declines facts it is not about', () => {
    const healthy = facts();
    const checks = runChecks(healthy);
    const v = view(healthy);
    const idx = new CheckIndex(checks);
    const deciding = RULES.filter((r) => r.decide(v, idx) !== null).map((r) => r.id);
    expect(deciding).toEqual(['path-open', 'fallback']);
  });
});

describe('without cloud data', () => {
  it('marks every cloud check unknown, never invented', () => {
    const checks = runChecks(facts({ probes: report([timeout()]), snapshot: null }));
    const cloudIds = ['sg.inbound-rule', 'sg.direction', 'sg.protocol', 'sg.port', 'sg.source', 'sg.priority-drop', 'sg.bound', 'sg.region', 'instance.running', 'instance.overdue-lock', 'net.public-ip', 'net.acl-inbound', 'net.acl-return'];
    for (const id of cloudIds) expect(checks.find((c) => c.id === id)?.status, id).toBe('unknown');
  });
});

describe('fixes carry the user’s ids', () => {
  it('rule missing → AuthorizeSecurityGroup with region, group, port and egress IP', () => {
    const f = facts({ probes: report([timeout()]), snapshot: snapshot({ rules: [] }), sg: sgDeny() });
    const c = runChecks(f, undefined, ALIBABA).find((x) => x.id === 'sg.inbound-rule')!;
    const cli = c.fixes.find((x) => x.kind === 'aliyun-cli')!.command!;
    expect(cli).toContain('aliyun ecs AuthorizeSecurityGroup');
    expect(cli).toContain(`--RegionId ${IDS.region}`);
    expect(cli).toContain(`--SecurityGroupId ${IDS.group}`);
    expect(cli).toContain('--Permissions.1.PortRange 22/22');
    expect(cli).toContain(`--Permissions.1.SourceCidrIp ${IDS.clientIp}/32`);
    expect(cli).toContain('--Permissions.1.IpProtocol TCP');
    const tf = c.fixes.find((x) => x.kind === 'terraform')!.command!;
    expect(tf).toContain('resource "alicloud_security_group_rule"');
    expect(tf).toContain(`cidr_ip           = "${IDS.clientIp}/32"`);
    const con = c.fixes.find((x) => x.kind === 'console')!;
    expect(con.url).toBe(`https://ecs.console.aliyun.com/securityGroupDetail/region/${IDS.region}/groupId/${IDS.group}/detail/intranetIngress`);
  });

  it('drop at priority 1 cannot be outranked: revoke it', () => {
    const f = facts({
      probes: report([timeout()]),
      snapshot: snapshot({ rules: [rule('sgr-drop', { policy: 'drop', priority: 1 }), rule('sgr-ssh', { priority: 1 })] }),
      sg: sgDeny([miss('shadowed-by-drop', 'sgr-ssh', 'same priority', { dropRuleId: 'sgr-drop' })], { kind: 'rule', ruleId: 'sgr-drop', containerId: IDS.group, priority: 1, policy: 'drop' }),
    });
    const c = runChecks(f, undefined, ALIBABA).find((x) => x.id === 'sg.priority-drop')!;
    expect(c.fixes.map((x) => x.command ?? '').join('\n')).toContain('RevokeSecurityGroup --RegionId cn-hangzhou --SecurityGroupId sg-bp1diag000000001 --SecurityGroupRuleId.1 sgr-drop');
    expect(c.fixes.some((x) => x.command?.includes('AuthorizeSecurityGroup'))).toBe(false);
  });

  it('drop at priority 5: an accept at priority 4 wins', () => {
    const f = facts({
      probes: report([timeout()]),
      snapshot: snapshot({ rules: [rule('sgr-drop', { policy: 'drop', priority: 5 }), rule('sgr-ssh', { priority: 10 })] }),
      sg: sgDeny([miss('shadowed-by-drop', 'sgr-ssh', 'lower priority', { dropRuleId: 'sgr-drop' })], { kind: 'rule', ruleId: 'sgr-drop', containerId: IDS.group, priority: 5, policy: 'drop' }),
    });
    const c = runChecks(f, undefined, ALIBABA).find((x) => x.id === 'sg.priority-drop')!;
    expect(c.fixes.find((x) => x.command?.includes('AuthorizeSecurityGroup'))!.command).toContain('--Permissions.1.Priority 4');
  });

  it('ACL fix keeps the existing entries in order and puts the new one before what denies (here the default deny at the end)', () => {
    const f = facts({ probes: report([timeout()]), snapshot: snapshot({ acl: acl() }), acl: aclEval('allow', 'deny') });
    const c = runChecks(f, undefined, ALIBABA).find((x) => x.id === 'net.acl-return')!;
    const cmd = c.fixes.find((x) => x.kind === 'aliyun-cli')!.command!;
    expect(cmd).toContain(`--NetworkAclId ${IDS.acl}`);
    expect(cmd).toContain('--UpdateEgressAclEntries true');
    expect(cmd).toContain('--EgressAclEntries.1.NetworkAclEntryId nae-out-1');
    expect(cmd).toContain('--EgressAclEntries.2.Port 1024/65535');
    expect(cmd).toContain(`--EgressAclEntries.2.DestinationCidrIp ${IDS.clientIp}/32`);
  });

  it('stopped instance → StartInstance with the ids', () => {
    const c = runChecks(facts({ probes: report([timeout()]), snapshot: snapshot({ status: 'Stopped' }) }), undefined, ALIBABA).find((x) => x.id === 'instance.running')!;
    expect(c.fixes.find((x) => x.kind === 'aliyun-cli')!.command).toBe(`aliyun ecs StartInstance --RegionId ${IDS.region} --InstanceId ${IDS.instance}`);
  });

  it('inferred ufw drop suggests ufw, firewalld and iptables commands', () => {
    const c = runChecks(facts({ probes: report([timeout()]) })).find((x) => x.id === 'os.firewall')!;
    expect(c.condition).toBe('inferred-silent-drop');
    expect(c.fixes.map((x) => x.command)).toEqual(expect.arrayContaining(['sudo ufw allow 22/tcp', 'sudo firewall-cmd --permanent --add-port=22/tcp && sudo firewall-cmd --reload', 'sudo iptables -I INPUT -p tcp --dport 22 -j ACCEPT']));
  });
});

describe('checks', () => {
  it('every check has a stable id, a layer and both languages', () => {
    const checks = runChecks(facts());
    expect(new Set(checks.map((c) => c.id)).size).toBe(checks.length);
    for (const c of checks) {
      expect(c.title.en && c.title['zh-CN'] && c.explanation.en && c.explanation['zh-CN'] && c.finding.en && c.finding['zh-CN']).toBeTruthy();
      expect(['client', 'network', 'server']).toContain(c.layer);
    }
  });

  it('ping failing with the port open is flagged as not a port test', () => {
    const checks = runChecks(facts({ probes: report([tcp('open', 'syn-ack', { banner: sshBanner() })], { icmp: icmpFact('timeout') }) }));
    expect(checks.find((c) => c.id === 'icmp.not-a-port-test')?.condition).toBe('ping-fails-port-open');
  });

  it('DNS check names both addresses', () => {
    const f = facts({ host: 'www.example.com', probes: report([tcp('filtered', 'no-response', { address: '198.51.100.99' })], { dns: dnsFact('www.example.com', ['198.51.100.99']) }) });
    const c = runChecks(f).find((x) => x.id === 'client.dns')!;
    expect(c.finding.en).toContain('198.51.100.99');
    expect(c.finding.en).toContain(IDS.publicIp);
  });

  it('carrier-blocked port 445 warns', () => {
    const c = runChecks(facts({ port: 445, service: 'smb', probes: report([tcp('filtered', 'no-response', { port: 445 })]) })).find((x) => x.id === 'net.carrier-blocked-port')!;
    expect(c.status).toBe('warn');
  });

  it('sshd on another port fails os.sshd-config', () => {
    const c = runChecks(facts({ probes: report([refused()]), server: evidence({ sshd: { ports: [2222], listenAddresses: [] }, listeners: [{ protocol: 'tcp', address: '0.0.0.0', port: 2222 }] }) })).find((x) => x.id === 'os.sshd-config')!;
    expect(c.condition).toBe('port-differs');
  });
});

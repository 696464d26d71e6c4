// Generates resources/example.sgdiag: a complete diagnosis a new user can open without an account.
// The facts are canned (a documentation address, 198.51.100.20, and a client at 203.0.113.7: nothing
// real is contacted); the cloud evaluation, checklist and verdict come from the real engine.
//   npx tsx scripts/make-example-session.ts
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CloudSnapshot } from '../src/core/cloud/model';
import { runChecks } from '../src/core/diagnosis/checks';
import type { DiagnosisFacts } from '../src/core/diagnosis/facts';
import { evaluateCloud } from '../src/core/diagnosis/run';
import { SCHEMA_VERSION } from '../src/core/diagnosis/schema-version';
import type { Diagnosis } from '../src/core/diagnosis/types';
import { decideVerdict } from '../src/core/diagnosis/verdict';
import type { ProbeReport } from '../src/core/probe/types';
import { evaluateNetworkAcl } from '../src/core/rules/networkAcl';
import { evaluateSecurityGroups } from '../src/core/rules/securityGroups';
import { createSession, parseSession, serializeSession } from '../src/core/session';

const PUBLIC = '198.51.100.20';
const CLIENT = '203.0.113.7';
const at = (s: number) => new Date(Date.UTC(2026, 10, 20, 8, 0, s)).toISOString();

const rule = (id: string, ports: string, cidr: string, policy: 'accept' | 'drop', priority: number, order: number, description: string) => ({
  id,
  groupId: 'sg-bp1example0000001',
  direction: 'ingress' as const,
  protocol: 'tcp' as const,
  rawProtocol: 'TCP',
  portRange: { from: Number(ports.split('/')[0]), to: Number(ports.split('/')[1]) },
  rawPortRange: ports,
  peer: { kind: 'cidr' as const, cidr, family: 4 as const },
  policy,
  priority,
  order,
  nicType: 'intranet' as const,
  description,
  raw: { SecurityGroupRuleId: id, Direction: 'ingress', IpProtocol: 'TCP', PortRange: ports, SourceCidrIp: cidr, Policy: policy === 'accept' ? 'Accept' : 'Drop', Priority: String(priority), NicType: 'intranet', Description: description },
});

const snapshot: CloudSnapshot = {
  provider: 'alicloud',
  source: 'import',
  region: 'cn-hangzhou',
  fetchedAt: at(1),
  instance: {
    id: 'i-bp1example00000001',
    name: 'web-1',
    region: 'cn-hangzhou',
    zone: 'cn-hangzhou-h',
    status: 'Running',
    operationLocks: [],
    networkType: 'vpc',
    publicIp: PUBLIC,
    internetMaxBandwidthOut: 5,
    vpcId: 'vpc-bp1example0000001',
    vSwitchId: 'vsw-bp1example0000001',
    privateIps: ['172.16.0.10'],
    securityGroupIds: ['sg-bp1example0000001'],
    osType: 'linux',
    osName: 'Alibaba Cloud Linux 3.2104 LTS 64 bit',
    raw: { InstanceId: 'i-bp1example00000001', Status: 'Running', PublicIpAddress: { IpAddress: [PUBLIC] }, InternetMaxBandwidthOut: 5, OSType: 'linux' },
  },
  interfaces: [
    { id: 'eni-bp1example000001', type: 'primary', privateIps: ['172.16.0.10'], ipv6s: [], publicIp: PUBLIC, securityGroupIds: ['sg-bp1example0000001'], vSwitchId: 'vsw-bp1example0000001', vpcId: 'vpc-bp1example0000001' },
  ],
  securityGroups: [
    {
      id: 'sg-bp1example0000001',
      name: 'web',
      type: 'normal',
      vpcId: 'vpc-bp1example0000001',
      region: 'cn-hangzhou',
      innerAccessPolicy: 'Accept',
      rules: [
        // The seeds' classic: "the rule is there" — but it admits the office's private address.
        rule('sgr-bp1ssh000000001', '22/22', '192.168.1.10/32', 'accept', 1, 0, 'ssh from office'),
        rule('sgr-bp1web000000001', '80/80', '0.0.0.0/0', 'accept', 1, 1, 'web'),
        rule('sgr-bp1web000000002', '443/443', '0.0.0.0/0', 'accept', 1, 2, 'web tls'),
      ],
    },
  ],
  networkAcls: [],
  eips: [],
  errors: [],
  notes: [],
};

const probes: ProbeReport = {
  target: { host: PUBLIC, addresses: [PUBLIC], family: 4 },
  dns: null,
  icmp: { address: PUBLIC, state: 'timeout', method: 'system-ping', sent: 3, received: 0, lossPct: 100, rttMs: [], rttAvgMs: null, rttMinMs: null, rttMaxMs: null, startedAt: at(0), finishedAt: at(3) },
  tcp: [
    {
      host: PUBLIC,
      address: PUBLIC,
      port: 22,
      service: 'ssh',
      state: 'filtered',
      reason: 'no-response',
      rttMs: null,
      attempts: 3,
      flaky: false,
      samples: [0, 1, 2].map((i) => ({ startedAt: at(i), durationMs: 1250, state: 'filtered' as const, reason: 'no-response' as const, timeoutMs: 1250 })),
      startedAt: at(0),
      finishedAt: at(4),
    },
  ],
  client: {
    egressIp: { address: CLIENT, consensus: true, sources: [{ url: 'https://egress-echo.example/ip', address: CLIENT, durationMs: 80 }], answered: 1, agreeing: 1, distinct: [CLIENT] },
    interfaces: [],
    tunnels: [],
    proxies: [],
    control: [{ host: 'control.example', port: 22, state: 'open', reason: 'syn-ack', rttMs: 28 }],
    platform: 'linux',
  },
  timings: { startedAt: at(0), finishedAt: at(4), totalMs: 4100, phasesMs: { tcp: 3800, client: 400 } },
};

const target = { host: PUBLIC, port: 22, protocol: 'tcp' as const, service: 'ssh' };
const cloud = evaluateCloud({ evaluateSecurityGroups, evaluateNetworkAcl }, 'snapshot', snapshot, target, probes, undefined);
const facts: DiagnosisFacts = { target, probes, cloud, server: null };
const checks = runChecks(facts);
const verdict = decideVerdict(facts, checks);
const diagnosis: Diagnosis = {
  schemaVersion: SCHEMA_VERSION,
  appVersion: '0.1.0',
  createdAt: at(5),
  target,
  probes,
  cloud,
  server: null,
  checks,
  verdict,
  notes: 'Example session: documentation addresses only (RFC 5737); no real server was contacted.',
};
const session = { ...createSession(diagnosis, { host: PUBLIC, port: 22, protocol: 'tcp', service: 'ssh', cloudMode: 'snapshot' }), createdAt: at(5), savedAt: at(6) };
const text = serializeSession(session);
const check = parseSession(text, 'example.sgdiag');
if (!check.ok) throw new Error(check.message);
const out = join(import.meta.dirname, '..', 'resources', 'example.sgdiag');
writeFileSync(out, text);
console.log(`wrote ${out}: verdict ${verdict.locus} (${verdict.ruleId}), ${checks.length} checks`);

// A realistic Diagnosis document for session/report tests: SSH to a Running VPC instance times out
// because the only port-22 rule admits a private address (the seeds' 192.168.x mistake).
import type { CloudSnapshot } from '../../src/core/cloud/model';
import type { Diagnosis } from '../../src/core/diagnosis/types';

export function sampleSnapshot(): CloudSnapshot {
  return {
    provider: 'alicloud',
    source: 'api',
    account: { credentialSource: 'profile', accessKeyIdRedacted: 'LTAI****9xQz', profile: 'default' },
    region: 'cn-hangzhou',
    fetchedAt: '2026-11-20T08:00:01.000Z',
    instance: {
      id: 'i-bp1examplef1234567',
      name: 'web-1',
      region: 'cn-hangzhou',
      zone: 'cn-hangzhou-h',
      status: 'Running',
      operationLocks: [],
      networkType: 'vpc',
      eipAddress: '47.98.10.20',
      eipAllocationId: 'eip-bp1exampleeip0001',
      internetMaxBandwidthOut: 0,
      vpcId: 'vpc-bp1examplevpc0001',
      vSwitchId: 'vsw-bp1examplevsw0001',
      privateIps: ['172.16.0.10'],
      securityGroupIds: ['sg-bp1examplesg00001'],
      osType: 'linux',
      osName: 'Alibaba Cloud Linux 3',
    },
    interfaces: [
      {
        id: 'eni-bp1exampleeni0001',
        type: 'primary',
        privateIps: ['172.16.0.10'],
        ipv6s: [],
        publicIp: '47.98.10.20',
        securityGroupIds: ['sg-bp1examplesg00001'],
        vSwitchId: 'vsw-bp1examplevsw0001',
        vpcId: 'vpc-bp1examplevpc0001',
      },
    ],
    securityGroups: [
      {
        id: 'sg-bp1examplesg00001',
        name: 'web',
        type: 'normal',
        vpcId: 'vpc-bp1examplevpc0001',
        region: 'cn-hangzhou',
        innerAccessPolicy: 'Accept',
        rules: [
          {
            id: 'sgr-bp1ssh0001',
            groupId: 'sg-bp1examplesg00001',
            direction: 'ingress',
            protocol: 'tcp',
            rawProtocol: 'TCP',
            portRange: { from: 22, to: 22 },
            rawPortRange: '22/22',
            peer: { kind: 'cidr', cidr: '192.168.1.10/32', family: 4 },
            policy: 'accept',
            priority: 1,
            order: 0,
            nicType: 'intranet',
            description: 'ssh from office',
          },
          {
            id: 'sgr-bp1http0001',
            groupId: 'sg-bp1examplesg00001',
            direction: 'ingress',
            protocol: 'tcp',
            rawProtocol: 'TCP',
            portRange: { from: 80, to: 80 },
            rawPortRange: '80/80',
            peer: { kind: 'cidr', cidr: '0.0.0.0/0', family: 4 },
            policy: 'accept',
            priority: 1,
            order: 1,
            nicType: 'intranet',
          },
        ],
      },
    ],
    networkAcls: [],
    eips: [{ allocationId: 'eip-bp1exampleeip0001', ipAddress: '47.98.10.20', status: 'InUse', businessStatus: 'Normal', bandwidthMbps: 5, instanceId: 'i-bp1examplef1234567', instanceType: 'EcsInstance', region: 'cn-hangzhou' }],
    errors: [],
  };
}

export function sampleDiagnosis(overrides: Partial<Diagnosis> = {}): Diagnosis {
  const snapshot = sampleSnapshot();
  return {
    schemaVersion: 1,
    appVersion: '0.1.0',
    createdAt: '2026-11-20T08:00:00.000Z',
    target: { host: '47.98.10.20', port: 22, protocol: 'tcp', service: 'ssh', instanceId: 'i-bp1examplef1234567' },
    probes: {
      target: { host: '47.98.10.20', addresses: ['47.98.10.20'], family: 4 },
      dns: null,
      icmp: {
        address: '47.98.10.20', state: 'timeout', method: 'system-ping', sent: 3, received: 0, lossPct: 100, rttMs: [],
        rttAvgMs: null, rttMinMs: null, rttMaxMs: null, startedAt: '2026-11-20T08:00:00.000Z', finishedAt: '2026-11-20T08:00:03.000Z',
      },
      tcp: [
        {
          host: '47.98.10.20', address: '47.98.10.20', port: 22, service: 'ssh', state: 'filtered', reason: 'no-response', rttMs: null,
          attempts: 2, flaky: false,
          samples: [
            { startedAt: '2026-11-20T08:00:00.100Z', durationMs: 1250, state: 'filtered', reason: 'no-response', timeoutMs: 1250 },
            { startedAt: '2026-11-20T08:00:01.400Z', durationMs: 1250, state: 'filtered', reason: 'no-response', timeoutMs: 1250 },
          ],
          startedAt: '2026-11-20T08:00:00.100Z', finishedAt: '2026-11-20T08:00:02.650Z',
        },
      ],
      client: {
        egressIp: { address: '203.0.113.7', consensus: true, sources: [{ url: 'https://echo.example/ip', address: '203.0.113.7', durationMs: 80 }] },
        interfaces: [], tunnels: [], proxies: [], control: [{ host: 'control.example', port: 22, state: 'open', reason: 'syn-ack', rttMs: 30 }], platform: 'linux',
      },
      timings: { startedAt: '2026-11-20T08:00:00.000Z', finishedAt: '2026-11-20T08:00:03.000Z', totalMs: 3000, phasesMs: { tcp: 2650 } },
    },
    cloud: {
      mode: 'api',
      snapshot,
      flow: { direction: 'ingress', protocol: 'tcp', sourceIp: '203.0.113.7', destinationIp: '47.98.10.20', port: 22 },
      securityGroups: {
        decision: 'deny',
        decidedBy: { kind: 'default', policy: 'drop', reason: 'no rule matches; basic group denies other inbound traffic' },
        nearMisses: [
          {
            reason: 'private-source', ruleId: 'sgr-bp1ssh0001', containerId: 'sg-bp1examplesg00001', priority: 1, policy: 'accept',
            detail: 'rule admits 192.168.1.10/32, a private address; your connection arrives from 203.0.113.7',
            values: { clientIp: '203.0.113.7', cidr: '192.168.1.10/32' },
          },
        ],
        considered: ['sg-bp1examplesg00001'],
        explanation: 'default-deny',
      },
      networkAcl: null,
    },
    server: null,
    checks: [
      {
        id: 'sg.source', layer: 'network', status: 'fail',
        title: { en: 'Security group source matches your IP', 'zh-CN': '安全组授权对象包含你的出口 IP' },
        finding: { en: 'Rule sgr-bp1ssh0001 admits 192.168.1.10/32, not your egress IP 203.0.113.7', 'zh-CN': '规则 sgr-bp1ssh0001 授权 192.168.1.10/32，不包含你的出口 IP 203.0.113.7' },
        explanation: { en: 'Internet traffic arrives from your public egress IP.', 'zh-CN': '公网访问的源地址是你的公网出口 IP。' },
        evidence: [{ source: 'rules', path: '/cloud/securityGroups/nearMisses/0', summary: 'private-source' }],
        fixes: [
          {
            kind: 'aliyun-cli', title: { en: 'Allow your IP on port 22', 'zh-CN': '放行你的 IP 访问 22 端口' },
            command: 'aliyun ecs AuthorizeSecurityGroup --RegionId cn-hangzhou --SecurityGroupId sg-bp1examplesg00001 --IpProtocol tcp --PortRange 22/22 --SourceCidrIp 203.0.113.7/32 --Policy accept --Priority 1',
          },
        ],
        condition: 'private-source-near-miss',
      },
      {
        id: 'instance.running', layer: 'network', status: 'pass',
        title: { en: 'Instance is running', 'zh-CN': '实例运行中' },
        finding: { en: 'Status Running, no operation locks', 'zh-CN': '状态为运行中，无锁定' },
        explanation: { en: '', 'zh-CN': '' }, evidence: [], fixes: [], condition: 'running',
      },
    ],
    verdict: {
      locus: 'network',
      summary: { en: 'The security group drops port 22 from your IP 203.0.113.7', 'zh-CN': '安全组未放行你的 IP 203.0.113.7 访问 22 端口' },
      reasoning: [{ en: 'TCP 22 timed out and the rule engine denies the flow.', 'zh-CN': 'TCP 22 超时，且规则分析判定拒绝。' }],
      blockingCheckIds: ['sg.source'],
      confidence: 'high',
      ruleId: 'timeout-and-cloud-denies',
    },
    notes: '',
    ...overrides,
  };
}

// Realistic fact builders for the checklist and verdict tests (and the benchmark's pure part): a VPC
// instance in cn-hangzhou, a client behind 203.0.113.7, probe facts shaped like runProbe's.
import type { CloudSnapshot, NetworkAcl, SecurityGroup, SecurityGroupRule } from '../../cloud/model';
import type { BannerExchange, BannerFact, ClientContextFact, ControlProbeFact, DnsFact, IcmpFact, PortReason, PortState, ProbeReport, TcpPortFact } from '../../probe/types';
import type { AclEvaluation, Evaluation, NearMiss } from '../../rules/types';
import type { TraceFact, TraceHop } from '../../probe/trace/types';
import type { DiagnosisFacts } from '../facts';
import type { ServerEvidence } from '../types';

export const IDS = {
  instance: 'i-bp1diag0000000001',
  group: 'sg-bp1diag000000001',
  eni: 'eni-bp1diag00000001',
  vsw: 'vsw-bp1diag00000001',
  vpc: 'vpc-bp1diag00000001',
  acl: 'nacl-bp1diag0000001',
  publicIp: '47.96.10.20',
  privateIp: '172.16.0.10',
  clientIp: '203.0.113.7',
  region: 'cn-hangzhou',
} as const;

const T0 = '2026-11-20T08:00:00.000Z';

export function tcp(state: PortState, reason: PortReason, opts: { port?: number; address?: string; errno?: string; banner?: BannerFact; timeoutMs?: number; attempts?: number } = {}): TcpPortFact {
  const attempts = opts.attempts ?? (state === 'filtered' ? 2 : 1);
  const timeoutMs = opts.timeoutMs ?? 500;
  const rtt = state === 'filtered' && reason === 'no-response' ? null : 31.5;
  return {
    host: opts.address ?? IDS.publicIp,
    address: opts.address ?? IDS.publicIp,
    port: opts.port ?? 22,
    state,
    reason,
    rttMs: rtt,
    attempts,
    samples: Array.from({ length: attempts }, () => ({ startedAt: T0, durationMs: rtt ?? timeoutMs, state, reason, errno: opts.errno, timeoutMs })),
    flaky: false,
    banner: opts.banner,
    startedAt: T0,
    finishedAt: T0,
  };
}

export const sshBanner = (): BannerFact => ({ kind: 'ssh', method: 'ssh-ident', sshIdent: 'SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.10', bytesRead: 41, durationMs: 35 });
export const httpBanner = (code: number, line = `HTTP/1.1 ${code}`): BannerFact => ({ kind: 'http', method: 'http-head', http: { statusLine: line, statusCode: code, server: 'nginx/1.24.0', location: null }, bytesRead: 120, durationMs: 40 });

/**
 * A banner with the conversation recorded as readBanner records it. `protocol` is the banner strategy;
 * defaults: a client-first request sent and answered.
 */
export function exchangeBanner(protocol: string, p: Partial<BannerFact> = {}, x: Partial<BannerExchange> = {}): BannerFact {
  const serverFirst = ['ssh', 'mysql', 'smtp', 'ftp', 'pop3', 'imap'].includes(protocol);
  const requestSent = x.requestSent ?? (!serverFirst && protocol !== 'generic');
  return {
    kind: 'none',
    method: `${protocol}-test`,
    bytesRead: 0,
    durationMs: 3000,
    ...p,
    exchange: {
      protocol,
      chosenBy: 'hint',
      serverFirst,
      sent: requestSent ? [`${protocol} request`] : [],
      requestSent,
      end: p.bytesRead ? 'answered' : 'silent',
      endedAfter: requestSent ? 'request' : 'connect',
      ...x,
    },
  };
}

export function client(opts: { egress?: string | null; control?: ControlProbeFact[]; proxies?: { variable: string; value: string }[]; tunnels?: string[] } = {}): ClientContextFact {
  const egress = opts.egress === undefined ? IDS.clientIp : opts.egress;
  return {
    egressIp: egress ? { address: egress, consensus: true, sources: [{ url: 'http://127.0.0.1:9/ip', address: egress, durationMs: 12 }], answered: 1, agreeing: 1, distinct: [egress] } : null,
    interfaces: [],
    tunnels: opts.tunnels ?? [],
    proxies: opts.proxies ?? [],
    control: opts.control ?? [{ host: 'control.example', port: 22, state: 'open', reason: 'syn-ack', rttMs: 20 }],
    platform: 'linux',
  };
}

export function dnsFact(host: string, addresses: string[]): DnsFact {
  return {
    host,
    isIpLiteral: false,
    system: { resolver: 'system', a: addresses, aaaa: [], cname: [], durationMs: 3 },
    direct: [],
    addresses,
    startedAt: T0,
    finishedAt: T0,
  };
}

export function icmpFact(state: IcmpFact['state'], unreachable?: IcmpFact['unreachable']): IcmpFact {
  const rec = state === 'reply' ? 3 : 0;
  return { address: IDS.publicIp, state, method: 'system-ping', sent: 3, received: rec, lossPct: rec ? 0 : 100, rttMs: rec ? [30, 31, 32] : [], rttAvgMs: rec ? 31 : null, rttMinMs: rec ? 30 : null, rttMaxMs: rec ? 32 : null, unreachable, startedAt: T0, finishedAt: T0 };
}

export function report(tcpFacts: TcpPortFact[], opts: { dns?: DnsFact | null; icmp?: IcmpFact | null; client?: ClientContextFact; host?: string } = {}): ProbeReport {
  return {
    target: { host: opts.host ?? tcpFacts[0]?.host ?? IDS.publicIp, addresses: [...new Set(tcpFacts.map((t) => t.address))], family: 4 },
    dns: opts.dns ?? null,
    icmp: opts.icmp ?? null,
    tcp: tcpFacts,
    client: opts.client ?? client(),
    timings: { startedAt: T0, finishedAt: T0, totalMs: 600, phasesMs: {} },
  };
}

export function rule(id: string, p: Partial<SecurityGroupRule> = {}): SecurityGroupRule {
  return {
    id,
    groupId: IDS.group,
    direction: 'ingress',
    protocol: 'tcp',
    rawProtocol: 'TCP',
    portRange: { from: 22, to: 22 },
    rawPortRange: '22/22',
    peer: { kind: 'cidr', cidr: `${IDS.clientIp}/32`, family: 4 },
    policy: 'accept',
    priority: 1,
    order: 0,
    nicType: 'intranet',
    ...p,
  };
}

export function snapshot(opts: { status?: string; locks?: string[]; publicIp?: string | null; rules?: SecurityGroupRule[]; groupType?: SecurityGroup['type']; acl?: NetworkAcl | null; bandwidth?: number } = {}): CloudSnapshot {
  const publicIp = opts.publicIp === undefined ? IDS.publicIp : opts.publicIp;
  return {
    provider: 'alicloud',
    source: 'api',
    region: IDS.region,
    fetchedAt: T0,
    instance: {
      id: IDS.instance,
      region: IDS.region,
      status: opts.status ?? 'Running',
      operationLocks: opts.locks ?? [],
      networkType: 'vpc',
      publicIp: publicIp ?? undefined,
      internetMaxBandwidthOut: opts.bandwidth ?? (publicIp ? 5 : 0),
      vpcId: IDS.vpc,
      vSwitchId: IDS.vsw,
      privateIps: [IDS.privateIp],
      securityGroupIds: [IDS.group],
      osType: 'linux',
    },
    interfaces: [{ id: IDS.eni, type: 'primary', privateIps: [IDS.privateIp], ipv6s: [], publicIp: publicIp ?? undefined, securityGroupIds: [IDS.group], vSwitchId: IDS.vsw, vpcId: IDS.vpc }],
    securityGroups: [{ id: IDS.group, type: opts.groupType ?? 'normal', region: IDS.region, vpcId: IDS.vpc, innerAccessPolicy: 'Accept', rules: opts.rules ?? [rule('sgr-ssh')] }],
    networkAcls: opts.acl ? [opts.acl] : [],
    eips: [],
    errors: [],
  };
}

export function acl(): NetworkAcl {
  return {
    id: IDS.acl,
    region: IDS.region,
    vpcId: IDS.vpc,
    vSwitchIds: [IDS.vsw],
    ingress: [{ id: 'nae-in-1', direction: 'ingress', protocol: 'tcp', portRange: { from: 22, to: 22 }, cidr: '0.0.0.0/0', policy: 'accept', order: 0, entryType: 'custom' }],
    egress: [{ id: 'nae-out-1', direction: 'egress', protocol: 'tcp', portRange: { from: 80, to: 80 }, cidr: '0.0.0.0/0', policy: 'accept', order: 0, entryType: 'custom' }],
  };
}

export const sgAllow = (ruleId = 'sgr-ssh'): Evaluation => ({
  decision: 'allow',
  decidedBy: { kind: 'rule', ruleId, containerId: IDS.group, priority: 1, policy: 'accept' },
  nearMisses: [],
  considered: [IDS.group],
  explanation: 'accepted-by-rule',
  interfaceId: IDS.eni,
  notes: [],
});

export const sgDeny = (nearMisses: NearMiss[] = [], decidedBy: Evaluation['decidedBy'] = { kind: 'default', policy: 'drop', reason: 'default-deny-ingress' }): Evaluation => ({
  decision: 'deny',
  decidedBy,
  nearMisses,
  considered: [IDS.group],
  explanation: decidedBy?.kind === 'rule' ? 'dropped-by-rule' : 'default-deny',
  interfaceId: IDS.eni,
  notes: [],
});

export const miss = (reason: NearMiss['reason'], ruleId: string, detail: string, values?: NearMiss['values']): NearMiss => ({ reason, ruleId, containerId: IDS.group, policy: 'accept', priority: 1, detail, values });

const evalOf = (decision: Evaluation['decision'], explanation: string, ruleId?: string): Evaluation => ({
  decision,
  decidedBy: ruleId ? { kind: 'rule', ruleId, containerId: IDS.acl, order: 0, policy: decision === 'allow' ? 'accept' : 'drop' } : { kind: 'default', policy: decision === 'allow' ? 'accept' : 'drop', reason: explanation },
  nearMisses: [],
  considered: [IDS.acl],
  explanation,
});

export const aclNone = (): AclEvaluation => ({ present: false, aclId: null, inbound: evalOf('allow', 'no-acl'), returnPath: evalOf('allow', 'no-acl'), decision: 'allow' });
export const aclEval = (inbound: 'allow' | 'deny', ret: 'allow' | 'deny'): AclEvaluation => ({
  present: true,
  aclId: IDS.acl,
  inbound: evalOf(inbound, inbound === 'allow' ? 'accepted-by-entry' : 'no-entry-matches', inbound === 'allow' ? 'nae-in-1' : undefined),
  returnPath: evalOf(ret, ret === 'allow' ? 'accepted-by-entry' : 'no-entry-matches', ret === 'allow' ? 'nae-out-1' : undefined),
  decision: inbound === 'allow' && ret === 'allow' ? 'allow' : 'deny',
  returnPorts:
    ret === 'allow'
      ? { checked: { from: 1024, to: 65535 }, allowed: [{ from: 1024, to: 65535 }], denied: [], coverage: 'full', clients: [] }
      : { checked: { from: 1024, to: 65535 }, allowed: [], denied: [{ from: 1024, to: 65535 }], coverage: 'none', clients: [{ os: 'linux', from: 32768, to: 60999, allowed: false }] },
});

export function evidence(p: Partial<ServerEvidence> = {}): ServerEvidence {
  return {
    source: 'pasted',
    os: 'linux',
    collectedAt: T0,
    listeners: [{ protocol: 'tcp', address: '0.0.0.0', port: 22, process: 'sshd', pid: 812 }],
    firewall: [{ kind: 'ufw', active: true, allowsPort: { '22/tcp': true }, defaultInbound: 'drop', details: [] }],
    sshd: { ports: [22], listenAddresses: [], permitRootLogin: 'prohibit-password' },
    services: [{ name: 'sshd', active: true, state: 'active (running)' }],
    warnings: [],
    ...p,
  };
}

export interface FactsOpts {
  probes?: ProbeReport | null;
  snapshot?: CloudSnapshot | null;
  sg?: Evaluation | null;
  acl?: AclEvaluation | null;
  server?: ServerEvidence | null;
  host?: string;
  port?: number;
  service?: string;
  protocol?: 'tcp' | 'udp';
  /** A path trace (absent: none was asked for). */
  trace?: TraceFact;
}

/** A path trace to the instance's public address through `addresses` (null: a silent hop); reached when the last is the target. */
export function traceFact(method: TraceFact['method'], addresses: (string | null)[], o: Partial<TraceFact> = {}): TraceFact {
  const hops: TraceHop[] = addresses.map((address, i) => ({ ttl: i + 1, address, rttMs: address ? [1.5] : [], sent: 1, loss: address ? 0 : 1 }));
  return {
    method, tool: 'traceroute', target: IDS.publicIp, targetAddress: IDS.publicIp, hops, reached: addresses.includes(IDS.publicIp),
    maxHops: 30, durationMs: 4000, startedAt: '2026-12-02T23:00:00.000Z', ...(method === 'tcp-syn' ? { port: 22 } : {}), ...o,
  };
}

/** Facts for one situation; cloud omitted when `snapshot` is null. */
export function facts(o: FactsOpts = {}): DiagnosisFacts {
  const snap = o.snapshot === undefined ? snapshot() : o.snapshot;
  const probes = o.probes === undefined ? report([tcp('open', 'syn-ack', { banner: sshBanner() })]) : o.probes;
  const dest = probes?.tcp[0]?.address ?? IDS.publicIp;
  return {
    target: { host: o.host ?? IDS.publicIp, port: o.port ?? 22, protocol: o.protocol ?? 'tcp', service: o.service ?? 'ssh' },
    probes,
    cloud: snap
      ? {
          mode: 'api',
          snapshot: snap,
          flow: { direction: 'ingress', protocol: o.protocol ?? 'tcp', sourceIp: probes?.client.egressIp?.address ?? IDS.clientIp, destinationIp: dest, port: o.port ?? 22 },
          securityGroups: o.sg === undefined ? sgAllow() : o.sg,
          networkAcl: o.acl === undefined ? aclNone() : o.acl,
          sourceIpOrigin: 'egress-ip',
        }
      : { mode: 'none', snapshot: null, flow: null, securityGroups: null, networkAcl: null },
    server: o.server ?? null,
    ...(o.trace ? { trace: o.trace } : {}),
  };
}

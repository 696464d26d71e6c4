// Realistic snapshot builders for the rule engine's tests and benchmark (shaped like DescribeInstances /
// DescribeSecurityGroupAttribute / DescribeNetworkAclAttributes output mapped to the neutral model).
import type { CloudSnapshot, NetworkAcl, NetworkAclEntry, NetworkInterface, SecurityGroup, SecurityGroupRule, UnevaluatedField } from '../cloud/model';

export const INSTANCE_ID = 'i-bp1g6zv0ce8oghu7k3xa';
export const EIP = '47.98.10.20';
export const PRIVATE_IP = '172.16.0.10';
export const CLIENT_IP = '203.0.113.7';
export const VSW = 'vsw-bp1s5fnvk4gn2tws03624';

export interface RuleSpec {
  id?: string;
  direction?: 'ingress' | 'egress';
  protocol?: SecurityGroupRule['protocol'];
  ports?: string; // "22/22", "-1/-1"
  cidr?: string; // IPv4 or IPv6 CIDR or bare IP as the user typed it
  group?: string; // SourceGroupId
  prefixList?: { id: string; cidrs: string[] | null };
  policy?: 'accept' | 'drop';
  priority?: number;
  nicType?: 'internet' | 'intranet';
  localCidr?: string;
  description?: string;
  /** SourcePortRange, e.g. "22/22" (five-tuple rule). */
  sourcePorts?: string;
  /** Fields that cannot be evaluated (as the mapper records them). */
  unevaluated?: UnevaluatedField[];
}

let seq = 0;

/** One rule as the mapper would produce it (raw API object included). */
export function rule(groupId: string, order: number, spec: RuleSpec = {}): SecurityGroupRule {
  const direction = spec.direction ?? 'ingress';
  const protocol = spec.protocol ?? 'tcp';
  const ports = spec.ports ?? (protocol === 'tcp' || protocol === 'udp' ? '22/22' : '-1/-1');
  const [from, to] = ports.split('/').map(Number);
  const policy = spec.policy ?? 'accept';
  const priority = spec.priority ?? 1;
  const id = spec.id ?? `sgr-${groupId.slice(3, 9)}${String(++seq).padStart(6, '0')}`;
  const raw: Record<string, unknown> = {
    SecurityGroupRuleId: id,
    Direction: direction,
    IpProtocol: protocol.toUpperCase(),
    PortRange: ports,
    Policy: policy === 'accept' ? 'Accept' : 'Drop',
    Priority: String(priority),
    NicType: spec.nicType ?? 'intranet',
  };
  let peer: SecurityGroupRule['peer'];
  if (spec.group) {
    peer = { kind: 'group', groupId: spec.group };
    raw[direction === 'ingress' ? 'SourceGroupId' : 'DestGroupId'] = spec.group;
  } else if (spec.prefixList) {
    peer = { kind: 'prefix-list', prefixListId: spec.prefixList.id, cidrs: spec.prefixList.cidrs };
    raw[direction === 'ingress' ? 'SourcePrefixListId' : 'DestPrefixListId'] = spec.prefixList.id;
  } else {
    const cidr = spec.cidr ?? '0.0.0.0/0';
    const v6 = cidr.includes(':');
    peer = { kind: 'cidr', cidr, family: v6 ? 6 : 4 };
    const key = direction === 'ingress' ? (v6 ? 'Ipv6SourceCidrIp' : 'SourceCidrIp') : v6 ? 'Ipv6DestCidrIp' : 'DestCidrIp';
    raw[key] = cidr;
  }
  if (spec.localCidr) raw[direction === 'ingress' ? 'DestCidrIp' : 'SourceCidrIp'] = spec.localCidr;
  if (spec.sourcePorts) raw.SourcePortRange = spec.sourcePorts;
  for (const u of spec.unevaluated ?? []) raw[u.field] = u.value;
  const [sFrom, sTo] = (spec.sourcePorts ?? '-1/-1').split('/').map(Number);
  return {
    id,
    groupId,
    direction,
    protocol,
    rawProtocol: protocol.toUpperCase(),
    portRange: { from, to },
    rawPortRange: ports,
    peer,
    localCidr: spec.localCidr,
    ...(spec.sourcePorts && !(sFrom === -1 && sTo === -1) ? { sourcePortRange: { from: sFrom, to: sTo }, rawSourcePortRange: spec.sourcePorts } : {}),
    ...(spec.unevaluated?.length ? { unevaluated: spec.unevaluated } : {}),
    policy,
    priority,
    order,
    nicType: spec.nicType ?? 'intranet',
    description: spec.description,
    raw,
  };
}

export function group(id: string, specs: RuleSpec[], opts: Partial<Omit<SecurityGroup, 'rules' | 'id'>> = {}): SecurityGroup {
  return {
    id,
    name: opts.name ?? id,
    type: opts.type ?? 'normal',
    vpcId: 'vpc-bp1opxu1zkhn00gzv26cn',
    region: 'cn-hangzhou',
    innerAccessPolicy: opts.innerAccessPolicy ?? (opts.type === 'enterprise' ? undefined : 'Accept'),
    rules: specs.map((s, i) => rule(id, i, s)),
  };
}

export interface SnapshotSpec {
  groups: SecurityGroup[];
  /** Groups on the primary ENI (default: all). */
  primaryGroups?: string[];
  secondary?: { id: string; privateIps: string[]; groups: string[]; eip?: string; vSwitchId?: string };
  ipv6?: string;
  acl?: { ingress: Partial<NetworkAclEntry>[]; egress: Partial<NetworkAclEntry>[] };
  classic?: boolean;
  publicIp?: string; // instance public IP instead of an EIP
}

export function aclEntry(direction: 'ingress' | 'egress', order: number, e: Partial<NetworkAclEntry>): NetworkAclEntry {
  return {
    id: e.id ?? `nae-${direction}-${order}`,
    direction,
    protocol: e.protocol ?? 'tcp',
    portRange: e.portRange ?? { from: 22, to: 22 },
    cidr: e.cidr ?? '0.0.0.0/0',
    policy: e.policy ?? 'accept',
    order,
    entryType: e.entryType ?? 'custom',
  };
}

export function snapshot(spec: SnapshotSpec): CloudSnapshot {
  const classic = spec.classic ?? false;
  const primaryGroups = spec.primaryGroups ?? spec.groups.map((g) => g.id);
  const publicIp = spec.publicIp;
  const primary: NetworkInterface = {
    id: 'eni-bp1d66qjxb3qoin3xxxx',
    type: 'primary',
    privateIps: [PRIVATE_IP],
    ipv6s: spec.ipv6 ? [spec.ipv6] : [],
    publicIp: publicIp ?? EIP,
    securityGroupIds: primaryGroups,
    vSwitchId: VSW,
    vpcId: 'vpc-bp1opxu1zkhn00gzv26cn',
  };
  const interfaces: NetworkInterface[] = classic ? [] : [primary];
  if (spec.secondary) {
    interfaces.push({
      id: spec.secondary.id,
      type: 'secondary',
      privateIps: spec.secondary.privateIps,
      ipv6s: [],
      publicIp: spec.secondary.eip,
      securityGroupIds: spec.secondary.groups,
      vSwitchId: spec.secondary.vSwitchId ?? VSW,
      vpcId: 'vpc-bp1opxu1zkhn00gzv26cn',
    });
  }
  const acls: NetworkAcl[] = spec.acl
    ? [
        {
          id: 'nacl-bp1lhl0taikrteen8xxxx',
          region: 'cn-hangzhou',
          vSwitchIds: [VSW],
          ingress: spec.acl.ingress.map((e, i) => aclEntry('ingress', i, e)),
          egress: spec.acl.egress.map((e, i) => aclEntry('egress', i, e)),
        },
      ]
    : [];
  return {
    provider: 'alicloud',
    source: 'api',
    region: 'cn-hangzhou',
    fetchedAt: '2026-11-20T08:00:01.000Z',
    instance: {
      id: INSTANCE_ID,
      region: 'cn-hangzhou',
      status: 'Running',
      operationLocks: [],
      networkType: classic ? 'classic' : 'vpc',
      publicIp: classic || publicIp ? (publicIp ?? EIP) : undefined,
      eipAddress: classic || publicIp ? undefined : EIP,
      internetMaxBandwidthOut: classic ? 5 : 0,
      vpcId: classic ? undefined : 'vpc-bp1opxu1zkhn00gzv26cn',
      vSwitchId: classic ? undefined : VSW,
      privateIps: [PRIVATE_IP],
      securityGroupIds: primaryGroups,
    },
    interfaces,
    securityGroups: spec.groups,
    networkAcls: acls,
    eips: classic || publicIp ? [] : [{ allocationId: 'eip-bp1aaaa', ipAddress: EIP, status: 'InUse', bandwidthMbps: 5, instanceId: INSTANCE_ID, instanceType: 'EcsInstance', region: 'cn-hangzhou' }],
    errors: [],
  };
}

export const sshFlow = (over: Partial<{ sourceIp: string; destinationIp: string; port: number; protocol: 'tcp' | 'udp' | 'icmp' | 'icmpv6' | 'gre' }> = {}) => ({
  direction: 'ingress' as const,
  protocol: over.protocol ?? ('tcp' as const),
  sourceIp: over.sourceIp ?? CLIENT_IP,
  destinationIp: over.destinationIp ?? EIP,
  port: over.port ?? 22,
});

/** Deterministic PRNG (mulberry32) for the benchmark's rule sets. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `groups` basic groups × `perGroup` rules, seeded: CIDRs, port ranges, priorities and policies of a busy account. */
export function bigSnapshot(groups: number, perGroup: number, seed = 42): CloudSnapshot {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const gs: SecurityGroup[] = [];
  for (let g = 0; g < groups; g++) {
    const id = `sg-bench${String(g).padStart(4, '0')}`;
    const specs: RuleSpec[] = [];
    for (let i = 0; i < perGroup; i++) {
      const protocol = pick(['tcp', 'tcp', 'tcp', 'udp', 'icmp', 'all'] as const);
      const a = 1 + Math.floor(rnd() * 65000);
      const single = rnd() < 0.7;
      const ports = protocol === 'tcp' || protocol === 'udp' ? `${a}/${single ? a : Math.min(65535, a + Math.floor(rnd() * 2000))}` : '-1/-1';
      const cidr = rnd() < 0.05 ? '0.0.0.0/0' : `${1 + Math.floor(rnd() * 222)}.${Math.floor(rnd() * 256)}.${Math.floor(rnd() * 256)}.0/${pick([16, 20, 24, 28, 32])}`;
      specs.push({
        id: `sgr-b${g}-${i}`,
        direction: rnd() < 0.85 ? 'ingress' : 'egress',
        protocol,
        ports,
        cidr: protocol === 'icmp' ? '0.0.0.0/0' : cidr,
        policy: rnd() < 0.2 ? 'drop' : 'accept',
        priority: 1 + Math.floor(rnd() * 100),
      });
    }
    gs.push(group(id, specs));
  }
  return snapshot({ groups: gs });
}

// Pure mapping from Alibaba Cloud API response bodies (PascalCase, as the API / `aliyun` CLI return them)
// to the provider-neutral model. Used by the live reader and by the offline import alike.
import type {
  Direction,
  Eip,
  Instance,
  NetworkAcl,
  NetworkAclEntry,
  NetworkInterface,
  Peer,
  Policy,
  PortRange,
  Protocol,
  SecurityGroup,
  SecurityGroupRule,
} from '../model';
import type { ApiEip, ApiInstance, ApiNetworkAcl, ApiNetworkInterfaceSet, ApiPermission, ApiSecurityGroupAttribute } from './schemas';

const nonEmpty = (s: string | null | undefined): s is string => typeof s === 'string' && s.trim() !== '';

export function parsePortRange(raw: string): PortRange {
  const [from, to] = raw.split('/').map((n) => Number.parseInt(n, 10));
  return { from, to };
}

export function parseProtocol(raw: string): Protocol {
  const p = raw.toLowerCase();
  if (p === 'tcp' || p === 'udp' || p === 'icmp' || p === 'icmpv6' || p === 'gre' || p === 'all') return p;
  throw new Error(`unknown protocol '${raw}'`);
}

export const parsePolicy = (raw: string | null | undefined): Policy => (raw && raw.toLowerCase() === 'drop' ? 'drop' : 'accept');

const cidrPeer = (cidr: string): Peer => ({ kind: 'cidr', cidr: cidr.trim(), family: cidr.includes(':') ? 6 : 4 });

/** The remote side of a rule: source for ingress, destination for egress. */
function rulePeer(p: ApiPermission, direction: Direction, prefixLists: ReadonlyMap<string, string[] | null>): Peer {
  const ingress = direction === 'ingress';
  const cidr = ingress ? p.SourceCidrIp : p.DestCidrIp;
  const cidr6 = ingress ? p.Ipv6SourceCidrIp : p.Ipv6DestCidrIp;
  const group = ingress ? p.SourceGroupId : p.DestGroupId;
  const owner = ingress ? p.SourceGroupOwnerAccount : p.DestGroupOwnerAccount;
  const prefixList = ingress ? p.SourcePrefixListId : p.DestPrefixListId;
  if (nonEmpty(cidr)) return cidrPeer(cidr);
  if (nonEmpty(cidr6)) return cidrPeer(cidr6);
  if (nonEmpty(group)) return { kind: 'group', groupId: group, ...(nonEmpty(owner) ? { ownerAccount: owner } : {}) };
  if (nonEmpty(prefixList)) return { kind: 'prefix-list', prefixListId: prefixList, cidrs: prefixLists.get(prefixList) ?? null };
  return { kind: 'any' };
}

export function mapPermission(
  p: ApiPermission,
  groupId: string,
  order: number,
  prefixLists: ReadonlyMap<string, string[] | null> = new Map(),
): SecurityGroupRule {
  const direction: Direction = p.Direction.toLowerCase() === 'egress' ? 'egress' : 'ingress';
  // The local side: DestCidrIp narrows an ingress rule to some of the instance's addresses.
  const local = direction === 'ingress' ? p.DestCidrIp : p.SourceCidrIp;
  const nic = p.NicType?.toLowerCase();
  return {
    id: nonEmpty(p.SecurityGroupRuleId) ? p.SecurityGroupRuleId : `${groupId}#${order}`,
    groupId,
    direction,
    protocol: parseProtocol(p.IpProtocol),
    rawProtocol: p.IpProtocol,
    portRange: parsePortRange(p.PortRange),
    rawPortRange: p.PortRange,
    peer: rulePeer(p, direction, prefixLists),
    ...(nonEmpty(local) ? { localCidr: local } : {}),
    policy: parsePolicy(p.Policy),
    priority: p.Priority === undefined || p.Priority === null || p.Priority === '' ? 1 : Number(p.Priority),
    order,
    ...(nic === 'internet' || nic === 'intranet' ? { nicType: nic } : {}),
    ...(nonEmpty(p.Description) ? { description: p.Description } : {}),
    ...(nonEmpty(p.CreateTime) ? { createdAt: p.CreateTime } : {}),
    raw: { ...p },
  };
}

/** Prefix-list ids referenced by the rules of these groups (to resolve them in one more round). */
export function referencedPrefixLists(perms: readonly ApiPermission[]): string[] {
  const ids = new Set<string>();
  for (const p of perms) {
    for (const id of [p.SourcePrefixListId, p.DestPrefixListId]) if (nonEmpty(id)) ids.add(id);
  }
  return [...ids];
}

export interface GroupMeta {
  type?: string | null;
  name?: string | null;
  vpcId?: string | null;
}

export function mapSecurityGroup(
  attr: ApiSecurityGroupAttribute,
  permissions: readonly ApiPermission[],
  region: string,
  meta: GroupMeta | undefined,
  prefixLists: ReadonlyMap<string, string[] | null> = new Map(),
): SecurityGroup {
  const policy = attr.InnerAccessPolicy;
  return {
    id: attr.SecurityGroupId,
    ...(nonEmpty(attr.SecurityGroupName ?? meta?.name) ? { name: (attr.SecurityGroupName ?? meta?.name) as string } : {}),
    type: meta?.type === 'enterprise' ? 'enterprise' : 'normal',
    ...(nonEmpty(attr.VpcId ?? meta?.vpcId) ? { vpcId: (attr.VpcId ?? meta?.vpcId) as string } : {}),
    region: attr.RegionId || region,
    ...(policy === 'Accept' || policy === 'Drop' ? { innerAccessPolicy: policy } : {}),
    rules: permissions.map((p, i) => mapPermission(p, attr.SecurityGroupId, i, prefixLists)),
    ...(nonEmpty(attr.Description) ? { description: attr.Description } : {}),
  };
}

const num = (v: number | string | null | undefined, dflt = 0): number => {
  if (v === null || v === undefined || v === '') return dflt;
  const n = Number(v);
  return Number.isFinite(n) ? n : dflt;
};

export function mapInstance(i: ApiInstance): Instance {
  const publicIps = i.PublicIpAddress?.IpAddress ?? [];
  const vpcPrivate = i.VpcAttributes?.PrivateIpAddress?.IpAddress ?? [];
  const innerIps = i.InnerIpAddress?.IpAddress ?? [];
  const eip = i.EipAddress;
  const os = i.OSType?.toLowerCase();
  return {
    id: i.InstanceId,
    ...(nonEmpty(i.InstanceName) ? { name: i.InstanceName } : {}),
    region: i.RegionId,
    ...(nonEmpty(i.ZoneId) ? { zone: i.ZoneId } : {}),
    status: i.Status,
    operationLocks: (i.OperationLocks?.LockReason ?? []).map((l) => l.LockReason).filter(nonEmpty),
    networkType: i.InstanceNetworkType === 'classic' ? 'classic' : 'vpc',
    ...(publicIps.length ? { publicIp: publicIps[0] } : {}),
    ...(nonEmpty(eip?.IpAddress) ? { eipAddress: eip.IpAddress } : {}),
    ...(nonEmpty(eip?.AllocationId) ? { eipAllocationId: eip.AllocationId } : {}),
    internetMaxBandwidthOut: num(i.InternetMaxBandwidthOut),
    ...(nonEmpty(i.InternetChargeType) ? { internetChargeType: i.InternetChargeType } : {}),
    ...(nonEmpty(i.VpcAttributes?.VpcId) ? { vpcId: i.VpcAttributes.VpcId } : {}),
    ...(nonEmpty(i.VpcAttributes?.VSwitchId) ? { vSwitchId: i.VpcAttributes.VSwitchId } : {}),
    privateIps: [...vpcPrivate, ...innerIps],
    securityGroupIds: i.SecurityGroupIds?.SecurityGroupId ?? [],
    ...(os === 'linux' || os === 'windows' ? { osType: os } : {}),
    ...(nonEmpty(i.OSName) ? { osName: i.OSName } : {}),
    raw: { ...i },
  };
}

/** The instance's public address on its primary ENI: EIP first (it replaces the public IP), else PublicIpAddress. */
const instancePublicIp = (inst: Instance): string | undefined => inst.eipAddress ?? inst.publicIp;

export function mapInterfaceSet(n: ApiNetworkInterfaceSet, inst: Instance | null): NetworkInterface {
  const type = n.Type?.toLowerCase() === 'secondary' ? 'secondary' : 'primary';
  const privates = (n.PrivateIpSets?.PrivateIpSet ?? []).map((s) => s.PrivateIpAddress);
  if (!privates.length && nonEmpty(n.PrivateIpAddress)) privates.push(n.PrivateIpAddress);
  const associated = n.AssociatedPublicIp?.PublicIpAddress;
  const publicIp = nonEmpty(associated) ? associated : type === 'primary' && inst ? instancePublicIp(inst) : undefined;
  return {
    id: n.NetworkInterfaceId,
    type,
    privateIps: privates,
    ipv6s: (n.Ipv6Sets?.Ipv6Set ?? []).map((s) => s.Ipv6Address),
    ...(publicIp ? { publicIp } : {}),
    securityGroupIds: n.SecurityGroupIds?.SecurityGroupId ?? [],
    ...(nonEmpty(n.VSwitchId) ? { vSwitchId: n.VSwitchId } : {}),
    ...(nonEmpty(n.VpcId) ? { vpcId: n.VpcId } : {}),
    ...(nonEmpty(n.MacAddress) ? { macAddress: n.MacAddress } : {}),
    ...(nonEmpty(n.InstanceId) ? { instanceId: n.InstanceId } : {}),
  };
}

/**
 * Interfaces as DescribeInstances alone describes them (offline import, or DescribeNetworkInterfaces denied):
 * per-ENI security groups are not in that response, so the instance's groups go on the primary ENI.
 */
export function interfacesFromInstance(inst: Instance): NetworkInterface[] {
  const raw = inst.raw as ApiInstance | undefined;
  const list = raw?.NetworkInterfaces?.NetworkInterface ?? [];
  if (!list.length) {
    return [
      {
        id: `${inst.id}#primary`,
        type: 'primary',
        privateIps: inst.privateIps,
        ipv6s: [],
        ...(instancePublicIp(inst) ? { publicIp: instancePublicIp(inst) } : {}),
        securityGroupIds: inst.securityGroupIds,
        ...(inst.vSwitchId ? { vSwitchId: inst.vSwitchId } : {}),
        ...(inst.vpcId ? { vpcId: inst.vpcId } : {}),
      },
    ];
  }
  return list.map((n) => {
    const type = n.Type?.toLowerCase() === 'secondary' ? 'secondary' : 'primary';
    const privates = (n.PrivateIpSets?.PrivateIpSet ?? []).map((s) => s.PrivateIpAddress);
    if (!privates.length && nonEmpty(n.PrimaryIpAddress)) privates.push(n.PrimaryIpAddress);
    const pub = type === 'primary' ? instancePublicIp(inst) : undefined;
    return {
      id: n.NetworkInterfaceId,
      type,
      privateIps: privates,
      ipv6s: (n.Ipv6Sets?.Ipv6Set ?? []).map((s) => s.Ipv6Address),
      ...(pub ? { publicIp: pub } : {}),
      securityGroupIds: type === 'primary' ? inst.securityGroupIds : [],
      ...(type === 'primary' && inst.vSwitchId ? { vSwitchId: inst.vSwitchId } : {}),
      ...(inst.vpcId ? { vpcId: inst.vpcId } : {}),
      ...(nonEmpty(n.MacAddress) ? { macAddress: n.MacAddress } : {}),
    };
  });
}

export function mapEip(e: ApiEip, region: string): Eip {
  return {
    allocationId: e.AllocationId,
    ipAddress: e.IpAddress,
    status: e.Status,
    ...(nonEmpty(e.BusinessStatus) ? { businessStatus: e.BusinessStatus } : {}),
    bandwidthMbps: num(e.Bandwidth),
    ...(nonEmpty(e.InstanceId) ? { instanceId: e.InstanceId } : {}),
    ...(nonEmpty(e.InstanceType) ? { instanceType: e.InstanceType } : {}),
    region: e.RegionId || region,
  };
}

export function mapNetworkAcl(a: ApiNetworkAcl, region: string): NetworkAcl {
  const entry = (
    e: { NetworkAclEntryId?: string | null; NetworkAclEntryName?: string | null; Policy: string; Protocol: string; Port: string; EntryType?: string | null },
    direction: Direction,
    cidr: string,
    order: number,
  ): NetworkAclEntry => ({
    id: nonEmpty(e.NetworkAclEntryId) ? e.NetworkAclEntryId : `${a.NetworkAclId}#${direction}#${order}`,
    ...(nonEmpty(e.NetworkAclEntryName) ? { name: e.NetworkAclEntryName } : {}),
    direction,
    protocol: parseProtocol(e.Protocol),
    portRange: parsePortRange(e.Port),
    cidr,
    policy: parsePolicy(e.Policy),
    order,
    ...(nonEmpty(e.EntryType) ? { entryType: e.EntryType } : {}),
    raw: { ...e },
  });
  return {
    id: a.NetworkAclId,
    ...(nonEmpty(a.NetworkAclName) ? { name: a.NetworkAclName } : {}),
    ...(nonEmpty(a.VpcId) ? { vpcId: a.VpcId } : {}),
    region: a.RegionId || region,
    vSwitchIds: (a.Resources?.Resource ?? []).filter((r) => !r.ResourceType || r.ResourceType === 'VSwitch').map((r) => r.ResourceId),
    ingress: (a.IngressAclEntries?.IngressAclEntry ?? []).map((e, i) => entry(e, 'ingress', e.SourceCidrIp, i)),
    egress: (a.EgressAclEntries?.EgressAclEntry ?? []).map((e, i) => entry(e, 'egress', e.DestinationCidrIp, i)),
    ...(nonEmpty(a.Status) ? { status: a.Status } : {}),
  };
}

/** DescribeNetworkAcls returns entries on current API versions; some clouds (Apsara Stack) leave them out. */
export const aclHasEntries = (a: ApiNetworkAcl): boolean =>
  a.IngressAclEntries?.IngressAclEntry !== undefined && a.IngressAclEntries?.IngressAclEntry !== null;

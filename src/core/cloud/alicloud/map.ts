// Pure mapping from Alibaba Cloud API response bodies (PascalCase, as the API / `aliyun` CLI return them)
// to the provider-neutral model. Used by the live reader and by the offline import alike.
//
// FIELD INVENTORY. A field the rule engine does not see must never turn into a silent match: every field of
// the API objects is listed here with how it is evaluated, and any field that restricts a rule but cannot be
// evaluated — and any field NOT in these tables that carries a non-empty value (a future API field) — is
// recorded in `unevaluated`, which makes the rule (or ACL entry) "may match": a decision it could change is
// reported as unknown, naming the rule and the field.
//
// Security-group permission: DescribeSecurityGroupAttribute → Permissions.Permission[] (field names checked
// against @alicloud/ecs20140526 DescribeSecurityGroupAttributeResponseBodyPermissionsPermission.names()):
//
// | field                         | evaluated how                                                                   |
// |-------------------------------|---------------------------------------------------------------------------------|
// | SecurityGroupRuleId           | identity (rule id); never restricts                                             |
// | Description, CreateTime       | display only                                                                    |
// | Direction                     | exact: ingress / egress                                                         |
// | IpProtocol                    | exact: TCP/UDP/ICMP/ICMPv6/GRE/ALL, IANA numbers 1/6/17/47/58; other numbers → may restrict |
// | PortRange                     | exact: destination port range (TCP/UDP), -1/-1 = all                           |
// | PortRangeListId               | may restrict: a port list whose entries are not read → the port test is "maybe" |
// | PortRangeListName             | display only                                                                    |
// | SourcePortRange               | exact: source port (five-tuple rules) against the connecting side's ephemeral   |
// |                               | range: covers it all → match, disjoint → no match, partly → maybe; unparsable → may restrict |
// | SourceCidrIp, Ipv6SourceCidrIp| exact: the peer of an ingress rule; the local (instance) side of an egress rule |
// | DestCidrIp, Ipv6DestCidrIp    | exact: the peer of an egress rule; the local (instance) side of an ingress rule |
// | SourceGroupId                 | exact when membership is known (private addresses of ENIs in the snapshot),     |
// |                               | else "maybe"; ingress peer only — on an egress rule → may restrict              |
// | SourceGroupOwnerAccount       | with SourceGroupId: group ids are unique, the owner only says whose group;      |
// |                               | ignored beside a CIDR (API docs); on an egress rule → may restrict              |
// | SourcePrefixListId            | exact with the list's entries (DescribePrefixListAttributes), unresolved → maybe; |
// |                               | ingress only — on an egress rule → may restrict                                 |
// | DestGroupId, DestGroupOwnerAccount, DestPrefixListId | as the Source* ones, for egress rules; on ingress → may restrict |
// | SourceGroupName, DestGroupName, SourcePrefixListName, DestPrefixListName | display only           |
// | Policy                        | exact: Accept / Drop                                                            |
// | Priority                      | exact: 1..100, lower first, drop before accept at equal priority               |
// | NicType                       | exact on classic network (internet / intranet NIC); VPC: intranet covers both  |
// | two peer fields at once       | the first (CIDR, IPv6 CIDR, group, prefix list) is the peer; the others → may restrict |
// | two local fields at once      | DestCidrIp and Ipv6DestCidrIp (or the egress pair) together → the second may restrict |
// | any other non-empty field     | may restrict (generic guard)                                                    |
//
// Network ACL entry: DescribeNetworkAclAttributes / DescribeNetworkAcls → IngressAclEntries.IngressAclEntry[] /
// EgressAclEntries.EgressAclEntry[] (checked against @alicloud/vpc20160428 …IngressAclEntry/…EgressAclEntry.names()):
//
// | field                         | evaluated how                                                                   |
// |-------------------------------|---------------------------------------------------------------------------------|
// | NetworkAclEntryId             | identity                                                                        |
// | NetworkAclEntryName, Description | display only                                                                 |
// | Policy                        | exact: accept / drop                                                            |
// | Protocol                      | exact: tcp/udp/icmp/icmpv6/gre/all                                              |
// | Port                          | exact: destination port; replies are checked against the client's ephemeral ports |
// | SourceCidrIp (ingress)        | exact: the remote source                                                        |
// | DestinationCidrIp (egress)    | exact: the remote destination                                                   |
// | EntryType                     | exact: system entries (the trailing deny-all) after every custom entry         |
// | IpVersion                     | exact through the CIDR's family; a value contradicting the CIDR → may restrict |
// | DestinationCidrIp on ingress, SourceCidrIp on egress | may restrict (not part of an entry of that direction) |
// | any other non-empty field     | may restrict (generic guard)                                                    |
import type {
  CloudSnapshot,
  Direction,
  UnevaluatedField,
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
import { PermissionSchema, type ApiEip, type ApiInstance, type ApiNetworkAcl, type ApiNetworkInterfaceSet, type ApiPermission, type ApiSecurityGroupAttribute } from './schemas';

const nonEmpty = (s: string | null | undefined): s is string => typeof s === 'string' && s.trim() !== '';

export function parsePortRange(raw: string): PortRange {
  const [from, to] = raw.split('/').map((n) => Number.parseInt(n, 10));
  return { from, to };
}

const PORT_RANGE = /^\s*(-?\d+)\s*\/\s*(-?\d+)\s*$/;

/** A port range that is either -1/-1 (any) or 1 ≤ from ≤ to ≤ 65535; null when it is anything else. */
export function parseStrictPortRange(raw: string): PortRange | null {
  const m = PORT_RANGE.exec(raw);
  if (!m) return null;
  const from = Number(m[1]);
  const to = Number(m[2]);
  if (from === -1 && to === -1) return { from, to };
  if (from < 1 || to > 65535 || from > to) return null;
  return { from, to };
}

const PROTOCOL_BY_NUMBER: Readonly<Record<string, Protocol>> = { '1': 'icmp', '6': 'tcp', '17': 'udp', '47': 'gre', '58': 'icmpv6' };

/** A protocol name, or an IANA number this model knows; null for any other number. */
export function parseProtocolOrNumber(raw: string): Protocol | null {
  const t = raw.trim();
  if (/^\d+$/.test(t)) return PROTOCOL_BY_NUMBER[String(Number(t))] ?? null;
  return parseProtocol(t);
}

export function parseProtocol(raw: string): Protocol {
  const p = raw.toLowerCase();
  if (p === 'tcp' || p === 'udp' || p === 'icmp' || p === 'icmpv6' || p === 'gre' || p === 'all') return p;
  throw new Error(`unknown protocol '${raw}'`);
}

export const parsePolicy = (raw: string | null | undefined): Policy => (raw && raw.toLowerCase() === 'drop' ? 'drop' : 'accept');

const cidrPeer = (cidr: string): Peer => ({ kind: 'cidr', cidr: cidr.trim(), family: cidr.includes(':') ? 6 : 4 });

/** Is a raw value "set"? Empty strings, null, false and empty containers are not. */
export function hasValue(v: unknown): boolean {
  if (v === null || v === undefined || v === false) return false;
  if (typeof v === 'string') return v.trim() !== '';
  if (Array.isArray(v)) return v.some(hasValue);
  if (typeof v === 'object') return Object.values(v as Record<string, unknown>).some(hasValue);
  return true;
}

const shown = (v: unknown): string => {
  const t = typeof v === 'string' ? v : JSON.stringify(v);
  return t.length > 80 ? `${t.slice(0, 77)}…` : t;
};

/** Permission fields that never restrict (identity, display). */
const SG_DISPLAY = ['SecurityGroupRuleId', 'Description', 'CreateTime', 'PortRangeListName', 'SourceGroupName', 'DestGroupName', 'SourcePrefixListName', 'DestPrefixListName'];
/** Permission fields the mapping below evaluates (or records as unevaluated itself). */
const SG_EVALUATED = [
  'Direction',
  'IpProtocol',
  'PortRange',
  'PortRangeListId',
  'SourcePortRange',
  'SourceCidrIp',
  'Ipv6SourceCidrIp',
  'DestCidrIp',
  'Ipv6DestCidrIp',
  'SourceGroupId',
  'SourceGroupOwnerAccount',
  'SourcePrefixListId',
  'DestGroupId',
  'DestGroupOwnerAccount',
  'DestPrefixListId',
  'Policy',
  'Priority',
  'NicType',
];
/** Every permission field in the inventory above. */
export const PERMISSION_FIELDS: ReadonlySet<string> = new Set([...SG_DISPLAY, ...SG_EVALUATED]);

/** The remote side of a rule: source for ingress, destination for egress; other peer fields set beside it are unevaluated. */
function rulePeer(p: ApiPermission, direction: Direction, prefixLists: ReadonlyMap<string, string[] | null>, unevaluated: UnevaluatedField[]): Peer {
  const ingress = direction === 'ingress';
  const k = ingress
    ? { cidr: 'SourceCidrIp', cidr6: 'Ipv6SourceCidrIp', group: 'SourceGroupId', owner: 'SourceGroupOwnerAccount', list: 'SourcePrefixListId' }
    : { cidr: 'DestCidrIp', cidr6: 'Ipv6DestCidrIp', group: 'DestGroupId', owner: 'DestGroupOwnerAccount', list: 'DestPrefixListId' };
  const raw = p as Record<string, unknown>;
  const val = (key: string): string | undefined => (nonEmpty(raw[key] as string | null | undefined) ? (raw[key] as string) : undefined);
  // Peer fields of the other direction describe nothing on this rule (the platform does not accept them).
  const other = ingress ? ['DestGroupId', 'DestGroupOwnerAccount', 'DestPrefixListId'] : ['SourceGroupId', 'SourceGroupOwnerAccount', 'SourcePrefixListId'];
  for (const key of other) {
    const v = val(key);
    if (v) unevaluated.push({ field: key, value: shown(v), why: 'not-for-direction' });
  }
  const candidates: [string, Peer][] = [];
  const cidr = val(k.cidr);
  const cidr6 = val(k.cidr6);
  const group = val(k.group);
  const owner = val(k.owner);
  const list = val(k.list);
  if (cidr) candidates.push([k.cidr, cidrPeer(cidr)]);
  if (cidr6) candidates.push([k.cidr6, cidrPeer(cidr6)]);
  if (group) candidates.push([k.group, { kind: 'group', groupId: group, ...(owner ? { ownerAccount: owner } : {}) }]);
  if (list) candidates.push([k.list, { kind: 'prefix-list', prefixListId: list, cidrs: prefixLists.get(list) ?? null }]);
  for (const [field] of candidates.slice(1)) unevaluated.push({ field, value: shown(val(field)), why: 'conflicting-fields' });
  return candidates[0]?.[1] ?? { kind: 'any' };
}

export function mapPermission(
  p: ApiPermission,
  groupId: string,
  order: number,
  prefixLists: ReadonlyMap<string, string[] | null> = new Map(),
): SecurityGroupRule {
  const raw = p as Record<string, unknown>;
  const unevaluated: UnevaluatedField[] = [];
  const direction: Direction = p.Direction.toLowerCase() === 'egress' ? 'egress' : 'ingress';
  // The local side: DestCidrIp / Ipv6DestCidrIp narrow an ingress rule to some of the instance's addresses.
  const localKeys = direction === 'ingress' ? (['DestCidrIp', 'Ipv6DestCidrIp'] as const) : (['SourceCidrIp', 'Ipv6SourceCidrIp'] as const);
  const locals = localKeys.filter((key) => nonEmpty(p[key]));
  const local = locals.length ? (p[locals[0]] as string) : undefined;
  for (const key of locals.slice(1)) unevaluated.push({ field: key, value: shown(p[key]), why: 'conflicting-fields' });
  const nic = p.NicType?.toLowerCase();
  let protocol = parseProtocolOrNumber(p.IpProtocol);
  if (protocol === null) {
    unevaluated.push({ field: 'IpProtocol', value: shown(p.IpProtocol), why: 'unparsable' });
    protocol = 'all';
  }
  const rawPortRange = nonEmpty(p.PortRange) ? p.PortRange : '-1/-1';
  if (nonEmpty(p.PortRangeListId)) unevaluated.push({ field: 'PortRangeListId', value: shown(p.PortRangeListId), why: 'unresolved-reference' });
  let sourcePortRange: PortRange | undefined;
  if (nonEmpty(p.SourcePortRange)) {
    const r = parseStrictPortRange(p.SourcePortRange);
    if (r === null) unevaluated.push({ field: 'SourcePortRange', value: shown(p.SourcePortRange), why: 'unparsable' });
    else if (!(r.from === -1 && r.to === -1)) sourcePortRange = r;
  }
  const peer = rulePeer(p, direction, prefixLists, unevaluated);
  // The generic guard: a field this version does not know, carrying a value, may restrict the rule.
  for (const [key, value] of Object.entries(raw)) {
    if (!PERMISSION_FIELDS.has(key) && hasValue(value)) unevaluated.push({ field: key, value: shown(value), why: 'unknown-field' });
  }
  return {
    id: nonEmpty(p.SecurityGroupRuleId) ? p.SecurityGroupRuleId : `${groupId}#${order}`,
    groupId,
    direction,
    protocol,
    rawProtocol: p.IpProtocol,
    portRange: parsePortRange(rawPortRange),
    rawPortRange: nonEmpty(p.PortRange) ? p.PortRange : '',
    peer,
    ...(local !== undefined ? { localCidr: local } : {}),
    ...(sourcePortRange ? { sourcePortRange, rawSourcePortRange: p.SourcePortRange as string } : {}),
    ...(unevaluated.length ? { unevaluated } : {}),
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

/** Every ACL-entry field in the inventory above. */
export const ACL_ENTRY_FIELDS: ReadonlySet<string> = new Set(['NetworkAclEntryId', 'NetworkAclEntryName', 'Description', 'Policy', 'Protocol', 'Port', 'SourceCidrIp', 'DestinationCidrIp', 'EntryType', 'IpVersion']);

type ApiAclEntry = { NetworkAclEntryId?: string | null; NetworkAclEntryName?: string | null; Policy: string; Protocol: string; Port: string; EntryType?: string | null; IpVersion?: string | null };

/** ACL-entry fields present with a value the engine cannot evaluate. */
export function aclEntryUnevaluated(e: ApiAclEntry, direction: Direction, cidr: string): UnevaluatedField[] {
  const raw = e as Record<string, unknown>;
  const out: UnevaluatedField[] = [];
  const otherSide = direction === 'ingress' ? 'DestinationCidrIp' : 'SourceCidrIp';
  if (hasValue(raw[otherSide])) out.push({ field: otherSide, value: shown(raw[otherSide]), why: 'not-for-direction' });
  const v = nonEmpty(e.IpVersion) ? e.IpVersion.trim().toLowerCase() : '';
  const family = cidr.includes(':') ? 'ipv6' : 'ipv4';
  if (v && v !== family) out.push({ field: 'IpVersion', value: shown(e.IpVersion), why: v === 'ipv4' || v === 'ipv6' ? 'conflicting-fields' : 'unparsable' });
  for (const [key, value] of Object.entries(raw)) {
    if (!ACL_ENTRY_FIELDS.has(key) && hasValue(value)) out.push({ field: key, value: shown(value), why: 'unknown-field' });
  }
  return out;
}

export function mapNetworkAcl(a: ApiNetworkAcl, region: string): NetworkAcl {
  const entry = (e: ApiAclEntry, direction: Direction, cidr: string, order: number): NetworkAclEntry => {
    const unevaluated = aclEntryUnevaluated(e, direction, cidr);
    return {
      id: nonEmpty(e.NetworkAclEntryId) ? e.NetworkAclEntryId : `${a.NetworkAclId}#${direction}#${order}`,
      ...(nonEmpty(e.NetworkAclEntryName) ? { name: e.NetworkAclEntryName } : {}),
      direction,
      protocol: parseProtocol(e.Protocol),
      portRange: parsePortRange(e.Port),
      cidr,
      policy: parsePolicy(e.Policy),
      order,
      ...(nonEmpty(e.EntryType) ? { entryType: e.EntryType } : {}),
      ...(unevaluated.length ? { unevaluated } : {}),
      raw: { ...e },
    };
  };
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

/**
 * A snapshot saved by an earlier version kept each rule's raw API object but may lack fields mapped since
 * (SourcePortRange, unevaluated fields): map the rules and ACL entries again from their raw objects, so a saved
 * snapshot is judged by today's field inventory. Rules without a readable raw object are kept as they are.
 */
export function remapFromRaw(snapshot: CloudSnapshot): CloudSnapshot {
  const securityGroups = snapshot.securityGroups.map((g) => ({
    ...g,
    rules: g.rules.map((r) => {
      const parsed = r.raw ? PermissionSchema.safeParse(r.raw) : null;
      if (!parsed?.success) return r;
      const lists = new Map<string, string[] | null>(r.peer.kind === 'prefix-list' ? [[r.peer.prefixListId, r.peer.cidrs]] : []);
      return { ...mapPermission(parsed.data, g.id, r.order, lists), id: r.id };
    }),
  }));
  const entries = (list: NetworkAclEntry[]): NetworkAclEntry[] =>
    list.map((e) => {
      if (!e.raw || typeof e.raw.Policy !== 'string' || typeof e.raw.Protocol !== 'string' || typeof e.raw.Port !== 'string') return e;
      const unevaluated = aclEntryUnevaluated(e.raw as ApiAclEntry, e.direction, e.cidr);
      const { unevaluated: _old, ...rest } = e;
      return unevaluated.length ? { ...rest, unevaluated } : rest;
    });
  const networkAcls = snapshot.networkAcls.map((a) => ({ ...a, ingress: entries(a.ingress), egress: entries(a.egress) }));
  return { ...snapshot, securityGroups, networkAcls };
}

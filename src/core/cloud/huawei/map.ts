// Pure mapping from Huawei Cloud API responses (snake_case JSON, as the SDK returns them and KooCLI prints
// them) to the provider-neutral CloudSnapshot, plus the provider's own data the Huawei evaluators need
// (`providerData`, validated back with HuaweiProviderDataSchema: a session file is untrusted).
//
// Documents (field names checked against the SDK models of @huaweicloud/huaweicloud-sdk-ecs / -vpc 3.1.x):
// - ECS ShowServer `server` (v2/model/ServerDetail): id, name, status (ACTIVE, SHUTOFF, …), locked,
//   metadata (EcmResStatus "freeze" = frozen, e.g. for arrears — ECS API "查询云服务器详情", metadata
//   EcmResStatus: "normal：云服务器正常状态（未被冻结）；freeze：云服务器被冻结"), addresses {vpcId: [{addr, version,
//   OS-EXT-IPS:type fixed|floating, OS-EXT-IPS:port_id, OS-EXT-IPS-MAC:mac_addr}]}, security_groups [{id, name}],
//   flavor {id, name}, OS-EXT-AZ:availability_zone, metadata.vpc_id.
// - VPC ListPorts `ports` (v2/model/Port): id, name, network_id (the subnet: the id network ACL associations
//   name as virsubnet_id), fixed_ips [{subnet_id, ip_address}], security_groups [ids, in the port's order],
//   device_id, device_owner, status, mac_address, port_security_enabled.
// - VPC v3 ShowSecurityGroup `security_group` (v3/model/SecurityGroupInfo) with security_group_rules, or the
//   rules of ListSecurityGroupRules (v3/model/SecurityGroupRule) grouped by security_group_id.
// - VPC v3 ShowFirewall `firewall` (v3/model/FirewallDetail): see types.ts.
// - EIP v1 ListPublicips `publicips`: id, status (ACTIVE bound, DOWN unbound, FREEZED frozen, ERROR, …),
//   public_ip_address, private_ip_address, port_id, bandwidth_id, bandwidth_size (Mbit/s),
//   bandwidth_share_type (PER / WHOLE), bandwidth_name, ip_version.
import { z } from 'zod';
import type { CloudError, CloudSnapshot, Eip, Instance, NetworkAcl, NetworkAclEntry, NetworkInterface, Peer, Policy, Protocol, SecurityGroup, SecurityGroupRule } from '../model';
import { parseAction, parseFamily, parsePorts, parsePriority, parseProtocol } from './fields';
import type { AddressGroups, HuaweiFirewall, HuaweiFirewallRule, HuaweiSecurityGroup, HuaweiSecurityGroupRule } from './types';

// ---- raw document schemas (lenient: unknown fields pass through, absent ones are optional) ----------------

const str = z.string();
const optStr = z.string().nullish();

export const HwServerAddressSchema = z
  .object({
    addr: str,
    version: z.union([z.string(), z.number()]).nullish(),
    'OS-EXT-IPS:type': optStr,
    'OS-EXT-IPS:port_id': optStr,
    'OS-EXT-IPS-MAC:mac_addr': optStr,
  })
  .passthrough();

export const HwServerSchema = z
  .object({
    id: str,
    name: optStr,
    status: optStr,
    locked: z.boolean().nullish(),
    metadata: z.record(z.string(), z.unknown()).nullish(),
    addresses: z.record(z.string(), z.array(HwServerAddressSchema)).nullish(),
    security_groups: z.array(z.object({ id: optStr, name: optStr }).passthrough()).nullish(),
    flavor: z.object({ id: optStr, name: optStr }).passthrough().nullish(),
    'OS-EXT-AZ:availability_zone': optStr,
    'OS-EXT-STS:vm_state': optStr,
    'OS-EXT-STS:task_state': optStr,
    description: optStr,
  })
  .passthrough();
export type HwServer = z.infer<typeof HwServerSchema>;

export const HwPortSchema = z
  .object({
    id: str,
    name: optStr,
    network_id: optStr,
    fixed_ips: z.array(z.object({ subnet_id: optStr, ip_address: optStr }).passthrough()).nullish(),
    security_groups: z.array(str).nullish(),
    device_id: optStr,
    device_owner: optStr,
    status: optStr,
    mac_address: optStr,
    port_security_enabled: z.boolean().nullish(),
  })
  .passthrough();
export type HwPort = z.infer<typeof HwPortSchema>;

export const HwSecurityGroupRuleSchema = z
  .object({
    id: str,
    description: optStr,
    security_group_id: optStr,
    direction: str,
    protocol: optStr,
    ethertype: optStr,
    multiport: optStr,
    action: optStr,
    priority: z.union([z.number(), z.string()]).nullish(),
    remote_ip_prefix: optStr,
    remote_group_id: optStr,
    remote_address_group_id: optStr,
  })
  .passthrough();

export const HwSecurityGroupSchema = z
  .object({
    id: str,
    name: optStr,
    description: optStr,
    security_group_rules: z.array(HwSecurityGroupRuleSchema).nullish(),
  })
  .passthrough();
export type HwSecurityGroup = z.infer<typeof HwSecurityGroupSchema>;

export const HwFirewallRuleSchema = z
  .object({
    id: str,
    name: optStr,
    description: optStr,
    action: str,
    protocol: optStr,
    ip_version: z.union([z.number(), z.string()]).nullish(),
    source_ip_address: optStr,
    destination_ip_address: optStr,
    source_port: optStr,
    destination_port: optStr,
    source_address_group_id: optStr,
    destination_address_group_id: optStr,
    enabled: z.boolean().nullish(),
  })
  .passthrough();

export const HwFirewallSchema = z
  .object({
    id: str,
    name: optStr,
    admin_state_up: z.boolean().nullish(),
    status: optStr,
    associations: z.array(z.object({ virsubnet_id: str }).passthrough()).nullish(),
    ingress_rules: z.array(HwFirewallRuleSchema).nullish(),
    egress_rules: z.array(HwFirewallRuleSchema).nullish(),
  })
  .passthrough();
export type HwFirewall = z.infer<typeof HwFirewallSchema>;

export const HwPublicipSchema = z
  .object({
    id: str,
    status: optStr,
    type: optStr,
    public_ip_address: optStr,
    private_ip_address: optStr,
    port_id: optStr,
    bandwidth_id: optStr,
    bandwidth_size: z.union([z.number(), z.string()]).nullish(),
    bandwidth_share_type: optStr,
    bandwidth_name: optStr,
    ip_version: z.union([z.number(), z.string()]).nullish(),
  })
  .passthrough();
export type HwPublicip = z.infer<typeof HwPublicipSchema>;

// ---- provider data: exactly what the Huawei evaluators need, validated when read back --------------------

const NullableStr = z.string().nullish();

const ProviderRuleSchema = z.object({
  id: z.string(),
  description: NullableStr,
  security_group_id: NullableStr,
  direction: z.string(),
  protocol: NullableStr,
  ethertype: NullableStr,
  multiport: NullableStr,
  action: NullableStr,
  priority: z.union([z.number(), z.string()]).nullish(),
  remote_ip_prefix: NullableStr,
  remote_group_id: NullableStr,
  remote_address_group_id: NullableStr,
});

const ProviderFirewallRuleSchema = z.object({
  id: z.string(),
  name: NullableStr,
  description: NullableStr,
  action: z.string(),
  protocol: NullableStr,
  ip_version: z.union([z.number(), z.string()]).nullish(),
  source_ip_address: NullableStr,
  destination_ip_address: NullableStr,
  source_port: NullableStr,
  destination_port: NullableStr,
  source_address_group_id: NullableStr,
  destination_address_group_id: NullableStr,
  enabled: z.boolean().nullish(),
});

const ProviderFirewallSchema = z.object({
  id: z.string(),
  name: NullableStr,
  admin_state_up: z.boolean().nullish(),
  status: NullableStr,
  associations: z.array(z.object({ virsubnet_id: z.string() })).nullish(),
  ingress_rules: z.array(ProviderFirewallRuleSchema).nullish(),
  egress_rules: z.array(ProviderFirewallRuleSchema).nullish(),
});

export const HuaweiProviderDataSchema = z.object({
  kind: z.literal('huawei'),
  version: z.literal(1),
  /** The groups of the primary port, in the port's order (the order decides: see securityGroups.ts). */
  securityGroups: z.array(z.object({ id: z.string(), name: z.string().optional(), security_group_rules: z.array(ProviderRuleSchema) })),
  /** Ids of groups named by a port but not read (their rules are unknown). */
  unreadGroupIds: z.array(z.string()),
  /**
   * The network ACL associated with the primary port's subnet. `firewallState` says what null means:
   * 'none' = the ACLs were read and none is associated (nothing filters); 'unknown' = they could not be read.
   */
  firewall: ProviderFirewallSchema.nullable(),
  firewallState: z.enum(['associated', 'none', 'unknown']),
  /** Groups read that only other ports (not the primary) use; with `securityGroups`, every group read. */
  otherGroups: z.array(z.object({ id: z.string(), name: z.string().optional(), security_group_rules: z.array(ProviderRuleSchema) })).default([]),
  /** The network ACL of every port's subnet (the primary's is also `firewall` / `firewallState`). */
  subnetAcls: z.array(z.object({ subnetId: z.string(), state: z.enum(['associated', 'none', 'unknown']), firewall: ProviderFirewallSchema.nullable() })).default([]),
  /** Per port: its subnet (network_id), fixed addresses and groups in order. The primary port first. */
  ports: z.array(
    z.object({
      id: z.string(),
      subnetId: z.string().nullable(),
      fixedIps: z.array(z.string()),
      securityGroupIds: z.array(z.string()),
      portSecurityEnabled: z.boolean().nullable(),
      primary: z.boolean(),
    }),
  ),
  /** Port id → its security-group ids in order (as the brief's "portGroupIds"). */
  portGroupIds: z.record(z.string(), z.array(z.string())),
  server: z
    .object({
      id: z.string(),
      status: z.string().nullable(),
      locked: z.boolean().nullable(),
      /** metadata.EcmResStatus = "freeze"; null when the field is absent (never frozen / not said). */
      frozen: z.boolean().nullable(),
      flavour: z.string().nullable(),
      vmState: z.string().nullable(),
      taskState: z.string().nullable(),
    })
    .nullable(),
  /** Known IP address groups (address-group id → CIDRs); empty when none were read. */
  addressGroups: z.record(z.string(), z.array(z.string())),
});

export type HuaweiProviderData = z.infer<typeof HuaweiProviderDataSchema>;

/** Reads providerData back (from a session file or a snapshot): null when absent or not valid. */
export function huaweiProviderData(snapshot: object | null | undefined): HuaweiProviderData | null {
  const r = HuaweiProviderDataSchema.safeParse((snapshot as { providerData?: unknown } | null | undefined)?.providerData);
  return r.success ? r.data : null;
}

/** The evaluators' types from the validated provider data (drops nulls the types do not allow). */
export function evaluatorGroups(d: HuaweiProviderData): HuaweiSecurityGroup[] {
  return d.securityGroups.map((g) => ({ id: g.id, ...(g.name ? { name: g.name } : {}), security_group_rules: g.security_group_rules as HuaweiSecurityGroupRule[] }));
}
export function evaluatorFirewall(d: HuaweiProviderData): HuaweiFirewall | null {
  return d.firewall as HuaweiFirewall | null;
}

/**
 * The groups of one port, in that port's order (the order decides), and the ids among them that were not
 * read (their rules are unknown: a decision they could change is not a decision). Default: the primary port.
 */
export function groupsForPort(d: HuaweiProviderData, portId?: string): { groups: HuaweiSecurityGroup[]; unread: string[] } | null {
  const port = portId ? d.ports.find((p) => p.id === portId) : (d.ports.find((p) => p.primary) ?? null);
  if (!port) return portId ? null : { groups: evaluatorGroups(d), unread: d.unreadGroupIds };
  const all = new Map([...d.securityGroups, ...d.otherGroups].map((g) => [g.id, g]));
  const groups: HuaweiSecurityGroup[] = [];
  const unread: string[] = [];
  for (const id of port.securityGroupIds) {
    const g = all.get(id);
    if (g) groups.push({ id: g.id, ...(g.name ? { name: g.name } : {}), security_group_rules: g.security_group_rules as HuaweiSecurityGroupRule[] });
    else unread.push(id);
  }
  return { groups, unread };
}

/** The network ACL of a subnet and what a null means ('none' read and absent, 'unknown' not read). */
export function aclForSubnet(d: HuaweiProviderData, subnetId: string): { state: 'associated' | 'none' | 'unknown'; firewall: HuaweiFirewall | null } {
  const a = d.subnetAcls.find((x) => x.subnetId === subnetId);
  return a ? { state: a.state, firewall: a.firewall as HuaweiFirewall | null } : { state: 'unknown', firewall: null };
}

/** The port an address belongs to: one of its fixed addresses, or an EIP bound to it (EIP port_id). */
export function portForAddress(d: HuaweiProviderData, eips: readonly { ipAddress: string; instanceId?: string }[], ip: string): string | null {
  const fixed = d.ports.find((p) => p.fixedIps.includes(ip));
  if (fixed) return fixed.id;
  const e = eips.find((x) => x.ipAddress === ip && x.instanceId && d.ports.some((p) => p.id === x.instanceId));
  return e?.instanceId ?? null;
}

// ---- the mapping -----------------------------------------------------------------------------------------

export interface HuaweiDocuments {
  region: string;
  source: 'api' | 'import';
  server: HwServer | null;
  /** Ports of the server (ListPorts device_id=<server>). */
  ports: HwPort[];
  /** Security groups with their rules (ShowSecurityGroup or grouped ListSecurityGroupRules). */
  securityGroups: HwSecurityGroup[];
  /** Network ACLs (ShowFirewall details). */
  firewalls: HwFirewall[];
  /** Were the network ACLs read at all? false: whether one is associated is unknown. */
  firewallsRead: boolean;
  /** Subnets whose associated ACL could not be read in detail (ShowFirewall failed): their ACL is unknown. */
  unreadFirewallSubnets?: string[];
  publicips: HwPublicip[];
  addressGroups?: AddressGroups;
  errors?: CloudError[];
  notes?: string[];
  account?: CloudSnapshot['account'];
  fetchedAt?: string;
}

const s = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** The server's addresses, flattened, in the order ECS lists them. */
export function serverAddresses(server: HwServer): { addr: string; family: 4 | 6; type: 'fixed' | 'floating' | null; portId: string | null; mac: string | null }[] {
  const out: { addr: string; family: 4 | 6; type: 'fixed' | 'floating' | null; portId: string | null; mac: string | null }[] = [];
  for (const list of Object.values(server.addresses ?? {})) {
    for (const a of list) {
      const t = a['OS-EXT-IPS:type'];
      out.push({
        addr: a.addr,
        family: String(a.version ?? '') === '6' || a.addr.includes(':') ? 6 : 4,
        type: t === 'fixed' || t === 'floating' ? t : null,
        portId: a['OS-EXT-IPS:port_id'] ?? null,
        mac: a['OS-EXT-IPS-MAC:mac_addr'] ?? null,
      });
    }
  }
  return out;
}

/**
 * The primary port: the one carrying the server's first fixed IPv4 address as ECS lists it (ECS lists the
 * primary NIC first), else the first port.
 */
export function primaryPort(server: HwServer | null, ports: HwPort[]): HwPort | null {
  if (ports.length === 0) return null;
  if (server) {
    const first = serverAddresses(server).find((a) => a.type !== 'floating' && a.family === 4 && a.portId);
    const p = first && ports.find((x) => x.id === first.portId);
    if (p) return p;
    const byIp = first && ports.find((x) => (x.fixed_ips ?? []).some((f) => f.ip_address === first.addr));
    if (byIp) return byIp;
  }
  return ports[0];
}

/**
 * ECS server status in the neutral words the provider-neutral checks use (they pass only 'Running'). From the
 * ECS API "云服务器状态" table: ACTIVE 运行中 → Running; SHUTOFF 关机 → Stopped; BUILD 创建中 → Pending;
 * REBOOT / HARD_REBOOT 重启中 → Starting. Every other status (ERROR, DELETED, MIGRATING, RESIZE, VERIFY_RESIZE,
 * REVERT_RESIZE, SHELVED, …) is kept as Huawei writes it; the raw value is also in providerData.server.status.
 */
export function neutralServerStatus(status: string | null | undefined): string {
  const st = (status ?? '').toUpperCase();
  const map: Record<string, string> = { ACTIVE: 'Running', SHUTOFF: 'Stopped', BUILD: 'Pending', REBOOT: 'Starting', HARD_REBOOT: 'Starting' };
  return map[st] ?? (status || 'UNKNOWN');
}

export function isFrozen(server: HwServer): boolean | null {
  const v = server.metadata?.EcmResStatus;
  if (typeof v !== 'string' || !v) return null;
  return v.toLowerCase() === 'freeze';
}

function mapInstance(d: HuaweiDocuments, server: HwServer, primary: HwPort | null, eip: HwPublicip | undefined): Instance {
  const addrs = serverAddresses(server);
  const fixed = addrs.filter((a) => a.type !== 'floating');
  const floating = addrs.filter((a) => a.type === 'floating');
  const locks: string[] = [];
  // Names for display; the provider decides what each means for reachability.
  if (isFrozen(server)) locks.push('frozen');
  if (server.locked === true) locks.push('locked');
  const groupIds = primary?.security_groups ?? (server.security_groups ?? []).map((g) => g.id ?? '').filter(Boolean);
  const eipAddress = eip?.public_ip_address ?? floating.find((a) => a.family === 4)?.addr ?? floating[0]?.addr;
  return {
    id: server.id,
    ...(s(server.name) ? { name: server.name! } : {}),
    region: d.region,
    ...(s(server['OS-EXT-AZ:availability_zone']) ? { zone: server['OS-EXT-AZ:availability_zone']! } : {}),
    status: neutralServerStatus(server.status),
    operationLocks: locks,
    networkType: 'vpc',
    // Huawei has no "instance public IP" apart from an EIP: a floating address is an EIP.
    ...(eipAddress ? { eipAddress } : {}),
    ...(eip ? { eipAllocationId: eip.id } : {}),
    // Bandwidth belongs to the EIP on Huawei Cloud; 0 when no EIP was read (the EIP record decides, see map notes).
    internetMaxBandwidthOut: eip ? Number(eip.bandwidth_size ?? 0) || 0 : 0,
    ...(s(server.metadata?.vpc_id) ? { vpcId: String(server.metadata!.vpc_id) } : {}),
    ...(primary?.network_id ? { vSwitchId: primary.network_id } : {}),
    privateIps: fixed.map((a) => a.addr).filter((a, i, all) => all.indexOf(a) === i),
    securityGroupIds: groupIds,
    raw: server as Record<string, unknown>,
  };
}

function mapInterface(p: HwPort, primary: HwPort | null, server: HwServer | null, eips: HwPublicip[], vpcId: string | undefined): NetworkInterface {
  const ips = (p.fixed_ips ?? []).map((f) => f.ip_address ?? '').filter(Boolean);
  const eip = eips.find((e) => e.port_id === p.id);
  const floating = server ? serverAddresses(server).find((a) => a.type === 'floating' && a.portId === p.id)?.addr : undefined;
  const publicIp = eip?.public_ip_address ?? floating;
  return {
    id: p.id,
    type: primary && p.id === primary.id ? 'primary' : 'secondary',
    privateIps: ips.filter((a) => !a.includes(':')),
    ipv6s: ips.filter((a) => a.includes(':')),
    ...(publicIp ? { publicIp } : {}),
    securityGroupIds: p.security_groups ?? [],
    ...(p.network_id ? { vSwitchId: p.network_id } : {}),
    ...(vpcId ? { vpcId } : {}),
    ...(p.mac_address ? { macAddress: p.mac_address } : {}),
    ...(p.device_id ? { instanceId: p.device_id } : {}),
  };
}

const NEUTRAL_PROTOCOLS: ReadonlySet<string> = new Set(['tcp', 'udp', 'icmp', 'icmpv6', 'gre', 'all']);

function neutralProtocol(raw: string | null | undefined): Protocol {
  const p = parseProtocol(raw);
  return NEUTRAL_PROTOCOLS.has(p) ? (p as Protocol) : 'all';
}

/** Approximate display rule (the Huawei evaluators work on providerData, not on these). */
export function mapRuleForDisplay(r: HuaweiSecurityGroupRule, groupId: string, order: number, addressGroups: AddressGroups = {}): SecurityGroupRule {
  const ports = parsePorts(r.multiport);
  const first = Array.isArray(ports) && ports.length ? ports[0] : null;
  const family = parseFamily(r.ethertype) ?? 4;
  const peer: Peer = r.remote_group_id
    ? { kind: 'group', groupId: r.remote_group_id }
    : r.remote_address_group_id
      ? { kind: 'prefix-list', prefixListId: r.remote_address_group_id, cidrs: addressGroups[r.remote_address_group_id] ?? null }
      : { kind: 'cidr', cidr: r.remote_ip_prefix || (family === 6 ? '::/0' : '0.0.0.0/0'), family };
  const unevaluated: SecurityGroupRule['unevaluated'] = [];
  if (Array.isArray(ports) && ports.length > 1) unevaluated.push({ field: 'multiport', value: String(r.multiport).slice(0, 80), why: 'unparsable' });
  if (ports === 'invalid') unevaluated.push({ field: 'multiport', value: String(r.multiport).slice(0, 80), why: 'unparsable' });
  const policy: Policy = parseAction(r.action) === 'deny' ? 'drop' : 'accept';
  return {
    id: r.id,
    groupId,
    direction: String(r.direction).toLowerCase() === 'egress' ? 'egress' : 'ingress',
    protocol: neutralProtocol(r.protocol),
    rawProtocol: r.protocol ?? '',
    portRange: first ? { from: first.from, to: first.to } : { from: -1, to: -1 },
    rawPortRange: r.multiport ?? '',
    peer,
    ...(unevaluated.length ? { unevaluated } : {}),
    policy,
    priority: parsePriority(r.priority) ?? 1,
    order,
    ...(r.description ? { description: r.description } : {}),
    raw: r as unknown as Record<string, unknown>,
  };
}

function mapGroupForDisplay(g: HwSecurityGroup, region: string, addressGroups: AddressGroups): SecurityGroup {
  return {
    id: g.id,
    ...(g.name ? { name: g.name } : {}),
    type: 'normal',
    region,
    rules: (g.security_group_rules ?? []).map((r, i) => mapRuleForDisplay(r as HuaweiSecurityGroupRule, g.id, i, addressGroups)),
    ...(g.description ? { description: g.description } : {}),
  };
}

function mapAclRule(r: HuaweiFirewallRule, direction: 'ingress' | 'egress', order: number): NetworkAclEntry {
  const ports = parsePorts(r.destination_port);
  const first = Array.isArray(ports) && ports.length ? ports[0] : null;
  const family = parseFamily(r.ip_version) ?? 4;
  const cidr = (direction === 'ingress' ? r.source_ip_address : r.destination_ip_address) || (family === 6 ? '::/0' : '0.0.0.0/0');
  const unevaluated: NetworkAclEntry['unevaluated'] = [];
  if (r.enabled === false) unevaluated.push({ field: 'enabled', value: 'false', why: 'unknown-field' });
  if (Array.isArray(ports) && ports.length > 1) unevaluated.push({ field: 'destination_port', value: String(r.destination_port).slice(0, 80), why: 'unparsable' });
  return {
    id: r.id,
    ...(r.name ? { name: r.name } : {}),
    direction,
    protocol: neutralProtocol(r.protocol === 'any' ? null : r.protocol),
    portRange: first ? { from: first.from, to: first.to } : { from: -1, to: -1 },
    cidr,
    policy: parseAction(r.action) === 'deny' ? 'drop' : 'accept',
    order,
    entryType: 'custom',
    ...(unevaluated.length ? { unevaluated } : {}),
    raw: r as unknown as Record<string, unknown>,
  };
}

function mapFirewallForDisplay(f: HwFirewall, region: string): NetworkAcl {
  return {
    id: f.id,
    ...(f.name ? { name: f.name } : {}),
    region,
    vSwitchIds: (f.associations ?? []).map((a) => a.virsubnet_id),
    ingress: (f.ingress_rules ?? []).map((r, i) => mapAclRule(r as HuaweiFirewallRule, 'ingress', i)),
    egress: (f.egress_rules ?? []).map((r, i) => mapAclRule(r as HuaweiFirewallRule, 'egress', i)),
    ...(f.status ? { status: f.status } : {}),
  };
}

/**
 * EIP statuses in the neutral words: ACTIVE (bound) → InUse; DOWN (not bound) → Available; FREEZED → InUse
 * with businessStatus FinancialLocked (EIP API "查询弹性公网IP列表" status FREEZED: 冻结 — frozen EIPs are those of
 * an account in arrears); anything else (BINDING, ERROR, PENDING_*…) kept as Huawei says it.
 */
export function mapEip(e: HwPublicip, region: string): Eip {
  const st = (e.status ?? '').toUpperCase();
  const status = st === 'ACTIVE' ? 'InUse' : st === 'DOWN' ? 'Available' : st === 'FREEZED' ? 'InUse' : e.status || 'Unknown';
  return {
    allocationId: e.id,
    ipAddress: e.public_ip_address ?? '',
    status,
    ...(st === 'FREEZED' ? { businessStatus: 'FinancialLocked' } : {}),
    bandwidthMbps: Number(e.bandwidth_size ?? 0) || 0,
    ...(e.port_id ? { instanceId: e.port_id, instanceType: 'NetworkInterface' } : {}),
    region,
  };
}

function toProviderRule(r: z.infer<typeof HwSecurityGroupRuleSchema>): z.infer<typeof ProviderRuleSchema> {
  return {
    id: r.id,
    direction: r.direction,
    ...(r.description != null ? { description: r.description } : {}),
    ...(r.security_group_id != null ? { security_group_id: r.security_group_id } : {}),
    ...(r.protocol != null ? { protocol: r.protocol } : {}),
    ...(r.ethertype != null ? { ethertype: r.ethertype } : {}),
    ...(r.multiport != null ? { multiport: r.multiport } : {}),
    ...(r.action != null ? { action: r.action } : {}),
    ...(r.priority != null ? { priority: r.priority } : {}),
    ...(r.remote_ip_prefix != null ? { remote_ip_prefix: r.remote_ip_prefix } : {}),
    ...(r.remote_group_id != null ? { remote_group_id: r.remote_group_id } : {}),
    ...(r.remote_address_group_id != null ? { remote_address_group_id: r.remote_address_group_id } : {}),
  };
}

function toProviderFirewall(f: HwFirewall): z.infer<typeof ProviderFirewallSchema> {
  const rule = (r: z.infer<typeof HwFirewallRuleSchema>): z.infer<typeof ProviderFirewallRuleSchema> => {
    const out: Record<string, unknown> = { id: r.id, action: r.action };
    for (const k of ['name', 'description', 'protocol', 'ip_version', 'source_ip_address', 'destination_ip_address', 'source_port', 'destination_port', 'source_address_group_id', 'destination_address_group_id', 'enabled'] as const) {
      if (r[k] != null) out[k] = r[k];
    }
    return out as z.infer<typeof ProviderFirewallRuleSchema>;
  };
  return {
    id: f.id,
    ...(f.name != null ? { name: f.name } : {}),
    ...(f.admin_state_up != null ? { admin_state_up: f.admin_state_up } : {}),
    ...(f.status != null ? { status: f.status } : {}),
    associations: (f.associations ?? []).map((a) => ({ virsubnet_id: a.virsubnet_id })),
    ingress_rules: (f.ingress_rules ?? []).map(rule),
    egress_rules: (f.egress_rules ?? []).map(rule),
  };
}

/** The network ACL associated with a subnet, if any. */
export function firewallForSubnet(firewalls: readonly HwFirewall[], subnetId: string | null | undefined): HwFirewall | null {
  if (!subnetId) return null;
  return firewalls.find((f) => (f.associations ?? []).some((a) => a.virsubnet_id === subnetId)) ?? null;
}

export function mapHuaweiSnapshot(d: HuaweiDocuments): CloudSnapshot {
  const server = d.server;
  const ports = server ? d.ports.filter((p) => !p.device_id || p.device_id === server.id) : d.ports;
  const primary = primaryPort(server, ports);
  const eipOf = (portId: string | undefined) => (portId ? d.publicips.find((e) => e.port_id === portId) : undefined);
  const primaryEip = eipOf(primary?.id) ?? (server ? d.publicips.find((e) => serverAddresses(server).some((a) => a.type === 'floating' && a.addr === e.public_ip_address)) : undefined);
  const instance = server ? mapInstance(d, server, primary, primaryEip) : null;
  const vpcId = instance?.vpcId;

  // Group order: the primary port's own order; without ports, the order ECS lists them on the server.
  const orderIds = primary?.security_groups ?? (server?.security_groups ?? []).map((g) => g.id ?? '').filter(Boolean);
  const byId = new Map(d.securityGroups.map((g) => [g.id, g]));
  const ordered = orderIds.map((id) => byId.get(id)).filter((g): g is HwSecurityGroup => !!g);
  const unread = orderIds.filter((id) => !byId.has(id));
  const otherPortGroups = ports.flatMap((p) => p.security_groups ?? []).filter((id) => !orderIds.includes(id));
  const displayGroups = [...ordered, ...d.securityGroups.filter((g) => !orderIds.includes(g.id))];

  const subnetId = primary?.network_id ?? null;
  const fw = firewallForSubnet(d.firewalls, subnetId);
  const aclState = (sid: string | null, f: HwFirewall | null): HuaweiProviderData['firewallState'] =>
    f ? 'associated' : d.firewallsRead && sid && !(d.unreadFirewallSubnets ?? []).includes(sid) ? 'none' : 'unknown';
  const firewallState = aclState(subnetId, fw);
  const subnets = ports.map((p) => p.network_id).filter((x, i, all): x is string => !!x && all.indexOf(x) === i);
  const aclsShown = d.firewalls.filter((f) => (f.associations ?? []).some((a) => ports.some((p) => p.network_id === a.virsubnet_id)));

  const providerData: HuaweiProviderData = {
    kind: 'huawei',
    version: 1,
    securityGroups: ordered.map((g) => ({ id: g.id, ...(g.name ? { name: g.name } : {}), security_group_rules: (g.security_group_rules ?? []).map(toProviderRule) })),
    unreadGroupIds: [...unread, ...otherPortGroups.filter((id) => !byId.has(id))].filter((id, i, all) => all.indexOf(id) === i),
    firewall: fw ? toProviderFirewall(fw) : null,
    firewallState,
    otherGroups: d.securityGroups.filter((g) => !orderIds.includes(g.id)).map((g) => ({ id: g.id, ...(g.name ? { name: g.name } : {}), security_group_rules: (g.security_group_rules ?? []).map(toProviderRule) })),
    subnetAcls: subnets.map((sid) => {
      const f = firewallForSubnet(d.firewalls, sid);
      return { subnetId: sid, state: aclState(sid, f), firewall: f ? toProviderFirewall(f) : null };
    }),
    ports: [...(primary ? [primary] : []), ...ports.filter((p) => p !== primary)].map((p) => ({
      id: p.id,
      subnetId: p.network_id ?? null,
      fixedIps: (p.fixed_ips ?? []).map((f) => f.ip_address ?? '').filter(Boolean),
      securityGroupIds: p.security_groups ?? [],
      portSecurityEnabled: p.port_security_enabled ?? null,
      primary: p === primary,
    })),
    portGroupIds: Object.fromEntries(ports.map((p) => [p.id, p.security_groups ?? []])),
    server: server
      ? {
          id: server.id,
          status: server.status ?? null,
          locked: server.locked ?? null,
          frozen: isFrozen(server),
          flavour: server.flavor?.id ?? null,
          vmState: server['OS-EXT-STS:vm_state'] ?? null,
          taskState: server['OS-EXT-STS:task_state'] ?? null,
        }
      : null,
    addressGroups: d.addressGroups ?? {},
  };

  const snapshot: CloudSnapshot & { providerData: HuaweiProviderData } = {
    // TODO(port): CloudSnapshot.provider is being widened to ProviderId by the port helper; until that merges
    // this cast keeps the Huawei snapshot in the shared type.
    provider: 'huawei' as CloudSnapshot['provider'],
    source: d.source,
    ...(d.account ? { account: d.account } : {}),
    region: d.region,
    fetchedAt: d.fetchedAt ?? new Date().toISOString(),
    instance,
    interfaces: ports.map((p) => mapInterface(p, primary, server, d.publicips, vpcId)),
    securityGroups: displayGroups.map((g) => mapGroupForDisplay(g, d.region, d.addressGroups ?? {})),
    networkAcls: aclsShown.map((f) => mapFirewallForDisplay(f, d.region)),
    eips: d.publicips.map((e) => mapEip(e, d.region)),
    errors: d.errors ?? [],
    notes: d.notes ?? [],
    providerData,
  };
  return snapshot;
}

// Scenario states of the fake Huawei Cloud API (and fixtures for the map tests): the API documents of one
// server, in the SDK models' snake_case shapes. Addresses are documentation / lab ranges only.
import type { HwFirewall, HwPort, HwPublicip, HwSecurityGroup, HwServer } from '../../src/core/cloud/huawei/map';

export const PROJECT_ID = '0a1b2c3d4e5f60718293a4b5c6d7e8f9';
export const REGION = 'cn-north-4';
export const SERVER_ID = '7d1e3f1a-2b4c-4d5e-8f90-a1b2c3d4e5f6';
export const PORT_ID = 'a1b2c3d4-0000-4000-8000-000000000001';
export const PORT2_ID = 'a1b2c3d4-0000-4000-8000-000000000002';
export const SUBNET_ID = '5c7e0f4a-1111-4222-8333-444455556666';
export const SUBNET2_ID = '5c7e0f4a-1111-4222-8333-444455557777';
export const VPC_ID = '3f2e1d0c-aaaa-4bbb-8ccc-dddd0000eeee';
export const SG_WEB = '0b5c7d9e-1234-4abc-9def-000000000001';
export const SG_DENY = '0b5c7d9e-1234-4abc-9def-000000000002';
export const SG_DEFAULT = '0b5c7d9e-1234-4abc-9def-000000000003';
export const ACL_ID = '9e8d7c6b-5a49-4838-8271-605f4e3d2c1b';
export const EIP_ID = 'e1e1e1e1-2222-4333-8444-555566667777';
export const PRIVATE_IP = '192.168.0.10';
export const EIP = '203.0.113.10';

export interface HuaweiState {
  servers: HwServer[];
  ports: HwPort[];
  securityGroups: HwSecurityGroup[];
  firewalls: HwFirewall[];
  publicips: HwPublicip[];
  /** VPC v3 IP address groups (AddressGroup: id, name, ip_version, ip_set). */
  addressGroups?: { id: string; name: string; ip_version: number; ip_set: string[] }[];
}

const rule = (id: string, groupId: string, over: Record<string, unknown>) => ({
  id,
  security_group_id: groupId,
  direction: 'ingress',
  protocol: 'tcp',
  ethertype: 'IPv4',
  multiport: '22',
  action: 'allow',
  priority: 1,
  remote_ip_prefix: '0.0.0.0/0',
  remote_group_id: null,
  remote_address_group_id: null,
  description: '',
  ...over,
});

/** The default rules a new Huawei group gets: all egress, ingress from members of the same group. */
export function defaultRules(groupId: string) {
  return [
    rule(`${groupId.slice(0, 8)}-def-e4`, groupId, { direction: 'egress', protocol: null, multiport: null, priority: 100, remote_ip_prefix: '0.0.0.0/0' }),
    rule(`${groupId.slice(0, 8)}-def-e6`, groupId, { direction: 'egress', protocol: null, ethertype: 'IPv6', multiport: null, priority: 100, remote_ip_prefix: '::/0' }),
    rule(`${groupId.slice(0, 8)}-def-i4`, groupId, { protocol: null, multiport: null, priority: 100, remote_ip_prefix: null, remote_group_id: groupId }),
  ];
}

export function server(over: Partial<HwServer> = {}): HwServer {
  return {
    id: SERVER_ID,
    name: 'web-1',
    status: 'ACTIVE',
    locked: false,
    metadata: { vpc_id: VPC_ID, charging_mode: '0' },
    addresses: {
      [VPC_ID]: [
        { addr: PRIVATE_IP, version: 4, 'OS-EXT-IPS:type': 'fixed', 'OS-EXT-IPS:port_id': PORT_ID, 'OS-EXT-IPS-MAC:mac_addr': 'fa:16:3e:00:00:01' },
        { addr: EIP, version: 4, 'OS-EXT-IPS:type': 'floating', 'OS-EXT-IPS:port_id': PORT_ID, 'OS-EXT-IPS-MAC:mac_addr': 'fa:16:3e:00:00:01' },
      ],
    },
    security_groups: [{ id: SG_WEB, name: 'web' }],
    flavor: { id: 's6.small.1', name: 's6.small.1' },
    'OS-EXT-AZ:availability_zone': 'cn-north-4a',
    'OS-EXT-STS:vm_state': 'active',
    'OS-EXT-STS:task_state': null,
    ...over,
  };
}

export function port(over: Partial<HwPort> = {}): HwPort {
  return {
    id: PORT_ID,
    name: '',
    network_id: SUBNET_ID,
    fixed_ips: [{ subnet_id: 'b0b0b0b0-0000-4000-8000-000000000001', ip_address: PRIVATE_IP }],
    security_groups: [SG_WEB],
    device_id: SERVER_ID,
    device_owner: 'compute:cn-north-4a',
    status: 'ACTIVE',
    mac_address: 'fa:16:3e:00:00:01',
    port_security_enabled: true,
    ...over,
  };
}

export function group(id: string, name: string, rules: ReturnType<typeof rule>[]): HwSecurityGroup {
  return { id, name, description: '', security_group_rules: [...rules, ...defaultRules(id)] };
}

export function publicip(over: Partial<HwPublicip> = {}): HwPublicip {
  return {
    id: EIP_ID,
    status: 'ACTIVE',
    type: '5_bgp',
    public_ip_address: EIP,
    private_ip_address: PRIVATE_IP,
    port_id: PORT_ID,
    bandwidth_id: 'bw000000-0000-4000-8000-000000000001',
    bandwidth_size: 5,
    bandwidth_share_type: 'PER',
    bandwidth_name: 'bandwidth-web',
    ip_version: 4,
    ...over,
  };
}

export function firewall(over: Partial<HwFirewall> = {}): HwFirewall {
  return {
    id: ACL_ID,
    name: 'acl-web',
    admin_state_up: true,
    status: 'ACTIVE',
    associations: [{ virsubnet_id: SUBNET_ID }],
    ingress_rules: [
      { id: 'acl-in-1', name: 'ssh', action: 'allow', protocol: 'tcp', ip_version: 4, source_ip_address: '0.0.0.0/0', destination_port: '22', enabled: true },
    ],
    egress_rules: [{ id: 'acl-out-1', name: 'all', action: 'allow', protocol: 'any', ip_version: 4, destination_ip_address: '0.0.0.0/0', enabled: true }],
    ...over,
  };
}

export const sshRule = (groupId = SG_WEB, over: Record<string, unknown> = {}) => rule(`${groupId.slice(-4)}-ssh`, groupId, over);

export const ADDRESS_GROUP_ID = 'ad000000-1111-4222-8333-444455556666';

export type ScenarioName =
  | 'acl-stateful-return'
  | 'address-group'
  | 'healthy'
  | 'rule-missing'
  | 'deny-higher-priority'
  | 'acl-deny'
  | 'shutoff'
  | 'frozen'
  | 'several-groups'
  // The same slips as the Alibaba fake's variants (test/fake-api), written in Huawei's fields:
  | 'wrong-direction'
  | 'udp-instead-of-tcp'
  | 'private-source'
  | 'port-typo';

/** Where a lab puts the server: its EIP (the address the client probes), its private address, the service port. */
export interface ScenarioParams {
  eip?: string;
  privateIp?: string;
  port?: number;
}

export const SCENARIO_NAMES: readonly ScenarioName[] = [
  'healthy',
  'rule-missing',
  'deny-higher-priority',
  'acl-deny',
  'acl-stateful-return',
  'shutoff',
  'frozen',
  'several-groups',
  'address-group',
  'wrong-direction',
  'udp-instead-of-tcp',
  'private-source',
  'port-typo',
];

/** Puts a state at the lab's addresses and port (the defaults are EIP, PRIVATE_IP and 22). */
function place<T>(v: T, p: Required<ScenarioParams>, key = ''): T {
  if (typeof v === 'string') {
    if (v === EIP) return p.eip as T;
    if (v === PRIVATE_IP) return p.privateIp as T;
    if ((key === 'multiport' || key === 'destination_port') && v === '22') return String(p.port) as T;
    return v;
  }
  if (Array.isArray(v)) return v.map((x) => place(x, p)) as T;
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, place(x, p, k)])) as T;
  return v;
}

/** One server (the service on `port`, 22 by default) in each documented failure shape. */
export function scenario(name: ScenarioName, params: ScenarioParams = {}): HuaweiState {
  const p = { eip: params.eip ?? EIP, privateIp: params.privateIp ?? PRIVATE_IP, port: params.port ?? 22 };
  const st = baseScenario(name, p.port);
  return p.eip === EIP && p.privateIp === PRIVATE_IP && p.port === 22 ? st : place(st, p);
}

function baseScenario(name: ScenarioName, servicePort: number): HuaweiState {
  const base: HuaweiState = {
    servers: [server()],
    ports: [port()],
    securityGroups: [group(SG_WEB, 'web', [sshRule()])],
    firewalls: [],
    publicips: [publicip()],
  };
  switch (name) {
    case 'healthy':
      return base;
    case 'address-group':
      // SSH only from an IP address group (the office range); everything else stays as in 'healthy'.
      return {
        ...base,
        securityGroups: [group(SG_WEB, 'web', [sshRule(SG_WEB, { remote_ip_prefix: null, remote_address_group_id: ADDRESS_GROUP_ID })])],
        addressGroups: [{ id: ADDRESS_GROUP_ID, name: 'office', ip_version: 4, ip_set: ['198.51.100.0/24', '192.0.2.10-192.0.2.20'] }],
      };
    case 'rule-missing':
      // Another service's ports are open, not this one.
      return { ...base, securityGroups: [group(SG_WEB, 'web', [sshRule(SG_WEB, { multiport: servicePort === 80 || servicePort === 443 ? '8080,8443' : '80,443' })])] };
    case 'acl-stateful-return':
      // The ACL admits the service inbound and denies every outbound packet: Huawei ACLs are stateful, so
      // the replies still leave (VPC product description, "Network ACL"); a stateless ACL would drop them.
      return {
        ...base,
        firewalls: [
          firewall({
            egress_rules: [{ id: 'acl-out-deny', name: 'deny-all-out', action: 'deny', protocol: 'any', ip_version: 4, destination_ip_address: '0.0.0.0/0', enabled: true }],
          }),
        ],
      };
    case 'deny-higher-priority':
      return {
        ...base,
        securityGroups: [group(SG_WEB, 'web', [rule('deny-22', SG_WEB, { action: 'deny', priority: 1, multiport: '22' }), sshRule(SG_WEB, { priority: 50 })])],
      };
    case 'acl-deny':
      return {
        ...base,
        firewalls: [
          firewall({
            ingress_rules: [
              { id: 'acl-in-deny', name: 'block-ssh', action: 'deny', protocol: 'tcp', ip_version: 4, source_ip_address: '0.0.0.0/0', destination_port: '22', enabled: true },
              { id: 'acl-in-1', name: 'ssh', action: 'allow', protocol: 'tcp', ip_version: 4, source_ip_address: '0.0.0.0/0', destination_port: '22', enabled: true },
            ],
          }),
        ],
      };
    case 'shutoff':
      return { ...base, servers: [server({ status: 'SHUTOFF', 'OS-EXT-STS:vm_state': 'stopped' })] };
    case 'frozen':
      return { ...base, servers: [server({ status: 'SHUTOFF', metadata: { vpc_id: VPC_ID, EcmResStatus: 'freeze' } })], publicips: [publicip({ status: 'FREEZED' })] };
    case 'wrong-direction':
      // The service port opened on the outbound (egress) direction instead of inbound.
      return { ...base, securityGroups: [group(SG_WEB, 'web', [sshRule(SG_WEB, { direction: 'egress' })])] };
    case 'udp-instead-of-tcp':
      return { ...base, securityGroups: [group(SG_WEB, 'web', [sshRule(SG_WEB, { protocol: 'udp' })])] };
    case 'private-source':
      // The user's LAN address instead of their public one: internet traffic never comes from it.
      return { ...base, securityGroups: [group(SG_WEB, 'web', [sshRule(SG_WEB, { remote_ip_prefix: '192.168.1.0/24' })])] };
    case 'port-typo':
      // One off from the service port (e.g. 23 for 22).
      return { ...base, securityGroups: [group(SG_WEB, 'web', [sshRule(SG_WEB, { multiport: String(servicePort + 1) })])] };
    case 'several-groups':
      return {
        ...base,
        servers: [server({ security_groups: [{ id: SG_DENY, name: 'deny-first' }, { id: SG_WEB, name: 'web' }] })],
        ports: [port({ security_groups: [SG_DENY, SG_WEB] })],
        securityGroups: [group(SG_DENY, 'deny-first', [rule('deny-all-22', SG_DENY, { action: 'deny', priority: 100, multiport: '22' })]), group(SG_WEB, 'web', [sshRule()])],
      };
  }
}

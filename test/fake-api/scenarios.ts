// Scenario data for the fake API, in the API's own response shapes (field names and value styles as in the
// official response examples: Priority as a string, Policy "Accept"/"accept", PortRange "22/22", ...).
// Construction is parameterised (instance address, client address, port) so tests can use lab addresses.

export type ApiObject = Record<string, unknown>;

export interface AssistantBehaviour {
  status: 'Success' | 'Failed' | 'Timeout' | 'Stopped';
  /** Plain-text output (the fake base64-encodes it as the API does), or computed from the script. */
  output?: string | ((script: string) => string);
  exitCode?: number;
  errorCode?: string;
  errorInfo?: string;
  /** Polls answered "Running" before the final status. */
  pendingPolls?: number;
}

export interface Scenario {
  accountId: string;
  regions: ApiObject[];
  instances: ApiObject[];
  networkInterfaces: ApiObject[];
  securityGroups: ApiObject[];
  eips: ApiObject[];
  networkAcls: ApiObject[];
  prefixLists: { PrefixListId: string; PrefixListName: string; AddressFamily: string; RegionId: string; Entries: { Cidr: string; Description?: string }[]; [k: string]: unknown }[];
  assistant?: Record<string, AssistantBehaviour>;
  /** DescribeNetworkAcls leaves the entries out (older / Apsara Stack behaviour): forces DescribeNetworkAclAttributes. */
  omitAclEntriesInList?: boolean;
  /** Cap on rules per DescribeSecurityGroupAttribute page (exercises pagination). */
  sgPageSize?: number;
}

export type Variant =
  | 'healthy'
  | 'rule-missing'
  | 'wrong-direction'
  | 'udp-instead-of-tcp'
  | 'wrong-source'
  | 'higher-priority-drop'
  | 'acl-deny'
  | 'acl-no-return'
  | 'stopped'
  | 'overdue'
  | 'no-public-ip'
  | 'public-ip-no-eip'
  | 'multi-eni'
  | 'enterprise-group'
  | 'prefix-list'
  | 'no-acl'
  | 'many-rules'
  | 'eip-locked'
  | 'zero-bandwidth'
  | 'source-port-restricted' // the only accept rule has SourcePortRange "22/22" (a five-tuple rule)
  | 'unknown-rule-field' // the only accept rule carries a field this version does not know, with a value
  | 'port-range-list'; // the only accept rule takes its ports from a port list (PortRangeListId)

export const VARIANTS: Variant[] = [
  'healthy',
  'rule-missing',
  'wrong-direction',
  'udp-instead-of-tcp',
  'wrong-source',
  'higher-priority-drop',
  'acl-deny',
  'acl-no-return',
  'stopped',
  'overdue',
  'no-public-ip',
  'public-ip-no-eip',
  'multi-eni',
  'enterprise-group',
  'prefix-list',
  'no-acl',
  'many-rules',
  'eip-locked',
  'zero-bandwidth',
  'source-port-restricted',
  'unknown-rule-field',
  'port-range-list',
];

export interface ScenarioParams {
  variant?: Variant;
  accountId?: string;
  region?: string;
  instanceId?: string;
  /** The instance's public address (EIP, or PublicIpAddress for 'public-ip-no-eip'). */
  publicIp?: string;
  privateIp?: string;
  /** The user's public egress address (the source the rules should admit). */
  clientIp?: string;
  port?: number;
  /** 'many-rules': groups x rules. */
  groups?: number;
  rulesPerGroup?: number;
  sgPageSize?: number;
  /** 'higher-priority-drop': the drop rule's Priority (default '1'; e.g. '5' leaves room for a fix that beats it). */
  dropPriority?: string;
  omitAclEntriesInList?: boolean;
  assistant?: AssistantBehaviour;
}

export const REGIONS: ApiObject[] = [
  ['cn-hangzhou', '华东1（杭州）'],
  ['cn-shanghai', '华东2（上海）'],
  ['cn-beijing', '华北2（北京）'],
  ['cn-shenzhen', '华南1（深圳）'],
  ['cn-hongkong', '中国香港'],
  ['ap-southeast-1', '新加坡'],
  ['us-west-1', '美国（硅谷）'],
  ['eu-central-1', '德国（法兰克福）'],
].map(([RegionId, LocalName]) => ({ RegionId, LocalName, RegionEndpoint: `ecs.${RegionId}.aliyuncs.com`, Status: 'available' }));

let ruleSeq = 0;
function perm(p: Partial<Record<string, string>> & { IpProtocol: string; PortRange: string }, extra: ApiObject = {}): ApiObject {
  ruleSeq++;
  const direction = p.Direction ?? 'ingress';
  return {
    ...extra,
    SecurityGroupRuleId: p.SecurityGroupRuleId ?? `sgr-bp1${String(ruleSeq).padStart(12, '0')}`,
    Direction: direction,
    IpProtocol: p.IpProtocol,
    PortRange: p.PortRange,
    SourcePortRange: p.SourcePortRange ?? '',
    SourceCidrIp: p.SourceCidrIp ?? '',
    Ipv6SourceCidrIp: p.Ipv6SourceCidrIp ?? '',
    SourceGroupId: p.SourceGroupId ?? '',
    SourceGroupName: '',
    SourceGroupOwnerAccount: '',
    SourcePrefixListId: p.SourcePrefixListId ?? '',
    SourcePrefixListName: '',
    DestCidrIp: p.DestCidrIp ?? '',
    Ipv6DestCidrIp: '',
    DestGroupId: '',
    DestGroupName: '',
    DestGroupOwnerAccount: '',
    DestPrefixListId: p.DestPrefixListId ?? '',
    DestPrefixListName: '',
    PortRangeListId: p.PortRangeListId ?? '',
    PortRangeListName: p.PortRangeListName ?? '',
    Policy: p.Policy ?? 'Accept',
    Priority: p.Priority ?? '1',
    NicType: 'intranet',
    Description: p.Description ?? '',
    CreateTime: '2024-03-01T08:00:00Z',
  };
}

function aclEntry(dir: 'ingress' | 'egress', n: number, e: { Policy: string; Protocol: string; Port: string; Cidr: string; EntryType?: string; Name?: string }): ApiObject {
  return {
    NetworkAclEntryId: `nae-bp1${dir === 'ingress' ? 'i' : 'e'}${String(n).padStart(10, '0')}`,
    NetworkAclEntryName: e.Name ?? `${dir}-${n}`,
    Policy: e.Policy,
    Protocol: e.Protocol,
    Port: e.Port,
    [dir === 'ingress' ? 'SourceCidrIp' : 'DestinationCidrIp']: e.Cidr,
    EntryType: e.EntryType ?? 'custom',
    IpVersion: 'IPv4',
    Description: '',
  };
}

export function buildScenario(params: ScenarioParams = {}): Scenario {
  const variant = params.variant ?? 'healthy';
  const region = params.region ?? 'cn-hangzhou';
  const accountId = params.accountId ?? '1234567890123456';
  const instanceId = params.instanceId ?? 'i-bp1sgdoctor00000001';
  const publicIp = params.publicIp ?? '47.96.10.20';
  const privateIp = params.privateIp ?? '172.16.0.10';
  const clientIp = params.clientIp ?? '203.0.113.7';
  const port = params.port ?? 22;
  const vpcId = 'vpc-bp1sgdoctor0000001';
  const vSwitchId = 'vsw-bp1sgdoctor0000001';
  const zone = `${region}-h`;
  const eniId = 'eni-bp1sgdoctor0000001';
  const eni2Id = 'eni-bp1sgdoctor0000002';
  const allocationId = 'eip-bp1sgdoctor0000001';
  const hasEip = !['no-public-ip', 'public-ip-no-eip'].includes(variant);
  const hasPublicIp = variant === 'public-ip-no-eip';
  const ports = `${port}/${port}`;

  // ---- security groups ----
  const webRules: ApiObject[] = [];
  const portRule = { IpProtocol: 'TCP', PortRange: ports, SourceCidrIp: `${clientIp}/32`, Priority: '1', Description: `port ${port} from my office` };
  switch (variant) {
    case 'rule-missing':
      break;
    case 'wrong-direction':
      webRules.push(perm({ ...portRule, Direction: 'egress', SourceCidrIp: '', DestCidrIp: `${clientIp}/32` }));
      break;
    case 'udp-instead-of-tcp':
      webRules.push(perm({ ...portRule, IpProtocol: 'UDP' }));
      break;
    case 'wrong-source':
      webRules.push(perm({ ...portRule, SourceCidrIp: '198.51.100.23/32' }));
      break;
    case 'higher-priority-drop':
      webRules.push(perm({ ...portRule, Priority: '10' }));
      break;
    case 'prefix-list':
      webRules.push(perm({ IpProtocol: 'TCP', PortRange: ports, SourcePrefixListId: 'pl-bp1office000000001', Priority: '1' }));
      break;
    case 'source-port-restricted':
      // Someone put the service port in the source-port field of a five-tuple rule.
      webRules.push(perm({ ...portRule, SourcePortRange: '22/22' }));
      break;
    case 'unknown-rule-field':
      // A field a future API version might add (an address book of sources): non-empty, so it may restrict.
      webRules.push(perm(portRule, { SourceAddressBookId: 'ab-bp1office00000001' }));
      break;
    case 'port-range-list':
      webRules.push(perm({ ...portRule, PortRange: '-1/-1', PortRangeListId: 'prl-bp1admin00000001', PortRangeListName: 'admin-ports' }));
      break;
    default:
      webRules.push(perm(portRule));
  }
  webRules.push(
    perm({ IpProtocol: 'TCP', PortRange: '80/80', SourceCidrIp: '0.0.0.0/0', Priority: '1' }),
    perm({ IpProtocol: 'TCP', PortRange: '443/443', SourceCidrIp: '0.0.0.0/0', Priority: '1' }),
    perm({ IpProtocol: 'ALL', PortRange: '-1/-1', Direction: 'egress', DestCidrIp: '0.0.0.0/0', Priority: '1' }),
  );
  const opsRules: ApiObject[] = [perm({ IpProtocol: 'ICMP', PortRange: '-1/-1', SourceCidrIp: '0.0.0.0/0', Priority: '1' })];
  if (variant === 'higher-priority-drop') opsRules.push(perm({ IpProtocol: 'TCP', PortRange: ports, SourceCidrIp: '0.0.0.0/0', Policy: 'Drop', Priority: params.dropPriority ?? '1', Description: 'block admin ports' }));

  const group = (id: string, name: string, rules: ApiObject[], type = 'normal'): ApiObject => ({
    SecurityGroupId: id,
    SecurityGroupName: name,
    SecurityGroupType: type,
    Description: `${name} (SG Doctor fake)`,
    VpcId: vpcId,
    RegionId: region,
    InnerAccessPolicy: type === 'enterprise' ? 'Drop' : 'Accept',
    CreationTime: '2024-03-01T08:00:00Z',
    ResourceGroupId: '',
    Permissions: rules,
  });

  let securityGroups: ApiObject[] = [
    group('sg-bp1web0000000000001', 'web', webRules, variant === 'enterprise-group' ? 'enterprise' : 'normal'),
    group('sg-bp1ops0000000000002', 'ops', opsRules, variant === 'enterprise-group' ? 'enterprise' : 'normal'),
  ];
  if (variant === 'many-rules') {
    const n = Math.min(10, params.groups ?? 10);
    const per = params.rulesPerGroup ?? 100;
    securityGroups = Array.from({ length: n }, (_, g) =>
      group(
        `sg-bp1bench${String(g).padStart(11, '0')}`,
        `bench-${g}`,
        Array.from({ length: per }, (_, r) =>
          g === 0 && r === per - 1
            ? perm(portRule)
            : perm({ IpProtocol: r % 3 === 0 ? 'UDP' : 'TCP', PortRange: `${10000 + g * per + r}/${10000 + g * per + r}`, SourceCidrIp: `10.${g}.${r}.0/24`, Priority: String(1 + (r % 100)) }),
        ),
      ),
    );
  }
  const primaryGroups = securityGroups.map((g) => g.SecurityGroupId as string);
  const eni2Group = 'sg-bp1eni20000000000003';
  if (variant === 'multi-eni') securityGroups.push(group(eni2Group, 'eni2-db', [perm({ IpProtocol: 'TCP', PortRange: '3306/3306', SourceCidrIp: '172.16.0.0/16', Priority: '1' })]));

  // ---- instance ----
  const stopped = variant === 'stopped' || variant === 'overdue';
  const privateIps = variant === 'multi-eni' ? [privateIp] : [privateIp];
  const instance: ApiObject = {
    InstanceId: instanceId,
    InstanceName: 'sg-doctor-web',
    HostName: 'iZbp1sgdoctorZ',
    Description: '',
    RegionId: region,
    ZoneId: zone,
    Status: stopped ? 'Stopped' : 'Running',
    StoppedMode: stopped ? 'KeepCharging' : 'Not-applicable',
    InstanceType: 'ecs.g7.large',
    InstanceTypeFamily: 'ecs.g7',
    Cpu: 2,
    Memory: 8192,
    ImageId: 'aliyun_3_x64_20G_alibase_20240528.vhd',
    OSType: 'linux',
    OSName: 'Alibaba Cloud Linux  3.2104 LTS 64位',
    OSNameEn: 'Alibaba Cloud Linux  3.2104 LTS 64 bit',
    InstanceChargeType: 'PostPaid',
    InternetChargeType: 'PayByTraffic',
    InternetMaxBandwidthIn: 100,
    InternetMaxBandwidthOut: variant === 'no-public-ip' || variant === 'zero-bandwidth' ? 0 : 5,
    InstanceNetworkType: 'vpc',
    CreationTime: '2024-03-01T08:00Z',
    StartTime: '2024-03-01T08:01Z',
    ExpiredTime: '2099-12-31T15:59Z',
    SerialNumber: '51d1353b-22bf-4567-a176-8b3e12e4****',
    IoOptimized: true,
    DeletionProtection: false,
    OperationLocks: { LockReason: variant === 'overdue' ? [{ LockReason: 'financial', LockMsg: '' }] : [] },
    PublicIpAddress: { IpAddress: hasPublicIp ? [publicIp] : [] },
    InnerIpAddress: { IpAddress: [] },
    EipAddress: hasEip ? { AllocationId: allocationId, IpAddress: publicIp, Bandwidth: variant === 'zero-bandwidth' ? 0 : 5, InternetChargeType: 'PayByTraffic', IsSupportUnassociate: true } : { AllocationId: '', IpAddress: '', Bandwidth: 0, InternetChargeType: '' },
    VpcAttributes: { VpcId: vpcId, VSwitchId: vSwitchId, PrivateIpAddress: { IpAddress: privateIps }, NatIpAddress: '' },
    SecurityGroupIds: { SecurityGroupId: primaryGroups },
    NetworkInterfaces: {
      NetworkInterface: [
        { NetworkInterfaceId: eniId, Type: 'Primary', MacAddress: '00:16:3e:12:34:56', PrimaryIpAddress: privateIp, PrivateIpSets: { PrivateIpSet: [{ PrivateIpAddress: privateIp, Primary: true }] } },
        ...(variant === 'multi-eni'
          ? [{ NetworkInterfaceId: eni2Id, Type: 'Secondary', MacAddress: '00:16:3e:12:34:57', PrimaryIpAddress: '172.16.0.11', PrivateIpSets: { PrivateIpSet: [{ PrivateIpAddress: '172.16.0.11', Primary: true }] } }]
          : []),
      ],
    },
    Tags: { Tag: [] },
  };

  const eni = (id: string, type: string, ip: string, groups: string[], mac: string, pub?: { ip: string; alloc: string }): ApiObject => ({
    NetworkInterfaceId: id,
    NetworkInterfaceName: '',
    Status: 'InUse',
    Type: type,
    InstanceId: instanceId,
    VpcId: vpcId,
    VSwitchId: vSwitchId,
    ZoneId: zone,
    PrivateIpAddress: ip,
    MacAddress: mac,
    CreationTime: '2024-03-01T08:00:00Z',
    ResourceGroupId: '',
    ServiceManaged: false,
    NetworkInterfaceTrafficMode: 'Standard',
    SecurityGroupIds: { SecurityGroupId: groups },
    PrivateIpSets: { PrivateIpSet: [{ PrivateIpAddress: ip, Primary: true, ...(pub ? { AssociatedPublicIp: { PublicIpAddress: pub.ip, AllocationId: pub.alloc } } : {}) }] },
    ...(pub ? { AssociatedPublicIp: { PublicIpAddress: pub.ip, AllocationId: pub.alloc } } : {}),
    Ipv6Sets: { Ipv6Set: [] },
    Tags: { Tag: [] },
  });
  const networkInterfaces = [eni(eniId, 'Primary', privateIp, primaryGroups, '00:16:3e:12:34:56', hasEip ? { ip: publicIp, alloc: allocationId } : hasPublicIp ? { ip: publicIp, alloc: '' } : undefined)];
  if (variant === 'multi-eni') networkInterfaces.push(eni(eni2Id, 'Secondary', '172.16.0.11', [eni2Group], '00:16:3e:12:34:57'));

  const eips: ApiObject[] = hasEip
    ? [
        {
          AllocationId: allocationId,
          IpAddress: publicIp,
          Name: 'web-eip',
          Description: '',
          Status: 'InUse',
          BusinessStatus: variant === 'overdue' || variant === 'eip-locked' ? 'FinancialLocked' : 'Normal',
          Bandwidth: variant === 'zero-bandwidth' ? '0' : '5',
          InternetChargeType: 'PayByTraffic',
          ChargeType: 'PostPaid',
          InstanceId: instanceId,
          InstanceType: 'EcsInstance',
          InstanceRegionId: region,
          PrivateIpAddress: privateIp,
          RegionId: region,
          ISP: 'BGP',
          Mode: 'NAT',
          Netmode: 'public',
          AllocationTime: '2024-03-01T08:00:00Z',
          ExpiredTime: '',
          DeletionProtection: false,
          OperationLocks: { LockReason: variant === 'overdue' ? [{ LockReason: 'financial' }] : [] },
          Tags: { Tag: [] },
        },
      ]
    : [];
  // An EIP of the same account bound to a NAT gateway: "the address belongs to no instance".
  eips.push({
    AllocationId: 'eip-bp1natgw0000000001',
    IpAddress: '47.96.99.99',
    Name: 'nat-eip',
    Status: 'InUse',
    BusinessStatus: 'Normal',
    Bandwidth: '10',
    InternetChargeType: 'PayByTraffic',
    ChargeType: 'PostPaid',
    InstanceId: 'ngw-bp1natgw0000000001',
    InstanceType: 'Nat',
    InstanceRegionId: region,
    RegionId: region,
    ISP: 'BGP',
    Mode: 'NAT',
    OperationLocks: { LockReason: [] },
    Tags: { Tag: [] },
  });

  // ---- network ACL ----
  const ingress: ApiObject[] = [];
  const egress: ApiObject[] = [];
  if (variant === 'acl-deny') ingress.push(aclEntry('ingress', 0, { Policy: 'drop', Protocol: 'tcp', Port: ports, Cidr: '0.0.0.0/0', Name: 'deny-admin' }));
  ingress.push(
    aclEntry('ingress', 1, { Policy: 'accept', Protocol: 'tcp', Port: ports, Cidr: '0.0.0.0/0' }),
    aclEntry('ingress', 2, { Policy: 'accept', Protocol: 'tcp', Port: '80/80', Cidr: '0.0.0.0/0' }),
    aclEntry('ingress', 3, { Policy: 'accept', Protocol: 'tcp', Port: '443/443', Cidr: '0.0.0.0/0' }),
    aclEntry('ingress', 4, { Policy: 'accept', Protocol: 'icmp', Port: '-1/-1', Cidr: '0.0.0.0/0' }),
    aclEntry('ingress', 9, { Policy: 'drop', Protocol: 'all', Port: '-1/-1', Cidr: '0.0.0.0/0', EntryType: 'system', Name: 'system-deny-all' }),
  );
  if (variant === 'acl-no-return') {
    egress.push(aclEntry('egress', 1, { Policy: 'accept', Protocol: 'tcp', Port: '80/80', Cidr: '0.0.0.0/0' }), aclEntry('egress', 2, { Policy: 'accept', Protocol: 'tcp', Port: '443/443', Cidr: '0.0.0.0/0' }));
  } else {
    egress.push(aclEntry('egress', 1, { Policy: 'accept', Protocol: 'all', Port: '-1/-1', Cidr: '0.0.0.0/0' }));
  }
  egress.push(aclEntry('egress', 9, { Policy: 'drop', Protocol: 'all', Port: '-1/-1', Cidr: '0.0.0.0/0', EntryType: 'system', Name: 'system-deny-all' }));
  const networkAcls: ApiObject[] =
    variant === 'no-acl'
      ? []
      : [
          {
            NetworkAclId: 'nacl-bp1sgdoctor000001',
            NetworkAclName: 'web-acl',
            Description: '',
            VpcId: vpcId,
            RegionId: region,
            OwnerId: Number(accountId),
            Status: 'Available',
            CreationTime: '2024-03-01T08:00:00Z',
            IngressAclEntries: { IngressAclEntry: ingress },
            EgressAclEntries: { EgressAclEntry: egress },
            Resources: { Resource: [{ ResourceId: vSwitchId, ResourceType: 'VSwitch', Status: 'BINDED' }] },
            Tags: { Tag: [] },
          },
        ];

  return {
    accountId,
    regions: REGIONS.some((r) => r.RegionId === region) ? REGIONS : [...REGIONS, { RegionId: region, LocalName: region, RegionEndpoint: `ecs.${region}.aliyuncs.com`, Status: 'available' }],
    instances: [instance],
    networkInterfaces,
    securityGroups,
    eips,
    networkAcls,
    prefixLists: [
      {
        PrefixListId: 'pl-bp1office000000001',
        PrefixListName: 'office',
        AddressFamily: 'IPv4',
        RegionId: region,
        MaxEntries: 20,
        CreationTime: '2024-03-01T08:00:00Z',
        Description: 'office egress addresses',
        Entries: [
          { Cidr: `${clientIp}/32`, Description: 'office' },
          { Cidr: '192.0.2.0/24', Description: 'branch' },
        ],
      },
    ],
    ...(params.assistant ? { assistant: { [instanceId]: params.assistant } } : {}),
    ...(params.omitAclEntriesInList ? { omitAclEntriesInList: true } : {}),
    ...(params.sgPageSize ? { sgPageSize: params.sgPageSize } : {}),
  };
}

/** The test AccessKey the fake verifies signatures against (not a real key). */
export const TEST_ACCESS_KEY = { accessKeyId: 'LTAI5tFakeSgDoctor0001', accessKeySecret: 'FakeSecretForSgDoctorTests0123456789' } as const;

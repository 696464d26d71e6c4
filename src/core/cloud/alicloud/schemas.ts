// Zod schemas of the API response bodies we read (PascalCase, exactly as the API and the `aliyun` CLI
// print them). Lenient on fields we do not use, strict on the ones the analysis depends on, so a
// malformed document fails with a message that names the field and its position.
import { z } from 'zod';

const str = z.string();
const optStr = z.string().optional().nullable();
const numLike = z.union([z.number(), z.string().regex(/^-?\d+(\.\d+)?$/, { message: 'is not a number' })]);

export const PORT_RANGE_RE = /^-?\d+\/-?\d+$/;
const portRange = z.string().regex(PORT_RANGE_RE, { message: "is not 'from/to'" });

/** `{ "Permission": [ ... ] }` (API) — the CLI keeps the wrapper as well. */
const wrapped = <T extends z.ZodTypeAny>(key: string, item: T) => z.looseObject({ [key]: z.array(item).optional().nullable() });

/** IANA protocol numbers some regions accept (and echo) instead of names. */
export const PROTOCOL_NUMBERS: Readonly<Record<string, string>> = { '1': 'ICMP', '6': 'TCP', '17': 'UDP', '47': 'GRE', '58': 'ICMPv6' };

export const PermissionSchema = z
  .looseObject({
    SecurityGroupRuleId: optStr,
    Direction: z.string().refine((d) => ['ingress', 'egress'].includes(d.toLowerCase()), { message: "is not 'ingress' or 'egress'" }),
    // Names, or an IANA protocol number 0..255 (accepted in some regions; an unknown number leaves the rule unevaluated).
    IpProtocol: z.string().refine((p) => ['TCP', 'UDP', 'ICMP', 'ICMPV6', 'GRE', 'ALL'].includes(p.toUpperCase()) || (/^\d{1,3}$/.test(p) && Number(p) <= 255), {
      message: 'is not one of TCP, UDP, ICMP, ICMPv6, GRE, ALL',
    }),
    // Empty only when a port list (PortRangeListId) gives the ports instead; checked below.
    PortRange: z.string().regex(/^(-?\d+\/-?\d+)?$/, { message: "is not 'from/to'" }).optional().nullable(),
    SourcePortRange: optStr,
    PortRangeListId: optStr,
    PortRangeListName: optStr,
    SourceCidrIp: optStr,
    Ipv6SourceCidrIp: optStr,
    SourceGroupId: optStr,
    SourceGroupName: optStr,
    SourceGroupOwnerAccount: optStr,
    SourcePrefixListId: optStr,
    SourcePrefixListName: optStr,
    DestCidrIp: optStr,
    Ipv6DestCidrIp: optStr,
    DestGroupId: optStr,
    DestGroupName: optStr,
    DestGroupOwnerAccount: optStr,
    DestPrefixListId: optStr,
    DestPrefixListName: optStr,
    Policy: z
      .string()
      .refine((p) => ['accept', 'drop'].includes(p.toLowerCase()), { message: "is not 'Accept' or 'Drop'" })
      .optional()
      .nullable(),
    Priority: z
      .union([z.number(), z.string()])
      .refine((p) => /^\d+$/.test(String(p)) && Number(p) >= 1 && Number(p) <= 100, { message: 'is not an integer 1..100' })
      .optional()
      .nullable(),
    NicType: optStr,
    Description: optStr,
    CreateTime: optStr,
  })
  .superRefine((p, ctx) => {
    const hasList = typeof p.PortRangeListId === 'string' && p.PortRangeListId.trim() !== '';
    if (!hasList && (p.PortRange === undefined || p.PortRange === null || p.PortRange === '')) {
      ctx.addIssue({ code: 'custom', path: ['PortRange'], message: "is not 'from/to'" });
    }
  });
export type ApiPermission = z.infer<typeof PermissionSchema>;

export const SecurityGroupAttributeSchema = z.looseObject({
  RequestId: optStr,
  SecurityGroupId: str,
  SecurityGroupName: optStr,
  Description: optStr,
  VpcId: optStr,
  RegionId: optStr,
  InnerAccessPolicy: optStr,
  NextToken: optStr,
  Permissions: wrapped('Permission', PermissionSchema),
});
export type ApiSecurityGroupAttribute = z.infer<typeof SecurityGroupAttributeSchema>;

export const SecurityGroupsSchema = z.looseObject({
  RequestId: optStr,
  NextToken: optStr,
  SecurityGroups: wrapped(
    'SecurityGroup',
    z.looseObject({ SecurityGroupId: str, SecurityGroupName: optStr, SecurityGroupType: optStr, VpcId: optStr, Description: optStr }),
  ),
});

const ipList = z.looseObject({ IpAddress: z.array(z.string()).optional().nullable() });

export const InstanceSchema = z.looseObject({
  InstanceId: str,
  InstanceName: optStr,
  RegionId: str,
  ZoneId: optStr,
  Status: str,
  InstanceNetworkType: optStr,
  OperationLocks: z.looseObject({ LockReason: z.array(z.looseObject({ LockReason: optStr, LockMsg: optStr })).optional().nullable() }).optional().nullable(),
  PublicIpAddress: ipList.optional().nullable(),
  InnerIpAddress: ipList.optional().nullable(),
  EipAddress: z.looseObject({ IpAddress: optStr, AllocationId: optStr, Bandwidth: numLike.optional().nullable(), InternetChargeType: optStr }).optional().nullable(),
  InternetMaxBandwidthOut: numLike.optional().nullable(),
  InternetChargeType: optStr,
  VpcAttributes: z
    .looseObject({ VpcId: optStr, VSwitchId: optStr, PrivateIpAddress: ipList.optional().nullable(), NatIpAddress: optStr })
    .optional()
    .nullable(),
  SecurityGroupIds: z.looseObject({ SecurityGroupId: z.array(z.string()).optional().nullable() }).optional().nullable(),
  NetworkInterfaces: z
    .looseObject({
      NetworkInterface: z
        .array(
          z.looseObject({
            NetworkInterfaceId: str,
            Type: optStr,
            MacAddress: optStr,
            PrimaryIpAddress: optStr,
            PrivateIpSets: z.looseObject({ PrivateIpSet: z.array(z.looseObject({ PrivateIpAddress: str, Primary: z.boolean().optional().nullable() })).optional().nullable() }).optional().nullable(),
            Ipv6Sets: z.looseObject({ Ipv6Set: z.array(z.looseObject({ Ipv6Address: str })).optional().nullable() }).optional().nullable(),
          }),
        )
        .optional()
        .nullable(),
    })
    .optional()
    .nullable(),
  OSType: optStr,
  OSName: optStr,
});
export type ApiInstance = z.infer<typeof InstanceSchema>;

export const InstancesSchema = z.looseObject({
  RequestId: optStr,
  TotalCount: numLike.optional().nullable(),
  NextToken: optStr,
  Instances: z.looseObject({ Instance: z.array(InstanceSchema) }),
});

export const NetworkInterfaceSetSchema = z.looseObject({
  NetworkInterfaceId: str,
  Type: optStr,
  InstanceId: optStr,
  VpcId: optStr,
  VSwitchId: optStr,
  MacAddress: optStr,
  PrivateIpAddress: optStr,
  AssociatedPublicIp: z.looseObject({ PublicIpAddress: optStr, AllocationId: optStr }).optional().nullable(),
  PrivateIpSets: z
    .looseObject({
      PrivateIpSet: z
        .array(z.looseObject({ PrivateIpAddress: str, Primary: z.boolean().optional().nullable(), AssociatedPublicIp: z.looseObject({ PublicIpAddress: optStr }).optional().nullable() }))
        .optional()
        .nullable(),
    })
    .optional()
    .nullable(),
  Ipv6Sets: z.looseObject({ Ipv6Set: z.array(z.looseObject({ Ipv6Address: str })).optional().nullable() }).optional().nullable(),
  SecurityGroupIds: z.looseObject({ SecurityGroupId: z.array(z.string()).optional().nullable() }).optional().nullable(),
});
export type ApiNetworkInterfaceSet = z.infer<typeof NetworkInterfaceSetSchema>;

export const NetworkInterfacesSchema = z.looseObject({
  RequestId: optStr,
  NextToken: optStr,
  NetworkInterfaceSets: z.looseObject({ NetworkInterfaceSet: z.array(NetworkInterfaceSetSchema).optional().nullable() }),
});

export const EipSchema = z.looseObject({
  AllocationId: str,
  IpAddress: str,
  Status: str,
  BusinessStatus: optStr,
  Bandwidth: numLike.optional().nullable(),
  InstanceId: optStr,
  InstanceType: optStr,
  RegionId: optStr,
});
export type ApiEip = z.infer<typeof EipSchema>;

export const EipAddressesSchema = z.looseObject({
  RequestId: optStr,
  TotalCount: numLike.optional().nullable(),
  EipAddresses: z.looseObject({ EipAddress: z.array(EipSchema).optional().nullable() }),
});

const aclEntryBase = {
  NetworkAclEntryId: optStr,
  NetworkAclEntryName: optStr,
  Policy: z.string().refine((p) => ['accept', 'drop'].includes(p.toLowerCase()), { message: "is not 'accept' or 'drop'" }),
  Protocol: z.string().refine((p) => ['tcp', 'udp', 'icmp', 'icmpv6', 'gre', 'all'].includes(p.toLowerCase()), {
    message: 'is not one of tcp, udp, icmp, gre, all',
  }),
  Port: portRange,
  EntryType: optStr,
  IpVersion: optStr,
  Description: optStr,
};
export const IngressAclEntrySchema = z.looseObject({ ...aclEntryBase, SourceCidrIp: str });
export const EgressAclEntrySchema = z.looseObject({ ...aclEntryBase, DestinationCidrIp: str });

export const NetworkAclSchema = z.looseObject({
  NetworkAclId: str,
  NetworkAclName: optStr,
  VpcId: optStr,
  RegionId: optStr,
  Status: optStr,
  IngressAclEntries: z.looseObject({ IngressAclEntry: z.array(IngressAclEntrySchema).optional().nullable() }).optional().nullable(),
  EgressAclEntries: z.looseObject({ EgressAclEntry: z.array(EgressAclEntrySchema).optional().nullable() }).optional().nullable(),
  Resources: z
    .looseObject({ Resource: z.array(z.looseObject({ ResourceId: str, ResourceType: optStr, Status: optStr })).optional().nullable() })
    .optional()
    .nullable(),
});
export type ApiNetworkAcl = z.infer<typeof NetworkAclSchema>;

export const NetworkAclAttributesSchema = z.looseObject({ RequestId: optStr, NetworkAclAttribute: NetworkAclSchema });
export const NetworkAclsSchema = z.looseObject({
  RequestId: optStr,
  TotalCount: numLike.optional().nullable(),
  NetworkAcls: z.looseObject({ NetworkAcl: z.array(NetworkAclSchema).optional().nullable() }),
});

export const PrefixListAttributesSchema = z.looseObject({
  RequestId: optStr,
  PrefixListId: str,
  PrefixListName: optStr,
  AddressFamily: optStr,
  Entries: z.looseObject({ Entry: z.array(z.looseObject({ Cidr: str, Description: optStr })).optional().nullable() }).optional().nullable(),
});

export const RegionsSchema = z.looseObject({
  RequestId: optStr,
  Regions: z.looseObject({ Region: z.array(z.looseObject({ RegionId: str, LocalName: optStr, RegionEndpoint: optStr })).optional().nullable() }),
});

export const CallerIdentitySchema = z.looseObject({ AccountId: optStr, UserId: optStr, Arn: optStr, IdentityType: optStr });

/** `Permissions.Permission[3].PortRange '22' is not 'from/to'` — a path a user can find in their JSON. */
export function describeIssues(error: z.ZodError, doc: unknown, max = 5): string {
  return error.issues
    .slice(0, max)
    .map((issue) => {
      const path = formatPath(issue.path);
      const value = valueAt(doc, issue.path);
      const shown = value === undefined ? 'is missing' : `${JSON.stringify(value)?.slice(0, 60)}`;
      if (value === undefined) return `${path || '(document)'} is missing (${issue.message})`;
      return `${path || '(document)'} ${shown.replace(/^"(.*)"$/, "'$1'")} ${issue.message}`;
    })
    .join('; ')
    .concat(error.issues.length > max ? `; and ${error.issues.length - max} more` : '');
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}

function valueAt(doc: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = doc;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

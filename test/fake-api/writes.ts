// The write actions of the fake Alibaba Cloud API (issue 11): they change the fake's state the way the real
// API documents it, so that a fix applied through the real SDK shows up in the next Describe… call (with new
// rule / entry ids), and the lab's enforcement (test/lab/cloud-enforce.ts) makes it decide real packets.
//   - ClientToken: the same token with the same parameters gets the first answer again and changes nothing;
//     with other parameters it is IdempotentParameterMismatch (as the API says).
//   - AuthorizeSecurityGroup(+Egress): `Permissions.N.*` (or the older top-level single rule); a rule that is
//     already there is not added twice (the call succeeds).
//   - RevokeSecurityGroup(+Egress): by `SecurityGroupRuleId.N` (or by the rule's fields).
//   - ModifySecurityGroupRule / ModifySecurityGroupEgressRule: the given fields of one rule.
//   - JoinSecurityGroup / LeaveSecurityGroup: the instance's and its primary ENI's group list.
//   - UpdateNetworkAclEntries: replaces a direction's custom entries (system entries stay last).
//   - StartInstance: Stopped → Running (refused while the instance is locked).
// A permission-denied variant of each is the 'forbidden' / 'nopermission' fault of server.ts.
// This is an independent implementation for tests: it does not import the product's apply code.
import { randomBytes } from 'node:crypto';
import type { ApiObject } from './scenarios';
import type { FakeState } from './server';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

type Params = Record<string, string>;

const newId = (prefix: string): string => `${prefix}${randomBytes(8).toString('hex')}`;

/** `Name.N.Field` → [{Field: …}] in N order. */
function list(p: Params, name: string): Record<string, string>[] {
  const by = new Map<number, Record<string, string>>();
  for (const [k, v] of Object.entries(p)) {
    const m = new RegExp(`^${name}\\.(\\d+)\\.(\\w+)$`).exec(k);
    if (!m) continue;
    const n = Number(m[1]);
    if (!by.has(n)) by.set(n, {});
    by.get(n)![m[2]] = v;
  }
  return [...by.keys()].sort((a, b) => a - b).map((n) => by.get(n)!);
}

function values(p: Params, name: string): string[] {
  return Object.keys(p)
    .map((k) => [new RegExp(`^${name}\\.(\\d+)$`).exec(k), p[k]] as const)
    .filter(([m]) => m)
    .sort((a, b) => Number(a[0]![1]) - Number(b[0]![1]))
    .map(([, v]) => v);
}

const SINGLE_RULE_FIELDS = ['IpProtocol', 'PortRange', 'SourcePortRange', 'SourceCidrIp', 'Ipv6SourceCidrIp', 'SourceGroupId', 'SourcePrefixListId', 'DestCidrIp', 'Ipv6DestCidrIp', 'DestGroupId', 'DestPrefixListId', 'Policy', 'Priority', 'NicType', 'Description'];
/** The fields that make two rules the same rule (the API's duplicate check ignores Description). */
const SAME_RULE_FIELDS = ['IpProtocol', 'PortRange', 'SourcePortRange', 'SourceCidrIp', 'Ipv6SourceCidrIp', 'SourceGroupId', 'SourcePrefixListId', 'DestCidrIp', 'Ipv6DestCidrIp', 'DestGroupId', 'DestPrefixListId', 'PortRangeListId', 'Policy', 'Priority', 'NicType', 'Direction'];

/** A requested rule in the response's shape: upper-case protocol, "Accept"/"Drop", Priority a string. */
function responseRule(r: Record<string, string>, direction: 'ingress' | 'egress'): ApiObject {
  const protocol = (r.IpProtocol ?? '').toUpperCase();
  if (!['TCP', 'UDP', 'ICMP', 'ICMPV6', 'GRE', 'ALL'].includes(protocol)) throw new ApiError(400, 'InvalidIpProtocol.Malformed', 'The specified parameter "IpProtocol" is not valid.');
  const portRange = r.PortRange ?? (protocol === 'TCP' || protocol === 'UDP' ? '' : '-1/-1');
  if (!/^-?\d+\/-?\d+$/.test(portRange)) throw new ApiError(400, 'InvalidPortRange.Malformed', 'The specified parameter "PortRange" is not valid.');
  const policy = (r.Policy ?? 'accept').toLowerCase();
  if (policy !== 'accept' && policy !== 'drop') throw new ApiError(400, 'InvalidPolicy.Malformed', 'The specified parameter "Policy" is not valid.');
  const priority = Number(r.Priority ?? '1');
  if (!Number.isInteger(priority) || priority < 1 || priority > 100) throw new ApiError(400, 'InvalidPriority.Malformed', 'The specified parameter "Priority" is not valid.');
  return {
    SecurityGroupRuleId: newId('sgr-bp1'),
    Direction: direction,
    IpProtocol: protocol === 'ICMPV6' ? 'ICMPv6' : protocol,
    PortRange: portRange,
    SourcePortRange: r.SourcePortRange ?? '',
    SourceCidrIp: r.SourceCidrIp ?? '',
    Ipv6SourceCidrIp: r.Ipv6SourceCidrIp ?? '',
    SourceGroupId: r.SourceGroupId ?? '',
    SourceGroupName: '',
    SourceGroupOwnerAccount: '',
    SourcePrefixListId: r.SourcePrefixListId ?? '',
    SourcePrefixListName: '',
    DestCidrIp: r.DestCidrIp ?? '',
    Ipv6DestCidrIp: r.Ipv6DestCidrIp ?? '',
    DestGroupId: r.DestGroupId ?? '',
    DestGroupName: '',
    DestGroupOwnerAccount: '',
    DestPrefixListId: r.DestPrefixListId ?? '',
    DestPrefixListName: '',
    PortRangeListId: '',
    PortRangeListName: '',
    Policy: policy === 'accept' ? 'Accept' : 'Drop',
    Priority: String(priority),
    NicType: r.NicType ?? 'intranet',
    Description: r.Description ?? '',
    CreateTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
  };
}

const sameRule = (a: ApiObject, b: ApiObject): boolean => SAME_RULE_FIELDS.every((f) => String(a[f] ?? '').toLowerCase() === String(b[f] ?? '').toLowerCase());

export function writeHandlers(state: FakeState, region: (p: Params) => string, instance: (id: string) => ApiObject | undefined) {
  const sc = () => state.scenario;
  const group = (p: Params): ApiObject => {
    const r = region(p);
    if (!p.SecurityGroupId) throw new ApiError(400, 'MissingParameter', 'The input parameter "SecurityGroupId" that is mandatory for processing this request is not supplied.');
    const g = sc().securityGroups.find((x) => x.SecurityGroupId === p.SecurityGroupId && x.RegionId === r);
    if (!g) throw new ApiError(404, 'InvalidSecurityGroupId.NotFound', 'The specified SecurityGroupId does not exist.');
    return g;
  };
  /** Runs a write once per ClientToken. */
  const idempotent = (action: string, p: Params, fn: () => Record<string, unknown>): Record<string, unknown> => {
    const token = p.ClientToken;
    if (!token) return fn();
    if (token.length > 64) throw new ApiError(400, 'InvalidClientToken.Malformed', 'The specified parameter "ClientToken" is not valid.');
    const key = `${action}\u0000${token}`;
    const { ClientToken: _t, ...rest } = p;
    const fingerprint = JSON.stringify(Object.keys(rest).sort().map((k) => [k, rest[k]]));
    const seen = state.tokens.get(key);
    if (seen) {
      if (seen.params !== fingerprint) throw new ApiError(400, 'IdempotentParameterMismatch', 'The request uses the same client token as a previous, but non-identical request.');
      return seen.answer;
    }
    const answer = fn();
    state.tokens.set(key, { params: fingerprint, answer });
    return answer;
  };

  const authorize = (direction: 'ingress' | 'egress') => (p: Params) =>
    idempotent(direction === 'ingress' ? 'AuthorizeSecurityGroup' : 'AuthorizeSecurityGroupEgress', p, () => {
      const g = group(p);
      const listed = list(p, 'Permissions');
      const requested = listed.length ? listed : [Object.fromEntries(SINGLE_RULE_FIELDS.filter((f) => p[f] !== undefined).map((f) => [f, p[f]]))];
      if (!requested.length || !requested[0].IpProtocol) throw new ApiError(400, 'MissingParameter', 'The input parameter "IpProtocol" that is mandatory for processing this request is not supplied.');
      const perms = g.Permissions as ApiObject[];
      for (const r of requested) {
        const rule = responseRule(r, direction);
        if (perms.some((x) => sameRule(x, rule))) continue; // already there: success, no second rule
        perms.push(rule);
        state.changed = true;
      }
      return {};
    });

  const revoke = (direction: 'ingress' | 'egress') => (p: Params) =>
    idempotent(direction === 'ingress' ? 'RevokeSecurityGroup' : 'RevokeSecurityGroupEgress', p, () => {
      const g = group(p);
      const perms = g.Permissions as ApiObject[];
      const ids = values(p, 'SecurityGroupRuleId');
      let targets: ApiObject[];
      if (ids.length) {
        const missing = ids.find((id) => !perms.some((x) => x.SecurityGroupRuleId === id && x.Direction === direction));
        if (missing) throw new ApiError(404, 'InvalidSecurityGroupRuleId.NotFound', `The specified security group rule ${missing} does not exist.`);
        targets = perms.filter((x) => ids.includes(x.SecurityGroupRuleId as string));
      } else {
        const listed = list(p, 'Permissions');
        const requested = (listed.length ? listed : [Object.fromEntries(SINGLE_RULE_FIELDS.filter((f) => p[f] !== undefined).map((f) => [f, p[f]]))]).map((r) => responseRule(r, direction));
        targets = perms.filter((x) => requested.some((r) => sameRule(x, r)));
      }
      if (targets.length) state.changed = true;
      g.Permissions = perms.filter((x) => !targets.includes(x));
      return {};
    });

  const modify = (direction: 'ingress' | 'egress') => (p: Params) =>
    idempotent(direction === 'ingress' ? 'ModifySecurityGroupRule' : 'ModifySecurityGroupEgressRule', p, () => {
      const g = group(p);
      const rule = (g.Permissions as ApiObject[]).find((x) => x.SecurityGroupRuleId === p.SecurityGroupRuleId && x.Direction === direction);
      if (!rule) throw new ApiError(404, 'InvalidSecurityGroupRuleId.NotFound', 'The specified security group rule does not exist.');
      const merged = { ...Object.fromEntries(SINGLE_RULE_FIELDS.map((f) => [f, String(rule[f] ?? '')])), ...Object.fromEntries(SINGLE_RULE_FIELDS.filter((f) => p[f] !== undefined).map((f) => [f, p[f]])) };
      const next = responseRule(merged, direction);
      Object.assign(rule, { ...next, SecurityGroupRuleId: rule.SecurityGroupRuleId, CreateTime: rule.CreateTime });
      state.changed = true;
      return {};
    });

  const membership = (join: boolean) => (p: Params) => {
    region(p);
    const inst = p.InstanceId ? instance(p.InstanceId) : undefined;
    if (!inst) throw new ApiError(404, 'InvalidInstanceId.NotFound', 'The specified InstanceId does not exist.');
    group(p);
    const ids = (inst.SecurityGroupIds as { SecurityGroupId: string[] }).SecurityGroupId;
    if (join && ids.includes(p.SecurityGroupId)) throw new ApiError(403, 'InvalidInstanceId.AlreadyExists', 'The instance is already in the specified security group.');
    if (!join && !ids.includes(p.SecurityGroupId)) throw new ApiError(404, 'InvalidSecurityGroupId.NotFound', 'The instance is not in the specified security group.');
    if (!join && ids.length === 1) throw new ApiError(403, 'InvalidOperation.OnlyOneGroup', 'The instance must belong to at least one security group.');
    const next = join ? [...ids, p.SecurityGroupId] : ids.filter((x) => x !== p.SecurityGroupId);
    (inst.SecurityGroupIds as { SecurityGroupId: string[] }).SecurityGroupId = next;
    for (const eni of sc().networkInterfaces) {
      if (eni.InstanceId === inst.InstanceId && eni.Type === 'Primary') (eni.SecurityGroupIds as { SecurityGroupId: string[] }).SecurityGroupId = [...next];
    }
    state.changed = true;
    return {};
  };

  return {
    AuthorizeSecurityGroup: authorize('ingress'),
    AuthorizeSecurityGroupEgress: authorize('egress'),
    RevokeSecurityGroup: revoke('ingress'),
    RevokeSecurityGroupEgress: revoke('egress'),
    ModifySecurityGroupRule: modify('ingress'),
    ModifySecurityGroupEgressRule: modify('egress'),
    JoinSecurityGroup: membership(true),
    LeaveSecurityGroup: membership(false),

    StartInstance: (p: Params) => {
      region(p);
      const inst = p.InstanceId ? instance(p.InstanceId) : undefined;
      if (!inst) throw new ApiError(404, 'InvalidInstanceId.NotFound', 'The specified InstanceId does not exist.');
      const locks = ((inst.OperationLocks as { LockReason?: unknown[] } | undefined)?.LockReason ?? []).length;
      if (locks) throw new ApiError(403, 'InstanceLockedForSecurity', 'The specified operation is denied as your instance is locked.');
      if (inst.Status !== 'Stopped') throw new ApiError(403, 'IncorrectInstanceStatus', 'The current status of the resource does not support this operation.');
      inst.Status = 'Running';
      inst.StoppedMode = 'Not-applicable';
      state.changed = true;
      return {};
    },

    UpdateNetworkAclEntries: (p: Params) =>
      idempotent('UpdateNetworkAclEntries', p, () => {
        const r = region(p);
        const acl = sc().networkAcls.find((a) => a.NetworkAclId === p.NetworkAclId && a.RegionId === r);
        if (!acl) throw new ApiError(404, 'InvalidNetworkAcl.NotFound', 'The specified network ACL does not exist.');
        for (const [dir, field] of [['Ingress', 'SourceCidrIp'], ['Egress', 'DestinationCidrIp']] as const) {
          if (p[`Update${dir}AclEntries`] !== 'true') continue;
          const holder = acl[`${dir}AclEntries`] as Record<string, ApiObject[]>;
          const key = `${dir}AclEntry`;
          const system = holder[key].filter((e) => e.EntryType === 'system');
          const old = holder[key];
          const entries = list(p, `${dir}AclEntries`).map((e) => {
            if (!e.Policy || !e.Protocol || !e.Port || !e[field]) throw new ApiError(400, 'MissingParameter', `An entry of ${dir}AclEntries lacks Policy, Protocol, Port or ${field}.`);
            const kept = e.NetworkAclEntryId ? old.find((x) => x.NetworkAclEntryId === e.NetworkAclEntryId) : undefined;
            return {
              NetworkAclEntryId: kept ? kept.NetworkAclEntryId : newId(`nae-bp1${dir === 'Ingress' ? 'i' : 'e'}`),
              NetworkAclEntryName: e.NetworkAclEntryName ?? '',
              Policy: e.Policy.toLowerCase(),
              Protocol: e.Protocol.toLowerCase(),
              Port: e.Port,
              [field]: e[field],
              EntryType: 'custom',
              IpVersion: 'IPv4',
              Description: e.Description ?? '',
            };
          });
          holder[key] = [...entries, ...system];
          state.changed = true;
        }
        return {};
      }),
  } satisfies Record<string, (p: Params) => Record<string, unknown>>;
}

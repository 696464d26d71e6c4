// Mapping of API rule objects to the model: every field is evaluated or recorded as "may restrict".
import { describe, expect, it } from 'vitest';
import { ACL_ENTRY_FIELDS, mapNetworkAcl, mapPermission, PERMISSION_FIELDS } from './map';
import { PermissionSchema, type ApiNetworkAcl, type ApiPermission } from './schemas';

/** A permission as DescribeSecurityGroupAttribute returns it: every field present, unused ones empty. */
const perm = (over: Record<string, string> = {}): ApiPermission =>
  PermissionSchema.parse({
    SecurityGroupRuleId: 'sgr-1',
    Direction: 'ingress',
    IpProtocol: 'TCP',
    PortRange: '22/22',
    SourcePortRange: '',
    SourceCidrIp: '0.0.0.0/0',
    Ipv6SourceCidrIp: '',
    SourceGroupId: '',
    SourceGroupName: '',
    SourceGroupOwnerAccount: '',
    SourcePrefixListId: '',
    SourcePrefixListName: '',
    DestCidrIp: '',
    Ipv6DestCidrIp: '',
    DestGroupId: '',
    DestGroupName: '',
    DestGroupOwnerAccount: '',
    DestPrefixListId: '',
    DestPrefixListName: '',
    PortRangeListId: '',
    PortRangeListName: '',
    Policy: 'Accept',
    Priority: '1',
    NicType: 'intranet',
    Description: '',
    CreateTime: '2024-03-01T08:00:00Z',
    ...over,
  });

describe('mapPermission: field inventory', () => {
  it('the inventory holds every field of the SDK model of a permission and of an ACL entry', async () => {
    const ecs = (await import('@alicloud/ecs20140526')) as unknown as Record<string, { names(): Record<string, string> }>;
    const vpc = (await import('@alicloud/vpc20160428')) as unknown as Record<string, { names(): Record<string, string> }>;
    const mod = (m: Record<string, { names(): Record<string, string> }>, k: string) => (m[k] ?? (m as unknown as { default: typeof m }).default[k]).names();
    const sdkPerm = Object.values(mod(ecs, 'DescribeSecurityGroupAttributeResponseBodyPermissionsPermission'));
    expect(sdkPerm.length).toBeGreaterThan(20);
    expect(sdkPerm.filter((f) => !PERMISSION_FIELDS.has(f))).toEqual([]);
    for (const k of ['DescribeNetworkAclAttributesResponseBodyNetworkAclAttributeIngressAclEntriesIngressAclEntry', 'DescribeNetworkAclAttributesResponseBodyNetworkAclAttributeEgressAclEntriesEgressAclEntry']) {
      expect(Object.values(mod(vpc, k)).filter((f) => !ACL_ENTRY_FIELDS.has(f))).toEqual([]);
    }
  });

  it('an ordinary rule with every field present and the unused ones empty has nothing unevaluated', () => {
    const r = mapPermission(perm(), 'sg-1', 0);
    expect(r.unevaluated).toBeUndefined();
    expect(r.sourcePortRange).toBeUndefined();
    expect(r).toMatchObject({ protocol: 'tcp', portRange: { from: 22, to: 22 }, peer: { kind: 'cidr', cidr: '0.0.0.0/0' } });
  });

  it('SourcePortRange is carried; -1/-1 means any source port', () => {
    expect(mapPermission(perm({ SourcePortRange: '22/22' }), 'sg-1', 0)).toMatchObject({ sourcePortRange: { from: 22, to: 22 }, rawSourcePortRange: '22/22' });
    expect(mapPermission(perm({ SourcePortRange: '-1/-1' }), 'sg-1', 0).sourcePortRange).toBeUndefined();
    expect(mapPermission(perm({ SourcePortRange: '1024/65535' }), 'sg-1', 0).sourcePortRange).toEqual({ from: 1024, to: 65535 });
  });

  it('an unparsable SourcePortRange is not dropped: it may restrict', () => {
    for (const bad of ['22', '0/70000', '30/20', 'abc']) {
      const r = mapPermission(perm({ SourcePortRange: bad }), 'sg-1', 0);
      expect(r.sourcePortRange).toBeUndefined();
      expect(r.unevaluated).toEqual([{ field: 'SourcePortRange', value: bad, why: 'unparsable' }]);
    }
  });

  it('a port list (PortRangeListId) is an unresolved reference; PortRange may then be empty', () => {
    const r = mapPermission(perm({ PortRange: '', PortRangeListId: 'prl-bp1web', PortRangeListName: 'web-ports' }), 'sg-1', 0);
    expect(r.unevaluated).toEqual([{ field: 'PortRangeListId', value: 'prl-bp1web', why: 'unresolved-reference' }]);
    expect(r.rawPortRange).toBe('');
    // Without a port list an empty PortRange is still malformed.
    expect(PermissionSchema.safeParse({ ...perm(), PortRange: '' }).success).toBe(false);
  });

  it('an unknown field with a value may restrict (generic guard); unknown empty fields do not', () => {
    const r = mapPermission({ ...perm(), SourceAddressBookId: 'ab-bp1future', FutureFlag: '', FutureList: [], FutureObj: { A: '' } } as ApiPermission, 'sg-1', 0);
    expect(r.unevaluated).toEqual([{ field: 'SourceAddressBookId', value: 'ab-bp1future', why: 'unknown-field' }]);
    const n = mapPermission({ ...perm(), FutureNumber: 5, FutureNested: { Items: ['x'] } } as unknown as ApiPermission, 'sg-1', 0);
    expect(n.unevaluated?.map((u) => u.field)).toEqual(['FutureNumber', 'FutureNested']);
  });

  it('two peer fields at once: the first is the peer, the other may restrict; other-direction peer fields too', () => {
    const r = mapPermission(perm({ SourceGroupId: 'sg-other' }), 'sg-1', 0);
    expect(r.peer).toMatchObject({ kind: 'cidr', cidr: '0.0.0.0/0' });
    expect(r.unevaluated).toEqual([{ field: 'SourceGroupId', value: 'sg-other', why: 'conflicting-fields' }]);
    const d = mapPermission(perm({ DestGroupId: 'sg-x' }), 'sg-1', 0);
    expect(d.unevaluated).toEqual([{ field: 'DestGroupId', value: 'sg-x', why: 'not-for-direction' }]);
    // SourceGroupOwnerAccount beside a CIDR is ignored by the platform (API docs): nothing unevaluated.
    expect(mapPermission(perm({ SourceGroupOwnerAccount: '1234567890' }), 'sg-1', 0).unevaluated).toBeUndefined();
  });

  it('the local side: DestCidrIp or Ipv6DestCidrIp on ingress, SourceCidrIp on egress', () => {
    expect(mapPermission(perm({ DestCidrIp: '172.16.0.10/32' }), 'sg-1', 0).localCidr).toBe('172.16.0.10/32');
    expect(mapPermission(perm({ Ipv6DestCidrIp: '2408:4005::/64' }), 'sg-1', 0).localCidr).toBe('2408:4005::/64');
    const both = mapPermission(perm({ DestCidrIp: '172.16.0.10/32', Ipv6DestCidrIp: '2408:4005::/64' }), 'sg-1', 0);
    expect(both.unevaluated).toEqual([{ field: 'Ipv6DestCidrIp', value: '2408:4005::/64', why: 'conflicting-fields' }]);
    const eg = mapPermission(perm({ Direction: 'egress', SourceCidrIp: '172.16.0.10/32', DestCidrIp: '0.0.0.0/0' }), 'sg-1', 0);
    expect(eg).toMatchObject({ localCidr: '172.16.0.10/32', peer: { kind: 'cidr', cidr: '0.0.0.0/0' } });
  });

  it('IANA protocol numbers: known ones map, others may restrict', () => {
    expect(mapPermission(perm({ IpProtocol: '6' }), 'sg-1', 0).protocol).toBe('tcp');
    expect(mapPermission(perm({ IpProtocol: '17' }), 'sg-1', 0).protocol).toBe('udp');
    const esp = mapPermission(perm({ IpProtocol: '50', PortRange: '-1/-1' }), 'sg-1', 0);
    expect(esp.unevaluated).toEqual([{ field: 'IpProtocol', value: '50', why: 'unparsable' }]);
  });
});

describe('mapNetworkAcl: entry fields', () => {
  const acl = (ingress: Record<string, unknown>[]): ApiNetworkAcl =>
    ({ NetworkAclId: 'nacl-1', RegionId: 'cn-hangzhou', IngressAclEntries: { IngressAclEntry: ingress }, EgressAclEntries: { EgressAclEntry: [] } }) as unknown as ApiNetworkAcl;
  const base = { NetworkAclEntryId: 'nae-1', NetworkAclEntryName: 'in', Policy: 'accept', Protocol: 'tcp', Port: '22/22', SourceCidrIp: '0.0.0.0/0', EntryType: 'custom', IpVersion: 'IPv4', Description: '' };

  it('an ordinary entry has nothing unevaluated', () => {
    expect(mapNetworkAcl(acl([base]), 'cn-hangzhou').ingress[0].unevaluated).toBeUndefined();
  });

  it('unknown fields, a contradicting IpVersion and an other-direction CIDR may restrict', () => {
    const m = mapNetworkAcl(acl([{ ...base, SourcePortRange: '22/22' }, { ...base, IpVersion: 'IPv6' }, { ...base, DestinationCidrIp: '10.0.0.0/8' }]), 'cn-hangzhou');
    expect(m.ingress.map((e) => e.unevaluated)).toEqual([
      [{ field: 'SourcePortRange', value: '22/22', why: 'unknown-field' }],
      [{ field: 'IpVersion', value: 'IPv6', why: 'conflicting-fields' }],
      [{ field: 'DestinationCidrIp', value: '10.0.0.0/8', why: 'not-for-direction' }],
    ]);
  });
});

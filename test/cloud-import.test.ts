// Offline import of `aliyun` CLI JSON output (scenario documents are in the API's own shapes).
import { describe, expect, it } from 'vitest';
import { detectDocument, importSnapshot, splitJsonDocuments } from '../src/core/cloud/alicloud/import';
import { evaluateSecurityGroups } from '../src/core/rules/securityGroups';
import { buildScenario, type ApiObjectLike } from './fake-api/cli-docs';

const docs = (variant: Parameters<typeof buildScenario>[0] = {}) => {
  const s = buildScenario(variant);
  const sgDocs = s.securityGroups.map((g) => {
    const { Permissions, SecurityGroupType: _t, CreationTime: _c, ResourceGroupId: _r, ...rest } = g as ApiObjectLike;
    return { RequestId: 'B1', ...rest, Permissions: { Permission: Permissions } };
  });
  return {
    instances: { RequestId: 'A1', TotalCount: 1, PageSize: 10, PageNumber: 1, Instances: { Instance: s.instances } },
    groups: sgDocs,
    acl: { RequestId: 'C1', NetworkAclAttribute: s.networkAcls[0] },
    sgList: { RequestId: 'D1', SecurityGroups: { SecurityGroup: s.securityGroups.map(({ Permissions: _p, ...g }) => g) } },
  };
};

describe('importSnapshot', () => {
  it('builds a snapshot from DescribeInstances + DescribeSecurityGroupAttribute + DescribeNetworkAclAttributes texts', () => {
    const d = docs();
    const r = importSnapshot([JSON.stringify(d.instances, null, 2), ...d.groups.map((g) => JSON.stringify(g)), JSON.stringify(d.acl)]);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const s = r.value;
    expect(s.source).toBe('import');
    expect(s.instance?.id).toBe('i-bp1sgdoctor00000001');
    expect(s.interfaces[0].securityGroupIds).toHaveLength(2);
    expect(s.securityGroups.map((g) => g.rules.length)).toEqual([4, 1]);
    expect(s.networkAcls[0].ingress).toHaveLength(5);
    expect(s.errors).toEqual([]);
    expect(s.notes?.join(' ')).toMatch(/assumed basic/);
  });

  it('accepts several documents pasted in one text, and arrays of documents', () => {
    const d = docs({ variant: 'enterprise-group' });
    const pasted = `$ aliyun ecs DescribeInstances\n${JSON.stringify(d.instances, null, 2)}\n\n${d.groups.map((g) => JSON.stringify(g, null, 2)).join('\n')}\n${JSON.stringify(d.sgList)}`;
    // The stray prompt line is not JSON: reported with its line.
    const bad = importSnapshot([pasted]);
    expect(bad).toMatchObject({ ok: false, code: 'InvalidJson' });
    if (!bad.ok) expect(bad.message).toMatch(/document 1 \(line 1\) is not valid JSON/);
    const r = importSnapshot([pasted.split('\n').slice(1).join('\n'), [d.acl]]);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.value.securityGroups.every((g) => g.type === 'enterprise')).toBe(true);
  });

  it('names what is wrong and where in a malformed document', () => {
    const d = docs();
    const g = structuredClone(d.groups[0]) as { Permissions: { Permission: Record<string, unknown>[] } };
    g.Permissions.Permission[3].PortRange = '22';
    const r = importSnapshot([{ name: 'web.json', content: JSON.stringify(g) }]);
    expect(r).toMatchObject({ ok: false, code: 'InvalidDocument' });
    if (!r.ok) expect(r.message).toBe("web.json (DescribeSecurityGroupAttribute): Permissions.Permission[3].PortRange '22' is not 'from/to'");

    const inst = structuredClone(d.instances) as { Instances: { Instance: Record<string, unknown>[] } };
    delete inst.Instances.Instance[0].Status;
    const r2 = importSnapshot([inst]);
    if (!r2.ok) expect(r2.message).toMatch(/input #1 \(DescribeInstances\): Instances\.Instance\[0\]\.Status is missing/);
    expect(r2.ok).toBe(false);

    expect(importSnapshot(['{"Foo": 1}'])).toMatchObject({ ok: false, code: 'UnknownDocument' });
    expect(importSnapshot(['{"Instances": {"Instance": [ {"InstanceId": "i-1",'])).toMatchObject({ ok: false, code: 'InvalidJson' });
    expect(importSnapshot([])).toMatchObject({ ok: false, code: 'EmptyInput' });
  });

  it('marks groups that were not provided as unknown and suggests the command', () => {
    const d = docs();
    const r = importSnapshot([d.instances, d.groups[0]]);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.errors).toEqual([expect.objectContaining({ code: 'NotProvided', leavesUnknown: ['securityGroups/sg-bp1ops0000000000002'] })]);
    expect(r.value.errors[0].message).toContain('aliyun ecs DescribeSecurityGroupAttribute --RegionId cn-hangzhou --SecurityGroupId sg-bp1ops0000000000002');
    expect(r.value.notes?.join(' ')).toMatch(/No network ACL output for vSwitch/);
  });

  it('round-trips a saved snapshot and detects document kinds', () => {
    const d = docs();
    const first = importSnapshot([d.instances, ...d.groups]);
    if (!first.ok) throw new Error(first.message);
    const again = importSnapshot([JSON.stringify(first.value)]);
    expect(again.ok && again.value.securityGroups).toEqual(first.value.securityGroups);
    expect(detectDocument(d.acl)).toBe('DescribeNetworkAclAttributes');
    expect(detectDocument(d.groups[0])).toBe('DescribeSecurityGroupAttribute');
    expect(splitJsonDocuments('{"a":"}{"} [1,2]').map((p) => p.text)).toEqual(['{"a":"}{"}', '[1,2]']);
  });

  it('keeps five-tuple and unknown rule fields: SourcePortRange is evaluated, an unknown field may restrict', () => {
    const src = docs({ variant: 'source-port-restricted' });
    const r = importSnapshot([src.instances, ...src.groups]);
    if (!r.ok) throw new Error(r.message);
    const rule = r.value.securityGroups[0].rules[0];
    expect(rule).toMatchObject({ sourcePortRange: { from: 22, to: 22 }, rawSourcePortRange: '22/22', portRange: { from: 22, to: 22 } });
    expect(rule.unevaluated).toBeUndefined();
    const flow = { direction: 'ingress' as const, protocol: 'tcp' as const, sourceIp: '203.0.113.7', destinationIp: '47.96.10.20', port: 22 };
    const ev = evaluateSecurityGroups(r.value, flow);
    expect(ev.decision).toBe('deny');
    expect(ev.nearMisses.map((m) => m.reason)).toContain('source-port-restricted');

    const unk = docs({ variant: 'unknown-rule-field' });
    const u = importSnapshot([unk.instances, ...unk.groups]);
    if (!u.ok) throw new Error(u.message);
    expect(u.value.securityGroups[0].rules[0].unevaluated).toEqual([{ field: 'SourceAddressBookId', value: 'ab-bp1office00000001', why: 'unknown-field' }]);
    expect(evaluateSecurityGroups(u.value, flow)).toMatchObject({ decision: 'unknown', explanation: 'uncertain-field' });

    const list = docs({ variant: 'port-range-list' });
    const l = importSnapshot([list.instances, ...list.groups]);
    if (!l.ok) throw new Error(l.message);
    expect(evaluateSecurityGroups(l.value, flow).decision).toBe('unknown');
  });

  it('a saved snapshot from an earlier version is judged by the current field inventory (rules mapped again from raw)', () => {
    const d = docs({ variant: 'source-port-restricted' });
    const first = importSnapshot([d.instances, ...d.groups]);
    if (!first.ok) throw new Error(first.message);
    // As an earlier version saved it: SourcePortRange only in the raw object.
    const old = structuredClone(first.value);
    delete old.securityGroups[0].rules[0].sourcePortRange;
    delete old.securityGroups[0].rules[0].rawSourcePortRange;
    const again = importSnapshot([JSON.stringify(old)]);
    if (!again.ok) throw new Error(again.message);
    expect(again.value.securityGroups[0].rules[0].sourcePortRange).toEqual({ from: 22, to: 22 });
    expect(again.value.securityGroups).toEqual(first.value.securityGroups);
  });
});

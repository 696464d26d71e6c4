// `aliyun` CLI JSON documents (DescribeInstances, DescribeSecurityGroupAttribute, DescribeNetworkAclAttributes)
// built from the fake API's scenarios, for offline-JSON tests (`diagnose --snapshot`, `cloud check --snapshot`).
import { buildScenario, type ApiObjectLike } from '../fake-api/cli-docs';

export interface SnapshotDocs {
  instances: ApiObjectLike;
  groups: ApiObjectLike[];
  acl: ApiObjectLike;
}

export function snapshotDocs(params: Parameters<typeof buildScenario>[0] = {}): SnapshotDocs {
  const s = buildScenario(params);
  return {
    instances: { RequestId: 'A1', TotalCount: 1, PageSize: 10, PageNumber: 1, Instances: { Instance: s.instances } },
    groups: s.securityGroups.map((g) => {
      const { Permissions, SecurityGroupType: _t, CreationTime: _c, ResourceGroupId: _r, ...rest } = g;
      return { RequestId: 'B1', ...rest, Permissions: { Permission: Permissions } };
    }),
    acl: { RequestId: 'C1', NetworkAclAttribute: s.networkAcls[0] },
  };
}

/** The documents as one pasted text (several JSON documents one after another, as the paste step accepts). */
export function snapshotText(d: SnapshotDocs, opts: { withoutGroups?: number } = {}): string {
  const groups = d.groups.slice(0, d.groups.length - (opts.withoutGroups ?? 0));
  return [d.instances, ...groups, d.acl].map((x) => JSON.stringify(x)).join('\n');
}

// The aliyun CLI commands whose JSON output the Alibaba offline importer (import.ts) reads, filled in with what is
// known (shown by the app's offline step through the contract's cloud.offlineCommands).
import type { OfflineCommand, OfflineCommandArgs } from '../types';

/** Quoted for a POSIX shell when it holds anything but safe characters. */
const shq = (s: string): string => (/^[\w.:@,+/-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/**
 * Copy-ready `aliyun` commands. Without a region the CLI uses the profile's region, so --RegionId is
 * left out rather than shown as a placeholder; the instance is named by id, else by the public IP.
 */
export function aliyunOfflineCommands(k: OfflineCommandArgs): OfflineCommand[] {
  const region = k.region?.trim() ? ` --RegionId ${shq(k.region.trim())}` : '';
  const which = k.instanceId?.trim()
    ? ` --InstanceIds ${shq(JSON.stringify([k.instanceId.trim()]))}`
    : k.publicIp?.trim()
      ? ` --PublicIpAddresses ${shq(JSON.stringify([k.publicIp.trim()]))}`
      : '';
  const out: OfflineCommand[] = [{ what: 'instances', command: `aliyun ecs DescribeInstances${region}${which}` }];
  for (const g of k.securityGroupIds ?? []) out.push({ what: 'group', id: g, command: `aliyun ecs DescribeSecurityGroupAttribute${region} --SecurityGroupId ${shq(g)} --Direction all` });
  if (k.networkAclIds?.length) {
    for (const a of k.networkAclIds) out.push({ what: 'acl', id: a, command: `aliyun vpc DescribeNetworkAclAttributes${region} --NetworkAclId ${shq(a)}` });
  } else if (k.vSwitchId) {
    out.push({ what: 'acls', id: k.vSwitchId, command: `aliyun vpc DescribeNetworkAcls${region} --ResourceId ${shq(k.vSwitchId)} --ResourceType VSwitch` });
  }
  return out;
}

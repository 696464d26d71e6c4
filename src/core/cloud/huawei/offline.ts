// The KooCLI (hcloud) commands whose JSON output the Huawei offline importer (import.ts) reads, filled in with
// what is known (shown by the app's offline step through the contract's cloud.offlineCommands).
import type { OfflineCommand, OfflineCommandArgs } from '../types';

/** Quoted for a POSIX shell when it holds anything but safe characters. */
const shq = (s: string): string => (/^[\w.:@,+/-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/**
 * Copy-ready KooCLI (`hcloud`) commands whose output the Huawei importer reads: the server (ECS ShowServer, or
 * ListServersDetails filtered by IP when the id is unknown), its ports (VPC ListPorts), the rules of each security
 * group (VPC v3 ListSecurityGroupRules), the network ACLs (VPC v3 ListFirewall) and the EIPs (EIP ListPublicips).
 * Without a server id every server of the region is listed: the importer picks the one owning the tested address.
 * KooCLI syntax: `hcloud <Service> <Operation>[/<version>] --cli-region=<region> --<param>=<value>`; without a
 * region KooCLI uses its profile's region, so the flag is left out rather than shown as a placeholder.
 */
export function hcloudOfflineCommands(k: OfflineCommandArgs): OfflineCommand[] {
  const region = k.region?.trim() ? ` --cli-region=${shq(k.region.trim())}` : '';
  const id = k.instanceId?.trim();
  const out: OfflineCommand[] = [
    {
      what: 'instances',
      command: id ? `hcloud ECS ShowServer${region} --server_id=${shq(id)}` : `hcloud ECS ListServersDetails${region}`,
    },
    { what: 'ports', command: id ? `hcloud VPC ListPorts${region} --device_id=${shq(id)}` : `hcloud VPC ListPorts${region}` },
  ];
  for (const g of k.securityGroupIds ?? []) out.push({ what: 'group', id: g, command: `hcloud VPC ListSecurityGroupRules/v3${region} --security_group_id=${shq(g)}` });
  out.push({ what: 'firewalls', command: `hcloud VPC ListFirewall/v3${region}` });
  out.push({ what: 'eips', command: `hcloud EIP ListPublicips${region}` });
  return out;
}

// Fix builders: copyable commands with the user's own ids and addresses filled in. Parameter names follow
// the Alibaba Cloud API (checked against @alicloud/ecs20140526 and @alicloud/vpc20160428 request models);
// the `aliyun` CLI takes RPC parameters as --Name value, list items as --List.N.Field value.
import type { NetworkAcl, Protocol } from '../cloud/model';
import { L } from '../i18n';
import type { Fix } from './types';

/** Placeholders when a value is unknown: visible, never a plausible-looking fake. */
export const PLACEHOLDER = {
  ip: '<your-public-ip>',
  group: '<security-group-id>',
  instance: '<instance-id>',
  region: '<region-id>',
} as const;

const q = (s: string): string => (/^[\w./:@,+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

export function hostCidr(ip: string | null): string {
  if (!ip) return `${PLACEHOLDER.ip}/32`;
  return ip.includes(':') ? `${ip}/128` : `${ip}/32`;
}

export interface SgRuleSpec {
  region: string | null;
  groupId: string | null;
  protocol: Exclude<Protocol, 'all'> | 'all';
  port: number | null; // null: all ports (-1/-1)
  cidr: string;
  priority?: number;
  policy?: 'accept' | 'drop';
  description?: string;
  /** Classic network only: 'internet' for traffic from the Internet. VPC groups use 'intranet'. */
  nicType?: 'internet' | 'intranet';
}

const portRange = (port: number | null): string => (port === null ? '-1/-1' : `${port}/${port}`);

// ---- console ------------------------------------------------------------------------------------------

export const consoleUrls = {
  securityGroupRules: (region: string, groupId: string): string =>
    `https://ecs.console.aliyun.com/securityGroupDetail/region/${encodeURIComponent(region)}/groupId/${encodeURIComponent(groupId)}/detail/intranetIngress`,
  instance: (region: string, instanceId: string): string =>
    `https://ecs.console.aliyun.com/server/${encodeURIComponent(instanceId)}/detail?regionId=${encodeURIComponent(region)}`,
  instances: (region: string): string => `https://ecs.console.aliyun.com/server/region/${encodeURIComponent(region)}`,
  eip: (): string => 'https://vpc.console.aliyun.com/eip',
  vpc: (): string => 'https://vpc.console.aliyun.com/',
};

export function consoleSecurityGroup(region: string | null, groupId: string | null): Fix {
  const fix: Fix = {
    kind: 'console',
    title: L(
      `ECS 控制台 → 网络与安全 → 安全组 → ${groupId ?? '(实例的安全组)'} → 管理规则 → 入方向 → 手动添加`,
      `ECS console → Network & Security → Security Groups → ${groupId ?? '(the instance’s group)'} → Manage Rules → Inbound → Add Rule`,
    ),
  };
  if (region && groupId) fix.url = consoleUrls.securityGroupRules(region, groupId);
  return fix;
}

export function consoleInstance(region: string | null, instanceId: string | null, what: { zh: string; en: string }): Fix {
  const fix: Fix = {
    kind: 'console',
    title: L(`ECS 控制台 → 实例 → ${instanceId ?? '(实例)'} → ${what.zh}`, `ECS console → Instances → ${instanceId ?? '(instance)'} → ${what.en}`),
  };
  if (region && instanceId) fix.url = consoleUrls.instance(region, instanceId);
  return fix;
}

// ---- aliyun CLI: security groups ----------------------------------------------------------------------

export function cliAuthorize(spec: SgRuleSpec): Fix {
  const args = [
    'aliyun ecs AuthorizeSecurityGroup',
    `--RegionId ${q(spec.region ?? PLACEHOLDER.region)}`,
    `--SecurityGroupId ${q(spec.groupId ?? PLACEHOLDER.group)}`,
    `--Permissions.1.IpProtocol ${spec.protocol.toUpperCase()}`,
    `--Permissions.1.PortRange ${portRange(spec.port)}`,
    `--Permissions.1.${spec.cidr.includes(':') ? 'Ipv6SourceCidrIp' : 'SourceCidrIp'} ${q(spec.cidr)}`,
    `--Permissions.1.Policy ${spec.policy ?? 'accept'}`,
    `--Permissions.1.Priority ${spec.priority ?? 1}`,
    `--Permissions.1.Description ${q(spec.description ?? 'added by SG Doctor')}`,
  ];
  if (spec.nicType) args.push(`--Permissions.1.NicType ${spec.nicType}`);
  const fix: Fix = {
    kind: 'aliyun-cli',
    platform: 'aliyun',
    title: L(
      `添加入方向规则:${spec.protocol.toUpperCase()} ${portRange(spec.port)} 来自 ${spec.cidr}`,
      `Add an inbound rule: ${spec.protocol.toUpperCase()} ${portRange(spec.port)} from ${spec.cidr}`,
    ),
    command: args.join(' '),
  };
  const w = exposureWarning(spec.cidr);
  if (w) fix.warning = w;
  return fix;
}

/** 0.0.0.0/0 and ::/0 open the port to the whole internet: say so and name the narrower choice. */
export function exposureWarning(cidr: string): Fix['warning'] {
  if (!/^(0\.0\.0\.0\/0|::\/0)$/.test(cidr.trim())) return undefined;
  return L(
    '这会向整个互联网开放该端口。更稳妥的做法是只授权你的公网 IP（/32），或你所在网络的网段。',
    'This opens the port to the whole internet. The narrower choice is to admit only your public IP (/32), or your network’s range.',
  );
}

export function cliRevoke(region: string | null, groupId: string | null, ruleId: string, egress = false): Fix {
  return {
    kind: 'aliyun-cli',
    platform: 'aliyun',
    title: L(`删除规则 ${ruleId}`, `Delete rule ${ruleId}`),
    command: [
      `aliyun ecs ${egress ? 'RevokeSecurityGroupEgress' : 'RevokeSecurityGroup'}`,
      `--RegionId ${q(region ?? PLACEHOLDER.region)}`,
      `--SecurityGroupId ${q(groupId ?? PLACEHOLDER.group)}`,
      `--SecurityGroupRuleId.1 ${q(ruleId)}`,
    ].join(' '),
  };
}

/** ModifySecurityGroupRule with the rule id: only the given fields change. */
export function cliModifyRule(region: string | null, groupId: string | null, ruleId: string, changes: Record<string, string | number>): Fix {
  const parts = Object.entries(changes).map(([k, v]) => `--${k} ${q(String(v))}`);
  return {
    kind: 'aliyun-cli',
    platform: 'aliyun',
    title: L(`修改规则 ${ruleId}:${Object.entries(changes).map(([k, v]) => `${k}=${v}`).join(', ')}`, `Change rule ${ruleId}: ${Object.entries(changes).map(([k, v]) => `${k}=${v}`).join(', ')}`),
    command: [
      'aliyun ecs ModifySecurityGroupRule',
      `--RegionId ${q(region ?? PLACEHOLDER.region)}`,
      `--SecurityGroupId ${q(groupId ?? PLACEHOLDER.group)}`,
      `--SecurityGroupRuleId ${q(ruleId)}`,
      ...parts,
    ].join(' '),
  };
}

export function cliJoinGroup(region: string | null, instanceId: string | null, groupId: string): Fix {
  return {
    kind: 'aliyun-cli',
    platform: 'aliyun',
    title: L(`把实例加入安全组 ${groupId}`, `Attach security group ${groupId} to the instance`),
    command: `aliyun ecs JoinSecurityGroup --RegionId ${q(region ?? PLACEHOLDER.region)} --InstanceId ${q(instanceId ?? PLACEHOLDER.instance)} --SecurityGroupId ${q(groupId)}`,
  };
}

export function terraformRule(spec: SgRuleSpec, name = 'sg_doctor_allow'): Fix {
  const lines = [
    `resource "alicloud_security_group_rule" "${name}" {`,
    `  type              = "ingress"`,
    `  ip_protocol       = "${spec.protocol}"`,
    `  nic_type          = "${spec.nicType ?? 'intranet'}"`,
    `  policy            = "${spec.policy ?? 'accept'}"`,
    `  port_range        = "${portRange(spec.port)}"`,
    `  priority          = ${spec.priority ?? 1}`,
    `  security_group_id = "${spec.groupId ?? PLACEHOLDER.group}"`,
    spec.cidr.includes(':') ? `  ipv6_cidr_ip      = "${spec.cidr}"` : `  cidr_ip           = "${spec.cidr}"`,
    `}`,
  ];
  return { kind: 'terraform', platform: 'terraform', title: L('Terraform:alicloud_security_group_rule', 'Terraform: alicloud_security_group_rule'), command: lines.join('\n') };
}

/** The usual trio for "let this flow in": console, CLI, Terraform. */
export function allowFlowFixes(spec: SgRuleSpec): Fix[] {
  return [consoleSecurityGroup(spec.region, spec.groupId), cliAuthorize(spec), terraformRule(spec)];
}

// ---- aliyun CLI: instance, public address, EIP --------------------------------------------------------

export function cliStartInstance(region: string | null, instanceId: string | null): Fix {
  return {
    kind: 'aliyun-cli',
    platform: 'aliyun',
    title: L('启动实例', 'Start the instance'),
    command: `aliyun ecs StartInstance --RegionId ${q(region ?? PLACEHOLDER.region)} --InstanceId ${q(instanceId ?? PLACEHOLDER.instance)}`,
  };
}

export function cliPublicBandwidth(region: string | null, instanceId: string | null, mbps = 5): Fix {
  return {
    kind: 'aliyun-cli',
    platform: 'aliyun',
    title: L(`设置公网出带宽为 ${mbps} Mbps(0 表示没有公网带宽)`, `Set the public outbound bandwidth to ${mbps} Mbps (0 means no public bandwidth)`),
    command: `aliyun ecs ModifyInstanceNetworkSpec --RegionId ${q(region ?? PLACEHOLDER.region)} --InstanceId ${q(instanceId ?? PLACEHOLDER.instance)} --InternetMaxBandwidthOut ${mbps}`,
  };
}

export function cliAllocateAndAssociateEip(region: string | null, instanceId: string | null): Fix {
  const r = q(region ?? PLACEHOLDER.region);
  return {
    kind: 'aliyun-cli',
    platform: 'aliyun',
    title: L('申请一个弹性公网 IP 并绑定到实例(第二条命令填入第一条返回的 AllocationId)', 'Allocate an EIP and bind it to the instance (put the AllocationId returned by the first command into the second)'),
    command: [
      `aliyun vpc AllocateEipAddress --RegionId ${r} --Bandwidth 5 --InternetChargeType PayByTraffic`,
      `aliyun vpc AssociateEipAddress --RegionId ${r} --AllocationId <AllocationId> --InstanceId ${q(instanceId ?? PLACEHOLDER.instance)} --InstanceType EcsInstance`,
    ].join('\n'),
  };
}

export function cliAssociateEip(region: string | null, allocationId: string, instanceId: string | null): Fix {
  return {
    kind: 'aliyun-cli',
    platform: 'aliyun',
    title: L(`把 EIP ${allocationId} 绑定到实例`, `Bind EIP ${allocationId} to the instance`),
    command: `aliyun vpc AssociateEipAddress --RegionId ${q(region ?? PLACEHOLDER.region)} --AllocationId ${q(allocationId)} --InstanceId ${q(instanceId ?? PLACEHOLDER.instance)} --InstanceType EcsInstance`,
  };
}

export function cliEipBandwidth(region: string | null, allocationId: string, mbps = 5): Fix {
  return {
    kind: 'aliyun-cli',
    platform: 'aliyun',
    title: L(`把 EIP 带宽调到 ${mbps} Mbps`, `Raise the EIP bandwidth to ${mbps} Mbps`),
    command: `aliyun vpc ModifyEipAddressAttribute --RegionId ${q(region ?? PLACEHOLDER.region)} --AllocationId ${q(allocationId)} --Bandwidth ${mbps}`,
  };
}

// ---- aliyun CLI: network ACL --------------------------------------------------------------------------

/**
 * UpdateNetworkAclEntries REPLACES the whole list of one direction: the command lists the new entry first
 * (entries are evaluated in order, first match wins) followed by every existing custom entry unchanged.
 */
export function cliAclInsertFirst(
  region: string | null,
  acl: NetworkAcl,
  direction: 'ingress' | 'egress',
  entry: { protocol: string; port: string; cidr: string; name: string },
): Fix {
  const list = direction === 'ingress' ? 'IngressAclEntries' : 'EgressAclEntries';
  const cidrField = direction === 'ingress' ? 'SourceCidrIp' : 'DestinationCidrIp';
  const existing = (direction === 'ingress' ? acl.ingress : acl.egress).filter((e) => (e.entryType ?? 'custom') !== 'system');
  const items: string[] = [];
  const push = (n: number, e: { id?: string; name?: string; policy: string; protocol: string; port: string; cidr: string }): void => {
    if (e.id) items.push(`--${list}.${n}.NetworkAclEntryId ${q(e.id)}`);
    if (e.name) items.push(`--${list}.${n}.NetworkAclEntryName ${q(e.name)}`);
    items.push(`--${list}.${n}.Policy ${e.policy}`, `--${list}.${n}.Protocol ${e.protocol}`, `--${list}.${n}.Port ${e.port}`, `--${list}.${n}.${cidrField} ${q(e.cidr)}`);
  };
  push(1, { name: entry.name, policy: 'accept', protocol: entry.protocol, port: entry.port, cidr: entry.cidr });
  existing.forEach((e, i) =>
    push(i + 2, { id: e.id, name: e.name, policy: e.policy, protocol: e.protocol, port: e.portRange.from === -1 ? '-1/-1' : `${e.portRange.from}/${e.portRange.to}`, cidr: e.cidr }),
  );
  return {
    kind: 'aliyun-cli',
    platform: 'aliyun',
    title: L(
      `在网络 ACL ${acl.id} 的${direction === 'ingress' ? '入' : '出'}方向最前面加一条放行 ${entry.protocol} ${entry.port}(此命令会整体替换该方向的条目,已包含现有条目)`,
      `Put an accept entry for ${entry.protocol} ${entry.port} first in ${direction === 'ingress' ? 'inbound' : 'outbound'} entries of network ACL ${acl.id} (this call replaces the whole list; the existing entries are included)`,
    ),
    command: [
      'aliyun vpc UpdateNetworkAclEntries',
      `--RegionId ${q(region ?? acl.region ?? PLACEHOLDER.region)}`,
      `--NetworkAclId ${q(acl.id)}`,
      `--Update${direction === 'ingress' ? 'Ingress' : 'Egress'}AclEntries true`,
      ...items,
    ].join(' '),
  };
}

export function consoleAcl(aclId: string | null): Fix {
  return {
    kind: 'console',
    title: L(`专有网络 VPC 控制台 → 网络 ACL → ${aclId ?? '(交换机绑定的 ACL)'} → 入/出方向规则`, `VPC console → Network ACLs → ${aclId ?? '(the vSwitch’s ACL)'} → Inbound / Outbound rules`),
    url: consoleUrls.vpc(),
  };
}

// ---- OS commands (run inside the server) --------------------------------------------------------------

export function osFirewallFixes(port: number, protocol: 'tcp' | 'udp', kinds: readonly string[]): Fix[] {
  const want = new Set(kinds.length ? kinds : ['firewalld', 'ufw', 'iptables', 'windows']);
  const out: Fix[] = [];
  if (want.has('firewalld'))
    out.push({ kind: 'os-command', platform: 'firewalld', title: L(`firewalld 放行 ${port}/${protocol}`, `firewalld: open ${port}/${protocol}`), command: `sudo firewall-cmd --permanent --add-port=${port}/${protocol} && sudo firewall-cmd --reload` });
  if (want.has('ufw')) out.push({ kind: 'os-command', platform: 'ufw', title: L(`ufw 放行 ${port}/${protocol}`, `ufw: allow ${port}/${protocol}`), command: `sudo ufw allow ${port}/${protocol}` });
  if (want.has('iptables') || want.has('nftables'))
    out.push({
      kind: 'os-command',
      platform: 'iptables',
      title: L(`iptables 放行 ${port}/${protocol}(插到最前;持久化请用 iptables-save 或 netfilter-persistent)`, `iptables: accept ${port}/${protocol} first (persist with iptables-save or netfilter-persistent)`),
      command: `sudo iptables -I INPUT -p ${protocol} --dport ${port} -j ACCEPT`,
    });
  if (want.has('windows')) {
    out.push({
      kind: 'os-command',
      platform: 'windows',
      title: L(`Windows 防火墙放行 ${port}/${protocol.toUpperCase()}(PowerShell,管理员)`, `Windows Firewall: allow ${port}/${protocol.toUpperCase()} (PowerShell, as Administrator)`),
      command: `New-NetFirewallRule -DisplayName "SG Doctor ${protocol.toUpperCase()} ${port}" -Direction Inbound -Protocol ${protocol.toUpperCase()} -LocalPort ${port} -Action Allow`,
    });
    out.push({
      kind: 'os-command',
      platform: 'windows',
      title: L(`Windows 防火墙放行 ${port}/${protocol.toUpperCase()}(cmd,管理员)`, `Windows Firewall: allow ${port}/${protocol.toUpperCase()} (cmd, as Administrator)`),
      command: `netsh advfirewall firewall add rule name="SG Doctor ${protocol.toUpperCase()} ${port}" dir=in action=allow protocol=${protocol.toUpperCase()} localport=${port}`,
    });
  }
  return out;
}

/** systemd unit most likely behind a service name. */
export function unitFor(service: string | undefined, port: number): string {
  const s = service ?? '';
  if (s === 'ssh' || port === 22) return 'sshd';
  if (s === 'http' || s === 'https' || s === 'web' || port === 80 || port === 443) return 'nginx';
  if (s === 'mysql' || port === 3306) return 'mysqld';
  if (s === 'postgres' || port === 5432) return 'postgresql';
  if (s === 'redis' || port === 6379) return 'redis';
  return s || '<service>';
}

export function osServiceFixes(service: string | undefined, port: number, osType: string | undefined, unit?: string): Fix[] {
  if (osType === 'windows') {
    return [
      {
        kind: 'os-command',
        platform: 'windows',
        title: L('查看谁在监听该端口(PowerShell)', 'See what listens on the port (PowerShell)'),
        command: `Get-NetTCPConnection -State Listen -LocalPort ${port}`,
      },
    ];
  }
  const u = unit ?? unitFor(service, port);
  if (u === '<service>') {
    // A custom port whose program is not known: say it in words instead of a command with a placeholder.
    return [
      { kind: 'info', title: L(`启动应当在 ${port} 端口应答的程序，并设为开机自启（systemctl enable --now 加上它的服务名）`, `Start the program that should answer on port ${port} and enable it at boot (systemctl enable --now with its unit name)`) },
      { kind: 'os-command', platform: 'linux', title: L(`确认有进程监听 ${port}`, `Confirm something listens on ${port}`), command: `sudo ss -tlnp | grep ':${port}\\b'` },
    ];
  }
  return [
    { kind: 'os-command', platform: 'systemctl', title: L(`启动 ${u} 并设为开机自启`, `Start ${u} and enable it at boot`), command: `sudo systemctl enable --now ${u} && sudo systemctl status ${u} --no-pager` },
    { kind: 'os-command', platform: 'linux', title: L(`确认有进程监听 ${port}`, `Confirm something listens on ${port}`), command: `sudo ss -tlnp | grep ':${port}\\b'` },
  ];
}

export function sshdListenFixes(port: number): Fix[] {
  return [
    {
      kind: 'os-command',
      platform: 'sshd',
      title: L('让 sshd 监听所有地址(注释掉只绑 127.0.0.1 的 ListenAddress),检查配置后重启', 'Make sshd listen on all addresses (comment out a ListenAddress bound to 127.0.0.1), test the config, restart'),
      command: `sudo sed -i.bak -E 's/^\\s*ListenAddress\\s+(127\\.0\\.0\\.1|::1)\\s*$/# &/' /etc/ssh/sshd_config && grep -nE '^\\s*(Port|ListenAddress)' /etc/ssh/sshd_config; sudo sshd -t && sudo systemctl restart sshd`,
    },
    { kind: 'os-command', platform: 'linux', title: L(`确认 sshd 监听 0.0.0.0:${port}`, `Confirm sshd listens on 0.0.0.0:${port}`), command: `sudo ss -tlnp | grep ':${port}\\b'` },
  ];
}

export function bindAllFix(port: number, process?: string): Fix {
  return {
    kind: 'info',
    title: L(
      `${process ?? '服务'} 只监听 127.0.0.1:把监听地址改为 0.0.0.0(或实例的内网地址)后重启服务,例如 nginx 的 listen ${port};、MySQL 的 bind-address = 0.0.0.0、Redis 的 bind 0.0.0.0`,
      `${process ?? 'The service'} listens on 127.0.0.1 only: change its listen address to 0.0.0.0 (or the instance's private address) and restart it, e.g. nginx "listen ${port};", MySQL "bind-address = 0.0.0.0", Redis "bind 0.0.0.0"`,
    ),
    warning: L(
      '监听 0.0.0.0 会让所有能到达这台实例的人都能连接该服务。数据库和 Redis 尤其危险：优先只监听实例的内网地址，设置强密码（Redis 打开 protected-mode 并设置 requirepass），并在安全组里只授权你的公网 IP。',
      'Listening on 0.0.0.0 lets anyone who can reach the instance connect to the service. For databases and Redis this is dangerous: prefer the instance’s private address, set a strong password (Redis: keep protected-mode on and set requirepass), and admit only your public IP in the security group.',
    ),
  };
}

export function info(zh: string, en: string, kind: Fix['kind'] = 'info'): Fix {
  return { kind, title: L(zh, en) };
}

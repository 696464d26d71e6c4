// Fix builders. Cloud fixes are stated as provider-neutral intents (FixIntent): a check says WHAT must
// change; the provider handed to runChecks turns the intent into its API actions and renders the command,
// Terraform and console text from them (src/core/cloud/<provider>/fixes.ts). Without a provider an intent
// stays a plain-words fix. OS fixes (run inside the server) are built here: they are not cloud changes.
import type { CloudAction, FixContext, FixIntent, SimulatedFix } from '../cloud/types';
import { L } from '../i18n';
import type { Check, Fix } from './types';

/** Placeholders when a value is unknown: visible, never a plausible-looking fake. */
export const PLACEHOLDER = {
  ip: '<your-public-ip>',
  group: '<security-group-id>',
  instance: '<instance-id>',
  region: '<region-id>',
} as const;

export function hostCidr(ip: string | null): string {
  if (!ip) return `${PLACEHOLDER.ip}/32`;
  return ip.includes(':') ? `${ip}/128` : `${ip}/32`;
}

/** 0.0.0.0/0 and ::/0 open the port to the whole internet: say so and name the narrower choice. */
export function exposureWarning(cidr: string): Fix['warning'] {
  if (!/^(0\.0\.0\.0\/0|::\/0)$/.test(cidr.trim())) return undefined;
  return L(
    '这会向整个互联网开放该端口。更稳妥的做法是只授权你的公网 IP（/32），或你所在网络的网段。',
    'This opens the port to the whole internet. The narrower choice is to admit only your public IP (/32), or your network’s range.',
  );
}

// ---- cloud fixes as intents ---------------------------------------------------------------------------

export type { FixContext } from '../cloud/types';

/** A provider's fix renderer: intent → fixes with actions, renderings and their simulation. */
export type FixRenderer = (intent: FixIntent, ctx: FixContext) => Fix[];

const proto = (p: string): string => p.toUpperCase();
const portText = (port: number | null): { zh: string; en: string } => (port === null ? { zh: '所有端口', en: 'all ports' } : { zh: `端口 ${port}`, en: `port ${port}` });
const cidrText = (cidr: string | null): { zh: string; en: string } => (cidr ? { zh: cidr, en: cidr } : { zh: '你的公网 IP（/32）', en: 'your public IP (/32)' });

/** The intent in plain words: what to change, with no command (used when no provider renders it). */
export function intentWords(intent: FixIntent): Fix['title'] {
  switch (intent.kind) {
    case 'allow-flow': {
      const p = portText(intent.port);
      const c = cidrText(intent.cidr);
      const g = intent.groupId ?? '';
      return intent.direction === 'ingress'
        ? L(`在安全组 ${g || '（实例的安全组）'} 中添加一条入方向放行规则：${proto(intent.protocol)} ${p.zh}，授权对象 ${c.zh}`, `Add an inbound accept rule to security group ${g || '(the instance’s group)'}: ${proto(intent.protocol)} ${p.en} from ${c.en}`)
        : L(`在安全组 ${g || '（实例的安全组）'} 中添加一条出方向放行规则：${proto(intent.protocol)} ${p.zh}，目的 ${c.zh}`, `Add an outbound accept rule to security group ${g || '(the instance’s group)'}: ${proto(intent.protocol)} ${p.en} to ${c.en}`);
    }
    case 'revoke-rule':
      return L(`删除安全组 ${intent.groupId} 中的规则 ${intent.ruleId}`, `Delete rule ${intent.ruleId} of security group ${intent.groupId}`);
    case 'modify-rule': {
      const ch = Object.entries(intent.changes).map(([k, v]) => `${k}=${v}`).join(', ');
      return L(`修改安全组 ${intent.groupId} 中的规则 ${intent.ruleId}：${ch}`, `Change rule ${intent.ruleId} of security group ${intent.groupId}: ${ch}`);
    }
    case 'join-group':
      return L(`把实例加入安全组 ${intent.groupId}`, `Attach security group ${intent.groupId} to the instance`);
    case 'acl-allow': {
      const c = cidrText(intent.cidr);
      const acl = intent.aclId ?? '';
      return intent.direction === 'ingress'
        ? L(`在网络 ACL ${acl || '（交换机绑定的 ACL）'} 的入方向、拒绝它的条目之前，加一条放行 ${proto(intent.protocol)} ${portText(intent.port).zh}、来自 ${c.zh} 的条目`, `In the inbound entries of network ACL ${acl || '(the vSwitch’s ACL)'}, before the entry that denies, add an entry accepting ${proto(intent.protocol)} ${portText(intent.port).en} from ${c.en}`)
        : L(`在网络 ACL ${acl || '（交换机绑定的 ACL）'} 的出方向、拒绝它的条目之前，加一条放行回程的条目：${proto(intent.protocol)} 目的端口 1024–65535，目的 ${c.zh}`, `In the outbound entries of network ACL ${acl || '(the vSwitch’s ACL)'}, before the entry that denies, add an entry accepting the replies: ${proto(intent.protocol)} to ports 1024–65535 of ${c.en}`);
    }
    case 'start-instance':
      return L(`启动实例 ${intent.instanceId ?? ''}`.trim(), `Start instance ${intent.instanceId ?? ''}`.trim());
    case 'public-bandwidth':
      return intent.eipId
        ? L(`把 EIP ${intent.eipId} 的带宽调到 ${intent.mbps} Mbps`, `Raise the bandwidth of EIP ${intent.eipId} to ${intent.mbps} Mbps`)
        : L(`把实例的公网出带宽设为 ${intent.mbps} Mbps（0 表示没有公网带宽）`, `Set the instance’s public outbound bandwidth to ${intent.mbps} Mbps (0 means no public bandwidth)`);
    case 'bind-public-ip':
      return intent.eipId ? L(`把 EIP ${intent.eipId} 绑定到实例`, `Bind EIP ${intent.eipId} to the instance`) : L('给实例分配公网 IP，或申请一个弹性公网 IP（EIP）并绑定到实例', 'Give the instance a public IP, or allocate an elastic IP (EIP) and bind it to the instance');
  }
}

/** A cloud fix as a check states it: the intent and its plain words. A provider replaces it with its fixes. */
export function intentFix(intent: FixIntent): Fix {
  return { kind: 'info', title: intentWords(intent), intent };
}

/** Renders the intents among `fixes` with the provider's renderer; without one they stay plain words. */
export function renderIntents(fixes: readonly Fix[], ctx: FixContext, renderer?: FixRenderer): Fix[] {
  if (!renderer) return [...fixes];
  return fixes.flatMap((f) => (f.intent && !f.actions ? renderer(f.intent, ctx) : [f]));
}

/** One cloud fix in `--json` output: its actions, the proof, and its renderings. */
export interface CloudFixJson {
  checkId: string;
  title: Fix['title'];
  intent?: FixIntent;
  actions: CloudAction[];
  simulated: SimulatedFix;
  command?: string;
  terraform?: string;
  url?: string;
}

/**
 * The cloud fixes of the failing checks, one entry per fix (its console, CLI and Terraform renderings share
 * the same actions and are merged into one entry). Withheld fixes are not listed: they were never offered.
 */
export function cloudFixList(checks: readonly Check[]): CloudFixJson[] {
  const out: CloudFixJson[] = [];
  for (const c of checks) {
    if (c.status !== 'fail') continue;
    const byKey = new Map<string, Fix[]>();
    for (const f of c.fixes) {
      if (!f.actions) continue;
      const key = JSON.stringify([f.intent ?? null, f.actions]);
      byKey.set(key, [...(byKey.get(key) ?? []), f]);
    }
    for (const fs of byKey.values()) {
      const cli = fs.find((f) => f.kind === 'aliyun-cli');
      const tf = fs.find((f) => f.kind === 'terraform');
      const con = fs.find((f) => f.kind === 'console');
      const first = cli ?? fs[0];
      out.push({
        checkId: c.id,
        title: first.title,
        ...(first.intent ? { intent: first.intent } : {}),
        actions: first.actions ?? [],
        simulated: first.simulated ?? { decision: 'unknown' },
        ...(cli?.command ? { command: cli.command } : {}),
        ...(tf?.command ? { terraform: tf.command } : {}),
        ...(con?.url ? { url: con.url } : {}),
      });
    }
  }
  return out;
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

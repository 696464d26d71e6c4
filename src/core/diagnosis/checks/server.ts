// Inside the instance (seed 000 §三, seed 004 "Port access denied by a firewall"): is the service running
// and listening on a reachable address, does the OS firewall (firewalld/ufw/iptables/Windows Firewall)
// let the port in, is sshd configured for this port, and does the application answer. Server evidence
// (Cloud Assistant or pasted script output) decides; without it the probes and the cloud analysis allow
// an inference that is labelled as such.
import { L } from '../../i18n';
import { isLocalBlock, isLoopback, type FactsView } from '../facts';
import { bindAllFix, info, osFirewallFixes, osServiceFixes, sshdListenFixes, unitFor } from '../fixes';
import { cloudPath, controlSamePortFails } from '../path';
import type { ServerEvidence } from '../types';
import { ev, type CheckDef, type CheckOutcome } from './define';
import { bannerErrorWords } from '../words';

type Firewall = ServerEvidence['firewall'][number];

/** Does this firewall let the port in? Keys may be "22/tcp" or "22". */
export function firewallAllows(fw: Firewall, port: number, protocol: string): boolean | null {
  const k = [`${port}/${protocol}`, `${port}`, `${protocol}/${port}`];
  for (const key of k) if (key in fw.allowsPort) return fw.allowsPort[key];
  if (fw.active === false || fw.kind === 'none') return true;
  if (fw.defaultInbound === 'accept') return true;
  return null;
}

export function listenersOn(v: FactsView) {
  return (v.facts.server?.listeners ?? []).filter((l) => l.port === v.port && l.protocol === v.protocol);
}

const isSsh = (v: FactsView): boolean => v.facts.target.service === 'ssh' || (v.port === 22 && !v.facts.target.service);

const reachedHost = (v: FactsView): boolean => v.tcp?.state === 'closed' && v.tcp.reason === 'conn-refused';
const hostProhibited = (v: FactsView): boolean => {
  if (!v.tcp) return false;
  return v.tcp.reason === 'host-unreach' || (v.tcp.reason === 'admin-prohibited' && !isLocalBlock(v.tcp));
};

export const osListening: CheckDef = {
  id: 'os.listening',
  layer: 'server',
  title: L('服务在运行并监听该端口', 'The service runs and listens on the port'),
  explanation: L('网络全通时,端口上没有进程监听,系统会回 RST(连接被拒绝)。用 ss -tlnp 查看监听。', 'With the network open, a port nobody listens on answers with a RST (connection refused). `ss -tlnp` shows the listeners.'),
  needs: ['probes', 'rules', 'server'],
  run(v) {
    const osType = v.facts.server?.os ?? v.instance?.osType;
    if (v.facts.server) {
      const ls = listenersOn(v);
      const evidence = [ev('server', '/server/listeners', ls.map((l) => `${l.address}:${l.port} ${l.process ?? ''}`).join('; ') || `nothing on ${v.port}/${v.protocol}`)];
      if (ls.length) return { status: 'pass', condition: 'listening', finding: L(`${ls.map((l) => `${l.process ?? '进程'} 监听 ${l.address}:${l.port}`).join(';')}`, ls.map((l) => `${l.process ?? 'a process'} listens on ${l.address}:${l.port}`).join('; ')), evidence };
      return { status: 'fail', condition: 'not-listening', finding: L(`服务器上没有进程监听 ${v.port}/${v.protocol}`, `Nothing listens on ${v.port}/${v.protocol} on the server`), evidence, fixes: osServiceFixes(v.facts.target.service, v.port, osType) };
    }
    if (!v.tcp) return { status: 'unknown', condition: 'no-probes', finding: L('没有探测数据,也没有服务器证据', 'No probe data and no server evidence') };
    const evidence = [ev('probe', `/probes/tcp/${v.tcpIndex}`, `${v.tcp.state} (${v.tcp.reason})`)];
    if (v.tcp.state === 'open') return { status: 'pass', condition: 'inferred-open', finding: L('TCP 连接成功,说明有进程在监听', 'The TCP connection succeeded: something listens'), evidence };
    if (reachedHost(v) && cloudPath(v).state !== 'deny') {
      return {
        status: 'fail',
        condition: 'inferred-from-refused',
        finding: L('连接被拒绝(RST):数据包到达了主机,但端口上没有服务监听(或防火墙 REJECT)', 'Connection refused (RST): packets reached the host, but nothing listens on the port (or a firewall REJECTs)'),
        evidence,
        fixes: osServiceFixes(v.facts.target.service, v.port, osType),
      };
    }
    return { status: 'unknown', condition: 'not-reached', finding: L('连接没有到达服务;需要服务器上的证据(云助手或粘贴检查脚本输出)', 'The connection did not reach the service; server evidence is needed (Cloud Assistant or the pasted script output)'), evidence };
  },
};

export const osBindAddress: CheckDef = {
  id: 'os.bind-address',
  layer: 'server',
  title: L('服务监听在可从外部访问的地址上', 'The service listens on an externally reachable address'),
  explanation: L('只监听 127.0.0.1/::1 的服务从外部连接会被拒绝;应监听 0.0.0.0(或实例内网地址)。', 'A service bound to 127.0.0.1/::1 refuses outside connections; it must listen on 0.0.0.0 (or the instance’s private address).'),
  needs: ['probes', 'server'],
  run(v) {
    if (!v.facts.server) {
      if (v.tcp?.state === 'open') return { status: 'pass', condition: 'inferred-open', finding: L('外部能连上,监听地址没问题', 'Reachable from outside: the listen address is fine') };
      return { status: 'unknown', condition: 'no-server-evidence', finding: L('需要服务器上的监听列表(ss -tlnp)才能判断', 'The server’s listener list (ss -tlnp) is needed to tell') };
    }
    const ls = listenersOn(v);
    if (!ls.length) return { status: 'skipped', condition: 'no-listener', finding: L('端口上没有监听', 'Nothing listens on the port') };
    const evidence = [ev('server', '/server/listeners', ls.map((l) => `${l.address}:${l.port}`).join(', '))];
    if (ls.every((l) => isLoopback(l.address))) {
      return {
        status: 'fail',
        condition: 'loopback-only',
        finding: L(`${ls[0].process ?? '服务'} 只监听 ${ls.map((l) => l.address).join(', ')}:${v.port},外部无法连接`, `${ls[0].process ?? 'The service'} listens on ${ls.map((l) => l.address).join(', ')}:${v.port} only; outside clients cannot connect`),
        evidence,
        fixes: isSsh(v) ? sshdListenFixes(v.port) : [bindAllFix(v.port, ls[0].process)],
      };
    }
    return { status: 'pass', condition: 'reachable-address', finding: L(`监听 ${ls.map((l) => l.address).join(', ')}`, `Listening on ${ls.map((l) => l.address).join(', ')}`), evidence };
  },
};

export const osFirewall: CheckDef = {
  id: 'os.firewall',
  layer: 'server',
  title: L('系统防火墙放行该端口', 'The OS firewall lets the port in'),
  explanation: L(
    '安全组放行后,实例内的 firewalld/ufw/iptables/Windows 防火墙仍可能拦截:DROP 表现为超时,firewalld 默认的 REJECT 表现为 “No route to host”(icmp-host-prohibited)。',
    'With the group open, firewalld/ufw/iptables/Windows Firewall inside the instance can still block: DROP looks like a timeout, firewalld’s default REJECT like "No route to host" (icmp-host-prohibited).',
  ),
  needs: ['probes', 'rules', 'server'],
  run(v): CheckOutcome {
    const ev0 = v.tcp ? [ev('probe', `/probes/tcp/${v.tcpIndex}`, `${v.tcp.state} (${v.tcp.reason})`)] : [];
    if (v.facts.server) {
      const fws = v.facts.server.firewall;
      const blocking = fws.filter((fw) => fw.active !== false && firewallAllows(fw, v.port, v.protocol) === false);
      const evidence = fws.map((fw, i) => ev('server', `/server/firewall/${i}`, `${fw.kind} active=${String(fw.active)} ${v.port}=${String(firewallAllows(fw, v.port, v.protocol))}`));
      if (blocking.length) {
        return {
          status: 'fail',
          condition: `blocks:${blocking.map((b) => b.kind).join(',')}`,
          finding: L(`${blocking.map((b) => b.kind).join('、')} 没有放行 ${v.port}/${v.protocol}${blocking[0].defaultInbound ? `(默认 ${blocking[0].defaultInbound})` : ''}`, `${blocking.map((b) => b.kind).join(', ')} does not allow ${v.port}/${v.protocol}${blocking[0].defaultInbound ? ` (default ${blocking[0].defaultInbound})` : ''}`),
          evidence: [...evidence, ...ev0],
          fixes: osFirewallFixes(v.port, v.protocol, blocking.map((b) => b.kind)),
        };
      }
      if (fws.length && fws.every((fw) => fw.active === false || fw.kind === 'none' || firewallAllows(fw, v.port, v.protocol) === true)) {
        return { status: 'pass', condition: 'allows', finding: L('系统防火墙放行(或未启用)', 'The OS firewall allows the port (or is off)'), evidence };
      }
      if (fws.length) return { status: 'warn', condition: 'undecided', finding: L('防火墙规则无法自动判断,请查看证据', 'The firewall rules could not be decided automatically; see the evidence'), evidence };
    }
    if (!v.tcp) return { status: 'unknown', condition: 'no-probes', finding: L('没有探测数据', 'No probe data') };
    if (v.tcp.state === 'open') return { status: 'pass', condition: 'inferred-open', finding: L('连接成功,防火墙放行', 'The connection succeeded: the firewall lets it in'), evidence: ev0 };
    const path = cloudPath(v);
    if (hostProhibited(v) && path.state !== 'deny') {
      return {
        status: 'fail',
        condition: 'inferred-reject-host-prohibited',
        finding: L('收到 ICMP 主机禁止(host-prohibited):这是 firewalld/iptables REJECT 的默认回应,安全组只会静默丢弃', 'ICMP host-prohibited came back: the default answer of a firewalld/iptables REJECT; security groups only drop silently'),
        evidence: ev0,
        fixes: osFirewallFixes(v.port, v.protocol, ['firewalld', 'iptables']),
      };
    }
    if (v.tcp.state === 'filtered' && v.tcp.reason === 'no-response' && path.state === 'allow' && !controlSamePortFails(v)) {
      return {
        status: 'fail',
        condition: 'inferred-silent-drop',
        finding: L('云上各层都放行、实例运行且有公网地址,连接却超时:最可能是系统防火墙 DROP(如 ufw 默认拒绝)', 'Every cloud layer allows, the instance runs with a public address, yet the connection times out: most likely an OS firewall DROP (e.g. ufw’s default deny)'),
        evidence: ev0,
        fixes: osFirewallFixes(v.port, v.protocol, v.instance?.osType === 'windows' ? ['windows'] : ['ufw', 'firewalld', 'iptables']),
      };
    }
    return { status: 'unknown', condition: 'not-determined', finding: L('无法从外部判断;需要服务器上的防火墙状态', 'Cannot be told from outside; the server’s firewall state is needed'), evidence: ev0 };
  },
};

export const osSshd: CheckDef = {
  id: 'os.sshd-config',
  layer: 'server',
  title: L('sshd 配置(Port、ListenAddress)', 'sshd configuration (Port, ListenAddress)'),
  explanation: L('sshd_config 中 Port 改了(如 2222)时安全组也要同步改;ListenAddress 只绑 127.0.0.1 时外部连不上;PermitRootLogin no 时 root 无法登录。', 'If sshd_config moved Port (e.g. 2222) the group must follow; a ListenAddress of 127.0.0.1 refuses outside clients; PermitRootLogin no refuses root.'),
  needs: ['server'],
  run(v) {
    if (!isSsh(v)) return { status: 'skipped', condition: 'not-ssh', finding: L('目标不是 SSH', 'The target is not SSH') };
    const sshd = v.facts.server?.sshd;
    if (!sshd) return { status: 'unknown', condition: 'no-sshd-evidence', finding: L('没有 sshd 配置证据', 'No sshd configuration evidence') };
    const evidence = [ev('server', '/server/sshd', `Port ${sshd.ports.join(',')} ListenAddress ${sshd.listenAddresses.join(',') || '(all)'} PermitRootLogin ${sshd.permitRootLogin ?? '-'}`)];
    if (sshd.ports.length && !sshd.ports.includes(v.port)) {
      return { status: 'fail', condition: 'port-differs', finding: L(`sshd 监听端口是 ${sshd.ports.join(', ')},不是 ${v.port}`, `sshd listens on port ${sshd.ports.join(', ')}, not ${v.port}`), evidence, fixes: [info(`连接 ${sshd.ports[0]} 端口(并在安全组放行它),或把 sshd_config 的 Port 改回 ${v.port}`, `Connect to port ${sshd.ports[0]} (and open it in the group), or set Port back to ${v.port} in sshd_config`)] };
    }
    if (sshd.listenAddresses.length && sshd.listenAddresses.every((a) => isLoopback(a.replace(/:\d+$/, '')))) {
      return { status: 'fail', condition: 'listen-loopback', finding: L(`ListenAddress 只有 ${sshd.listenAddresses.join(', ')}`, `ListenAddress is only ${sshd.listenAddresses.join(', ')}`), evidence, fixes: sshdListenFixes(v.port) };
    }
    if (sshd.permitRootLogin === 'no') return { status: 'warn', condition: 'root-login-disabled', finding: L('PermitRootLogin no:root 用户不能登录(网络是通的)', 'PermitRootLogin no: root cannot log in (the network is fine)'), evidence };
    return { status: 'pass', condition: 'ok', finding: L(`sshd 在 ${sshd.ports.join(', ') || '22'} 端口监听`, `sshd listens on ${sshd.ports.join(', ') || '22'}`), evidence };
  },
};

export const osServiceRunning: CheckDef = {
  id: 'os.service-running',
  layer: 'server',
  title: L('服务进程处于运行状态', 'The service unit is active'),
  explanation: L('systemctl status 显示服务是否在运行;崩溃或未设开机自启的服务重启后不会自己起来。', '`systemctl status` shows whether the service runs; a crashed or not-enabled service does not come back after a reboot.'),
  needs: ['server'],
  run(v) {
    const services = v.facts.server?.services;
    if (!services) return { status: 'unknown', condition: 'no-server-evidence', finding: L('没有服务器证据', 'No server evidence') };
    const unit = unitFor(v.facts.target.service, v.port);
    const names = unit === 'sshd' ? ['sshd', 'ssh'] : unit === 'nginx' ? ['nginx', 'httpd', 'apache2', 'caddy'] : [unit];
    const s = services.filter((x) => names.includes(x.name.replace(/\.service$/, '')));
    if (!s.length && unit === '<service>') return { status: 'skipped', condition: 'unit-not-reported', finding: L(`不知道 ${v.port} 端口对应哪个服务，无法查看它的状态`, `Which service should answer on port ${v.port} is not known, so its state cannot be read`) };
    if (!s.length) return { status: 'skipped', condition: 'unit-not-reported', finding: L(`证据里没有 ${names.join('/')} 的状态`, `The evidence does not report ${names.join('/')}`) };
    const evidence = s.map((x) => ev('server', '/server/services', `${x.name} ${x.state}`));
    if (s.some((x) => x.active === true)) return { status: 'pass', condition: 'active', finding: L(`${s.filter((x) => x.active).map((x) => x.name).join(', ')} 运行中`, `${s.filter((x) => x.active).map((x) => x.name).join(', ')} active`), evidence };
    if (s.every((x) => x.active === false)) return { status: 'fail', condition: 'inactive', finding: L(`${s.map((x) => `${x.name}(${x.state})`).join(', ')} 没有运行`, `${s.map((x) => `${x.name} (${x.state})`).join(', ')} not running`), evidence, fixes: osServiceFixes(v.facts.target.service, v.port, v.facts.server?.os, s[0].name.replace(/\.service$/, '')) };
    return { status: 'unknown', condition: 'state-unknown', finding: L('服务状态未知', 'Service state unknown'), evidence };
  },
};

/** Protocols where the server speaks first: silence after connect means the application is stuck. */
const SERVER_SPEAKS_FIRST = new Set(['ssh', 'ftp', 'smtp', 'mysql', 'pop3', 'imap']);

export const appResponds: CheckDef = {
  id: 'app.responds',
  layer: 'server',
  title: L('应用正常应答', 'The application answers'),
  explanation: L('端口能连上但应用不应答、马上断开或返回错误(HTTP 5xx、TLS 错误)时,网络没有问题,要看应用本身(日志、配置、上游)。', 'When the port connects but the application stays silent, hangs up or returns an error (HTTP 5xx, TLS failure), the network is fine: look at the application (logs, config, upstreams).'),
  needs: ['probes'],
  run(v): CheckOutcome {
    const t = v.tcp;
    if (!t) return { status: 'unknown', condition: 'no-probes', finding: L('没有探测数据', 'No probe data') };
    if (t.state !== 'open') return { status: 'skipped', condition: 'not-connected', finding: L('连接没有建立', 'No connection was established') };
    const b = t.banner;
    const evidence = [ev('probe', `/probes/tcp/${v.tcpIndex}/banner`, b ? `${b.kind} ${b.sshIdent ?? b.http?.statusLine ?? b.firstBytes ?? b.error ?? ''}`.trim() : 'no banner read')];
    if (!b) return { status: 'unknown', condition: 'no-banner', finding: L('没有读取应用应答', 'The application’s answer was not read'), evidence };
    const svc = v.facts.target.service ?? t.service ?? (v.port === 22 ? 'ssh' : undefined);
    if (b.sshIdent) return { status: 'pass', condition: 'ssh-ident', finding: L(`SSH 服务应答:${b.sshIdent}`, `SSH answers: ${b.sshIdent}`), evidence };
    if (b.http) {
      const code = b.http.statusCode;
      if (code >= 500) return { status: 'fail', condition: 'http-5xx', finding: L(`HTTP 返回 ${b.http.statusLine}:应用或其上游出错`, `HTTP answers ${b.http.statusLine}: the application or its upstream fails`), evidence, fixes: [info('查看 Web 服务和应用日志(如 /var/log/nginx/error.log),确认上游/后端进程在运行', 'Read the web server and application logs (e.g. /var/log/nginx/error.log); check the upstream/back-end process runs')] };
      return { status: 'pass', condition: `http-${code}`, finding: L(`HTTP 应答:${b.http.statusLine}`, `HTTP answers: ${b.http.statusLine}`), evidence };
    }
    if (b.tls) {
      if (b.tls.expired) return { status: 'warn', condition: 'tls-expired', finding: L(`TLS 证书已过期(${b.tls.validTo ?? ''})`, `The TLS certificate has expired (${b.tls.validTo ?? ''})`), evidence };
      return { status: 'pass', condition: 'tls', finding: L(`TLS 握手成功(${b.tls.protocol ?? ''})`, `TLS handshake succeeded (${b.tls.protocol ?? ''})`), evidence };
    }
    if (b.error) {
      const silent = /timeout/i.test(b.error);
      if (svc && SERVER_SPEAKS_FIRST.has(svc) && (silent || /reset|closed|eof/i.test(b.error))) {
        const w = bannerErrorWords(b.error);
        return { status: 'fail', condition: silent ? 'silent-after-connect' : 'closed-after-connect', finding: L(`连接建立后 ${svc} 没有发出问候（${w['zh-CN']}）`, `After connecting, ${svc} sent no greeting (${w.en})`), evidence, fixes: osServiceFixes(v.facts.target.service, v.port, v.instance?.osType) };
      }
      const w = bannerErrorWords(b.error);
      if (/reset|closed|eof/i.test(b.error)) return { status: 'fail', condition: 'closed-after-connect', finding: L(`连接建立后被对方关闭（${w['zh-CN']}）`, `The server closed the connection right after it opened (${w.en})`), evidence };
      return { status: 'warn', condition: 'no-answer', finding: L(`应用没有应答（${w['zh-CN']}）`, `The application did not answer (${w.en})`), evidence };
    }
    if (b.bytesRead > 0 || b.detail) return { status: 'pass', condition: 'answered', finding: L(`应用应答:${b.detail ?? b.firstBytes ?? ''}`, `The application answers: ${b.detail ?? b.firstBytes ?? ''}`), evidence };
    if (svc && SERVER_SPEAKS_FIRST.has(svc)) return { status: 'fail', condition: 'silent-after-connect', finding: L(`${svc} 连接后没有发出问候`, `${svc} sent no greeting after connect`), evidence };
    return { status: 'pass', condition: 'connected', finding: L('连接建立(该协议由客户端先发言)', 'Connected (the client speaks first in this protocol)'), evidence };
  },
};

export const SERVER_CHECKS: CheckDef[] = [osListening, osBindAddress, osFirewall, osSshd, osServiceRunning, appResponds];

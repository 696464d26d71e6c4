// Inside the instance (seed 000 §三, seed 004 "Port access denied by a firewall"): is the service running
// and listening on a reachable address, does the OS firewall (firewalld/ufw/iptables/Windows Firewall)
// let the port in, is sshd configured for this port, and does the application answer. Server evidence
// (Cloud Assistant or pasted script output) decides; without it the probes and the cloud analysis allow
// an inference that is labelled as such.
import { L } from '../../i18n';
import { isLoopback, type FactsView } from '../facts';
import { bindAllFix, info, osFirewallFixes, osServiceFixes, sshdListenFixes, unitFor } from '../fixes';
import { clientNetworkLetsPortOut, cloudPremises, combine, premiseEvidence, refusedByTarget, rejectFromTarget, silentDropAtHostPremises, silentTimeout, type PremiseSummary } from '../premises';
import { evaluateFirewallFlow, type Dependency, type FlowDecision } from '../server-evidence/flow';
import type { EvidenceRef, Localized, ServerEvidence } from '../types';
import { appResponds } from './app';
import { ev, type CheckDef, type CheckOutcome } from './define';

type Firewall = ServerEvidence['firewall'][number];

/**
 * Does this firewall let a new connection from `sourceIp` (the client's public IP as the server sees it;
 * null when unknown) to the port in? Evaluated on the firewall's own rules; evidence saved before the rules
 * were kept falls back to its per-port summary.
 */
export function firewallAllows(fw: Firewall, port: number, protocol: string, sourceIp: string | null = null): boolean | null {
  const d = evaluateFirewallFlow(fw, { sourceIp, protocol: protocol === 'udp' ? 'udp' : 'tcp', port });
  return d.decision === 'allow' ? true : d.decision === 'deny' ? false : null;
}

const DEPENDENCY_WORDS: Record<Dependency, Localized> = {
  source: L('来源地址', 'the source address'),
  set: L('IP 集合（ipset / nft set）的内容', 'the contents of an IP set (ipset / nft set)'),
  interface: L('流量进入的网卡', 'the network interface the traffic arrives on'),
  destination: L('目标地址', 'the destination address'),
  rate: L('连接频率限制', 'a connection rate limit'),
  'source-port': L('客户端的源端口', 'the client’s source port'),
  profile: L('公网网卡使用的网络配置文件', 'which network profile the public interface uses'),
  option: L('SG Doctor 不解读的匹配条件', 'a match condition SG Doctor does not read'),
  incomplete: L('输出中缺失的规则', 'rules missing from the output'),
};

const ACTION_WORDS: Record<string, Localized> = { accept: L('放行', 'accepts'), drop: L('丢弃', 'drops'), reject: L('拒绝', 'rejects') };

function decidedText(d: FlowDecision): string {
  const by = d.decidedBy;
  if (!by) return '';
  return by.kind === 'rule' && by.chain && !by.text.includes(by.chain) ? `${by.chain}: ${by.text}` : by.text;
}

function firewallEvidence(fw: Firewall, d: FlowDecision, sourceIp: string | null): string {
  const from = sourceIp ?? 'unknown source';
  const head = `${fw.kind} for ${from}: ${d.decision}${d.decidedBy ? ` by ${decidedText(d)}` : ''}`;
  const may = d.mayMatch.length ? `; may match: ${d.mayMatch.slice(0, 3).join(' | ')}${d.mayMatch.length > 3 ? ' …' : ''}` : '';
  const cand = d.decision === 'unknown' && d.candidates?.length ? `; possible endings: ${d.candidates.slice(0, 4).map((c) => `${c.action} by ${c.by.text}`).join(' | ')}` : '';
  return `${head}${may}${cand}`;
}

export function listenersOn(v: FactsView) {
  return (v.facts.server?.listeners ?? []).filter((l) => l.port === v.port && l.protocol === v.protocol);
}

const isSsh = (v: FactsView): boolean => v.facts.target.service === 'ssh' || (v.port === 22 && !v.facts.target.service);


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
    const refused = refusedByTarget(v);
    if (refused.state !== 'true') return { status: 'unknown', condition: 'not-reached', finding: L('连接没有到达服务;需要服务器上的证据(云助手或粘贴检查脚本输出)', 'The connection did not reach the service; server evidence is needed (Cloud Assistant or the pasted script output)'), evidence };
    // A RST shows that a host answered; it speaks about the instance only if nothing says otherwise.
    const inference = combine([refused], [...cloudPremises(v), clientNetworkLetsPortOut(v)]);
    if (inference.state !== 'true') return inconclusiveInference(inference, evidence);
    return {
      status: 'fail',
      condition: 'inferred-from-refused',
      finding: L('连接被拒绝(RST):数据包到达了主机,但端口上没有服务监听(或防火墙 REJECT)', 'Connection refused (RST): packets reached the host, but nothing listens on the port (or a firewall REJECTs)'),
      evidence: [...evidence, ...premiseEvidence(inference)],
      fixes: osServiceFixes(v.facts.target.service, v.port, osType),
    };
  },
};

/** An inference whose premises do not all hold: say which one, never fail. */
function inconclusiveInference(inference: PremiseSummary, evidence: EvidenceRef[]): CheckOutcome {
  const w = inference.weakest!;
  return {
    status: 'unknown',
    condition: `premise-${inference.state}:${w.id}`,
    finding: L(`无法从外部推断:${w.text['zh-CN']}`, `Cannot be inferred from outside: ${w.text.en}`),
    evidence: [...evidence, ...premiseEvidence(inference)],
  };
}

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
      // Evaluated for this flow: the client's public IP as the server sees it, the protocol and the port.
      // An unknown public IP is null here (a sourceless cloud flow carries an empty sourceIp).
      const sourceIp = v.flow?.sourceIp || v.egressIp || null;
      const fws = v.facts.server.firewall;
      const evals = fws.map((fw, i) => ({ fw, i, d: evaluateFirewallFlow(fw, { sourceIp, protocol: v.protocol, port: v.port }) }));
      const evidence = evals.map(({ fw, i, d }) => ev('server', `/server/firewall/${i}`, firewallEvidence(fw, d, sourceIp)));
      const flowText = L(`${sourceIp ? `来自 ${sourceIp} 的` : ''} ${v.port}/${v.protocol} 连接`.trim(), `${v.port}/${v.protocol} connections${sourceIp ? ` from ${sourceIp}` : ''}`);
      const blocking = evals.filter((x) => x.d.decision === 'deny');
      if (blocking.length) {
        const first = blocking[0];
        const act = ACTION_WORDS[first.d.action ?? 'drop'];
        return {
          status: 'fail',
          condition: `blocks:${blocking.map((b) => b.fw.kind).join(',')}`,
          finding: L(
            `${first.fw.kind} ${act['zh-CN']}${sourceIp ? '' : ' '}${flowText['zh-CN']}：${decidedText(first.d)}`,
            `${first.fw.kind} ${act.en} ${flowText.en}: ${decidedText(first.d)}`,
          ),
          evidence: [...evidence, ...ev0],
          fixes: osFirewallFixes(v.port, v.protocol, blocking.map((b) => b.fw.kind)),
        };
      }
      // iptables/nftables output cut to fit the output limit (ufw's chains run to hundreds of lines) leaves
      // those entries undecided; ufw's and firewalld's own listings are complete, and their decision stands
      // for the rules they generate.
      const frontend = evals.some((x) => (x.fw.kind === 'ufw' || x.fw.kind === 'firewalld') && x.fw.active === true && x.d.decision !== 'unknown');
      const undecided = evals.filter((x) => x.d.decision === 'unknown' && !(frontend && (x.fw.kind === 'iptables' || x.fw.kind === 'nftables') && x.d.dependsOn.every((d) => d === 'incomplete')));
      if (fws.length && !undecided.length) {
        const deciding = evals.filter((x) => x.fw.active !== false && x.fw.kind !== 'none' && x.d.decision === 'allow');
        if (!deciding.length) return { status: 'pass', condition: 'allows', finding: L('系统防火墙未启用', 'The OS firewall is off'), evidence };
        const list = deciding.map((x) => `${x.fw.kind}（${decidedText(x.d)}）`);
        return {
          status: 'pass',
          condition: 'allows',
          finding: L(`系统防火墙放行${flowText['zh-CN']}：${list.join('；')}`, `The OS firewall lets ${flowText.en} in: ${deciding.map((x) => `${x.fw.kind} (${decidedText(x.d)})`).join('; ')}`),
          evidence,
        };
      }
      if (undecided.length) {
        const deps = [...new Set(undecided.flatMap((x) => x.d.dependsOn))];
        const kinds = undecided.map((x) => x.fw.kind).join('、');
        const kindsEn = undecided.map((x) => x.fw.kind).join(', ');
        if (deps.includes('source') && !sourceIp) {
          return {
            status: 'unknown',
            condition: 'depends-on-source',
            finding: L(
              `${kinds} 是否放行取决于来源地址，而你的公网 IP 未知：填写服务器看到的你的公网 IP 后再诊断`,
              `Whether ${kindsEn} lets it in depends on the source address, and your public IP is unknown: give your public IP as the server sees it and diagnose again`,
            ),
            evidence: [...evidence, ...ev0],
          };
        }
        const words = deps.map((d) => DEPENDENCY_WORDS[d]);
        return {
          status: 'unknown',
          condition: 'undecided',
          finding: L(
            `无法确定 ${kinds} 是否放行${flowText['zh-CN']}：结果取决于${words.length ? words.map((w) => w['zh-CN']).join('、') : '无法解读的规则'}`,
            `Cannot tell whether ${kindsEn} lets ${flowText.en} in: it depends on ${words.length ? words.map((w) => w.en).join(', ') : 'rules that could not be read'}`,
          ),
          evidence: [...evidence, ...ev0],
        };
      }
    }
    if (!v.tcp) return { status: 'unknown', condition: 'no-probes', finding: L('没有探测数据', 'No probe data') };
    if (v.tcp.state === 'open') return { status: 'pass', condition: 'inferred-open', finding: L('连接成功,防火墙放行', 'The connection succeeded: the firewall lets it in'), evidence: ev0 };
    const reject = rejectFromTarget(v);
    if (reject.state === 'true') {
      // Security groups and ACLs only drop silently: an ICMP reject from the target is the host's firewall,
      // unless the configuration says the packets could not even have reached it.
      const inference = combine([reject], [...cloudPremises(v), clientNetworkLetsPortOut(v)]);
      if (inference.state !== 'true') return inconclusiveInference(inference, ev0);
      return {
        status: 'fail',
        condition: 'inferred-reject-host-prohibited',
        finding: L('收到 ICMP 主机禁止(host-prohibited):这是 firewalld/iptables REJECT 的默认回应,安全组只会静默丢弃', 'ICMP host-prohibited came back: the default answer of a firewalld/iptables REJECT; security groups only drop silently'),
        evidence: [...ev0, ...premiseEvidence(inference)],
        fixes: osFirewallFixes(v.port, v.protocol, ['firewalld', 'iptables']),
      };
    }
    if (silentTimeout(v).state === 'true') {
      // A timeout is a silent drop somewhere. It points at the instance's firewall only when every other
      // place that drops silently is positively ruled out.
      const inference = combine(silentDropAtHostPremises(v));
      if (inference.state !== 'true') return inconclusiveInference(inference, ev0);
      return {
        status: 'fail',
        condition: 'inferred-silent-drop',
        finding: L('云上各层都放行、实例运行且有公网地址,连接却超时:最可能是系统防火墙 DROP(如 ufw 默认拒绝)', 'Every cloud layer allows, the instance runs with a public address, yet the connection times out: most likely an OS firewall DROP (e.g. ufw’s default deny)'),
        evidence: [...ev0, ...premiseEvidence(inference)],
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

// app.responds lives in ./app.ts (the protocol-aware application check); it keeps its place in this list.
export { appResponds };

export const SERVER_CHECKS: CheckDef[] = [osListening, osBindAddress, osFirewall, osSshd, osServiceRunning, appResponds];

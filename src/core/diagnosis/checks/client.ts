// The user's side (seed 000 §四 客户端问题): wrong DNS, outbound port blocked where the user is (control
// probe), an egress IP other than the one the rule admits (NAT, proxy, changed dynamic IP), the local
// firewall, proxies and VPN tunnels.
import { L } from '../../i18n';
import { parseIp } from '../../rules/cidr';
import { isLocalBlock, type FactsView } from '../facts';
import { info } from '../fixes';
import { ev, type CheckDef, type CheckOutcome } from './define';
import { allowFlowFixes, findRule, relevantMisses } from './sg';

const norm = (a: string): string => parseIp(a)?.text ?? a;

/** The name's answers versus the instance's addresses; null when it cannot be compared. */
export function dnsComparison(v: FactsView): { answers: string[]; expected: string[]; matches: boolean } | null {
  const dns = v.facts.probes?.dns;
  if (!dns || dns.isIpLiteral) return null;
  const answers = (dns.addresses.length ? dns.addresses : [...(dns.system?.a ?? []), ...(dns.system?.aaaa ?? [])]).map(norm);
  const expected = dns.expected ? [norm(dns.expected.address)] : v.publicAddresses.length ? v.publicAddresses : v.privateAddresses;
  if (!expected.length || !answers.length) return null;
  return { answers, expected, matches: answers.some((a) => expected.includes(a)) };
}

export const clientDns: CheckDef = {
  id: 'client.dns',
  layer: 'client',
  title: L('域名解析到实例的地址', 'The name resolves to the instance’s address'),
  explanation: L('域名解析错误(旧记录、hosts 文件、DNS 劫持、CDN)会让你连到别的机器;用 IP 直连可排除域名问题。', 'A wrong answer (stale record, hosts file, hijacking, a CDN) sends you to another machine; connecting to the IP rules the name out.'),
  needs: ['probes', 'cloud'],
  run(v) {
    const dns = v.facts.probes?.dns;
    if (!v.facts.probes) return { status: 'unknown', condition: 'no-probes', finding: L('没有探测数据', 'No probe data') };
    if (!dns || dns.isIpLiteral) return { status: 'skipped', condition: 'ip-literal', finding: L('目标是 IP 地址,不涉及域名解析', 'The target is an IP address; no name to resolve') };
    const evidence = [ev('probe', '/probes/dns', `${dns.host} → ${dns.addresses.join(', ') || (dns.system?.error ?? 'no answer')}`)];
    if (dns.addresses.length === 0) {
      return { status: 'fail', condition: 'no-answer', finding: L(`${dns.host} 解析不出地址(${dns.system?.error ?? '无应答'})`, `${dns.host} does not resolve (${dns.system?.error ?? 'no answer'})`), evidence, fixes: [info('在域名解析控制台检查 A 记录;或先用 IP 直连', 'Check the A record in your DNS console, or connect by IP meanwhile')] };
    }
    const cmp = dnsComparison(v);
    if (cmp && !cmp.matches) {
      return {
        status: 'fail',
        condition: 'resolves-elsewhere',
        finding: L(`${dns.host} 解析到 ${cmp.answers.join(', ')},而实例的地址是 ${cmp.expected.join(', ')}`, `${dns.host} resolves to ${cmp.answers.join(', ')}, but the instance’s address is ${cmp.expected.join(', ')}`),
        evidence: [...evidence, ev('cloud', '/cloud/snapshot/instance', `instance addresses: ${cmp.expected.join(', ')}`)],
        fixes: [
          info(`把 ${dns.host} 的 A 记录改为 ${cmp.expected[0]};检查本机 hosts 文件(/etc/hosts、C:\\Windows\\System32\\drivers\\etc\\hosts)`, `Point the A record of ${dns.host} at ${cmp.expected[0]}; check the local hosts file (/etc/hosts, C:\\Windows\\System32\\drivers\\etc\\hosts)`, 'client'),
          { kind: 'client', title: L('确认解析结果', 'Check what the name resolves to'), command: `nslookup ${dns.host}` },
        ],
      };
    }
    if (dns.expected?.verdict === 'resolvers-disagree') return { status: 'warn', condition: 'resolvers-disagree', finding: L(`不同 DNS 服务器给出不同答案:${dns.expected.detail}`, `Resolvers disagree: ${dns.expected.detail}`), evidence };
    if (dns.expected?.verdict === 'cdn-or-proxy') return { status: 'warn', condition: 'cdn-or-proxy', finding: L(`域名经 CNAME 指向 CDN/代理:${dns.expected.detail}`, `The name goes through a CNAME to a CDN/proxy: ${dns.expected.detail}`), evidence };
    if (!cmp) return { status: 'unknown', condition: 'not-compared', finding: L(`${dns.host} 解析到 ${dns.addresses.join(', ')}(没有实例地址可比对)`, `${dns.host} resolves to ${dns.addresses.join(', ')} (no instance address to compare with)`), evidence };
    return { status: 'pass', condition: 'matches', finding: L(`${dns.host} 解析到实例地址 ${cmp.expected.filter((e) => cmp.answers.includes(e)).join(', ')}`, `${dns.host} resolves to the instance address ${cmp.expected.filter((e) => cmp.answers.includes(e)).join(', ')}`), evidence };
  },
};

const failed = (s: string): boolean => s !== 'open';

export const clientEgress: CheckDef = {
  id: 'client.egress',
  layer: 'client',
  title: L('你的网络允许访问该端口(对照探测)', 'Your network lets this port out (control probe)'),
  explanation: L('公司、校园或公共 Wi-Fi 常封出方向端口(如 22、3389)。对一台已知正常的主机同一端口做对照探测:它也不通,问题就在你这一侧。', 'Corporate, campus and public Wi-Fi networks often block outbound ports (22, 3389, …). A control probe to a known-good host on the same port tells: if it fails too, the problem is on your side.'),
  needs: ['probes'],
  run(v) {
    if (!v.facts.probes) return { status: 'unknown', condition: 'no-probes', finding: L('没有探测数据', 'No probe data') };
    const same = v.controlSamePort.filter((c) => c.errno !== 'ENOTFOUND');
    const all = v.controlAll.filter((c) => c.errno !== 'ENOTFOUND');
    const evidence = v.controlAll.map((c) => ev('client', `/probes/client/control/${v.controlAll.indexOf(c)}`, `${c.host}:${c.port} ${c.state} (${c.reason})`));
    if (same.length === 0 && all.length === 0) return { status: 'unknown', condition: 'no-control', finding: L('没有配置对照主机,无法区分“你的网络封端口”与“服务器侧问题”', 'No control host is configured: a port blocked where you are cannot be told from a server-side fault'), evidence };
    if (same.length && same.every((c) => failed(c.state))) {
      return {
        status: 'fail',
        condition: 'control-same-port-fails',
        finding: L(`对照主机 ${same.map((c) => `${c.host}:${c.port}`).join(', ')} 的同一端口也连不上:你所在网络封了出方向 ${v.port} 端口`, `The control host(s) ${same.map((c) => `${c.host}:${c.port}`).join(', ')} fail on the same port: your network blocks outbound port ${v.port}`),
        evidence,
        fixes: [
          info(`换一个网络(如手机热点)再试;或请网络管理员放行出方向 ${v.port};或把服务改到常用端口(如 443)`, `Try another network (e.g. a phone hotspot); or ask the network admin to allow outbound ${v.port}; or move the service to a common port (e.g. 443)`, 'client'),
          ...(v.port === 22 ? [info('临时办法：用云控制台的远程登录（阿里云 Workbench、华为云 CloudShell 或 VNC）', 'Meanwhile: log in through the cloud console’s remote login (Alibaba Cloud Workbench, Huawei Cloud CloudShell, or VNC)', 'console')] : []),
        ],
      };
    }
    if (all.length && all.every((c) => failed(c.state))) {
      return { status: 'fail', condition: 'all-controls-fail', finding: L('所有对照主机都连不上:你的网络可能根本不通外网,或被代理/防火墙整体拦截', 'Every control host fails: your network may have no Internet access at all, or a proxy/firewall blocks everything'), evidence, fixes: [info('检查网络连接、代理设置和本机防火墙', 'Check your connection, proxy settings and local firewall', 'client')] };
    }
    if (same.length) return { status: 'pass', condition: 'control-same-port-ok', finding: L(`对照主机同一端口可达:你的网络没有封 ${v.port}`, `A control host answers on the same port: your network does not block ${v.port}`), evidence };
    return { status: 'pass', condition: 'control-other-port-ok', finding: L('对照主机可达(不同端口),网络总体正常', 'Control hosts answer (other ports): your connection works in general'), evidence };
  },
};

export const clientEgressIp: CheckDef = {
  id: 'client.egress-ip',
  layer: 'client',
  title: L('你的公网出口 IP 就是规则里授权的 IP', 'Your public egress IP is the one the rule admits'),
  explanation: L('经过 NAT、企业出口、代理或动态拨号时,服务器看到的源 IP 不是你以为的那个;规则必须授权实际的出口 IP。', 'Behind NAT, a corporate gateway, a proxy or a dynamic line, the server sees another source IP than you think; the rule must admit the real egress IP.'),
  needs: ['probes', 'rules'],
  run(v) {
    const eg = v.facts.probes?.client.egressIp;
    if (!v.facts.probes) return { status: 'unknown', condition: 'no-probes', finding: L('没有探测数据', 'No probe data') };
    if (!eg || !eg.address) {
      if (v.facts.cloud?.sourceIpOrigin === 'user' && v.flow) return { status: 'pass', condition: 'user-given', finding: L(`使用你指定的源 IP ${v.flow.sourceIp}`, `Using the source IP you gave: ${v.flow.sourceIp}`) };
      // "Sources disagree" and "no source answered" are different findings: the first is evidence of
      // several egress paths, the second only of missing data.
      if (eg && eg.distinct && eg.distinct.length > 1) {
        return {
          status: 'warn',
          condition: 'sources-disagree',
          finding: L(`查询公网 IP 的服务给出了不同的地址：${eg.distinct.join('、')}（多条出口线路、分流 VPN 或代理）；请在下方填写服务器看到的那个 IP`, `The public-IP services gave different addresses: ${eg.distinct.join(', ')} (several outbound lines, a split VPN or a proxy); enter the one the server sees below`),
          evidence: [ev('client', '/probes/client/egressIp', eg.sources.map((x) => `${x.url}: ${x.address ?? x.error ?? '—'}`).join('; '))],
        };
      }
      if (eg && eg.sources.length > 0) {
        return {
          status: 'unknown',
          condition: 'no-source-answered',
          finding: L('查询公网 IP 的服务都没有应答，你的公网 IP 未知', 'None of the public-IP services answered: your public IP is unknown'),
          evidence: [ev('client', '/probes/client/egressIp', eg.sources.map((x) => `${x.url}: ${x.error ?? '—'}`).join('; '))],
        };
      }
      return { status: 'unknown', condition: 'egress-unknown', finding: L('没有测出你的公网 IP（查询公网 IP 的服务已关闭）', 'Your public IP was not detected (the public-IP services are turned off)') };
    }
    const evidence = [ev('client', '/probes/client/egressIp', `${eg.address}${eg.distinct && eg.distinct.length > 1 ? ` (seen: ${eg.distinct.join(', ')})` : ''}`)];
    const src = relevantMisses(v).filter((m) => m.reason === 'source-excludes-client');
    if (v.sg?.decision === 'deny' && src.length) {
      const rules = src.map((m) => findRule(v, m.ruleId)).filter((r) => r !== null);
      // What the rule admits, in its own terms: a CIDR, or a prefix list / IP address group by its entries and id.
      const admitted = (zh: boolean): string =>
        rules
          .map((r) => {
            const p = r!.peer;
            if (p.kind === 'cidr') return p.cidr;
            if (p.kind === 'prefix-list') return p.cidrs?.length ? (zh ? `${p.cidrs.join('、')}（${p.prefixListId}）` : `${p.cidrs.join(', ')} (${p.prefixListId})`) : p.prefixListId;
            return p.kind === 'group' ? p.groupId : r!.id;
          })
          .join(zh ? '、' : ', ');
      return {
        status: 'fail',
        condition: 'rule-admits-other-ip',
        finding: L(`你的出口 IP 是 ${eg.address}，但规则只授权了 ${admitted(true)}（NAT、代理或拨号换了 IP？）`, `Your egress IP is ${eg.address}, but the rule admits only ${admitted(false)} (NAT, a proxy, or a changed dynamic IP?)`),
        evidence: [...evidence, ...src.map((m) => ev('rules', '/cloud/securityGroups/nearMisses', m.detail))],
        fixes: allowFlowFixes(v),
      };
    }
    if (eg.distinct && eg.distinct.length > 1) return { status: 'warn', condition: 'several-egress-ips', finding: L(`检测到多个出口 IP:${eg.distinct.join(', ')}(多线出口/分流 VPN),规则需要都授权`, `Several egress IPs seen: ${eg.distinct.join(', ')} (multi-line gateway / split VPN); the rule must admit all of them`), evidence };
    return { status: 'pass', condition: 'known', finding: L(`公网出口 IP:${eg.address}`, `Public egress IP: ${eg.address}`), evidence };
  },
};

export const clientLocalFirewall: CheckDef = {
  id: 'client.local-firewall',
  layer: 'client',
  title: L('本机防火墙/安全软件没有拦截', 'No local firewall or security software blocks it'),
  explanation: L('本机防火墙(Windows Defender 防火墙、杀毒软件)拦截出站连接时,connect() 会立刻返回“权限不足”(EACCES/EPERM)。', 'When the local firewall (Windows Defender Firewall, antivirus) blocks an outbound connection, connect() fails at once with EACCES/EPERM.'),
  needs: ['probes'],
  run(v): CheckOutcome {
    if (!v.facts.probes) return { status: 'unknown', condition: 'no-probes', finding: L('没有探测数据', 'No probe data') };
    const blocked = v.tcpAll.filter((x) => isLocalBlock(x.fact));
    if (blocked.length) {
      return {
        status: 'fail',
        condition: 'eacces',
        finding: L(`连接 ${blocked[0].fact.address}:${v.port} 被本机拒绝(${blocked[0].fact.samples.find((s) => s.errno)?.errno})`, `Connecting to ${blocked[0].fact.address}:${v.port} is refused locally (${blocked[0].fact.samples.find((s) => s.errno)?.errno})`),
        evidence: blocked.map((b) => ev('probe', `/probes/tcp/${b.index}`, `${b.fact.state} ${b.fact.reason}`)),
        fixes: [info('检查本机防火墙/安全软件的出站规则,放行 ssh/浏览器等客户端程序', 'Check the outbound rules of your firewall / security software and allow the client program', 'client')],
      };
    }
    return { status: 'pass', condition: 'no-local-block', finding: L('没有看到本机拦截的迹象', 'No sign of a local block') };
  },
};

export const clientProxy: CheckDef = {
  id: 'client.proxy',
  layer: 'client',
  title: L('代理设置', 'Proxy settings'),
  explanation: L('设置了 HTTP(S)_PROXY/ALL_PROXY 时,浏览器等程序走代理,服务器看到的是代理的 IP;而 SSH 等不走代理。', 'With HTTP(S)_PROXY/ALL_PROXY set, browsers and some tools go through the proxy and the server sees the proxy’s IP, while SSH does not.'),
  needs: ['probes'],
  run(v) {
    const p = v.facts.probes?.client.proxies ?? null;
    if (!v.facts.probes || p === null) return { status: 'unknown', condition: 'no-probes', finding: L('没有探测数据', 'No probe data') };
    if (p.length) return { status: 'warn', condition: 'proxy-set', finding: L(`设置了代理:${p.map((x) => `${x.variable}=${x.value}`).join(', ')}`, `Proxy set: ${p.map((x) => `${x.variable}=${x.value}`).join(', ')}`), evidence: [ev('client', '/probes/client/proxies', p.map((x) => x.variable).join(','))] };
    return { status: 'pass', condition: 'no-proxy', finding: L('没有设置代理环境变量', 'No proxy variables set') };
  },
};

export const clientVpn: CheckDef = {
  id: 'client.vpn-tunnel',
  layer: 'client',
  title: L('VPN/隧道', 'VPN / tunnel'),
  explanation: L('开着 VPN 或加速器时流量从隧道出口出去,出口 IP 和路径都会变;公司 VPN 还可能封端口。', 'With a VPN or accelerator on, traffic leaves from the tunnel’s exit: another egress IP and path; a corporate VPN may also block ports.'),
  needs: ['probes'],
  run(v) {
    const c = v.facts.probes?.client;
    if (!c) return { status: 'unknown', condition: 'no-probes', finding: L('没有探测数据', 'No probe data') };
    if (c.defaultRoute?.viaTunnel) return { status: 'warn', condition: 'default-route-via-tunnel', finding: L(`默认路由走隧道 ${c.defaultRoute.interface ?? ''}`, `The default route goes through tunnel ${c.defaultRoute.interface ?? ''}`), evidence: [ev('client', '/probes/client/defaultRoute', JSON.stringify(c.defaultRoute))] };
    if (c.tunnels.length) return { status: 'warn', condition: 'tunnel-present', finding: L(`存在隧道接口:${c.tunnels.join(', ')}`, `Tunnel interfaces present: ${c.tunnels.join(', ')}`), evidence: [ev('client', '/probes/client/tunnels', c.tunnels.join(','))] };
    return { status: 'pass', condition: 'no-tunnel', finding: L('没有 VPN/隧道接口', 'No VPN / tunnel interface') };
  },
};

export const CLIENT_CHECKS: CheckDef[] = [clientDns, clientEgress, clientEgressIp, clientLocalFirewall, clientProxy, clientVpn];

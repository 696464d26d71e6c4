// The verdict: where the fault is, why, and how sure we are. An ordered list of pure reasoning rules,
// each (facts, checks) → candidate | null; the first that decides wins. Without cloud data every
// confidence drops one step, and checks that need the cloud stay 'unknown' (never invented).
import { L, join } from '../i18n';
import { isLocalBlock, view, type DiagnosisFacts, type FactsView } from './facts';
import { relevantMisses } from './checks/sg';
import { cloudPath, controlSamePortFails } from './path';
import { addressIsInstance, clientNetworkLetsPortOut, cloudPremises, controlConfirmsOwnNetworkBlock, silentDropAtHostPremises, type Premise } from './premises';
import { PATH_TRACE_ID } from './checks/path';
import type { Check, Localized, Locus, Verdict } from './types';
import { tcpReasonWords } from './words';

export type Confidence = Verdict['confidence'];

export interface VerdictCandidate {
  locus: Locus;
  summary: Localized;
  reasoning: Localized[];
  blockingCheckIds: string[];
  /** How sure the rule is when everything it depends on was decided. */
  confidence: Confidence;
  /**
   * Facts the verdict rests on. Confidence is derived from them: each one that was not positively
   * established lowers it one step and is named in the reasoning.
   */
  dependsOn?: Premise[];
}

export interface ReasoningRule {
  id: string;
  decide(v: FactsView, checks: CheckIndex): VerdictCandidate | null;
}

export class CheckIndex {
  private readonly byId: Map<string, Check>;
  constructor(readonly checks: readonly Check[]) {
    this.byId = new Map(checks.map((c) => [c.id, c]));
  }
  get(id: string): Check | undefined {
    return this.byId.get(id);
  }
  failed(id: string): boolean {
    return this.byId.get(id)?.status === 'fail';
  }
  /** Ids among `ids` that failed, in the given order. */
  failing(ids: readonly string[]): string[] {
    return ids.filter((id) => this.failed(id));
  }
  finding(id: string): Localized | null {
    return this.byId.get(id)?.finding ?? null;
  }
  /** Every failing check of a layer, in checklist order. */
  failingInLayer(layer: Check['layer']): string[] {
    return this.checks.filter((c) => c.layer === layer && c.status === 'fail').map((c) => c.id);
  }
}

// ---- observations in words ------------------------------------------------------------------------------

function probeLine(v: FactsView): Localized {
  const t = v.tcp;
  if (!t) return L('没有 TCP 探测结果', 'No TCP probe result');
  const at = `${t.address}:${t.port}`;
  const tries = `${t.attempts}`;
  const timeout = t.samples.length ? Math.max(...t.samples.map((s) => s.timeoutMs)) : null;
  switch (t.state) {
    case 'open':
      return L(`TCP ${at} 连接成功(${t.rttMs ?? '?'} ms)`, `TCP ${at} connected (${t.rttMs ?? '?'} ms)`);
    case 'closed':
      return L(`TCP ${at} 被拒绝(RST,${t.rttMs ?? '?'} ms):数据包到达了一台主机`, `TCP ${at} refused (RST, ${t.rttMs ?? '?'} ms): the packets reached a host`);
    default:
      if (t.reason === 'no-response') return L(`TCP ${at} 超时(${tries} 次,每次等待约 ${timeout ?? '?'} ms):被静默丢弃`, `TCP ${at} timed out (${tries} attempts, ~${timeout ?? '?'} ms each): silently dropped`);
      return L(`TCP ${at} 不可达（${tcpReasonWords(t.reason)['zh-CN']}）`, `TCP ${at} unreachable (${tcpReasonWords(t.reason).en})`);
  }
}

const LAYER_WORDS: Record<'instance' | 'public-address' | 'acl' | 'security-group', Localized> = {
  instance: L('实例状态', 'the instance state'),
  'public-address': L('公网地址', 'the public address'),
  acl: L('网络 ACL', 'the network ACL'),
  'security-group': L('安全组', 'the security group'),
};

function cloudLine(v: FactsView): Localized {
  if (!v.snapshot) return L('没有云端配置数据:只根据探测结果判断', 'No cloud configuration: judging from the probes alone');
  if (v.instanceLookup === 'read-failed') return L('云端配置没有读到:只根据探测结果判断', 'The cloud configuration could not be read: judging from the probes alone');
  if (!v.instance) return L('云端没有找到这台实例', 'The instance was not found in the cloud data');
  const p = cloudPath(v);
  if (p.state === 'allow') return L('云端配置全部放行:实例运行中、有公网地址、网络 ACL 与安全组都放行', 'The cloud configuration allows it all: instance running, public address, network ACL and security groups allow');
  if (p.state === 'deny') return L(`云端配置拦截(${LAYER_WORDS[p.layer]['zh-CN']})`, `The cloud configuration blocks it (${LAYER_WORDS[p.layer].en})`);
  const open = cloudPremises(v).find((x) => x.state !== 'true');
  return open ? L(`云端配置无法完全判断:${open.text['zh-CN']}`, `The cloud configuration could not be fully decided: ${open.text.en}`) : L('云端配置无法完全判断', 'The cloud configuration could not be fully decided');
}

const findings = (c: CheckIndex, ids: readonly string[]): Localized[] => ids.map((id) => c.finding(id)).filter((x): x is Localized => x !== null);

const tcpState = (v: FactsView): 'open' | 'refused' | 'prohibited' | 'local' | 'timeout' | 'none' => {
  const t = v.tcp;
  if (!t) return 'none';
  if (t.state === 'open') return 'open';
  if (t.state === 'closed') return 'refused';
  if (isLocalBlock(t)) return 'local';
  if (t.reason === 'host-unreach' || t.reason === 'admin-prohibited') return 'prohibited';
  if (t.reason === 'net-unreach') return 'local';
  return 'timeout';
};

/**
 * A silent drop (or no probe) is what a blocking cloud layer looks like; a RST or ICMP reject is not — on the
 * clouds whose groups drop silently (the provider's semantics say so; both Alibaba and Huawei do). For a cloud
 * documented to answer a denied packet, a reject is consistent with its block too.
 */
const consistentWithCloudDrop = (v: FactsView): boolean => {
  const s = tcpState(v);
  if (s === 'timeout' || s === 'none' || v.protocol === 'udp') return true;
  return v.semantics?.groupsDropSilently === false && (s === 'refused' || s === 'prohibited');
};

// ---- the rules, in order --------------------------------------------------------------------------------

const SG_SPECIFIC = ['sg.direction', 'sg.protocol', 'sg.port', 'sg.source', 'sg.priority-drop', 'sg.bound', 'sg.enterprise-default', 'sg.nic-type', 'sg.region'];

export const RULES: readonly ReasoningRule[] = [
  {
    id: 'no-evidence',
    decide(v) {
      if (v.hasProbes || v.snapshot) return null;
      return { locus: 'inconclusive', summary: L('没有任何证据:既没有探测,也没有云端配置', 'No evidence at all: no probes and no cloud configuration'), reasoning: [L('请运行探测,或提供云端访问/快照', 'Run the probes, or give cloud access or a snapshot')], blockingCheckIds: [], confidence: 'low' };
    },
  },
  {
    id: 'dns-resolves-elsewhere',
    decide(v, c) {
      const dns = c.get('client.dns');
      if (dns?.status !== 'fail') return null;
      return {
        locus: 'client',
        summary: dns.condition === 'no-answer' ? L('域名解析不出地址', 'The name does not resolve') : L('域名解析到了别的地址,不是这台实例', 'The name resolves to another address, not this instance'),
        reasoning: [dns.finding, probeLine(v), L('连接的根本不是目标实例,先修正解析(或用 IP 直连)', 'The connection does not even go to the instance: fix the name (or connect by IP) first')],
        blockingCheckIds: ['client.dns'],
        confidence: 'high',
      };
    },
  },
  {
    id: 'client-local-block',
    decide(v, c) {
      if (!c.failed('client.local-firewall')) return null;
      return { locus: 'client', summary: L('本机防火墙/安全软件拦截了出站连接', 'A local firewall or security software blocks the outbound connection'), reasoning: [probeLine(v), c.finding('client.local-firewall')!], blockingCheckIds: ['client.local-firewall'], confidence: 'high' };
    },
  },
  {
    // Before app-error / path-open: the TCP connect succeeds here, the interception acts on the name.
    id: 'icp-filing',
    decide(v, c) {
      const icp = c.get('net.icp-filing');
      if (icp?.status !== 'fail' || tcpState(v) !== 'open') return null;
      return {
        locus: 'network',
        summary: icp.finding,
        reasoning: [
          probeLine(v),
          icp.finding,
          L('用 IP 访问时服务器正常应答，说明安全组、防火墙和应用都没有问题；拦截发生在带域名的请求上（中国内地地域对未备案域名的拦截）', 'The server answers by IP, so the security groups, the firewall and the application are fine; the block acts on the request carrying the name (the mainland regions’ interception of domains without an ICP filing)'),
        ],
        blockingCheckIds: ['net.icp-filing'],
        confidence: 'high',
      };
    },
  },
  {
    // The same behaviour with a premise unknown (no cloud data: the region) or doubtful (the client's VPN may
    // filter by name too): blocked by name somewhere on the way; say what is known and what to collect.
    id: 'icp-filing-unconfirmed',
    decide(v, c) {
      const icp = c.get('net.icp-filing');
      if (icp?.status !== 'warn' || !/-(region-unknown|via-tunnel)$/.test(icp.condition) || tcpState(v) !== 'open') return null;
      const next = icp.condition.endsWith('-via-tunnel')
        ? L('断开 VPN 后再诊断一次：仍被拦截就是未备案拦截', 'Diagnose again without the VPN: if the name is still blocked, it is the filing interception')
        : L('提供云端访问（地域）即可确认：实例在中国内地地域时，这是未备案拦截', 'Give cloud access (the region) to confirm: in a mainland region this is the interception of a domain without an ICP filing');
      return {
        locus: 'inconclusive',
        summary: icp.finding,
        reasoning: [probeLine(v), icp.finding, next],
        blockingCheckIds: ['net.icp-filing'],
        confidence: 'medium',
      };
    },
  },
  {
    id: 'app-error',
    decide(v, c) {
      if (tcpState(v) !== 'open' || !c.failed('app.responds')) return null;
      return {
        locus: 'server',
        summary: L('网络是通的,但应用没有正常应答', 'The network works, but the application does not answer properly'),
        reasoning: [probeLine(v), c.finding('app.responds')!, L('TCP 连接建立说明安全组、ACL 和防火墙都放行了;问题在应用本身', 'A TCP connection means the groups, ACL and firewall let it through; the fault is the application itself')],
        blockingCheckIds: ['app.responds'],
        confidence: 'high',
      };
    },
  },
  {
    id: 'path-open',
    decide(v, c) {
      if (tcpState(v) !== 'open') return null;
      const reasoning = [probeLine(v)];
      const ans = c.get('app.responds');
      if (ans && ans.status === 'pass') reasoning.push(ans.finding);
      if (v.sg?.decision === 'deny') reasoning.push(L('注意:云端评估认为安全组拒绝,但连接成功了;探测的地址可能不是这台实例,或快照已过期', 'Note: the cloud evaluation says the groups deny, yet the connection works; the probed address may not be this instance, or the snapshot is stale'));
      if (ans && ans.status !== 'pass') reasoning.push(ans.finding);
      // Only an identified answer says "the application answers"; silence from an unnamed protocol says less.
      const answered = ans?.status === 'pass' && ans.condition !== 'not-identified';
      const summary = answered
        ? L(`端口 ${v.port} 可以访问,应用有应答`, `Port ${v.port} is reachable and the application answers`)
        : ans?.condition === 'not-identified'
          ? L(`端口 ${v.port} 可以访问；没有识别出应用`, `Port ${v.port} is reachable; the application was not identified`)
          : ans?.status === 'warn'
            ? L(`端口 ${v.port} 可以访问；应用的应答值得留意`, `Port ${v.port} is reachable; the application’s answer needs a look`)
            : L(`端口 ${v.port} 可以访问`, `Port ${v.port} is reachable`);
      return { locus: 'none', summary, reasoning, blockingCheckIds: [], confidence: answered ? 'high' : 'medium' };
    },
  },
  {
    id: 'control-same-port-fails',
    decide(v, c) {
      const e = c.get('client.egress');
      if (e?.status !== 'fail') return null;
      // The path trace agreeing is corroboration (quoted below), not another fault.
      const others = [...c.failingInLayer('network'), ...c.failingInLayer('server')].filter((id) => id !== PATH_TRACE_ID);
      const reasoning = [probeLine(v), e.finding, L('已知正常的主机在同一端口上也连不上,所以问题在你这一侧的网络', 'A known-good host fails on the same port too, so the block is on your side')];
      if (others.length) reasoning.push(L(`另外还发现:${others.join(', ')}(修好本地网络后再看)`, `Also found: ${others.join(', ')} (look again once your network is fixed)`));
      return { locus: 'client', summary: L(`你所在的网络封了出方向 ${v.port} 端口`, `Your network blocks outbound port ${v.port}`), reasoning, blockingCheckIds: ['client.egress', ...others], confidence: 'high' };
    },
  },
  {
    // A TCP SYN trace to this port stops inside the user's own network (issue 12, premise a): the block is on
    // the user's side. Corroborated by a failing same-port control (then control-same-port-fails above has
    // already decided); without a control probe it is one step less sure.
    id: 'trace-stops-in-own-network',
    decide(v, c) {
      const t = c.get(PATH_TRACE_ID);
      const s = tcpState(v);
      if (t?.status !== 'fail' || (s !== 'timeout' && s !== 'prohibited' && s !== 'none')) return null;
      const others = [...c.failingInLayer('network'), ...c.failingInLayer('server')].filter((id) => id !== PATH_TRACE_ID);
      const reasoning = [
        probeLine(v),
        t.finding,
        L('发往同一端口的 TCP SYN 在离开你的网络之前就没有了下文：拦截在你这一侧（公司或校园的出口防火墙、家庭路由器、安全软件）', 'TCP SYNs to the same port vanish before they leave your network: the block is on your side (an office or campus egress firewall, the home router, security software)'),
      ];
      if (others.length) reasoning.push(L(`另外还发现:${others.join(', ')}(修好本地网络后再看)`, `Also found: ${others.join(', ')} (look again once your network is fixed)`));
      return {
        locus: 'client',
        summary: L(`发往 ${v.port} 端口的数据包停在你自己的网络里`, `Packets to port ${v.port} stop inside your own network`),
        reasoning,
        blockingCheckIds: [PATH_TRACE_ID, ...others],
        confidence: 'high',
        dependsOn: [controlConfirmsOwnNetworkBlock(v)],
      };
    },
  },
  {
    id: 'config-describes-another-host',
    decide(v, c) {
      const a = addressIsInstance(v);
      if (a.state !== 'false') return null;
      return {
        locus: 'inconclusive',
        summary: L(`云端配置描述的不是 ${v.probedAddress ?? '目标'}:无法用它判断这个连接`, `The cloud configuration does not describe ${v.probedAddress ?? 'the target'}: it cannot decide this connection`),
        reasoning: [a.text, probeLine(v), ...(c.get('net.slb-or-nat-address')?.status === 'warn' ? [c.finding('net.slb-or-nat-address')!] : []), L('请提供拥有该地址的实例的配置(或指定实例 ID),或改为探测实例自己的地址', 'Give the configuration of the instance that owns this address (or name that instance), or probe the instance’s own address')],
        blockingCheckIds: [],
        confidence: 'low',
      };
    },
  },
  {
    id: 'instance-not-running',
    decide(v, c) {
      const ids = c.failing(['instance.overdue-lock', 'instance.security-lock', 'instance.running']);
      if (!ids.length || tcpState(v) === 'open') return null;
      return {
        locus: 'network',
        summary: c.failed('instance.overdue-lock')
          ? c.get('instance.overdue-lock')?.condition === 'frozen'
            ? L('实例已被云平台冻结（多为欠费）', 'The instance is frozen by the cloud (most often for an overdue bill)')
            : L('实例因欠费被停机', 'The instance is stopped for an overdue payment') : c.failed('instance.security-lock') ? L('实例被安全锁定', 'The instance is under a security lock') : L('实例没有运行', 'The instance is not running'),
        reasoning: [...findings(c, ids), probeLine(v), L('实例不在运行状态时所有端口都不可达,其他检查都没有意义', 'While the instance is not running every port is unreachable; nothing else matters yet')],
        blockingCheckIds: ids,
        confidence: 'high',
        dependsOn: [addressIsInstance(v)],
      };
    },
  },
  {
    id: 'no-public-path',
    decide(v, c) {
      const ids = c.failing(['net.public-ip', 'net.eip', 'net.eip-financial-lock', 'net.eip-bandwidth']);
      if (!ids.length || tcpState(v) === 'open') return null;
      return { locus: 'network', summary: L('实例没有可用的公网入口', 'The instance has no working public address'), reasoning: [...findings(c, ids), probeLine(v)], blockingCheckIds: ids, confidence: 'high', dependsOn: v.publicAddresses.length ? [addressIsInstance(v)] : [] };
    },
  },
  {
    id: 'source-is-not-your-egress-ip',
    decide(v, c) {
      if (!c.failed('client.egress-ip') || !consistentWithCloudDrop(v)) return null;
      const reasons = new Set(relevantMisses(v).map((m) => m.reason));
      if ([...reasons].some((r) => r !== 'source-excludes-client')) return null;
      if (c.failing(['net.acl-inbound', 'net.acl-return']).length) return null;
      return {
        locus: 'client',
        summary: L('规则授权的不是你实际的公网出口 IP(NAT/代理/换了 IP)', 'The rule admits another IP than your real public egress IP (NAT, proxy, or a changed IP)'),
        reasoning: [c.finding('client.egress-ip')!, probeLine(v), L('规则本身方向、协议、端口都对,只是授权对象不是服务器看到的源地址', 'The rule has the right direction, protocol and port; only its source is not the address the server sees')],
        blockingCheckIds: ['client.egress-ip', 'sg.source'],
        confidence: 'high',
        dependsOn: [addressIsInstance(v)],
      };
    },
  },
  {
    id: 'acl-denies',
    decide(v, c) {
      const ids = c.failing(['net.acl-inbound', 'net.acl-return']);
      if (!ids.length || !consistentWithCloudDrop(v)) return null;
      return { locus: 'network', summary: c.failed('net.acl-inbound') ? L('网络 ACL 拦截了入方向连接', 'The network ACL blocks the connection inbound') : L('网络 ACL 没有放行回程(临时端口)', 'The network ACL does not let the replies out (ephemeral ports)'), reasoning: [...findings(c, ids), probeLine(v)], blockingCheckIds: ids, confidence: 'high', dependsOn: [addressIsInstance(v)] };
    },
  },
  {
    id: 'security-group-denies',
    decide(v, c) {
      if (!c.failed('sg.inbound-rule') || !consistentWithCloudDrop(v)) return null;
      const specific = c.failing(SG_SPECIFIC);
      const inbound = c.get('sg.inbound-rule')!;
      const summary = specific.length
        ? join([L('安全组拦截:', 'The security group blocks it: '), c.get(specific[0])!.finding], '')
        : inbound.condition === 'no-rule'
          ? L(`安全组没有放行 ${v.protocol.toUpperCase()} ${v.port} 的入方向规则`, `No inbound security-group rule admits ${v.protocol.toUpperCase()} ${v.port}`)
          : L('安全组拦截了这个连接', 'The security group blocks the connection');
      return { locus: 'network', summary, reasoning: [...findings(c, [...specific, 'sg.inbound-rule']), probeLine(v)], blockingCheckIds: [...specific, 'sg.inbound-rule'], confidence: 'high', dependsOn: [addressIsInstance(v)] };
    },
  },
  {
    id: 'probe-contradicts-cloud',
    decide(v) {
      const p = cloudPath(v);
      if (p.state !== 'deny' || consistentWithCloudDrop(v) || tcpState(v) === 'open') return null;
      return {
        locus: 'inconclusive',
        summary: L('探测结果与云端配置矛盾', 'The probes contradict the cloud configuration'),
        reasoning: [probeLine(v), cloudLine(v), L('云安全组和网络 ACL 只会静默丢弃，不会回 RST 或 ICMP 拒绝；应答来自别处（地址不属于该实例、中间设备，或快照过期）', 'Cloud security groups and network ACLs drop silently; they never answer with a RST or ICMP reject. The answer came from elsewhere (the address is not this instance, a middlebox, or a stale snapshot)')],
        blockingCheckIds: [],
        confidence: 'low',
      };
    },
  },
  {
    id: 'rst-reached-host',
    decide(v, c) {
      if (tcpState(v) !== 'refused') return null;
      const ids = c.failing(['os.bind-address', 'os.sshd-config', 'os.firewall', 'os.service-running', 'os.listening']);
      const reasoning = [probeLine(v), cloudLine(v), L('RST 说明数据包穿过了安全组和 ACL 到达了主机(它们只会静默丢弃)', 'A RST means the packets passed the security group and ACL and reached the host (those only drop silently)')];
      reasoning.push(...findings(c, ids));
      if (!ids.length && v.hasServer) {
        // The server's evidence shows nothing that refuses: the refusal is real, its cause is not in the evidence.
        return {
          locus: 'server',
          summary: L(`服务器拒绝了连接(RST),但服务器证据显示 ${v.port} 端口有监听且防火墙放行`, `The server refused the connection (RST), yet its evidence shows a listener on ${v.port} and an open firewall`),
          reasoning: [...reasoning, L('可能是证据没有列出的 REJECT(tcp-reset)规则、拒绝这个来源的服务(fail2ban、tcp_wrappers),或证据来自另一台主机/另一个时间', 'Possibly a REJECT (tcp-reset) rule the evidence does not show, a service refusing this source (fail2ban, tcp_wrappers), or evidence from another host or time')],
          blockingCheckIds: [],
          confidence: 'medium',
        };
      }
      return {
        locus: 'server',
        summary: c.failed('os.bind-address') ? L('服务只监听 127.0.0.1,外部连接被拒绝', 'The service listens on 127.0.0.1 only; outside connections are refused') : c.failed('os.firewall') ? L('服务器防火墙拒绝了连接', 'The server’s firewall rejects the connection') : L(`服务器上没有服务监听 ${v.port} 端口(或防火墙 REJECT)`, `Nothing listens on port ${v.port} on the server (or a firewall REJECTs)`),
        reasoning,
        blockingCheckIds: ids.length ? ids : c.failed('os.listening') ? ['os.listening'] : [],
        // A RST never comes from a security group or ACL, so it is strong evidence on its own (lowered
        // one step anyway without cloud data); a cloud read that could not decide leaves more doubt.
        confidence: cloudPath(v).state === 'allow' || v.hasServer || !v.snapshot ? 'high' : 'medium',
      };
    },
  },
  {
    id: 'host-prohibited',
    decide(v, c) {
      if (tcpState(v) !== 'prohibited') return null;
      const icmpFrom = v.facts.probes?.icmp?.unreachable?.from;
      if (icmpFrom && v.tcp && icmpFrom !== v.tcp.address) {
        return {
          locus: 'network',
          summary: L(`途中的设备 ${icmpFrom} 回了“不可达”`, `A device on the way (${icmpFrom}) answered "unreachable"`),
          reasoning: [probeLine(v), L(`ICMP 不可达来自 ${icmpFrom},不是目标主机`, `The ICMP unreachable came from ${icmpFrom}, not the target`)],
          blockingCheckIds: [],
          confidence: 'medium',
        };
      }
      return {
        locus: 'server',
        summary: L('服务器防火墙 REJECT(icmp-host-prohibited,firewalld 默认)', 'The server’s firewall REJECTs (icmp-host-prohibited, firewalld’s default)'),
        reasoning: [
          probeLine(v),
          cloudLine(v),
          L('“主机禁止”是主机防火墙的拒绝回应;安全组只会静默丢弃', '"Host prohibited" is a host firewall’s reject answer; security groups only drop silently'),
          ...findings(c, ['os.firewall']),
          ...(c.failed('os.firewall') ? [] : [L('服务器证据没有显示拦截规则:可能是证据没有覆盖的规则,或证据来自另一台主机/另一个时间', 'The server evidence shows no blocking rule: a rule the evidence does not cover, or evidence from another host or time')]),
        ],
        blockingCheckIds: c.failed('os.firewall') ? ['os.firewall'] : [],
        confidence: c.failed('os.firewall') ? 'high' : 'medium',
      };
    },
  },
  {
    id: 'server-evidence-blocks',
    decide(v, c) {
      if (!v.hasServer || tcpState(v) === 'open') return null;
      const ids = c.failing(['os.firewall', 'os.bind-address', 'os.sshd-config', 'os.service-running', 'os.listening']);
      if (!ids.length) return null;
      // A timeout also fits a cloud layer that drops: the server's own evidence is then one fault, maybe not the only one.
      const timeout = tcpState(v) === 'timeout';
      const dependsOn = timeout ? cloudPremises(v) : [];
      const reasoning = [probeLine(v), cloudLine(v), ...findings(c, ids)];
      // A missing listener answers with a RST, never with silence: a timeout needs a drop as well.
      const dropUnexplained = timeout && !c.failed('os.firewall');
      if (dropUnexplained) reasoning.push(L('但超时说明数据包在途中被静默丢弃了:端口没人监听时服务器会回 RST,所以另有防火墙或云端配置在丢包,修好服务后请再检查一次', 'But a timeout means the packets are dropped silently on the way: with nothing listening the server would answer with a RST, so a firewall or the cloud configuration drops them as well; check again once the service is fixed'));
      return { locus: 'server', summary: join([L('服务器内部:', 'Inside the server: '), c.get(ids[0])!.finding], ''), reasoning, blockingCheckIds: ids, confidence: dropUnexplained ? 'medium' : 'high', dependsOn };
    },
  },
  {
    id: 'timeout-cloud-allows',
    decide(v, c) {
      if (tcpState(v) !== 'timeout' || cloudPath(v).state !== 'allow') return null;
      if (controlSamePortFails(v)) return null; // handled by control-same-port-fails
      // A TCP SYN trace to this port that reached the host shows no carrier blocks the port.
      if (c.get('net.carrier-blocked-port')?.status === 'warn' && c.get(PATH_TRACE_ID)?.condition !== 'reached-tcp') {
        return { locus: 'network', summary: L(`端口 ${v.port} 很可能被运营商封堵`, `Port ${v.port} is most likely blocked by a carrier`), reasoning: [probeLine(v), cloudLine(v), c.finding('net.carrier-blocked-port')!], blockingCheckIds: ['net.carrier-blocked-port'], confidence: 'medium' };
      }
      const client = clientNetworkLetsPortOut(v);
      if (client.state !== 'true' && !v.hasServer) {
        return {
          locus: 'inconclusive',
          summary: L('云端全部放行但连接超时:是服务器防火墙还是你这一侧的网络丢弃,无法区分', 'The cloud allows it all, yet the connection times out: the server’s firewall or your own network drops it, and which cannot be told'),
          reasoning: [probeLine(v), cloudLine(v), client.text, L('下一步:启用同端口的对照探测(对照主机),或从另一个网络(如手机热点)再试;或提供服务器上的防火墙状态(检查脚本或云助手)', 'Next: enable a same-port control probe (control hosts), or try from another network (e.g. a phone hotspot); or give the server’s firewall state (the check script or Cloud Assistant)')],
          blockingCheckIds: [],
          confidence: 'low',
        };
      }
      if (v.hasServer && c.get('os.firewall')?.status === 'pass' && c.get('os.listening')?.status === 'pass') {
        return { locus: 'inconclusive', summary: L('云端和服务器都显示放行,连接却超时', 'Cloud and server both allow, yet the connection times out'), reasoning: [probeLine(v), cloudLine(v), L('请确认探测的地址确实是这台实例;从另一个网络再试;检查云防火墙/DDoS 防护', 'Check that the probed address really is this instance; try from another network; check Cloud Firewall / DDoS protection')], blockingCheckIds: [], confidence: 'low' };
      }
      return {
        locus: 'server',
        summary: L('云端全部放行但连接超时:服务器防火墙静默丢弃(如 ufw 默认拒绝)', 'The cloud allows it all, yet the connection times out: the server’s firewall drops it (e.g. ufw’s default deny)'),
        reasoning: [probeLine(v), cloudLine(v), controlSamePortOkLine(v), L('超时意味着静默丢弃;云上各层都放行,剩下的就是实例内的防火墙', 'A timeout is a silent drop; with every cloud layer allowing, what is left is the firewall inside the instance')],
        blockingCheckIds: c.failing(['os.firewall']).length ? ['os.firewall'] : [],
        confidence: 'medium',
        dependsOn: silentDropAtHostPremises(v),
      };
    },
  },
  {
    id: 'timeout-server-cleared',
    decide(v, c) {
      if (tcpState(v) !== 'timeout' || v.snapshot || !v.hasServer) return null;
      if (c.get('os.firewall')?.status !== 'pass' || c.get('os.listening')?.status !== 'pass') return null;
      return {
        locus: 'network',
        summary: L('服务器内部放行且在监听,连接却超时:很可能是安全组或网络 ACL', 'The server allows and listens, yet the connection times out: most likely a security group or network ACL'),
        reasoning: [probeLine(v), cloudLine(v), c.finding('os.firewall')!, c.finding('os.listening')!],
        blockingCheckIds: [],
        confidence: 'medium',
      };
    },
  },
  {
    // The trace reaches the host while TCP to the port times out (issue 12, premise c): the drop is at the host
    // — its security group or its own firewall — not on the way and never "the cloud network"; which of the
    // two needs the cloud configuration or the server's evidence.
    id: 'trace-reached-host',
    decide(v, c) {
      const t = c.get(PATH_TRACE_ID);
      if (tcpState(v) !== 'timeout' || !t?.condition.startsWith('reached-')) return null;
      const p = cloudPath(v);
      if (p.state === 'allow' || p.state === 'deny') return null;
      return {
        locus: 'inconclusive',
        summary: L(`数据包能到达服务器的地址，但 ${v.port} 端口超时：是它的安全组还是服务器自己的防火墙丢弃了这个端口`, `The packets reach the server’s address, yet port ${v.port} times out: its security group or the server’s own firewall drops this port`),
        reasoning: [
          probeLine(v),
          t.finding,
          cloudLine(v),
          L('途中的网络没有拦截（追踪到达了服务器）；下一步：让 SG Doctor 读取云上配置检查安全组，或加入服务器内部的证据', 'The network on the way does not block it (the trace reached the server). Next: let SG Doctor read the cloud configuration to check the security group, or add evidence from inside the server'),
        ],
        blockingCheckIds: [],
        confidence: 'medium',
        dependsOn: t.condition === 'reached-tcp' ? [] : [clientNetworkLetsPortOut(v)],
      };
    },
  },
  {
    id: 'timeout-without-cloud',
    decide(v) {
      if (tcpState(v) !== 'timeout' || v.snapshot) return null;
      return {
        locus: 'inconclusive',
        summary: L('连接超时(静默丢弃),仅凭探测无法判断是安全组还是服务器防火墙', 'The connection times out (silent drop); probes alone cannot tell a security group from a server firewall'),
        reasoning: [probeLine(v), cloudLine(v), controlSamePortOkLine(v), L('下一步：让 SG Doctor 读取云上配置（云账号，或粘贴/导入的 JSON）来检查安全组与 ACL，或加入服务器内部的证据（云助手，或只读检查脚本的输出）', 'Next: let SG Doctor read the cloud configuration (a cloud account, or pasted or imported JSON) to check the security groups and ACL, or add evidence from inside the server (Cloud Assistant, or the read-only script’s output)')],
        blockingCheckIds: [],
        confidence: 'low',
      };
    },
  },
  {
    id: 'fallback',
    decide(v, c) {
      const failing = [...c.failingInLayer('client'), ...c.failingInLayer('network'), ...c.failingInLayer('server')];
      // Say which open fact keeps the answer open, when it is one of the path's own.
      const open = tcpState(v) === 'timeout' ? cloudPremises(v).find((x) => x.state === 'unknown') : undefined;
      return {
        locus: 'inconclusive',
        summary: open ? L(`连接超时,但无法判断在哪里被拦截:${open.text['zh-CN']}`, `The connection times out, but where it is blocked cannot be told: ${open.text.en}`) : L('证据不足或相互矛盾', 'The evidence is missing or conflicting'),
        reasoning: [probeLine(v), cloudLine(v), ...(failing.length ? [L(`未通过的检查:${failing.join(', ')}`, `Failing checks: ${failing.join(', ')}`)] : [])],
        blockingCheckIds: failing,
        confidence: 'low',
      };
    },
  },
];

function controlSamePortOkLine(v: FactsView): Localized {
  const same = v.controlSamePort;
  if (!same.length) return L('没有同端口的对照探测', 'No control probe on the same port');
  const ok = same.filter((x) => x.state === 'open');
  return ok.length ? L(`对照主机 ${ok.map((x) => `${x.host}:${x.port}`).join(', ')} 同端口可达:你的网络没有封这个端口`, `Control host ${ok.map((x) => `${x.host}:${x.port}`).join(', ')} answers on the same port: your network does not block it`) : L('同端口对照探测失败', 'The same-port control probe fails');
}

const lower = (c: Confidence): Confidence => (c === 'high' ? 'medium' : 'low');

/** Runs the rules in order; the first decisive one wins. */
export function decideVerdict(facts: DiagnosisFacts, checks: readonly Check[], rules: readonly ReasoningRule[] = RULES): Verdict {
  const v = view(facts);
  const idx = new CheckIndex(checks);
  for (const rule of rules) {
    const cand = rule.decide(v, idx);
    if (!cand) continue;
    const { dependsOn, ...verdict } = cand;
    let confidence = v.snapshot && v.instance ? cand.confidence : lower(cand.confidence);
    const reasoning = v.snapshot && v.instance ? [...cand.reasoning] : [...cand.reasoning, L('(没有云端数据,置信度已下调)', '(no cloud data: confidence lowered)')];
    // High only when every fact the verdict depends on was decided: each open one lowers it a step.
    for (const open of (dependsOn ?? []).filter((x) => x.state !== 'true')) {
      confidence = lower(confidence);
      reasoning.push(L(`(未能确认:${open.text['zh-CN']})`, `(not established: ${open.text.en})`));
    }
    // The path trace, where one ran, beside any verdict it did not decide itself: what it saw, in its words.
    const trace = idx.get(PATH_TRACE_ID);
    if (trace && !verdict.blockingCheckIds.includes(PATH_TRACE_ID) && rule.id !== 'trace-reached-host') {
      reasoning.push(join([L('路径追踪：', 'Path trace: '), trace.finding], ''));
    }
    return { ...verdict, confidence, reasoning, ruleId: rule.id };
  }
  /* c8 ignore next */
  throw new Error('the fallback rule always decides');
}

// The verdict: where the fault is, why, and how sure we are. An ordered list of pure reasoning rules,
// each (facts, checks) → candidate | null; the first that decides wins. Without cloud data every
// confidence drops one step, and checks that need the cloud stay 'unknown' (never invented).
import { L, join } from '../i18n';
import { isLocalBlock, view, type DiagnosisFacts, type FactsView } from './facts';
import { relevantMisses } from './checks/sg';
import { cloudPath, controlSamePortFails } from './path';
import type { Check, Localized, Locus, Verdict } from './types';
import { cloudPathWords, tcpReasonWords } from './words';

export type Confidence = Verdict['confidence'];

export interface VerdictCandidate {
  locus: Locus;
  summary: Localized;
  reasoning: Localized[];
  blockingCheckIds: string[];
  confidence: Confidence;
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

function cloudLine(v: FactsView): Localized {
  if (!v.snapshot) return L('没有云端配置数据:只根据探测结果判断', 'No cloud configuration: judging from the probes alone');
  if (!v.instance) return L('云端没有找到这台实例', 'The instance was not found in the cloud data');
  const p = cloudPath(v);
  if (p.state === 'allow') return L('云端配置全部放行:实例运行中、有公网地址、网络 ACL 与安全组都放行', 'The cloud configuration allows it all: instance running, public address, network ACL and security groups allow');
  return cloudPathWords(p, v.facts.cloud?.sourceIpOrigin === 'none');
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

/** A silent drop (or no probe) is what a blocking cloud layer looks like; a RST or ICMP reject is not. */
const consistentWithCloudDrop = (v: FactsView): boolean => {
  const s = tcpState(v);
  return s === 'timeout' || s === 'none' || v.protocol === 'udp';
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
      return { locus: 'none', summary: L(`端口 ${v.port} 可以访问,应用有应答`, `Port ${v.port} is reachable and the application answers`), reasoning, blockingCheckIds: [], confidence: ans?.status === 'pass' ? 'high' : 'medium' };
    },
  },
  {
    id: 'control-same-port-fails',
    decide(v, c) {
      const e = c.get('client.egress');
      if (e?.status !== 'fail') return null;
      const others = [...c.failingInLayer('network'), ...c.failingInLayer('server')];
      const reasoning = [probeLine(v), e.finding, L('已知正常的主机在同一端口上也连不上,所以问题在你这一侧的网络', 'A known-good host fails on the same port too, so the block is on your side')];
      if (others.length) reasoning.push(L(`另外还发现:${others.join(', ')}(修好本地网络后再看)`, `Also found: ${others.join(', ')} (look again once your network is fixed)`));
      return { locus: 'client', summary: L(`你所在的网络封了出方向 ${v.port} 端口`, `Your network blocks outbound port ${v.port}`), reasoning, blockingCheckIds: ['client.egress', ...others], confidence: 'high' };
    },
  },
  {
    id: 'instance-not-running',
    decide(v, c) {
      const ids = c.failing(['instance.overdue-lock', 'instance.security-lock', 'instance.running']);
      if (!ids.length || tcpState(v) === 'open') return null;
      return {
        locus: 'network',
        summary: c.failed('instance.overdue-lock') ? L('实例因欠费被停机', 'The instance is stopped for an overdue payment') : c.failed('instance.security-lock') ? L('实例被安全锁定', 'The instance is under a security lock') : L('实例没有运行', 'The instance is not running'),
        reasoning: [...findings(c, ids), probeLine(v), L('实例不在运行状态时所有端口都不可达,其他检查都没有意义', 'While the instance is not running every port is unreachable; nothing else matters yet')],
        blockingCheckIds: ids,
        confidence: 'high',
      };
    },
  },
  {
    id: 'no-public-path',
    decide(v, c) {
      const ids = c.failing(['net.public-ip', 'net.eip', 'net.eip-financial-lock', 'net.eip-bandwidth']);
      if (!ids.length || tcpState(v) === 'open') return null;
      return { locus: 'network', summary: L('实例没有可用的公网入口', 'The instance has no working public address'), reasoning: [...findings(c, ids), probeLine(v)], blockingCheckIds: ids, confidence: 'high' };
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
      };
    },
  },
  {
    id: 'acl-denies',
    decide(v, c) {
      const ids = c.failing(['net.acl-inbound', 'net.acl-return']);
      if (!ids.length || !consistentWithCloudDrop(v)) return null;
      return { locus: 'network', summary: c.failed('net.acl-inbound') ? L('网络 ACL 拦截了入方向连接', 'The network ACL blocks the connection inbound') : L('网络 ACL 没有放行回程(临时端口)', 'The network ACL does not let the replies out (ephemeral ports)'), reasoning: [...findings(c, ids), probeLine(v)], blockingCheckIds: ids, confidence: 'high' };
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
      return { locus: 'network', summary, reasoning: [...findings(c, [...specific, 'sg.inbound-rule']), probeLine(v)], blockingCheckIds: [...specific, 'sg.inbound-rule'], confidence: 'high' };
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
        reasoning: [probeLine(v), cloudLine(v), L('阿里云安全组和 ACL 只会静默丢弃,不会回 RST 或 ICMP 拒绝;应答来自别处(地址不属于该实例、中间设备,或快照过期)', 'Alibaba security groups and ACLs drop silently; they never answer with a RST or ICMP reject. The answer came from elsewhere (the address is not this instance, a middlebox, or a stale snapshot)')],
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
      return {
        locus: 'server',
        summary: c.failed('os.bind-address') ? L('服务只监听 127.0.0.1,外部连接被拒绝', 'The service listens on 127.0.0.1 only; outside connections are refused') : c.failed('os.firewall') ? L('服务器防火墙拒绝了连接', 'The server’s firewall rejects the connection') : L(`服务器上没有服务监听 ${v.port} 端口(或防火墙 REJECT)`, `Nothing listens on port ${v.port} on the server (or a firewall REJECTs)`),
        reasoning,
        blockingCheckIds: ids.length ? ids : ['os.listening'],
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
        reasoning: [probeLine(v), cloudLine(v), L('“主机禁止”是主机防火墙的拒绝回应;安全组只会静默丢弃', '"Host prohibited" is a host firewall’s reject answer; security groups only drop silently'), ...findings(c, ['os.firewall'])],
        blockingCheckIds: ['os.firewall'],
        confidence: 'high',
      };
    },
  },
  {
    id: 'server-evidence-blocks',
    decide(v, c) {
      if (!v.hasServer || tcpState(v) === 'open') return null;
      const ids = c.failing(['os.firewall', 'os.bind-address', 'os.sshd-config', 'os.service-running', 'os.listening']);
      if (!ids.length) return null;
      return { locus: 'server', summary: join([L('服务器内部:', 'Inside the server: '), c.get(ids[0])!.finding], ''), reasoning: [probeLine(v), cloudLine(v), ...findings(c, ids)], blockingCheckIds: ids, confidence: 'high' };
    },
  },
  {
    id: 'timeout-cloud-allows',
    decide(v, c) {
      if (tcpState(v) !== 'timeout' || cloudPath(v).state !== 'allow') return null;
      if (controlSamePortFails(v)) return null; // handled by control-same-port-fails
      if (c.get('net.carrier-blocked-port')?.status === 'warn') {
        return { locus: 'network', summary: L(`端口 ${v.port} 很可能被运营商封堵`, `Port ${v.port} is most likely blocked by a carrier`), reasoning: [probeLine(v), cloudLine(v), c.finding('net.carrier-blocked-port')!], blockingCheckIds: ['net.carrier-blocked-port'], confidence: 'medium' };
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
      return {
        locus: 'inconclusive',
        summary: L('证据不足或相互矛盾', 'The evidence is missing or conflicting'),
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
    const confidence = v.snapshot && v.instance ? cand.confidence : lower(cand.confidence);
    const reasoning = v.snapshot && v.instance ? cand.reasoning : [...cand.reasoning, L('(没有云端数据,置信度已下调)', '(no cloud data: confidence lowered)')];
    return { ...cand, confidence, reasoning, ruleId: rule.id };
  }
  /* c8 ignore next */
  throw new Error('the fallback rule always decides');
}

// Security-group checks (seed 000 §一, seed 004 "Incorrect Security Group Rule Configurations"): direction,
// protocol, port, source, a higher-priority drop, the group being bound to the right interface, region,
// quotas, enterprise-group defaults, classic-network NicType. They read the rule engine's evaluation of
// the real flow (client egress IP → instance address:port) and its near misses.
import type { SecurityGroupRule } from '../../cloud/model';
import { L } from '../../i18n';
import { nearMissText } from '../../rules/format';
import type { NearMiss, NearMissReason } from '../../rules/types';
import type { FactsView } from '../facts';
import type { FixIntent } from '../../cloud/provider';
import { hostCidr, info, intentFix } from '../fixes';
import type { Fix, Localized } from '../types';
import { ev, type CheckDef, type CheckOutcome } from './define';
import type { CheckId } from './ids';
import { evaluationWords } from '../words';

const ENI_GROUP_LIMIT = 10;
const ENI_RULE_LIMIT = 1000;

export function findRule(v: FactsView, ruleId: string): SecurityGroupRule | null {
  for (const g of v.snapshot?.securityGroups ?? []) {
    const r = g.rules.find((x) => x.id === ruleId);
    if (r) return r;
  }
  return null;
}

export function rulePointer(v: FactsView, ruleId: string): string {
  const groups = v.snapshot?.securityGroups ?? [];
  for (let gi = 0; gi < groups.length; gi++) {
    const ri = groups[gi].rules.findIndex((x) => x.id === ruleId);
    if (ri >= 0) return `/cloud/snapshot/securityGroups/${gi}/rules/${ri}`;
  }
  return '/cloud/securityGroups';
}

export function describeRule(r: SecurityGroupRule): string {
  const peer = r.peer.kind === 'cidr' ? r.peer.cidr : r.peer.kind === 'group' ? r.peer.groupId : r.peer.kind === 'prefix-list' ? r.peer.prefixListId : 'any';
  return `${r.id} (${r.groupId}): ${r.direction} ${r.rawProtocol || r.protocol} ${r.rawPortRange || `${r.portRange.from}/${r.portRange.to}`} ${peer} ${r.policy} priority ${r.priority}`;
}

/** The group a new rule should go to: the first group on the evaluated interface. */
export function targetGroup(v: FactsView): string | null {
  return v.sg?.considered[0] ?? v.instance?.securityGroupIds[0] ?? null;
}

/** The client address a rule should admit: the measured egress IP, else the flow's source. */
export function clientCidr(v: FactsView): string {
  const src = v.facts.cloud?.sourceIpOrigin === 'none' ? null : (v.flow?.sourceIp ?? v.egressIp);
  return hostCidr(src ?? null);
}

/** The client address a rule should admit, or null when it is unknown (the fix then has a placeholder). */
export function clientCidrOrNull(v: FactsView): string | null {
  const src = v.facts.cloud?.sourceIpOrigin === 'none' ? null : (v.flow?.sourceIp || v.egressIp);
  return src ? hostCidr(src) : null;
}

/** "Let this flow in": the intent a provider turns into the narrowest rule that admits it (and proves it). */
export function allowIntent(v: FactsView, extra: Partial<Extract<FixIntent, { kind: 'allow-flow' }>> = {}): FixIntent {
  return { kind: 'allow-flow', groupId: targetGroup(v), direction: 'ingress', protocol: v.protocol, port: v.port, cidr: clientCidrOrNull(v), ...extra };
}

/** The usual fix for "let this flow in", as an intent. */
export const allowFlowFixes = (v: FactsView, extra: Partial<Extract<FixIntent, { kind: 'allow-flow' }>> = {}): Fix[] => [intentFix(allowIntent(v, extra))];

/** Why a rule field could not be evaluated, in words. */
const FIELD_WHY: Record<string, { zh: string; en: string }> = {
  'unknown-field': { zh: '本工具不认识的字段', en: 'a field this version does not know' },
  'unresolved-reference': { zh: '引用的端口列表内容没有读取', en: 'a port list whose entries were not read' },
  unparsable: { zh: '取值无法解析', en: 'a value that could not be read' },
  'conflicting-fields': { zh: '与同类字段同时设置', en: 'set together with another field of the same kind' },
  'not-for-direction': { zh: '不属于该方向规则的字段', en: 'a field that does not belong to a rule of this direction' },
  'partial-source-ports': { zh: '源端口范围只覆盖部分客户端临时端口', en: 'a source-port range covering only part of the client’s ephemeral ports' },
};

/** The groups' decision is open because a rule has a field that cannot be evaluated: name the rule and field. */
function fieldNotEvaluated(v: FactsView): CheckOutcome | null {
  if (v.sg?.decision !== 'unknown' || v.sg.explanation !== 'uncertain-field') return null;
  const notes = (v.sg.notes ?? []).filter((n) => n.code === 'uncertain-field');
  if (!notes.length) return null;
  const parts = notes.map((n) => {
    const x = n.values ?? {};
    const fields = String(x.fields ?? '').split(',');
    const values = String(x.values ?? '').split(',');
    const reasons = String(x.reasons ?? '').split(',');
    return {
      ruleId: String(x.ruleId ?? ''),
      groupId: String(x.groupId ?? ''),
      accept: x.policy === 'accept',
      zh: fields.map((f, i) => `${f}=${values[i] ?? ''}（${FIELD_WHY[reasons[i]]?.zh ?? reasons[i]}）`).join('、'),
      en: fields.map((f, i) => `${f}=${values[i] ?? ''} (${FIELD_WHY[reasons[i]]?.en ?? reasons[i]})`).join(', '),
    };
  });
  return {
    status: 'unknown',
    condition: 'rule-field-not-evaluated',
    finding: L(
      `${parts.map((p) => `${p.accept ? '放行' : '拒绝'}规则 ${p.ruleId}（安全组 ${p.groupId}）的 ${p.zh}`).join('；')}无法评估：这条规则可能匹配也可能不匹配这个连接，所以无法判断安全组是否放行。请在控制台核对该规则，或去掉这个字段后重新检测。`,
      `${parts.map((p) => `${p.accept ? 'Accept' : 'Drop'} rule ${p.ruleId} (${p.groupId}) has ${p.en}`).join('; ')}, which cannot be evaluated: the rule may or may not apply to this connection, so whether the security groups admit it cannot be told. Check the rule in the console, or remove that field and run the check again.`,
    ),
    evidence: notes.map((n) => ev('rules', rulePointer(v, String(n.values?.ruleId ?? '')), n.detail)),
  };
}

/** Common preconditions: cloud data present and the flow evaluated. */
function notEvaluated(v: FactsView): CheckOutcome | null {
  const field = fieldNotEvaluated(v);
  if (field) return field;
  if (!v.snapshot) return { status: 'unknown', condition: 'no-cloud', finding: L('没有云端配置数据(未连接云 API,也没有导入快照)', 'No cloud configuration (no API access and no imported snapshot)') };
  if (!v.instance) return { status: 'unknown', condition: 'no-instance', finding: L('云端没有找到这台实例,无法评估安全组', 'The instance was not found in the cloud data; the security groups cannot be evaluated') };
  if (!v.sg || v.sg.decision === 'unknown') {
    const why = v.sg?.explanation ?? 'not-evaluated';
    return { status: 'unknown', condition: `not-evaluated:${why}`, finding: undecidedInWords(v, why), evidence: (v.sg?.notes ?? []).map((n) => ev('rules', '/cloud/securityGroups/notes', n.detail)) };
  }
  return null;
}

/** Why the security groups stay undecided, in words a user can act on (never the engine's code). */
function undecidedInWords(v: FactsView, why: string) {
  const note = (code: string) => v.sg?.notes?.find((n) => n.code === code)?.values ?? {};
  if (!v.sg && v.facts.cloud?.sourceIpOrigin === 'none') {
    return L(
      '安全组没有评估:不知道你的公网 IP(服务器看到的来源地址),而规则是否放行取决于来源地址。请填写你的公网 IP 后重新诊断。',
      'The security groups were not evaluated: your public IP (the source address the server sees) is unknown, and whether a rule admits you depends on it. Enter your public IP and run the diagnosis again.',
    );
  }
  switch (why) {
    case 'depends-on-source': {
      const { allowedExample: a, deniedExample: d } = note('depends-on-source');
      return L(
        `没有测到你的公网 IP,而规则是否放行取决于它(例如 ${a || '某些地址'} 会被放行,${d || '其他地址'} 不会)。请填写服务器看到的你的公网 IP(在浏览器里搜索“我的IP”即可查到),再运行一次。`,
        `Your public IP could not be detected, and whether the rules admit you depends on it (e.g. ${a || 'some addresses'} would be admitted, ${d || 'others'} would not). Enter your public IP as the server sees it (search “what is my IP” in a browser) and run again.`,
      );
    }
    case 'source-unknown':
      return L('没有测到你的公网 IP,无法判断依赖来源地址的规则。请填写服务器看到的你的公网 IP 后再运行一次。', 'Your public IP could not be detected, so rules that depend on the source address cannot be judged. Enter your public IP as the server sees it and run again.');
    case 'destination-not-on-instance':
      return L(`探测的地址 ${v.flow?.destinationIp ?? ''} 不是这台实例的地址,它的安全组说明不了这个地址`, `The probed address ${v.flow?.destinationIp ?? ''} is not this instance’s; its security groups say nothing about that address`);
    case 'group-missing':
      return L('网卡上有安全组的规则没有读到,结论可能被它们改变', 'The rules of a group on the interface were not read; they could change the answer');
    case 'uncertain-peer':
    case 'uncertain-membership':
      return L('有规则引用了安全组或前缀列表,从现有数据看不出你的地址是否在其中', 'A rule refers to a security group or prefix list whose members cannot be seen here, so whether it covers your address cannot be told');
    case 'not-evaluated':
      return L('没有可评估的连接(目标地址未知)', 'There is no connection to evaluate (the target address is unknown)');
    default: {
      const w = evaluationWords(why);
      return L(`安全组无法判断:${w['zh-CN']}`, `The security groups could not be decided: ${w.en}`);
    }
  }
}

const flowText = (v: FactsView, lang: 'zh-CN' | 'en'): string => {
  const src = v.facts.cloud?.sourceIpOrigin === 'none' || !v.flow?.sourceIp ? L('你的公网 IP(未知)', 'your public IP (unknown)')[lang] : v.flow.sourceIp;
  return `${v.protocol.toUpperCase()} ${src} → ${v.flow?.destinationIp ?? '?'}:${v.port}`;
};

function allowedBy(v: FactsView): CheckOutcome {
  const d = v.sg!.decidedBy;
  const rule = d?.kind === 'rule' ? findRule(v, d.ruleId) : null;
  return {
    status: 'pass',
    condition: 'allowed',
    finding: rule ? L(`规则 ${describeRule(rule)} 放行 ${flowText(v, 'zh-CN')}`, `Rule ${describeRule(rule)} admits ${flowText(v, 'en')}`) : L(`安全组放行 ${flowText(v, 'zh-CN')}`, `The security groups admit ${flowText(v, 'en')}`),
    evidence: rule ? [ev('rules', rulePointer(v, rule.id), describeRule(rule))] : [ev('rules', '/cloud/securityGroups', v.sg!.explanation)],
  };
}

const coversPort = (r: SecurityGroupRule, port: number): boolean => r.portRange.from !== -1 && r.portRange.from <= port && port <= r.portRange.to;
const allPorts = (r: SecurityGroupRule): boolean => r.portRange.from === -1 || (r.portRange.from <= 1 && r.portRange.to >= 65535);
const specificPeer = (r: SecurityGroupRule): boolean => r.peer.kind !== 'cidr' || !/^(0\.0\.0\.0\/0|::\/0)$/.test(r.peer.cidr);

/** One port looks like a typo of the other (2222 for 22, 8080 for 80, 33306 for 3306). */
function portLooksLike(a: number, b: number): boolean {
  const x = String(a);
  const y = String(b);
  if (x === y) return true;
  if (x.includes(y) || y.includes(x)) return true;
  if (x.length !== y.length) return false;
  let diff = 0;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) diff++;
  return diff <= 1;
}

/**
 * Is a near miss about THIS flow, or just another rule of the group? The egress allow-all rule and a web
 * group's 80/443 rules "almost" match an SSH flow only in the engine's sense; naming them as the cause
 * would mislead. A miss is relevant when the rule was plausibly meant for this flow.
 */
export function isRelevantMiss(v: FactsView, m: NearMiss): boolean {
  const r = findRule(v, m.ruleId);
  if (!r) return true;
  switch (m.reason) {
    case 'wrong-direction':
      return !allPorts(r) && (coversPort(r, v.port) || portLooksLike(r.portRange.from, v.port));
    case 'wrong-protocol':
      return coversPort(r, v.port) && !allPorts(r);
    case 'port-outside-range':
      return r.protocol === v.protocol && (portLooksLike(r.portRange.from, v.port) || portLooksLike(r.portRange.to, v.port) || (specificPeer(r) && r.peer.kind === 'cidr' && m.values?.clientIp !== undefined && !/^(0\.0\.0\.0\/0|::\/0)$/.test(r.peer.cidr)));
    case 'group-reference':
      // A rule admitting every protocol on every port from a security group is intra-group access (Huawei Cloud
      // puts one in every new group: "ingress, all, remote group = itself"), not an attempt at this flow; only
      // when the client's membership cannot be told may it be the rule that admits it.
      if (r.protocol === 'all' && allPorts(r) && m.values?.membership !== 'unknown') return false;
      return coversPort(r, v.port) || allPorts(r);
    case 'source-excludes-client':
    case 'private-source':
    case 'bare-ip-without-mask':
    case 'prefix-list-unresolved':
    case 'nic-type':
    case 'source-port-restricted':
      return coversPort(r, v.port) || allPorts(r);
    default:
      return true;
  }
}

/** The near misses that explain this flow's deny. */
export function relevantMisses(v: FactsView): NearMiss[] {
  return (v.sg?.nearMisses ?? []).filter((m) => isRelevantMiss(v, m));
}

function missesOf(v: FactsView, reasons: readonly NearMissReason[]): NearMiss[] {
  return relevantMisses(v).filter((m) => reasons.includes(m.reason));
}

function missEvidence(v: FactsView, ms: NearMiss[]) {
  return ms.map((m) => ev('rules', rulePointer(v, m.ruleId), `${m.reason}: ${m.detail}`));
}

/** A near-miss-driven check: fail when the deny is explained by one of `reasons`. */
/** A check about a feature the run's cloud does not have: skipped, saying why (never a pass or a fail). */
function notOnThisCloud(finding: Localized): CheckOutcome {
  return { status: 'skipped', condition: 'not-on-this-cloud', finding };
}

function nearMissCheck(
  id: CheckId,
  title: CheckDef['title'],
  explanation: CheckDef['explanation'],
  reasons: readonly NearMissReason[],
  fixesFor: (v: FactsView, ms: NearMiss[]) => Fix[],
  passText: CheckDef['title'],
  /** The cloud's semantics say this kind of mistake cannot happen there (e.g. NIC types without a classic network). */
  notApplicable?: (v: FactsView) => Localized | null,
): CheckDef {
  return {
    id,
    layer: 'network',
    title,
    explanation,
    needs: ['cloud', 'probes', 'rules'],
    run(v) {
      const na = notApplicable?.(v);
      if (na) return notOnThisCloud(na);
      const pre = notEvaluated(v);
      if (pre) return pre;
      if (v.sg!.decision === 'allow') return allowedBy(v);
      const ms = missesOf(v, reasons);
      if (ms.length === 0) return { status: 'pass', condition: 'not-the-cause', finding: passText };
      return {
        status: 'fail',
        condition: ms[0].reason,
        finding: L(
          `${ms.length} 条规则差一点就能放行:${ms.map((m) => `${m.ruleId}:${nearMissText(m, 'zh-CN')}`).join(';')}`,
          `${ms.length} rule(s) almost admit the flow: ${ms.map((m) => `${m.ruleId}: ${m.detail}`).join('; ')}`,
        ),
        evidence: missEvidence(v, ms),
        fixes: fixesFor(v, ms),
      };
    },
  };
}

const modifyOrAdd = (v: FactsView, ms: NearMiss[], change: (r: SecurityGroupRule) => Record<string, string | number> | null): Fix[] => {
  const out: Fix[] = [];
  const rule = ms.map((m) => findRule(v, m.ruleId)).find((r) => r !== null) ?? null;
  const ch = rule ? change(rule) : null;
  if (rule && ch) out.push(intentFix({ kind: 'modify-rule', groupId: rule.groupId, ruleId: rule.id, changes: ch }));
  out.push(...allowFlowFixes(v));
  return out;
};

/**
 * A drop rule decides the flow: remove it (the provider offers that only when it serves nothing else), and
 * outrank it with an accept one priority higher; at priority 1 nothing outranks it (drop wins ties).
 */
function dropFixes(v: FactsView, drop: SecurityGroupRule | null): Fix[] {
  if (!drop) return [];
  const revoke = intentFix({ kind: 'revoke-rule', groupId: drop.groupId, ruleId: drop.id, direction: drop.direction });
  if (drop.priority > 1) return [revoke, ...allowFlowFixes(v, { beatPriority: drop.priority, groupId: drop.groupId })];
  return [revoke, info(`拒绝规则 ${drop.id} 的优先级已是 1，同优先级拒绝优先：新加的放行规则压不过它，只能删除或收窄它（例如改授权对象）。`, `Drop rule ${drop.id} already has priority 1 and drop wins ties: a new accept rule cannot outrank it; delete it or narrow its source.`)];
}

export const sgInboundRule: CheckDef = {
  id: 'sg.inbound-rule',
  layer: 'network',
  title: L('有一条入方向规则放行这个连接', 'An inbound rule admits this connection'),
  explanation: L(
    '安全组默认拒绝入方向访问;必须有一条入方向、协议和端口都对、授权对象包含你的公网出口 IP 的放行规则,且没有更高优先级的拒绝规则。规则立即生效,无需等待。',
    'Security groups deny inbound traffic by default: an inbound accept rule with the right protocol and port whose source contains your public egress IP is needed, with no drop rule of higher priority. Rules take effect immediately; there is nothing to wait for.',
  ),
  needs: ['cloud', 'probes', 'rules'],
  run(v) {
    const pre = notEvaluated(v);
    if (pre) return pre;
    const sg = v.sg!;
    if (sg.decision === 'allow') return allowedBy(v);
    const d = sg.decidedBy;
    if (d?.kind === 'rule' && d.policy === 'drop') {
      const rule = findRule(v, d.ruleId);
      return {
        status: 'fail',
        condition: 'dropped-by-rule',
        finding: L(`拒绝规则 ${rule ? describeRule(rule) : d.ruleId} 拦下了 ${flowText(v, 'zh-CN')}`, `Drop rule ${rule ? describeRule(rule) : d.ruleId} blocks ${flowText(v, 'en')}`),
        evidence: [ev('rules', rulePointer(v, d.ruleId), `decided by drop rule ${d.ruleId}`)],
        fixes: dropFixes(v, rule),
      };
    }
    const why = d?.kind === 'default' ? d.reason : sg.explanation;
    const misses = relevantMisses(v);
    if (misses.length === 0) {
      return {
        status: 'fail',
        condition: 'no-rule',
        finding: L(
          `安全组 ${sg.considered.join('、') || '（无）'} 中没有任何规则涉及 ${flowText(v, 'zh-CN')}:默认拒绝`,
          `No rule of ${sg.considered.join(', ') || '(none)'} covers ${flowText(v, 'en')}: the default denies it`,
        ),
        evidence: [ev('rules', '/cloud/securityGroups', `decision deny: ${why}`)],
        fixes: allowFlowFixes(v),
      };
    }
    return {
      status: 'fail',
      condition: 'near-miss',
      finding: L(
        `没有规则放行 ${flowText(v, 'zh-CN')};有 ${misses.length} 条规则差一点就能放行:${misses.map((m) => nearMissText(m, 'zh-CN')).join(';')}`,
        `No rule admits ${flowText(v, 'en')}; ${misses.length} rule(s) almost do: ${misses.map((m) => m.detail).join('; ')}`,
      ),
      evidence: missEvidence(v, misses),
      fixes: allowFlowFixes(v),
    };
  },
};

export const sgDirection = nearMissCheck(
  'sg.direction',
  L('规则方向是入方向', 'The rule is on the inbound direction'),
  L('访问服务器(SSH、HTTP 等)需要入方向规则;只配置出方向规则对进来的连接无效。', 'Reaching the server (SSH, HTTP, …) needs an inbound rule; an outbound rule does nothing for incoming connections.'),
  ['wrong-direction'],
  (v, ms) => [...allowFlowFixes(v), info(`出方向规则 ${ms[0].ruleId} 对进来的连接不起作用,确认不需要后可以删除。`, `Outbound rule ${ms[0].ruleId} does nothing for incoming connections; delete it if you do not need it.`)],
  L('没有发现把该端口错配在出方向的规则', 'No rule for this port was put on the outbound direction by mistake'),
);

export const sgProtocol = nearMissCheck(
  'sg.protocol',
  L('规则协议正确(SSH/HTTP/HTTPS 都是 TCP)', 'The rule has the right protocol (SSH/HTTP/HTTPS are TCP)'),
  L('SSH 22、HTTP 80、HTTPS 443、RDP 3389 都是 TCP;误填为 UDP 或 ICMP 的规则不会放行连接。', 'SSH 22, HTTP 80, HTTPS 443 and RDP 3389 are TCP; a rule for UDP or ICMP does not admit the connection.'),
  ['wrong-protocol'],
  (v, ms) => modifyOrAdd(v, ms, () => ({ IpProtocol: v.protocol.toUpperCase(), PortRange: `${v.port}/${v.port}` })),
  L('没有发现协议填错的规则', 'No rule has the wrong protocol for this port'),
);

export const sgPort = nearMissCheck(
  'sg.port',
  L('规则端口范围包含目标端口', 'The rule’s port range contains the port'),
  L(
    '端口范围写错(如写成 2222 而不是 22,或服务改了端口而安全组没改)时规则不匹配。-1/-1 表示所有端口,生产环境不推荐。五元组规则的“源端口范围”是客户端一侧的端口：客户端连接时用的是随机临时端口，把服务端口（如 22）填进源端口范围的规则不会放行任何正常连接。',
    'A mistyped range (2222 instead of 22, or a service moved to another port without updating the group) does not match. -1/-1 means all ports and is not advisable in production. The source-port range of a five-tuple rule is the client’s side: clients connect from random ephemeral ports, so a rule with the service port (e.g. 22) as its source port admits no normal connection.',
  ),
  ['port-outside-range', 'source-port-restricted'],
  (v, ms) =>
    ms[0].reason === 'source-port-restricted'
      ? // The source-port limit is what denies: a new rule without it (never a copy of the rule), then the old one can go.
        [
            ...allowFlowFixes(v),
            ...ms
              .map((m) => findRule(v, m.ruleId))
              .filter((r): r is SecurityGroupRule => r !== null)
              .slice(0, 1)
              .map((r) => info(`规则 ${r.id} 的源端口限制使它不放行正常的连接；新规则生效后，如不再需要，可以删除它。`, `Rule ${r.id} admits no normal connection because of its source-port limit; once the new rule works, delete it if you do not need it.`)),
          ]
      : modifyOrAdd(v, ms, () => ({ PortRange: `${v.port}/${v.port}` })),
  L('没有发现端口范围写错的规则', 'No rule misses the port by its range'),
);

export const sgSource = nearMissCheck(
  'sg.source',
  L('授权对象包含你的公网出口 IP', 'The rule’s source contains your public egress IP'),
  L(
    '从本地电脑访问时授权对象应是你的公网出口 IP(如 203.0.113.7/32);填成内网 IP(192.168.x.x)、别人的 IP、或未解析的安全组/前缀列表都不会匹配。经过 NAT、企业宽带或代理时,真实出口 IP 可能与你以为的不同。',
    'From your own computer the source must be your public egress IP (e.g. 203.0.113.7/32); a private address (192.168.x.x), someone else’s IP, or an unresolvable group/prefix list does not match. Behind NAT, a corporate line or a proxy the real egress IP may differ from what you think.',
  ),
  ['source-excludes-client', 'private-source', 'bare-ip-without-mask', 'group-reference', 'prefix-list-unresolved'],
  (v, ms) => modifyOrAdd(v, ms, (r) => (r.peer.kind === 'cidr' && r.peer.family === (clientCidr(v).includes(':') ? 6 : 4) ? { [r.peer.family === 6 ? 'Ipv6SourceCidrIp' : 'SourceCidrIp']: clientCidr(v) } : null)),
  L('没有发现授权对象不含你的出口 IP 的规则', 'No rule misses you by its source'),
);

export const sgPriorityDrop: CheckDef = {
  id: 'sg.priority-drop',
  layer: 'network',
  title: L('没有更高优先级的拒绝规则', 'No drop rule of higher priority'),
  explanation: L(
    '安全组按优先级（1–100，数字越小越优先）决定，优先级相同时拒绝优先；与规则在列表中的上下顺序无关。网卡上有多个安全组时：阿里云把所有安全组的规则合并后一起排序；华为云按安全组在网卡上的顺序逐个匹配，排在前面的安全组先生效。',
    'Security groups decide by priority (1–100, lower number wins), and at equal priority a drop (deny) beats an accept (allow); the order in the list does not matter. With several groups on the interface, Alibaba Cloud sorts the rules of all groups together, while Huawei Cloud matches the groups one after another in their order on the interface (an earlier group comes first).',
  ),
  needs: ['cloud', 'probes', 'rules'],
  run(v) {
    const pre = notEvaluated(v);
    if (pre) return pre;
    if (v.sg!.decision === 'allow') return allowedBy(v);
    const d = v.sg!.decidedBy;
    const shadows = missesOf(v, ['shadowed-by-drop']);
    if (!(d?.kind === 'rule' && d.policy === 'drop') && shadows.length === 0) {
      return { status: 'pass', condition: 'no-drop-rule', finding: L('没有拒绝规则匹配这个连接', 'No drop rule matches this connection') };
    }
    const dropId = d?.kind === 'rule' ? d.ruleId : String(shadows[0].values?.dropRuleId ?? shadows[0].ruleId);
    const drop = findRule(v, dropId);
    const fixes = dropFixes(v, drop);
    return {
      status: 'fail',
      condition: shadows.length ? 'shadowed-by-drop' : 'dropped-by-rule',
      finding: L(
        `拒绝规则 ${drop ? describeRule(drop) : dropId} 先于放行规则生效${shadows.length ? `(被压过的放行规则:${shadows.map((s) => s.ruleId).join(', ')})` : ''}`,
        `Drop rule ${drop ? describeRule(drop) : dropId} takes precedence${shadows.length ? ` over accept rule(s) ${shadows.map((s) => s.ruleId).join(', ')}` : ''}`,
      ),
      evidence: [ev('rules', rulePointer(v, dropId), `decided by drop ${dropId}`), ...missEvidence(v, shadows)],
      fixes,
    };
  },
};

export const sgBound: CheckDef = {
  id: 'sg.bound',
  layer: 'network',
  title: L('规则所在的安全组绑定在这块网卡上', 'The rule’s group is bound to this interface'),
  explanation: L(
    '安全组绑定在弹性网卡上:新建的安全组不会自动绑定;多网卡实例上,辅助网卡的安全组对主网卡的地址不起作用。',
    'Security groups are attached to network interfaces: a new group is not attached automatically, and on a multi-NIC instance a secondary interface’s group does nothing for the primary interface’s address.',
  ),
  needs: ['cloud', 'probes', 'rules'],
  run(v) {
    const pre = notEvaluated(v);
    if (pre && pre.condition !== 'not-evaluated:group-missing') return pre;
    const sg = v.sg;
    const groups = sg?.considered ?? [];
    const other = missesOf(v, ['other-interface']);
    const missing = (sg?.notes ?? []).filter((n) => n.code === 'group-missing');
    const evidence = [ev('cloud', '/cloud/snapshot/interfaces', `interface ${sg?.interfaceId ?? '?'} groups: ${groups.join(', ') || '(none)'}`)];
    if (sg?.decision === 'deny' && other.length) {
      const gid = other[0].containerId;
      return {
        status: 'fail',
        condition: 'rule-on-other-interface',
        finding: L(`放行规则 ${other[0].ruleId} 在安全组 ${gid},但该组没有绑定在流量到达的网卡 ${sg.interfaceId ?? ''} 上`, `Accept rule ${other[0].ruleId} is in ${gid}, which is not attached to interface ${sg.interfaceId ?? ''} the traffic arrives on`),
        evidence: [...evidence, ...missEvidence(v, other)],
        fixes: [intentFix({ kind: 'join-group', instanceId: v.instance?.id ?? null, groupId: gid }), ...allowFlowFixes(v)],
      };
    }
    if (missing.length) {
      return { status: 'warn', condition: 'group-missing', finding: L(`网卡上的安全组 ${missing.map((n) => n.values?.groupId).join(', ')} 的规则没有读到`, `The rules of ${missing.map((n) => n.values?.groupId).join(', ')} on the interface were not read`), evidence };
    }
    if (groups.length === 0) return { status: 'fail', condition: 'no-group', finding: L('网卡上没有绑定任何安全组', 'No security group is attached to the interface'), evidence };
    return { status: 'pass', condition: 'bound', finding: L(`网卡 ${sg?.interfaceId ?? ''} 绑定的安全组:${groups.join(', ')}`, `Interface ${sg?.interfaceId ?? ''} has groups ${groups.join(', ')}`), evidence };
  },
};

export const sgRegion: CheckDef = {
  id: 'sg.region',
  layer: 'network',
  title: L('安全组与实例在同一地域', 'Security groups and the instance are in the same region'),
  explanation: L('安全组是地域级资源,不同地域完全隔离;在错误的地域里改规则对实例没有任何作用。', 'Security groups are regional; editing a group in another region does nothing for the instance.'),
  needs: ['cloud'],
  run(v) {
    const snap = v.snapshot;
    if (!snap) return { status: 'unknown', condition: 'no-cloud', finding: L('没有云端配置数据', 'No cloud configuration') };
    if (!v.instance) {
      return {
        status: 'warn',
        condition: 'instance-not-in-region',
        finding: L(`在地域 ${snap.region} 没有找到这台实例:地域选错了,或者地址不属于本账号的实例`, `No such instance in region ${snap.region}: wrong region, or the address is not an instance of this account`),
        evidence: [ev('cloud', '/cloud/snapshot/region', snap.region), ...(snap.notes ?? []).map((n) => ev('cloud', '/cloud/snapshot/notes', n))],
      };
    }
    const other = snap.securityGroups.filter((g) => g.region && g.region !== v.instance!.region);
    if (other.length) {
      return {
        status: 'fail',
        condition: 'region-mismatch',
        finding: L(`安全组 ${other.map((g) => `${g.id}(${g.region})`).join(', ')} 与实例(${v.instance.region})不在同一地域`, `Groups ${other.map((g) => `${g.id} (${g.region})`).join(', ')} are not in the instance's region ${v.instance.region}`),
        evidence: [ev('cloud', '/cloud/snapshot/securityGroups', other.map((g) => g.id).join(','))],
      };
    }
    return { status: 'pass', condition: 'same-region', finding: L(`实例与安全组都在 ${v.instance.region}`, `Instance and groups are in ${v.instance.region}`), evidence: [ev('cloud', '/cloud/snapshot/instance/region', v.instance.region)] };
  },
};

export const sgQuota: CheckDef = {
  id: 'sg.group-count-quota',
  layer: 'network',
  title: L('安全组与规则数量在配额内', 'Group and rule counts are within quota'),
  explanation: L(`一块网卡最多绑定 ${ENI_GROUP_LIMIT} 个安全组,这些组的规则合计不超过 ${ENI_RULE_LIMIT} 条;超过时新规则加不上。`, `An interface takes at most ${ENI_GROUP_LIMIT} groups with at most ${ENI_RULE_LIMIT} rules across them; beyond that new rules cannot be added.`),
  needs: ['cloud'],
  run(v) {
    if (!v.instance || !v.snapshot) return { status: 'unknown', condition: 'no-cloud', finding: L('没有云端配置数据', 'No cloud configuration') };
    const ids = v.sg?.considered.length ? v.sg.considered : v.instance.securityGroupIds;
    const rules = v.snapshot.securityGroups.filter((g) => ids.includes(g.id)).reduce((n, g) => n + g.rules.length, 0);
    const evidence = [ev('cloud', '/cloud/snapshot/securityGroups', `${ids.length} groups, ${rules} rules`)];
    // The run's cloud's quota; facts built without a provider keep the limits this check was written with.
    const quota = v.semantics ? v.semantics.interfaceQuota : { groups: ENI_GROUP_LIMIT, rules: ENI_RULE_LIMIT };
    if (!quota) {
      return { status: 'skipped', condition: 'quota-not-known', finding: L(`${ids.length} 个安全组、${rules} 条规则（这个云的配额没有内置，未做比较）`, `${ids.length} group(s), ${rules} rule(s) (this cloud’s quota is not built in: not compared)`), evidence };
    }
    if (ids.length > quota.groups || rules > quota.rules) {
      return { status: 'warn', condition: 'over-quota', finding: L(`${ids.length} 个安全组、${rules} 条规则,超出配额`, `${ids.length} groups and ${rules} rules exceed the quota`), evidence };
    }
    return { status: 'pass', condition: 'within-quota', finding: L(`${ids.length} 个安全组、${rules} 条规则`, `${ids.length} group(s), ${rules} rule(s)`), evidence };
  },
};

export const sgEnterprise: CheckDef = {
  id: 'sg.enterprise-default',
  layer: 'network',
  title: L('企业级安全组的默认拒绝', 'Enterprise security group defaults'),
  explanation: L('企业级安全组默认拒绝出入方向且不能授权其他安全组;普通与企业级安全组不能绑定在同一块网卡上。', 'Enterprise groups deny both directions by default and cannot reference other groups; basic and enterprise groups cannot share an interface.'),
  needs: ['cloud', 'probes', 'rules'],
  run(v) {
    if (v.semantics?.enterpriseGroups === false) return notOnThisCloud(L('这台服务器所在的云只有一种安全组，没有普通/企业级之分', 'This server’s cloud has one kind of security group: no basic/enterprise distinction'));
    if (!v.instance || !v.snapshot) return { status: 'unknown', condition: 'no-cloud', finding: L('没有云端配置数据', 'No cloud configuration') };
    const ids = v.sg?.considered.length ? v.sg.considered : v.instance.securityGroupIds;
    const groups = v.snapshot.securityGroups.filter((g) => ids.includes(g.id));
    const ent = groups.filter((g) => g.type === 'enterprise');
    if (ent.length === 0) return { status: 'pass', condition: 'basic-groups', finding: L('都是普通安全组', 'All groups are basic groups') };
    const mixed = (v.sg?.notes ?? []).find((n) => n.code === 'mixed-group-types');
    if (mixed) return { status: 'fail', condition: 'mixed-group-types', finding: L(`普通与企业级安全组混用:${mixed.detail}`, `Basic and enterprise groups mixed: ${mixed.detail}`), evidence: [ev('rules', '/cloud/securityGroups/notes', mixed.detail)] };
    const ms = missesOf(v, ['enterprise-default-deny']);
    if (v.sg?.decision === 'deny' && (ms.length || v.sg.explanation === 'default-deny-enterprise')) {
      return {
        status: 'fail',
        condition: 'enterprise-default-deny',
        finding: L(`企业级安全组 ${ent.map((g) => g.id).join(', ')} 默认拒绝,没有放行规则`, `Enterprise group(s) ${ent.map((g) => g.id).join(', ')} deny by default and no rule accepts the flow`),
        evidence: missEvidence(v, ms),
        fixes: allowFlowFixes(v),
      };
    }
    return { status: 'pass', condition: 'enterprise-ok', finding: L(`企业级安全组 ${ent.map((g) => g.id).join(', ')} 没有拦截`, `Enterprise group(s) ${ent.map((g) => g.id).join(', ')} do not block`) };
  },
};

export const sgNicType = nearMissCheck(
  'sg.nic-type',
  L('经典网络规则的网卡类型是公网', 'Classic-network rules use the internet NIC type'),
  L('经典网络的安全组规则分公网(internet)和内网(intranet);从公网访问需要 NicType=internet 的规则。VPC 不区分。', 'Classic-network rules are either internet or intranet; access from the Internet needs NicType=internet. VPC does not distinguish.'),
  ['nic-type'],
  (v) => allowFlowFixes(v),
  L('没有网卡类型不匹配的规则', 'No rule misses by NIC type'),
  (v) => (v.semantics?.classicNetwork === false ? L('这台服务器所在的云没有经典网络，规则不分网卡类型', 'This server’s cloud has no classic network: rules have no NIC type') : null),
);

export const SG_CHECKS: CheckDef[] = [sgInboundRule, sgDirection, sgProtocol, sgPort, sgSource, sgPriorityDrop, sgBound, sgRegion, sgEnterprise, sgNicType, sgQuota];

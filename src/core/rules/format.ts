// Plain-text rendering of rule tables (in evaluation order) and of evaluations with their near misses, in
// English or Simplified Chinese. Used by the `cloud check` CLI and by reports; the text is for people,
// the structured Evaluation stays the source of truth.
import type { CloudSnapshot, SecurityGroup, SecurityGroupRule } from '../cloud/model';
import { resolveInterface } from './interfaces';
import { compareRules, compileRule, type PlacedRule } from './compile';
import type { EffectiveAccess, PortSegment } from './effective';
import type { AclEvaluation, Decider, Evaluation, NearMiss, NearMissReason } from './types';

export type FormatLang = 'en' | 'zh-CN';

type L = Record<FormatLang, string>;

export const NEAR_MISS_LABELS: Record<NearMissReason, L> = {
  'wrong-direction': { en: 'wrong direction (outbound rule for inbound traffic)', 'zh-CN': '方向错误（入方向访问需要入方向规则）' },
  'wrong-protocol': { en: 'wrong protocol', 'zh-CN': '协议错误（如 SSH 填成了 UDP）' },
  'port-outside-range': { en: 'port outside the rule\'s range', 'zh-CN': '端口不在规则范围内' },
  'source-excludes-client': { en: 'source does not contain your IP', 'zh-CN': '授权对象不包含你的出口 IP' },
  'private-source': { en: 'private address used for internet access', 'zh-CN': '授权对象是内网地址，公网访问不会命中' },
  'bare-ip-without-mask': { en: 'bare IP is a single host, probably meant a range', 'zh-CN': '未写掩码的 IP 只代表单个地址，可能本意是网段' },
  'shadowed-by-drop': { en: 'shadowed by a drop rule (higher or equal priority)', 'zh-CN': '被优先级更高或相同的拒绝规则覆盖' },
  'group-reference': { en: 'security-group reference never matches a public IP', 'zh-CN': '授权对象是安全组，只匹配组内实例的内网地址' },
  'enterprise-default-deny': { en: 'enterprise group denies by default', 'zh-CN': '企业级安全组默认拒绝' },
  'other-interface': { en: 'rule is on another network interface\'s group', 'zh-CN': '规则所在安全组绑定在其他网卡上' },
  'prefix-list-unresolved': { en: 'prefix list could not be read', 'zh-CN': '前缀列表无法读取' },
  'nic-type': { en: 'classic network: rule is for the other NIC type', 'zh-CN': '经典网络：规则的网卡类型（公网/内网）不符' },
  'source-port-restricted': { en: 'rule limits the source port; clients connect from ephemeral ports', 'zh-CN': '规则限制了源端口，客户端连接使用的是随机临时端口' },
  'ignored-on-flavour': { en: 'rule has no effect on the server\'s older flavour', 'zh-CN': '规则在这台服务器的老规格上不生效' },
  'rule-disabled': { en: 'network ACL rule is disabled', 'zh-CN': '网络ACL规则已停用' },
};

const T = {
  priority: { en: 'Priority', 'zh-CN': '优先级' },
  policy: { en: 'Policy', 'zh-CN': '策略' },
  direction: { en: 'Direction', 'zh-CN': '方向' },
  protocol: { en: 'Protocol', 'zh-CN': '协议' },
  port: { en: 'Port', 'zh-CN': '端口' },
  peer: { en: 'Source/Destination', 'zh-CN': '授权对象' },
  group: { en: 'Group', 'zh-CN': '安全组' },
  rule: { en: 'Rule', 'zh-CN': '规则' },
  note: { en: 'Description', 'zh-CN': '描述' },
  accept: { en: 'accept', 'zh-CN': '允许' },
  drop: { en: 'drop', 'zh-CN': '拒绝' },
  ingress: { en: 'inbound', 'zh-CN': '入方向' },
  egress: { en: 'outbound', 'zh-CN': '出方向' },
  allow: { en: 'ALLOW', 'zh-CN': '放行' },
  deny: { en: 'DENY', 'zh-CN': '拒绝' },
  unknown: { en: 'UNKNOWN', 'zh-CN': '无法判断' },
  decidedBy: { en: 'decided by', 'zh-CN': '决定规则' },
  defaultRule: { en: 'implicit default', 'zh-CN': '隐式默认规则' },
  nearMisses: { en: 'Near misses', 'zh-CN': '差一点命中的规则' },
  notes: { en: 'Notes', 'zh-CN': '说明' },
  order: { en: 'Rules in evaluation order (lower priority number first; drop before accept at equal priority)', 'zh-CN': '按生效顺序排列（优先级数字越小越先匹配；同优先级拒绝优先）' },
  none: { en: '(no rules)', 'zh-CN': '（无规则）' },
  inbound: { en: 'Inbound entries', 'zh-CN': '入方向规则' },
  returnPath: { en: 'Return path (egress to your ephemeral ports)', 'zh-CN': '回程（出方向到客户端临时端口）' },
  statefulReturn: { en: 'Return path: allowed by state (the network ACL is stateful, replies need no rule)', 'zh-CN': '回程：由连接状态放行（网络 ACL 有状态，回包不需要规则）' },
  noAcl: { en: 'No network ACL on this vSwitch', 'zh-CN': '该交换机未绑定网络 ACL' },
  ephemeral: { en: 'ephemeral ports allowed', 'zh-CN': '放行的临时端口' },
  sourcePort: { en: 'source port', 'zh-CN': '源端口' },
} satisfies Record<string, L>;

/** Display width: CJK and full-width characters take two columns. */
function width(s: string): number {
  let w = 0;
  for (const ch of s) w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch) ? 2 : 1;
  return w;
}
const pad = (s: string, n: number): string => s + ' '.repeat(Math.max(0, n - width(s)));

export function table(head: string[], rows: string[][]): string {
  const ws = head.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i] ?? ''))));
  const line = (r: string[]): string => r.map((c, i) => pad(c, ws[i])).join('  ').trimEnd();
  return [line(head), ws.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function peerLabel(r: SecurityGroupRule): string {
  switch (r.peer.kind) {
    case 'cidr':
      return r.peer.cidr;
    case 'group':
      return `sg:${r.peer.groupId}`;
    case 'prefix-list':
      return `pl:${r.peer.prefixListId}`;
    default:
      return '-';
  }
}

/** The rules of the given groups (as one ENI aggregates them) in evaluation order. */
export function formatRulesTable(groups: SecurityGroup[], lang: FormatLang = 'en', direction?: 'ingress' | 'egress'): string {
  const placed: PlacedRule[] = [];
  groups.forEach((g, gi) => g.rules.forEach((r) => placed.push({ c: compileRule(r, g), groupIndex: gi })));
  const rows = placed
    .filter((p) => !direction || p.c.rule.direction === direction)
    .sort(compareRules)
    .map((p, i) => [
      String(i + 1),
      String(p.c.priority),
      T[p.c.policy][lang],
      T[p.c.rule.direction][lang],
      p.c.rule.rawProtocol || p.c.proto.toUpperCase(),
      p.c.rule.rawSourcePortRange ? `${p.c.rule.rawPortRange || '-'} (${T.sourcePort[lang]} ${p.c.rule.rawSourcePortRange})` : p.c.rule.rawPortRange,
      peerLabel(p.c.rule),
      p.c.group.id,
      p.c.rule.id,
      p.c.rule.description ?? '',
    ]);
  const head = ['#', T.priority[lang], T.policy[lang], T.direction[lang], T.protocol[lang], T.port[lang], T.peer[lang], T.group[lang], T.rule[lang], T.note[lang]];
  return `${T.order[lang]}\n${rows.length ? table(head, rows) : T.none[lang]}`;
}

/** The rules that apply to an instance address: its ENI's groups, aggregated, in evaluation order. */
export function formatInterfaceRules(snapshot: CloudSnapshot, address: string, lang: FormatLang = 'en', direction?: 'ingress' | 'egress'): string {
  const choice = resolveInterface(snapshot, address);
  const groups = choice.groupIds.map((id) => snapshot.securityGroups.find((g) => g.id === id)).filter((g): g is SecurityGroup => g !== undefined);
  const head = `${address} → ${choice.eni?.id ?? '-'} (${choice.eni?.type ?? '-'}): ${choice.groupIds.join(', ') || '-'}`;
  return `${head}\n${formatRulesTable(groups, lang, direction)}`;
}

function deciderText(d: Decider | null, lang: FormatLang): string {
  if (!d) return '-';
  if (d.kind === 'default') return `${T.defaultRule[lang]} (${T[d.policy][lang]}): ${d.reason}`;
  return `${d.ruleId} @ ${d.containerId}${d.priority !== undefined ? ` ${T.priority[lang]} ${d.priority}` : ''}${d.order !== undefined && d.priority === undefined ? ` #${d.order}` : ''} (${T[d.policy][lang]})`;
}

export function formatEvaluation(ev: Evaluation, lang: FormatLang = 'en', title = ''): string {
  const out: string[] = [];
  out.push(`${title ? `${title}: ` : ''}${T[ev.decision][lang]} — ${T.decidedBy[lang]} ${deciderText(ev.decidedBy, lang)} [${ev.explanation}]`);
  if (ev.nearMisses.length) {
    out.push(`${T.nearMisses[lang]}:`);
    for (const m of ev.nearMisses) {
      const rule = m.ruleId === '(default)' ? m.containerId : `${m.ruleId} @ ${m.containerId}`;
      out.push(`  - [${m.reason}] ${NEAR_MISS_LABELS[m.reason][lang]} — ${rule}${m.priority !== undefined ? ` (${T.priority[lang]} ${m.priority})` : ''}`);
      out.push(`    ${m.detail}`);
    }
  }
  if (ev.notes?.length) {
    out.push(`${T.notes[lang]}:`);
    for (const n of ev.notes) out.push(`  - [${n.code}] ${n.detail}`);
  }
  return out.join('\n');
}

export function formatAclEvaluation(acl: AclEvaluation, lang: FormatLang = 'en'): string {
  if (!acl.present) return `${T.noAcl[lang]} (${T[acl.decision][lang]})`;
  // A stateful ACL (Huawei Cloud) lets the replies of an allowed connection out: no egress rule decides them.
  const back = acl.returnPath.explanation === 'stateful' && acl.returnPath.decision === 'allow' ? T.statefulReturn[lang] : formatEvaluation(acl.returnPath, lang, T.returnPath[lang]);
  const out = [`ACL ${acl.aclId}: ${T[acl.decision][lang]}`, formatEvaluation(acl.inbound, lang, T.inbound[lang]), back];
  if (acl.returnPorts) out.push(`${T.ephemeral[lang]}: ${acl.returnPorts.allowed.map((r) => `${r.from}-${r.to}`).join(', ') || '-'} / ${acl.returnPorts.checked.from}-${acl.returnPorts.checked.to}`);
  return out.join('\n');
}

const segText = (s: PortSegment): string => (s.from === s.to ? String(s.from) : `${s.from}-${s.to}`);

/** Allowed (and unknown) port ranges per protocol, with the deciding rule; denied ranges are the rest. */
export function formatEffectiveAccess(ea: EffectiveAccess, lang: FormatLang = 'en'): string {
  const rows: string[][] = [];
  for (const proto of ['tcp', 'udp'] as const) {
    for (const s of ea[proto]) if (s.decision !== 'deny') rows.push([proto.toUpperCase(), segText(s), T[s.decision][lang], deciderText(s.decidedBy, lang)]);
  }
  for (const proto of ['icmp', 'gre'] as const) {
    const p = ea[proto];
    if (p.decision !== 'deny') rows.push([proto.toUpperCase(), '-', T[p.decision][lang], deciderText(p.decidedBy, lang)]);
  }
  const head = [T.protocol[lang], T.port[lang], T.policy[lang], T.decidedBy[lang]];
  return `${ea.sourceIp} → ${ea.destinationIp ?? '?'} (${ea.interfaceId ?? '-'})\n${rows.length ? table(head, rows) : T.none[lang]}`;
}

/**
 * A near miss in the reader's language. The engine's `detail` is English; Chinese is rebuilt from the
 * reason code and the values the engine recorded, so no sentence is left half-translated.
 */
export function nearMissText(m: NearMiss, lang: FormatLang): string {
  if (lang === 'en') return m.detail;
  const v = m.values ?? {};
  const s = (k: string): string => String(v[k] ?? '');
  const proto = s('ruleProtocol').toUpperCase() || s('protocol').toUpperCase();
  switch (m.reason) {
    case 'wrong-direction':
      return `规则是${s('ruleDirection') === 'egress' ? '出方向' : '入方向'}规则；访问实例需要${s('direction') === 'egress' ? '出方向' : '入方向'}规则`;
    case 'wrong-protocol':
      return `规则协议是 ${proto}，连接使用的是 ${s('protocol').toUpperCase()}`;
    case 'port-outside-range':
      return `规则开放 ${proto} ${s('portRange')}，连接的端口是 ${s('port')}`;
    case 'private-source':
      return `规则授权 ${s('cidr')}（内网地址）；公网访问的源地址是你的公网出口 IP ${s('clientIp')}，不会是内网地址`;
    case 'source-excludes-client':
      return `规则授权 ${s('cidr') || s('peer')}，不包含你的出口 IP ${s('clientIp')}`;
    case 'bare-ip-without-mask':
      return `规则授权 "${s('treatedAs')}"（未写掩码，只代表单个地址），你的 IP ${s('clientIp')} 不是它${s('suggestion') ? `；是否想写网段 ${s('suggestion')}？` : ''}`;
    case 'group-reference':
      return `规则授权的是安全组 ${s('groupId') || s('peer')}，只匹配组内实例的内网地址，不会匹配公网 IP ${s('clientIp')}`;
    case 'shadowed-by-drop':
      return `该放行规则被优先级更高或相同的拒绝规则覆盖（优先级 ${s('priority')}）`;
    case 'other-interface':
      return `规则所在的安全组绑定在其他网卡上，这个地址不经过它`;
    case 'nic-type':
      return `经典网络规则的网卡类型是 ${s('nicType')}，这条流量走 ${s('trafficNic')} 网卡`;
    case 'prefix-list-unresolved':
      return `规则授权前缀列表 ${s('prefixListId')}，其条目无法读取，无法判断是否包含 ${s('clientIp')}`;
    case 'enterprise-default-deny':
      return '企业级安全组默认拒绝，没有规则放行这个连接';
    case 'source-port-restricted': {
      const from = s('sourcePortFrom');
      const to = s('sourcePortTo');
      const src = from === to ? from : `${from}-${to}`;
      return `规则只放行源端口 ${src}（源端口范围 ${s('sourcePortRange')}）；客户端发起连接时使用的是随机临时端口（${s('ephemeralFrom')}-${s('ephemeralTo')}），不会是 ${src}，所以这条规则不会放行。服务端口应填在“端口范围”里，源端口范围留空或填 -1/-1`;
    }
    default:
      return `${NEAR_MISS_LABELS[m.reason]?.['zh-CN'] ?? m.reason}（${m.detail}）`;
  }
}

// Human words for the engine's internal codes (rule-engine explanations, near-miss reasons, probe
// reasons), so findings and reports never show a code such as "not-evaluated" or "private-source".
// The codes themselves stay in `condition` and in the evidence paths, for tests and support.
import type { NearMissReason } from '../rules/types';
import type { Localized } from './types';

const L = (zh: string, en: string): Localized => ({ 'zh-CN': zh, en });

const EVALUATION: Record<string, Localized> = {
  'rule-accept': L('一条允许规则匹配', 'an accept rule matches'),
  'rule-drop': L('一条拒绝规则匹配', 'a drop rule matches'),
  'default-deny-basic': L('没有规则匹配，普通安全组默认拒绝入方向流量', 'no rule matches, and basic security groups deny inbound traffic by default'),
  'default-deny-enterprise': L('没有规则匹配，企业级安全组默认拒绝', 'no rule matches, and enterprise security groups deny by default'),
  'default-allow-egress-basic': L('没有规则匹配，普通安全组默认允许出方向流量', 'no rule matches, and basic security groups allow outbound traffic by default'),
  'inner-access-accept': L('同一安全组内的实例默认互通', 'instances in the same group reach each other by default'),
  'uncertain-peer': L('规则引用了其他安全组或前缀列表，无法从现有数据判断你的地址是否属于其中', 'a rule names another security group or a prefix list, and the data cannot tell whether your address belongs to it'),
  'uncertain-membership': L('无法从现有数据判断你的地址是否属于被引用的安全组', 'the data cannot tell whether your address belongs to the referenced group'),
  'group-missing': L('实例上有安全组的规则没有读到', 'the rules of a group on the instance were not read'),
  'not-evaluated': L('没有评估', 'it was not evaluated'),
  'no-acl': L('交换机没有绑定网络 ACL', 'no network ACL is bound to the vSwitch'),
  'acl-unknown': L('没有读到网络 ACL', 'the network ACL was not read'),
  'intra-vswitch': L('同一交换机内的流量不经过网络 ACL', 'traffic inside one vSwitch is not filtered by the network ACL'),
  'invalid-remote-address': L('来源地址无效', 'the source address is not valid'),
  'destination-not-on-instance': L('探测的地址不是这台实例的地址', 'the probed address is not this instance’s'),
  'depends-on-source': L('是否放行取决于你的公网 IP，而它没有测到', 'it depends on your public IP, which was not detected'),
  'same-for-every-source': L('对任何来源地址结论都相同', 'the answer is the same for every source address'),
  'source-unknown': L('没有测到你的公网 IP', 'your public IP was not detected'),
  'uncertain-field': L('有规则的字段无法评估', 'a rule has a field that cannot be evaluated'),
  // Codes of the Huawei Cloud evaluators (src/core/cloud/huawei; their own words are in huawei/words.ts).
  'default-deny': L('没有规则匹配，默认拒绝', 'no rule matches, and what no rule allows is denied'),
  'flavour-unknown': L('结果取决于云服务器的规格：老规格上拒绝规则、IP地址组和不连续端口不生效，而规格没有读到', 'the outcome depends on the server’s flavour: on older flavours deny rules, IP address groups and non-contiguous ports have no effect, and the flavour was not read'),
  'no-group': L('没有读到网卡上的安全组', 'no security group of the network interface was read'),
  'acl-not-associated': L('网络ACL没有关联服务器所在的子网', 'the network ACL is not associated with the server’s subnet'),
  'acl-disabled': L('网络ACL已关闭，不过滤流量', 'the network ACL is disabled and filters nothing'),
  'intra-subnet': L('同一子网内的流量不受网络ACL控制', 'traffic inside one subnet is not filtered by the network ACL'),
  stateful: L('网络ACL有状态：放行的连接，其回包自动放行，不需要为临时端口另加规则', 'the network ACL is stateful: replies to an allowed connection pass without a rule for the ephemeral ports'),
};

/** An evaluation explanation code in words (falls back to a generic phrase, never to the code). */
export function evaluationWords(code: string | null | undefined): Localized {
  if (!code) return EVALUATION['not-evaluated'];
  return EVALUATION[code] ?? L('详见规则表', 'see the rules table');
}

const NEAR_MISS: Record<NearMissReason, Localized> = {
  'wrong-direction': L('方向不对（出方向而不是入方向）', 'the wrong direction (outbound instead of inbound)'),
  'wrong-protocol': L('协议不对', 'the wrong protocol'),
  'port-outside-range': L('端口不在范围内', 'the port is outside its range'),
  'source-excludes-client': L('授权的来源地址不包含你的公网 IP', 'its source does not include your public IP'),
  'private-source': L('授权的是私网地址，而你从公网访问', 'it admits a private address while you connect from the internet'),
  'bare-ip-without-mask': L('IP 没有写掩码', 'an IP without a mask'),
  'shadowed-by-drop': L('被优先级更高或相同的拒绝规则盖过', 'a drop rule of higher or equal priority overrides it'),
  'group-reference': L('授权对象是安全组而不是 IP', 'it admits a security group, not an IP'),
  'enterprise-default-deny': L('企业级安全组默认拒绝', 'enterprise groups deny by default'),
  'other-interface': L('规则在另一块网卡的安全组上', 'it belongs to a group on another network interface'),
  'prefix-list-unresolved': L('前缀列表的内容没有读到', 'its prefix list was not read'),
  'nic-type': L('网卡类型不对（内网/公网）', 'the wrong NIC type (intranet or internet)'),
  'source-port-restricted': L('规则限制了源端口，而客户端从随机的临时端口连接', 'it limits the source port, while clients connect from ephemeral ports'),
  'ignored-on-flavour': L('这台服务器是老规格，这条规则用到的IP地址组或不连续端口在该规格上不生效', 'the server has an older flavour, on which the IP address group or non-contiguous ports this rule uses have no effect'),
  'rule-disabled': L('这条网络ACL规则已停用，匹配时被跳过', 'this network ACL rule is disabled and skipped'),
};

export function nearMissWords(reason: string): Localized {
  return NEAR_MISS[reason as NearMissReason] ?? L('与本次连接不完全匹配', 'it does not fully match this connection');
}

/** Several near-miss reasons as one phrase: "a; b" / "a；b". */
export function nearMissList(reasons: readonly string[]): Localized {
  const uniq = [...new Set(reasons)].map(nearMissWords);
  return L(uniq.map((w) => w['zh-CN']).join('；'), uniq.map((w) => w.en).join('; '));
}

const TCP_REASON: Record<string, Localized> = {
  'syn-ack': L('连接成功', 'connected'),
  'conn-refused': L('连接被拒绝：对方回了 RST', 'connection refused: the host answered with a reset'),
  'no-response': L('没有任何应答，被静默丢弃', 'no answer at all: silently dropped'),
  'host-unreach': L('主机不可达', 'host unreachable'),
  'net-unreach': L('网络不可达', 'network unreachable'),
  'admin-prohibited': L('被防火墙禁止', 'prohibited by a firewall'),
};

export function tcpReasonWords(reason: string): Localized {
  return TCP_REASON[reason] ?? L('其他错误', 'another error');
}

/** Why no application answer was read, in words (banner errors are codes such as "timeout" or "reset"). */
export function bannerErrorWords(error: string): Localized {
  if (/time\s?out|timedout/i.test(error)) return L('等待应答超时', 'no answer before the timeout');
  if (/reset/i.test(error)) return L('连接被重置', 'the connection was reset');
  if (/closed|eof/i.test(error)) return L('连接被关闭', 'the connection was closed');
  if (/tls/i.test(error)) return L('TLS 握手失败', 'the TLS handshake failed');
  return L('读取应答出错', 'reading the answer failed');
}

const CONDITIONS: Record<string, Localized> = {
  'not-evaluated': EVALUATION['not-evaluated'],
  'closed-after-connect': L('连接建立后被对方关闭', 'closed by the server right after connecting'),
  'silent-after-connect': L('连接建立后没有应答', 'silent after connecting'),
};

/** Why the cloud path is undecided, and which layer blocks it (path.ts). */
const PATH: Record<string, Localized> = {
  'no-cloud': L('没有云端配置数据', 'there is no cloud configuration'),
  'no-instance': L('云端数据里没有这台实例', 'the instance is not in the cloud data'),
  'acl-read-failed': L('网络 ACL 没有读到', 'the network ACL could not be read'),
  'acl-not-evaluated': L('网络 ACL 和安全组没有评估', 'the network ACL and security groups were not evaluated'),
  'acl-undecided': L('网络 ACL 无法判断', 'the network ACL cannot be decided'),
  'sg-undecided': L('安全组无法判断', 'the security groups cannot be decided'),
  instance: L('实例状态', 'the instance’s state'),
  'public-address': L('公网地址', 'the public address'),
  acl: L('网络 ACL', 'the network ACL'),
  'security-group': L('安全组', 'the security group'),
  'address-not-instance': L('云端配置描述的是另一台主机', 'the configuration describes another host'),
  'address-is-instance': L('探测的地址是否属于这台实例无法确定', 'whether the probed address is this instance’s is not known'),
  'instance-running': L('实例状态未知', 'the instance state is unknown'),
  'public-path': L('公网入口无法确认', 'the public path could not be confirmed'),
  'acl-allows': L('网络 ACL 无法判断', 'the network ACL cannot be decided'),
  'sg-allows': L('安全组无法判断', 'the security groups cannot be decided'),
};

/** The cloud path's state in words; an unknown source address is named as the reason when it is one. */
export function cloudPathWords(p: { state: 'deny'; layer: string } | { state: 'unknown'; why: string }, sourceUnknown: boolean): Localized {
  if (p.state === 'deny') {
    const w = PATH[p.layer] ?? L('其中一层', 'one of its layers');
    return L(`云端配置拦截：${w['zh-CN']}`, `The cloud configuration blocks it: ${w.en}`);
  }
  if (sourceUnknown && (p.why === 'acl-not-evaluated' || p.why === 'sg-undecided')) {
    return L('云端配置无法判断：不知道你的公网 IP，规则无法按来源地址评估', 'The cloud configuration could not be decided: your public IP is unknown, so the rules cannot be checked against the source address');
  }
  const w = PATH[p.why] ?? EVALUATION[p.why] ?? L('有些数据缺失', 'some data is missing');
  return L(`云端配置无法完全判断：${w['zh-CN']}`, `The cloud configuration could not be fully decided: ${w.en}`);
}

const ALL_CODES: Record<string, Localized> = { ...CONDITIONS, ...EVALUATION, ...NEAR_MISS, ...TCP_REASON };
for (const k of ['no-cloud', 'no-instance', 'acl-read-failed', 'acl-not-evaluated', 'acl-undecided', 'sg-undecided']) ALL_CODES[k] = PATH[k];
delete ALL_CODES['syn-ack'];
// Longest first, whole tokens only (not inside a longer word, an id or a path).
const CODE_RE = new RegExp(
  `(?<![\\w/-])(${Object.keys(ALL_CODES)
    .sort((a, b) => b.length - a.length)
    .map((k) => k.replace(/[-]/g, '\\-'))
    .join('|')})(?![\\w/-])`,
  'g',
);

/**
 * Any internal code left in a text (an older saved session, an evidence line) said in words in `lang`.
 * Used where text is shown: the app and the reports.
 */
export function humanizeCodes(text: string, lang: 'zh-CN' | 'en'): string {
  if (!text) return text;
  return text.replace(CODE_RE, (code: string) => ALL_CODES[code]?.[lang] ?? code);
}

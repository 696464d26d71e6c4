// Human words for the codes only the Huawei evaluators produce, and Huawei wordings where the shared phrase
// (src/core/diagnosis/words.ts) describes Alibaba Cloud. The later wiring merges these into that module.
import type { Localized } from '../../diagnosis/types';
import { L } from '../../i18n';
import type { HuaweiNearMissReason } from './types';

export const HUAWEI_EVALUATION_WORDS: Record<string, Localized> = {
  'rule-accept': L('一条允许规则匹配', 'an allow rule matches'),
  'rule-drop': L('一条拒绝规则匹配', 'a deny rule matches'),
  'default-deny': L('没有规则匹配，华为云安全组和网络ACL对未匹配的流量默认拒绝', 'no rule matches, and Huawei Cloud security groups and network ACLs deny what no rule allows'),
  'flavour-unknown': L('结果取决于云服务器的规格：S1、C1、C2、M1、H1、D1、G1、G2、E1、E2、ET2 等老规格上，拒绝规则、IP地址组和不连续端口不生效，而规格没有读到', 'the outcome depends on the server’s flavour: on the older flavours S1, C1, C2, M1, H1, D1, G1, G2, E1, E2 and ET2, deny rules, IP address groups and non-contiguous ports have no effect, and the flavour was not read'),
  'no-group': L('没有读到网卡上的安全组', 'no security group of the network interface was read'),
  'uncertain-peer': L('规则引用了其他安全组或IP地址组，无法从现有数据判断你的地址是否属于其中', 'a rule names another security group or an IP address group, and the data cannot tell whether your address belongs to it'),
  'uncertain-field': L('有规则的字段无法评估', 'a rule has a field that cannot be evaluated'),
  'invalid-remote-address': L('来源地址无效', 'the source address is not valid'),
  'no-acl': L('子网没有关联网络ACL', 'no network ACL is associated with the subnet'),
  'acl-not-associated': L('网络ACL没有关联这台服务器所在的子网', 'the network ACL is not associated with the server’s subnet'),
  'acl-disabled': L('网络ACL已关闭，不过滤流量', 'the network ACL is disabled and filters nothing'),
  'intra-subnet': L('同一子网内的流量不受网络ACL控制', 'traffic inside one subnet is not filtered by the network ACL'),
  stateful: L('网络ACL有状态：放行的连接，其回包自动放行，不需要为临时端口另加规则', 'network ACLs are stateful: replies to an allowed connection pass without a rule for the ephemeral ports'),
};

export const HUAWEI_NEAR_MISS_WORDS: Record<HuaweiNearMissReason, Localized> = {
  'wrong-direction': L('方向不对（出方向而不是入方向）', 'the wrong direction (outbound instead of inbound)'),
  'wrong-protocol': L('协议不对', 'the wrong protocol'),
  'port-outside-range': L('端口不在范围内', 'the port is outside its range'),
  'source-excludes-client': L('源地址不包含你的公网 IP', 'its source does not include your public IP'),
  'private-source': L('源地址是私网地址，而你从公网访问', 'it admits a private address while you connect from the internet'),
  'bare-ip-without-mask': L('IP 没有写掩码', 'an IP without a mask'),
  'shadowed-by-drop': L('被先匹配的拒绝规则盖过（排在前面的安全组、优先级数字更小或相同优先级的拒绝规则，或网络ACL中排在前面的拒绝规则）', 'a deny rule matched first overrides it (in an earlier security group, at a lower priority number or the same priority, or earlier in the network ACL)'),
  'group-reference': L('源地址是安全组而不是 IP', 'it admits a security group, not an IP'),
  'enterprise-default-deny': L('安全组默认拒绝', 'security groups deny by default'),
  'other-interface': L('规则在另一块网卡的安全组上', 'it belongs to a group on another network interface'),
  'prefix-list-unresolved': L('IP地址组的内容没有读到', 'its IP address group was not read'),
  'nic-type': L('网卡类型不对', 'the wrong network interface type'),
  'source-port-restricted': L('规则限制了源端口，而客户端从随机的临时端口连接', 'it limits the source port, while clients connect from ephemeral ports'),
  'ignored-on-flavour': L('这台服务器是老规格，这条规则用到的IP地址组或不连续端口在该规格上不生效', 'the server has an older flavour, on which the IP address group or non-contiguous ports this rule uses have no effect'),
  'rule-disabled': L('这条网络ACL规则已停用，匹配时被跳过', 'this network ACL rule is disabled and skipped'),
};

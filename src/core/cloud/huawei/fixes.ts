// Huawei Cloud fixes as data: a provider-neutral FixIntent becomes Huawei API actions (request parameters in the
// API's own names, checked against the SDK request models in node_modules/@huaweicloud/huaweicloud-sdk-vpc/v3 and
// -ecs/v2), and the KooCLI command, the Terraform snippet and the console text + link are rendered FROM those
// actions — never written separately.
//
// APIs (and their bodies):
// - VPC v3 CreateSecurityGroupRule: {security_group_rule: {security_group_id, direction, ethertype, protocol,
//   multiport, remote_ip_prefix, action, priority, description}} (CreateSecurityGroupRuleOption).
// - VPC v3 DeleteSecurityGroupRule: path security_group_rule_id. The v3 API has no "update rule" (the v3 rule
//   APIs are create, show, list, delete, batch create), so changing a rule = create the new one, then delete the
//   old one (in that order: no moment without the rule).
// - VPC v3 AddFirewallRules (PUT …/firewalls/{firewall_id}/insert-rules): {firewall: {ingress_rules|egress_rules,
//   insert_after_rule}}; "insert_after_rule: 插入ACL的规则在入方向或者出方向某条规则位置后，不指定则在入方向或者出方向
//   规则列表最前面插入规则" (FirewallInsertRuleOption, huaweicloud-sdk-go-v3). So "before rule k" = after rule k-1,
//   or no insert_after_rule when k is first. The ACL is stateful: no return rule is added.
// - VPC v3 AddSecurityGroups (PUT …/ports/{port_id}/insert-security-groups): {port: {security_groups, index}};
//   "index: 安全组插入的位置，从0开始计数… 默认插入到端口已关联的安全组列表末尾" (InsertSecurityGroupOption). Groups
//   are matched in their order on the port, so the group goes first (index 0).
// - ECS BatchStartServers: {"os-start": {servers: [{id}]}} (BatchStartServersRequestBody / BatchStartServersOption).
// KooCLI syntax ("hcloud <Service> <Operation>[/<version>] --cli-region=<region> --a.b=v", array items numbered
// from 1: --firewall.ingress_rules.1.action=allow), as in Huawei's KooCLI examples, e.g.
// "hcloud VPC CreateSecurityGroupRule/v3 --cli-region=… --security_group_rule.security_group_id=…".
// Terraform: huaweicloud_networking_secgroup_rule (security_group_id, direction, ethertype, protocol, ports,
// remote_ip_prefix, action, priority, description).
import type { Fix, Localized } from '../../diagnosis/types';
import { L } from '../../i18n';
import { parseCidr } from '../../rules/cidr';
import type { Flow } from '../../rules/types';
import type { CloudSnapshot, Protocol } from '../model';
import type { CloudAction, FixIntent, SimulatedFix } from '../provider';
import { aclForSubnet, huaweiProviderData, type HuaweiProviderData } from './map';
import { HUAWEI_CONSOLE, evaluateNetworkAcl, evaluateSecurityGroups } from './provider';

export interface HuaweiFixContext {
  snapshot: CloudSnapshot | null;
  flow?: Flow | null;
}

/** A fix with its actions: every rendering below comes from `actions`; `simulated` is their proof on the snapshot. */
export type HuaweiFix = Fix & { intent: FixIntent; actions: CloudAction[]; simulated?: SimulatedFix };

// ---- rendering --------------------------------------------------------------------------------------------

/** KooCLI service and version of each API SG Doctor emits (no version: the service's default, v2). */
const ROUTE: Record<string, { service: 'VPC' | 'ECS'; version?: 'v3' }> = {
  CreateSecurityGroupRule: { service: 'VPC', version: 'v3' },
  DeleteSecurityGroupRule: { service: 'VPC', version: 'v3' },
  AddFirewallRules: { service: 'VPC', version: 'v3' },
  AddSecurityGroups: { service: 'VPC', version: 'v3' },
  BatchStartServers: { service: 'ECS' },
};

/** Shell-safe value: bare when harmless, else single-quoted. */
const q = (s: string): string => (/^[\w./:@,+=-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

function flatten(name: string, value: unknown, out: string[]): void {
  if (Array.isArray(value)) value.forEach((v, i) => flatten(`${name}.${i + 1}`, v, out));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) flatten(name ? `${name}.${k}` : k, v, out);
  else if (value !== undefined && value !== null) out.push(`--${name}=${q(String(value))}`);
}

/** One action as a KooCLI command. */
export function hcloudCommand(action: CloudAction, region: string | null): string {
  const route = ROUTE[action.api] ?? { service: 'VPC' };
  const parts = [`hcloud ${route.service} ${action.api}${route.version ? `/${route.version}` : ''}`];
  if (region && region !== 'unknown') parts.push(`--cli-region=${q(region)}`);
  flatten('', action.params, parts);
  return parts.join(' ');
}

const tfString = (s: string): string => JSON.stringify(s);

/** A CreateSecurityGroupRule action as a Terraform resource. */
export function terraformRule(action: CloudAction): string | null {
  if (action.api !== 'CreateSecurityGroupRule') return null;
  const r = action.params.security_group_rule as Record<string, unknown>;
  const lines = ['resource "huaweicloud_networking_secgroup_rule" "sg_doctor" {'];
  const field = (k: string, v: unknown, numeric = false): void => {
    if (v === undefined || v === null || v === '') return;
    lines.push(`  ${k.padEnd(17)} = ${numeric ? String(v) : tfString(String(v))}`);
  };
  field('security_group_id', r.security_group_id);
  field('direction', r.direction);
  field('ethertype', r.ethertype);
  field('protocol', r.protocol);
  field('ports', r.multiport);
  field('remote_ip_prefix', r.remote_ip_prefix);
  field('action', r.action);
  field('priority', r.priority, true);
  field('description', r.description);
  lines.push('}');
  return lines.join('\n');
}

// ---- intent → actions -------------------------------------------------------------------------------------

const PROTO_NUMBER: Partial<Record<Protocol, string>> = { gre: '47' };
const apiProtocol = (p: Exclude<Protocol, 'all'>): string => PROTO_NUMBER[p] ?? p;
const portful = (p: Protocol): boolean => p === 'tcp' || p === 'udp';
const ethertype = (cidr: string | null): 'IPv4' | 'IPv6' => (cidr && parseCidr(cidr)?.family === 6 ? 'IPv6' : 'IPv4');

function dataOf(ctx: HuaweiFixContext): HuaweiProviderData | null {
  return ctx.snapshot ? huaweiProviderData(ctx.snapshot) : null;
}

const primaryPort = (d: HuaweiProviderData | null) => d?.ports.find((p) => p.primary) ?? d?.ports[0] ?? null;

/**
 * Where an allow rule must go to decide the flow, and at which priority. Groups are matched in their order on
 * the port, then by priority (lower first), deny before allow at equal priority: an allow beats a deciding deny
 * only inside the deny's own group (or an earlier one) and at a strictly lower priority number.
 */
function placement(intent: Extract<FixIntent, { kind: 'allow-flow' }>, ctx: HuaweiFixContext, d: HuaweiProviderData | null): { groupId: string | null; priority: number | null } {
  let groupId = intent.groupId ?? primaryPort(d)?.securityGroupIds[0] ?? ctx.snapshot?.instance?.securityGroupIds[0] ?? null;
  let priority = 1;
  if (ctx.snapshot && ctx.flow) {
    const ev = evaluateSecurityGroups(ctx.snapshot, ctx.flow);
    const by = ev.decidedBy;
    if (ev.decision === 'deny' && by?.kind === 'rule' && by.policy === 'drop') {
      const order = primaryPort(d)?.securityGroupIds ?? [];
      const denyAt = order.indexOf(by.containerId);
      const targetAt = groupId ? order.indexOf(groupId) : -1;
      // An allow in a later group never comes first: put it in the deny's group.
      if (groupId === null || targetAt < 0 || targetAt > denyAt) groupId = by.containerId;
      if (groupId === by.containerId) priority = (by.priority ?? 1) - 1;
    }
  }
  if (intent.beatPriority !== undefined) priority = Math.min(priority, intent.beatPriority - 1);
  return { groupId, priority: priority >= 1 ? priority : null };
}

function ruleParams(r: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of ['security_group_id', 'description', 'direction', 'ethertype', 'protocol', 'multiport', 'remote_ip_prefix', 'remote_group_id', 'remote_address_group_id', 'action', 'priority']) {
    const v = r[k];
    if (v !== undefined && v !== null && v !== '') out[k] = v;
  }
  return out;
}

/** Field changes as a check states them (Huawei names, or the neutral / Alibaba names) → Huawei rule fields. */
function huaweiChanges(changes: Record<string, string | number>): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(changes)) {
    switch (k) {
      case 'PortRange':
      case 'portRange': {
        const [a, b] = String(v).split('/');
        out.multiport = a === b || b === undefined ? a : `${a}-${b}`;
        break;
      }
      case 'IpProtocol':
      case 'protocol':
        out.protocol = String(v).toLowerCase() === 'all' ? '' : String(v).toLowerCase();
        break;
      case 'SourceCidrIp':
      case 'DestCidrIp':
      case 'cidr':
        out.remote_ip_prefix = v;
        break;
      case 'Priority':
        out.priority = Number(v);
        break;
      case 'Policy':
        out.action = String(v).toLowerCase() === 'drop' ? 'deny' : 'allow';
        break;
      default:
        out[k] = v;
    }
  }
  return out;
}

function actionsFor(intent: FixIntent, ctx: HuaweiFixContext): { actions: CloudAction[]; missing?: Localized } {
  const d = dataOf(ctx);
  switch (intent.kind) {
    case 'allow-flow': {
      const { groupId, priority } = placement(intent, ctx, d);
      if (!groupId) return { actions: [], missing: L('不知道要改哪个安全组', 'which security group to change is not known') };
      if (priority === null) return { actions: [], missing: L('拒绝规则已是最高优先级 1，允许规则无法排在它前面；请修改或删除这条拒绝规则', 'the deny rule already has the top priority 1, so no allow rule can come before it; change or delete that deny rule') };
      if (!intent.cidr) return { actions: [], missing: L('没有测到你的公网 IP，无法只放行你的地址', 'your public IP was not measured, so the rule cannot admit just your address') };
      const rule: Record<string, unknown> = {
        security_group_id: groupId,
        direction: intent.direction,
        ethertype: ethertype(intent.cidr),
        protocol: apiProtocol(intent.protocol),
        ...(portful(intent.protocol) && intent.port !== null ? { multiport: String(intent.port) } : {}),
        remote_ip_prefix: intent.cidr,
        action: 'allow',
        priority,
        description: intent.description ?? 'sg-doctor',
      };
      return { actions: [{ api: 'CreateSecurityGroupRule', params: { security_group_rule: rule } }] };
    }
    case 'revoke-rule':
      return { actions: [{ api: 'DeleteSecurityGroupRule', params: { security_group_rule_id: intent.ruleId } }] };
    case 'modify-rule': {
      const rule = d?.securityGroups.flatMap((g) => g.security_group_rules.map((r) => ({ ...r, security_group_id: r.security_group_id ?? g.id }))).find((r) => r.id === intent.ruleId);
      if (!rule) return { actions: [], missing: L(`没有读到规则 ${intent.ruleId}`, `rule ${intent.ruleId} was not read`) };
      const next = ruleParams({ ...rule, ...huaweiChanges(intent.changes) });
      return {
        actions: [
          { api: 'CreateSecurityGroupRule', params: { security_group_rule: next } },
          { api: 'DeleteSecurityGroupRule', params: { security_group_rule_id: intent.ruleId } },
        ],
      };
    }
    case 'join-group': {
      const port = primaryPort(d);
      if (!port) return { actions: [], missing: L('没有读到服务器的网卡（端口）', 'the server’s network interface (port) was not read') };
      return { actions: [{ api: 'AddSecurityGroups', params: { port_id: port.id, port: { security_groups: [intent.groupId], index: 0 } } }] };
    }
    case 'acl-allow': {
      const port = primaryPort(d);
      const subnetFw = d && port?.subnetId ? (aclForSubnet(d, port.subnetId).firewall ?? null) : null;
      const fw = (intent.aclId ? [d?.firewall, ...(d?.subnetAcls ?? []).map((a) => a.firewall)].find((f) => f?.id === intent.aclId) : null) ?? subnetFw ?? d?.firewall ?? null;
      const aclId = intent.aclId ?? fw?.id ?? null;
      if (!aclId) return { actions: [], missing: L('不知道是哪个网络ACL', 'which network ACL is not known') };
      if (!intent.cidr) return { actions: [], missing: L('没有测到你的公网 IP，无法只放行你的地址', 'your public IP was not measured, so the rule cannot admit just your address') };
      const key = intent.direction === 'ingress' ? 'ingress_rules' : 'egress_rules';
      const list = fw && fw.id === aclId ? (fw[key] ?? []) : [];
      const at = intent.beforeEntryId ? list.findIndex((r) => r.id === intent.beforeEntryId) : 0;
      const after = at > 0 ? list[at - 1].id : null;
      const family = ethertype(intent.cidr) === 'IPv6' ? 6 : 4;
      const rule: Record<string, unknown> = {
        name: 'sg-doctor',
        action: 'allow',
        protocol: apiProtocol(intent.protocol),
        ip_version: family,
        ...(intent.direction === 'ingress' ? { source_ip_address: intent.cidr } : { destination_ip_address: intent.cidr }),
        ...(portful(intent.protocol) && intent.port !== null ? { destination_port: String(intent.port) } : {}),
        enabled: true,
      };
      return { actions: [{ api: 'AddFirewallRules', params: { firewall_id: aclId, firewall: { [key]: [rule], ...(after ? { insert_after_rule: after } : {}) } } }] };
    }
    case 'start-instance': {
      const id = intent.instanceId ?? ctx.snapshot?.instance?.id ?? null;
      if (!id) return { actions: [], missing: L('不知道是哪台服务器', 'which server is not known') };
      return { actions: [{ api: 'BatchStartServers', params: { 'os-start': { servers: [{ id }] } } }] };
    }
    case 'public-bandwidth':
      return { actions: [], missing: L('带宽在弹性公网IP上调整', 'the bandwidth is changed on the EIP') };
    case 'bind-public-ip':
      return { actions: [], missing: L('在控制台为服务器绑定弹性公网IP', 'bind an EIP to the server in the console') };
  }
}

// ---- simulation: the actions applied to a copy of the snapshot, the flow evaluated again --------------------

type Rule = HuaweiProviderData['securityGroups'][number]['security_group_rules'][number];
type AclRule = NonNullable<NonNullable<HuaweiProviderData['firewall']>['ingress_rules']>[number];

/** The snapshot after the actions, as the APIs would leave it; null when an action touches data not read. */
export function applyHuaweiActions(snapshot: CloudSnapshot, actions: readonly CloudAction[]): CloudSnapshot | null {
  const out = structuredClone(snapshot);
  const d = huaweiProviderData(out);
  if (!d) return null;
  let n = 0;
  for (const a of actions) {
    const p = a.params;
    switch (a.api) {
      case 'CreateSecurityGroupRule': {
        const r = p.security_group_rule as Record<string, unknown>;
        const g = [...d.securityGroups, ...d.otherGroups].find((x) => x.id === r.security_group_id);
        if (!g) return null;
        g.security_group_rules.push({ ...(r as Omit<Rule, 'id'>), id: `sg-doctor-simulated-${++n}` } as Rule);
        break;
      }
      case 'DeleteSecurityGroupRule':
        for (const g of [...d.securityGroups, ...d.otherGroups]) g.security_group_rules = g.security_group_rules.filter((r) => r.id !== p.security_group_rule_id);
        break;
      case 'AddFirewallRules': {
        const body = p.firewall as { ingress_rules?: Omit<AclRule, 'id'>[]; egress_rules?: Omit<AclRule, 'id'>[]; insert_after_rule?: string };
        // The same ACL may be held twice (the primary subnet's, and per subnet): change every copy alike.
        const copies = [d.firewall, ...d.subnetAcls.map((a) => a.firewall)].filter((f): f is NonNullable<typeof f> => !!f && f.id === p.firewall_id);
        if (!copies.length) return null;
        const added = { ingress_rules: (body.ingress_rules ?? []).map((r) => ({ ...r, id: `sg-doctor-simulated-${++n}` }) as AclRule), egress_rules: (body.egress_rules ?? []).map((r) => ({ ...r, id: `sg-doctor-simulated-${++n}` }) as AclRule) };
        for (const fw of copies) {
          for (const key of ['ingress_rules', 'egress_rules'] as const) {
            if (!body[key]) continue;
            const list = [...(fw[key] ?? [])];
            const after = body.insert_after_rule ? list.findIndex((r) => r.id === body.insert_after_rule) : -1;
            if (body.insert_after_rule && after < 0) return null;
            list.splice(after + 1, 0, ...added[key]);
            fw[key] = list;
          }
        }
        break;
      }
      case 'AddSecurityGroups': {
        const body = p.port as { security_groups: string[]; index?: number };
        const port = d.ports.find((x) => x.id === p.port_id);
        if (!port || body.security_groups.some((id) => ![...d.securityGroups, ...d.otherGroups].some((g) => g.id === id))) return null;
        port.securityGroupIds.splice(body.index ?? port.securityGroupIds.length, 0, ...body.security_groups);
        const iface = out.interfaces.find((i) => i.id === port.id);
        if (iface) iface.securityGroupIds = [...port.securityGroupIds];
        break;
      }
      case 'BatchStartServers':
        if (d.server) d.server.status = 'ACTIVE';
        if (out.instance) out.instance.status = 'ACTIVE';
        break;
      default:
        return null;
    }
  }
  out.providerData = d;
  return out;
}

/** Applies the actions and evaluates the flow through the network ACL and the security groups again. */
export function simulateHuaweiFix(snapshot: CloudSnapshot, flow: Flow, actions: readonly CloudAction[]): SimulatedFix {
  const after = applyHuaweiActions(snapshot, actions);
  if (!after) return { decision: 'unknown', rejected: L('这些修改涉及没有读到的数据，无法在快照上验证', 'the change touches data that was not read, so it cannot be checked on the snapshot') };
  const sg = evaluateSecurityGroups(after, flow).decision;
  const acl = evaluateNetworkAcl(after, flow).decision;
  const decision = sg === 'deny' || acl === 'deny' ? 'deny' : sg === 'allow' && acl === 'allow' ? 'allow' : 'unknown';
  if (decision === 'deny') return { decision, rejected: L('在快照上模拟后，这个修改仍不能放行这次连接', 'simulated on the snapshot, this change still does not let the connection through') };
  return { decision };
}

// ---- intent → fixes ---------------------------------------------------------------------------------------

function consoleText(intent: FixIntent): { title: Localized; url: (region: string | null) => string | null } {
  switch (intent.kind) {
    case 'allow-flow':
    case 'revoke-rule':
    case 'modify-rule': {
      const gid = intent.groupId;
      const dir = intent.kind === 'allow-flow' ? intent.direction : intent.kind === 'revoke-rule' ? intent.direction : 'ingress';
      const where = dir === 'ingress' ? L('入方向规则', 'Inbound Rules') : L('出方向规则', 'Outbound Rules');
      const what =
        intent.kind === 'allow-flow'
          ? L(
              `添加规则：策略“允许”，协议 ${intent.protocol.toUpperCase()}${intent.port !== null && portful(intent.protocol) ? `，端口 ${intent.port}` : ''}，源地址 ${intent.cidr ?? '你的公网 IP/32'}，优先级比拒绝规则的数字更小`,
              `add a rule: action Allow, protocol ${intent.protocol.toUpperCase()}${intent.port !== null && portful(intent.protocol) ? `, port ${intent.port}` : ''}, source ${intent.cidr ?? 'your public IP/32'}, a priority number lower than the deny rule’s`,
            )
          : intent.kind === 'revoke-rule'
            ? L(`删除规则 ${intent.ruleId}`, `delete rule ${intent.ruleId}`)
            : L(`修改规则 ${intent.ruleId}`, `change rule ${intent.ruleId}`);
      return {
        title: L(`在控制台：访问控制 > 安全组 > ${gid ?? '服务器的安全组'} > ${where['zh-CN']}，${what['zh-CN']}`, `In the console: Access Control > Security Groups > ${gid ?? 'the server’s group'} > ${where.en}: ${what.en}`),
        url: (r) => HUAWEI_CONSOLE.securityGroup(r, gid),
      };
    }
    case 'join-group':
      return {
        title: L(`在控制台：云服务器的“安全组”页签 > 更改安全组，把 ${intent.groupId} 放在最前面（安全组按顺序匹配）`, `In the console: the server’s Security Groups tab > Change Security Group, and put ${intent.groupId} first (groups are matched in order)`),
        url: (r) => HUAWEI_CONSOLE.instance(r, intent.instanceId),
      };
    case 'acl-allow':
      return {
        title: L(
          `在控制台：访问控制 > 网络ACL > ${intent.aclId ?? '子网的网络ACL'} > ${intent.direction === 'ingress' ? '入方向规则' : '出方向规则'}，在拒绝规则之前插入“允许”规则（网络ACL有状态，回包不需要另加规则）`,
          `In the console: Access Control > Network ACLs > ${intent.aclId ?? 'the subnet’s ACL'} > ${intent.direction === 'ingress' ? 'Inbound Rules' : 'Outbound Rules'}: insert an Allow rule before the deny rule (network ACLs are stateful: replies need no rule)`,
        ),
        url: (r) => HUAWEI_CONSOLE.networkAcl(r, intent.aclId),
      };
    case 'start-instance':
      return { title: L('在控制台：弹性云服务器 > 开机', 'In the console: Elastic Cloud Server > Start'), url: (r) => HUAWEI_CONSOLE.instance(r, intent.instanceId) };
    case 'public-bandwidth':
      return { title: L(`在控制台：弹性公网IP > 修改带宽，至少 ${intent.mbps} Mbit/s`, `In the console: Elastic IP > Modify Bandwidth, to at least ${intent.mbps} Mbit/s`), url: (r) => (r && r !== 'unknown' ? `https://console.huaweicloud.com/vpc/?region=${r}#/eips` : null) };
    case 'bind-public-ip':
      return { title: L('在控制台：弹性公网IP > 绑定，选择这台服务器的网卡', 'In the console: Elastic IP > Bind, and choose the server’s network interface'), url: (r) => (r && r !== 'unknown' ? `https://console.huaweicloud.com/vpc/?region=${r}#/eips` : null) };
  }
}

function cliTitle(intent: FixIntent): Localized {
  switch (intent.kind) {
    case 'allow-flow':
      return L('用 KooCLI 添加允许规则', 'Add the allow rule with KooCLI');
    case 'revoke-rule':
      return L('用 KooCLI 删除这条规则', 'Delete the rule with KooCLI');
    case 'modify-rule':
      return L('用 KooCLI 替换这条规则（华为云 v3 接口不能修改规则：先建新规则，再删旧规则）', 'Replace the rule with KooCLI (the v3 API cannot modify a rule: create the new one, then delete the old one)');
    case 'join-group':
      return L('用 KooCLI 把安全组插到网卡安全组列表的最前面', 'Put the group first on the network interface with KooCLI');
    case 'acl-allow':
      return L('用 KooCLI 在拒绝规则之前插入网络ACL允许规则', 'Insert the network ACL allow rule before the deny rule with KooCLI');
    case 'start-instance':
      return L('用 KooCLI 开机', 'Start the server with KooCLI');
    default:
      return L('用 KooCLI 修改', 'Change it with KooCLI');
  }
}

/**
 * The fixes for one intent on Huawei Cloud: the KooCLI commands (when every value is known), Terraform for a new
 * security-group rule, and the console steps with a link; each carries the same `actions`.
 */
export function huaweiFixes(intent: FixIntent, ctx: HuaweiFixContext): HuaweiFix[] {
  const region = ctx.snapshot?.region ?? null;
  let { actions, missing } = actionsFor(intent, ctx);
  // Proven before shown: a change that, applied to the snapshot, still leaves the flow denied is not offered.
  const flowKnown = ctx.flow && ctx.flow.sourceIp && ctx.flow.destinationIp;
  const simulated = actions.length && ctx.snapshot && flowKnown ? simulateHuaweiFix(ctx.snapshot, ctx.flow!, actions) : undefined;
  if (simulated?.decision === 'deny') {
    missing = simulated.rejected;
    actions = [];
  }
  const proof = simulated && actions.length ? { simulated } : {};
  const out: HuaweiFix[] = [];
  if (actions.length) {
    out.push({ kind: 'hcloud-cli', title: cliTitle(intent), command: actions.map((a) => hcloudCommand(a, region)).join('\n'), intent, actions, ...proof });
    const tf = actions.map(terraformRule).filter((x): x is string => !!x);
    if (tf.length && intent.kind === 'allow-flow') out.push({ kind: 'terraform', title: L('Terraform（huaweicloud 提供方）', 'Terraform (huaweicloud provider)'), command: tf.join('\n\n'), intent, actions, ...proof });
  }
  const c = consoleText(intent);
  const url = c.url(region);
  const title = missing && !actions.length ? L(`${c.title['zh-CN']}（${missing['zh-CN']}）`, `${c.title.en} (${missing.en})`) : c.title;
  out.push({ kind: 'console', title, ...(url ? { url } : {}), intent, actions, ...proof });
  return out;
}

// Alibaba Cloud fixes as data: a provider-neutral FixIntent becomes API actions (ECS / VPC request parameters
// in the API's own names, checked against @alicloud/ecs20140526 and @alicloud/vpc20160428 request models),
// each candidate is proven on the snapshot (fixes-simulate.ts), and the aliyun CLI command, the Terraform
// snippet and the console text + link are rendered FROM the actions — never written separately.
// The aliyun CLI takes RPC parameters as --Name value and list items as --List.N.Field value.
import type { Fix } from '../../diagnosis/types';
import { PLACEHOLDER, exposureWarning, hostCidr, intentFix, type FixContext } from '../../diagnosis/fixes';
import type { Localized } from '../../diagnosis/types';
import { L } from '../../i18n';
import { cidrContains, parseCidr, parseIp } from '../../rules/cidr';
import { resolveInterface } from '../../rules/interfaces';
import { evaluateNetworkAcl } from '../../rules/networkAcl';
import { evaluateSecurityGroups } from '../../rules/securityGroups';
import type { Flow } from '../../rules/types';
import type { CloudSnapshot, NetworkAcl, NetworkAclEntry, SecurityGroupRule } from '../model';
import type { CloudAction, FixIntent, SimulatedFix } from '../provider';
import { proveFix } from './fixes-simulate';

// ---- rendering ----------------------------------------------------------------------------------------

const q = (s: string): string => (/^[\w./:@,+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

export const consoleUrls = {
  securityGroupRules: (region: string, groupId: string): string =>
    `https://ecs.console.aliyun.com/securityGroupDetail/region/${encodeURIComponent(region)}/groupId/${encodeURIComponent(groupId)}/detail/intranetIngress`,
  instance: (region: string, instanceId: string): string =>
    `https://ecs.console.aliyun.com/server/${encodeURIComponent(instanceId)}/detail?regionId=${encodeURIComponent(region)}`,
  vpc: (): string => 'https://vpc.console.aliyun.com/',
};

/** Which product's endpoint serves an API (the aliyun CLI's first argument). */
const PRODUCT: Record<string, 'ecs' | 'vpc'> = {
  AuthorizeSecurityGroup: 'ecs',
  AuthorizeSecurityGroupEgress: 'ecs',
  RevokeSecurityGroup: 'ecs',
  RevokeSecurityGroupEgress: 'ecs',
  ModifySecurityGroupRule: 'ecs',
  ModifySecurityGroupEgressRule: 'ecs',
  JoinSecurityGroup: 'ecs',
  StartInstance: 'ecs',
  ModifyInstanceNetworkSpec: 'ecs',
  UpdateNetworkAclEntries: 'vpc',
  AllocateEipAddress: 'vpc',
  AssociateEipAddress: 'vpc',
  ModifyEipAddressAttribute: 'vpc',
};

function flatten(name: string, value: unknown, out: [string, string][]): void {
  if (Array.isArray(value)) value.forEach((v, i) => flatten(`${name}.${i + 1}`, v, out));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) flatten(`${name}.${k}`, v, out);
  else if (value !== undefined && value !== null) out.push([name, String(value)]);
}

/**
 * One action as an aliyun CLI command. APIs without a RegionId parameter (StartInstance,
 * ModifyInstanceNetworkSpec) still get --RegionId: the CLI uses it to pick the regional endpoint.
 */
export function cliCommand(action: CloudAction, region: string | null): string {
  const parts = [`aliyun ${PRODUCT[action.api] ?? 'ecs'} ${action.api}`];
  if (!('RegionId' in action.params)) parts.push(`--RegionId ${q(region ?? PLACEHOLDER.region)}`);
  const flat: [string, string][] = [];
  for (const [k, v] of Object.entries(action.params)) flatten(k, v, flat);
  for (const [k, v] of flat) parts.push(`--${k} ${q(v)}`);
  return parts.join(' ');
}

type Perm = Record<string, unknown>;
const perms = (a: CloudAction): Perm[] => (Array.isArray(a.params.Permissions) ? (a.params.Permissions as Perm[]) : []);
const permCidr = (p: Perm, egress: boolean): string => String(p[egress ? 'DestCidrIp' : 'SourceCidrIp'] ?? p[egress ? 'Ipv6DestCidrIp' : 'Ipv6SourceCidrIp'] ?? p.SourceGroupId ?? p.SourcePrefixListId ?? '');

/** Terraform for the actions, where Terraform has a resource for the change (a new security-group rule). */
export function terraformText(actions: readonly CloudAction[]): string | null {
  if (!actions.length || !actions.every((a) => a.api === 'AuthorizeSecurityGroup' || a.api === 'AuthorizeSecurityGroupEgress')) return null;
  const blocks: string[] = [];
  for (const a of actions) {
    const egress = a.api.endsWith('Egress');
    for (const p of perms(a)) {
      const cidr = permCidr(p, egress);
      const n = blocks.length;
      blocks.push(
        [
          `resource "alicloud_security_group_rule" "sg_doctor_allow${n ? `_${n + 1}` : ''}" {`,
          `  type              = "${egress ? 'egress' : 'ingress'}"`,
          `  ip_protocol       = "${String(p.IpProtocol ?? '').toLowerCase()}"`,
          `  nic_type          = "${String(p.NicType ?? 'intranet')}"`,
          `  policy            = "${String(p.Policy ?? 'accept')}"`,
          `  port_range        = "${String(p.PortRange ?? '-1/-1')}"`,
          `  priority          = ${String(p.Priority ?? '1')}`,
          `  security_group_id = "${String(a.params.SecurityGroupId ?? PLACEHOLDER.group)}"`,
          cidr.includes(':') ? `  ipv6_cidr_ip      = "${cidr}"` : `  cidr_ip           = "${cidr}"`,
          `}`,
        ].join('\n'),
      );
    }
  }
  return blocks.join('\n\n');
}

const RULE_PARAMS = new Set(['RegionId', 'SecurityGroupId', 'SecurityGroupRuleId', 'ClientToken']);

/** What one action does, in words, from its parameters. */
export function actionTitle(a: CloudAction): Localized {
  const p = a.params;
  switch (a.api) {
    case 'AuthorizeSecurityGroup':
    case 'AuthorizeSecurityGroupEgress': {
      const egress = a.api.endsWith('Egress');
      const parts = perms(a).map((x) => {
        const prio = String(x.Priority ?? '1');
        const base = { proto: String(x.IpProtocol ?? '').toUpperCase(), range: String(x.PortRange ?? '-1/-1'), cidr: permCidr(x, egress) };
        return {
          zh: `${base.proto} ${base.range} ${egress ? '目的' : '来自'} ${base.cidr}${prio !== '1' ? `（优先级 ${prio}）` : ''}`,
          en: `${base.proto} ${base.range} ${egress ? 'to' : 'from'} ${base.cidr}${prio !== '1' ? ` (priority ${prio})` : ''}`,
        };
      });
      return L(`添加${egress ? '出' : '入'}方向规则：${parts.map((x) => x.zh).join('；')}`, `Add an ${egress ? 'outbound' : 'inbound'} rule: ${parts.map((x) => x.en).join('; ')}`);
    }
    case 'RevokeSecurityGroup':
    case 'RevokeSecurityGroupEgress': {
      const ids = (Array.isArray(p.SecurityGroupRuleId) ? p.SecurityGroupRuleId : [p.SecurityGroupRuleId]).map(String).join(', ');
      return L(`删除规则 ${ids}`, `Delete rule ${ids}`);
    }
    case 'ModifySecurityGroupRule':
    case 'ModifySecurityGroupEgressRule': {
      const ch = Object.entries(p)
        .filter(([k]) => !RULE_PARAMS.has(k))
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(', ');
      return L(`修改规则 ${String(p.SecurityGroupRuleId)}：${ch}`, `Change rule ${String(p.SecurityGroupRuleId)}: ${ch}`);
    }
    case 'JoinSecurityGroup':
      return p.NetworkInterfaceId
        ? L(`把网卡 ${String(p.NetworkInterfaceId)} 加入安全组 ${String(p.SecurityGroupId)}`, `Attach security group ${String(p.SecurityGroupId)} to interface ${String(p.NetworkInterfaceId)}`)
        : L(`把实例加入安全组 ${String(p.SecurityGroupId)}`, `Attach security group ${String(p.SecurityGroupId)} to the instance`);
    case 'UpdateNetworkAclEntries': {
      const ingress = p.UpdateIngressAclEntries === true;
      const items = ((ingress ? p.IngressAclEntries : p.EgressAclEntries) as Perm[] | undefined) ?? [];
      const added = items.filter((e) => e.NetworkAclEntryId === undefined);
      const what = added.map((e) => `${String(e.Protocol)} ${String(e.Port)}`).join(', ');
      const pos = items.findIndex((e) => e.NetworkAclEntryId === undefined) + 1;
      const where = { zh: pos <= 1 ? '最前面' : `第 ${pos} 条`, en: pos <= 1 ? 'first' : `as entry ${pos}` };
      return L(
        `在网络 ACL ${String(p.NetworkAclId)} 的${ingress ? '入' : '出'}方向${where.zh}加一条放行 ${what}（此命令会整体替换该方向的条目，已包含现有条目）`,
        `Put an accept entry for ${what} ${where.en} in ${ingress ? 'inbound' : 'outbound'} entries of network ACL ${String(p.NetworkAclId)} (this call replaces the whole list; the existing entries are included)`,
      );
    }
    case 'StartInstance':
      return L('启动实例', 'Start the instance');
    case 'ModifyInstanceNetworkSpec':
      return L(`设置公网出带宽为 ${String(p.InternetMaxBandwidthOut)} Mbps（0 表示没有公网带宽）`, `Set the public outbound bandwidth to ${String(p.InternetMaxBandwidthOut)} Mbps (0 means no public bandwidth)`);
    case 'ModifyEipAddressAttribute':
      return L(`把 EIP 带宽调到 ${String(p.Bandwidth)} Mbps`, `Raise the EIP bandwidth to ${String(p.Bandwidth)} Mbps`);
    case 'AllocateEipAddress':
      return L('申请一个弹性公网 IP', 'Allocate an EIP');
    case 'AssociateEipAddress':
      return L(`把 EIP ${String(p.AllocationId)} 绑定到实例`, `Bind EIP ${String(p.AllocationId)} to the instance`);
    default:
      return L(`调用 ${a.api}`, `Call ${a.api}`);
  }
}

/** The console page for the actions (the first action that has one), with the path in words. */
export function consoleFix(actions: readonly CloudAction[], region: string | null): Fix | null {
  const a = actions[0];
  if (!a) return null;
  const p = a.params;
  if (PRODUCT[a.api] === 'ecs' && p.SecurityGroupId && a.api !== 'JoinSecurityGroup') {
    const g = String(p.SecurityGroupId);
    const known = !g.startsWith('<');
    const egress = a.api.endsWith('Egress') || a.api === 'ModifySecurityGroupEgressRule';
    const fix: Fix = {
      kind: 'console',
      title: L(
        `ECS 控制台 → 网络与安全 → 安全组 → ${known ? g : '（实例的安全组）'} → 管理规则 → ${egress ? '出' : '入'}方向 → ${a.api.startsWith('Authorize') ? '手动添加' : '找到规则后修改或删除'}`,
        `ECS console → Network & Security → Security Groups → ${known ? g : '(the instance’s group)'} → Manage Rules → ${egress ? 'Outbound' : 'Inbound'} → ${a.api.startsWith('Authorize') ? 'Add Rule' : 'edit or delete the rule'}`,
      ),
    };
    if (region && known && !region.startsWith('<')) fix.url = consoleUrls.securityGroupRules(region, g);
    return fix;
  }
  if (a.api === 'UpdateNetworkAclEntries') {
    const id = String(p.NetworkAclId ?? '');
    return { kind: 'console', title: L(`专有网络 VPC 控制台 → 网络 ACL → ${id || '（交换机绑定的 ACL）'} → 入/出方向规则`, `VPC console → Network ACLs → ${id || '(the vSwitch’s ACL)'} → Inbound / Outbound rules`), url: consoleUrls.vpc() };
  }
  const instanceId = p.InstanceId !== undefined ? String(p.InstanceId) : null;
  const what =
    a.api === 'StartInstance'
      ? { zh: '启动', en: 'Start' }
      : a.api === 'AllocateEipAddress' || a.api === 'AssociateEipAddress'
        ? { zh: '绑定弹性公网 IP', en: 'Bind EIP' }
        : a.api === 'JoinSecurityGroup'
          ? { zh: '安全组 → 加入安全组', en: 'Security Groups → Add to Security Group' }
          : null;
  const inst = instanceId ?? actions.map((x) => x.params.InstanceId).find((x) => x !== undefined);
  if (!what) return null;
  const id = inst === undefined ? null : String(inst);
  const fix: Fix = { kind: 'console', title: L(`ECS 控制台 → 实例 → ${id && !id.startsWith('<') ? id : '（实例）'} → ${what.zh}`, `ECS console → Instances → ${id && !id.startsWith('<') ? id : '(instance)'} → ${what.en}`) };
  if (region && id && !id.startsWith('<') && !region.startsWith('<')) fix.url = consoleUrls.instance(region, id);
  return fix;
}

/** The renderings of one fix (console, aliyun CLI, Terraform), each carrying the same actions and proof. */
export function renderFix(actions: readonly CloudAction[], region: string | null, meta: { intent: FixIntent; simulated: SimulatedFix; executable: boolean }): Fix[] {
  const carried = { intent: meta.intent, actions: meta.executable ? [...actions] : [], simulated: meta.simulated };
  const out: Fix[] = [];
  const con = consoleFix(actions, region);
  if (con) out.push({ ...con, ...carried });
  const title = actions.length === 1 ? actionTitle(actions[0]) : L(actions.map((a) => actionTitle(a)['zh-CN']).join('；然后'), actions.map((a) => actionTitle(a).en).join('; then '));
  const cli: Fix = { kind: 'aliyun-cli', platform: 'aliyun', title, command: actions.map((a) => cliCommand(a, region)).join('\n'), ...carried };
  for (const a of actions) for (const p of perms(a)) {
    const w = exposureWarning(permCidr(p, a.api.endsWith('Egress')));
    if (w && String(p.Policy ?? 'accept') === 'accept') cli.warning = w;
  }
  out.push(cli);
  const tf = terraformText(actions);
  if (tf) out.push({ kind: 'terraform', platform: 'terraform', title: L('Terraform：alicloud_security_group_rule', 'Terraform: alicloud_security_group_rule'), command: tf, ...carried });
  return out;
}

// ---- intents → candidate actions ---------------------------------------------------------------------

interface Candidate {
  actions: CloudAction[];
  /** Some value is unknown (the client's IP, an allocation id): shown with a placeholder, never executable. */
  placeholder: boolean;
}

const regionOf = (s: CloudSnapshot | null): string | null => s?.instance?.region ?? s?.region ?? null;
const knownSource = (flow: Flow | null): flow is Flow => !!flow && !!flow.sourceIp && parseIp(flow.sourceIp) !== null;

function findRule(s: CloudSnapshot, ruleId: string): SecurityGroupRule | null {
  for (const g of s.securityGroups) {
    const r = g.rules.find((x) => x.id === ruleId);
    if (r) return r;
  }
  return null;
}

function authorize(region: string | null, groupId: string | null, direction: 'ingress' | 'egress', protocol: string, port: number | null, cidr: string, priority: number, classic: boolean): CloudAction {
  const v6 = cidr.includes(':');
  const peerKey = direction === 'ingress' ? (v6 ? 'Ipv6SourceCidrIp' : 'SourceCidrIp') : v6 ? 'Ipv6DestCidrIp' : 'DestCidrIp';
  const perm: Perm = {
    IpProtocol: protocol.toUpperCase(),
    PortRange: port === null || (protocol !== 'tcp' && protocol !== 'udp') ? '-1/-1' : `${port}/${port}`,
    [peerKey]: cidr,
    Policy: 'accept',
    Priority: String(priority),
    Description: 'added by SG Doctor',
  };
  if (classic) perm.NicType = 'internet';
  return {
    api: direction === 'ingress' ? 'AuthorizeSecurityGroup' : 'AuthorizeSecurityGroupEgress',
    params: { RegionId: region ?? PLACEHOLDER.region, SecurityGroupId: groupId ?? PLACEHOLDER.group, Permissions: [perm] },
  };
}

/** The drop rule that decides the flow now, if any. */
function decidingDrop(s: CloudSnapshot, flow: Flow): SecurityGroupRule | null {
  const e = evaluateSecurityGroups(s, flow);
  const d = e.decidedBy;
  return d?.kind === 'rule' && d.policy === 'drop' ? findRule(s, d.ruleId) : null;
}

function aclEntryItem(e: NetworkAclEntry, cidrKey: 'SourceCidrIp' | 'DestinationCidrIp'): Perm {
  return {
    NetworkAclEntryId: e.id,
    ...(e.name ? { NetworkAclEntryName: e.name } : {}),
    Policy: e.policy,
    Protocol: e.protocol,
    Port: e.portRange.from === -1 ? '-1/-1' : `${e.portRange.from}/${e.portRange.to}`,
    [cidrKey]: e.cidr,
  };
}

/** Where the new entry goes: just before the entry that denies the flow (or its replies), else after the custom entries. */
function aclInsertAt(acl: NetworkAcl, entries: NetworkAclEntry[], direction: 'ingress' | 'egress', s: CloudSnapshot, flow: Flow | null, beforeEntryId?: string): number {
  if (beforeEntryId) {
    const i = entries.findIndex((e) => e.id === beforeEntryId);
    if (i >= 0) return i;
  }
  if (!knownSource(flow)) return 0;
  if (direction === 'ingress') {
    const d = evaluateNetworkAcl(s, flow).inbound.decidedBy;
    const i = d?.kind === 'rule' ? entries.findIndex((e) => e.id === d.ruleId) : -1;
    return i >= 0 ? i : entries.length;
  }
  // Replies: the first entry that drops some ephemeral port of this client for this protocol.
  const client = parseIp(flow.sourceIp);
  const i = entries.findIndex((e) => {
    if (e.policy !== 'drop' || (e.protocol !== 'all' && e.protocol !== flow.protocol)) return false;
    const c = parseCidr(e.cidr);
    if (!c || !client || !cidrContains(c, client)) return false;
    return e.portRange.from === -1 || (e.portRange.to >= 1024 && e.portRange.from <= 65535);
  });
  void acl;
  return i >= 0 ? i : entries.length;
}

function candidatesFor(intent: FixIntent, ctx: FixContext): { candidates: Candidate[]; notes: Localized[] } {
  const s = ctx.snapshot;
  const flow = ctx.flow;
  const region = regionOf(s);
  const classic = s?.instance?.networkType === 'classic';
  switch (intent.kind) {
    case 'allow-flow': {
      const placeholder = !intent.cidr || !knownSource(flow);
      // Beat the deciding drop by one (lower number wins; at equal priority drop wins), no more: rules of
      // higher precedence keep their say. Without a drop, priority 1.
      let priority = intent.beatPriority && intent.beatPriority > 1 ? intent.beatPriority - 1 : 1;
      if (!placeholder && s && flow && intent.direction === flow.direction) {
        const drop = decidingDrop(s, flow);
        if (drop) {
          if (drop.priority <= 1) {
            return {
              candidates: [],
              notes: [L(`拒绝规则 ${drop.id} 的优先级已是 1，同优先级拒绝优先：新加的放行规则压不过它，只能删除或收窄它（例如改授权对象）。`, `Drop rule ${drop.id} already has priority 1 and drop wins ties: a new accept rule cannot outrank it; delete it or narrow its source.`)],
            };
          }
          priority = drop.priority - 1;
        }
      }
      const cidr = intent.cidr ?? hostCidr(null);
      return { candidates: [{ actions: [authorize(region, intent.groupId, intent.direction, intent.protocol, intent.port, cidr, priority, classic)], placeholder }], notes: [] };
    }
    case 'revoke-rule': {
      const rule = s ? findRule(s, intent.ruleId) : null;
      const egress = intent.direction === 'egress';
      const revoke: CloudAction = { api: egress ? 'RevokeSecurityGroupEgress' : 'RevokeSecurityGroup', params: { RegionId: region ?? PLACEHOLDER.region, SecurityGroupId: intent.groupId, SecurityGroupRuleId: [intent.ruleId] } };
      const cands: Candidate[] = [{ actions: [revoke], placeholder: !knownSource(flow) }];
      // "Or modify it": a drop that also serves other flows moves one priority down, and a narrow accept takes its place.
      if (rule && rule.policy === 'drop' && !egress && rule.priority < 100 && knownSource(flow)) {
        cands.push({
          actions: [
            { api: 'ModifySecurityGroupRule', params: { RegionId: region ?? PLACEHOLDER.region, SecurityGroupId: intent.groupId, SecurityGroupRuleId: intent.ruleId, Priority: String(rule.priority + 1) } },
            authorize(region, intent.groupId, 'ingress', flow.protocol, flow.port, hostCidr(flow.sourceIp), rule.priority, classic),
          ],
          placeholder: false,
        });
      }
      return { candidates: cands, notes: [] };
    }
    case 'modify-rule': {
      const rule = s ? findRule(s, intent.ruleId) : null;
      const params: Record<string, unknown> = { RegionId: region ?? PLACEHOLDER.region, SecurityGroupId: intent.groupId, SecurityGroupRuleId: intent.ruleId };
      for (const [k, v] of Object.entries(intent.changes)) params[k] = String(v);
      const placeholder = !knownSource(flow) || Object.values(params).some((v) => typeof v === 'string' && v.includes('<'));
      return { candidates: [{ actions: [{ api: rule?.direction === 'egress' ? 'ModifySecurityGroupEgressRule' : 'ModifySecurityGroupRule', params }], placeholder }], notes: [] };
    }
    case 'join-group': {
      const eni = s && flow ? resolveInterface(s, flow.destinationIp).eni : null;
      const params: Record<string, unknown> = { RegionId: region ?? PLACEHOLDER.region };
      if (eni && eni.type === 'secondary') params.NetworkInterfaceId = eni.id;
      else params.InstanceId = intent.instanceId ?? PLACEHOLDER.instance;
      params.SecurityGroupId = intent.groupId;
      return { candidates: [{ actions: [{ api: 'JoinSecurityGroup', params }], placeholder: !knownSource(flow) || !intent.instanceId }], notes: [] };
    }
    case 'acl-allow': {
      const acl = s?.networkAcls.find((a) => a.id === intent.aclId) ?? null;
      if (!s || !acl) return { candidates: [], notes: [] };
      const ingress = intent.direction === 'ingress';
      const cidrKey = ingress ? 'SourceCidrIp' : 'DestinationCidrIp';
      const entries = (ingress ? acl.ingress : acl.egress).filter((e) => e.entryType !== 'system').sort((a, b) => a.order - b.order);
      const at = aclInsertAt(acl, entries, intent.direction, s, flow, intent.beforeEntryId);
      const portless = intent.protocol !== 'tcp' && intent.protocol !== 'udp';
      const port = portless ? '-1/-1' : ingress ? `${intent.port}/${intent.port}` : '1024/65535';
      const entry: Perm = { NetworkAclEntryName: ingress ? `sg-doctor-${intent.port}` : 'sg-doctor-return', Policy: 'accept', Protocol: intent.protocol, Port: port, [cidrKey]: intent.cidr ?? hostCidr(null) };
      const items = entries.map((e) => aclEntryItem(e, cidrKey));
      items.splice(at, 0, entry);
      const list = ingress ? 'IngressAclEntries' : 'EgressAclEntries';
      const action: CloudAction = { api: 'UpdateNetworkAclEntries', params: { RegionId: region ?? acl.region ?? PLACEHOLDER.region, NetworkAclId: acl.id, [ingress ? 'UpdateIngressAclEntries' : 'UpdateEgressAclEntries']: true, [list]: items } };
      return { candidates: [{ actions: [action], placeholder: !intent.cidr || !knownSource(flow) }], notes: [] };
    }
    case 'start-instance':
      return { candidates: [{ actions: [{ api: 'StartInstance', params: { InstanceId: intent.instanceId ?? PLACEHOLDER.instance } }], placeholder: !intent.instanceId }], notes: [] };
    case 'public-bandwidth':
      return intent.eipId
        ? { candidates: [{ actions: [{ api: 'ModifyEipAddressAttribute', params: { RegionId: region ?? PLACEHOLDER.region, AllocationId: intent.eipId, Bandwidth: String(intent.mbps) } }], placeholder: false }], notes: [] }
        : { candidates: [{ actions: [{ api: 'ModifyInstanceNetworkSpec', params: { InstanceId: intent.instanceId ?? PLACEHOLDER.instance, InternetMaxBandwidthOut: intent.mbps } }], placeholder: !intent.instanceId }], notes: [] };
    case 'bind-public-ip': {
      const r = region ?? PLACEHOLDER.region;
      const inst = intent.instanceId ?? PLACEHOLDER.instance;
      if (intent.eipId) return { candidates: [{ actions: [{ api: 'AssociateEipAddress', params: { RegionId: r, AllocationId: intent.eipId, InstanceId: inst, InstanceType: 'EcsInstance' } }], placeholder: !intent.instanceId }], notes: [] };
      // The new EIP's AllocationId is known only after the first call: a two-step fix with a placeholder.
      return {
        candidates: [
          {
            actions: [
              { api: 'AllocateEipAddress', params: { RegionId: r, Bandwidth: '5', InternetChargeType: 'PayByTraffic' } },
              { api: 'AssociateEipAddress', params: { RegionId: r, AllocationId: '<AllocationId>', InstanceId: inst, InstanceType: 'EcsInstance' } },
            ],
            placeholder: true,
          },
        ],
        notes: [],
      };
    }
  }
}

/** The flow an intent is about: the check's flow, with the intent's own protocol and port (e.g. ICMP for ping). */
function flowFor(intent: FixIntent, flow: Flow | null): Flow | null {
  if (!flow || (intent.kind !== 'allow-flow' && intent.kind !== 'acl-allow')) return flow;
  if (intent.protocol === flow.protocol && (intent.port ?? -1) === flow.port) return flow;
  if (intent.kind === 'acl-allow' && intent.direction === 'egress' && intent.protocol === flow.protocol) return flow;
  return { ...flow, protocol: intent.protocol, port: intent.port ?? -1 };
}

/** A rule whose source is replaced stops admitting its old source: say whom it admitted. */
function replacedSource(intent: FixIntent, s: CloudSnapshot | null): Localized | undefined {
  if (intent.kind !== 'modify-rule' || !s) return undefined;
  if (!['SourceCidrIp', 'Ipv6SourceCidrIp', 'DestCidrIp', 'Ipv6DestCidrIp'].some((k) => k in intent.changes)) return undefined;
  const r = findRule(s, intent.ruleId);
  if (!r || r.peer.kind !== 'cidr') return undefined;
  return L(`这会替换规则 ${r.id} 原来的授权对象 ${r.peer.cidr}：原来靠它访问的地址将不再被放行。若它们仍需访问，请改用“添加规则”。`, `This replaces the old source ${r.peer.cidr} of rule ${r.id}: whoever it admitted loses access. If they still need it, add a rule instead.`);
}

/** A withheld fix, in plain words: what it was and why it is not offered. */
function withheld(title: Localized, why: Localized): Fix {
  return { kind: 'info', title: L(`没有提供“${title['zh-CN']}”：${why['zh-CN']}`, `Not offered: “${title.en}”: ${why.en}`) };
}

/**
 * The Alibaba Cloud renderer of a fix intent: candidate actions, each proven on the snapshot before it is
 * offered; a candidate that does not admit the flow, or admits more than it, is withheld with a note.
 */
export function alibabaFixes(intent: FixIntent, given: FixContext): Fix[] {
  const ctx = { ...given, flow: flowFor(intent, given.flow) };
  const region = regionOf(ctx.snapshot);
  const { candidates, notes } = candidatesFor(intent, ctx);
  const out: Fix[] = [];
  const rejected: Fix[] = [];
  for (const c of candidates) {
    const title = c.actions.length === 1 ? actionTitle(c.actions[0]) : L(c.actions.map((a) => actionTitle(a)['zh-CN']).join('；然后'), c.actions.map((a) => actionTitle(a).en).join('; then '));
    if (c.placeholder || !ctx.snapshot || !ctx.flow) {
      out.push(...renderFix(c.actions, region, { intent, simulated: { decision: 'unknown' }, executable: false }));
      continue;
    }
    const proof = proveFix(ctx.snapshot, ctx.flow, c.actions);
    if (proof.decision !== 'allow' || proof.rejected) {
      rejected.push(withheld(title, proof.rejected ?? L('模拟后连接仍不通', 'the connection would still not be admitted')));
      continue;
    }
    const rendered = renderFix(c.actions, region, { intent, simulated: { decision: proof.decision }, executable: true });
    const lost = replacedSource(intent, ctx.snapshot);
    if (lost) for (const f of rendered) f.warning = lost;
    out.push(...rendered);
    // The narrowest proven candidate is enough; later ones are alternatives for when it fails.
    break;
  }
  const noteFixes = notes.map((n): Fix => ({ kind: 'info', title: n }));
  if (!out.length && !rejected.length && !noteFixes.length) return [intentFix(intent)];
  return [...out, ...rejected, ...noteFixes];
}

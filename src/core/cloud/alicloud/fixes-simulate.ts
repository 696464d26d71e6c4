// Proving an Alibaba Cloud fix before it is shown: its actions are applied to a copy of the snapshot (as the
// API would change the configuration) and the flow is evaluated again with the real evaluators. A fix is
// offered only when the layer it changes then admits the flow AND it opens no more than the flow: the added
// rule or ACL entry admits exactly the client's address (/32 or /128), the one port and the one protocol, an
// ACL list keeps every existing entry in its order, and no other flow — another source, port or protocol —
// goes from not-admitted to admitted (tested at every boundary of the rules the change touches).
import ipaddr from 'ipaddr.js';
import type { CloudSnapshot, NetworkAcl, NetworkAclEntry, Peer, Protocol, SecurityGroup, SecurityGroupRule } from '../model';
import type { CloudAction, SimulatedFix } from '../provider';
import { hostCidr } from '../../diagnosis/fixes';
import { instanceAddresses, instanceEip } from '../../diagnosis/facts';
import type { Localized } from '../../diagnosis/types';
import { L } from '../../i18n';
import { parseCidr, parseIp } from '../../rules/cidr';
import { resolveInterface } from '../../rules/interfaces';
import { evaluateNetworkAcl } from '../../rules/networkAcl';
import { evaluateSecurityGroups } from '../../rules/securityGroups';
import type { Flow } from '../../rules/types';

/** An action this simulation cannot apply (an unknown API, a missing resource, a value it cannot read). */
export class Unsimulatable extends Error {
  override name = 'Unsimulatable';
}

const str = (v: unknown): string | undefined => (v === undefined || v === null ? undefined : String(v));

function parsePorts(text: string | undefined): { from: number; to: number } {
  const m = /^(-?\d+)\/(-?\d+)$/.exec((text ?? '').trim());
  if (!m) throw new Unsimulatable(`port range "${text}"`);
  return { from: Number(m[1]), to: Number(m[2]) };
}

function protocolOf(text: string | undefined): Protocol {
  const p = (text ?? '').toLowerCase();
  if (p === 'tcp' || p === 'udp' || p === 'icmp' || p === 'icmpv6' || p === 'gre' || p === 'all') return p;
  throw new Unsimulatable(`protocol "${text}"`);
}

const SG_APIS = new Set(['AuthorizeSecurityGroup', 'AuthorizeSecurityGroupEgress', 'RevokeSecurityGroup', 'RevokeSecurityGroupEgress', 'ModifySecurityGroupRule', 'ModifySecurityGroupEgressRule', 'JoinSecurityGroup']);
const INSTANCE_APIS = new Set(['StartInstance', 'ModifyInstanceNetworkSpec', 'ModifyEipAddressAttribute', 'AssociateEipAddress']);

function groupOf(s: CloudSnapshot, id: unknown): SecurityGroup {
  const g = s.securityGroups.find((x) => x.id === id);
  if (!g) throw new Unsimulatable(`security group ${String(id)} is not in the snapshot`);
  return g;
}

function peerFrom(p: Record<string, unknown>, egress: boolean): Peer {
  const v4 = str(p[egress ? 'DestCidrIp' : 'SourceCidrIp']);
  const v6 = str(p[egress ? 'Ipv6DestCidrIp' : 'Ipv6SourceCidrIp']);
  const grp = str(p[egress ? 'DestGroupId' : 'SourceGroupId']);
  const pl = str(p[egress ? 'DestPrefixListId' : 'SourcePrefixListId']);
  if (v4) return { kind: 'cidr', cidr: v4, family: 4 };
  if (v6) return { kind: 'cidr', cidr: v6, family: 6 };
  if (grp) return { kind: 'group', groupId: grp };
  if (pl) return { kind: 'prefix-list', prefixListId: pl, cidrs: null };
  throw new Unsimulatable('a permission without a peer');
}

const KNOWN_PERMISSION_FIELDS = new Set(['IpProtocol', 'PortRange', 'SourceCidrIp', 'Ipv6SourceCidrIp', 'DestCidrIp', 'Ipv6DestCidrIp', 'SourceGroupId', 'DestGroupId', 'SourcePrefixListId', 'DestPrefixListId', 'Policy', 'Priority', 'Description', 'NicType']);

function ruleFromPermission(g: SecurityGroup, p: Record<string, unknown>, egress: boolean, id: string): SecurityGroupRule {
  for (const k of Object.keys(p)) if (!KNOWN_PERMISSION_FIELDS.has(k)) throw new Unsimulatable(`permission field ${k}`);
  const protocol = protocolOf(str(p.IpProtocol));
  const rawPortRange = str(p.PortRange) ?? '-1/-1';
  const priority = Number(str(p.Priority) ?? '1');
  if (!Number.isInteger(priority) || priority < 1 || priority > 100) throw new Unsimulatable(`priority ${String(p.Priority)}`);
  const policy = (str(p.Policy) ?? 'accept').toLowerCase();
  if (policy !== 'accept' && policy !== 'drop') throw new Unsimulatable(`policy ${policy}`);
  const nic = str(p.NicType);
  return {
    id,
    groupId: g.id,
    direction: egress ? 'egress' : 'ingress',
    protocol,
    rawProtocol: protocol.toUpperCase(),
    portRange: parsePorts(rawPortRange),
    rawPortRange,
    peer: peerFrom(p, egress),
    policy,
    priority,
    order: g.rules.length,
    nicType: nic === 'internet' ? 'internet' : 'intranet',
    ...(str(p.Description) ? { description: str(p.Description) } : {}),
  };
}

const sameRule = (a: SecurityGroupRule, b: SecurityGroupRule): boolean =>
  a.direction === b.direction &&
  a.protocol === b.protocol &&
  a.portRange.from === b.portRange.from &&
  a.portRange.to === b.portRange.to &&
  JSON.stringify(a.peer) === JSON.stringify(b.peer) &&
  a.policy === b.policy &&
  a.priority === b.priority &&
  (a.nicType ?? 'intranet') === (b.nicType ?? 'intranet') &&
  !a.localCidr &&
  !b.localCidr &&
  !a.sourcePortRange &&
  !b.sourcePortRange;

function modifyRule(r: SecurityGroupRule, params: Record<string, unknown>): void {
  const egress = r.direction === 'egress';
  const peerKeys = egress ? ['DestCidrIp', 'Ipv6DestCidrIp', 'DestGroupId', 'DestPrefixListId'] : ['SourceCidrIp', 'Ipv6SourceCidrIp', 'SourceGroupId', 'SourcePrefixListId'];
  for (const [k, v] of Object.entries(params)) {
    if (k === 'RegionId' || k === 'SecurityGroupId' || k === 'SecurityGroupRuleId' || k === 'ClientToken') continue;
    if (k === 'IpProtocol') {
      r.protocol = protocolOf(str(v));
      r.rawProtocol = r.protocol.toUpperCase();
    } else if (k === 'PortRange') {
      r.portRange = parsePorts(str(v));
      r.rawPortRange = String(v);
    } else if (peerKeys.includes(k)) r.peer = peerFrom({ [k]: v }, egress);
    else if (k === 'Policy') {
      const p = String(v).toLowerCase();
      if (p !== 'accept' && p !== 'drop') throw new Unsimulatable(`policy ${p}`);
      r.policy = p;
    } else if (k === 'Priority') {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1 || n > 100) throw new Unsimulatable(`priority ${String(v)}`);
      r.priority = n;
    } else if (k === 'Description') r.description = String(v);
    else if (k === 'NicType') r.nicType = v === 'internet' ? 'internet' : 'intranet';
    else throw new Unsimulatable(`ModifySecurityGroupRule field ${k}`);
  }
  // The raw API object would be stale: drop it so that nothing reads old values from it.
  delete r.raw;
}

function replaceAclEntries(acl: NetworkAcl, direction: 'ingress' | 'egress', items: Record<string, unknown>[]): void {
  const old = direction === 'ingress' ? acl.ingress : acl.egress;
  const system = old.filter((e) => e.entryType === 'system');
  const cidrKey = direction === 'ingress' ? 'SourceCidrIp' : 'DestinationCidrIp';
  const next: NetworkAclEntry[] = items.map((it, i) => {
    const id = str(it.NetworkAclEntryId);
    const prev = id ? old.find((e) => e.id === id) : undefined;
    if (id && !prev) throw new Unsimulatable(`ACL entry ${id} is not in the snapshot`);
    const cidr = str(it[cidrKey]) ?? prev?.cidr;
    if (!cidr) throw new Unsimulatable('an ACL entry without an address');
    const policy = (str(it.Policy) ?? prev?.policy ?? 'accept').toLowerCase();
    if (policy !== 'accept' && policy !== 'drop') throw new Unsimulatable(`policy ${policy}`);
    return {
      id: id ?? `sgd-simulated-${direction}-${i + 1}`,
      ...(str(it.NetworkAclEntryName) ? { name: str(it.NetworkAclEntryName) } : prev?.name ? { name: prev.name } : {}),
      direction,
      protocol: it.Protocol !== undefined ? protocolOf(str(it.Protocol)) : (prev?.protocol ?? 'all'),
      portRange: it.Port !== undefined ? parsePorts(str(it.Port)) : (prev?.portRange ?? { from: -1, to: -1 }),
      cidr,
      policy,
      order: i,
      entryType: 'custom',
      ...(prev?.unevaluated ? { unevaluated: prev.unevaluated } : {}),
    };
  });
  const all = [...next, ...system.map((e, i) => ({ ...e, order: next.length + i }))];
  if (direction === 'ingress') acl.ingress = all;
  else acl.egress = all;
}

/** Applies the actions to a deep copy of the snapshot, as the API would change the configuration. */
export function applyActions(snapshot: CloudSnapshot, actions: readonly CloudAction[]): CloudSnapshot {
  const s = structuredClone(snapshot);
  let seq = 0;
  for (const a of actions) {
    const p = a.params;
    switch (a.api) {
      case 'AuthorizeSecurityGroup':
      case 'AuthorizeSecurityGroupEgress': {
        const g = groupOf(s, p.SecurityGroupId);
        const perms = Array.isArray(p.Permissions) ? (p.Permissions as Record<string, unknown>[]) : [];
        if (!perms.length) throw new Unsimulatable('AuthorizeSecurityGroup without Permissions');
        for (const perm of perms) {
          const r = ruleFromPermission(g, perm, a.api.endsWith('Egress'), `sgd-simulated-${++seq}`);
          // The API treats an identical rule as already there: success, no change.
          if (!g.rules.some((x) => sameRule(x, r))) g.rules.push(r);
        }
        break;
      }
      case 'RevokeSecurityGroup':
      case 'RevokeSecurityGroupEgress': {
        const g = groupOf(s, p.SecurityGroupId);
        const ids = Array.isArray(p.SecurityGroupRuleId) ? p.SecurityGroupRuleId.map(String) : [];
        if (!ids.length) throw new Unsimulatable('RevokeSecurityGroup without SecurityGroupRuleId');
        g.rules = g.rules.filter((r) => !ids.includes(r.id));
        break;
      }
      case 'ModifySecurityGroupRule':
      case 'ModifySecurityGroupEgressRule': {
        const g = groupOf(s, p.SecurityGroupId);
        const r = g.rules.find((x) => x.id === p.SecurityGroupRuleId);
        if (!r) throw new Unsimulatable(`rule ${String(p.SecurityGroupRuleId)} is not in the snapshot`);
        modifyRule(r, p);
        break;
      }
      case 'JoinSecurityGroup': {
        const gid = String(p.SecurityGroupId);
        groupOf(s, gid);
        const eniId = str(p.NetworkInterfaceId);
        const eni = eniId ? s.interfaces.find((e) => e.id === eniId) : s.interfaces.find((e) => e.type === 'primary');
        if (eniId && !eni) throw new Unsimulatable(`interface ${eniId} is not in the snapshot`);
        if (eni && !eni.securityGroupIds.includes(gid)) eni.securityGroupIds.push(gid);
        if (!eniId && s.instance && !s.instance.securityGroupIds.includes(gid)) s.instance.securityGroupIds.push(gid);
        break;
      }
      case 'UpdateNetworkAclEntries': {
        const acl = s.networkAcls.find((x) => x.id === p.NetworkAclId);
        if (!acl) throw new Unsimulatable(`network ACL ${String(p.NetworkAclId)} is not in the snapshot`);
        if (p.UpdateIngressAclEntries === true) replaceAclEntries(acl, 'ingress', (p.IngressAclEntries as Record<string, unknown>[] | undefined) ?? []);
        if (p.UpdateEgressAclEntries === true) replaceAclEntries(acl, 'egress', (p.EgressAclEntries as Record<string, unknown>[] | undefined) ?? []);
        break;
      }
      case 'StartInstance': {
        if (!s.instance || s.instance.id !== p.InstanceId) throw new Unsimulatable(`instance ${String(p.InstanceId)} is not in the snapshot`);
        // A locked instance (overdue, security) does not start: the lock stays and decides.
        s.instance.status = 'Running';
        break;
      }
      case 'ModifyInstanceNetworkSpec': {
        if (!s.instance || s.instance.id !== p.InstanceId) throw new Unsimulatable(`instance ${String(p.InstanceId)} is not in the snapshot`);
        if (p.InternetMaxBandwidthOut !== undefined) s.instance.internetMaxBandwidthOut = Number(p.InternetMaxBandwidthOut);
        break;
      }
      case 'ModifyEipAddressAttribute': {
        const e = s.eips.find((x) => x.allocationId === p.AllocationId);
        if (!e) throw new Unsimulatable(`EIP ${String(p.AllocationId)} is not in the snapshot`);
        if (p.Bandwidth !== undefined) e.bandwidthMbps = Number(p.Bandwidth);
        break;
      }
      case 'AssociateEipAddress': {
        const e = s.eips.find((x) => x.allocationId === p.AllocationId);
        if (!e || !s.instance) throw new Unsimulatable(`EIP ${String(p.AllocationId)} is not in the snapshot`);
        e.status = 'InUse';
        e.instanceId = String(p.InstanceId);
        e.instanceType = str(p.InstanceType) ?? 'EcsInstance';
        if (e.instanceId === s.instance.id) {
          s.instance.eipAddress = e.ipAddress;
          s.instance.eipAllocationId = e.allocationId;
        }
        break;
      }
      default:
        throw new Unsimulatable(`${a.api} cannot be simulated`);
    }
  }
  return s;
}

// ---- the layers a fix changes, evaluated after it -----------------------------------------------------

type Layer = 'security-group' | 'acl-inbound' | 'acl-return' | 'instance';

export function layersOf(actions: readonly CloudAction[]): Layer[] {
  const out = new Set<Layer>();
  for (const a of actions) {
    if (SG_APIS.has(a.api)) out.add('security-group');
    else if (INSTANCE_APIS.has(a.api)) out.add('instance');
    else if (a.api === 'UpdateNetworkAclEntries') {
      if (a.params.UpdateIngressAclEntries === true) out.add('acl-inbound');
      if (a.params.UpdateEgressAclEntries === true) out.add('acl-return');
    }
  }
  return [...out];
}

/** Can the instance be reached at all: running, unlocked, with a public address that has bandwidth? */
function instanceDecision(s: CloudSnapshot, flow: Flow): 'allow' | 'deny' | 'unknown' {
  const inst = s.instance;
  if (!inst) return 'unknown';
  if (inst.status !== 'Running') return 'deny';
  if (inst.operationLocks.some((l) => l === 'financial' || l === 'security')) return 'deny';
  const { publicAddresses, privateAddresses } = instanceAddresses(s);
  const dest = parseIp(flow.destinationIp)?.text ?? flow.destinationIp;
  if (privateAddresses.includes(dest)) return 'allow';
  if (!publicAddresses.length) return 'deny';
  const eip = instanceEip(s);
  if (eip) {
    const mine = eip.instanceId === inst.id || s.interfaces.some((i) => i.id === eip.instanceId);
    if (eip.status !== 'InUse' || !mine || eip.businessStatus === 'FinancialLocked' || eip.bandwidthMbps <= 0) return 'deny';
    return 'allow';
  }
  if (inst.publicIp && inst.internetMaxBandwidthOut <= 0) return 'deny';
  return 'allow';
}

function layerDecision(layer: Layer, s: CloudSnapshot, flow: Flow): 'allow' | 'deny' | 'unknown' {
  switch (layer) {
    case 'security-group':
      return evaluateSecurityGroups(s, flow).decision;
    case 'acl-inbound':
      return evaluateNetworkAcl(s, flow).inbound.decision;
    case 'acl-return': {
      const a = evaluateNetworkAcl(s, flow);
      if (a.returnPath.decision !== 'allow') return a.returnPath.decision;
      return (a.returnPorts?.coverage ?? 'full') === 'full' ? 'allow' : 'deny';
    }
    case 'instance':
      return instanceDecision(s, flow);
  }
}

const LAYER_WORDS: Record<Layer, { zh: string; en: string }> = {
  'security-group': { zh: '安全组', en: 'the security groups' },
  'acl-inbound': { zh: '网络 ACL 入方向', en: 'the network ACL’s inbound entries' },
  'acl-return': { zh: '网络 ACL 出方向（回程）', en: 'the network ACL’s outbound entries (the replies)' },
  instance: { zh: '实例本身（状态、锁定、公网地址）', en: 'the instance itself (state, locks, public address)' },
};

export function describeFlow(f: Flow): string {
  return f.protocol === 'tcp' || f.protocol === 'udp' ? `${f.protocol.toUpperCase()} ${f.sourceIp} → ${f.destinationIp}:${f.port}` : `${f.protocol.toUpperCase()} ${f.sourceIp} → ${f.destinationIp}`;
}

// ---- narrowness ---------------------------------------------------------------------------------------

const normCidr = (c: string): string => parseCidr(c)?.text ?? c.trim().toLowerCase();

/** Structural narrowness of added SG permissions and ACL entries: exactly the client, the port, the protocol. */
function structuralWidening(before: CloudSnapshot, flow: Flow, actions: readonly CloudAction[]): Localized | null {
  const client = normCidr(hostCidr(flow.sourceIp));
  const portless = flow.protocol !== 'tcp' && flow.protocol !== 'udp';
  const onePort = `${flow.port}/${flow.port}`;
  const wide = (what: { zh: string; en: string }): Localized =>
    L(`它会放行比这个连接更多的访问（${what.zh}）：只应授权你的公网 IP（/32）、这一个端口和这一个协议`, `it would admit more than this connection (${what.en}): only your public IP (/32), the one port and the one protocol should be admitted`);
  for (const a of actions) {
    if (a.api === 'AuthorizeSecurityGroup' || a.api === 'AuthorizeSecurityGroupEgress') {
      const egress = a.api.endsWith('Egress');
      for (const p of (a.params.Permissions as Record<string, unknown>[] | undefined) ?? []) {
        if (String(p.Policy ?? 'accept').toLowerCase() !== 'accept') continue;
        const proto = String(p.IpProtocol ?? '').toLowerCase();
        if (proto !== flow.protocol) return wide({ zh: `协议 ${String(p.IpProtocol)}`, en: `protocol ${String(p.IpProtocol)}` });
        const range = String(p.PortRange ?? '');
        if (!portless && range !== onePort) return wide({ zh: `端口 ${range}`, en: `ports ${range}` });
        if (p.SourceGroupId || p.SourcePrefixListId || p.DestGroupId || p.DestPrefixListId) return wide({ zh: '引用安全组或前缀列表', en: 'a group or prefix-list reference' });
        const cidr = str(p[egress ? 'DestCidrIp' : 'SourceCidrIp']) ?? str(p[egress ? 'Ipv6DestCidrIp' : 'Ipv6SourceCidrIp']) ?? '';
        if (normCidr(cidr) !== client) return wide({ zh: `授权对象 ${cidr}`, en: `source ${cidr}` });
      }
    }
    if (a.api === 'UpdateNetworkAclEntries') {
      const acl = before.networkAcls.find((x) => x.id === a.params.NetworkAclId);
      if (!acl) continue;
      for (const dir of ['ingress', 'egress'] as const) {
        const flag = dir === 'ingress' ? 'UpdateIngressAclEntries' : 'UpdateEgressAclEntries';
        if (a.params[flag] !== true) continue;
        const items = ((dir === 'ingress' ? a.params.IngressAclEntries : a.params.EgressAclEntries) as Record<string, unknown>[] | undefined) ?? [];
        const old = (dir === 'ingress' ? acl.ingress : acl.egress).filter((e) => e.entryType !== 'system').sort((x, y) => x.order - y.order);
        // The list is replaced as a whole: every existing entry must come back unchanged and in its order.
        const kept = items.filter((it) => it.NetworkAclEntryId !== undefined);
        const cidrKey = dir === 'ingress' ? 'SourceCidrIp' : 'DestinationCidrIp';
        const same =
          kept.length === old.length &&
          kept.every((it, i) => {
            const e = old[i];
            const ports = e.portRange.from === -1 ? '-1/-1' : `${e.portRange.from}/${e.portRange.to}`;
            return it.NetworkAclEntryId === e.id && String(it.Policy) === e.policy && String(it.Protocol) === e.protocol && String(it.Port) === ports && String(it[cidrKey]) === e.cidr;
          });
        if (!same) return L('它会改动或删除网络 ACL 里已有的条目（此接口整体替换条目列表）', 'it would change or drop existing entries of the network ACL (the call replaces the whole list)');
        for (const it of items.filter((x) => x.NetworkAclEntryId === undefined)) {
          if (String(it.Policy ?? 'accept') !== 'accept') continue;
          if (String(it.Protocol ?? '').toLowerCase() !== flow.protocol) return wide({ zh: `协议 ${String(it.Protocol)}`, en: `protocol ${String(it.Protocol)}` });
          const want = dir === 'ingress' ? onePort : '1024/65535';
          if (!portless && String(it.Port) !== want) return wide({ zh: `端口 ${String(it.Port)}`, en: `ports ${String(it.Port)}` });
          if (normCidr(String(it[cidrKey] ?? '')) !== client) return wide({ zh: `地址 ${String(it[cidrKey])}`, en: `address ${String(it[cidrKey])}` });
        }
      }
    }
  }
  return null;
}

// Address arithmetic for the boundary samples.
function toBig(a: ipaddr.IPv4 | ipaddr.IPv6): bigint {
  return a.toByteArray().reduce((n, b) => (n << 8n) | BigInt(b), 0n);
}
function fromBig(n: bigint, v6: boolean): string | null {
  const len = v6 ? 16 : 4;
  const max = (1n << BigInt(len * 8)) - 1n;
  if (n < 0n || n > max) return null;
  const bytes: number[] = [];
  for (let i = len - 1; i >= 0; i--) bytes.push(Number((n >> BigInt(i * 8)) & 0xffn));
  return ipaddr.fromByteArray(bytes).toString();
}
function cidrBounds(cidr: string): { first: bigint; last: bigint; v6: boolean } | null {
  try {
    const t = cidr.trim();
    const [addr, len] = t.includes('/') ? ipaddr.parseCIDR(t) : [ipaddr.parse(t), ipaddr.parse(t).kind() === 'ipv4' ? 32 : 128];
    const v6 = addr.kind() === 'ipv6';
    const bits = v6 ? 128 : 32;
    const mask = ((1n << BigInt(bits)) - 1n) ^ ((1n << BigInt(bits - len)) - 1n);
    const first = toBig(addr) & mask;
    return { first, last: first | ((1n << BigInt(bits - len)) - 1n), v6 };
  } catch {
    return null;
  }
}

const ruleKey = (r: SecurityGroupRule): string => JSON.stringify([r.id, r.groupId, r.direction, r.protocol, r.portRange, r.peer, r.policy, r.priority, r.nicType ?? '', r.localCidr ?? '', r.sourcePortRange ?? null]);

function rulesOnPath(s: CloudSnapshot, flow: Flow): SecurityGroupRule[] {
  const ids = resolveInterface(s, flow.direction === 'ingress' ? flow.destinationIp : flow.sourceIp).groupIds;
  return s.securityGroups.filter((g) => ids.includes(g.id)).flatMap((g) => g.rules);
}

const MAX_SAMPLES = 16;
const MAX_PAIR_SAMPLES = 64;

/**
 * A flow other than `flow` (another source, port or protocol to the same address) that the security groups
 * admit after the change and did not admit before, or null. The decision can only change inside the rules
 * the change adds, removes or edits, and within them only at the boundaries of the rules on the path: the
 * samples are those boundaries (each range's first and last value and the values just outside).
 */
/** The differential search ran out of its time budget: narrowness is not proven. */
export class OutOfBudget extends Error {
  override name = 'OutOfBudget';
}

/** Time bound of one narrowness search (an account at the rule quota costs milliseconds per evaluation). */
export const WIDENING_BUDGET_MS = 500;

export function sgWidening(before: CloudSnapshot, after: CloudSnapshot, flow: Flow, budgetMs = WIDENING_BUDGET_MS): Flow | null {
  const deadline = performance.now() + budgetMs;
  const b = rulesOnPath(before, flow);
  const a = rulesOnPath(after, flow);
  const bk = new Set(b.map(ruleKey));
  const ak = new Set(a.map(ruleKey));
  const touched = [...a.filter((r) => !bk.has(ruleKey(r))), ...b.filter((r) => !ak.has(ruleKey(r)))].filter((r) => r.direction === flow.direction);
  if (!touched.length) return null;
  const remote = flow.direction === 'ingress' ? flow.sourceIp : flow.destinationIp;
  const v6 = remote.includes(':');
  const sources = new Set<string>([parseIp(remote)?.text ?? remote]);
  // The client's neighbours: a witness among them reads naturally ("your neighbour's address too").
  try {
    const c = toBig(ipaddr.process(remote));
    for (const n of [c + 1n, c - 1n]) {
      const t = fromBig(n, v6);
      if (t) sources.add(t);
    }
  } catch {
    // not an address: the boundaries below still apply
  }
  const ranges: { first: bigint; last: bigint }[] = [];
  const peerCidrs = (r: SecurityGroupRule): string[] => (r.peer.kind === 'cidr' ? [r.peer.cidr] : r.peer.kind === 'prefix-list' ? (r.peer.cidrs ?? []) : []);
  for (const r of touched) for (const c of peerCidrs(r)) {
    const x = cidrBounds(c);
    if (x && x.v6 === v6) ranges.push(x);
  }
  const addBound = (x: { first: bigint; last: bigint }): void => {
    for (const n of [x.first, x.last, x.first - 1n, x.last + 1n]) {
      const t = fromBig(n, v6);
      if (t && sources.size < MAX_SAMPLES) sources.add(t);
    }
  };
  ranges.forEach(addBound);
  for (const r of [...a, ...b]) for (const c of peerCidrs(r)) {
    const x = cidrBounds(c);
    if (x && x.v6 === v6 && ranges.some((t) => x.first <= t.last && t.first <= x.last)) addBound(x);
  }
  // Group references: the private addresses of the interfaces in the referenced group.
  for (const r of touched) if (r.peer.kind === 'group') {
    const gid = r.peer.groupId;
    for (const eni of after.interfaces) if (eni.securityGroupIds.includes(gid)) for (const ip of eni.privateIps) if (sources.size < MAX_SAMPLES) sources.add(ip);
  }
  const protocols = new Set<Exclude<Protocol, 'all'>>([flow.protocol]);
  for (const r of touched) {
    if (r.protocol === 'all') ['tcp', 'udp', v6 ? 'icmpv6' : 'icmp'].forEach((p) => protocols.add(p as Exclude<Protocol, 'all'>));
    else protocols.add(r.protocol);
  }
  const ports = new Set<number>([flow.port]);
  const span = (r: SecurityGroupRule): { from: number; to: number } => (r.portRange.from === -1 || r.protocol === 'all' ? { from: 1, to: 65535 } : r.portRange);
  const touchedSpans = touched.map(span);
  const addPorts = (r: SecurityGroupRule, onlyInside: boolean): void => {
    const { from, to } = span(r);
    for (const p of [from, to, from - 1, to + 1]) {
      if (p < 1 || p > 65535 || ports.size >= MAX_SAMPLES) continue;
      // Another rule's boundary matters only inside a range the change touches.
      if (onlyInside && !touchedSpans.some((t) => t.from <= p && p <= t.to)) continue;
      ports.add(p);
    }
  };
  touched.forEach((r) => addPorts(r, false));
  for (const r of [...a, ...b]) if (r.protocol === 'tcp' || r.protocol === 'udp') addPorts(r, true);
  const clientText = parseIp(remote)?.text ?? remote;
  const clientBig = (() => {
    try {
      return toBig(ipaddr.process(clientText));
    } catch {
      return null;
    }
  })();
  const probe = (proto: Exclude<Protocol, 'all'>, src: string, port: number): Flow | null => {
    const isFlow = src === clientText && proto === flow.protocol && (port === flow.port || port === -1);
    if (isFlow) return null;
    if (performance.now() > deadline) throw new OutOfBudget(`${budgetMs} ms`);
    const f: Flow = flow.direction === 'ingress' ? { ...flow, protocol: proto, sourceIp: src, port } : { ...flow, protocol: proto, destinationIp: src, port };
    if (evaluateSecurityGroups(after, f).decision !== 'allow') return null;
    return evaluateSecurityGroups(before, f).decision !== 'allow' ? f : null;
  };
  // First the likeliest witnesses: where a touched rule overlaps another rule on the path (an accept a removed
  // or demoted drop was shadowing, a drop an added accept now outranks), at the corners of the overlap.
  let budget = MAX_PAIR_SAMPLES;
  for (const t of touched) {
    for (const r of [...a, ...b]) {
      if (budget <= 0) break;
      if (r === t || r.direction !== flow.direction || (t.policy === r.policy && ak.has(ruleKey(t)))) continue;
      const protos = (t.protocol === 'all' ? (r.protocol === 'all' ? [flow.protocol] : [r.protocol]) : r.protocol === 'all' || r.protocol === t.protocol ? [t.protocol] : []) as Exclude<Protocol, 'all'>[];
      if (!protos.length) continue;
      const ts = span(t);
      const rs = span(r);
      const lo = Math.max(ts.from, rs.from);
      const hi = Math.min(ts.to, rs.to);
      if (lo > hi) continue;
      const tc = peerCidrs(t).map(cidrBounds).filter((x): x is NonNullable<typeof x> => x !== null && x.v6 === v6);
      const rc = peerCidrs(r).map(cidrBounds).filter((x): x is NonNullable<typeof x> => x !== null && x.v6 === v6);
      for (const x of tc) for (const y of rc) {
        const first = x.first > y.first ? x.first : y.first;
        const last = x.last < y.last ? x.last : y.last;
        if (first > last) continue;
        // The client's neighbours first (a witness that reads naturally), then the corners of the overlap.
        const near = clientBig === null ? [] : [clientBig + 1n, clientBig - 1n].filter((x) => x >= first && x <= last);
        for (const n of [...new Set([...near, first, last])]) {
          const src = fromBig(n, v6);
          if (!src) continue;
          for (const proto of protos) for (const port of proto === 'tcp' || proto === 'udp' ? [...new Set([lo, hi])] : [-1]) {
            budget--;
            const w = probe(proto, src, port);
            if (w) return w;
          }
        }
      }
    }
  }
  // Then every boundary of the touched ranges.
  for (const proto of protocols) {
    const portList = proto === 'tcp' || proto === 'udp' ? [...ports] : [-1];
    for (const src of sources) {
      for (const port of portList) {
        const w = probe(proto, src, port);
        if (w) return w;
      }
    }
  }
  return null;
}

export interface Proof extends SimulatedFix {
  /** A flow the fix would admit besides this one (when it opens more). */
  witness?: Flow;
}

/**
 * Applies the actions, evaluates the layers they change, and checks narrowness. `decision` is the decision
 * of the changed layers for the flow (every one must admit it); `rejected` says why a fix is withheld.
 */
export function proveFix(snapshot: CloudSnapshot, flow: Flow, actions: readonly CloudAction[]): Proof {
  // Several checks propose the same fix: prove it once per snapshot (the key includes a content fingerprint).
  const key = JSON.stringify([flow, actions, snapshot.securityGroups.map((g) => g.rules.length), snapshot.networkAcls.map((x) => [x.ingress.length, x.egress.length]), snapshot.instance?.status]);
  let memo = PROOFS.get(snapshot);
  if (!memo) PROOFS.set(snapshot, (memo = new Map()));
  const hit = memo.get(key);
  if (hit) return hit;
  const proof = prove(snapshot, flow, actions);
  memo.set(key, proof);
  return proof;
}

const PROOFS = new WeakMap<CloudSnapshot, Map<string, Proof>>();

/** Only accept rules that match exactly the flow are added (nothing removed or edited): nothing else can change. */
const onlyNarrowAdds = (actions: readonly CloudAction[]): boolean => actions.every((a) => a.api === 'AuthorizeSecurityGroup' || a.api === 'AuthorizeSecurityGroupEgress');

/** The proof without the memo (for measuring its cost). */
export function prove(snapshot: CloudSnapshot, flow: Flow, actions: readonly CloudAction[]): Proof {
  let after: CloudSnapshot;
  try {
    after = applyActions(snapshot, actions);
  } catch (e) {
    if (!(e instanceof Unsimulatable)) throw e;
    return { decision: 'unknown', rejected: L(`无法在配置上模拟这个改动（${e.message}）`, `the change cannot be simulated on the configuration (${e.message})`) };
  }
  const layers = layersOf(actions);
  const decisions = layers.map((l) => ({ l, d: layerDecision(l, after, flow) }));
  const denied = decisions.find((x) => x.d === 'deny');
  const decision = denied ? 'deny' : decisions.length && decisions.every((x) => x.d === 'allow') ? 'allow' : 'unknown';
  if (decision !== 'allow') {
    const x = denied ?? decisions.find((y) => y.d !== 'allow');
    const w = x ? LAYER_WORDS[x.l] : { zh: '配置', en: 'the configuration' };
    return {
      decision,
      rejected:
        decision === 'deny'
          ? L(`模拟应用后，${w.zh}仍然不放行 ${describeFlow(flow)}`, `after the change, ${w.en} would still not admit ${describeFlow(flow)}`)
          : L(`模拟应用后，${w.zh}是否放行 ${describeFlow(flow)} 仍无法判断`, `after the change, whether ${w.en} would admit ${describeFlow(flow)} still cannot be told`),
    };
  }
  const structural = structuralWidening(snapshot, flow, actions);
  if (structural) return { decision, rejected: structural };
  // Added accept rules that passed the structural check match this flow only; anything else (a removed or
  // edited rule, a joined group) is tested at the boundaries of what it touches.
  if (layers.includes('security-group') && !onlyNarrowAdds(actions)) {
    let w: Flow | null;
    try {
      w = sgWidening(snapshot, after, flow);
    } catch (e) {
      if (!(e instanceof OutOfBudget)) throw e;
      return { decision, rejected: L('没能在限定时间内证明它不会放行其他连接（规则太多）；请改用只放行你这一个连接的新规则', 'it could not be proven within the time limit that it admits nothing else (too many rules); use the new rule that admits only your connection') };
    }
    if (w) return { decision, witness: w, rejected: L(`它还会放行其他连接，例如 ${describeFlow(w)}：不只是你的这一个连接`, `it would also admit other connections, e.g. ${describeFlow(w)}: more than your one connection`) };
  }
  return { decision };
}

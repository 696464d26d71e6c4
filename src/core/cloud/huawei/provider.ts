// The Huawei Cloud provider behind the port (src/core/cloud/provider.ts): it adapts the snapshot's native Huawei
// data (CloudSnapshot.providerData, validated here) to the pure Huawei evaluators and returns the common
// Evaluation / AclEvaluation, so checks, verdict, report and JSON output keep one shape for every cloud.
//
// Semantics encoded (and where they are documented — see the sources cited in securityGroups.ts, firewall.ts,
// path.ts and carrierPorts.ts):
// - security groups: priority 1..100, lower first; deny before allow at equal priority; groups on a port are
//   matched one after another in their order on the port (VPC user guide, "访问控制概述"/"规则生效顺序");
// - network ACL (v3 firewall): matched before the security groups, rules in order, first match, disabled rules
//   skipped, default deny once a subnet is associated, traffic inside a subnet not filtered, and STATEFUL
//   ("Network ACLs are stateful… responses to allowed inbound traffic are allowed to flow out, regardless of
//   outbound rules", VPC product description): the return path is allowed by state, so the evaluation says so
//   (explanation 'stateful') and no "return rule missing" finding can appear.
import { L } from '../../i18n';
import { fail, type Result } from '../../result';
import { parseIp } from '../../rules/cidr';
import { resolveInterface } from '../../rules/interfaces';
import type { AclEvaluation, Evaluation, EvaluationNote, Flow } from '../../rules/types';
import { isRegionId } from '../ids';
import type { CloudSnapshot } from '../model';
import type { CloudProvider, ConsoleLinks, ProviderSemantics } from '../provider';
import { huaweiAccounts } from './accounts';
import { hcloudOfflineCommands } from './offline';
import { huaweiApply } from './apply';
import type { HuaweiSecurityGroup } from './types';
import { CARRIER_BLOCKED_TCP } from './carrierPorts';
import { aclForSubnet, evaluatorFirewall, evaluatorGroups, huaweiProviderData, type HuaweiProviderData } from './map';
import { evaluateHuaweiFirewall } from './firewall';
import { huaweiFixes } from './fixes';
import { importHuaweiSnapshot, recognisesHuaweiDocument } from './import';
import { huaweiPolicy } from './policy';
import { readHuaweiSnapshot } from './read';
import { loadHuaweiSdk } from './sdk';
import { evaluateHuaweiSecurityGroups } from './securityGroups';

export const HUAWEI_SEMANTICS: ProviderSemantics = {
  aclStateful: true,
  priority: { min: 1, max: 100, lowerFirst: true },
  carrierBlockedTcpPorts: CARRIER_BLOCKED_TCP,
  // "目前仅华北-北京一的TCP 25端口出方向默认被封禁，其他区域TCP 25端口不会封禁" (ECS FAQ, 安全类:
  // "为什么弹性云服务器无法使用TCP 25端口发送邮件"): cn-north-1 only.
  outboundTcp25Blocked: ['cn-north-1'],
  // Huawei Cloud's filing service (备案) is at beian.huaweicloud.com; its Hong Kong region is ap-southeast-1.
  icpFiling: { console: 'https://beian.huaweicloud.com/', regionsOutsideMainland: L('中国-香港 ap-southeast-1、亚太-新加坡 ap-southeast-3', 'Hong Kong ap-southeast-1, Singapore ap-southeast-3') },
  // A denied packet is discarded without an answer, as on Alibaba Cloud (seed 004: "timeout", never "refused").
  groupsDropSilently: true,
  // One kind of security group, VPC networks only: no enterprise defaults, no classic-network NIC types.
  enterpriseGroups: false,
  classicNetwork: false,
  // Huawei's per-port group and rule quotas depend on the account's quota settings: not built in (not compared).
  interfaceQuota: null,
};

// Console deep links. Forms seen in use: the VPC console's security-group detail
// "https://console.huaweicloud.com/vpc/?region=<region>#/secGroups/detail/<id>" and the ECS list
// "https://console.huaweicloud.com/ecm/?region=<region>#/ecs/manager/vmList". No stable deep link to one
// network ACL was found in Huawei's pages, so the ACL link opens the VPC console of the region (the fix text
// names the path: 访问控制 > 网络ACL, and the ACL id).
const CONSOLE = 'https://console.huaweicloud.com';
const region = (r: string | null): string | null => (r && isRegionId(r) ? r : null);

export const HUAWEI_CONSOLE: ConsoleLinks = {
  hosts: ['console.huaweicloud.com'],
  securityGroup(r, groupId) {
    const reg = region(r);
    if (!reg) return null;
    return groupId ? `${CONSOLE}/vpc/?region=${reg}#/secGroups/detail/${encodeURIComponent(groupId)}` : `${CONSOLE}/vpc/?region=${reg}#/secGroups`;
  },
  instance(r) {
    const reg = region(r);
    return reg ? `${CONSOLE}/ecm/?region=${reg}#/ecs/manager/vmList` : null;
  },
  networkAcl(r) {
    const reg = region(r);
    return reg ? `${CONSOLE}/vpc/?region=${reg}` : null;
  },
};

// ---- evaluation adapters ----------------------------------------------------------------------------------

const norm = (ip: string | null | undefined): string | null => (ip ? (parseIp(ip)?.text ?? null) : null);

type DataPort = HuaweiProviderData['ports'][number];

interface PortChoice {
  port: DataPort | null;
  /** Security-group ids on the path, in the order they are matched. */
  groupIds: string[];
  /** Did the address belong to the server? */
  matched: boolean;
  /** The port's fixed address the network ACL sees (an EIP is translated before the subnet). */
  localIp?: string;
  subnetId?: string;
}

/**
 * Which port of the server an address reaches (its fixed address, or an EIP bound to it), and so which groups
 * and which subnet's ACL apply. The neutral interface resolution (EIPs, floating addresses) picks the port.
 */
function choosePort(snapshot: CloudSnapshot, data: HuaweiProviderData, localText: string): PortChoice {
  const ip = norm(localText);
  const choice = resolveInterface(snapshot, localText);
  const port = (choice.eni ? data.ports.find((p) => p.id === choice.eni!.id) : undefined) ?? (data.ports.find((p) => p.primary) ?? null);
  const matched = choice.matched || !snapshot.instance;
  if (!port) return { port: null, groupIds: choice.groupIds.length ? choice.groupIds : (snapshot.instance?.securityGroupIds ?? []), matched };
  const fixed = port.fixedIps.map(norm).filter((x): x is string => !!x);
  const localIp = ip && fixed.includes(ip) ? ip : (fixed.find((x) => parseIp(x)?.family === 4) ?? fixed[0]);
  return { port, groupIds: port.securityGroupIds, matched, ...(localIp ? { localIp } : {}), ...(port.subnetId ? { subnetId: port.subnetId } : {}) };
}

const unknownEval = (explanation: string, considered: string[], notes: EvaluationNote[] = []): Evaluation => ({ decision: 'unknown', decidedBy: null, nearMisses: [], considered, explanation, notes });

/**
 * The validated provider data and the evaluator's groups per port order, memoised per providerData object: many
 * flows are evaluated against one snapshot (every source of an unknown client, every port), and validating and
 * compiling thousands of rules each time would dominate. A changed snapshot (the fix simulation) is a new object.
 */
interface Prepared {
  data: HuaweiProviderData;
  groupsByOrder: Map<string, HuaweiSecurityGroup[]>;
}
const prepared = new WeakMap<object, Prepared>();

function prepare(snapshot: CloudSnapshot): Prepared | null {
  const raw = snapshot.providerData;
  const key = typeof raw === 'object' && raw !== null ? raw : null;
  const hit = key ? prepared.get(key) : undefined;
  if (hit) return hit;
  const data = huaweiProviderData(snapshot);
  if (!data) return null;
  const p: Prepared = { data, groupsByOrder: new Map() };
  if (key) prepared.set(key, p);
  return p;
}

/** The read groups of a port, in the port's order (the same array for the same order: the evaluator memoises on it). */
function groupsInOrder(p: Prepared, ids: string[]): HuaweiSecurityGroup[] {
  const k = JSON.stringify(ids);
  let g = p.groupsByOrder.get(k);
  if (!g) {
    // The primary port's groups and those only other ports use (map.ts keeps both).
    const byId = new Map([...evaluatorGroups(p.data), ...p.data.otherGroups.map((x) => ({ id: x.id, security_group_rules: x.security_group_rules as HuaweiSecurityGroup['security_group_rules'] }))].map((x) => [x.id, x]));
    g = ids.filter((id) => byId.has(id)).map((id) => byId.get(id)!);
    p.groupsByOrder.set(k, g);
  }
  return g;
}

function dataOf(snapshot: CloudSnapshot): { ok: true; value: HuaweiProviderData; prepared: Prepared } | { ok: false; evaluation: Evaluation } {
  const p = prepare(snapshot);
  const d = p?.data;
  if (d && p) return { ok: true, value: d, prepared: p };
  return { ok: false, evaluation: unknownEval('not-evaluated', [], [{ code: 'uncertain-field', detail: 'the Huawei Cloud data of this snapshot is missing or malformed, so its rules cannot be evaluated', values: {} }]) };
}

export function evaluateSecurityGroups(snapshot: CloudSnapshot, flow: Flow): Evaluation {
  const d = dataOf(snapshot);
  if (!d.ok) return d.evaluation;
  const data = d.value;
  const localText = flow.direction === 'ingress' ? flow.destinationIp : flow.sourceIp;
  const choice = choosePort(snapshot, data, localText);
  if (!choice.matched) return unknownEval('destination-not-on-instance', [], [{ code: 'destination-not-on-instance', detail: `${localText} is not an address of server ${snapshot.instance?.id ?? ''}`, values: { address: localText } }]);
  const known = groupsInOrder(d.prepared, choice.groupIds);
  const byId = new Set(known.map((g) => g.id));
  const missing = choice.groupIds.filter((id) => !byId.has(id));
  const flavour = data.server?.flavour ?? undefined;
  const ev = evaluateHuaweiSecurityGroups(known, flow, { ...(flavour ? { flavour } : {}), addressGroups: data.addressGroups });
  ev.considered = [...choice.groupIds];
  if (choice.port) ev.interfaceId = choice.port.id;
  if (missing.length) {
    // Groups are matched in their order on the port: a group whose rules were not read decides whatever comes
    // after it, so only a decision taken by an earlier group stands.
    const firstMissing = choice.groupIds.findIndex((id) => !byId.has(id));
    const decidedAt = ev.decidedBy?.kind === 'rule' ? choice.groupIds.indexOf(ev.decidedBy.containerId) : Infinity;
    const note: EvaluationNote = { code: 'group-missing', detail: `the rules of ${missing.join(', ')} on the port were not read`, values: { groupIds: missing.join(',') } };
    ev.notes = [...(ev.notes ?? []), note];
    if (decidedAt > firstMissing) return { ...ev, decision: 'unknown', explanation: 'group-missing' };
  }
  return ev;
}

export function evaluateNetworkAcl(snapshot: CloudSnapshot, flow: Flow): AclEvaluation {
  const d = dataOf(snapshot);
  if (!d.ok) return { present: false, aclId: null, inbound: d.evaluation, returnPath: d.evaluation, decision: 'unknown' };
  const data = d.value;
  const localText = flow.direction === 'ingress' ? flow.destinationIp : flow.sourceIp;
  const remoteText = flow.direction === 'ingress' ? flow.sourceIp : flow.destinationIp;
  const choice = choosePort(snapshot, data, localText);
  const unknownAcl = (explanation: string): AclEvaluation => {
    const ev = unknownEval(explanation, []);
    return { present: false, aclId: null, inbound: ev, returnPath: ev, decision: 'unknown' };
  };
  if (!choice.matched) return unknownAcl('destination-not-on-instance');
  // The ACL of the port's subnet and what its absence means: 'none' = the ACLs were read and none is associated
  // (nothing filters), 'unknown' = they could not be read. Data written before per-subnet ACLs carry only the
  // primary port's subnet (firewall / firewallState).
  const primary = data.ports.find((p) => p.primary);
  const state = !choice.subnetId
    ? { state: 'unknown' as const, firewall: null }
    : data.subnetAcls.length
      ? aclForSubnet(data, choice.subnetId)
      : primary?.subnetId === choice.subnetId
        ? { state: data.firewallState, firewall: evaluatorFirewall(data) }
        : { state: 'unknown' as const, firewall: null };
  if (state.state === 'unknown') return unknownAcl('acl-unknown');
  const fwHere = state.state === 'associated' ? state.firewall : null;
  const remote = norm(remoteText);
  // Traffic between two ports of the same subnet is not filtered by the subnet's ACL.
  const sameSubnet = !!remote && data.ports.some((p) => p.id !== choice.port?.id && p.subnetId === choice.subnetId && p.fixedIps.some((a) => norm(a) === remote));
  const ev = evaluateHuaweiFirewall(fwHere, flow, { ...(choice.subnetId ? { subnetId: choice.subnetId } : {}), ...(choice.localIp ? { localIp: choice.localIp } : {}), sameSubnet, addressGroups: data.addressGroups });
  if (choice.port) {
    ev.inbound.interfaceId = choice.port.id;
    ev.returnPath.interfaceId = choice.port.id;
  }
  return ev;
}

// ---- the provider -----------------------------------------------------------------------------------------

export const huaweiProvider: CloudProvider = {
  id: 'huawei',
  name: L('华为云', 'Huawei Cloud'),
  semantics: HUAWEI_SEMANTICS,
  console: HUAWEI_CONSOLE,
  accounts: huaweiAccounts,
  offlineCommands: hcloudOfflineCommands,
  async prepare() {
    await loadHuaweiSdk();
  },
  read(args) {
    return readHuaweiSnapshot({
      ...(args.instanceId ? { instanceId: args.instanceId } : {}),
      ...(args.address ? { address: args.address } : {}),
      ...(args.region ? { region: args.region } : {}),
      ...(args.profile ? { profile: args.profile } : {}),
      ...(args.signal ? { signal: args.signal } : {}),
      ...(args.env ? { env: args.env } : {}),
      ...(args.credentials ? { credentials: { ...args.credentials } } : {}),
    });
  },
  recognises: recognisesHuaweiDocument,
  importSnapshot(inputs, selection): Result<CloudSnapshot> {
    if (!inputs.length) return fail('EmptyInput', 'nothing to import');
    return importHuaweiSnapshot(inputs, selection ?? {});
  },
  evaluateSecurityGroups,
  evaluateNetworkAcl,
  // Called, not referenced: fixes.ts imports this module's evaluators and console links (a load-time cycle).
  renderFixes: (intent, ctx) => huaweiFixes(intent, ctx),
  policy: huaweiPolicy,
  // Guarded apply with undo (apply.ts): the five fix APIs of fixes.ts, each recorded with what puts it back.
  apply: huaweiApply,
};

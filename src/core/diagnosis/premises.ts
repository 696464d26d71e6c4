// Premises of inferred findings. Some checks conclude from the absence of something ("every cloud layer
// allows, yet it times out, so the OS firewall drops it"). Such an inference is only as good as each of its
// premises: it may fail a check only when every premise is positively true; when one is false the
// inference does not apply, and when one is unknown the check is `unknown` and says which premise was
// missing. The premises are written once here and reused by the checks and the verdict, and they are
// quoted in the check's evidence so a user can see what the conclusion rests on.
import { L } from '../i18n';
import { readTrace } from './checks/path';
import { cloudUnknown, FALLBACK_CARRIER_BLOCKED_TCP, instanceEip, isLocalBlock, type FactsView } from './facts';
import type { EvidenceRef, Localized } from './types';

export type PremiseState = 'true' | 'false' | 'unknown';

export interface Premise {
  id: PremiseId;
  state: PremiseState;
  /** What the premise says, with this run's values (true or not). */
  text: Localized;
}

export const PREMISE = {
  addressIsInstance: 'address-is-instance',
  instanceRunning: 'instance-running',
  publicPath: 'public-path',
  aclAllows: 'acl-allows',
  sgAllows: 'sg-allows',
  portNotCarrierBlocked: 'port-not-carrier-blocked',
  clientNetworkLetsPortOut: 'client-network-lets-port-out',
  silentTimeout: 'silent-timeout',
  refusedByTarget: 'refused-by-target',
  rejectFromTarget: 'reject-from-target',
  controlConfirmsOwnNetworkBlock: 'control-confirms-own-network-block',
} as const;
export type PremiseId = (typeof PREMISE)[keyof typeof PREMISE];

const p = (id: PremiseId, state: PremiseState, zh: string, en: string): Premise => ({ id, state, text: L(zh, en) });

/**
 * The common fallback list, kept exported for callers that have no facts view; the premise below takes the
 * provider's own list from its semantics (`v.carrierBlockedTcp`).
 */
export const CARRIER_BLOCKED_TCP: ReadonlySet<number> = new Set(FALLBACK_CARRIER_BLOCKED_TCP);

/** Is the probed address an address of the instance the configuration describes? */
export function addressIsInstance(v: FactsView): Premise {
  const addr = v.probedAddress;
  if (!v.snapshot || !v.instance) return p(PREMISE.addressIsInstance, 'unknown', '云端配置没有描述目标实例', 'the cloud configuration does not describe the target instance');
  if (!addr) return p(PREMISE.addressIsInstance, 'unknown', '没有探测到地址', 'no address was probed');
  const all = [...v.publicAddresses, ...v.privateAddresses];
  if (!v.publicAddresses.length && !v.privateAddresses.includes(addr)) {
    // An instance without any public address cannot own a public address: what the user probed can only
    // be meant as it, and "no public address" is then the finding, not a mismatch.
    return p(PREMISE.addressIsInstance, 'unknown', `实例 ${v.instance.id} 没有公网地址,${addr} 不可能是它的`, `instance ${v.instance.id} has no public address, so ${addr} cannot be its own`);
  }
  if (all.includes(addr)) return p(PREMISE.addressIsInstance, 'true', `${addr} 是实例 ${v.instance.id} 的地址`, `${addr} is an address of ${v.instance.id}`);
  return p(
    PREMISE.addressIsInstance,
    'false',
    `${addr} 不是实例 ${v.instance.id} 的地址（配置描述的地址：${all.join('、') || '无'}）`,
    `${addr} is not an address of ${v.instance.id} (the configuration describes: ${all.join(', ') || 'none'})`,
  );
}

export function instanceRunning(v: FactsView): Premise {
  const inst = v.instance;
  if (!inst) return p(PREMISE.instanceRunning, 'unknown', '实例状态未知', 'the instance state is unknown');
  const locks = inst.operationLocks.filter((l) => l === 'financial' || l === 'security' || l === 'frozen');
  if (inst.status === 'Running' && !locks.length) return p(PREMISE.instanceRunning, 'true', `实例 ${inst.id} 运行中`, `instance ${inst.id} is Running`);
  return p(PREMISE.instanceRunning, 'false', `实例 ${inst.id} 状态 ${inst.status}${locks.length ? `，锁定：${locks.join('、')}` : ''}`, `instance ${inst.id} is ${inst.status}${locks.length ? `, locked: ${locks.join(', ')}` : ''}`);
}

/** A public address that forwards: an address at all, an EIP bound here and not locked, bandwidth above 0. */
export function publicPath(v: FactsView): Premise {
  const inst = v.instance;
  if (!v.snapshot || !inst) return p(PREMISE.publicPath, 'unknown', '公网入口未知（没有云端配置）', 'the public path is unknown (no cloud configuration)');
  if (v.probedAddress !== null && v.privateAddresses.includes(v.probedAddress)) return p(PREMISE.publicPath, 'true', '走内网地址，不经过公网入口', 'private address: no public path involved');
  if (!v.publicAddresses.length) return p(PREMISE.publicPath, 'false', '实例没有公网地址', 'the instance has no public address');
  const eip = instanceEip(v.snapshot);
  const probedEip = v.probedAddress ? v.snapshot.eips.find((e) => e.ipAddress === v.probedAddress) : undefined;
  const e = probedEip ?? eip;
  if (e) {
    const mine = e.instanceId === inst.id || v.snapshot.interfaces.some((i) => i.id === e.instanceId);
    if (e.status !== 'InUse' || !mine) return p(PREMISE.publicPath, 'false', `EIP ${e.ipAddress} 没有绑定在本实例（${e.status}）`, `EIP ${e.ipAddress} is not bound to this instance (${e.status})`);
    if (e.businessStatus === 'FinancialLocked') return p(PREMISE.publicPath, 'false', `EIP ${e.ipAddress} 因欠费被锁定`, `EIP ${e.ipAddress} is locked for an overdue payment`);
    if (e.businessStatus === 'SecurityProtected') return p(PREMISE.publicPath, 'unknown', `EIP ${e.ipAddress} 处于安全保护（可能被黑洞）`, `EIP ${e.ipAddress} is security-protected (possibly black-holed)`);
    if (e.bandwidthMbps <= 0) return p(PREMISE.publicPath, 'false', `EIP ${e.ipAddress} 带宽为 0`, `EIP ${e.ipAddress} has 0 Mbps`);
    return p(PREMISE.publicPath, 'true', `EIP ${e.ipAddress} 已绑定、状态正常、带宽 ${e.bandwidthMbps} Mbps`, `EIP ${e.ipAddress} is bound, in good standing, ${e.bandwidthMbps} Mbps`);
  }
  if (inst.eipAddress && !inst.publicIp) {
    if (cloudUnknown(v, 'eips')) return p(PREMISE.publicPath, 'unknown', `EIP ${inst.eipAddress} 的状态没有读到`, `the state of EIP ${inst.eipAddress} was not read`);
    return p(PREMISE.publicPath, 'true', `实例绑定了 EIP ${inst.eipAddress}`, `EIP ${inst.eipAddress} is bound to the instance`);
  }
  if (inst.internetMaxBandwidthOut <= 0) return p(PREMISE.publicPath, 'false', '公网出带宽为 0 Mbps', 'public outbound bandwidth is 0 Mbps');
  return p(PREMISE.publicPath, 'true', `公网 IP，出带宽 ${inst.internetMaxBandwidthOut} Mbps`, `public IP with ${inst.internetMaxBandwidthOut} Mbps out`);
}

export function aclAllows(v: FactsView): Premise {
  if (!v.snapshot || !v.instance) return p(PREMISE.aclAllows, 'unknown', '网络 ACL 未知（没有云端配置）', 'the network ACL is unknown (no cloud configuration)');
  if (cloudUnknown(v, 'networkAcls')) return p(PREMISE.aclAllows, 'unknown', '网络 ACL 没有读到', 'the network ACL was not read');
  const a = v.acl;
  if (!a) return p(PREMISE.aclAllows, 'unknown', '网络 ACL 没有评估', 'the network ACL was not evaluated');
  if (a.decision === 'deny' || a.returnPorts?.coverage === 'none') return p(PREMISE.aclAllows, 'false', `网络 ACL ${a.aclId ?? ''} 拦截`, `network ACL ${a.aclId ?? ''} blocks it`);
  if (a.decision === 'unknown') return p(PREMISE.aclAllows, 'unknown', '网络 ACL 无法判断', 'the network ACL could not be decided');
  return p(PREMISE.aclAllows, 'true', a.present ? `网络 ACL ${a.aclId ?? ''} 双向放行` : '交换机没有绑定网络 ACL', a.present ? `network ACL ${a.aclId ?? ''} allows both ways` : 'no network ACL on the vSwitch');
}

export function sgAllows(v: FactsView): Premise {
  if (!v.snapshot || !v.instance) return p(PREMISE.sgAllows, 'unknown', '安全组未知（没有云端配置）', 'the security groups are unknown (no cloud configuration)');
  const d = v.sg?.decision;
  if (d === 'allow') return p(PREMISE.sgAllows, 'true', '安全组放行', 'the security groups allow it');
  if (d === 'deny') return p(PREMISE.sgAllows, 'false', '安全组拒绝', 'the security groups deny it');
  const why = v.sg?.explanation;
  if (v.facts.cloud?.sourceIpOrigin === 'none') return p(PREMISE.sgAllows, 'unknown', '安全组无法判断：不知道你的公网 IP', 'the security groups cannot be decided: your public IP is unknown');
  if (why === 'uncertain-field') return p(PREMISE.sgAllows, 'unknown', '安全组无法判断：有规则的字段无法评估', 'the security groups cannot be decided: a rule has a field that cannot be evaluated');
  if (why === 'uncertain-peer' || why === 'uncertain-membership') return p(PREMISE.sgAllows, 'unknown', '安全组无法判断：有规则引用的安全组或前缀列表看不到成员', 'the security groups cannot be decided: a rule refers to a group or prefix list whose members cannot be seen');
  if (why === 'group-missing') return p(PREMISE.sgAllows, 'unknown', '安全组无法判断：有安全组的规则没有读到', 'the security groups cannot be decided: a group’s rules were not read');
  return p(PREMISE.sgAllows, 'unknown', '安全组无法判断', 'the security groups could not be decided');
}

export function portNotCarrierBlocked(v: FactsView): Premise {
  const priv = v.probedAddress !== null && v.privateAddresses.includes(v.probedAddress);
  if (v.protocol === 'tcp' && v.carrierBlockedTcp.has(v.port) && !priv) {
    return p(PREMISE.portNotCarrierBlocked, 'unknown', `${v.port} 是常被运营商封堵的高危端口，无法排除运营商拦截`, `${v.port} is a high-risk port carriers often block; a carrier block cannot be ruled out`);
  }
  return p(PREMISE.portNotCarrierBlocked, 'true', `${v.port} 不是常被封堵的端口`, `${v.port} is not a port carriers usually block`);
}

export function clientNetworkLetsPortOut(v: FactsView): Premise {
  const same = v.controlSamePort.filter((c) => c.errno !== 'ENOTFOUND');
  if (same.some((c) => c.state === 'open')) return p(PREMISE.clientNetworkLetsPortOut, 'true', `对照主机同端口可达（${same.filter((c) => c.state === 'open').map((c) => `${c.host}:${c.port}`).join('、')}）`, `a control host answers on the same port (${same.filter((c) => c.state === 'open').map((c) => `${c.host}:${c.port}`).join(', ')})`);
  if (same.length) return p(PREMISE.clientNetworkLetsPortOut, 'false', '对照主机同端口也连不上', 'the control host fails on the same port too');
  // A TCP SYN trace to this very port that a hop beyond the user's own network answered: the SYNs got out.
  const t = readTrace(v);
  if (t?.sameProtocol && t.boundaryKnown && (t.summary.stoppedIn === 'beyond' || t.summary.stoppedIn === 'target') && t.summary.lastAnswering) {
    const h = t.summary.lastAnswering;
    return p(PREMISE.clientNetworkLetsPortOut, 'true', `路径追踪中发往 ${v.port} 端口的 TCP SYN 走出了你的网络（${h.address} 在第 ${h.ttl} 跳回应）`, `TCP SYNs to port ${v.port} of the path trace got out of your network (${h.address} answered at hop ${h.ttl})`);
  }
  if (t?.sameProtocol && t.boundaryKnown && t.summary.stoppedIn === 'own-network') {
    return p(PREMISE.clientNetworkLetsPortOut, 'false', `路径追踪中发往 ${v.port} 端口的 TCP SYN 停在你自己的网络里`, `TCP SYNs to port ${v.port} of the path trace stop inside your own network`);
  }
  return p(PREMISE.clientNetworkLetsPortOut, 'unknown', '没有同端口的对照探测，无法排除你这一侧的网络封了该端口', 'no control probe on the same port: a block on your side cannot be ruled out');
}

/**
 * A TCP SYN trace that stops inside the user's own network is confirmed by the control probe: a known-good
 * host fails on the same port too. Without a control probe it stays unknown: routers beyond the user's
 * network may simply not answer a trace.
 */
export function controlConfirmsOwnNetworkBlock(v: FactsView): Premise {
  const same = v.controlSamePort.filter((c) => c.errno !== 'ENOTFOUND');
  if (same.some((c) => c.state === 'open')) return p(PREMISE.controlConfirmsOwnNetworkBlock, 'false', '对照主机同端口可达', 'a control host answers on the same port');
  if (same.length) return p(PREMISE.controlConfirmsOwnNetworkBlock, 'true', '对照主机同端口也连不上', 'the control host fails on the same port too');
  return p(PREMISE.controlConfirmsOwnNetworkBlock, 'unknown', '没有同端口的对照探测来印证（你的网络之外的路由器也可能只是不回应追踪）', 'no same-port control probe confirms it (routers beyond your network may also simply not answer a trace)');
}

export function silentTimeout(v: FactsView): Premise {
  const t = v.tcp;
  if (!t) return p(PREMISE.silentTimeout, 'unknown', '没有 TCP 探测', 'no TCP probe');
  if (t.state === 'filtered' && t.reason === 'no-response') return p(PREMISE.silentTimeout, 'true', `TCP ${t.address}:${t.port} 超时（静默丢弃）`, `TCP ${t.address}:${t.port} timed out (silent drop)`);
  return p(PREMISE.silentTimeout, 'false', `TCP ${t.address}:${t.port} 不是超时（${t.state}）`, `TCP ${t.address}:${t.port} did not time out (${t.state})`);
}

export function refusedByTarget(v: FactsView): Premise {
  const t = v.tcp;
  if (!t) return p(PREMISE.refusedByTarget, 'unknown', '没有 TCP 探测', 'no TCP probe');
  if (t.state !== 'closed' || t.reason !== 'conn-refused') return p(PREMISE.refusedByTarget, 'false', `TCP ${t.address}:${t.port} 没有被拒绝（${t.state}）`, `TCP ${t.address}:${t.port} was not refused (${t.state})`);
  return p(PREMISE.refusedByTarget, 'true', `TCP ${t.address}:${t.port} 收到 RST（连接被拒绝）`, `TCP ${t.address}:${t.port} got a RST (connection refused)`);
}

/** An ICMP reject (host-prohibited / admin-prohibited) that did not come from the client itself or from a device on the way. */
export function rejectFromTarget(v: FactsView): Premise {
  const t = v.tcp;
  if (!t) return p(PREMISE.rejectFromTarget, 'unknown', '没有 TCP 探测', 'no TCP probe');
  const reject = t.reason === 'host-unreach' || (t.reason === 'admin-prohibited' && !isLocalBlock(t));
  if (!reject) return p(PREMISE.rejectFromTarget, 'false', `TCP ${t.address}:${t.port} 没有收到 ICMP 拒绝`, `TCP ${t.address}:${t.port} got no ICMP reject`);
  const from = v.facts.probes?.icmp?.unreachable?.from;
  if (from && from !== t.address) return p(PREMISE.rejectFromTarget, 'false', `ICMP 拒绝来自途中的 ${from}，不是目标`, `the ICMP reject came from ${from} on the way, not from the target`);
  return p(PREMISE.rejectFromTarget, 'true', `TCP ${t.address}:${t.port} 收到 ICMP 拒绝（${t.reason}）`, `TCP ${t.address}:${t.port} got an ICMP reject (${t.reason})`);
}

/** Every cloud layer between the Internet and the instance's OS, in the order packets meet them. */
export const cloudPremises = (v: FactsView): Premise[] => [addressIsInstance(v), instanceRunning(v), publicPath(v), aclAllows(v), sgAllows(v)];

/** Everything that must hold for a silent timeout to point at the instance's own firewall. */
export const silentDropAtHostPremises = (v: FactsView): Premise[] => [silentTimeout(v), ...cloudPremises(v), portNotCarrierBlocked(v), clientNetworkLetsPortOut(v)];

export interface PremiseSummary {
  state: PremiseState;
  premises: Premise[];
  /** Premises that only need not to be false (an unknown one does not weaken the inference). */
  tolerated: ReadonlySet<PremiseId>;
  /** First premise that is false, else the first unknown. */
  weakest: Premise | null;
}

/**
 * All true → true; any false → false; else unknown. `notContradicted` premises only need not to be false:
 * an unknown one does not weaken the inference (e.g. without cloud data a RST still shows a host answered).
 */
export function combine(required: Premise[], notContradicted: Premise[] = []): PremiseSummary {
  const premises = [...required, ...notContradicted];
  const tolerated = new Set(notContradicted.map((x) => x.id));
  const f = premises.find((x) => x.state === 'false');
  if (f) return { state: 'false', premises, tolerated, weakest: f };
  const u = required.find((x) => x.state === 'unknown');
  if (u) return { state: 'unknown', premises, tolerated, weakest: u };
  return { state: 'true', premises, tolerated, weakest: null };
}

const MARK: Record<PremiseState, string> = { true: '✓', false: '✗', unknown: '?' };
/** Marks an unknown premise that the inference tolerates: not known, and nothing contradicts it. */
export const TOLERATED_MARK = '·';

/**
 * The premises quoted as evidence of an inference (so the evidence panel shows what it rests on):
 * ✓ established, ✗ false, ? unknown and needed, · unknown but not needed (nothing contradicts it).
 */
export function premiseEvidence(premises: Premise[] | PremiseSummary): EvidenceRef[] {
  const list = Array.isArray(premises) ? premises : premises.premises;
  const tolerated = Array.isArray(premises) ? new Set<PremiseId>() : premises.tolerated;
  return list.map((x) => ({ source: 'rules', path: `/premises/${x.id}`, summary: `${x.state === 'unknown' && tolerated.has(x.id) ? TOLERATED_MARK : MARK[x.state]} ${x.text.en}` }));
}

// What the checklist and the verdict reason from: the probes, the cloud analysis and the server's own
// evidence, each possibly absent. `view()` derives the handful of values every check needs (which TCP
// fact is "the" answer, the instance's addresses, the client's egress IP) once, purely.
import type { CloudSnapshot, Eip, Instance } from '../cloud/model';
import type { ProviderSemantics } from '../cloud/provider';
import type { ControlProbeFact, ProbeReport, TcpPortFact } from '../probe/types';
import type { TraceFact } from '../probe/trace/types';
import { addressScope, parseIp } from '../rules/cidr';
import type { AclEvaluation, Evaluation, Flow } from '../rules/types';
import type { DiagnosisCloud, DiagnosisTarget, ServerEvidence } from './types';

export interface DiagnosisFacts {
  target: DiagnosisTarget;
  /** null: no probe was run (offline analysis) or it failed before producing facts. */
  probes: ProbeReport | null;
  /** null or mode 'none': no cloud data. */
  cloud: DiagnosisCloud | null;
  server: ServerEvidence | null;
  /**
   * The cloud's published semantics (carrier-blocked ports, …), handed in by the composition root for the
   * provider of the run. Absent in facts built without one: the checks then use the common fallbacks.
   */
  semantics?: ProviderSemantics;
  /** The path trace, when one was asked for (absent: not asked; it may still have failed: see TraceFact.error). */
  trace?: TraceFact | null;
}

export interface FactsView {
  facts: DiagnosisFacts;
  port: number;
  protocol: 'tcp' | 'udp';
  /** The TCP fact that answers the question (instance address preferred), and its index in probes.tcp. */
  tcp: TcpPortFact | null;
  tcpIndex: number;
  /** Every TCP fact for the target port (several addresses of a name). */
  tcpAll: { fact: TcpPortFact; index: number }[];
  snapshot: CloudSnapshot | null;
  instance: Instance | null;
  /** Public addresses of the instance (public IP, EIP, ENI public IPs). */
  publicAddresses: string[];
  /** Private addresses of the instance. */
  privateAddresses: string[];
  flow: Flow | null;
  sg: Evaluation | null;
  acl: AclEvaluation | null;
  icmpSg: Evaluation | null;
  /** The client's public egress IP, when the echo services answered. */
  egressIp: string | null;
  /** The address the probes reached (what the cloud evaluation used as destination). */
  probedAddress: string | null;
  region: string | null;
  /** Control probes on the target port, and on any port. */
  controlSamePort: ControlProbeFact[];
  controlAll: ControlProbeFact[];
  /**
   * Why `instance` is what it is: found; not among the instances the account / documents describe; or
   * unknown because reading failed (no credentials, a denied or failed call) — never a "not found".
   */
  instanceLookup: 'found' | 'not-found' | 'read-failed' | 'no-cloud';
  /** Is the cloud half present (a snapshot with an instance)? */
  hasCloud: boolean;
  hasProbes: boolean;
  hasServer: boolean;
  /** TCP ports carriers are documented to block: the provider's list, else the common fallback. */
  carrierBlockedTcp: ReadonlySet<number>;
  /** The path trace, when one ran. */
  trace: TraceFact | null;
  /** The run's cloud semantics (handed in by the composition root); null for facts built without a provider. */
  semantics: ProviderSemantics | null;
}

/**
 * Used only when the facts name no provider semantics (facts built by hand): the worm-era ports both clouds'
 * users meet on Chinese carriers. Each provider publishes its own list in `semantics.carrierBlockedTcpPorts`.
 */
export const FALLBACK_CARRIER_BLOCKED_TCP: readonly number[] = [42, 135, 137, 138, 139, 444, 445, 593, 1025, 1068, 1433, 1434, 3127, 3128, 3129, 3130, 4444, 4789, 4790, 5554, 5800, 5900, 8998, 9995, 9996];

const norm = (ip: string | undefined | null): string | null => (ip ? (parseIp(ip)?.text ?? null) : null);

export function instanceAddresses(snapshot: CloudSnapshot | null): { publicAddresses: string[]; privateAddresses: string[] } {
  const pub = new Set<string>();
  const priv = new Set<string>();
  const inst = snapshot?.instance;
  if (snapshot && inst) {
    for (const a of [inst.publicIp, inst.eipAddress]) if (norm(a)) pub.add(norm(a)!);
    for (const e of snapshot.interfaces) {
      if (norm(e.publicIp)) pub.add(norm(e.publicIp)!);
      for (const p of e.privateIps) if (norm(p)) priv.add(norm(p)!);
    }
    for (const e of snapshot.eips) if (e.instanceId && (e.instanceId === inst.id || snapshot.interfaces.some((i) => i.id === e.instanceId)) && norm(e.ipAddress)) pub.add(norm(e.ipAddress)!);
    for (const p of inst.privateIps) if (norm(p)) priv.add(norm(p)!);
  }
  return { publicAddresses: [...pub], privateAddresses: [...priv] };
}

/** The EIP record of the instance, if any. */
export function instanceEip(snapshot: CloudSnapshot | null): Eip | null {
  const inst = snapshot?.instance;
  if (!snapshot || !inst) return null;
  return (
    snapshot.eips.find((e) => e.allocationId === inst.eipAllocationId) ??
    snapshot.eips.find((e) => norm(e.ipAddress) !== null && norm(e.ipAddress) === norm(inst.eipAddress)) ??
    snapshot.eips.find((e) => e.instanceId === inst.id) ??
    null
  );
}

export const isFailedConnect = (f: { state: string }): boolean => f.state !== 'open';
export const isLoopback = (addr: string): boolean => {
  const p = parseIp(addr);
  return p !== null && addressScope(p) === 'loopback';
};
export const isPublicAddress = (addr: string): boolean => {
  const p = parseIp(addr);
  return p !== null && addressScope(p) === 'public';
};

export function view(facts: DiagnosisFacts): FactsView {
  const { target, probes } = facts;
  const cloud = facts.cloud && facts.cloud.mode !== 'none' ? facts.cloud : null;
  const snapshot = cloud?.snapshot ?? null;
  const instance = snapshot?.instance ?? null;
  const { publicAddresses, privateAddresses } = instanceAddresses(snapshot);
  const tcpAll = (probes?.tcp ?? []).map((fact, index) => ({ fact, index })).filter((x) => x.fact.port === target.port);
  const known = new Set([...publicAddresses, ...privateAddresses]);
  const flowDest = norm(cloud?.flow?.destinationIp);
  const pick =
    tcpAll.find((x) => flowDest !== null && norm(x.fact.address) === flowDest) ??
    tcpAll.find((x) => known.has(norm(x.fact.address) ?? '')) ??
    tcpAll.find((x) => x.fact.state === 'open') ??
    tcpAll[0] ??
    null;
  const control = probes?.client.control ?? [];
  return {
    facts,
    port: target.port,
    protocol: target.protocol,
    tcp: pick?.fact ?? null,
    tcpIndex: pick?.index ?? -1,
    tcpAll,
    snapshot,
    instance,
    publicAddresses,
    privateAddresses,
    flow: cloud?.flow ?? null,
    sg: cloud?.securityGroups ?? null,
    acl: cloud?.networkAcl ?? null,
    icmpSg: cloud?.icmp ?? null,
    egressIp: norm(probes?.client.egressIp?.address) ?? null,
    probedAddress: pick?.fact.address ?? probes?.target.addresses[0] ?? null,
    region: instance?.region ?? snapshot?.region ?? null,
    controlSamePort: control.filter((c) => c.port === target.port),
    controlAll: control,
    instanceLookup: !snapshot ? 'no-cloud' : instance ? 'found' : snapshot.errors.some((e) => e.leavesUnknown.includes('everything') || e.leavesUnknown.includes('instance')) ? 'read-failed' : 'not-found',
    hasCloud: snapshot !== null && instance !== null,
    hasProbes: probes !== null,
    hasServer: facts.server !== null,
    carrierBlockedTcp: new Set(facts.semantics?.carrierBlockedTcpPorts ?? FALLBACK_CARRIER_BLOCKED_TCP),
    trace: facts.trace ?? null,
    semantics: facts.semantics ?? null,
  };
}

/** The failed call that left the instance unknown, as "Action: Code", or null. */
export function instanceReadFailure(v: FactsView): string | null {
  const err = v.snapshot?.errors.find((e) => e.leavesUnknown.includes('everything') || e.leavesUnknown.includes('instance'));
  return err ? `${err.action}: ${err.code}` : null;
}

/** Has the cloud read left this fact unknown (a failed API call)? */
export function cloudUnknown(v: FactsView, what: string): string | null {
  const err = v.snapshot?.errors.find((e) => e.leavesUnknown.includes(what));
  return err ? `${err.action}: ${err.code}` : null;
}

/**
 * Did the client's own firewall refuse the connect()? EPERM comes from a local netfilter rule; EACCES from
 * a local firewall on IPv4, but on IPv6 it is also how Linux reports a remote ICMPv6 admin-prohibited
 * (firewalld's IPv6 reject), so there it is not evidence of a local block.
 */
export function isLocalBlock(fact: TcpPortFact): boolean {
  if (fact.reason !== 'admin-prohibited') return false;
  const v6 = fact.address.includes(':');
  return fact.samples.some((s) => s.errno === 'EPERM' || (s.errno === 'EACCES' && !v6));
}

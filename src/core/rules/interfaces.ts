// Which elastic network interface (ENI) an instance address belongs to, and so which security groups and
// which vSwitch (network ACL) apply. Security groups are attached per ENI: a rule on a secondary ENI's
// group does nothing for traffic to the primary ENI's address (the seeds' 多网卡 case).
import type { CloudSnapshot, NetworkInterface } from '../cloud/model';
import { parseIp } from './cidr';

export type InterfaceVia =
  | 'eni-public-ip' // the ENI carries the public address (EIP on a secondary ENI in NAT mode, or mapped public IP)
  | 'eip-on-eni' // an EIP whose binding names this ENI
  | 'instance-public-ip' // the instance's own public IP: primary ENI
  | 'instance-eip' // an EIP bound to the instance: primary ENI
  | 'private-ip'
  | 'ipv6'
  | 'assumed-primary' // the address is not on the instance; we evaluate the primary ENI and say so
  | 'none';

export interface InterfaceChoice {
  eni: NetworkInterface | null;
  via: InterfaceVia;
  /** Did the address really belong to the instance? */
  matched: boolean;
  /** Groups attached to the chosen ENI, in attachment order. */
  groupIds: string[];
  /** Internet traffic reaches the instance through its public address; matters for classic-network NicType. */
  scope: 'internet' | 'intranet';
  /** The instance's other ENIs. */
  others: NetworkInterface[];
  vSwitchId?: string;
  /** Private addresses of the chosen ENI (what DestCidrIp is compared with). */
  localPrivateIps: string[];
}

const norm = (ip: string | undefined): string | null => (ip ? (parseIp(ip)?.text ?? null) : null);

/** The snapshot's ENIs, or one synthesised from the instance when the API gave none (classic network, imports). */
export function instanceInterfaces(snapshot: CloudSnapshot): NetworkInterface[] {
  if (snapshot.interfaces.length > 0) return snapshot.interfaces;
  const inst = snapshot.instance;
  if (!inst) return [];
  return [
    {
      id: `${inst.id}#primary`,
      type: 'primary',
      privateIps: inst.privateIps,
      ipv6s: [],
      publicIp: inst.eipAddress ?? inst.publicIp,
      securityGroupIds: inst.securityGroupIds,
      vSwitchId: inst.vSwitchId,
      vpcId: inst.vpcId,
    },
  ];
}

export function resolveInterface(snapshot: CloudSnapshot, localIp: string): InterfaceChoice {
  const enis = instanceInterfaces(snapshot);
  const ip = norm(localIp);
  const primary = enis.find((e) => e.type === 'primary') ?? enis[0] ?? null;
  const choose = (eni: NetworkInterface | null, via: InterfaceVia, scope: 'internet' | 'intranet', matched = true): InterfaceChoice => ({
    eni,
    via,
    matched,
    groupIds: eni ? eni.securityGroupIds : [],
    scope,
    others: enis.filter((e) => e !== eni),
    vSwitchId: eni?.vSwitchId ?? (eni === primary ? snapshot.instance?.vSwitchId : undefined),
    localPrivateIps: eni ? eni.privateIps : [],
  });
  if (!primary) return choose(null, 'none', 'intranet', false);
  if (ip) {
    const byPublic = enis.find((e) => norm(e.publicIp) === ip);
    if (byPublic) return choose(byPublic, 'eni-public-ip', 'internet');
    const eip = snapshot.eips.find((e) => norm(e.ipAddress) === ip);
    if (eip && eip.instanceType === 'NetworkInterface') {
      const eni = enis.find((e) => e.id === eip.instanceId);
      if (eni) return choose(eni, 'eip-on-eni', 'internet');
    }
    const inst = snapshot.instance;
    if (inst && norm(inst.publicIp) === ip) return choose(primary, 'instance-public-ip', 'internet');
    if (inst && norm(inst.eipAddress) === ip) return choose(primary, 'instance-eip', 'internet');
    if (eip && eip.instanceId && inst && eip.instanceId === inst.id) return choose(primary, 'instance-eip', 'internet');
    const byPrivate = enis.find((e) => e.privateIps.some((p) => norm(p) === ip));
    if (byPrivate) return choose(byPrivate, 'private-ip', 'intranet');
    const byV6 = enis.find((e) => e.ipv6s.some((p) => norm(p) === ip));
    if (byV6) return choose(byV6, 'ipv6', 'intranet');
  }
  // Unknown address: most likely the instance's public side (e.g. a DNS name resolving elsewhere).
  return choose(primary, 'assumed-primary', 'internet', false);
}

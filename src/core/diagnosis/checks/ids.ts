// Every check id, as typed constants, and the checklist's display order stated once. A check file's
// `id: 'sg.port'` literal is checked against this list by the compiler; a new check adds its id here and
// takes its place in CHECKLIST_ORDER (checks/index.ts refuses a check that has no place, or a place with no check).

export const CHECK_IDS = [
  // client: the user's side
  'client.dns',
  'client.egress',
  'client.egress-ip',
  'client.local-firewall',
  'client.proxy',
  'client.vpn-tunnel',
  // path: where a hop-by-hop trace stops (present only when a trace ran)
  'path.trace',
  // network: the instance itself
  'instance.running',
  'instance.overdue-lock',
  'instance.security-lock',
  // network: security groups
  'sg.inbound-rule',
  'sg.direction',
  'sg.protocol',
  'sg.port',
  'sg.source',
  'sg.priority-drop',
  'sg.bound',
  'sg.region',
  'sg.enterprise-default',
  'sg.nic-type',
  'sg.group-count-quota',
  // network: public address, ACL, carriers, ICMP, filing
  'net.public-ip',
  'net.eip',
  'net.eip-financial-lock',
  'net.eip-bandwidth',
  'net.slb-or-nat-address',
  'net.acl-inbound',
  'net.acl-return',
  'net.carrier-blocked-port',
  'net.port25',
  'icmp.not-a-port-test',
  'icmp.blocked-by-default',
  'net.icp-filing',
  // server: inside the instance
  'os.listening',
  'os.bind-address',
  'os.firewall',
  'os.sshd-config',
  'os.service-running',
  'app.responds',
] as const;

export type CheckId = (typeof CHECK_IDS)[number];

/**
 * The checklist in display order: client, then network (the instance, its security groups, then the public
 * address, ACL, carriers, ICMP and filing), then server. Stated here, not derived from how the check files
 * happen to list their checks.
 */
export const CHECKLIST_ORDER: readonly CheckId[] = CHECK_IDS;

const KNOWN: ReadonlySet<string> = new Set(CHECK_IDS);

/** Is this (e.g. read from a session file of a newer version) a check id this version knows? */
export function isCheckId(id: string): id is CheckId {
  return KNOWN.has(id);
}

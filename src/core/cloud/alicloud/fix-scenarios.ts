// The denied scenarios of the rule-engine suites (src/core/rules/securityGroups.test.ts, networkAcl.test.ts,
// fixtures.ts), as a table: each is a snapshot and a flow the cloud denies. The fix-proof tests and
// bench/fix-simulation.ts ask for the fixes the checklist proposes for each and check them.
import { cloudCheckFixes } from '../../diagnosis/cloud-fixes';
import { hostCidr, type CloudFixJson } from '../../diagnosis/fixes';
import { CLIENT_IP, group, snapshot, sshFlow } from '../../rules/fixtures';
import { evaluateNetworkAcl } from '../../rules/networkAcl';
import { evaluateSecurityGroups } from '../../rules/securityGroups';
import type { Flow } from '../../rules/types';
import type { CloudSnapshot } from '../model';
import { alibabaFixes } from './fixes';

export interface DeniedScenario {
  name: string;
  snapshot: CloudSnapshot;
  flow: Flow;
  /**
   * No narrow fix exists (every candidate would admit more than the flow): the fixes must be withheld with
   * a note, and the scenario counts as "not fixed" in the success rate.
   */
  noNarrowFix?: true;
}

const sgOk = [group('sg-web', [{}])];
const EPH = { protocol: 'tcp' as const, portRange: { from: 1024, to: 65535 } };
const V6 = '2408:4005:3ff:1::10';
const CLIENT_V6 = '2001:db8:1::7';

export const DENIED_SCENARIOS: readonly DeniedScenario[] = [
  { name: 'rule missing', snapshot: snapshot({ groups: [group('sg-web', [{ ports: '80/80' }, { ports: '443/443' }])] }), flow: sshFlow() },
  { name: 'rule missing, UDP', snapshot: snapshot({ groups: [group('sg-web', [{ ports: '80/80' }])] }), flow: sshFlow({ protocol: 'udp', port: 51820 }) },
  {
    name: 'higher-priority drop 0.0.0.0/0 at priority 1 beats an accept (it serves nothing else)',
    snapshot: snapshot({ groups: [group('sg-web', [{ id: 'accept-me', cidr: `${CLIENT_IP}/32`, priority: 10 }, { id: 'drop-all', cidr: '0.0.0.0/0', policy: 'drop', priority: 1 }])] }),
    flow: sshFlow(),
  },
  {
    name: 'drop at priority 5: an accept at 4 wins',
    snapshot: snapshot({ groups: [group('sg-web', [{ id: 'accept-me', cidr: `${CLIENT_IP}/32`, priority: 10 }, { id: 'drop-5', cidr: '0.0.0.0/0', policy: 'drop', priority: 5 }])] }),
    flow: sshFlow(),
  },
  {
    name: 'drop beats accept at the same priority, across groups',
    snapshot: snapshot({ groups: [group('sg-a', [{ id: 'accept', cidr: '0.0.0.0/0', priority: 5 }]), group('sg-b', [{ id: 'drop', cidr: '203.0.113.0/24', policy: 'drop', priority: 5 }])] }),
    flow: sshFlow(),
  },
  {
    name: 'drop at priority 1 that also blocks an office range: moved down one, a narrow accept takes its place',
    snapshot: snapshot({ groups: [group('sg-web', [{ id: 'office', cidr: '198.51.100.0/24', priority: 50 }, { id: 'drop-all', cidr: '0.0.0.0/0', policy: 'drop', priority: 1 }])] }),
    flow: sshFlow(),
  },
  {
    name: 'drop at priority 1 over an accept for everyone at priority 1: no narrow fix',
    snapshot: snapshot({ groups: [group('sg-web', [{ id: 'world', cidr: '0.0.0.0/0', priority: 1 }, { id: 'drop-all', cidr: '0.0.0.0/0', policy: 'drop', priority: 1 }])] }),
    flow: sshFlow(),
    noNarrowFix: true,
  },
  { name: 'wrong direction', snapshot: snapshot({ groups: [group('sg-web', [{ id: 'out22', direction: 'egress', cidr: '0.0.0.0/0', ports: '22/22' }])] }), flow: sshFlow() },
  { name: 'wrong protocol (UDP 22)', snapshot: snapshot({ groups: [group('sg-web', [{ id: 'udp22', protocol: 'udp', ports: '22/22' }])] }), flow: sshFlow() },
  { name: 'port outside range (2222)', snapshot: snapshot({ groups: [group('sg-web', [{ id: 'p2222', ports: '2222/2222' }, { id: 'p443', ports: '443/443' }])] }), flow: sshFlow() },
  { name: 'source excludes the client (office range)', snapshot: snapshot({ groups: [group('sg-web', [{ id: 'office', cidr: '198.51.100.0/24' }])] }), flow: sshFlow() },
  { name: 'private source for internet access', snapshot: snapshot({ groups: [group('sg-web', [{ id: 'lan', cidr: '192.168.1.10/32' }, { id: 'cgnat', cidr: '100.64.0.0/10' }])] }), flow: sshFlow() },
  { name: 'bare IP without mask', snapshot: snapshot({ groups: [group('sg-web', [{ id: 'bare', cidr: '203.0.113.0' }])] }), flow: sshFlow() },
  { name: 'group reference with a public client', snapshot: snapshot({ groups: [group('sg-web', [{ id: 'ref', group: 'sg-bastion' }])] }), flow: sshFlow() },
  { name: 'enterprise group default deny', snapshot: snapshot({ groups: [group('sg-ent', [], { type: 'enterprise' })] }), flow: sshFlow() },
  {
    name: "rule on the secondary interface's group",
    snapshot: snapshot({
      groups: [group('sg-web', [{ ports: '80/80' }]), group('sg-eni2', [{ id: 'ssh2', ports: '22/22' }])],
      primaryGroups: ['sg-web'],
      secondary: { id: 'eni-bp1second', privateIps: ['172.16.0.30'], groups: ['sg-eni2'] },
    }),
    flow: sshFlow(),
  },
  { name: 'classic network, intranet NIC type', snapshot: snapshot({ classic: true, groups: [group('sg-classic', [{ id: 'intra', nicType: 'intranet' }])] }), flow: sshFlow() },
  { name: 'IPv6 client, IPv4 rule only', snapshot: snapshot({ ipv6: V6, groups: [group('sg-web', [{ id: 'v4', cidr: '0.0.0.0/0' }])] }), flow: sshFlow({ sourceIp: CLIENT_V6, destinationIp: V6 }) },
  { name: 'ICMP not allowed (ping)', snapshot: snapshot({ groups: [group('sg-web', [{ id: 'ssh' }])] }), flow: sshFlow({ protocol: 'icmp', port: -1 }) },
  {
    name: 'near misses behind a priority-1 drop (the drop moves down one: the other accepts are for other ports or lose anyway)',
    snapshot: snapshot({ groups: [group('sg-web', [{ id: 'lan', cidr: '192.168.1.10/32', priority: 5 }, { id: 'drop-all', policy: 'drop', priority: 1 }, { id: 'late', ports: '2222/2222', priority: 1 }])] }),
    flow: sshFlow(),
  },
  // Network ACL (stateless, first match, the list is replaced as a whole).
  { name: 'empty network ACL denies everything', snapshot: snapshot({ groups: sgOk, acl: { ingress: [], egress: [] } }), flow: sshFlow() },
  {
    name: 'ACL: an earlier drop wins over a later accept',
    snapshot: snapshot({ groups: sgOk, acl: { ingress: [{ id: 'in80', portRange: { from: 80, to: 80 } }, { id: 'drop-all', protocol: 'all', portRange: { from: -1, to: -1 }, policy: 'drop' }, { id: 'in22' }], egress: [{ ...EPH }] } }),
    flow: sshFlow(),
  },
  { name: 'ACL return path: egress only for port 22', snapshot: snapshot({ groups: sgOk, acl: { ingress: [{ id: 'in22' }], egress: [{ id: 'out22' }] } }), flow: sshFlow() },
  { name: 'ACL return path: ephemeral range for another client only', snapshot: snapshot({ groups: sgOk, acl: { ingress: [{}], egress: [{ id: 'other', ...EPH, cidr: '198.51.100.0/24' }] } }), flow: sshFlow() },
  {
    name: 'ACL return path: an egress drop for the client before the accept',
    snapshot: snapshot({ groups: sgOk, acl: { ingress: [{}], egress: [{ id: 'out-drop', protocol: 'all', portRange: { from: -1, to: -1 }, cidr: '203.0.113.0/24', policy: 'drop' }, { id: 'out-eph', ...EPH }] } }),
    flow: sshFlow(),
  },
];

/** Is the flow denied by the cloud (either layer)? */
export function deniedByCloud(s: CloudSnapshot, flow: Flow): boolean {
  return evaluateSecurityGroups(s, flow).decision === 'deny' || evaluateNetworkAcl(s, flow).decision === 'deny';
}

/**
 * The cloud fixes the product proposes for a denied flow: the checklist's failing checks rendered by the
 * Alibaba renderer (as `cloud check --json` lists them). The checklist reasons about TCP/UDP services; for
 * ICMP (ping) the one fix the ICMP check offers is asked for directly.
 */
export function proposedFixes(s: CloudSnapshot, flow: Flow): CloudFixJson[] {
  if (flow.protocol === 'tcp' || flow.protocol === 'udp') return cloudCheckFixes(s, flow, evaluateSecurityGroups(s, flow), evaluateNetworkAcl(s, flow), alibabaFixes);
  const groupId = s.instance?.securityGroupIds[0] ?? s.securityGroups[0]?.id ?? null;
  const fixes = alibabaFixes({ kind: 'allow-flow', groupId, direction: 'ingress', protocol: flow.protocol, port: null, cidr: hostCidr(flow.sourceIp) }, { snapshot: s, flow });
  const cli = fixes.find((f) => f.kind === 'aliyun-cli' && f.actions);
  return cli ? [{ checkId: 'icmp.blocked-by-default', title: cli.title, actions: cli.actions ?? [], simulated: cli.simulated ?? { decision: 'unknown' }, command: cli.command }] : [];
}

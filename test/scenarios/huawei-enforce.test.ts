// The lab's enforcement of the fake Huawei Cloud, as rules (no namespace needed): what iptables is told for
// each state. test/scenarios/huawei.lab.test.ts proves the same rules decide real packets.
import { describe, expect, it } from 'vitest';
import { scenario, SERVER_ID, SG_DENY, SG_WEB, type HuaweiState, type ScenarioName } from '../fake-huawei/scenarios';
import { huaweiEnforcementRules, inSet, protoPortArgs, type HuaweiEnforceTarget } from './huawei-enforce';

const LAB_CLIENT = '10.200.9.1';
const target: HuaweiEnforceTarget = { ns: 'unused', serverId: SERVER_ID, sources: [{ labIp: LAB_CLIENT, seenAs: '203.0.113.7' }] };
const rules = (name: ScenarioName, mutate?: (s: HuaweiState) => void): string[] => {
  const s = scenario(name, { eip: '10.200.9.10', port: 2401 });
  mutate?.(s);
  return huaweiEnforcementRules(s, target).split('\n');
};
const chain = (lines: string[], name: string): string[] => lines.filter((l) => l.startsWith(`-A ${name} `)).map((l) => l.replace(/ -m comment --comment ".*"$/, ''));

describe('huaweiEnforcementRules', () => {
  it('healthy: the service port is admitted to everyone, stateful, default deny last; no ACL chain used', () => {
    const lines = rules('healthy');
    const sg = chain(lines, 'SGD-HW-SG-IN');
    expect(sg[0]).toBe('-A SGD-HW-SG-IN -m conntrack --ctstate ESTABLISHED,RELATED -j RETURN');
    expect(sg).toContain('-A SGD-HW-SG-IN -p tcp --dport 2401 -j RETURN');
    expect(sg.at(-1)).toBe('-A SGD-HW-SG-IN -j DROP');
    // The default "all from the group itself" rule admits no lab client; egress and IPv6 rules never appear.
    expect(sg).toHaveLength(3);
    expect(chain(lines, 'SGD-HW-IN')).toEqual(['-A SGD-HW-IN -j SGD-HW-SG-IN']);
    expect(chain(lines, 'SGD-HW-OUT')).toEqual([]);
  });

  it('rule missing: only 80,443 are opened (one iptables rule per port item)', () => {
    const sg = chain(rules('rule-missing'), 'SGD-HW-SG-IN');
    expect(sg).toContain('-A SGD-HW-SG-IN -p tcp --dport 80 -j RETURN');
    expect(sg).toContain('-A SGD-HW-SG-IN -p tcp --dport 443 -j RETURN');
    expect(sg.some((l) => l.includes('2401'))).toBe(false);
  });

  it('deny at priority 1 comes before the allow at 50; at equal priority deny first', () => {
    const sg = chain(rules('deny-higher-priority'), 'SGD-HW-SG-IN');
    expect(sg.indexOf('-A SGD-HW-SG-IN -p tcp --dport 2401 -j DROP')).toBeLessThan(sg.indexOf('-A SGD-HW-SG-IN -p tcp --dport 2401 -j RETURN'));
    const tie = chain(
      rules('deny-higher-priority', (s) => {
        for (const r of s.securityGroups[0].security_group_rules ?? []) if (r.multiport === '2401') r.priority = 7;
        s.securityGroups[0].security_group_rules?.reverse();
      }),
      'SGD-HW-SG-IN',
    );
    expect(tie.indexOf('-A SGD-HW-SG-IN -p tcp --dport 2401 -j DROP')).toBeLessThan(tie.indexOf('-A SGD-HW-SG-IN -p tcp --dport 2401 -j RETURN'));
  });

  it('several groups: the first group on the port is matched first whatever the priorities (not pooled)', () => {
    const lines = huaweiEnforcementRules(scenario('several-groups', { eip: '10.200.9.10', port: 2401 }), target).split('\n');
    const sg = lines.filter((l) => l.startsWith('-A SGD-HW-SG-IN '));
    const deny = sg.findIndex((l) => l.includes(`${SG_DENY} deny-all-22 priority 100 deny`));
    const allow = sg.findIndex((l) => l.includes(`${SG_WEB} `) && l.includes('priority 1 allow'));
    expect(deny).toBeGreaterThan(0);
    expect(allow).toBeGreaterThan(deny);
  });

  it('ACL deny: ingress entries in order, first the deny, default deny; stateful in both directions', () => {
    const lines = rules('acl-deny');
    expect(chain(lines, 'SGD-HW-IN')).toEqual(['-A SGD-HW-IN -j SGD-HW-ACL-IN', '-A SGD-HW-IN -j SGD-HW-SG-IN']);
    expect(chain(lines, 'SGD-HW-ACL-IN')).toEqual([
      '-A SGD-HW-ACL-IN -m conntrack --ctstate ESTABLISHED,RELATED -j RETURN',
      '-A SGD-HW-ACL-IN -p tcp --dport 2401 -j DROP',
      '-A SGD-HW-ACL-IN -p tcp --dport 2401 -j RETURN',
      '-A SGD-HW-ACL-IN -j DROP',
    ]);
    expect(chain(lines, 'SGD-HW-OUT')[0]).toBe('-A SGD-HW-OUT -m conntrack --ctstate ESTABLISHED,RELATED -j RETURN');
  });

  it('ACL stateful return: every new outbound packet is denied, replies pass by state', () => {
    expect(chain(rules('acl-stateful-return'), 'SGD-HW-OUT')).toEqual(['-A SGD-HW-OUT -m conntrack --ctstate ESTABLISHED,RELATED -j RETURN', '-A SGD-HW-OUT -j DROP', '-A SGD-HW-OUT -j DROP']);
  });

  it('a disabled ACL rule is skipped; a disabled ACL or one on another subnet filters nothing', () => {
    const off = chain(rules('acl-deny', (s) => (s.firewalls[0].ingress_rules![0].enabled = false)), 'SGD-HW-ACL-IN');
    expect(off).not.toContain('-A SGD-HW-ACL-IN -p tcp --dport 2401 -j DROP');
    expect(chain(rules('acl-deny', (s) => (s.firewalls[0].admin_state_up = false)), 'SGD-HW-IN')).toEqual(['-A SGD-HW-IN -j SGD-HW-SG-IN']);
    expect(chain(rules('acl-deny', (s) => (s.firewalls[0].associations = [{ virsubnet_id: 'other' }])), 'SGD-HW-IN')).toEqual(['-A SGD-HW-IN -j SGD-HW-SG-IN']);
  });

  it('SHUTOFF, frozen and a frozen EIP answer nothing in either direction', () => {
    for (const lines of [rules('shutoff'), rules('frozen'), rules('healthy', (s) => (s.publicips[0].status = 'FREEZED'))]) {
      expect(chain(lines, 'SGD-HW-IN')).toEqual(['-A SGD-HW-IN -j DROP']);
      expect(chain(lines, 'SGD-HW-OUT')).toEqual(['-A SGD-HW-OUT -j DROP']);
    }
  });

  it('an address group admits the client when one of its entries (CIDR or range) holds its public address', () => {
    const inRange = chain(rules('address-group', (s) => (s.addressGroups![0].ip_set = ['203.0.113.1-203.0.113.9'])), 'SGD-HW-SG-IN');
    expect(inRange).toContain(`-A SGD-HW-SG-IN -s ${LAB_CLIENT}/32 -p tcp --dport 2401 -j RETURN`);
    const outside = chain(rules('address-group'), 'SGD-HW-SG-IN');
    expect(outside.some((l) => l.includes('--dport 2401'))).toBe(false);
  });

  it('fields: protocol empty/any = all, port lists and ranges, unreadable ports match nothing; sets and ranges', () => {
    expect(protoPortArgs(null, null)).toEqual([[]]);
    expect(protoPortArgs('tcp', '20-30,443')).toEqual([['-p', 'tcp', '--dport', '20:30'], ['-p', 'tcp', '--dport', '443']]);
    expect(protoPortArgs('udp', '1-65535')).toEqual([['-p', 'udp']]);
    expect(protoPortArgs('tcp', 'ssh')).toBeNull();
    expect(protoPortArgs('gre', null)).toBeNull();
    expect(inSet('203.0.113.7', '203.0.113.0/24')).toBe(true);
    expect(inSet('203.0.113.7', '203.0.113.7')).toBe(true);
    expect(inSet('203.0.113.7', '203.0.113.8-203.0.113.9')).toBe(false);
    expect(inSet('203.0.113.7', '::/0')).toBe(false);
  });
});

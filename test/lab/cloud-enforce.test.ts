// The lab's enforcement of the fake cloud, as rules (no namespace needed): what iptables is told for each
// state. The lab test (test/scenarios/apply.lab.test.ts) proves the same rules decide real packets.
import { describe, expect, it } from 'vitest';
import { buildScenario, type ScenarioParams } from '../fake-api';
import type { ApiObject } from '../fake-api/scenarios';
import { enforcementRules, type EnforceTarget } from './cloud-enforce';

const INSTANCE = 'i-bp1sgdoctor00000001';
const LAB_CLIENT = '10.200.9.1';
const target: EnforceTarget = { ns: 'unused', instanceId: INSTANCE, sources: [{ labIp: LAB_CLIENT, seenAs: '203.0.113.7' }] };
const rules = (p: ScenarioParams, mutate?: (s: ReturnType<typeof buildScenario>) => void): string[] => {
  const s = buildScenario({ instanceId: INSTANCE, clientIp: '203.0.113.7', port: 2401, ...p });
  mutate?.(s);
  return enforcementRules(s, target).split('\n');
};
const chain = (lines: string[], name: string): string[] => lines.filter((l) => l.startsWith(`-A ${name} `)).map((l) => l.replace(/ -m comment --comment ".*"$/, ''));

describe('enforcementRules', () => {
  it('healthy: the client (seen as 203.0.113.7) is admitted to the port; the rest of the world to 80/443 and ICMP; default deny last', () => {
    const sg = chain(rules({ variant: 'healthy' }), 'SGD-CLOUD-SG-IN');
    expect(sg[0]).toBe('-A SGD-CLOUD-SG-IN -m conntrack --ctstate ESTABLISHED,RELATED -j RETURN');
    expect(sg).toContain(`-A SGD-CLOUD-SG-IN -s ${LAB_CLIENT}/32 -p tcp --dport 2401 -j RETURN`);
    expect(sg).toContain('-A SGD-CLOUD-SG-IN -p tcp --dport 80 -j RETURN');
    expect(sg).toContain('-A SGD-CLOUD-SG-IN -p icmp -j RETURN');
    expect(sg.at(-1)).toBe('-A SGD-CLOUD-SG-IN -j DROP');
    // Egress rules are not ingress: they never appear.
    expect(sg.some((l) => l.includes('-d '))).toBe(false);
  });

  it('rule missing / wrong source / UDP instead of TCP / wrong direction: nothing admits the client to the port', () => {
    for (const variant of ['rule-missing', 'wrong-source', 'udp-instead-of-tcp', 'wrong-direction'] as const) {
      const sg = chain(rules({ variant }), 'SGD-CLOUD-SG-IN');
      expect(sg.filter((l) => l.includes('-p tcp --dport 2401') && l.endsWith('RETURN')), variant).toEqual([]);
    }
  });

  it('priority first, then drop before accept at equal priority (not the order of the rules)', () => {
    const sg = chain(
      rules({ variant: 'higher-priority-drop', dropPriority: '5' }, (s) => {
        // An accept at the drop's priority, listed before it: still after it.
        (s.securityGroups[0].Permissions as ApiObject[]).unshift({ SecurityGroupRuleId: 'sgr-same', Direction: 'ingress', IpProtocol: 'TCP', PortRange: '2401/2401', SourceCidrIp: '203.0.113.7/32', Policy: 'Accept', Priority: '5' });
      }),
      'SGD-CLOUD-SG-IN',
    );
    const drop = sg.indexOf('-A SGD-CLOUD-SG-IN -p tcp --dport 2401 -j DROP');
    const same = sg.indexOf(`-A SGD-CLOUD-SG-IN -s ${LAB_CLIENT}/32 -p tcp --dport 2401 -j RETURN`);
    const lastAccept = sg.lastIndexOf(`-A SGD-CLOUD-SG-IN -s ${LAB_CLIENT}/32 -p tcp --dport 2401 -j RETURN`);
    expect(drop).toBeGreaterThan(0);
    expect(same).toBeGreaterThan(drop); // priority 5 accept after the priority 5 drop
    expect(lastAccept).toBeGreaterThan(drop); // the original priority-10 accept, too
  });

  it('the network ACL: stateless, in order, first match; the return path is filtered on the way out', () => {
    const deny = rules({ variant: 'acl-deny' });
    const aclIn = chain(deny, 'SGD-CLOUD-ACL-IN');
    expect(aclIn[0]).toBe('-A SGD-CLOUD-ACL-IN -p tcp --dport 2401 -j DROP');
    expect(aclIn[1]).toBe('-A SGD-CLOUD-ACL-IN -p tcp --dport 2401 -j RETURN');
    expect(aclIn.at(-1)).toBe('-A SGD-CLOUD-ACL-IN -j DROP');
    expect(chain(deny, 'SGD-CLOUD-IN')).toEqual(['-A SGD-CLOUD-IN -j SGD-CLOUD-ACL-IN', '-A SGD-CLOUD-IN -j SGD-CLOUD-SG-IN']);
    const noReturn = chain(rules({ variant: 'acl-no-return' }), 'SGD-CLOUD-ACL-OUT');
    expect(noReturn).toEqual(['-A SGD-CLOUD-ACL-OUT -p tcp --dport 80 -j RETURN', '-A SGD-CLOUD-ACL-OUT -p tcp --dport 443 -j RETURN', '-A SGD-CLOUD-ACL-OUT -j DROP', '-A SGD-CLOUD-ACL-OUT -j DROP']);
    // No ACL bound: no ACL chain in the path.
    expect(chain(rules({ variant: 'no-acl' }), 'SGD-CLOUD-IN')).toEqual(['-A SGD-CLOUD-IN -j SGD-CLOUD-SG-IN']);
  });

  it('a stopped instance answers nothing; a prefix list admits its members; fields it cannot express admit nobody', () => {
    expect(chain(rules({ variant: 'stopped' }), 'SGD-CLOUD-IN')).toEqual(['-A SGD-CLOUD-IN -j DROP']);
    expect(chain(rules({ variant: 'prefix-list' }), 'SGD-CLOUD-SG-IN')).toContain(`-A SGD-CLOUD-SG-IN -s ${LAB_CLIENT}/32 -p tcp --dport 2401 -j RETURN`);
    for (const variant of ['port-range-list', 'unknown-rule-field'] as const) {
      expect(chain(rules({ variant }), 'SGD-CLOUD-SG-IN').filter((l) => l.includes('--dport 2401') && l.endsWith('RETURN')), variant).toEqual([]);
    }
    // A source-port restriction is kept (the client's ephemeral port will not match it).
    expect(chain(rules({ variant: 'source-port-restricted' }), 'SGD-CLOUD-SG-IN')).toContain(`-A SGD-CLOUD-SG-IN -s ${LAB_CLIENT}/32 -p tcp --dport 2401 --sport 22 -j RETURN`);
  });
});

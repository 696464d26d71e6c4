import { describe, expect, it } from 'vitest';
import type { Flow } from '../../rules/types';
import { evaluateHuaweiFirewall } from './firewall';
import { evaluateHuaweiSecurityGroups } from './securityGroups';
import type { HuaweiFirewall, HuaweiSecurityGroupRule } from './types';
import { HUAWEI_EVALUATION_WORDS, HUAWEI_NEAR_MISS_WORDS } from './words';

const flow: Flow = { direction: 'ingress', protocol: 'tcp', sourceIp: '203.0.113.7', destinationIp: '10.0.1.20', port: 22 };
const rule = (over: Partial<HuaweiSecurityGroupRule>): HuaweiSecurityGroupRule => ({ id: 'r', direction: 'ingress', protocol: 'tcp', multiport: '22', remote_ip_prefix: '0.0.0.0/0', ...over });
const acl = (over: Partial<HuaweiFirewall>): HuaweiFirewall => ({ id: 'acl', associations: [{ virsubnet_id: 's' }], ingress_rules: [], ...over });

describe('words for every Huawei code', () => {
  it('every explanation the evaluators produce has words in both languages', () => {
    const explanations = [
      evaluateHuaweiSecurityGroups([{ id: 'g', security_group_rules: [rule({})] }], flow, { flavour: 's6.small.1' }),
      evaluateHuaweiSecurityGroups([{ id: 'g', security_group_rules: [rule({ action: 'deny' })] }], flow, { flavour: 's6.small.1' }),
      evaluateHuaweiSecurityGroups([{ id: 'g', security_group_rules: [] }], flow),
      evaluateHuaweiSecurityGroups([{ id: 'g', security_group_rules: [rule({ action: 'deny' }), rule({ priority: 2 })] }], flow),
      evaluateHuaweiSecurityGroups([], flow),
      evaluateHuaweiSecurityGroups([{ id: 'g', security_group_rules: [rule({ remote_ip_prefix: null, remote_address_group_id: 'ag' })] }], flow, { flavour: 's6.small.1' }),
      evaluateHuaweiSecurityGroups([{ id: 'g', security_group_rules: [rule({ action: 'deny', multiport: 'x' }), rule({ priority: 2 })] }], flow, { flavour: 's6.small.1' }),
      evaluateHuaweiSecurityGroups([{ id: 'g', security_group_rules: [] }], { ...flow, sourceIp: 'nope' }),
    ].map((e) => e.explanation);
    const acls = [
      evaluateHuaweiFirewall(null, flow),
      evaluateHuaweiFirewall(acl({ associations: [] }), flow),
      evaluateHuaweiFirewall(acl({ admin_state_up: false }), flow),
      evaluateHuaweiFirewall(acl({}), flow, { sameSubnet: true }),
      evaluateHuaweiFirewall(acl({}), flow),
      evaluateHuaweiFirewall(acl({ ingress_rules: [{ id: 'a', action: 'allow' }] }), flow),
      evaluateHuaweiFirewall(acl({ ingress_rules: [{ id: 'a', action: 'deny' }] }), flow),
      evaluateHuaweiFirewall(acl({ ingress_rules: [{ id: 'a', action: 'allow', source_port: '40000-65535' }] }), flow),
    ].flatMap((e) => [e.inbound.explanation, e.returnPath.explanation]);
    const all = new Set([...explanations, ...acls]);
    // Both ways: every code produced has words, and every worded code is produced by one of these cases.
    expect([...all].sort()).toEqual(Object.keys(HUAWEI_EVALUATION_WORDS).sort());
    for (const code of all) {
      const w = HUAWEI_EVALUATION_WORDS[code];
      expect(w, code).toBeDefined();
      expect(w.en.length, code).toBeGreaterThan(0);
      expect(w['zh-CN'], code).not.toMatch(/[,:;()]/);
    }
  });
  it('near-miss words name no internal code and use full-width punctuation in Chinese', () => {
    for (const [reason, w] of Object.entries(HUAWEI_NEAR_MISS_WORDS)) {
      expect(w['zh-CN'], reason).not.toMatch(/[,:;()]/);
      expect(w.en, reason).not.toContain(reason);
    }
  });
});

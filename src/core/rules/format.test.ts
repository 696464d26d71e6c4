import { describe, expect, it } from 'vitest';
import { effectiveAccess } from './effective';
import { CLIENT_IP, group, snapshot, sshFlow } from './fixtures';
import { formatAclEvaluation, formatEffectiveAccess, formatEvaluation, formatRulesTable, NEAR_MISS_LABELS } from './format';
import { evaluateNetworkAcl } from './networkAcl';
import { evaluateSecurityGroups } from './securityGroups';

const groups = [
  group('sg-web', [
    { id: 'accept-client', cidr: `${CLIENT_IP}/32`, priority: 10, description: 'office' },
    { id: 'drop-all', cidr: '0.0.0.0/0', policy: 'drop', priority: 1 },
  ]),
  group('sg-b', [{ id: 'same-prio-accept', cidr: '0.0.0.0/0', priority: 1 }]),
];

describe('format', () => {
  it('lists rules across groups in evaluation order, drop before accept at equal priority', () => {
    const text = formatRulesTable(groups, 'en');
    const ids = ['drop-all', 'same-prio-accept', 'accept-client'].map((id) => text.indexOf(id));
    expect(ids.every((i) => i > 0)).toBe(true);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    expect(formatRulesTable(groups, 'zh-CN')).toContain('优先级');
  });

  it('renders an evaluation with its near misses in both languages', () => {
    const ev = evaluateSecurityGroups(snapshot({ groups }), sshFlow());
    const en = formatEvaluation(ev, 'en');
    expect(en).toMatch(/^DENY — decided by drop-all @ sg-web Priority 1 \(drop\)/);
    expect(en).toContain('[shadowed-by-drop]');
    const zh = formatEvaluation(ev, 'zh-CN');
    expect(zh).toContain('拒绝');
    expect(zh).toContain(NEAR_MISS_LABELS['shadowed-by-drop']['zh-CN']);
  });

  it('renders ACL and effective access', () => {
    const snap = snapshot({ groups: [group('sg-web', [{ id: 'ssh' }])], acl: { ingress: [{}], egress: [{ portRange: { from: 22, to: 22 } }] } });
    expect(formatAclEvaluation(evaluateNetworkAcl(snap, sshFlow()), 'en')).toContain('[port-outside-range]');
    const eff = formatEffectiveAccess(effectiveAccess(snap, CLIENT_IP), 'en');
    expect(eff).toMatch(/TCP\s+22\s+ALLOW\s+ssh @ sg-web/);
  });
});

describe('nearMissText', () => {
  it('rebuilds Chinese from the reason and values, keeps English as the engine wrote it', async () => {
    const { nearMissText } = await import('./format');
    const m = {
      reason: 'private-source' as const, ruleId: 'sgr-1', containerId: 'sg-1', policy: 'accept' as const,
      detail: 'rule admits 192.168.1.10/32, a private/internal range; internet traffic arrives from your public egress IP 203.0.113.7, never from a private address',
      values: { cidr: '192.168.1.10/32', clientIp: '203.0.113.7' },
    };
    expect(nearMissText(m, 'en')).toBe(m.detail);
    const zh = nearMissText(m, 'zh-CN');
    expect(zh).toContain('192.168.1.10/32');
    expect(zh).toContain('203.0.113.7');
    expect(zh).not.toMatch(/[a-z]{4,}/); // no English sentence left in the Chinese text
  });
});

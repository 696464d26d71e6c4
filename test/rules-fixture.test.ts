// The rule engine against the shared diagnosis fixture (the document sessions and reports are tested with):
// the engine must produce the near miss that fixture's checks and verdict are written from.
import { describe, expect, it } from 'vitest';
import { evaluateFlow, effectiveAccess, formatEvaluation, segmentAt } from '../src/core/rules';
import { sampleDiagnosis, sampleSnapshot } from './support/diagnosis-fixture';

describe('rule engine on the shared diagnosis fixture', () => {
  const diagnosis = sampleDiagnosis();
  const flow = diagnosis.cloud?.flow;

  it('denies SSH from the egress IP with the private-source near miss the fixture records', () => {
    expect(flow).toBeDefined();
    if (!flow) return;
    const v = evaluateFlow(sampleSnapshot(), flow);
    expect(v).toMatchObject({ decision: 'deny', blockedBy: ['security-group'] });
    expect(v.networkAcl.present).toBe(false);
    const expected = diagnosis.cloud?.securityGroups?.nearMisses[0];
    const got = v.securityGroups.nearMisses.find((m) => m.reason === 'private-source');
    expect(got).toMatchObject({ reason: expected?.reason, ruleId: expected?.ruleId, containerId: expected?.containerId, priority: 1, policy: 'accept' });
    expect(got?.values).toMatchObject(expected?.values ?? {});
    expect(v.securityGroups.decidedBy).toMatchObject({ kind: 'default', policy: 'drop' });
    expect(formatEvaluation(v.securityGroups, 'zh-CN')).toContain('授权对象是内网地址');
  });

  it('effective access from the egress IP: HTTP open, SSH closed', () => {
    const a = effectiveAccess(sampleSnapshot(), '203.0.113.7');
    expect(segmentAt(a.tcp, 80)).toMatchObject({ decision: 'allow', decidedBy: { ruleId: 'sgr-bp1http0001' } });
    expect(segmentAt(a.tcp, 22)?.decision).toBe('deny');
    // From the office LAN address the SSH rule does apply.
    expect(segmentAt(effectiveAccess(sampleSnapshot(), '192.168.1.10').tcp, 22)?.decision).toBe('allow');
  });
});

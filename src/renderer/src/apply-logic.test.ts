import { describe, expect, it } from 'vitest';
import type { Check } from '../../core/diagnosis/types';
import { applicable, carriesApplyButton, diffLineClass } from './apply-logic';

type Fix = Check['fixes'][number];
const title = { 'zh-CN': '修复', en: 'Fix' };
const allow = { api: 'AuthorizeSecurityGroup', params: { SecurityGroupId: 'sg-1', PortRange: '22/22' } };
const other = { api: 'RevokeSecurityGroup', params: { SecurityGroupId: 'sg-1', SecurityGroupRuleId: ['sgr-1'] } };
const fix = (kind: Fix['kind'], actions?: Fix['actions'], decision: 'allow' | 'deny' = 'allow'): Fix =>
  ({ kind, title, ...(actions ? { actions, simulated: { decision } } : {}) }) as Fix;
const doc: { plan: { cloudMode?: string } | null; readOnly: boolean; example: boolean } = { plan: { cloudMode: 'api' }, readOnly: false, example: false };

describe('apply-logic', () => {
  it('offers applying only a proven fix with actions, in a document that has a plan and is writable', () => {
    expect(applicable(fix('aliyun-cli', [allow]), doc)).toBe(true);
    expect(applicable(fix('aliyun-cli', [allow], 'deny'), doc)).toBe(false);
    expect(applicable(fix('aliyun-cli', []), doc)).toBe(false);
    expect(applicable(fix('os-command'), doc)).toBe(false);
    expect(applicable(fix('aliyun-cli', [allow]), { ...doc, plan: null })).toBe(false);
    expect(applicable(fix('aliyun-cli', [allow]), { ...doc, readOnly: true })).toBe(false);
    expect(applicable(fix('aliyun-cli', [allow]), { ...doc, example: true })).toBe(false);
    // Offline JSON or no cloud read: no account to write with.
    expect(applicable(fix('aliyun-cli', [allow]), { ...doc, plan: { cloudMode: 'snapshot' } })).toBe(false);
    expect(applicable(fix('aliyun-cli', [allow]), { ...doc, plan: { cloudMode: 'none' } })).toBe(false);
    expect(applicable(fix('aliyun-cli', [allow]), { ...doc, plan: { cloudMode: 'api' } })).toBe(true);
  });

  it('one button per change: on the command-line rendering of the same actions, else on the first', () => {
    const same = [fix('console', [allow]), fix('aliyun-cli', [allow]), fix('terraform', [allow])];
    expect(same.map((_, i) => carriesApplyButton(same, i))).toEqual([false, true, false]);
    const noCli = [fix('console', [allow]), fix('terraform', [allow])];
    expect(noCli.map((_, i) => carriesApplyButton(noCli, i))).toEqual([true, false]);
    // Two different changes (alternatives) each get their own button.
    const two = [fix('console', [allow]), fix('aliyun-cli', [allow]), fix('console', [other]), fix('hcloud-cli', [other]), fix('os-command')];
    expect(two.map((_, i) => carriesApplyButton(two, i))).toEqual([false, true, false, true, false]);
  });

  it('diff lines are classed by their mark', () => {
    expect(['+ accept', '- rule sgr-1', '~ priority 5 → 4', 'sg-1 ingress:'].map(diffLineClass)).toEqual(['diff-add', 'diff-del', 'diff-mod', 'diff-ctx']);
  });
});

// The app's own words: host:port splitting, the aliyun commands of the paste step, placeholders filled or
// said in words, fixes grouped as alternatives, dates in the app's language, the browser's language, and
// zh-CN punctuation (full-width between Chinese characters).
import { describe, expect, it } from 'vitest';
import type { Check } from '../../core/diagnosis/types';
import { argsOf, emptyForm, fillCommand, formatDate, formOf, isIpText, planOf, splitHostPort, verdictFixGroups, withAddress } from './logic';
import { en, zhCN } from './locales';
import { browserLang } from './store';

describe('address field splits host:port', () => {
  it.each([
    ['1.2.3.4:8080', { host: '1.2.3.4', port: 8080 }],
    ['[2001:db8::1]:22', { host: '2001:db8::1', port: 22 }],
    ['example.com:443', { host: 'example.com', port: 443 }],
    ['http://example.com:8080/path?q=1', { host: 'example.com', port: 8080 }],
    ['  47.98.10.20:3389 ', { host: '47.98.10.20', port: 3389 }],
  ])('%s', (raw, want) => expect(splitHostPort(raw)).toEqual(want));
  it.each(['2001:db8::1', 'example.com', '1.2.3.4', '1.2.3.4:0', '1.2.3.4:70000', 'a:b:c', ''])('%s has no port to split', (raw) => expect(splitHostPort(raw)).toBeNull());
  it('a preset port picks the preset, another port the custom field', () => {
    const f = emptyForm();
    expect(withAddress(f, 'example.com:443')).toEqual({ host: 'example.com', service: 'https', customPort: '' });
    expect(withAddress(f, '1.2.3.4:8080')).toEqual({ host: '1.2.3.4', service: 'custom', customPort: '8080' });
    expect(withAddress(f, 'example.com')).toEqual({ host: 'example.com' });
  });
});

describe('public IP and app protocol reach the request and the plan', () => {
  it('typed public IP and a custom port protocol', () => {
    const form = { ...emptyForm(), host: '1.2.3.4', service: 'custom' as const, customPort: '18080', appProtocol: 'http' as const, sourceIp: ' 203.0.113.7 ' };
    const args = argsOf(form)!;
    expect(args).toMatchObject({ port: 18080, appProtocol: 'http', sourceIp: '203.0.113.7' });
    const plan = planOf(args);
    expect(plan).toMatchObject({ appProtocol: 'http', sourceIp: '203.0.113.7' });
    expect(formOf(plan)).toMatchObject({ service: 'custom', customPort: '18080', appProtocol: 'http', sourceIp: '203.0.113.7' });
  });
  it('an invalid public IP is not sent; a preset ignores the protocol field', () => {
    expect(argsOf({ ...emptyForm(), host: 'a.example', sourceIp: '300.1.1.1' })).not.toHaveProperty('sourceIp');
    expect(argsOf({ ...emptyForm(), host: 'a.example', appProtocol: 'redis' })).not.toHaveProperty('appProtocol');
  });
  it.each([
    ['203.0.113.7', true],
    ['2001:db8::7', true],
    ['256.1.1.1', false],
    ['1.2.3', false],
    ['example.com', false],
  ])('isIpText(%s) = %s', (s, ok) => expect(isIpText(s)).toBe(ok));
});


describe('placeholders', () => {
  it('the public IP is filled in; what is still unknown is listed, not shown', () => {
    expect(fillCommand('x --SourceCidrIp <your-public-ip>/32', { ip: '203.0.113.7' })).toEqual({ command: 'x --SourceCidrIp 203.0.113.7/32', missing: [] });
    expect(fillCommand('x --RegionId <region-id> --SourceCidrIp <your-public-ip>/32', {}).missing).toEqual(['region-id', 'your-public-ip']);
  });
});

const check = (id: string, status: Check['status'], fixes: Check['fixes']): Check => ({ id, layer: 'network', status, title: { en: id, 'zh-CN': id }, finding: { en: '', 'zh-CN': '' }, explanation: { en: '', 'zh-CN': '' }, evidence: [], fixes, condition: 'c' });
const fix = (kind: Check['fixes'][number]['kind'], title: string, platform?: string): Check['fixes'][number] => ({ kind, title: { en: title, 'zh-CN': title }, ...(platform ? { platform } : {}), command: title });

describe('fixes: alternatives as alternatives', () => {
  it('console / CLI / Terraform and firewall tools are "one of"; other steps stay steps', () => {
    const checks = [
      check('sg.inbound-rule', 'fail', [fix('console', 'console'), fix('aliyun-cli', 'cli', 'aliyun'), fix('terraform', 'tf', 'terraform')]),
      check('os.firewall', 'fail', [fix('os-command', 'ufw', 'ufw'), fix('os-command', 'firewalld', 'firewalld'), fix('os-command', 'ss', 'linux')]),
      check('os.listening', 'pass', [fix('info', 'never shown')]),
    ];
    const g = verdictFixGroups(checks, { locus: 'network', summary: { en: '', 'zh-CN': '' }, reasoning: [], blockingCheckIds: ['sg.inbound-rule'], confidence: 'high', ruleId: 'r' });
    expect(g.map((x) => x.checkId)).toEqual(['sg.inbound-rule', 'os.firewall']);
    expect(g[0].alternatives.map((f) => f.title.en)).toEqual(['console', 'cli', 'tf']);
    expect(g[1].alternatives.map((f) => f.title.en)).toEqual(['ufw', 'firewalld']);
    expect(g[1].steps.map((f) => f.title.en)).toEqual(['ss']);
  });
});

describe('dates and languages', () => {
  it('dates follow the app language', () => {
    const iso = '2026-12-02T16:08:00Z';
    expect(formatDate(iso, 'zh-CN')).toMatch(/2026年12月2日/);
    expect(formatDate(iso, 'en')).toMatch(/Dec 2, 2026/);
    expect(formatDate('garbage', 'en')).toBe('garbage');
  });
  it('the browser language is mapped to the app languages', () => {
    expect(browserLang(['zh-TW', 'en'])).toBe('zh-CN');
    expect(browserLang(['fr-FR', 'en-GB'])).toBe('en');
    expect(browserLang(['fr-FR'])).toBeNull();
  });
});

// ---------------------------------------------------------------------------------------------------
// zh-CN punctuation: between (or right after) Chinese characters, use full-width ，：；（）.

type Tree = { [k: string]: string | Tree };
const leaves = (t: Tree, prefix = ''): [string, string][] => Object.entries(t).flatMap(([k, v]) => (typeof v === 'string' ? [[`${prefix}${k}`, v] as [string, string]] : leaves(v, `${prefix}${k}.`)));
const CJK = '\\u3400-\\u9fff\\uf900-\\ufaff';
/** ASCII , : ; ( ) touching a CJK character on either side. */
export const HALF_WIDTH_NEAR_CJK = new RegExp(`[${CJK}][,:;()]|[,:;()][${CJK}]`);

describe('zh-CN punctuation', () => {
  it('the detector catches what it should and leaves code and numbers alone', () => {
    expect(HALF_WIDTH_NEAR_CJK.test('地址:端口')).toBe(true);
    expect(HALF_WIDTH_NEAR_CJK.test('规则(优先级)')).toBe(true);
    expect(HALF_WIDTH_NEAR_CJK.test('完成;下一步')).toBe(true);
    expect(HALF_WIDTH_NEAR_CJK.test('地址：端口（优先级）')).toBe(false);
    expect(HALF_WIDTH_NEAR_CJK.test('ecs:Describe*、vpc:Describe*')).toBe(false);
  });
  it('every zh-CN string of the app uses full-width punctuation', () => {
    const bad = leaves(zhCN as unknown as Tree).filter(([, v]) => HALF_WIDTH_NEAR_CJK.test(v));
    expect(bad).toEqual([]);
  });
  it('every key exists in both languages', () => {
    expect(leaves(zhCN as unknown as Tree).map(([k]) => k).sort()).toEqual(leaves(en as unknown as Tree).map(([k]) => k).sort());
  });
});

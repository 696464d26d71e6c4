import { describe, expect, it } from 'vitest';
import { renderReport, reportFormatFor } from '../src/core/report';
import { sampleDiagnosis } from './support/diagnosis-fixture';

describe('reports', () => {
  it('puts the verdict, the fix and the deciding evidence in a Markdown report (English)', () => {
    const md = renderReport(sampleDiagnosis(), { format: 'md', lang: 'en', generatedAt: 'T' });
    expect(md.indexOf('## Verdict')).toBeLessThan(md.indexOf('## Checklist'));
    expect(md).toContain('> **Network / cloud configuration** — The security group drops port 22 from your IP 203.0.113.7');
    expect(md).toContain('aliyun ecs AuthorizeSecurityGroup --RegionId cn-hangzhou --SecurityGroupId sg-bp1examplesg00001');
    expect(md).toContain('| 22 (ssh) | filtered | no-response | — | 2 | — |');
    expect(md).toContain('| 1 | sg-bp1examplesg00001 | sgr-bp1ssh0001 | 1 | accept | TCP | 22/22 | 192.168.1.10/32 |');
    expect(md).toContain('private-source');
    expect(md).toContain('Region: cn-hangzhou');
  });

  it('speaks Chinese when asked', () => {
    const md = renderReport(sampleDiagnosis(), { format: 'md', lang: 'zh-CN' });
    expect(md).toContain('## 结论');
    expect(md).toContain('安全组未放行你的 IP 203.0.113.7 访问 22 端口');
    expect(md).toContain('| 失败 | 安全组授权对象包含你的出口 IP (sg.source) |');
  });

  it('masks IPs on request but keeps 0.0.0.0/0 readable', () => {
    const md = renderReport(sampleDiagnosis(), { format: 'md', lang: 'en', maskIps: true });
    expect(md).not.toContain('203.0.113.7');
    expect(md).not.toContain('47.98.10.20');
    expect(md).toContain('203.0.x.x');
    expect(md).toContain('0.0.0.0/0');
  });

  it('never contains a secret', () => {
    const d = sampleDiagnosis();
    (d.cloud.snapshot!.account as Record<string, unknown>).accessKeySecret = 'S3cretValue!';
    d.notes = 'used LTAI5tAbcdefghijkl9xQz';
    for (const format of ['md', 'html'] as const) {
      const out = renderReport(d, { format, lang: 'en' });
      expect(out).not.toContain('S3cretValue!');
      expect(out).not.toContain('LTAI5tAbcdefghijkl9xQz');
    }
  });

  it('renders self-contained, escaped HTML', () => {
    const html = renderReport(sampleDiagnosis({ notes: '<script>alert(1)</script>' }), { format: 'html', lang: 'zh-CN' });
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('<html lang="zh-CN">');
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toMatch(/<(script|link|img)\b/);
    expect(html).toContain('class="verdict network"');
  });

  it('picks the format from the file name', () => {
    expect(reportFormatFor('a.md')).toBe('md');
    expect(reportFormatFor('a.HTML')).toBe('html');
    expect(reportFormatFor('a.pdf')).toBeNull();
  });
});

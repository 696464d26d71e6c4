import { describe, expect, it } from 'vitest';
import { renderReport, reportFormatFor } from '../src/core/report';
import { sampleDiagnosis } from './support/diagnosis-fixture';

describe('reports', () => {
  it('puts the verdict, the fix and the deciding evidence in a Markdown report (English)', () => {
    const md = renderReport(sampleDiagnosis(), { format: 'md', lang: 'en', generatedAt: 'T' });
    expect(md.indexOf('## Verdict')).toBeLessThan(md.indexOf('## Checklist'));
    // One sentence naming the target and the finding.
    expect(md).toContain('> **Network / cloud configuration** — 47.98.10.20:22: The security group drops port 22 from your IP 203.0.113.7.');
    expect(md).toContain('Confidence: high');
    expect(md).toContain('aliyun ecs AuthorizeSecurityGroup --RegionId cn-hangzhou --SecurityGroupId sg-bp1examplesg00001');
    // Probe states and reasons in words, not nmap codes.
    expect(md).toContain('| 22 (ssh) | no answer | no answer at all: silently dropped | — | 2 | — |');
    expect(md).toContain('| 1 | sg-bp1examplesg00001 | sgr-bp1ssh0001 | 1 | accept | TCP | 22/22 | 192.168.1.10/32 |');
    expect(md).toContain('it admits a private address while you connect from the internet');
    expect(md).not.toMatch(/\| (no-response|filtered) \|/);
    expect(md).not.toContain('(sg.source)');
    expect(md).toContain('Region: cn-hangzhou');
  });

  it('speaks Chinese when asked', () => {
    const d = sampleDiagnosis();
    // A text stored by an older version, with ASCII punctuation.
    d.checks[d.checks.length - 1].finding['zh-CN'] = '旧版本保存的文字,标点是半角;这里应显示为全角(例如)';
    const md = renderReport(d, { format: 'md', lang: 'zh-CN' });
    expect(md).toContain('旧版本保存的文字，标点是半角；这里应显示为全角（例如）');
    expect(md).toContain('## 结论');
    expect(md).toContain('安全组未放行你的 IP 203.0.113.7 访问 22 端口');
    expect(md).toContain('| 失败 | 安全组授权对象包含你的出口 IP |');
    expect(md).toContain('置信度：高');
    expect(md).toContain('47.98.10.20:22：');
    // Dates in the reader's language.
    expect(md).toMatch(/诊断时间: 2026年11月20日/);
    // Full-width punctuation next to Chinese text, even for texts stored with ASCII punctuation.
    const prose = md.replace(/```[\s\S]*?```/g, '');
    expect(prose).not.toMatch(/[\u4e00-\u9fff][,;]|[,;][\u4e00-\u9fff]/);
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

  it('code blocks never break inside a token', () => {
    const html = renderReport(sampleDiagnosis(), { format: 'html', lang: 'en' });
    expect(html).not.toMatch(/word-break:\s*break-all/);
    expect(html).toMatch(/pre\{[^}]*white-space:pre;/);
    expect(html).toMatch(/pre\{[^}]*overflow-x:auto/);
  });

  it('a fix that opens 0.0.0.0/0 carries its warning; alternatives read as alternatives; no placeholder is shown as a command', () => {
    const d = sampleDiagnosis();
    const c = d.checks.find((x) => x.status === 'fail')!;
    c.fixes = [
      { kind: 'console', title: { en: 'In the console', 'zh-CN': '在控制台' } },
      { kind: 'aliyun-cli', platform: 'aliyun', title: { en: 'Open to all', 'zh-CN': '全部放开' }, command: 'aliyun ecs AuthorizeSecurityGroup --SourceCidrIp 0.0.0.0/0', warning: { en: 'This opens the port to the whole internet.', 'zh-CN': '这会向整个互联网开放该端口。' } },
      { kind: 'aliyun-cli', platform: 'aliyun', title: { en: 'Allow <your-public-ip>', 'zh-CN': '放行 <your-public-ip>' }, command: 'aliyun ecs AuthorizeSecurityGroup --SourceCidrIp <your-public-ip>/32' },
    ];
    const md = renderReport(d, { format: 'md', lang: 'en' });
    expect(md).toContain('Do one of these:');
    expect(md).toContain('— or —');
    expect(md).toContain('Warning: This opens the port to the whole internet.');
    expect(md).toContain('Allow your public IP');
    expect(md).toContain('A ready-to-copy command needs your public IP.');
    expect(md).not.toMatch(/&lt;your-public-ip|<your-public-ip/);
    const zh = renderReport(d, { format: 'md', lang: 'zh-CN' });
    expect(zh).toContain('任选其一：');
    expect(zh).toContain('注意：这会向整个互联网开放该端口。');
    expect(zh).toContain('要得到可直接复制的命令，还需要你的公网 IP。');
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

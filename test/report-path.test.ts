// The path picture in the exported report (issue 12): the same segments as the verdict card, as a row of
// ✓ ✗ ? plus a table in Markdown, and as an ordered list drawn as a row in HTML, in both languages.
import { describe, expect, it } from 'vitest';
import { renderReport } from '../src/core/report';
import { pathSegments } from '../src/core/diagnosis/path-picture';
import type { TraceFact } from '../src/core/probe/trace/types';
import { sampleDiagnosis } from './support/diagnosis-fixture';

describe('the path picture in the report', () => {
  it('Markdown (English): one line to look at, a table to read, the break with its finding', () => {
    const d = sampleDiagnosis();
    const md = renderReport(d, { format: 'md', lang: 'en', generatedAt: 'T' });
    const segs = pathSegments(d);
    const brk = segs.find((s) => s.isBreak)!;
    expect(brk.id).toBe('security-group');
    expect(md).toContain('**Where the packets get through**');
    expect(md).toMatch(/\n[✓✗?] This computer → [✓✗?] Your network → [✓✗?] The internet → [✓✗?] The cloud’s edge → [✓✗?] Network ACL → ✗ \*\*Security group\*\* → [✓✗?] The server’s firewall → [✓✗?] The service\n/);
    expect(md).toContain(`| 6 | ✗ Security group | broken — It breaks here | ${brk.finding!.en.replace(/\|/g, '\\|')} |`);
    // The picture comes right after the verdict, before the checklist.
    expect(md.indexOf('Where the packets get through')).toBeGreaterThan(md.indexOf('## Verdict'));
    expect(md.indexOf('Where the packets get through')).toBeLessThan(md.indexOf('## Checklist'));
    // Every segment is in the table, with a symbol for its status (not colour alone).
    for (const s of segs) expect(md).toContain(`${{ ok: '✓', broken: '✗', unknown: '?' }[s.status]} ${s.label.en} |`);
  });

  it('Markdown (Chinese): the same segments in Chinese, full-width punctuation', () => {
    const md = renderReport(sampleDiagnosis(), { format: 'md', lang: 'zh-CN' });
    expect(md).toContain('**数据包走到了哪里**');
    expect(md).toMatch(/这台电脑 → [✓✗?] 你的网络 → [✓✗?] 互联网/);
    expect(md).toContain('| 6 | ✗ 安全组 | 中断，在这里断开 |');
    expect(md).toContain('| \\# | 路段 | 状态 | 结果 |');
  });

  it('HTML: an ordered list drawn as a row, the break marked, symbols hidden from screen readers, both languages', () => {
    for (const lang of ['en', 'zh-CN'] as const) {
      const html = renderReport(sampleDiagnosis(), { format: 'html', lang });
      const ol = /<ol class="path">([\s\S]*?)<\/ol>/.exec(html)?.[1] ?? '';
      expect((ol.match(/<li /g) ?? []).length).toBe(8);
      expect(ol).toMatch(/<li class="broken break" data-segment="security-group"><span class="sym" aria-hidden="true">✗<\/span>/);
      expect(ol).toContain(lang === 'en' ? 'It breaks here' : '在这里断开');
      // The break's finding under the row, in the report's language and punctuation.
      expect(html).toContain(lang === 'en' ? '<p class="path-find"><strong><span aria-hidden="true">✗ </span>Security group: broken — It breaks here</strong><br>' : '<p class="path-find"><strong><span aria-hidden="true">✗ </span>安全组：中断，在这里断开</strong><br>');
      expect(html).toContain(lang === 'en' ? '<figcaption><strong>Where the packets get through</strong>' : '<figcaption><strong>数据包走到了哪里</strong>');
      expect(html).not.toMatch(/<script/i);
    }
  });

  it('masks IPs inside the picture’s findings too', () => {
    const md = renderReport(sampleDiagnosis(), { format: 'md', lang: 'en', maskIps: true });
    const picture = md.slice(md.indexOf('Where the packets get through'), md.indexOf('## Checklist'));
    expect(picture).not.toContain('203.0.113.7');
  });

  it('says how many trace hops lie on a segment when a trace ran', () => {
    const d = sampleDiagnosis();
    const target = d.probes!.tcp[0].address;
    const trace: TraceFact = {
      method: 'udp', tool: 'traceroute', target, targetAddress: target, hops: [
        { ttl: 1, address: '192.168.1.1', rttMs: [1], sent: 3, loss: 0 },
        { ttl: 2, address: '61.1.1.1', rttMs: [5], sent: 3, loss: 0 },
        { ttl: 3, address: null, rttMs: [], sent: 3, loss: 1 },
      ], reached: false, maxHops: 30, durationMs: 900, startedAt: 'T',
    };
    const md = renderReport({ ...d, trace } as typeof d, { format: 'md', lang: 'en' });
    expect(md).toMatch(/\| 2 \| [✓✗?] Your network \| [^|]+ \| [^|]*1 trace hop \|/);
    expect(md).toMatch(/\| 3 \| [✓✗?] The internet \| [^|]+ \| [^|]*2 trace hops \|/);
    const zh = renderReport({ ...d, trace } as typeof d, { format: 'md', lang: 'zh-CN' });
    expect(zh).toContain('追踪到 2 跳');
  });
});

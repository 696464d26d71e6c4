// Words users read: findings never carry an internal code (not-evaluated, private-source, a banner error
// token in parentheses) nor a placeholder; the unknown-source case says why and what to do; "no source
// answered" and "sources disagree" are different findings; widening fixes carry a warning.
import { describe, expect, it } from 'vitest';
import type { NearMissReason } from '../rules/types';
import { runChecks } from './checks';
import { renderFix } from '../cloud/alicloud/fixes';
import { bindAllFix, exposureWarning, osServiceFixes } from './fixes';
import { client, facts, httpBanner, IDS, miss, report, sgDeny, tcp } from './testing/builders';
import type { Check } from './types';
import { bannerErrorWords, evaluationWords, humanizeCodes, nearMissList, nearMissWords, tcpReasonWords } from './words';

const CODES = /\((?:not-evaluated|closed-after-connect|silent-after-connect|private-source|source-excludes-client|port-outside-range|wrong-direction|default-deny-basic|uncertain-peer|timeout|reset|eof)[^)]*\)|not-evaluated|private-source|source-excludes-client|default-deny|<[a-z][\w-]*>/;
const texts = (checks: Check[]): string[] => checks.flatMap((c) => [c.finding.en, c.finding['zh-CN']]);
const byId = (checks: Check[], id: string): Check => checks.find((c) => c.id === id)!;

describe('code → words', () => {
  const reasons: NearMissReason[] = ['wrong-direction', 'wrong-protocol', 'port-outside-range', 'source-excludes-client', 'private-source', 'bare-ip-without-mask', 'shadowed-by-drop', 'group-reference', 'enterprise-default-deny', 'other-interface', 'prefix-list-unresolved', 'nic-type'];
  it.each(reasons)('near-miss reason %s has words in both languages, without the code', (r) => {
    const w = nearMissWords(r);
    expect(w.en).not.toContain(r);
    expect(w['zh-CN']).not.toContain(r);
    expect(w.en.length).toBeGreaterThan(5);
    expect(w['zh-CN']).toMatch(/[\u4e00-\u9fff]/);
  });
  it('unknown codes fall back to words, never to the code', () => {
    expect(evaluationWords('some-new-code').en).not.toContain('some-new-code');
    expect(nearMissWords('some-new-reason').en).not.toContain('some-new-reason');
    expect(tcpReasonWords('weird').en).not.toContain('weird');
    expect(bannerErrorWords('ETIMEDOUT connect').en).toBe('no answer before the timeout');
    expect(nearMissList(['private-source', 'private-source', 'wrong-protocol']).en).toBe('it admits a private address while you connect from the internet; the wrong protocol');
  });
});

describe('codes left in stored text (older sessions, evidence lines)', () => {
  it('are said in words, as whole tokens only', () => {
    expect(humanizeCodes('1 rule(s) almost do (private-source)', 'en')).toBe('1 rule(s) almost do (it admits a private address while you connect from the internet)');
    expect(humanizeCodes('Probe filtered (no-response)', 'zh-CN')).toBe('Probe filtered (没有任何应答，被静默丢弃)');
    expect(humanizeCodes('decision deny: default-deny-basic', 'en')).toContain('basic security groups deny inbound traffic by default');
    // Not inside ids, paths or longer words.
    for (const s of ['sg-private-source-1', '/cloud/no-response', 'xno-response', 'syn-ack', 'i-bp1abc']) expect(humanizeCodes(s, 'en')).toBe(s);
  });
});

describe('findings in words', () => {
  it('security groups not evaluated for want of a source IP: says why and what to do, no code', () => {
    const f = facts({ probes: report([tcp('filtered', 'no-response')], { client: client({ egress: null }) }) });
    f.cloud = { ...f.cloud!, flow: null, securityGroups: null, networkAcl: null, sourceIpOrigin: 'none' };
    const checks = runChecks(f);
    const sg = checks.find((c) => c.id.startsWith('sg.') && c.condition.startsWith('not-evaluated'))!;
    expect(sg.status).toBe('unknown');
    expect(sg.finding.en).toMatch(/your public IP .* is unknown.*Enter your public IP/);
    expect(sg.finding['zh-CN']).toContain('请填写你的公网 IP');
    for (const t of texts(checks)) expect(t).not.toMatch(CODES);
  });

  it('near misses are named in words', () => {
    const checks = runChecks(facts({ probes: report([tcp('filtered', 'no-response')]), sg: sgDeny([miss('private-source', 'sgr-1', 'rule admits 192.168.1.10/32')]) }));
    const failing = checks.filter((c) => c.status === 'fail');
    expect(failing.length).toBeGreaterThan(0);
    for (const t of texts(checks)) expect(t).not.toMatch(CODES);
  });

  it('a banner error is said in words', () => {
    const banner = { kind: 'none' as const, method: 'ssh-ident', bytesRead: 0, durationMs: 3000, error: 'timeout' };
    const checks = runChecks(facts({ probes: report([tcp('open', 'syn-ack', { banner })]) }));
    const app = byId(checks, 'app.responds');
    expect(app.finding.en).toMatch(/no greeting/);
    expect(app.finding.en).not.toMatch(/\(timeout\)/);
  });

  it('HTTP answer still reads as before (no regression in wording)', () => {
    const checks = runChecks(facts({ port: 80, service: 'http', probes: report([tcp('open', 'syn-ack', { port: 80, banner: httpBanner(200) })]) }));
    expect(byId(checks, 'app.responds').status).toBe('pass');
  });
});

describe('public-IP sources', () => {
  const eg = (sources: { url: string; address?: string; error?: string }[], distinct: string[]) => ({
    address: null,
    consensus: false,
    sources: sources.map((s) => ({ ...s, durationMs: 5 })),
    answered: sources.filter((s) => s.address).length,
    agreeing: 0,
    distinct,
  });
  const run = (egressIp: ReturnType<typeof eg> | null) => {
    const c = client();
    const probes = report([tcp('open', 'syn-ack')], { client: { ...c, egressIp } });
    return byId(runChecks(facts({ probes })), 'client.egress-ip');
  };
  it('no source answered ≠ sources disagree ≠ turned off', () => {
    const none = run(eg([{ url: 'http://127.0.0.1:9/a', error: 'timeout' }, { url: 'http://127.0.0.1:9/b', error: 'ECONNREFUSED' }], []));
    const split = run(eg([{ url: 'http://127.0.0.1:9/a', address: '198.51.100.1' }, { url: 'http://127.0.0.1:9/b', address: '198.51.100.2' }], ['198.51.100.1', '198.51.100.2']));
    const off = run(eg([], []));
    expect(none.condition).toBe('no-source-answered');
    expect(none.status).toBe('unknown');
    expect(split.condition).toBe('sources-disagree');
    expect(split.status).toBe('warn');
    expect(split.finding.en).toContain('198.51.100.1, 198.51.100.2');
    expect(off.condition).toBe('egress-unknown');
    expect(new Set([none.finding.en, split.finding.en, off.finding.en]).size).toBe(3);
  });
  it('a known address still passes', () => {
    expect(byId(runChecks(facts()), 'client.egress-ip').finding.en).toContain(IDS.clientIp);
  });
});

describe('a custom port whose service is not known', () => {
  it('is said in words, with no placeholder in a command or title', () => {
    const fixes = osServiceFixes(undefined, 18080, 'linux');
    for (const f of fixes) {
      expect(f.command ?? '').not.toMatch(/<[a-z]/);
      expect(f.title.en).not.toMatch(/<[a-z]/);
    }
    expect(fixes[0].title.en).toContain('port 18080');
    expect(osServiceFixes('redis', 6379, 'linux')[0].command).toContain('systemctl enable --now redis');
  });
});

describe('fixes that widen exposure', () => {
  it('0.0.0.0/0 and ::/0 carry a warning with the narrower choice; a /32 does not', () => {
    const cliAuthorize = ({ cidr }: { cidr: string }) =>
      renderFix([{ api: 'AuthorizeSecurityGroup', params: { RegionId: 'cn-hangzhou', SecurityGroupId: 'sg-1', Permissions: [{ IpProtocol: 'TCP', PortRange: '22/22', [cidr.includes(':') ? 'Ipv6SourceCidrIp' : 'SourceCidrIp']: cidr, Policy: 'accept', Priority: '1' }] } }], 'cn-hangzhou', {
        intent: { kind: 'allow-flow', groupId: 'sg-1', direction: 'ingress', protocol: 'tcp', port: 22, cidr },
        simulated: { decision: 'unknown' },
        executable: false,
      }).find((f) => f.kind === 'aliyun-cli')!;
    const base = {};
    expect(cliAuthorize({ ...base, cidr: '0.0.0.0/0' }).warning?.en).toMatch(/whole internet.*your public IP \(\/32\)/);
    expect(cliAuthorize({ ...base, cidr: '::/0' }).warning).toBeDefined();
    expect(cliAuthorize({ ...base, cidr: '203.0.113.7/32' }).warning).toBeUndefined();
    expect(exposureWarning('10.0.0.0/8')).toBeUndefined();
  });
  it('binding to 0.0.0.0 warns and names the narrower alternative', () => {
    const w = bindAllFix(6379, 'redis-server').warning!;
    expect(w.en).toMatch(/private address/);
    expect(w.en).toMatch(/requirepass/);
    expect(w['zh-CN']).toMatch(/内网地址/);
  });
});

describe('no command-line flag of sg-doctor in texts the app shows', () => {
  it('no L(...) text in core names one of our flags', async () => {
    const { readFileSync, readdirSync, statSync } = await import('node:fs');
    const { join } = await import('node:path');
    const root = join(__dirname, '..');
    const files: string[] = [];
    const walk = (d: string) => {
      for (const n of readdirSync(d)) {
        const p = join(d, n);
        if (statSync(p).isDirectory()) walk(p);
        else if (p.endsWith('.ts') && !p.endsWith('.test.ts')) files.push(p);
      }
    };
    walk(root);
    const FLAGS = /--(profile|region|snapshot|server-evidence|cloud-assistant|instance|source-ip|service|access-key-stdin|expect-ip)\b/;
    const offenders: string[] = [];
    for (const f of files) {
      const src = readFileSync(f, 'utf8');
      for (const m of src.matchAll(/\bL\(\s*(['`])((?:\\.|(?!\1)[\s\S])*)\1\s*,\s*(['`])((?:\\.|(?!\3)[\s\S])*)\3/g)) {
        if (FLAGS.test(m[2]) || FLAGS.test(m[4])) offenders.push(`${f}: ${m[4].slice(0, 80)}`);
      }
    }
    expect(files.length).toBeGreaterThan(20);
    expect(offenders).toEqual([]);
  });
});

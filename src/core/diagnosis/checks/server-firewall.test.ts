// os.firewall with server evidence: the firewall is evaluated for this client (its public IP as the
// server sees it), this protocol and this port — not per port for an arbitrary source.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runChecks } from '../checks';
import { parseServerEvidence } from '../server-evidence/parse';
import { client, evidence, facts, IDS, report, tcp } from '../testing/builders';
import { decideVerdict } from '../verdict';

import type { ServerEvidence } from '../types';

const iptables = (rules: string, policy = 'ACCEPT'): ServerEvidence['firewall'] =>
  parseServerEvidence(`===SGD:begin v=1 os=linux ports=22===\n===SGD:iptables===\n*filter\n:INPUT ${policy} [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n${rules.trim()}\nCOMMIT\n===SGD:end===\n`, { ports: [22], source: 'pasted' }).firewall;

const officeThenDrop = iptables(`
-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A INPUT -s ${IDS.clientIp.replace(/\.\d+$/, '.0')}/24 -p tcp -m tcp --dport 22 -j ACCEPT
-A INPUT -p tcp -m tcp --dport 22 -j DROP`);

const osFirewall = (f: ReturnType<typeof facts>) => runChecks(f).find((c) => c.id === 'os.firewall')!;

describe('os.firewall on server evidence, per flow', () => {
  it('ACCEPT for the client network before a DROP: pass, naming the accepting rule; the verdict is none', () => {
    const f = facts({ server: evidence({ firewall: officeThenDrop }) });
    const c = osFirewall(f);
    expect(c.status).toBe('pass');
    expect(c.condition).toBe('allows');
    expect(c.finding.en).toContain('--dport 22 -j ACCEPT');
    expect(c.finding.en).toContain(`from ${IDS.clientIp}`);
    const checks = runChecks(f);
    expect(decideVerdict(f, checks).locus).toBe('none');
  });

  it('the same rules, the client elsewhere: fail naming the DROP rule; locus server', () => {
    const other = '198.51.100.9';
    const f = facts({ probes: report([tcp('filtered', 'no-response')], { client: client({ egress: other }) }), server: evidence({ firewall: officeThenDrop }) });
    const c = osFirewall(f);
    expect(c.status).toBe('fail');
    expect(c.condition).toBe('blocks:iptables');
    expect(c.finding.en).toBe(`iptables drops 22/tcp connections from ${other}: -A INPUT -p tcp -m tcp --dport 22 -j DROP`);
    expect(c.finding['zh-CN']).toContain(`来自 ${other} 的 22/tcp 连接`);
    expect(c.evidence.some((e) => e.summary.includes('deny by -A INPUT -p tcp -m tcp --dport 22 -j DROP'))).toBe(true);
    expect(decideVerdict(f, runChecks(f)).locus).toBe('server');
  });

  it('public IP unknown and the deciding rule depends on the source: unknown, never fail', () => {
    const f = facts({ probes: report([tcp('filtered', 'no-response')], { client: client({ egress: null }) }), snapshot: null, server: evidence({ firewall: officeThenDrop }) });
    const c = osFirewall(f);
    expect(c.status).toBe('unknown');
    expect(c.condition).toBe('depends-on-source');
    expect(c.finding.en).toMatch(/depends on the source address, and your public IP is unknown/);
    expect(c.finding['zh-CN']).toMatch(/取决于来源地址/);
  });

  it('public IP unknown with cloud data (a sourceless flow has an empty sourceIp): still unknown, never fail', () => {
    const f = facts({ probes: report([tcp('filtered', 'no-response')], { client: client({ egress: null }) }), server: evidence({ firewall: officeThenDrop }) });
    f.cloud!.flow = { ...f.cloud!.flow!, sourceIp: '' };
    const c = osFirewall(f);
    expect(c.status).toBe('unknown');
    expect(c.condition).toBe('depends-on-source');
  });

  it('public IP unknown but the rule that decides ignores the source: decided', () => {
    const f = facts({ probes: report([tcp('filtered', 'no-response')], { client: client({ egress: null }) }), snapshot: null, server: evidence({ firewall: iptables('-A INPUT -p tcp --dport 22 -j DROP') }) });
    expect(osFirewall(f).status).toBe('fail');
  });

  it('an ipset before the deciding rule: unknown naming the set', () => {
    const f = facts({ server: evidence({ firewall: iptables('-A INPUT -m set --match-set allowed src -j ACCEPT', 'DROP') }) });
    const c = osFirewall(f);
    expect(c.status).toBe('unknown');
    expect(c.condition).toBe('undecided');
    expect(c.finding.en).toContain('the contents of an IP set');
  });

  it('evidence saved before rules were kept still decides from its per-port summary', () => {
    expect(osFirewall(facts({ server: evidence() })).status).toBe('pass');
    const f = facts({ probes: report([tcp('filtered', 'no-response')]), server: evidence({ firewall: [{ kind: 'ufw', active: true, allowsPort: { '22/tcp': false }, defaultInbound: 'drop', details: [] }] }) });
    expect(osFirewall(f).status).toBe('fail');
  });

  it('ufw active with iptables-save cut by the output limit (real capture): ufw’s own listing decides', () => {
    const text = readFileSync(path.join(__dirname, '..', 'server-evidence', 'fixtures', 'ufw-active-truncated.txt'), 'utf8');
    const fw = (port: number) => parseServerEvidence(text, { ports: [port], source: 'pasted' }).firewall;
    const open = osFirewall(facts({ server: evidence({ firewall: fw(22) }) }));
    expect(open.status).toBe('pass');
    expect(open.finding.en).toContain('ufw (ufw: 22/tcp (OpenSSH) ALLOW IN Anywhere)');
    const closed = osFirewall(facts({ port: 2222, probes: report([tcp('filtered', 'no-response', { port: 2222 })]), server: evidence({ firewall: fw(2222) }) }));
    expect(closed.status).toBe('fail');
    expect(closed.condition).toBe('blocks:ufw');
    expect(closed.finding.en).toContain('ufw default deny (incoming)');
  });
});

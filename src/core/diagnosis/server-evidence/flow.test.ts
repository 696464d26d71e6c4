// Per-flow firewall evaluation: unit tests per firewall kind, on hand-written rule sets in each firewall's
// own output format and on the captured fixtures.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ServerEvidence } from '../types';
import { evaluateFirewallFlow, type FlowInput } from './flow';
import { parseServerEvidence } from './parse';

type Fw = ServerEvidence['firewall'][number];
const fixture = (name: string): string => readFileSync(path.join(__dirname, 'fixtures', name), 'utf8');
const parse = (text: string, ports: number[]): ServerEvidence => parseServerEvidence(text, { ports, source: 'pasted', collectedAt: '2026-01-01T00:00:00.000Z' });
const fwOf = (text: string, kind: Fw['kind'], ports = [22]): Fw => {
  const f = parse(text, ports).firewall.find((x) => x.kind === kind);
  if (!f) throw new Error(`no ${kind} in the evidence`);
  return f;
};
const flow = (sourceIp: string | null, port = 22, protocol: 'tcp' | 'udp' = 'tcp'): FlowInput => ({ sourceIp, port, protocol });

const ipt = (rules: string, policy = 'ACCEPT', chains: string[] = []): string =>
  `*filter\n:INPUT ${policy} [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n${chains.map((c) => `:${c} - [0:0]\n`).join('')}${rules.trim()}\nCOMMIT\n`;

describe('iptables per flow', () => {
  const acceptNetThenDrop = ipt(`
-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A INPUT -i lo -j ACCEPT
-A INPUT -s 203.0.113.0/24 -p tcp -m tcp --dport 22 -j ACCEPT
-A INPUT -p tcp -m tcp --dport 22 -j DROP`);

  it('ACCEPT for the client network before a DROP → allow, naming the accepting rule', () => {
    const d = evaluateFirewallFlow(fwOf(acceptNetThenDrop, 'iptables'), flow('203.0.113.7'));
    expect(d.decision).toBe('allow');
    expect(d.decidedBy).toEqual({ kind: 'rule', text: '-A INPUT -s 203.0.113.0/24 -p tcp -m tcp --dport 22 -j ACCEPT', chain: 'INPUT', index: 2 });
  });

  it('the same rules for another network → deny by the DROP', () => {
    const d = evaluateFirewallFlow(fwOf(acceptNetThenDrop, 'iptables'), flow('198.51.100.9'));
    expect(d.decision).toBe('deny');
    expect(d.action).toBe('drop');
    expect(d.decidedBy?.text).toBe('-A INPUT -p tcp -m tcp --dport 22 -j DROP');
  });

  it('source unknown and the decision depends on it → unknown, saying so', () => {
    const d = evaluateFirewallFlow(fwOf(acceptNetThenDrop, 'iptables'), flow(null));
    expect(d.decision).toBe('unknown');
    expect(d.dependsOn).toContain('source');
    expect(d.reason).toMatch(/source address/);
    expect(d.candidates?.map((c) => c.action).sort()).toEqual(['accept', 'drop']);
  });

  it('source unknown but the rule that decides does not depend on it → decided', () => {
    const fw = fwOf(ipt('-A INPUT -s 10.0.0.0/8 -p tcp --dport 22 -j DROP\n-A INPUT -p tcp --dport 22 -j DROP'), 'iptables');
    expect(evaluateFirewallFlow(fw, flow(null)).decision).toBe('deny');
  });

  it('source unknown, but a DROP for a network shadows the ACCEPT for its subnet: deny for every source', () => {
    const fw = fwOf(ipt('-A INPUT -s 203.0.113.0/24 -p tcp --dport 22 -j DROP\n-A INPUT -s 203.0.113.128/25 -p tcp --dport 22 -j ACCEPT', 'DROP'), 'iptables');
    const d = evaluateFirewallFlow(fw, flow(null));
    expect(d.decision).toBe('deny');
    expect(d.dependsOn).not.toContain('source');
    expect(d.reason).toContain('the same for every source address');
  });

  it('policy DROP with no matching rule → deny by the policy', () => {
    const d = evaluateFirewallFlow(fwOf(ipt('-A INPUT -p tcp --dport 80 -j ACCEPT', 'DROP'), 'iptables'), flow('203.0.113.7'));
    expect(d).toMatchObject({ decision: 'deny', decidedBy: { kind: 'policy', text: 'INPUT policy DROP' } });
  });

  it('RETURN from a user chain continues in INPUT after the jump', () => {
    const text = ipt(
      `-A INPUT -j FILTERS
-A INPUT -p tcp --dport 22 -j ACCEPT
-A FILTERS -s 203.0.113.0/24 -j RETURN
-A FILTERS -p tcp --dport 22 -j DROP`,
      'DROP',
      ['FILTERS'],
    );
    expect(evaluateFirewallFlow(fwOf(text, 'iptables'), flow('203.0.113.7'))).toMatchObject({ decision: 'allow', decidedBy: { chain: 'INPUT', index: 1 } });
    expect(evaluateFirewallFlow(fwOf(text, 'iptables'), flow('198.51.100.9'))).toMatchObject({ decision: 'deny', decidedBy: { chain: 'FILTERS', index: 1 } });
  });

  it('goto: the end of the target chain returns to the caller of the chain that did the goto', () => {
    const text = ipt(`-A INPUT -j A\n-A INPUT -j DROP\n-A A -g B\n-A A -j ACCEPT\n-A B -s 198.51.100.0/24 -j REJECT`, 'ACCEPT', ['A', 'B']);
    expect(evaluateFirewallFlow(fwOf(text, 'iptables'), flow('203.0.113.7'))).toMatchObject({ decision: 'deny', decidedBy: { text: '-A INPUT -j DROP' } });
    expect(evaluateFirewallFlow(fwOf(text, 'iptables'), flow('198.51.100.9'))).toMatchObject({ decision: 'deny', action: 'reject' });
  });

  it('negated source: DROP everyone except the office', () => {
    const fw = fwOf(ipt('-A INPUT ! -s 203.0.113.0/24 -p tcp --dport 22 -j DROP'), 'iptables');
    expect(evaluateFirewallFlow(fw, flow('203.0.113.7')).decision).toBe('allow');
    expect(evaluateFirewallFlow(fw, flow('198.51.100.9')).decision).toBe('deny');
    expect(evaluateFirewallFlow(fw, flow(null)).decision).toBe('unknown');
  });

  it('multiport lists and ranges, negated ports, protocol', () => {
    const fw = fwOf(ipt('-A INPUT -p tcp -m multiport --dports 80,443,8000:8100 -j ACCEPT\n-A INPUT -p tcp -m tcp ! --dport 22 -j DROP', 'DROP'), 'iptables', [22, 80, 8050, 9000]);
    expect(evaluateFirewallFlow(fw, flow('203.0.113.7', 8050)).decision).toBe('allow');
    expect(evaluateFirewallFlow(fw, flow('203.0.113.7', 9000)).decidedBy?.text).toContain('! --dport 22');
    expect(evaluateFirewallFlow(fw, flow('203.0.113.7', 22)).decidedBy?.kind).toBe('policy');
    expect(evaluateFirewallFlow(fw, flow('203.0.113.7', 80, 'udp')).decidedBy?.kind).toBe('policy');
  });

  it('ESTABLISHED-only rules do not admit a NEW connection; -i lo never matches; other interfaces may', () => {
    const fw = fwOf(ipt('-A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT\n-A INPUT -i lo -j ACCEPT\n-A INPUT -i eth0 -p tcp --dport 22 -j ACCEPT', 'DROP'), 'iptables');
    const d = evaluateFirewallFlow(fw, flow('203.0.113.7'));
    expect(d.decision).toBe('unknown');
    expect(d.dependsOn).toEqual(['interface']);
    expect(d.mayMatch).toEqual(['-A INPUT -i eth0 -p tcp --dport 22 -j ACCEPT']);
  });

  it('-m set: unknown contents → unknown unless a later certain result agrees', () => {
    const deny = fwOf(ipt('-A INPUT -m set --match-set blocklist src -j DROP\n-A INPUT -p tcp --dport 22 -j ACCEPT'), 'iptables');
    expect(evaluateFirewallFlow(deny, flow('203.0.113.7'))).toMatchObject({ decision: 'unknown', dependsOn: ['set'] });
    const same = fwOf(ipt('-A INPUT -m set --match-set blocklist src -j DROP\n-A INPUT -p tcp --dport 22 -j DROP'), 'iptables');
    const d = evaluateFirewallFlow(same, flow('203.0.113.7'));
    expect(d.decision).toBe('deny');
    expect(d.decidedBy?.index).toBe(1);
    expect(d.mayMatch).toEqual(['-A INPUT -m set --match-set blocklist src -j DROP']);
  });

  it('source-port rules (DHCP replies) never match a client SYN; an option SG Doctor does not read may match', () => {
    const fw = fwOf(ipt('-A INPUT -p tcp --sport 67:68 -j ACCEPT\n-A INPUT -p tcp --dport 22 -m owner --uid-owner 0 -j ACCEPT', 'DROP'), 'iptables');
    const d = evaluateFirewallFlow(fw, flow('203.0.113.7'));
    expect(d.decision).toBe('unknown');
    expect(d.dependsOn).toEqual(['option']);
  });

  it('ufw chains in iptables-save (real capture): OpenSSH allowed, 3306 denied, 8080 only from 203.0.113.0/24', () => {
    const fw = fwOf(fixture('raw-iptables-save-ufw.txt'), 'iptables', [22, 3306, 8080]);
    expect(evaluateFirewallFlow(fw, flow('198.51.100.9', 22)).decision).toBe('allow');
    expect(evaluateFirewallFlow(fw, flow('198.51.100.9', 3306)).decision).toBe('deny');
    expect(evaluateFirewallFlow(fw, flow('203.0.113.7', 8080))).toMatchObject({ decision: 'allow', decidedBy: { chain: 'ufw-user-input' } });
    expect(evaluateFirewallFlow(fw, flow('198.51.100.9', 8080)).decision).toBe('deny');
    expect(evaluateFirewallFlow(fw, flow(null, 8080)).decision).toBe('unknown');
  });

  it('CentOS-style real capture: 22 open only to 198.51.100.0/24', () => {
    const fw = fwOf(fixture('debian12-iptables-drop-reject.txt'), 'iptables', [22, 3306]);
    expect(evaluateFirewallFlow(fw, flow('198.51.100.20')).decision).toBe('allow');
    expect(evaluateFirewallFlow(fw, flow('203.0.113.7'))).toMatchObject({ decision: 'deny', decidedBy: { text: '-A INPUT -p tcp -m tcp --dport 22 -j DROP' } });
    expect(evaluateFirewallFlow(fw, flow('203.0.113.7', 3306))).toMatchObject({ decision: 'deny', action: 'reject' });
  });
});

const nft = (body: string): string => `table inet filter {\n${body}\n}\n`;

describe('nftables per flow', () => {
  it('ip saddr accept before a drop policy; sets { 22, 80 } and ranges', () => {
    const fw = fwOf(
      nft(`	chain input {
		type filter hook input priority filter; policy drop;
		ct state established,related accept
		iif "lo" accept
		ip saddr 203.0.113.0/24 tcp dport { 22, 80 } accept
		tcp dport 8000-8100 accept
	}`),
      'nftables',
      [22, 8050],
    );
    expect(evaluateFirewallFlow(fw, flow('203.0.113.7'))).toMatchObject({ decision: 'allow', decidedBy: { index: 2 } });
    expect(evaluateFirewallFlow(fw, flow('198.51.100.9'))).toMatchObject({ decision: 'deny', decidedBy: { kind: 'policy', text: 'inet filter input policy drop' } });
    expect(evaluateFirewallFlow(fw, flow('198.51.100.9', 8050)).decision).toBe('allow');
    expect(evaluateFirewallFlow(fw, flow(null)).decision).toBe('unknown');
  });

  it('named sets: listed elements are read (an empty one matches nothing), a set not in the output may match', () => {
    const text = `table inet f {
	set office {
		type ipv4_addr
		flags interval
		elements = { 203.0.113.0/24, 192.0.2.10 }
	}
	set banned {
		type ipv4_addr
	}
	chain input {
		type filter hook input priority 0; policy accept;
		ip saddr @office accept
		ip saddr @banned drop
		ip saddr @elsewhere drop
		tcp dport 22 drop
	}
}
`;
    const fw = fwOf(text, 'nftables');
    expect(evaluateFirewallFlow(fw, flow('192.0.2.10')).decision).toBe('allow');
    // "banned" is listed empty; "elsewhere" is not in the output: it may match, and the DROP after it agrees.
    expect(evaluateFirewallFlow(fw, flow('198.51.100.9'))).toMatchObject({ decision: 'deny', decidedBy: { text: 'tcp dport 22 drop' }, mayMatch: ['ip saddr @elsewhere drop'] });
  });

  it('two base chains: an accept in the first meets the second; jump/return', () => {
    const text = `table inet a {
	chain input {
		type filter hook input priority -10; policy accept;
		tcp dport 22 accept
	}
}
table ip b {
	chain allowed {
		ip saddr 203.0.113.0/24 return
		drop
	}
	chain input {
		type filter hook input priority 0; policy accept;
		tcp dport 22 jump allowed
	}
}
`;
    const fw = fwOf(text, 'nftables');
    expect(evaluateFirewallFlow(fw, flow('203.0.113.7'))).toMatchObject({ decision: 'allow', decidedBy: { kind: 'policy', text: 'ip b input policy accept' } });
    expect(evaluateFirewallFlow(fw, flow('198.51.100.9'))).toMatchObject({ decision: 'deny', decidedBy: { text: 'drop', chain: 'ip b allowed' } });
  });

  it('real capture: 8080 open to 192.0.2.0/24 only, 3306 rejected', () => {
    const fw = fwOf(fixture('debian12-nftables.txt'), 'nftables', [22, 3306, 8080]);
    expect(evaluateFirewallFlow(fw, flow('192.0.2.5', 8080)).decision).toBe('allow');
    expect(evaluateFirewallFlow(fw, flow('203.0.113.7', 8080)).decision).toBe('deny');
    expect(evaluateFirewallFlow(fw, flow('203.0.113.7', 3306))).toMatchObject({ decision: 'deny', action: 'reject' });
    expect(evaluateFirewallFlow(fw, flow('203.0.113.7', 22)).decision).toBe('allow');
  });
});

const firewalld = (zones: string, def = 'public'): string => `===SGD:begin v=1 os=linux ports=22===\n===SGD:firewalld===\nrunning\n${zones}default-zone: ${def}\n===SGD:end===\n`;
const zone = (name: string, f: Record<string, string>, rich: string[] = [], active = true): string =>
  `${name}${active ? ' (active)' : ''}\n  target: ${f.target ?? 'default'}\n  interfaces: ${f.interfaces ?? ''}\n  sources: ${f.sources ?? ''}\n  services: ${f.services ?? ''}\n  ports: ${f.ports ?? ''}\n  protocols: \n  forward-ports: \n  source-ports: \n  rich rules: \n${rich.map((r) => `\t${r}\n`).join('')}`;

describe('firewalld per flow', () => {
  const text = firewalld(zone('public', { interfaces: 'eth0', services: 'http' }) + zone('trusted', { sources: '203.0.113.0/24', target: 'ACCEPT' }));

  it('a zone whose sources contain the client wins over the interface zone', () => {
    expect(evaluateFirewallFlow(fwOf(text, 'firewalld'), flow('203.0.113.7'))).toMatchObject({ decision: 'allow', decidedBy: { text: 'zone trusted target ACCEPT' } });
    expect(evaluateFirewallFlow(fwOf(text, 'firewalld'), flow('198.51.100.9'))).toMatchObject({ decision: 'deny', action: 'reject', decidedBy: { text: 'zone public target default' } });
    expect(evaluateFirewallFlow(fwOf(text, 'firewalld'), flow(null))).toMatchObject({ decision: 'unknown', dependsOn: ['source'] });
  });

  it('rich rules: source accept, deny before allow, source not', () => {
    const t = firewalld(
      zone('public', { interfaces: 'eth0', services: 'ssh' }, ['rule family="ipv4" source address="198.51.100.0/24" port port="22" protocol="tcp" reject', 'rule family="ipv4" source address="192.0.2.0/24" port port="3306" protocol="tcp" accept']),
    );
    const fw = fwOf(t, 'firewalld', [22, 3306]);
    expect(evaluateFirewallFlow(fw, flow('198.51.100.9'))).toMatchObject({ decision: 'deny', action: 'reject' });
    expect(evaluateFirewallFlow(fw, flow('203.0.113.7'))).toMatchObject({ decision: 'allow', decidedBy: { text: 'zone public services: ssh' } });
    expect(evaluateFirewallFlow(fw, flow('192.0.2.9', 3306)).decision).toBe('allow');
    expect(evaluateFirewallFlow(fw, flow('203.0.113.7', 3306)).decision).toBe('deny');
  });

  it('target DROP and ports with ranges', () => {
    const fw = fwOf(firewalld(zone('drop', { interfaces: 'eth0', target: 'DROP', ports: '8000-8100/tcp' }), 'drop'), 'firewalld', [22, 8050]);
    expect(evaluateFirewallFlow(fw, flow('203.0.113.7'))).toMatchObject({ decision: 'deny', action: 'drop' });
    expect(evaluateFirewallFlow(fw, flow('203.0.113.7', 8050)).decision).toBe('allow');
    expect(evaluateFirewallFlow(fw, flow('203.0.113.7', 8050, 'udp')).decision).toBe('deny');
  });

  it('sample fixture: 3306 only from 203.0.113.0/24 by a rich rule', () => {
    const fw = fwOf(fixture('alinux3-firewalld.txt'), 'firewalld', [22, 3306]);
    expect(evaluateFirewallFlow(fw, flow('203.0.113.7', 3306)).decision).toBe('allow');
    expect(evaluateFirewallFlow(fw, flow('198.51.100.9', 3306)).decision).toBe('deny');
  });
});

const ufw = (rules: string, def = 'deny'): string =>
  `Status: active\nLogging: on (low)\nDefault: ${def} (incoming), allow (outgoing), disabled (routed)\nNew profiles: skip\n\nTo                         Action      From\n--                         ------      ----\n${rules}\n`;

describe('ufw per flow', () => {
  it('From CIDR: allowed network → allow, others → default deny', () => {
    const fw = fwOf(ufw('22/tcp                     ALLOW IN    203.0.113.0/24\n22/tcp                     DENY IN     Anywhere'), 'ufw');
    expect(evaluateFirewallFlow(fw, flow('203.0.113.7'))).toMatchObject({ decision: 'allow', decidedBy: { index: 0 } });
    expect(evaluateFirewallFlow(fw, flow('198.51.100.9'))).toMatchObject({ decision: 'deny', decidedBy: { index: 1 } });
    expect(evaluateFirewallFlow(fw, flow(null)).decision).toBe('unknown');
  });

  it('first match wins: a DENY for one address before an ALLOW for Anywhere', () => {
    const fw = fwOf(ufw('22/tcp                     DENY IN     198.51.100.9\n22/tcp                     ALLOW IN    Anywhere\n22/tcp (v6)                ALLOW IN    Anywhere (v6)'), 'ufw');
    expect(evaluateFirewallFlow(fw, flow('198.51.100.9')).decision).toBe('deny');
    expect(evaluateFirewallFlow(fw, flow('203.0.113.7')).decision).toBe('allow');
  });

  it('a 26-character To column is followed by one space only (ufw prints "%-26s %-12s")', () => {
    const fw = fwOf(ufw('22,3306,8000:8100/tcp (v6) DENY IN     Anywhere (v6)\n8000:8100,9000/tcp         DENY IN     Anywhere\n22,3306,8000:8100/tcp      ALLOW IN    Anywhere'), 'ufw', [22, 8050]);
    expect(evaluateFirewallFlow(fw, flow('203.0.113.7', 8050))).toMatchObject({ decision: 'deny', decidedBy: { index: 1 } });
    expect(evaluateFirewallFlow(fw, flow('203.0.113.7', 22))).toMatchObject({ decision: 'allow', decidedBy: { index: 2 } });
  });

  it('no rule → the default; LIMIT accepts a fresh attempt; apps by name', () => {
    const fw = fwOf(ufw('OpenSSH                    LIMIT IN    Anywhere\n80/tcp                     ALLOW IN    Anywhere', 'reject'), 'ufw', [22, 80, 3306]);
    expect(evaluateFirewallFlow(fw, flow('203.0.113.7', 3306))).toMatchObject({ decision: 'deny', action: 'reject', decidedBy: { kind: 'policy', text: 'ufw default reject (incoming)' } });
    expect(evaluateFirewallFlow(fw, flow('203.0.113.7', 22)).decision).toBe('allow');
  });
});

const win = (profiles: string, rules: string, categories = ''): string =>
  `===SGD:begin v=1 os=windows ports=3389===\n===SGD:profiles===\n${profiles}\n===SGD:netprofile===\n${categories}\n===SGD:rules===\n${rules}\n===SGD:end===\n`;
const rule = (f: Record<string, string>): string => `rule ${Object.entries(f).map(([k, v]) => `${k}=${v}`).join('\t')}`;

describe('Windows Firewall per flow', () => {
  const profiles = 'profile name=Domain enabled=True inbound=Block\nprofile name=Private enabled=True inbound=Block\nprofile name=Public enabled=True inbound=Block';

  it('a Block rule beats an Allow rule whatever their order', () => {
    const rules = [rule({ action: 'Allow', profile: 'Any', protocol: 'TCP', port: '3389', remote: 'Any', name: 'RDP' }), rule({ action: 'Block', profile: 'Any', protocol: 'TCP', port: '3389', remote: '198.51.100.0/24', name: 'bad net' })].join('\n');
    const fw = fwOf(win(profiles, rules, 'network category=Public'), 'windows', [3389]);
    expect(evaluateFirewallFlow(fw, flow('198.51.100.9', 3389))).toMatchObject({ decision: 'deny', decidedBy: { text: 'Block rule "bad net" (remote 198.51.100.0/24, profile Any)' } });
    expect(evaluateFirewallFlow(fw, flow('203.0.113.7', 3389))).toMatchObject({ decision: 'allow', decidedBy: { text: expect.stringContaining('"RDP"') } });
    expect(evaluateFirewallFlow(fw, flow(null, 3389)).decision).toBe('unknown');
  });

  it('an Allow rule for another remote address → the default inbound Block', () => {
    const fw = fwOf(win(profiles, rule({ action: 'Allow', profile: 'Public', protocol: 'TCP', port: '3389', remote: '192.0.2.0/24', name: 'office' }), 'network category=Public'), 'windows', [3389]);
    expect(evaluateFirewallFlow(fw, flow('203.0.113.7', 3389))).toMatchObject({ decision: 'deny', decidedBy: { kind: 'policy', text: 'profile Public default inbound Block' } });
    expect(evaluateFirewallFlow(fw, flow('192.0.2.1', 3389)).decision).toBe('allow');
  });

  it('the profile in force is off → allow', () => {
    const fw = fwOf(win('profile name=Public enabled=False inbound=Block\nprofile name=Domain enabled=True inbound=Block', '', 'network category=Public'), 'windows', [3389]);
    expect(evaluateFirewallFlow(fw, flow('203.0.113.7', 3389)).decision).toBe('allow');
  });
});

describe('evidence saved before rules were kept (no `rules` field)', () => {
  const legacy: Fw = { kind: 'iptables', active: true, allowsPort: { '22': null }, defaultInbound: 'drop', details: [], sourceRestricted: { '22': ['203.0.113.0/24'] } };
  it('falls back to allowsPort and sourceRestricted', () => {
    expect(evaluateFirewallFlow(legacy, flow('203.0.113.7')).decision).toBe('allow');
    expect(evaluateFirewallFlow(legacy, flow('198.51.100.9')).decision).toBe('deny');
    expect(evaluateFirewallFlow(legacy, flow(null)).decision).toBe('unknown');
    expect(evaluateFirewallFlow({ ...legacy, allowsPort: { '22/tcp': false } }, flow(null)).decision).toBe('deny');
  });
});

describe('new real captures (namespace, 2026-12-02)', () => {
  it('iptables: user chain with RETURN, negated source, LOG, ipset, port range, policy DROP', () => {
    const text = fixture('debian12-iptables-user-chain-ipset.txt');
    const fw = fwOf(text, 'iptables', [22, 80, 3306, 8080]);
    // The office network passes SSH-IN to its final ACCEPT.
    expect(evaluateFirewallFlow(fw, flow('203.0.113.7'))).toMatchObject({ decision: 'allow', decidedBy: { chain: 'SSH-IN', index: 3, text: '-A SSH-IN -j ACCEPT' } });
    // Everyone else outside it is logged and dropped.
    expect(evaluateFirewallFlow(fw, flow('198.51.100.9'))).toMatchObject({ decision: 'deny', action: 'drop', decidedBy: { chain: 'SSH-IN', index: 2 } });
    // 192.0.2.0/28 RETURNs to INPUT, where no later rule admits port 22 — the final REJECT tcp-reset decides.
    expect(evaluateFirewallFlow(fw, flow('192.0.2.3'))).toMatchObject({ decision: 'deny', action: 'reject', decidedBy: { chain: 'INPUT', text: '-A INPUT -p tcp -j REJECT --reject-with tcp-reset' } });
    // 3306 depends on the ipset's contents (not in the output): unknown, and saying why.
    expect(evaluateFirewallFlow(fw, flow('192.0.2.3', 3306))).toMatchObject({ decision: 'unknown', dependsOn: ['set'] });
    expect(evaluateFirewallFlow(fw, flow('198.51.100.9', 8080)).decision).toBe('allow');
    expect(evaluateFirewallFlow(fw, flow('203.0.113.7', 8080)).decision).toBe('deny');
    expect(evaluateFirewallFlow(fw, flow('203.0.113.7', 80)).decision).toBe('allow');
    expect(evaluateFirewallFlow(fw, flow(null, 80)).decision).toBe('allow');
    // The nft view of the same rules is iptables-nft's own table: not reported a second time.
    expect(parse(text, [22]).firewall.map((f) => f.kind)).not.toContain('nftables');
  });

  it('nftables: two input base chains, named sets, jump to a chain that rejects outsiders', () => {
    const fw = fwOf(fixture('debian12-nftables-sets-two-chains.txt'), 'nftables', [22, 80, 443, 8080]);
    expect(evaluateFirewallFlow(fw, flow('192.0.2.10'))).toMatchObject({ decision: 'allow', decidedBy: { text: 'tcp dport { 22, 443 } ip saddr @office accept' } });
    expect(evaluateFirewallFlow(fw, flow('192.0.2.11'))).toMatchObject({ decision: 'deny', action: 'drop', decidedBy: { kind: 'policy', text: 'inet filter input policy drop' } });
    expect(evaluateFirewallFlow(fw, flow('203.0.113.99', 443)).decision).toBe('allow');
    expect(evaluateFirewallFlow(fw, flow('198.51.100.9', 8080))).toMatchObject({ decision: 'allow', decidedBy: { chain: 'inet filter web', text: 'accept' } });
    expect(evaluateFirewallFlow(fw, flow('203.0.113.7', 8080))).toMatchObject({ decision: 'deny', action: 'reject' });
    expect(evaluateFirewallFlow(fw, flow(null, 80)).decision).toBe('allow');
    expect(evaluateFirewallFlow(fw, flow(null, 22))).toMatchObject({ decision: 'unknown', dependsOn: ['source'] });
  });
});

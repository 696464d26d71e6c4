import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ServerEvidence } from '../types';
import { listenerScope } from './listeners';
import { parseServerEvidence } from './parse';

const fixture = (name: string): string => readFileSync(path.join(__dirname, 'fixtures', name), 'utf8');
const parse = (name: string, ports: number[]): ServerEvidence =>
  parseServerEvidence(fixture(name), { ports, source: 'pasted', collectedAt: '2026-01-01T00:00:00.000Z' });
const fw = (e: ServerEvidence, kind: string) => e.firewall.find((f) => f.kind === kind);

describe('real Debian 12 captures', () => {
  it('nftables: accept 22/80, reject 3306, 8080 only from one subnet; listeners by scope', () => {
    const e = parse('debian12-nftables.txt', [22, 80, 3306, 8080]);
    expect(e.os).toBe('linux');
    expect(e.osName).toBe('Debian GNU/Linux 12 (bookworm)');
    expect(e.warnings).toEqual([]);
    const nft = fw(e, 'nftables')!;
    expect(nft.active).toBe(true);
    expect(nft.defaultInbound).toBe('drop');
    expect(nft.allowsPort).toEqual({ '22': true, '80': true, '3306': false, '8080': null });
    expect(nft.sourceRestricted).toEqual({ '8080': ['192.0.2.0/24'] });
    expect(nft.details).toContain('port 3306: reject by inet filter input: tcp dport 3306 reject with tcp reset');
    // firewalld installed but its D-Bus is absent; ufw inactive; iptables empty: none of them block.
    expect(fw(e, 'firewalld')).toMatchObject({ active: false, allowsPort: { '22': true } });
    expect(fw(e, 'ufw')).toMatchObject({ active: false });
    expect(fw(e, 'iptables')).toMatchObject({ active: false, defaultInbound: 'accept' });
    const byPort = (p: number) => e.listeners.filter((l) => l.port === p).map((l) => [l.address, listenerScope(l.address), l.process]);
    expect(byPort(22)).toEqual([['0.0.0.0', 'all', 'sshd'], ['::', 'all', 'sshd']]);
    expect(byPort(3306)).toEqual([['127.0.0.1', 'loopback', 'node']]);
    expect(byPort(80)).toEqual([['*', 'all', 'node']]);
    expect(e.sshd).toEqual({ ports: [22], listenAddresses: ['[::]:22', '0.0.0.0:22'], permitRootLogin: 'without-password', passwordAuthentication: 'yes' });
  });

  it('iptables: DROP vs REJECT, source-restricted 22, nft duplicate of iptables-nft not reported twice', () => {
    const e = parse('debian12-iptables-drop-reject.txt', [22, 80, 3306, 8080]);
    const ipt = fw(e, 'iptables')!;
    expect(ipt.active).toBe(true);
    expect(ipt.allowsPort).toEqual({ '22': null, '80': true, '3306': false, '8080': false });
    expect(ipt.sourceRestricted).toEqual({ '22': ['198.51.100.0/24'] });
    expect(ipt.details).toContain('port 22: drop by -A INPUT -p tcp -m tcp --dport 22 -j DROP (allowed only from 198.51.100.0/24)');
    expect(ipt.details).toContain('port 3306: reject by -A INPUT -p tcp -m tcp --dport 3306 -j REJECT --reject-with tcp-reset');
    expect(ipt.details).toContain('port 8080: reject by -A INPUT -j REJECT --reject-with icmp-host-prohibited');
    expect(fw(e, 'nftables')).toBeUndefined();
  });

  it('ufw active: rule order, deny, source-only rule; truncated iptables walk says unknown', () => {
    const e = parse('ufw-active-truncated.txt', [22, 80, 3306, 8080, 443]);
    const ufw = fw(e, 'ufw')!;
    expect(ufw).toMatchObject({ active: true, defaultInbound: 'drop' });
    expect(ufw.allowsPort).toEqual({ '22': true, '80': true, '3306': false, '8080': null, '443': false });
    expect(ufw.sourceRestricted).toEqual({ '8080': ['203.0.113.0/24'] });
    expect(fw(e, 'iptables')!.allowsPort['22']).toBeNull();
    expect(e.warnings).toEqual(['section iptables was truncated to fit the output limit', 'section nftables was truncated to fit the output limit']);
  });

  it('raw iptables-save with ufw chains: the INPUT → ufw-* jump walk agrees with ufw status', () => {
    const e = parse('raw-iptables-save-ufw.txt', [22, 80, 3306, 8080, 443]);
    expect(e.warnings).toContain('not SG Doctor script output: parsed only what could be recognised');
    const ipt = fw(e, 'iptables')!;
    expect(ipt.allowsPort).toEqual({ '22': true, '80': true, '3306': false, '8080': null, '443': false });
    expect(ipt.sourceRestricted).toEqual({ '8080': ['203.0.113.0/24'] });
    expect(e.firewall.map((f) => f.kind)).toEqual(['iptables']);
  });

  it('raw ss -tlnp and netstat -tlnp give the same listeners', () => {
    const ss = parse('raw-ss-tlnp.txt', [22]).listeners;
    const ns = parse('raw-netstat-tlnp.txt', [22]).listeners;
    const key = (l: ServerEvidence['listeners'][number]) => `${l.port} ${listenerScope(l.address)} ${l.process} ${l.pid}`;
    expect(ss.map(key).sort()).toEqual(ns.map(key).sort());
    expect(ns.find((l) => l.port === 22 && l.address === '::')).toMatchObject({ process: 'sshd', protocol: 'tcp' });
  });
});

describe('samples of systems not available here', () => {
  it('Alibaba Cloud Linux 3 firewalld: services map to ports, rich rule is source-only; nft walk agrees', () => {
    const e = parse('alinux3-firewalld.txt', [22, 80, 3306]);
    const f = fw(e, 'firewalld')!;
    expect(f).toMatchObject({ active: true, defaultInbound: 'reject' });
    expect(f.allowsPort).toEqual({ '22': true, '80': true, '3306': null });
    expect(f.sourceRestricted).toEqual({ '3306': ['203.0.113.0/24'] });
    const nft = fw(e, 'nftables')!;
    expect(nft.allowsPort).toEqual({ '22': true, '80': true, '3306': null });
    expect(nft.details).toContain('port 3306: reject by inet firewalld filter_INPUT: reject with icmpx type admin-prohibited (allowed only from 203.0.113.0/24)');
    expect(e.listeners.find((l) => l.port === 3306)).toMatchObject({ address: '*', process: 'mysqld' });
    expect(e.listeners.find((l) => l.protocol === 'udp')).toMatchObject({ port: 323, process: 'chronyd' });
    expect(e.services).toContainEqual({ name: 'nginx', active: true, state: 'active' });
  });

  it('CentOS 7 firewalld without the port: 2222 rejected by zone target, same via iptables chains', () => {
    const e = parse('centos7-firewalld-no-port.txt', [2222, 8080]);
    const f = fw(e, 'firewalld')!;
    expect(f.allowsPort).toEqual({ '2222': false, '8080': false });
    expect(f.details).toContain('port 2222: reject by zone public target default (not in services or ports)');
    const ipt = fw(e, 'iptables')!;
    expect(ipt.allowsPort).toEqual({ '2222': false, '8080': false });
    expect(ipt.details).toContain('port 2222: reject by -A INPUT -j REJECT --reject-with icmp-host-prohibited');
    expect(e.sshd?.ports).toEqual([2222]);
    expect(e.listeners.find((l) => l.port === 8080)).toMatchObject({ address: '127.0.0.1', process: 'java' });
    expect(e.warnings).toContain('SELinux is enforcing and sshd uses a non-standard port: the port needs `semanage port -a -t ssh_port_t -p tcp PORT`');
    expect(e.warnings).toContain('/etc/hosts.deny denies connections (TCP wrappers) — check /etc/hosts.allow');
  });

  it('Windows Server 2022 English: RDP rule present, no rule for 80 on the Public profile', () => {
    const e = parse('windows2022-en.txt', [3389, 80]);
    expect(e.os).toBe('windows');
    const w = fw(e, 'windows')!;
    expect(w).toMatchObject({ active: true, defaultInbound: 'drop' });
    expect(w.allowsPort).toEqual({ '3389': true, '80': false });
    expect(w.details).toContain('port 3389: accept by Allow rule "Remote Desktop - User Mode (TCP-In)" (profile Any)');
    expect(e.rdp).toEqual({ port: 3389, enabled: true });
    expect(e.listeners.filter((l) => l.port === 3389).map((l) => l.address)).toEqual(['0.0.0.0', '::']);
    expect(e.services).toContainEqual({ name: 'W3SVC', active: true, state: 'Running (Automatic)' });
  });

  it('Windows Server 2019 Chinese: Block rule wins, RDP on another port, source-restricted 8080', () => {
    const e = parse('windows2019-zh-cn.txt', [3389, 13389, 8080]);
    const w = fw(e, 'windows')!;
    expect(w.allowsPort).toEqual({ '3389': false, '13389': false, '8080': null });
    expect(w.details).toContain('port 3389: drop by Block rule "阻止远程桌面"');
    expect(w.sourceRestricted).toEqual({ '8080': ['198.51.100.0/24'] });
    expect(e.rdp).toEqual({ port: 13389, enabled: true });
    expect(e.listeners.find((l) => l.port === 13389)).toMatchObject({ process: 'svchost', pid: 1012 });
  });

  it('pasted Chinese netstat + netsh: listeners and profiles, rules unknown', () => {
    const e = parse('raw-windows-zh-cn-netsh-netstat.txt', [3389]);
    expect(e.os).toBe('windows');
    expect(e.listeners.map((l) => `${l.address}:${l.port}/${l.pid}`)).toEqual(['0.0.0.0:135/912', '0.0.0.0:3389/1000', '127.0.0.1:3306/2400']);
    const w = fw(e, 'windows')!;
    expect(w.active).toBe(true);
    expect(w.details.slice(0, 3)).toEqual(['profile Domain: on, inbound ?', 'profile Private: on, inbound ?', 'profile Public: off, inbound ?']);
    expect(w.allowsPort).toEqual({ '3389': null });
    expect(e.services).toEqual([{ name: 'TermService', active: true, state: 'Running' }]);
  });
});

describe('robustness', () => {
  it('plain ufw status without verbose, old app-name rules', () => {
    const text = 'Status: active\n\nTo                         Action      From\n--                         ------      ----\nOpenSSH                    ALLOW       Anywhere\nNginx Full                 ALLOW       Anywhere\n3306                       REJECT      Anywhere\nOpenSSH (v6)               ALLOW       Anywhere (v6)\n';
    const ufw = fw(parseServerEvidence(text, { ports: [22, 443, 3306, 5432], source: 'pasted' }), 'ufw')!;
    expect(ufw.allowsPort).toEqual({ '22': true, '443': true, '3306': false, '5432': null });
    expect(ufw.details[0]).toMatch(/no "Default:" line/);
  });

  it('cut output without the end marker and a non-root run are flagged', () => {
    const e = parseServerEvidence('===SGD:begin v=1 os=linux ports=22===\n===SGD:os===\nuid=1000\n===SGD:listeners===\nState Recv-Q Send-Q Local Address:Port Peer Address:Port Process\nLISTEN 0 128 0.0.0.0:22 0.0.0.0:*\n', { ports: [22], source: 'cloud-assistant' });
    expect(e.warnings).toEqual([
      'output ends before the end marker: cut by the 24 KB limit or the script stopped early',
      'the script did not run as root: process names, firewall rules and sshd settings may be missing',
      'listeners without process names (run as root to see them)',
    ]);
    expect(e.listeners).toEqual([{ protocol: 'tcp', address: '0.0.0.0', port: 22 }]);
    expect(e.source).toBe('cloud-assistant');
  });

  it('unrecognisable text and empty text never throw', () => {
    expect(parseServerEvidence('hello world', { ports: [22], source: 'pasted' }).warnings).toContain('nothing recognisable in the pasted text');
    expect(parseServerEvidence('', { ports: [], source: 'pasted' }).os).toBe('unknown');
  });
});

describe('iptables-nft rules seen again by nft', () => {
  it('the nft table ip filter is not reported a second time when iptables-save says (nf_tables), warning line or not', () => {
    const text = `===SGD:begin v=1 os=linux ports=2421===
===SGD:iptables===
# Generated by iptables-save v1.8.9 (nf_tables) on Wed Dec  2 16:50:00 2026
*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -p tcp -m tcp --dport 2421 -j DROP
COMMIT
===SGD:nftables===
table ip filter {
	chain INPUT {
		type filter hook input priority filter; policy accept;
		tcp dport 2421 counter packets 0 bytes 0 drop
	}
}
table inet own {
	chain input {
		type filter hook input priority 10; policy accept;
		tcp dport 80 drop
	}
}
===SGD:end===
`;
    const e = parseServerEvidence(text, { ports: [2421, 80], source: 'pasted' });
    expect(e.firewall.map((f) => f.kind)).toEqual(['iptables', 'nftables']);
    const nft = e.firewall.find((f) => f.kind === 'nftables')!;
    // The nft entry keeps only the table iptables does not show.
    expect(nft.allowsPort).toEqual({ '2421': true, '80': false });
    // Without the iptables-nft header (legacy iptables), the same nft table is nft's own.
    const legacy = parseServerEvidence(text.replace(' (nf_tables)', ' (legacy)'), { ports: [2421], source: 'pasted' });
    expect(legacy.firewall.find((f) => f.kind === 'nftables')!.allowsPort).toEqual({ '2421': false });
  });
});

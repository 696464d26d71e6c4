// Turns the diagnostic script's output (Cloud Assistant or pasted) into ServerEvidence. Text that is not
// in our delimited format — a user pasting plain `ss -tlnp` or `ufw status verbose` — is parsed for
// whatever can be recognised in it, with a warning saying so.
import type { ServerEvidence } from '../types';
import type { FirewallFact } from './decision';
import { parseFirewalld } from './firewalld';
import { parseIptables } from './iptables';
import { parseListeners } from './listeners';
import { parseNftables } from './nftables';
import { splitSections, type SplitOutput } from './sections';
import { parseUfw } from './ufw';
import { parseWindowsFirewall } from './windows';

export interface ParseOptions {
  ports: number[];
  source: 'cloud-assistant' | 'pasted';
  /** Override the timestamp (tests, re-parsing a saved session). */
  collectedAt?: string;
}

const RAW_LIMIT = 64 * 1024;

function detectOs(split: SplitOutput, text: string): ServerEvidence['os'] {
  if (split.header.os === 'linux' || split.header.os === 'windows') return split.header.os;
  if (/Windows|netsh|Get-Net|LISTENING|Profile Settings|配置文件|^profile name=/m.test(text)) return 'windows';
  if (/users:\(\(|^tcp6?\s|Status: (in)?active|^\*filter|^-P INPUT|hook input|^Linux |firewall-cmd|^\s+target: /m.test(text)) return 'linux';
  return 'unknown';
}

export function parseSshd(text: string): ServerEvidence['sshd'] | undefined {
  const ports = [...text.matchAll(/^port\s+(\d+)\s*$/gm)].map((m) => Number(m[1]));
  const listen = [...text.matchAll(/^listenaddress\s+(\S+)\s*$/gm)].map((m) => m[1]);
  const root = /^permitrootlogin\s+(\S+)/m.exec(text)?.[1];
  const pw = /^passwordauthentication\s+(\S+)/m.exec(text)?.[1];
  if (!ports.length && !listen.length && !root && !pw) return undefined;
  return {
    ports,
    listenAddresses: listen,
    ...(root ? { permitRootLogin: root } : {}),
    ...(pw ? { passwordAuthentication: pw } : {}),
  };
}

const LINUX_STATES = new Set(['active', 'inactive', 'failed', 'activating', 'deactivating', 'reloading', 'unknown']);

export function parseServices(text: string): ServerEvidence['services'] {
  const out: ServerEvidence['services'] = [];
  for (const line of text.split('\n')) {
    const ours = /^service\s+(\S+)\s+(\S+)(?:\s+(\S+))?\s*$/.exec(line.trim());
    if (ours) {
      const state = ours[2];
      const active = LINUX_STATES.has(state) ? (state === 'active' ? true : state === 'unknown' ? null : false) : state === 'Running' ? true : state === 'Stopped' ? false : null;
      out.push({ name: ours[1], active, state: ours[3] ? `${state} (${ours[3]})` : state });
      continue;
    }
    // Pasted Get-Service table: "Running  TermService        Remote Desktop Services"
    const ps = /^(Running|Stopped|StartPending|StopPending|Paused)\s+(\S+)\s+\S/.exec(line.trim());
    if (ps) out.push({ name: ps[2], active: ps[1] === 'Running' ? true : ps[1] === 'Stopped' ? false : null, state: ps[1] });
  }
  return out;
}

export function parseServerEvidence(text: string, opts: ParseOptions): ServerEvidence {
  const split = splitSections(text);
  const section = (name: string): string => (split.delimited ? (split.sections.get(name)?.text ?? '') : text.replace(/\r\n?/g, '\n'));
  const truncated = (name: string): boolean => split.sections.get(name)?.truncated ?? false;
  const ports = [...new Set(opts.ports)];
  const os = detectOs(split, text);
  const warnings: string[] = [];

  const listeners = parseListeners(section('listeners'));
  const firewall: FirewallFact[] = [];
  if (os !== 'windows') {
    const fwd = parseFirewalld(split.delimited ? section('firewalld') : rawFirewalld(text), ports);
    if (fwd) firewall.push(fwd);
    const ufw = parseUfw(section('ufw'), ports);
    if (ufw) firewall.push(ufw);
    const ipt = parseIptables(section('iptables'), ports, truncated('iptables'));
    if (ipt) firewall.push(ipt);
    const nft = parseNftables(section('nftables'), ports, truncated('nftables'));
    if (nft) firewall.push(nft);
  }
  if (os !== 'linux') {
    // An empty rules section is an answer (no rule covers the port); a missing one is not.
    const rulesListed = split.delimited ? split.sections.has('rules') : /^rule action=/m.test(text);
    const win = parseWindowsFirewall({ profiles: section('profiles'), rules: section('rules'), netprofile: section('netprofile') }, ports, rulesListed);
    if (win) firewall.push(win);
  }

  const sshd = parseSshd(split.delimited ? section('sshd') : text);
  const services = parseServices(section('services'));
  const evidence: ServerEvidence = {
    source: opts.source,
    os,
    collectedAt: opts.collectedAt ?? new Date().toISOString(),
    listeners,
    firewall,
    ...(sshd ? { sshd } : {}),
    services,
    warnings,
  };

  const osText = section('os');
  const osName = /^PRETTY_NAME="?([^"\n]+)"?/m.exec(osText)?.[1] ?? /^caption=(.+)$/m.exec(osText)?.[1]?.trim();
  if (osName) evidence.osName = osName;
  const rdp = /^rdp port=(\d*) deny=(\d*)/m.exec(section('rdp'));
  if (rdp) evidence.rdp = { port: rdp[1] ? Number(rdp[1]) : null, enabled: rdp[2] === '' ? null : rdp[2] === '0' };

  // Warnings: what limits the evidence.
  if (!split.delimited) warnings.push('not SG Doctor script output: parsed only what could be recognised');
  else if (!split.complete) warnings.push('output ends before the end marker: cut by the 24 KB limit or the script stopped early');
  for (const s of split.sections.values()) if (s.truncated) warnings.push(`section ${s.name} was truncated to fit the output limit`);
  if (/^uid=(?!0\b)\d+/m.test(osText)) warnings.push('the script did not run as root: process names, firewall rules and sshd settings may be missing');
  if (os === 'linux' && listeners.length && listeners.every((l) => l.process === undefined)) warnings.push('listeners without process names (run as root to see them)');
  if (split.delimited && !listeners.length && !/^no ss or netstat/m.test(section('listeners'))) warnings.push('no listening sockets found in the output');
  if (!split.delimited && !listeners.length && !firewall.length && !sshd && !services.length) warnings.push('nothing recognisable in the pasted text');
  const selinux = section('selinux').trim();
  if (split.delimited && /^Enforcing/m.test(selinux) && sshd?.ports.some((p) => p !== 22)) {
    warnings.push('SELinux is enforcing and sshd uses a non-standard port: the port needs `semanage port -a -t ssh_port_t -p tcp PORT`');
  }
  const wrappers = section('tcpwrappers');
  if (split.delimited && /hosts\.deny:\s*(ALL|sshd)\s*:\s*ALL/im.test(wrappers)) warnings.push('/etc/hosts.deny denies connections (TCP wrappers) — check /etc/hosts.allow');
  if (/^(Error|Privilege separation|.*rror.*sshd_config)/m.test(split.delimited ? section('sshd') : '')) warnings.push(`sshd -T reported: ${section('sshd').split('\n').find((l) => /rror|denied/.test(l))?.slice(0, 160) ?? 'an error'}`);
  if (evidence.rdp?.enabled === false) warnings.push('Remote Desktop connections are disabled (fDenyTSConnections=1)');

  evidence.raw = text.length > RAW_LIMIT ? `${text.slice(0, RAW_LIMIT)}\n[cut at ${RAW_LIMIT} characters]` : text;
  return evidence;
}

/** In pasted raw text, firewalld output is the `--list-all` block and maybe a state line. */
function rawFirewalld(text: string): string {
  return /^\s+target:\s/m.test(text) && /^\s+services:/m.test(text) ? text : '';
}

// Human rendering of a ProbeReport (the JSON form is the report itself). Pure: report + style -> text.
import type { BannerFact, DnsFact, IcmpFact, PortReason, ProbeReport, TcpPortFact } from '../../core/probe/types';
import { formatMs, formatTable, type Style } from './index';

/** What each outcome means for the user (DESIGN.md "Probe semantics"). */
export const REASON_MEANING: Record<PortReason, string> = {
  'syn-ack': 'the port accepts connections',
  'conn-refused': 'a RST came back: the packet reached the host (and got through the cloud firewall); nothing listens there or the OS firewall rejects',
  'no-response': 'silently dropped: security group, network ACL, a DROP firewall rule, or nothing at that address',
  'host-unreach': 'ICMP host unreachable/prohibited: a REJECT firewall rule (e.g. firewalld) or a routing problem',
  'net-unreach': 'network unreachable: no route from this machine (VPN, local routing, IPv6 not available)',
  'admin-prohibited': 'refused locally: a firewall or security software on this machine blocks the connection',
};

function stateCell(f: TcpPortFact, s: Style): string {
  const text = f.flaky ? `${f.state} (flaky)` : f.state;
  if (f.state === 'open') return f.flaky ? s.yellow(text) : s.green(text);
  if (f.state === 'closed') return s.red(text);
  return s.yellow(text);
}

export function bannerSummary(b: BannerFact | undefined): string {
  if (!b) return '';
  if (b.sshIdent) return b.sshIdent;
  if (b.http) return `${b.http.statusLine}${b.http.server ? ` (${b.http.server})` : ''}`;
  if (b.tls) {
    const t = b.tls;
    const cert = t.subject ? ` ${t.subject}` : '';
    const warn = t.expired ? ' EXPIRED' : t.selfSigned ? ' self-signed' : '';
    return `TLS ${t.protocol ?? ''}${cert}${warn}`.trim();
  }
  const parts = [b.service, b.version, b.detail].filter(Boolean);
  if (parts.length) return parts.join(' ');
  if (b.firstBytes) return b.firstBytes.slice(0, 60);
  if (b.error) {
    // Silence from a service that waits for its client is not a missing banner: say what was asked.
    const x = b.exchange;
    if (x && !x.serverFirst && (x.end === 'silent' || (x.protocol === 'generic' && x.endedAfter === 'nudge'))) {
      return x.protocol === 'generic' ? '(waits for its client: protocol not named, not identified)' : `(no answer to the ${x.protocol.toUpperCase()} request: not identified)`;
    }
    return `(no banner: ${b.error})`;
  }
  return '';
}

function dnsLines(dns: DnsFact, s: Style): string[] {
  const out: string[] = [];
  const sets = [...(dns.system ? [dns.system] : []), ...dns.direct];
  for (const a of sets) {
    const addrs = [...a.a, ...a.aaaa];
    const cname = a.cname.length ? ` via ${a.cname.join(' → ')}` : '';
    const answer = a.error ? s.red(a.error) : addrs.join(', ') || '(no address)';
    out.push(`  ${a.resolver.padEnd(16)} ${answer}${cname}  ${s.gray(formatMs(a.durationMs))}`);
  }
  if (dns.expected) {
    const v = dns.expected.verdict;
    const colour = v === 'match' ? s.green : v === 'no-answer' || v === 'mismatch' ? s.red : s.yellow;
    out.push(`  expected ${dns.expected.address}: ${colour(v)}${dns.expected.detail ? ` — ${dns.expected.detail}` : ''}`);
  }
  return out;
}

function icmpLine(icmp: IcmpFact, s: Style): string {
  if (icmp.state === 'reply') {
    return `${s.green('reply')} ${icmp.received}/${icmp.sent}, rtt avg ${formatMs(icmp.rttAvgMs)} (${icmp.method})`;
  }
  if (icmp.state === 'unavailable') return `${s.gray('not available')}${icmp.error ? `: ${icmp.error}` : ''}`;
  if (icmp.state === 'unreachable') return `${s.yellow('unreachable')}: ${icmp.unreachable?.text ?? ''}`;
  return `${s.yellow('no reply')} ${icmp.received}/${icmp.sent} (${icmp.method}) — security groups drop ICMP unless a rule allows it; this says nothing about TCP ports`;
}

export function renderProbeReport(r: ProbeReport, s: Style): string {
  const lines: string[] = [];
  const addrs = r.target.addresses.length ? r.target.addresses.join(', ') : s.red('no address');
  lines.push(`${s.bold('sg-doctor probe')} ${r.target.host} ${s.gray(`(${addrs})`)}`);

  if (r.dns) {
    lines.push('', s.bold('DNS'), ...dnsLines(r.dns, s));
  }
  if (r.icmp) lines.push('', `${s.bold('ICMP')}  ${icmpLine(r.icmp, s)}`);

  if (r.tcp.length) {
    const multi = new Set(r.tcp.map((f) => f.address)).size > 1;
    const header = [...(multi ? ['ADDRESS'] : []), 'PORT', 'SERVICE', 'STATE', 'REASON', 'RTT', 'TRIES', 'BANNER'];
    const rows = r.tcp.map((f) => [
      ...(multi ? [f.address] : []),
      String(f.port),
      f.service ?? '',
      stateCell(f, s),
      f.reason,
      formatMs(f.rttMs),
      String(f.attempts),
      bannerSummary(f.banner),
    ]);
    lines.push('', formatTable(rows, { header, style: s }));
    const seen = [...new Set(r.tcp.map((f) => f.reason))];
    lines.push('', ...seen.map((reason) => s.gray(`  ${reason}: ${REASON_MEANING[reason]}`)));
    if (r.tcp.some((f) => f.flaky)) {
      lines.push(s.gray('  flaky: some attempts got no answer while others did (packet loss, overload, or rate limiting)'));
    }
  }

  const c = r.client;
  const clientLines: string[] = [];
  if (c.egressIp) {
    const e = c.egressIp;
    const ip = e.address ?? s.red('unknown');
    const agree = e.consensus ? '' : s.yellow(' (sources disagree)');
    clientLines.push(`  egress IP      ${ip}${agree}  ${s.gray('— the source address your security group rule must allow')}`);
  }
  if (c.tunnels.length) clientLines.push(`  tunnels        ${c.tunnels.join(', ')}${c.defaultRoute?.viaTunnel ? s.yellow(' (default route goes through a tunnel)') : ''}`);
  if (c.proxies.length) clientLines.push(`  proxies        ${c.proxies.map((p) => `${p.variable}=${p.value}`).join(' ')} ${s.gray('(affect HTTP tools, not SSH/RDP)')}`);
  for (const k of c.control) {
    const st = k.state === 'open' ? s.green(k.state) : s.yellow(k.state);
    clientLines.push(`  control        ${k.host}:${k.port} ${st} ${k.reason} ${formatMs(k.rttMs)}`);
  }
  if (clientLines.length) lines.push('', s.bold('This machine'), ...clientLines);

  lines.push('', s.gray(`done in ${formatMs(r.timings.totalMs)}`));
  return `${lines.join('\n')}\n`;
}

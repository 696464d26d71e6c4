// The path trace on the command line: a progress text per hop as it arrives, and the hop table of the
// finished trace (TTL, address, round-trip times, loss, where the hop lies). Human output only; --json
// prints the TraceFact itself.
import { summarizeTrace } from '../../core/probe/trace/classify';
import type { TraceFact, TraceHop } from '../../core/probe/trace/types';
import { formatTable, type Style } from '.';

const rtts = (h: TraceHop): string => (h.rttMs.length ? h.rttMs.map((r) => `${r < 10 ? r.toFixed(1) : Math.round(r)} ms`).join('  ') : '*');

/** One line of progress for a hop that just arrived. */
export function traceHopProgress(h: TraceHop): string {
  return `tracing the path: hop ${h.ttl}  ${h.address ?? '*'}  ${h.address ? rtts(h) : '(no answer)'}`;
}

const ZONE: Record<string, string> = { 'own-network': 'your network', beyond: 'beyond', unknown: '' };
const METHOD: Record<TraceFact['method'], string> = { 'tcp-syn': 'TCP SYN', udp: 'UDP', icmp: 'ICMP', none: 'none' };

/** The finished trace as a heading line and a hop table. */
export function renderTrace(t: TraceFact, style: Style): string {
  const out: string[] = [];
  const how = `${METHOD[t.method]}${t.port !== undefined ? ` to port ${t.port}` : ''}${t.tool ? `, ${t.tool}` : ''}`;
  out.push(style.bold(`Path trace to ${t.targetAddress ?? t.target} (${how})`));
  if (t.method === 'none' || !t.hops.length) {
    out.push(`  no trace: ${t.error ? t.error.detail : (t.stopped ?? 'no hop answered')}`);
    if (t.error?.kind === 'no-tool') out.push('  install traceroute (Debian/Ubuntu: sudo apt install traceroute; Fedora/RHEL: sudo dnf install traceroute)');
    return `${out.join('\n')}\n`;
  }
  const s = summarizeTrace(t);
  const rows = s.hops.map((h) => {
    const answered = h.address !== null;
    const addr = answered ? h.address! : style.gray('*');
    const where = h.address === (t.targetAddress ?? '') ? style.green('target') : ZONE[h.zone];
    const cls = h.class ?? '';
    const loss = h.sent ? `${Math.round(h.loss * 100)}%` : '';
    return [String(h.ttl), addr, answered ? rtts(h) : style.gray('no answer'), loss, [cls, where, h.unreachable ? style.red(h.unreachable) : ''].filter(Boolean).join(', ')];
  });
  out.push(formatTable(rows, { header: ['hop', 'address', 'rtt', 'loss', 'where'], style, indent: '  ' }));
  const last = s.lastAnswering;
  const end = t.reached
    ? style.green('the target answered')
    : style.yellow(`the target did not answer${last ? `; the last hop that answered is ${last.address} (hop ${last.ttl}, ${ZONE[last.zone] || 'side unknown'})` : ''}`);
  out.push(`  ${end}; ${(t.durationMs / 1000).toFixed(1)} s${t.stopped ? ` (stopped: ${t.stopped})` : ''}`);
  if (t.method !== 'tcp-syn') out.push(style.dim(`  ${METHOD[t.method]} probes are another protocol than the TCP port: they can only corroborate (TCP SYN tracing needs root or CAP_NET_RAW)`));
  return `${out.join('\n')}\n`;
}

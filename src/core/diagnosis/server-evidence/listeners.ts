// Listening sockets from ss, netstat (Linux and Windows), Get-NetTCPConnection (table output and the
// script's own `listen` lines). Addresses are normalised: brackets and %zone removed, "*" kept.
import type { ServerEvidence } from '../types';

export type Listener = ServerEvidence['listeners'][number];

export function normaliseAddress(addr: string): string {
  let a = addr.trim();
  if (a.startsWith('[') && a.endsWith(']')) a = a.slice(1, -1);
  a = a.replace(/%[\w.-]+$/, '');
  if (a.toLowerCase().startsWith('::ffff:') && /^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(a)) a = a.slice(7);
  return a;
}

/** Who can reach a listener: every interface, loopback only, or one specific address. */
export function listenerScope(address: string): 'all' | 'loopback' | 'specific' {
  const a = normaliseAddress(address);
  if (a === '*' || a === '0.0.0.0' || a === '::' || a === '') return 'all';
  if (a === '::1' || a.startsWith('127.') || a === 'localhost') return 'loopback';
  return 'specific';
}

/** "[::]:22", "0.0.0.0:22", "*:80", ":::22", "127.0.0.53%lo:53" → address and port. */
function splitHostPort(s: string): { address: string; port: number } | null {
  const m = /^(.*)[:.](\d+|\*)$/.exec(s.trim());
  if (!m || m[2] === '*') return null;
  return { address: normaliseAddress(m[1] || '*'), port: Number(m[2]) };
}

const SS_LINE = /^(?:(tcp|udp|tcp6|udp6)\s+)?(LISTEN|UNCONN)\s+\d+\s+\d+\s+(\S+)\s+(\S+)(?:\s+(.*))?$/;
const NETSTAT_LINUX = /^(tcp6?|udp6?)\s+\d+\s+\d+\s+(\S+)\s+(\S+)\s+(LISTEN\s+)?(\d+\/\S.*|-)?\s*$/;
const NETSTAT_WINDOWS = /^(TCP|UDP)\s+(\S+)\s+(\S+)\s+(LISTENING|侦听|监听)?\s*(\d+)\s*$/;
const PS_TABLE = /^(\S+)\s+(\d+)\s+(\S+)\s+(\d+)\s+Listen\s+(?:\S+\s+)?(\d+)\s*$/;
const SGD_LINE = /^listen\s+(tcp|udp)\s+(\S+)\s+(\d+)\s+(\d+)(?:\s+(\S.*))?$/;

export function parseListeners(text: string): Listener[] {
  const out: Listener[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    let m = SGD_LINE.exec(line);
    if (m) {
      out.push({ protocol: m[1] as 'tcp' | 'udp', address: normaliseAddress(m[2]), port: Number(m[3]), pid: Number(m[4]), ...(m[5] ? { process: m[5].trim() } : {}) });
      continue;
    }
    m = SS_LINE.exec(line);
    if (m) {
      const hp = splitHostPort(m[3]);
      if (!hp) continue;
      const protocol = m[1] ? (m[1].startsWith('udp') ? 'udp' : 'tcp') : m[2] === 'UNCONN' ? 'udp' : 'tcp';
      const proc = /users:\(\("([^"]+)",pid=(\d+)/.exec(m[5] ?? '');
      out.push({ protocol, ...hp, ...(proc ? { process: proc[1], pid: Number(proc[2]) } : {}) });
      continue;
    }
    m = NETSTAT_LINUX.exec(line);
    if (m) {
      const isUdp = m[1].startsWith('udp');
      if (!isUdp && !m[4]) continue; // a tcp line that is not LISTEN (netstat -tn established connections)
      const hp = splitHostPort(m[2]);
      if (!hp) continue;
      const proc = /^(\d+)\/(.+)$/.exec((m[5] ?? '').trim());
      out.push({
        protocol: isUdp ? 'udp' : 'tcp',
        ...hp,
        ...(proc ? { pid: Number(proc[1]), process: proc[2].split(/[:\s]/)[0] } : {}),
      });
      continue;
    }
    m = NETSTAT_WINDOWS.exec(line);
    if (m) {
      if (m[1] === 'TCP' && !m[4]) continue; // established, time-wait: not listeners
      const hp = splitHostPort(m[2]);
      if (hp) out.push({ protocol: m[1] === 'TCP' ? 'tcp' : 'udp', ...hp, pid: Number(m[5]) });
      continue;
    }
    m = PS_TABLE.exec(line);
    if (m) out.push({ protocol: 'tcp', address: normaliseAddress(m[1]), port: Number(m[2]), pid: Number(m[5]) });
  }
  // ss -tulnp lists each socket once; pasted output may repeat: dedupe on the identity.
  const seen = new Set<string>();
  return out.filter((l) => {
    const k = `${l.protocol}|${l.address}|${l.port}|${l.pid ?? ''}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

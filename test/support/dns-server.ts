// A small authoritative-style DNS server for tests: serves a zone given in code over UDP (and TCP),
// follows CNAME chains inside the zone like a recursive resolver would, and can answer NXDOMAIN,
// SERVFAIL, REFUSED, or never answer at all (blackhole → client timeout). Bind it to 127.0.0.1:0,
// ::1, or an address inside a network namespace.

import dgram from 'node:dgram';
import net from 'node:net';
import { isIPv6 } from 'node:net';
import * as packet from 'dns-packet';

export interface ZoneEntry {
  a?: string[];
  aaaa?: string[];
  /** Alias target (a CNAME record); followed when the target is in the zone. */
  cname?: string;
  /** Answer with this rcode and no records. */
  rcode?: 'NXDOMAIN' | 'SERVFAIL' | 'REFUSED';
  /** Never answer (the client times out). */
  blackhole?: boolean;
  /** Delay the answer by this many ms. */
  delayMs?: number;
  ttl?: number;
}

export type Zone = Record<string, ZoneEntry>;

export interface DnsQueryLog {
  name: string;
  type: string;
  transport: 'udp' | 'tcp';
  from: string;
}

export interface TestDnsServer {
  host: string;
  port: number;
  /** "127.0.0.1:5353" / "[::1]:5353", as probeDns takes it. */
  server: string;
  queries: DnsQueryLog[];
  close(): Promise<void>;
}

const norm = (n: string): string => n.toLowerCase().replace(/\.$/, '');

/** Build the response to one query (pure; `undefined` = stay silent). */
export function answer(zone: Zone, query: packet.Packet): packet.Packet | undefined {
  const q = query.questions?.[0];
  const base = {
    id: query.id,
    type: 'response' as const,
    flags: packet.RECURSION_DESIRED | packet.RECURSION_AVAILABLE | packet.AUTHORITATIVE_ANSWER,
    questions: query.questions,
  };
  if (!q) return { ...base, flags: base.flags | 1 /* FORMERR */, answers: [] };
  const answers: packet.Answer[] = [];
  let name = norm(q.name);
  let rcode: ZoneEntry['rcode'] | 'NOERROR' = 'NOERROR';
  for (let hop = 0; hop < 16; hop++) {
    const entry = zone[name];
    if (!entry) {
      rcode = 'NXDOMAIN';
      break;
    }
    if (entry.blackhole) return undefined;
    if (entry.rcode) {
      rcode = entry.rcode;
      break;
    }
    const ttl = entry.ttl ?? 60;
    if (entry.cname) {
      answers.push({ type: 'CNAME', name, ttl, class: 'IN', data: norm(entry.cname) });
      if (q.type === 'CNAME') break;
      name = norm(entry.cname);
      continue;
    }
    const qtype: string = q.type; // dns-packet's typings omit ANY
    if (qtype === 'A' || qtype === 'ANY') for (const ip of entry.a ?? []) answers.push({ type: 'A', name, ttl, class: 'IN', data: ip });
    if (qtype === 'AAAA' || qtype === 'ANY') for (const ip of entry.aaaa ?? []) answers.push({ type: 'AAAA', name, ttl, class: 'IN', data: ip });
    break;
  }
  // An NXDOMAIN at the end of a CNAME chain is still reported with the chain, as real servers do.
  const code = { NOERROR: 0, SERVFAIL: 2, NXDOMAIN: 3, REFUSED: 5 }[rcode];
  return { ...base, flags: base.flags | code, answers };
}

function delayOf(zone: Zone, query: packet.Packet): number {
  const q = query.questions?.[0];
  return q ? (zone[norm(q.name)]?.delayMs ?? 0) : 0;
}

export async function startDnsServer(
  zone: Zone,
  opts: { host?: string; port?: number; tcp?: boolean } = {},
): Promise<TestDnsServer> {
  const host = opts.host ?? '127.0.0.1';
  const queries: DnsQueryLog[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, fn: () => void): void => {
    if (ms <= 0) return fn();
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  const udp = dgram.createSocket(isIPv6(host) ? 'udp6' : 'udp4');
  udp.on('message', (msg, rinfo) => {
    let query: packet.Packet;
    try {
      query = packet.decode(msg);
    } catch {
      return;
    }
    const q = query.questions?.[0];
    queries.push({ name: q?.name ?? '', type: q?.type ?? '', transport: 'udp', from: rinfo.address });
    const res = answer(zone, query);
    if (!res) return;
    later(delayOf(zone, query), () => udp.send(packet.encode(res), rinfo.port, rinfo.address));
  });
  await new Promise<void>((resolve, reject) => {
    udp.once('error', reject);
    udp.bind(opts.port ?? 0, host, () => resolve());
  });
  const port = udp.address().port;

  let tcp: net.Server | undefined;
  const sockets = new Set<net.Socket>();
  if (opts.tcp !== false) {
    tcp = net.createServer((sock) => {
      sockets.add(sock);
      sock.on('close', () => sockets.delete(sock));
      sock.on('error', () => sock.destroy());
      let buf = Buffer.alloc(0);
      sock.on('data', (chunk) => {
        buf = Buffer.concat([buf, chunk]);
        while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
          const len = buf.readUInt16BE(0);
          const msg = buf.subarray(2, 2 + len);
          buf = buf.subarray(2 + len);
          let query: packet.Packet;
          try {
            query = packet.decode(msg);
          } catch {
            sock.destroy();
            return;
          }
          const q = query.questions?.[0];
          queries.push({ name: q?.name ?? '', type: q?.type ?? '', transport: 'tcp', from: sock.remoteAddress ?? '' });
          const res = answer(zone, query);
          if (res) later(delayOf(zone, query), () => sock.writable && sock.write(packet.streamEncode(res)));
        }
      });
    });
    await new Promise<void>((resolve, reject) => {
      tcp!.once('error', reject);
      tcp!.listen(port, host, () => resolve());
    });
  }

  return {
    host,
    port,
    server: isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`,
    queries,
    close: async () => {
      for (const t of timers) clearTimeout(t);
      for (const s of sockets) s.destroy();
      await Promise.all([
        new Promise<void>((r) => udp.close(() => r())),
        tcp ? new Promise<void>((r) => tcp.close(() => r())) : Promise.resolve(),
      ]);
    },
  };
}

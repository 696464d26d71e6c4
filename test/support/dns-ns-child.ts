// Runs inside a network namespace (`ip netns exec NS tsx dns-ns-child.ts '<json>'`), where `ip netns exec`
// has bind-mounted /etc/netns/NS/{resolv.conf,hosts} over /etc: the system resolver (getaddrinfo) and
// dns.getServers() then point at the test server this script starts on 127.0.0.1:53 in the namespace.
// Prints the DnsFact of each requested probe as one JSON line.
import { getServers } from 'node:dns';
import { probeDns } from '../../src/core/probe/dns';
import { startDnsServer, type Zone } from './dns-server';

interface Args {
  zone: Zone;
  probes: { host: string; expectIp?: string; timeoutMs?: number }[];
}

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? '{}') as Args;
  const srv = await startDnsServer(args.zone, { host: '127.0.0.1', port: 53 });
  try {
    const facts = [];
    for (const p of args.probes) {
      facts.push(await probeDns(p.host, { servers: [], expectIp: p.expectIp, timeoutMs: p.timeoutMs ?? 1000 }));
    }
    process.stdout.write(`${JSON.stringify({ servers: getServers(), facts, queries: srv.queries.length })}\n`);
  } finally {
    await srv.close();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${String((e as Error)?.stack ?? e)}\n`);
  process.exit(1);
});

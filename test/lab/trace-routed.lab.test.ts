// The trace through TWO routers: client → r1 → r2 → server, all in namespaces on 10.200.X.0/24. r1 stands
// for the user's own network (declared with ownNetworks, since every lab address is private), r2 for the
// carrier / the cloud's edge. A drop at r1, at r2 and at the server (its INPUT chain), and an open path, for
// TCP (TCP SYN to the port, as root) and for UDP and ICMP: each trace names the last hop that answers and
// whether the target was reached, and the own-network boundary falls where the drop is.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { summarizeTrace } from '../../src/core/probe/trace/classify';
import type { TraceFact } from '../../src/core/probe/trace/types';
import { describeLab } from './describe-lab';
import { createLab, type CallOutcome, type Lab } from './lab';

const RUN = 'src/core/probe/trace/run';
const base = { maxHops: 6, probeWaitMs: 500, timeoutMs: 20_000 };
const PORT = { open: 22, atR1: 2401, atR2: 2402, atServer: 2403 };

function value(o: CallOutcome): TraceFact {
  if (!o.ok) throw new Error(o.error);
  return o.value as TraceFact;
}
const addrs = (f: TraceFact): (string | null)[] => f.hops.map((h) => h.address);
const show = (f: TraceFact): string => JSON.stringify(f);
/** One line per trace for the issue note: method, hops, reached, time. */
const line = (name: string, f: TraceFact): string =>
  `${name.padEnd(34)} ${f.method.padEnd(7)} ${addrs(f).map((a) => a ?? '*').join(' → ').padEnd(52)} reached=${f.reached} ${f.durationMs} ms`;

describeLab('lab: trace through two routers (own network, beyond it, the server)', () => {
  let lab: Lab;
  let r1: string;
  let r2: string;
  let server: string;
  const printed: string[] = [];
  const own = (): string[] => [`${r1}/32`];

  beforeAll(async () => {
    lab = await createLab({
      ipv6: false,
      hosts: {
        r1: { forwardRules: [['-p', 'tcp', '--dport', String(PORT.atR1), '-j', 'DROP']] },
        r2: { via: 'r1', forwardRules: [['-p', 'tcp', '--dport', String(PORT.atR2), '-j', 'DROP']] },
        server: { via: 'r2', ports: [{ port: PORT.open }, { port: PORT.atR1 }, { port: PORT.atR2 }, { port: PORT.atServer, firewall: 'drop' }] },
      },
    });
    r1 = lab.hosts.r1.ipv4;
    r2 = lab.hosts.r2.ipv4;
    server = lab.hosts.server.ipv4;
  }, 120_000);

  afterAll(async () => {
    if (printed.length) console.log(`traces (client → ${r1} → ${r2} → ${server}):\n${printed.join('\n')}`);
    await lab?.destroy();
  });

  it('the chained routes work: the client reaches the server through r1 and r2', async () => {
    const r = await lab.sh(`ip route get ${server} && ping -c 1 -W 2 ${server} >/dev/null && echo ok`);
    expect(r.stdout, r.stderr).toContain(`via ${r1}`);
    expect(r.stdout.trim().endsWith('ok'), r.stdout + r.stderr).toBe(true);
  });

  it('TCP SYN: open → reached; drop at r1 → stops in the own network; drop at r2 and at the server → stop beyond it', async () => {
    const ports = [PORT.open, PORT.atR1, PORT.atR2, PORT.atServer];
    const [open, atR1, atR2, atServer] = (await lab.callMany(ports.map((port) => ({ module: RUN, fn: 'runTrace', args: [server, { ...base, port }] })))).map(value);
    for (const [n, f] of [['open', open], ['drop at r1', atR1], ['drop at r2', atR2], ['drop at the server', atServer]] as const) {
      expect(f.method, show(f)).toBe('tcp-syn');
      printed.push(line(`tcp-syn ${n}`, f));
    }
    expect(open.reached, show(open)).toBe(true);
    expect(addrs(open)).toEqual([r1, r2, server]);
    expect(summarizeTrace({ ...open, ownNetworks: own() }).stoppedIn).toBe('target');

    expect(atR1.reached, show(atR1)).toBe(false);
    expect(addrs(atR1)).toEqual([r1, null, null, null, null, null]);
    const s1 = summarizeTrace({ ...atR1, ownNetworks: own() });
    expect(s1.lastAnswering?.address).toBe(r1);
    expect(s1.stoppedIn).toBe('own-network');

    for (const f of [atR2, atServer]) {
      expect(f.reached, show(f)).toBe(false);
      expect(addrs(f)).toEqual([r1, r2, null, null, null, null]);
      const s = summarizeTrace({ ...f, ownNetworks: own() });
      expect(s.lastAnswering).toMatchObject({ address: r2, ttl: 2, zone: 'beyond' });
      expect(s.stoppedIn).toBe('beyond');
      expect(s.boundaryTtl).toBe(2);
      expect(f.durationMs).toBeLessThan(15_000);
    }
  });

  /** Drops UDP (or echo requests) to the server at one place, runs the UDP and ICMP traces, removes the drop. */
  async function withDrop(where: 'r1' | 'r2' | 'server' | null): Promise<{ udp: TraceFact; icmp: TraceFact }> {
    const chain = where === 'server' ? 'INPUT' : 'FORWARD';
    const rules = [
      ['-p', 'udp', '-d', server, '-j', 'DROP'],
      ['-p', 'icmp', '--icmp-type', 'echo-request', '-d', server, '-j', 'DROP'],
    ];
    const ns = where ? lab.hosts[where].ns : null;
    const edit = async (op: '-I' | '-D'): Promise<void> => {
      if (!ns) return;
      for (const r of rules) {
        const x = await lab.exec(['iptables', '-w', '5', op, chain, ...r], { ns });
        if (x.code !== 0) throw new Error(`iptables ${op} in ${where}: ${x.stderr}`);
      }
    };
    await edit('-I');
    try {
      const [udp, icmp] = (
        await lab.callMany([
          { module: RUN, fn: 'runTrace', args: [server, { ...base, port: PORT.open, rawAllowed: false }] },
          { module: RUN, fn: 'runTrace', args: [server, { ...base, method: 'icmp' }] },
        ])
      ).map(value);
      return { udp, icmp };
    } finally {
      await edit('-D');
    }
  }

  it('UDP and ICMP: open → reached; drops at r1, r2 and the server stop after the hop before them', async () => {
    const cases: { where: 'r1' | 'r2' | 'server' | null; expected: (string | null)[]; stoppedIn: string; last: string }[] = [
      { where: null, expected: [r1, r2, server], stoppedIn: 'target', last: server },
      { where: 'r1', expected: [r1, null, null, null, null, null], stoppedIn: 'own-network', last: r1 },
      { where: 'r2', expected: [r1, r2, null, null, null, null], stoppedIn: 'beyond', last: r2 },
      { where: 'server', expected: [r1, r2, null, null, null, null], stoppedIn: 'beyond', last: r2 },
    ];
    for (const c of cases) {
      const { udp, icmp } = await withDrop(c.where);
      expect(udp, show(udp)).toMatchObject({ method: 'udp', tool: 'traceroute' });
      expect(icmp, show(icmp)).toMatchObject({ method: 'icmp', tool: 'traceroute' });
      for (const f of [udp, icmp]) {
        printed.push(line(`${f.method} ${c.where ? `drop at ${c.where}` : 'open'}`, f));
        expect(f.reached, show(f)).toBe(c.where === null);
        // A trace sent while a drop sits two hops on may print hops after the end of the path as silent.
        expect(addrs(f).slice(0, c.expected.length), show(f)).toEqual(c.expected);
        const s = summarizeTrace({ ...f, ownNetworks: own() });
        expect(s.stoppedIn).toBe(c.stoppedIn);
        expect(s.lastAnswering?.address).toBe(c.last);
      }
    }
  }, 120_000);
});

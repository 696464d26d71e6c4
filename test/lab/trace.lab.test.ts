// The trace engine in a routed lab: client → router → server (and a second host "far" behind the same
// router). The router DROPs or REJECTs some TCP ports and everything to "far" in its FORWARD chain; the
// server DROPs one port and echo requests in its INPUT chain. Asserts, per method (TCP SYN, UDP, ICMP,
// tracepath), the last hop that answers and whether the target was reached — and the bounds: silent-hop
// limit, time limit, cancellation of a running trace, an unprivileged user falling back from TCP SYN to UDP.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { summarizeTrace } from '../../src/core/probe/trace/classify';
import type { TraceFact } from '../../src/core/probe/trace/types';
import { describeLab } from './describe-lab';
import { createLab, REPO_ROOT, type CallOutcome, type Lab } from './lab';

const RUN = 'src/core/probe/trace/run';
const NOBODY = { uid: 65534, gid: 65534 };
const base = { maxHops: 6, probeWaitMs: 500, timeoutMs: 20_000 };

function value(o: CallOutcome): TraceFact {
  if (!o.ok) throw new Error(o.error);
  return o.value as TraceFact;
}
const addrs = (f: TraceFact): (string | null)[] => f.hops.map((h) => h.address);
const show = (f: TraceFact): string => JSON.stringify(f);

describeLab('lab: hop-by-hop trace through a router', () => {
  let lab: Lab;
  let router: string;
  let server: string;
  let far: string;
  beforeAll(async () => {
    lab = await createLab({
      ipv6: false,
      hosts: {
        router: {
          forwardRules: [
            ['-p', 'tcp', '--dport', '81', '-j', 'DROP'],
            ['-p', 'tcp', '--dport', '83', '-j', 'REJECT', '--reject-with', 'icmp-admin-prohibited'],
          ],
        },
        server: { via: 'router', ports: [{ port: 22, listen: 'tcp' }, { port: 82, firewall: 'drop' }], icmp: 'drop' },
        far: { via: 'router', ports: [{ port: 22, listen: 'tcp' }] },
      },
    });
    router = lab.hosts.router.ipv4;
    server = lab.hosts.server.ipv4;
    far = lab.hosts.far.ipv4;
    // Everything to "far" dies at the router (its address is known only now).
    // Proxy ARP answers after a random delay of up to 0.8 s (proxy_delay): a lab artefact that would make
    // the first answer from behind the router slower than the probe wait. The router's veths are r1, r2.
    const r = await lab.sh(`iptables -w 5 -I FORWARD -d ${far} -j DROP && sysctl -q -w net.ipv4.neigh.r1.proxy_delay=0 net.ipv4.neigh.r2.proxy_delay=0`, { ns: lab.hosts.router.ns });
    if (r.code !== 0) throw new Error(`router setup: ${r.stderr}`);
  });
  afterAll(async () => {
    await lab?.destroy();
  });

  it('TCP SYN (root): reaches a listening port; the router drop, the server drop and the router REJECT each stop after the router', async () => {
    const out = (
      await lab.callMany([22, 81, 82, 83].map((port) => ({ module: RUN, fn: 'runTrace', args: [server, { ...base, port }] })))
    ).map(value);
    for (const f of out) expect(f.method, show(f)).toBe('tcp-syn');
    const [open, routerDrop, serverDrop, rejected] = out;
    expect(open.reached, show(open)).toBe(true);
    expect(addrs(open)).toEqual([router, server]);
    expect(open.port).toBe(22);
    expect(summarizeTrace(open).stoppedIn).toBe('target');
    for (const f of [routerDrop, serverDrop]) {
      expect(f.reached, show(f)).toBe(false);
      expect(addrs(f)).toEqual([router, null, null, null, null, null]);
      const s = summarizeTrace(f);
      expect(s.lastAnswering?.address).toBe(router);
      expect(s.lastAnswering?.ttl).toBe(1);
      // The lab is all 10.200/16: the last answering hop is "own network", with no public hop seen.
      expect(s.stoppedIn).toBe('own-network');
      expect(s.premises).toMatchObject({ publicHopSeen: false, silentTail: 5 });
      expect(f.durationMs).toBeLessThan(10_000);
    }
    expect(rejected.reached, show(rejected)).toBe(false);
    expect(addrs(rejected)).toEqual([router, router]);
    expect(rejected.hops[1].unreachable).toBe('admin-prohibited');
  });

  it('UDP (traceroute, no raw sockets asked for): reaches the server; everything to "far" stops after the router', async () => {
    const [toServer, toFar] = (
      await lab.callMany([server, far].map((t) => ({ module: RUN, fn: 'runTrace', args: [t, { ...base, rawAllowed: false, port: 22 }] })))
    ).map(value);
    expect(toServer).toMatchObject({ method: 'udp', tool: 'traceroute', reached: true });
    expect(toServer.port).toBeUndefined();
    expect(addrs(toServer)).toEqual([router, server]);
    expect(toFar.reached, show(toFar)).toBe(false);
    expect(addrs(toFar)).toEqual([router, null, null, null, null, null]);
  });

  it('ICMP (traceroute -I): the server drops echo requests, "far" is cut at the router — neither is reached', async () => {
    const [toServer, toFar] = (await lab.callMany([server, far].map((t) => ({ module: RUN, fn: 'runTrace', args: [t, { ...base, maxHops: 4, method: 'icmp' }] })))).map(value);
    for (const f of [toServer, toFar]) {
      expect(f).toMatchObject({ method: 'icmp', tool: 'traceroute', reached: false });
      expect(addrs(f)).toEqual([router, null, null, null]);
    }
  });

  it('tracepath: reaches the server; towards "far" it stops itself after 2 silent hops (bounded time)', async () => {
    const noTr = { traceroute: '/nonexistent/traceroute' };
    const [toServer, toFar] = (
      await lab.callMany([
        { module: RUN, fn: 'runTrace', args: [server, { ...base, toolPaths: noTr }] },
        { module: RUN, fn: 'runTrace', args: [far, { ...base, maxHops: 30, toolPaths: noTr, silentHopLimit: 2 }] },
      ])
    ).map(value);
    expect(toServer).toMatchObject({ tool: 'tracepath', method: 'udp', reached: true });
    expect(addrs(toServer)).toEqual([router, server]);
    expect(toFar, show(toFar)).toMatchObject({ tool: 'tracepath', reached: false, stopped: 'silent-hops' });
    expect(addrs(toFar).slice(0, 3)).toEqual([router, null, null]);
    expect(toFar.hops.length).toBeLessThanOrEqual(4);
    expect(toFar.durationMs).toBeLessThan(15_000);
  });

  it('the time limit ends a slow trace and keeps the hops so far', async () => {
    const f = value(
      (await lab.callMany([{ module: RUN, fn: 'runTrace', args: [far, { maxHops: 30, timeoutMs: 2500, silentHopLimit: 30, toolPaths: { traceroute: '/nonexistent/traceroute' } }] }]))[0],
    );
    expect(f, show(f)).toMatchObject({ tool: 'tracepath', reached: false, stopped: 'timeout' });
    expect(f.hops[0]?.address).toBe(router);
    expect(f.durationMs).toBeGreaterThanOrEqual(2400);
    expect(f.durationMs).toBeLessThan(5000);
  });

  it('cancelling a running trace kills the tool at once; hops arrive one by one before the end', async () => {
    const mod = `${REPO_ROOT}/src/core/probe/trace/run.ts`;
    const script = `
      const { runTrace } = require(${JSON.stringify(mod)});
      (async () => {
        const t0 = performance.now();
        const ac = new AbortController();
        const seen = [];
        setTimeout(() => ac.abort(), 2000);
        const f = await runTrace(${JSON.stringify(far)}, { maxHops: 30, silentHopLimit: 30, signal: ac.signal, toolPaths: { traceroute: '/nonexistent/traceroute' },
          onHop: (h) => seen.push({ ttl: h.ttl, address: h.address, at: Math.round(performance.now() - t0) }) });
        console.log('RESULT ' + JSON.stringify({ f, seen, total: Math.round(performance.now() - t0) }));
      })();`;
    const r = await lab.exec(['node', '--import', 'tsx', '-e', script], { timeoutMs: 20_000 });
    const line = r.stdout.split('\n').find((l) => l.startsWith('RESULT '));
    expect(line, r.stdout + r.stderr).toBeDefined();
    const { f, seen, total } = JSON.parse(line!.slice(7)) as { f: TraceFact; seen: { ttl: number; address: string | null; at: number }[]; total: number };
    expect(f.stopped, show(f)).toBe('cancelled');
    expect(total).toBeLessThan(5000);
    expect(seen[0]).toMatchObject({ ttl: 1, address: router });
    // The first hop was reported while the trace was still running, not only at the end.
    expect(seen[0].at).toBeLessThan(1900);
  });

  it('as an unprivileged user: TCP SYN is not possible, auto falls back to UDP and still reaches the server', async () => {
    const out = await lab.callMany(
      [
        { module: RUN, fn: 'runTrace', args: [server, { ...base, port: 22 }] },
        { module: RUN, fn: 'rawSocketsAllowed', args: [] },
        // Told (wrongly) that raw sockets are allowed: traceroute -T refuses, the runner falls through to UDP.
        { module: RUN, fn: 'runTrace', args: [server, { ...base, port: 22, rawAllowed: true }] },
      ],
      { asUser: NOBODY },
    );
    const f = value(out[0]);
    expect(out[1]).toMatchObject({ ok: true, value: false });
    expect(f, show(f)).toMatchObject({ method: 'udp', reached: true });
    expect(addrs(f)).toEqual([router, server]);
    const forced = value(out[2]);
    expect(forced, show(forced)).toMatchObject({ method: 'udp', reached: true });
    expect(forced.error).toBeUndefined();
  });
});

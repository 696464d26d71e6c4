// TCP states and reasons against real kernels and real firewall rules (DESIGN.md "Probe semantics"):
// every row of the table is produced by an iptables rule or a (missing) listener in the lab, and the
// prober runs inside the lab's client namespace, exactly as a user's machine would.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ProbeReport, TcpPortFact } from '../../src/core/probe/types';
import { describeLab } from './describe-lab';
import { createLab, sgDoctorArgv, type CallOutcome, type Lab, type PortSpec } from './lab';

/** Port → lab rule and the classification DESIGN.md prescribes for it. */
const CASES = [
  { name: 'open', port: 8001, spec: { listen: 'tcp' }, v4: ['open', 'syn-ack'], v6: ['open', 'syn-ack'] },
  { name: 'no listener', port: 8002, spec: { listen: 'none' }, v4: ['closed', 'conn-refused'], v6: ['closed', 'conn-refused'] },
  { name: 'DROP', port: 8003, spec: { firewall: 'drop' }, v4: ['filtered', 'no-response'], v6: ['filtered', 'no-response'] },
  { name: 'REJECT tcp-reset', port: 8004, spec: { firewall: 'reject-tcp-reset' }, v4: ['closed', 'conn-refused'], v6: ['closed', 'conn-refused'] },
  {
    name: 'REJECT icmp-port-unreachable',
    port: 8005,
    spec: { firewall: 'reject-port-unreachable' },
    icmpSignalled: true,
    v4: ['closed', 'conn-refused'],
    v6: ['closed', 'conn-refused'],
  },
  // IPv4 icmp-host-prohibited → EHOSTUNREACH; IPv6 icmp6-adm-prohibited (firewalld's reject) → EACCES.
  {
    name: 'REJECT icmp-host-prohibited',
    port: 8006,
    spec: { firewall: 'reject-host-prohibited' },
    icmpSignalled: true,
    v4: ['filtered', 'host-unreach'],
    v6: ['filtered', 'admin-prohibited'],
  },
  { name: 'listener on 127.0.0.1 only', port: 8008, spec: { listen: 'http', bind: 'loopback' }, v4: ['closed', 'conn-refused'], v6: ['closed', 'conn-refused'] },
  { name: 'client-side OUTPUT DROP', port: 8009, spec: { listen: 'tcp' }, v4: ['filtered', 'no-response'], v6: ['filtered', 'no-response'] },
] as const satisfies readonly {
  name: string;
  port: number;
  spec: Omit<PortSpec, 'port'>;
  v4: readonly [string, string];
  v6: readonly [string, string];
  icmpSignalled?: boolean;
}[];

const FLAKY_PORT = 8007;
const CLIENT_BLOCKED = 8009;
const TCP = 'src/core/probe/tcp';
const T4_MAX_MS = 1250;

describeLab('lab: TCP probe states and reasons', () => {
  let lab: Lab;
  let v4: CallOutcome[];

  beforeAll(async () => {
    lab = await createLab({
      hosts: {
        server: { ports: [...CASES.map((c) => ({ port: c.port, ...c.spec })), { port: FLAKY_PORT, listen: 'tcp', firewall: 'flaky' }] },
        // Another host with the client-blocked port open: the block is the client's, per port.
        other: { ports: [{ port: CLIENT_BLOCKED, listen: 'tcp' }, { port: 8001, listen: 'tcp' }] },
      },
      clientBlockedTcpPorts: [CLIENT_BLOCKED],
    });
    const s = lab.hosts.server;
    // One child process probes every case, one port after another (each from a fresh T4 timing state).
    v4 = await lab.callMany(CASES.map((c) => ({ module: TCP, fn: 'probeTcpPort', args: [{ host: s.ipv4, address: s.ipv4, port: c.port }, { attempts: 3 }] })));
  });

  afterAll(async () => {
    await lab?.destroy();
  });

  for (const [i, c] of CASES.entries()) {
    it(`IPv4 ${c.name} → ${c.v4.join('/')}`, () => {
      const o = v4[i];
      expect(o.ok, o.ok ? '' : o.error).toBe(true);
      const fact = (o as { value: TcpPortFact }).value;
      expect([fact.state, fact.reason]).toEqual(c.v4);
      expect(fact.port).toBe(c.port);
      if (fact.state === 'filtered' && fact.reason === 'no-response') {
        // Decided by our adaptive timer (T4: at most 1250 ms per attempt), never by the OS connect timeout.
        expect(fact.attempts).toBe(3);
        expect(fact.rttMs).toBeNull();
        expect(fact.flaky).toBe(false);
        for (const a of fact.samples) {
          expect(a.timeoutMs).toBeLessThanOrEqual(T4_MAX_MS);
          expect(a.durationMs).toBeLessThan(a.timeoutMs + 1000);
          expect(a.errno).toBeUndefined();
        }
        return;
      }
      expect(fact.rttMs).not.toBeNull();
      const last = fact.samples[fact.samples.length - 1];
      if (c.v4[0] === 'open') expect(last.errno).toBeUndefined();
      if (c.v4[1] === 'conn-refused') expect(last.errno).toBe('ECONNREFUSED');
      if (c.v4[1] === 'host-unreach') expect(last.errno).toBe('EHOSTUNREACH');
      if (!('icmpSignalled' in c)) {
        // RST / SYN-ACK: decisive on the first attempt.
        expect(fact.attempts).toBe(1);
        expect(fact.flaky).toBe(false);
      } else {
        // An ICMP error can (rarely, on a loaded machine) still race the sender's socket lock and be
        // dropped as a soft error; the prober's retry must then catch it. (host-unreach is not decisive
        // for the prober — routes flap — so it retries that too.)
        expect(fact.attempts).toBeLessThanOrEqual(3);
        expect(fact.samples.every((a) => a.reason === 'no-response' || a.reason === c.v4[1])).toBe(true);
      }
    });
  }

  it('IPv4 flaky port (every second SYN dropped) → open and flaky', async () => {
    await lab.resetFlaky();
    const s = lab.hosts.server;
    const fact = await lab.call<TcpPortFact>(TCP, 'probeTcpPort', [{ host: s.ipv4, address: s.ipv4, port: FLAKY_PORT }, { attempts: 3 }]);
    expect(fact.state).toBe('open');
    expect(fact.reason).toBe('syn-ack');
    expect(fact.flaky).toBe(true);
    expect(fact.samples.map((a) => a.state)).toEqual(['filtered', 'open']);
  });

  it('the client-side block is per port and per client: the same port on another host is filtered, another port there is open', async () => {
    const o = lab.hosts.other;
    const [blocked, open] = await lab.callMany([
      { module: TCP, fn: 'probeTcpPort', args: [{ host: o.ipv4, address: o.ipv4, port: CLIENT_BLOCKED }, { attempts: 1 }] },
      { module: TCP, fn: 'probeTcpPort', args: [{ host: o.ipv4, address: o.ipv4, port: 8001 }, { attempts: 1 }] },
    ]);
    expect(blocked.ok && open.ok).toBe(true);
    expect((blocked as { value: TcpPortFact }).value.state).toBe('filtered');
    expect((open as { value: TcpPortFact }).value.state).toBe('open');
    // From the server's namespace (no client-side rule) the same port on the same host answers.
    const fromServer = await lab.call<TcpPortFact>(TCP, 'probeTcpPort', [{ host: o.ipv4, address: o.ipv4, port: CLIENT_BLOCKED }, { attempts: 1 }], {
      ns: lab.hosts.server.ns,
    });
    expect(fromServer.state).toBe('open');
  });

  it('sg-doctor probe --json classifies every case over IPv4 and IPv6 in one concurrent run', async () => {
    const s = lab.hosts.server;
    const ports = [...CASES.map((c) => c.port)].join(',');
    const families = s.ipv6 ? [s.ipv4, s.ipv6] : [s.ipv4];
    for (const addr of families) {
      const r = await lab.runInClient(
        sgDoctorArgv(['probe', addr, '--ports', ports, '--json', '--no-dns', '--no-banners', '--egress-ip-urls', '', '--control-hosts', '']),
      );
      expect(r.code, r.stderr).toBe(0);
      const report = JSON.parse(r.stdout) as ProbeReport;
      expect(report.target.addresses).toEqual([addr]);
      const got = Object.fromEntries(report.tcp.map((f) => [f.port, [f.state, f.reason]]));
      const want = Object.fromEntries(CASES.map((c) => [c.port, addr === s.ipv4 ? [...c.v4] : [...c.v6]]));
      expect(got).toEqual(want);
      // No client context endpoints were configured: nothing left the lab.
      expect(report.client.control).toEqual([]);
      expect(report.client.egressIp).toBeNull();
    }
  });

  it('IPv6 flaky port → open and flaky', async ({ skip }) => {
    const s = lab.hosts.server;
    if (!s.ipv6) return skip('no IPv6 in this kernel');
    await lab.resetFlaky();
    const fact = await lab.call<TcpPortFact>(TCP, 'probeTcpPort', [{ host: s.ipv6, address: s.ipv6, port: FLAKY_PORT }, { attempts: 3 }]);
    expect([fact.state, fact.flaky]).toEqual(['open', true]);
  });
});

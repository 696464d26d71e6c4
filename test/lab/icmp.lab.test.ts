// ICMP echo through both methods (raw socket via net-ping, the system ping) against lab hosts that
// answer, drop echo requests, or REJECT them with host-prohibited — and the system-ping path as an
// unprivileged user (nobody), which is how most desktop users run the app.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { IcmpFact } from '../../src/core/probe/types';
import { describeLab } from './describe-lab';
import { createLab, type CallOutcome, type Lab } from './lab';

const ICMP = 'src/core/probe/icmp';
const NOBODY = { uid: 65534, gid: 65534 };
const opts = (method: string) => ({ method, count: 2, timeoutMs: 600, intervalMs: 100 });

function value(o: CallOutcome): IcmpFact {
  if (!o.ok) throw new Error(o.error);
  return o.value as IcmpFact;
}

describeLab('lab: ICMP probe', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await createLab({ hosts: { server: {}, quiet: { icmp: 'drop' }, prohib: { icmp: 'host-prohibited' } } });
  });
  afterAll(async () => {
    await lab?.destroy();
  });

  for (const method of ['raw-socket', 'system-ping'] as const) {
    it(`${method} as root: reply, timeout when echo is dropped, unreachable when host-prohibited (IPv4 and IPv6)`, async () => {
      const h = lab.hosts;
      const fams = h.server.ipv6 ? (['ipv4', 'ipv6'] as const) : (['ipv4'] as const);
      const calls = fams.flatMap((f) => [h.server, h.quiet, h.prohib].map((x) => ({ module: ICMP, fn: 'probeIcmp', args: [x[f], opts(method)] })));
      const out = (await lab.callMany(calls)).map(value);
      for (const [i, f] of fams.entries()) {
        const [reply, timeout, unreach] = out.slice(i * 3, i * 3 + 3);
        expect(reply.method, f).toBe(method);
        expect(reply.state, `${f} reply ${JSON.stringify(reply)}`).toBe('reply');
        expect(reply.received).toBe(2);
        expect(reply.rttMs).toHaveLength(2);
        expect(reply.rttAvgMs).toBeGreaterThan(0);
        expect(timeout.state, `${f} timeout ${JSON.stringify(timeout)}`).toBe('timeout');
        expect([timeout.sent, timeout.received, timeout.lossPct]).toEqual([2, 0, 100]);
        expect(unreach.state, `${f} unreachable ${JSON.stringify(unreach)}`).toBe('unreachable');
        expect(unreach.received).toBe(0);
        // v4: host-prohibited (type 3 code 10); v6: administratively prohibited (type 1 code 1).
        expect(unreach.unreachable?.text).toMatch(f === 'ipv4' ? /Host Prohibited/i : /prohibited/i);
        if (method === 'raw-socket') expect([unreach.unreachable?.type, unreach.unreachable?.code]).toEqual(f === 'ipv4' ? [3, 10] : [1, 1]);
        if (method === 'system-ping') expect(reply.command?.[0]).toMatch(/ping/);
      }
    });
  }

  it('as an unprivileged user: raw sockets are refused, auto falls back to the system ping, which still works', async () => {
    const h = lab.hosts;
    const out = await lab.callMany(
      [
        { module: ICMP, fn: 'probeIcmp', args: [h.server.ipv4, opts('raw-socket')] },
        { module: ICMP, fn: 'probeIcmp', args: [h.server.ipv4, opts('auto')] },
        { module: ICMP, fn: 'probeIcmp', args: [h.quiet.ipv4, opts('auto')] },
        { module: ICMP, fn: 'probeIcmp', args: [h.prohib.ipv4, opts('auto')] },
        { module: 'node:process', fn: 'getuid', args: [] },
      ],
      { asUser: NOBODY },
    );
    expect(out[4]).toMatchObject({ ok: true, value: 65534 });
    const [raw, reply, timeout, unreach] = out.slice(0, 4).map(value);
    expect(raw.state).toBe('unavailable');
    expect(raw.error).toMatch(/raw socket unavailable/i);
    for (const f of [reply, timeout, unreach]) {
      expect(f.method).toBe('system-ping');
      expect(f.fallback).toMatch(/raw socket unavailable/i);
    }
    expect(reply.state).toBe('reply');
    expect(timeout.state).toBe('timeout');
    expect(unreach.state).toBe('unreachable');
  });
});

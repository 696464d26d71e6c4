import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectTraceFormat, parseTrace, tokenAddress } from './parse';
import { targetReached } from './run';

const fx = (name: string): string => readFileSync(join(__dirname, 'fixtures', `${name}.txt`), 'utf8');
/** [ttl, address, number of RTTs, loss] per hop. */
type Row = [number, string | null, number, number];
const rows = (name: string): Row[] => parseTrace(fx(name)).hops.map((h) => [h.ttl, h.address, h.rttMs.length, h.loss]);
const reached = (name: string): boolean => {
  const p = parseTrace(fx(name));
  return targetReached(p.hops, p.destination, p.reachedMark);
};

describe('trace output parsers (captured Linux outputs)', () => {
  it('traceroute -T reaching a listening port: router, then the target', () => {
    const p = parseTrace(fx('linux-traceroute-T-n-reached'));
    expect(p.format).toBe('traceroute');
    expect(p.destination).toBe('10.200.36.11');
    expect(rows('linux-traceroute-T-n-reached')).toEqual([[1, '10.200.36.10', 3, 0], [2, '10.200.36.11', 3, 0]]);
    expect(p.hops[1].rttMs).toEqual([587.476, 587.501, 587.5]);
    expect(reached('linux-traceroute-T-n-reached')).toBe(true);
  });
  it('traceroute -T to a closed port: the RST counts as the target answering', () => {
    expect(reached('linux-traceroute-T-n-closed-port')).toBe(true);
  });
  it.each(['linux-traceroute-T-n-drop-at-router', 'linux-traceroute-T-n-drop-at-server', 'linux-traceroute-udp-drop-at-router'])(
    '%s: the router answers, then every hop is silent',
    (name) => {
      expect(rows(name)).toEqual([[1, '10.200.36.10', 3, 0], [2, null, 0, 1], [3, null, 0, 1], [4, null, 0, 1], [5, null, 0, 1]]);
      expect(parseTrace(fx(name)).hops.every((h) => h.sent === 3)).toBe(true);
      expect(reached(name)).toBe(false);
    },
  );
  it('traceroute -I to a host that drops echo requests', () => {
    expect(rows('linux-traceroute-icmp-n-dropped')).toEqual([[1, '10.200.36.10', 3, 0], [2, null, 0, 1], [3, null, 0, 1], [4, null, 0, 1]]);
    expect(reached('linux-traceroute-icmp-n-dropped')).toBe(false);
  });
  it('a !X annotation marks the hop administratively prohibited (the router rejected the probe)', () => {
    const p = parseTrace(fx('linux-traceroute-T-n-rejected-at-router'));
    expect(p.hops[1]).toMatchObject({ ttl: 2, address: '10.200.43.10', unreachable: 'admin-prohibited' });
    expect(p.hops[0].unreachable).toBeUndefined();
    expect(targetReached(p.hops, p.destination)).toBe(false);
  });
  it('traceroute with names (no -n) reads the address in parentheses', () => {
    expect(rows('linux-traceroute-udp-names')).toEqual([[1, '10.200.36.10', 3, 0], [2, '10.200.36.11', 3, 0]]);
    expect(rows('linux-traceroute-udp-n-reached')).toEqual([[1, '10.200.36.10', 3, 0], [2, '10.200.36.11', 3, 0]]);
  });
  it('tracepath: merges the lines of one TTL, skips [LOCALHOST], reads `reached` and `no reply`', () => {
    const p = parseTrace(fx('linux-tracepath-n-reached'));
    expect(p.format).toBe('tracepath');
    expect(p.destination).toBe('10.200.36.11');
    expect(rows('linux-tracepath-n-reached')).toEqual([[1, '10.200.36.10', 2, 0], [2, '10.200.36.11', 1, 0]]);
    expect(reached('linux-tracepath-n-reached')).toBe(true);
    expect(rows('linux-tracepath-n-drop-at-router')).toEqual([[1, '10.200.36.10', 2, 0], [2, null, 0, 1], [3, null, 0, 1], [4, null, 0, 1]]);
    expect(reached('linux-tracepath-n-drop-at-router')).toBe(false);
  });
});

describe('trace output parsers (written from documentation)', () => {
  it('tracepath manual example: asymm and pmtu words, an IPv6 target reached at TTL 2', () => {
    const p = parseTrace(fx('linux-tracepath-doc-asymm-v6'));
    expect(p.destination).toBe('2400:3200::1');
    expect(p.hops[1]).toMatchObject({ ttl: 2, address: '2400:3200:1::1', otherAddresses: ['2400:3200::1'], rttMs: [0.39, 463.514] });
    expect(reached('linux-tracepath-doc-asymm-v6')).toBe(true);
  });
  it('macOS traceroute -n: CGNAT hop, silent hop, a continuation line with a second address, partial loss', () => {
    const p = parseTrace(fx('macos-traceroute-n-reached'));
    expect(p.format).toBe('traceroute');
    expect(rows('macos-traceroute-n-reached')).toEqual([
      [1, '192.168.1.1', 3, 0], [2, '100.64.0.1', 3, 0], [3, null, 0, 1], [4, '202.97.33.65', 3, 0], [5, '116.251.100.2', 1, 0.667], [6, '47.98.20.30', 3, 0],
    ]);
    expect(p.hops[3].otherAddresses).toEqual(['202.97.33.69']);
    expect(reached('macos-traceroute-n-reached')).toBe(true);
  });
  it('macOS traceroute with names and !H', () => {
    const p = parseTrace(fx('macos-traceroute-host-unreachable'));
    expect(p.hops.map((h) => h.address)).toEqual(['192.168.1.1', '10.0.0.1', '10.0.0.1']);
    expect(p.hops[2].unreachable).toBe('host-unreachable');
    expect(reached('macos-traceroute-host-unreachable')).toBe(false);
  });
  it.each(['windows-en-tracert-d-reached', 'windows-zh-tracert-reached'])('%s: RTT columns first, <1 ms, timed-out hop', (name) => {
    const p = parseTrace(fx(name));
    expect(p.format).toBe('tracert');
    expect(detectTraceFormat(fx(name))).toBe('tracert');
    expect(p.destination).toBe('47.98.20.30');
    const r = rows(name);
    expect(r[0]).toEqual([1, '192.168.1.1', 3, 0]);
    expect(p.hops[0].rttMs).toEqual([1, 1, 1]);
    expect(r[2]).toEqual([3, null, 0, 1]);
    expect(r[r.length - 1]).toEqual([5, '47.98.20.30', 3, 0]);
    expect(reached(name)).toBe(true);
  });
  it('tracert: a lost probe among answered ones counts as loss', () => {
    expect(rows('windows-en-tracert-d-reached')[3]).toEqual([4, '202.97.33.65', 2, 0.333]);
  });
  it('tracert with names: the address in brackets; stops after the home router', () => {
    expect(rows('windows-en-tracert-names-stops-at-home-router')).toEqual([[1, '192.168.1.1', 3, 0], [2, null, 0, 1], [3, null, 0, 1], [4, null, 0, 1]]);
    expect(parseTrace(fx('windows-en-tracert-names-stops-at-home-router')).destination).toBe('47.98.20.30');
  });
  it.each(['windows-en-tracert-d-host-unreachable', 'windows-zh-tracert-d-host-unreachable'])('%s: "reports:" line is an ICMP error from that address', (name) => {
    const p = parseTrace(fx(name));
    expect(p.destination).toBe('10.1.2.3');
    expect(p.hops[1]).toMatchObject({ ttl: 2, address: '192.168.1.1', rttMs: [], unreachable: 'host-unreachable' });
    expect(reached(name)).toBe(false);
  });
});

describe('trace parser details', () => {
  it('tokenAddress strips brackets, parentheses and trailing punctuation, rejects names', () => {
    expect(tokenAddress('(10.0.0.1)')).toBe('10.0.0.1');
    expect(tokenAddress('[2001:db8::1]')).toBe('2001:db8::1');
    expect(tokenAddress('47.98.20.30),')).toBe('47.98.20.30');
    expect(tokenAddress('router.home')).toBeNull();
    expect(tokenAddress('1.2.3')).toBeNull();
  });
  it('a Windows line in another language parses from numbers and addresses alone', () => {
    const p = parseTrace('  1    <1 Millisekunden    2 Millisekunden    *    10.0.0.1\r\n  2     *     *     *     Zeitüberschreitung.\r\n', 'tracert');
    expect(p.hops[0]).toMatchObject({ address: '10.0.0.1', rttMs: [1, 2], sent: 3 });
    expect(p.hops[1]).toMatchObject({ address: null, loss: 1 });
  });
  it('glued units (`12ms`, `<1ms`) and odd spacing', () => {
    expect(parseTrace('  1  <1ms  12ms  3ms  192.168.0.1', 'tracert').hops[0].rttMs).toEqual([1, 12, 3]);
  });
  it('empty or header-only output: no hops', () => {
    expect(parseTrace('').hops).toEqual([]);
    expect(parseTrace('traceroute to 10.0.0.1 (10.0.0.1), 30 hops max, 60 byte packets\n').hops).toEqual([]);
  });
  it('several addresses on one traceroute line (load balancing) keep the first as the hop address', () => {
    const h = parseTrace(' 3  10.0.0.1  1.0 ms 10.0.0.2  2.0 ms *', 'traceroute').hops[0];
    expect(h).toMatchObject({ address: '10.0.0.1', otherAddresses: ['10.0.0.2'], rttMs: [1, 2], sent: 3, loss: 0.333 });
  });
  it.each([
    ['!H', 'host-unreachable'], ['!N', 'net-unreachable'], ['!P', 'protocol-unreachable'], ['!X', 'admin-prohibited'],
    ['!F-1500', 'frag-needed'], ['!S', 'source-route-failed'], ['!<10>', 'other'], ['!', 'other'],
  ])('traceroute annotation %s → %s', (bang, kind) => {
    const h = parseTrace(` 4  gw.example (10.9.8.7)  5.1 ms ${bang}  5.0 ms ${bang}  *`, 'traceroute').hops[0];
    expect(h).toMatchObject({ ttl: 4, address: '10.9.8.7', rttMs: [5.1, 5], sent: 3, unreachable: kind });
  });
});

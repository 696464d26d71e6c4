import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classifyAddress, parseOwnNetworks, summarizeTrace } from './classify';
import { parseTrace } from './parse';
import { targetReached } from './run';
import type { TraceHop } from './types';

const hop = (ttl: number, address: string | null): TraceHop => ({ ttl, address, rttMs: address ? [1] : [], sent: 1, loss: address ? 0 : 1 });

describe('classifyAddress', () => {
  it.each([
    ['10.1.2.3', 'private'], ['172.16.0.1', 'private'], ['172.31.255.255', 'private'], ['192.168.1.1', 'private'],
    ['172.32.0.1', 'public'], ['100.64.0.1', 'cgnat'], ['100.127.255.254', 'cgnat'], ['100.63.255.255', 'public'],
    ['100.128.0.1', 'public'], ['127.0.0.1', 'loopback'], ['169.254.10.1', 'link-local'], ['203.0.113.7', 'special'],
    ['198.18.0.1', 'special'], ['0.1.2.3', 'special'], ['224.0.0.1', 'special'], ['47.98.20.30', 'public'], ['8.8.8.8', 'public'],
    ['::1', 'loopback'], ['fe80::1', 'link-local'], ['fd00:200:0:1::1', 'private'], ['fc12::1', 'private'], ['2001:db8::1', 'special'],
    ['2400:3200::1', 'public'], ['::ffff:192.168.1.1', 'private'], ['::ffff:100.64.1.1', 'cgnat'], ['ff02::1', 'special'], ['::', 'special'],
    ['not-an-address', 'special'],
  ])('%s is %s', (a, c) => {
    expect(classifyAddress(a)).toBe(c);
  });
});

describe('summarizeTrace', () => {
  it('the own network ends at the first public (or carrier NAT) hop; a silent hop between own hops is own', () => {
    const s = summarizeTrace({ hops: [hop(1, '192.168.1.1'), hop(2, null), hop(3, '10.0.0.1'), hop(4, null), hop(5, '100.64.0.1'), hop(6, '47.98.1.1')], reached: false });
    expect(s.hops.map((h) => h.zone)).toEqual(['own-network', 'own-network', 'own-network', 'unknown', 'beyond', 'beyond']);
    expect(s.hops.map((h) => h.class)).toEqual(['private', null, 'private', null, 'cgnat', 'public']);
    expect(s.boundaryTtl).toBe(5);
    expect(s.lastAnswering?.address).toBe('47.98.1.1');
    expect(s.stoppedIn).toBe('beyond');
    expect(s.premises).toEqual({ targetAnswered: false, publicHopSeen: true, answeringHops: 4, silentTail: 0 });
  });
  it('declared own networks replace the address classes: the first hop outside them ends the own network', () => {
    const hops = [hop(1, '10.200.9.11'), hop(2, '10.200.9.12'), hop(3, null), hop(4, null)];
    const byClass = summarizeTrace({ hops, reached: false });
    expect(byClass.stoppedIn).toBe('own-network');
    const declared = summarizeTrace({ hops, reached: false, ownNetworks: ['10.200.9.11'] });
    expect(declared.hops.map((h) => h.zone)).toEqual(['own-network', 'beyond', 'beyond', 'beyond']);
    expect(declared.boundaryTtl).toBe(2);
    expect(declared.stoppedIn).toBe('beyond');
    expect(declared.lastAnswering?.address).toBe('10.200.9.12');
    // A public hop inside a declared network (public space used inside a campus network) is the user's own.
    const campus = summarizeTrace({ hops: [hop(1, '192.168.1.1'), hop(2, '202.120.1.1'), hop(3, null)], reached: false, ownNetworks: ['192.168.0.0/16', '202.120.0.0/16'] });
    expect(campus.stoppedIn).toBe('own-network');
    expect(campus.hops.map((h) => h.zone)).toEqual(['own-network', 'own-network', 'unknown']);
    // IPv6 prefixes, and prefixes that do not end on a group boundary.
    const v6 = summarizeTrace({ hops: [hop(1, 'fd00:200:0:9::1'), hop(2, 'fd00:2ff::1'), hop(3, null)], reached: false, ownNetworks: ['fd00:200::/24'] });
    expect(v6.hops.map((h) => h.zone)).toEqual(['own-network', 'own-network', 'unknown']);
    expect(summarizeTrace({ hops: [hop(1, 'fd00:200:0:9::1'), hop(2, 'fd00:300::1')], reached: false, ownNetworks: ['fd00:200::/24'] }).boundaryTtl).toBe(2);
    expect(parseOwnNetworks(['10.0.0.0/33', '1.2.3.4/8/1', 'x', 'fe80::/129'])).toBeNull();
    expect(parseOwnNetworks(['10.0.0.0/8', 'bad', '::1'])).toHaveLength(2);
    // Nothing parses: the address classes apply.
    expect(summarizeTrace({ hops, reached: false, ownNetworks: ['not a network'] }).stoppedIn).toBe('own-network');
  });
  it('private hops after the boundary are beyond (the carrier’s own 10/8 routers)', () => {
    const s = summarizeTrace({ hops: [hop(1, '192.168.1.1'), hop(2, '61.1.1.1'), hop(3, '10.5.5.5'), hop(4, null)], reached: false });
    expect(s.hops.map((h) => h.zone)).toEqual(['own-network', 'beyond', 'beyond', 'beyond']);
    expect(s.stoppedIn).toBe('beyond');
    expect(s.premises.silentTail).toBe(1);
  });
  it('a trace dying after the home router stops in the own network, with no public hop seen as its premise', () => {
    const p = parseTrace(readFileSync(join(__dirname, 'fixtures', 'windows-en-tracert-names-stops-at-home-router.txt'), 'utf8'));
    const s = summarizeTrace({ hops: p.hops, reached: targetReached(p.hops, p.destination) });
    expect(s.stoppedIn).toBe('own-network');
    expect(s.lastAnswering?.address).toBe('192.168.1.1');
    expect(s.hops.slice(1).every((h) => h.zone === 'unknown')).toBe(true);
    expect(s.premises).toMatchObject({ publicHopSeen: false, silentTail: 3 });
  });
  it('reached wins; nothing answering is unknown', () => {
    expect(summarizeTrace({ hops: [hop(1, '192.168.1.1'), hop(2, '47.98.20.30')], reached: true }).stoppedIn).toBe('target');
    const none = summarizeTrace({ hops: [hop(1, null), hop(2, null)], reached: false });
    expect(none.stoppedIn).toBe('unknown');
    expect(none.lastAnswering).toBeNull();
    expect(none.hops.map((h) => h.zone)).toEqual(['unknown', 'unknown']);
  });
  it('the macOS fixture: home router own, CGNAT and after beyond', () => {
    const p = parseTrace(readFileSync(join(__dirname, 'fixtures', 'macos-traceroute-n-reached.txt'), 'utf8'));
    const s = summarizeTrace({ hops: p.hops, reached: targetReached(p.hops, p.destination) });
    expect(s.hops.map((h) => h.zone)).toEqual(['own-network', 'beyond', 'beyond', 'beyond', 'beyond', 'beyond']);
    expect(s.stoppedIn).toBe('target');
  });
});

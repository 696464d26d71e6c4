import { describe, expect, it } from 'vitest';
import { addressScope, cidrContains, cidrScope, cidrWithin, hostLooksLikeNetwork, isNonPublicCidr, parseCidr, parseIp, sameNeighbourhood } from './cidr';
import { resolveInterface } from './interfaces';
import { EIP, PRIVATE_IP, group, snapshot } from './fixtures';

const ip = (s: string) => parseIp(s) ?? (() => { throw new Error(s); })();
const cidr = (s: string) => parseCidr(s) ?? (() => { throw new Error(s); })();

describe('cidr', () => {
  it('parses CIDRs and bare IPs (a bare IP is one host, as the platform treats it)', () => {
    expect(cidr('203.0.113.7')).toMatchObject({ family: 4, prefix: 32, bare: true, network: '203.0.113.7/32' });
    expect(cidr('203.0.113.7/24')).toMatchObject({ prefix: 24, bare: false, network: '203.0.113.0/24' });
    expect(cidr('2001:db8::1')).toMatchObject({ family: 6, prefix: 128, bare: true });
    expect(cidr('2001:db8::/32').network).toBe('2001:db8::/32');
    expect(parseCidr('1.2.3.4/33')).toBeNull();
    expect(parseCidr('1.2.3/24')).toBeNull();
    expect(parseCidr('banana')).toBeNull();
  });

  it('matches addresses, including /0, /32 and IPv4-mapped IPv6 clients', () => {
    expect(cidrContains(cidr('0.0.0.0/0'), ip('8.8.8.8'))).toBe(true);
    expect(cidrContains(cidr('203.0.113.0/24'), ip('203.0.113.255'))).toBe(true);
    expect(cidrContains(cidr('203.0.113.0/24'), ip('203.0.114.0'))).toBe(false);
    expect(cidrContains(cidr('203.0.113.7'), ip('::ffff:203.0.113.7'))).toBe(true);
    expect(cidrContains(cidr('::/0'), ip('203.0.113.7'))).toBe(false);
    expect(cidrContains(cidr('2001:db8::/32'), ip('2001:db8:ffff::1'))).toBe(true);
    expect(cidrWithin(cidr('10.1.0.0/16'), cidr('10.0.0.0/8'))).toBe(true);
    expect(cidrWithin(cidr('0.0.0.0/0'), cidr('10.0.0.0/8'))).toBe(false);
  });

  it('classifies private, shared (CGNAT), link-local and public space', () => {
    expect(addressScope(ip('192.168.1.10'))).toBe('private');
    expect(addressScope(ip('100.64.3.4'))).toBe('shared');
    expect(addressScope(ip('169.254.1.1'))).toBe('link-local');
    expect(addressScope(ip('fd00::1'))).toBe('unique-local');
    expect(addressScope(ip('203.0.113.7'))).toBe('public');
    expect(cidrScope(cidr('172.16.0.0/12'))).toBe('private');
    expect(isNonPublicCidr(cidr('192.168.1.10/32'))).toBe(true);
    expect(isNonPublicCidr(cidr('0.0.0.0/0'))).toBe(false);
    expect(isNonPublicCidr(cidr('172.0.0.0/8'))).toBe(false);
  });

  it('guesses when a bare IP was meant as a network', () => {
    expect(hostLooksLikeNetwork(cidr('203.0.113.0'))).toBe(true);
    expect(hostLooksLikeNetwork(cidr('203.0.113.7'))).toBe(false);
    expect(sameNeighbourhood(ip('203.0.113.7'), ip('203.0.113.99'))).toBe(true);
    expect(sameNeighbourhood(ip('203.0.113.7'), ip('203.0.114.7'))).toBe(false);
  });
});

describe('resolveInterface', () => {
  const snap = snapshot({ groups: [group('sg-web', [])], secondary: { id: 'eni-2', privateIps: ['172.16.0.30'], groups: ['sg-2'], eip: '47.98.10.99' } });
  it('finds the ENI by EIP, secondary EIP, private IP', () => {
    expect(resolveInterface(snap, EIP)).toMatchObject({ via: 'eni-public-ip', scope: 'internet', groupIds: ['sg-web'] });
    expect(resolveInterface(snap, '47.98.10.99')).toMatchObject({ via: 'eni-public-ip', groupIds: ['sg-2'] });
    expect(resolveInterface(snap, '172.16.0.30')).toMatchObject({ via: 'private-ip', scope: 'intranet', groupIds: ['sg-2'] });
    expect(resolveInterface(snap, PRIVATE_IP).eni?.type).toBe('primary');
  });
  it('finds an EIP bound to an ENI through the EIP list when the ENI does not carry it', () => {
    const s2 = snapshot({ groups: [], secondary: { id: 'eni-2', privateIps: ['172.16.0.30'], groups: ['sg-2'] } });
    s2.eips.push({ allocationId: 'eip-2', ipAddress: '47.98.10.99', status: 'InUse', bandwidthMbps: 1, instanceId: 'eni-2', instanceType: 'NetworkInterface', region: 'cn-hangzhou' });
    expect(resolveInterface(s2, '47.98.10.99')).toMatchObject({ via: 'eip-on-eni', groupIds: ['sg-2'] });
  });
  it('synthesises the primary ENI from the instance on classic network', () => {
    const c = snapshot({ classic: true, groups: [group('sg-c', [])] });
    expect(resolveInterface(c, EIP)).toMatchObject({ via: 'eni-public-ip', scope: 'internet', groupIds: ['sg-c'] });
    expect(resolveInterface(c, PRIVATE_IP)).toMatchObject({ scope: 'intranet' });
  });
});

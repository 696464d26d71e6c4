import { describe, expect, it } from 'vitest';
import {
  classifyConnectError,
  controlTargets,
  egressConsensus,
  isTunnelName,
  listInterfaces,
  parseControlHost,
  parseEchoBody,
  parseProcNetRoute,
  parseRouteCommand,
  redactProxyValue,
} from './client';

describe('parseEchoBody', () => {
  it('accepts plain text and JSON, rejects the rest', () => {
    expect(parseEchoBody(' 203.0.113.7\r\n')).toBe('203.0.113.7');
    expect(parseEchoBody('{"ip":"2001:0db8:0:0::1"}')).toBe('2001:db8::1');
    expect(parseEchoBody('{"origin":"203.0.113.7, 10.0.0.1"}')).toBe('203.0.113.7');
    expect(parseEchoBody('::ffff:198.51.100.2')).toBe('198.51.100.2');
    expect(parseEchoBody('{"ip": 42}')).toBeUndefined();
    expect(parseEchoBody('0x7f.1')).toBeUndefined();
    expect(parseEchoBody('<html>')).toBeUndefined();
    expect(parseEchoBody('{broken')).toBeUndefined();
  });
});

describe('egressConsensus', () => {
  const src = (address?: string) => ({ url: 'u', durationMs: 1, ...(address ? { address } : { error: 'x' }) });
  it('needs a strict majority of answering sources', () => {
    expect(egressConsensus([src('1.1.1.1'), src('1.1.1.1'), src('2.2.2.2')]).address).toBe('1.1.1.1');
    expect(egressConsensus([src('1.1.1.1'), src('2.2.2.2')]).address).toBeNull();
    expect(egressConsensus([src('1.1.1.1'), src(), src()])).toMatchObject({ address: '1.1.1.1', consensus: true, answered: 1 });
    expect(egressConsensus([src(), src()])).toMatchObject({ address: null, consensus: false, answered: 0, distinct: [] });
  });
});

describe('interfaces and routes', () => {
  it('detects tunnel names', () => {
    for (const n of ['tun0', 'tap1', 'wg0', 'utun3', 'ppp0', 'ipsec0', 'ztabcdef', 'tailscale0', 'TAP-Windows Adapter V9', 'Cisco AnyConnect VPN', 'OpenVPN Wintun'])
      expect(isTunnelName(n), n).toBe(true);
    for (const n of ['eth0', 'en0', 'wlan0', 'lo', 'Ethernet', 'Wi-Fi', 'docker0', 'enp3s0']) expect(isTunnelName(n), n).toBe(false);
  });

  it('maps os.networkInterfaces()', () => {
    const out = listInterfaces({
      wg0: [{ address: '10.8.0.2', netmask: '255.255.255.0', family: 'IPv4', mac: '00:00:00:00:00:00', internal: false, cidr: '10.8.0.2/24' }],
      lo: [{ address: '::1', netmask: 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', family: 'IPv6', mac: '00:00:00:00:00:00', internal: true, cidr: '::1/128', scopeid: 0 }],
    });
    expect(out).toEqual([
      { name: 'wg0', isTunnel: true, addresses: [{ address: '10.8.0.2', family: 4, cidr: '10.8.0.2/24', internal: false }] },
      { name: 'lo', isTunnel: false, addresses: [{ address: '::1', family: 6, cidr: '::1/128', internal: true }] },
    ]);
  });

  it('parses /proc/net/route, preferring the lowest metric', () => {
    const text = [
      'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT',
      'eth0\t00000000\t0101A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0',
      'tun0\t00000000\t00000000\t0001\t0\t0\t50\t00000000\t0\t0\t0',
      'eth0\t0001A8C0\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0',
    ].join('\n');
    expect(parseProcNetRoute(text)).toEqual({ gateway: null, interface: 'tun0' });
    expect(parseProcNetRoute(text.split('\n').filter((l) => !l.startsWith('tun0')).join('\n'))).toEqual({ gateway: '192.168.1.1', interface: 'eth0' });
    expect(parseProcNetRoute('Iface\tDestination\n')).toBeNull();
  });

  it('parses ip route, macOS route and Windows route print', () => {
    expect(parseRouteCommand('default via 10.0.2.2 dev enp0s3 proto dhcp metric 100\n')).toEqual({ gateway: '10.0.2.2', interface: 'enp0s3' });
    expect(parseRouteCommand('default dev wg0 scope link\n')).toEqual({ gateway: null, interface: 'wg0' });
    expect(parseRouteCommand('   route to: default\ndestination: default\n       mask: default\n    gateway: 192.168.1.1\n  interface: en0\n')).toEqual({ gateway: '192.168.1.1', interface: 'en0' });
    const win = 'IPv4 Route Table\n===\nActive Routes:\nNetwork Destination        Netmask          Gateway       Interface  Metric\n          0.0.0.0          0.0.0.0      192.168.1.1    192.168.1.23     25\n';
    expect(parseRouteCommand(win)).toEqual({ gateway: '192.168.1.1', interface: '192.168.1.23' });
    expect(parseRouteCommand('')).toBeNull();
  });
});

describe('proxies and control targets', () => {
  it('redacts credentials', () => {
    expect(redactProxyValue('http://u:p@h:8080')).toBe('http://***:***@h:8080');
    expect(redactProxyValue('http://h:8080/')).toBe('http://h:8080/');
    expect(redactProxyValue('user:pw@host:3128')).toBe('***@host:3128');
  });

  it('parses control host specs and expands ports', () => {
    expect(parseControlHost('example.net')).toEqual({ host: 'example.net' });
    expect(parseControlHost('example.net:443')).toEqual({ host: 'example.net', port: 443 });
    expect(parseControlHost('[2001:db8::1]:22')).toEqual({ host: '2001:db8::1', port: 22 });
    expect(parseControlHost('2001:db8::1')).toEqual({ host: '2001:db8::1' });
    expect(parseControlHost('h:99999')).toBeNull();
    expect(parseControlHost('  ')).toBeNull();
    expect(controlTargets(['a', 'b:80', 'a:22'], [22, 3389])).toEqual([
      { host: 'a', port: 22 }, { host: 'a', port: 3389 }, { host: 'b', port: 80 },
    ]);
    expect(controlTargets(['a'], Array.from({ length: 100 }, (_, i) => i + 1))).toHaveLength(32);
  });

  it('maps connect errors as DESIGN.md does', () => {
    expect(classifyConnectError('ECONNREFUSED')).toEqual({ state: 'closed', reason: 'conn-refused' });
    expect(classifyConnectError('EHOSTUNREACH')).toEqual({ state: 'filtered', reason: 'host-unreach' });
    expect(classifyConnectError('ENETUNREACH')).toEqual({ state: 'filtered', reason: 'net-unreach' });
    expect(classifyConnectError('EACCES')).toEqual({ state: 'filtered', reason: 'admin-prohibited' });
    expect(classifyConnectError('EPERM')).toEqual({ state: 'filtered', reason: 'admin-prohibited' });
    expect(classifyConnectError(undefined)).toEqual({ state: 'filtered', reason: 'no-response' });
  });
});

import { describe, expect, it } from 'vitest';
import { networkInterfaces } from 'node:os';
import { ipFamilyOf, parseTarget } from './target';

describe('parseTarget', () => {
  it('accepts an IPv6 zone only when it names an interface of this machine', () => {
    const interfaces = () => ['lo', 'eth0', 'en0'];
    expect(parseTarget('fe80::1%en0', { interfaces }).ok).toBe(true);
    expect(parseTarget('[fe80::1%eth0]', { interfaces }).ok).toBe(true);
    expect(parseTarget('fe80::1%', { interfaces }).ok).toBe(false);
    for (const bad of ['fe80::1%eth9', 'fe80::1%eth0x', 'fe80::1%12']) {
      const r = parseTarget(bad, { interfaces, platform: 'linux' });
      expect(r.ok, bad).toBe(false);
      if (!r.ok) expect(r.message).toMatch(/is not a network interface of this machine \(interfaces: lo, eth0, en0\)$/);
    }
    expect(parseTarget('fe80::1%12', { interfaces, platform: 'win32' }).ok).toBe(true);
    // The real interface list: loopback always exists here.
    const lo = Object.keys(networkInterfaces())[0];
    expect(parseTarget(`fe80::1%${lo}`).ok).toBe(true);
    expect(parseTarget('fe80::1%sgd-no-such-if0').ok).toBe(false);
  });

  it.each([
    ['203.0.113.10', 'ipv4', '203.0.113.10', 4],
    [' 127.0.0.1 ', 'ipv4', '127.0.0.1', 4],
    ['::1', 'ipv6', '::1', 6],
    ['[::1]', 'ipv6', '::1', 6],
    ['2001:DB8:0:0:1:0:0:1', 'ipv6', '2001:db8::1:0:0:1', 6],
    ['[2001:db8::10]', 'ipv6', '2001:db8::10', 6],
    ['fe80::1%eth0', 'ipv6', 'fe80::1%eth0', 6],
    ['::ffff:198.51.100.7', 'ipv4', '198.51.100.7', 4],
  ] as const)('accepts the IP literal %j', (input, kind, host, family) => {
    const r = parseTarget(input, { interfaces: () => ['lo', 'eth0'] });
    expect(r).toEqual({ ok: true, value: { input: input.trim(), kind, host, address: host, family } });
  });

  it.each([
    ['Example.COM', 'example.com'],
    ['example.com.', 'example.com'],
    ['localhost', 'localhost'],
    ['my-server.cn-hangzhou.example', 'my-server.cn-hangzhou.example'],
    ['_dmarc.example.org', '_dmarc.example.org'],
    ['例子.测试', 'xn--fsqu00a.xn--0zwm56d'],
    ['1a.example', '1a.example'],
  ])('accepts the host name %j', (input, host) => {
    const r = parseTarget(input);
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.value.kind).toBe('hostname');
      expect(r.value.host).toBe(host);
      expect(r.value.address).toBeUndefined();
    }
  });

  it.each([
    ['', /empty/],
    ['   ', /empty/],
    ['1.2.3', /not a valid IPv4/],
    ['1.2.3.4.5', /not a valid IPv4/],
    ['256.1.1.1', /not a valid IPv4/],
    ['01.2.3.4', /not a valid IPv4/],
    ['0x7f.0.0.1', /dotted-decimal/],
    ['1.2.3.4:22', /--ports/],
    ['example.com:22', /--ports/],
    ['[::1]:22', /--ports/],
    ['[1.2.3.4]', /IPv6/],
    ['::g', /IPv6/],
    ['http://example.com', /URL/],
    ['exa mple.com', /spaces/],
    ['foo..bar', /bad label/],
    ['-foo.com', /bad label/],
    ['foo-.com', /bad label/],
    ['!!!', /bad label|not a valid/],
    ['a'.repeat(64) + '.com', /bad label/],
    [Array.from({ length: 60 }, () => 'abcd').join('.'), /too long/],
    ['host.123', /all digits/],
  ])('rejects %j', (input, msg) => {
    const r = parseTarget(input);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.code).toBe('bad-host');
      expect(r.message).toMatch(msg);
    }
  });
});

describe('ipFamilyOf', () => {
  it('accepts only strict forms', () => {
    expect(ipFamilyOf('10.0.0.1')).toBe(4);
    expect(ipFamilyOf('::1')).toBe(6);
    expect(ipFamilyOf('1.2.3')).toBeNull();
    expect(ipFamilyOf('example.com')).toBeNull();
  });
});

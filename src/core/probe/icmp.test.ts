import { describe, expect, it } from 'vitest';
import { buildPingCommand, probeIcmp } from './icmp';

const r = { count: 3, timeoutMs: 1500, intervalMs: 250 };

describe('buildPingCommand', () => {
  it('Linux iputils: -n -c N -W seconds -i seconds, -6 for IPv6', () => {
    const c4 = buildPingCommand('10.0.0.1', 4, r, 'linux', '/bin/ping');
    expect(c4).toEqual({ file: '/bin/ping', args: ['-n', '-c', '3', '-W', '2', '-i', '0.3', '10.0.0.1'], hardTimeoutMs: 4600 });
    const c6 = buildPingCommand('fd00::1', 6, r, 'linux', '/bin/ping');
    expect(c6.args).toEqual(['-6', '-n', '-c', '3', '-W', '2', '-i', '0.3', 'fd00::1']);
  });
  it('Linux: intervals under 200 ms are raised (unprivileged iputils refuses them)', () => {
    expect(buildPingCommand('10.0.0.1', 4, { ...r, intervalMs: 10 }, 'linux', 'ping').args).toContain('0.2');
  });
  it('macOS: -W in milliseconds and -t as an overall bound; ping6 for IPv6', () => {
    const c = buildPingCommand('10.0.0.1', 4, r, 'darwin', '/sbin/ping');
    expect(c.args).toEqual(['-n', '-c', '3', '-W', '1500', '-i', '0.3', '-t', '4', '10.0.0.1']);
    const c6 = buildPingCommand('fd00::1', 6, r, 'darwin');
    expect(c6.file).toMatch(/ping6$/);
    expect(c6.args).toEqual(['-n', '-c', '3', '-i', '0.3', 'fd00::1']);
  });
  it('Windows: -n N -w ms and an explicit family, PING.EXE from System32', () => {
    const c = buildPingCommand('10.0.0.1', 4, r, 'win32');
    expect(c.file).toMatch(/System32[\\/]PING\.EXE$/);
    expect(c.args).toEqual(['-n', '3', '-w', '1500', '-4', '10.0.0.1']);
    expect(buildPingCommand('fd00::1', 6, r, 'win32').args).toEqual(['-n', '3', '-w', '1500', '-6', 'fd00::1']);
    expect(c.hardTimeoutMs).toBe(3 * 2500 + 2000);
  });
});

describe('probeIcmp input handling', () => {
  it('refuses names (DNS is a separate probe) without throwing', async () => {
    const f = await probeIcmp('example.invalid');
    expect(f).toMatchObject({ state: 'unavailable', method: 'none', sent: 0 });
    expect(f.error).toMatch(/not an IP address/);
  });
  it('returns at once when already aborted', async () => {
    const ac = new AbortController();
    ac.abort();
    const f = await probeIcmp('127.0.0.1', { signal: ac.signal });
    expect(f).toMatchObject({ state: 'unavailable', error: 'aborted', sent: 0 });
  });
});

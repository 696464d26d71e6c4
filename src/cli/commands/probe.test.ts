import { describe, expect, it } from 'vitest';
import { UsageError } from '../format';
import { buildProbeRequest, portsFromOptions, timingFromOptions } from './probe';

describe('timingFromOptions', () => {
  it('T4 by default, T3 on request, --timeout-ms caps the adaptive timeout', () => {
    expect(timingFromOptions({})).toEqual({ initialTimeoutMs: 500, minTimeoutMs: 100, maxTimeoutMs: 1250 });
    expect(timingFromOptions({ timing: 't3' })).toEqual({ initialTimeoutMs: 1000, minTimeoutMs: 100, maxTimeoutMs: 10_000 });
    expect(timingFromOptions({ timeoutMs: '3000' })).toEqual({ initialTimeoutMs: 500, minTimeoutMs: 100, maxTimeoutMs: 3000 });
    expect(timingFromOptions({ timeoutMs: '50' })).toEqual({ initialTimeoutMs: 50, minTimeoutMs: 50, maxTimeoutMs: 50 });
    expect(() => timingFromOptions({ timeoutMs: '5' })).toThrow(UsageError);
    expect(() => timingFromOptions({ timing: 'T5' })).toThrow(/T3 or T4/);
  });
});

describe('portsFromOptions', () => {
  it('defaults, union of --ports and --service, bound', () => {
    expect(portsFromOptions({})).toEqual([22, 80, 443, 3389]);
    expect(portsFromOptions({ ports: '443,22', service: 'ssh,rdp' })).toEqual([443, 22, 3389]);
    expect(() => portsFromOptions({ ports: '1-30', service: 'web,rdp,mysql' })).toThrow(/too many ports/);
  });
});

describe('buildProbeRequest', () => {
  it('uses shipped endpoint defaults unless the environment disables them', async () => {
    const env = { XDG_CONFIG_HOME: '/nonexistent-sgd' };
    const shipped = await buildProbeRequest('127.0.0.1', {}, env);
    expect(shipped.egressIpUrls.length).toBeGreaterThan(0);
    expect(shipped.controlHosts.length).toBeGreaterThan(0);
    const off = await buildProbeRequest('127.0.0.1', { attempts: '2', icmp: true }, { ...env, SGD_EGRESS_IP_URLS: '', SGD_CONTROL_HOSTS: '' });
    expect(off).toMatchObject({ host: '127.0.0.1', egressIpUrls: [], controlHosts: [], attempts: 2, icmp: true, dns: true, banners: true });
  });
  it('checks the host before anything else', async () => {
    await expect(buildProbeRequest('1.2.3', { config: '/nonexistent' }, {})).rejects.toThrow(/not a valid IPv4/);
  });
});

import { describe, expect, it } from 'vitest';
import { DEFAULT_PORTS, SERVICE_PORTS, parsePortList, parseServiceList, portsForService, serviceForPort, validatePorts } from './ports';
import { MAX_PORTS_PER_RUN } from './types';

const value = <T>(r: { ok: true; value: T } | { ok: false; code: string; message: string }): T => {
  if (!r.ok) throw new Error(`expected ok, got ${r.code}: ${r.message}`);
  return r.value;
};

describe('service presets', () => {
  it('name the usual cloud-server ports', () => {
    expect(SERVICE_PORTS.ssh).toEqual([22]);
    expect(SERVICE_PORTS.rdp).toEqual([3389]);
    expect(SERVICE_PORTS.http).toEqual([80]);
    expect(SERVICE_PORTS.https).toEqual([443]);
    expect(SERVICE_PORTS.mysql).toEqual([3306]);
    expect(SERVICE_PORTS.postgres).toEqual([5432]);
    expect(SERVICE_PORTS.redis).toEqual([6379]);
    expect(SERVICE_PORTS['http-alt']).toEqual([8080]);
    expect(DEFAULT_PORTS).toEqual([22, 80, 443, 3389]);
  });

  it('maps ports back to names and accepts aliases', () => {
    expect(serviceForPort(22)).toBe('ssh');
    expect(serviceForPort(443)).toBe('https');
    expect(serviceForPort(8080)).toBe('http-alt');
    expect(serviceForPort(5986)).toBe('winrm-https');
    expect(serviceForPort(31337)).toBeUndefined();
    expect(portsForService('PostgreSQL')).toEqual([5432]);
    expect(portsForService('nope')).toBeUndefined();
  });
});

describe('parsePortList', () => {
  it('parses numbers, ranges and service names, keeping order and dropping duplicates', () => {
    expect(value(parsePortList('22,80,443'))).toEqual([22, 80, 443]);
    expect(value(parsePortList(' 8000-8003 , 22 ,8001'))).toEqual([8000, 8001, 8002, 8003, 22]);
    expect(value(parsePortList('ssh,https,8080'))).toEqual([22, 443, 8080]);
    expect(value(parsePortList('web'))).toEqual([80, 443]);
    expect(value(parsePortList('1,65535'))).toEqual([1, 65535]);
    expect(value(parsePortList('5-5'))).toEqual([5]);
  });

  it.each([
    ['0', /out of range/],
    ['70000', /out of range/],
    ['65536', /out of range/],
    ['', /empty/],
    ['22,,80', /empty item/],
    ['22,', /empty item/],
    ['-1', /not a port/],
    ['80-22', /reversed/],
    ['22.5', /not a port/],
    ['0x16', /not a port/],
    ['gopher', /not a port number, a range or a known service/],
    ['1-0', /out of range/],
  ])('rejects %j', (input, msg) => {
    const r = parsePortList(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(msg);
  });

  it(`enforces MAX_PORTS_PER_RUN (${MAX_PORTS_PER_RUN})`, () => {
    expect(value(parsePortList(`1-${MAX_PORTS_PER_RUN}`))).toHaveLength(MAX_PORTS_PER_RUN);
    for (const input of [`1-${MAX_PORTS_PER_RUN + 1}`, '1-65535', `1-${MAX_PORTS_PER_RUN},9999`]) {
      const r = parsePortList(input);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.code).toBe('too-many-ports');
    }
    // duplicates do not count twice
    expect(value(parsePortList(`1-${MAX_PORTS_PER_RUN},1,2`))).toHaveLength(MAX_PORTS_PER_RUN);
  });

  it('takes a smaller bound when given', () => {
    expect(parsePortList('1-3', 2).ok).toBe(false);
  });
});

describe('parseServiceList', () => {
  it('parses names and rejects unknown ones', () => {
    expect(value(parseServiceList('ssh, rdp'))).toEqual([22, 3389]);
    const r = parseServiceList('ssh,bogus');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(/unknown service "bogus"/);
    expect(parseServiceList('').ok).toBe(false);
  });
});

describe('validatePorts', () => {
  it('checks range, duplicates and the bound', () => {
    expect(value(validatePorts([443, 22, 443]))).toEqual([443, 22]);
    expect(validatePorts([0]).ok).toBe(false);
    expect(validatePorts([1.5]).ok).toBe(false);
    expect(validatePorts([]).ok).toBe(false);
    expect(validatePorts(Array.from({ length: MAX_PORTS_PER_RUN + 1 }, (_, i) => i + 1)).ok).toBe(false);
  });
});

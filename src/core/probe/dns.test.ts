import { describe, expect, it } from 'vitest';
import { classifyDnsError, compareExpected, ipLiteral } from './dns';
import type { DnsAnswerSet } from './types';

const set = (resolver: string, a: string[], extra: Partial<DnsAnswerSet> = {}): DnsAnswerSet => ({
  resolver,
  a,
  aaaa: [],
  cname: [],
  durationMs: 1,
  ...extra,
});

describe('classifyDnsError', () => {
  it.each([
    ['ENOTFOUND', 'NXDOMAIN'],
    ['ENODATA', 'NODATA'],
    ['ESERVFAIL', 'SERVFAIL'],
    ['ETIMEOUT', 'TIMEOUT'],
    ['EAI_AGAIN', 'TIMEOUT'],
    ['ECONNREFUSED', 'REFUSED'],
    ['EREFUSED', 'REFUSED'],
    ['EBADRESP', 'OTHER'],
    [undefined, 'OTHER'],
  ] as const)('%s → %s', (code, cls) => expect(classifyDnsError(code)).toBe(cls));
});

describe('ipLiteral', () => {
  it('recognises v4, v6, bracketed v6 and zone ids; not names', () => {
    expect(ipLiteral('10.0.0.1')).toBe('10.0.0.1');
    expect(ipLiteral('[fd00::1]')).toBe('fd00::1');
    expect(ipLiteral('fe80::1%eth0')).toBe('fe80::1%eth0');
    expect(ipLiteral('example.com')).toBeNull();
    expect(ipLiteral('10.0.0.256')).toBeNull();
  });
});

describe('compareExpected', () => {
  it('match when every answering resolver has it', () => {
    const r = compareExpected('h', '10.0.0.1', [set('system', ['10.0.0.1']), set('1.1.1.1', ['10.0.0.2', '10.0.0.1'])]);
    expect(r.verdict).toBe('match');
  });
  it('a broken resolver does not spoil a match', () => {
    const r = compareExpected('h', '10.0.0.1', [set('system', ['10.0.0.1']), set('9.9.9.9', [], { error: 'TIMEOUT' })]);
    expect(r.verdict).toBe('match');
    expect(r.detail).toContain('9.9.9.9: TIMEOUT');
  });
  it('a resolver saying NXDOMAIN while another answers is a disagreement', () => {
    const r = compareExpected('h', '10.0.0.1', [set('system', ['10.0.0.1']), set('9.9.9.9', [], { error: 'NXDOMAIN' })]);
    expect(r.verdict).toBe('resolvers-disagree');
  });
  it('resolvers-disagree names each answer', () => {
    const r = compareExpected('h', '10.0.0.1', [set('system', ['192.168.0.5']), set('1.1.1.1', ['10.0.0.1'])]);
    expect(r.verdict).toBe('resolvers-disagree');
    expect(r.detail).toContain('the system resolver: 192.168.0.5');
    expect(r.detail).toContain('1.1.1.1: 10.0.0.1');
  });
  it('cdn-or-proxy beats mismatch when a CNAME is involved', () => {
    const r = compareExpected('h', '10.0.0.1', [set('1.1.1.1', ['10.9.9.9'], { cname: ['h.cdn.example'] })]);
    expect(r.verdict).toBe('cdn-or-proxy');
  });
  it('mismatch when all agree on other addresses', () => {
    const r = compareExpected('h', '10.0.0.1', [set('system', ['10.0.0.9']), set('1.1.1.1', ['10.0.0.9'])]);
    expect(r.verdict).toBe('mismatch');
    expect(r.detail).toMatch(/10\.0\.0\.9.*10\.0\.0\.1/);
  });
  it('compares IPv6 addresses by value', () => {
    const r = compareExpected('h', '2001:db8:0:0::1', [set('system', [], { aaaa: ['2001:db8::1'] })]);
    expect(r.verdict).toBe('match');
  });
  it('no-answer when nobody answered', () => {
    const r = compareExpected('h', '10.0.0.1', [set('system', [], { error: 'SERVFAIL' })]);
    expect(r).toMatchObject({ verdict: 'no-answer', address: '10.0.0.1' });
  });
});

describe('reserved names', () => {
  it('answers .invalid names as NXDOMAIN without any query (RFC 6761)', async () => {
    const { probeDns } = await import('./dns');
    const fact = await probeDns('nonexistent.invalid', { servers: ['127.0.0.1:1'] });
    expect(fact.addresses).toEqual([]);
    expect(fact.system?.error).toBe('NXDOMAIN');
    expect(fact.direct).toEqual([]);
  });
});

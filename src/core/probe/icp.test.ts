import { describe, expect, it } from 'vitest';
import { decideIcp, hostHeaderFor, icpSchemeFor, isMainlandRegion } from './icp';
import type { IcpRequestFact } from './types';

const NAME = 'shop.example.com';
const IP = '47.96.10.20';

function req(by: 'ip' | 'name', p: Partial<IcpRequestFact> = {}): IcpRequestFact {
  return { by, hostHeader: by === 'ip' ? IP : NAME, sni: null, connected: true, sent: true, bodyBytes: 0, bytesRead: 0, durationMs: 5, ...p };
}
const ok = (by: 'ip' | 'name', code = 200, server: string | null = 'nginx/1.24.0', extra: Partial<IcpRequestFact> = {}): IcpRequestFact =>
  req(by, { http: { statusLine: `HTTP/1.1 ${code} X`, statusCode: code, server, location: null }, bodyBytes: 10, bodySha256: by, ...extra });
const failed = (by: 'ip' | 'name', error: string, failedAt: IcpRequestFact['failedAt'] = 'response', extra: Partial<IcpRequestFact> = {}): IcpRequestFact => req(by, { error, failedAt, ...extra });

describe('decideIcp', () => {
  it('reset by name after the request, IP answered → blocked (name-reset)', () => {
    const d = decideIcp(ok('ip'), failed('name', 'reset'), NAME, IP);
    expect(d).toMatchObject({ status: 'blocked', condition: 'name-reset' });
    expect(d.observations.join('\n')).toContain('Host: shop.example.com');
  });

  it('closed by name, IP answered → blocked (name-closed)', () => {
    expect(decideIcp(ok('ip'), failed('name', 'closed'), NAME, IP)).toMatchObject({ status: 'blocked', condition: 'name-closed' });
  });

  it('reset during the TLS handshake with SNI, the SNI-less handshake answered → blocked (sni-reset)', () => {
    const d = decideIcp(ok('ip'), failed('name', 'reset', 'tls-handshake', { sni: NAME }), NAME, IP);
    expect(d).toMatchObject({ status: 'blocked', condition: 'sni-reset' });
    expect(d.observations.at(-1)).toContain(`SNI ${NAME}`);
  });

  it('a different response by name: another Server product, an interception notice, a redirect to another site', () => {
    expect(decideIcp(ok('ip'), ok('name', 200, 'Beaver'), NAME, IP)).toMatchObject({ status: 'blocked', condition: 'different-server' });
    expect(decideIcp(ok('ip'), ok('name', 403, 'nginx', { blockPageText: '网站暂时无法访问' }), NAME, IP)).toMatchObject({ status: 'blocked', condition: 'block-page' });
    const redirect = ok('name', 302, 'nginx');
    redirect.http!.location = 'http://filing-notice.example.net/block?d=shop.example.com';
    expect(decideIcp(ok('ip'), redirect, NAME, IP)).toMatchObject({ status: 'blocked', condition: 'foreign-redirect' });
  });

  it('a 403 with another page by name is only suspect (a site may refuse by itself)', () => {
    expect(decideIcp(ok('ip'), ok('name', 403, 'nginx'), NAME, IP)).toMatchObject({ status: 'suspect', condition: 'name-forbidden' });
  });

  it('silence after the request by name is suspect, not blocked', () => {
    expect(decideIcp(ok('ip'), failed('name', 'timeout'), NAME, IP)).toMatchObject({ status: 'suspect', condition: 'name-silent' });
  });

  it('both fine (virtual hosts: another page, another version, a redirect within the site) → clear', () => {
    expect(decideIcp(ok('ip', 404, 'nginx/1.24.0'), ok('name', 200, 'nginx'), NAME, IP)).toMatchObject({ status: 'clear', condition: 'same-server' });
    const www = ok('name', 301, 'nginx');
    www.http!.location = 'https://www.example.com/';
    expect(decideIcp(ok('ip'), www, NAME, IP).status).toBe('clear');
    const rel = ok('name', 302, 'nginx');
    rel.http!.location = '/login';
    expect(decideIcp(ok('ip'), rel, NAME, IP).status).toBe('clear');
    // Both redirect to the same other host: that is the server's own behaviour.
    const a = ok('ip', 302);
    a.http!.location = 'https://sso.other.net/';
    const b = ok('name', 302);
    b.http!.location = 'https://sso.other.net/';
    expect(decideIcp(a, b, NAME, IP).status).toBe('clear');
    // The notice text in both answers is the server's own page.
    expect(decideIcp(ok('ip', 200, 'nginx', { blockPageText: '网站暂时无法访问' }), ok('name', 200, 'nginx', { blockPageText: '网站暂时无法访问' }), NAME, IP).status).toBe('clear');
  });

  it('both fail → inconclusive; IP fails but the name answers → clear', () => {
    expect(decideIcp(failed('ip', 'reset'), failed('name', 'reset'), NAME, IP)).toMatchObject({ status: 'inconclusive', condition: 'ip-no-answer' });
    expect(decideIcp(failed('ip', 'refused', 'connect', { connected: false, sent: false }), failed('name', 'refused', 'connect', { connected: false, sent: false }), NAME, IP)).toMatchObject({ status: 'inconclusive', condition: 'ip-not-connected' });
    expect(decideIcp(failed('ip', 'closed'), ok('name'), NAME, IP)).toMatchObject({ status: 'clear', condition: 'name-answers' });
  });

  it('the name never left us (connect failed) → inconclusive, never blocked', () => {
    expect(decideIcp(ok('ip'), failed('name', 'refused', 'connect', { connected: false, sent: false }), NAME, IP)).toMatchObject({ status: 'inconclusive', condition: 'name-not-connected' });
    expect(decideIcp(ok('ip'), failed('name', 'tls-alert: ERR_SSL_TLSV1_UNRECOGNIZED_NAME', 'tls-handshake'), NAME, IP)).toMatchObject({ status: 'inconclusive', condition: 'name-other-error' });
  });
});

describe('ICP helpers', () => {
  it('mainland regions: cn-* except cn-hongkong; unknown stays null', () => {
    expect(isMainlandRegion('cn-hangzhou')).toBe(true);
    expect(isMainlandRegion('cn-beijing')).toBe(true);
    expect(isMainlandRegion('cn-hongkong')).toBe(false);
    expect(isMainlandRegion('ap-southeast-1')).toBe(false);
    expect(isMainlandRegion(null)).toBeNull();
  });

  it('web scheme from the service the user named, else the port', () => {
    expect(icpSchemeFor(80)).toBe('http');
    expect(icpSchemeFor(443)).toBe('https');
    expect(icpSchemeFor(18080, 'http')).toBe('http');
    expect(icpSchemeFor(9443, 'https')).toBe('https');
    expect(icpSchemeFor(22)).toBeNull();
    expect(icpSchemeFor(18080)).toBeNull();
  });

  it('Host header: port when not 80/443, IPv6 in brackets', () => {
    expect(hostHeaderFor('a.example', 80)).toBe('a.example');
    expect(hostHeaderFor('a.example', 8080)).toBe('a.example:8080');
    expect(hostHeaderFor('2001:db8::1', 443)).toBe('[2001:db8::1]');
  });
});

import { describe, expect, it } from 'vitest';
import { parseHttpHead, parseMysqlGreeting, parseRdpConfirm, parseSshIdent } from './banner';

describe('banner parsers', () => {
  it('SSH identification', () => {
    expect(parseSshIdent('SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.6\r\n')).toBe('SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.6');
    expect(parseSshIdent('banner line\nSSH-1.99-Cisco-1.25\n')).toBe('SSH-1.99-Cisco-1.25');
    expect(parseSshIdent('HTTP/1.1 400 Bad Request\r\n')).toBeUndefined();
  });

  it('HTTP status line and headers, case-insensitively', () => {
    expect(parseHttpHead('HTTP/1.1 502 Bad Gateway\r\nserver: nginx\r\nLOCATION: /x\r\n\r\nbody')).toEqual({
      statusLine: 'HTTP/1.1 502 Bad Gateway', statusCode: 502, server: 'nginx', location: '/x',
    });
    expect(parseHttpHead('HTTP/1.0 200\n\n')).toMatchObject({ statusCode: 200, server: null, location: null });
    expect(parseHttpHead('SSH-2.0-x\r\n')).toBeUndefined();
  });

  it('MySQL greeting: version, error packet, truncated', () => {
    const payload = Buffer.concat([Buffer.from([0x0a]), Buffer.from('5.7.44-log\0')]);
    expect(parseMysqlGreeting(Buffer.concat([Buffer.from([payload.length, 0, 0, 0]), payload]))).toEqual({ version: '5.7.44-log' });
    expect(parseMysqlGreeting(Buffer.from([0x0b, 0, 0, 0, 0x0a, 0x35]))).toBeUndefined(); // no NUL yet
    expect(parseMysqlGreeting(Buffer.from([3, 0, 0]))).toBeUndefined();
    expect(parseMysqlGreeting(Buffer.from('HTTP/1.1 400'))).toBeUndefined();
  });

  it('RDP confirm, negotiation failure, and non-confirm', () => {
    const fail = Buffer.from([3, 0, 0, 0x13, 0x0e, 0xd0, 0, 0, 0, 0, 0, 0x03, 0, 0x08, 0, 0x05, 0, 0, 0]);
    expect(parseRdpConfirm(fail)).toEqual({ confirmed: true, detail: 'negotiation failure code 5' });
    expect(parseRdpConfirm(Buffer.from([3, 0, 0, 0x0b, 0x06, 0xd0, 0, 0, 0, 0, 0]))).toEqual({ confirmed: true, detail: 'connection confirm' });
    expect(parseRdpConfirm(Buffer.from([3, 0, 0, 0x0b, 0x06, 0x80, 0, 0, 0, 0, 0]))?.confirmed).toBe(false);
    expect(parseRdpConfirm(Buffer.from('SSH-2.0'))).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { APP_PROTOCOLS, appProtocolForService, isServerFirst, parseAppProtocol } from './app-protocol';
import { bannerStrategyFor, chooseBannerStrategy, parseGreetingLine } from './banner';

describe('application protocols', () => {
  it('parses the names users type, case-insensitively, and refuses others', () => {
    for (const p of APP_PROTOCOLS) expect(parseAppProtocol(p.toUpperCase())).toBe(p);
    expect(parseAppProtocol(' postgres ')).toBe('postgresql');
    expect(parseAppProtocol('MariaDB')).toBe('mysql');
    expect(parseAppProtocol('custom')).toBe('other');
    expect(parseAppProtocol('gopher')).toBeUndefined();
    expect(parseAppProtocol('')).toBeUndefined();
  });

  it('maps service presets to protocols; groups and "custom" are no protocol', () => {
    expect(appProtocolForService('http-alt')).toBe('http');
    expect(appProtocolForService('https-alt')).toBe('https');
    expect(appProtocolForService('submission')).toBe('smtp');
    expect(appProtocolForService('web')).toBeUndefined();
    expect(appProtocolForService('custom')).toBeUndefined();
    expect(appProtocolForService('mongodb')).toBeUndefined();
  });

  it('knows which protocols speak first', () => {
    for (const p of ['ssh', 'mysql', 'smtp', 'ftp', 'pop3', 'imap']) expect(isServerFirst(p)).toBe(true);
    for (const p of ['http', 'https', 'tls', 'redis', 'postgresql', 'rdp', 'generic', undefined]) expect(isServerFirst(p)).toBe(false);
  });

  it('presets by well-known port; the user’s choice wins, "other" included', () => {
    expect(chooseBannerStrategy(25)).toEqual({ strategy: 'smtp', chosenBy: 'port' });
    expect(bannerStrategyFor(21)).toBe('ftp');
    expect(bannerStrategyFor(110)).toBe('pop3');
    expect(bannerStrategyFor(143)).toBe('imap');
    expect(chooseBannerStrategy(18080)).toEqual({ strategy: 'generic', chosenBy: 'default' });
    expect(chooseBannerStrategy(18080, 'http')).toEqual({ strategy: 'http', chosenBy: 'hint' });
    expect(chooseBannerStrategy(22, 'other')).toEqual({ strategy: 'generic', chosenBy: 'hint' });
    expect(chooseBannerStrategy(80, 'postgres')).toEqual({ strategy: 'postgresql', chosenBy: 'hint' });
  });

  it('reads mail and file greetings: ok, refused, malformed', () => {
    expect(parseGreetingLine('smtp', '220 mx.example ESMTP')).toBe('ok');
    expect(parseGreetingLine('smtp', '220-mx.example first line')).toBe('ok');
    expect(parseGreetingLine('smtp', '554 5.7.1 no service for you')).toBe('refused');
    expect(parseGreetingLine('smtp', 'SSH-2.0-x')).toBe('malformed');
    expect(parseGreetingLine('ftp', '421 Too many users')).toBe('refused');
    expect(parseGreetingLine('pop3', '+OK POP3 ready')).toBe('ok');
    expect(parseGreetingLine('pop3', '-ERR go away')).toBe('refused');
    expect(parseGreetingLine('imap', '* OK [CAPABILITY IMAP4rev1] ready')).toBe('ok');
    expect(parseGreetingLine('imap', '* BYE too many connections')).toBe('refused');
  });
});

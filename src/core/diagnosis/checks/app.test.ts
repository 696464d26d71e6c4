// app.responds, pure: every condition from recorded conversations (and from facts saved before the
// conversation was recorded), plus what the verdict makes of them.
import { describe, expect, it } from 'vitest';
import type { BannerFact } from '../../probe/types';
import { view } from '../facts';
import { exchangeBanner as xb, facts, report, sshBanner, tcp } from '../testing/builders';
import { runChecks } from './index';
import { decideVerdict } from '../verdict';
import { appResponds, exchangeOf } from './app';

const PORT = 18080;
const outcome = (banner: BannerFact | undefined, o: { service?: string; state?: 'open' | 'closed' } = {}) => {
  const f = facts({ probes: report([tcp(o.state ?? 'open', o.state === 'closed' ? 'conn-refused' : 'syn-ack', { port: PORT, banner })]), port: PORT, service: o.service });
  return appResponds.run(view(f));
};
const http = (code: number) => ({ kind: 'http' as const, http: { statusLine: `HTTP/1.1 ${code} X`, statusCode: code, server: null, location: null }, bytesRead: 60 });

describe('app.responds: positive evidence fails', () => {
  const cases: [string, BannerFact, string][] = [
    ['HTTP 502 after HEAD', xb('http', http(502)), 'http-5xx'],
    ['HTTPS 503 over TLS', xb('https', { ...http(503), kind: 'tls', tls: { protocol: 'TLSv1.3', cipher: null, servername: null, subject: null, issuer: null, validFrom: null, validTo: null, expired: false, selfSigned: false, authorized: true, authorizationError: null, altNames: [] } }), 'http-5xx'],
    ['Redis protected mode', xb('redis', { service: 'redis', detail: '-DENIED Redis is running in protected mode', refusal: '-DENIED Redis is running in protected mode', bytesRead: 50 }), 'app-refuses'],
    ['MySQL 1130', xb('mysql', { service: 'mysql', refusal: "mysql-error 1130: Host 'x' is not allowed", bytesRead: 70 }), 'app-refuses'],
    ['TLS alert on our ClientHello', xb('https', { error: 'tls-error: ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION' }, { end: 'tls-alert' }), 'tls-alert'],
    ['another TLS handshake failure', xb('https', { error: 'tls-error: ERR_SSL_SOMETHING' }, { end: 'tls-error' }), 'tls-handshake-failed'],
    ['RST after the HTTP request', xb('http', { error: 'reset' }, { end: 'reset' }), 'reset-after-request'],
    ['FIN after the Redis PING', xb('redis', { error: 'closed' }, { end: 'closed' }), 'closed-after-request'],
    ['SSH closes before greeting', xb('ssh', { error: 'closed' }, { end: 'closed' }), 'closed-before-greeting'],
    ['SMTP sends garbage', xb('smtp', { kind: 'generic', firstBytes: 'garbage\\r\\n', bytesRead: 9 }), 'malformed-greeting'],
  ];
  for (const [name, banner, condition] of cases) {
    it(name, () => {
      const o = outcome(banner);
      expect(o.status).toBe('fail');
      expect(o.condition).toBe(condition);
      // Evidence quotes what was sent and what came back.
      expect(o.evidence!.length).toBe(2);
      expect(o.evidence![0].summary).toMatch(/sent/);
      expect(o.evidence![1].summary).toMatch(/^received/);
      // Words users read: no socket or OpenSSL codes; the raw error stays in the evidence.
      expect(o.finding.en).not.toMatch(/ERR_|tls-error|\((closed|reset|timeout|refused)\)/);
      if (!banner.refusal && !banner.firstBytes && !banner.http) expect(o.finding['zh-CN']).not.toMatch(/[(),;:]/);
    });
  }

  it('a TLS alert is named in words', () => {
    const o = outcome(xb('https', { error: 'tls-error: ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION (80BC:error:0A00042E:SSL routines:ssl3_read_bytes:tlsv1 alert protocol version:../deps/ssl/re)' }, { end: 'tls-alert' }));
    expect(o.finding.en).toBe('The TLS handshake failed: the server answered with a TLS alert (protocol version); browsers and other clients cannot set up the encrypted connection either');
    expect(o.evidence![1].summary).toContain('ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION');
  });
});

describe('app.responds: silence and the unknown never fail', () => {
  const cases: [string, BannerFact, string, string][] = [
    ['HTTP silent after HEAD', xb('http', { error: 'timeout' }), 'pass', 'not-identified'],
    ['unknown protocol silent', xb('generic', { error: 'timeout' }), 'pass', 'not-identified'],
    ['unknown protocol closes on the nudge', xb('generic', { error: 'closed' }, { end: 'closed', endedAfter: 'nudge', sent: ['\\r\\n\\r\\n'] }), 'pass', 'not-identified'],
    ['unknown protocol closes before we say anything', xb('generic', { error: 'closed' }, { end: 'closed', endedAfter: 'connect' }), 'warn', 'closed-without-request'],
    ['SSH silent: slow or stuck', xb('ssh', { error: 'timeout' }), 'warn', 'no-greeting'],
    ['MySQL silent: slow or stuck', xb('mysql', { error: 'timeout' }), 'warn', 'no-greeting'],
    ['HTTP asked, TLS answered', xb('http', { error: 'tls-alert: the port expects TLS', bytesRead: 7 }, { end: 'wrong-protocol' }), 'warn', 'wrong-protocol'],
    ['HTTP asked, SSH answered', xb('http', { kind: 'ssh', sshIdent: 'SSH-2.0-OpenSSH_9.6', bytesRead: 21 }), 'warn', 'wrong-protocol'],
    ['Redis asked, something else answered', xb('redis', { kind: 'generic', firstBytes: 'hello', bytesRead: 5 }), 'warn', 'unexpected-answer'],
    ['HTTP 404 is an answer', xb('http', http(404)), 'pass', 'http-404'],
    ['a blank-line nudge answered 500 is no request', xb('generic', http(500), { requestSent: false, endedAfter: 'nudge' }), 'pass', 'http-500'],
    ['Redis NOAUTH is a healthy answer', xb('redis', { service: 'redis', detail: '-NOAUTH Authentication required.', error: 'redis: NOAUTH Authentication required.', bytesRead: 34 }), 'pass', 'redis-answers'],
    ['unknown protocol talks', xb('generic', { kind: 'generic', firstBytes: 'HELLO\\n', bytesRead: 6 }, { requestSent: false }), 'pass', 'answered'],
    ['connect refused at banner time', xb('http', { error: 'refused' }, { end: 'error', requestSent: false, endedAfter: 'connect', sent: [] }), 'unknown', 'banner-error'],
    ['cancelled', xb('http', { error: 'aborted' }, { end: 'aborted' }), 'unknown', 'aborted'],
  ];
  for (const [name, banner, status, condition] of cases) {
    it(`${name} → ${status} ${condition}`, () => {
      const o = outcome(banner);
      expect(o.status).toBe(status);
      expect(o.condition).toBe(condition);
    });
  }

  it('no connection, no banner', () => {
    expect(outcome(undefined, { state: 'closed' })).toMatchObject({ status: 'skipped', condition: 'not-connected' });
    expect(outcome(undefined)).toMatchObject({ status: 'unknown', condition: 'no-banner' });
  });

  it('user-facing words: both languages, full-width punctuation in Chinese, no internal codes', () => {
    const o = outcome(xb('generic', { error: 'timeout' }));
    expect(o.finding.en).toMatch(/^Reachable; the application was not identified/);
    expect(o.finding['zh-CN']).toMatch(/^端口可以访问；没有识别出应用：/);
    expect(o.finding['zh-CN']).not.toMatch(/[(),;:]/);
    expect(o.finding.en).not.toMatch(/not-identified|generic|--protocol/);
  });
});

describe('facts saved before the conversation was recorded', () => {
  const legacy = (p: Partial<BannerFact>): BannerFact => ({ kind: 'none', method: 'first-bytes', bytesRead: 0, durationMs: 1000, ...p });

  it('an old generic close (the http.server case) is no longer a failure', () => {
    expect(exchangeOf(legacy({ error: 'closed' }))).toMatchObject({ protocol: 'generic', end: 'closed', endedAfter: 'nudge' });
    expect(outcome(legacy({ error: 'closed' }))).toMatchObject({ status: 'pass', condition: 'not-identified' });
  });

  it('an old SSH timeout is a warning, an old SSH banner a pass, an old HTTP 502 a fail', () => {
    expect(outcome(legacy({ method: 'ssh-ident', error: 'timeout' }))).toMatchObject({ status: 'warn', condition: 'no-greeting' });
    expect(outcome(sshBanner())).toMatchObject({ status: 'pass', condition: 'ssh-ident' });
    expect(outcome({ method: 'http-head', ...http(502), durationMs: 40 })).toMatchObject({ status: 'fail', condition: 'http-5xx' });
  });
});

describe('verdict', () => {
  const decide = (banner: BannerFact) => {
    const f = facts({ probes: report([tcp('open', 'syn-ack', { port: PORT, banner })]), port: PORT, service: undefined });
    const checks = runChecks(f);
    return { v: decideVerdict(f, checks), checks };
  };

  it('not identified: locus none, says reachable and not identified (not "the application answers")', () => {
    const { v, checks } = decide(xb('generic', { error: 'timeout' }));
    expect(v.locus).toBe('none');
    expect(v.summary.en).toBe(`Port ${PORT} is reachable; the application was not identified`);
    expect(v.summary.en).not.toMatch(/answers/);
    expect(checks.filter((c) => c.status === 'fail')).toEqual([]);
  });

  it('identified answer: none with high confidence; real fail: server, app-error', () => {
    const ok = decide(xb('http', http(200))).v;
    expect(ok).toMatchObject({ locus: 'none', confidence: 'high' });
    expect(ok.summary.en).toMatch(/application answers/);
    const bad = decide(xb('http', http(500))).v;
    expect(bad).toMatchObject({ locus: 'server', ruleId: 'app-error', blockingCheckIds: ['app.responds'] });
  });

  it('a server-first protocol that stays silent is a warning: locus none, not server', () => {
    const { v, checks } = decide(xb('ssh', { error: 'timeout' }));
    expect(v.locus).toBe('none');
    expect(v.ruleId).not.toBe('app-error');
    expect(checks.find((c) => c.id === 'app.responds')?.status).toBe('warn');
  });
});

// Does the application on the port answer in its protocol? The banner reader held one conversation per
// open port — listened to a server-first protocol (SSH, SMTP, MySQL...), or sent one harmless request
// of a client-first one (HTTP HEAD, TLS ClientHello, Redis PING, PostgreSQL SSLRequest, RDP X.224) —
// and recorded what it sent, what came back and how it ended. A failure needs positive evidence: an
// HTTP 5xx, an explicit refusal in the protocol, a TLS alert, a close or reset right after a valid
// request, a server-first protocol that closes or sends something that is not its greeting. Silence
// from a protocol that waits for its client is what a healthy server does: reachable, not identified.
import { L } from '../../i18n';
import { isServerFirst, protocolLabel } from '../../probe/app-protocol';
import type { BannerExchange, BannerFact } from '../../probe/types';
import type { FactsView } from '../facts';
import { info, osServiceFixes } from '../fixes';
import type { Fix, Localized } from '../types';
import { ev, type CheckDef, type CheckOutcome } from './define';
import { answersByIpWhileNameBlocked } from './icp';

const METHOD_PROTOCOL: Record<string, string> = {
  'ssh-ident': 'ssh',
  'http-head': 'http',
  'http-get': 'http',
  'tls-handshake+http-head': 'https',
  'http-head+tls-handshake': 'http',
  'tls-handshake': 'tls',
  'mysql-greeting': 'mysql',
  'postgres-sslrequest': 'postgresql',
  'redis-ping': 'redis',
  'rdp-x224': 'rdp',
  'smtp-greeting': 'smtp',
  'ftp-greeting': 'ftp',
  'pop3-greeting': 'pop3',
  'imap-greeting': 'imap',
  'first-bytes': 'generic',
};

/** End of a conversation from the legacy `error` text (facts saved before exchanges were recorded). */
function legacyEnd(b: BannerFact): BannerExchange['end'] {
  const e = b.error ?? '';
  if (/^tls-alert|WRONG_VERSION_NUMBER|PACKET_LENGTH_TOO_LONG/i.test(e)) return 'wrong-protocol';
  if (b.bytesRead > 0) return 'answered';
  if (/timeout/i.test(e)) return 'silent';
  if (e === 'aborted') return 'aborted';
  if (/reset|ECONNRESET/i.test(e)) return 'reset';
  if (/closed|eof/i.test(e)) return 'closed';
  if (/^tls-error: .*ALERT/i.test(e)) return 'tls-alert';
  if (/^tls-error/.test(e)) return 'tls-error';
  return 'error';
}

/**
 * The conversation behind a banner. Facts saved before it was recorded get one inferred from the method
 * and the error; for them a generic read's close is taken as following our nudge (so it never fails).
 */
export function exchangeOf(b: BannerFact): BannerExchange {
  if (b.exchange) return b.exchange;
  const protocol = METHOD_PROTOCOL[b.method] ?? 'generic';
  const serverFirst = isServerFirst(protocol);
  const requestSent = !serverFirst && protocol !== 'generic';
  return { protocol, chosenBy: 'default', serverFirst, sent: [], requestSent, end: legacyEnd(b), endedAfter: requestSent ? 'request' : protocol === 'generic' ? 'nudge' : 'connect' };
}

/** What came back, in one readable line. */
function received(b: BannerFact): string {
  return b.sshIdent ?? b.http?.statusLine ?? b.refusal ?? b.detail ?? b.version ?? b.firstBytes ?? (b.tls ? `TLS ${b.tls.protocol ?? ''}`.trim() : '');
}

const END_TEXT: Record<BannerExchange['end'], string> = {
  answered: 'answered',
  silent: 'silence until the deadline',
  closed: 'closed by the server (FIN) without an answer',
  reset: 'reset by the server (RST) without an answer',
  'tls-alert': 'TLS alert',
  'tls-error': 'TLS handshake failure',
  'wrong-protocol': 'another protocol answered',
  aborted: 'cancelled',
  error: 'error',
};

function evidenceOf(v: FactsView, b: BannerFact, x: BannerExchange) {
  const base = `/probes/tcp/${v.tcpIndex}/banner`;
  const sent = x.sent.length ? x.sent.map((s) => `"${s}"`).join(', then ') : 'nothing (listened for a greeting)';
  const got = received(b);
  return [
    ev('probe', `${base}/exchange`, `${protocolLabel(x.protocol)}: sent ${sent}`),
    ev('probe', base, `received ${got ? `"${got}"` : 'nothing'}; ${END_TEXT[x.end]}${b.error && x.end !== 'answered' ? ` (${b.error})` : ''} after ${b.durationMs} ms`),
  ];
}

/** Why the application could not be identified, in words. */
function notIdentifiedWhy(x: BannerExchange, b: BannerFact): Localized {
  const secs = `${Math.max(1, Math.round(b.durationMs / 1000))}`;
  const name = protocolLabel(x.protocol);
  if (x.protocol === 'generic') {
    const after = x.end === 'closed' || x.end === 'reset' ? L('收到空行后关闭了连接', 'it closed the connection when sent blank lines') : L(`${secs} 秒内一言不发`, `it stayed silent for ${secs} s`);
    return L(
      `${after['zh-CN']}；没有指定应用协议，无法检查应用本身。说明它使用什么协议（如 HTTP），即可检查应用是否正常`,
      `${after.en}; its protocol was not named, so the application itself was not checked. Name its protocol (e.g. HTTP) to have it checked`,
    );
  }
  return L(`对我们发出的 ${name} 请求，${secs} 秒内没有应答；该协议由客户端先发言，静默不代表故障`, `it did not answer our ${name} request within ${secs} s; in this protocol the client speaks first, so silence is not a fault`);
}

function refusalFixes(x: BannerExchange, b: BannerFact): Fix[] {
  const r = b.refusal ?? '';
  if (x.protocol === 'redis' || /^-DENIED/.test(r)) {
    return [info('Redis 处于保护模式（protected-mode）：为远程访问设置密码（requirepass）并在 redis.conf 中配置 bind 与 protected-mode，然后重启 Redis', 'Redis is in protected mode: set a password (requirepass) and configure bind and protected-mode in redis.conf for remote access, then restart Redis')];
  }
  if (x.protocol === 'mysql' || /^mysql-error/.test(r)) {
    if (/\b1130\b/.test(r)) return [info('MySQL 不允许来自该地址的账号登录：为客户端地址创建用户并授权（CREATE USER … @\'客户端IP\'; GRANT …）', "MySQL allows no account from this address: create a user for the client's address and grant it (CREATE USER …@'client-ip'; GRANT …)")];
    if (/\b1040\b/.test(r)) return [info('MySQL 连接数已满：检查 max_connections 与占用连接的程序', 'MySQL has too many connections: check max_connections and what holds the connections')];
    if (/\b1129\b/.test(r)) return [info('该地址因连接错误过多被 MySQL 封禁：执行 FLUSH HOSTS（或 mysqladmin flush-hosts）并排查原因', 'MySQL blocked this address after too many connection errors: run FLUSH HOSTS (or mysqladmin flush-hosts) and find the cause')];
  }
  return [info('查看该服务的日志和访问控制配置（允许的来源地址、连接数上限）', 'Read the service’s logs and access-control settings (allowed source addresses, connection limits)')];
}

const mismatch = (x: BannerExchange, b: BannerFact): Localized | null => {
  const asked = protocolLabel(x.protocol);
  if (x.end === 'wrong-protocol') {
    if (x.protocol === 'http') return L('这个端口说的是 TLS（HTTPS），不是明文 HTTP：请用 https:// 访问', 'The port speaks TLS (HTTPS), not plain HTTP: use https://');
    if (x.protocol === 'https' || x.protocol === 'tls') return L('端口没有用 TLS 应答握手：这里可能是明文服务（如 HTTP），请用 http:// 访问', 'The port did not answer the TLS handshake with TLS: it may be a plain-text service (e.g. HTTP), use http://');
    return L(`端口以另一种协议应答，不是 ${asked}`, `The port answered in another protocol, not ${asked}`);
  }
  if (x.protocol !== 'ssh' && x.protocol !== 'generic' && b.sshIdent) return L(`端口上是 SSH 服务（${b.sshIdent}），不是 ${asked}`, `An SSH server answers on the port (${b.sshIdent}), not ${asked}`);
  return null;
};

/** Recognised in the protocol spoken: the finding for a pass, or null. */
function identified(x: BannerExchange, b: BannerFact): CheckOutcome | null {
  if (b.sshIdent) return { status: 'pass', condition: 'ssh-ident', finding: L(`SSH 服务应答：${b.sshIdent}`, `SSH answers: ${b.sshIdent}`) };
  if (b.tls) {
    if (b.tls.expired) return { status: 'warn', condition: 'tls-expired', finding: L(`TLS 证书已过期（${b.tls.validTo ?? ''}）`, `The TLS certificate has expired (${b.tls.validTo ?? ''})`) };
    const http = b.http ? `；HTTP ${b.http.statusLine}` : '';
    return { status: 'pass', condition: 'tls', finding: L(`TLS 握手成功（${b.tls.protocol ?? ''}）${http}`, `TLS handshake succeeded (${b.tls.protocol ?? ''})${b.http ? `; HTTP ${b.http.statusLine}` : ''}`) };
  }
  if (b.http) return { status: 'pass', condition: `http-${b.http.statusCode}`, finding: L(`HTTP 应答：${b.http.statusLine}`, `HTTP answers: ${b.http.statusLine}`) };
  if (b.service) {
    const what = b.version ?? b.detail ?? '';
    return { status: 'pass', condition: `${b.service}-answers`, finding: L(`${protocolLabel(b.service)} 应答${what ? `：${what}` : ''}`, `${protocolLabel(b.service)} answers${what ? `: ${what}` : ''}`) };
  }
  if (x.protocol === 'generic' && b.bytesRead > 0) {
    return { status: 'pass', condition: 'answered', finding: L(`应用有应答：${b.firstBytes ?? ''}`, `The application answers: ${b.firstBytes ?? ''}`) };
  }
  return null;
}

export function decideAppResponds(v: FactsView): CheckOutcome {
  const t = v.tcp;
  if (!t) return { status: 'unknown', condition: 'no-probes', finding: L('没有探测数据', 'No probe data') };
  if (t.state !== 'open') return { status: 'skipped', condition: 'not-connected', finding: L('连接没有建立', 'No connection was established') };
  // The name is intercepted (net.icp-filing) while the server answers by IP: the application is fine.
  const byIp = answersByIpWhileNameBlocked(v);
  if (byIp) return { status: 'pass', condition: 'answers-by-ip', finding: L(`用 IP 访问时应用正常应答（${byIp}）；用域名访问被拦截，见“未备案拦截”检查`, `The application answers by IP (${byIp}); by name it is intercepted, see the ICP-filing check`), evidence: [ev('probe', '/probes/icp/byIp', byIp)] };
  const b = t.banner;
  if (!b) return { status: 'unknown', condition: 'no-banner', finding: L('没有读取应用应答', 'The application’s answer was not read'), evidence: [ev('probe', `/probes/tcp/${v.tcpIndex}`, 'no banner read')] };
  const x = exchangeOf(b);
  const evidence = evidenceOf(v, b, x);
  const name = protocolLabel(x.protocol);
  const osType = v.facts.server?.os ?? v.instance?.osType;
  const serviceFixes = (): Fix[] => osServiceFixes(v.facts.target.service, v.port, osType);
  const out = (o: CheckOutcome): CheckOutcome => ({ ...o, evidence });

  if (x.end === 'aborted') return out({ status: 'unknown', condition: 'aborted', finding: L('读取应用应答时被取消', 'Reading the application’s answer was cancelled') });

  // Positive signs of a failing application.
  if (b.http && x.requestSent && b.http.statusCode >= 500) {
    return out({
      status: 'fail',
      condition: 'http-5xx',
      finding: L(`HTTP 返回 ${b.http.statusLine}：应用或其上游出错`, `HTTP answers ${b.http.statusLine}: the application or its upstream fails`),
      fixes: [info('查看 Web 服务和应用日志（如 /var/log/nginx/error.log），确认上游/后端进程在运行', 'Read the web server and application logs (e.g. /var/log/nginx/error.log); check the upstream/back-end process runs')],
    });
  }
  if (b.refusal) {
    return out({ status: 'fail', condition: 'app-refuses', finding: L(`${name} 应答了，但拒绝这个客户端：${b.refusal}`, `${name} answers but refuses this client: ${b.refusal}`), fixes: refusalFixes(x, b) });
  }
  if ((x.end === 'tls-alert' || x.end === 'tls-error') && x.requestSent) {
    // OpenSSL names the alert in its message ("tlsv1 alert protocol version"); the raw error is in the evidence.
    const alert = /alert ([a-z ]+?)(?::|$)/i.exec(b.error ?? '')?.[1]?.trim();
    const why = alert ? L(`服务端发回 TLS 警报（${alert}）`, `the server answered with a TLS alert (${alert})`) : x.end === 'tls-alert' ? L('服务端发回 TLS 警报', 'the server answered with a TLS alert') : L('握手没有完成', 'the handshake did not complete');
    return out({
      status: 'fail',
      condition: x.end === 'tls-alert' ? 'tls-alert' : 'tls-handshake-failed',
      finding: L(`TLS 握手失败：${why['zh-CN']}；浏览器和其他客户端同样无法建立加密连接`, `The TLS handshake failed: ${why.en}; browsers and other clients cannot set up the encrypted connection either`),
      fixes: [info('检查服务端的证书、私钥和 TLS 配置（协议版本、加密套件、SNI 对应的站点），并查看其错误日志', 'Check the server’s certificate, key and TLS settings (protocol versions, ciphers, the site for this SNI name) and its error log')],
    });
  }
  if ((x.end === 'closed' || x.end === 'reset') && b.bytesRead === 0 && x.requestSent && x.endedAfter === 'request') {
    const how = x.end === 'reset' ? L('复位（RST）', 'reset (RST)') : L('关闭', 'closed');
    return out({
      status: 'fail',
      condition: x.end === 'reset' ? 'reset-after-request' : 'closed-after-request',
      finding: L(`发出 ${name} 请求后，对方没有应答就${how['zh-CN']}了连接`, `After our ${name} request the server ${how.en} the connection without answering`),
      fixes: [info('查看该应用的日志：它接受了连接，却在收到合法请求后断开（崩溃、访问控制或协议配置不符）', 'Read the application’s logs: it accepted the connection but dropped it on a valid request (a crash, access control, or a protocol setting that does not match)')],
    });
  }

  // Another protocol answers: the network and the server are fine, the protocol named is not the port's.
  const other = mismatch(x, b);
  if (other) return out({ status: 'warn', condition: 'wrong-protocol', finding: other });

  const ok = identified(x, b);
  if (ok) return out(ok);

  if (b.bytesRead > 0) {
    if (x.serverFirst) {
      return out({ status: 'fail', condition: 'malformed-greeting', finding: L(`${name} 服务应先发出问候，却发来了无法识别的内容：${b.firstBytes ?? ''}`, `${name} should greet first, but sent something that is not its greeting: ${b.firstBytes ?? ''}`), fixes: serviceFixes() });
    }
    return out({ status: 'warn', condition: 'unexpected-answer', finding: L(`端口有应答，但不是 ${name}：${b.firstBytes ?? ''}`, `The port answers, but not in ${name}: ${b.firstBytes ?? ''}`) });
  }

  if (x.end === 'closed' || x.end === 'reset') {
    if (x.serverFirst) {
      const how = x.end === 'reset' ? L('复位（RST）', 'reset (RST)') : L('关闭', 'closed');
      return out({ status: 'fail', condition: 'closed-before-greeting', finding: L(`连接建立后，${name} 服务没有发出问候就${how['zh-CN']}了连接`, `After connecting, ${name} ${how.en} the connection without a greeting`), fixes: serviceFixes() });
    }
    if (x.endedAfter === 'connect') {
      return out({
        status: 'warn',
        condition: 'closed-without-request',
        finding: L('连接建立后，对方在收到任何数据之前就断开了：应用可能拒绝这个客户端（访问控制、连接数上限）', 'Right after connecting, the server dropped the connection before receiving anything: the application may refuse this client (access control, a connection limit)'),
      });
    }
  }
  if (x.end === 'silent' && x.serverFirst) {
    const secs = `${Math.max(1, Math.round(b.durationMs / 1000))}`;
    return out({
      status: 'warn',
      condition: 'no-greeting',
      finding: L(`连接建立了，但 ${name} 服务 ${secs} 秒内没有发出问候：服务可能卡住或过慢`, `Connected, but ${name} sent no greeting within ${secs} s: the service may be stuck or slow`),
      fixes: serviceFixes(),
    });
  }
  if (x.end === 'silent' || x.end === 'closed' || x.end === 'reset') {
    const why = notIdentifiedWhy(x, b);
    return out({ status: 'pass', condition: 'not-identified', finding: L(`端口可以访问；没有识别出应用：${why['zh-CN']}`, `Reachable; the application was not identified: ${why.en}`) });
  }
  const refused = /refused/i.test(b.error ?? '');
  return out({
    status: 'unknown',
    condition: 'banner-error',
    finding: refused ? L('读取应用应答时连接被拒绝（端口在两次连接之间关闭了）', 'The connection was refused when reading the application’s answer (the port closed between two connections)') : L('没能读取应用应答（详见证据）', 'The application’s answer could not be read (see the evidence)'),
  });
}

export const appResponds: CheckDef = {
  id: 'app.responds',
  layer: 'server',
  title: L('应用正常应答', 'The application answers'),
  explanation: L(
    '端口能连上后，按应用协议打个招呼：SSH、SMTP、MySQL 等由服务端先发言，只需听；HTTP、HTTPS、Redis、PostgreSQL、RDP 等由客户端先发言，发一个无害的请求。只有明确的迹象才算故障：HTTP 5xx、TLS 握手失败、协议内的拒绝、收到请求后立即断开，或服务端先发言的协议不问候就断开。不知道协议时，沉默只说明端口可达。',
    'Once the port connects, the application is greeted in its protocol: SSH, SMTP, MySQL and the like speak first, so we listen; HTTP, HTTPS, Redis, PostgreSQL, RDP wait for the client, so we send one harmless request. Only a positive sign counts as a fault: HTTP 5xx, a failed TLS handshake, a refusal in the protocol, a drop right after our request, or a server-first protocol dropping the connection without a greeting. When the protocol is unknown, silence only says the port is reachable.',
  ),
  needs: ['probes'],
  run: decideAppResponds,
};

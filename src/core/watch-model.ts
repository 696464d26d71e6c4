// Watch until it works (issue 11 §3), the pure part: the back-off schedule, the timeline's types and its
// words in both languages. No Node imports: the renderer shows the same timeline and times (watch.ts holds
// the loop that probes).
import type { Lang, Localized } from './diagnosis/types';
import { fullWidthZh } from './i18n/punctuation';
import type { PortReason, TcpAttempt } from './probe/types';

const L = (zh: string, en: string): Localized => ({ 'zh-CN': fullWidthZh(zh), en });
const tr = (text: Localized, lang: Lang): string => text[lang] || text.en;

export interface WatchSchedule {
  /** Wait after the first failed attempt (ms). */
  initialMs: number;
  /** Each following wait is the previous one times this (≥ 1). */
  factor: number;
  /** The longest wait (ms). */
  maxMs: number;
}

export const DEFAULT_SCHEDULE: WatchSchedule = { initialMs: 1000, factor: 1.5, maxMs: 30_000 };
export const DEFAULT_WATCH_MS = 10 * 60_000;
export const MIN_WATCH_MS = 1000;
export const MAX_WATCH_MS = 24 * 3600_000;
/** One connect() is given this long before it counts as "no answer". */
export const DEFAULT_ATTEMPT_TIMEOUT_MS = 3000;
/** A hard bound on the loop whatever the clock says (24 h at the 30 s cap is under 3000). */
export const MAX_WATCH_ATTEMPTS = 5000;

/** Pure: the schedule with a caller's partial override, every value clamped to something sane. */
export function normaliseSchedule(s: Partial<WatchSchedule> = {}): WatchSchedule {
  const num = (v: unknown, d: number): number => (typeof v === 'number' && Number.isFinite(v) ? v : d);
  const initialMs = Math.min(Math.max(num(s.initialMs, DEFAULT_SCHEDULE.initialMs), 10), 3600_000);
  const maxMs = Math.min(Math.max(num(s.maxMs, DEFAULT_SCHEDULE.maxMs), initialMs), 3600_000);
  const factor = Math.min(Math.max(num(s.factor, DEFAULT_SCHEDULE.factor), 1), 10);
  return { initialMs, factor, maxMs };
}

/** Pure: the wait after failed attempt number `failed` (1 = after the first attempt). */
export function waitMs(failed: number, schedule: WatchSchedule = DEFAULT_SCHEDULE): number {
  const k = Math.max(0, Math.floor(failed) - 1);
  // Grows geometrically, capped; computed without overflowing for large k.
  const grown = schedule.initialMs * Math.pow(schedule.factor, Math.min(k, 200));
  return Math.round(Math.min(schedule.maxMs, Number.isFinite(grown) ? grown : schedule.maxMs));
}

/**
 * Pure: when the attempts start (ms after the watch began) if every attempt took no time, up to
 * `durationMs`, the last one at the deadline when the back-off would step over it. Bounded in count.
 */
export function scheduleOffsets(durationMs: number, schedule: WatchSchedule = DEFAULT_SCHEDULE): number[] {
  const out = [0];
  let t = 0;
  while (t < durationMs && out.length < MAX_WATCH_ATTEMPTS) {
    t = Math.min(durationMs, t + waitMs(out.length, schedule));
    out.push(t);
  }
  return out;
}

/** What one attempt found, in the words of the timeline. */
export type WatchOutcome = 'connected' | 'refused' | 'timeout' | 'error';

export interface WatchAttempt {
  /** 1-based. */
  n: number;
  /** ISO time the attempt started. */
  at: string;
  outcome: WatchOutcome;
  /** Round trip of the answer (connected or refused); null when nothing answered. */
  rttMs: number | null;
  /** The probe's reason (nmap vocabulary), or 'dns' when the name did not resolve. */
  reason: PortReason | 'dns';
  errno?: string;
  /** The address connected to (absent when the name did not resolve). */
  address?: string;
  /** The wait before the next attempt; null when this was the last one. */
  nextInMs: number | null;
}

export type WatchStatus = 'works' | 'timed-out' | 'cancelled';

/** Pure: the timeline's outcome for a probe attempt. */
export function outcomeOf(a: Pick<TcpAttempt, 'state' | 'reason'>): WatchOutcome {
  if (a.state === 'open') return 'connected';
  if (a.state === 'closed') return 'refused';
  return a.reason === 'no-response' ? 'timeout' : 'error';
}

export interface WatchResult {
  target: { host: string; port: number };
  status: WatchStatus;
  startedAt: string;
  endedAt: string;
  /** ISO time of the first successful connection (status works). */
  worksSince: string | null;
  attempts: WatchAttempt[];
}

/** What a session keeps of a watch that ended in success. */
export interface WatchRecord {
  host: string;
  port: number;
  startedAt: string;
  worksSince: string;
  attempts: number;
}

export function watchRecordOf(r: WatchResult): WatchRecord | null {
  if (r.status !== 'works' || !r.worksSince) return null;
  return { host: r.target.host, port: r.target.port, startedAt: r.startedAt, worksSince: r.worksSince, attempts: r.attempts.length };
}

// ---------------------------------------------------------------------------------------------------
// Words (CLI lines, notification, page title): every text in both languages.

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** "14:02:11" in this machine's local time (the same in both languages). */
export function localClock(iso: string, date: Date = new Date(iso)): string {
  if (Number.isNaN(date.getTime())) return iso;
  return `${pad2(date.getHours())}:${pad2(date.getMinutes())}:${pad2(date.getSeconds())}`;
}

const targetText = (t: { host: string; port: number }): string => (t.host.includes(':') ? `[${t.host}]:${t.port}` : `${t.host}:${t.port}`);

/** "1.5 s" / "1.5 秒", "2 min 30 s" / "2 分 30 秒". */
export function durationWords(ms: number, lang: Lang): string {
  const zh = lang === 'zh-CN';
  if (ms < 10_000) {
    const s = Math.round(ms / 100) / 10;
    return zh ? `${s} 秒` : `${s} s`;
  }
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const parts: string[] = [];
  if (h) parts.push(zh ? `${h} 小时` : `${h} h`);
  if (m) parts.push(zh ? `${m} 分` : `${m} min`);
  if (s || parts.length === 0) parts.push(zh ? `${s} 秒` : `${s} s`);
  return parts.join(' ');
}

const OUTCOME_WORDS: Record<WatchOutcome, Localized> = {
  connected: L('已连通', 'connected'),
  refused: L('被拒绝（RST）', 'refused (reset)'),
  timeout: L('无应答', 'no answer'),
  error: L('出错', 'failed'),
};

const REASON_WORDS: Partial<Record<WatchAttempt['reason'], Localized>> = {
  'host-unreach': L('主机不可达', 'host unreachable'),
  'net-unreach': L('网络不可达', 'network unreachable'),
  'admin-prohibited': L('被本机防火墙拦截', 'blocked by this machine\'s firewall'),
  dns: L('域名无法解析', 'the name does not resolve'),
};

/** What an outcome means, said once under the timeline (not on every row). */
const OUTCOME_MEANING: Partial<Record<WatchOutcome, Localized>> = {
  refused: L('对方回了 RST：数据包到达了主机，但端口上没有程序监听，或防火墙拒绝了连接。', 'a reset came back: the packets reach the host, but nothing listens on the port or a firewall rejects the connection.'),
  timeout: L('在限定时间内没有任何回应：数据包可能被安全组、网络 ACL 或防火墙静默丢弃，也可能那里没有主机。', 'nothing came back in time: the packets may be dropped silently by a security group, a network ACL or a firewall, or nothing is there.'),
};

/** Short outcome label for a timeline row. */
export function outcomeWords(a: Pick<WatchAttempt, 'outcome' | 'reason'>, lang: Lang): string {
  if (a.outcome === 'error') {
    const why = REASON_WORDS[a.reason];
    return why ? `${tr(OUTCOME_WORDS.error, lang)}${lang === 'zh-CN' ? '：' : ': '}${tr(why, lang)}` : tr(OUTCOME_WORDS.error, lang);
  }
  return tr(OUTCOME_WORDS[a.outcome], lang);
}

/** What the last outcome means (refused, no answer), or null. */
export function outcomeMeaning(outcome: WatchOutcome, lang: Lang): string | null {
  const m = OUTCOME_MEANING[outcome];
  return m ? tr(m, lang) : null;
}

/** One live line of the command line's timeline. */
export function attemptLine(a: WatchAttempt, lang: Lang): string {
  const zh = lang === 'zh-CN';
  const clock = localClock(a.at);
  const num = zh ? `第 ${a.n} 次` : `#${a.n}`;
  const rtt = a.rttMs !== null ? (zh ? `，${a.rttMs.toFixed(1)} 毫秒` : `, ${a.rttMs.toFixed(1)} ms`) : '';
  const next = a.nextInMs !== null ? (zh ? `，${durationWords(a.nextInMs, lang)}后重试` : ` — next try in ${durationWords(a.nextInMs, lang)}`) : '';
  return `${clock}  ${num}  ${outcomeWords(a, lang)}${rtt}${next}`;
}

/** The closing sentence: works since …, or still not reachable after …. */
export function resultWords(r: WatchResult, lang: Lang): string {
  const zh = lang === 'zh-CN';
  const t = targetText(r.target);
  const n = r.attempts.length;
  const took = durationWords(Date.parse(r.endedAt) - Date.parse(r.startedAt), lang);
  if (r.status === 'works' && r.worksSince) {
    const clock = localClock(r.worksSince);
    return zh ? `${t} 自 ${clock} 起可以连通（第 ${n} 次尝试，用时 ${took}）。` : `${t} works since ${clock} (attempt ${n}, after ${took}).`;
  }
  const last = r.attempts[r.attempts.length - 1];
  const lastWords = last ? outcomeWords(last, lang) : '';
  if (r.status === 'cancelled') return zh ? `已停止观察 ${t}（${n} 次尝试，均未连通）。` : `Stopped watching ${t} (${n} attempt${n === 1 ? '' : 's'}, none connected).`;
  const meaning = last ? outcomeMeaning(last.outcome, lang) : null;
  return zh
    ? `观察 ${took}后 ${t} 仍然无法连通（${n} 次尝试，最后一次：${lastWords}）。${meaning ? `最后一次的结果说明${meaning}` : ''}`
    : `${t} is still not reachable after ${took} (${n} attempt${n === 1 ? '' : 's'}; the last: ${lastWords}).${meaning ? ` That means ${meaning}` : ''}`;
}

/** The desktop notification at the first success. */
export function successNotification(r: Pick<WatchResult, 'target' | 'worksSince'>, lang: Lang): { title: string; body: string } {
  const clock = r.worksSince ? localClock(r.worksSince) : '';
  const t = targetText(r.target);
  return lang === 'zh-CN'
    ? { title: `✓ ${t} 已连通`, body: `SG Doctor：${t} 自 ${clock} 起可以连通。` }
    : { title: `✓ ${t} works`, body: `SG Doctor: ${t} works since ${clock}.` };
}

/** The page title at the first success (web shell). */
export function successTitle(target: { host: string; port: number }, lang: Lang): string {
  return lang === 'zh-CN' ? `✓ 已连通 — ${targetText(target)} — SG Doctor` : `✓ works — ${targetText(target)} — SG Doctor`;
}

// ---------------------------------------------------------------------------------------------------
// Duration text (CLI --for)

/** "10m", "90s", "1h30m", "45" (seconds), "2.5m" → ms; null when unreadable or outside 1 s – 24 h. */
export function parseDuration(text: string): number | null {
  const s = text.trim().toLowerCase();
  if (!s) return null;
  let ms: number;
  if (/^\d+(\.\d+)?$/.test(s)) ms = Number(s) * 1000;
  else {
    const re = /\s*(\d+(?:\.\d+)?)\s*(ms|h|m|s)\s*/y;
    ms = 0;
    let matched = 0;
    re.lastIndex = 0;
    for (let m = re.exec(s); m; m = re.exec(s)) {
      const v = Number(m[1]);
      ms += m[2] === 'h' ? v * 3600_000 : m[2] === 'm' ? v * 60_000 : m[2] === 's' ? v * 1000 : v;
      matched = re.lastIndex;
    }
    if (matched !== s.length) return null;
  }
  ms = Math.round(ms);
  return ms >= MIN_WATCH_MS && ms <= MAX_WATCH_MS ? ms : null;
}

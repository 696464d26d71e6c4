// One API call with a per-call timeout, bounded retries with exponential backoff and full jitter on
// throttling / 5xx / timeouts, and exactly one structured, redacted CloudError when it finally fails.
import type { CloudError } from '../model';
import type { Redactor } from '../redact';
import { ACTIONS, type ActionName } from './actions';

export interface CallPolicy {
  timeoutMs: number;
  /** Extra attempts after the first (bounded). */
  retries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  signal?: AbortSignal;
  redact: Redactor;
  /** Observer for the benchmark and the CLI's --verbose: never receives secrets. */
  onAttempt?: (e: { action: string; attempt: number; startedAt: number; endedAt: number; ok: boolean; code?: string }) => void;
  random?: () => number;
}

export type CallOutcome<T> = { ok: true; value: T; attempts: number } | { ok: false; error: CloudError; attempts: number };

interface Classified {
  code: string;
  message: string;
  requestId?: string;
  statusCode?: number;
  retryable: boolean;
  retryAfterMs?: number;
  permission: boolean;
}

const PERMISSION_CODES = /^(Forbidden\.RAM|Forbidden\.NoPermission|NoPermission|Forbidden|Forbidden\.Unauthorized|Forbidden\.AccessDenied|Forbidden\.SubUser|InvalidOperation\.NoPermission|NoPermission\..*)$/;
const CREDENTIAL_CODES = /^(InvalidAccessKeyId(\..*)?|SignatureDoesNotMatch|IncompleteSignature|InvalidSecurityToken(\..*)?|InvalidAccessKeySecret|InvalidCredentials)$/;

export class CallTimeout extends Error {
  constructor(ms: number) {
    super(`no answer within ${ms} ms`);
    this.name = 'CallTimeout';
  }
}

export function classify(err: unknown): Classified {
  const e = (err ?? {}) as {
    code?: unknown;
    name?: unknown;
    message?: unknown;
    statusCode?: unknown;
    requestId?: unknown;
    retryAfter?: unknown;
    data?: { RequestId?: unknown; Message?: unknown; Code?: unknown };
  };
  const name = typeof e.name === 'string' ? e.name : '';
  const rawMessage = typeof e.message === 'string' ? e.message : String(err);
  const statusCode = typeof e.statusCode === 'number' ? e.statusCode : undefined;
  const requestId = [e.requestId, e.data?.RequestId].find((x) => typeof x === 'string' && x && x !== 'undefined') as string | undefined;
  const apiMessage = typeof e.data?.Message === 'string' ? e.data.Message : undefined;
  let code = typeof e.code === 'string' && e.code && e.code !== 'undefined' ? e.code : '';

  if (err instanceof CallTimeout || name === 'RequestTimeoutError' || /ReadTimeout|ConnectTimeout|ETIMEDOUT|socket hang up|timeout/i.test(code + ' ' + rawMessage) && !statusCode) {
    return { code: 'Timeout', message: rawMessage.replace(/ (POST|GET) \/\?.*$/, ''), retryable: true, permission: false };
  }
  if (err instanceof SyntaxError || /Unexpected token|JSON/i.test(name + rawMessage) && !statusCode) {
    return { code: 'MalformedResponse', message: 'the API answered with a body that is not valid JSON', retryable: false, permission: false };
  }
  if (!code && typeof e.code === 'string') code = e.code;
  if (!statusCode && /^(ECONNREFUSED|ECONNRESET|EPIPE|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH)$/.test(code)) {
    return { code, message: `network error ${code} reaching the API endpoint`, retryable: code !== 'ENOTFOUND', permission: false };
  }
  const message = apiMessage ?? rawMessage;
  const retryAfterMs = typeof e.retryAfter === 'number' && Number.isFinite(e.retryAfter) ? e.retryAfter : undefined;
  if (/Throttling/i.test(code) || code === 'ServiceUnavailable' || (statusCode !== undefined && statusCode >= 500)) {
    return { code: code || `HTTP${statusCode}`, message, requestId, statusCode, retryable: true, retryAfterMs, permission: false };
  }
  return { code: code || (statusCode ? `HTTP${statusCode}` : name || 'Error'), message, requestId, statusCode, retryable: false, permission: PERMISSION_CODES.test(code) };
}

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });

function withTimeout<T>(p: Promise<T>, ms: number, signal?: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    // The SDK has its own read timeout; this is the backstop (and what honours the AbortSignal).
    const t = setTimeout(() => reject(new CallTimeout(ms)), ms + 250);
    const onAbort = () => reject(Object.assign(new Error('aborted'), { code: 'Aborted' }));
    signal?.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => (clearTimeout(t), signal?.removeEventListener('abort', onAbort), resolve(v)),
      (e: unknown) => (clearTimeout(t), signal?.removeEventListener('abort', onAbort), reject(e)),
    );
  });
}

export function grantFor(action: string): string | undefined {
  return (ACTIONS as Record<string, { ram: string | null }>)[action]?.ram ?? undefined;
}

export async function callApi<T>(action: ActionName, what: string, leavesUnknown: string[], fn: () => Promise<T>, policy: CallPolicy): Promise<CallOutcome<T>> {
  const random = policy.random ?? Math.random;
  const maxAttempts = 1 + Math.max(0, Math.min(policy.retries, 8));
  let last: Classified | null = null;
  let attempts = 0;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    if (policy.signal?.aborted) {
      last = { code: 'Aborted', message: 'the read was cancelled', retryable: false, permission: false };
      break;
    }
    const startedAt = Date.now();
    attempts = attempt;
    try {
      const value = await withTimeout(fn(), policy.timeoutMs, policy.signal);
      policy.onAttempt?.({ action, attempt, startedAt, endedAt: Date.now(), ok: true });
      return { ok: true, value, attempts: attempt };
    } catch (err) {
      last = classify(err);
      if ((err as { code?: unknown })?.code === 'Aborted') last = { code: 'Aborted', message: 'the read was cancelled', retryable: false, permission: false };
      policy.onAttempt?.({ action, attempt, startedAt, endedAt: Date.now(), ok: false, code: last.code });
      if (!last.retryable || attempt === maxAttempts) break;
      const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
      const jittered = random() * backoff; // full jitter
      const wait = Math.min(policy.maxDelayMs, Math.max(jittered, last.retryAfterMs ?? 0));
      await sleep(wait, policy.signal);
    }
  }
  const c = last!;
  const grant = c.permission ? grantFor(action) : undefined;
  const base = `${action}${what ? ` (${what})` : ''} failed: ${c.code}`;
  const detail = c.permission
    ? `${base}. The RAM user or role is not allowed to call it; grant ${grant ?? action} to read ${leavesUnknown.join(', ')}.`
    : c.code === 'Timeout'
      ? `${base} after ${attempts} attempt(s): ${c.message}`
      : CREDENTIAL_CODES.test(c.code)
        ? `${base}: ${c.message} Check the AccessKey (wrong or disabled key, expired STS token, or another cloud's endpoint).`
        : `${base}: ${c.message}`;
  return {
    ok: false,
    attempts,
    error: {
      action,
      code: c.code,
      message: policy.redact(detail),
      ...(c.requestId ? { requestId: c.requestId } : {}),
      leavesUnknown,
      ...(grant ? { grant } : {}),
    },
  };
}

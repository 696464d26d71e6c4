import { describe, expect, it } from 'vitest';
import { callApi, classify, type CallPolicy } from './call';

const policy = (over: Partial<CallPolicy> = {}): CallPolicy => ({ timeoutMs: 200, retries: 3, baseDelayMs: 1, maxDelayMs: 5, redact: (t) => t.replace(/s3cr3t/g, '[REDACTED]'), random: () => 0.5, ...over });
const sdkError = (code: string, statusCode: number, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(`code: ${statusCode}, msg s3cr3t request id: R-1`), { code, statusCode, requestId: 'R-1', data: { Message: `msg s3cr3t` }, ...extra });

describe('callApi', () => {
  it('retries throttling and 5xx within the bound, then succeeds', async () => {
    let n = 0;
    const r = await callApi('DescribeInstances', '', ['instance'], async () => {
      n++;
      if (n === 1) throw sdkError('Throttling.User', 400);
      if (n === 2) throw sdkError('InternalError', 500);
      return 'ok';
    }, policy());
    expect(r).toEqual({ ok: true, value: 'ok', attempts: 3 });
  });

  it('does not retry permission errors and names the RAM action to grant; messages are redacted', async () => {
    let n = 0;
    const r = await callApi('DescribeNetworkAcls', 'vsw-1', ['networkAcls/vsw-1'], async () => {
      n++;
      throw sdkError('Forbidden.RAM', 403);
    }, policy());
    expect(n).toBe(1);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toMatchObject({ code: 'Forbidden.RAM', grant: 'vpc:DescribeNetworkAcls', requestId: 'R-1', leavesUnknown: ['networkAcls/vsw-1'] });
    expect(JSON.stringify(r.error)).not.toContain('s3cr3t');
  });

  it('stops after 1 + retries attempts and times out a hanging call', async () => {
    let n = 0;
    const r = await callApi('DescribeRegions', '', ['regions'], () => {
      n++;
      return new Promise<string>(() => {});
    }, policy({ timeoutMs: 20, retries: 1 }));
    expect(n).toBe(2);
    expect(r.ok === false && r.error.code).toBe('Timeout');
  });

  it('classifies SDK error shapes', () => {
    expect(classify(sdkError('ServiceUnavailable', 503)).retryable).toBe(true);
    expect(classify(Object.assign(new Error('ReadTimeout(300). POST /?x failed.'), { name: 'RequestTimeoutError' })).code).toBe('Timeout');
    expect(classify(new SyntaxError('Unexpected end of JSON input')).code).toBe('MalformedResponse');
    expect(classify(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toMatchObject({ code: 'ECONNREFUSED', retryable: true });
    expect(classify(sdkError('NoPermission', 403)).permission).toBe(true);
    expect(classify(sdkError('Throttling.User', 400, { retryAfter: 1500 })).retryAfterMs).toBe(1500);
  });
});

// The real Huawei Cloud SDK (signing, endpoint, error mapping) against the loopback fake that verifies its
// SDK-HMAC-SHA256 signature; endpoint overrides; no file written into the home directory.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkHuaweiEndpoint, huaweiEndpoints, loadHuaweiSdk, makeEcsClient, makeRawClient, makeVpcV3Client } from '../src/core/cloud/huawei/sdk';
import { PROJECT_ID, scenario, SERVER_ID, SG_WEB } from './fake-huawei/scenarios';
import { FAKE_AK, FAKE_SK, startFakeHuawei, type FakeHuawei } from './fake-huawei/server';

let fake: FakeHuawei;
const home = mkdtempSync(join(tmpdir(), 'sgd-hw-home-'));
const realHome = process.env.HOME;

beforeAll(async () => {
  process.env.HOME = home; // where the SDK's own User-Agent helper would write ~/.huaweicloud/application_id
  fake = await startFakeHuawei({ state: scenario('healthy') });
});
afterAll(async () => {
  await fake.close();
  process.env.HOME = realHome;
  rmSync(home, { recursive: true, force: true });
});

const opts = (sk = FAKE_SK) => ({ keys: { ak: FAKE_AK, sk }, projectId: PROJECT_ID, endpoint: fake.url, timeoutMs: 3000 });

describe('Huawei SDK against the signature-verifying fake', () => {
  it('a request signed by the real SDK is accepted and answered in the SDK model shape', async () => {
    const sdk = await loadHuaweiSdk();
    const ecs = makeEcsClient(sdk, opts());
    const out = await ecs.showServer({ server_id: SERVER_ID });
    expect((out.server as { id: string }).id).toBe(SERVER_ID);
    const last = fake.calls.at(-1)!;
    expect(last).toMatchObject({ op: 'ShowServer', status: 200, ak: FAKE_AK });
    expect(last.userAgent).toContain('sg-doctor');
    expect(last.userAgent).not.toMatch(/app\//);
  });

  it('query parameters are signed too (v3 ListSecurityGroupRules with a filter and limit)', async () => {
    const sdk = await loadHuaweiSdk();
    const vpc = makeVpcV3Client(sdk, opts());
    const out = await vpc.listSecurityGroupRules({ security_group_id: [SG_WEB], limit: 2 });
    expect(Array.isArray(out.security_group_rules)).toBe(true);
    expect(fake.calls.at(-1)).toMatchObject({ op: 'ListSecurityGroupRules', status: 200, query: { security_group_id: [SG_WEB], limit: ['2'] } });
  });

  it('the raw client (EIP v1, no SDK package) signs array query parameters', async () => {
    const sdk = await loadHuaweiSdk();
    const raw = makeRawClient(sdk, opts());
    const out = await raw.sendRequest({ method: 'GET', url: '/v1/{project_id}/publicips', contentType: 'application/json', queryParams: { public_ip_address: ['203.0.113.10', '203.0.113.11'], limit: 10 }, pathParams: {}, headers: {} });
    expect(fake.calls.at(-1)).toMatchObject({ op: 'ListPublicips', status: 200 });
    expect((out.publicips as unknown[]).length).toBe(1);
  });

  it('a wrong secret key is rejected with API Gateway 401 APIGW.0301, surfaced by the SDK', async () => {
    const sdk = await loadHuaweiSdk();
    const ecs = makeEcsClient(sdk, opts('not-the-secret'));
    const err = (await ecs.showServer({ server_id: SERVER_ID }).catch((e: unknown) => e)) as { httpStatusCode?: number; errorCode?: string; errorMsg?: string };
    expect(err.httpStatusCode).toBe(401);
    expect(err.errorCode).toBe('APIGW.0301');
    expect(err.errorMsg).toMatch(/signature/);
    expect(fake.calls.at(-1)?.status).toBe(401);
  });

  it("a failed call prints nothing (the SDK's own logger would print the request and its headers to stdout)", async () => {
    const sdk = await loadHuaweiSdk();
    const written: string[] = [];
    const orig = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: unknown, ...rest: unknown[]) => (written.push(String(chunk)), (orig as (...a: unknown[]) => boolean)(chunk, ...rest))) as typeof process.stdout.write;
    try {
      await makeEcsClient(sdk, opts('not-the-secret'))
        .showServer({ server_id: SERVER_ID })
        .catch(() => undefined);
      await new Promise((r) => setTimeout(r, 50)); // log4js writes asynchronously
    } finally {
      process.stdout.write = orig;
    }
    expect(written.join('')).not.toMatch(/Some error found|nodesdk|SDK-HMAC-SHA256/);
  });

  it('loading and calling the SDK writes nothing into the home directory', () => {
    expect(existsSync(join(home, '.huaweicloud'))).toBe(false);
  });
});

describe('endpoints', () => {
  it('derive from the region, with the environment overrides', () => {
    expect(huaweiEndpoints('cn-north-4', {})).toEqual({ ok: true, value: { ecs: 'https://ecs.cn-north-4.myhuaweicloud.com', vpc: 'https://vpc.cn-north-4.myhuaweicloud.com', eip: 'https://vpc.cn-north-4.myhuaweicloud.com', iam: 'https://iam.myhuaweicloud.com' } });
    const all = huaweiEndpoints('cn-north-4', { SGD_HUAWEI_ENDPOINT: 'http://127.0.0.1:9999' });
    expect(all.ok && all.value).toEqual({ ecs: 'http://127.0.0.1:9999', vpc: 'http://127.0.0.1:9999', eip: 'http://127.0.0.1:9999', iam: 'http://127.0.0.1:9999' });
    const one = huaweiEndpoints('cn-north-4', { SGD_HUAWEI_ENDPOINT: 'http://127.0.0.1:9999', SGD_HUAWEI_VPC_ENDPOINT: 'https://vpc.example.test' });
    expect(one.ok && one.value.vpc).toBe('https://vpc.example.test');
  });

  it.each([
    ['http://203.0.113.5:8080', /not loopback/],
    ['ftp://127.0.0.1', /https/],
    ['https://user:pw@vpc.example.test', /scheme/],
    ['https://vpc.example.test/path', /scheme/],
    ['not a url', /not a URL/],
  ])('refuses %s', (value, why) => {
    const r = checkHuaweiEndpoint(value, 'SGD_HUAWEI_ENDPOINT');
    expect(r.ok).toBe(false);
    expect(!r.ok && r.message).toMatch(why);
  });

  it('refuses a region that is not a region id (it becomes part of the host)', () => {
    expect(huaweiEndpoints('x@127.0.0.1:22/', {}).ok).toBe(false);
  });
});

describe('the fake checks the whole canonical request, not just the key', () => {
  /** Replays a request the SDK signed, with one part changed. */
  function replay(target: string, headers: Record<string, string>): Promise<number> {
    return new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: fake.port, path: target, method: 'GET', headers }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end();
    });
  }

  it('an unchanged replay is accepted; a changed query, path, date or signed header is rejected', async () => {
    const sdk = await loadHuaweiSdk();
    await makeVpcV3Client(sdk, opts()).listSecurityGroupRules({ security_group_id: [SG_WEB], limit: 5 });
    const signed = fake.calls.at(-1)!;
    expect(signed.status).toBe(200);
    const h = { ...signed.headers };
    expect(await replay(signed.target, h)).toBe(200);
    expect(await replay(signed.target.replace('limit=5', 'limit=6'), h)).toBe(401);
    expect(await replay(signed.target.replace('security-group-rules', 'security-groups'), h)).toBe(401);
    const date = h['x-sdk-date'];
    expect(await replay(signed.target, { ...h, 'x-sdk-date': date.replace(/\d(?=Z$)/, (d) => String((Number(d) + 1) % 10)) })).toBe(401);
    expect(await replay(signed.target, { ...h, 'x-project-id': PROJECT_ID.replace(/^0/, '1') })).toBe(401);
    const { authorization: _drop, ...unsigned } = h;
    expect(await replay(signed.target, unsigned)).toBe(401);
  });
});

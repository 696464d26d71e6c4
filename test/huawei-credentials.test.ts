// Huawei Cloud credentials: typed key, both environment families, KooCLI profiles in plain text / encrypted.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HOW_TO_EXPORT, listHcloudProfiles, resolveHuaweiCredentials, type ResolvedHuaweiCredentials } from '../src/core/cloud/huawei/credentials';

const AK = 'HPUAABCDEFGH12345678';
const SK = 'sk0123456789abcdefghijklmnopqrstuvwxyzAB';
const PID = '0a1b2c3d4e5f60718293a4b5c6d7e8f9';
const homes: string[] = [];
afterAll(() => homes.forEach((h) => rmSync(h, { recursive: true, force: true })));

function home(config?: unknown): string {
  const h = mkdtempSync(join(tmpdir(), 'sgd-hcloud-'));
  homes.push(h);
  if (config !== undefined) {
    mkdirSync(join(h, '.hcloud'));
    writeFileSync(join(h, '.hcloud', 'config.json'), typeof config === 'string' ? config : JSON.stringify(config, null, 2));
  }
  return h;
}

const profile = (over: Record<string, unknown> = {}) => ({
  name: 'default',
  mode: 'AKSK',
  accessKeyId: AK,
  secretAccessKey: SK,
  securityToken: '',
  region: 'cn-north-4',
  projectId: PID,
  domainId: '',
  skipSecureVerify: 'false',
  readTimeout: 10,
  connectTimeout: 5,
  retryCount: 0,
  ...over,
});
const config = (profiles: unknown[], over: Record<string, unknown> = {}) => ({ authEncrypt: 'false', language: 'en', current: 'default', profiles, ...over });

function value(r: ReturnType<typeof resolveHuaweiCredentials>): ResolvedHuaweiCredentials {
  if (!r.ok) throw new Error(`${r.code}: ${r.message}`);
  return r.value;
}

describe('resolveHuaweiCredentials', () => {
  it('a typed key wins; the secret is not enumerable and the AK is masked', () => {
    const c = value(resolveHuaweiCredentials({ accessKey: { accessKeyId: AK, accessKeySecret: SK, projectId: PID, region: 'cn-south-1' }, env: { HUAWEICLOUD_SDK_AK: 'OTHER', HUAWEICLOUD_SDK_SK: 'OTHER' }, home: home() }));
    expect(c).toMatchObject({ source: 'access-key-input', projectId: PID, region: 'cn-south-1', accessKeyIdRedacted: 'HPUA****5678' });
    expect(c.keys).toEqual({ ak: AK, sk: SK });
    expect(JSON.stringify(c)).not.toContain(SK);
    expect(JSON.stringify(c)).not.toContain(AK);
    expect(c.redact(`ak=${AK} sk=${SK}`)).not.toMatch(new RegExp(`${SK}|${AK}`));
  });

  it('HUAWEICLOUD_SDK_AK / _SK with project id, region and token', () => {
    const c = value(
      resolveHuaweiCredentials({ env: { HUAWEICLOUD_SDK_AK: AK, HUAWEICLOUD_SDK_SK: SK, HUAWEICLOUD_SDK_SECURITY_TOKEN: 'tok-123456', HUAWEICLOUD_SDK_PROJECT_ID: PID, HUAWEICLOUD_SDK_REGION: 'cn-north-4' }, home: home() }),
    );
    expect(c).toMatchObject({ source: 'environment', projectId: PID, region: 'cn-north-4' });
    expect(c.sourceDetail).toContain('HUAWEICLOUD_SDK_AK');
    expect(c.keys.securityToken).toBe('tok-123456');
  });

  it('CLOUD_SDK_AK / _SK (the SDK samples\' names) when the HUAWEICLOUD_ ones are absent', () => {
    const c = value(resolveHuaweiCredentials({ env: { CLOUD_SDK_AK: AK, CLOUD_SDK_SK: SK }, home: home() }));
    expect(c.source).toBe('environment');
    expect(c.sourceDetail).toContain('CLOUD_SDK_AK');
    expect(c.keys.ak).toBe(AK);
  });

  it('half a key in the environment is an error that names the missing variable', () => {
    const r = resolveHuaweiCredentials({ env: { HUAWEICLOUD_SDK_AK: AK }, home: home() });
    expect(r).toMatchObject({ ok: false, code: 'IncompleteEnvironment' });
    expect(!r.ok && r.message).toContain('HUAWEICLOUD_SDK_SK');
  });

  it('a bad region or project id in the environment is refused', () => {
    expect(resolveHuaweiCredentials({ env: { HUAWEICLOUD_SDK_AK: AK, HUAWEICLOUD_SDK_SK: SK, HUAWEICLOUD_SDK_REGION: 'x@evil:1/' }, home: home() })).toMatchObject({ ok: false, code: 'BadRegion' });
    expect(resolveHuaweiCredentials({ env: { HUAWEICLOUD_SDK_AK: AK, HUAWEICLOUD_SDK_SK: SK, HUAWEICLOUD_SDK_PROJECT_ID: '../../x' }, home: home() })).toMatchObject({ ok: false, code: 'BadProjectId' });
  });

  it('KooCLI current profile in plain text (authEncrypt false)', () => {
    const h = home(config([profile({ name: 'other', region: 'cn-east-3' }), profile()], { current: 'default' }));
    const c = value(resolveHuaweiCredentials({ env: {}, home: h }));
    expect(c).toMatchObject({ source: 'hcloud-profile', profile: 'default', region: 'cn-north-4', projectId: PID });
    expect(c.sourceDetail).toContain(join(h, '.hcloud', 'config.json'));
  });

  it('a named KooCLI profile; an unknown name lists the known ones', () => {
    const h = home(config([profile({ name: 'prod', region: 'cn-east-3', projectId: '' }), profile()]));
    expect(value(resolveHuaweiCredentials({ env: {}, home: h, profile: 'prod' }))).toMatchObject({ profile: 'prod', region: 'cn-east-3' });
    const r = resolveHuaweiCredentials({ env: {}, home: h, profile: 'nope' });
    expect(r).toMatchObject({ ok: false, code: 'ProfileNotFound' });
    expect(!r.ok && r.message).toContain('prod, default');
  });

  it('environment variables come before the KooCLI current profile', () => {
    const h = home(config([profile()]));
    expect(value(resolveHuaweiCredentials({ env: { HUAWEICLOUD_SDK_AK: 'HPUAENVENV0000000000', HUAWEICLOUD_SDK_SK: 'envsecret0000000' }, home: h })).source).toBe('environment');
  });

  it.each([['"true"', 'true'], ['true (boolean)', true]])('encrypted KooCLI profiles (authEncrypt %s): refused with why and how to export the key', (_n, flag) => {
    const h = home(config([profile({ accessKeyId: 'ENC(3f9a…)', secretAccessKey: 'ENC(77b1…)' })], { authEncrypt: flag }));
    const r = resolveHuaweiCredentials({ env: {}, home: h });
    expect(r).toMatchObject({ ok: false, code: 'EncryptedProfile' });
    expect(!r.ok && r.message).toMatch(/encrypted/);
    expect(!r.ok && r.message).toContain('HUAWEICLOUD_SDK_AK');
    expect(!r.ok && r.message).not.toContain('ENC(');
    const list = listHcloudProfiles({ home: h });
    expect(list.ok && list.value.encrypted).toBe(true);
    expect(list.ok && list.value.profiles[0]).toMatchObject({ name: 'default', supported: false });
    expect(list.ok && list.value.profiles[0].accessKeyIdRedacted).toBeUndefined(); // ciphertext is not an AK
    expect(HOW_TO_EXPORT['zh-CN']).toMatch(/[，；（）]/);
  });

  it('profiles in other modes are unsupported, with the reason', () => {
    const h = home(config([profile({ mode: 'ecsAgency', accessKeyId: '', secretAccessKey: '' })]));
    const r = resolveHuaweiCredentials({ env: {}, home: h, profile: 'default' });
    expect(r).toMatchObject({ ok: false, code: 'UnsupportedProfile' });
    expect(!r.ok && r.message).toContain('ecsAgency');
  });

  it('a profile whose key is empty is incomplete', () => {
    const h = home(config([profile({ secretAccessKey: '' })]));
    expect(resolveHuaweiCredentials({ env: {}, home: h })).toMatchObject({ ok: false, code: 'IncompleteProfile' });
  });

  it('a config file that is not JSON is reported by position, without quoting its content', () => {
    const h = home(`{"profiles":[{"secretAccessKey":"${SK}" oops`);
    const r = resolveHuaweiCredentials({ env: {}, home: h });
    expect(r).toMatchObject({ ok: false, code: 'BadConfigFile' });
    expect(!r.ok && r.message).not.toContain(SK);
  });

  it('nothing anywhere: NoCredentials with what to do', () => {
    const r = resolveHuaweiCredentials({ env: {}, home: home() });
    expect(r).toMatchObject({ ok: false, code: 'NoCredentials' });
    expect(!r.ok && r.message).toMatch(/HUAWEICLOUD_SDK_AK/);
  });

  it('listHcloudProfiles shows masked AKs of plain-text profiles and no secrets', () => {
    const h = home(config([profile(), profile({ name: 'bad-region', region: 'not a region' })]));
    const r = listHcloudProfiles({ home: h });
    expect(r.ok).toBe(true);
    const v = r.ok ? r.value : null;
    expect(v?.current).toBe('default');
    expect(v?.profiles[0]).toMatchObject({ name: 'default', supported: true, accessKeyIdRedacted: 'HPUA****5678', region: 'cn-north-4', projectId: PID });
    expect(v?.profiles[1]).toMatchObject({ supported: false, unsupportedReason: expect.stringContaining('region') });
    expect(JSON.stringify(v)).not.toContain(SK);
  });

  it('a profile name with path or quote characters is refused', () => {
    expect(resolveHuaweiCredentials({ env: {}, home: home(), profile: '../x' })).toMatchObject({ ok: false, code: 'BadProfileName' });
  });
});

// Credential sources with temp homes: typed AccessKey, env, aliyun CLI profiles, ~/.alibabacloud/credentials.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listAliyunProfiles, parseIni, resolveCredentials } from '../src/core/cloud/alicloud/credentials';
import { maskAccessKeyId, redactSecrets } from '../src/core/cloud/redact';

let home: string;
const SECRET = 'ProfileSecretValue0123456789abcdef';
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'sgd-home-'));
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

function writeAliyun(doc: unknown): void {
  mkdirSync(join(home, '.aliyun'), { recursive: true });
  writeFileSync(join(home, '.aliyun', 'config.json'), typeof doc === 'string' ? doc : JSON.stringify(doc));
}

const cliConfig = {
  current: 'prod',
  profiles: [
    { name: 'default', mode: 'AK', access_key_id: 'LTAI5tDefault00001111', access_key_secret: 'DefaultSecret0000000000000000', region_id: 'cn-hangzhou' },
    { name: 'prod', mode: 'AK', access_key_id: 'LTAI5tProdKey00002222', access_key_secret: SECRET, region_id: 'cn-shanghai' },
    { name: 'temp', mode: 'StsToken', access_key_id: 'STS.NTempKey00003333', access_key_secret: 'TempSecret000000000000000', sts_token: 'CAISTokenValue0000', region_id: 'cn-beijing' },
    { name: 'role', mode: 'RamRoleArn', access_key_id: 'LTAI5tRole00004444', access_key_secret: 'x', ram_role_arn: 'acs:ram::1:role/r', region_id: 'cn-hangzhou' },
  ],
  meta_path: '',
};

describe('credentials', () => {
  it('lists aliyun CLI profiles without secrets, marking unsupported modes and the current one', () => {
    writeAliyun(cliConfig);
    const r = listAliyunProfiles({ home });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.current).toBe('prod');
    expect(r.value.profiles.map((p) => [p.name, p.mode, p.supported, p.regionId])).toEqual([
      ['default', 'AK', true, 'cn-hangzhou'],
      ['prod', 'AK', true, 'cn-shanghai'],
      ['temp', 'StsToken', true, 'cn-beijing'],
      ['role', 'RamRoleArn', false, 'cn-hangzhou'],
    ]);
    expect(r.value.profiles[1].accessKeyIdRedacted).toBe('LTAI****2222');
    expect(JSON.stringify(r.value)).not.toContain(SECRET);
  });

  it('honours `current` and the profile region, picks a profile by name, and reports the source', async () => {
    writeAliyun(cliConfig);
    const cur = resolveCredentials({ home, env: {} });
    expect(cur.ok && cur.value).toMatchObject({ source: 'aliyun-cli-profile', profile: 'prod', regionId: 'cn-shanghai', accessKeyIdRedacted: 'LTAI****2222' });
    if (cur.ok) expect((await cur.value.credential.getCredential()).accessKeySecret).toBe(SECRET);
    const sts = resolveCredentials({ home, env: {}, profile: 'temp' });
    expect(sts.ok).toBe(true);
    if (sts.ok) expect((await sts.value.credential.getCredential()).securityToken).toBe('CAISTokenValue0000');
    const role = resolveCredentials({ home, env: {}, profile: 'role' });
    expect(role).toMatchObject({ ok: false, code: 'UnsupportedProfile' });
    expect(resolveCredentials({ home, env: {}, profile: 'nope' })).toMatchObject({ ok: false, code: 'ProfileNotFound' });
  });

  it('prefers a typed AccessKey, then environment variables, over profiles', () => {
    writeAliyun(cliConfig);
    const typed = resolveCredentials({ home, env: {}, accessKey: { accessKeyId: 'LTAI5tTyped000099', accessKeySecret: 'TypedSecret00000000000' } });
    expect(typed.ok && typed.value.source).toBe('access-key-input');
    const env = resolveCredentials({ home, env: { ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAI5tEnvKey0000555', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'EnvSecret000000000000', ALIBABA_CLOUD_REGION_ID: 'cn-shenzhen' } });
    expect(env.ok && env.value).toMatchObject({ source: 'environment', regionId: 'cn-shenzhen', accessKeyIdRedacted: 'LTAI****0555' });
  });

  it('falls back to ~/.alibabacloud/credentials, and reports no credentials clearly (metadata off)', () => {
    expect(resolveCredentials({ home, env: {} })).toMatchObject({ ok: false, code: 'NoCredentials' });
    mkdirSync(join(home, '.alibabacloud'));
    writeFileSync(join(home, '.alibabacloud', 'credentials'), '[default]\ntype = access_key\naccess_key_id = LTAI5tIniKey0000666\naccess_key_secret = IniSecret0000000000\n');
    const r = resolveCredentials({ home, env: {} });
    expect(r.ok && r.value).toMatchObject({ source: 'alibabacloud-credentials-file', profile: 'default', accessKeyIdRedacted: 'LTAI****0666' });
    expect(parseIni('[a]\nk = v\n# c\n[b]\nx=1')).toEqual({ a: { k: 'v' }, b: { x: '1' } });
  });

  it('a broken config file is reported without quoting its content', () => {
    writeAliyun(`{"profiles":[{"access_key_secret":"${SECRET}" oops`);
    const r = resolveCredentials({ home, env: {} });
    expect(r).toMatchObject({ ok: false, code: 'BadConfigFile' });
    if (!r.ok) expect(r.message).not.toContain(SECRET);
  });

  it('redacts secrets (plain and URL-encoded) and masks AccessKey ids', () => {
    expect(maskAccessKeyId('LTAI5tAbCdEfGh1234abcd')).toBe('LTAI****abcd');
    expect(maskAccessKeyId('short')).toBe('****');
    const text = `secret ${SECRET} enc ${encodeURIComponent('a/b+c=SecretWith/Slash')} id LTAI5tProdKey00002222 "access_key_secret": "other"`;
    const out = redactSecrets(text, [SECRET, 'a/b+c=SecretWith/Slash'], ['LTAI5tProdKey00002222']);
    expect(out).not.toContain(SECRET);
    expect(out).not.toContain('SecretWith');
    expect(out).toContain('LTAI****2222');
    expect(out).not.toContain('"other"');
  });
});

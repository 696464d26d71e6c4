// Where the AccessKey comes from, in the order a user expects, reporting the source and never the secret:
//   1. an AccessKey typed by the user      2. a named profile (--profile)
//   3. environment variables               4. the aliyun CLI's current profile (~/.aliyun/config.json)
//   5. ~/.alibabacloud/credentials          6. ECS instance RAM role (metadata) — only when asked for
// Paths and environment are injectable so tests use temp homes.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import * as credentialsModule from '@alicloud/credentials';
import type CredentialType from '@alicloud/credentials';
import { fail, ok, type Result } from '../../result';
import { makeRedactor, maskAccessKeyId, type Redactor } from '../redact';
import { checkCloudId, isRegionId } from '../ids';

export type SdkCredential = CredentialType;

function credentialCtor(): new (config?: Record<string, unknown>) => SdkCredential {
  let cur: unknown = credentialsModule;
  for (let i = 0; i < 3 && cur && typeof cur !== 'function'; i++) cur = (cur as { default?: unknown }).default;
  if (typeof cur !== 'function') throw new Error('could not load @alicloud/credentials');
  return cur as new (config?: Record<string, unknown>) => SdkCredential;
}

export type CredentialSource =
  | 'access-key-input'
  | 'environment'
  | 'aliyun-cli-profile'
  | 'alibabacloud-credentials-file'
  | 'ecs-ram-role'
  | 'sdk-default-chain';

export interface AccessKeyInput {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
}

export interface AliyunProfile {
  name: string;
  /** AK, StsToken, RamRoleArn, EcsRamRole, RsaKeyPair, ... */
  mode: string;
  regionId?: string;
  supported: boolean;
  /** Why a profile cannot be used by this app (e.g. its mode). */
  unsupportedReason?: string;
  accessKeyIdRedacted?: string;
}

export interface ProfileList {
  path: string;
  current?: string;
  profiles: AliyunProfile[];
}

export interface CredentialPaths {
  /** Home directory (default os.homedir()). */
  home?: string;
  /** Default <home>/.aliyun/config.json. */
  aliyunConfig?: string;
  /** Default $ALIBABA_CLOUD_CREDENTIALS_FILE or <home>/.alibabacloud/credentials. */
  credentialsFile?: string;
  env?: NodeJS.ProcessEnv;
}

interface RawProfile {
  name?: string;
  mode?: string;
  access_key_id?: string;
  access_key_secret?: string;
  sts_token?: string;
  region_id?: string;
}

const SUPPORTED_MODES = new Set(['AK', 'StsToken']);

function aliyunConfigPath(p: CredentialPaths): string {
  return p.aliyunConfig ?? join(p.home ?? homedir(), '.aliyun', 'config.json');
}

function readAliyunConfig(p: CredentialPaths): Result<{ path: string; current?: string; profiles: RawProfile[] } | null> {
  const path = aliyunConfigPath(p);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return ok(null);
  }
  try {
    const doc = JSON.parse(text) as { current?: unknown; profiles?: unknown };
    const profiles = Array.isArray(doc.profiles) ? (doc.profiles as RawProfile[]).filter((x) => x && typeof x === 'object') : [];
    return ok({ path, current: typeof doc.current === 'string' ? doc.current : undefined, profiles });
  } catch (err) {
    // The parser's message can quote file content (a secret): report only the position.
    const pos = /position \d+/.exec((err as Error).message)?.[0];
    return fail('BadConfigFile', `${path} is not valid JSON${pos ? ` (at ${pos})` : ''}`);
  }
}

function describeProfile(raw: RawProfile): AliyunProfile {
  const mode = raw.mode || 'AK';
  // The SDK builds the API host from the region: a region_id that is not a region id makes the profile unusable.
  const badRegion = raw.region_id !== undefined && raw.region_id !== '' && !isRegionId(raw.region_id);
  const supported = SUPPORTED_MODES.has(mode) && !badRegion;
  return {
    name: raw.name ?? '',
    mode,
    ...(raw.region_id && !badRegion ? { regionId: raw.region_id } : {}),
    supported,
    ...(supported
      ? {}
      : badRegion
        ? { unsupportedReason: `its region_id ${JSON.stringify(String(raw.region_id).slice(0, 40))} is not a region id (like cn-hangzhou)` }
        : { unsupportedReason: `mode ${mode} is not supported by SG Doctor (use an AK or StsToken profile, or type an AccessKey)` }),
    ...(raw.access_key_id ? { accessKeyIdRedacted: maskAccessKeyId(raw.access_key_id) } : {}),
  };
}

/** The aliyun CLI profiles (no secrets): for the profile picker and `--profile`. */
export function listAliyunProfiles(paths: CredentialPaths = {}): Result<ProfileList> {
  const r = readAliyunConfig(paths);
  if (!r.ok) return r;
  if (!r.value) return ok({ path: aliyunConfigPath(paths), profiles: [] });
  return ok({ path: r.value.path, current: r.value.current, profiles: r.value.profiles.map(describeProfile) });
}

/** Minimal INI reader for ~/.alibabacloud/credentials (sections with key = value). */
export function parseIni(text: string): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  let section = '';
  for (const line of text.split(/\r?\n/)) {
    const t = line.trim();
    if (!t || t.startsWith('#') || t.startsWith(';')) continue;
    const sec = /^\[(.+)\]$/.exec(t);
    if (sec) {
      section = sec[1].trim();
      out[section] ??= {};
      continue;
    }
    const eq = t.indexOf('=');
    if (eq > 0 && section) out[section][t.slice(0, eq).trim()] = t.slice(eq + 1).trim();
  }
  return out;
}

export interface ResolvedCredentials {
  credential: SdkCredential;
  source: CredentialSource;
  /** Human text: "aliyun CLI profile 'prod' (~/.aliyun/config.json)". */
  sourceDetail: string;
  profile?: string;
  /** Region the profile or environment suggests. */
  regionId?: string;
  accessKeyIdRedacted?: string;
  /** Redacts this credential's secret, token and id from any text. */
  redact: Redactor;
}

export interface ResolveOptions extends CredentialPaths {
  accessKey?: AccessKeyInput;
  profile?: string;
  /** Allow the ECS metadata service (only meaningful when the app runs on ECS). Off by default. */
  allowEcsMetadata?: boolean;
  ecsRoleName?: string;
}

function fromKeys(
  keys: AccessKeyInput,
  source: CredentialSource,
  sourceDetail: string,
  extra: { profile?: string; regionId?: string } = {},
): ResolvedCredentials {
  const Credential = credentialCtor();
  const credential = keys.securityToken
    ? new Credential({ type: 'sts', accessKeyId: keys.accessKeyId, accessKeySecret: keys.accessKeySecret, securityToken: keys.securityToken })
    : new Credential({ type: 'access_key', accessKeyId: keys.accessKeyId, accessKeySecret: keys.accessKeySecret });
  return {
    credential,
    source,
    sourceDetail,
    ...extra,
    accessKeyIdRedacted: maskAccessKeyId(keys.accessKeyId),
    redact: makeRedactor([keys.accessKeySecret, keys.securityToken], [keys.accessKeyId]),
  };
}

function profileKeys(raw: RawProfile, path: string): Result<AccessKeyInput> {
  const d = describeProfile(raw);
  if (!d.supported) return fail('UnsupportedProfile', `profile '${d.name}' in ${path}: ${d.unsupportedReason}`);
  if (!raw.access_key_id || !raw.access_key_secret) return fail('IncompleteProfile', `profile '${d.name}' in ${path} has no access_key_id / access_key_secret`);
  if (d.mode === 'StsToken' && !raw.sts_token) return fail('IncompleteProfile', `profile '${d.name}' in ${path} is StsToken but has no sts_token`);
  return ok({ accessKeyId: raw.access_key_id, accessKeySecret: raw.access_key_secret, ...(d.mode === 'StsToken' ? { securityToken: raw.sts_token } : {}) });
}

function fromCredentialsFile(paths: CredentialPaths, env: NodeJS.ProcessEnv, section: string): Result<ResolvedCredentials> | null {
  const path = paths.credentialsFile ?? env.ALIBABA_CLOUD_CREDENTIALS_FILE ?? join(paths.home ?? homedir(), '.alibabacloud', 'credentials');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return null;
  }
  const s = parseIni(text)[section];
  if (!s) return null;
  const type = s.type ?? 'access_key';
  if (type !== 'access_key' && type !== 'sts') {
    return fail('UnsupportedProfile', `section [${section}] of ${path}: type ${type} is not supported (use access_key or sts)`);
  }
  if (!s.access_key_id || !s.access_key_secret) return fail('IncompleteProfile', `section [${section}] of ${path} has no access_key_id / access_key_secret`);
  if (s.region_id && !isRegionId(s.region_id)) return fail('BadRegion', checkRegionText(s.region_id, `region_id of section [${section}] in ${path}`));
  return ok(
    fromKeys(
      { accessKeyId: s.access_key_id, accessKeySecret: s.access_key_secret, ...(type === 'sts' && s.security_token ? { securityToken: s.security_token } : {}) },
      'alibabacloud-credentials-file',
      `${path} [${section}]`,
      { profile: section, ...(s.region_id ? { regionId: s.region_id } : {}) },
    ),
  );
}

const NO_CREDENTIALS =
  'No Alibaba Cloud credentials found. Type an AccessKey, set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET, ' +
  'configure the aliyun CLI (`aliyun configure`), or paste the output of `aliyun ecs DescribeInstances` etc. for an offline analysis.';

const checkRegionText = (value: string, where: string): string => {
  const r = checkCloudId('region', value, where);
  return r.ok ? '' : r.message;
};

/** The region named by the environment, checked (null when none is set). */
export function environmentRegion(env: NodeJS.ProcessEnv = process.env): Result<string | null> {
  for (const name of ['ALIBABA_CLOUD_REGION_ID', 'ALICLOUD_REGION_ID'] as const) {
    const v = env[name];
    if (v === undefined || v === '') continue;
    const r = checkCloudId('region', v, name);
    return r.ok ? ok(v) : fail('BadRegion', r.message);
  }
  return ok(null);
}

export function resolveCredentials(opts: ResolveOptions = {}): Result<ResolvedCredentials> {
  const env = opts.env ?? process.env;
  if (opts.profile !== undefined) {
    const p = checkCloudId('profile', opts.profile, 'profile');
    if (!p.ok) return fail('BadProfileName', p.message);
  }
  if (opts.accessKey) {
    if (!opts.accessKey.accessKeyId || !opts.accessKey.accessKeySecret) return fail('IncompleteAccessKey', 'AccessKey ID and AccessKey Secret are both required');
    return ok(fromKeys(opts.accessKey, 'access-key-input', 'AccessKey typed by the user'));
  }

  const cfg = readAliyunConfig(opts);
  if (!cfg.ok) return cfg;

  const byName = (name: string): Result<ResolvedCredentials> | null => {
    const raw = cfg.value?.profiles.find((p) => p.name === name);
    if (!raw) return null;
    if (raw.region_id && !isRegionId(raw.region_id)) return fail('BadRegion', checkRegionText(raw.region_id, `region_id of profile '${name}' in ${cfg.value!.path}`));
    const keys = profileKeys(raw, cfg.value!.path);
    if (!keys.ok) return keys;
    return ok(
      fromKeys(keys.value, 'aliyun-cli-profile', `aliyun CLI profile '${name}' (${cfg.value!.path})`, {
        profile: name,
        ...(raw.region_id ? { regionId: raw.region_id } : {}),
      }),
    );
  };

  if (opts.profile) {
    const r = byName(opts.profile) ?? fromCredentialsFile(opts, env, opts.profile);
    if (r) return r;
    const known = cfg.value?.profiles.map((p) => p.name).filter(Boolean) ?? [];
    return fail('ProfileNotFound', `profile '${opts.profile}' not found${known.length ? ` (known: ${known.join(', ')})` : ''}`);
  }

  const envId = env.ALIBABA_CLOUD_ACCESS_KEY_ID ?? env.ALICLOUD_ACCESS_KEY_ID;
  const envSecret = env.ALIBABA_CLOUD_ACCESS_KEY_SECRET ?? env.ALICLOUD_ACCESS_KEY_SECRET;
  if (envId && envSecret) {
    const token = env.ALIBABA_CLOUD_SECURITY_TOKEN ?? env.ALICLOUD_SECURITY_TOKEN;
    const envRegion = environmentRegion(env);
    if (!envRegion.ok) return envRegion;
    const region = envRegion.value;
    return ok(
      fromKeys({ accessKeyId: envId, accessKeySecret: envSecret, ...(token ? { securityToken: token } : {}) }, 'environment', 'environment variables', {
        ...(region ? { regionId: region } : {}),
      }),
    );
  }

  if (env.ALIBABA_CLOUD_ROLE_ARN && env.ALIBABA_CLOUD_OIDC_PROVIDER_ARN && env.ALIBABA_CLOUD_OIDC_TOKEN_FILE) {
    // OIDC (RRSA) is left to the SDK's own chain, which knows how to exchange the token.
    const Credential = credentialCtor();
    return ok({ credential: new Credential(), source: 'sdk-default-chain', sourceDetail: 'OIDC role (ALIBABA_CLOUD_OIDC_* environment)', redact: makeRedactor([]) });
  }

  const wanted = env.ALIBABA_CLOUD_PROFILE ?? cfg.value?.current;
  if (wanted) {
    const r = byName(wanted);
    if (r) return r;
  }

  const file = fromCredentialsFile(opts, env, env.ALIBABA_CLOUD_PROFILE ?? 'default');
  if (file) return file;

  if (opts.allowEcsMetadata) {
    // The SDK's metadata provider honours this variable; the user explicitly asked for the metadata service.
    env.ALIBABA_CLOUD_ECS_METADATA_DISABLED = 'false';
    const Credential = credentialCtor();
    return ok({
      credential: new Credential({ type: 'ecs_ram_role', ...(opts.ecsRoleName ? { roleName: opts.ecsRoleName } : {}) }),
      source: 'ecs-ram-role',
      sourceDetail: `ECS instance RAM role${opts.ecsRoleName ? ` '${opts.ecsRoleName}'` : ''} (metadata service)`,
      redact: makeRedactor([]),
    });
  }
  return fail('NoCredentials', NO_CREDENTIALS);
}

// Huawei Cloud AK/SK, in the order a user expects, reporting the source and never the secret:
//   1. an AK/SK typed by the user (the app keeps it in the OS keychain)
//   2. a named KooCLI profile (--profile)
//   3. environment variables: HUAWEICLOUD_SDK_AK / HUAWEICLOUD_SDK_SK (the SDK's documented names), else
//      CLOUD_SDK_AK / CLOUD_SDK_SK (the names Huawei's SDK samples and API Explorer code use); with
//      HUAWEICLOUD_SDK_SECURITY_TOKEN for a temporary key, HUAWEICLOUD_SDK_PROJECT_ID, HUAWEICLOUD_SDK_REGION
//   4. KooCLI's current profile (~/.hcloud/config.json)
//
// KooCLI ("hcloud") config file, as `hcloud configure list` prints it:
//   { "authEncrypt": "true", "language": "en", "current": "default",
//     "profiles": [ { "name": "default", "mode": "AKSK", "accessKeyId": "…", "secretAccessKey": "…",
//                     "securityToken": "", "region": "cn-north-4", "projectId": "", "domainId": "", … } ] }
// With "authEncrypt" true (KooCLI's default) the keys on disk are ciphertext that only KooCLI can decrypt: SG
// Doctor says so and how to hand the key over instead (environment variables or typing it), never guesses.
// Only "AKSK" profiles carry a key; other modes (agency / SSO / ECS agency) need KooCLI's own token exchange.
//
// The SDK's BasicCredentials does not read the environment by itself here (the reader always passes
// credentials explicitly), and the project id is never looked up through IAM by the SDK: its automatic lookup
// may *create* a project (IAM KeystoneCreateProject) when none exists — a write SG Doctor must not do.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Localized } from '../../diagnosis/types';
import { L } from '../../i18n';
import { fail, ok, type Result } from '../../result';
import { checkCloudId, isRegionId } from '../ids';
import { makeRedactor, maskAccessKeyId, type Redactor } from '../redact';

export type HuaweiCredentialSource = 'access-key-input' | 'environment' | 'hcloud-profile';

export interface HuaweiAccessKeyInput {
  accessKeyId: string;
  /** The secret access key (SK). `accessKeySecret` is accepted too (the port's ProviderReadArgs name). */
  secretAccessKey?: string;
  accessKeySecret?: string;
  securityToken?: string;
  projectId?: string;
  region?: string;
}

/** The AK/SK itself: kept off enumerable properties so that a log or JSON of the credentials carries no secret. */
export interface HuaweiKeys {
  ak: string;
  sk: string;
  securityToken?: string;
}

export interface ResolvedHuaweiCredentials {
  source: HuaweiCredentialSource;
  /** Human text: "KooCLI profile 'prod' (~/.hcloud/config.json)". */
  sourceDetail: string;
  profile?: string;
  /** Project id of the region (needed in every API path); from the profile / environment / input. */
  projectId?: string;
  /** Region the profile / environment / input suggests. */
  region?: string;
  accessKeyIdRedacted: string;
  /** Redacts this key's secret, token and id from any text. */
  redact: Redactor;
  /** The key (non-enumerable). */
  readonly keys: HuaweiKeys;
}

export interface HcloudProfile {
  name: string;
  /** AKSK, agency, SSO, ecsAgency, … */
  mode: string;
  region?: string;
  projectId?: string;
  supported: boolean;
  unsupportedReason?: string;
  /** Shown only when the keys are stored in plain text. */
  accessKeyIdRedacted?: string;
}

export interface HcloudProfileList {
  path: string;
  current?: string;
  /** The keys are encrypted on disk (authEncrypt): none of the profiles can be used directly. */
  encrypted: boolean;
  profiles: HcloudProfile[];
}

export interface HuaweiCredentialPaths {
  home?: string;
  /** Default <home>/.hcloud/config.json. */
  hcloudConfig?: string;
  env?: NodeJS.ProcessEnv;
}

export interface HuaweiResolveOptions extends HuaweiCredentialPaths {
  accessKey?: HuaweiAccessKeyInput;
  profile?: string;
}

interface RawHcloudProfile {
  name?: unknown;
  mode?: unknown;
  accessKeyId?: unknown;
  secretAccessKey?: unknown;
  securityToken?: unknown;
  region?: unknown;
  projectId?: unknown;
}

/** Huawei project ids: 32 hexadecimal characters (IAM "项目ID"); also what goes into every API path. */
const PROJECT_ID = /^[0-9a-f]{32}$/i;
export const isHuaweiProjectId = (v: unknown): v is string => typeof v === 'string' && PROJECT_ID.test(v);

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

export function hcloudConfigPath(p: HuaweiCredentialPaths = {}): string {
  return p.hcloudConfig ?? join(p.home ?? homedir(), '.hcloud', 'config.json');
}

/** How to hand a key over when the KooCLI profile cannot be used (shown to the user). */
export const HOW_TO_EXPORT: Localized = L(
  '请改用环境变量：HUAWEICLOUD_SDK_AK、HUAWEICLOUD_SDK_SK（临时密钥再加 HUAWEICLOUD_SDK_SECURITY_TOKEN），以及 HUAWEICLOUD_SDK_PROJECT_ID、HUAWEICLOUD_SDK_REGION；或者在应用里直接输入访问密钥（保存在系统钥匙串中）。',
  'Use environment variables instead: HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK (plus HUAWEICLOUD_SDK_SECURITY_TOKEN for a temporary key), HUAWEICLOUD_SDK_PROJECT_ID and HUAWEICLOUD_SDK_REGION; or type the access key in the app (it is kept in the system keychain).',
);

export const ENCRYPTED_PROFILE: Localized = L(
  'KooCLI 的配置文件加密保存了访问密钥（authEncrypt 为 true，这是 KooCLI 的默认设置），只有 KooCLI 自己能解密，SG Doctor 读不出来。',
  "KooCLI's config file stores the access keys encrypted (authEncrypt is true, KooCLI's default); only KooCLI can decrypt them, so SG Doctor cannot read them.",
);

export const NO_CREDENTIALS: Localized = L(
  '没有找到华为云访问密钥。请在应用里输入访问密钥（AK/SK），或设置环境变量 HUAWEICLOUD_SDK_AK 和 HUAWEICLOUD_SDK_SK（也认 CLOUD_SDK_AK 和 CLOUD_SDK_SK），或者粘贴 KooCLI（hcloud）命令的输出做离线分析。',
  'No Huawei Cloud access key found. Type an access key (AK/SK) in the app, set HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK (CLOUD_SDK_AK and CLOUD_SDK_SK also work), or paste the output of KooCLI (hcloud) commands for an offline analysis.',
);

function readHcloudConfig(p: HuaweiCredentialPaths): Result<{ path: string; current?: string; encrypted: boolean; profiles: RawHcloudProfile[] } | null> {
  const path = hcloudConfigPath(p);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return ok(null);
  }
  try {
    const doc = JSON.parse(text) as { current?: unknown; profiles?: unknown; authEncrypt?: unknown };
    if (!doc || typeof doc !== 'object') return fail('BadConfigFile', `${path} is not a KooCLI config (no JSON object)`);
    const profiles = Array.isArray(doc.profiles) ? (doc.profiles as unknown[]).filter((x): x is RawHcloudProfile => !!x && typeof x === 'object') : [];
    // KooCLI writes the flag as the string "true"; accept a boolean as well.
    const encrypted = doc.authEncrypt === true || String(doc.authEncrypt).toLowerCase() === 'true';
    return ok({ path, current: str(doc.current), encrypted, profiles });
  } catch (err) {
    // The parser's message can quote file content (a secret): report only the position.
    const pos = /position \d+/.exec((err as Error).message)?.[0];
    return fail('BadConfigFile', `${path} is not valid JSON${pos ? ` (at ${pos})` : ''}`);
  }
}

function describeProfile(raw: RawHcloudProfile, encrypted: boolean): HcloudProfile {
  const name = str(raw.name) ?? '';
  const mode = str(raw.mode) ?? 'AKSK';
  const region = str(raw.region);
  const projectId = str(raw.projectId);
  const badRegion = region !== undefined && !isRegionId(region);
  const badProject = projectId !== undefined && !isHuaweiProjectId(projectId);
  const reason = encrypted
    ? `its keys are encrypted by KooCLI (authEncrypt); ${HOW_TO_EXPORT.en}`
    : mode.toUpperCase() !== 'AKSK'
      ? `mode ${mode} is not supported by SG Doctor (it needs KooCLI's own sign-in); use an AKSK profile or type an access key`
      : badRegion
        ? `its region ${JSON.stringify(String(region).slice(0, 40))} is not a region id (like cn-north-4)`
        : badProject
          ? `its projectId ${JSON.stringify(String(projectId).slice(0, 40))} is not a project id (32 hexadecimal characters)`
          : undefined;
  return {
    name,
    mode,
    ...(region && !badRegion ? { region } : {}),
    ...(projectId && !badProject ? { projectId } : {}),
    supported: reason === undefined,
    ...(reason ? { unsupportedReason: reason } : {}),
    ...(!encrypted && str(raw.accessKeyId) ? { accessKeyIdRedacted: maskAccessKeyId(str(raw.accessKeyId)) } : {}),
  };
}

/** KooCLI's profiles (no secrets): for the profile picker and `--profile`. */
export function listHcloudProfiles(paths: HuaweiCredentialPaths = {}): Result<HcloudProfileList> {
  const r = readHcloudConfig(paths);
  if (!r.ok) return r;
  if (!r.value) return ok({ path: hcloudConfigPath(paths), encrypted: false, profiles: [] });
  return ok({ path: r.value.path, ...(r.value.current ? { current: r.value.current } : {}), encrypted: r.value.encrypted, profiles: r.value.profiles.map((p) => describeProfile(p, r.value!.encrypted)) });
}

function fromKeys(keys: HuaweiKeys, source: HuaweiCredentialSource, sourceDetail: string, extra: { profile?: string; projectId?: string; region?: string } = {}): ResolvedHuaweiCredentials {
  const out = {
    source,
    sourceDetail,
    ...(extra.profile ? { profile: extra.profile } : {}),
    ...(extra.projectId ? { projectId: extra.projectId } : {}),
    ...(extra.region ? { region: extra.region } : {}),
    accessKeyIdRedacted: maskAccessKeyId(keys.ak),
    redact: makeRedactor([keys.sk, keys.securityToken], [keys.ak]),
  } as ResolvedHuaweiCredentials;
  Object.defineProperty(out, 'keys', { value: Object.freeze({ ...keys }), enumerable: false });
  return out;
}

function checkExtras(projectId: string | undefined, region: string | undefined, where: string): Result<true> {
  if (region !== undefined) {
    const r = checkCloudId('region', region, `region of ${where}`);
    if (!r.ok) return fail('BadRegion', r.message);
  }
  if (projectId !== undefined && !isHuaweiProjectId(projectId)) {
    return fail('BadProjectId', `the project id of ${where} is not a project id (32 hexadecimal characters)`);
  }
  return ok(true);
}

function profileCredentials(cfg: { path: string; encrypted: boolean; profiles: RawHcloudProfile[] }, name: string): Result<ResolvedHuaweiCredentials> | null {
  const raw = cfg.profiles.find((p) => str(p.name) === name);
  if (!raw) return null;
  const d = describeProfile(raw, cfg.encrypted);
  if (cfg.encrypted) return fail('EncryptedProfile', `KooCLI profile '${name}' in ${cfg.path}: ${ENCRYPTED_PROFILE.en} ${HOW_TO_EXPORT.en}`);
  if (!d.supported) return fail('UnsupportedProfile', `KooCLI profile '${name}' in ${cfg.path}: ${d.unsupportedReason}`);
  const ak = str(raw.accessKeyId);
  const sk = str(raw.secretAccessKey);
  if (!ak || !sk) return fail('IncompleteProfile', `KooCLI profile '${name}' in ${cfg.path} has no accessKeyId / secretAccessKey`);
  const token = str(raw.securityToken);
  return ok(fromKeys({ ak, sk, ...(token ? { securityToken: token } : {}) }, 'hcloud-profile', `KooCLI profile '${name}' (${cfg.path})`, { profile: name, ...(d.projectId ? { projectId: d.projectId } : {}), ...(d.region ? { region: d.region } : {}) }));
}

/** The region and project id the environment names, checked (absent ones undefined). */
export function huaweiEnvironment(env: NodeJS.ProcessEnv = process.env): Result<{ region?: string; projectId?: string }> {
  const region = str(env.HUAWEICLOUD_SDK_REGION) ?? str(env.CLOUD_SDK_REGION);
  const projectId = str(env.HUAWEICLOUD_SDK_PROJECT_ID) ?? str(env.CLOUD_SDK_PROJECT_ID);
  const c = checkExtras(projectId, region, 'the environment (HUAWEICLOUD_SDK_REGION / HUAWEICLOUD_SDK_PROJECT_ID)');
  if (!c.ok) return c;
  return ok({ ...(region ? { region } : {}), ...(projectId ? { projectId } : {}) });
}

export function resolveHuaweiCredentials(opts: HuaweiResolveOptions = {}): Result<ResolvedHuaweiCredentials> {
  const env = opts.env ?? process.env;
  if (opts.profile !== undefined) {
    const p = checkCloudId('profile', opts.profile, 'profile');
    if (!p.ok) return fail('BadProfileName', p.message);
  }
  if (opts.accessKey) {
    const k = opts.accessKey;
    const sk = k.secretAccessKey ?? k.accessKeySecret;
    if (!k.accessKeyId || !sk) return fail('IncompleteAccessKey', 'the access key id (AK) and the secret access key (SK) are both required');
    const c = checkExtras(str(k.projectId), str(k.region), 'the typed access key');
    if (!c.ok) return c;
    const e = huaweiEnvironment(env);
    return ok(
      fromKeys({ ak: k.accessKeyId.trim(), sk: sk.trim(), ...(str(k.securityToken) ? { securityToken: str(k.securityToken)! } : {}) }, 'access-key-input', 'access key typed by the user', {
        projectId: str(k.projectId) ?? (e.ok ? e.value.projectId : undefined),
        region: str(k.region) ?? (e.ok ? e.value.region : undefined),
      }),
    );
  }

  const cfg = readHcloudConfig(opts);
  if (opts.profile) {
    if (!cfg.ok) return cfg;
    const r = cfg.value ? profileCredentials(cfg.value, opts.profile) : null;
    if (r) return r;
    const known = cfg.value?.profiles.map((p) => str(p.name)).filter(Boolean) ?? [];
    return fail('ProfileNotFound', `KooCLI profile '${opts.profile}' not found in ${hcloudConfigPath(opts)}${known.length ? ` (known: ${known.join(', ')})` : ''}`);
  }

  for (const [akName, skName, tokenName] of [
    ['HUAWEICLOUD_SDK_AK', 'HUAWEICLOUD_SDK_SK', 'HUAWEICLOUD_SDK_SECURITY_TOKEN'],
    ['CLOUD_SDK_AK', 'CLOUD_SDK_SK', 'CLOUD_SDK_SECURITY_TOKEN'],
  ] as const) {
    const ak = str(env[akName]);
    const sk = str(env[skName]);
    if (!ak && !sk) continue;
    if (!ak || !sk) return fail('IncompleteEnvironment', `${ak ? akName : skName} is set but ${ak ? skName : akName} is not: both are needed`);
    const e = huaweiEnvironment(env);
    if (!e.ok) return e;
    const token = str(env[tokenName]);
    return ok(fromKeys({ ak, sk, ...(token ? { securityToken: token } : {}) }, 'environment', `environment variables (${akName} / ${skName})`, e.value));
  }

  if (!cfg.ok) return cfg;
  if (cfg.value) {
    const wanted = cfg.value.current ?? (cfg.value.profiles.length === 1 ? str(cfg.value.profiles[0].name) : undefined);
    const r = wanted ? profileCredentials(cfg.value, wanted) : null;
    if (r) return r;
  }
  return fail('NoCredentials', NO_CREDENTIALS.en);
}

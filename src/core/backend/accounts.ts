// The account step's per-cloud facts for the backend (issue 10, "App"): which environment variables the
// "environment" source reads, whether they are set, and the cloud's CLI profiles (aliyun or KooCLI) as the
// contract's ProfileList. Provider-specific on purpose: the renderer gets all of this through the contract
// (profiles.list, credentials.status) and never imports a provider module.
import type { ProfileInfo, ProfileList } from '../api';
import { listAliyunProfiles } from '../cloud/alicloud/credentials';
import { ENCRYPTED_PROFILE, HOW_TO_EXPORT, listHcloudProfiles } from '../cloud/huawei/credentials';
import type { ProviderId } from '../cloud/provider';
import type { Localized } from '../diagnosis/types';
import { L } from '../i18n';
import { ok, type Result } from '../result';

/**
 * The access-key variables each cloud's "environment" source reads, as pairs tried in order: Alibaba Cloud's
 * credential chain (@alicloud/credentials: ALIBABA_CLOUD_ACCESS_KEY_ID / _SECRET); Huawei Cloud's SDK names
 * (HUAWEICLOUD_SDK_AK / _SK), else the CLOUD_SDK_AK / _SK of Huawei's samples (cloud/huawei/credentials.ts).
 */
const ENV_PAIRS: Record<ProviderId, readonly (readonly [string, string])[]> = {
  alicloud: [['ALIBABA_CLOUD_ACCESS_KEY_ID', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET']],
  huawei: [
    ['HUAWEICLOUD_SDK_AK', 'HUAWEICLOUD_SDK_SK'],
    ['CLOUD_SDK_AK', 'CLOUD_SDK_SK'],
  ],
};

/** The variable names the environment source of this cloud reads (shown to the user). */
export function environmentVariables(provider: ProviderId): string[] {
  return ENV_PAIRS[provider].flat();
}

/** Whether a complete key pair of this cloud is set in the environment. */
export function environmentHasKey(provider: ProviderId, env: NodeJS.ProcessEnv): boolean {
  return ENV_PAIRS[provider].some(([id, secret]) => !!env[id]?.trim() && !!env[secret]?.trim());
}

const homeOf = (env: NodeJS.ProcessEnv): { home?: string } => (env.HOME?.trim() ? { home: env.HOME.trim() } : {});

/** Why a KooCLI profile cannot be used, in both languages (the provider's reason text is English only). */
function hcloudReason(p: { mode: string; supported: boolean; unsupportedReason?: string }, encrypted: boolean): Localized | undefined {
  if (p.supported) return undefined;
  if (encrypted) return L(`${ENCRYPTED_PROFILE["zh-CN"]} ${HOW_TO_EXPORT["zh-CN"]}`, `${ENCRYPTED_PROFILE.en} ${HOW_TO_EXPORT.en}`);
  if (p.mode.toUpperCase() !== 'AKSK') {
    return L(
      `这个配置的认证方式是 ${p.mode}，需要 KooCLI 自己登录换取令牌，SG Doctor 无法使用；请改用 AKSK 方式的配置，或者在应用里直接输入访问密钥。`,
      `This profile signs in with ${p.mode}, which needs KooCLI's own sign-in; SG Doctor cannot use it. Use an AKSK profile, or type the access key in the app.`,
    );
  }
  return L(`这个配置的地域或项目 ID 格式不对，无法使用（${p.unsupportedReason ?? ''}）。`, `This profile cannot be used: ${p.unsupportedReason ?? 'its region or project id is malformed'}.`);
}

/** Why an aliyun CLI profile cannot be used, in both languages (mirrors alicloud/credentials.ts's reasons). */
function aliyunReason(p: { mode: string; supported: boolean; regionId?: string; unsupportedReason?: string }): Localized | undefined {
  if (p.supported) return undefined;
  if (/region_id/.test(p.unsupportedReason ?? '')) {
    return L('这个配置的 region_id 不是地域 ID（例如 cn-hangzhou），无法使用。', "This profile's region_id is not a region id (like cn-hangzhou), so it cannot be used.");
  }
  return L(
    `这个配置的认证方式是 ${p.mode}，SG Doctor 不支持；请改用 AK 或 StsToken 方式的配置，或者在应用里直接输入 AccessKey。`,
    `This profile signs in with ${p.mode}, which SG Doctor does not support; use an AK or StsToken profile, or type an AccessKey in the app.`,
  );
}

/** The cloud's CLI profiles for the profile picker (never a secret; the access key id masked). */
export function listProfiles(provider: ProviderId, env: NodeJS.ProcessEnv): Result<ProfileList> {
  if (provider === 'huawei') {
    const r = listHcloudProfiles({ env, ...homeOf(env) });
    if (!r.ok) return r;
    const { current, encrypted } = r.value;
    const profiles: ProfileInfo[] = r.value.profiles.map((p) => {
      const text = hcloudReason(p, encrypted);
      return {
        name: p.name,
        mode: p.mode,
        ...(p.region ? { regionId: p.region } : {}),
        supported: p.supported,
        ...(p.unsupportedReason ? { unsupportedReason: p.unsupportedReason } : {}),
        ...(text ? { unsupportedText: text } : {}),
        ...(p.accessKeyIdRedacted ? { accessKeyIdRedacted: p.accessKeyIdRedacted } : {}),
        current: p.name === current,
      };
    });
    return ok({
      path: r.value.path,
      provider,
      profiles,
      ...(encrypted ? { encrypted: true, note: L(`${ENCRYPTED_PROFILE["zh-CN"]} ${HOW_TO_EXPORT["zh-CN"]}`, `${ENCRYPTED_PROFILE.en} ${HOW_TO_EXPORT.en}`) } : {}),
    });
  }
  const r = listAliyunProfiles(homeOf(env));
  if (!r.ok) return r;
  return ok({
    path: r.value.path,
    provider,
    profiles: r.value.profiles.map((p) => {
      const text = aliyunReason(p);
      return { ...p, ...(text ? { unsupportedText: text } : {}), current: p.name === r.value.current };
    }),
  });
}

// Huawei Cloud's account facts for the app's account step (behind the port: CloudProvider.accounts): the
// access-key variables the environment source reads, and KooCLI's profiles as the contract's ProfileList, with
// why a profile cannot be used in both languages.
import type { ProfileInfo, ProfileList } from '../../api/types';
import type { Localized } from '../../diagnosis/types';
import { L } from '../../i18n';
import { ok, type Result } from '../../result';
import type { ProviderAccounts, ProviderEnv } from '../provider';
import { ENCRYPTED_PROFILE, HOW_TO_EXPORT, listHcloudProfiles } from './credentials';

const homeOf = (env: ProviderEnv): { home?: string } => (env.HOME?.trim() ? { home: env.HOME.trim() } : {});

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

function listProfiles(env: ProviderEnv): Result<ProfileList> {
  const provider = 'huawei' as const;
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

export const huaweiAccounts: ProviderAccounts = {
  // The SDK's documented names, else the CLOUD_SDK_AK / _SK of Huawei's samples (credentials.ts).
  environmentPairs: [
    ['HUAWEICLOUD_SDK_AK', 'HUAWEICLOUD_SDK_SK'],
    ['CLOUD_SDK_AK', 'CLOUD_SDK_SK'],
  ],
  listProfiles,
};

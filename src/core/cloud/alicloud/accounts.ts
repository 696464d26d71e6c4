// Alibaba Cloud's account facts for the app's account step (behind the port: CloudProvider.accounts): the
// access-key variables of the credential chain, and the aliyun CLI's profiles as the contract's ProfileList.
import type { ProfileList } from '../../api/types';
import type { Localized } from '../../diagnosis/types';
import { L } from '../../i18n';
import { ok, type Result } from '../../result';
import type { ProviderAccounts, ProviderEnv } from '../provider';
import { listAliyunProfiles } from './credentials';

const homeOf = (env: ProviderEnv): { home?: string } => (env.HOME?.trim() ? { home: env.HOME.trim() } : {});

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

function listProfiles(env: ProviderEnv): Result<ProfileList> {
  const provider = 'alicloud' as const;
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

export const alicloudAccounts: ProviderAccounts = {
  // The credential chain's variables (@alicloud/credentials).
  environmentPairs: [['ALIBABA_CLOUD_ACCESS_KEY_ID', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET']],
  listProfiles,
};

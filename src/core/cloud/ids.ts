// The one validator for cloud identifiers that come from outside (session files, flags, environment, the
// aliyun CLI's profiles, the config file, web-shell / IPC requests, even API answers).
//
// Why it matters: the Alibaba Cloud SDK builds the API host from the region id ("ecs.<region>.aliyuncs.com").
// A region such as "x@127.0.0.1:2225/" turns that into a URL whose host is 127.0.0.1:2225, and the signed
// request (AccessKey id, session token) goes to whoever listens there. So a region id must have the
// documented shape -- lower-case letters, digits and hyphens, starting with letters: cn-hangzhou,
// ap-southeast-1, cn-shanghai-finance-1, us-east-1 -- before it goes anywhere near a client.
import { z } from 'zod';
import type { Localized } from '../diagnosis/types';
import { fail, ok, type Result } from '../result';

// (Not core/i18n's L: this module is also part of the renderer's contract, which has no Node types.)
const L = (zh: string, en: string): Localized => ({ 'zh-CN': zh, en });

export type CloudIdKind = 'region' | 'instance' | 'securityGroup' | 'profile';

/** Documented region-id shape: letters, then one or more "-part" of lower-case letters/digits. */
const REGION_ID = /^[a-z]{2,}(?:-[a-z0-9]+){1,6}$/;
/**
 * Instance ids: Alibaba ECS "i-" and letters/digits (i-bp1abcdefghijklmn0), or a Huawei ECS server id, which is
 * a UUID (ShowServer's `id`). Both shapes are hex/alphanumerics and hyphens only: nothing that can redirect a URL.
 */
const INSTANCE_ID = /^(?:i-[a-z0-9]{6,64}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;
/** Security group ids: "sg-" and letters/digits. */
const SECURITY_GROUP_ID = /^sg-[a-z0-9]{6,64}$/i;
/** aliyun CLI profile / credentials-file section names: no spaces, slashes, quotes or control characters. */
const PROFILE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.@-]{0,63}$/;

const PATTERNS: Record<CloudIdKind, { re: RegExp; max: number; what: Localized }> = {
  region: { re: REGION_ID, max: 64, what: L('地域 ID（例如 cn-hangzhou、ap-southeast-1）', 'a region id (like cn-hangzhou or ap-southeast-1)') },
  instance: { re: INSTANCE_ID, max: 66, what: L('实例 ID（阿里云 i-…，或华为云服务器的 UUID）', 'an instance id (Alibaba Cloud i-…, or a Huawei Cloud server UUID)') },
  securityGroup: { re: SECURITY_GROUP_ID, max: 67, what: L('安全组 ID（sg-…）', 'a security group id (sg-…)') },
  profile: {
    re: PROFILE_NAME,
    max: 64,
    what: L('配置名称（字母、数字、_ . @ -，最多 64 个字符）', 'a profile name (letters, digits, _ . @ -, at most 64 characters)'),
  },
};

export function isCloudId(kind: CloudIdKind, value: unknown): value is string {
  const p = PATTERNS[kind];
  return typeof value === 'string' && value.length <= p.max && p.re.test(value);
}

export const isRegionId = (value: unknown): value is string => isCloudId('region', value);

/** The value as it may be quoted back: printable, short, JSON-quoted (never a whole pasted secret). */
export function quoteValue(value: unknown): string {
  const s = typeof value === 'string' ? value : String(value);
  const short = s.length > 40 ? `${s.slice(0, 40)}…` : s;
  return JSON.stringify(short);
}

/** "plan.region: "x@127.0.0.1:2225" is not a region id (like cn-hangzhou or ap-southeast-1)". */
export function invalidIdText(kind: CloudIdKind, value: unknown, where: string): Localized {
  const what = PATTERNS[kind].what;
  return L(`${where}：${quoteValue(value)} 不是${what['zh-CN']}`, `${where}: ${quoteValue(value)} is not ${what.en}`);
}

/** Checks one identifier; the failure's message is one English line (the CLI's language for errors). */
export function checkCloudId(kind: CloudIdKind, value: unknown, where: string): Result<string> {
  if (isCloudId(kind, value)) return ok(value);
  return fail('BAD_ID', invalidIdText(kind, value, where).en);
}

/** Checks the optional identifiers of a request at once; the first bad one fails. */
export function checkCloudIds(ids: Partial<Record<CloudIdKind, { value: unknown; where: string }>>): Result<true> {
  for (const kind of Object.keys(ids) as CloudIdKind[]) {
    const item = ids[kind];
    if (!item || item.value === undefined || item.value === null || item.value === '') continue;
    const r = checkCloudId(kind, item.value, item.where);
    if (!r.ok) return r;
  }
  return ok(true);
}

/** Thrown by code that must never build anything from an invalid id (defence in depth). */
export class InvalidCloudIdError extends Error {
  override name = 'InvalidCloudIdError';
  constructor(
    readonly kind: CloudIdKind,
    value: unknown,
    where: string,
  ) {
    super(invalidIdText(kind, value, where).en);
  }
}

export function assertCloudId(kind: CloudIdKind, value: unknown, where: string): string {
  if (!isCloudId(kind, value)) throw new InvalidCloudIdError(kind, value, where);
  return value;
}

/** zod schemas for request and file schemas (api.ts, session/schema.ts, config.ts). */
export const cloudIdSchema = (kind: CloudIdKind) =>
  z.string().refine((v) => isCloudId(kind, v), { error: `must be ${PATTERNS[kind].what.en}` });
export const regionIdSchema = cloudIdSchema('region');
export const instanceIdSchema = cloudIdSchema('instance');
export const profileNameSchema = cloudIdSchema('profile');

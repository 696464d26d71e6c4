// The contract's runtime schemas (zod): the values that cross the UI/backend boundary are validated with
// these. Split from api.ts (which keeps the channel table and re-exports everything, so imports of
// 'core/api' keep working). Importable from the renderer: zod and types only, no Node modules.
import { z } from 'zod';
import type { Diagnosis } from '../diagnosis/types';
import { instanceIdSchema, profileNameSchema, regionIdSchema } from '../cloud/ids';
import { PROVIDER_IDS } from '../cloud/provider';
import { MAX_SNAPSHOT_CHARS } from '../limits';
import { APP_PROTOCOLS, type AppProtocol } from '../probe/app-protocol';
import { planSchema } from '../session/plan';

// ---------------------------------------------------------------------------------------------------
// Shared value schemas

export const port = z.number().int().min(1).max(65535);
export const host = z.string().trim().min(1).max(253);
export const lang = z.enum(['zh-CN', 'en']);
/** Opaque file reference handed out by the backend (a path in Electron, a file name in the web shell). */
export const fileRef = z.string().min(1).max(4096);
/** Structural check of a diagnosis coming back from the renderer; the session schema does the deep check. */
export const diagnosisDoc = z.looseObject({
  schemaVersion: z.number().int(),
  target: z.looseObject({ host: z.string().min(1), port, protocol: z.enum(['tcp', 'udp']) }),
  checks: z.array(z.looseObject({ id: z.string() })),
  verdict: z.looseObject({ locus: z.string() }),
}) as unknown as z.ZodType<Diagnosis, Diagnosis>;

/** Application protocols the user can name for a port (decides what the application check sends). */
export { APP_PROTOCOLS, type AppProtocol };
export const appProtocolSchema = z.enum(APP_PROTOCOLS);

/** Which cloud (Alibaba Cloud or Huawei Cloud); absent in calls and saved plans from before Huawei: Alibaba Cloud. */
export const providerIdSchema = z.enum(PROVIDER_IDS);
const provider = providerIdSchema.default('alicloud');
/** `{ provider? }`: the argument of the per-cloud account channels (profiles, stored key, status). */
export const providerArgs = z.object({ provider: provider }).strict();

/** What the offline step knows so far; shape-checked here, quoted for the shell by the provider. */
const shortText = z.string().trim().max(128);
export const offlineCommandArgs = z
  .object({
    provider,
    region: shortText.optional(),
    instanceId: shortText.optional(),
    publicIp: shortText.optional(),
    securityGroupIds: z.array(shortText).max(64).optional(),
    vSwitchId: shortText.optional(),
    networkAclIds: z.array(shortText).max(64).optional(),
  })
  .strict();

export const cloudSourceSchema = z.discriminatedUnion('mode', [
  /** A CLI profile of the chosen cloud (aliyun / KooCLI), used as it is (its secret never reaches the UI). */
  z.object({ mode: z.literal('profile'), provider, profile: profileNameSchema }),
  /** The access key typed in the app and kept in the OS keychain (safeStorage), one entry per cloud. */
  z.object({ mode: z.literal('stored-key'), provider }),
  /** The cloud's own access-key variables in the app's environment (Alibaba: else the SDK's default chain, as the CLI does). */
  z.object({ mode: z.literal('environment'), provider }),
  /**
   * Offline: JSON pasted from `aliyun ecs DescribeInstances`, KooCLI (`hcloud`) commands, or an exported
   * snapshot. The documents say which cloud they are (`provider` is what the user had chosen).
   */
  z.object({ mode: z.literal('import'), provider, json: z.string().min(2).max(MAX_SNAPSHOT_CHARS) }),
  z.object({ mode: z.literal('none'), provider }),
]);
export type CloudSource = z.input<typeof cloudSourceSchema>;

// Access-key shapes. Alibaba: AccessKey ID 12–64 letters and digits (LTAI…), Secret 16–128. Huawei (IAM "访问密钥"
// CSV): an AK of 20 upper-case letters and digits and an SK of 40 letters and digits; the ranges are kept a little
// wider so a longer key of a future format is not refused. A Huawei project id is 32 hexadecimal characters
// (IAM "我的凭证 > API凭证 > 项目ID"); optional (the reader can look it up by region).
const ALIBABA_KEY = { id: /^[A-Za-z0-9]{12,64}$/, secret: /^[A-Za-z0-9]{16,128}$/ };
const HUAWEI_KEY = { id: /^[A-Za-z0-9]{16,64}$/, secret: /^[A-Za-z0-9]{24,128}$/ };
const HUAWEI_PROJECT_ID = /^[0-9a-fA-F]{32}$/;

export const accessKeyArgs = z
  .object({
    provider,
    accessKeyId: z.string().trim(),
    accessKeySecret: z.string().trim(),
    /** Huawei Cloud only: the project id of the region (32 hexadecimal characters). */
    projectId: z.string().trim().optional(),
  })
  .strict()
  .superRefine((k, ctx) => {
    if (k.provider === 'huawei') {
      if (!HUAWEI_KEY.id.test(k.accessKeyId)) ctx.addIssue({ code: 'custom', path: ['accessKeyId'], message: 'Access key ID (AK): 16–64 letters and digits (usually 20)' });
      if (!HUAWEI_KEY.secret.test(k.accessKeySecret)) ctx.addIssue({ code: 'custom', path: ['accessKeySecret'], message: 'Secret access key (SK): 24–128 letters and digits (usually 40)' });
      if (k.projectId && !HUAWEI_PROJECT_ID.test(k.projectId)) ctx.addIssue({ code: 'custom', path: ['projectId'], message: 'Project ID: 32 hexadecimal characters' });
    } else {
      if (!ALIBABA_KEY.id.test(k.accessKeyId)) ctx.addIssue({ code: 'custom', path: ['accessKeyId'], message: 'AccessKey ID: 12–64 letters and digits' });
      if (!ALIBABA_KEY.secret.test(k.accessKeySecret)) ctx.addIssue({ code: 'custom', path: ['accessKeySecret'], message: 'AccessKey Secret: 16–128 letters and digits' });
      if (k.projectId) ctx.addIssue({ code: 'custom', path: ['projectId'], message: 'A project ID is a Huawei Cloud setting' });
    }
  });

export const diagnoseArgsSchema = z.object({
  host,
  port,
  service: z.enum(['ssh', 'rdp', 'http', 'https', 'mysql', 'custom']),
  /**
   * The application protocol of the port: what the application check says to it. A custom port carries
   * the protocol the user picked (absent: 'other', not identified); for a preset it overrides the preset's.
   */
  appProtocol: z.enum(APP_PROTOCOLS).optional(),
  cloud: cloudSourceSchema,
  region: regionIdSchema.optional(),
  instanceId: instanceIdSchema.optional(),
  /** Also ping (ICMP); its failure alone never decides anything. */
  icmp: z.boolean().default(true),
  /** The client's public IP as the server sees it, typed by the user (overrides the egress-IP echo for the rules). */
  sourceIp: z.union([z.ipv4(), z.ipv6()]).optional(),
  /** Trace the path hop by hop after the probes (up to a minute; progress as `trace-hop` events). */
  trace: z.boolean().optional(),
});
export type DiagnoseArgs = z.input<typeof diagnoseArgsSchema>;

/** The session plan: one schema shared with the session file and the command line (session/plan.ts). */
export const sessionPlanSchema = planSchema;

export const empty = z.object({}).strict();

// The contract's runtime schemas (zod): the values that cross the UI/backend boundary are validated with
// these. Split from api.ts (which keeps the channel table and re-exports everything, so imports of
// 'core/api' keep working). Importable from the renderer: zod and types only, no Node modules.
import { z } from 'zod';
import type { Diagnosis } from '../diagnosis/types';
import { instanceIdSchema, profileNameSchema, regionIdSchema } from '../cloud/ids';
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

export const cloudSourceSchema = z.discriminatedUnion('mode', [
  /** An aliyun CLI profile, used as it is (its secret never reaches the UI). */
  z.object({ mode: z.literal('profile'), profile: profileNameSchema }),
  /** The AccessKey typed in the app and kept in the OS keychain (safeStorage). */
  z.object({ mode: z.literal('stored-key') }),
  /** ALIBABA_CLOUD_ACCESS_KEY_ID/SECRET in the app's environment, else the SDK's default chain (as the CLI does). */
  z.object({ mode: z.literal('environment') }),
  /** Offline: JSON pasted from `aliyun ecs DescribeInstances` etc. or an exported snapshot. */
  z.object({ mode: z.literal('import'), json: z.string().min(2).max(MAX_SNAPSHOT_CHARS) }),
  z.object({ mode: z.literal('none') }),
]);
export type CloudSource = z.infer<typeof cloudSourceSchema>;

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

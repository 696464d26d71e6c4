// The one plan schema: what the user asked for, so a session can be re-run. The app (sessions.save through
// the contract in api.ts), the session file (schema.ts) and the command line (diagnose --save, rerun) all
// read and write exactly this shape, so a session saved by one re-runs in the other.
// Importable from the renderer: zod only.
import { z } from 'zod';
import { PROVIDER_IDS } from '../cloud/provider';
import { instanceIdSchema, profileNameSchema, regionIdSchema } from '../cloud/ids';
import { parseAppProtocol } from '../probe/app-protocol';

/**
 * The service is a label for a well-known port ("ssh", "redis"), never required to re-run: the port is
 * always in the plan. The app's "custom" choice means "no preset" and is stored as no service at all
 * (files written before this rule, with "custom", read the same way).
 */
const service = z
  .string()
  .trim()
  .max(32)
  .transform((s) => (!s || s.toLowerCase() === 'custom' ? undefined : s.toLowerCase()))
  .optional();

export const planSchema = z.object({
  host: z.string().trim().min(1).max(253),
  port: z.number().int().min(1).max(65535),
  protocol: z.enum(['tcp', 'udp']).optional(),
  service,
  /**
   * Application protocol of the port (a custom port's protocol picked in the app, or --protocol): one of
   * APP_PROTOCOLS, aliases accepted ("postgres"); a name this version does not know is dropped, not refused.
   */
  appProtocol: z
    .string()
    .trim()
    .max(32)
    .transform((s) => parseAppProtocol(s))
    .optional(),
  // A session file is untrusted input that a re-run feeds to the cloud reader with the user's credentials:
  // ids must have the documented shape (cloud/ids.ts), and unknown keys (an "endpoint") are dropped.
  /** The cloud the plan reads (absent in files written before Huawei Cloud: Alibaba Cloud). */
  provider: z.enum(PROVIDER_IDS).optional(),
  instanceId: instanceIdSchema.optional(),
  region: regionIdSchema.optional(),
  profile: profileNameSchema.optional(),
  /** The client's public address as the user gave it (when no egress-IP echo is used); re-runs reuse it. */
  sourceIp: z.string().max(64).optional(),
  /** The path was traced (`--trace`, the app's path option); re-runs trace it again. */
  trace: z.boolean().optional(),
  /** How the cloud configuration was obtained: the API, offline JSON (kept in the diagnosis), or not at all. */
  cloudMode: z.enum(['api', 'snapshot', 'none']).optional(),
  /** Which credentials an API plan used when it was not a profile (never the secret itself). */
  credentialSource: z.enum(['stored-key', 'environment']).optional(),
});

export type SessionPlan = z.output<typeof planSchema>;
export type SessionPlanInput = z.input<typeof planSchema>;

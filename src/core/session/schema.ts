// The .sgdiag session file: a versioned JSON envelope around one Diagnosis document.
// Validation is structural (the parts the app relies on); nested probe/cloud facts pass through so
// that optional fields added later never make an older app refuse a file.
import { z } from 'zod';
import { PROVIDER_IDS } from '../cloud/provider';
import { planSchema, type SessionPlan } from './plan';

export const SESSION_KIND = 'sg-doctor-session';
/** Bump when the envelope or the Diagnosis document changes shape; add a migration in migrations.ts. */
export const CURRENT_SESSION_SCHEMA = 1;

const localized = z.object({ 'zh-CN': z.string(), en: z.string() });

const fix = z.looseObject({
  kind: z.string(),
  title: localized,
  command: z.string().optional(),
  url: z.string().optional(),
  platform: z.string().optional(),
  // Fixes as data (issue 11): a session file is untrusted, so the actions and their proof are checked in shape.
  actions: z.array(z.strictObject({ api: z.string().regex(/^[A-Z][A-Za-z]{2,80}$/), params: z.record(z.string(), z.unknown()) })).max(20).optional(),
  simulated: z.looseObject({ decision: z.enum(['allow', 'deny', 'unknown']) }).optional(),
});

const check = z.looseObject({
  id: z.string().min(1),
  layer: z.enum(['client', 'network', 'server']),
  status: z.enum(['pass', 'fail', 'warn', 'unknown', 'skipped']),
  title: localized,
  finding: localized,
  explanation: localized,
  evidence: z.array(z.looseObject({ source: z.string(), path: z.string(), summary: z.string() })),
  fixes: z.array(fix),
  condition: z.string(),
});

const verdict = z.looseObject({
  locus: z.enum(['client', 'network', 'server', 'none', 'inconclusive']),
  summary: localized,
  reasoning: z.array(localized),
  blockingCheckIds: z.array(z.string()),
  confidence: z.enum(['high', 'medium', 'low']),
  ruleId: z.string(),
});

/** The path trace (optional; a session file is untrusted: the shape the checks and the picture read is checked). */
const traceSchema = z.looseObject({
  method: z.enum(['tcp-syn', 'udp', 'icmp', 'none']),
  tool: z.enum(['traceroute', 'tracepath', 'tracert']).nullable(),
  target: z.string().max(300),
  targetAddress: z.string().max(100).nullable(),
  port: z.number().int().min(1).max(65535).optional(),
  hops: z
    .array(
      z.looseObject({
        ttl: z.number().int().min(1).max(64),
        address: z.string().max(100).nullable(),
        otherAddresses: z.array(z.string().max(100)).max(16).optional(),
        rttMs: z.array(z.number().min(0)).max(16),
        sent: z.number().int().min(0),
        loss: z.number().min(0).max(1),
        unreachable: z.string().optional(),
      }),
    )
    .max(64),
  reached: z.boolean(),
  maxHops: z.number().int(),
  durationMs: z.number().min(0),
  startedAt: z.string(),
  ownNetworks: z.array(z.string().max(64)).max(64).optional(),
});

export const diagnosisSchema = z.looseObject({
  schemaVersion: z.number().int(),
  appVersion: z.string(),
  createdAt: z.string(),
  target: z.looseObject({
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535),
    protocol: z.enum(['tcp', 'udp']),
    service: z.string().optional(),
    instanceId: z.string().optional(),
  }),
  probes: z.looseObject({ tcp: z.array(z.looseObject({ port: z.number(), state: z.string() })) }).nullable(),
  cloud: z.looseObject({
    mode: z.enum(['api', 'snapshot', 'none']),
    // Either cloud's snapshot (sessions written before the provider port all say 'alicloud'); a provider's
    // native data stays opaque here and is validated by that provider when it reads it back.
    snapshot: z.looseObject({ provider: z.enum(PROVIDER_IDS).optional(), securityGroups: z.array(z.looseObject({ id: z.string() })), providerData: z.unknown().optional() }).nullable(),
  }),
  server: z.looseObject({}).nullable(),
  checks: z.array(check),
  verdict,
  notes: z.string(),
  trace: traceSchema.optional(),
});

// ---- cloud changes applied from this session (issue 11) ----------------------------------------------------
// Provider-neutral: a CloudAction is one call of the cloud's own API ({api, params}); `created` is what the
// provider found it had created (rule ids, previous entries, …). A session file is untrusted: these actions
// are checked again by the provider's executor (only its fix APIs, its region) before anything is sent.
const cloudAction = z.object({ api: z.string().min(1).max(64), params: z.record(z.string(), z.unknown()) });

export const appliedChangeSchema = z.looseObject({
  /** One `fix --apply` run: its changes are undone together. */
  batch: z.string().min(1).max(64),
  provider: z.string().default('alicloud'),
  /** The fix it came from (its check and title), for the record and the report. */
  fix: z.looseObject({ checkId: z.string(), title: localized }),
  /** Account and region the change was made in. */
  accountId: z.string().nullable().default(null),
  region: z.string(),
  at: z.string(),
  api: z.string(),
  params: z.record(z.string(), z.unknown()),
  requestId: z.string().nullable(),
  clientToken: z.string().nullable().default(null),
  /** False: it was already like that, nothing was written. */
  changed: z.boolean(),
  created: z.record(z.string(), z.unknown()),
  undo: z.array(cloudAction).max(20),
  undoNote: localized.optional(),
  note: localized,
  /** Set when `fix --undo` removed it. */
  undoneAt: z.string().optional(),
  undoRequestIds: z.array(z.string()).optional(),
});
export type AppliedChangeRecord = z.infer<typeof appliedChangeSchema>;

/** An apply (or undo) under way: its ClientTokens, kept before the first write so a retry is idempotent. */
export const pendingApplySchema = z.looseObject({ key: z.string(), tokens: z.array(z.string().max(64)).max(40), startedAt: z.string() });
export type PendingApply = z.infer<typeof pendingApplySchema>;
/**
 * A watch that ended in success (issue 11 §3): "works since" in the session. A malformed record (the file
 * is untrusted) is dropped rather than refusing the whole session.
 */
export const watchRecordStrictSchema = z.object({
  host: z.string().min(1).max(253),
  port: z.number().int().min(1).max(65535),
  startedAt: z.iso.datetime(),
  worksSince: z.iso.datetime(),
  attempts: z.number().int().min(1).max(100_000),
});
export const watchRecordSchema = watchRecordStrictSchema.optional().catch(undefined);
export type SessionWatch = NonNullable<z.infer<typeof watchRecordSchema>>;

/** What the user asked for, so a session can be re-run: the one shape shared with the app and the CLI. */
export { planSchema };

/** Keys a plan never carries into a run. */
const ENDPOINT_KEY = /endpoint|^apiProtocol$/i;

export const sessionSchema = z.looseObject({
  kind: z.literal(SESSION_KIND),
  schemaVersion: z.number().int().min(1),
  appVersion: z.string(),
  createdAt: z.string(),
  savedAt: z.string(),
  // Fields a newer app may add pass through (such a file is read-only here anyway).
  // Fields a newer app adds pass through, except anything endpoint-like: API endpoints come only from the
  // user's own configuration, never from a (possibly shared) session file.
  plan: planSchema.loose().transform((plan) => Object.fromEntries(Object.entries(plan).filter(([k]) => !ENDPOINT_KEY.test(k))) as typeof plan),
  diagnosis: diagnosisSchema,
  /** Earlier runs of the same plan (re-runs), newest last; kept small. */
  history: z
    .array(z.looseObject({ ranAt: z.string(), locus: z.string(), summary: z.string(), portStates: z.record(z.string(), z.string()) }))
    .default([]),
  /** Cloud changes applied from this session (`sg-doctor fix --apply`), oldest first, each with its undo. */
  applied: z.array(appliedChangeSchema).max(500).optional(),
  pendingApply: pendingApplySchema.nullable().optional(),
  /** Watch until it works: when the flow first connected from this machine (absent: never watched to success). */
  watch: watchRecordSchema.optional(),
});

export type { SessionPlan };
export type SessionHistoryEntry = z.infer<typeof sessionSchema>['history'][number];

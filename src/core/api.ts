// THE contract between the UI and the backend: every request channel with its runtime argument schema
// and its result type, and every event channel with its payload type. Electron's IPC wiring (main and
// preload), the web shell's HTTP routes and the renderer's client are all derived from this one map.
// Importable from the renderer: zod and types only, no Node modules.
import { z } from 'zod';
import type { Diagnosis, DiagnosisEvent, ServerEvidence } from './diagnosis/types';
import type { Result } from './result';
import type { Comparison } from './session/compare';
import { MAX_SERVER_EVIDENCE_CHARS, MAX_SNAPSHOT_CHARS } from './limits';
import { EVENT_CHANNELS, REQUEST_CHANNELS, type EventChannel, type RequestChannel } from './api-names';

export { EVENT_CHANNELS, REQUEST_CHANNELS, type EventChannel, type RequestChannel };
// Values the renderer needs live in api-client.ts (no zod there, so zod stays out of the renderer bundle).
export { allowedExternalUrl, createClient, SERVICE_PRESETS, type ServicePreset } from './api-client';

export * from './api/schemas';
export * from './api/fixes';
export type * from './api/types';
import { accessKeyArgs, cloudSourceSchema, diagnoseArgsSchema, diagnosisDoc, empty, fileRef, host, lang, offlineCommandArgs, port, providerArgs, sessionPlanSchema } from './api/schemas';
import type { OfflineCommand } from './cloud/types';
import { watchRecordStrictSchema } from './session/schema';
import { fixApplyArgs, fixPreviewArgs, fixUndoArgs, type FixApplyResult, type FixPreview } from './api/fixes';
import type { WatchAttempt, WatchResult } from './watch-model';
import type {
  AppInfo,
  ContactSettings,
  CredentialStatus,
  ExportedReport,
  ImportCheck,
  MenuCommand,
  OpenedSession,
  ProfileList,
  SavedSession,
  ServerScript,
  SessionRef,
  TargetCheck,
} from './api/types';

// ---------------------------------------------------------------------------------------------------
// The contract

/** `args` validates what crosses the boundary; `result` is a phantom carrying the success type. */
const req =
  <R>() =>
  <A extends z.ZodType>(args: A) => ({ args, result: undefined as unknown as R });
const fileName = z
  .string()
  .max(120)
  .regex(/^[^/\\:*?"<>|\0]+$/, 'a file name without / \\ : * ? " < > |');

export const requests = {
  'app.info': req<AppInfo>()(empty),
  'app.setPrefs': req<{ applied: true }>()(z.object({ lang, theme: z.enum(['light', 'dark', 'system']) })),
  /** Unsaved changes: the shell asks before closing. */
  'app.setDirty': req<{ dirty: boolean }>()(z.object({ dirty: z.boolean(), title: z.string().max(300) })),
  /** Reply to `app.closeRequested`: close now (changes saved or discarded). */
  'app.confirmClose': req<{ closing: boolean }>()(empty),
  'target.validate': req<TargetCheck>()(z.object({ host: z.string().max(300) })),
  /** The chosen cloud's CLI profiles (aliyun: ~/.aliyun/config.json; KooCLI: ~/.hcloud/config.json), never their secrets. */
  'profiles.list': req<ProfileList>()(providerArgs),
  'credentials.status': req<CredentialStatus>()(providerArgs),
  /** Kept per cloud: a Huawei key never replaces or is used as an Alibaba one. */
  'credentials.setAccessKey': req<CredentialStatus>()(accessKeyArgs),
  'credentials.clear': req<CredentialStatus>()(providerArgs),
  'cloud.checkImport': req<ImportCheck>()(z.object({ json: z.string().min(1).max(MAX_SNAPSHOT_CHARS) })),
  /** The chosen cloud's CLI commands for the offline step, filled in with what the form and the documents know. */
  'cloud.offlineCommands': req<OfflineCommand[]>()(offlineCommandArgs),
  'diagnosis.start': req<{ runId: string }>()(diagnoseArgsSchema),
  'diagnosis.cancel': req<{ cancelled: boolean }>()(z.object({ runId: z.uuid() })),
  'server.script': req<ServerScript>()(z.object({ os: z.enum(['linux', 'windows']), port })),
  /** The user pasted the script's output: parse it and decide again. */
  'server.applyOutput': req<{ diagnosis: Diagnosis; server: ServerEvidence }>()(z.object({ diagnosis: diagnosisDoc, text: z.string().min(1).max(MAX_SERVER_EVIDENCE_CHARS) })),
  /** Runs the read-only script through Cloud Assistant; `consent` must be the literal true the dialog sends. */
  'server.runCloudAssistant': req<{ diagnosis: Diagnosis; server: ServerEvidence }>()(
    z.object({ diagnosis: diagnosisDoc, cloud: cloudSourceSchema, consent: z.literal(true) }),
  ),
  'sessions.save': req<SavedSession | null>()(
    z.object({
      diagnosis: diagnosisDoc,
      plan: sessionPlanSchema,
      /** Save over this file (must be one the backend handed out). */
      ref: fileRef.optional(),
      saveAs: z.boolean(),
      /** Suggested file name (web shell: the name inside its sessions folder). */
      name: fileName.optional(),
      /** "Works since", when a watch of this target succeeded. */
      watch: watchRecordStrictSchema.optional(),
    }),
  ),
  /** No ref: ask the user (native dialog); a ref: one from the recent list or the sessions folder. */
  'sessions.open': req<OpenedSession | null>()(z.object({ ref: fileRef.optional() })),
  'sessions.recent': req<SessionRef[]>()(empty),
  /** Files in the app's sessions folder (the web shell's "Open…" picker). */
  'sessions.browse': req<SessionRef[]>()(empty),
  'sessions.example': req<OpenedSession>()(empty),
  'sessions.compare': req<Comparison>()(z.object({ before: diagnosisDoc, after: diagnosisDoc })),
  'report.export': req<ExportedReport>()(
    z.object({ diagnosis: diagnosisDoc, format: z.enum(['md', 'html', 'pdf']), lang, maskIps: z.boolean(), name: fileName.optional(), watch: watchRecordStrictSchema.optional() }),
  ),
  /** Console and documentation links only: parsed https URLs on the allow-list. */
  'shell.openExternal': req<{ opened: boolean }>()(z.object({ url: z.string().max(2048) })),
  /** Outside contacts (egress-IP echo services, control hosts, DNS resolvers): what runs use and where it comes from. */
  'settings.contacts': req<ContactSettings>()(empty),
  /** Change them in the config file the CLI reads too: a list replaces ([] = off), null = back to the default. */
  'settings.setContacts': req<ContactSettings>()(
    z
      .object({
        egressIpUrls: z.array(z.string().max(300)).max(8).nullable(),
        controlHosts: z.array(z.string().max(260)).max(16).nullable(),
        dnsServers: z.array(z.string().max(260)).max(8).nullable(),
      })
      .partial()
      .strict(),
  ),
  // Watch until it works (issue 11 §3): re-probe one TCP flow from this machine until it first connects;
  // the attempts arrive as `watch.attempt` events, the end as `watch.done`. One watch at a time.
  'watch.start': req<{ watchId: string }>()(
    z.object({
      host,
      port,
      /** Give up after this long (default 10 min). */
      maxDurationMs: z.number().int().min(1000).max(24 * 3600_000).optional(),
    }),
  ),
  'watch.cancel': req<{ cancelled: boolean }>()(z.object({ watchId: z.uuid() })),
  // Apply a fix from the app (issue 11 §2): off by default, only after the confirmation dialog, undoable.
  /** What applying one of the diagnosis' fixes would change, in which account and region. Sends nothing. */
  'fixes.preview': req<FixPreview>()(fixPreviewArgs),
  /** Applies a fix the diagnosis proposes (recomputed by the backend) and records it in the session. */
  'fixes.apply': req<FixApplyResult>()(fixApplyArgs),
  /** Removes exactly what the session's last apply created. */
  'fixes.undo': req<FixApplyResult>()(fixUndoArgs),
} satisfies Record<RequestChannel, { args: z.ZodType; result: unknown }>;

// Compile-time proof that the name list and the contract agree (both directions).
type _SameKeys = [RequestChannel] extends [keyof typeof requests] ? ([keyof typeof requests] extends [RequestChannel] ? true : never) : never;
const _sameKeys: _SameKeys = true;
void _sameKeys;

export interface EventPayloads {
  'diagnosis.event': { runId: string; event: DiagnosisEvent };
  'diagnosis.done': { runId: string; result: Result<Diagnosis> };
  'menu.command': { command: MenuCommand };
  /** A session opened by the shell (double-clicked .sgdiag, Open recent in the native menu). */
  'session.opened': Result<OpenedSession>;
  /** The user asked to close with unsaved changes: the UI asks, then calls app.confirmClose. */
  'app.closeRequested': Record<string, never>;
  /** One attempt of a watch (the live timeline). */
  'watch.attempt': { watchId: string; attempt: WatchAttempt };
  /** The watch ended: works (worksSince set), timed-out or cancelled. */
  'watch.done': { watchId: string; outcome: Result<WatchResult> };
}
type _SameEvents = [EventChannel] extends [keyof EventPayloads] ? ([keyof EventPayloads] extends [EventChannel] ? true : never) : never;
const _sameEvents: _SameEvents = true;
void _sameEvents;

export type Requests = typeof requests;
export type ArgsOf<C extends RequestChannel> = z.input<Requests[C]['args']>;
export type ParsedArgsOf<C extends RequestChannel> = z.output<Requests[C]['args']>;
export type ResultOf<C extends RequestChannel> = Requests[C]['result'];

export const isRequestChannel = (c: unknown): c is RequestChannel => typeof c === 'string' && (REQUEST_CHANNELS as readonly string[]).includes(c);
export const isEventChannel = (c: unknown): c is EventChannel => typeof c === 'string' && (EVENT_CHANNELS as readonly string[]).includes(c);

/** Validates arguments against the contract: the one check both transports run before any handler. */
export function parseArgs<C extends RequestChannel>(channel: C, raw: unknown): Result<ParsedArgsOf<C>> {
  const parsed = requests[channel].args.safeParse(raw ?? {});
  if (parsed.success) return { ok: true, value: parsed.data as ParsedArgsOf<C> };
  const issue = parsed.error.issues[0];
  const where = issue.path.length ? `${issue.path.join('.')}: ` : '';
  return { ok: false, code: 'BAD_ARGS', message: `${channel}: ${where}${issue.message}` };
}

// ---------------------------------------------------------------------------------------------------
// The client the renderer uses, over whichever transport the shell provides.

export interface Transport {
  invoke(channel: RequestChannel, args: unknown): Promise<Result<unknown>>;
  /** Returns the unsubscribe function. */
  subscribe(event: EventChannel, listener: (payload: unknown) => void): () => void;
}

export interface Client {
  call<C extends RequestChannel>(channel: C, args: ArgsOf<C>): Promise<Result<ResultOf<C>>>;
  on<E extends EventChannel>(event: E, listener: (payload: EventPayloads[E]) => void): () => void;
}

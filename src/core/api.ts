// THE contract between the UI and the backend: every request channel with its runtime argument schema
// and its result type, and every event channel with its payload type. Electron's IPC wiring (main and
// preload), the web shell's HTTP routes and the renderer's client are all derived from this one map.
// Importable from the renderer: zod and types only, no Node modules.
import { z } from 'zod';
import type { Diagnosis, DiagnosisEvent, Lang, ServerEvidence } from './diagnosis/types';
import type { Result } from './result';
import type { Comparison } from './session/compare';
import type { Session } from './session/types';
import { planSchema } from './session/plan';
import { instanceIdSchema, profileNameSchema, regionIdSchema } from './cloud/ids';
import { MAX_SERVER_EVIDENCE_CHARS, MAX_SNAPSHOT_CHARS } from './limits';
import { EVENT_CHANNELS, REQUEST_CHANNELS, type EventChannel, type RequestChannel } from './api-names';
import { APP_PROTOCOLS, type AppProtocol } from './probe/app-protocol';

export { EVENT_CHANNELS, REQUEST_CHANNELS, type EventChannel, type RequestChannel };
// Values the renderer needs live in api-client.ts (no zod there, so zod stays out of the renderer bundle).
export { allowedExternalUrl, createClient, SERVICE_PRESETS, type ServicePreset } from './api-client';

// ---------------------------------------------------------------------------------------------------
// Shared value schemas

const port = z.number().int().min(1).max(65535);
const host = z.string().trim().min(1).max(253);
const lang = z.enum(['zh-CN', 'en']);
/** Opaque file reference handed out by the backend (a path in Electron, a file name in the web shell). */
const fileRef = z.string().min(1).max(4096);
/** Structural check of a diagnosis coming back from the renderer; the session schema does the deep check. */
const diagnosisDoc = z.looseObject({
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

const empty = z.object({}).strict();

// ---------------------------------------------------------------------------------------------------
// Result and payload types

export interface AppInfo {
  version: string;
  /** Which shell serves the UI. */
  shell: 'electron' | 'web';
  platform: string;
  /** The OS locale, mapped to the languages the app speaks. */
  osLang: Lang;
  capabilities: {
    /** Native open/save dialogs (Electron); the web shell picks files inside its sessions folder. */
    nativeDialogs: boolean;
    /** PDF export through Electron's printing. */
    pdf: boolean;
    /** An OS keychain (safeStorage) is available to keep a typed AccessKey. */
    keychain: boolean;
  };
  /** Where sessions and reports go when no dialog is shown (web shell). */
  dataDir: string;
}

export interface TargetCheck {
  kind: 'ipv4' | 'ipv6' | 'hostname';
  normalized: string;
  /** Private / loopback / link-local address: cloud public access rules do not apply. */
  privateAddress: boolean;
}

export interface ProfileInfo {
  name: string;
  mode: string;
  regionId?: string;
  supported: boolean;
  unsupportedReason?: string;
  accessKeyIdRedacted?: string;
  current: boolean;
}

export interface CredentialStatus {
  stored: boolean;
  accessKeyIdRedacted: string | null;
  /** Kept in the OS keychain across launches (false: this run only). */
  persistent: boolean;
  keychain: boolean;
  /** AccessKey variables are set in the app's environment (the "environment" cloud source can be used). */
  environment: boolean;
}

export type ContactKind = 'egressIpUrls' | 'controlHosts' | 'dnsServers';

/** Outside contacts: what runs use now, where each list comes from, the shipped defaults, the file. */
export interface ContactSettings {
  effective: Record<ContactKind, string[]>;
  sources: Record<ContactKind, 'explicit' | 'env' | 'file' | 'default'>;
  defaults: Record<ContactKind, string[]>;
  configPath: string;
}

export interface ImportCheck {
  region: string;
  instanceId: string | null;
  securityGroups: number;
  rules: number;
  networkAcls: number;
  warnings: string[];
  /** What the next `aliyun` commands need (groups on the instance, its vSwitch, the ACLs read). */
  securityGroupIds?: string[];
  /** Groups on the instance whose rules are not in the pasted documents yet. */
  missingGroupIds?: string[];
  vSwitchId?: string;
  networkAclIds?: string[];
}

export interface ServerScript {
  os: 'linux' | 'windows';
  script: string;
  /** How to run it by hand (where to paste it, as which user). */
  howTo: string;
}

export interface SessionRef {
  ref: string;
  name: string;
  /** Human location (full path in Electron, folder-relative in the web shell). */
  display: string;
  savedAt?: string;
}

export interface OpenedSession extends SessionRef {
  session: Session;
  readOnly: boolean;
  migratedFrom: number | null;
  warnings: string[];
  /** The bundled example (opened read-only, never overwritten). */
  example?: boolean;
}

export interface SavedSession extends SessionRef {
  bytes: number;
  backup: string | null;
}

export interface ExportedReport {
  /** Where it was written (null when the user cancelled the dialog). */
  path: string | null;
  display: string | null;
  format: 'md' | 'html' | 'pdf';
  bytes: number;
  /**
   * Web shell only: the report's file name in its reports folder, offered to the browser as a download at
   * `/api/download/<name>?token=<this launch's token>` (served as an attachment).
   */
  download?: string;
}

export type MenuCommand =
  | 'new'
  | 'open'
  | 'save'
  | 'saveAs'
  | 'export'
  | 'example'
  | 'about'
  | 'lang:en'
  | 'lang:zh-CN'
  | 'theme:light'
  | 'theme:dark'
  | 'theme:system';

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
  'profiles.list': req<{ path: string; profiles: ProfileInfo[] }>()(empty),
  'credentials.status': req<CredentialStatus>()(empty),
  'credentials.setAccessKey': req<CredentialStatus>()(
    z.object({
      accessKeyId: z.string().trim().regex(/^[A-Za-z0-9]{12,64}$/, 'AccessKey ID: 12–64 letters and digits'),
      accessKeySecret: z.string().trim().regex(/^[A-Za-z0-9]{16,128}$/, 'AccessKey Secret: 16–128 letters and digits'),
    }),
  ),
  'credentials.clear': req<CredentialStatus>()(empty),
  'cloud.checkImport': req<ImportCheck>()(z.object({ json: z.string().min(1).max(MAX_SNAPSHOT_CHARS) })),
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
    z.object({ diagnosis: diagnosisDoc, format: z.enum(['md', 'html', 'pdf']), lang, maskIps: z.boolean(), name: fileName.optional() }),
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

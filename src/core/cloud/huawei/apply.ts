// Guarded apply of a fix's Huawei Cloud actions, with undo (issue 11 §2, the second cloud), behind the port's
// ProviderApply. Mirrors alicloud/apply.ts: validate everything first (nothing sent on a refusal), check the
// account, ask once, then send each action in order through the SDK (explicit endpoint + AK/SK + project id,
// sdk.ts), stop at the first failure, and record exactly what each write created with the actions that put it
// back.
//
// APIs (request shapes of @huaweicloud/huaweicloud-sdk-vpc v3 / -ecs v2, paths as VpcClient.js / EcsClient.js
// build them):
//   fix actions (fixes.ts emits only these)
//   - CreateSecurityGroupRule   POST   /v3/{project_id}/vpc/security-group-rules      {security_group_rule}
//   - DeleteSecurityGroupRule   DELETE /v3/{project_id}/vpc/security-group-rules/{id}
//   - AddFirewallRules          PUT    /v3/{project_id}/vpc/firewalls/{id}/insert-rules {firewall}
//   - AddSecurityGroups         PUT    /v3/{project_id}/ports/{id}/insert-security-groups {port}
//   - BatchStartServers         POST   /v1/{project_id}/cloudservers/action          {"os-start"}
//   undo actions (only ever produced here, as the undo of one of the above)
//   - RemoveFirewallRules       PUT    /v3/{project_id}/vpc/firewalls/{id}/remove-rules {firewall:{ingress_rules:[{id}]}}
//   - RemoveSecurityGroups      PUT    /v3/{project_id}/ports/{id}/remove-security-groups {port:{security_groups}}
//   reads around the writes: ListSecurityGroupRules, ShowSecurityGroupRule, ShowFirewall, ListPorts (v2),
//   ShowServer; the account check: IAM KeystoneListAuthProjects (needs no policy).
//
// Safety:
//   - every action is checked against a strict schema of its API (unknown keys, another region or project,
//     ids that are not UUIDs, placeholders, anything else → refused before anything is sent);
//   - the account: a Huawei snapshot records the project id of the region it read as its account
//     (read.ts: snapshot.account.accountId); the credentials must resolve to that project AND IAM must list it
//     among the key's projects (KeystoneListAuthProjects), else refused;
//   - writes are retried only on throttling (API Gateway answers 429 / APIGW.0308 before the call runs): the
//     Huawei APIs take no idempotency token, so a timed-out write is never sent twice; a CreateSecurityGroupRule
//     that finds the same rule (read first, or a 409 "already exists") is success without change;
//   - a denied write (403) names the IAM action to grant (policy.ts HUAWEI_WRITE_ACTIONS);
//   - messages go through the key's redactor: never the AK, SK or token.
import { z } from 'zod';
import type { Localized } from '../../diagnosis/types';
import { L } from '../../i18n';
import { parseCidr } from '../../rules/cidr';
import { isRegionId } from '../ids';
import type { CloudError } from '../model';
import type { ActionDescribeContext, ApplyActionsArgs, ApplyActionsResult, AppliedCloudChange, CloudAction, ProviderApply } from '../provider';
import { makeRedactor, type Redactor } from '../redact';
import { huaweiEnvironment, isHuaweiProjectId, resolveHuaweiCredentials, type ResolvedHuaweiCredentials } from './credentials';
import { huaweiProviderData } from './map';
import { HUAWEI_WRITE_ACTIONS } from './policy';
import { classifyHuaweiError, HUAWEI_READ_ACTIONS, sleep, withTimeout } from './read';
import { huaweiEndpoints, loadHuaweiSdk, makeEcsClient, makeRawClient, makeVpcV2Client, makeVpcV3Client, type HuaweiClient, type HuaweiEndpoints, type RawHcClient } from './sdk';

/** The fix APIs fixes.ts emits. */
export const HUAWEI_FIX_APIS = ['CreateSecurityGroupRule', 'DeleteSecurityGroupRule', 'AddFirewallRules', 'AddSecurityGroups', 'BatchStartServers'] as const;
/** APIs only sent as the undo of a fix API. */
export const HUAWEI_UNDO_APIS = ['RemoveFirewallRules', 'RemoveSecurityGroups'] as const;
export type HuaweiWriteApi = (typeof HUAWEI_FIX_APIS)[number] | (typeof HUAWEI_UNDO_APIS)[number];
const ALLOWED = new Set<string>([...HUAWEI_FIX_APIS, ...HUAWEI_UNDO_APIS]);

/** IAM action of the reads made around the writes (ShowSecurityGroupRule: the rule's get, like ListSecurityGroupRules). */
const READ_IAM: Record<string, string | null> = { ...Object.fromEntries(Object.entries(HUAWEI_READ_ACTIONS).map(([k, v]) => [k, v.iam])), ShowSecurityGroupRule: 'vpc:securityGroupRules:get' };

// ---- validation of actions from outside ----------------------------------------------------------------------

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const uuid = z.string().regex(UUID, 'not a Huawei Cloud id (a UUID)');
const cidr = z
  .string()
  .max(64)
  .refine((c) => parseCidr(c) !== null, 'not an address range');
const ports = z.string().regex(/^\d{1,5}(-\d{1,5})?(,\d{1,5}(-\d{1,5})?){0,19}$/, 'not a port list');
const protocol = z.string().regex(/^(tcp|udp|icmp|icmpv6|gre|any|\d{1,3})$/i, 'not a protocol');

const SecurityGroupRuleBody = z
  .object({
    security_group_id: uuid,
    direction: z.enum(['ingress', 'egress']),
    ethertype: z.enum(['IPv4', 'IPv6']).optional(),
    protocol: protocol.optional(),
    multiport: ports.optional(),
    remote_ip_prefix: cidr.optional(),
    remote_group_id: uuid.optional(),
    remote_address_group_id: uuid.optional(),
    action: z.enum(['allow', 'deny']).optional(),
    priority: z.union([z.number().int().min(1).max(100), z.string().regex(/^(100|[1-9]\d?)$/)]).optional(),
    description: z.string().max(255).optional(),
  })
  .strict();
type RuleBody = z.infer<typeof SecurityGroupRuleBody>;

const AclRuleBody = z
  .object({
    name: z.string().max(64).optional(),
    description: z.string().max(255).optional(),
    action: z.enum(['allow', 'deny']),
    protocol,
    ip_version: z.union([z.literal(4), z.literal(6)]),
    source_ip_address: cidr.optional(),
    destination_ip_address: cidr.optional(),
    source_port: ports.optional(),
    destination_port: ports.optional(),
    source_address_group_id: uuid.optional(),
    destination_address_group_id: uuid.optional(),
    enabled: z.boolean().optional(),
  })
  .strict();
type AclRule = z.infer<typeof AclRuleBody>;

const idList = z.array(z.object({ id: uuid }).strict()).min(1).max(20);
const oneDirection = (o: { ingress_rules?: unknown[]; egress_rules?: unknown[] }): boolean => !!o.ingress_rules !== !!o.egress_rules;

const PARAMS = {
  CreateSecurityGroupRule: z.object({ security_group_rule: SecurityGroupRuleBody }).strict(),
  DeleteSecurityGroupRule: z.object({ security_group_rule_id: uuid }).strict(),
  AddFirewallRules: z
    .object({
      firewall_id: uuid,
      firewall: z
        .object({ ingress_rules: z.array(AclRuleBody).min(1).max(20).optional(), egress_rules: z.array(AclRuleBody).min(1).max(20).optional(), insert_after_rule: uuid.optional() })
        .strict()
        .refine(oneDirection, 'exactly one of ingress_rules and egress_rules'),
    })
    .strict(),
  RemoveFirewallRules: z
    .object({ firewall_id: uuid, firewall: z.object({ ingress_rules: idList.optional(), egress_rules: idList.optional() }).strict().refine(oneDirection, 'exactly one of ingress_rules and egress_rules') })
    .strict(),
  AddSecurityGroups: z.object({ port_id: uuid, port: z.object({ security_groups: z.array(uuid).min(1).max(10), index: z.number().int().min(0).max(9).optional() }).strict() }).strict(),
  RemoveSecurityGroups: z.object({ port_id: uuid, port: z.object({ security_groups: z.array(uuid).min(1).max(10) }).strict() }).strict(),
  BatchStartServers: z.object({ 'os-start': z.object({ servers: z.array(z.object({ id: uuid }).strict()).min(1).max(20) }).strict() }).strict(),
} satisfies Record<HuaweiWriteApi, z.ZodTypeAny>;

type Step =
  | { api: 'CreateSecurityGroupRule'; p: z.infer<(typeof PARAMS)['CreateSecurityGroupRule']> }
  | { api: 'DeleteSecurityGroupRule'; p: z.infer<(typeof PARAMS)['DeleteSecurityGroupRule']> }
  | { api: 'AddFirewallRules'; p: z.infer<(typeof PARAMS)['AddFirewallRules']> }
  | { api: 'RemoveFirewallRules'; p: z.infer<(typeof PARAMS)['RemoveFirewallRules']> }
  | { api: 'AddSecurityGroups'; p: z.infer<(typeof PARAMS)['AddSecurityGroups']> }
  | { api: 'RemoveSecurityGroups'; p: z.infer<(typeof PARAMS)['RemoveSecurityGroups']> }
  | { api: 'BatchStartServers'; p: z.infer<(typeof PARAMS)['BatchStartServers']> };

export class HuaweiActionRefused extends Error {
  constructor(readonly text: Localized) {
    super(text.en);
    this.name = 'HuaweiActionRefused';
  }
}

const SCOPE_KEYS = /^(region|region_id|RegionId|project_id|projectId|domain_id)$/;

/** Region / project values named anywhere in the parameters (a session file from elsewhere). */
function scopeValues(v: unknown, out: [string, string][] = [], depth = 0): [string, string][] {
  if (depth > 8 || v === null || typeof v !== 'object') return out;
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if (SCOPE_KEYS.test(k) && (typeof x === 'string' || typeof x === 'number')) out.push([k, String(x)]);
    scopeValues(x, out, depth + 1);
  }
  return out;
}

/**
 * Checks an action list before anything is sent: only the Huawei fix (and undo) APIs, each with exactly its
 * documented parameters, every id a UUID, no region or project other than the diagnosis'.
 */
export function validateHuaweiActions(actions: readonly CloudAction[], region: string, projectId?: string | null): Step[] {
  if (!isRegionId(region)) throw new HuaweiActionRefused(L(`地域 ${JSON.stringify(region)} 不是有效的地域 ID`, `${JSON.stringify(region)} is not a region id; nothing was sent`));
  if (!Array.isArray(actions) || actions.length < 1 || actions.length > 20) throw new HuaweiActionRefused(L('修复步骤的格式不对，未执行任何操作', 'The fix’s actions are malformed; nothing was sent'));
  return actions.map((a) => {
    const api = typeof a?.api === 'string' ? a.api : '';
    if (!ALLOWED.has(api)) {
      throw new HuaweiActionRefused(L(`不会执行 ${api.slice(0, 64) || '（空）'}：它不是 SG Doctor 在华为云上用来修复的操作`, `${api.slice(0, 64) || '(empty)'} is not one of the fix actions SG Doctor performs on Huawei Cloud; nothing was sent`));
    }
    for (const [k, v] of scopeValues(a.params)) {
      const isRegion = /region/i.test(k);
      if (isRegion && v !== region) throw new HuaweiActionRefused(L(`${api} 指向地域 ${v}，而诊断读取的是 ${region}`, `${api} names region ${v} but the diagnosis read ${region}; nothing was sent`));
      if (!isRegion && projectId && v !== projectId) throw new HuaweiActionRefused(L(`${api} 指向项目 ${v}，而诊断读取的是项目 ${projectId}`, `${api} names project ${v} but the diagnosis read project ${projectId}; nothing was sent`));
    }
    const placeholder = /<[a-z][a-z0-9 _-]*>/i.exec(JSON.stringify(a.params ?? {}));
    if (placeholder) throw new HuaweiActionRefused(L(`${api} 里还有占位符 ${placeholder[0]}：先补上真实的值`, `${api} still holds the placeholder ${placeholder[0]}; nothing was sent`));
    const parsed = PARAMS[api as HuaweiWriteApi].safeParse(a.params);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.join('.') || 'params';
      throw new HuaweiActionRefused(L(`${api} 的参数 ${where} 无效（${issue?.message ?? '格式不对'}），未执行任何操作`, `${api}: ${where} is not valid (${issue?.message ?? 'malformed'}); nothing was sent`));
    }
    return { api, p: parsed.data } as Step;
  });
}

// ---- rule text (the diff, the notes) --------------------------------------------------------------------------

type Row = Record<string, unknown>;
const s = (v: unknown): string => (v === undefined || v === null ? '' : String(v));

const protoText = (p: unknown): string => {
  const x = s(p).toLowerCase();
  return !x || x === 'any' || x === '-1' ? 'any protocol' : x.toUpperCase();
};

/** "allow TCP 22 from 203.0.113.7/32 priority 1 (ingress)" for a security-group rule. */
export function sgRuleText(r: Row): string {
  const egress = s(r.direction) === 'egress';
  const peer = s(r.remote_ip_prefix) || (r.remote_group_id ? `group ${s(r.remote_group_id)}` : '') || (r.remote_address_group_id ? `address group ${s(r.remote_address_group_id)}` : '') || 'any';
  const portText = s(r.multiport) ? ` ${s(r.multiport)}` : protoText(r.protocol) === 'TCP' || protoText(r.protocol) === 'UDP' ? ' all ports' : '';
  return `${s(r.action) || 'allow'} ${protoText(r.protocol)}${portText} ${egress ? 'to' : 'from'} ${peer} priority ${s(r.priority) || '1'} (${egress ? 'egress' : 'ingress'})`;
}

/** "allow TCP 22 from 203.0.113.7/32" for a network ACL rule. */
export function aclRuleText(r: Row, direction: 'ingress' | 'egress'): string {
  const peer = direction === 'ingress' ? s(r.source_ip_address) || (r.source_address_group_id ? `address group ${s(r.source_address_group_id)}` : '') : s(r.destination_ip_address) || (r.destination_address_group_id ? `address group ${s(r.destination_address_group_id)}` : '');
  const port = s(r.destination_port);
  return `${s(r.action) || '?'} ${protoText(r.protocol)}${port ? ` ${port}` : ''} ${direction === 'ingress' ? 'from' : 'to'} ${peer || 'any'}${r.enabled === false ? ' (disabled)' : ''}`;
}

/** What a rule id stands for (the diagnosis' snapshot, or a rule an earlier apply created or removed). */
interface Known {
  sgRule(id: string): (Row & { security_group_id?: unknown }) | null;
  aclRule(firewallId: string, id: string): { rule: Row; direction: 'ingress' | 'egress' } | null;
}

function knownFrom(ctx: ActionDescribeContext): Known {
  let data: ReturnType<typeof huaweiProviderData> = null;
  try {
    data = ctx.snapshot && typeof ctx.snapshot === 'object' ? huaweiProviderData(ctx.snapshot) : null;
  } catch {
    data = null;
  }
  const created = (ctx.applied ?? []).map((x) => (x.created ?? {}) as { rules?: Row[]; removedRules?: Row[]; aclRules?: { rule: Row; direction: 'ingress' | 'egress'; firewallId: string }[] });
  const sgRules: Row[] = [
    ...created.flatMap((c) => [...(Array.isArray(c.rules) ? c.rules : []), ...(Array.isArray(c.removedRules) ? c.removedRules : [])]),
    ...(data ? [...data.securityGroups, ...data.otherGroups].flatMap((g) => g.security_group_rules.map((r) => ({ ...r, security_group_id: r.security_group_id ?? g.id }))) : []),
  ];
  const acls = data ? [data.firewall, ...data.subnetAcls.map((a) => a.firewall)].filter((f): f is NonNullable<typeof f> => !!f) : [];
  return {
    sgRule: (id) => sgRules.find((r) => r.id === id) ?? null,
    aclRule: (fw, id) => {
      for (const c of created) for (const x of Array.isArray(c.aclRules) ? c.aclRules : []) if (x.firewallId === fw && x.rule.id === id) return { rule: x.rule, direction: x.direction };
      for (const f of acls.filter((x) => x.id === fw)) {
        for (const direction of ['ingress', 'egress'] as const) {
          const r = (f[`${direction}_rules`] ?? []).find((x) => x.id === id);
          if (r) return { rule: r as Row, direction };
        }
      }
      return null;
    },
  };
}

/** The change one action asks for, as diff lines ("+ …" added, "- …" removed, "~ …" changed), the first naming where. */
export function describeHuaweiAction(action: CloudAction, known?: Known): string[] {
  const p = (action.params ?? {}) as Row;
  switch (action.api) {
    case 'CreateSecurityGroupRule': {
      const r = (p.security_group_rule ?? {}) as Row;
      return [`security group ${s(r.security_group_id)}:`, `+ ${sgRuleText(r)}`];
    }
    case 'DeleteSecurityGroupRule': {
      const id = s(p.security_group_rule_id);
      const r = known?.sgRule(id);
      return [`security group ${r ? s(r.security_group_id) : '(the rule’s group)'}:`, `- rule ${id}${r ? ` (${sgRuleText(r)})` : ''}`];
    }
    case 'AddFirewallRules':
    case 'RemoveFirewallRules': {
      const fw = (p.firewall ?? {}) as Row;
      const direction = fw.egress_rules ? 'egress' : 'ingress';
      const rules = ((fw[`${direction}_rules`] ?? []) as Row[]) || [];
      const head = `network ACL ${s(p.firewall_id)} ${direction}:`;
      if (action.api === 'AddFirewallRules') {
        const after = s(fw.insert_after_rule);
        const where = after ? `after rule ${after}${known?.aclRule(s(p.firewall_id), after) ? ` (${aclRuleText(known.aclRule(s(p.firewall_id), after)!.rule, direction)})` : ''}` : 'first';
        return [head, ...rules.map((r) => `+ ${aclRuleText(r, direction)} — inserted ${where}`)];
      }
      return [
        head,
        ...rules.map((r) => {
          const k = known?.aclRule(s(p.firewall_id), s(r.id));
          return `- rule ${s(r.id)}${k ? ` (${aclRuleText(k.rule, k.direction)})` : ''}`;
        }),
      ];
    }
    case 'AddSecurityGroups': {
      const port = (p.port ?? {}) as Row;
      const index = port.index === undefined ? 'last' : Number(port.index) === 0 ? 'first' : `position ${Number(port.index) + 1}`;
      return [`port ${s(p.port_id)}:`, ...((port.security_groups ?? []) as unknown[]).map((g) => `+ security group ${s(g)} (matched ${index})`)];
    }
    case 'RemoveSecurityGroups': {
      const port = (p.port ?? {}) as Row;
      return [`port ${s(p.port_id)}:`, ...((port.security_groups ?? []) as unknown[]).map((g) => `- security group ${s(g)}`)];
    }
    case 'BatchStartServers': {
      const servers = (((p['os-start'] ?? {}) as Row).servers ?? []) as Row[];
      return servers.flatMap((x) => [`server ${s(x.id)}:`, '~ SHUTOFF → ACTIVE (start)']);
    }
    default:
      return [`${action.api} ${JSON.stringify(action.params)}`];
  }
}

// ---- calls: timeout, bounded retries, one redacted error -------------------------------------------------------

interface CallPolicy {
  timeoutMs: number;
  retries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  signal?: AbortSignal;
  redact: Redactor;
}

type CallOut = { ok: true; body: Row } | { ok: false; error: CloudError; status?: number };

/**
 * One API call. Reads retry on throttling, 5xx, timeouts and resets (as read.ts); writes only on throttling,
 * which API Gateway answers before the call runs (a write that timed out may have happened: never sent twice).
 */
async function callOnce(op: string, what: string, fn: () => Promise<unknown>, write: boolean, policy: CallPolicy): Promise<CallOut> {
  const maxAttempts = 1 + Math.max(0, Math.min(policy.retries, 8));
  let last: ReturnType<typeof classifyHuaweiError> | null = null;
  let attempts = 0;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    if (policy.signal?.aborted && !write) {
      last = { code: 'Aborted', message: 'cancelled', retryable: false, permission: false, credential: false };
      break;
    }
    attempts = attempt;
    try {
      // No signal here: a write already sent is waited for, never abandoned half-way.
      const raw = await withTimeout(fn(), policy.timeoutMs);
      return { ok: true, body: raw && typeof raw === 'object' ? (raw as Row) : {} };
    } catch (err) {
      last = classifyHuaweiError(err);
      const throttled = last.status === 429 || last.code === 'APIGW.0308' || last.code === 'Throttling';
      if (!(write ? throttled : last.retryable) || attempt === maxAttempts) break;
      await sleep(Math.random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1)), policy.signal);
    }
  }
  const c = last!;
  const grant = c.permission ? ((HUAWEI_WRITE_ACTIONS[op] ?? READ_IAM[op]) || undefined) : undefined;
  const head = `${op}${what ? ` (${what})` : ''} failed: ${c.code}`;
  const detail = c.permission
    ? `${head}. The IAM user is not allowed to call it${grant ? `; grant ${grant}` : ''}.`
    : c.credential
      ? `${head}: ${c.message}. Check the access key (wrong or disabled AK/SK, an expired temporary key, this computer's clock more than 15 minutes off, or another cloud's endpoint).`
      : `${head}${attempts > 1 ? ` after ${attempts} attempts` : ''}: ${c.message}${write && c.code === 'Timeout' ? ' (the change may or may not have been made: read the configuration again before retrying)' : ''}`;
  return {
    ok: false,
    ...(c.status !== undefined ? { status: c.status } : {}),
    error: { action: op, code: c.code, message: policy.redact(detail), ...(c.requestId ? { requestId: c.requestId } : {}), leavesUnknown: ['fix'], ...(grant ? { grant } : {}) },
  };
}

// ---- the executor ------------------------------------------------------------------------------------------------

export interface HuaweiApplyOptions {
  credentials: ResolvedHuaweiCredentials;
  region: string;
  /** The project id of the region (from the credentials / environment; looked up through IAM when absent). */
  projectId?: string;
  endpoints: HuaweiEndpoints;
  signal?: AbortSignal;
  confirm?: () => Promise<boolean>;
  /** The project id the diagnosis read (snapshot.account.accountId): anything else → refused, nothing sent. */
  expectAccountId?: string | null;
  timeoutMs?: number;
  retries?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  log?: (line: string) => void;
  now?: () => Date;
}

export interface HuaweiApplyFailure {
  index: number;
  api: string;
  error: CloudError;
  message: Localized;
}

export interface HuaweiApplyOutcome {
  applied: AppliedCloudChange[];
  failure: HuaweiApplyFailure | null;
  notSent: number;
}

interface Io {
  vpc3: HuaweiClient;
  vpc2: HuaweiClient;
  ecs: HuaweiClient;
  read(op: string, what: string, fn: () => Promise<unknown>): Promise<CallOut>;
  write(op: string, what: string, fn: () => Promise<unknown>): Promise<CallOut>;
}

function failureText(api: string, error: CloudError): Localized {
  if (error.grant) {
    return L(
      `${api} 被拒绝（${error.code}）：当前 IAM 用户没有这项权限。请授予 ${error.grant}（sg-doctor cloud policy --provider huawei --write 会打印所需的写策略）。`,
      `${api} was denied (${error.code}): the IAM user may not make this change. Grant ${error.grant} (sg-doctor cloud policy --provider huawei --write prints the write policy).`,
    );
  }
  return L(`${api} 失败：${error.message}`, `${api} failed: ${error.message}`);
}

const ProjectsResp = z.object({ projects: z.array(z.object({ id: z.string(), name: z.string(), enabled: z.boolean().nullish() }).passthrough()) }).passthrough();

/**
 * Applies the actions in order; stops at the first failure (the outcome says which were applied). Never throws
 * for an API outcome; throws HuaweiActionRefused when nothing may be sent.
 */
export async function applyHuaweiActions(actions: readonly CloudAction[], opts: HuaweiApplyOptions): Promise<HuaweiApplyOutcome> {
  const steps = validateHuaweiActions(actions, opts.region, opts.expectAccountId ?? opts.projectId ?? null);
  const redact: Redactor = (t) => opts.credentials.redact(makeRedactor([opts.credentials.keys.sk, opts.credentials.keys.securityToken], [opts.credentials.keys.ak])(t));
  const log = (line: string): void => opts.log?.(redact(line));
  let sdk: Awaited<ReturnType<typeof loadHuaweiSdk>>;
  try {
    sdk = await loadHuaweiSdk();
  } catch (e) {
    throw new HuaweiActionRefused(L(`无法加载华为云 SDK，没有做任何更改：${(e as Error).message}`, `The Huawei Cloud SDK could not be loaded; nothing was changed: ${(e as Error).message}`));
  }
  const timeoutMs = opts.timeoutMs ?? 8000;
  const policy = (retries: number): CallPolicy => ({ timeoutMs, retries, baseDelayMs: opts.baseDelayMs ?? 300, maxDelayMs: opts.maxDelayMs ?? 3000, ...(opts.signal ? { signal: opts.signal } : {}), redact });
  const readRetries = opts.retries ?? 3;

  // ---- the project (= the account as the Huawei snapshot records it) -------------------------------------------
  let projectId = opts.projectId;
  if (projectId !== undefined && !isHuaweiProjectId(projectId)) throw new HuaweiActionRefused(L('项目 ID 无效（应为 32 位十六进制），没有做任何更改', 'The project id is not a project id (32 hexadecimal characters); nothing was changed'));
  if (!projectId || opts.expectAccountId) {
    const iam: RawHcClient = makeRawClient(sdk, { keys: opts.credentials.keys, projectId: '', endpoint: opts.endpoints.iam, timeoutMs });
    const out = await callOnce('KeystoneListAuthProjects', opts.region, () => iam.sendRequest({ method: 'GET', url: '/v3/auth/projects', contentType: 'application/json', queryParams: {}, pathParams: {}, headers: {} }), false, policy(readRetries));
    const parsed = out.ok ? ProjectsResp.safeParse(out.body) : null;
    if (!out.ok || !parsed?.success) {
      const error: CloudError = out.ok ? { action: 'KeystoneListAuthProjects', code: 'MalformedResponse', message: 'the project list does not have the documented shape', leavesUnknown: ['fix'] } : out.error;
      return {
        applied: [],
        failure: { index: 0, api: 'KeystoneListAuthProjects', error, message: L(`无法确认凭据所属的项目，没有做任何更改：${error.message}`, `Could not tell which project the credentials belong to; nothing was changed: ${error.message}`) },
        notSent: steps.length,
      };
    }
    const mine = parsed.data.projects.filter((p) => p.enabled !== false && isHuaweiProjectId(p.id));
    if (!projectId) {
      const found = mine.find((p) => p.name === opts.region);
      if (!found) throw new HuaweiActionRefused(L(`这个访问密钥没有名为 ${opts.region} 的项目，没有做任何更改`, `This access key has no project named ${opts.region}; nothing was changed`));
      projectId = found.id;
    }
    if (opts.expectAccountId && (projectId !== opts.expectAccountId || !mine.some((p) => p.id === opts.expectAccountId && p.name === opts.region))) {
      throw new HuaweiActionRefused(
        L(
          `这些凭据属于项目 ${projectId}（${opts.region}），而诊断读取的是项目 ${opts.expectAccountId}：没有做任何更改`,
          `These credentials belong to project ${projectId} (${opts.region}) but the diagnosis read project ${opts.expectAccountId}; nothing was changed`,
        ),
      );
    }
  }

  if (opts.confirm && !(await opts.confirm())) return { applied: [], failure: null, notSent: steps.length };

  const clientOpts = (endpoint: string) => ({ keys: opts.credentials.keys, projectId: projectId!, endpoint, timeoutMs });
  const io: Io = {
    vpc3: makeVpcV3Client(sdk, clientOpts(opts.endpoints.vpc)),
    vpc2: makeVpcV2Client(sdk, clientOpts(opts.endpoints.vpc)),
    ecs: makeEcsClient(sdk, clientOpts(opts.endpoints.ecs)),
    read: (op, what, fn) => callOnce(op, what, fn, false, policy(readRetries)),
    write: (op, what, fn) => callOnce(op, what, fn, true, policy(Math.min(readRetries, 2))),
  };
  const now = opts.now ?? (() => new Date());
  const applied: AppliedCloudChange[] = [];
  for (let i = 0; i < steps.length; i++) {
    if (opts.signal?.aborted) return { applied, failure: null, notSent: steps.length - i };
    const step = steps[i];
    log(`${step.api} ${whereOf(step)}`);
    const r = await applyOne(io, step, actions[i].params, now);
    // The message names the call that failed (a read around the write can be the one denied).
    if (!r.ok) return { applied, failure: { index: i, api: step.api, error: r.error, message: failureText(r.error.action, r.error) }, notSent: steps.length - i - 1 };
    applied.push(r.change);
  }
  return { applied, failure: null, notSent: 0 };
}

function whereOf(step: Step): string {
  switch (step.api) {
    case 'CreateSecurityGroupRule':
      return step.p.security_group_rule.security_group_id;
    case 'DeleteSecurityGroupRule':
      return step.p.security_group_rule_id;
    case 'AddFirewallRules':
    case 'RemoveFirewallRules':
      return step.p.firewall_id;
    case 'AddSecurityGroups':
    case 'RemoveSecurityGroups':
      return step.p.port_id;
    case 'BatchStartServers':
      return step.p['os-start'].servers.map((x) => x.id).join(',');
  }
}

type StepResult = { ok: true; change: AppliedCloudChange } | { ok: false; error: CloudError };

const requestIdOf = (body: Row): string | null => (typeof body.request_id === 'string' && body.request_id ? body.request_id : null);

// Rule comparison: the fields that decide what a rule does (description does not).
const normProto = (v: unknown): string => {
  const x = s(v).toLowerCase();
  return x === 'any' || x === '-1' ? '' : x;
};
const normCidr = (v: unknown): string => {
  const x = s(v);
  return x ? (parseCidr(x)?.text ?? x) : '';
};
const normPorts = (v: unknown): string => s(v).replace(/\s+/g, '');

export function sameSecurityGroupRule(a: Row, b: Row): boolean {
  return (
    s(a.direction) === s(b.direction) &&
    (s(a.ethertype) || 'IPv4').toLowerCase() === (s(b.ethertype) || 'IPv4').toLowerCase() &&
    normProto(a.protocol) === normProto(b.protocol) &&
    normPorts(a.multiport) === normPorts(b.multiport) &&
    normCidr(a.remote_ip_prefix) === normCidr(b.remote_ip_prefix) &&
    s(a.remote_group_id) === s(b.remote_group_id) &&
    s(a.remote_address_group_id) === s(b.remote_address_group_id) &&
    (s(a.action) || 'allow') === (s(b.action) || 'allow') &&
    String(Number(s(a.priority) || 1)) === String(Number(s(b.priority) || 1))
  );
}

function sameAclRule(a: Row, b: Row): boolean {
  return (
    s(a.action) === s(b.action) &&
    normProto(a.protocol) === normProto(b.protocol) &&
    String(s(a.ip_version) || '4') === String(s(b.ip_version) || '4') &&
    normCidr(a.source_ip_address) === normCidr(b.source_ip_address) &&
    normCidr(a.destination_ip_address) === normCidr(b.destination_ip_address) &&
    normPorts(a.source_port) === normPorts(b.source_port) &&
    normPorts(a.destination_port) === normPorts(b.destination_port) &&
    s(a.source_address_group_id) === s(b.source_address_group_id) &&
    s(a.destination_address_group_id) === s(b.destination_address_group_id) &&
    (a.enabled !== false) === (b.enabled !== false)
  );
}

/** A rule as read back → the CreateSecurityGroupRule body that makes it again. */
function ruleAsRequest(r: Row): RuleBody {
  const out: Row = {};
  for (const k of ['security_group_id', 'direction', 'ethertype', 'protocol', 'multiport', 'remote_ip_prefix', 'remote_group_id', 'remote_address_group_id', 'action', 'priority', 'description'] as const) {
    const v = r[k];
    if (v !== undefined && v !== null && v !== '') out[k] = k === 'priority' ? Number(v) : v;
  }
  return out as RuleBody;
}

function aclAsRequest(r: Row): AclRule {
  const out: Row = {};
  for (const k of ['name', 'description', 'action', 'protocol', 'ip_version', 'source_ip_address', 'destination_ip_address', 'source_port', 'destination_port', 'source_address_group_id', 'destination_address_group_id', 'enabled'] as const) {
    const v = r[k];
    if (v !== undefined && v !== null && v !== '') out[k] = k === 'ip_version' ? Number(v) : v;
  }
  return out as AclRule;
}

async function listRules(io: Io, groupId: string): Promise<{ ok: true; rules: Row[] } | { ok: false; error: CloudError }> {
  const all: Row[] = [];
  let marker: string | undefined;
  for (let page = 0; page < 50; page++) {
    const r = await io.read('ListSecurityGroupRules', groupId, () => io.vpc3.listSecurityGroupRules({ security_group_id: [groupId], limit: 2000, ...(marker ? { marker } : {}) }));
    if (!r.ok) return r;
    const rules = Array.isArray(r.body.security_group_rules) ? (r.body.security_group_rules as Row[]) : [];
    all.push(...rules.filter((x) => !x.security_group_id || x.security_group_id === groupId));
    marker = s((r.body.page_info as Row | undefined)?.next_marker) || undefined;
    if (!marker || !rules.length) return { ok: true, rules: all };
  }
  return { ok: false, error: { action: 'ListSecurityGroupRules', code: 'PageLimit', message: `security group ${groupId} has too many rules to read before changing it`, leavesUnknown: ['fix'] } };
}

async function readFirewall(io: Io, id: string): Promise<{ ok: true; fw: Row } | { ok: false; error: CloudError }> {
  const r = await io.read('ShowFirewall', id, () => io.vpc3.showFirewall({ firewall_id: id }));
  if (!r.ok) return r;
  const fw = r.body.firewall;
  return fw && typeof fw === 'object' ? { ok: true, fw: fw as Row } : { ok: false, error: { action: 'ShowFirewall', code: 'MalformedResponse', message: `network ACL ${id}: the answer has no firewall`, leavesUnknown: ['fix'] } };
}

async function readPortGroups(io: Io, portId: string): Promise<{ ok: true; groups: string[] } | { ok: false; error: CloudError }> {
  const r = await io.read('ListPorts', portId, () => io.vpc2.listPorts({ id: portId }));
  if (!r.ok) return r;
  const port = (Array.isArray(r.body.ports) ? (r.body.ports as Row[]) : []).find((x) => x.id === portId);
  if (!port) return { ok: false, error: { action: 'ListPorts', code: 'PortNotFound', message: `port ${portId} was not found in this project`, leavesUnknown: ['fix'] } };
  return { ok: true, groups: Array.isArray(port.security_groups) ? (port.security_groups as unknown[]).map(s) : [] };
}

async function applyOne(io: Io, step: Step, params: Record<string, unknown>, now: () => Date): Promise<StepResult> {
  const base = { api: step.api, params, clientToken: null };
  const unchanged = (created: Record<string, unknown>, note: Localized): StepResult => ({ ok: true, change: { ...base, at: now().toISOString(), requestId: null, changed: false, created, undo: [], note } });
  const changed = (requestId: string | null, created: Record<string, unknown>, undo: CloudAction[], note: Localized, undoNote?: Localized): StepResult => ({
    ok: true,
    change: { ...base, at: now().toISOString(), requestId, changed: true, created, undo, ...(undoNote ? { undoNote } : {}), note },
  });

  switch (step.api) {
    case 'CreateSecurityGroupRule': {
      const wanted = step.p.security_group_rule;
      const groupId = wanted.security_group_id;
      const before = await listRules(io, groupId);
      if (!before.ok) return before;
      const there = before.rules.find((x) => sameSecurityGroupRule(x, wanted));
      if (there) return unchanged({ securityGroupId: groupId, ruleIds: [] }, L(`${groupId} 里已经有这条规则（${s(there.id)}），没有改动`, `The rule is already in ${groupId} (${s(there.id)}); nothing was changed`));
      const w = await io.write('CreateSecurityGroupRule', groupId, () => io.vpc3.createSecurityGroupRule({ body: { security_group_rule: wanted } }));
      if (!w.ok) {
        // Another writer (or an earlier run whose answer was lost) made the same rule: what we wanted is there.
        if ((w as { status?: number }).status === 409 || /already exist/i.test(w.error.message)) {
          const again = await listRules(io, groupId);
          const id = again.ok ? s(again.rules.find((x) => sameSecurityGroupRule(x, wanted))?.id) : '';
          return unchanged({ securityGroupId: groupId, ruleIds: [] }, L(`${groupId} 里已经有这条规则${id ? `（${id}）` : ''}，没有改动`, `The rule is already in ${groupId}${id ? ` (${id})` : ''}; nothing was changed`));
        }
        return w;
      }
      const rule = (w.body.security_group_rule ?? {}) as Row;
      let id = s(rule.id);
      if (!UUID.test(id)) {
        // The answer did not name the rule: find it by its fields.
        const after = await listRules(io, groupId);
        if (!after.ok) return after;
        const beforeIds = new Set(before.rules.map((x) => s(x.id)));
        id = s(after.rules.find((x) => !beforeIds.has(s(x.id)) && sameSecurityGroupRule(x, wanted))?.id);
      }
      const made = { ...wanted, ...(id ? { id } : {}) };
      return changed(
        requestIdOf(w.body),
        { securityGroupId: groupId, ruleIds: id ? [id] : [], rules: [made] },
        id ? [{ api: 'DeleteSecurityGroupRule', params: { security_group_rule_id: id } }] : [],
        L(`已在 ${groupId} 添加规则 ${id}：${sgRuleText(made)}`, `Added rule ${id} to ${groupId}: ${sgRuleText(made)}`),
        id ? undefined : L('没有读到新规则的 ID，无法自动撤销：请在控制台删除它', 'The new rule’s id could not be read back, so it cannot be undone automatically: delete it in the console'),
      );
    }

    case 'DeleteSecurityGroupRule': {
      const id = step.p.security_group_rule_id;
      const r = await io.read('ShowSecurityGroupRule', id, () => io.vpc3.showSecurityGroupRule({ security_group_rule_id: id }));
      if (!r.ok) {
        if ((r as { status?: number }).status === 404) return unchanged({ removedRules: [] }, L(`规则 ${id} 已经不存在，没有改动`, `Rule ${id} no longer exists; nothing was changed`));
        return r;
      }
      const rule = (r.body.security_group_rule ?? {}) as Row;
      const w = await io.write('DeleteSecurityGroupRule', id, () => io.vpc3.deleteSecurityGroupRule({ security_group_rule_id: id }));
      if (!w.ok) {
        if ((w as { status?: number }).status === 404) return unchanged({ removedRules: [] }, L(`规则 ${id} 已经不存在，没有改动`, `Rule ${id} no longer exists; nothing was changed`));
        return w;
      }
      const groupId = s(rule.security_group_id);
      const recreate = ruleAsRequest(rule);
      const valid = SecurityGroupRuleBody.safeParse(recreate).success;
      return changed(
        requestIdOf(w.body),
        { securityGroupId: groupId, removedRules: [{ ...recreate, id }] },
        valid ? [{ api: 'CreateSecurityGroupRule', params: { security_group_rule: recreate } }] : [],
        L(`已从 ${groupId} 删除规则 ${id}：${sgRuleText(rule)}`, `Removed rule ${id} from ${groupId}: ${sgRuleText(rule)}`),
        valid ? undefined : L('删除的规则含有 SG Doctor 无法重建的字段，无法自动撤销', 'The removed rule has fields SG Doctor cannot recreate, so it cannot be undone automatically'),
      );
    }

    case 'AddFirewallRules': {
      const fwId = step.p.firewall_id;
      const direction = step.p.firewall.egress_rules ? 'egress' : 'ingress';
      const key = `${direction}_rules` as const;
      const wanted = step.p.firewall[key] ?? [];
      const after = step.p.firewall.insert_after_rule;
      const before = await readFirewall(io, fwId);
      if (!before.ok) return before;
      const list = (Array.isArray(before.fw[key]) ? before.fw[key] : []) as Row[];
      const at = after ? list.findIndex((x) => x.id === after) + 1 : 0;
      if (after && at === 0) return { ok: false, error: { action: 'AddFirewallRules', code: 'RuleNotFound', message: `network ACL ${fwId} has no ${direction} rule ${after} (any more) to insert after: read the configuration again`, leavesUnknown: ['fix'] } };
      if (wanted.every((w, k) => list[at + k] && sameAclRule(list[at + k], w))) {
        const ids = wanted.map((_, k) => s(list[at + k].id));
        return unchanged({ firewallId: fwId, ruleIds: [] }, L(`网络ACL ${fwId} 在该位置已经有这条规则（${ids.join('、')}），没有改动`, `Network ACL ${fwId} already has the rule there (${ids.join(', ')}); nothing was changed`));
      }
      const w = await io.write('AddFirewallRules', fwId, () => io.vpc3.addFirewallRules({ firewall_id: fwId, body: { firewall: step.p.firewall } }));
      if (!w.ok) return w;
      let fwAfter = (w.body.firewall && typeof w.body.firewall === 'object' ? w.body.firewall : null) as Row | null;
      if (!fwAfter || !Array.isArray(fwAfter[key])) {
        const again = await readFirewall(io, fwId);
        if (!again.ok) return again;
        fwAfter = again.fw;
      }
      const beforeIds = new Set(list.map((x) => s(x.id)));
      const added = ((fwAfter[key] ?? []) as Row[]).filter((x) => !beforeIds.has(s(x.id)) && wanted.some((y) => sameAclRule(x, y)));
      const ids = added.map((x) => s(x.id)).filter((x) => UUID.test(x));
      return changed(
        requestIdOf(w.body),
        { firewallId: fwId, direction, ruleIds: ids, aclRules: added.map((rule) => ({ firewallId: fwId, direction, rule })) },
        ids.length ? [{ api: 'RemoveFirewallRules', params: { firewall_id: fwId, firewall: { [key]: ids.map((id) => ({ id })) } } }] : [],
        L(`已在网络ACL ${fwId} 的${direction === 'ingress' ? '入' : '出'}方向插入规则 ${ids.join('、')}`, `Inserted ${direction} rule(s) ${ids.join(', ')} into network ACL ${fwId}`),
        ids.length < wanted.length ? L('读回网络ACL时没有找到全部新规则，撤销只会删除找到的规则', 'Reading the ACL back did not find every new rule: undo removes only the rules it found') : undefined,
      );
    }

    case 'RemoveFirewallRules': {
      const fwId = step.p.firewall_id;
      const direction = step.p.firewall.egress_rules ? 'egress' : 'ingress';
      const key = `${direction}_rules` as const;
      const ids = (step.p.firewall[key] ?? []).map((x) => x.id);
      const before = await readFirewall(io, fwId);
      if (!before.ok) return before;
      const list = (Array.isArray(before.fw[key]) ? before.fw[key] : []) as Row[];
      const present = ids.filter((id) => list.some((x) => x.id === id));
      if (!present.length) return unchanged({ firewallId: fwId, removedAclRules: [] }, L(`网络ACL ${fwId} 里已经没有这些规则，没有改动`, `Network ACL ${fwId} no longer has these rules; nothing was changed`));
      const w = await io.write('RemoveFirewallRules', fwId, () => io.vpc3.removeFirewallRules({ firewall_id: fwId, body: { firewall: { [key]: present.map((id) => ({ id })) } } }));
      if (!w.ok) return w;
      // Put back at the same place: each removed rule after the nearest earlier rule that stays, last one first.
      const removed = list.map((r, k) => ({ r, k })).filter((x) => present.includes(s(x.r.id)));
      const undo: CloudAction[] = [...removed].reverse().map(({ k }) => {
        const prev = list
          .slice(0, k)
          .reverse()
          .find((x) => !present.includes(s(x.id)));
        return { api: 'AddFirewallRules', params: { firewall_id: fwId, firewall: { [key]: [aclAsRequest(list[k])], ...(prev && UUID.test(s(prev.id)) ? { insert_after_rule: s(prev.id) } : {}) } } };
      });
      return changed(
        requestIdOf(w.body),
        { firewallId: fwId, direction, removedAclRules: removed.map((x) => x.r), aclRules: removed.map((x) => ({ firewallId: fwId, direction, rule: x.r })) },
        undo,
        L(`已从网络ACL ${fwId} 删除规则 ${present.join('、')}`, `Removed rule(s) ${present.join(', ')} from network ACL ${fwId}`),
      );
    }

    case 'AddSecurityGroups': {
      const portId = step.p.port_id;
      const before = await readPortGroups(io, portId);
      if (!before.ok) return before;
      const missing = step.p.port.security_groups.filter((g) => !before.groups.includes(g));
      if (!missing.length) return unchanged({ portId, securityGroupIds: [] }, L(`端口已关联安全组 ${step.p.port.security_groups.join('、')}，没有改动`, `The port already has ${step.p.port.security_groups.join(', ')}; nothing was changed`));
      const body = { port: { security_groups: missing, ...(step.p.port.index !== undefined ? { index: step.p.port.index } : {}) } };
      const w = await io.write('AddSecurityGroups', portId, () => io.vpc3.addSecurityGroups({ port_id: portId, body }));
      if (!w.ok) return w;
      return changed(
        requestIdOf(w.body),
        { portId, securityGroupIds: missing, previousGroups: before.groups },
        [{ api: 'RemoveSecurityGroups', params: { port_id: portId, port: { security_groups: missing } } }],
        L(`已把安全组 ${missing.join('、')} 关联到端口 ${portId}`, `Added ${missing.join(', ')} to port ${portId}`),
      );
    }

    case 'RemoveSecurityGroups': {
      const portId = step.p.port_id;
      const before = await readPortGroups(io, portId);
      if (!before.ok) return before;
      const present = step.p.port.security_groups.filter((g) => before.groups.includes(g));
      if (!present.length) return unchanged({ portId, securityGroupIds: [] }, L(`端口已不再关联安全组 ${step.p.port.security_groups.join('、')}，没有改动`, `The port no longer has ${step.p.port.security_groups.join(', ')}; nothing was changed`));
      const w = await io.write('RemoveSecurityGroups', portId, () => io.vpc3.removeSecurityGroups({ port_id: portId, body: { port: { security_groups: present } } }));
      if (!w.ok) return w;
      // Put back in ascending order of their old positions: each lands where it was.
      const order = present.map((g) => ({ g, k: before.groups.indexOf(g) })).sort((a, b) => a.k - b.k);
      return changed(
        requestIdOf(w.body),
        { portId, securityGroupIds: present, previousGroups: before.groups },
        order.map(({ g, k }) => ({ api: 'AddSecurityGroups', params: { port_id: portId, port: { security_groups: [g], index: Math.min(k, 9) } } })),
        L(`已把安全组 ${present.join('、')} 从端口 ${portId} 移除`, `Removed ${present.join(', ')} from port ${portId}`),
      );
    }

    case 'BatchStartServers': {
      const ids = step.p['os-start'].servers.map((x) => x.id);
      const status: Record<string, string> = {};
      for (const id of ids) {
        const r = await io.read('ShowServer', id, () => io.ecs.showServer({ server_id: id }));
        if (!r.ok) return r;
        status[id] = s((r.body.server as Row | undefined)?.status);
      }
      const stopped = ids.filter((id) => status[id] !== 'ACTIVE' && status[id] !== 'REBOOT' && status[id] !== 'HARD_REBOOT');
      if (!stopped.length) return unchanged({ serverIds: [], previousStatus: status }, L(`服务器 ${ids.join('、')} 已经在运行，没有改动`, `Server ${ids.join(', ')} is already running; nothing was changed`));
      const w = await io.write('BatchStartServers', stopped.join(','), () => io.ecs.batchStartServers({ body: { 'os-start': { servers: stopped.map((id) => ({ id })) } } }));
      if (!w.ok) return w;
      return changed(
        requestIdOf(w.body),
        { serverIds: stopped, previousStatus: status, ...(typeof w.body.job_id === 'string' ? { jobId: w.body.job_id } : {}) },
        [],
        L(`已启动服务器 ${stopped.map((id) => `${id}（之前为 ${status[id]}）`).join('、')}`, `Started server ${stopped.map((id) => `${id} (it was ${status[id]})`).join(', ')}`),
        L('启动服务器不会自动撤销：如需关机，请在控制台或用 BatchStopServers 自行操作', 'Starting the server is not undone automatically: stop it yourself (console or BatchStopServers) if you mean to'),
      );
    }
  }
}

// ---- the port --------------------------------------------------------------------------------------------------

/** The port's write side: the same credential chain, region, project and endpoints as the reader. */
async function applyThroughPort(actions: readonly CloudAction[], args: ApplyActionsArgs): Promise<ApplyActionsResult> {
  const env = args.env ?? process.env;
  try {
    // Everything about the actions first: a refused list never needs credentials.
    validateHuaweiActions(actions, args.region, args.expectAccountId ?? null);
  } catch (e) {
    if (e instanceof HuaweiActionRefused) return { ok: false, refused: e.text };
    throw e;
  }
  const typed = args.credentials ? { accessKeyId: args.credentials.accessKeyId, accessKeySecret: args.credentials.accessKeySecret, ...(args.credentials.securityToken ? { securityToken: args.credentials.securityToken } : {}), ...(args.credentials.projectId ? { projectId: args.credentials.projectId } : {}) } : null;
  const creds = resolveHuaweiCredentials({ env, ...(typed ? { accessKey: typed } : {}), ...(args.profile && !typed ? { profile: args.profile } : {}) });
  if (!creds.ok) return { ok: false, refused: L(`没有可用的华为云凭据，没有做任何更改：${creds.message}`, `No Huawei Cloud credentials could be used; nothing was changed: ${creds.message}`) };
  const extra = huaweiEnvironment(env);
  const projectId = creds.value.projectId ?? (extra.ok ? extra.value.projectId : undefined);
  const endpoints = huaweiEndpoints(args.region, env);
  if (!endpoints.ok) return { ok: false, refused: L(`API 端点设置无效，没有做任何更改：${endpoints.message}`, `The API endpoint settings are not valid; nothing was changed: ${endpoints.message}`) };
  try {
    const o = await applyHuaweiActions(actions, {
      credentials: creds.value,
      region: args.region,
      // A project id configured for another region (a KooCLI profile's) is not this region's: looked up instead.
      ...(projectId && (creds.value.region ?? args.region) === args.region ? { projectId } : {}),
      endpoints: endpoints.value,
      ...(args.signal ? { signal: args.signal } : {}),
      ...(args.confirm ? { confirm: args.confirm } : {}),
      ...(args.expectAccountId !== undefined ? { expectAccountId: args.expectAccountId } : {}),
      ...(args.timeoutMs ? { timeoutMs: args.timeoutMs } : {}),
      ...(args.log ? { log: args.log } : {}),
    });
    return {
      ok: true,
      outcome: {
        applied: o.applied,
        failure: o.failure ? { index: o.failure.index, api: o.failure.api, code: o.failure.error.code, message: o.failure.message, requestId: o.failure.error.requestId ?? null } : null,
        notSent: o.notSent,
      },
    };
  } catch (e) {
    if (e instanceof HuaweiActionRefused) return { ok: false, refused: e.text };
    throw e;
  }
}

export const huaweiApply: ProviderApply = {
  applyActions: applyThroughPort,
  describeActions: (actions, ctx = {}) => {
    const known = knownFrom(ctx);
    return actions.map((a) => describeHuaweiAction(a, known));
  },
  // IAM names are resource:verb (vpc:securityGroupRules:create), not the API name: from the write table.
  permissions: (actions) => [...new Set(actions.filter((a) => Object.hasOwn(HUAWEI_WRITE_ACTIONS, a.api)).map((a) => HUAWEI_WRITE_ACTIONS[a.api]))],
};

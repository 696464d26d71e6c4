// Guarded apply of a fix's Alibaba Cloud actions, with undo (issue 11 §2).
//
// A fix carries `CloudAction {api, params}`: one Alibaba API call in its own names. `applyActions` sends each
// action through the same signed SDK path as the reader (generic OpenAPI `callApi`, ACS3 signature), in order,
// and stops at the first failure. Around each write it reads the group / ACL / instance before and after, so
// that it records exactly what was created (the new rule's SecurityGroupRuleId, found by matching the rule's
// fields) and an undo that removes exactly that. A rule that is already there is success with no change.
//
// Safety:
//   - only the fix actions of actions.ts (`fix: true`) are ever sent: an action list read from a session file
//     (untrusted) naming DeleteInstance, another region or a malformed id is refused before anything is sent;
//   - a `ClientToken` (a UUID the caller keeps in the session per action) goes with every API that takes one,
//     so a retry after a lost answer or a crash does not add a second rule;
//   - a denied write (Forbidden.RAM, NoPermission) names the RAM action to grant (call.ts).
import { z } from 'zod';
import { randomUUID } from 'node:crypto';
import type { Localized } from '../../diagnosis/types';
import { L } from '../../i18n';
import type { CloudError } from '../model';
import type { CloudAction } from '../provider';
import { makeRedactor, type Redactor } from '../redact';
import { isCloudId, isRegionId } from '../ids';
import { ACTIONS, API_VERSIONS, FIX_ACTIONS, type ActionName } from './actions';
import { callApi, type CallPolicy } from './call';
import type { ResolvedCredentials } from './credentials';
import { checkEndpoints, type Endpoints } from './endpoints';
import { bodyOf, loadSdk, runtimeOptions, type EcsClient, type VpcClient } from './sdk';

// ---- the record ---------------------------------------------------------------------------------------------

/** A rule as the API describes it (PascalCase fields of DescribeSecurityGroupAttribute's Permission). */
export type ApiRule = Record<string, string>;

/** What one applied action changed, with the actions that put it back. Kept in the session. */
export interface AppliedChange {
  /** ISO time the write was answered. */
  at: string;
  api: string;
  params: Record<string, unknown>;
  /** The write's RequestId (null when nothing had to be written). */
  requestId: string | null;
  clientToken: string | null;
  /** False: the change was already there, nothing was written. */
  changed: boolean;
  created: {
    securityGroupId?: string;
    /** Rules the write added (ids as read back). */
    ruleIds?: string[];
    /** Their fields as read back (to show what an undo removes). */
    rules?: ApiRule[];
    /** Rules the write removed or replaced (their fields as they were). */
    removedRules?: ApiRule[];
    /** ModifySecurityGroupRule: the changed fields' previous values. */
    previous?: Record<string, string>;
    networkAclId?: string;
    /** UpdateNetworkAclEntries: the direction's entry list before the write. */
    previousEntries?: { direction: 'ingress' | 'egress'; entries: Record<string, string>[] }[];
    instanceId?: string;
    previousStatus?: string;
  };
  /** Removes exactly what was created (empty when there is nothing to undo or it is not undone automatically). */
  undo: CloudAction[];
  /** Why `undo` is empty although something changed. */
  undoNote?: Localized;
  note: Localized;
}

export interface ApplyFailure {
  /** Index in the action list of the action that failed (those after it were not sent). */
  index: number;
  api: string;
  error: CloudError;
  message: Localized;
}

export interface ApplyOutcome {
  applied: AppliedChange[];
  failure: ApplyFailure | null;
  /** Actions not sent because an earlier one failed or the run was cancelled. */
  notSent: number;
}

export interface ApplyOptions {
  credentials: ResolvedCredentials;
  endpoints: Endpoints;
  region: string;
  signal?: AbortSignal;
  /** Asked once, after validation (and the account check) and before the first write; false → nothing is sent. */
  confirm?: () => Promise<boolean>;
  /**
   * The account the diagnosis was read in: before anything is written, STS GetCallerIdentity (no permission
   * needed) must say the credentials belong to it; otherwise nothing is sent.
   */
  expectAccountId?: string | null;
  /** A ClientToken per action (same order), kept by the caller so a retry is idempotent; made up when absent. */
  clientTokens?: readonly string[];
  timeoutMs?: number;
  retries?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Progress lines (redacted). */
  log?: (line: string) => void;
  now?: () => Date;
}

// ---- validation of actions from outside ---------------------------------------------------------------------

const scalar = z.union([z.string().max(4096), z.number().finite(), z.boolean()]);
const paramValue: z.ZodType<unknown> = z.lazy(() => z.union([scalar, z.array(z.union([scalar, z.record(z.string().max(128), scalar)])).max(200), z.record(z.string().max(128), scalar)]));
export const cloudActionSchema = z.object({
  api: z.string().min(1).max(64),
  params: z.record(z.string().min(1).max(128), paramValue),
});
export const cloudActionsSchema = z.array(cloudActionSchema).min(1).max(20);

/** APIs that take a ClientToken (idempotency; documented request parameter of each). */
const CLIENT_TOKEN_APIS = new Set(['AuthorizeSecurityGroup', 'AuthorizeSecurityGroupEgress', 'RevokeSecurityGroup', 'RevokeSecurityGroupEgress', 'ModifySecurityGroupRule', 'ModifySecurityGroupEgressRule', 'UpdateNetworkAclEntries']);

const INGRESS_APIS = new Set(['AuthorizeSecurityGroup', 'RevokeSecurityGroup', 'ModifySecurityGroupRule']);

/**
 * RPC form of the parameters: arrays and objects become `Name.N.Field` (1-based), as the API takes them.
 * `{Permissions: [{IpProtocol:'tcp'}]}` and `{'Permissions.1.IpProtocol': 'tcp'}` are the same request.
 */
export function flattenParams(params: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  const put = (key: string, v: unknown): void => {
    if (v === undefined || v === null) return;
    if (Array.isArray(v)) v.forEach((x, i) => put(`${key}.${i + 1}`, x));
    else if (typeof v === 'object') for (const [k, x] of Object.entries(v as Record<string, unknown>)) put(`${key}.${k}`, x);
    else out[key] = String(v);
  };
  for (const [k, v] of Object.entries(params)) put(k, v);
  return out;
}

/** `Prefix.N.Field` entries grouped by N (in N order). */
function listOf(flat: Record<string, string>, prefix: string): Record<string, string>[] {
  const byIndex = new Map<number, Record<string, string>>();
  const re = new RegExp(`^${prefix}\\.(\\d+)\\.(.+)$`);
  for (const [k, v] of Object.entries(flat)) {
    const m = re.exec(k);
    if (!m) continue;
    const n = Number(m[1]);
    if (!byIndex.has(n)) byIndex.set(n, {});
    byIndex.get(n)![m[2]] = v;
  }
  return [...byIndex.entries()].sort((a, b) => a[0] - b[0]).map(([, v]) => v);
}

/** `Name.N` values (in N order). */
function indexedValues(flat: Record<string, string>, name: string): string[] {
  const re = new RegExp(`^${name}\\.(\\d+)$`);
  return Object.entries(flat)
    .map(([k, v]) => [re.exec(k), v] as const)
    .filter(([m]) => m)
    .sort((a, b) => Number(a[0]![1]) - Number(b[0]![1]))
    .map(([, v]) => v);
}

const RULE_FIELDS = ['IpProtocol', 'PortRange', 'SourcePortRange', 'SourceCidrIp', 'Ipv6SourceCidrIp', 'SourceGroupId', 'SourceGroupOwnerAccount', 'SourceGroupOwnerId', 'SourcePrefixListId', 'DestCidrIp', 'Ipv6DestCidrIp', 'DestGroupId', 'DestGroupOwnerAccount', 'DestGroupOwnerId', 'DestPrefixListId', 'PortRangeListId', 'Policy', 'Priority', 'NicType', 'Description'];
/** Fields that decide what a rule does (Description does not). */
const MATCH_FIELDS = RULE_FIELDS.filter((f) => f !== 'Description' && f !== 'SourceGroupOwnerId' && f !== 'DestGroupOwnerId');

/** The rules an Authorize call asks for: the `Permissions.N.*` list, or the older top-level single rule. */
export function requestedRules(flat: Record<string, string>): ApiRule[] {
  const listed = listOf(flat, 'Permissions');
  if (listed.length) return listed;
  const single: ApiRule = {};
  for (const f of RULE_FIELDS) if (flat[f] !== undefined) single[f] = flat[f];
  return Object.keys(single).length ? [single] : [];
}

const norm = (field: string, v: string | undefined): string => {
  const s = (v ?? '').trim();
  switch (field) {
    case 'IpProtocol':
      return s.toUpperCase();
    case 'Policy':
      return (s || 'accept').toLowerCase();
    case 'Priority':
      return s || '1';
    case 'NicType':
      return s || 'intranet';
    default:
      return s;
  }
};

/** Does the existing rule (as read back) do exactly what the requested rule asks? */
export function ruleMatches(existing: ApiRule, wanted: ApiRule): boolean {
  return MATCH_FIELDS.every((f) => norm(f, existing[f]) === norm(f, wanted[f]));
}

function ruleAsRequest(r: ApiRule): ApiRule {
  const out: ApiRule = {};
  for (const f of RULE_FIELDS) if (r[f] !== undefined && r[f] !== '') out[f] = f === 'Policy' ? r[f].toLowerCase() : r[f];
  return out;
}

export class ActionRefused extends Error {
  constructor(readonly text: Localized) {
    super(text.en);
    this.name = 'ActionRefused';
  }
}

/**
 * Checks an action list before anything is sent: only fix APIs, every id in its documented shape, the region
 * the session was read in. Returns the flattened parameters (with RegionId filled in).
 */
export function validateActions(actions: readonly CloudAction[], region: string): { api: ActionName; flat: Record<string, string> }[] {
  if (!isRegionId(region)) throw new ActionRefused(L(`地域 ${JSON.stringify(region)} 不是有效的地域 ID`, `${JSON.stringify(region)} is not a region id`));
  const parsed = cloudActionsSchema.safeParse(actions);
  if (!parsed.success) throw new ActionRefused(L('修复步骤的格式不对，未执行任何操作', `The fix's actions are malformed (${parsed.error.issues[0]?.message ?? 'invalid'}); nothing was sent`));
  return parsed.data.map((a) => {
    if (!(FIX_ACTIONS as string[]).includes(a.api)) {
      throw new ActionRefused(L(`不会执行 ${a.api}：它不是 SG Doctor 用来修复的操作`, `${a.api} is not one of the fix actions SG Doctor performs; nothing was sent`));
    }
    const flat = flattenParams(a.params);
    const placeholder = Object.entries(flat).find(([, v]) => /<[a-z][a-z0-9-]*>/i.test(v));
    if (placeholder) {
      throw new ActionRefused(L(`${a.api} 的 ${placeholder[0]} 还是占位符 ${placeholder[1]}：先补上真实的值`, `${a.api}: ${placeholder[0]} is still the placeholder ${placeholder[1]}; nothing was sent`));
    }
    if (flat.RegionId !== undefined && flat.RegionId !== region) {
      throw new ActionRefused(L(`${a.api} 指向地域 ${flat.RegionId}，而诊断读取的是 ${region}`, `${a.api} names region ${flat.RegionId} but the diagnosis read ${region}; nothing was sent`));
    }
    flat.RegionId = region;
    const checkId = (kind: 'instance' | 'securityGroup', key: string, required: boolean): void => {
      const v = flat[key];
      if (v === undefined ? required : !isCloudId(kind, v)) throw new ActionRefused(L(`${a.api} 的 ${key} 无效或缺失`, `${a.api}: ${key} is missing or not a valid id; nothing was sent`));
    };
    if (/SecurityGroup/.test(a.api)) checkId('securityGroup', 'SecurityGroupId', true);
    if (/^(JoinSecurityGroup|LeaveSecurityGroup|StartInstance)$/.test(a.api)) checkId('instance', 'InstanceId', true);
    if (a.api === 'UpdateNetworkAclEntries' && !/^nacl-[a-z0-9]{6,64}$/i.test(flat.NetworkAclId ?? '')) {
      throw new ActionRefused(L('UpdateNetworkAclEntries 的 NetworkAclId 无效或缺失', 'UpdateNetworkAclEntries: NetworkAclId is missing or not a valid id; nothing was sent'));
    }
    if (/^Authorize/.test(a.api) && requestedRules(flat).length === 0) throw new ActionRefused(L(`${a.api} 没有给出规则`, `${a.api} names no rule; nothing was sent`));
    return { api: a.api as ActionName, flat };
  });
}

// ---- rendering (the diff shown before confirming) -----------------------------------------------------------

const ruleText = (r: ApiRule, egress: boolean): string => {
  const peer = egress
    ? r.DestCidrIp || r.Ipv6DestCidrIp || r.DestGroupId || r.DestPrefixListId || 'any'
    : r.SourceCidrIp || r.Ipv6SourceCidrIp || r.SourceGroupId || r.SourcePrefixListId || 'any';
  return `${norm('Policy', r.Policy)} ${norm('IpProtocol', r.IpProtocol)} ${r.PortRange ?? '-1/-1'} ${egress ? 'to' : 'from'} ${peer} priority ${norm('Priority', r.Priority)}`;
};

/** What a rule id stands for (from the diagnosis' snapshot or an earlier apply), for the diff; null = unknown. */
export type RuleLookup = (groupId: string, ruleId: string) => ApiRule | null;

/** The rules of a snapshot (the provider-neutral model) in the API's field names, for `describeAction`. */
export function ruleLookupFromSnapshot(snapshot: unknown, extra: readonly ApiRule[] = []): RuleLookup {
  const groups = ((snapshot as { securityGroups?: unknown } | null)?.securityGroups ?? []) as { id?: string; rules?: Record<string, unknown>[] }[];
  return (groupId, ruleId) => {
    const known = extra.find((r) => r.SecurityGroupRuleId === ruleId);
    if (known) return known;
    const rule = (Array.isArray(groups) ? groups : []).find((g) => g.id === groupId)?.rules?.find((r) => r.id === ruleId);
    if (!rule) return null;
    const peer = (rule.peer ?? {}) as { kind?: string; cidr?: string; groupId?: string; prefixListId?: string; family?: number };
    return {
      IpProtocol: str(rule.rawProtocol ?? rule.protocol),
      PortRange: str(rule.rawPortRange),
      Policy: str(rule.policy),
      Priority: str(rule.priority),
      ...(peer.kind === 'cidr' ? { [peer.family === 6 ? 'Ipv6SourceCidrIp' : 'SourceCidrIp']: str(peer.cidr) } : {}),
      ...(peer.kind === 'group' ? { SourceGroupId: str(peer.groupId) } : {}),
      ...(peer.kind === 'prefix-list' ? { SourcePrefixListId: str(peer.prefixListId) } : {}),
    };
  };
}

/** The change one action asks for, as diff lines ("+ …" added, "- …" removed, "~ …" changed). */
export function describeAction(action: CloudAction, lookup?: RuleLookup): string[] {
  const flat = flattenParams(action.params);
  const egress = /Egress/.test(action.api);
  const where = flat.SecurityGroupId ?? flat.NetworkAclId ?? flat.InstanceId ?? '';
  switch (action.api) {
    case 'AuthorizeSecurityGroup':
    case 'AuthorizeSecurityGroupEgress':
      return [`${where} ${egress ? 'egress' : 'ingress'}:`, ...requestedRules(flat).map((r) => `+ ${ruleText(r, egress)}`)];
    case 'RevokeSecurityGroup':
    case 'RevokeSecurityGroupEgress': {
      const ids = indexedValues(flat, 'SecurityGroupRuleId');
      const known = (id: string): string => {
        const r = lookup?.(where, id);
        return r ? ` (${ruleText(r, egress)})` : '';
      };
      return [`${where} ${egress ? 'egress' : 'ingress'}:`, ...(ids.length ? ids.map((id) => `- rule ${id}${known(id)}`) : requestedRules(flat).map((r) => `- ${ruleText(r, egress)}`))];
    }
    case 'ModifySecurityGroupRule':
    case 'ModifySecurityGroupEgressRule': {
      const before = flat.SecurityGroupRuleId ? lookup?.(where, flat.SecurityGroupRuleId) : null;
      const changes = RULE_FIELDS.filter((f) => flat[f] !== undefined).map((f) => `${f} ${before && before[f] !== undefined ? `${before[f]} → ` : ''}${flat[f]}`);
      return [`${where} rule ${flat.SecurityGroupRuleId ?? '?'}${before ? ` (${ruleText(before, egress)})` : ''}:`, `~ ${changes.join(', ')}`];
    }
    case 'JoinSecurityGroup':
      return [`${where}:`, `+ security group ${flat.SecurityGroupId}`];
    case 'LeaveSecurityGroup':
      return [`${where}:`, `- security group ${flat.SecurityGroupId}`];
    case 'StartInstance':
      return [`${where}:`, '~ Stopped → Running'];
    case 'UpdateNetworkAclEntries': {
      const lines = [`${where}:`];
      for (const dir of ['Ingress', 'Egress'] as const) {
        if (flat[`Update${dir}AclEntries`] !== 'true') continue;
        const cidr = dir === 'Ingress' ? 'SourceCidrIp' : 'DestinationCidrIp';
        lines.push(`  ${dir.toLowerCase()} entries become (in order):`);
        for (const e of listOf(flat, `${dir}AclEntries`)) lines.push(`${e.NetworkAclEntryId ? ' ' : '+'} ${e.Policy ?? '?'} ${e.Protocol ?? '?'} ${e.Port ?? '?'} ${dir === 'Ingress' ? 'from' : 'to'} ${e[cidr] ?? '?'}${e.NetworkAclEntryName ? ` (${e.NetworkAclEntryName})` : ''}`);
      }
      return lines;
    }
    default:
      return [`${action.api} ${JSON.stringify(action.params)}`];
  }
}

// ---- the executor -------------------------------------------------------------------------------------------

interface Io {
  call(api: string, flat: Record<string, string>, what: string, retries: number): Promise<{ ok: true; body: Record<string, unknown> } | { ok: false; error: CloudError }>;
}

const rpc = (action: string, version: string): never =>
  ({ action, version, protocol: 'HTTPS', pathname: '/', method: 'POST', authType: 'AK', style: 'RPC', reqBodyType: 'formData', bodyType: 'json' }) as never;

async function makeIo(opts: ApplyOptions, redact: Redactor): Promise<Io> {
  const { makeEcsClient, makeVpcClient, makeStsClient } = await loadSdk();
  const timeoutMs = opts.timeoutMs ?? 8000;
  const clientOpts = { credential: opts.credentials.credential, region: opts.region, endpoints: opts.endpoints, timeoutMs };
  let ecs: EcsClient | null = null;
  let vpc: VpcClient | null = null;
  let sts: EcsClient | null = null;
  const runtime = runtimeOptions(timeoutMs);
  return {
    async call(api, flat, what, retries) {
      const info = (ACTIONS as Record<string, { product: 'ecs' | 'vpc' | 'sts' }>)[api];
      const product = info?.product ?? 'ecs';
      const policy: CallPolicy = { timeoutMs, retries, baseDelayMs: opts.baseDelayMs ?? 300, maxDelayMs: opts.maxDelayMs ?? 3000, signal: opts.signal, redact };
      const client = product === 'vpc' ? (vpc ??= makeVpcClient(clientOpts)) : product === 'sts' ? (sts ??= makeStsClient(clientOpts)) : (ecs ??= makeEcsClient(clientOpts));
      const out = await callApi(api as ActionName, what, ['fix'], async () => bodyOf(await client.callApi(rpc(api, API_VERSIONS[product]), { query: flat } as never, runtime)), policy);
      return out.ok ? { ok: true, body: out.value } : { ok: false, error: out.error };
    },
  };
}

const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));
const rulesOf = (body: Record<string, unknown>): ApiRule[] => {
  const perms = ((body.Permissions as { Permission?: unknown } | undefined)?.Permission ?? []) as Record<string, unknown>[];
  return Array.isArray(perms) ? perms.map((p) => Object.fromEntries(Object.entries(p).map(([k, v]) => [k, str(v)]))) : [];
};

/**
 * Applies the actions in order. Stops at the first failure (the outcome says which were applied). Never throws
 * for an API outcome; throws ActionRefused when the list itself is refused (nothing sent).
 */
export async function applyActions(actions: readonly CloudAction[], opts: ApplyOptions): Promise<ApplyOutcome> {
  const steps = validateActions(actions, opts.region);
  const e = checkEndpoints(opts.endpoints);
  if (!e.ok) throw new ActionRefused(L(`API 端点无效：${e.message}`, `invalid API endpoint: ${e.message}`));
  let redact: Redactor = opts.credentials.redact;
  try {
    const model = await opts.credentials.credential.getCredential();
    const extra = makeRedactor([model.accessKeySecret, model.securityToken], [model.accessKeyId]);
    const inner = opts.credentials.redact;
    redact = (t) => extra(inner(t));
  } catch {
    // The first call reports the credential problem in its own words.
  }
  const io = await makeIo(opts, redact);
  if (opts.expectAccountId) {
    const who = await io.call('GetCallerIdentity', {}, '', 2);
    if (!who.ok) return { applied: [], failure: { index: 0, api: 'GetCallerIdentity', error: who.error, message: L(`无法确认凭据所属的账号，没有做任何更改：${who.error.message}`, `Could not tell which account the credentials belong to; nothing was changed: ${who.error.message}`) }, notSent: steps.length };
    const account = str(who.body.AccountId);
    if (account !== opts.expectAccountId) {
      throw new ActionRefused(
        L(
          `这些凭据属于账号 ${account || '（未知）'}，而诊断读取的是账号 ${opts.expectAccountId}：没有做任何更改`,
          `These credentials belong to account ${account || '(unknown)'} but the diagnosis read account ${opts.expectAccountId}; nothing was changed`,
        ),
      );
    }
  }
  if (opts.confirm && !(await opts.confirm())) return { applied: [], failure: null, notSent: steps.length };
  const now = opts.now ?? (() => new Date());
  const applied: AppliedChange[] = [];
  for (let i = 0; i < steps.length; i++) {
    if (opts.signal?.aborted) return { applied, failure: null, notSent: steps.length - i };
    const { api, flat } = steps[i];
    const token = CLIENT_TOKEN_APIS.has(api) ? (opts.clientTokens?.[i] ?? randomUUID()) : null;
    opts.log?.(redact(`${api} ${flat.SecurityGroupId ?? flat.NetworkAclId ?? flat.InstanceId ?? ''}`));
    const r = await applyOne(io, api, flat, token, actions[i].params, now);
    if (!r.ok) return { applied, failure: { index: i, api, error: r.error, message: failureText(api, r.error) }, notSent: steps.length - i - 1 };
    applied.push(r.change);
  }
  return { applied, failure: null, notSent: 0 };
}

function failureText(api: string, error: CloudError): Localized {
  if (error.grant) {
    return L(
      `${api} 被拒绝（${error.code}）：当前 RAM 用户或角色没有写权限。请授予 ${error.grant}（sg-doctor cloud policy --write 会打印所需的写策略）。`,
      `${api} was denied (${error.code}): the RAM user or role may not make this change. Grant ${error.grant} (sg-doctor cloud policy --write prints the write policy).`,
    );
  }
  return L(`${api} 失败：${error.message}`, `${api} failed: ${error.message}`);
}

type StepResult = { ok: true; change: AppliedChange } | { ok: false; error: CloudError };

async function applyOne(io: Io, api: ActionName, flat: Record<string, string>, token: string | null, params: Record<string, unknown>, now: () => Date): Promise<StepResult> {
  const region = flat.RegionId;
  const base = { api, params, clientToken: token };
  const write = async (): Promise<{ ok: true; requestId: string | null } | { ok: false; error: CloudError }> => {
    // With a ClientToken a retry is idempotent: retry on throttling / timeouts. Without one, send once.
    const r = await io.call(api, token ? { ...flat, ClientToken: token } : flat, flat.SecurityGroupId ?? flat.NetworkAclId ?? flat.InstanceId ?? '', token ? 2 : 0);
    return r.ok ? { ok: true, requestId: typeof r.body.RequestId === 'string' ? r.body.RequestId : null } : r;
  };
  const unchanged = (created: AppliedChange['created'], note: Localized): StepResult => ({ ok: true, change: { ...base, at: now().toISOString(), requestId: null, changed: false, created, undo: [], note } });

  if (/SecurityGroup(Egress)?$|SecurityGroup(Egress)?Rule$/.test(api) && api !== 'JoinSecurityGroup' && api !== 'LeaveSecurityGroup') {
    const groupId = flat.SecurityGroupId;
    const egress = !INGRESS_APIS.has(api);
    const direction = egress ? 'egress' : 'ingress';
    const read = async (): Promise<{ ok: true; rules: ApiRule[] } | { ok: false; error: CloudError }> => {
      const r = await io.call('DescribeSecurityGroupAttribute', { RegionId: region, SecurityGroupId: groupId, Direction: direction }, groupId, 2);
      return r.ok ? { ok: true, rules: rulesOf(r.body).filter((x) => (x.Direction || direction) === direction) } : r;
    };
    const before = await read();
    if (!before.ok) return before;

    if (api === 'AuthorizeSecurityGroup' || api === 'AuthorizeSecurityGroupEgress') {
      const wanted = requestedRules(flat);
      const missing = wanted.filter((w) => !before.rules.some((x) => ruleMatches(x, w)));
      if (!missing.length) {
        const ids = wanted.map((w) => before.rules.find((x) => ruleMatches(x, w))!.SecurityGroupRuleId).filter(Boolean);
        return unchanged({ securityGroupId: groupId, ruleIds: [] }, L(`${groupId} 里已经有这条规则（${ids.join('、')}），没有改动`, `The rule is already in ${groupId} (${ids.join(', ')}); nothing was changed`));
      }
      const w = await write();
      if (!w.ok) return w;
      const after = await read();
      if (!after.ok) return after;
      const beforeIds = new Set(before.rules.map((x) => x.SecurityGroupRuleId));
      const created = after.rules.filter((x) => !beforeIds.has(x.SecurityGroupRuleId) && missing.some((m) => ruleMatches(x, m)));
      const ids = created.map((x) => x.SecurityGroupRuleId).filter(Boolean);
      const undo: CloudAction[] = ids.length
        ? [{ api: egress ? 'RevokeSecurityGroupEgress' : 'RevokeSecurityGroup', params: { RegionId: region, SecurityGroupId: groupId, ...Object.fromEntries(ids.map((id, k) => [`SecurityGroupRuleId.${k + 1}`, id])) } }]
        : [];
      return {
        ok: true,
        change: {
          ...base,
          at: now().toISOString(),
          requestId: w.requestId,
          changed: true,
          created: { securityGroupId: groupId, ruleIds: ids, rules: created.map(ruleAsRequest).map((r, k) => ({ ...r, SecurityGroupRuleId: ids[k] })) },
          undo,
          ...(ids.length < missing.length ? { undoNote: L('读回安全组时没有找到全部新规则，撤销只会删除找到的规则', 'Reading the group back did not find every new rule: undo removes only the rules it found') } : {}),
          note: L(`已在 ${groupId} 添加 ${ids.length} 条规则（${ids.join('、')}）`, `Added ${ids.length} rule(s) to ${groupId} (${ids.join(', ')})`),
        },
      };
    }

    if (api === 'RevokeSecurityGroup' || api === 'RevokeSecurityGroupEgress') {
      const ids = indexedValues(flat, 'SecurityGroupRuleId');
      const byFields = requestedRules(flat);
      const targets = before.rules.filter((x) => (ids.length ? ids.includes(x.SecurityGroupRuleId) : byFields.some((w) => ruleMatches(x, w))));
      if (!targets.length) return unchanged({ securityGroupId: groupId, removedRules: [] }, L(`${groupId} 里已经没有这条规则，没有改动`, `The rule is no longer in ${groupId}; nothing was changed`));
      const w = await write();
      if (!w.ok) return w;
      const after = await read();
      if (!after.ok) return after;
      const gone = targets.filter((t) => !after.rules.some((x) => x.SecurityGroupRuleId === t.SecurityGroupRuleId));
      return {
        ok: true,
        change: {
          ...base,
          at: now().toISOString(),
          requestId: w.requestId,
          changed: gone.length > 0,
          created: { securityGroupId: groupId, removedRules: gone },
          undo: gone.length
            ? [{ api: egress ? 'AuthorizeSecurityGroupEgress' : 'AuthorizeSecurityGroup', params: { RegionId: region, SecurityGroupId: groupId, ...flattenParams({ Permissions: gone.map(ruleAsRequest) }) } }]
            : [],
          note: L(`已从 ${groupId} 删除 ${gone.length} 条规则（${gone.map((g) => g.SecurityGroupRuleId).join('、')}）`, `Removed ${gone.length} rule(s) from ${groupId} (${gone.map((g) => g.SecurityGroupRuleId).join(', ')})`),
        },
      };
    }

    // ModifySecurityGroupRule / ModifySecurityGroupEgressRule
    const ruleId = flat.SecurityGroupRuleId;
    const rule = before.rules.find((x) => x.SecurityGroupRuleId === ruleId);
    if (!rule) return { ok: false, error: { action: api, code: 'InvalidSecurityGroupRuleId.NotFound', message: `rule ${ruleId} is not in ${groupId} (any more)`, leavesUnknown: ['fix'] } };
    const fields = RULE_FIELDS.filter((f) => flat[f] !== undefined);
    const differs = fields.filter((f) => norm(f, rule[f]) !== norm(f, flat[f]));
    if (!differs.length) return unchanged({ securityGroupId: groupId, ruleIds: [ruleId], previous: {} }, L(`规则 ${ruleId} 已经是这样，没有改动`, `Rule ${ruleId} is already like that; nothing was changed`));
    const w = await write();
    if (!w.ok) return w;
    const previous = Object.fromEntries(differs.map((f) => [f, rule[f] ?? '']));
    return {
      ok: true,
      change: {
        ...base,
        at: now().toISOString(),
        requestId: w.requestId,
        changed: true,
        created: { securityGroupId: groupId, ruleIds: [ruleId], previous },
        undo: [{ api, params: { RegionId: region, SecurityGroupId: groupId, SecurityGroupRuleId: ruleId, ...Object.fromEntries(differs.map((f) => [f, f === 'Policy' ? (rule[f] ?? '').toLowerCase() : (rule[f] ?? '')])) } }],
        note: L(`已修改规则 ${ruleId}：${differs.map((f) => `${f} ${rule[f] ?? ''} → ${flat[f]}`).join('，')}`, `Changed rule ${ruleId}: ${differs.map((f) => `${f} ${rule[f] ?? ''} → ${flat[f]}`).join(', ')}`),
      },
    };
  }

  if (api === 'JoinSecurityGroup' || api === 'LeaveSecurityGroup' || api === 'StartInstance') {
    const instanceId = flat.InstanceId;
    const read = async (): Promise<{ ok: true; groups: string[]; status: string } | { ok: false; error: CloudError }> => {
      const r = await io.call('DescribeInstances', { RegionId: region, InstanceIds: JSON.stringify([instanceId]) }, instanceId, 2);
      if (!r.ok) return r;
      const inst = (((r.body.Instances as { Instance?: unknown[] } | undefined)?.Instance ?? [])[0] ?? null) as Record<string, unknown> | null;
      if (!inst) return { ok: false, error: { action: 'DescribeInstances', code: 'InvalidInstanceId.NotFound', message: `instance ${instanceId} was not found in ${region}`, leavesUnknown: ['instance'] } };
      const groups = ((inst.SecurityGroupIds as { SecurityGroupId?: unknown[] } | undefined)?.SecurityGroupId ?? []).map(str);
      return { ok: true, groups, status: str(inst.Status) };
    };
    const before = await read();
    if (!before.ok) return before;
    if (api === 'StartInstance') {
      if (before.status === 'Running' || before.status === 'Starting') return unchanged({ instanceId, previousStatus: before.status }, L(`实例 ${instanceId} 已经在运行，没有改动`, `Instance ${instanceId} is already running; nothing was changed`));
      const w = await write();
      if (!w.ok) return w;
      return {
        ok: true,
        change: {
          ...base,
          at: now().toISOString(),
          requestId: w.requestId,
          changed: true,
          created: { instanceId, previousStatus: before.status },
          undo: [],
          undoNote: L('启动实例不会自动撤销：停止服务器请在控制台或用 StopInstance 自行操作', 'Starting the instance is not undone automatically: stop the server yourself (console or StopInstance) if you mean to'),
          note: L(`已启动实例 ${instanceId}（之前为 ${before.status}）`, `Started instance ${instanceId} (it was ${before.status})`),
        },
      };
    }
    const groupId = flat.SecurityGroupId;
    const join = api === 'JoinSecurityGroup';
    if (before.groups.includes(groupId) === join) {
      return unchanged({ instanceId, securityGroupId: groupId }, join ? L(`实例已在安全组 ${groupId} 中，没有改动`, `The instance is already in ${groupId}; nothing was changed`) : L(`实例已不在安全组 ${groupId} 中，没有改动`, `The instance is not in ${groupId}; nothing was changed`));
    }
    const w = await write();
    if (!w.ok) return w;
    return {
      ok: true,
      change: {
        ...base,
        at: now().toISOString(),
        requestId: w.requestId,
        changed: true,
        created: { instanceId, securityGroupId: groupId },
        undo: [{ api: join ? 'LeaveSecurityGroup' : 'JoinSecurityGroup', params: { RegionId: region, InstanceId: instanceId, SecurityGroupId: groupId } }],
        note: join ? L(`已把实例加入安全组 ${groupId}`, `Added the instance to ${groupId}`) : L(`已把实例移出安全组 ${groupId}`, `Removed the instance from ${groupId}`),
      },
    };
  }

  // UpdateNetworkAclEntries: the call replaces a direction's whole list; the undo puts the previous list back.
  const aclId = flat.NetworkAclId;
  const readAcl = async (): Promise<{ ok: true; ingress: Record<string, string>[]; egress: Record<string, string>[] } | { ok: false; error: CloudError }> => {
    const r = await io.call('DescribeNetworkAclAttributes', { RegionId: region, NetworkAclId: aclId }, aclId, 2);
    if (!r.ok) return r;
    const a = (r.body.NetworkAclAttribute ?? {}) as Record<string, unknown>;
    const entries = (v: unknown, key: string): Record<string, string>[] => {
      const list = ((v as Record<string, unknown> | undefined)?.[key] ?? []) as Record<string, unknown>[];
      return Array.isArray(list) ? list.map((x) => Object.fromEntries(Object.entries(x).map(([k, y]) => [k, str(y)]))) : [];
    };
    return { ok: true, ingress: entries(a.IngressAclEntries, 'IngressAclEntry'), egress: entries(a.EgressAclEntries, 'EgressAclEntry') };
  };
  const before = await readAcl();
  if (!before.ok) return before;
  const dirs = (['ingress', 'egress'] as const).filter((d) => flat[`Update${d === 'ingress' ? 'Ingress' : 'Egress'}AclEntries`] === 'true');
  const sameAsWanted = dirs.every((d) => {
    const field = d === 'ingress' ? 'SourceCidrIp' : 'DestinationCidrIp';
    const wanted = listOf(flat, `${d === 'ingress' ? 'Ingress' : 'Egress'}AclEntries`);
    const have = before[d].filter((x) => (x.EntryType || 'custom') !== 'system');
    return have.length === wanted.length && wanted.every((w, k) => ['Policy', 'Protocol', 'Port', field].every((f) => (have[k][f] ?? '').toLowerCase() === (w[f] ?? '').toLowerCase()));
  });
  if (sameAsWanted) return unchanged({ networkAclId: aclId, previousEntries: [] }, L(`网络 ACL ${aclId} 的条目已经是这样，没有改动`, `The entries of network ACL ${aclId} are already like that; nothing was changed`));
  const w = await write();
  if (!w.ok) return w;
  const previousEntries = dirs.map((d) => ({ direction: d, entries: before[d].filter((x) => (x.EntryType || 'custom') !== 'system') }));
  const undoParams: Record<string, unknown> = { RegionId: region, NetworkAclId: aclId };
  for (const p of previousEntries) {
    const D = p.direction === 'ingress' ? 'Ingress' : 'Egress';
    const field = p.direction === 'ingress' ? 'SourceCidrIp' : 'DestinationCidrIp';
    undoParams[`Update${D}AclEntries`] = true;
    Object.assign(
      undoParams,
      flattenParams({
        [`${D}AclEntries`]: p.entries.map((x) => ({
          ...(x.NetworkAclEntryId ? { NetworkAclEntryId: x.NetworkAclEntryId } : {}),
          ...(x.NetworkAclEntryName ? { NetworkAclEntryName: x.NetworkAclEntryName } : {}),
          Policy: x.Policy,
          Protocol: x.Protocol,
          Port: x.Port,
          [field]: x[field],
          ...(x.Description ? { Description: x.Description } : {}),
        })),
      }),
    );
  }
  return {
    ok: true,
    change: {
      ...base,
      at: now().toISOString(),
      requestId: w.requestId,
      changed: true,
      created: { networkAclId: aclId, previousEntries },
      undo: [{ api: 'UpdateNetworkAclEntries', params: undoParams }],
      note: L(`已更新网络 ACL ${aclId} 的${dirs.map((d) => (d === 'ingress' ? '入' : '出')).join('、')}方向条目`, `Updated the ${dirs.join(' and ')} entries of network ACL ${aclId}`),
    },
  };
}

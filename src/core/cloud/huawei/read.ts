// Reads one Huawei Cloud server's network configuration into a CloudSnapshot (provider 'huawei', with the
// evaluators' providerData). Never throws for API outcomes: each failed call becomes exactly one CloudError
// naming what it leaves unknown and, for a permission error, the IAM action to grant.
//
// Round trips (critical path):
//   1. find the server — ShowServer by id; by a private address ListServersDetails(ip_eq); by a public address
//      ListPublicips(public_ip_address) → ListPorts(id) → ShowServer — with ListFirewall alongside
//   2. in parallel: ListPorts(device_id), ListPublicips of the server's floating addresses, and for every
//      group the server names: ShowSecurityGroup + ListSecurityGroupRules (all pages)
//   3. only when needed: groups named by a port but not by the server; ShowFirewall of the ACL associated
//      with the primary port's subnet
// Every call: per-call timeout, bounded retries with exponential backoff and full jitter on throttling
// (429 / APIGW.0308), 5xx, timeouts and connection resets; pages bounded (maxPages).
import ipaddr from 'ipaddr.js';
import pLimit from 'p-limit';
import { z } from 'zod';
import type { CloudError, CloudSnapshot } from '../model';
import { makeRedactor, type Redactor } from '../redact';
import { resolveHuaweiCredentials, huaweiEnvironment, isHuaweiProjectId, type HuaweiAccessKeyInput, type HuaweiCredentialPaths, type ResolvedHuaweiCredentials } from './credentials';
import { HwFirewallSchema, HwPortSchema, HwPublicipSchema, HwSecurityGroupRuleSchema, HwSecurityGroupSchema, HwServerSchema, firewallForSubnet, mapHuaweiSnapshot, primaryPort, serverAddresses, type HwFirewall, type HwPort, type HwPublicip, type HwSecurityGroup, type HwServer } from './map';
import { huaweiEndpoints, loadHuaweiSdk, makeEcsClient, makeRawClient, makeVpcV2Client, makeVpcV3Client, type HuaweiClient, type RawHcClient } from './sdk';

/** The read-only API calls and the IAM action each needs (for errors and the minimal policy). */
export const HUAWEI_READ_ACTIONS = {
  /** Only when no project id is given: "当前API调用无需策略权限" (IAM API reference, KeystoneListAuthProjects). */
  KeystoneListAuthProjects: { iam: null, service: 'iam' },
  ShowServer: { iam: 'ecs:cloudServers:get', service: 'ecs' },
  ListServersDetails: { iam: 'ecs:cloudServers:list', service: 'ecs' },
  ListPorts: { iam: 'vpc:ports:get', service: 'vpc' },
  ShowSecurityGroup: { iam: 'vpc:securityGroups:get', service: 'vpc' },
  ListSecurityGroupRules: { iam: 'vpc:securityGroupRules:get', service: 'vpc' },
  ListFirewall: { iam: 'vpc:firewalls:list', service: 'vpc' },
  ShowFirewall: { iam: 'vpc:firewalls:get', service: 'vpc' },
  ListPublicips: { iam: 'eip:publicIps:list', service: 'eip' },
  /** Only when a rule references IP address groups. */
  ListAddressGroup: { iam: 'vpc:addressGroups:list', service: 'vpc' },
} as const;
export type HuaweiAction = keyof typeof HUAWEI_READ_ACTIONS;

export interface HuaweiReadOptions {
  /** The server id (a UUID). */
  instanceId?: string;
  /** A private (fixed) address or an EIP of the server, when the id is not known. */
  address?: string;
  region?: string;
  projectId?: string;
  profile?: string;
  credentials?: ResolvedHuaweiCredentials | HuaweiAccessKeyInput;
  credentialOptions?: HuaweiCredentialPaths;
  /** Environment for credentials, region, project id and endpoint overrides (default process.env). */
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  /** Concurrent API calls (default 8). */
  concurrency?: number;
  /** Per-call timeout in ms (default 5000). */
  timeoutMs?: number;
  /** Extra attempts on throttling / 5xx / timeouts (default 3, at most 8). */
  retries?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Pages per paged list (default 50). */
  maxPages?: number;
  /** Rules per page asked for (default 2000, the API's maximum). */
  pageLimit?: number;
  log?: (line: string) => void;
  onAttempt?: (e: { action: HuaweiAction; attempt: number; startedAt: number; endedAt: number; ok: boolean; code?: string }) => void;
  random?: () => number;
}

const SERVER_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isHuaweiServerId = (v: unknown): v is string => typeof v === 'string' && SERVER_ID.test(v);

const isResolved = (c: ResolvedHuaweiCredentials | HuaweiAccessKeyInput): c is ResolvedHuaweiCredentials => 'source' in c && 'redact' in c;

function isPrivate(ip: string): boolean {
  try {
    return ['private', 'carrierGradeNat', 'loopback', 'linkLocal', 'uniqueLocal'].includes(ipaddr.parse(ip).range());
  } catch {
    return false;
  }
}

function emptySnapshot(region: string): CloudSnapshot {
  return {
    provider: 'huawei' as CloudSnapshot['provider'], // TODO(port): ProviderId once the port helper's widening merges
    source: 'api',
    region,
    fetchedAt: new Date().toISOString(),
    instance: null,
    interfaces: [],
    securityGroups: [],
    networkAcls: [],
    eips: [],
    errors: [],
    notes: [],
  };
}

// ---- one call: classify, retry, report once ----------------------------------------------------------------

interface Classified {
  code: string;
  message: string;
  requestId?: string;
  status?: number;
  retryable: boolean;
  permission: boolean;
  credential: boolean;
}

class CallTimeout extends Error {
  constructor(ms: number) {
    super(`no answer within ${ms} ms`);
    this.name = 'CallTimeout';
  }
}

class Malformed extends Error {
  constructor(detail: string) {
    super(detail);
    this.name = 'MalformedResponse';
  }
}

/** Huawei SDK exceptions (ServiceResponseException: httpStatusCode, errorCode, errorMsg, requestId) and network errors. */
export function classifyHuaweiError(err: unknown): Classified {
  if (err instanceof CallTimeout) return { code: 'Timeout', message: err.message, retryable: true, permission: false, credential: false };
  if (err instanceof Malformed) return { code: 'MalformedResponse', message: err.message, retryable: false, permission: false, credential: false };
  const e = (err ?? {}) as { httpStatusCode?: unknown; errorCode?: unknown; errorMsg?: unknown; requestId?: unknown; message?: unknown; code?: unknown };
  const status = typeof e.httpStatusCode === 'number' ? e.httpStatusCode : typeof e.httpStatusCode === 'string' && /^\d+$/.test(e.httpStatusCode) ? Number(e.httpStatusCode) : undefined;
  const apiCode = typeof e.errorCode === 'string' && e.errorCode ? e.errorCode : '';
  const msg = typeof e.errorMsg === 'string' && e.errorMsg ? e.errorMsg : typeof e.message === 'string' ? e.message : String(err);
  const requestId = typeof e.requestId === 'string' && e.requestId ? e.requestId : undefined;
  const base = { requestId, status, message: msg.slice(0, 300) };
  if (status === undefined) {
    if (/timeout|ECONNABORTED|ETIMEDOUT/i.test(msg)) return { ...base, code: 'Timeout', retryable: true, permission: false, credential: false };
    const net = /\b(ECONNREFUSED|ECONNRESET|EPIPE|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|socket hang up)\b/.exec(msg)?.[1];
    if (net) return { ...base, code: net === 'socket hang up' ? 'ECONNRESET' : net, message: `network error ${net} reaching the API endpoint`, retryable: net !== 'ENOTFOUND', permission: false, credential: false };
    return { ...base, code: apiCode || 'Error', retryable: false, permission: false, credential: false };
  }
  if (status === 429 || apiCode === 'APIGW.0308') return { ...base, code: apiCode || 'Throttling', retryable: true, permission: false, credential: false };
  if (status >= 500) return { ...base, code: apiCode || `HTTP${status}`, retryable: true, permission: false, credential: false };
  if (status === 401 || /^APIGW\.03(01|03|04)$/.test(apiCode)) return { ...base, code: apiCode || 'HTTP401', retryable: false, permission: false, credential: true };
  if (status === 403) return { ...base, code: apiCode || 'HTTP403', retryable: false, permission: true, credential: false };
  return { ...base, code: apiCode || `HTTP${status}`, retryable: false, permission: false, credential: false };
}

/** Waits, ending early on abort (shared with apply.ts's backoff). */
export const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });

/** A call with a time limit (a CallTimeout, which classifyHuaweiError reads as Timeout), cut short by `signal`. */
export function withTimeout<T>(p: Promise<T>, ms: number, signal?: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    // axios has the same timeout; this is the backstop and what honours the AbortSignal.
    const t = setTimeout(() => reject(new CallTimeout(ms)), ms + 250);
    const onAbort = () => reject(Object.assign(new Error('aborted'), { code: 'Aborted' }));
    signal?.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => (clearTimeout(t), signal?.removeEventListener('abort', onAbort), resolve(v)),
      (e: unknown) => (clearTimeout(t), signal?.removeEventListener('abort', onAbort), reject(e)),
    );
  });
}

interface Policy {
  timeoutMs: number;
  retries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  signal?: AbortSignal;
  redact: Redactor;
  onAttempt?: HuaweiReadOptions['onAttempt'];
  random: () => number;
}

type Outcome<T> = { ok: true; value: T } | { ok: false; error: CloudError; status?: number };

async function callHuawei<S extends z.ZodTypeAny>(action: HuaweiAction, what: string, leavesUnknown: string[], schema: S, fn: () => Promise<unknown>, policy: Policy): Promise<Outcome<z.infer<S>>> {
  const maxAttempts = 1 + Math.max(0, Math.min(policy.retries, 8));
  let last: Classified | null = null;
  let attempts = 0;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    if (policy.signal?.aborted) {
      last = { code: 'Aborted', message: 'the read was cancelled', retryable: false, permission: false, credential: false };
      break;
    }
    attempts = attempt;
    const startedAt = Date.now();
    try {
      const raw = await withTimeout(fn(), policy.timeoutMs, policy.signal);
      const parsed = schema.safeParse(raw);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new Malformed(`the API answered with a body that does not have the documented shape${issue ? ` (${issue.path.join('.') || 'body'}: ${issue.message})` : ''}`);
      }
      policy.onAttempt?.({ action, attempt, startedAt, endedAt: Date.now(), ok: true });
      return { ok: true, value: parsed.data };
    } catch (err) {
      last = (err as { code?: unknown })?.code === 'Aborted' ? { code: 'Aborted', message: 'the read was cancelled', retryable: false, permission: false, credential: false } : classifyHuaweiError(err);
      policy.onAttempt?.({ action, attempt, startedAt, endedAt: Date.now(), ok: false, code: last.code });
      if (!last.retryable || attempt === maxAttempts) break;
      const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
      await sleep(policy.random() * backoff, policy.signal); // full jitter
    }
  }
  const c = last!;
  const grant = c.permission ? (HUAWEI_READ_ACTIONS[action].iam ?? undefined) : undefined;
  const head = `${action}${what ? ` (${what})` : ''} failed: ${c.code}`;
  const unknown = leavesUnknown.join(', ');
  const detail = c.permission
    ? `${head}. The IAM user is not allowed to call it; ${grant ? `grant ${grant}` : 'check the IAM user'} to read ${unknown}.`
    : c.credential
      ? `${head}: ${c.message}. Check the access key (wrong or disabled AK/SK, an expired temporary key, this computer's clock more than 15 minutes off, or another cloud's endpoint).`
      : c.code === 'Timeout'
        ? `${head} after ${attempts} attempt(s): ${c.message}; ${unknown} stay unknown.`
        : `${head}${attempts > 1 ? ` after ${attempts} attempts` : ''}: ${c.message}; ${unknown} stay unknown.`;
  return {
    ok: false,
    ...(c.status !== undefined ? { status: c.status } : {}),
    error: { action, code: c.code, message: policy.redact(detail), ...(c.requestId ? { requestId: c.requestId } : {}), leavesUnknown, ...(grant ? { grant } : {}) },
  };
}

// ---- response schemas (only what the reader relies on; everything else passes through) --------------------

const ShowServerResp = z.object({ server: HwServerSchema }).passthrough();
const ListServersResp = z.object({ servers: z.array(HwServerSchema), count: z.number().nullish() }).passthrough();
const ListPortsResp = z.object({ ports: z.array(HwPortSchema) }).passthrough();
const ShowGroupResp = z.object({ security_group: HwSecurityGroupSchema }).passthrough();
const PageInfo = z.object({ next_marker: z.string().nullish() }).passthrough().nullish();
const ListRulesResp = z.object({ security_group_rules: z.array(HwSecurityGroupRuleSchema), page_info: PageInfo }).passthrough();
const ListFirewallResp = z.object({ firewalls: z.array(HwFirewallSchema.omit({ ingress_rules: true, egress_rules: true }).passthrough()), page_info: PageInfo }).passthrough();
const ShowFirewallResp = z.object({ firewall: HwFirewallSchema }).passthrough();
const ListPublicipsResp = z.object({ publicips: z.array(HwPublicipSchema) }).passthrough();
const ListAddressGroupResp = z
  .object({ address_groups: z.array(z.object({ id: z.string(), ip_set: z.array(z.string()).nullish() }).passthrough()), page_info: PageInfo })
  .passthrough();
const ProjectsResp = z.object({ projects: z.array(z.object({ id: z.string(), name: z.string(), enabled: z.boolean().nullish() }).passthrough()) }).passthrough();

// ---- the reader --------------------------------------------------------------------------------------------

export async function readHuaweiSnapshot(opts: HuaweiReadOptions): Promise<CloudSnapshot> {
  const env = opts.env ?? process.env;
  const errors: CloudError[] = [];
  const notes: string[] = [];

  // ---- credentials, region, project, target ------------------------------------------------------------
  let creds: ResolvedHuaweiCredentials;
  if (opts.credentials && isResolved(opts.credentials)) creds = opts.credentials;
  else {
    const r = resolveHuaweiCredentials({ ...opts.credentialOptions, env, ...(opts.credentials ? { accessKey: opts.credentials } : {}), ...(opts.profile ? { profile: opts.profile } : {}) });
    if (!r.ok) {
      const snap = emptySnapshot(opts.region ?? 'unknown');
      snap.errors.push({ action: 'ResolveCredentials', code: r.code, message: makeRedactor([])(r.message), leavesUnknown: ['everything'] });
      return snap;
    }
    creds = r.value;
  }
  const redact = creds.redact;
  const envExtra = huaweiEnvironment(env);
  const region = opts.region ?? creds.region ?? (envExtra.ok ? envExtra.value.region : undefined);
  let projectId = opts.projectId ?? creds.projectId ?? (envExtra.ok ? envExtra.value.projectId : undefined);
  const refuse = (code: string, message: string): CloudSnapshot => {
    const snap = emptySnapshot(region ?? 'unknown');
    snap.account = { credentialSource: creds.sourceDetail, accessKeyIdRedacted: creds.accessKeyIdRedacted, ...(creds.profile ? { profile: creds.profile } : {}) };
    snap.errors.push({ action: 'ResolveCredentials', code, message: redact(message), leavesUnknown: ['everything'] });
    return snap;
  };
  if (!envExtra.ok && (!opts.region || !opts.projectId)) return refuse(envExtra.code, envExtra.message);
  if (!region) return refuse('MissingRegion', 'no Huawei Cloud region given: pass the region (like cn-north-4), set HUAWEICLOUD_SDK_REGION, or set one in the KooCLI profile');
  const endpoints = huaweiEndpoints(region, env);
  if (!endpoints.ok) return refuse(endpoints.code, endpoints.message);
  if (projectId !== undefined && !isHuaweiProjectId(projectId)) return refuse('BadProjectId', 'the project id is not a project id (32 hexadecimal characters)');
  if (opts.instanceId !== undefined && !isHuaweiServerId(opts.instanceId)) return refuse('InvalidInput', `the server id ${JSON.stringify(String(opts.instanceId).slice(0, 60))} is not a Huawei Cloud server id (a UUID)`);
  if (opts.address !== undefined && !ipaddr.isValid(opts.address)) return refuse('InvalidInput', `${JSON.stringify(String(opts.address).slice(0, 60))} is not an IP address`);
  if (!opts.instanceId && !opts.address) return refuse('MissingTarget', 'give a server id or an address');

  const log = (line: string) => opts.log?.(redact(line));
  let sdk: Awaited<ReturnType<typeof loadHuaweiSdk>>;
  try {
    sdk = await loadHuaweiSdk();
  } catch (err) {
    return refuse('SdkUnavailable', `the Huawei Cloud SDK could not be loaded: ${(err as Error).message}`);
  }
  const timeoutMs = opts.timeoutMs ?? 5000;
  const policy: Policy = {
    timeoutMs,
    retries: opts.retries ?? 3,
    baseDelayMs: opts.baseDelayMs ?? 200,
    maxDelayMs: opts.maxDelayMs ?? 3000,
    signal: opts.signal,
    redact,
    onAttempt: opts.onAttempt,
    random: opts.random ?? Math.random,
  };
  const account = { credentialSource: creds.sourceDetail, accessKeyIdRedacted: creds.accessKeyIdRedacted, ...(creds.profile ? { profile: creds.profile } : {}) };

  // ---- the project id of the region: given, or looked up (read-only; the SDK's own lookup may create one) --
  if (!projectId) {
    const iam = makeRawClient(sdk, { keys: creds.keys, projectId: '', endpoint: endpoints.value.iam, timeoutMs });
    const out = await callHuawei('KeystoneListAuthProjects', region, ['everything'], ProjectsResp, () => iam.sendRequest({ method: 'GET', url: '/v3/auth/projects', contentType: 'application/json', queryParams: {}, pathParams: {}, headers: {} }), policy);
    const howTo = `Find it in the console under My Credentials → API Credentials (the project named ${region}) and pass it, set HUAWEICLOUD_SDK_PROJECT_ID, or set projectId in the KooCLI profile.`;
    if (!out.ok) {
      const snap = emptySnapshot(region);
      snap.account = account;
      snap.errors.push({ ...out.error, message: `${out.error.message} The project id of ${region} could not be looked up. ${howTo}` });
      return snap;
    }
    const found = out.value.projects.find((p) => p.name === region && p.enabled !== false && isHuaweiProjectId(p.id));
    if (!found) return refuse('MissingProjectId', `this access key has no project named ${region} (every Huawei Cloud API path names the project). ${howTo}`);
    projectId = found.id;
    notes.push(`project id of ${region} looked up through IAM: ${found.id}`);
  }

  const clientOpts = (endpoint: string) => ({ keys: creds.keys, projectId: projectId!, endpoint, timeoutMs });
  const ecs: HuaweiClient = makeEcsClient(sdk, clientOpts(endpoints.value.ecs));
  const vpc2: HuaweiClient = makeVpcV2Client(sdk, clientOpts(endpoints.value.vpc));
  const vpc3: HuaweiClient = makeVpcV3Client(sdk, clientOpts(endpoints.value.vpc));
  const eip: RawHcClient = makeRawClient(sdk, clientOpts(endpoints.value.eip));
  const limit = pLimit(Math.max(1, Math.floor(opts.concurrency ?? 8)));
  const maxPages = Math.max(1, Math.min(opts.maxPages ?? 50, 1000));
  const pageLimit = Math.max(1, Math.min(opts.pageLimit ?? 2000, 2000));

  async function call<S extends z.ZodTypeAny>(action: HuaweiAction, what: string, leaves: string[], schema: S, fn: () => Promise<unknown>, notFound?: string): Promise<z.infer<S> | null> {
    const out = await limit(() => callHuawei(action, what, leaves, schema, fn, policy));
    if (out.ok) return out.value;
    if (notFound && out.status === 404) {
      // Not a failure of the read: the thing does not exist where we looked (as Alibaba's reader says of an
      // address that belongs to no instance).
      notes.push(notFound);
      return null;
    }
    errors.push(out.error);
    log(out.error.message);
    return null;
  }
  const listPublicips = (query: Record<string, unknown>) =>
    eip.sendRequest({ method: 'GET', url: '/v1/{project_id}/publicips', contentType: 'application/json', queryParams: { limit: 1000, ...query }, pathParams: {}, headers: {} });

  // ---- round 1: the server (and the ACL list, which needs nothing) ------------------------------------
  const firewallsP = (async (): Promise<z.infer<typeof ListFirewallResp>['firewalls'] | null> => {
    const all: z.infer<typeof ListFirewallResp>['firewalls'] = [];
    let marker: string | undefined;
    for (let page = 0; page < maxPages; page++) {
      const doc = await call('ListFirewall', page ? `page ${page + 1}` : '', ['networkAcls'], ListFirewallResp, () => vpc3.listFirewall({ limit: 2000, ...(marker ? { marker } : {}) }));
      if (!doc) return null;
      all.push(...doc.firewalls);
      marker = doc.page_info?.next_marker ?? undefined;
      if (!marker || doc.firewalls.length === 0) return all;
    }
    notes.push(`ListFirewall: stopped after ${maxPages} pages; network ACLs beyond them were not read`);
    errors.push({ action: 'ListFirewall', code: 'PageLimit', message: `more than ${maxPages} pages of network ACLs: the ACL of the subnet may be among those not read`, leavesUnknown: ['networkAcls'] });
    return null;
  })();

  let server: HwServer | null = null;
  const eipsFound: HwPublicip[] = [];
  if (opts.instanceId) {
    server =
      (
        await call('ShowServer', opts.instanceId, ['instance', 'interfaces', 'securityGroups', 'networkAcls', 'eips'], ShowServerResp, () => ecs.showServer({ server_id: opts.instanceId! }), `server ${opts.instanceId} was not found in region ${region} (project ${projectId}): is it in another region?`)
      )?.server ?? null;
  } else if (opts.address && isPrivate(opts.address)) {
    const doc = await call('ListServersDetails', `ip_eq=${opts.address}`, ['instance', 'interfaces', 'securityGroups', 'networkAcls', 'eips'], ListServersResp, () => ecs.listServersDetails({ ip_eq: opts.address!, limit: 25 }));
    const hits = (doc?.servers ?? []).filter((s) => serverAddresses(s).some((a) => a.addr === opts.address));
    if (doc && hits.length === 0) notes.push(`no server of project ${projectId} in ${region} has the private address ${opts.address}`);
    if (hits.length > 1) notes.push(`${hits.length} servers have the private address ${opts.address} (in different VPCs); the first one is read: pass the server id to choose`);
    server = hits[0] ?? null;
  } else if (opts.address) {
    const doc = await call('ListPublicips', `public_ip_address=${opts.address}`, ['instance', 'interfaces', 'securityGroups', 'networkAcls', 'eips'], ListPublicipsResp, () => listPublicips({ public_ip_address: [opts.address!] }));
    const e = doc?.publicips.find((x) => x.public_ip_address === opts.address);
    if (doc && !e) notes.push(`${opts.address} is not an EIP of project ${projectId} in ${region}`);
    if (e) eipsFound.push(e);
    if (e && !e.port_id) notes.push(`EIP ${opts.address} is not bound to any port (status ${e.status ?? 'unknown'})`);
    if (e?.port_id) {
      const ports = await call('ListPorts', `id=${e.port_id}`, ['instance', 'interfaces', 'securityGroups', 'networkAcls'], ListPortsResp, () => vpc2.listPorts({ id: e.port_id! }));
      const p = ports?.ports.find((x) => x.id === e.port_id);
      if (ports && (!p || !p.device_id)) notes.push(`EIP ${opts.address} is bound to port ${e.port_id}, which belongs to no server (a load balancer, a virtual IP or a NAT gateway?)`);
      if (p?.device_id) {
        if (!isHuaweiServerId(p.device_id)) notes.push(`port ${p.id} belongs to ${p.device_id}, which is not a server`);
        else server = (await call('ShowServer', p.device_id, ['instance', 'interfaces', 'securityGroups', 'networkAcls'], ShowServerResp, () => ecs.showServer({ server_id: p.device_id! })))?.server ?? null;
      }
    }
  }

  // ---- round 2: ports, EIPs, groups ---------------------------------------------------------------------
  const groupDocs = new Map<string, Promise<HwSecurityGroup | null>>();
  const readGroup = (id: string): Promise<HwSecurityGroup | null> => {
    let p = groupDocs.get(id);
    if (!p) {
      p = (async () => {
        const [meta, rules] = await Promise.all([
          call('ShowSecurityGroup', id, [`securityGroups/${id}/name`], ShowGroupResp, () => vpc3.showSecurityGroup({ security_group_id: id })),
          (async () => {
            const all: z.infer<typeof HwSecurityGroupRuleSchema>[] = [];
            let marker: string | undefined;
            for (let page = 0; page < maxPages; page++) {
              const doc = await call('ListSecurityGroupRules', `${id}${page ? ` page ${page + 1}` : ''}`, [`securityGroups/${id}`], ListRulesResp, () =>
                vpc3.listSecurityGroupRules({ security_group_id: [id], limit: pageLimit, ...(marker ? { marker } : {}) }),
              );
              if (!doc) return null;
              all.push(...doc.security_group_rules.filter((r) => !r.security_group_id || r.security_group_id === id));
              marker = doc.page_info?.next_marker ?? undefined;
              if (!marker || doc.security_group_rules.length === 0) return all;
            }
            errors.push({ action: 'ListSecurityGroupRules', code: 'PageLimit', message: `security group ${id} has more than ${maxPages} pages of rules: the rest were not read`, leavesUnknown: [`securityGroups/${id}`] });
            return null;
          })(),
        ]);
        if (!rules) return null; // the rules decide: without them the group is unread (named in providerData.unreadGroupIds)
        return { id, ...(meta?.security_group.name ? { name: meta.security_group.name } : {}), ...(meta?.security_group.description ? { description: meta.security_group.description } : {}), security_group_rules: rules };
      })();
      groupDocs.set(id, p);
    }
    return p;
  };

  let ports: HwPort[] = [];
  if (server) {
    const srv = server;
    for (const g of srv.security_groups ?? []) if (g.id) void readGroup(g.id);
    const floating = serverAddresses(srv)
      .filter((a) => a.type === 'floating')
      .map((a) => a.addr);
    const portsP = (async () => {
      const all: HwPort[] = [];
      let marker: string | undefined;
      for (let page = 0; page < maxPages; page++) {
        const doc = await call('ListPorts', `device_id=${srv.id}${page ? ` page ${page + 1}` : ''}`, ['interfaces', 'securityGroups', 'networkAcls'], ListPortsResp, () => vpc2.listPorts({ device_id: srv.id, limit: 200, ...(marker ? { marker } : {}) }));
        if (!doc) return null;
        all.push(...doc.ports);
        if (doc.ports.length < 200) return all;
        marker = doc.ports[doc.ports.length - 1].id;
      }
      return all;
    })();
    const wantEips = floating.filter((a) => !eipsFound.some((e) => e.public_ip_address === a));
    const eipP = wantEips.length ? call('ListPublicips', `public_ip_address=${wantEips.join(',')}`, ['eips'], ListPublicipsResp, () => listPublicips({ public_ip_address: wantEips })) : Promise.resolve(null);
    const [portList, eipDoc] = await Promise.all([portsP, eipP]);
    if (portList) ports = portList.filter((p) => p.device_id === srv.id || !p.device_id);
    else notes.push('the ports of the server were not read: the groups are taken in the order ECS lists them on the server');
    if (eipDoc) eipsFound.push(...eipDoc.publicips.filter((e) => wantEips.includes(e.public_ip_address ?? '')));
    // Round 3: groups named only by a port.
    for (const p of ports) for (const id of p.security_groups ?? []) void readGroup(id);
  }

  // ---- round 3: the ACL of each port's subnet (the primary's first) ---------------------------------------
  const firewallsBrief = await firewallsP;
  const primary = primaryPort(server, ports);
  const firewalls: HwFirewall[] = [];
  const unreadFirewallSubnets: string[] = [];
  const firewallsRead = firewallsBrief !== null && (primary !== null || !server);
  if (firewallsBrief) {
    const subnets = [primary, ...ports.filter((p) => p !== primary)].map((p) => p?.network_id).filter((x, i, all): x is string => !!x && all.indexOf(x) === i);
    const byAcl = new Map<string, string[]>();
    for (const sid of subnets) {
      const assoc = firewallForSubnet(firewallsBrief as HwFirewall[], sid);
      if (assoc) byAcl.set(assoc.id, [...(byAcl.get(assoc.id) ?? []), sid]);
    }
    await Promise.all(
      [...byAcl].map(async ([aclId, sids]) => {
        const doc = await call('ShowFirewall', aclId, [...sids.map((sid) => `networkAcls/${sid}`), 'networkAcls'], ShowFirewallResp, () => vpc3.showFirewall({ firewall_id: aclId }));
        if (doc) firewalls.push(doc.firewall);
        else unreadFirewallSubnets.push(...sids);
      }),
    );
  }

  const groups = (await Promise.all([...groupDocs.values()])).filter((g): g is HwSecurityGroup => !!g);

  // ---- round 4, only when referenced: the contents of IP address groups (remote_address_group_id, ACL
  // source/destination_address_group_id); unread ones stay "may match" in the evaluators.
  const refIds = [
    ...groups.flatMap((g) => (g.security_group_rules ?? []).map((r) => r.remote_address_group_id)),
    ...firewalls.flatMap((f) => [...(f.ingress_rules ?? []), ...(f.egress_rules ?? [])].flatMap((r) => [r.source_address_group_id, r.destination_address_group_id])),
  ].filter((x, i, all): x is string => typeof x === 'string' && x !== '' && all.indexOf(x) === i);
  const addressGroups: Record<string, string[]> = {};
  for (let i = 0; i < refIds.length; i += 50) {
    const ids = refIds.slice(i, i + 50);
    const doc = await call('ListAddressGroup', ids.join(','), ids.map((id) => `addressGroups/${id}`), ListAddressGroupResp, () => vpc3.listAddressGroup({ id: ids, limit: 50 }));
    for (const g of doc?.address_groups ?? []) if (ids.includes(g.id) && g.ip_set) addressGroups[g.id] = g.ip_set;
    if (doc) for (const id of ids.filter((x) => !addressGroups[x])) notes.push(`IP address group ${id} referenced by a rule was not found: rules naming it may match`);
  }

  const snap = mapHuaweiSnapshot({
    region,
    source: 'api',
    server,
    ports,
    securityGroups: groups,
    firewalls,
    firewallsRead,
    unreadFirewallSubnets,
    publicips: eipsFound,
    addressGroups,
    errors,
    notes,
    // The account as Huawei scopes every call: the project of the region (an apply checks the key against it).
    account: { ...account, accountId: projectId! },
  });
  return snap;
}

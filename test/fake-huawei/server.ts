// A loopback fake of the Huawei Cloud APIs SG Doctor reads (ECS v1 cloudservers, VPC v1 ports, VPC v3
// security groups / rules / firewalls, EIP v1 publicips). It VERIFIES the SDK's AK/SK signature the way API
// Gateway does (SDK-HMAC-SHA256: canonical request over method, URI, sorted query, signed headers and payload
// hash; string to sign "SDK-HMAC-SHA256\n<X-Sdk-Date>\n<hex sha256(canonical request)>"; HMAC-SHA256 with the
// SK), rejects a bad signature with API Gateway's error shape (401, error_code APIGW.0301), and serves the
// SDK models' response shapes from a state object, with fault injection per operation. It also accepts the
// writes of the fixes and their undo (CreateSecurityGroupRule, DeleteSecurityGroupRule, Add/RemoveFirewallRules,
// Add/RemoveSecurityGroups, BatchStartServers), signature-verified the same way, and changes the state.
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HwFirewall, HwPort, HwPublicip, HwSecurityGroup } from '../../src/core/cloud/huawei/map';
import { PROJECT_ID, type HuaweiState } from './scenarios';

export type Operation =
  | 'KeystoneListAuthProjects'
  | 'ListAddressGroup'
  | 'ShowServer'
  | 'ListServersDetails'
  | 'ListPorts'
  | 'ShowSecurityGroup'
  | 'ListSecurityGroupRules'
  | 'ShowSecurityGroupRule'
  | 'ListFirewall'
  | 'ShowFirewall'
  | 'ListPublicips'
  // Writes (the fix actions and their undo): they change `options.state`.
  | 'CreateSecurityGroupRule'
  | 'DeleteSecurityGroupRule'
  | 'AddFirewallRules'
  | 'RemoveFirewallRules'
  | 'AddSecurityGroups'
  | 'RemoveSecurityGroups'
  | 'BatchStartServers';

/** The operations that change the state. */
export const WRITE_OPERATIONS: readonly Operation[] = ['CreateSecurityGroupRule', 'DeleteSecurityGroupRule', 'AddFirewallRules', 'RemoveFirewallRules', 'AddSecurityGroups', 'RemoveSecurityGroups', 'BatchStartServers'];

export type FaultKind = 'forbidden' | 'throttle' | 'server-error' | 'slow' | 'malformed' | 'not-found';

export interface Fault {
  op: Operation;
  kind: FaultKind;
  /** How many requests it affects (default: all). */
  times?: number;
  /** For 'slow': the delay before answering. */
  delayMs?: number;
  /** Only requests whose path contains this (e.g. one group id). */
  pathIncludes?: string;
}

export interface FakeHuaweiOptions {
  state: HuaweiState;
  /** AK → SK accepted by the fake. */
  keys?: Record<string, string>;
  projectId?: string;
  faults?: Fault[];
  /** Largest page the fake returns whatever limit is asked (to exercise paging). */
  pageSize?: number;
  /** Called after each successful write, before it is answered (the lab enforces the new state there). */
  onWrite?: (state: HuaweiState, op: Operation) => void;
}

export interface RecordedCall {
  op: Operation | 'unknown';
  method: string;
  path: string;
  query: Record<string, string[]>;
  status: number;
  ak?: string;
  userAgent?: string;
  /** The request headers as received (for replay tests). */
  headers: Record<string, string>;
  /** The request target as received (path and query). */
  target: string;
  /** A write's JSON body as received. */
  body?: unknown;
}

export interface FakeHuawei {
  url: string;
  port: number;
  calls: RecordedCall[];
  options: FakeHuaweiOptions;
  /** Replaces the injected faults (the state can be switched through `options.state`). */
  setFaults(faults: Fault[]): void;
  close(): Promise<void>;
}

export const FAKE_AK = 'HPUAFAKEAK0000000001';
export const FAKE_SK = 'fakeSecretKey0000000000000000000000000001';

// ---- signature verification (mirrors @huaweicloud/huaweicloud-sdk-core auth/AKSKSigner.js) ----------------

const sha256hex = (s: string | Buffer): string => createHash('sha256').update(s).digest('hex');

/** RFC 3986 unreserved characters stay; everything else is %XX upper-case (the signer's urlEncode table). */
export function sdkUrlEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function canonicalUri(path: string): string {
  const enc = path
    .split('/')
    .map((seg) => sdkUrlEncode(decodeURIComponent(seg)))
    .join('/');
  return enc.endsWith('/') ? enc : `${enc}/`;
}

function canonicalQuery(query: Record<string, string[]>): string {
  return Object.keys(query)
    .sort()
    .flatMap((k) => [...query[k]].sort().map((v) => `${sdkUrlEncode(k)}=${sdkUrlEncode(v)}`))
    .join('&');
}

interface AuthHeader {
  access: string;
  signedHeaders: string[];
  signature: string;
}

function parseAuthorization(v: string | undefined): AuthHeader | null {
  const m = /^SDK-HMAC-SHA256\s+Access=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]+)$/.exec(v ?? '');
  return m ? { access: m[1], signedHeaders: m[2].split(';'), signature: m[3] } : null;
}

/** X-Sdk-Date "YYYYMMDDTHHmmssZ" → ms. */
function parseSdkDate(v: string): number | null {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(v);
  return m ? Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) : null;
}

export function verifySignature(req: IncomingMessage, path: string, query: Record<string, string[]>, body: Buffer, keys: Record<string, string>, now = Date.now()): { ok: true; ak: string } | { ok: false; why: string } {
  const auth = parseAuthorization(req.headers.authorization);
  if (!auth) return { ok: false, why: 'Authorization header missing or not SDK-HMAC-SHA256' };
  const sk = keys[auth.access];
  if (!sk) return { ok: false, why: 'ak not exist' };
  const date = String(req.headers['x-sdk-date'] ?? '');
  const t = parseSdkDate(date);
  if (t === null) return { ok: false, why: 'X-Sdk-Date missing or malformed' };
  if (Math.abs(now - t) > 15 * 60_000) return { ok: false, why: 'request expired (X-Sdk-Date more than 15 minutes off)' };
  if (!auth.signedHeaders.includes('x-sdk-date') || !auth.signedHeaders.includes('host')) return { ok: false, why: 'host and x-sdk-date must be signed' };
  const headerLines = auth.signedHeaders.map((h) => {
    const v = req.headers[h];
    return `${h}:${Array.isArray(v) ? v.join(',') : (v ?? '')}\n`;
  });
  const payloadHash = typeof req.headers['x-sdk-content-sha256'] === 'string' ? req.headers['x-sdk-content-sha256'] : sha256hex(body);
  const canonical = [req.method ?? 'GET', canonicalUri(path), canonicalQuery(query), headerLines.join(''), auth.signedHeaders.join(';'), payloadHash].join('\n');
  const toSign = ['SDK-HMAC-SHA256', date, sha256hex(canonical)].join('\n');
  const expected = createHmac('sha256', sk).update(toSign).digest('hex');
  return expected === auth.signature ? { ok: true, ak: auth.access } : { ok: false, why: 'verify aksk signature fail' };
}

// ---- routing -----------------------------------------------------------------------------------------------

const IAM_ACTION: Record<Operation, string> = {
  KeystoneListAuthProjects: '(none needed)',
  ListAddressGroup: 'vpc:addressGroups:list',
  ShowServer: 'ecs:cloudServers:get',
  ListServersDetails: 'ecs:cloudServers:list',
  ListPorts: 'vpc:ports:get',
  ShowSecurityGroup: 'vpc:securityGroups:get',
  ListSecurityGroupRules: 'vpc:securityGroupRules:get',
  ListFirewall: 'vpc:firewalls:list',
  ShowFirewall: 'vpc:firewalls:get',
  ListPublicips: 'eip:publicIps:list',
  ShowSecurityGroupRule: 'vpc:securityGroupRules:get',
  CreateSecurityGroupRule: 'vpc:securityGroupRules:create',
  DeleteSecurityGroupRule: 'vpc:securityGroupRules:delete',
  AddFirewallRules: 'vpc:firewalls:update',
  RemoveFirewallRules: 'vpc:firewalls:update',
  AddSecurityGroups: 'vpc:ports:update',
  RemoveSecurityGroups: 'vpc:ports:update',
  BatchStartServers: 'ecs:cloudServers:start',
};

function route(method: string, path: string): { op: Operation; pid: string; id?: string } | null {
  if (method !== 'GET') return writeRoute(method, path);
  if (path === '/v3/auth/projects') return { op: 'KeystoneListAuthProjects', pid: '' };
  let m = /^\/v1\/([^/]+)\/cloudservers\/detail$/.exec(path);
  if (m) return { op: 'ListServersDetails', pid: m[1] };
  m = /^\/v1\/([^/]+)\/cloudservers\/([^/]+)$/.exec(path);
  if (m) return { op: 'ShowServer', pid: m[1], id: decodeURIComponent(m[2]) };
  m = /^\/v1\/([^/]+)\/ports$/.exec(path);
  if (m) return { op: 'ListPorts', pid: m[1] };
  m = /^\/v3\/([^/]+)\/vpc\/security-groups\/([^/]+)$/.exec(path);
  if (m) return { op: 'ShowSecurityGroup', pid: m[1], id: decodeURIComponent(m[2]) };
  m = /^\/v3\/([^/]+)\/vpc\/security-group-rules$/.exec(path);
  if (m) return { op: 'ListSecurityGroupRules', pid: m[1] };
  m = /^\/v3\/([^/]+)\/vpc\/security-group-rules\/([^/]+)$/.exec(path);
  if (m) return { op: 'ShowSecurityGroupRule', pid: m[1], id: decodeURIComponent(m[2]) };
  m = /^\/v3\/([^/]+)\/vpc\/address-groups$/.exec(path);
  if (m) return { op: 'ListAddressGroup', pid: m[1] };
  m = /^\/v3\/([^/]+)\/vpc\/firewalls$/.exec(path);
  if (m) return { op: 'ListFirewall', pid: m[1] };
  m = /^\/v3\/([^/]+)\/vpc\/firewalls\/([^/]+)$/.exec(path);
  if (m) return { op: 'ShowFirewall', pid: m[1], id: decodeURIComponent(m[2]) };
  m = /^\/v1\/([^/]+)\/publicips$/.exec(path);
  if (m) return { op: 'ListPublicips', pid: m[1] };
  return null;
}

/** The write APIs' paths, as the SDK's VpcClient (v3) and EcsClient (v2) build them. */
function writeRoute(method: string, path: string): { op: Operation; pid: string; id?: string } | null {
  let m = /^\/v3\/([^/]+)\/vpc\/security-group-rules$/.exec(path);
  if (m && method === 'POST') return { op: 'CreateSecurityGroupRule', pid: m[1] };
  m = /^\/v3\/([^/]+)\/vpc\/security-group-rules\/([^/]+)$/.exec(path);
  if (m && method === 'DELETE') return { op: 'DeleteSecurityGroupRule', pid: m[1], id: decodeURIComponent(m[2]) };
  m = /^\/v3\/([^/]+)\/vpc\/firewalls\/([^/]+)\/(insert|remove)-rules$/.exec(path);
  if (m && method === 'PUT') return { op: m[3] === 'insert' ? 'AddFirewallRules' : 'RemoveFirewallRules', pid: m[1], id: decodeURIComponent(m[2]) };
  m = /^\/v3\/([^/]+)\/ports\/([^/]+)\/(insert|remove)-security-groups$/.exec(path);
  if (m && method === 'PUT') return { op: m[3] === 'insert' ? 'AddSecurityGroups' : 'RemoveSecurityGroups', pid: m[1], id: decodeURIComponent(m[2]) };
  m = /^\/v1\/([^/]+)\/cloudservers\/action$/.exec(path);
  if (m && method === 'POST') return { op: 'BatchStartServers', pid: m[1] };
  return null;
}

const isEcs = (op: Operation) => op === 'ShowServer' || op === 'ListServersDetails' || op === 'BatchStartServers';

/** The projects an AK/SK may use (IAM KeystoneListAuthProjects): one per region, named after it. */
export const PROJECTS = [
  { id: PROJECT_ID, name: 'cn-north-4', enabled: true, is_domain: false, description: '', domain_id: 'd0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0', parent_id: 'd0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0' },
  { id: '1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f', name: 'cn-north-4_test', enabled: true, is_domain: false, description: 'a sub-project', domain_id: 'd0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0', parent_id: PROJECT_ID },
  { id: '2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e', name: 'cn-east-3', enabled: true, is_domain: false, description: '', domain_id: 'd0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0', parent_id: 'd0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0' },
];

/** Huawei's two error body shapes: ECS `{"error":{"code","message"}}`, VPC / API Gateway `{"error_code","error_msg"}`. */
function errorBody(op: Operation | null, code: string, message: string, requestId: string): unknown {
  return op && isEcs(op) ? { error: { code, message }, request_id: requestId } : { error_code: code, error_msg: message, request_id: requestId };
}

/** Marker paging (VPC v3 page_info, VPC v1 / EIP v1 marker = last id). */
function page<T extends { id: string }>(items: T[], query: Record<string, string[]>, pageSize: number): { items: T[]; next: string | null; prev: string | null } {
  const limit = Math.max(1, Math.min(Number(query.limit?.[0] ?? 2000) || 2000, pageSize));
  const marker = query.marker?.[0];
  const start = marker ? items.findIndex((x) => x.id === marker) + 1 : 0;
  const slice = items.slice(start, start + limit);
  const more = start + limit < items.length;
  return { items: slice, next: more && slice.length ? slice[slice.length - 1].id : null, prev: slice[0]?.id ?? null };
}

const has = (query: Record<string, string[]>, k: string) => (query[k]?.length ?? 0) > 0;

function serve(op: Operation, id: string | undefined, query: Record<string, string[]>, st: HuaweiState, pageSize: number, requestId: string, body: Record<string, unknown>): { status: number; body: unknown } {
  switch (op) {
    case 'CreateSecurityGroupRule':
    case 'DeleteSecurityGroupRule':
    case 'AddFirewallRules':
    case 'RemoveFirewallRules':
    case 'AddSecurityGroups':
    case 'RemoveSecurityGroups':
    case 'BatchStartServers':
      return write(op, id, st, requestId, body);
    case 'ShowSecurityGroupRule': {
      for (const g of st.securityGroups) {
        const r = (g.security_group_rules ?? []).find((x) => x.id === id);
        if (r) return { status: 200, body: { request_id: requestId, security_group_rule: { ...r, security_group_id: g.id, project_id: PROJECT_ID } } };
      }
      return { status: 404, body: errorBody(op, 'VPC.0614', `Security group rule ${id} not found`, requestId) };
    }
    case 'KeystoneListAuthProjects':
      return { status: 200, body: { links: { self: 'https://iam.myhuaweicloud.com/v3/auth/projects' }, projects: PROJECTS } };
    case 'ListAddressGroup': {
      const list = (st.addressGroups ?? []).filter((g) => !has(query, 'id') || query.id.includes(g.id));
      const p = page(list, query, pageSize);
      return { status: 200, body: { request_id: requestId, address_groups: p.items.map((g) => ({ ...g, description: '', max_capacity: 20, status: 'NORMAL', tenant_id: PROJECT_ID })), page_info: { previous_marker: p.prev, current_count: p.items.length, ...(p.next ? { next_marker: p.next } : {}) } } };
    }
    case 'ShowServer': {
      const s = st.servers.find((x) => x.id === id);
      return s ? { status: 200, body: { server: s } } : { status: 404, body: errorBody(op, 'Ecs.0114', `Instance[${id}] could not be found.`, requestId) };
    }
    case 'ListServersDetails': {
      let list = st.servers;
      const addrs = (x: (typeof list)[number]) => Object.values(x.addresses ?? {}).flatMap((a) => a.map((y) => y.addr));
      if (has(query, 'ip_eq')) list = list.filter((x) => addrs(x).includes(query.ip_eq[0]));
      if (has(query, 'ip')) list = list.filter((x) => addrs(x).some((a) => a.includes(query.ip[0])));
      const offset = Number(query.offset?.[0] ?? 1) || 1;
      const limit = Math.min(Number(query.limit?.[0] ?? 25) || 25, pageSize);
      return { status: 200, body: { count: list.length, servers: list.slice((offset - 1) * limit, offset * limit) } };
    }
    case 'ListPorts': {
      let list: HwPort[] = st.ports;
      if (has(query, 'device_id')) list = list.filter((p) => p.device_id === query.device_id[0]);
      if (has(query, 'id')) list = list.filter((p) => query.id.includes(p.id));
      return { status: 200, body: { ports: page(list, query, pageSize).items } };
    }
    case 'ShowSecurityGroup': {
      const g = st.securityGroups.find((x) => x.id === id);
      if (!g) return { status: 404, body: errorBody(op, 'VPC.0602', `Security group ${id} not found`, requestId) };
      return { status: 200, body: { request_id: requestId, security_group: { ...g, project_id: PROJECT_ID, created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z', enterprise_project_id: '0', tags: [] } } };
    }
    case 'ListSecurityGroupRules': {
      const ids = query.security_group_id ?? [];
      const rules = st.securityGroups.filter((g) => !ids.length || ids.includes(g.id)).flatMap((g) => (g.security_group_rules ?? []).map((r) => ({ ...r, security_group_id: g.id })));
      const p = page(rules, query, pageSize);
      return { status: 200, body: { request_id: requestId, security_group_rules: p.items, page_info: { previous_marker: p.prev, current_count: p.items.length, ...(p.next ? { next_marker: p.next } : {}) } } };
    }
    case 'ListFirewall': {
      const brief = (f: HwFirewall) => ({ id: f.id, name: f.name, description: '', project_id: PROJECT_ID, admin_state_up: f.admin_state_up, status: f.status, enterprise_project_id: '0', tags: [], associations: f.associations ?? [] });
      const p = page(st.firewalls, query, pageSize);
      return { status: 200, body: { request_id: requestId, firewalls: p.items.map(brief), page_info: { previous_marker: p.prev, current_count: p.items.length, ...(p.next ? { next_marker: p.next } : {}) } } };
    }
    case 'ShowFirewall': {
      const f = st.firewalls.find((x) => x.id === id);
      return f ? { status: 200, body: { request_id: requestId, firewall: { ...f, project_id: PROJECT_ID } } } : { status: 404, body: errorBody(op, 'VPC.1701', `firewall ${id} not found`, requestId) };
    }
    case 'ListPublicips': {
      let list: HwPublicip[] = st.publicips;
      if (has(query, 'port_id')) list = list.filter((e) => query.port_id.includes(e.port_id ?? ''));
      if (has(query, 'public_ip_address')) list = list.filter((e) => query.public_ip_address.includes(e.public_ip_address ?? ''));
      return { status: 200, body: { publicips: page(list, query, pageSize).items } };
    }
  }
}

type Rule = NonNullable<HwSecurityGroup['security_group_rules']>[number];
type AclRule = NonNullable<HwFirewall['ingress_rules']>[number];

/** The fields that decide what a security-group rule does (the API refuses a second identical rule). */
const ruleKey = (r: Record<string, unknown>): string =>
  JSON.stringify(['direction', 'ethertype', 'protocol', 'multiport', 'remote_ip_prefix', 'remote_group_id', 'remote_address_group_id', 'action', 'priority'].map((k) => (k === 'ethertype' ? (r[k] ?? 'IPv4') : k === 'action' ? (r[k] ?? 'allow') : k === 'priority' ? String(r[k] ?? 1) : (r[k] ?? null))));

/**
 * The writes, with the response shapes of the SDK models: CreateSecurityGroupRuleResponse {security_group_rule}
 * (201), DeleteSecurityGroupRule (204, no body), Add/RemoveFirewallRulesResponse {firewall: FirewallDetail},
 * Add/RemoveSecurityGroupsResponse {port}, BatchStartServersResponse {job_id}.
 */
function write(op: Operation, id: string | undefined, st: HuaweiState, requestId: string, body: Record<string, unknown>): { status: number; body: unknown } {
  const bad = (message: string) => ({ status: 400, body: errorBody(op, isEcs(op) ? 'Ecs.0005' : 'VPC.0002', message, requestId) });
  switch (op) {
    case 'CreateSecurityGroupRule': {
      const r = body.security_group_rule as Record<string, unknown> | undefined;
      const g = st.securityGroups.find((x) => x.id === r?.security_group_id);
      if (!r || !g) return { status: 404, body: errorBody(op, 'VPC.0602', `Security group ${String(r?.security_group_id)} not found`, requestId) };
      if (r.direction !== 'ingress' && r.direction !== 'egress') return bad('direction must be ingress or egress');
      const same = (g.security_group_rules ?? []).find((x) => ruleKey(x) === ruleKey(r));
      // OpenStack Neutron's wording for the same conflict (the fake's own error code).
      if (same) return { status: 409, body: errorBody(op, 'VPC.SecurityGroupRuleExists', `Security group rule already exists. Rule id is ${same.id}.`, requestId) };
      const rule = { id: randomUUID(), description: '', ethertype: 'IPv4', protocol: null, multiport: null, action: 'allow', priority: 1, remote_ip_prefix: null, remote_group_id: null, remote_address_group_id: null, ...r, security_group_id: g.id } as Rule;
      g.security_group_rules = [...(g.security_group_rules ?? []), rule];
      return { status: 201, body: { request_id: requestId, security_group_rule: { ...rule, project_id: PROJECT_ID, created_at: new Date().toISOString(), updated_at: new Date().toISOString() } } };
    }
    case 'DeleteSecurityGroupRule': {
      const g = st.securityGroups.find((x) => (x.security_group_rules ?? []).some((r) => r.id === id));
      if (!g) return { status: 404, body: errorBody(op, 'VPC.0614', `Security group rule ${id} not found`, requestId) };
      g.security_group_rules = (g.security_group_rules ?? []).filter((r) => r.id !== id);
      return { status: 204, body: null };
    }
    case 'AddFirewallRules':
    case 'RemoveFirewallRules': {
      const fw = st.firewalls.find((x) => x.id === id);
      if (!fw) return { status: 404, body: errorBody(op, 'VPC.1701', `firewall ${id} not found`, requestId) };
      const opt = (body.firewall ?? {}) as { ingress_rules?: Record<string, unknown>[]; egress_rules?: Record<string, unknown>[]; insert_after_rule?: string };
      for (const key of ['ingress_rules', 'egress_rules'] as const) {
        const items = opt[key];
        if (!items) continue;
        const list = [...(fw[key] ?? [])];
        if (op === 'AddFirewallRules') {
          const at = opt.insert_after_rule ? list.findIndex((x) => x.id === opt.insert_after_rule) : -1;
          if (opt.insert_after_rule && at < 0) return bad(`insert_after_rule ${opt.insert_after_rule} is not a ${key.replace('_rules', '')} rule of ${id}`);
          list.splice(at + 1, 0, ...items.map((x) => ({ enabled: true, ...x, id: randomUUID() }) as AclRule));
        } else {
          for (const x of items) if (!list.some((y) => y.id === x.id)) return bad(`rule ${String(x.id)} is not a ${key.replace('_rules', '')} rule of ${id}`);
          fw[key] = list.filter((y) => !items.some((x) => x.id === y.id));
          continue;
        }
        fw[key] = list;
      }
      return { status: 200, body: { request_id: requestId, firewall: { ...fw, project_id: PROJECT_ID } } };
    }
    case 'AddSecurityGroups':
    case 'RemoveSecurityGroups': {
      const port = st.ports.find((x) => x.id === id);
      if (!port) return { status: 404, body: errorBody(op, 'VPC.0701', `port ${id} not found`, requestId) };
      const opt = (body.port ?? {}) as { security_groups?: string[]; index?: number };
      const groups = opt.security_groups ?? [];
      const now = [...(port.security_groups ?? [])];
      if (op === 'AddSecurityGroups') {
        if (groups.some((g) => !st.securityGroups.some((x) => x.id === g))) return { status: 404, body: errorBody(op, 'VPC.0602', 'Security group not found', requestId) };
        if (groups.some((g) => now.includes(g))) return bad('the security group is already associated with the port');
        now.splice(opt.index ?? now.length, 0, ...groups);
      } else {
        if (groups.some((g) => !now.includes(g))) return bad('the security group is not associated with the port');
        now.splice(0, now.length, ...now.filter((g) => !groups.includes(g)));
      }
      port.security_groups = now;
      // The server lists its groups too (ShowServer): keep it in step for the primary port.
      for (const srv of st.servers.filter((x) => x.id === port.device_id)) srv.security_groups = now.map((g) => ({ id: g, name: st.securityGroups.find((x) => x.id === g)?.name ?? '' }));
      return { status: 200, body: { request_id: requestId, port: { ...port } } };
    }
    case 'BatchStartServers': {
      const servers = ((body['os-start'] as { servers?: { id?: string }[] } | undefined)?.servers ?? []).map((x) => x.id);
      const found = servers.map((sid) => st.servers.find((x) => x.id === sid));
      if (!servers.length || found.some((x) => !x)) return { status: 404, body: errorBody(op, 'Ecs.0114', 'Instance could not be found.', requestId) };
      for (const srv of found) if (srv) Object.assign(srv, { status: 'ACTIVE', 'OS-EXT-STS:vm_state': 'active' });
      return { status: 200, body: { job_id: randomUUID().replace(/-/g, '') } };
    }
    default:
      return bad(`${op} is not a write`);
  }
}

function faultResponse(f: Fault, op: Operation, requestId: string): { status: number; body: unknown; raw?: string } | null {
  switch (f.kind) {
    case 'forbidden':
      return { status: 403, body: errorBody(op, isEcs(op) ? 'Ecs.0103' : 'VPC.0015', `Policy doesn't allow ${IAM_ACTION[op]} to be performed.`, requestId) };
    case 'throttle':
      return { status: 429, body: errorBody(null, 'APIGW.0308', 'The throttling threshold has been reached: policy user over ratelimit,limit:20,time:1 second', requestId) };
    case 'server-error':
      return { status: 500, body: errorBody(op, isEcs(op) ? 'Ecs.0000' : 'VPC.0001', 'System error.', requestId) };
    case 'malformed':
      return { status: 200, body: null, raw: '{"ports": [ {"id": "truncated' };
    case 'not-found':
      return { status: 404, body: errorBody(op, isEcs(op) ? 'Ecs.0114' : 'VPC.0602', 'Resource not found.', requestId) };
    case 'slow':
      return null;
  }
}

export async function startFakeHuawei(options: FakeHuaweiOptions): Promise<FakeHuawei> {
  const keys = options.keys ?? { [FAKE_AK]: FAKE_SK };
  const projectId = options.projectId ?? PROJECT_ID;
  const calls: RecordedCall[] = [];
  let faults = (options.faults ?? []).map((f) => ({ ...f, left: f.times ?? Number.POSITIVE_INFINITY }));
  const timers = new Set<NodeJS.Timeout>();

  const handler = (req: IncomingMessage, res: ServerResponse, body: Buffer): void => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const query: Record<string, string[]> = {};
    for (const [k, v] of url.searchParams) (query[k] ??= []).push(v);
    const requestId = randomUUID().replace(/-/g, '');
    const r = route(req.method ?? 'GET', url.pathname);
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : String(v ?? '')]));
    const rec: RecordedCall = { op: r?.op ?? 'unknown', method: req.method ?? '', path: url.pathname, query, status: 0, userAgent: String(req.headers['user-agent'] ?? ''), headers, target: req.url ?? '/' };
    calls.push(rec);
    const send = (status: number, payload: unknown, raw?: string): void => {
      rec.status = status;
      res.writeHead(status, { 'content-type': 'application/json', 'x-request-id': requestId });
      res.end(raw ?? JSON.stringify(payload));
    };
    const sig = verifySignature(req, url.pathname, query, body, keys);
    if (!sig.ok) return send(401, { error_msg: `Incorrect IAM authentication information: ${sig.why}`, error_code: 'APIGW.0301', request_id: requestId });
    rec.ak = sig.ak;
    if (!r) return send(404, { error_msg: 'No API found', error_code: 'APIGW.0101', request_id: requestId });
    if (r.op === 'KeystoneListAuthProjects' ? req.headers['x-project-id'] !== undefined : r.pid !== projectId || req.headers['x-project-id'] !== projectId) {
      return send(403, errorBody(r.op, 'APIGW.0305', 'The project id in the request does not belong to this key (project id / region mismatch).', requestId));
    }
    const fault = faults.find((f) => f.op === r.op && f.left > 0 && (!f.pathIncludes || url.pathname.includes(f.pathIncludes) || JSON.stringify(query).includes(f.pathIncludes)));
    if (fault) fault.left--;
    const answer = (): void => {
      const fr = fault ? faultResponse(fault, r.op, requestId) : null;
      if (fr) return send(fr.status, fr.body, fr.raw);
      let parsed: Record<string, unknown> = {};
      if (body.length) {
        try {
          parsed = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
          rec.body = parsed;
        } catch {
          return send(400, errorBody(r.op, 'VPC.0002', 'the request body is not JSON', requestId));
        }
      }
      const out = serve(r.op, r.id, query, options.state, options.pageSize ?? 1000, requestId, parsed);
      if (out.status < 300 && WRITE_OPERATIONS.includes(r.op)) options.onWrite?.(options.state, r.op);
      if (out.status === 204) {
        rec.status = 204;
        res.writeHead(204, { 'x-request-id': requestId });
        res.end();
        return;
      }
      send(out.status, out.body);
    };
    if (fault?.kind === 'slow') {
      const t = setTimeout(() => (timers.delete(t), answer()), Math.min(fault.delayMs ?? 2000, 30_000));
      timers.add(t);
    } else answer();
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= 1 << 20) chunks.push(c);
    });
    req.on('end', () => handler(req, res, Buffer.concat(chunks)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    calls,
    options,
    setFaults: (next) => {
      faults = next.map((f) => ({ ...f, left: f.times ?? Number.POSITIVE_INFINITY }));
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

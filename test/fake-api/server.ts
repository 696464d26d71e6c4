// A loopback fake of the Alibaba Cloud ECS / VPC / STS RPC APIs (test support, not product code).
// It speaks the wire format the real @alicloud SDKs send (POST /?params, ACS3 headers), verifies the
// ACS3-HMAC-SHA256 signature against a test AccessKey, serves scenario data in the API's own response
// shapes, and injects faults (Forbidden.RAM, throttling, slow answers, 5xx, malformed JSON).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { canonicalRequest, expectedSignature, parseAuthorization, sha256Hex, signaturesEqual } from './sign';
import type { ApiObject, AssistantBehaviour, Scenario } from './scenarios';
import { ApiError, writeHandlers } from './writes';

export type FaultKind = 'forbidden' | 'nopermission' | 'throttle' | 'slow' | 'server-error' | 'unavailable' | 'malformed';

export interface Fault {
  /** Action name, or '*' for every action. */
  action: string;
  kind: FaultKind;
  /** How many matching calls it applies to (default: all). */
  times?: number;
  /** 'slow': how long to wait before answering. */
  delayMs?: number;
  /** 'throttle': x-acs-retry-after in ms. */
  retryAfterMs?: number;
  /** Narrow the fault to some calls, e.g. one security group. */
  match?: (params: Record<string, string>) => boolean;
}

export interface CallRecord {
  seq: number;
  action: string;
  version: string;
  /** Request parameters (query + form body); never the Authorization header. */
  params: Record<string, string>;
  accessKeyId?: string;
  startedAt: number;
  endedAt: number;
  status: number;
  code?: string;
  fault?: FaultKind;
}

export interface FakeAliyunOptions {
  scenario: Scenario;
  accessKeyId: string;
  accessKeySecret: string;
  /** When set, requests must carry it in x-acs-security-token (STS credentials). */
  securityToken?: string;
  /** Added to every answer (benchmarks). */
  latencyMs?: number;
  faults?: Fault[];
  /** Clock skew accepted for x-acs-date (default 15 min, as the real API). */
  maxSkewMs?: number;
  /**
   * Called after every write action changed the state (and after setScenario), awaited before the API
   * answers: the lab's enforcement (test/lab/cloud-enforce.ts) rebuilds its firewall here, so a rule is in
   * effect when the call returns, as on the real cloud.
   */
  onChange?: (scenario: Scenario) => void | Promise<void>;
}

export interface FakeAliyun {
  /** host:port for the SDK's `endpoint` config (protocol http). */
  endpoint: string;
  port: number;
  calls: CallRecord[];
  setScenario(s: Scenario): void;
  /** The current state (write actions change it). */
  scenario(): Scenario;
  setFaults(f: Fault[]): void;
  setLatency(ms: number): void;
  /** Cloud Assistant scripts received (decoded), for assertions. */
  commands: { instanceId: string; type: string; script: string }[];
  stop(): Promise<void>;
}

const VERSIONS: Record<string, string> = { ecs: '2014-05-26', vpc: '2016-04-28', sts: '2015-04-01' };


const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function jsonArrayParam(params: Record<string, string>, name: string): string[] | undefined {
  const v = params[name];
  if (v === undefined) return undefined;
  try {
    const arr = JSON.parse(v) as unknown;
    if (!Array.isArray(arr) || !arr.every((x) => typeof x === 'string')) throw new Error('not an array');
    return arr as string[];
  } catch {
    throw new ApiError(400, `Invalid${name}.Malformed`, `The specified parameter "${name}" is not valid.`);
  }
}

function paginate<T>(items: T[], params: Record<string, string>, defaultSize: number, cap = 1000): { page: T[]; nextToken: string } {
  const size = Math.min(cap, params.MaxResults ? Number(params.MaxResults) : defaultSize);
  const start = params.NextToken ? Number(params.NextToken.replace(/^tok-/, '')) : 0;
  if (!Number.isFinite(start) || start < 0) throw new ApiError(400, 'InvalidNextToken.Malformed', 'The specified parameter "NextToken" is not valid.');
  const page = items.slice(start, start + size);
  return { page, nextToken: start + size < items.length ? `tok-${start + size}` : '' };
}

interface Invocation {
  invokeId: string;
  commandId: string;
  instanceId: string;
  script: string;
  behaviour: AssistantBehaviour;
  polls: number;
  startedAt: string;
}

interface State {
  scenario: Scenario;
  invocations: Map<string, Invocation>;
  commands: FakeAliyun['commands'];
  /** ClientToken → the answer given (idempotency: the same token and parameters get the same answer, no change). */
  tokens: Map<string, { params: string; answer: Record<string, unknown> }>;
  /** Set by a write handler that changed the state. */
  changed: boolean;
}

export type { State as FakeState };

function handlers(state: State) {
  const sc = () => state.scenario;
  const region = (p: Record<string, string>) => {
    if (!p.RegionId) throw new ApiError(400, 'MissingRegionId', 'RegionId is mandatory for this action.');
    return p.RegionId;
  };
  const instance = (id: string) => sc().instances.find((i) => i.InstanceId === id);

  return {
    DescribeRegions: () => ({ Regions: { Region: sc().regions } }),

    DescribeInstances: (p: Record<string, string>) => {
      const r = region(p);
      const ids = jsonArrayParam(p, 'InstanceIds');
      const pubs = jsonArrayParam(p, 'PublicIpAddresses');
      const eips = jsonArrayParam(p, 'EipAddresses');
      const privs = jsonArrayParam(p, 'PrivateIpAddresses');
      const list = sc().instances.filter((i) => {
        if (i.RegionId !== r) return false;
        if (ids && !ids.includes(i.InstanceId as string)) return false;
        if (pubs && !pubs.some((a) => ((i.PublicIpAddress as ApiObject)?.IpAddress as string[] | undefined)?.includes(a))) return false;
        if (eips && !eips.includes((i.EipAddress as ApiObject)?.IpAddress as string)) return false;
        if (privs && !privs.some((a) => ((i.VpcAttributes as ApiObject)?.PrivateIpAddress as ApiObject)?.IpAddress && (((i.VpcAttributes as ApiObject).PrivateIpAddress as ApiObject).IpAddress as string[]).includes(a))) return false;
        return true;
      });
      const size = Number(p.PageSize ?? 10);
      const num = Number(p.PageNumber ?? 1);
      return { TotalCount: list.length, PageNumber: num, PageSize: size, NextToken: '', Instances: { Instance: list.slice((num - 1) * size, num * size) } };
    },

    DescribeNetworkInterfaces: (p: Record<string, string>) => {
      const r = region(p);
      const list = sc().networkInterfaces.filter((n) => {
        const inst = instance(n.InstanceId as string);
        if (inst && inst.RegionId !== r) return false;
        if (p.InstanceId && n.InstanceId !== p.InstanceId) return false;
        return true;
      });
      const { page, nextToken } = paginate(list, p, 100, 500);
      return { TotalCount: list.length, NextToken: nextToken, NetworkInterfaceSets: { NetworkInterfaceSet: page } };
    },

    DescribeSecurityGroups: (p: Record<string, string>) => {
      const r = region(p);
      const ids = jsonArrayParam(p, 'SecurityGroupIds');
      const list = sc()
        .securityGroups.filter((g) => g.RegionId === r && (!ids || ids.includes(g.SecurityGroupId as string)))
        .map(({ Permissions: perms, InnerAccessPolicy: _i, ...g }) => ({ ...g, RuleCount: (perms as unknown[]).length, GroupToGroupRuleCount: 0, EcsCount: 1, ServiceManaged: false, Tags: { Tag: [] } }));
      const { page, nextToken } = paginate(list, p, 10, 100);
      return { RegionId: r, TotalCount: list.length, NextToken: nextToken, SecurityGroups: { SecurityGroup: page } };
    },

    DescribeSecurityGroupAttribute: (p: Record<string, string>) => {
      const r = region(p);
      const g = sc().securityGroups.find((x) => x.SecurityGroupId === p.SecurityGroupId && x.RegionId === r);
      if (!g) throw new ApiError(404, 'InvalidSecurityGroupId.NotFound', 'The specified SecurityGroupId does not exist.');
      const dir = (p.Direction ?? 'all').toLowerCase();
      const perms = (g.Permissions as ApiObject[]).filter((x) => dir === 'all' || x.Direction === dir);
      // Without MaxResults/NextToken the API returns every rule; with them, pages (capped by the scenario).
      const paged = p.MaxResults !== undefined || p.NextToken !== undefined;
      const { page, nextToken } = paged ? paginate(perms, p, 500, Math.min(1000, sc().sgPageSize ?? 1000)) : { page: perms, nextToken: '' };
      return {
        RegionId: r,
        SecurityGroupId: g.SecurityGroupId,
        SecurityGroupName: g.SecurityGroupName,
        Description: g.Description,
        VpcId: g.VpcId,
        InnerAccessPolicy: g.InnerAccessPolicy,
        ...(nextToken ? { NextToken: nextToken } : {}),
        Permissions: { Permission: page },
      };
    },

    DescribePrefixListAttributes: (p: Record<string, string>) => {
      region(p);
      const pl = sc().prefixLists.find((x) => x.PrefixListId === p.PrefixListId);
      if (!pl) throw new ApiError(404, 'InvalidPrefixListId.NotFound', 'The specified prefix list does not exist.');
      return { ...pl, Entries: { Entry: pl.Entries } };
    },

    DescribeEipAddresses: (p: Record<string, string>) => {
      const r = region(p);
      const list = sc().eips.filter(
        (e) =>
          e.RegionId === r &&
          (!p.EipAddress || e.IpAddress === p.EipAddress) &&
          (!p.AllocationId || e.AllocationId === p.AllocationId) &&
          (!p.AssociatedInstanceId || e.InstanceId === p.AssociatedInstanceId) &&
          (!p.AssociatedInstanceType || e.InstanceType === p.AssociatedInstanceType),
      );
      const size = Number(p.PageSize ?? 10);
      const num = Number(p.PageNumber ?? 1);
      return { TotalCount: list.length, PageNumber: num, PageSize: size, EipAddresses: { EipAddress: list.slice((num - 1) * size, num * size) } };
    },

    DescribeNetworkAcls: (p: Record<string, string>) => {
      const r = region(p);
      const list = sc()
        .networkAcls.filter(
          (a) =>
            a.RegionId === r &&
            (!p.NetworkAclId || a.NetworkAclId === p.NetworkAclId) &&
            (!p.VpcId || a.VpcId === p.VpcId) &&
            (!p.ResourceId || ((a.Resources as ApiObject).Resource as ApiObject[]).some((x) => x.ResourceId === p.ResourceId)),
        )
        .map((a) => {
          if (!sc().omitAclEntriesInList) return a;
          const { IngressAclEntries: _i, EgressAclEntries: _e, ...rest } = a;
          return rest;
        });
      return { TotalCount: list.length, PageNumber: 1, PageSize: Number(p.PageSize ?? 10), NetworkAcls: { NetworkAcl: list } };
    },

    DescribeNetworkAclAttributes: (p: Record<string, string>) => {
      const r = region(p);
      const a = sc().networkAcls.find((x) => x.NetworkAclId === p.NetworkAclId && x.RegionId === r);
      if (!a) throw new ApiError(404, 'InvalidNetworkAcl.NotFound', 'The specified network ACL does not exist.');
      return { NetworkAclAttribute: a };
    },

    GetCallerIdentity: () => ({
      AccountId: sc().accountId,
      UserId: '216959339000654321',
      PrincipalId: '216959339000654321',
      IdentityType: 'RAMUser',
      Arn: `acs:ram::${sc().accountId}:user/sg-doctor-reader`,
    }),

    RunCommand: (p: Record<string, string>) => {
      region(p);
      const instanceId = p['InstanceId.1'];
      const inst = instanceId ? instance(instanceId) : undefined;
      if (!inst) throw new ApiError(404, 'InvalidInstance.NotFound', 'The specified instance does not exist.');
      if (inst.Status !== 'Running') throw new ApiError(403, 'IncorrectInstanceStatus', 'The current status of the resource does not support this operation.');
      if (!p.CommandContent || !p.Type) throw new ApiError(400, 'MissingParameter', 'The input parameter CommandContent or Type that is mandatory for processing this request is not supplied.');
      const script = p.ContentEncoding === 'Base64' ? Buffer.from(p.CommandContent, 'base64').toString('utf8') : p.CommandContent;
      state.commands.push({ instanceId, type: p.Type, script });
      const behaviour = sc().assistant?.[instanceId] ?? { status: 'Failed', errorCode: 'ClientNotRunning', errorInfo: 'the Cloud Assistant agent is not running' };
      const inv: Invocation = { invokeId: `t-${randomUUID().slice(0, 12)}`, commandId: `c-${randomUUID().slice(0, 12)}`, instanceId, script, behaviour, polls: 0, startedAt: new Date().toISOString() };
      state.invocations.set(inv.invokeId, inv);
      return { CommandId: inv.commandId, InvokeId: inv.invokeId };
    },

    DescribeInvocationResults: (p: Record<string, string>) => {
      region(p);
      const inv = p.InvokeId ? state.invocations.get(p.InvokeId) : undefined;
      if (!inv) return { Invocation: { PageSize: 10, PageNumber: 1, TotalCount: 0, NextToken: '', InvocationResults: { InvocationResult: [] } } };
      inv.polls++;
      const b = inv.behaviour;
      const running = inv.polls <= (b.pendingPolls ?? 0);
      const full = running ? '' : typeof b.output === 'function' ? b.output(inv.script) : (b.output ?? '');
      const LIMIT = 24 * 1024;
      const bytes = Buffer.from(full, 'utf8');
      const dropped = Math.max(0, bytes.length - LIMIT);
      const kept = dropped ? bytes.subarray(0, LIMIT) : bytes;
      const encoding = p.ContentEncoding ?? 'Base64';
      const status = running ? 'Running' : b.status;
      return {
        Invocation: {
          PageSize: 10,
          PageNumber: 1,
          TotalCount: 1,
          NextToken: '',
          InvocationResults: {
            InvocationResult: [
              {
                CommandId: inv.commandId,
                InvokeId: inv.invokeId,
                InstanceId: inv.instanceId,
                InvocationStatus: status,
                InvokeRecordStatus: running ? 'Running' : 'Finished',
                Output: encoding === 'PlainText' ? kept.toString('utf8') : kept.toString('base64'),
                Dropped: dropped,
                ExitCode: running ? 0 : (b.exitCode ?? (b.status === 'Success' ? 0 : 1)),
                ErrorCode: running ? '' : (b.errorCode ?? ''),
                ErrorInfo: running ? '' : (b.errorInfo ?? ''),
                StartTime: inv.startedAt,
                FinishedTime: running ? '' : new Date().toISOString(),
                StopTime: '',
                Repeats: 1,
                Username: 'root',
              },
            ],
          },
        },
      };
    },
    ...writeHandlers(state, region, instance),
  } satisfies Record<string, (p: Record<string, string>) => Record<string, unknown>>;
}

const PRODUCT_OF: Record<string, 'ecs' | 'vpc' | 'sts'> = {
  DescribeRegions: 'ecs',
  DescribeInstances: 'ecs',
  DescribeNetworkInterfaces: 'ecs',
  DescribeSecurityGroups: 'ecs',
  DescribeSecurityGroupAttribute: 'ecs',
  DescribePrefixListAttributes: 'ecs',
  RunCommand: 'ecs',
  DescribeInvocationResults: 'ecs',
  DescribeEipAddresses: 'vpc',
  DescribeNetworkAcls: 'vpc',
  DescribeNetworkAclAttributes: 'vpc',
  GetCallerIdentity: 'sts',
  AuthorizeSecurityGroup: 'ecs',
  AuthorizeSecurityGroupEgress: 'ecs',
  RevokeSecurityGroup: 'ecs',
  RevokeSecurityGroupEgress: 'ecs',
  ModifySecurityGroupRule: 'ecs',
  ModifySecurityGroupEgressRule: 'ecs',
  JoinSecurityGroup: 'ecs',
  LeaveSecurityGroup: 'ecs',
  StartInstance: 'ecs',
  UpdateNetworkAclEntries: 'vpc',
};

const readBody = (req: IncomingMessage): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });

export async function startFakeAliyun(opts: FakeAliyunOptions): Promise<FakeAliyun> {
  const state: State = { scenario: opts.scenario, invocations: new Map<string, Invocation>(), commands: [], tokens: new Map(), changed: false };
  let faults = (opts.faults ?? []).map((f) => ({ ...f, left: f.times ?? Number.POSITIVE_INFINITY }));
  let latency = opts.latencyMs ?? 0;
  const calls: CallRecord[] = [];
  const nonces = new Set<string>();
  const h = handlers(state);
  let seq = 0;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const startedAt = Date.now();
    const rec: CallRecord = { seq: ++seq, action: '', version: '', params: {}, startedAt, endedAt: 0, status: 0 };
    calls.push(rec);
    const requestId = randomUUID().toUpperCase();
    const send = (status: number, body: string, headers: Record<string, string> = {}) => {
      rec.status = status;
      rec.endedAt = Date.now();
      if (res.destroyed) return;
      res.writeHead(status, { 'content-type': 'application/json;charset=utf-8', 'x-acs-request-id': requestId, ...headers });
      res.end(body);
    };
    const sendError = (e: ApiError, headers: Record<string, string> = {}) => {
      rec.code = e.code;
      send(e.status, JSON.stringify({ RequestId: requestId, HostId: req.headers.host ?? '', Code: e.code, Message: e.message, Recommend: `https://api.aliyun.com/troubleshoot?q=${e.code}&product=Ecs&requestId=${requestId}`, ...e.extra }), headers);
    };

    try {
      const body = await readBody(req);
      const url = new URL(req.url ?? '/', 'http://fake');
      const query: Record<string, string> = {};
      url.searchParams.forEach((v, k) => (query[k] = v));
      const form: Record<string, string> = {};
      if (body.length && String(req.headers['content-type'] ?? '').includes('x-www-form-urlencoded')) new URLSearchParams(body.toString('utf8')).forEach((v, k) => (form[k] = v));
      const action = String(req.headers['x-acs-action'] ?? query.Action ?? '');
      const version = String(req.headers['x-acs-version'] ?? query.Version ?? '');
      rec.action = action;
      rec.version = version;
      rec.params = { ...query, ...form };

      // ---- authentication ----
      const auth = parseAuthorization(req.headers.authorization);
      if (!auth) throw new ApiError(400, 'IncompleteSignature', 'The request signature does not conform to Aliyun standards.');
      rec.accessKeyId = auth.accessKeyId;
      if (auth.algorithm !== 'ACS3-HMAC-SHA256') throw new ApiError(400, 'InvalidSignatureMethod', 'The specified signature method is not supported.');
      if (auth.accessKeyId !== opts.accessKeyId) throw new ApiError(404, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.');
      const required = ['host', 'x-acs-action', 'x-acs-content-sha256', 'x-acs-date', 'x-acs-signature-nonce', 'x-acs-version'];
      if (!required.every((x) => auth.signedHeaders.includes(x))) throw new ApiError(400, 'IncompleteSignature', 'The request signature does not conform to Aliyun standards.');
      const hashed = sha256Hex(body);
      if (req.headers['x-acs-content-sha256'] !== hashed) throw new ApiError(400, 'SignatureDoesNotMatch', 'Specified signature is not matched with our calculation.');
      const canonical = canonicalRequest({ method: req.method ?? 'POST', pathname: url.pathname, query, headers: req.headers, signedHeaders: auth.signedHeaders, hashedPayload: hashed });
      if (!signaturesEqual(expectedSignature(opts.accessKeySecret, canonical), auth.signature)) {
        throw new ApiError(400, 'SignatureDoesNotMatch', 'Specified signature is not matched with our calculation.');
      }
      const date = Date.parse(String(req.headers['x-acs-date'] ?? ''));
      if (!Number.isFinite(date) || Math.abs(Date.now() - date) > (opts.maxSkewMs ?? 15 * 60_000)) throw new ApiError(400, 'InvalidTimeStamp.Expired', 'Specified time stamp or date value is expired.');
      const nonce = String(req.headers['x-acs-signature-nonce']);
      if (nonces.has(nonce)) throw new ApiError(400, 'SignatureNonceUsed', 'Specified signature nonce was used already.');
      nonces.add(nonce);
      if (opts.securityToken !== undefined && req.headers['x-acs-security-token'] !== opts.securityToken) {
        throw new ApiError(400, 'InvalidSecurityToken.Mismatch', 'Specified SecurityToken is not matched with the AccessKey.');
      }

      const product = PRODUCT_OF[action];
      const handler = (h as Record<string, ((p: Record<string, string>) => Record<string, unknown>) | undefined>)[action];
      if (!product || !handler) throw new ApiError(404, 'InvalidAction.NotFound', 'Specified api is not found, please check your url and method.');
      if (VERSIONS[product] !== version) throw new ApiError(400, 'InvalidVersion', `Specified parameter Version is not valid.`);

      if (latency > 0) await sleep(latency);

      // ---- faults ----
      const fault = faults.find((f) => f.left > 0 && (f.action === '*' || f.action === action) && (!f.match || f.match(rec.params)));
      if (fault) {
        fault.left--;
        rec.fault = fault.kind;
        switch (fault.kind) {
          case 'forbidden':
            throw new ApiError(403, 'Forbidden.RAM', "User not authorized to operate on the specified resource, or this API doesn't support RAM.", {
              AccessDeniedDetail: {
                PolicyType: 'AccountLevelIdentityBasedPolicy',
                AuthPrincipalOwnerId: state.scenario.accountId,
                AuthPrincipalType: 'SubUser',
                AuthPrincipalDisplayName: 'sg-doctor-reader',
                NoPermissionType: 'ImplicitDeny',
                AuthAction: `${product}:${action}`,
                EncodedDiagnosticMessage: 'AQEAAAAAaHj0v0Q1RDM2NTI4LUE0OTAtNTI4MS04MjE0LTRFMkE2NjY1OTk4Rg==',
              },
            });
          case 'nopermission':
            throw new ApiError(403, 'NoPermission', 'You are not authorized to do this operation.');
          case 'throttle': {
            const ms = fault.retryAfterMs ?? 100;
            throw Object.assign(new ApiError(400, 'Throttling.User', 'Request was denied due to user flow control.'), { headers: { 'x-acs-retry-after': String(ms), 'retry-after': String(Math.ceil(ms / 1000)) } });
          }
          case 'slow':
            await sleep(fault.delayMs ?? 10_000);
            break;
          case 'server-error':
            throw new ApiError(500, 'InternalError', 'The request processing has failed due to some unknown error, exception or failure.');
          case 'unavailable':
            throw new ApiError(503, 'ServiceUnavailable', 'The request has failed due to a temporary failure of the server.');
          case 'malformed':
            rec.code = 'Malformed';
            send(200, `{"RequestId":"${requestId}","Instances":{"Instance":[{"InstanceId":`);
            return;
        }
      }

      state.changed = false;
      const out = handler(rec.params);
      if (state.changed) await opts.onChange?.(state.scenario);
      send(200, JSON.stringify({ RequestId: requestId, ...out }));
    } catch (err) {
      if (err instanceof ApiError) sendError(err, (err as ApiError & { headers?: Record<string, string> }).headers);
      else sendError(new ApiError(500, 'InternalError', `fake API bug: ${(err as Error).message}`));
    }
  }

  const server = createServer((req, res) => void handle(req, res));
  const sockets = new Set<import('node:net').Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `127.0.0.1:${port}`,
    port,
    calls,
    commands: state.commands,
    setScenario: (s) => {
      state.scenario = s;
      state.tokens.clear();
    },
    scenario: () => state.scenario,
    setFaults: (f) => {
      faults = f.map((x) => ({ ...x, left: x.times ?? Number.POSITIVE_INFINITY }));
    },
    setLatency: (ms) => {
      latency = ms;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

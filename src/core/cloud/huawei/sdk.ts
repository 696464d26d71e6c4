// Loads the Huawei Cloud SDKs lazily (about a second of CPU, like the Alibaba ones) and builds clients that
// always get an explicit endpoint and explicit credentials (AK/SK + project id):
// - never `withRegion`: with a region and no project id the SDK asks IAM for the project id and, when there is
//   none, *creates* one (IAM KeystoneCreateProject) — a write SG Doctor must not do;
// - never the SDK's environment credential chain (credentials.ts decides where the key comes from).
//
// Endpoints: https://{ecs|vpc}.{region}.myhuaweicloud.com (the SDK's own region tables use exactly this form
// for every region, @huaweicloud/huaweicloud-sdk-ecs v2/EcsRegion.js); the EIP v1 API (ListPublicips) is served
// on the VPC endpoint; IAM (only to look the project id up) on https://iam.myhuaweicloud.com. Overridable for
// tests and private deployments: SGD_HUAWEI_ENDPOINT (all services), SGD_HUAWEI_ECS_ENDPOINT /
// SGD_HUAWEI_VPC_ENDPOINT / SGD_HUAWEI_EIP_ENDPOINT / SGD_HUAWEI_IAM_ENDPOINT (one each). An override must be
// https://host[:port], or http:// only to a loopback address (the test fake) — a signed request never travels
// in clear text over a network.
//
// Two SDK behaviours are neutralised at load time (see prepareCore):
// - @huaweicloud/huaweicloud-sdk-core 3.1.211 requires the package `uuid` without declaring it (its package.json
//   has no such dependency), only to make up an "application id" for the User-Agent, which it also writes to
//   ~/.huaweicloud/application_id on first use. SG Doctor sends its own User-Agent (customUserAgent, which
//   skips that code), and when `uuid` is not installed the module is replaced by one that only joins the
//   prefix: no missing package, no file written into the user's home, no tracking id.
// - the SDK's log4js logger prints every failed request (with its headers) to stdout: it is switched off; the
//   reader reports each failure once, redacted.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type * as CoreModule from '@huaweicloud/huaweicloud-sdk-core';
import type * as EcsModule from '@huaweicloud/huaweicloud-sdk-ecs';
import type * as VpcModule from '@huaweicloud/huaweicloud-sdk-vpc';
import { fail, ok, type Result } from '../../result';
import { checkCloudId } from '../ids';
import type { HuaweiKeys } from './credentials';

export type HuaweiService = 'ecs' | 'vpc' | 'eip' | 'iam';

export type HuaweiEndpoints = Record<HuaweiService, string>;

const LOOPBACK_HOST = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost|\[::1\])$/i;

/** Checks one endpoint URL: https anywhere, http only to loopback; no credentials, path, query or fragment. */
export function checkHuaweiEndpoint(value: string, name: string): Result<string> {
  let u: URL;
  try {
    u = new URL(value.trim());
  } catch {
    return fail('BAD_ENDPOINT', `${name} ${JSON.stringify(value.slice(0, 80))} is not a URL like https://vpc.cn-north-4.myhuaweicloud.com`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return fail('BAD_ENDPOINT', `${name} must be an https:// URL`);
  if (u.protocol === 'http:' && !LOOPBACK_HOST.test(u.hostname)) {
    return fail('BAD_ENDPOINT', `${name} uses http:// to a host that is not loopback: signed requests go over https only`);
  }
  if (u.username || u.password || (u.pathname && u.pathname !== '/') || u.search || u.hash) {
    return fail('BAD_ENDPOINT', `${name} must be only scheme://host[:port]`);
  }
  return ok(`${u.protocol}//${u.host}`);
}

/** The endpoints for a region, with the environment's overrides applied and checked. */
export function huaweiEndpoints(region: string, env: NodeJS.ProcessEnv = process.env): Result<HuaweiEndpoints> {
  const r = checkCloudId('region', region, 'region');
  if (!r.ok) return fail('BadRegion', r.message);
  const out = {} as HuaweiEndpoints;
  for (const svc of ['ecs', 'vpc', 'eip', 'iam'] as const) {
    const specific = `SGD_HUAWEI_${svc.toUpperCase()}_ENDPOINT`;
    const name = env[specific]?.trim() ? specific : env.SGD_HUAWEI_ENDPOINT?.trim() ? 'SGD_HUAWEI_ENDPOINT' : null;
    if (name) {
      const c = checkHuaweiEndpoint(env[name]!, name);
      if (!c.ok) return c;
      out[svc] = c.value;
    } else {
      // IAM is a global service: the SDK's own default is https://iam.myhuaweicloud.com (utils/constant.js).
      out[svc] = svc === 'iam' ? 'https://iam.myhuaweicloud.com' : `https://${svc === 'eip' ? 'vpc' : svc}.${region}.myhuaweicloud.com`;
    }
  }
  return ok(out);
}

export interface HuaweiSdk {
  core: typeof CoreModule;
  Ecs: typeof EcsModule;
  Vpc: typeof VpcModule;
}

let sdk: Promise<HuaweiSdk> | null = null;

function sdkRequire(): NodeJS.Require {
  // Anchored at this file when it exists (CommonJS bundle, vitest), else at the working directory.
  const base = typeof __filename === 'string' ? __filename : join(process.cwd(), 'index.js');
  return createRequire(base);
}

/**
 * See the header: when the SDK's undeclared `uuid` is missing, its User-Agent helper is replaced before anything
 * loads it. With `uuid` present the SDK's own helper is used; it still writes nothing, because every client is
 * built with a customUserAgent, which skips the application-id code.
 */
function prepareCore(): void {
  const req = sdkRequire();
  const file = req.resolve('@huaweicloud/huaweicloud-sdk-core/http/DefaultUserAgent.js');
  let uuidPresent = true;
  try {
    createRequire(file).resolve('uuid');
  } catch {
    uuidPresent = false;
  }
  if (!uuidPresent && !req.cache[file]) {
    const exports = { generateDefaultUsageAgent: (prefix: string) => prefix };
    req.cache[file] = { id: file, filename: file, loaded: true, exports, children: [], paths: [], path: file } as unknown as NodeJS.Module;
  }
}

function silenceLogger(): void {
  try {
    const req = sdkRequire();
    const log = req('@huaweicloud/huaweicloud-sdk-core/logger/log4jLogger.js') as { Logger4jInstance?: { level: unknown } };
    if (log.Logger4jInstance) log.Logger4jInstance.level = 'off';
  } catch {
    /* a later SDK without this module: nothing to silence */
  }
}

/** Loads the three SDK packages once (lazily: the first cloud call, not start-up). */
export function loadHuaweiSdk(): Promise<HuaweiSdk> {
  sdk ??= (async () => {
    prepareCore();
    const [core, Ecs, Vpc] = await Promise.all([import('@huaweicloud/huaweicloud-sdk-core'), import('@huaweicloud/huaweicloud-sdk-ecs'), import('@huaweicloud/huaweicloud-sdk-vpc')]);
    silenceLogger();
    return { core: unwrap(core, 'BasicCredentials'), Ecs: unwrap(Ecs, 'EcsClient'), Vpc: unwrap(Vpc, 'v3') };
  })();
  sdk.catch(() => (sdk = null));
  return sdk;
}

/** Under ESM interop the named exports can sit on `.default`. */
function unwrap<T extends object>(mod: T, probe: string): T {
  if (probe in mod) return mod;
  const d = (mod as { default?: unknown }).default;
  return d && typeof d === 'object' && probe in d ? (d as T) : mod;
}

export interface HuaweiClientOptions {
  keys: HuaweiKeys;
  /** '' for a global API (IAM): no project id in the path, no X-Project-Id header. */
  projectId: string;
  endpoint: string;
  timeoutMs: number;
}

/** Anything with the SDK's per-operation methods; the reader calls them by name with snake_case requests. */
export type HuaweiClient = Record<string, (req: Record<string, unknown>) => Promise<Record<string, unknown>>>;

/** The raw HcClient, for APIs without an SDK package (EIP v1 ListPublicips). */
export interface RawHcClient {
  sendRequest(options: { method: string; url: string; contentType?: string; queryParams: Record<string, unknown>; pathParams: Record<string, unknown>; headers: Record<string, unknown> }): Promise<Record<string, unknown>>;
}

function credentialOf(s: HuaweiSdk, o: HuaweiClientOptions): unknown {
  const c = new s.core.BasicCredentials().withAk(o.keys.ak).withSk(o.keys.sk).withProjectId(o.projectId);
  if (o.keys.securityToken) c.withSecurityToken(o.keys.securityToken);
  return c;
}

function build<T>(s: HuaweiSdk, builder: { withCredential(c: never): unknown }, o: HuaweiClientOptions): T {
  const b = builder as unknown as {
    withCredential(c: unknown): typeof b;
    withEndpoint(e: string): typeof b;
    withOptions(opts: unknown): typeof b;
    build(): T;
  };
  return b
    .withCredential(credentialOf(s, o))
    .withEndpoint(o.endpoint)
    .withOptions({ customUserAgent: 'sg-doctor', axiosRequestConfig: { timeout: o.timeoutMs, maxRedirects: 0 } })
    .build();
}

export function makeEcsClient(s: HuaweiSdk, o: HuaweiClientOptions): HuaweiClient {
  return build<HuaweiClient>(s, s.Ecs.EcsClient.newBuilder() as never, o);
}

export function makeVpcV2Client(s: HuaweiSdk, o: HuaweiClientOptions): HuaweiClient {
  return build<HuaweiClient>(s, s.Vpc.v2.VpcClient.newBuilder() as never, o);
}

export function makeVpcV3Client(s: HuaweiSdk, o: HuaweiClientOptions): HuaweiClient {
  return build<HuaweiClient>(s, s.Vpc.v3.VpcClient.newBuilder() as never, o);
}

/** A bare HcClient (signing, endpoint, error mapping of the SDK) for an API with no SDK package. */
export function makeRawClient(s: HuaweiSdk, o: HuaweiClientOptions): RawHcClient {
  // Every generated client keeps its HcClient as `hcClient` (VpcClient's constructor); the core package does
  // not export ClientBuilder, so the VPC v2 client's is borrowed.
  const hc = (makeVpcV2Client(s, o) as unknown as { hcClient?: RawHcClient }).hcClient;
  if (!hc || typeof hc.sendRequest !== 'function') throw new Error('the Huawei Cloud SDK client has no HcClient');
  return hc;
}

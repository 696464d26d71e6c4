// Where the API lives. Public cloud by default (the SDK derives the regional endpoint); overridable per
// product for Apsara Stack, finance / gov clouds and tests. Precedence: flags > environment
// (SGD_ECS_ENDPOINT, SGD_VPC_ENDPOINT, SGD_STS_ENDPOINT, SGD_API_PROTOCOL) > the sg-doctor config file
// (core/config.ts: "ecsEndpoint", "vpcEndpoint", "stsEndpoint", "apiProtocol").
// Endpoints come only from that explicit configuration, never from a session file or a pasted snapshot.
import { fail, ok, type Result } from '../../result';
import { assertCloudId } from '../ids';

export interface Endpoints {
  /** host[:port] of the ECS API; undefined = derive from the region (public cloud). */
  ecs?: string;
  vpc?: string;
  sts?: string;
  /** 'https' unless the endpoint is loopback or the user says otherwise. */
  protocol?: 'http' | 'https';
}

/** The endpoint keys of the config file (see core/config.ts ConfigFileSchema). */
export interface EndpointFileConfig {
  ecsEndpoint?: string;
  vpcEndpoint?: string;
  stsEndpoint?: unknown;
  apiProtocol?: unknown;
}

export interface EndpointSources {
  flags?: Endpoints;
  env?: NodeJS.ProcessEnv;
  file?: EndpointFileConfig | null;
}

const clean = (v: unknown): string | undefined => {
  if (typeof v !== 'string' || !v.trim()) return undefined;
  // Accept "https://ecs.example.com/" as well as the SDK's bare host form.
  return v.trim().replace(/^[a-z]+:\/\//i, '').replace(/\/+$/, '');
};
const proto = (v: unknown): 'http' | 'https' | undefined => (v === 'http' || v === 'https' ? v : undefined);

export function resolveEndpoints(src: EndpointSources = {}): Endpoints {
  const env = src.env ?? process.env;
  const f = src.flags ?? {};
  const file = src.file ?? {};
  const out: Endpoints = {
    ecs: clean(f.ecs) ?? clean(env.SGD_ECS_ENDPOINT) ?? clean(file.ecsEndpoint),
    vpc: clean(f.vpc) ?? clean(env.SGD_VPC_ENDPOINT) ?? clean(file.vpcEndpoint),
    sts: clean(f.sts) ?? clean(env.SGD_STS_ENDPOINT) ?? clean(file.stsEndpoint),
  };
  const protocol = f.protocol ?? proto(env.SGD_API_PROTOCOL) ?? proto(file.apiProtocol);
  if (protocol) out.protocol = protocol;
  return out;
}

/** Loopback endpoints (the test fake) speak plain HTTP; everything else HTTPS unless configured. */
export function protocolFor(endpoint: string | undefined, configured: 'http' | 'https' | undefined): 'http' | 'https' {
  if (configured) return configured;
  if (endpoint && /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?$/.test(endpoint)) return 'http';
  return 'https';
}

/** "host", "host:port", "[v6]:port": what an endpoint setting may hold (no user-info, path or query). */
const ENDPOINT_HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}))*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

export function isEndpointHost(value: string): boolean {
  if (!ENDPOINT_HOST.test(value)) return false;
  const port = /:(\d{1,5})$/.exec(value.replace(/^\[[^\]]*\]/, ''))?.[1];
  return port === undefined || (Number(port) >= 1 && Number(port) <= 65535);
}

/** Checks configured endpoints (flags, environment, config file) before any client is built. */
export function checkEndpoints(e: Endpoints): Result<Endpoints> {
  for (const key of ['ecs', 'vpc', 'sts'] as const) {
    const v = e[key];
    if (v !== undefined && !isEndpointHost(v)) {
      return fail('BAD_ENDPOINT', `the ${key.toUpperCase()} API endpoint ${JSON.stringify(v.slice(0, 80))} is not a host or host:port`);
    }
  }
  return ok(e);
}

export type ApiProduct = 'ecs' | 'vpc' | 'sts';

export interface ApiClientTarget {
  /** The region the SDK signs for and, without an explicit endpoint, derives the host from. */
  regionId: string;
  endpoint?: string;
  protocol: 'http' | 'https';
}

/**
 * The endpoint builder every API client goes through. Without an explicit endpoint the SDK derives the
 * host from the region ("ecs.<region>.aliyuncs.com"), so an invalid region is refused here whatever the
 * caller checked before (defence in depth: it throws InvalidCloudIdError and builds nothing).
 */
export function apiClientTarget(product: ApiProduct, region: string, endpoints: Endpoints): ApiClientTarget {
  assertCloudId('region', region, 'region');
  const endpoint = product === 'sts' ? (endpoints.sts ?? 'sts.aliyuncs.com') : endpoints[product];
  if (endpoint !== undefined && !isEndpointHost(endpoint)) throw new Error(`the ${product.toUpperCase()} API endpoint is not a host or host:port`);
  return { regionId: region, ...(endpoint ? { endpoint } : {}), protocol: protocolFor(endpoint, endpoints.protocol) };
}

/** The host the public cloud serves a product's API on for a region (for messages and tests). */
export function regionalHost(product: Exclude<ApiProduct, 'sts'>, region: string): string {
  return `${product}.${assertCloudId('region', region, 'region')}.aliyuncs.com`;
}

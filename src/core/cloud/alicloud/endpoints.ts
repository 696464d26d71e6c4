// Where the API lives. Public cloud by default (the SDK derives the regional endpoint); overridable per
// product for Apsara Stack, finance / gov clouds and tests. Precedence: flags > environment
// (SGD_ECS_ENDPOINT, SGD_VPC_ENDPOINT, SGD_STS_ENDPOINT, SGD_API_PROTOCOL) > the sg-doctor config file
// (core/config.ts: "ecsEndpoint", "vpcEndpoint", "stsEndpoint", "apiProtocol").

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

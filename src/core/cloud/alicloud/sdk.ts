// Loads the @alicloud SDK clients robustly (CommonJS bundle, tsx/vitest ESM interop) and builds clients.
import type * as EcsModule from '@alicloud/ecs20140526';
import type * as VpcModule from '@alicloud/vpc20160428';
import type EcsClientType from '@alicloud/ecs20140526';
import type VpcClientType from '@alicloud/vpc20160428';
import type { Endpoints } from './endpoints';
import { apiClientTarget, type ApiProduct } from './endpoints';
import type { SdkCredential } from './credentials';

export type EcsClient = EcsClientType;
export type VpcClient = VpcClientType;

/** Under ESM interop the default import can be the module object; walk `.default` until a constructor. */
function ctorOf<T>(mod: unknown): T {
  let cur: unknown = mod;
  for (let i = 0; i < 3 && cur && typeof cur !== 'function'; i++) cur = (cur as { default?: unknown }).default;
  if (typeof cur !== 'function') throw new Error('could not load the Alibaba Cloud SDK client class');
  return cur as T;
}

/** The module object that carries the request model classes (named exports). */
function modelsOf<T extends object>(mod: T, probe: string): T {
  if (probe in mod) return mod;
  const d = (mod as { default?: unknown }).default;
  if (d && typeof d === 'object' && probe in d) return d as T;
  if (d && typeof d === 'function' && probe in d) return d as unknown as T;
  return mod;
}

export interface ClientOptions {
  credential: SdkCredential;
  region: string;
  endpoints: Endpoints;
  timeoutMs: number;
}

// apiClientTarget refuses an invalid region (the SDK would build the host from it).
const baseConfig = (o: ClientOptions, product: ApiProduct) => ({
  credential: o.credential,
  ...apiClientTarget(product, o.region, o.endpoints),
  readTimeout: o.timeoutMs,
  connectTimeout: Math.min(o.timeoutMs, 5000),
  userAgent: 'sg-doctor',
});

export interface Sdk {
  Ecs: typeof EcsModule;
  Vpc: typeof VpcModule;
  makeEcsClient(o: ClientOptions): EcsClient;
  makeVpcClient(o: ClientOptions): VpcClient;
  /**
   * STS GetCallerIdentity goes through the generic OpenAPI `callApi` of an ECS client pointed at the STS
   * endpoint: no extra SDK package for one harmless call.
   */
  makeStsClient(o: ClientOptions): EcsClient;
}

let sdk: Promise<Sdk> | null = null;

/** The two SDKs cost about a second of CPU to load: they are loaded by the first cloud call, not at start-up. */
export function loadSdk(): Promise<Sdk> {
  sdk ??= Promise.all([import('@alicloud/ecs20140526'), import('@alicloud/vpc20160428')]).then(([ecsModule, vpcModule]) => {
    const EcsCtor = ctorOf<new (config: unknown) => EcsClient>(ecsModule);
    const VpcCtor = ctorOf<new (config: unknown) => VpcClient>(vpcModule);
    return {
      Ecs: modelsOf(ecsModule, 'DescribeInstancesRequest') as typeof EcsModule,
      Vpc: modelsOf(vpcModule, 'DescribeEipAddressesRequest') as typeof VpcModule,
      makeEcsClient: (o) => new EcsCtor(baseConfig(o, 'ecs')),
      makeVpcClient: (o) => new VpcCtor(baseConfig(o, 'vpc')),
      makeStsClient: (o) => new EcsCtor(baseConfig(o, 'sts')),
    };
  });
  return sdk;
}

/** Runtime options: the SDK's own retry is off; call.ts retries with backoff and jitter. */
export const runtimeOptions = (timeoutMs: number) =>
  ({ autoretry: false, maxAttempts: 1, readTimeout: timeoutMs, connectTimeout: Math.min(timeoutMs, 5000) }) as never;

/** Response body as plain PascalCase JSON (the shape the API and the `aliyun` CLI print). */
export function bodyOf(resp: unknown): Record<string, unknown> {
  const body = (resp as { body?: unknown }).body;
  if (body && typeof (body as { toMap?: unknown }).toMap === 'function') return (body as { toMap: () => Record<string, unknown> }).toMap();
  return (body ?? {}) as Record<string, unknown>;
}

// Reads one instance's network configuration from the Alibaba Cloud API into a CloudSnapshot.
// Never throws for API outcomes: each failed call becomes one CloudError naming what it leaves unknown.
//
// Critical path (round trips), whatever the number of groups:
//   1. DescribeInstances (by id / address; GetCallerIdentity, DescribeRegions run alongside)
//   2. in parallel: DescribeNetworkInterfaces, DescribeSecurityGroups, DescribeSecurityGroupAttribute for
//      every group (further pages only lengthen that group's chain), DescribeEipAddresses, DescribeNetworkAcls
//   3. only when needed: DescribePrefixListAttributes for referenced prefix lists, DescribeNetworkAclAttributes
//      when DescribeNetworkAcls left the entries out, groups found only on secondary ENIs
// Searching by address adds the region fan-out (DescribeRegions ran in round 1) only when the profile's
// region does not have the instance.
import ipaddr from 'ipaddr.js';
import type { z } from 'zod';
import type { CloudError, CloudSnapshot, Eip, Instance, NetworkAcl, NetworkInterface, SecurityGroup } from '../model';
import { makeRedactor, type Redactor } from '../redact';
import type { ActionName } from './actions';
import { callApi, type CallPolicy } from './call';
import { resolveCredentials, type AccessKeyInput, type ResolveOptions, type ResolvedCredentials } from './credentials';
import { resolveEndpoints, type Endpoints } from './endpoints';
import pLimit from 'p-limit';
import {
  aclHasEntries,
  interfacesFromInstance,
  mapEip,
  mapInstance,
  mapInterfaceSet,
  mapNetworkAcl,
  mapSecurityGroup,
  referencedPrefixLists,
  type GroupMeta,
} from './map';
import {
  CallerIdentitySchema,
  describeIssues,
  EipAddressesSchema,
  InstancesSchema,
  NetworkAclAttributesSchema,
  NetworkAclsSchema,
  NetworkInterfacesSchema,
  PrefixListAttributesSchema,
  RegionsSchema,
  SecurityGroupAttributeSchema,
  SecurityGroupsSchema,
  type ApiInstance,
  type ApiNetworkAcl,
  type ApiNetworkInterfaceSet,
  type ApiPermission,
  type ApiSecurityGroupAttribute,
} from './schemas';
import { bodyOf, loadSdk, runtimeOptions, type EcsClient, type VpcClient } from './sdk';

export interface ReadOptions {
  instanceId?: string;
  /** Public IP, EIP or private IP of the instance, when the user does not know the id. */
  address?: string;
  /** Region to search first (default: the profile's / environment's region, else cn-hangzhou). */
  region?: string;
  profile?: string;
  /** Already resolved credentials, or an AccessKey typed by the user. */
  credentials?: ResolvedCredentials | AccessKeyInput;
  /** Paths / environment / metadata opt-in for resolving credentials. */
  credentialOptions?: ResolveOptions;
  endpoints?: Endpoints;
  signal?: AbortSignal;
  /** Concurrent API calls (default 16). */
  concurrency?: number;
  /** Per-call timeout in ms (default 5000). */
  timeoutMs?: number;
  /** Extra attempts on throttling / 5xx / timeouts (default 3). */
  retries?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Search every region when the instance is not in the first one (default true). */
  searchAllRegions?: boolean;
  /** Redacted progress lines. */
  log?: (line: string) => void;
  onAttempt?: CallPolicy['onAttempt'];
}

const DEFAULT_REGION = 'cn-hangzhou';

const isResolved = (c: ResolvedCredentials | AccessKeyInput): c is ResolvedCredentials => 'credential' in c && 'source' in c;

export function isPrivateAddress(ip: string): boolean {
  try {
    const range = ipaddr.parse(ip).range();
    return ['private', 'carrierGradeNat', 'loopback', 'linkLocal', 'uniqueLocal'].includes(range);
  } catch {
    return false;
  }
}

function emptySnapshot(region: string): CloudSnapshot {
  return {
    provider: 'alicloud',
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

export async function readCloudSnapshot(opts: ReadOptions): Promise<CloudSnapshot> {
  const { Ecs, Vpc, makeEcsClient, makeVpcClient, makeStsClient } = await loadSdk();
  const notes: string[] = [];
  const errors: CloudError[] = [];

  // ---- credentials ------------------------------------------------------------------------------
  let creds: ResolvedCredentials;
  if (opts.credentials && isResolved(opts.credentials)) creds = opts.credentials;
  else {
    const r = resolveCredentials({ ...opts.credentialOptions, ...(opts.credentials ? { accessKey: opts.credentials } : {}), ...(opts.profile ? { profile: opts.profile } : {}) });
    if (!r.ok) {
      const snap = emptySnapshot(opts.region ?? DEFAULT_REGION);
      snap.errors.push({ action: 'ResolveCredentials', code: r.code, message: makeRedactor([])(r.message), leavesUnknown: ['everything'] });
      return snap;
    }
    creds = r.value;
  }
  let redact: Redactor = creds.redact;
  try {
    // Learn the concrete secret (also for chain / metadata sources) so that it can be redacted everywhere.
    const model = await creds.credential.getCredential();
    const inner = creds.redact;
    const extra = makeRedactor([model.accessKeySecret, model.securityToken], [model.accessKeyId]);
    redact = (t) => extra(inner(t));
  } catch (err) {
    const snap = emptySnapshot(opts.region ?? creds.regionId ?? DEFAULT_REGION);
    snap.account = { credentialSource: creds.sourceDetail, ...(creds.profile ? { profile: creds.profile } : {}) };
    snap.errors.push({
      action: 'ResolveCredentials',
      code: 'CredentialUnavailable',
      message: redact(`could not obtain credentials from ${creds.sourceDetail}: ${(err as Error).message}`),
      leavesUnknown: ['everything'],
    });
    return snap;
  }
  const log = (line: string) => opts.log?.(redact(line));

  const homeRegion = opts.region ?? creds.regionId ?? DEFAULT_REGION;
  const endpoints = opts.endpoints ?? resolveEndpoints();
  const timeoutMs = opts.timeoutMs ?? 5000;
  const policy: CallPolicy = {
    timeoutMs,
    retries: opts.retries ?? 3,
    baseDelayMs: opts.baseDelayMs ?? 200,
    maxDelayMs: opts.maxDelayMs ?? 3000,
    signal: opts.signal,
    redact,
    onAttempt: opts.onAttempt,
  };
  const limit = pLimit(Math.max(1, Math.floor(opts.concurrency ?? 16)));
  const clientOpts = (region: string) => ({ credential: creds.credential, region, endpoints, timeoutMs });
  const ecsClients = new Map<string, EcsClient>();
  const vpcClients = new Map<string, VpcClient>();
  const ecs = (region: string): EcsClient => {
    if (!ecsClients.has(region)) ecsClients.set(region, makeEcsClient(clientOpts(region)));
    return ecsClients.get(region)!;
  };
  const vpc = (region: string): VpcClient => {
    if (!vpcClients.has(region)) vpcClients.set(region, makeVpcClient(clientOpts(region)));
    return vpcClients.get(region)!;
  };
  const runtime = runtimeOptions(timeoutMs);
  /** Generic RPC call parameters, for calls whose raw response body must reach the mapping unfiltered. */
  const rpc = (action: string, version: string): never =>
    ({ action, version, protocol: 'HTTPS', pathname: '/', method: 'POST', authType: 'AK', style: 'RPC', reqBodyType: 'formData', bodyType: 'json' }) as never;

  /** One API call through the limiter, validated against its schema; null (and an error recorded) on failure. */
  async function call<S extends z.ZodTypeAny>(
    action: ActionName,
    what: string,
    leavesUnknown: string[],
    schema: S,
    fn: () => Promise<unknown>,
  ): Promise<z.infer<S> | null> {
    const out = await limit(() => callApi(action, what, leavesUnknown, async () => bodyOf(await fn()), policy));
    if (!out.ok) {
      errors.push(out.error);
      log(out.error.message);
      return null;
    }
    const parsed = schema.safeParse(out.value);
    if (!parsed.success) {
      const requestId = typeof out.value.RequestId === 'string' ? out.value.RequestId : undefined;
      const e: CloudError = {
        action,
        code: 'MalformedResponse',
        message: redact(`${action}${what ? ` (${what})` : ''}: unexpected response: ${describeIssues(parsed.error, out.value)}`),
        ...(requestId ? { requestId } : {}),
        leavesUnknown,
      };
      errors.push(e);
      log(e.message);
      return null;
    }
    return parsed.data as z.infer<S>;
  }

  // ---- round 1: find the instance (plus identity and the region list, alongside) ------------------
  const identityP = call('GetCallerIdentity', '', ['account'], CallerIdentitySchema, () =>
    makeStsClient(clientOpts(homeRegion)).callApi(
      { action: 'GetCallerIdentity', version: '2015-04-01', protocol: 'HTTPS', pathname: '/', method: 'POST', authType: 'AK', style: 'RPC', reqBodyType: 'formData', bodyType: 'json' } as never,
      { query: {}, headers: {} } as never,
      runtime,
    ),
  );

  const address = opts.address?.trim();
  const privateAddress = address ? isPrivateAddress(address) : false;

  type Found = { inst: ApiInstance; region: string } | null;
  async function findIn(region: string): Promise<Found> {
    const queries: Record<string, string>[] = [];
    if (opts.instanceId) queries.push({ instanceIds: JSON.stringify([opts.instanceId]) });
    else if (address && privateAddress) queries.push({ privateIpAddresses: JSON.stringify([address]), instanceNetworkType: 'vpc' });
    else if (address) queries.push({ publicIpAddresses: JSON.stringify([address]) }, { eipAddresses: JSON.stringify([address]) });
    const results = await Promise.all(
      queries.map((q) =>
        call('DescribeInstances', `${region} ${Object.keys(q)[0]}`, ['instance'], InstancesSchema, () =>
          ecs(region).describeInstancesWithOptions(new Ecs.DescribeInstancesRequest({ regionId: region, ...q }), runtime),
        ),
      ),
    );
    for (const r of results) {
      const inst = r?.Instances.Instance[0];
      if (inst) return { inst, region };
    }
    return null;
  }

  const needFanOut = opts.searchAllRegions !== false;
  const regionsP = needFanOut
    ? call('DescribeRegions', '', ['regions'], RegionsSchema, () => ecs(homeRegion).describeRegionsWithOptions(new Ecs.DescribeRegionsRequest({}), runtime))
    : Promise.resolve(null);
  // An address that is an EIP of another product (SLB, NAT gateway, ...) is explained by its EIP record.
  const addressEipP =
    address && !privateAddress
      ? call('DescribeEipAddresses', `${homeRegion} ${address}`, ['eips'], EipAddressesSchema, () =>
          vpc(homeRegion).describeEipAddressesWithOptions(new Vpc.DescribeEipAddressesRequest({ regionId: homeRegion, eipAddress: address }), runtime),
        )
      : Promise.resolve(null);

  if (!opts.instanceId && !address) {
    const snap = emptySnapshot(homeRegion);
    snap.errors.push({ action: 'DescribeInstances', code: 'MissingTarget', message: 'give an instance id or an address', leavesUnknown: ['instance'] });
    return snap;
  }

  const firstErrors = errors.length;
  let found = await findIn(homeRegion);
  const homeSearchFailed = errors.length > firstErrors;
  if (!found && needFanOut) {
    const regions = await regionsP;
    const others = (regions?.Regions.Region ?? []).map((r) => r.RegionId).filter((r) => r !== homeRegion);
    if (others.length) log(`not in ${homeRegion}; searching ${others.length} more regions`);
    let hit: Found = null;
    // Regions are searched a few at a time so that a hit stops the remaining ones from starting.
    const regionLimit = pLimit(Math.max(1, Math.floor((opts.concurrency ?? 16) / 2)));
    await Promise.all(
      others.map((r) =>
        regionLimit(async () => {
          if (hit || opts.signal?.aborted) return;
          const f = await findIn(r);
          if (f && !hit) hit = f;
        }),
      ),
    );
    found = hit as Found;
    if (found) notes.push(`The instance is in region ${found.region}, not in ${homeRegion} (the region searched first).`);
  }

  const identity = await identityP;
  const account: CloudSnapshot['account'] = {
    ...(identity?.AccountId ? { accountId: identity.AccountId } : {}),
    credentialSource: creds.sourceDetail,
    ...(creds.accessKeyIdRedacted ? { accessKeyIdRedacted: creds.accessKeyIdRedacted } : {}),
    ...(creds.profile ? { profile: creds.profile } : {}),
  };

  if (!found) {
    const snap = emptySnapshot(homeRegion);
    snap.account = account;
    const eipDoc = await addressEipP;
    const eip = eipDoc?.EipAddresses.EipAddress?.[0];
    if (eip) snap.eips.push(mapEip(eip, homeRegion));
    const target = opts.instanceId ?? address;
    if (eip && eip.InstanceType && eip.InstanceType !== 'EcsInstance') {
      notes.push(
        `${address} is an EIP of this account bound to ${eip.InstanceType} ${eip.InstanceId ?? ''}`.trim() +
          ' — not an ECS instance: check that product (SLB listener, NAT gateway DNAT entry, ...) instead of a security group.',
      );
    } else if (errors.some((e) => e.action === 'DescribeInstances') && (homeSearchFailed || errors.some((e) => e.action === 'DescribeRegions'))) {
      notes.push(`Could not tell whether ${target} belongs to this account: the instance search failed (see errors).`);
    } else {
      notes.push(
        `${target} belongs to no ECS instance of this account (${account.accountId ?? 'account unknown'}) in ${needFanOut ? 'any region' : homeRegion}. ` +
          'Wrong account or AccessKey? Or the address belongs to an SLB, NAT gateway or another product, or the instance was released.',
      );
    }
    snap.errors = errors;
    snap.notes = notes;
    return snap;
  }

  // ---- round 2 (and 3): everything about the instance, concurrently --------------------------------
  const region = found.region;
  const instance: Instance = mapInstance(found.inst);
  const knownGroups = new Map<string, Promise<SecurityGroup | null>>();
  const groupMeta = new Map<string, GroupMeta>();
  const prefixCache = new Map<string, Promise<string[] | null>>();
  const aclsByVswitch = new Map<string, Promise<NetworkAcl[]>>();
  const eipsByKey = new Map<string, Promise<Eip[]>>();

  function prefixList(id: string): Promise<string[] | null> {
    if (!prefixCache.has(id)) {
      prefixCache.set(
        id,
        call('DescribePrefixListAttributes', id, [`prefixLists/${id}`], PrefixListAttributesSchema, () =>
          ecs(region).describePrefixListAttributesWithOptions(new Ecs.DescribePrefixListAttributesRequest({ regionId: region, prefixListId: id }), runtime),
        ).then((doc) => (doc ? (doc.Entries?.Entry ?? []).map((e) => e.Cidr) : null)),
      );
    }
    return prefixCache.get(id)!;
  }

  interface RawGroup {
    first: ApiSecurityGroupAttribute;
    perms: ApiPermission[];
    resolved: Map<string, string[] | null>;
  }

  async function groupAttribute(id: string): Promise<RawGroup | null> {
    const perms: ApiPermission[] = [];
    let first: ApiSecurityGroupAttribute | null = null;
    let token: string | undefined;
    for (let page = 0; page < 50; page++) {
      const doc = await call('DescribeSecurityGroupAttribute', `${id}${page ? ` page ${page + 1}` : ''}`, [`securityGroups/${id}`], SecurityGroupAttributeSchema, () =>
        // The raw body, not the SDK model: the model keeps only the fields this SDK version knows, and a rule
        // field it drops could silently widen the rule (map.ts treats unknown fields as "may restrict").
        ecs(region).callApi(
          rpc('DescribeSecurityGroupAttribute', '2014-05-26'),
          { query: { RegionId: region, SecurityGroupId: id, Direction: 'all', MaxResults: '1000', ...(token ? { NextToken: token } : {}) } } as never,
          runtime,
        ),
      );
      if (!doc) return null; // a group with missing pages is unknown, not "empty"
      first ??= doc;
      perms.push(...(doc.Permissions.Permission ?? []));
      token = doc.NextToken || undefined;
      if (!token) break;
    }
    if (!first) return null;
    const lists = referencedPrefixLists(perms);
    const resolved = new Map<string, string[] | null>(await Promise.all(lists.map(async (l) => [l, await prefixList(l)] as const)));
    return { first, perms, resolved };
  }

  /** Reads a set of groups: DescribeSecurityGroups (type) alongside each group's attributes. */
  function readGroups(ids: string[]): void {
    const fresh = ids.filter((id) => !knownGroups.has(id));
    if (!fresh.length) return;
    const metaP = call('DescribeSecurityGroups', fresh.join(','), fresh.map((id) => `securityGroups/${id}/type`), SecurityGroupsSchema, () =>
      ecs(region).describeSecurityGroupsWithOptions(
        new Ecs.DescribeSecurityGroupsRequest({ regionId: region, securityGroupIds: JSON.stringify(fresh), maxResults: 100 }),
        runtime,
      ),
    ).then((doc) => {
      for (const g of doc?.SecurityGroups.SecurityGroup ?? []) {
        groupMeta.set(g.SecurityGroupId, { type: g.SecurityGroupType, name: g.SecurityGroupName, vpcId: g.VpcId });
      }
      return doc !== null;
    });
    for (const id of fresh) {
      knownGroups.set(
        id,
        Promise.all([groupAttribute(id), metaP]).then(([raw, metaOk]) => {
          if (!raw) return null;
          const { first, perms, resolved } = raw;
          const g = mapSecurityGroup(first, perms, region, groupMeta.get(id), resolved);
          if (!metaOk) notes.push(`Type of ${id} (basic or enterprise) unknown: DescribeSecurityGroups failed; assumed basic.`);
          return g;
        }),
      );
    }
  }

  function aclsFor(vSwitchId: string): void {
    if (aclsByVswitch.has(vSwitchId)) return;
    aclsByVswitch.set(
      vSwitchId,
      (async () => {
        const doc = await call('DescribeNetworkAcls', vSwitchId, [`networkAcls/${vSwitchId}`], NetworkAclsSchema, () =>
          // Raw bodies (not the SDK model) for the ACLs too: see DescribeSecurityGroupAttribute.
          vpc(region).callApi(rpc('DescribeNetworkAcls', '2016-04-28'), { query: { RegionId: region, ResourceId: vSwitchId, ResourceType: 'VSwitch', PageSize: '50' } } as never, runtime),
        );
        const acls = doc?.NetworkAcls.NetworkAcl ?? [];
        const full = await Promise.all(
          acls.map(async (a): Promise<ApiNetworkAcl | null> => {
            if (aclHasEntries(a)) return a;
            const attr = await call('DescribeNetworkAclAttributes', a.NetworkAclId, [`networkAcls/${vSwitchId}`], NetworkAclAttributesSchema, () =>
              vpc(region).callApi(rpc('DescribeNetworkAclAttributes', '2016-04-28'), { query: { RegionId: region, NetworkAclId: a.NetworkAclId } } as never, runtime),
            );
            return attr?.NetworkAclAttribute ?? null;
          }),
        );
        return full.filter((a): a is ApiNetworkAcl => a !== null).map((a) => {
          const m = mapNetworkAcl(a, region);
          if (!m.vSwitchIds.includes(vSwitchId)) m.vSwitchIds.push(vSwitchId);
          return m;
        });
      })(),
    );
  }

  function eips(key: string, req: Record<string, string>): void {
    if (eipsByKey.has(key)) return;
    eipsByKey.set(
      key,
      call('DescribeEipAddresses', key, ['eips'], EipAddressesSchema, () =>
        vpc(region).describeEipAddressesWithOptions(new Vpc.DescribeEipAddressesRequest({ regionId: region, ...req }), runtime),
      ).then((doc) => (doc?.EipAddresses.EipAddress ?? []).map((e) => mapEip(e, region))),
    );
  }

  const interfacesP = (async (): Promise<ApiNetworkInterfaceSet[] | null> => {
    const all: ApiNetworkInterfaceSet[] = [];
    let token: string | undefined;
    for (let page = 0; page < 20; page++) {
      const doc = await call('DescribeNetworkInterfaces', `${instance.id}${page ? ` page ${page + 1}` : ''}`, ['interfaces'], NetworkInterfacesSchema, () =>
        ecs(region).describeNetworkInterfacesWithOptions(
          new Ecs.DescribeNetworkInterfacesRequest({ regionId: region, instanceId: instance.id, maxResults: 100, ...(token ? { nextToken: token } : {}) }),
          runtime,
        ),
      );
      if (!doc) return null;
      all.push(...(doc.NetworkInterfaceSets.NetworkInterfaceSet ?? []));
      token = doc.NextToken || undefined;
      if (!token) break;
    }
    return all;
  })();

  readGroups(instance.securityGroupIds);
  if (instance.eipAddress) eips(instance.eipAddress, { eipAddress: instance.eipAddress });
  if (instance.networkType === 'vpc' && instance.vSwitchId) aclsFor(instance.vSwitchId);

  const sets = await interfacesP;
  let interfaces: NetworkInterface[];
  if (sets && sets.length) {
    interfaces = sets.map((s) => mapInterfaceSet(s, instance));
    // Secondary ENIs can carry other groups, other vSwitches and their own EIPs.
    readGroups(interfaces.flatMap((n) => n.securityGroupIds));
    for (const n of interfaces) if (n.vSwitchId && instance.networkType === 'vpc') aclsFor(n.vSwitchId);
    for (const s of sets) {
      const alloc = s.AssociatedPublicIp?.AllocationId;
      const ip = s.AssociatedPublicIp?.PublicIpAddress;
      if (alloc && ip && ip !== instance.eipAddress && ip !== instance.publicIp) eips(ip, { allocationId: alloc });
    }
  } else {
    interfaces = interfacesFromInstance(instance);
    if (sets === null) notes.push('Interfaces taken from DescribeInstances (DescribeNetworkInterfaces failed): per-ENI security groups of secondary ENIs are unknown.');
  }

  const groups = (await Promise.all([...knownGroups.values()])).filter((g): g is SecurityGroup => g !== null);
  const acls = (await Promise.all([...aclsByVswitch.values()])).flat();
  const eipList = (await Promise.all([...eipsByKey.values()])).flat();
  if (!eipList.length) {
    const fromSearch = (await addressEipP)?.EipAddresses.EipAddress?.[0];
    if (fromSearch) eipList.push(mapEip(fromSearch, region));
  }
  await regionsP; // settle the speculative call before returning (its error, if any, is recorded)

  const uniqueAcls = [...new Map(acls.map((a) => [a.id, a])).values()];
  if (instance.networkType === 'vpc' && instance.vSwitchId && uniqueAcls.length === 0 && !errors.some((e) => e.action.startsWith('DescribeNetworkAcl'))) {
    notes.push(`No network ACL is bound to vSwitch ${instance.vSwitchId}.`);
  }
  if (instance.operationLocks.includes('financial')) notes.push('The instance has a financial lock (overdue payment): it is stopped or unreachable until the account is topped up.');

  return {
    provider: 'alicloud',
    source: 'api',
    account,
    region,
    fetchedAt: new Date().toISOString(),
    instance,
    interfaces,
    securityGroups: groups,
    networkAcls: uniqueAcls,
    eips: [...new Map(eipList.map((e) => [e.allocationId, e])).values()],
    errors,
    notes,
  };
}

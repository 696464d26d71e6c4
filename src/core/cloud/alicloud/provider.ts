// Alibaba Cloud behind the provider port: the reader (ECS/VPC/STS through the official SDK), the offline
// importer (`aliyun` CLI JSON), the rule engine (src/core/rules: groups pooled and sorted by priority, drop
// before accept; the network ACL stateless, first match), console links, the RAM policy and Cloud Assistant.
import { z } from 'zod';
import { L } from '../../i18n';
import { fail, ok, type Result } from '../../result';
import { evaluateNetworkAcl } from '../../rules/networkAcl';
import { evaluateSecurityGroups } from '../../rules/securityGroups';
import { checkCloudIds } from '../ids';
import type { ApplyActionsArgs, ApplyActionsResult, CloudAction, CloudProvider, ProviderApply, ProviderInputCheck, RemoteScriptArgs, RemoteScriptResult } from '../provider';
import { alicloudAccounts } from './accounts';
import { aliyunOfflineCommands } from './offline';
import { ramPolicy } from './actions';
import { ActionRefused, applyActions, describeAction, ruleLookupFromSnapshot, type ApiRule } from './apply';
import { runCloudAssistant } from './assistant';
import { environmentRegion, resolveCredentials, type AccessKeyInput } from './credentials';
import { checkEndpoints, resolveEndpoints, type EndpointFileConfig, type Endpoints } from './endpoints';
import { alibabaFixes } from './fixes';
import { detectDocument, importSnapshot } from './import';
import { readCloudSnapshot } from './read';
import { loadSdk } from './sdk';

/**
 * High-risk ports carriers commonly block on their backbones (worm-era ports). Alibaba publishes no port list
 * of its own beyond TCP 25 outbound (a separate check); this is the list Huawei Cloud documents (ECS "common
 * ports" FAQ), which matches what users of both clouds meet on Chinese carriers.
 */
export const ALICLOUD_CARRIER_BLOCKED_TCP: readonly number[] = [42, 135, 137, 138, 139, 444, 445, 593, 1025, 1068, 1433, 1434, 3127, 3128, 3129, 3130, 4444, 4789, 4790, 5554, 5800, 5900, 8998, 9995, 9996];

/** Console deep links (copied from diagnosis/fixes.ts consoleUrls, which the fix builders still use). */
export const aliyunConsoleUrls = {
  securityGroupRules: (region: string, groupId: string): string =>
    `https://ecs.console.aliyun.com/securityGroupDetail/region/${encodeURIComponent(region)}/groupId/${encodeURIComponent(groupId)}/detail/intranetIngress`,
  instance: (region: string, instanceId: string): string => `https://ecs.console.aliyun.com/server/${encodeURIComponent(instanceId)}/detail?regionId=${encodeURIComponent(region)}`,
  instances: (region: string): string => `https://ecs.console.aliyun.com/server/region/${encodeURIComponent(region)}`,
  eip: (): string => 'https://vpc.console.aliyun.com/eip',
  vpc: (): string => 'https://vpc.console.aliyun.com/',
};

// Endpoints reach the provider through provider-neutral code as `unknown`: checked again here.
const EndpointsSchema = z.strictObject({
  ecs: z.string().optional(),
  vpc: z.string().optional(),
  sts: z.string().optional(),
  protocol: z.enum(['http', 'https']).optional(),
});

/** The endpoints handed back by neutral code, validated (undefined: the public cloud's). */
export function asEndpoints(value: unknown): Endpoints | undefined {
  if (value === undefined || value === null) return undefined;
  const r = EndpointsSchema.safeParse(value);
  if (!r.success) throw new Error('Alibaba Cloud endpoint settings have an unexpected shape');
  const e = checkEndpoints(r.data);
  if (!e.ok) throw new Error(e.message);
  return e.value;
}

const accessKeyInput = (c: RemoteScriptArgs['credentials']): AccessKeyInput | undefined =>
  c ? { accessKeyId: c.accessKeyId, accessKeySecret: c.accessKeySecret, ...(c.securityToken ? { securityToken: c.securityToken } : {}) } : undefined;

/** Cloud Assistant (RunCommand + DescribeInvocationResults) running a read-only script. */
async function runRemoteScript(args: RemoteScriptArgs): Promise<RemoteScriptResult> {
  const typed = accessKeyInput(args.credentials);
  let credentials: Parameters<typeof runCloudAssistant>[0]['credentials'];
  if (typed) credentials = typed;
  else {
    const r = resolveCredentials({ ...(args.profile ? { profile: args.profile } : {}), ...(args.env ? { env: args.env } : {}) });
    if (!r.ok) return { ok: false, stage: 'credentials', code: r.code, message: r.message };
    credentials = r.value;
  }
  const r = await runCloudAssistant({
    instanceId: args.instanceId,
    region: args.region,
    script: args.script,
    type: args.os === 'windows' ? 'RunPowerShellScript' : 'RunShellScript',
    credentials,
    endpoints: asEndpoints(args.endpoints) ?? resolveEndpoints(args.env ? { env: args.env } : {}),
    signal: args.signal,
    timeoutSec: args.timeoutSec,
  });
  if (r.status !== 'Success' && !r.output) return { ok: false, stage: 'run', code: r.status, message: r.explanation };
  return { ok: true, output: r.output, complete: r.status === 'Success', explanation: r.explanation };
}

/** The port's write side: the executor of apply.ts with the same credential chain as the reader. */
async function applyThroughPort(actions: readonly CloudAction[], args: ApplyActionsArgs): Promise<ApplyActionsResult> {
  const typed = accessKeyInput(args.credentials);
  const creds = resolveCredentials({ ...(typed ? { accessKey: typed } : {}), ...(args.profile && !typed ? { profile: args.profile } : {}), ...(args.env ? { env: args.env } : {}) });
  if (!creds.ok) return { ok: false, refused: L(`没有可用的阿里云凭据，没有做任何更改：${creds.message}`, `No Alibaba Cloud credentials could be used; nothing was changed: ${creds.message}`) };
  let endpoints;
  try {
    endpoints = asEndpoints(args.endpoints) ?? resolveEndpoints(args.env ? { env: args.env } : {});
  } catch (e) {
    return { ok: false, refused: L(`API 端点设置无效，没有做任何更改：${(e as Error).message}`, `The API endpoint settings are not valid; nothing was changed: ${(e as Error).message}`) };
  }
  try {
    const o = await applyActions(actions, {
      credentials: creds.value,
      endpoints,
      region: args.region,
      ...(args.signal ? { signal: args.signal } : {}),
      ...(args.confirm ? { confirm: args.confirm } : {}),
      ...(args.expectAccountId !== undefined ? { expectAccountId: args.expectAccountId } : {}),
      ...(args.clientTokens ? { clientTokens: args.clientTokens } : {}),
      ...(args.timeoutMs ? { timeoutMs: args.timeoutMs } : {}),
      ...(args.log ? { log: args.log } : {}),
    });
    return {
      ok: true,
      outcome: {
        applied: o.applied.map((c) => ({ ...c, created: c.created as Record<string, unknown> })),
        failure: o.failure ? { index: o.failure.index, api: o.failure.api, code: o.failure.error.code, message: o.failure.message, requestId: o.failure.error.requestId ?? null } : null,
        notSent: o.notSent,
      },
    };
  } catch (e) {
    if (e instanceof ActionRefused) return { ok: false, refused: e.text };
    throw e;
  }
}

const alicloudApply: ProviderApply = {
  applyActions: applyThroughPort,
  describeActions: (actions, ctx = {}) => {
    const created = (ctx.applied ?? []).flatMap((x) => ((x.created as { rules?: ApiRule[] } | null)?.rules ?? []));
    const lookup = ruleLookupFromSnapshot(ctx.snapshot ?? null, created);
    return actions.map((a) => describeAction(a, lookup));
  },
};

function checkInput(input: ProviderInputCheck): Result<void> {
  const names = input.names ?? {};
  const ids = checkCloudIds({
    region: { value: input.region, where: names.region ?? '--region' },
    instance: { value: input.instance, where: names.instance ?? '--instance' },
    profile: { value: input.profile, where: names.profile ?? '--profile' },
  });
  if (!ids.ok) return ids;
  // The shared shape also admits Huawei's UUID server ids; an Alibaba ECS instance id always starts with "i-".
  if (input.instance !== undefined && !input.instance.startsWith('i-')) return fail('BadInstanceId', `${names.instance ?? '--instance'}: ${JSON.stringify(input.instance.slice(0, 40))} is not an Alibaba Cloud ECS instance id (i-…)`);
  if (input.endpoints !== undefined) {
    const e = EndpointsSchema.safeParse(input.endpoints);
    if (!e.success) return fail('BAD_ENDPOINT', 'the API endpoint settings have an unexpected shape');
    const c = checkEndpoints(e.data);
    if (!c.ok) return c;
  }
  const env = input.env ?? process.env;
  const r = environmentRegion(env);
  if (!r.ok) return r;
  if (input.accessKey) return ok(undefined);
  // The profile that would be used (named, ALIBABA_CLOUD_PROFILE or the aliyun CLI's current one) may name a region.
  const creds = resolveCredentials({ ...(input.profile ? { profile: input.profile } : {}), env });
  if (!creds.ok && (creds.code === 'BadRegion' || creds.code === 'BadProfileName')) return creds;
  return ok(undefined);
}

export const alicloudProvider: CloudProvider = {
  id: 'alicloud',
  name: L('阿里云', 'Alibaba Cloud'),
  accounts: alicloudAccounts,
  offlineCommands: aliyunOfflineCommands,
  semantics: {
    // VPC network ACLs are stateless: return traffic needs the ephemeral range in the egress entries.
    aclStateful: false,
    // Security-group Priority 1–100, the lower number wins; drop beats accept at equal priority.
    priority: { min: 1, max: 100, lowerFirst: true },
    carrierBlockedTcpPorts: ALICLOUD_CARRIER_BLOCKED_TCP,
    // Outbound TCP 25 from ECS is blocked by default in every region (ECS user guide, "TCP 25 端口控制"; seed 000).
    outboundTcp25Blocked: 'all-regions',
    icpFiling: { console: 'https://beian.aliyun.com/', regionsOutsideMainland: L('中国香港 cn-hongkong、新加坡 ap-southeast-1', 'Hong Kong cn-hongkong, Singapore ap-southeast-1') },
    // Security groups and network ACLs drop what they deny without an answer (DESIGN.md, probe semantics).
    groupsDropSilently: true,
    // Basic vs enterprise groups (ECS "安全组分类"), and classic-network rules with NicType internet/intranet.
    enterpriseGroups: true,
    classicNetwork: true,
    // The limits the quota check has always used (ECS "安全组使用限制": groups per ENI, rules across them).
    interfaceQuota: { groups: 10, rules: 1000 },
  },
  console: {
    hosts: ['ecs.console.aliyun.com', 'vpc.console.aliyun.com'],
    securityGroup: (region, groupId) => (region && groupId ? aliyunConsoleUrls.securityGroupRules(region, groupId) : null),
    instance: (region, instanceId) => (region && instanceId ? aliyunConsoleUrls.instance(region, instanceId) : null),
    // The VPC console has no stable deep link to one ACL: its start page (Network ACLs are under it).
    networkAcl: () => aliyunConsoleUrls.vpc(),
  },
  prepare: () => loadSdk().then(() => undefined),
  read: async (args) =>
    readCloudSnapshot({
      ...(args.instanceId ? { instanceId: args.instanceId } : {}),
      ...(args.address ? { address: args.address } : {}),
      ...(args.region ? { region: args.region } : {}),
      ...(args.profile ? { profile: args.profile } : {}),
      ...(args.signal ? { signal: args.signal } : {}),
      ...(args.credentials ? { credentials: accessKeyInput(args.credentials) } : {}),
      ...(args.env || args.allowInstanceMetadata ? { credentialOptions: { ...(args.env ? { env: args.env } : {}), ...(args.allowInstanceMetadata ? { allowEcsMetadata: true } : {}) } } : {}),
      ...(args.endpoints !== undefined ? { endpoints: asEndpoints(args.endpoints) } : {}),
      ...(args.timeoutMs ? { timeoutMs: args.timeoutMs } : {}),
      ...(args.log ? { log: args.log } : {}),
    }),
  credentialSource: (args) => {
    const r = resolveCredentials({
      ...(args.credentials ? { accessKey: accessKeyInput(args.credentials) } : {}),
      ...(args.profile ? { profile: args.profile } : {}),
      ...(args.env ? { env: args.env } : {}),
      ...(args.allowInstanceMetadata ? { allowEcsMetadata: true } : {}),
    });
    return r.ok ? ok(r.value.sourceDetail) : r;
  },
  recognises: (document) => detectDocument(document) !== null,
  importSnapshot: (inputs, selection) => importSnapshot(inputs, selection),
  evaluateSecurityGroups: (snapshot, flow) => evaluateSecurityGroups(snapshot, flow),
  evaluateNetworkAcl: (snapshot, flow) => evaluateNetworkAcl(snapshot, flow),
  // Called, not referenced: fixes.ts reads this module's console links (an import cycle at load time).
  renderFixes: (intent, ctx) => alibabaFixes(intent, ctx),
  policy: (opts = {}) => ramPolicy({ cloudAssistant: opts.remoteScript === true, write: opts.write === true }),
  endpoints: (sources) => {
    const f = sources.flags ?? {};
    const flags = { ecs: f.ecs, vpc: f.vpc, sts: f.sts };
    return checkEndpoints(resolveEndpoints({ flags, ...(sources.env ? { env: sources.env } : {}), file: (sources.file ?? null) as EndpointFileConfig | null }));
  },
  checkInput,
  runRemoteScript,
  apply: alicloudApply,
};

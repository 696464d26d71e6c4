// `sg-doctor cloud ...`: read an instance's cloud network configuration (or import the `aliyun` CLI's
// JSON output) and show it, or check one flow against its security groups and network ACL.
//   cloud show     [--instance i-… | --address IP] [--profile NAME] [--region R] [--json] [--snapshot FILE…]
//   cloud check    --address IP --port 22 [--protocol tcp] [--source IP] [--json] [--snapshot FILE…]
//   cloud profiles list the cloud CLI's profiles: aliyun, or KooCLI with --provider huawei (no secrets)
//   cloud policy   print the minimal read-only RAM policy
// Exit codes: cloud check 0 allowed, 1 denied, 3 undecided (the same with --json); 2 bad input / no credentials /
// nothing found; 70 internal error.
import ipaddr from 'ipaddr.js';
import { Command, Option } from 'commander';
import { loadConfigFile } from '../../core/config';
import type { CloudSnapshot } from '../../core/cloud/model';
import { PROVIDER_IDS, type ProviderId } from '../../core/cloud/provider';
import { DEFAULT_PROVIDER, providerFor } from '../../core/cloud/registry';
import { importDocuments, renderCloudFixes } from '../../core/backend/compose';
import { cloudCheckFixes } from '../../core/diagnosis/cloud-fixes';
import { accessKeyFromStdin, cloudEndpoints, validateCloudInput } from './cloud-input';
import { readLimitedText } from '../../core/files';
import { MAX_SNAPSHOT_CHARS } from '../../core/limits';
import { formatAclEvaluation, formatEvaluation, formatRulesTable } from '../../core/rules/format';
import type { Flow } from '../../core/rules/types';
import { action, createProgress, errLine, exitCodeForDecision, fail, formatTable, okLine, printJson, stdoutStyle, warnLine, withUsageExitCodes, type Style } from '../format';

interface CommonOptions {
  /** The cloud (default: recognised from --snapshot documents, else Alibaba Cloud). */
  provider?: ProviderId;
  instance?: string;
  address?: string;
  profile?: string;
  region?: string;
  json?: boolean;
  snapshot?: string[];
  ecsEndpoint?: string;
  vpcEndpoint?: string;
  stsEndpoint?: string;
  config?: string;
  timeoutMs?: string;
  ecsMetadata?: boolean;
  accessKeyStdin?: boolean;
  verbose?: boolean;
}

interface CheckOptions extends CommonOptions {
  port: string;
  protocol?: string;
  source?: string;
}

const isIp = (s: string): boolean => ipaddr.isValid(s);


async function loadSnapshotFiles(files: string[], selection: { address?: string | null; instanceId?: string | null }, provider?: ProviderId): Promise<CloudSnapshot> {
  const inputs = [];
  for (const f of files) {
    const text = await readLimitedText(f, MAX_SNAPSHOT_CHARS, () => process.stdin);
    if (!text.ok) fail(text.message);
    inputs.push({ name: f, content: text.value });
  }
  // The provider is recognised from the documents (a saved snapshot names its own); --provider decides when given.
  const r = importDocuments(inputs, selection, provider);
  if (!r.ok) fail(r.message);
  return r.value;
}

async function obtainSnapshot(opts: CommonOptions, fallbackAddress?: string): Promise<CloudSnapshot> {
  const address = opts.address ?? fallbackAddress;
  if (opts.snapshot?.length) return loadSnapshotFiles(opts.snapshot, { instanceId: opts.instance, address }, opts.provider);
  if (!opts.instance && !address) fail('give --instance i-… or --address IP (or --snapshot FILE for offline JSON)');
  if (address && !isIp(address)) fail(`--address must be an IP address (got "${address}")`);
  const timeoutMs = opts.timeoutMs === undefined ? undefined : Number(opts.timeoutMs);
  if (timeoutMs !== undefined && (!Number.isInteger(timeoutMs) || timeoutMs < 100 || timeoutMs > 120_000)) fail('--timeout-ms must be a whole number from 100 to 120000');

  const file = await loadConfigFile({ path: opts.config });
  if (!file.ok) fail(file.message);
  const provider = providerFor(opts.provider ?? DEFAULT_PROVIDER);
  const endpoints = cloudEndpoints({ flags: { ecs: opts.ecsEndpoint, vpc: opts.vpcEndpoint, sts: opts.stsEndpoint }, file: file.value.config }, provider.id);
  validateCloudInput({ provider: provider.id, region: opts.region, instance: opts.instance, profile: opts.profile, endpoints, accessKey: opts.accessKeyStdin });
  const accessKey = opts.accessKeyStdin ? await accessKeyFromStdin() : undefined;
  const who = { ...(accessKey ? { credentials: accessKey } : {}), ...(opts.profile ? { profile: opts.profile } : {}), allowInstanceMetadata: opts.ecsMetadata === true };
  const source = provider.credentialSource?.(who);
  if (source && !source.ok) fail(source.message);

  const progress = createProgress();
  progress.update(`reading ${opts.instance ?? address} with ${source?.value ?? provider.name.en} …`);
  try {
    return await provider.read({
      ...(opts.instance ? { instanceId: opts.instance } : { address }),
      ...(opts.region ? { region: opts.region } : {}),
      ...who,
      endpoints,
      ...(timeoutMs ? { timeoutMs } : {}),
      log: (line) => {
        if (opts.verbose) process.stderr.write(`${line}\n`);
        else progress.update(line);
      },
    });
  } finally {
    progress.clear();
  }
}

function renderErrorsAndNotes(snap: CloudSnapshot, style: Style): string[] {
  const out: string[] = [];
  for (const e of snap.errors) {
    out.push(errLine(`${e.message}${e.requestId ? ` [RequestId ${e.requestId}]` : ''}`, style));
    out.push(`    unknown: ${e.leavesUnknown.join(', ')}${e.grant ? `; grant ${e.grant}` : ''}`);
  }
  for (const n of snap.notes ?? []) out.push(warnLine(n, style));
  return out;
}

export function renderSnapshot(snap: CloudSnapshot, style: Style): string {
  const out: string[] = [];
  const a = snap.account;
  out.push(style.bold(`${providerFor(snap.provider).name.en} ${snap.source === 'import' ? '(offline import)' : ''}`.trim()));
  if (a) out.push(`  account ${a.accountId ?? 'unknown'} · credentials: ${a.credentialSource ?? '-'}${a.accessKeyIdRedacted ? ` (${a.accessKeyIdRedacted})` : ''}`);
  const i = snap.instance;
  if (!i) {
    out.push(errLine('no instance found', style));
    out.push(...renderErrorsAndNotes(snap, style));
    return out.join('\n');
  }
  const status = i.status === 'Running' ? style.green(i.status) : style.red(i.status);
  out.push('', style.bold(`Instance ${i.id}${i.name ? ` (${i.name})` : ''}`));
  out.push(
    formatTable(
      [
        ['status', `${status}${i.operationLocks.length ? style.red(` locked: ${i.operationLocks.join(', ')}`) : ''}`],
        ['region / zone', `${i.region} / ${i.zone ?? '-'}`],
        ['network', `${i.networkType}${i.vpcId ? ` ${i.vpcId}` : ''}${i.vSwitchId ? ` ${i.vSwitchId}` : ''}`],
        ['public IP', i.publicIp ?? '-'],
        ['EIP', i.eipAddress ? `${i.eipAddress}${i.eipAllocationId ? ` (${i.eipAllocationId})` : ''}` : '-'],
        ['bandwidth out', i.internetMaxBandwidthOut ? `${i.internetMaxBandwidthOut} Mbps` : style.yellow('0 (no public bandwidth)')],
        ['private IPs', i.privateIps.join(', ') || '-'],
        ['OS', i.osName ?? i.osType ?? '-'],
      ],
      { indent: '  ' },
    ),
  );
  if (snap.eips.length) {
    out.push('', style.bold('EIPs'));
    out.push(
      formatTable(
        snap.eips.map((e) => [e.ipAddress, e.allocationId, e.status, e.businessStatus === 'Normal' || !e.businessStatus ? e.businessStatus ?? '-' : style.red(e.businessStatus), `${e.bandwidthMbps} Mbps`, `${e.instanceType ?? ''} ${e.instanceId ?? ''}`.trim()]),
        { header: ['address', 'id', 'status', 'business', 'bandwidth', 'bound to'], style, indent: '  ' },
      ),
    );
  }
  out.push('', style.bold('Network interfaces'));
  out.push(
    formatTable(
      snap.interfaces.map((n) => [n.id, n.type, n.privateIps.join(', '), n.publicIp ?? '-', n.securityGroupIds.join(', ')]),
      { header: ['ENI', 'type', 'private', 'public', 'security groups'], style, indent: '  ' },
    ),
  );
  for (const n of snap.interfaces) {
    const groups = snap.securityGroups.filter((g) => n.securityGroupIds.includes(g.id));
    out.push('', style.bold(`Security groups on ${n.id} (${groups.map((g) => `${g.id} ${g.type === 'enterprise' ? 'enterprise' : 'basic'}${g.innerAccessPolicy ? `, inner ${g.innerAccessPolicy}` : ''}`).join('; ') || 'none read'})`));
    out.push(
      formatRulesTable(groups)
        .split('\n')
        .map((l) => `  ${l}`)
        .join('\n'),
    );
  }
  for (const acl of snap.networkAcls) {
    out.push('', style.bold(`Network ACL ${acl.id}${acl.name ? ` (${acl.name})` : ''} on ${acl.vSwitchIds.join(', ')} — ${providerFor(snap.provider).semantics.aclStateful ? 'stateful (replies pass)' : 'stateless'}, first match wins`));
    for (const [dir, entries] of [
      ['inbound', acl.ingress],
      ['outbound', acl.egress],
    ] as const) {
      out.push(`  ${dir}:`);
      out.push(
        entries.length
          ? formatTable(
              entries.map((e) => [String(e.order + 1), e.policy === 'drop' ? style.red('drop') : style.green('accept'), e.protocol, e.portRange.from === -1 ? 'all' : `${e.portRange.from}-${e.portRange.to}`, e.cidr, e.entryType ?? '', e.name ?? e.id]),
              { header: ['#', 'policy', 'protocol', 'ports', dir === 'inbound' ? 'source' : 'destination', 'type', 'entry'], style, indent: '    ' },
            )
          : style.red('    no entries: everything is denied'),
      );
    }
  }
  const errs = renderErrorsAndNotes(snap, style);
  if (errs.length) out.push('', ...errs);
  return out.join('\n');
}

function flowFor(snap: CloudSnapshot, opts: CheckOptions, sourceIp: string): Flow {
  const protocol = (opts.protocol ?? 'tcp').toLowerCase();
  if (!['tcp', 'udp', 'icmp'].includes(protocol)) fail(`--protocol must be tcp, udp or icmp (got "${opts.protocol}")`);
  if (!/^\d+$/.test(opts.port) || Number(opts.port) < 1 || Number(opts.port) > 65535) fail(`--port must be 1..65535 (got "${opts.port}")`);
  const destinationIp = opts.address ?? snap.instance?.eipAddress ?? snap.instance?.publicIp ?? snap.instance?.privateIps[0];
  if (!destinationIp) fail('--address is required (the snapshot has no address for the instance)');
  return { direction: 'ingress', protocol: protocol as Flow['protocol'], sourceIp, destinationIp, port: Number(opts.port) };
}

async function resolveSource(opts: CheckOptions): Promise<string> {
  if (opts.source) {
    if (!isIp(opts.source)) fail(`--source must be an IP address (got "${opts.source}")`);
    return opts.source;
  }
  // The user's public egress address, as the probe module finds it (configured echo services).
  const { loadEndpointConfig } = await import('../../core/config');
  const { detectEgressIp } = await import('../../core/probe/client');
  const cfg = await loadEndpointConfig({ path: opts.config });
  if (!cfg.ok) fail(cfg.message);
  if (!cfg.value.egressIpUrls.length) fail('--source IP is required (no egress-IP services are configured)');
  const fact = await detectEgressIp(cfg.value.egressIpUrls, { timeoutMs: 4000 });
  if (!fact.address) fail('could not find your public IP; pass --source IP');
  return fact.address;
}

function addCommon(cmd: Command): Command {
  return cmd
    .addOption(new Option('--provider <cloud>', 'the cloud: alicloud or huawei (default: recognised from --snapshot documents, else alicloud)').choices([...PROVIDER_IDS]))
    .option('--instance <id>', 'instance id (Alibaba i-…, Huawei server UUID)')
    .option('--profile <name>', 'CLI profile: aliyun (~/.aliyun/config.json, ~/.alibabacloud/credentials) or KooCLI (~/.hcloud/config.json)')
    .option('--region <region>', 'region to search first (default: the profile\'s region_id)')
    .option('--json', 'print JSON')
    .option('--snapshot <file...>', 'use saved JSON (aliyun or KooCLI outputs, or a saved snapshot; "-" = stdin) instead of the API')
    .option('--access-key-stdin', 'read "AccessKeyId\\nAccessKeySecret" (Huawei: AK and SK) from standard input')
    .option('--ecs-metadata', 'allow the ECS instance RAM role (metadata service) as a credential source')
    .addOption(new Option('--ecs-endpoint <host>', 'Alibaba ECS API endpoint (Apsara Stack, finance/gov clouds, tests; Huawei: SGD_HUAWEI_ENDPOINT)').env('SGD_ECS_ENDPOINT'))
    .addOption(new Option('--vpc-endpoint <host>', 'VPC API endpoint').env('SGD_VPC_ENDPOINT'))
    .addOption(new Option('--sts-endpoint <host>', 'STS API endpoint').env('SGD_STS_ENDPOINT'))
    .option('--config <file>', 'sg-doctor config file')
    .option('--timeout-ms <ms>', 'per-call API timeout')
    .option('--verbose', 'print each failed API call on stderr');
}

export function registerCloud(program: Command): void {
  const cloud = withUsageExitCodes(program.command('cloud').description('Read (or import) the cloud network configuration of an instance and check flows against it'));

  withUsageExitCodes(addCommon(cloud.command('show').description('Print the instance, its interfaces, security groups (rules in evaluation order) and network ACL')))
    .option('--address <ip>', 'find the instance by its public IP, EIP or private IP')
    .action(
      action(async (opts: CommonOptions) => {
        const snap = await obtainSnapshot(opts);
        if (opts.json) printJson(snap);
        else process.stdout.write(`${renderSnapshot(snap, stdoutStyle())}\n`);
        if (!snap.instance && snap.source === 'api' && !opts.json) process.exitCode = 2;
      }),
    );

  withUsageExitCodes(addCommon(cloud.command('check').description('Would the cloud let this flow in? Verdict, deciding rule and near misses')))
    .requiredOption('--address <ip>', 'the address the client connects to (public IP / EIP / private IP)')
    .requiredOption('--port <port>', 'destination port')
    .option('--protocol <protocol>', 'tcp, udp or icmp', 'tcp')
    .option('--source <ip>', 'the client\'s address as the cloud sees it (default: your public egress IP)')
    .action(
      action(async (opts: CheckOptions) => {
        if (!isIp(opts.address ?? '')) fail(`--address must be an IP address (got "${opts.address}")`);
        const snap = await obtainSnapshot(opts);
        if (!snap.instance && !snap.securityGroups.length) {
          if (opts.json) printJson({ snapshot: snap, flow: null, securityGroups: null, networkAcl: null, decision: 'unknown' });
          else process.stdout.write(`${renderErrorsAndNotes(snap, stdoutStyle()).join('\n') || 'no instance found'}\n`);
          process.exitCode = 2;
          return;
        }
        const flow = flowFor(snap, opts, await resolveSource(opts));
        // The snapshot's own cloud evaluates it (its group and ACL semantics).
        const cloudProvider = providerFor(snap.provider);
        const sg = cloudProvider.evaluateSecurityGroups(snap, flow);
        const acl = cloudProvider.evaluateNetworkAcl(snap, flow);
        const decision = sg.decision === 'deny' || acl.decision === 'deny' ? 'deny' : sg.decision === 'allow' && acl.decision === 'allow' ? 'allow' : 'unknown';
        // 0 allowed, 1 denied, 3 undecided: the same with and without --json.
        process.exitCode = exitCodeForDecision(decision);
        if (opts.json) {
          // The fixes of what denies, each with its API actions and its simulated decision (proven before shown).
          const fixes = decision === 'allow' ? [] : cloudCheckFixes(snap, flow, sg, acl, renderCloudFixes, snap.source === 'import' ? 'snapshot' : 'api', cloudProvider.semantics);
          printJson({ flow, decision, securityGroups: sg, networkAcl: acl, fixes, errors: snap.errors, notes: snap.notes ?? [] });
          return;
        }
        const style = stdoutStyle();
        const head = `${flow.protocol.toUpperCase()} ${flow.sourceIp} → ${flow.destinationIp}:${flow.port}`;
        const line = decision === 'allow' ? okLine(`${head}: allowed by the cloud`, style) : decision === 'deny' ? errLine(`${head}: denied by the cloud`, style) : warnLine(`${head}: cannot tell`, style);
        const out = [line, '', formatEvaluation(sg, 'en', 'Security groups'), '', formatAclEvaluation(acl, 'en')];
        const extra = renderErrorsAndNotes(snap, style);
        if (extra.length) out.push('', ...extra);
        process.stdout.write(`${out.join('\n')}\n`);
      }),
    );

  withUsageExitCodes(cloud.command('profiles').description('List the cloud CLI profiles SG Doctor can use: aliyun CLI, or KooCLI (hcloud) with --provider huawei (never their secrets)'))
    .addOption(new Option('--provider <cloud>', 'the cloud: alicloud (aliyun CLI) or huawei (KooCLI)').choices([...PROVIDER_IDS]).default(DEFAULT_PROVIDER))
    .option('--json', 'print JSON')
    .action(
      action((opts: { json?: boolean; provider: ProviderId }) => {
        const r = providerFor(opts.provider).accounts.listProfiles(process.env);
        if (!r.ok) fail(r.message);
        if (opts.json) return printJson(r.value);
        const style = stdoutStyle();
        if (r.value.note) process.stdout.write(`${style.yellow(r.value.note.en)}\n`);
        if (!r.value.profiles.length) return void process.stdout.write(`no profiles in ${r.value.path}\n`);
        process.stdout.write(
          `${formatTable(
            r.value.profiles.map((p) => [p.current ? `* ${p.name}` : `  ${p.name}`, p.mode, p.regionId ?? '-', p.accessKeyIdRedacted ?? '-', p.supported ? 'yes' : style.yellow(p.unsupportedText?.en ?? p.unsupportedReason ?? 'no')]),
            { header: ['profile', 'mode', 'region', 'access key', 'usable'], style },
          )}\n`,
        );
      }),
    );

  withUsageExitCodes(cloud.command('policy').description('Print the minimal read-only policy for SG Doctor (Alibaba RAM or Huawei IAM; --write for applying fixes)'))
    .option('--cloud-assistant', 'include the Cloud Assistant actions (RunCommand runs read-only scripts as root)')
    .option('--write', 'include exactly the write actions `sg-doctor fix --apply` and `--undo` call (a separate policy for applying fixes)')
    .addOption(new Option('--provider <cloud>', 'the cloud: alicloud (RAM policy) or huawei (IAM policy)').choices([...PROVIDER_IDS]).default(DEFAULT_PROVIDER))
    .action(action((opts: { cloudAssistant?: boolean; write?: boolean; provider: ProviderId }) => printJson(providerFor(opts.provider).policy({ remoteScript: opts.cloudAssistant === true, write: opts.write === true }))));
}

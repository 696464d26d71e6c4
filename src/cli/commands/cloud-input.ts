// What the cloud-reading commands (`cloud`, `diagnose`, `rerun`) share about their cloud input: the
// AccessKey from standard input, and the check of every identifier and endpoint before anything is sent.
// Everything refused here exits 2 with one line (format.fail).
import { checkCloudIds } from '../../core/cloud/ids';
import { environmentRegion, resolveCredentials, type AccessKeyInput } from '../../core/cloud/alicloud/credentials';
import { checkEndpoints, type Endpoints } from '../../core/cloud/alicloud/endpoints';
import { runCloudAssistant } from '../../core/cloud/alicloud/assistant';
import { readCloudSnapshot } from '../../core/cloud/alicloud/read';
import type { DiagnoseDeps } from '../../core/diagnosis/run';
import { evidenceScript } from '../../core/diagnosis/server-evidence/scripts';
import { fail as failed, ok } from '../../core/result';
import { fail } from '../format';

export async function readStdinText(stream: NodeJS.ReadableStream = process.stdin): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/** `--access-key-stdin`: "ID\nSECRET[\nTOKEN]" on stdin, so the secret never appears in argv or shell history. */
export async function accessKeyFromStdin(stream: NodeJS.ReadableStream = process.stdin): Promise<AccessKeyInput> {
  const lines = (await readStdinText(stream))
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  if (lines.length < 2) fail('--access-key-stdin expects the AccessKey ID and the AccessKey Secret on two lines of standard input');
  return { accessKeyId: lines[0], accessKeySecret: lines[1], ...(lines[2] ? { securityToken: lines[2] } : {}) };
}

export interface CloudInput {
  region?: string;
  instance?: string;
  profile?: string;
  endpoints?: Endpoints;
  /** An AccessKey was given (stdin): the profile and environment keys are not consulted. */
  accessKey?: boolean;
  env?: NodeJS.ProcessEnv;
}

/**
 * Refuses (exit 2) a region, instance id, profile name or endpoint that does not have its documented shape,
 * wherever it came from: flags, a session's plan, the environment or the aliyun CLI profile that would be used.
 */
export function validateCloudInput(input: CloudInput, names: { region?: string; instance?: string; profile?: string } = {}): void {
  const env = input.env ?? process.env;
  const ids = checkCloudIds({
    region: { value: input.region, where: names.region ?? '--region' },
    instance: { value: input.instance, where: names.instance ?? '--instance' },
    profile: { value: input.profile, where: names.profile ?? '--profile' },
  });
  if (!ids.ok) fail(ids.message);
  if (input.endpoints) {
    const e = checkEndpoints(input.endpoints);
    if (!e.ok) fail(e.message);
  }
  const r = environmentRegion(env);
  if (!r.ok) fail(r.message);
  if (input.accessKey) return;
  // The profile that would be used (named, ALIBABA_CLOUD_PROFILE or the aliyun CLI's current one) may name a region.
  const creds = resolveCredentials({ ...(input.profile ? { profile: input.profile } : {}), env });
  if (!creds.ok && (creds.code === 'BadRegion' || creds.code === 'BadProfileName')) fail(creds.message);
}

/** The diagnosis dependencies with an AccessKey given on the command line instead of the credential chain. */
export function withAccessKey(deps: DiagnoseDeps, accessKey: AccessKeyInput | undefined): DiagnoseDeps {
  if (!accessKey) return deps;
  return {
    ...deps,
    readCloudSnapshot: (args) => readCloudSnapshot({ ...args, credentials: accessKey }),
    runCloudAssistant: async ({ instanceId, region, ports, osType, endpoints, signal, timeoutMs }) => {
      const { script, commandType } = evidenceScript(osType === 'windows' ? 'windows' : 'linux', ports);
      const r = await runCloudAssistant({ instanceId, region, script, type: commandType, credentials: accessKey, endpoints, signal, timeoutSec: timeoutMs ? Math.ceil(timeoutMs / 1000) : undefined });
      if (r.status !== 'Success' && !r.output) return failed(r.status, r.explanation);
      return ok({ output: r.output });
    },
  };
}

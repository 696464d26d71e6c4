// What the cloud-reading commands (`cloud`, `diagnose`, `rerun`) share about their cloud input: the
// AccessKey from standard input, and the check of every identifier and endpoint before anything is sent.
// Everything refused here exits 2 with one line (format.fail).
import type { ProviderAccessKey, ProviderId } from '../../core/cloud/provider';
import { DEFAULT_PROVIDER, providerFor } from '../../core/cloud/registry';
import { fail } from '../format';

export async function readStdinText(stream: NodeJS.ReadableStream = process.stdin): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/** `--access-key-stdin`: "ID\nSECRET[\nTOKEN]" on stdin, so the secret never appears in argv or shell history. */
export async function accessKeyFromStdin(stream: NodeJS.ReadableStream = process.stdin): Promise<ProviderAccessKey> {
  const lines = (await readStdinText(stream))
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  if (lines.length < 2) fail('--access-key-stdin expects the AccessKey ID and the AccessKey Secret on two lines of standard input');
  return { accessKeyId: lines[0], accessKeySecret: lines[1], ...(lines[2] ? { securityToken: lines[2] } : {}) };
}

export interface CloudInput {
  /** The cloud the input is for (default: Alibaba Cloud). */
  provider?: ProviderId;
  region?: string;
  instance?: string;
  profile?: string;
  /** The provider's resolved endpoint settings. */
  endpoints?: unknown;
  /** An AccessKey was given (stdin): the profile and environment keys are not consulted. */
  accessKey?: boolean;
  env?: NodeJS.ProcessEnv;
}

/**
 * Refuses (exit 2) a region, instance id, profile name or endpoint that does not have its documented shape,
 * wherever it came from: flags, a session's plan, the environment or the CLI profile that would be used.
 * The cloud's provider knows the shapes.
 */
export function validateCloudInput(input: CloudInput, names: { region?: string; instance?: string; profile?: string } = {}): void {
  const provider = providerFor(input.provider ?? DEFAULT_PROVIDER);
  const r = provider.checkInput?.({ region: input.region, instance: input.instance, profile: input.profile, endpoints: input.endpoints, accessKey: input.accessKey, env: input.env ?? process.env, names });
  if (r && !r.ok) fail(r.message);
}

/** The provider's endpoint settings from flags, the environment and the config file; a malformed one exits 2. */
export function cloudEndpoints(sources: { flags?: Record<string, string | undefined>; env?: NodeJS.ProcessEnv; file?: Record<string, unknown> | null }, provider: ProviderId = DEFAULT_PROVIDER): unknown {
  const p = providerFor(provider);
  if (!p.endpoints) return undefined;
  const r = p.endpoints(sources);
  if (!r.ok) fail(r.message);
  return r.value;
}

// Cloud Assistant: run a (read-only) script on the instance without SSH (RunCommand), then poll
// DescribeInvocationResults with backoff, bounded in count and time, and decode the base64 output.
// The scripts themselves live in core/diagnosis/server-evidence/scripts.ts; here the script is a parameter.
import type { CloudError } from '../model';
import { makeRedactor, type Redactor } from '../redact';
import { callApi, type CallPolicy } from './call';
import { resolveCredentials, type AccessKeyInput, type ResolvedCredentials } from './credentials';
import { resolveEndpoints, type Endpoints } from './endpoints';
import { invalidIdText, isCloudId, isRegionId } from '../ids';
import { bodyOf, loadSdk, runtimeOptions } from './sdk';

export type AssistantStatus =
  | 'Success'
  | 'Failed'
  | 'Timeout' // the script ran past timeoutSec (ExecutionTimeout) or the poll deadline passed
  | 'AgentNotRunning' // ClientNotRunning / ClientNotResponse: the agent is stopped, missing or unreachable
  | 'AgentNeedsUpgrade'
  | 'InstanceNotRunning'
  | 'Stopped'
  | 'Error'; // RunCommand / DescribeInvocationResults failed (see error)

export interface AssistantResult {
  status: AssistantStatus;
  /** Raw InvocationStatus of the API, when known. */
  invocationStatus?: string;
  output: string;
  exitCode: number | null;
  errorCode?: string;
  errorInfo?: string;
  /** The API keeps at most 24 KB of output; `droppedBytes` were cut. */
  truncated: boolean;
  droppedBytes: number;
  invokeId?: string;
  polls: number;
  error?: CloudError;
  /** Human explanation of the status, for the checklist. */
  explanation: string;
}

export interface AssistantOptions {
  instanceId: string;
  region: string;
  script: string;
  type: 'RunShellScript' | 'RunPowerShellScript';
  /** Script timeout on the instance (RunCommand Timeout), seconds. Default 60. */
  timeoutSec?: number;
  credentials: ResolvedCredentials | AccessKeyInput;
  endpoints?: Endpoints;
  signal?: AbortSignal;
  /** Per-call API timeout (ms). */
  callTimeoutMs?: number;
  retries?: number;
  /** First poll delay and its cap (ms); defaults 500 / 3000. */
  pollIntervalMs?: number;
  maxPollIntervalMs?: number;
  /** Hard bound on polls (default 60). */
  maxPolls?: number;
}

const TERMINAL = new Set(['Success', 'Failed', 'Timeout', 'Stopped', 'Cancelled', 'Terminated', 'Error', 'Aborted', 'PartialFailed', 'Invalid']);

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });

const isResolved = (c: ResolvedCredentials | AccessKeyInput): c is ResolvedCredentials => 'credential' in c && 'source' in c;

export function interpretInvocation(r: { InvocationStatus?: string; ErrorCode?: string; ErrorInfo?: string; ExitCode?: number }): { status: AssistantStatus; explanation: string } {
  const code = r.ErrorCode ?? '';
  if (code === 'ClientNotRunning' || code === 'ClientNotResponse' || code === 'ClientNetworkBlocked' || code === 'ClientIsUpgrading') {
    return {
      status: 'AgentNotRunning',
      explanation: `The Cloud Assistant agent on the instance did not run the command (${code}): it is not installed, stopped, or cannot reach the Cloud Assistant service.`,
    };
  }
  if (code === 'ClientNeedUpgrade') return { status: 'AgentNeedsUpgrade', explanation: 'The Cloud Assistant agent is too old for this command; upgrade it.' };
  if (code === 'InstanceNotRunning' || code === 'InstanceReleased' || code === 'InstanceNotExists') return { status: 'InstanceNotRunning', explanation: `The instance cannot run commands (${code}).` };
  if (r.InvocationStatus === 'Timeout' || code === 'ExecutionTimeout' || code === 'DeliveryTimeout') return { status: 'Timeout', explanation: `The command did not finish in time (${code || 'Timeout'}).` };
  if (r.InvocationStatus === 'Success') return { status: 'Success', explanation: 'The command ran and exited with code 0.' };
  if (r.InvocationStatus === 'Stopped' || r.InvocationStatus === 'Cancelled' || r.InvocationStatus === 'Terminated') return { status: 'Stopped', explanation: `The command was ${r.InvocationStatus?.toLowerCase()}.` };
  return { status: 'Failed', explanation: `The command failed${code ? ` (${code}${r.ErrorInfo ? `: ${r.ErrorInfo}` : ''})` : ''}${r.ExitCode !== undefined ? `, exit code ${r.ExitCode}` : ''}.` };
}

export function decodeOutput(output: string | undefined, encoding: 'Base64' | 'PlainText' = 'Base64'): string {
  if (!output) return '';
  return encoding === 'Base64' ? Buffer.from(output, 'base64').toString('utf8') : output;
}

export async function runCloudAssistant(opts: AssistantOptions): Promise<AssistantResult> {
  const { Ecs, makeEcsClient } = await loadSdk();
  const base = { output: '', exitCode: null, truncated: false, droppedBytes: 0, polls: 0 };
  // The region and instance may come from a pasted snapshot or a session file: refuse before any client exists.
  const badId = !isRegionId(opts.region) ? invalidIdText('region', opts.region, 'region').en : !isCloudId('instance', opts.instanceId) ? invalidIdText('instance', opts.instanceId, 'instance').en : null;
  if (badId) return { ...base, status: 'Error', explanation: badId, error: { action: 'RunCommand', code: 'InvalidInput', message: badId, leavesUnknown: ['serverEvidence'] } };
  let creds: ResolvedCredentials;
  if (isResolved(opts.credentials)) creds = opts.credentials;
  else {
    const r = resolveCredentials({ accessKey: opts.credentials });
    if (!r.ok) return { ...base, status: 'Error', explanation: r.message, error: { action: 'RunCommand', code: r.code, message: r.message, leavesUnknown: ['serverEvidence'] } };
    creds = r.value;
  }
  let redact: Redactor = creds.redact;
  try {
    const m = await creds.credential.getCredential();
    const extra = makeRedactor([m.accessKeySecret, m.securityToken], [m.accessKeyId]);
    const inner = creds.redact;
    redact = (t) => extra(inner(t));
  } catch {
    /* the RunCommand call reports the credential problem */
  }
  const timeoutMs = opts.callTimeoutMs ?? 8000;
  const client = makeEcsClient({ credential: creds.credential, region: opts.region, endpoints: opts.endpoints ?? resolveEndpoints(), timeoutMs });
  const runtime = runtimeOptions(timeoutMs);
  const policy: CallPolicy = { timeoutMs, retries: opts.retries ?? 2, baseDelayMs: 300, maxDelayMs: 3000, signal: opts.signal, redact };
  const timeoutSec = Math.max(10, Math.min(opts.timeoutSec ?? 60, 86400));

  const run = await callApi('RunCommand', opts.instanceId, ['serverEvidence'], async () =>
    bodyOf(
      await client.runCommandWithOptions(
        new Ecs.RunCommandRequest({
          regionId: opts.region,
          instanceId: [opts.instanceId],
          type: opts.type,
          commandContent: Buffer.from(opts.script, 'utf8').toString('base64'),
          contentEncoding: 'Base64',
          timeout: timeoutSec,
          name: 'sg-doctor-readonly-check',
          description: 'SG Doctor: read-only network diagnostics',
          keepCommand: false,
        }),
        runtime,
      ),
    ),
  policy);
  if (!run.ok) return { ...base, status: 'Error', explanation: run.error.message, error: run.error };
  const invokeId = typeof run.value.InvokeId === 'string' ? run.value.InvokeId : undefined;
  if (!invokeId) {
    const error: CloudError = { action: 'RunCommand', code: 'MalformedResponse', message: 'RunCommand returned no InvokeId', leavesUnknown: ['serverEvidence'] };
    return { ...base, status: 'Error', explanation: error.message, error };
  }

  const deadline = Date.now() + timeoutSec * 1000 + 30_000;
  const maxPolls = Math.max(1, Math.min(opts.maxPolls ?? 60, 600));
  let delay = opts.pollIntervalMs ?? 500;
  const maxDelay = opts.maxPollIntervalMs ?? 3000;
  let polls = 0;
  let lastStatus: string | undefined;
  while (polls < maxPolls && Date.now() < deadline && !opts.signal?.aborted) {
    await sleep(delay, opts.signal);
    delay = Math.min(maxDelay, Math.round(delay * 1.5));
    polls++;
    const res = await callApi('DescribeInvocationResults', invokeId, ['serverEvidence'], async () =>
      bodyOf(
        await client.describeInvocationResultsWithOptions(
          new Ecs.DescribeInvocationResultsRequest({ regionId: opts.region, invokeId, instanceId: opts.instanceId, contentEncoding: 'Base64' }),
          runtime,
        ),
      ),
    policy);
    if (!res.ok) return { ...base, polls, invokeId, status: 'Error', explanation: res.error.message, error: res.error };
    const list = ((res.value.Invocation as { InvocationResults?: { InvocationResult?: Record<string, unknown>[] } } | undefined)?.InvocationResults?.InvocationResult ?? []) as {
      InvocationStatus?: string;
      Output?: string;
      ExitCode?: number;
      ErrorCode?: string;
      ErrorInfo?: string;
      Dropped?: number;
    }[];
    const r = list[0];
    if (!r) continue; // not visible yet
    lastStatus = r.InvocationStatus;
    if (!r.InvocationStatus || !TERMINAL.has(r.InvocationStatus)) continue;
    const { status, explanation } = interpretInvocation(r);
    const dropped = Number(r.Dropped ?? 0) || 0;
    return {
      status,
      invocationStatus: r.InvocationStatus,
      output: decodeOutput(r.Output),
      exitCode: typeof r.ExitCode === 'number' ? r.ExitCode : null,
      ...(r.ErrorCode ? { errorCode: r.ErrorCode } : {}),
      ...(r.ErrorInfo ? { errorInfo: redact(r.ErrorInfo) } : {}),
      truncated: dropped > 0,
      droppedBytes: dropped,
      invokeId,
      polls,
      explanation: dropped > 0 ? `${explanation} The output was cut to 24 KB (${dropped} bytes dropped).` : explanation,
    };
  }
  return {
    ...base,
    polls,
    invokeId,
    status: opts.signal?.aborted ? 'Stopped' : 'Timeout',
    ...(lastStatus ? { invocationStatus: lastStatus } : {}),
    explanation: opts.signal?.aborted ? 'Cancelled while waiting for the command.' : `No final result after ${polls} polls (last status ${lastStatus ?? 'unknown'}).`,
  };
}

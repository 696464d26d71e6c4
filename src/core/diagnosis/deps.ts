// The real implementations behind runDiagnosis (the CLI and the desktop backend use these; tests inject
// their own where they need to).
import { runCloudAssistant } from '../cloud/alicloud/assistant';
import { resolveCredentials } from '../cloud/alicloud/credentials';
import { readCloudSnapshot } from '../cloud/alicloud/read';
import { loadSdk } from '../cloud/alicloud/sdk';
import { importSnapshot } from '../cloud/import';
import { runProbe } from '../probe/run';
import { runTrace } from '../probe/trace/run';
import { fail, ok } from '../result';
import { evaluateNetworkAcl } from '../rules/networkAcl';
import { evaluateSecurityGroups } from '../rules/securityGroups';
import type { DiagnoseDeps } from './run';
import { parseServerEvidence } from './server-evidence/parse';
import { evidenceScript } from './server-evidence/scripts';

export function defaultDeps(overrides: Partial<DiagnoseDeps> = {}): DiagnoseDeps {
  return {
    runProbe: (req, opts) => runProbe(req, opts),
    runTrace: (target, opts) => runTrace(target, opts),
    readCloudSnapshot: (args) => readCloudSnapshot(args),
    prepareCloud: () => loadSdk().then(() => undefined),
    importSnapshot: (inputs, selection) => importSnapshot(inputs, selection),
    evaluateSecurityGroups,
    evaluateNetworkAcl: (s, f) => evaluateNetworkAcl(s, f),
    parseServerEvidence: (text, opts) => parseServerEvidence(text, opts),
    // The read-only evidence script (shown to the user in the UI before it runs) through Cloud Assistant.
    runCloudAssistant: async ({ instanceId, region, ports, osType, profile, endpoints, signal, timeoutMs }) => {
      const creds = resolveCredentials(profile ? { profile } : {});
      if (!creds.ok) return fail(creds.code, creds.message);
      const { script, commandType } = evidenceScript(osType === 'windows' ? 'windows' : 'linux', ports);
      const r = await runCloudAssistant({ instanceId, region, script, type: commandType, credentials: creds.value, endpoints, signal, timeoutSec: timeoutMs ? Math.ceil(timeoutMs / 1000) : undefined });
      if (r.status !== 'Success' && !r.output) return fail(r.status, r.explanation);
      return ok({ output: r.output });
    },
    ...overrides,
  };
}

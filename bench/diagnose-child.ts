// Runs inside the lab's client namespace for bench/diagnose.ts: runDiagnosis in-process (the same engine
// the CLI and the app call), several times per scenario, and prints the timings as one JSON line.
import { readFileSync } from 'node:fs';
import { composeDeps } from '../src/core/backend/compose';
import { runDiagnosis, type DiagnoseRequest } from '../src/core/diagnosis/run';
import { defaultProbeRequest } from '../src/core/probe/run';

interface Job {
  host: string;
  port: number;
  instanceId: string;
  region: string;
  endpoint: string;
  echoUrl: string;
  control: string;
  runs: number;
  icmp: boolean;
  evidenceFile?: string;
}

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2]) as Job;
  const out: { totalMs: number; locus: string; ruleId: string; stagesMs: Record<string, number>; afterTimeoutMs: number | null; timeoutMs: number | null; state: string }[] = [];
  for (let i = 0; i < job.runs; i++) {
    const request: DiagnoseRequest = {
      target: { host: job.host, port: job.port, protocol: 'tcp', service: 'ssh', instanceId: job.instanceId },
      probe: defaultProbeRequest({ host: job.host, ports: [job.port], icmp: job.icmp, egressIpUrls: [job.echoUrl], controlHosts: [job.control] }),
      cloud: { mode: 'api', instanceId: job.instanceId, region: job.region, endpoints: { ecs: job.endpoint, vpc: job.endpoint, sts: job.endpoint } },
      server: job.evidenceFile ? { mode: 'text', text: readFileSync(job.evidenceFile, 'utf8') } : { mode: 'none' },
    };
    const t0 = performance.now();
    const wall0 = Date.now();
    const d = await runDiagnosis(request, { deps: composeDeps() });
    const totalMs = performance.now() - t0;
    const fact = d.probes?.tcp.find((t) => t.port === job.port && t.address === job.host) ?? null;
    let afterTimeoutMs: number | null = null;
    let timeoutMs: number | null = null;
    if (fact && fact.state === 'filtered' && fact.reason === 'no-response' && fact.samples.length) {
      const last = fact.samples[fact.samples.length - 1];
      const lastEnd = Date.parse(last.startedAt) + last.durationMs;
      afterTimeoutMs = wall0 + totalMs - lastEnd;
      timeoutMs = Math.max(...fact.samples.map((s) => s.timeoutMs));
    }
    out.push({ totalMs, locus: d.verdict.locus, ruleId: d.verdict.ruleId, stagesMs: d.timings?.stagesMs ?? {}, afterTimeoutMs, timeoutMs, state: fact ? `${fact.state}/${fact.reason}` : 'none' });
  }
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});

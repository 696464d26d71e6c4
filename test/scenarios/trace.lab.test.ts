// End-to-end: `sg-doctor diagnose --trace` in a routed lab (client → r1 → r2 → server; the control host sits
// behind r1 too), with the fake Alibaba API. r1 is the user's own network (declared with --own-network: every
// lab address is private), r2 the carrier / the cloud's edge. The verdict with a trace for a drop in the user's
// own network (with and without a control probe) and for a drop at the server (where, without a control probe,
// only the trace shows that the user's network lets the port out), and a drop beyond the own network while the
// configuration denies. Prints each run's trace and the time the trace took (for the issue note).
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Diagnosis } from '../../src/core/diagnosis/types';
import { describeLab } from '../lab/describe-lab';
import { createLab, type Lab } from '../lab/lab';
import { diagnoseInClient, FakeApiInNamespace, scenarioParams, type DiagnoseOptions, type ScenarioSpec } from './support';

const OWN = 2501; // dropped by r1 (the user's network)
const EDGE = 2502; // dropped by r2 (beyond the user's network)
const HOST = 2503; // dropped by the server's own firewall

const spec = (name: string, port: number, variant: ScenarioSpec['variant'], locus: ScenarioSpec['locus'], failing: string | null): ScenarioSpec => ({ name, variant, port, server: { listen: 'ssh' }, locus, failing });

describeLab('diagnose --trace scenarios (two routers + fake API + CLI)', () => {
  let lab: Lab;
  let fake: FakeApiInNamespace;
  const log: string[] = [];

  beforeAll(async () => {
    lab = await createLab({
      ipv6: false,
      hosts: {
        r1: { forwardRules: [['-p', 'tcp', '--dport', String(OWN), '-j', 'DROP']] },
        r2: { via: 'r1', forwardRules: [['-p', 'tcp', '--dport', String(EDGE), '-j', 'DROP']] },
        server: { via: 'r2', ports: [{ port: OWN, listen: 'ssh' }, { port: EDGE, listen: 'ssh' }, { port: HOST, listen: 'ssh', firewall: 'drop' }] },
        // The control host: known-good, answering on every port, but behind r1 like everything else outside.
        echo: { via: 'r1', ports: [OWN, EDGE, HOST].map((port) => ({ port, listen: 'tcp' as const })) },
      },
    });
    fake = await FakeApiInNamespace.start(lab, scenarioParams(lab, spec('start', OWN, 'healthy', 'client', null)));
  }, 120_000);

  afterAll(async () => {
    if (log.length && lab) console.log(`diagnose --trace (client → r1 ${lab.hosts.r1.ipv4} → r2 ${lab.hosts.r2.ipv4} → server ${lab.hosts.server.ipv4}):\n${log.join('\n')}`);
    await fake?.stop();
    await lab?.destroy();
  }, 60_000);

  async function diagnose(s: ScenarioSpec, opts: DiagnoseOptions & { trace?: boolean } = {}): Promise<Diagnosis> {
    await fake.set(scenarioParams(lab, s));
    const trace = opts.trace === false ? [] : ['--trace', '--own-network', `${lab.hosts.r1.ipv4}/32`];
    const { result, diagnosis } = await diagnoseInClient(lab, fake, s, trace, opts);
    expect(diagnosis, result.stdout.slice(0, 400) + result.stderr.slice(0, 400)).not.toBeNull();
    const d = diagnosis!;
    const t = d.trace;
    const hops = t ? t.hops.map((h) => h.address ?? '*').join(' → ') : '(no trace)';
    log.push(
      `${s.name.padEnd(58)} ${d.verdict.locus}/${d.verdict.ruleId} (${d.verdict.confidence})\n    ${t ? `${t.method} port ${t.port ?? '-'}: ${hops}; reached=${t.reached}; trace ${t.durationMs} ms` : hops}; whole run ${d.timings?.totalMs ?? '?'} ms`,
    );
    expect(result.code, result.stderr).toBe(s.locus === 'none' ? 0 : s.locus === 'inconclusive' ? 3 : 1);
    return d;
  }

  const ctx = (d: Diagnosis): string => `${d.verdict.ruleId}: ${d.verdict.summary.en}\n${d.verdict.reasoning.map((r) => r.en).join('\n')}\nfailing: ${d.checks.filter((c) => c.status === 'fail').map((c) => `${c.id}[${c.condition}]`).join(', ')}\ntrace: ${JSON.stringify(d.trace)}`;

  it('a drop in the user’s own network, the control host failing too → client; the trace corroborates', async () => {
    const d = await diagnose(spec('own network drop, control fails too', OWN, 'healthy', 'client', 'client.egress'));
    expect(d.verdict, ctx(d)).toMatchObject({ locus: 'client', ruleId: 'control-same-port-fails', confidence: 'high' });
    expect(d.trace).toMatchObject({ method: 'tcp-syn', port: OWN, reached: false });
    expect(d.trace!.hops[0].address).toBe(lab.hosts.r1.ipv4);
    expect(d.trace!.hops.slice(1).every((h) => h.address === null), ctx(d)).toBe(true);
    expect(d.checks.find((c) => c.id === 'path.trace'), ctx(d)).toMatchObject({ status: 'fail', condition: 'tcp-stops-in-own-network' });
    expect(d.verdict.reasoning.some((r) => r.en.startsWith('Path trace: TCP SYNs to port 2501 stop inside your own network')), ctx(d)).toBe(true);
  }, 90_000);

  it('a drop in the user’s own network without a control probe → client from the trace alone (medium)', async () => {
    const d = await diagnose(spec('own network drop, no control probe', OWN, 'healthy', 'client', 'path.trace'), { withoutControl: true });
    expect(d.verdict, ctx(d)).toMatchObject({ locus: 'client', ruleId: 'trace-stops-in-own-network', confidence: 'medium' });
    expect(d.verdict.blockingCheckIds[0]).toBe('path.trace');
  }, 90_000);

  it('a drop at the server, no control probe: without the trace inconclusive; with it → the server’s firewall', async () => {
    const without = await diagnose(spec('server firewall drop, no control, no trace', HOST, 'healthy', 'inconclusive', null), { withoutControl: true, trace: false });
    expect(without.verdict.ruleId, ctx(without)).toBe('timeout-cloud-allows');
    expect(without.trace).toBeUndefined();
    const d = await diagnose(spec('server firewall drop, no control, --trace', HOST, 'healthy', 'server', 'os.firewall'), { withoutControl: true });
    expect(d.verdict, ctx(d)).toMatchObject({ locus: 'server', ruleId: 'timeout-cloud-allows' });
    expect(d.checks.find((c) => c.id === 'os.firewall'), ctx(d)).toMatchObject({ status: 'fail', condition: 'inferred-silent-drop' });
    expect(d.checks.find((c) => c.id === 'path.trace'), ctx(d)).toMatchObject({ status: 'pass', condition: 'beyond-own-network-tcp' });
    expect(d.trace!.hops.slice(0, 2).map((h) => h.address)).toEqual([lab.hosts.r1.ipv4, lab.hosts.r2.ipv4]);
    expect(JSON.stringify(d.checks.find((c) => c.id === 'os.firewall')?.evidence), ctx(d)).toContain('got out of your network');
  }, 120_000);

  it('a drop beyond the user’s network while the configuration denies → network, the security-group rule; the trace corroborates', async () => {
    const d = await diagnose(spec('beyond own network, rule missing', EDGE, 'rule-missing', 'network', 'sg.inbound-rule'), { withoutControl: true });
    expect(d.verdict, ctx(d)).toMatchObject({ locus: 'network', ruleId: 'security-group-denies' });
    expect(d.verdict.blockingCheckIds).toContain('sg.inbound-rule');
    expect(d.verdict.reasoning.some((r) => r.en.startsWith('Path trace: TCP SYNs to port 2502 get out of your network')), ctx(d)).toBe(true);
  }, 90_000);
});

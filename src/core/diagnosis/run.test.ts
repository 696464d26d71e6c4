// runDiagnosis as a shell: concurrency of probes and cloud read, events, the real rule engine on the
// flow (egress IP → instance address), the follow-up probe when the name resolves elsewhere, and a
// JSON-serialisable document.
import { describe, expect, it } from 'vitest';
import { importSnapshot } from '../cloud/alicloud/import';
import { defaultProbeRequest } from '../probe/run';
import type { ProbeRequest } from '../probe/types';
import { evaluateNetworkAcl } from '../rules/networkAcl';
import { evaluateSecurityGroups } from '../rules/securityGroups';
import { runDiagnosis, type DiagnoseDeps } from './run';
import { client, dnsFact, IDS, report, rule, snapshot, sshBanner, tcp } from './testing/builders';
import type { DiagnosisEvent } from './types';

function deps(over: Partial<DiagnoseDeps> = {}, probeFor?: (req: ProbeRequest) => ReturnType<DiagnoseDeps['runProbe']>): DiagnoseDeps {
  return {
    runProbe: probeFor ?? (async () => report([tcp('filtered', 'no-response')])),
    readCloudSnapshot: async () => snapshot({ rules: [rule('sgr-ssh', { direction: 'egress' })] }),
    importSnapshot: (i) => importSnapshot(i),
    evaluateSecurityGroups,
    evaluateNetworkAcl: (s, f) => evaluateNetworkAcl(s, f),
    ...over,
  };
}

const request = (host: string = IDS.publicIp) => ({
  target: { host, port: 22, protocol: 'tcp' as const, service: 'ssh', instanceId: IDS.instance },
  probe: defaultProbeRequest({ host, ports: [22] }),
  cloud: { mode: 'api' as const, instanceId: IDS.instance, region: IDS.region },
});

describe('runDiagnosis', () => {
  it('evaluates the real flow with the rule engine and decides', async () => {
    const events: DiagnosisEvent[] = [];
    const d = await runDiagnosis(request(), { deps: deps(), onEvent: (e) => events.push(e) });
    expect(d.cloud.flow).toEqual({ direction: 'ingress', protocol: 'tcp', sourceIp: IDS.clientIp, destinationIp: IDS.publicIp, port: 22 });
    expect(d.cloud.securityGroups?.decision).toBe('deny');
    expect(d.verdict.locus).toBe('network');
    expect(d.verdict.blockingCheckIds[0]).toBe('sg.direction');
    expect(events.filter((e) => e.type === 'stage').map((e) => e.type === 'stage' && `${e.stage}:${e.status}`)).toEqual(
      expect.arrayContaining(['probe:start', 'probe:done', 'cloud:start', 'cloud:done', 'rules:done', 'verdict:done']),
    );
    expect(events.at(-2)).toEqual({ type: 'verdict', verdict: d.verdict });
    // Live check lists never show a check before its facts are in.
    const firstChecks = events.find((e) => e.type === 'checks');
    expect(firstChecks && firstChecks.type === 'checks' && firstChecks.checks.some((c) => c.id === 'sg.inbound-rule')).toBe(false);
    expect(JSON.parse(JSON.stringify(d))).toEqual(d);
  });

  it('runs the probes and the cloud read concurrently', async () => {
    const slow = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const t0 = performance.now();
    await runDiagnosis(request(), {
      deps: deps({ readCloudSnapshot: async () => (await slow(150), snapshot()) }, async () => (await slow(150), report([tcp('open', 'syn-ack', { banner: sshBanner() })]))),
    });
    expect(performance.now() - t0).toBeLessThan(290);
  });

  it('without cloud: no flow, cloud checks unknown, lower confidence', async () => {
    const d = await runDiagnosis({ ...request(), cloud: { mode: 'none' } }, { deps: deps({}, async () => report([tcp('closed', 'conn-refused')])) });
    expect(d.cloud.mode).toBe('none');
    expect(d.checks.find((c) => c.id === 'sg.inbound-rule')?.status).toBe('unknown');
    expect(d.verdict.locus).toBe('server');
    expect(d.verdict.confidence).toBe('medium');
  });

  it('no egress IP: a rule that depends on the source stays unknown, in words, unless --source-ip is given', async () => {
    const probe = async () => report([tcp('filtered', 'no-response')], { client: client({ egress: null }) });
    const onlyMe = async () => snapshot({ rules: [rule('sgr-ssh', { peer: { kind: 'cidr', cidr: `${IDS.clientIp}/32`, family: 4 } })] });
    const a = await runDiagnosis(request(), { deps: deps({ readCloudSnapshot: onlyMe }, probe) });
    expect(a.cloud.sourceIpOrigin).toBe('none');
    expect(a.cloud.securityGroups).toMatchObject({ decision: 'unknown', explanation: 'depends-on-source' });
    const inbound = a.checks.find((c) => c.id === 'sg.inbound-rule')!;
    expect(inbound.status).toBe('unknown');
    expect(inbound.finding.en).toMatch(/public IP could not be detected.*depends on it/);
    expect(inbound.finding.en).not.toMatch(/not-evaluated|depends-on-source/);
    expect(a.verdict.confidence).not.toBe('high');
    const b = await runDiagnosis({ ...request(), sourceIp: IDS.clientIp }, { deps: deps({ readCloudSnapshot: onlyMe }, probe) });
    expect(b.cloud.sourceIpOrigin).toBe('user');
    expect(b.cloud.securityGroups?.decision).toBe('allow');
    const other = await runDiagnosis({ ...request(), sourceIp: '198.51.100.1' }, { deps: deps({ readCloudSnapshot: onlyMe }, probe) });
    expect(other.cloud.securityGroups?.decision).toBe('deny');
  });

  it('no egress IP: what holds for every public source is still decided', async () => {
    const probe = async () => report([tcp('filtered', 'no-response')], { client: client({ egress: null }) });
    // An inbound rule for the port only on the outbound direction: no source can get in.
    const d = await runDiagnosis(request(), { deps: deps({}, probe) });
    expect(d.cloud.securityGroups).toMatchObject({ decision: 'deny' });
    expect(d.cloud.securityGroups?.notes?.map((n) => n.code)).toContain('same-for-every-source');
    expect(d.verdict.locus).toBe('network');
    // Open to the whole Internet: every source is admitted.
    const open = async () => snapshot({ rules: [rule('sgr-any', { peer: { kind: 'cidr', cidr: '0.0.0.0/0', family: 4 } })] });
    const e = await runDiagnosis(request(), { deps: deps({ readCloudSnapshot: open }, probe) });
    expect(e.cloud.securityGroups?.decision).toBe('allow');
    // A drop for one public range before an allow for all: depends on where you are.
    const mixed = async () =>
      snapshot({ rules: [rule('sgr-any', { peer: { kind: 'cidr', cidr: '0.0.0.0/0', family: 4 }, priority: 5 }), rule('sgr-drop', { policy: 'drop', priority: 1, peer: { kind: 'cidr', cidr: '8.8.0.0/16', family: 4 } })] });
    const f = await runDiagnosis(request(), { deps: deps({ readCloudSnapshot: mixed }, probe) });
    expect(f.cloud.securityGroups).toMatchObject({ decision: 'unknown', explanation: 'depends-on-source' });
    expect(String(f.cloud.securityGroups?.notes?.[0].values?.deniedExample)).toMatch(/^8\.8\./);
  });

  it('name resolving elsewhere: the instance address is probed too', async () => {
    const hosts: string[] = [];
    const d = await runDiagnosis(request('www.example.com'), {
      deps: deps({ readCloudSnapshot: async () => snapshot() }, async (req) => {
        hosts.push(req.host);
        if (req.host === 'www.example.com') return report([tcp('filtered', 'net-unreach', { address: '198.51.100.99' })], { dns: dnsFact('www.example.com', ['198.51.100.99']), host: 'www.example.com' });
        return report([tcp('open', 'syn-ack', { banner: sshBanner() })]);
      }),
    });
    expect(hosts).toEqual(['www.example.com', IDS.publicIp]);
    expect(d.verdict.locus).toBe('client');
    expect(d.verdict.blockingCheckIds).toEqual(['client.dns']);
    expect(d.probes?.tcp.map((t) => `${t.address}:${t.state}`)).toEqual(['198.51.100.99:filtered', `${IDS.publicIp}:open`]);
  });

  it('cancellation rejects', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(runDiagnosis(request(), { deps: deps(), signal: ac.signal })).rejects.toThrow();
  });
});

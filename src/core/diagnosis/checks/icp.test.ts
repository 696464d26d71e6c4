import { describe, expect, it } from 'vitest';
import { decideIcp } from '../../probe/icp';
import { defaultProbeRequest } from '../../probe/run';
import type { IcpFact, IcpRequestFact, ProbeReport, ProbeRequest } from '../../probe/types';
import { runDiagnosis } from '../run';
import { aclNone, facts, IDS, report, sgAllow, snapshot, tcp, type FactsOpts } from '../testing/builders';
import { view } from '../facts';
import { runChecks, runCheck } from './index';
import { netIcpFiling } from './icp';
import { decideVerdict } from '../verdict';

const NAME = 'shop.example.com';

function req(by: 'ip' | 'name', p: Partial<IcpRequestFact> = {}): IcpRequestFact {
  return { by, hostHeader: by === 'ip' ? IDS.publicIp : NAME, sni: null, connected: true, sent: true, bodyBytes: 12, bytesRead: 200, durationMs: 30, ...p };
}
const answer = (by: 'ip' | 'name', code = 200): IcpRequestFact => req(by, { http: { statusLine: `HTTP/1.1 ${code} OK`, statusCode: code, server: 'nginx/1.24.0', location: null }, bodySha256: by });

function icpFact(byName: IcpRequestFact, byIp: IcpRequestFact = answer('ip'), port = 80): IcpFact {
  return { host: NAME, address: IDS.publicIp, port, scheme: port === 443 ? 'https' : 'http', byIp, byName, decision: decideIcp(byIp, byName, NAME, IDS.publicIp), startedAt: '', finishedAt: '' };
}

/** A name on port 80 whose connection opens; the banner read by name was reset (what the interception does to it). */
function webFacts(icp: IcpFact | null | undefined, o: FactsOpts & { region?: string } = {}) {
  const port = o.port ?? 80;
  const probes: ProbeReport = {
    ...report([tcp('open', 'syn-ack', { port, banner: { kind: 'none', method: 'http-head', bytesRead: 0, durationMs: 5, error: 'reset' } })], { host: NAME }),
    ...(icp !== undefined ? { icp } : {}),
  };
  let snap = o.snapshot === undefined ? snapshot() : o.snapshot;
  if (snap && o.region) snap = { ...snap, region: o.region, instance: snap.instance ? { ...snap.instance, region: o.region } : null };
  return facts({ host: NAME, port, service: port === 443 ? 'https' : 'http', probes, ...o, snapshot: snap });
}

const check = (f: ReturnType<typeof webFacts>) => runCheck(netIcpFiling, view(f));

describe('net.icp-filing', () => {
  it('reset by name in a mainland region → fail, with the evidence and the three fixes', () => {
    const c = check(webFacts(icpFact(req('name', { error: 'reset', failedAt: 'response' }))));
    expect(c).toMatchObject({ status: 'fail', condition: 'name-reset', layer: 'network' });
    expect(c.finding['zh-CN']).toContain('未备案');
    expect(c.finding.en).toContain('cn-hangzhou');
    expect(c.evidence.map((e) => e.path)).toEqual(['/probes/icp/byIp', '/probes/icp/byName', '/probes/icp/decision', '/cloud/snapshot/instance/region', '/probes/client/tunnels']);
    expect(c.evidence[3].summary).toBe('RegionId=cn-hangzhou (mainland: yes)');
    expect(c.fixes).toHaveLength(3);
    // Facts built without a provider: the filing fix names no console (the cloud's own link comes with its semantics).
    expect(c.fixes[0]).toMatchObject({ kind: 'info' });
    expect(c.fixes[0].url).toBeUndefined();
    expect(c.fixes[2].command).toBe(`curl -sk -o /dev/null -w '%{http_code}\\n' http://${IDS.publicIp}/`);
    for (const f of c.fixes) expect(f.title['zh-CN']).not.toMatch(/[,:;()]/);
  });

  it('SNI reset on 443 → fail (sni-reset)', () => {
    const c = check(webFacts(icpFact(req('name', { error: 'reset', failedAt: 'tls-handshake', sni: NAME }), answer('ip'), 443), { port: 443 }));
    expect(c).toMatchObject({ status: 'fail', condition: 'sni-reset' });
  });

  it('blocked but the region is unknown (no cloud data) → warn, saying so', () => {
    const c = check(webFacts(icpFact(req('name', { error: 'reset', failedAt: 'response' })), { snapshot: null }));
    expect(c).toMatchObject({ status: 'warn', condition: 'name-reset-region-unknown' });
    expect(c.finding.en).toContain('region is unknown');
  });

  it('blocked while the client goes through a VPN → warn (the VPN may filter by name too), the premise in the evidence', () => {
    const f = webFacts(icpFact(req('name', { error: 'reset', failedAt: 'response' })));
    f.probes!.client = { ...f.probes!.client, tunnels: ['wg0'] };
    const c = check(f);
    expect(c).toMatchObject({ status: 'warn', condition: 'name-reset-via-tunnel' });
    expect(c.evidence.at(-1)?.summary).toBe('client tunnels: wg0');
    expect(decideVerdict(f, runChecks(f))).toMatchObject({ ruleId: 'icp-filing-unconfirmed', locus: 'inconclusive' });
  });

  it('both fine → pass; both fail → unknown', () => {
    expect(check(webFacts(icpFact(answer('name')))).status).toBe('pass');
    expect(check(webFacts(icpFact(req('name', { error: 'reset', failedAt: 'response' }), req('ip', { error: 'reset', failedAt: 'response' })))).status).toBe('unknown');
  });

  it('skipped for an IP target, a non-web port, a region outside the mainland (cn-hongkong too)', () => {
    expect(check(webFacts(icpFact(req('name', { error: 'reset' })), { host: IDS.publicIp }))).toMatchObject({ status: 'skipped', condition: 'ip-target' });
    expect(check(webFacts(undefined, { port: 22, service: 'ssh' }))).toMatchObject({ status: 'skipped', condition: 'not-web' });
    expect(check(webFacts(icpFact(req('name', { error: 'reset' })), { region: 'ap-southeast-1' }))).toMatchObject({ status: 'skipped', condition: 'not-mainland' });
    expect(check(webFacts(icpFact(req('name', { error: 'reset' })), { region: 'cn-hongkong' }))).toMatchObject({ status: 'skipped', condition: 'not-mainland' });
  });

  it('unknown when the compared address is not the instance’s (the name resolves elsewhere)', () => {
    const other = { ...icpFact(req('name', { error: 'reset', failedAt: 'response' })), address: '198.51.100.9' };
    expect(check(webFacts(other))).toMatchObject({ status: 'unknown', condition: 'not-instance-address' });
  });

  it('unknown when the comparison was not made', () => {
    expect(check(webFacts(undefined))).toMatchObject({ status: 'unknown', condition: 'not-compared' });
    expect(check(webFacts(null))).toMatchObject({ status: 'unknown', condition: 'not-compared' });
  });
});

describe('verdict with an intercepted name', () => {
  it('locus network by rule icp-filing; app.responds and os.* do not fail', () => {
    const f = webFacts(icpFact(req('name', { error: 'reset', failedAt: 'response' })));
    const checks = runChecks(f);
    const v = decideVerdict(f, checks);
    expect(v).toMatchObject({ locus: 'network', ruleId: 'icp-filing', blockingCheckIds: ['net.icp-filing'], confidence: 'high' });
    expect(v.summary).toEqual(checks.find((c) => c.id === 'net.icp-filing')!.finding);
    expect(checks.find((c) => c.id === 'app.responds')).toMatchObject({ status: 'pass', condition: 'answers-by-ip' });
    expect(checks.filter((c) => c.status === 'fail').map((c) => c.id)).toEqual(['net.icp-filing']);
  });

  it('not intercepted: the application check decides as before', () => {
    const f = webFacts(icpFact(answer('name')));
    const checks = runChecks(f);
    expect(checks.find((c) => c.id === 'net.icp-filing')?.status).toBe('pass');
    expect(decideVerdict(f, checks).ruleId).not.toBe('icp-filing');
  });

  it('outside the mainland the same behaviour is not blamed on the filing', () => {
    const f = webFacts(icpFact(req('name', { error: 'reset', failedAt: 'response' })), { region: 'ap-southeast-1' });
    const checks = runChecks(f);
    expect(decideVerdict(f, checks).ruleId).not.toBe('icp-filing');
  });
});

describe('runDiagnosis turns the comparison on for a name on a web port only', () => {
  const seen = async (target: { host: string; port: number; service?: string }): Promise<ProbeRequest['icp']> => {
    let icp: ProbeRequest['icp'] = undefined;
    await runDiagnosis(
      { target: { ...target, protocol: 'tcp' }, probe: defaultProbeRequest({ host: target.host, ports: [target.port] }), cloud: { mode: 'none' } },
      {
        deps: {
          runProbe: async (req) => {
            icp = req.icp;
            return report([tcp('filtered', 'no-response', { port: target.port })], { host: target.host });
          },
          readCloudSnapshot: async () => snapshot(),
          importSnapshot: () => ({ ok: false, code: 'x', message: 'x' }),
          evaluateSecurityGroups: () => sgAllow(),
          evaluateNetworkAcl: () => aclNone(),
        },
      },
    );
    return icp;
  };

  it('name + 80 / 443 / a custom port named http', async () => {
    expect(await seen({ host: NAME, port: 80 })).toEqual({ port: 80, scheme: 'http' });
    expect(await seen({ host: NAME, port: 443 })).toEqual({ port: 443, scheme: 'https' });
    expect(await seen({ host: NAME, port: 18080, service: 'http' })).toEqual({ port: 18080, scheme: 'http' });
  });

  it('not for an IP literal, SSH, or an unnamed custom port', async () => {
    expect(await seen({ host: IDS.publicIp, port: 80 })).toBeUndefined();
    expect(await seen({ host: NAME, port: 22, service: 'ssh' })).toBeUndefined();
    expect(await seen({ host: NAME, port: 18080 })).toBeUndefined();
  });
});

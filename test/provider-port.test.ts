// The provider port, part 1: the snapshot names its provider (either id), sessions written before the port
// (provider 'alicloud') still open, a provider's native data passes through opaque, an unknown id is refused.
import { describe, expect, it } from 'vitest';
import { importSnapshot } from '../src/core/cloud/alicloud/import';
import { createSession, parseSession, serializeSession } from '../src/core/session';
import { sampleDiagnosis } from './support/diagnosis-fixture';

function sessionWithProvider(provider: unknown, providerData?: unknown): string {
  const d = sampleDiagnosis();
  const session = createSession(d, { host: d.target.host, port: d.target.port, protocol: 'tcp', cloudMode: 'snapshot' });
  const doc = JSON.parse(serializeSession(session)) as { diagnosis: { cloud: { snapshot: Record<string, unknown> } } };
  doc.diagnosis.cloud.snapshot.provider = provider;
  if (providerData !== undefined) doc.diagnosis.cloud.snapshot.providerData = providerData;
  return JSON.stringify(doc);
}

describe('snapshot provider id in sessions', () => {
  it('a session with provider alicloud (every session before the port) still opens', () => {
    const r = parseSession(sessionWithProvider('alicloud'), 'old.sgdiag');
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.value.session.diagnosis.cloud.snapshot?.provider).toBe('alicloud');
  });
  it('a session with provider huawei and native data opens; the native data passes through untouched', () => {
    const native = { groups: [{ id: 'sg-1', rules: [] }], firewall: null };
    const r = parseSession(sessionWithProvider('huawei', native), 'hw.sgdiag');
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.value.session.diagnosis.cloud.snapshot?.providerData).toEqual(native);
  });
  it('a session naming a provider this app does not know is refused', () => {
    const r = parseSession(sessionWithProvider('aws'), 'aws.sgdiag');
    expect(r.ok).toBe(false);
  });
});

describe('saved snapshots as offline input', () => {
  it('the Alibaba importer reads a saved alicloud snapshot and does not take a Huawei one for its own', () => {
    const snap = sampleDiagnosis().cloud.snapshot!;
    const r = importSnapshot([{ name: 'saved.json', content: JSON.stringify(snap) }]);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.value.provider).toBe('alicloud');
    const hw = importSnapshot([{ name: 'hw.json', content: JSON.stringify({ ...snap, provider: 'huawei' }) }]);
    expect(hw.ok).toBe(false);
    if (!hw.ok) expect(hw.code).toBe('UnknownDocument');
  });
});

describe('the Alibaba provider behind the port', () => {
  it('recognises aliyun CLI output and saved alicloud snapshots, not other JSON', async () => {
    const { alicloudProvider } = await import('../src/core/cloud/alicloud/provider');
    expect(alicloudProvider.recognises({ Instances: { Instance: [] } })).toBe(true);
    expect(alicloudProvider.recognises({ Permissions: { Permission: [] }, SecurityGroupId: 'sg-1' })).toBe(true);
    expect(alicloudProvider.recognises(sampleDiagnosis().cloud.snapshot)).toBe(true);
    expect(alicloudProvider.recognises({ server: { id: 'x', status: 'ACTIVE' } })).toBe(false);
    expect(alicloudProvider.recognises('text')).toBe(false);
  });
  it('states the semantics the evaluators and premises use: stateless ACL, priority 1..100 lower first', async () => {
    const { alicloudProvider } = await import('../src/core/cloud/alicloud/provider');
    expect(alicloudProvider.semantics.aclStateful).toBe(false);
    expect(alicloudProvider.semantics.priority).toEqual({ min: 1, max: 100, lowerFirst: true });
    expect(alicloudProvider.semantics.carrierBlockedTcpPorts).toContain(445);
    expect(alicloudProvider.semantics.carrierBlockedTcpPorts).not.toContain(22);
  });
  it('console links are on its declared hosts, and null without the ids they need', async () => {
    const { alicloudProvider } = await import('../src/core/cloud/alicloud/provider');
    const c = alicloudProvider.console;
    const urls = [c.securityGroup('cn-hangzhou', 'sg-bp1abc'), c.instance('cn-hangzhou', 'i-bp1abc'), c.networkAcl('cn-hangzhou', 'nacl-bp1abc')];
    for (const u of urls) expect(c.hosts).toContain(new URL(u!).host);
    expect(c.securityGroup('cn-hangzhou', 'sg-1/../x')).toContain('sg-1%2F..%2Fx');
    expect(c.securityGroup(null, 'sg-1')).toBeNull();
    expect(c.instance('cn-hangzhou', null)).toBeNull();
  });
  it('policy is the RAM policy (Cloud Assistant actions only when asked for)', async () => {
    const { alicloudProvider } = await import('../src/core/cloud/alicloud/provider');
    const { ramPolicy } = await import('../src/core/cloud/alicloud/actions');
    expect(alicloudProvider.policy()).toEqual(ramPolicy());
    expect(alicloudProvider.policy({ remoteScript: true })).toEqual(ramPolicy({ cloudAssistant: true }));
    expect(JSON.stringify(alicloudProvider.policy())).not.toContain('RunCommand');
  });
  it('endpoints: flags beat environment; a value that is not a host is refused; unknown flag keys are ignored', async () => {
    const { alicloudProvider } = await import('../src/core/cloud/alicloud/provider');
    const r = alicloudProvider.endpoints!({ flags: { ecs: '127.0.0.1:9000', protocol: 'ftp' }, env: { SGD_ECS_ENDPOINT: 'other.example:1', SGD_VPC_ENDPOINT: '127.0.0.1:9001' } });
    expect(r).toEqual({ ok: true, value: { ecs: '127.0.0.1:9000', vpc: '127.0.0.1:9001', sts: undefined } });
    const bad = alicloudProvider.endpoints!({ env: { SGD_ECS_ENDPOINT: 'user@host/path' } });
    expect(bad.ok).toBe(false);
  });
  it('read refuses endpoints of a foreign shape passed through neutral code', async () => {
    const { alicloudProvider } = await import('../src/core/cloud/alicloud/provider');
    await expect(alicloudProvider.read({ instanceId: 'i-bp1abcdefg', endpoints: { ecs: 'x', huaweiIam: 'y' }, env: {} })).rejects.toThrow(/unexpected shape/);
  });
  it('checkInput refuses a malformed region and a malformed endpoint before anything is sent', async () => {
    const { alicloudProvider } = await import('../src/core/cloud/alicloud/provider');
    expect(alicloudProvider.checkInput!({ region: 'cn-hangzhou', accessKey: true, env: {} }).ok).toBe(true);
    const r = alicloudProvider.checkInput!({ region: 'cn hangzhou;rm', accessKey: true, env: {} });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toContain('--region');
    expect(alicloudProvider.checkInput!({ endpoints: { ecs: 'a b' }, accessKey: true, env: {} }).ok).toBe(false);
  });
});

describe('premises take the carrier-blocked ports from the provider semantics', () => {
  it('a port on the provider list is "cannot rule out a carrier"; the same port off the list is not', async () => {
    const { facts, report, tcp } = await import('../src/core/diagnosis/testing/builders');
    const { portNotCarrierBlocked } = await import('../src/core/diagnosis/premises');
    const { view } = await import('../src/core/diagnosis/facts');
    const base = facts({ port: 445, probes: report([tcp('filtered', 'no-response', { port: 445 })]) });
    expect(portNotCarrierBlocked(view(base)).state).toBe('unknown');
    const semantics = { aclStateful: true, priority: { min: 1, max: 100, lowerFirst: true }, carrierBlockedTcpPorts: [4444], outboundTcp25Blocked: [], icpFiling: { console: 'https://beian.example.com/', regionsOutsideMainland: { 'zh-CN': '', en: '' } }, groupsDropSilently: true, enterpriseGroups: true, classicNetwork: true, interfaceQuota: null };
    expect(portNotCarrierBlocked(view({ ...base, semantics })).state).toBe('true');
    const on4444 = facts({ port: 4444, probes: report([tcp('filtered', 'no-response', { port: 4444 })]) });
    expect(portNotCarrierBlocked(view({ ...on4444, semantics })).state).toBe('unknown');
  });
});

describe('provider-specific words come from the run\'s cloud semantics', () => {
  it('port 25: blocked in every Alibaba region; on Huawei only in cn-north-1; unknown without a provider', async () => {
    const { facts, report, tcp, snapshot } = await import('../src/core/diagnosis/testing/builders');
    const { runCheck } = await import('../src/core/diagnosis/checks');
    const { netPort25 } = await import('../src/core/diagnosis/checks/network');
    const { view } = await import('../src/core/diagnosis/facts');
    const { providerFor } = await import('../src/core/cloud/registry');
    const at = (region: string, provider?: 'alicloud' | 'huawei') => {
      const snap = snapshot();
      const f = facts({ port: 25, probes: report([tcp('filtered', 'no-response', { port: 25 })]), snapshot: { ...snap, region, instance: snap.instance ? { ...snap.instance, region } : null } });
      return runCheck(netPort25, view(provider ? { ...f, semantics: providerFor(provider).semantics } : f));
    };
    expect(at('cn-hangzhou', 'alicloud').condition).toBe('port-25');
    expect(at('ap-southeast-1', 'alicloud').condition).toBe('port-25');
    expect(at('cn-north-1', 'huawei').condition).toBe('port-25');
    const elsewhere = at('cn-north-4', 'huawei');
    expect(elsewhere.condition).toBe('port-25-isp');
    expect(elsewhere.finding.en).toContain('does not block outbound 25 in cn-north-4');
    expect(elsewhere.finding['zh-CN']).not.toMatch(/[,:;()]/);
    expect(at('cn-north-1').condition).toBe('port-25-unknown-region');
  });

  it('ICP filing: the console and the regions outside the mainland are the cloud\'s own, and the app may open the link', async () => {
    const { providerFor, registeredProviders } = await import('../src/core/cloud/registry');
    const { allowedExternalUrl } = await import('../src/core/api');
    expect(providerFor('alicloud').semantics.icpFiling.console).toBe('https://beian.aliyun.com/');
    expect(providerFor('huawei').semantics.icpFiling.console).toBe('https://beian.huaweicloud.com/');
    expect(providerFor('huawei').semantics.icpFiling.regionsOutsideMainland.en).toContain('ap-southeast-1');
    // Every link a provider hands out (filing console, console deep links) is on the app's external allow-list.
    for (const p of registeredProviders()) {
      expect(allowedExternalUrl(p.semantics.icpFiling.console), p.id).not.toBeNull();
      for (const host of p.console.hosts) expect(allowedExternalUrl(`https://${host}/`), `${p.id} ${host}`).not.toBeNull();
      for (const url of [p.console.securityGroup('cn-north-4', 'sg-x'), p.console.instance('cn-north-4', 'i-x'), p.console.networkAcl('cn-north-4', 'acl-x')]) {
        if (url) expect(allowedExternalUrl(url), url).not.toBeNull();
      }
    }
  });
});

describe('checks about features a cloud does not have are skipped there, saying why', () => {
  it('Huawei: no enterprise groups, no classic-network NIC types, a stateful ACL return; Alibaba keeps all three checks', async () => {
    const { facts, report, tcp, snapshot, sgDeny, miss, aclEval } = await import('../src/core/diagnosis/testing/builders');
    const { runCheck } = await import('../src/core/diagnosis/checks');
    const { sgEnterprise, sgNicType } = await import('../src/core/diagnosis/checks/sg');
    const { netAclReturn } = await import('../src/core/diagnosis/checks/network');
    const { view } = await import('../src/core/diagnosis/facts');
    const { providerFor } = await import('../src/core/cloud/registry');
    const base = facts({ probes: report([tcp('filtered', 'no-response')]), snapshot: snapshot(), sg: sgDeny([miss('nic-type', 'sgr-1', 'NicType intranet')]) });
    const on = (p: 'alicloud' | 'huawei') => view({ ...base, semantics: providerFor(p).semantics });
    for (const check of [sgEnterprise, sgNicType]) {
      const hw = runCheck(check, on('huawei'));
      expect(hw.status, check.id).toBe('skipped');
      expect(hw.condition).toBe('not-on-this-cloud');
      expect(hw.finding['zh-CN']).not.toMatch(/[,:;()]/);
      expect(runCheck(check, on('alicloud')).status, check.id).not.toBe('skipped');
    }
    expect(runCheck(sgNicType, on('alicloud'))).toMatchObject({ status: 'fail', condition: 'nic-type' });
    // The return path of a stateful ACL passes by state (Huawei's evaluation says so), not by an egress entry.
    const ret = aclEval('allow', 'allow');
    const withAcl = facts({ probes: report([tcp('filtered', 'no-response')]), snapshot: snapshot(), sg: sgDeny(), acl: { ...ret, returnPath: { ...ret.returnPath, explanation: 'stateful' } } });
    const stateful = view({ ...withAcl, semantics: providerFor('huawei').semantics });
    expect(runCheck(netAclReturn, stateful)).toMatchObject({ status: 'pass', condition: 'stateful' });
    // The quota: Alibaba's limits are compared; Huawei's are not built in, so nothing is claimed.
    const { sgQuota } = await import('../src/core/diagnosis/checks/sg');
    expect(runCheck(sgQuota, on('alicloud'))).toMatchObject({ status: 'pass', condition: 'within-quota' });
    expect(runCheck(sgQuota, on('huawei'))).toMatchObject({ status: 'skipped', condition: 'quota-not-known' });
  });
});

describe('provider registry', () => {
  it('providerFor returns the registered provider and refuses an id without one', async () => {
    const { providerFor, providers, UnknownProviderError } = await import('../src/core/cloud/registry');
    expect(providerFor('alicloud').id).toBe('alicloud');
    for (const [id, p] of Object.entries(providers)) expect(p?.id).toBe(id);
    if (!providers.huawei) expect(() => providerFor('huawei')).toThrow(UnknownProviderError);
  });
  it('detects the provider from pasted text holding several documents, from objects and from {name, content} items', async () => {
    const { detectProvider, detectProviders } = await import('../src/core/cloud/registry');
    const text = '$ aliyun ecs DescribeInstances\n{"Instances":{"Instance":[]}}\n{"SecurityGroupId":"sg-1","InnerAccessPolicy":"Accept","Permissions":{"Permission":[]}}';
    expect(detectProvider([text])).toBe('alicloud');
    expect(detectProvider([{ name: 'a.json', content: text }])).toBe('alicloud');
    expect(detectProvider([{ NetworkAclAttribute: {} }])).toBe('alicloud');
    expect(detectProvider([[{ EipAddresses: {} }]])).toBe('alicloud');
    expect(detectProvider([sampleDiagnosis().cloud.snapshot])).toBe('alicloud');
    expect(detectProviders(['{"serverz":{"id":"x"}}', 'not json at all'])).toEqual({ kind: 'none' });
    expect(detectProvider(['{"server":{"id":"x"}}'])).toBe('huawei');
    expect(detectProvider([])).toBeNull();
  });
  it('detection asks every registered provider (a fake second provider is found, a mix of both is reported)', async () => {
    const reg = await import('../src/core/cloud/registry');
    const { alicloudProvider } = await import('../src/core/cloud/alicloud/provider');
    const before = reg.providers.huawei;
    reg.providers.huawei = { ...alicloudProvider, id: 'huawei', recognises: (d) => typeof d === 'object' && d !== null && 'security_group_rules' in d };
    try {
      expect(reg.detectProvider(['{"security_group_rules":[]}'])).toBe('huawei');
      expect(reg.detectProviders(['{"security_group_rules":[]}\n{"Instances":{"Instance":[]}}'])).toEqual({ kind: 'mixed', providers: ['alicloud', 'huawei'] });
    } finally {
      if (before) reg.providers.huawei = before;
      else delete reg.providers.huawei;
    }
  });
});

describe('the composition root', () => {
  it('evaluators, semantics and the remote runner follow the snapshot provider; an unregistered one is refused, never evaluated as Alibaba', async () => {
    const reg = await import('../src/core/cloud/registry');
    const { alicloudProvider } = await import('../src/core/cloud/alicloud/provider');
    const { composeDeps, runServerEvidenceScript } = await import('../src/core/backend/compose');
    const deps = composeDeps();
    const snap = sampleDiagnosis().cloud.snapshot!;
    const flow = { direction: 'ingress' as const, protocol: 'tcp' as const, sourceIp: '198.51.100.7', destinationIp: snap.instance!.publicIp ?? '203.0.113.10', port: 22 };
    expect(deps.evaluateSecurityGroups(snap, flow)).toEqual(alicloudProvider.evaluateSecurityGroups(snap, flow));
    expect(deps.semantics!(undefined)).toBe(alicloudProvider.semantics);
    const before = reg.providers.huawei;
    const calls: string[] = [];
    reg.providers.huawei = {
      ...alicloudProvider,
      id: 'huawei',
      semantics: { ...alicloudProvider.semantics, aclStateful: true },
      evaluateSecurityGroups: (s, f) => (calls.push('sg'), alicloudProvider.evaluateSecurityGroups(s, f)),
      runRemoteScript: undefined,
    };
    try {
      deps.evaluateSecurityGroups({ ...snap, provider: 'huawei' }, flow);
      expect(calls).toEqual(['sg']);
      expect(deps.semantics!('huawei').aclStateful).toBe(true);
      const r = await runServerEvidenceScript({ provider: 'huawei', instanceId: 'x', region: 'r', os: 'linux', ports: [22] });
      expect(r).toMatchObject({ ok: false, stage: 'run', code: 'Unsupported' });
    } finally {
      if (before) reg.providers.huawei = before;
      else delete reg.providers.huawei;
    }
    if (!reg.providers.huawei) expect(() => deps.evaluateSecurityGroups({ ...snap, provider: 'huawei' }, flow)).toThrow(reg.UnknownProviderError);
  });
  it('importDocuments: the recognising provider imports; a requested provider wins; unrecognised input is named by the importer', async () => {
    const { importDocuments } = await import('../src/core/backend/compose');
    const snap = sampleDiagnosis().cloud.snapshot!;
    const r = importDocuments([JSON.stringify(snap)]);
    expect(r.ok && r.value.provider).toBe('alicloud');
    const bad = importDocuments([{ name: 'x.json', content: '{"servers":[]}' }]);
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.message).toContain('x.json');
  });
});

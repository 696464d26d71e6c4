// Offline import of Huawei Cloud API responses as KooCLI prints them: every document kind (fixtures checked
// against the SDK models' field lists), choosing the server that owns the address, errors naming the document,
// its line and the field's path, and what a missing document leaves unknown.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectHuaweiDocument, importHuaweiSnapshot, recognisesHuaweiDocument, regionOfZone } from '../src/core/cloud/huawei/import';
import { evaluateNetworkAcl, evaluateSecurityGroups, huaweiProvider } from '../src/core/cloud/huawei/provider';
import type { CloudSnapshot } from '../src/core/cloud/model';
import type { Flow } from '../src/core/rules/types';
import { ACL_ID, EIP, PORT_ID, SERVER_ID, SG_DENY, SG_WEB, SUBNET_ID } from './fake-huawei/scenarios';

const DIR = join(__dirname, 'fixtures', 'huawei');
const fx = (name: string): string => readFileSync(join(DIR, name), 'utf8');
const all = () => readdirSync(DIR).filter((f) => f.endsWith('.json')).map((f) => ({ name: f, content: fx(f) }));
const ssh: Flow = { direction: 'ingress', protocol: 'tcp', sourceIp: '198.51.100.7', destinationIp: EIP, port: 22 };

function ok(r: ReturnType<typeof importHuaweiSnapshot>): CloudSnapshot {
  if (!r.ok) throw new Error(`${r.code}: ${r.message}`);
  return r.value;
}

// ---- the fixtures have the SDK models' shapes -----------------------------------------------------------

const SDK = join(__dirname, '..', 'node_modules', '@huaweicloud');
/** Field names a model declares (its .d.ts: `name?:` and `private 'name'?;`). */
function modelFields(path: string): Set<string> {
  const text = readFileSync(join(SDK, path), 'utf8');
  const body = text.slice(text.indexOf('{'), text.indexOf('constructor'));
  return new Set([...body.matchAll(/^\s+(?:private\s+)?'?([\w:.-]+)'?\??[:;]/gm)].map((m) => m[1]));
}
const VPC3 = 'huaweicloud-sdk-vpc/v3/model/';
const VPC2 = 'huaweicloud-sdk-vpc/v2/model/';
const ECS2 = 'huaweicloud-sdk-ecs/v2/model/';

function expectShape(obj: Record<string, unknown>, model: string, where: string, extra: string[] = []): void {
  const fields = modelFields(model);
  expect(fields.size, model).toBeGreaterThan(0);
  for (const k of Object.keys(obj)) expect(fields.has(k) || extra.includes(k), `${where}.${k} is not a field of ${model}`).toBe(true);
}

describe('fixtures: one per document kind, in the SDK models’ shapes', () => {
  it('has a fixture for every document kind the import accepts', () => {
    const kinds = all().map((f) => detectHuaweiDocument(JSON.parse(f.content)));
    expect(new Set(kinds)).toEqual(new Set(['ShowServer', 'ListServersDetails', 'ListPorts', 'ShowSecurityGroup', 'ListSecurityGroupRules', 'ShowFirewall', 'ListFirewall', 'ListPublicips']));
  });

  it('ECS ShowServer / ListServersDetails: ServerDetail, ServerAddress, ServerFlavor, ServerSecurityGroup', () => {
    const one = JSON.parse(fx('show-server.json'));
    expectShape(one, ECS2 + 'ShowServerResponse.d.ts', 'ShowServer');
    const list = JSON.parse(fx('list-servers-details.json'));
    expectShape(list, ECS2 + 'ListServersDetailsResponse.d.ts', 'ListServersDetails');
    for (const s of [one.server, ...list.servers]) {
      expectShape(s, ECS2 + 'ServerDetail.d.ts', 'server');
      expectShape(s.flavor, ECS2 + 'ServerFlavor.d.ts', 'server.flavor');
      for (const g of s.security_groups) expectShape(g, ECS2 + 'ServerSecurityGroup.d.ts', 'server.security_groups[]');
      for (const a of Object.values(s.addresses as Record<string, Record<string, unknown>[]>).flat()) expectShape(a, ECS2 + 'ServerAddress.d.ts', 'server.addresses[]');
    }
  });

  it('VPC ListPorts: Port, FixedIp', () => {
    const doc = JSON.parse(fx('list-ports.json'));
    expectShape(doc, VPC2 + 'ListPortsResponse.d.ts', 'ListPorts');
    for (const p of doc.ports) {
      expectShape(p, VPC2 + 'Port.d.ts', 'ports[]');
      for (const f of p.fixed_ips) expectShape(f, VPC2 + 'FixedIp.d.ts', 'ports[].fixed_ips[]');
    }
  });

  it('VPC v3 ShowSecurityGroup / ListSecurityGroupRules: SecurityGroupInfo, SecurityGroupRule', () => {
    const show = JSON.parse(fx('show-security-group.json'));
    expectShape(show, VPC3 + 'ShowSecurityGroupResponse.d.ts', 'ShowSecurityGroup');
    expectShape(show.security_group, VPC3 + 'SecurityGroupInfo.d.ts', 'security_group');
    const list = JSON.parse(fx('list-security-group-rules.json'));
    expectShape(list, VPC3 + 'ListSecurityGroupRulesResponse.d.ts', 'ListSecurityGroupRules');
    expectShape(list.page_info, VPC3 + 'PageInfo.d.ts', 'page_info');
    for (const r of [...show.security_group.security_group_rules, ...list.security_group_rules]) expectShape(r, VPC3 + 'SecurityGroupRule.d.ts', 'security_group_rules[]');
  });

  it('VPC v3 ShowFirewall / ListFirewall: FirewallDetail, FirewallRuleDetail, ListFirewallDetail, FirewallAssociation', () => {
    const show = JSON.parse(fx('show-firewall.json'));
    expectShape(show, VPC3 + 'ShowFirewallResponse.d.ts', 'ShowFirewall');
    expectShape(show.firewall, VPC3 + 'FirewallDetail.d.ts', 'firewall');
    for (const r of [...show.firewall.ingress_rules, ...show.firewall.egress_rules]) expectShape(r, VPC3 + 'FirewallRuleDetail.d.ts', 'firewall rules[]');
    for (const a of show.firewall.associations) expectShape(a, VPC3 + 'FirewallAssociation.d.ts', 'associations[]');
    const list = JSON.parse(fx('list-firewall.json'));
    expectShape(list, VPC3 + 'ListFirewallResponse.d.ts', 'ListFirewall');
    for (const f of list.firewalls) expectShape(f, VPC3 + 'ListFirewallDetail.d.ts', 'firewalls[]');
  });
});

// ---- import ---------------------------------------------------------------------------------------------

describe('importHuaweiSnapshot', () => {
  it('all documents at once: the server owning the address, its port’s groups in order, its subnet’s ACL', () => {
    const s = ok(importHuaweiSnapshot(all(), { address: EIP }));
    expect(s).toMatchObject({ provider: 'huawei', source: 'import', region: 'cn-north-4', instance: { id: SERVER_ID, eipAddress: EIP }, errors: [] });
    expect(s.notes?.join(' ')).toMatch(/2 servers; .* owns 203\.0\.113\.10/);
    const sg = evaluateSecurityGroups(s, ssh);
    expect(sg).toMatchObject({ decision: 'deny', decidedBy: { containerId: SG_DENY }, considered: [SG_DENY, SG_WEB], interfaceId: PORT_ID });
    expect(evaluateNetworkAcl(s, ssh)).toMatchObject({ present: true, aclId: ACL_ID, decision: 'allow', returnPath: { explanation: 'stateful' } });
  });

  it('through the provider object, and with the documents pasted as one text', () => {
    const text = all().map((f) => f.content).join('\n');
    const s = huaweiProvider.importSnapshot([{ name: 'pasted text', content: text }], { instanceId: SERVER_ID });
    expect(s.ok).toBe(true);
    expect(huaweiProvider.importSnapshot([])).toMatchObject({ ok: false, code: 'EmptyInput' });
  });

  it('several servers and no address or id: asks which one', () => {
    const r = importHuaweiSnapshot([fx('list-servers-details.json')]);
    expect(r).toMatchObject({ ok: false, code: 'AmbiguousInstance' });
    expect(importHuaweiSnapshot([fx('list-servers-details.json')], { instanceId: 'nope' })).toMatchObject({ ok: false, code: 'InstanceNotInDocuments' });
    expect(importHuaweiSnapshot([fx('list-servers-details.json')], { address: '192.0.2.1' })).toMatchObject({ ok: false, code: 'NoInstanceForAddress' });
    expect(ok(importHuaweiSnapshot([fx('list-servers-details.json')], { address: '192.168.0.11' })).instance?.id).toBe('8e2f4a2b-3c5d-4e6f-9a01-b2c3d4e5f607');
  });

  it('a malformed document: rejected with the document, its line and the field’s path', () => {
    const rules = JSON.parse(fx('list-security-group-rules.json'));
    delete rules.security_group_rules[2].direction;
    const text = `${fx('show-server.json')}\n${JSON.stringify(rules, null, 2)}`;
    const line = fx('show-server.json').split('\n').length + 1;
    const r = importHuaweiSnapshot([{ name: 'pasted text #1', content: text }]);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.code).toBe('InvalidDocument');
    expect(r.message).toContain(`pasted text #1, document 2 (line ${line}) (ListSecurityGroupRules)`);
    expect(r.message).toContain('security_group_rules[2].direction is missing');
  });

  it('a wrong type names the field and quotes the value; a rule without its group is refused', () => {
    const srv = JSON.parse(fx('show-server.json'));
    srv.server.addresses[Object.keys(srv.server.addresses)[0]][1].addr = 42;
    const r = importHuaweiSnapshot([{ name: 'server.json', content: JSON.stringify(srv) }]);
    expect(r.ok ? '' : r.message).toMatch(/^server\.json \(ShowServer\): server\.addresses\.[\w-]+\[1\]\.addr 42 /);
    const rules = JSON.parse(fx('list-security-group-rules.json'));
    delete rules.security_group_rules[0].security_group_id;
    const r2 = importHuaweiSnapshot([{ name: 'rules.json', content: JSON.stringify(rules) }]);
    expect(r2.ok ? '' : r2.message).toContain('rules.json (ListSecurityGroupRules): security_group_rules[0].security_group_id is missing');
  });

  it('invalid JSON and unknown documents are refused without echoing the text', () => {
    const bad = importHuaweiSnapshot([{ name: 'x.json', content: '{"server": {"id": "abc", "secret": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"' }]);
    expect(bad).toMatchObject({ ok: false, code: 'InvalidJson' });
    expect(bad.ok ? '' : bad.message).not.toContain('AAAAAAAAAAAAAAAAAAAA');
    expect(importHuaweiSnapshot([{ name: 'y.json', content: '{"Instances": {"Instance": []}}' }])).toMatchObject({ ok: false, code: 'UnknownDocument' });
    expect(importHuaweiSnapshot([{ name: 'z.json', content: '{"publicips": []}' }])).toMatchObject({ ok: false, code: 'IncompleteInput' });
  });

  it('a group on the port whose rules were not given: an error naming the KooCLI command, and the decision unknown', () => {
    const docs = ['show-server.json', 'list-ports.json', 'list-security-group-rules.json', 'show-firewall.json', 'list-firewall.json'].map((n) => ({ name: n, content: fx(n) }));
    const s = ok(importHuaweiSnapshot(docs));
    expect(s.errors).toEqual([expect.objectContaining({ action: 'ShowSecurityGroup', code: 'NotProvided', leavesUnknown: [`securityGroups/${SG_DENY}`] })]);
    expect(s.errors[0].message).toContain(`hcloud VPC ShowSecurityGroup/v3 --security_group_id=${SG_DENY} --cli-region=cn-north-4`);
    expect(evaluateSecurityGroups(s, ssh)).toMatchObject({ decision: 'unknown', explanation: 'group-missing' });
  });

  it('network ACLs: ListFirewall alone names the ACL to show; no ACL output leaves the ACL unknown; a list without one for the subnet proves none', () => {
    const base = ['show-server.json', 'list-ports.json', 'show-security-group.json', 'list-security-group-rules.json'].map((n) => ({ name: n, content: fx(n) }));
    const listedOnly = ok(importHuaweiSnapshot([...base, { name: 'acls', content: fx('list-firewall.json') }]));
    expect(listedOnly.errors).toEqual([expect.objectContaining({ action: 'ShowFirewall', leavesUnknown: ['networkAcls'] })]);
    expect(listedOnly.errors[0].message).toContain(`hcloud VPC ShowFirewall/v3 --firewall_id=${ACL_ID} --cli-region=cn-north-4`);
    expect(evaluateNetworkAcl(listedOnly, ssh).decision).toBe('unknown');

    const none = ok(importHuaweiSnapshot(base));
    expect(none.notes?.join(' ')).toContain('hcloud VPC ListFirewall/v3 --cli-region=cn-north-4');
    expect(evaluateNetworkAcl(none, ssh).decision).toBe('unknown');

    const list = JSON.parse(fx('list-firewall.json'));
    list.firewalls[0].associations = [{ virsubnet_id: 'another-subnet' }];
    const elsewhere = ok(importHuaweiSnapshot([...base, { name: 'acls', content: JSON.stringify(list) }]));
    expect(elsewhere.errors).toEqual([]);
    expect(evaluateNetworkAcl(elsewhere, ssh)).toMatchObject({ present: false, decision: 'allow' });
    expect(SUBNET_ID).not.toBe('another-subnet');
  });

  it('a saved snapshot imports again; tampered provider data is refused with its path', () => {
    const s = ok(importHuaweiSnapshot(all(), { address: EIP }));
    const again = ok(importHuaweiSnapshot([JSON.stringify(s)]));
    expect(again.instance?.id).toBe(SERVER_ID);
    expect(evaluateSecurityGroups(again, ssh).decision).toBe('deny');
    const bad = JSON.parse(JSON.stringify(s));
    bad.providerData.securityGroups[0].security_group_rules[0].direction = 5;
    const r = importHuaweiSnapshot([{ name: 'session.json', content: JSON.stringify(bad) }]);
    expect(r.ok ? '' : r.message).toContain('session.json (CloudSnapshot): providerData.securityGroups[0].security_group_rules[0].direction');
  });

  it('recognises Huawei documents and not Alibaba ones', () => {
    for (const f of all()) expect(recognisesHuaweiDocument(JSON.parse(f.content)), f.name).toBe(true);
    expect(huaweiProvider.recognises({ Instances: { Instance: [] } })).toBe(false);
    expect(huaweiProvider.recognises({ SecurityGroupId: 'sg-1', Permissions: { Permission: [] } })).toBe(false);
    expect(huaweiProvider.recognises([JSON.parse(fx('list-ports.json')), JSON.parse(fx('show-firewall.json'))])).toBe(true);
    expect(huaweiProvider.recognises('text')).toBe(false);
  });

  it('region from the availability zone', () => {
    expect(regionOfZone('cn-north-4a')).toBe('cn-north-4');
    expect(regionOfZone('ap-southeast-1b')).toBe('ap-southeast-1');
    expect(regionOfZone('nonsense')).toBeNull();
    expect(regionOfZone(undefined)).toBeNull();
  });
});

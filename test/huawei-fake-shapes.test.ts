// The fake Huawei API answers in the SDK models' shapes: every field of every object it serves is a field the
// SDK model declares (read from the installed @huaweicloud packages' .d.ts files), for every scenario.
// EIP v1 ListPublicips has no SDK package; its fields are checked against the EIP API reference's list below.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadHuaweiSdk, makeEcsClient, makeRawClient, makeVpcV2Client, makeVpcV3Client } from '../src/core/cloud/huawei/sdk';
import { PROJECT_ID, scenario, SCENARIO_NAMES, SERVER_ID } from './fake-huawei/scenarios';
import { FAKE_AK, FAKE_SK, startFakeHuawei, type FakeHuawei } from './fake-huawei/server';

const root = join(__dirname, '..', 'node_modules', '@huaweicloud');

/** Field names a model declares: `name?:` and `private 'snake_name'?;` lines of its .d.ts. */
function modelFields(pkg: string, model: string): Set<string> {
  const text = readFileSync(join(root, pkg, model), 'utf8');
  const body = text.slice(text.indexOf('export declare class'), text.indexOf('constructor') > 0 ? text.indexOf('constructor') : undefined);
  const out = new Set<string>();
  for (const m of body.matchAll(/^\s+(?:private\s+'([^']+)'\?;|([A-Za-z_][A-Za-z0-9_]*)\?:)/gm)) out.add(m[1] ?? m[2]);
  return out;
}

const M = {
  server: modelFields('huaweicloud-sdk-ecs', 'v2/model/ServerDetail.d.ts'),
  address: modelFields('huaweicloud-sdk-ecs', 'v2/model/ServerAddress.d.ts'),
  flavor: modelFields('huaweicloud-sdk-ecs', 'v2/model/ServerFlavor.d.ts'),
  serverGroup: modelFields('huaweicloud-sdk-ecs', 'v2/model/ServerSecurityGroup.d.ts'),
  port: modelFields('huaweicloud-sdk-vpc', 'v2/model/Port.d.ts'),
  fixedIp: modelFields('huaweicloud-sdk-vpc', 'v2/model/FixedIp.d.ts'),
  group: modelFields('huaweicloud-sdk-vpc', 'v3/model/SecurityGroupInfo.d.ts'),
  rule: modelFields('huaweicloud-sdk-vpc', 'v3/model/SecurityGroupRule.d.ts'),
  firewall: modelFields('huaweicloud-sdk-vpc', 'v3/model/FirewallDetail.d.ts'),
  firewallBrief: modelFields('huaweicloud-sdk-vpc', 'v3/model/ListFirewallDetail.d.ts'),
  firewallRule: modelFields('huaweicloud-sdk-vpc', 'v3/model/FirewallRuleDetail.d.ts'),
  association: modelFields('huaweicloud-sdk-vpc', 'v3/model/FirewallAssociation.d.ts'),
  addressGroup: modelFields('huaweicloud-sdk-vpc', 'v3/model/AddressGroup.d.ts'),
  // EIP API reference, "查询弹性公网IP列表" (v1) publicips[] fields.
  publicip: new Set(['id', 'status', 'profile', 'type', 'public_ip_address', 'public_ipv6_address', 'ip_version', 'private_ip_address', 'port_id', 'tenant_id', 'create_time', 'bandwidth_id', 'bandwidth_size', 'bandwidth_share_type', 'bandwidth_name', 'enterprise_project_id', 'public_border_group', 'allow_share_bandwidth_types', 'alias']),
};

const unknownKeys = (obj: unknown, fields: Set<string>): string[] => Object.keys((obj ?? {}) as object).filter((k) => !fields.has(k));

let fake: FakeHuawei;
beforeAll(async () => {
  fake = await startFakeHuawei({ state: scenario('healthy') });
});
afterAll(() => fake.close());

describe('fake responses use only the SDK models’ fields', () => {
  it('the model field lists were read', () => {
    for (const [k, v] of Object.entries(M)) expect(v.size, k).toBeGreaterThan(0);
    expect(M.rule.has('remote_address_group_id')).toBe(true);
    expect(M.server.has('OS-EXT-AZ:availability_zone')).toBe(true);
  });

  it.each(SCENARIO_NAMES)('scenario %s', async (name) => {
    const st = scenario(name);
    fake.options.state = st;
    const sdk = await loadHuaweiSdk();
    const o = { keys: { ak: FAKE_AK, sk: FAKE_SK }, projectId: PROJECT_ID, endpoint: fake.url, timeoutMs: 3000 };
    const ecs = makeEcsClient(sdk, o);
    const vpc2 = makeVpcV2Client(sdk, o);
    const vpc3 = makeVpcV3Client(sdk, o);
    const raw = makeRawClient(sdk, o);
    const bad: string[] = [];
    const check = (what: string, obj: unknown, fields: Set<string>) => bad.push(...unknownKeys(obj, fields).map((k) => `${what}.${k}`));

    const server = (await ecs.showServer({ server_id: SERVER_ID })).server as Record<string, unknown>;
    check('server', server, M.server);
    for (const list of Object.values((server.addresses ?? {}) as Record<string, unknown[]>)) for (const a of list) check('server.addresses[]', a, M.address);
    check('server.flavor', server.flavor, M.flavor);
    for (const g of (server.security_groups ?? []) as unknown[]) check('server.security_groups[]', g, M.serverGroup);

    for (const p of (await vpc2.listPorts({ device_id: SERVER_ID })).ports as Record<string, unknown>[]) {
      check('port', p, M.port);
      for (const f of (p.fixed_ips ?? []) as unknown[]) check('port.fixed_ips[]', f, M.fixedIp);
    }
    for (const g of st.securityGroups) {
      const sg = (await vpc3.showSecurityGroup({ security_group_id: g.id })).security_group as Record<string, unknown>;
      check('security_group', sg, M.group);
      for (const r of (sg.security_group_rules ?? []) as unknown[]) check('security_group.security_group_rules[]', r, M.rule);
    }
    for (const r of (await vpc3.listSecurityGroupRules({})).security_group_rules as unknown[]) check('security_group_rules[]', r, M.rule);
    for (const f of (await vpc3.listFirewall({})).firewalls as Record<string, unknown>[]) {
      check('firewalls[]', f, M.firewallBrief);
      const full = (await vpc3.showFirewall({ firewall_id: f.id as string })).firewall as Record<string, unknown>;
      check('firewall', full, M.firewall);
      for (const a of (full.associations ?? []) as unknown[]) check('firewall.associations[]', a, M.association);
      for (const r of [...((full.ingress_rules ?? []) as unknown[]), ...((full.egress_rules ?? []) as unknown[])]) check('firewall rule', r, M.firewallRule);
    }
    for (const g of (await vpc3.listAddressGroup({})).address_groups as unknown[]) check('address_group', g, M.addressGroup);
    const eips = await raw.sendRequest({ method: 'GET', url: '/v1/{project_id}/publicips', contentType: 'application/json', queryParams: {}, pathParams: {}, headers: {} });
    for (const e of eips.publicips as unknown[]) check('publicip', e, M.publicip);

    expect(bad).toEqual([]);
  });
});

// The offline step's copy-ready CLI commands come from the chosen cloud's provider (CloudProvider.offlineCommands),
// through the contract's cloud.offlineCommands: aliyun for Alibaba Cloud, KooCLI for Huawei Cloud, filled in with
// what is known, never a placeholder, quoted for the shell.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseArgs } from '../src/core/api';
import { createBackend } from '../src/core/backend/backend';
import type { DiagnosisEngine } from '../src/core/backend/engine';
import { providerFor } from '../src/core/cloud/registry';
import type { OfflineCommandArgs } from '../src/core/cloud/types';
import { webHost } from '../src/cli/serve/web-host';

const aliyun = (k: OfflineCommandArgs) => providerFor('alicloud').offlineCommands(k);
const hcloud = (k: OfflineCommandArgs) => providerFor('huawei').offlineCommands(k);
const SERVER = '7d1e3f1a-2b4c-4d5e-8f90-a1b2c3d4e5f6';

describe('aliyun commands for the paste step', () => {
  it('filled with region and instance; no placeholder when unknown', () => {
    const known = aliyun({ region: 'cn-hangzhou', instanceId: 'i-bp1abc', securityGroupIds: ['sg-1', 'sg-2'], vSwitchId: 'vsw-9' });
    expect(known.map((c) => c.command)).toEqual([
      `aliyun ecs DescribeInstances --RegionId cn-hangzhou --InstanceIds '["i-bp1abc"]'`,
      'aliyun ecs DescribeSecurityGroupAttribute --RegionId cn-hangzhou --SecurityGroupId sg-1 --Direction all',
      'aliyun ecs DescribeSecurityGroupAttribute --RegionId cn-hangzhou --SecurityGroupId sg-2 --Direction all',
      'aliyun vpc DescribeNetworkAcls --RegionId cn-hangzhou --ResourceId vsw-9 --ResourceType VSwitch',
    ]);
    const byIp = aliyun({ publicIp: '47.98.10.20' });
    expect(byIp[0].command).toBe(`aliyun ecs DescribeInstances --PublicIpAddresses '["47.98.10.20"]'`);
    for (const c of [...known, ...byIp, ...aliyun({})]) expect(c.command).not.toMatch(/<[^>]+>/);
    expect(aliyun({ region: 'cn-hangzhou', networkAclIds: ['nacl-1'] })[1].command).toBe('aliyun vpc DescribeNetworkAclAttributes --RegionId cn-hangzhou --NetworkAclId nacl-1');
  });
});

describe('KooCLI commands for the paste step', () => {
  it('filled with region, server and the groups still missing; no placeholder; quoted for the shell', () => {
    const hw = hcloud({ region: 'cn-north-4', instanceId: SERVER, securityGroupIds: ['0b5c7d9e-1234-4abc-9def-000000000001'] });
    expect(hw.map((c) => c.command)).toEqual([
      `hcloud ECS ShowServer --cli-region=cn-north-4 --server_id=${SERVER}`,
      `hcloud VPC ListPorts --cli-region=cn-north-4 --device_id=${SERVER}`,
      'hcloud VPC ListSecurityGroupRules/v3 --cli-region=cn-north-4 --security_group_id=0b5c7d9e-1234-4abc-9def-000000000001',
      'hcloud VPC ListFirewall/v3 --cli-region=cn-north-4',
      'hcloud EIP ListPublicips --cli-region=cn-north-4',
    ]);
    // No region: KooCLI uses its profile's; no placeholder is shown. No server id: all servers of the region.
    expect(hcloud({})[0].command).toBe('hcloud ECS ListServersDetails');
    expect(hcloud({ region: "cn-north-4'; rm -rf /" })[0].command).toBe(`hcloud ECS ListServersDetails --cli-region='cn-north-4'\\''; rm -rf /'`);
  });
});

describe('cloud.offlineCommands through the contract', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sgd-offline-cmds-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const backend = createBackend({ host: webHost(join(dir, 'data'), { locale: 'en' }), engine: {} as DiagnosisEngine, resourcesDir: dir, env: {} });

  it('answers with the chosen cloud\'s commands; Alibaba when no cloud is named (older apps)', async () => {
    const hw = await backend.dispatch('cloud.offlineCommands', { provider: 'huawei', region: 'cn-north-4', instanceId: SERVER });
    expect(hw.ok && (hw.value as { command: string }[])[0].command).toBe(`hcloud ECS ShowServer --cli-region=cn-north-4 --server_id=${SERVER}`);
    const ali = await backend.dispatch('cloud.offlineCommands', { region: 'cn-hangzhou', publicIp: '47.98.10.20' });
    expect(ali.ok && (ali.value as { command: string }[])[0].command).toBe(`aliyun ecs DescribeInstances --RegionId cn-hangzhou --PublicIpAddresses '["47.98.10.20"]'`);
  });

  it('refuses what does not fit: an unknown cloud, unknown keys, overlong text, too many groups', () => {
    expect(parseArgs('cloud.offlineCommands', { provider: 'aws' }).ok).toBe(false);
    expect(parseArgs('cloud.offlineCommands', { provider: 'huawei', command: 'rm -rf /' }).ok).toBe(false);
    expect(parseArgs('cloud.offlineCommands', { provider: 'huawei', region: 'x'.repeat(200) }).ok).toBe(false);
    expect(parseArgs('cloud.offlineCommands', { provider: 'alicloud', securityGroupIds: Array.from({ length: 65 }, (_, i) => `sg-${i}`) }).ok).toBe(false);
  });
});

// The account step's cloud choice in the form logic: the choice reaches the request and the session plan, a
// re-opened plan restores it, switching clouds drops what belongs to the other cloud, and the offline commands
// name the chosen cloud's CLI.
import { describe, expect, it } from 'vitest';
import { planSchema } from '../../core/session/plan';
import { aliyunCommands, argsOf, cloudOf, emptyForm, formOf, hcloudCommands, planOf, remoteScriptCloud, withProvider } from './logic';

const SERVER = '7d1e3f1a-2b4c-4d5e-8f90-a1b2c3d4e5f6';

describe('cloud choice', () => {
  it('starts on Alibaba Cloud and puts the chosen cloud into every source', () => {
    expect(emptyForm().provider).toBe('alicloud');
    for (const cloudMode of ['stored-key', 'environment', 'none'] as const) expect(cloudOf({ ...emptyForm(), provider: 'huawei', cloudMode })).toEqual({ mode: cloudMode, provider: 'huawei' });
    expect(cloudOf({ ...emptyForm(), provider: 'huawei', cloudMode: 'profile', profile: 'default' })).toEqual({ mode: 'profile', provider: 'huawei', profile: 'default' });
  });

  it('keeps the cloud in the session plan, so re-open and re-run read the same cloud', () => {
    const args = argsOf({ ...emptyForm(), host: '203.0.113.10', provider: 'huawei', cloudMode: 'environment', instanceId: SERVER, region: 'cn-north-4' })!;
    const plan = planOf(args);
    expect(plan).toMatchObject({ provider: 'huawei', cloudMode: 'api', credentialSource: 'environment', instanceId: SERVER, region: 'cn-north-4' });
    expect(planSchema.parse(plan).provider).toBe('huawei');
    const again = formOf(planSchema.parse(plan));
    expect(again.provider).toBe('huawei');
    expect(argsOf(again)).toEqual(args);
    // Alibaba plans stay as they were written before Huawei Cloud (no provider key), and read back as Alibaba.
    const ali = planOf(argsOf({ ...emptyForm(), host: 'h', cloudMode: 'stored-key' })!);
    expect('provider' in ali).toBe(false);
    expect(formOf(ali).provider).toBe('alicloud');
  });

  it('re-opens a pasted Huawei configuration as Huawei Cloud from the saved snapshot', () => {
    const snapshot = { provider: 'huawei', source: 'import', region: 'cn-north-4', securityGroups: [] };
    const form = formOf({ host: 'h', port: 22, cloudMode: 'snapshot' }, { cloud: { mode: 'snapshot', snapshot } } as never);
    expect(form).toMatchObject({ provider: 'huawei', cloudMode: 'import' });
  });

  it('switching clouds drops the other cloud’s profile and ids, keeps the source', () => {
    const f = { ...emptyForm(), cloudMode: 'profile' as const, profile: 'prod', instanceId: 'i-bp1x', region: 'cn-hangzhou' };
    expect(withProvider(f, 'huawei')).toEqual({ provider: 'huawei', profile: '', instanceId: '', region: '' });
    expect(withProvider(f, 'alicloud')).toEqual({});
  });

  it('offers KooCLI commands for Huawei Cloud and aliyun commands for Alibaba Cloud', () => {
    const hw = hcloudCommands({ region: 'cn-north-4', instanceId: SERVER, securityGroupIds: ['0b5c7d9e-1234-4abc-9def-000000000001'] });
    expect(hw.map((c) => c.command)).toEqual([
      `hcloud ECS ShowServer --cli-region=cn-north-4 --server_id=${SERVER}`,
      `hcloud VPC ListPorts --cli-region=cn-north-4 --device_id=${SERVER}`,
      'hcloud VPC ListSecurityGroupRules/v3 --cli-region=cn-north-4 --security_group_id=0b5c7d9e-1234-4abc-9def-000000000001',
      'hcloud VPC ListFirewall/v3 --cli-region=cn-north-4',
      'hcloud EIP ListPublicips --cli-region=cn-north-4',
    ]);
    // No region: KooCLI uses its profile's; no placeholder is shown. No server id: all servers of the region.
    expect(hcloudCommands({})[0].command).toBe('hcloud ECS ListServersDetails');
    expect(hcloudCommands({ region: "cn-north-4'; rm -rf /" })[0].command).toBe(`hcloud ECS ListServersDetails --cli-region='cn-north-4'\\''; rm -rf /'`);
    expect(aliyunCommands({})[0].command).toMatch(/^aliyun ecs DescribeInstances/);
  });

  it('offers Cloud Assistant only for a cloud whose backend says it has an agent', () => {
    const clouds = [
      { id: 'alicloud' as const, name: { 'zh-CN': '阿里云', en: 'Alibaba Cloud' }, remoteScript: true, apply: true },
      { id: 'huawei' as const, name: { 'zh-CN': '华为云', en: 'Huawei Cloud' }, remoteScript: false, apply: false },
    ];
    expect(remoteScriptCloud(clouds, 'alicloud').remoteScript).toBe(true);
    expect(remoteScriptCloud(clouds, 'huawei')).toEqual({ remoteScript: false, name: clouds[1].name });
    // A cloud the backend does not list cannot run anything; an older backend sending no list keeps the button.
    expect(remoteScriptCloud(clouds.slice(0, 1), 'huawei').remoteScript).toBe(false);
    expect(remoteScriptCloud(undefined, 'huawei').remoteScript).toBe(true);
  });
});

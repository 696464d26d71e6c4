// The account step's cloud choice in the form logic: the choice reaches the request and the session plan, a
// re-opened plan restores it, switching clouds drops what belongs to the other cloud, and the offline commands
// name the chosen cloud's CLI.
import { describe, expect, it } from 'vitest';
import { planSchema } from '../../core/session/plan';
import { argsOf, cloudOf, emptyForm, formOf, offlineKnown, planOf, remoteScriptCloud, withProvider } from './logic';

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

  it('asks the backend for the chosen cloud\'s offline commands with what is known, blanks left out', () => {
    expect(JSON.parse(offlineKnown('huawei', { region: ' cn-north-4 ', instanceId: '', securityGroupIds: [], publicIp: undefined }))).toEqual({ provider: 'huawei', region: 'cn-north-4' });
    // The same knowledge gives the same text (no new request while typing elsewhere).
    expect(offlineKnown('alicloud', { region: 'cn-hangzhou', securityGroupIds: ['sg-1'] })).toBe(offlineKnown('alicloud', { region: 'cn-hangzhou', securityGroupIds: ['sg-1'] }));
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

import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHIPPED_DEFAULTS, defaultConfigPath, loadConfigFile, loadEndpointConfig, parseConfigFile, resolveEndpointConfig, splitList } from './config';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'sgd-config-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('splitList', () => {
  it('splits on commas and spaces; "" is an explicit empty list', () => {
    expect(splitList('a, b  c,,d')).toEqual(['a', 'b', 'c', 'd']);
    expect(splitList('')).toEqual([]);
    expect(splitList(undefined)).toBeUndefined();
  });
});

describe('parseConfigFile', () => {
  it('accepts the documented keys and keeps unknown ones for other modules', () => {
    const r = parseConfigFile({ egressIpUrls: ['http://127.0.0.1:9/ip'], controlHosts: ['example.com:22'], dnsServers: ['127.0.0.1:5353'], ecsEndpoint: 'ecs.example', vpcEndpoint: 'vpc.example', extra: 1 });
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.value).toMatchObject({ ecsEndpoint: 'ecs.example', vpcEndpoint: 'vpc.example', extra: 1 });
  });
  it('names the offending key', () => {
    const r = parseConfigFile({ egressIpUrls: ['ftp://x'] });
    expect(r).toMatchObject({ ok: false, code: 'bad-config' });
    if (!r.ok) expect(r.message).toMatch(/egressIpUrls\.0: must be an http\(s\) URL/);
    expect(parseConfigFile([]).ok).toBe(false);
    expect(parseConfigFile({ controlHosts: 'x' }).ok).toBe(false);
  });
});

describe('resolveEndpointConfig', () => {
  const file = { egressIpUrls: ['http://127.0.0.1:1/file'], controlHosts: ['file.example'] };
  it('explicit > env > file > default', () => {
    const r = resolveEndpointConfig({
      explicit: { egressIpUrls: ['http://127.0.0.1:1/flag'] },
      env: { SGD_CONTROL_HOSTS: 'env.example:22, other.example' },
      file,
    });
    expect(r.ok && r.value).toMatchObject({
      egressIpUrls: ['http://127.0.0.1:1/flag'],
      controlHosts: ['env.example:22', 'other.example'],
      dnsServers: [],
      sources: { egressIpUrls: 'explicit', controlHosts: 'env', dnsServers: 'default' },
    });
  });
  it('uses the file when nothing else is given', () => {
    const r = resolveEndpointConfig({ file, env: {} });
    expect(r.ok && r.value.egressIpUrls).toEqual(['http://127.0.0.1:1/file']);
  });
  it('defaults are empty unless shipped defaults are asked for; an empty env var disables them', () => {
    expect(resolveEndpointConfig({}).ok && resolveEndpointConfig({}).ok).toBe(true);
    const none = resolveEndpointConfig({ env: {} });
    expect(none.ok && none.value.egressIpUrls).toEqual([]);
    const shipped = resolveEndpointConfig({ env: {}, useShippedDefaults: true });
    expect(shipped.ok && shipped.value.egressIpUrls).toEqual([...SHIPPED_DEFAULTS.egressIpUrls]);
    expect(shipped.ok && shipped.value.controlHosts).toEqual([...SHIPPED_DEFAULTS.controlHosts]);
    const disabled = resolveEndpointConfig({ env: { SGD_EGRESS_IP_URLS: '', SGD_CONTROL_HOSTS: '' }, useShippedDefaults: true });
    expect(disabled.ok && disabled.value).toMatchObject({ egressIpUrls: [], controlHosts: [] });
  });
  it('validates env values like the file', () => {
    const r = resolveEndpointConfig({ env: { SGD_EGRESS_IP_URLS: 'not-a-url' } });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(/environment: egressIpUrls/);
  });
});

describe('loadConfigFile / loadEndpointConfig', () => {
  it('a missing file at the default location is an empty config', async () => {
    const r = await loadConfigFile({ env: { XDG_CONFIG_HOME: path.join(dir, 'nothing') } });
    expect(r).toEqual({ ok: true, value: { config: {}, path: null } });
  });
  it('default path honours XDG_CONFIG_HOME, else ~/.config', () => {
    expect(defaultConfigPath({ XDG_CONFIG_HOME: '/x' }, '/home/u')).toBe(path.join('/x', 'sg-doctor', 'config.json'));
    expect(defaultConfigPath({}, '/home/u')).toBe(path.join('/home/u', '.config', 'sg-doctor', 'config.json'));
  });
  it('an explicitly named missing file is an error', async () => {
    const r = await loadConfigFile({ env: { SGD_CONFIG: path.join(dir, 'missing.json') } });
    expect(r).toMatchObject({ ok: false, code: 'bad-config' });
  });
  it('reads, validates and reports bad JSON', async () => {
    const good = path.join(dir, 'sg-doctor', 'config.json');
    await mkdir(path.dirname(good), { recursive: true });
    await writeFile(good, JSON.stringify({ controlHosts: ['127.0.0.1:22'], ecsEndpoint: '127.0.0.1:8089' }));
    const r = await loadEndpointConfig({ env: { XDG_CONFIG_HOME: dir } });
    expect(r.ok && r.value).toMatchObject({ controlHosts: ['127.0.0.1:22'], ecsEndpoint: '127.0.0.1:8089', configPath: good, sources: { controlHosts: 'file' } });
    const bad = path.join(dir, 'bad.json');
    await writeFile(bad, '{ nope');
    const rb = await loadEndpointConfig({ env: { SGD_CONFIG: bad } });
    expect(rb.ok).toBe(false);
    if (!rb.ok) expect(rb.message).toMatch(/not valid JSON/);
  });
});

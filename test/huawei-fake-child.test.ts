// The fake Huawei API as a child process (how a lab runs it inside a namespace): start, read, switch scenario.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { huaweiProviderData } from '../src/core/cloud/huawei/map';
import { readHuaweiSnapshot } from '../src/core/cloud/huawei/read';
import { SERVER_ID } from './fake-huawei';

const root = join(__dirname, '..');
let child: ChildProcess | null = null;
afterAll(() => {
  child?.stdin?.end();
  setTimeout(() => child?.kill('SIGKILL'), 3000).unref();
});

describe('fake Huawei API child process', () => {
  it('prints its endpoint and key, serves a scenario, switches on an order, reports an unknown scenario', async () => {
    child = spawn(process.execPath, [join(root, 'node_modules/tsx/dist/cli.mjs'), join(root, 'test/fake-huawei/child.ts'), JSON.stringify({ scenario: 'healthy', params: { eip: '10.200.9.2', port: 8080 } })], { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] });
    const lines = createInterface({ input: child.stdout! });
    const queue: ((l: string) => void)[] = [];
    lines.on('line', (l) => queue.shift()?.(l));
    const next = () => new Promise<string>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('no answer from the child within 30 s')), 30_000);
      queue.push((l) => (clearTimeout(t), resolve(l)));
    });
    const hello = JSON.parse(await next()) as { endpoint: string; ak: string; sk: string; projectId: string; region: string };
    expect(hello.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const env = { SGD_HUAWEI_ENDPOINT: hello.endpoint, HUAWEICLOUD_SDK_AK: hello.ak, HUAWEICLOUD_SDK_SK: hello.sk, HUAWEICLOUD_SDK_PROJECT_ID: hello.projectId, HUAWEICLOUD_SDK_REGION: hello.region };
    const readIt = () => readHuaweiSnapshot({ instanceId: SERVER_ID, env, credentialOptions: { hcloudConfig: '/nonexistent' }, baseDelayMs: 1, maxDelayMs: 5 });

    const a = await readIt();
    expect(a.errors).toEqual([]);
    expect(a.instance?.eipAddress).toBe('10.200.9.2');
    expect(a.securityGroups[0].rules.some((r) => r.rawPortRange === '8080')).toBe(true);

    child.stdin!.write(`${JSON.stringify({ scenario: 'acl-deny', params: { eip: '10.200.9.2', port: 8080 } })}\n`);
    expect(JSON.parse(await next())).toMatchObject({ ok: true });
    const b = await readIt();
    expect(huaweiProviderData(b)?.firewallState).toBe('associated');

    child.stdin!.write(`${JSON.stringify({ scenario: 'no-such-scenario' })}\n`);
    expect(JSON.parse(await next())).toMatchObject({ ok: false, error: expect.stringContaining('unknown scenario') });
  }, 60_000);
});

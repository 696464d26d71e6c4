// `sg-doctor cloud show|check` as a user runs them: offline snapshots, and the live path against the fake API.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildScenario, startFakeAliyun, TEST_ACCESS_KEY, type FakeAliyun } from './fake-api';
import type { ApiObjectLike } from './fake-api/cli-docs';

const ROOT = join(__dirname, '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
const CLI = join(ROOT, 'src', 'cli', 'index.ts');
let dir: string;
let fake: FakeAliyun;

function sg(args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      TSX,
      [CLI, ...args],
      { cwd: dir, timeout: 60_000, env: { PATH: process.env.PATH, HOME: dir, NO_COLOR: '1', ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true', SGD_CONFIG: join(dir, 'none.json'), ...opts.env } },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
    else child.stdin?.end();
  });
}

function writeDocs(variant: Parameters<typeof buildScenario>[0]): string[] {
  const s = buildScenario(variant);
  const files: string[] = [];
  const put = (name: string, doc: unknown) => {
    writeFileSync(join(dir, name), JSON.stringify(doc, null, 2));
    files.push(name);
  };
  put('instances.json', { RequestId: 'A', Instances: { Instance: s.instances } });
  for (const g of s.securityGroups) {
    const { Permissions, ...rest } = g as ApiObjectLike;
    put(`${g.SecurityGroupId as string}.json`, { RequestId: 'B', ...rest, Permissions: { Permission: Permissions } });
  }
  put('acl.json', { RequestId: 'C', NetworkAclAttribute: s.networkAcls[0] });
  return files;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sgd-cli-'));
  writeFileSync(join(dir, 'none.json'), '{}');
  fake = await startFakeAliyun({ scenario: buildScenario({ variant: 'wrong-source' }), ...TEST_ACCESS_KEY });
});
afterAll(async () => {
  await fake.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('sg-doctor cloud (CLI)', { timeout: 180_000 }, () => {
  it('cloud show --snapshot prints groups and rules in evaluation order, and the ACL', async () => {
    const files = writeDocs({ variant: 'higher-priority-drop' });
    const r = await sg(['cloud', 'show', '--snapshot', ...files]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Instance i-bp1sgdoctor00000001');
    const drop = r.stdout.indexOf('block admin ports');
    const accept = r.stdout.indexOf('port 22 from my office');
    expect(drop).toBeGreaterThan(0);
    expect(accept).toBeGreaterThan(drop); // priority 1 drop is listed (and evaluated) before the priority 10 accept
    expect(r.stdout).toMatch(/Network ACL nacl-bp1sgdoctor000001/);
  });

  it('cloud check --snapshot gives the verdict, the deciding rule and near misses (text and JSON)', async () => {
    const files = writeDocs({ variant: 'udp-instead-of-tcp' });
    const r = await sg(['cloud', 'check', '--snapshot', ...files, '--address', '47.96.10.20', '--port', '22', '--source', '203.0.113.7']);
    expect(r.code).toBe(1); // denied
    expect(r.stdout).toMatch(/TCP 203\.0\.113\.7 → 47\.96\.10\.20:22: denied by the cloud/);
    expect(r.stdout).toMatch(/wrong-protocol/);
    const j = await sg(['cloud', 'check', '--json', '--snapshot', ...writeDocs({ variant: 'healthy' }), '--address', '47.96.10.20', '--port', '22', '--source', '203.0.113.7']);
    const doc = JSON.parse(j.stdout);
    expect(j.code).toBe(0); // allowed
    expect(doc.decision).toBe('allow');
    expect(doc.securityGroups.decidedBy).toMatchObject({ kind: 'rule', policy: 'accept' });
  });

  it('rejects bad input with exit code 2 and one clear line', async () => {
    const r = await sg(['cloud', 'check', '--snapshot', 'missing.json', '--address', '47.96.10.20', '--port', '22', '--source', '1.2.3.4']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot read missing\.json/);
    writeFileSync(join(dir, 'bad.json'), '{"SecurityGroupId":"sg-1","InnerAccessPolicy":"Accept","Permissions":{"Permission":[{"Direction":"ingress","IpProtocol":"TCP","PortRange":"22","SourceCidrIp":"0.0.0.0/0"}]}}');
    const b = await sg(['cloud', 'show', '--snapshot', 'bad.json']);
    expect(b.code).toBe(2);
    expect(b.stderr).toContain("Permissions.Permission[0].PortRange '22' is not 'from/to'");
    const n = await sg(['cloud', 'show', '--instance', 'i-bp1sgdoctor00000001']);
    expect(n.code).toBe(2);
    expect(n.stderr).toMatch(/No Alibaba Cloud credentials found/);
  });

  it('cloud show --address reads the live API (endpoints from the environment, AccessKey on stdin) without printing the secret', async () => {
    const env = { SGD_ECS_ENDPOINT: fake.endpoint, SGD_VPC_ENDPOINT: fake.endpoint, SGD_STS_ENDPOINT: fake.endpoint };
    const input = `${TEST_ACCESS_KEY.accessKeyId}\n${TEST_ACCESS_KEY.accessKeySecret}\n`;
    const r = await sg(['cloud', 'show', '--address', '47.96.10.20', '--region', 'cn-hangzhou', '--access-key-stdin', '--json'], { env, input });
    expect(r.code).toBe(0);
    const snap = JSON.parse(r.stdout);
    expect(snap.instance.id).toBe('i-bp1sgdoctor00000001');
    expect(snap.account).toMatchObject({ accountId: '1234567890123456', accessKeyIdRedacted: 'LTAI****0001' });
    expect(r.stdout + r.stderr).not.toContain(TEST_ACCESS_KEY.accessKeySecret);
    const c = await sg(['cloud', 'check', '--address', '47.96.10.20', '--port', '22', '--source', '203.0.113.7', '--access-key-stdin'], { env, input });
    expect(c.stdout).toMatch(/denied by the cloud/);
    expect(c.stdout).toMatch(/source-excludes-client/);
  });

  it('cloud policy prints exactly the read-only actions the app calls', async () => {
    const r = await sg(['cloud', 'policy']);
    const policy = JSON.parse(r.stdout);
    expect(policy.Statement[0].Action).toEqual([
      'ecs:DescribeInstances',
      'ecs:DescribeNetworkInterfaces',
      'ecs:DescribePrefixListAttributes',
      'ecs:DescribeRegions',
      'ecs:DescribeSecurityGroupAttribute',
      'ecs:DescribeSecurityGroups',
      'vpc:DescribeEipAddresses',
      'vpc:DescribeNetworkAclAttributes',
      'vpc:DescribeNetworkAcls',
    ]);
  });
});

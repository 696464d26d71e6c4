// `sg-doctor cloud check --json` lists fixes[]: each with its API actions and its simulated decision, the CLI
// command and Terraform rendered from the actions. Offline snapshots shaped like the aliyun CLI's output.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliCommand } from '../src/core/cloud/alicloud/fixes';
import type { CloudAction } from '../src/core/cloud/provider';
import { buildScenario } from './fake-api';
import type { ApiObjectLike } from './fake-api/cli-docs';

const ROOT = join(__dirname, '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
const CLI = join(ROOT, 'src', 'cli', 'index.ts');
const CLIENT = '203.0.113.7';
let dir: string;

function sg(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      TSX,
      [CLI, ...args],
      {
        cwd: dir,
        timeout: 90_000,
        env: { PATH: process.env.PATH, HOME: dir, NO_COLOR: '1', ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true', SGD_CONFIG: join(dir, 'none.json'), SGD_EGRESS_IP_URLS: '', SGD_CONTROL_HOSTS: '', SGD_DNS_SERVERS: '' },
      },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin?.end();
  });
}

function writeDocs(variant: NonNullable<Parameters<typeof buildScenario>[0]>['variant'], port: number): string[] {
  const s = buildScenario({ variant, port });
  const sub = join(dir, `${variant}-${port}`);
  const files: string[] = [];
  const put = (name: string, doc: unknown) => {
    const f = `${sub}-${name}`;
    writeFileSync(f, JSON.stringify(doc));
    files.push(f);
  };
  put('instances.json', { RequestId: 'A', Instances: { Instance: s.instances } });
  for (const g of s.securityGroups) {
    const { Permissions, ...rest } = g as ApiObjectLike;
    put(`${g.SecurityGroupId as string}.json`, { RequestId: 'B', ...rest, Permissions: { Permission: Permissions } });
  }
  put('acl.json', { RequestId: 'C', NetworkAclAttribute: s.networkAcls[0] });
  return files;
}

interface FixJson {
  checkId: string;
  title: { en: string; 'zh-CN': string };
  actions: CloudAction[];
  simulated: { decision: string };
  command?: string;
  terraform?: string;
  url?: string;
}

async function check(variant: Parameters<typeof writeDocs>[0], port: number): Promise<{ code: number; doc: { decision: string; fixes: FixJson[]; flow: { destinationIp: string } } }> {
  const files = writeDocs(variant, port);
  const addr = JSON.parse(JSON.stringify(buildScenario({ variant, port }).instances[0])).EipAddress?.IpAddress || '47.96.10.20';
  const r = await sg(['cloud', 'check', '--json', '--snapshot', ...files, '--address', addr, '--port', String(port), '--source', CLIENT]);
  expect(r.stderr).toBe('');
  return { code: r.code, doc: JSON.parse(r.stdout) };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sgd-fixjson-'));
  writeFileSync(join(dir, 'none.json'), '{}');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('cloud check --json: fixes[]', { timeout: 240_000 }, () => {
  it('rule missing → AuthorizeSecurityGroup for the client /32, simulated allow, command and Terraform from the actions', async () => {
    const { code, doc } = await check('rule-missing', 2301);
    expect(code).toBe(1);
    expect(doc.decision).toBe('deny');
    const f = doc.fixes.find((x) => x.checkId === 'sg.inbound-rule')!;
    expect(f.simulated).toEqual({ decision: 'allow' });
    expect(f.actions).toEqual([
      {
        api: 'AuthorizeSecurityGroup',
        params: { RegionId: 'cn-hangzhou', SecurityGroupId: 'sg-bp1web0000000000001', Permissions: [{ IpProtocol: 'TCP', PortRange: '2301/2301', SourceCidrIp: `${CLIENT}/32`, Policy: 'accept', Priority: '1', Description: 'added by SG Doctor' }] },
      },
    ]);
    expect(f.command).toBe(f.actions.map((a) => cliCommand(a, 'cn-hangzhou')).join('\n'));
    expect(f.terraform).toContain('port_range        = "2301/2301"');
    expect(f.url).toMatch(/^https:\/\/ecs\.console\.aliyun\.com\/securityGroupDetail\/region\/cn-hangzhou\/groupId\/sg-bp1web0000000000001\//);
    for (const x of doc.fixes) expect(x.simulated.decision, x.checkId).toBe('allow');
  });

  it('higher-priority drop → revoking the drop (it serves nothing else), simulated allow', async () => {
    const { doc } = await check('higher-priority-drop', 2305);
    const f = doc.fixes.find((x) => x.checkId === 'sg.priority-drop')!;
    expect(f.actions.map((a) => a.api)).toEqual(['RevokeSecurityGroup']);
    expect(f.actions[0].params).toMatchObject({ SecurityGroupId: 'sg-bp1ops0000000000002' });
    expect(f.simulated.decision).toBe('allow');
  });

  it('network ACL deny → UpdateNetworkAclEntries keeping every entry, the new one before the denying entry', async () => {
    const { doc } = await check('acl-deny', 2306);
    const f = doc.fixes.find((x) => x.checkId === 'net.acl-inbound')!;
    expect(f.simulated.decision).toBe('allow');
    const p = f.actions[0].params as { UpdateIngressAclEntries: boolean; IngressAclEntries: Record<string, string>[] };
    expect(p.UpdateIngressAclEntries).toBe(true);
    const added = p.IngressAclEntries.filter((e) => !e.NetworkAclEntryId);
    expect(added).toEqual([{ NetworkAclEntryName: 'sg-doctor-2306', Policy: 'accept', Protocol: 'tcp', Port: '2306/2306', SourceCidrIp: `${CLIENT}/32` }]);
  });

  it('allowed flow → no fixes', async () => {
    const { code, doc } = await check('healthy', 2317);
    expect(code).toBe(0);
    expect(doc.fixes).toEqual([]);
  });
});

// `sg-doctor cloud check --snapshot` with Huawei Cloud documents as KooCLI prints them: the provider is
// recognised from the documents, the exit codes and the JSON shape are the same as for Alibaba.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SG_DENY } from './fake-huawei/scenarios';

const ROOT = join(__dirname, '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
const CLI = join(ROOT, 'src', 'cli', 'index.ts');
const FX = join(__dirname, 'fixtures', 'huawei');
const ALL = ['show-server.json', 'list-ports.json', 'show-security-group.json', 'list-security-group-rules.json', 'show-firewall.json', 'list-firewall.json', 'list-publicips.json'].map((f) => join(FX, f));
let dir: string;

function sg(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      TSX,
      [CLI, ...args],
      {
        cwd: dir,
        timeout: 60_000,
        // No outside contact: empty egress-IP, control and DNS endpoints; no metadata service.
        env: { PATH: process.env.PATH, HOME: dir, NO_COLOR: '1', ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true', SGD_CONFIG: join(dir, 'none.json'), SGD_EGRESS_IP_URLS: '', SGD_CONTROL_HOSTS: '', SGD_DNS_SERVERS: '' },
      },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin?.end();
  });
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sgd-hw-cli-'));
  writeFileSync(join(dir, 'none.json'), '{}');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('sg-doctor cloud check with Huawei documents', { timeout: 180_000 }, () => {
  it('denied by the first group on the port: exit 1, the deny and the shadowed allow in JSON', async () => {
    const r = await sg(['cloud', 'check', '--json', '--snapshot', ...ALL, '--address', '203.0.113.10', '--port', '22', '--source', '198.51.100.7']);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ decision: 'deny', securityGroups: { decision: 'deny', decidedBy: { kind: 'rule', policy: 'drop', containerId: SG_DENY } }, networkAcl: { decision: 'allow', returnPath: { explanation: 'stateful' } } });
    expect(doc.securityGroups.nearMisses.map((m: { reason: string }) => m.reason)).toContain('shadowed-by-drop');
    const text = await sg(['cloud', 'check', '--snapshot', ...ALL, '--address', '203.0.113.10', '--port', '22', '--source', '198.51.100.7']);
    expect(text.stdout).toMatch(/TCP 198\.51\.100\.7 → 203\.0\.113\.10:22: denied by the cloud/);
    expect(text.stdout).toContain('Return path: allowed by state (the network ACL is stateful, replies need no rule)');
  });

  it('allowed when the port’s only group allows: exit 0', async () => {
    const ports = JSON.parse(readFileSync(join(FX, 'list-ports.json'), 'utf8'));
    ports.ports[0].security_groups = ports.ports[0].security_groups.filter((g: string) => g !== SG_DENY);
    const server = JSON.parse(readFileSync(join(FX, 'show-server.json'), 'utf8'));
    server.server.security_groups = server.server.security_groups.filter((g: { id: string }) => g.id !== SG_DENY);
    writeFileSync(join(dir, 'ports.json'), JSON.stringify(ports));
    writeFileSync(join(dir, 'server.json'), JSON.stringify(server));
    const files = [join(dir, 'server.json'), join(dir, 'ports.json'), ...ALL.filter((f) => !/show-server|list-ports/.test(f))];
    const r = await sg(['cloud', 'check', '--json', '--snapshot', ...files, '--address', '203.0.113.10', '--port', '22', '--source', '198.51.100.7']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).decision).toBe('allow');
  });

  it('undecided without the groups’ rules: exit 3; a malformed document: exit 2 naming the field', async () => {
    const u = await sg(['cloud', 'check', '--snapshot', join(FX, 'show-server.json'), '--address', '203.0.113.10', '--port', '22', '--source', '198.51.100.7']);
    expect(u.code).toBe(3);
    writeFileSync(join(dir, 'bad.json'), '{"server": {"id": 5}}');
    const b = await sg(['cloud', 'check', '--snapshot', 'bad.json', '--address', '203.0.113.10', '--port', '22', '--source', '198.51.100.7']);
    expect(b.code).toBe(2);
    expect(b.stderr).toContain('bad.json (ShowServer): server.id 5');
  });
});

describe('sg-doctor cloud profiles --provider huawei', { timeout: 120_000 }, () => {
  const AK = 'HPUAPROFILECLI0001';
  const SK = 'cli-profile-secret-never-shown-0001';
  const write = (cfg: unknown) => {
    mkdirSync(join(dir, '.hcloud'), { recursive: true });
    writeFileSync(join(dir, '.hcloud', 'config.json'), JSON.stringify(cfg));
  };
  afterAll(() => rmSync(join(dir, '.hcloud'), { recursive: true, force: true }));

  it('lists KooCLI profiles with the AK masked and never the SK; encrypted keys are refused with how to hand the key over', async () => {
    write({ authEncrypt: 'false', current: 'prod', profiles: [
      { name: 'prod', mode: 'AKSK', accessKeyId: AK, secretAccessKey: SK, region: 'cn-north-4', projectId: '' },
      { name: 'sso', mode: 'SSO', region: 'cn-east-3' },
    ] });
    const j = await sg(['cloud', 'profiles', '--provider', 'huawei', '--json']);
    expect(j.code, j.stderr).toBe(0);
    const doc = JSON.parse(j.stdout);
    expect(doc).toMatchObject({ provider: 'huawei', path: join(dir, '.hcloud', 'config.json') });
    expect(doc.profiles.map((p: { name: string; supported: boolean; current: boolean }) => [p.name, p.supported, p.current])).toEqual([['prod', true, true], ['sso', false, false]]);
    expect(doc.profiles[0].accessKeyIdRedacted).toBe('HPUA****0001');
    const text = await sg(['cloud', 'profiles', '--provider', 'huawei']);
    expect(text.stdout).toMatch(/\* prod +AKSK +cn-north-4 +HPUA\*\*\*\*0001 +yes/);
    expect(text.stdout).toContain("needs KooCLI's own sign-in");
    for (const out of [j.stdout, text.stdout, text.stderr]) expect(out).not.toContain(SK);

    write({ authEncrypt: 'true', current: 'default', profiles: [{ name: 'default', mode: 'AKSK', accessKeyId: 'ZW5jcnlwdGVk', secretAccessKey: 'ZW5jcnlwdGVkLXNr', region: 'cn-north-4' }] });
    const enc = await sg(['cloud', 'profiles', '--provider', 'huawei']);
    expect(enc.code).toBe(0);
    expect(enc.stdout).toMatch(/encrypt/i);
    expect(enc.stdout).toContain('HUAWEICLOUD_SDK_AK');
    // The Alibaba listing is a different file: no aliyun profiles here.
    expect((await sg(['cloud', 'profiles'])).stdout).toContain(join('.aliyun', 'config.json'));
  });
});


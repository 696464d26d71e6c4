// Apply and undo in the network lab (issue 11 §4): the fake Alibaba API runs in the client namespace and its
// security groups and network ACL are ENFORCED by iptables in the server namespace (test/lab/cloud-enforce.ts),
// so `sg-doctor fix --apply` really opens the port and `--undo` really closes it again. Probes are the product's
// TCP prober from the client namespace; traffic stays on the lab's 10.200.X.0/24.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { CloudAction } from '../../src/core/cloud/provider';
import type { TcpPortFact } from '../../src/core/probe/types';
import { describeLab } from '../lab/describe-lab';
import { createLab, type Lab } from '../lab/lab';
import type { ApiObject } from '../fake-api/scenarios';
import { CLIENT_PUBLIC_IP, FakeApiInNamespace, INSTANCE_ID, REGION, runCliInClient } from './support';

const PORT = 2401;
const WEB = 'sg-bp1web0000000000001';
const ACL = 'nacl-bp1sgdoctor000001';

describeLab('lab: fix --apply opens the port the fake cloud blocks, --undo closes it again', () => {
  let lab: Lab;
  let fake: FakeApiInNamespace;
  const dir = mkdtempSync(join(tmpdir(), 'sgd-apply-lab-'));
  const params = (variant: 'rule-missing' | 'higher-priority-drop' | 'acl-deny' | 'acl-no-return' | 'stopped', extra: Record<string, unknown> = {}) => ({
    variant,
    instanceId: INSTANCE_ID,
    region: REGION,
    publicIp: lab.hosts.server.ipv4,
    clientIp: CLIENT_PUBLIC_IP,
    port: PORT,
    ...extra,
  });

  beforeAll(async () => {
    lab = await createLab({ ipv6: false, hosts: { server: { ports: [{ port: PORT, listen: 'ssh' }] } } });
    fake = await FakeApiInNamespace.start(lab, params('rule-missing'), 0, {
      ns: lab.hosts.server.ns,
      instanceId: INSTANCE_ID,
      // The cloud sees the lab client under its NAT's public address.
      sources: [{ labIp: lab.client.ipv4, seenAs: CLIENT_PUBLIC_IP }],
    });
  }, 120_000);

  afterAll(async () => {
    await fake?.stop();
    await lab?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  const probe = async (): Promise<string> => {
    const f = await lab.call<TcpPortFact>('src/core/probe/tcp', 'probeTcpPort', [{ host: lab.hosts.server.ipv4, address: lab.hosts.server.ipv4, port: PORT }, { attempts: 2 }]);
    return `${f.state}/${f.reason}`;
  };
  const fix = (file: string, name: string, ...args: string[]) => runCliInClient(lab, fake, name, PORT, ['fix', file, '--lang', 'en', ...args]);
  const webRules = async (): Promise<ApiObject[]> => ((await fake.state()).securityGroups.find((g) => g.SecurityGroupId === WEB)!.Permissions as ApiObject[]);
  const authorize = (priority: number, groupId = WEB): CloudAction => ({
    api: 'AuthorizeSecurityGroup',
    params: { RegionId: REGION, SecurityGroupId: groupId, IpProtocol: 'tcp', PortRange: `${PORT}/${PORT}`, SourceCidrIp: `${CLIENT_PUBLIC_IP}/32`, Policy: 'accept', Priority: priority, Description: 'added by SG Doctor' },
  });

  /** `diagnose --save` for real, then the fixes' actions put on the failing check (built by hand here). */
  async function diagnoseAndSave(name: string, checkId: string, fixes: { title: string; actions: CloudAction[] }[]): Promise<string> {
    const file = join(dir, `${name.replace(/\W+/g, '-')}.sgdiag`);
    const d = await runCliInClient(lab, fake, name, PORT, [
      'diagnose', `${lab.hosts.server.ipv4}:${PORT}`, '--service', 'ssh', '--instance', INSTANCE_ID, '--region', REGION,
      '--source-ip', CLIENT_PUBLIC_IP, '--egress-ip-urls', '', '--control-hosts', '', '--dns-servers', '', '--attempts', '2', '--json', '--save', file,
    ]);
    expect(d.result.code, d.result.stderr).toBe(1);
    expect(d.diagnosis?.verdict.locus).toBe('network');
    const doc = JSON.parse(readFileSync(file, 'utf8')) as { diagnosis: { checks: { id: string; status: string; fixes: Record<string, unknown>[] }[] } };
    const check = doc.diagnosis.checks.find((c) => c.id === checkId);
    expect(check?.status, `${checkId} in ${JSON.stringify(doc.diagnosis.checks.map((c) => [c.id, c.status]))}`).toBe('fail');
    check!.fixes = [...fixes.map((f) => ({ kind: 'aliyun-cli', title: { 'zh-CN': f.title, en: f.title }, actions: f.actions })), ...check!.fixes.filter((f) => !('actions' in f))];
    writeFileSync(file, JSON.stringify(doc));
    return file;
  }

  it('rule missing: blocked → fix --apply --yes → the probe connects → fix --undo → blocked again', async () => {
    expect(await probe()).toBe('filtered/no-response');
    const file = await diagnoseAndSave('apply rule missing', 'sg.inbound-rule', [{ title: 'Add an inbound rule', actions: [authorize(1)] }]);

    const a = await fix(file, 'apply rule missing: apply', '--apply', '--yes');
    expect(a.result.code, a.result.stderr).toBe(0);
    expect(a.result.stdout).toContain(`Added 1 rule(s) to ${WEB}`);
    expect(await probe()).toBe('open/syn-ack');

    const u = await fix(file, 'apply rule missing: undo', '--undo', '--yes');
    expect(u.result.code, u.result.stderr).toBe(0);
    expect(await probe()).toBe('filtered/no-response');
    expect((await webRules()).some((r) => r.PortRange === `${PORT}/${PORT}`)).toBe(false);
  }, 240_000);

  it('higher-priority drop: an accept at the same priority stays blocked (drop wins); the fix whose priority beats the drop opens it', async () => {
    await fake.set(params('higher-priority-drop', { dropPriority: '5' }));
    expect(await probe()).toBe('filtered/no-response');
    const file = await diagnoseAndSave('apply priority drop', 'sg.priority-drop', [
      { title: 'Accept at the drop’s priority', actions: [authorize(5)] },
      { title: 'Accept with a priority that beats the drop', actions: [authorize(4)] },
    ]);
    // Numbers come from the dry run: other failing checks may carry applicable fixes of their own before these.
    const dry = await fix(file, 'apply priority drop: dry run', '--json');
    const numbered = (JSON.parse(dry.result.stdout) as { fixes: { n: number; title: { en: string } }[] }).fixes;
    const numberOf = (title: string): string => String(numbered.find((f) => f.title.en === title)?.n ?? 'missing');
    const same = await fix(file, 'apply priority drop: equal', '--apply', '--yes', '--fix', numberOf('Accept at the drop’s priority'));
    expect(same.result.code, same.result.stderr).toBe(0);
    expect(await probe()).toBe('filtered/no-response');
    const beat = await fix(file, 'apply priority drop: beat', '--apply', '--yes', '--fix', numberOf('Accept with a priority that beats the drop'));
    expect(beat.result.code, beat.result.stderr).toBe(0);
    expect(await probe()).toBe('open/syn-ack');
  }, 240_000);

  it('a write denied by policy: a clear error naming the RAM action, nothing changed, still blocked', async () => {
    await fake.set(params('rule-missing'));
    const file = await diagnoseAndSave('apply denied', 'sg.inbound-rule', [{ title: 'Add an inbound rule', actions: [authorize(1)] }]);
    const before = (await webRules()).map((r) => r.SecurityGroupRuleId);
    await fake.setFaults([{ action: 'AuthorizeSecurityGroup', kind: 'forbidden' }]);
    try {
      const r = await fix(file, 'apply denied: apply', '--apply', '--yes');
      expect(r.result.code).toBe(1);
      expect(r.result.stderr).toContain('Grant ecs:AuthorizeSecurityGroup');
      expect((await webRules()).map((x) => x.SecurityGroupRuleId)).toEqual(before);
      expect(await probe()).toBe('filtered/no-response');
    } finally {
      await fake.setFaults([]);
    }
  }, 240_000);

  it('network ACL deny: the security group allows, the ACL drops; the entry put before the deny opens it, undo restores the list', async () => {
    await fake.set(params('acl-deny'));
    expect(await probe()).toBe('filtered/no-response');
    const acl = (await fake.state()).networkAcls.find((a) => a.NetworkAclId === ACL)!;
    const custom = ((acl.IngressAclEntries as { IngressAclEntry: ApiObject[] }).IngressAclEntry).filter((e) => e.EntryType !== 'system');
    const update: CloudAction = {
      api: 'UpdateNetworkAclEntries',
      params: {
        RegionId: REGION,
        NetworkAclId: ACL,
        UpdateIngressAclEntries: true,
        IngressAclEntries: [
          { NetworkAclEntryName: 'sg-doctor', Policy: 'accept', Protocol: 'tcp', Port: `${PORT}/${PORT}`, SourceCidrIp: `${CLIENT_PUBLIC_IP}/32` },
          ...custom.map((e) => ({ NetworkAclEntryId: e.NetworkAclEntryId, NetworkAclEntryName: e.NetworkAclEntryName, Policy: e.Policy, Protocol: e.Protocol, Port: e.Port, SourceCidrIp: e.SourceCidrIp })),
        ],
      },
    };
    const file = await diagnoseAndSave('apply acl deny', 'net.acl-inbound', [{ title: 'Accept before the deny entry', actions: [update] }]);
    const a = await fix(file, 'apply acl deny: apply', '--apply', '--yes');
    expect(a.result.code, a.result.stderr).toBe(0);
    expect(await probe()).toBe('open/syn-ack');
    const u = await fix(file, 'apply acl deny: undo', '--undo', '--yes');
    expect(u.result.code, u.result.stderr).toBe(0);
    expect(await probe()).toBe('filtered/no-response');
  }, 240_000);

  it('ACL without the return range (stateless): the SYN arrives but the SYN-ACK is dropped going out; the egress entry for the ephemeral range opens it', async () => {
    await fake.set(params('acl-no-return'));
    expect(await probe()).toBe('filtered/no-response');
    const acl = (await fake.state()).networkAcls.find((a) => a.NetworkAclId === ACL)!;
    const custom = ((acl.EgressAclEntries as { EgressAclEntry: ApiObject[] }).EgressAclEntry).filter((e) => e.EntryType !== 'system');
    const update: CloudAction = {
      api: 'UpdateNetworkAclEntries',
      params: {
        RegionId: REGION,
        NetworkAclId: ACL,
        UpdateEgressAclEntries: true,
        EgressAclEntries: [
          { NetworkAclEntryName: 'sg-doctor-return', Policy: 'accept', Protocol: 'tcp', Port: '1024/65535', DestinationCidrIp: `${CLIENT_PUBLIC_IP}/32` },
          ...custom.map((e) => ({ NetworkAclEntryId: e.NetworkAclEntryId, NetworkAclEntryName: e.NetworkAclEntryName, Policy: e.Policy, Protocol: e.Protocol, Port: e.Port, DestinationCidrIp: e.DestinationCidrIp })),
        ],
      },
    };
    const file = await diagnoseAndSave('apply acl no return', 'net.acl-return', [{ title: 'Allow the return traffic', actions: [update] }]);
    const a = await fix(file, 'apply acl no return: apply', '--apply', '--yes');
    expect(a.result.code, a.result.stderr).toBe(0);
    expect(await probe()).toBe('open/syn-ack');
  }, 240_000);

  it('instance stopped: nothing answers; StartInstance opens the path; undo says it does not stop the server', async () => {
    await fake.set(params('stopped'));
    expect(await probe()).toBe('filtered/no-response');
    const file = await diagnoseAndSave('apply stopped', 'instance.running', [{ title: 'Start the instance', actions: [{ api: 'StartInstance', params: { RegionId: REGION, InstanceId: INSTANCE_ID } }] }]);
    const a = await fix(file, 'apply stopped: apply', '--apply', '--yes');
    expect(a.result.code, a.result.stderr).toBe(0);
    expect(await probe()).toBe('open/syn-ack');
    const u = await fix(file, 'apply stopped: undo', '--undo', '--yes');
    expect(u.result.code, u.result.stderr).toBe(0);
    expect(u.result.stdout).toContain('not undone automatically');
    expect(await probe()).toBe('open/syn-ack');
  }, 240_000);

  it('fix host:port --apply: diagnoses first, saves the session, applies the proposed fix (the probe connects); --undo from that file closes it again', async () => {
    await fake.set(params('rule-missing'));
    expect(await probe()).toBe('filtered/no-response');
    const file = join(dir, 'host-form.sgdiag');
    const a = await runCliInClient(lab, fake, 'fix host:port --apply', PORT, [
      'fix', `${lab.hosts.server.ipv4}:${PORT}`, '--instance', INSTANCE_ID, '--region', REGION, '--source-ip', CLIENT_PUBLIC_IP,
      '--egress-ip-urls', '', '--control-hosts', '', '--dns-servers', '', '--attempts', '2', '--save', file, '--apply', '--yes', '--lang', 'en',
    ]);
    expect(a.result.code, a.result.stderr).toBe(0);
    expect(a.result.stderr).toContain(`saved to ${file}`);
    expect(a.result.stdout).toContain('AuthorizeSecurityGroup');
    expect(a.result.stdout).toContain(`+ accept TCP ${PORT}/${PORT} from ${CLIENT_PUBLIC_IP}/32`);
    expect(await probe()).toBe('open/syn-ack');
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { applied: { api: string; changed: boolean }[]; plan: { instanceId: string } };
    expect(saved.plan.instanceId).toBe(INSTANCE_ID);
    expect(saved.applied.map((x) => [x.api, x.changed])).toEqual([['AuthorizeSecurityGroup', true]]);
    const u = await fix(file, 'fix host:port: undo', '--undo', '--yes');
    expect(u.result.code, u.result.stderr).toBe(0);
    expect(await probe()).toBe('filtered/no-response');
  }, 240_000);
});

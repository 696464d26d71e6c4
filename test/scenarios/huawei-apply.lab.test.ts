// Huawei Cloud apply and undo in the network lab: the fake Huawei API runs in the client namespace and its state
// (security groups in the port's order, the stateful network ACL, the server's status) is ENFORCED by iptables
// in the server namespace (huawei-enforce.ts), re-enforced after every write the API accepts — so
// `sg-doctor fix --apply` really opens the port and `--undo` really closes it again. The diagnosis and its fix
// are the real ones (`diagnose --provider huawei --save`, the Huawei renderer's CreateSecurityGroupRule).
// Probes are the product's TCP prober from the client namespace; traffic stays on the lab's 10.200.X.0/24.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TcpPortFact } from '../../src/core/probe/types';
import { describeLab } from '../lab/describe-lab';
import { createLab, type Lab } from '../lab/lab';
import { SERVER_ID, SG_WEB } from '../fake-huawei/scenarios';
import { FakeHuaweiInNamespace, huaweiCliEnv, HW_REGION } from './huawei-support';
import { CLIENT_PUBLIC_IP, runCliInClient } from './support';

const PORT = 2431;

describeLab('lab: Huawei Cloud fix --apply opens the port the fake cloud blocks, --undo closes it again', () => {
  let lab: Lab;
  let fake: FakeHuaweiInNamespace;
  const dir = mkdtempSync(join(tmpdir(), 'sgd-hw-apply-lab-'));

  beforeAll(async () => {
    lab = await createLab({ ipv6: false, hosts: { server: { ports: [{ port: PORT, listen: 'ssh' }] } } });
    fake = await FakeHuaweiInNamespace.start(lab, { scenario: 'rule-missing', port: PORT });
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
  const cli = (name: string, args: string[]) => runCliInClient(lab, fake, name, PORT, args, huaweiCliEnv(fake));

  it('rule missing: blocked → diagnose --save → fix --apply --yes → the probe connects → fix --undo → blocked again', async () => {
    expect(await probe()).toBe('filtered/no-response');
    const file = join(dir, 'hw-rule-missing.sgdiag');
    const d = await cli('huawei apply: diagnose', [
      'diagnose', `${lab.hosts.server.ipv4}:${PORT}`, '--service', 'ssh', '--provider', 'huawei', '--instance', SERVER_ID, '--region', HW_REGION,
      '--egress-ip-urls', fake.echoUrl, '--control-hosts', '', '--dns-servers', '', '--attempts', '2', '--json', '--save', file,
    ]);
    expect(d.result.code, d.result.stderr).toBe(1);
    expect(d.diagnosis?.verdict.blockingCheckIds[0]).toBe('sg.inbound-rule');

    // The fix number from the dry run: the failing check's fix that creates the rule.
    const dry = await cli('huawei apply: dry run', ['fix', file, '--json', '--lang', 'en']);
    expect(dry.result.code, dry.result.stderr).toBe(0);
    const fixes = (JSON.parse(dry.result.stdout) as { fixes: { n: number; checkId: string; actions: { api: string; params: Record<string, unknown> }[] }[] }).fixes;
    const fix = fixes.find((f) => f.checkId === 'sg.inbound-rule' && f.actions.some((a) => a.api === 'CreateSecurityGroupRule'));
    expect(fix, JSON.stringify(fixes)).toBeTruthy();
    expect(JSON.stringify(fix!.actions)).toContain(`${CLIENT_PUBLIC_IP}/32`);

    const a = await cli('huawei apply: apply', ['fix', file, '--apply', '--yes', '--fix', String(fix!.n), '--lang', 'en']);
    expect(a.result.code, a.result.stderr).toBe(0);
    expect(a.result.stdout).toContain(`to ${SG_WEB}: allow TCP ${PORT} from ${CLIENT_PUBLIC_IP}/32`);
    expect(await probe()).toBe('open/syn-ack');

    const u = await cli('huawei apply: undo', ['fix', file, '--undo', '--yes', '--lang', 'en']);
    expect(u.result.code, u.result.stderr).toBe(0);
    expect(u.result.stdout).toContain('DeleteSecurityGroupRule');
    expect(await probe()).toBe('filtered/no-response');
  }, 240_000);

  it('fix host:port --provider huawei --apply: diagnoses Huawei first, saves the session, applies the proposed fix (the probe connects); --undo closes it', async () => {
    expect(await probe()).toBe('filtered/no-response');
    const file = join(dir, 'hw-host-form.sgdiag');
    const a = await cli('huawei apply: host:port form', [
      'fix', `${lab.hosts.server.ipv4}:${PORT}`, '--provider', 'huawei', '--instance', SERVER_ID, '--region', HW_REGION,
      '--egress-ip-urls', fake.echoUrl, '--control-hosts', '', '--dns-servers', '', '--attempts', '2', '--save', file, '--apply', '--yes', '--lang', 'en',
    ]);
    expect(a.result.code, a.result.stderr).toBe(0);
    expect(a.result.stderr).toContain(`saved to ${file}`);
    expect(a.result.stdout).toContain('CreateSecurityGroupRule');
    expect(await probe()).toBe('open/syn-ack');
    const u = await cli('huawei apply: host:port form undo', ['fix', file, '--undo', '--yes', '--lang', 'en']);
    expect(u.result.code, u.result.stderr).toBe(0);
    expect(await probe()).toBe('filtered/no-response');
  }, 240_000);
});

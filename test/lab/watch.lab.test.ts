// Watch until it works (issue 11 §3) against real kernels: the real `sg-doctor watch` runs in the lab's
// client namespace while the server's iptables DROPs (or REJECTs with host-prohibited) the port; once the
// server has really seen the watch's SYNs, the rule is deleted — the fix — and the timeline must show the
// silent drops (or the ICMP errors), then the connection, and exit 0. Ports 2440–2449 only.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeLab } from './describe-lab';
import { createLab, sgDoctorArgv, type ExecResult, type Lab } from './lab';

const DROP_PORT = 2440;
const PROHIBITED_PORT = 2441;

describeLab('lab: sg-doctor watch sees the fix happen', () => {
  let lab: Lab;

  beforeAll(async () => {
    lab = await createLab({
      ipv6: false,
      hosts: {
        server: {
          ports: [
            { port: DROP_PORT, listen: 'tcp', firewall: 'drop' },
            { port: PROHIBITED_PORT, listen: 'tcp', firewall: 'reject-host-prohibited' },
          ],
        },
      },
    });
  }, 120_000);
  afterAll(async () => {
    await lab?.destroy();
  });

  /** Packets the server's INPUT rule for `port` has matched so far. */
  async function hits(port: number): Promise<number> {
    const r = await lab.sh(`iptables -w 5 -L INPUT -v -n -x | awk '/dpt:${port}( |$)/ {print $1}'`, { ns: lab.hosts.server.ns });
    return Number(r.stdout.trim().split('\n')[0] || 0);
  }

  /** Runs the watch; once the server's rule has matched `seen` packets, deletes it (the fix), bounded in time. */
  async function watchThenFix(port: number, ruleTail: string, seen: number): Promise<{ run: ExecResult; hitsAtFix: number }> {
    const run = lab.runInClient(sgDoctorArgv(['watch', `${lab.hosts.server.ipv4}:${port}`, '--for', '60s', '--lang', 'en']), {
      timeoutMs: 90_000,
      env: { ...process.env, NO_COLOR: '1', SGD_EGRESS_IP_URLS: '', SGD_CONTROL_HOSTS: '', SGD_DNS_SERVERS: '', ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true' },
    });
    let n = 0;
    for (let i = 0; i < 300 && n < seen; i++) {
      await new Promise((r) => setTimeout(r, 100));
      n = await hits(port);
    }
    const del = await lab.sh(`iptables -w 5 -D INPUT -p tcp --dport ${port} ${ruleTail}`, { ns: lab.hosts.server.ns });
    expect(del.code, del.stderr).toBe(0);
    return { run: await run, hitsAtFix: n };
  }

  const rows = (out: string): string[] => out.split('\n').filter((l) => /^\d\d:\d\d:\d\d {2}#\d+ {2}/.test(l));

  it('silent DROP: "no answer" attempts, then the rule is removed, then connected (exit 0)', async () => {
    // The server has really dropped the watch's SYNs (an attempt's SYN and the kernel's retransmissions within its 3 s).
    const { run, hitsAtFix } = await watchThenFix(DROP_PORT, '-j DROP', 3);
    expect(hitsAtFix).toBeGreaterThanOrEqual(3);
    expect(run.code, run.stderr + run.stdout).toBe(0);
    const r = rows(run.stdout);
    expect(r.length).toBeGreaterThanOrEqual(2);
    expect(r[0]).toMatch(/#1 {2}no answer — next try in 1 s$/);
    expect(r.slice(0, -1).every((l) => l.includes('no answer'))).toBe(true);
    expect(r[r.length - 1]).toMatch(/ {2}connected, [\d.]+ ms$/);
    expect(run.stdout).toMatch(new RegExp(`✔ ${lab.hosts.server.ipv4.replace(/\./g, '\\.')}:${DROP_PORT} works since \\d\\d:\\d\\d:\\d\\d`));
    console.log(`[lab] watch timeline (DROP removed after ${hitsAtFix} SYNs):\n${run.stdout}`);
  }, 120_000);

  it('REJECT icmp-host-prohibited: "host unreachable" attempts, then connected', async () => {
    const { run } = await watchThenFix(PROHIBITED_PORT, '-j REJECT --reject-with icmp-host-prohibited', 2);
    expect(run.code, run.stderr + run.stdout).toBe(0);
    const r = rows(run.stdout);
    expect(r[0]).toMatch(/#1 {2}failed: host unreachable — next try in 1 s$/);
    expect(r[r.length - 1]).toMatch(/ {2}connected, [\d.]+ ms$/);
  }, 120_000);
});

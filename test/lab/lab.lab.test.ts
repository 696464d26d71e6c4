// The lab itself: isolation, teardown (also of labs left by crashed runs), parallel labs, and that its
// faults look to a plain tool (nmap) exactly as DESIGN.md says. If these fail, every other lab test lies.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeLab } from './describe-lab';
import { asUserArgv, cleanupStaleLabs, createLab, LAB_PREFIX, labAvailability, othersCanReach, tsxArgv, type Lab } from './lab';

const netnsList = (): string[] =>
  (spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout ?? '')
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0])
    .filter(Boolean);

describeLab('lab: the network lab itself', () => {
  let a: Lab;
  let b: Lab;
  beforeAll(async () => {
    [a, b] = await Promise.all([
      createLab({
        hosts: {
          server: {
            ports: [
              { port: 22, listen: 'ssh' },
              { port: 81, listen: 'none' },
              { port: 82, firewall: 'drop' },
              { port: 83, firewall: 'reject-tcp-reset' },
              { port: 84, firewall: 'reject-port-unreachable' },
              { port: 85, firewall: 'reject-host-prohibited' },
            ],
          },
        },
      }),
      createLab(),
    ]);
  });
  afterAll(async () => {
    await a?.destroy();
    await b?.destroy();
  });

  it('gives parallel labs their own /24, namespaces and addresses in 10.200.0.0/16', () => {
    expect(a.id).not.toBe(b.id);
    for (const lab of [a, b]) {
      expect(lab.subnet4).toMatch(/^10\.200\.\d{1,3}\.0\/24$/);
      expect(lab.client.ipv4.startsWith(`10.200.${lab.id}.`)).toBe(true);
      expect(lab.hosts.server.ipv4).toBe(`10.200.${lab.id}.10`);
      expect(netnsList()).toEqual(expect.arrayContaining([lab.client.ns, lab.hosts.server.ns]));
    }
  });

  it('leaves the root namespace alone: no lab address or veth there', () => {
    const addrs = spawnSync('ip', ['-o', 'addr'], { encoding: 'utf8' }).stdout;
    expect(addrs).not.toContain(`10.200.${a.id}.`);
    expect(addrs).not.toContain(`10.200.${b.id}.`);
  });

  it('plain nmap in the client sees each fault as DESIGN.md describes it', async () => {
    const r = await a.runInClient(['nmap', '-sT', '-Pn', '-n', '-p', '22,81-85', '--reason', '-oG', '-', a.hosts.server.ipv4], { timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    const line = r.stdout.split('\n').find((l) => l.includes('Ports:')) ?? '';
    // -oG: "22/open/tcp//ssh///, 81/closed/tcp//..."; reasons are not in -oG, states are.
    const states = Object.fromEntries([...line.matchAll(/(\d+)\/(\w+)\/tcp/g)].map((m) => [m[1], m[2]]));
    expect(states).toEqual({ 22: 'open', 81: 'closed', 82: 'filtered', 83: 'closed', 84: 'closed', 85: 'filtered' });
  });

  it('labs cannot reach each other (separate namespaces, no routing between them)', async () => {
    const r = await a.sh(`ping -c1 -W1 ${b.hosts.server.ipv4} >/dev/null 2>&1 && echo reached || echo isolated`);
    expect(r.stdout.trim()).toBe('isolated');
  });

  it('runs commands as an unprivileged user inside the namespace', async () => {
    const r = await a.exec(['id', '-u'], { asUser: { uid: 65534, gid: 65534 } });
    expect(r.stdout.trim()).toBe('65534');
    const avail = await a.exec(tsxArgv('test/lab/print-availability.ts'), { asUser: { uid: 65534, gid: 65534 } });
    expect(JSON.parse(avail.stdout)).toEqual({ ok: false, reason: expect.stringMatching(/not root/) });
    expect(labAvailability()).toEqual({ ok: true });
  });

  it('an unprivileged user runs code from a folder only root may enter (a checkout under /root)', async () => {
    const locked = mkdtempSync(join(tmpdir(), 'sgd-locked-'));
    try {
      chmodSync(locked, 0o700);
      mkdirSync(join(locked, 'checkout'), { mode: 0o755 });
      writeFileSync(join(locked, 'checkout', 'who.cjs'), 'console.log(JSON.stringify({ uid: process.getuid(), cwd: process.cwd(), ok: require("./data.json").ok }))', { mode: 0o644 });
      writeFileSync(join(locked, 'checkout', 'data.json'), '{"ok": true}', { mode: 0o644 });
      const NOBODY = { uid: 65534, gid: 65534 };
      const checkout = join(locked, 'checkout');
      expect(othersCanReach(checkout)).toBe(false);
      // Straight setpriv cannot even load the file: the reason lab tests failed in such a checkout.
      const plain = await a.exec(['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', 'node', join(checkout, 'who.cjs')], { cwd: checkout });
      expect(plain.code).not.toBe(0);
      const r = await a.exec(asUserArgv(['node', join(checkout, 'who.cjs')], NOBODY, checkout, [checkout, dirname(process.execPath)]), { cwd: checkout });
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ uid: 65534, ok: true });
    } finally {
      rmSync(locked, { recursive: true, force: true });
    }
  });

  it('destroy() kills the listeners and deletes the namespaces, and is idempotent', async () => {
    const lab = await createLab({ hosts: { server: { ports: [{ port: 22, listen: 'ssh' }] } } });
    const nss = [lab.client.ns, lab.hosts.server.ns];
    const pids = (spawnSync('ip', ['netns', 'pids', lab.hosts.server.ns], { encoding: 'utf8' }).stdout ?? '').split(/\s+/).filter(Boolean);
    expect(pids.length).toBeGreaterThan(0);
    await lab.destroy();
    await lab.destroy();
    expect(netnsList().filter((n) => nss.includes(n))).toEqual([]);
    for (const p of pids) expect(existsSync(`/proc/${p}`)).toBe(false);
  });

  it('cleanupStaleLabs() removes a lab whose owner process is gone, and spares live ones', () => {
    // Forge the leftovers of a crashed run: a lock owned by a dead pid and two namespaces.
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout.trim();
    const id = 251; // outside the allocator's 1..250, so no real lab can be hit
    mkdirSync(`/run/sgdlab/${id}`, { recursive: true });
    writeFileSync(`/run/sgdlab/${id}/pid`, dead);
    for (const n of ['client', 'server']) spawnSync('ip', ['netns', 'add', `${LAB_PREFIX}${id}-${n}`]);
    const removed = cleanupStaleLabs();
    expect(removed).toContain(id);
    expect(removed).not.toContain(a.id);
    expect(netnsList().filter((n) => n.startsWith(`${LAB_PREFIX}${id}-`))).toEqual([]);
    expect(existsSync(`/run/sgdlab/${id}`)).toBe(false);
    expect(netnsList()).toContain(a.client.ns);
  });
});

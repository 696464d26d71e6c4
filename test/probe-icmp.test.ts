// ICMP probe on loopback through both methods: the system ping (also as an unprivileged user, the way
// a desktop app runs) and raw sockets via net-ping (as root). The last block checks that both methods
// report the same ICMP error, inside a namespace the test creates (its own loopback + iptables).
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeIcmp, type IcmpOptions } from '../src/core/probe/icmp';
import type { IcmpFact } from '../src/core/probe/types';

const ROOT = join(__dirname, '..');
const isRoot = process.getuid?.() === 0;
const hasPing = spawnSync('ping', ['-V'], { stdio: 'ignore' }).status === 0;
const hasV6Loopback = Object.values(networkInterfaces()).some((l) => l?.some((a) => a.address === '::1'));
if (!hasPing) console.log('skip: no system ping here (apt-get install iputils-ping)');
if (!hasV6Loopback) console.log('skip: IPv6 tests, this host has no ::1');
if (!isRoot) console.log('skip: raw-socket and unprivileged-user tests need root');

function runChild(prefix: string[], runs: { address: string; opts: IcmpOptions }[]): { uid: number; facts: IcmpFact[] } {
  const argv = [...prefix, process.execPath, '--import', 'tsx', 'test/support/icmp-child.ts', JSON.stringify(runs)];
  const out = execFileSync(argv[0], argv.slice(1), {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 30_000,
    env: { ...process.env, HOME: tmpdir() },
  });
  return JSON.parse(out.trim().split('\n').pop()!) as { uid: number; facts: IcmpFact[] };
}

function expectReply(f: IcmpFact, count: number): void {
  expect(f.state).toBe('reply');
  expect(f.sent).toBe(count);
  expect(f.received).toBe(count);
  expect(f.lossPct).toBe(0);
  expect(f.rttMs).toHaveLength(count);
  for (const t of f.rttMs) expect(t).toBeGreaterThanOrEqual(0);
  expect(f.rttMinMs).toBe(Math.min(...f.rttMs));
  expect(f.rttMaxMs).toBe(Math.max(...f.rttMs));
  expect(f.rttAvgMs).not.toBeNull();
  expect(f.unreachable).toBeUndefined();
}

describe.skipIf(!hasPing)('ICMP through the system ping', () => {
  it('127.0.0.1 replies', async () => {
    const f = await probeIcmp('127.0.0.1', { method: 'system-ping', count: 3, intervalMs: 200 });
    expectReply(f, 3);
    expect(f.method).toBe('system-ping');
    expect(f.format).toBe('iputils');
    expect(f.command?.slice(1)).toEqual(['-n', '-c', '3', '-W', '1', '-i', '0.2', '127.0.0.1']);
    expect(f.raw).toMatch(/3 packets transmitted, 3 received/);
    expect(f.fallback).toBeUndefined();
  });

  it.skipIf(!hasV6Loopback)('::1 replies (ping -6)', async () => {
    const f = await probeIcmp('::1', { method: 'system-ping', count: 2, intervalMs: 200 });
    expectReply(f, 2);
    expect(f.command).toContain('-6');
  });

  it('a missing ping binary is "unavailable", not a crash', async () => {
    const f = await probeIcmp('127.0.0.1', { method: 'system-ping', pingPath: '/nonexistent/ping' });
    expect(f).toMatchObject({ state: 'unavailable', method: 'none' });
    expect(f.error).toMatch(/ENOENT/);
  });

  it('an abort stops a long run', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 300);
    const t0 = Date.now();
    const f = await probeIcmp('127.0.0.1', { method: 'system-ping', count: 10, intervalMs: 1000, signal: ac.signal });
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(f.error).toMatch(/aborted/);
  });

  describe('a ping that hangs is killed at the hard timeout', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'sgdh2-ping-'));
      // Prints its banner then hangs, like a ping stuck on a dead route.
      writeFileSync(join(dir, 'ping'), '#!/bin/sh\nfor a; do last=$a; done\necho "PING $last ($last) 56(84) bytes of data."\nexec sleep 30\n');
      chmodSync(join(dir, 'ping'), 0o755);
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    it('reports timeout with the kill noted', async () => {
      const t0 = Date.now();
      const f = await probeIcmp('127.0.0.1', { method: 'system-ping', count: 1, timeoutMs: 200, pingPath: join(dir, 'ping') });
      const took = Date.now() - t0;
      expect(took).toBeGreaterThanOrEqual(2500);
      expect(took).toBeLessThan(8000);
      expect(f.state).toBe('timeout');
      expect(f.error).toMatch(/killed after 3000 ms/);
      expect(f.raw).toMatch(/^PING 127\.0\.0\.1/);
    });
  });
});

describe.skipIf(!isRoot)('ICMP through raw sockets (root)', () => {
  it('127.0.0.1 replies through net-ping', async () => {
    const f = await probeIcmp('127.0.0.1', { method: 'raw-socket', count: 3, intervalMs: 50 });
    expectReply(f, 3);
    expect(f.method).toBe('raw-socket');
    expect(f.raw).toBeUndefined();
  });

  it.skipIf(!hasV6Loopback)('::1 replies through net-ping (ICMPv6)', async () => {
    const f = await probeIcmp('::1', { method: 'raw-socket', count: 2, intervalMs: 50 });
    expectReply(f, 2);
    expect(f.method).toBe('raw-socket');
  });

  it('auto prefers raw sockets when permitted', async () => {
    const f = await probeIcmp('127.0.0.1', { count: 1 });
    expect(f.method).toBe('raw-socket');
    expect(f.fallback).toBeUndefined();
  });
});

// Linux ping works unprivileged through file capabilities (cap_net_raw on /usr/bin/ping) or, where
// net.ipv4.ping_group_range admits the user's group, ICMP datagram sockets. net-ping needs a raw socket.
const SETPRIV = ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups'];
function nobodyCanRun(): string | null {
  if (!isRoot) return 'needs root to switch to nobody';
  const r = spawnSync(SETPRIV[0], [...SETPRIV.slice(1), process.execPath, '-e', 'require("fs").accessSync(process.argv[1])', join(ROOT, 'test/support/icmp-child.ts')], { stdio: 'ignore' });
  if (r.error) return `setpriv not available (${r.error.message})`;
  return r.status === 0 ? null : `user nobody cannot read ${ROOT} or run ${process.execPath}`;
}
const nobodySkip = hasPing ? nobodyCanRun() : 'no system ping';
if (nobodySkip) console.log(`skip: unprivileged ICMP test: ${nobodySkip}`);
describe.skipIf(nobodySkip !== null)('ICMP as an unprivileged user (nobody)', () => {
  it('auto falls back to the system ping and says why; raw-socket alone is unavailable', () => {
    const res = runChild(
      SETPRIV,
      [
        { address: '127.0.0.1', opts: { count: 2, intervalMs: 200 } },
        { address: '127.0.0.1', opts: { method: 'raw-socket', count: 1 } },
        ...(hasV6Loopback ? [{ address: '::1', opts: { count: 2, intervalMs: 200 } }] : []),
      ],
    );
    expect(res.uid).not.toBe(0);
    const [auto, raw, v6] = res.facts;
    expectReply(auto, 2);
    expect(auto.method).toBe('system-ping');
    expect(auto.fallback).toMatch(/raw socket unavailable \(Operation not permitted.*CAP_NET_RAW/);
    expect(raw).toMatchObject({ state: 'unavailable', method: 'none', sent: 0 });
    expect(raw.error).toMatch(/Operation not permitted/);
    if (v6) {
      expectReply(v6, 2);
      expect(v6.method).toBe('system-ping');
    }
  });
});

// Both methods must describe the same ICMP error the same way. Inside a fresh namespace, iptables
// rejects echo requests on the namespace's own loopback.
const hasIptables = spawnSync('iptables', ['--version'], { stdio: 'ignore' }).status === 0;
const hasNetns = isRoot && spawnSync('ip', ['netns', 'list'], { stdio: 'ignore' }).status === 0;
if (isRoot && !(hasIptables && hasNetns)) console.log('skip: ICMP error agreement test needs iptables and ip netns');
describe.skipIf(!hasNetns || !hasPing || !hasIptables)('ICMP errors agree across methods (namespace)', () => {
  const ns = `sgdh2-icmp${process.pid % 100000}`;
  const nsx = (...a: string[]): void => {
    execFileSync('ip', ['netns', 'exec', ns, ...a]);
  };
  beforeAll(() => {
    execFileSync('ip', ['netns', 'add', ns]);
    execFileSync('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
  });
  afterAll(() => {
    spawnSync('ip', ['netns', 'del', ns]);
  });

  it('REJECT icmp-host-prohibited → unreachable, type 3 code 10, from both methods', () => {
    nsx('iptables', '-A', 'INPUT', '-p', 'icmp', '--icmp-type', 'echo-request', '-j', 'REJECT', '--reject-with', 'icmp-host-prohibited');
    const { facts } = runChild(['ip', 'netns', 'exec', ns], [
      { address: '127.0.0.1', opts: { method: 'raw-socket', count: 1, timeoutMs: 500 } },
      { address: '127.0.0.1', opts: { method: 'system-ping', count: 1, timeoutMs: 500 } },
    ]);
    for (const f of facts) {
      expect(f).toMatchObject({ state: 'unreachable', sent: 1, received: 0, lossPct: 100 });
      expect(f.unreachable).toMatchObject({ type: 3, code: 10, from: '127.0.0.1', text: 'Destination Host Prohibited' });
    }
    expect(facts.map((f) => f.method)).toEqual(['raw-socket', 'system-ping']);
    nsx('iptables', '-F', 'INPUT');
  });

  it('DROP → timeout after the per-request timeout, from both methods', () => {
    nsx('iptables', '-A', 'INPUT', '-p', 'icmp', '--icmp-type', 'echo-request', '-j', 'DROP');
    const { facts } = runChild(['ip', 'netns', 'exec', ns], [
      { address: '127.0.0.1', opts: { method: 'raw-socket', count: 2, timeoutMs: 300, intervalMs: 0 } },
      { address: '127.0.0.1', opts: { method: 'system-ping', count: 2, timeoutMs: 1000, intervalMs: 200 } },
    ]);
    for (const f of facts) {
      expect(f).toMatchObject({ state: 'timeout', sent: 2, received: 0, lossPct: 100, rttMs: [], rttAvgMs: null });
      expect(f.unreachable).toBeUndefined();
    }
    nsx('iptables', '-F', 'INPUT');
  });

  it.skipIf(!hasV6Loopback)('ip6tables REJECT adm-prohibited → ICMPv6 type 1 code 1, from both methods', () => {
    nsx('ip6tables', '-A', 'INPUT', '-p', 'icmpv6', '--icmpv6-type', 'echo-request', '-j', 'REJECT', '--reject-with', 'icmp6-adm-prohibited');
    const { facts } = runChild(['ip', 'netns', 'exec', ns], [
      { address: '::1', opts: { method: 'raw-socket', count: 1, timeoutMs: 500 } },
      { address: '::1', opts: { method: 'system-ping', count: 1, timeoutMs: 500 } },
    ]);
    for (const f of facts) {
      expect(f).toMatchObject({ state: 'unreachable', received: 0 });
      expect(f.unreachable).toMatchObject({ type: 1, code: 1, text: 'Destination unreachable: Administratively prohibited' });
    }
    nsx('ip6tables', '-F', 'INPUT');
  });
});

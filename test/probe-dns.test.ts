// DNS probe against a real DNS server started on loopback (test/support/dns-server.ts). The system
// resolver is switched off here because it would ask the host's configured resolver (off-host traffic);
// the last block exercises it inside a network namespace whose resolv.conf points at the test server.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import dgram from 'node:dgram';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeDns } from '../src/core/probe/dns';
import type { DnsFact } from '../src/core/probe/types';
import { startDnsServer, type TestDnsServer, type Zone } from './support/dns-server';

const ZONE: Zone = {
  'www.sgd.test': { a: ['10.200.250.10'], aaaa: ['fd00:200::10'] },
  'v4.sgd.test': { a: ['10.200.250.11', '10.200.250.12'] },
  'v6only.sgd.test': { aaaa: ['fd00:200::20'] },
  'alias.sgd.test': { cname: 'edge.cdn.test' },
  'edge.cdn.test': { cname: 'edge-2.cdn.test' },
  'edge-2.cdn.test': { a: ['10.200.250.99'] },
  'dangling.sgd.test': { cname: 'gone.sgd.test' },
  'broken.sgd.test': { rcode: 'SERVFAIL' },
  'refused.sgd.test': { rcode: 'REFUSED' },
  'hole.sgd.test': { blackhole: true },
  'empty.sgd.test': {},
  'slow.sgd.test': { a: ['10.200.250.13'], delayMs: 150 },
};

// A second resolver with a different view (split horizon / stale secondary).
const OTHER_ZONE: Zone = {
  'www.sgd.test': { a: ['10.200.250.50'] },
  'v4.sgd.test': { a: ['10.200.250.60'] },
};

let srv: TestDnsServer;
let other: TestDnsServer;
beforeAll(async () => {
  srv = await startDnsServer(ZONE);
  other = await startDnsServer(OTHER_ZONE);
});
afterAll(async () => {
  await srv?.close();
  await other?.close();
});

const probe = (host: string, extra: Partial<Parameters<typeof probeDns>[1]> = {}): Promise<DnsFact> =>
  probeDns(host, { servers: [srv.server], systemResolver: false, timeoutMs: 800, ...extra });

describe('probeDns: direct queries to a local resolver', () => {
  it('answers A and AAAA with timing', async () => {
    const f = await probe('www.sgd.test');
    expect(f.isIpLiteral).toBe(false);
    expect(f.system).toBeNull();
    expect(f.direct).toHaveLength(1);
    const d = f.direct[0];
    expect(d).toMatchObject({ resolver: srv.server, a: ['10.200.250.10'], aaaa: ['fd00:200::10'], cname: [] });
    expect(d.error).toBeUndefined();
    expect(d.durationMs).toBeGreaterThan(0);
    expect(d.durationMs).toBeLessThan(800);
    expect(f.addresses).toEqual(['10.200.250.10', 'fd00:200::10']);
    expect(Date.parse(f.finishedAt)).toBeGreaterThanOrEqual(Date.parse(f.startedAt));
    expect(srv.queries.filter((q) => q.name === 'www.sgd.test').map((q) => q.type).sort()).toEqual(
      expect.arrayContaining(['A', 'AAAA', 'CNAME']),
    );
  });

  it('AAAA-only names give IPv6 addresses and no error', async () => {
    const f = await probe('v6only.sgd.test');
    expect(f.direct[0]).toMatchObject({ a: [], aaaa: ['fd00:200::20'] });
    expect(f.direct[0].error).toBeUndefined();
    expect(f.addresses).toEqual(['fd00:200::20']);
  });

  it('follows a CNAME chain hop by hop', async () => {
    const f = await probe('alias.sgd.test');
    expect(f.direct[0]).toMatchObject({ cname: ['edge.cdn.test', 'edge-2.cdn.test'], a: ['10.200.250.99'] });
  });

  it('classifies NXDOMAIN', async () => {
    const f = await probe('nope.sgd.test');
    expect(f.direct[0]).toMatchObject({ error: 'NXDOMAIN', a: [], aaaa: [] });
    expect(f.direct[0].errorDetail).toMatch(/ENOTFOUND/);
    expect(f.addresses).toEqual([]);
  });

  it('a CNAME into nothing is NXDOMAIN with the chain kept', async () => {
    const f = await probe('dangling.sgd.test');
    expect(f.direct[0]).toMatchObject({ error: 'NXDOMAIN', cname: ['gone.sgd.test'] });
  });

  it('classifies SERVFAIL', async () => {
    expect((await probe('broken.sgd.test')).direct[0].error).toBe('SERVFAIL');
  });

  it('classifies REFUSED (rcode 5)', async () => {
    expect((await probe('refused.sgd.test')).direct[0].error).toBe('REFUSED');
  });

  it('classifies NODATA (name exists, no address records)', async () => {
    expect((await probe('empty.sgd.test')).direct[0].error).toBe('NODATA');
  });

  it('classifies TIMEOUT and honours the timeout as a deadline', async () => {
    const f = await probe('hole.sgd.test', { timeoutMs: 300 });
    expect(f.direct[0].error).toBe('TIMEOUT');
    expect(f.direct[0].durationMs).toBeGreaterThanOrEqual(250);
    expect(f.direct[0].durationMs).toBeLessThan(1500);
  });

  it('waits for a slow but answering server', async () => {
    const f = await probe('slow.sgd.test');
    expect(f.direct[0].a).toEqual(['10.200.250.13']);
    expect(f.direct[0].durationMs).toBeGreaterThanOrEqual(140);
  });

  it('a resolver port with nothing listening is REFUSED (ICMP port unreachable)', async () => {
    const sock = dgram.createSocket('udp4');
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
    const port = sock.address().port;
    await new Promise<void>((r) => sock.close(() => r()));
    const f = await probeDns('www.sgd.test', { servers: [`127.0.0.1:${port}`], systemResolver: false, timeoutMs: 800 });
    expect(f.direct[0].error).toBe('REFUSED');
  });

  it('an invalid resolver address is reported, not thrown', async () => {
    const f = await probeDns('www.sgd.test', { servers: ['not-an-ip'], systemResolver: false });
    expect(f.direct[0]).toMatchObject({ resolver: 'not-an-ip', error: 'OTHER' });
    expect(f.direct[0].errorDetail).toMatch(/invalid resolver/);
  });

  it('queries several resolvers in parallel and merges addresses in order', async () => {
    const f = await probeDns('www.sgd.test', { servers: [srv.server, other.server], systemResolver: false, timeoutMs: 800 });
    expect(f.direct.map((d) => d.resolver)).toEqual([srv.server, other.server]);
    expect(f.addresses).toEqual(['10.200.250.10', 'fd00:200::10', '10.200.250.50']);
  });

  it('stops on abort (resolver cancelled)', async () => {
    const ac = new AbortController();
    const t0 = Date.now();
    setTimeout(() => ac.abort(), 100);
    const f = await probe('hole.sgd.test', { timeoutMs: 5000, signal: ac.signal });
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(f.direct[0].errorDetail).toBe('aborted');
  });

  it('works with an IPv6 resolver address ([::1]:port)', async (ctx) => {
    let v6: TestDnsServer;
    try {
      v6 = await startDnsServer(ZONE, { host: '::1' });
    } catch (e) {
      console.log(`skip: no IPv6 loopback here (${(e as Error).message})`);
      ctx.skip();
      return;
    }
    try {
      const f = await probeDns('www.sgd.test', { servers: [v6.server], systemResolver: false, timeoutMs: 800 });
      expect(v6.server).toMatch(/^\[::1\]:\d+$/);
      expect(f.direct[0]).toMatchObject({ resolver: v6.server, a: ['10.200.250.10'], aaaa: ['fd00:200::10'] });
    } finally {
      await v6.close();
    }
  });
});

describe('probeDns: expected address comparison', () => {
  it('match', async () => {
    const f = await probe('www.sgd.test', { expectIp: '10.200.250.10' });
    expect(f.expected).toMatchObject({ address: '10.200.250.10', verdict: 'match' });
  });

  it('match on an IPv6 address written differently', async () => {
    const f = await probe('www.sgd.test', { expectIp: 'fd00:200:0:0::10' });
    expect(f.expected?.verdict).toBe('match');
  });

  it('mismatch names both addresses', async () => {
    const f = await probe('v4.sgd.test', { expectIp: '10.200.250.200' });
    expect(f.expected?.verdict).toBe('mismatch');
    expect(f.expected?.detail).toContain('10.200.250.200');
    expect(f.expected?.detail).toContain('10.200.250.11');
  });

  it('resolvers-disagree when one resolver has the expected address and another not', async () => {
    const f = await probeDns('www.sgd.test', {
      servers: [srv.server, other.server],
      systemResolver: false,
      expectIp: '10.200.250.10',
      timeoutMs: 800,
    });
    expect(f.expected?.verdict).toBe('resolvers-disagree');
    expect(f.expected?.detail).toContain('10.200.250.50');
    expect(f.expected?.detail).toContain('10.200.250.10');
  });

  it('resolvers-disagree when they differ and none has the expected address', async () => {
    const f = await probeDns('v4.sgd.test', {
      servers: [srv.server, other.server],
      systemResolver: false,
      expectIp: '10.200.250.200',
      timeoutMs: 800,
    });
    expect(f.expected?.verdict).toBe('resolvers-disagree');
  });

  it('cdn-or-proxy for a CNAME to other addresses', async () => {
    const f = await probe('alias.sgd.test', { expectIp: '10.200.250.10' });
    expect(f.expected?.verdict).toBe('cdn-or-proxy');
    expect(f.expected?.detail).toMatch(/edge\.cdn\.test.*10\.200\.250\.99.*10\.200\.250\.10/);
  });

  it('no-answer says why', async () => {
    const f = await probe('nope.sgd.test', { expectIp: '10.200.250.10' });
    expect(f.expected?.verdict).toBe('no-answer');
    expect(f.expected?.detail).toContain('NXDOMAIN');
  });
});

describe('probeDns: IP literals skip DNS', () => {
  for (const [host, addr] of [
    ['10.200.250.1', '10.200.250.1'],
    ['::1', '::1'],
    ['[fd00:200::1]', 'fd00:200::1'],
  ] as const) {
    it(`${host} is not looked up`, async () => {
      const before = srv.queries.length;
      const f = await probe(host, { expectIp: addr });
      expect(f).toMatchObject({ isIpLiteral: true, system: null, direct: [], addresses: [addr] });
      expect(f.expected?.verdict).toBe('match');
      expect(srv.queries.length).toBe(before);
    });
  }
  it('an IP literal that is not the expected address is a mismatch', async () => {
    const f = await probe('10.200.250.1', { expectIp: '10.200.250.2' });
    expect(f.expected?.verdict).toBe('mismatch');
  });
});

describe('probeDns: system resolver', () => {
  it('reads the hosts file for localhost without any query', async () => {
    const before = srv.queries.length;
    const f = await probeDns('localhost', { servers: [srv.server], timeoutMs: 800 });
    expect(f.system?.resolver).toBe('system');
    expect([...(f.system?.a ?? []), ...(f.system?.aaaa ?? [])]).toEqual(expect.arrayContaining(['127.0.0.1']));
    expect(f.addresses[0]).toBe(f.system?.a[0] ?? f.system?.aaaa[0]);
    // localhost is not in the test zone: the direct query says so while the hosts file answers.
    expect(f.direct[0].error).toBe('NXDOMAIN');
    expect(srv.queries.length).toBeGreaterThan(before);
  });
});

// getaddrinfo and dns.getServers() for real, inside a namespace: `ip netns exec` bind-mounts
// /etc/netns/NS/resolv.conf and hosts over /etc, so the namespace's system resolver is the test server.
const canNetns =
  process.getuid?.() === 0 && spawnSync('ip', ['netns', 'list'], { stdio: 'ignore' }).status === 0;

describe.skipIf(!canNetns)('probeDns: system resolver and default servers inside a namespace', () => {
  const ns = `sgdh2-dns${process.pid % 100000}`;
  const etc = `/etc/netns/${ns}`;
  const hadEtcNetns = existsSync('/etc/netns');
  beforeAll(() => {
    execFileSync('ip', ['netns', 'add', ns]);
    execFileSync('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    mkdirSync(etc, { recursive: true });
    writeFileSync(join(etc, 'resolv.conf'), 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n');
    // The hosts file pins www.sgd.test elsewhere: the classic "works for me, not for you" split.
    writeFileSync(join(etc, 'hosts'), '127.0.0.1 localhost\n::1 localhost\n10.200.250.77 www.sgd.test\n');
  });
  afterAll(() => {
    spawnSync('ip', ['netns', 'del', ns]);
    rmSync(etc, { recursive: true, force: true });
    if (!hadEtcNetns && existsSync('/etc/netns') && readdirSync('/etc/netns').length === 0) rmdirSync('/etc/netns');
  });

  it('compares getaddrinfo with the configured resolver', () => {
    const args = {
      zone: ZONE,
      probes: [
        { host: 'www.sgd.test', expectIp: '10.200.250.10' },
        { host: 'v4.sgd.test', expectIp: '10.200.250.11' },
        { host: 'nope.sgd.test' },
        { host: 'alias.sgd.test' },
      ],
    };
    const out = execFileSync(
      'ip',
      ['netns', 'exec', ns, process.execPath, '--import', 'tsx', 'test/support/dns-ns-child.ts', JSON.stringify(args)],
      { cwd: join(__dirname, '..'), encoding: 'utf8', timeout: 30_000 },
    );
    const res = JSON.parse(out.trim().split('\n').pop()!) as { servers: string[]; facts: DnsFact[]; queries: number };
    expect(res.servers).toEqual(['127.0.0.1']);
    const [www, v4, nope, alias] = res.facts;

    expect(www.system).toMatchObject({ resolver: 'system', a: ['10.200.250.77'] });
    expect(www.direct[0]).toMatchObject({ resolver: '127.0.0.1', a: ['10.200.250.10'] });
    expect(www.addresses[0]).toBe('10.200.250.77'); // system resolver's order first
    expect(www.expected?.verdict).toBe('resolvers-disagree');
    expect(www.expected?.detail).toContain('10.200.250.77');

    expect(v4.system?.a.sort()).toEqual(['10.200.250.11', '10.200.250.12']);
    expect(v4.expected?.verdict).toBe('match');

    expect(nope.system?.error).toBe('NXDOMAIN');
    expect(nope.direct[0].error).toBe('NXDOMAIN');

    expect(alias.system?.a).toEqual(['10.200.250.99']);
    expect(alias.direct[0].cname).toEqual(['edge.cdn.test', 'edge-2.cdn.test']);
    expect(res.queries).toBeGreaterThan(0);
  });
});

// The path as a picture: table over the verdict scenarios (the builders verdict.test.ts uses), with and
// without a trace, plus the invariants every picture must satisfy.
import { describe, expect, it } from 'vitest';
import { CHECKS, runChecks } from './checks';
import { contradictions, PATH_BLOCKERS } from './invariants';
import { OFF_PATH_CHECKS, pathBreak, pathSegments, SEGMENT_IDS, segmentOfCheck, type PathInput, type Segment } from './path-picture';
import { acl, aclEval, client, dnsFact, evidence, facts, httpBanner, icmpFact, IDS, miss, report, rule, sgDeny, snapshot, sshBanner, tcp, type FactsOpts } from './testing/builders';
import type { TraceFact, TraceHop } from '../probe/trace/types';
import { decideVerdict } from './verdict';
import { decideIcp } from '../probe/icp';
import type { IcpRequestFact } from '../probe/types';

const timeout = (o: { address?: string; port?: number } = {}) => tcp('filtered', 'no-response', o);
const refused = () => tcp('closed', 'conn-refused', { errno: 'ECONNREFUSED' });
const noControl = { client: client({ control: [] }) };

/** A name on port 80 whose request by IP is answered and by name is reset (as in verdict.test.ts). */
function icpBlocked(): FactsOpts {
  const byIp: IcpRequestFact = { by: 'ip', hostHeader: IDS.publicIp, sni: null, connected: true, sent: true, http: { statusLine: 'HTTP/1.1 200 OK', statusCode: 200, server: 'nginx', location: null }, bodyBytes: 10, bytesRead: 200, durationMs: 30 };
  const byName: IcpRequestFact = { by: 'name', hostHeader: 'shop.example.com', sni: null, connected: true, sent: true, failedAt: 'response', error: 'reset', bodyBytes: 0, bytesRead: 0, durationMs: 30 };
  const probes = { ...report([tcp('open', 'syn-ack', { port: 80, banner: { kind: 'none', method: 'http-head', bytesRead: 0, durationMs: 5, error: 'reset' } })], { host: 'shop.example.com' }), icp: { host: 'shop.example.com', address: IDS.publicIp, port: 80, scheme: 'http' as const, byIp, byName, decision: decideIcp(byIp, byName, 'shop.example.com', IDS.publicIp), startedAt: '', finishedAt: '' } };
  return { host: 'shop.example.com', port: 80, service: 'http', probes };
}

const hop = (ttl: number, address: string | null): TraceHop => ({ ttl, address, rttMs: address ? [ttl * 2] : [], sent: 3, loss: address ? 0 : 1 });
function trace(hops: (string | null)[], o: Partial<TraceFact> = {}): TraceFact {
  const hs = hops.map((a, i) => hop(i + 1, a));
  return {
    method: 'tcp-syn',
    tool: 'traceroute',
    target: IDS.publicIp,
    targetAddress: IDS.publicIp,
    port: 22,
    hops: hs,
    reached: hs.some((h) => h.address === IDS.publicIp),
    maxHops: 30,
    durationMs: 1200,
    startedAt: '2026-11-20T08:00:00.000Z',
    ...o,
  };
}

function picture(f: FactsOpts, tr?: TraceFact | null): { segs: Segment[]; input: PathInput } {
  const F = facts(f);
  const checks = runChecks(F);
  const verdict = decideVerdict(F, checks);
  expect(contradictions(checks, verdict)).toEqual([]);
  const input: PathInput = { ...F, cloud: F.cloud!, checks, verdict, ...(tr !== undefined ? { trace: tr } : {}) };
  return { segs: pathSegments(input), input };
}

/**
 * One character per segment, in path order (computer, own network, internet, cloud edge, ACL, security
 * group, server firewall, service): o ok, ! THE break, x broken (not the break), ? unknown, s suspect,
 * c conflict (a check says blocked where the packets passed).
 */
const code = (segs: Segment[]): string =>
  segs.map((s) => (s.isBreak ? '!' : s.conflict ? 'c' : s.suspect ? 's' : s.status === 'ok' ? 'o' : s.status === 'broken' ? 'x' : '?')).join('');

interface Row {
  name: string;
  f: FactsOpts;
  pic: string;
  /** The check whose finding the break carries. */
  breakCheck?: string;
}

const table: Row[] = [
  { name: 'healthy: ssh answers', f: {}, pic: 'oooooooo' },
  { name: 'rule missing', f: { probes: report([timeout()]), snapshot: snapshot({ rules: [] }), sg: sgDeny() }, pic: 'oo?oo!??', breakCheck: 'sg.inbound-rule' },
  {
    name: 'rule on the wrong direction',
    f: { probes: report([timeout()]), snapshot: snapshot({ rules: [rule('sgr-out', { direction: 'egress' })] }), sg: sgDeny([miss('wrong-direction', 'sgr-out', 'rule is egress; the flow is ingress')]) },
    pic: 'oo?oo!??',
    breakCheck: 'sg.direction',
  },
  {
    name: 'source is the wrong public IP (client NAT): the packets die at the security group',
    f: {
      probes: report([timeout()], { client: client({ egress: '198.51.100.44' }) }),
      snapshot: snapshot({ rules: [rule('sgr-old', { peer: { kind: 'cidr', cidr: '203.0.113.7/32', family: 4 } })] }),
      sg: sgDeny([miss('source-excludes-client', 'sgr-old', '203.0.113.7/32 does not contain 198.51.100.44', { clientIp: '198.51.100.44', cidr: '203.0.113.7/32' })]),
    },
    pic: 'oo?oo!??',
    breakCheck: 'client.egress-ip',
  },
  { name: 'network ACL deny', f: { probes: report([timeout()]), snapshot: snapshot({ acl: acl() }), acl: aclEval('deny', 'allow') }, pic: 'oo?o!o??', breakCheck: 'net.acl-inbound' },
  { name: 'ACL missing the return range', f: { probes: report([timeout()]), snapshot: snapshot({ acl: acl() }), acl: aclEval('allow', 'deny') }, pic: 'oo?o!o??', breakCheck: 'net.acl-return' },
  { name: 'instance stopped', f: { probes: report([timeout()]), snapshot: snapshot({ status: 'Stopped' }) }, pic: 'oo?!oo??', breakCheck: 'instance.running' },
  { name: 'no public IP', f: { probes: report([timeout()]), snapshot: snapshot({ publicIp: null }) }, pic: 'oo?!oo??', breakCheck: 'net.public-ip' },
  { name: 'OS firewall DROP (ufw-like, inferred)', f: { probes: report([timeout()]) }, pic: 'oo?ooo!?', breakCheck: 'os.firewall' },
  { name: 'timeout, cloud allows, no control probe: inconclusive, no break', f: { probes: report([timeout()], noControl) }, pic: '???ooo??' },
  { name: 'carrier-blocked port: a suspicion at the internet', f: { probes: report([timeout({ port: 445 })]), port: 445, service: 'smb' }, pic: '??!ooo??', breakCheck: 'net.carrier-blocked-port' },
  {
    name: 'firewalld REJECT host-prohibited: reached the host',
    f: { probes: report([tcp('filtered', 'host-unreach', { errno: 'EHOSTUNREACH' })], { icmp: icmpFact('unreachable', { type: 3, code: 10, from: IDS.publicIp, text: 'Destination Host Prohibited' }) }) },
    pic: 'oooooo!?',
    breakCheck: 'os.firewall',
  },
  {
    name: 'an ICMP reject from a device on the way: network, where is not told',
    f: { probes: report([tcp('filtered', 'host-unreach', { errno: 'EHOSTUNREACH' })], { icmp: icmpFact('unreachable', { type: 3, code: 10, from: '61.1.1.1', text: 'Destination Host Prohibited' }) }) },
    pic: 'oo!ooo??',
  },
  { name: 'service not listening (RST)', f: { probes: report([refused()]) }, pic: 'oooooo?!', breakCheck: 'os.listening' },
  {
    name: 'service bound to 127.0.0.1 (server evidence)',
    f: { probes: report([refused()]), server: evidence({ listeners: [{ protocol: 'tcp', address: '127.0.0.1', port: 22, process: 'sshd' }], sshd: { ports: [22], listenAddresses: ['127.0.0.1'] } }) },
    pic: 'ooooooo!',
    breakCheck: 'os.bind-address',
  },
  {
    name: 'client egress block on the port',
    f: { probes: report([timeout()], { client: client({ control: [{ host: 'control.example', port: 22, state: 'filtered', reason: 'no-response', rttMs: null }] }) }) },
    pic: '?!?ooo??',
    breakCheck: 'client.egress',
  },
  {
    name: 'DNS points elsewhere: the probes met another host, so they clear nothing beyond',
    f: { host: 'www.example.com', probes: report([tcp('closed', 'conn-refused', { address: '198.51.100.99', errno: 'ECONNREFUSED' })], { dns: dnsFact('www.example.com', ['198.51.100.99']), host: 'www.example.com' }) },
    pic: '!o??????',
    breakCheck: 'client.dns',
  },
  { name: 'application error (HTTP 502) over a working connection', f: { port: 80, service: 'http', probes: report([tcp('open', 'syn-ack', { port: 80, banner: httpBanner(502, 'HTTP/1.1 502 Bad Gateway') })]) }, pic: 'ooooooo!', breakCheck: 'app.responds' },
  { name: 'name intercepted for a missing ICP filing: past a working connection, at the cloud’s edge', f: icpBlocked(), pic: 'ooo!oooo', breakCheck: 'net.icp-filing' },
  { name: 'local firewall EACCES', f: { probes: report([tcp('filtered', 'admin-prohibited', { errno: 'EACCES' })]) }, pic: '!o?ooo??', breakCheck: 'client.local-firewall' },
  { name: 'RST while the cloud denies: a conflict, not a red', f: { probes: report([refused()]), sg: sgDeny() }, pic: 'oooooc??' },
  { name: 'no cloud: RST still says server', f: { probes: report([refused()]), snapshot: null }, pic: 'oooooo?!', breakCheck: 'os.listening' },
  { name: 'no cloud: timeout is inconclusive', f: { probes: report([timeout()]), snapshot: null }, pic: 'oo??????' },
  { name: 'no cloud, server evidence clears the server: somewhere in the network', f: { probes: report([timeout()]), snapshot: null, server: evidence() }, pic: 'oossssoo' },
  { name: 'nothing at all', f: { probes: null, snapshot: null }, pic: '????????' },
  { name: 'ufw evidence says deny', f: { probes: report([timeout()]), server: evidence({ firewall: [{ kind: 'ufw', active: true, allowsPort: { '22/tcp': false }, defaultInbound: 'drop', details: [] }] }) }, pic: 'oo?ooo!o', breakCheck: 'os.firewall' },
  { name: 'the configuration describes another host (RST from it)', f: { probes: report([tcp('closed', 'conn-refused', { errno: 'ECONNREFUSED', address: '47.96.99.99' })]) }, pic: 'oooooo??' },
];

describe('pathSegments over the verdict scenarios', () => {
  it.each(table)('$name → $pic', (row) => {
    const { segs, input } = picture(row.f);
    expect(code(segs)).toBe(row.pic);
    const b = pathBreak(segs);
    if (row.breakCheck) {
      expect(b?.checkIds[0]).toBe(row.breakCheck);
      expect(b?.finding).toEqual(input.checks.find((c) => c.id === row.breakCheck)!.finding);
    } else if (!row.pic.includes('!')) expect(b).toBeNull();
  });
});

describe('with a trace', () => {
  it('own-network hops under your network, public hops under the internet, the target at the cloud’s edge', () => {
    const tr = trace(['192.168.1.1', '10.0.0.1', '100.64.0.1', '61.1.1.1', null, IDS.publicIp]);
    const { segs } = picture({ probes: report([refused()]) }, tr);
    const by = Object.fromEntries(segs.map((s) => [s.id, (s.hops ?? []).map((h) => h.address)]));
    expect(by['own-network']).toEqual(['192.168.1.1', '10.0.0.1']);
    expect(by.internet).toEqual(['100.64.0.1', '61.1.1.1', null]);
    expect(by['cloud-edge']).toEqual([IDS.publicIp]);
    expect(by.computer).toEqual([]);
    expect(segs.find((s) => s.id === 'own-network')!.hops![0]).toMatchObject({ ttl: 1, class: 'private', zone: 'own-network' });
  });

  it('a TCP trace to the port that left your network clears this computer and your network (no control probe)', () => {
    const tr = trace(['192.168.1.1', '61.1.1.1', '202.97.1.1', null, null]);
    const { segs } = picture({ probes: report([timeout()], noControl) }, tr);
    expect(code(segs)).toBe('oo?ooo??');
    expect(segs[0].basis).toBe('trace');
    expect(segs[1].finding?.en).toContain('left your network');
  });

  it('a TCP trace that reached the target clears everything up to the security group', () => {
    const tr = trace(['192.168.1.1', '61.1.1.1', IDS.publicIp]);
    const { segs } = picture({ probes: report([timeout()], noControl), snapshot: null }, tr);
    expect(code(segs).slice(0, 6)).toBe('oooooo');
    expect(segs[5].basis).toBe('trace');
  });

  it('a TCP trace stopping inside your network clears nothing; its hops are shown', () => {
    const tr = trace(['192.168.1.1', null, null, null]);
    const { segs } = picture({ probes: report([timeout()], noControl) }, tr);
    expect(code(segs)).toBe('???ooo??');
    expect(segs[1].hops?.map((h) => h.address)).toEqual(['192.168.1.1', null, null, null]);
  });

  it('UDP or ICMP traces, or a TCP trace to another port, show the route but clear nothing for the port', () => {
    for (const tr of [trace(['192.168.1.1', '61.1.1.1', IDS.publicIp], { method: 'udp', port: undefined }), trace(['192.168.1.1', '61.1.1.1', IDS.publicIp], { port: 443 })]) {
      const { segs } = picture({ probes: report([timeout()], noControl) }, tr);
      expect(code(segs)).toBe('???ooo??');
      expect(segs[2].hops?.map((h) => h.address)).toEqual(['61.1.1.1']);
    }
  });

  it('a malformed trace (an untrusted session file) is ignored', () => {
    const bad = { method: 'tcp-syn', hops: 'nope', reached: 'yes' } as unknown as TraceFact;
    const { segs } = picture({ probes: report([timeout()], noControl) }, bad);
    expect(code(segs)).toBe('???ooo??');
    expect(segs.every((s) => s.hops === undefined)).toBe(true);
  });

  it('no trace and an empty trace give the same statuses', () => {
    const a = picture({ probes: report([refused()]) }).segs;
    const b = picture({ probes: report([refused()]) }, trace([])).segs;
    expect(code(b)).toBe(code(a));
  });
});

describe('every picture', () => {
  const pictures = [...table.map((r) => picture(r.f)), picture({ probes: report([timeout()], noControl) }, trace(['192.168.1.1', '61.1.1.1', IDS.publicIp]))];

  it('has the eight segments in path order, each named in both languages', () => {
    for (const { segs } of pictures) {
      expect(segs.map((s) => s.id)).toEqual(SEGMENT_IDS);
      for (const s of segs) expect(s.label.en && s.label['zh-CN']).toBeTruthy();
    }
  });

  it('marks at most one break, red and with a finding, and only for a verdict that places the fault', () => {
    for (const { segs, input } of pictures) {
      const breaks = segs.filter((s) => s.isBreak);
      expect(breaks.length).toBeLessThanOrEqual(1);
      for (const b of breaks) {
        expect(b.status).toBe('broken');
        expect(b.finding?.en).toBeTruthy();
      }
      if (input.verdict.locus === 'none' || input.verdict.locus === 'inconclusive') expect(breaks).toEqual([]);
    }
  });

  it('never shows red where the packets were seen to pass, unless the fault lies past the connection (application, name-based interception)', () => {
    for (const { segs } of pictures) {
      for (const s of segs.filter((x) => x.status === 'broken' && (x.basis === 'connection' || x.basis === 'reached-host'))) expect(s.id).toBe('service');
      for (const s of segs.filter((x) => x.status === 'broken')) expect(s.finding).toBeDefined();
    }
  });

  it('says suspects only without a break', () => {
    for (const { segs } of pictures) if (segs.some((s) => s.suspect)) expect(pathBreak(segs)).toBeNull();
  });
});

describe('the check → segment map', () => {
  it('places every check of the checklist on a segment, or says it is off the inbound path', () => {
    const unplaced = CHECKS.map((c) => c.id).filter((id) => segmentOfCheck(id) === null && !OFF_PATH_CHECKS.has(id));
    expect(unplaced).toEqual([]);
  });
  it('places the security-group details that appear only as failing ids', () => {
    for (const id of ['sg.direction', 'sg.protocol', 'sg.port', 'sg.source', 'sg.nic-type']) expect(segmentOfCheck(id)).toBe('security-group');
  });
});

describe('pictures over every combination of the builders’ facts', () => {
  // Probe outcome × cloud configuration × server evidence × control probe: each combination the checks and
  // the verdict accept without contradiction must give a picture that does not contradict itself either.
  const probes = {
    open: tcp('open', 'syn-ack', { banner: sshBanner() }),
    refused: refused(),
    timeout: timeout(),
    rejectFromHost: tcp('filtered', 'host-unreach', { errno: 'EHOSTUNREACH' }),
    localBlock: tcp('filtered', 'admin-prohibited', { errno: 'EACCES' }),
  };
  const clouds: Record<string, Pick<FactsOpts, 'snapshot' | 'sg' | 'acl'>> = {
    none: { snapshot: null },
    allows: {},
    sgDenies: { snapshot: snapshot({ rules: [] }), sg: sgDeny() },
    aclDenies: { snapshot: snapshot({ acl: acl() }), acl: aclEval('deny', 'allow') },
    stopped: { snapshot: snapshot({ status: 'Stopped' }) },
    noPublicIp: { snapshot: snapshot({ publicIp: null }) },
  };
  const servers: Record<string, FactsOpts['server']> = {
    none: null,
    allows: evidence(),
    firewallDenies: evidence({ firewall: [{ kind: 'ufw', active: true, allowsPort: { '22/tcp': false }, defaultInbound: 'drop', details: [] }] }),
    notListening: evidence({ listeners: [] }),
  };
  const controls: Record<string, ReturnType<typeof client>> = {
    ok: client(),
    fails: client({ control: [{ host: 'control.example', port: 22, state: 'filtered', reason: 'no-response', rttMs: null }] }),
    none: client({ control: [] }),
  };
  const traces: Record<string, TraceFact | undefined> = { none: undefined, leftNetwork: trace(['192.168.1.1', '61.1.1.1', null]), reached: trace(['192.168.1.1', '61.1.1.1', IDS.publicIp]) };

  const cases: { name: string; f: FactsOpts; tr?: TraceFact }[] = [];
  for (const [p, t] of Object.entries(probes))
    for (const [c, cl] of Object.entries(clouds))
      for (const [s, sv] of Object.entries(servers))
        for (const [k, ctl] of Object.entries(controls))
          for (const [r, tr] of Object.entries(traces)) cases.push({ name: `${p}/${c}/${s}/${k}/${r}`, f: { probes: report([t], { client: ctl }), ...cl, server: sv }, tr });

  it(`holds for all ${cases.length} combinations`, () => {
    let checked = 0;
    const failures: string[] = [];
    for (const x of cases) {
      const F = facts(x.f);
      const checks = runChecks(F);
      const verdict = decideVerdict(F, checks);
      if (contradictions(checks, verdict).length) continue; // the checks' own invariants are tested elsewhere
      checked++;
      const segs = pathSegments({ ...F, cloud: F.cloud!, checks, verdict, ...(x.tr ? { trace: x.tr } : {}) });
      const breaks = segs.filter((s) => s.isBreak);
      const say = (why: string) => failures.push(`${x.name} [${verdict.ruleId}] ${code(segs)}: ${why}`);
      if (breaks.length > 1) say('two breaks');
      const b = breaks[0];
      if (b && b.status !== 'broken') say('the break is not red');
      if (b && !b.finding) say('the break has no finding');
      if (b && (verdict.locus === 'none' || verdict.locus === 'inconclusive')) say('a break without a located verdict');
      if (b && b.basis === 'check' && !verdict.blockingCheckIds.includes(b.checkIds[0])) say('the break is not the verdict’s deciding check');
      if (segs.some((s) => s.suspect) && b) say('suspects beside a break');
      // Packets seen past a path-blocking red: the picture would contradict itself.
      const seen = segs.map((s) => s.basis === 'connection' || s.basis === 'reached-host' || s.basis === 'trace');
      for (const [i, s] of segs.entries()) {
        if (s.status !== 'broken' || !s.checkIds.some((id) => PATH_BLOCKERS.has(id) && checks.find((c) => c.id === id)?.status === 'fail')) continue;
        if (seen.slice(i).some(Boolean) && segs.slice(i).some((z, j) => seen[i + j] && z.status === 'ok')) say(`packets seen past the red ${s.id}`);
      }
    }
    expect(failures).toEqual([]);
    expect(checked).toBeGreaterThan(cases.length / 2);
  });
});

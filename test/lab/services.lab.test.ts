// DNS against a resolver running on another lab host (direct queries and the client's own system
// resolver), banners from real servers (SSH-like, HTTP, HTTPS with an openssl certificate), the egress
// IP seen by an echo server and control probes, and finally the whole `sg-doctor probe <name>` run.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { BannerFact, ClientContextFact, DnsFact, ProbeReport } from '../../src/core/probe/types';
import type { Zone } from '../support/dns-server';
import { describeLab } from './describe-lab';
import { createLab, HTTP_SERVER_HEADER, sgDoctorArgv, SSH_BANNER, type CallOutcome, type Lab, type LabAddresses } from './lab';

const DNS = 'src/core/probe/dns';
const BANNER = 'src/core/probe/banner';
const CLIENT = 'src/core/probe/client';

function ok<T>(o: CallOutcome): T {
  if (!o.ok) throw new Error(o.error);
  return o.value as T;
}

describeLab('lab: DNS, banners, client context and the full probe run', () => {
  let lab: Lab;
  let server: { ipv4: string; ipv6: string | null };
  let resolver: string;

  beforeAll(async () => {
    // The zone is a function of the lab's addresses (known once the lab has its number).
    const zone = ({ hosts }: LabAddresses): Zone => ({
      'www.lab.test': { a: [hosts.server.ipv4], aaaa: hosts.server.ipv6 ? [hosts.server.ipv6] : [] },
      'alias.lab.test': { cname: 'www.lab.test' },
      'cdn.lab.test': { cname: 'edge.cdn.test' },
      'edge.cdn.test': { a: ['10.200.250.7'] },
      'v4only.lab.test': { a: [hosts.server.ipv4] },
      'slow.lab.test': { blackhole: true },
    });
    lab = await createLab({
      hosts: {
        server: {
          ports: [
            { port: 22, listen: 'ssh' },
            { port: 80, listen: 'http' },
            { port: 443, listen: 'https' },
            { port: 8080, listen: 'egress-echo' },
            { port: 3306, listen: 'none' },
            { port: 3389, firewall: 'drop' },
          ],
        },
        dns: { dns: { zone } },
        control: { ports: [{ port: 443, listen: 'tcp' }, { port: 22, listen: 'tcp' }] },
        // A resolver whose host drops DNS: queries to it time out.
        deaddns: { extraInputRules: [['-p', 'udp', '--dport', '53', '-j', 'DROP'], ['-p', 'tcp', '--dport', '53', '-j', 'DROP']] },
      },
      clientResolver: 'dns',
    });
    server = lab.hosts.server;
    resolver = lab.hosts.dns.ipv4;
  });

  afterAll(async () => {
    await lab?.destroy();
  });

  it('DNS: A/AAAA, CNAME chains, NXDOMAIN and NODATA from a resolver on another host, and from the system resolver', async () => {
    const q = (host: string, expectIp?: string) => ({ module: DNS, fn: 'probeDns', args: [host, { servers: [resolver], expectIp, timeoutMs: 1500 }] });
    const [www, alias, cdn, nx, v4only] = (
      await lab.callMany([q('www.lab.test', server.ipv4), q('alias.lab.test', server.ipv4), q('cdn.lab.test', server.ipv4), q('nope.lab.test'), q('v4only.lab.test')])
    ).map((o) => ok<DnsFact>(o));

    const direct = www.direct[0];
    expect(direct.resolver).toContain(resolver);
    expect(direct.a).toEqual([server.ipv4]);
    if (server.ipv6) expect(direct.aaaa).toEqual([server.ipv6]);
    expect(direct.error).toBeUndefined();
    // The client's getaddrinfo asks the same lab resolver (resolv.conf of the client namespace).
    expect(www.system?.a).toEqual([server.ipv4]);
    expect(www.expected?.verdict).toBe('match');
    expect(www.addresses[0]).toBe(server.ipv4);

    expect(alias.direct[0].cname).toContain('www.lab.test');
    expect(alias.direct[0].a).toEqual([server.ipv4]);
    expect(alias.expected?.verdict).toBe('match');

    expect(cdn.direct[0].cname).toContain('edge.cdn.test');
    expect(cdn.direct[0].a).toEqual(['10.200.250.7']);
    expect(cdn.expected?.verdict).toBe('cdn-or-proxy');

    expect(nx.direct[0].error).toBe('NXDOMAIN');
    expect(nx.system?.error).toBe('NXDOMAIN');
    expect(nx.addresses).toEqual([]);

    expect(v4only.direct[0].a).toEqual([server.ipv4]);
    expect(v4only.direct[0].aaaa).toEqual([]);
  });

  it('DNS: a silent resolver and a name that is never answered are TIMEOUT, bounded by the timeout', async () => {
    const [dead, slow] = (
      await lab.callMany([
        { module: DNS, fn: 'probeDns', args: ['www.lab.test', { servers: [lab.hosts.deaddns.ipv4], systemResolver: false, timeoutMs: 800 }] },
        { module: DNS, fn: 'probeDns', args: ['slow.lab.test', { servers: [resolver], systemResolver: false, timeoutMs: 800 }] },
      ])
    ).map((o) => ok<DnsFact>(o));
    for (const f of [dead, slow]) {
      expect(f.direct[0].error).toBe('TIMEOUT');
      expect(f.direct[0].durationMs).toBeLessThan(800 * 4);
      expect(f.addresses).toEqual([]);
    }
  });

  it('banners: SSH identification, HTTP status and Server header, TLS certificate details', async () => {
    const [ssh, http, tls] = (
      await lab.callMany([
        { module: BANNER, fn: 'readBanner', args: [server.ipv4, 22, { timeoutMs: 3000 }] },
        { module: BANNER, fn: 'readBanner', args: [server.ipv4, 80, { timeoutMs: 3000 }] },
        { module: BANNER, fn: 'readBanner', args: [server.ipv4, 443, { timeoutMs: 3000, servername: 'sgdlab.test' }] },
      ])
    ).map((o) => ok<BannerFact>(o));
    expect(ssh.kind).toBe('ssh');
    expect(ssh.sshIdent).toBe(SSH_BANNER);
    expect(http.kind).toBe('http');
    expect(http.http?.statusCode).toBe(200);
    expect(http.http?.server).toBe(HTTP_SERVER_HEADER);
    expect(tls.kind).toBe('tls');
    expect(tls.tls?.subject).toContain('sgdlab.test');
    expect(tls.tls?.selfSigned).toBe(true);
    expect(tls.tls?.authorized).toBe(false);
    expect(tls.tls?.expired).toBe(false);
    expect(tls.tls?.altNames.join(' ')).toContain(server.ipv4);
  });

  it('client context: egress IP from lab echo servers, control probes open / filtered', async () => {
    const echo = [`http://${server.ipv4}:8080/`, ...(server.ipv6 ? [`http://[${server.ipv6}]:8080/`] : [])];
    const c = lab.hosts.control;
    const fact = await lab.call<ClientContextFact>(CLIENT, 'gatherClientContext', [
      { egressIpUrls: echo, controlHosts: [`${c.ipv4}:443`, `${c.ipv4}:22`, `${server.ipv4}:3389`], ports: [22] },
    ]);
    expect(fact.egressIp?.address).toBe(lab.client.ipv4);
    expect(fact.egressIp?.consensus).toBe(true);
    if (server.ipv6) expect(fact.egressIp?.addressV6).toBe(lab.client.ipv6);
    const byTarget = Object.fromEntries(fact.control.map((x) => [`${x.host}:${x.port}`, x.state]));
    expect(byTarget).toEqual({ [`${c.ipv4}:443`]: 'open', [`${c.ipv4}:22`]: 'open', [`${server.ipv4}:3389`]: 'filtered' });
    expect(fact.interfaces.map((i) => i.name)).toContain('br0');
  });

  it('sg-doctor probe <name> --json: DNS through the lab resolver, ICMP, TCP, banners, egress IP and control in one run', async () => {
    const r = await lab.runInClient(
      sgDoctorArgv([
        'probe', 'www.lab.test', '--ports', '22,80,443,3306,3389', '--icmp', '--expect-ip', server.ipv4,
        '--dns-servers', resolver, '--egress-ip-urls', `http://${server.ipv4}:8080/`, '--control-hosts', `${lab.hosts.control.ipv4}:443`, '--json',
      ]),
      // No user config: every endpoint comes from the flags.
      { env: { HOME: '/nonexistent-sgdlab-home', XDG_CONFIG_HOME: '/nonexistent-sgdlab-home' } },
    );
    expect(r.code, r.stderr).toBe(0);
    const rep = JSON.parse(r.stdout) as ProbeReport;
    expect(rep.dns?.expected?.verdict).toBe('match');
    expect(rep.target.addresses[0]).toBe(server.ipv4);
    expect(rep.icmp?.state).toBe('reply');
    const v4 = rep.tcp.filter((f) => f.address === server.ipv4);
    expect(Object.fromEntries(v4.map((f) => [f.port, `${f.state}/${f.reason}`]))).toEqual({
      22: 'open/syn-ack',
      80: 'open/syn-ack',
      443: 'open/syn-ack',
      3306: 'closed/conn-refused',
      3389: 'filtered/no-response',
    });
    expect(v4.find((f) => f.port === 22)?.banner?.sshIdent).toBe(SSH_BANNER);
    expect(v4.find((f) => f.port === 443)?.banner?.kind).toBe('tls');
    expect(rep.client.egressIp?.address).toBe(lab.client.ipv4);
    expect(rep.client.control).toEqual([expect.objectContaining({ host: lab.hosts.control.ipv4, port: 443, state: 'open' })]);
  });
});

import { describe, expect, it } from 'vitest';
import type { ProbeReport, TcpPortFact } from '../../core/probe/types';
import { createStyle, stripAnsi } from './index';
import { renderProbeReport } from './probe-report';

const port = (p: Partial<TcpPortFact>): TcpPortFact => ({
  host: 'srv.example', address: '203.0.113.10', port: 22, state: 'open', reason: 'syn-ack', rttMs: 31.2, attempts: 1, samples: [], flaky: false,
  startedAt: '', finishedAt: '', ...p,
});

const report: ProbeReport = {
  target: { host: 'srv.example', addresses: ['203.0.113.10'], family: 4 },
  dns: null,
  icmp: {
    address: '203.0.113.10', state: 'timeout', method: 'system-ping', sent: 3, received: 0, lossPct: 100, rttMs: [],
    rttAvgMs: null, rttMinMs: null, rttMaxMs: null, startedAt: '', finishedAt: '',
  },
  tcp: [
    port({ service: 'ssh', banner: { kind: 'ssh', method: 'ssh-ident', sshIdent: 'SSH-2.0-OpenSSH_8.9p1', bytesRead: 22, durationMs: 40 } }),
    port({ port: 443, service: 'https', state: 'filtered', reason: 'no-response', rttMs: null, attempts: 3 }),
    port({ port: 80, service: 'http', state: 'open', flaky: true, attempts: 2 }),
  ],
  client: {
    egressIp: { address: '198.51.100.7', consensus: true, sources: [] },
    interfaces: [], tunnels: ['wg0'], proxies: [{ variable: 'HTTPS_PROXY', value: 'http://proxy:3128' }],
    control: [{ host: 'gitee.com', port: 22, state: 'open', reason: 'syn-ack', rttMs: 12 }], platform: 'linux',
  },
  timings: { startedAt: '', finishedAt: '', totalMs: 1834, phasesMs: {} },
};

describe('renderProbeReport', () => {
  it('shows every layer a user needs, in plain text when colours are off', () => {
    const out = renderProbeReport(report, createStyle(false));
    expect(out).not.toContain('\x1b[');
    expect(out).toContain('sg-doctor probe srv.example (203.0.113.10)');
    expect(out).toMatch(/ICMP\s+no reply 0\/3 .*says nothing about TCP ports/);
    expect(out).toMatch(/22\s+ssh\s+open\s+syn-ack\s+31\.2 ms\s+1\s+SSH-2\.0-OpenSSH_8\.9p1/);
    expect(out).toMatch(/443\s+https\s+filtered\s+no-response\s+-\s+3/);
    expect(out).toMatch(/80\s+http\s+open \(flaky\)/);
    expect(out).toMatch(/no-response: silently dropped/);
    expect(out).toMatch(/flaky: some attempts/);
    expect(out).toMatch(/egress IP\s+198\.51\.100\.7/);
    expect(out).toContain('wg0');
    expect(out).toContain('HTTPS_PROXY=http://proxy:3128');
    expect(out).toMatch(/control\s+gitee\.com:22 open/);
    expect(out).toContain('done in 1.83 s');
  });
  it('colours states when enabled', () => {
    const out = renderProbeReport(report, createStyle(true));
    expect(out).toContain('\x1b[32mopen\x1b[39m');
    expect(out).toContain('\x1b[33mfiltered\x1b[39m');
    expect(stripAnsi(out)).toBe(renderProbeReport(report, createStyle(false)).replace(/\n/g, '\n'));
  });
});

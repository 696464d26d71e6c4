import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  classifyUnreachable,
  decodePingOutput,
  interpretPing,
  normalisePingText,
  parsePing,
  type PingFormat,
  type UnreachableKind,
} from './ping-parse';
import type { IcmpState } from './types';

const DIR = join(__dirname, 'fixtures', 'ping');

/** Fixture = header lines ("# ...") up to "#---", then ping's output exactly as captured. */
function loadFixture(name: string): { output: string; header: string } {
  const text = decodePingOutput(readFileSync(join(DIR, name)));
  const cut = text.indexOf('#---');
  if (cut < 0) throw new Error(`${name}: no "#---" header separator`);
  const nl = text.indexOf('\n', cut);
  return { header: text.slice(0, cut), output: text.slice(nl + 1) };
}

interface Expect {
  format: PingFormat;
  family?: 4 | 6;
  requested: number;
  state: IcmpState;
  sent: number;
  received: number;
  lossPct: number;
  rtt?: number[];
  min?: number | null;
  avg?: number | null;
  max?: number | null;
  unreach?: { kind: UnreachableKind; from?: string; type?: number; code?: number; count: number };
  fatal?: string;
  error?: RegExp;
  unreachText?: RegExp;
}

const EXPECTED: Record<string, Expect> = {
  'linux-ipv4-reply.txt': {
    format: 'iputils', requested: 4, state: 'reply', sent: 4, received: 4, lossPct: 0,
    rtt: [0.028, 0.048, 0.056, 0.049], min: 0.028, max: 0.056, avg: 0.045,
  },
  'linux-ipv4-reply-unprivileged.txt': {
    format: 'iputils', requested: 2, state: 'reply', sent: 2, received: 2, lossPct: 0, rtt: [0.034, 0.079],
  },
  'linux-ipv6-reply.txt': {
    format: 'iputils', family: 6, requested: 4, state: 'reply', sent: 4, received: 4, lossPct: 0,
    rtt: [0.033, 0.053, 0.052, 0.062], min: 0.033, max: 0.062,
  },
  'linux-ipv4-partial-loss.txt': {
    format: 'iputils', requested: 4, state: 'reply', sent: 4, received: 2, lossPct: 50, rtt: [0.059, 0.061],
  },
  'linux-ipv4-timeout.txt': {
    format: 'iputils', requested: 3, state: 'timeout', sent: 3, received: 0, lossPct: 100, rtt: [], avg: null,
  },
  'linux-ipv4-local-firewall-drop.txt': {
    format: 'iputils', requested: 3, state: 'timeout', sent: 3, received: 0, lossPct: 100,
  },
  'linux-ipv6-timeout.txt': {
    format: 'iputils', family: 6, requested: 3, state: 'timeout', sent: 3, received: 0, lossPct: 100,
  },
  'linux-ipv4-host-prohibited.txt': {
    format: 'iputils', requested: 3, state: 'unreachable', sent: 3, received: 0, lossPct: 100,
    unreach: { kind: 'host-prohibited', from: '10.200.250.2', type: 3, code: 10, count: 3 },
    unreachText: /^Destination Host Prohibited$/,
  },
  'linux-ipv4-port-unreachable.txt': {
    format: 'iputils', requested: 3, state: 'unreachable', sent: 3, received: 0, lossPct: 100,
    unreach: { kind: 'port-unreachable', from: '10.200.250.2', type: 3, code: 3, count: 3 },
  },
  'linux-ipv4-net-unreachable.txt': {
    format: 'iputils', requested: 3, state: 'unreachable', sent: 3, received: 0, lossPct: 100,
    unreach: { kind: 'net-unreachable', from: '10.200.250.2', type: 3, code: 0, count: 1 },
  },
  'linux-ipv4-admin-prohibited.txt': {
    format: 'iputils', requested: 3, state: 'unreachable', sent: 3, received: 0, lossPct: 100,
    unreach: { kind: 'admin-prohibited', from: '10.200.250.2', type: 3, code: 13, count: 1 },
    unreachText: /Packet filtered/,
  },
  'linux-ipv4-host-unreachable.txt': {
    format: 'iputils', requested: 6, state: 'unreachable', sent: 6, received: 0, lossPct: 100,
    unreach: { kind: 'host-unreachable', from: '10.200.250.1', type: 3, code: 1, count: 6 },
  },
  'linux-ipv6-admin-prohibited.txt': {
    format: 'iputils', family: 6, requested: 3, state: 'unreachable', sent: 3, received: 0, lossPct: 100,
    unreach: { kind: 'admin-prohibited', from: '::1', type: 1, code: 1, count: 3 },
  },
  'linux-ipv6-addr-unreachable.txt': {
    format: 'iputils', family: 6, requested: 3, state: 'unreachable', sent: 3, received: 0, lossPct: 100,
    unreach: { kind: 'address-unreachable', from: '::1', type: 1, code: 3, count: 3 },
  },
  'linux-ipv4-no-route.txt': {
    format: 'iputils', requested: 3, state: 'unreachable', sent: 0, received: 0, lossPct: 100,
    fatal: 'local-unreachable', unreachText: /Network is unreachable/,
  },
  'linux-unknown-host.txt': {
    format: 'iputils', requested: 1, state: 'unavailable', sent: 0, received: 0, lossPct: 100,
    fatal: 'unknown-host', error: /Temporary failure in name resolution/,
  },
  'macos-ipv4-reply.txt': {
    format: 'bsd', requested: 3, state: 'reply', sent: 3, received: 3, lossPct: 0,
    rtt: [0.049, 0.119, 0.105], min: 0.049, max: 0.119, avg: 0.091,
  },
  'macos-ipv6-reply.txt': {
    format: 'bsd', family: 6, requested: 2, state: 'reply', sent: 2, received: 2, lossPct: 0, rtt: [0.071, 0.145],
  },
  'macos-ipv4-timeout.txt': {
    format: 'bsd', requested: 3, state: 'timeout', sent: 3, received: 0, lossPct: 100,
  },
  'macos-ipv4-host-unreachable.txt': {
    format: 'bsd', requested: 2, state: 'unreachable', sent: 2, received: 0, lossPct: 100,
    unreach: { kind: 'host-unreachable', from: '192.0.2.1', type: 3, code: 1, count: 2 },
  },
  'macos-ipv4-filtered.txt': {
    format: 'bsd', requested: 2, state: 'unreachable', sent: 2, received: 0, lossPct: 100,
    unreach: { kind: 'admin-prohibited', from: '192.0.2.60', type: 3, code: 13, count: 1 },
  },
  'macos-ipv4-host-down.txt': {
    format: 'bsd', requested: 3, state: 'unreachable', sent: 3, received: 0, lossPct: 100,
    fatal: 'local-unreachable', unreachText: /Host is down/,
  },
  'macos-unknown-host.txt': {
    format: 'iputils', requested: 1, state: 'unavailable', sent: 0, received: 0, lossPct: 100,
    fatal: 'unknown-host', error: /cannot resolve/,
  },
  'windows-en-reply.txt': {
    format: 'windows-en', requested: 4, state: 'reply', sent: 4, received: 4, lossPct: 0,
    rtt: [1, 1, 2, 1], min: 1, max: 2,
  },
  'windows-en-ipv6-reply.txt': {
    format: 'windows-en', family: 6, requested: 2, state: 'reply', sent: 2, received: 2, lossPct: 0, rtt: [1, 1],
  },
  'windows-en-timeout.txt': {
    format: 'windows-en', requested: 4, state: 'timeout', sent: 4, received: 0, lossPct: 100,
  },
  'windows-en-host-unreachable.txt': {
    // Windows says "Received = 4, Lost = 0 (0% loss)": it counts ICMP errors as replies. We must not.
    format: 'windows-en', requested: 4, state: 'unreachable', sent: 4, received: 0, lossPct: 100,
    unreach: { kind: 'host-unreachable', from: '192.168.1.10', type: 3, code: 1, count: 4 },
    unreachText: /^Destination host unreachable$/,
  },
  'windows-en-partial.txt': {
    format: 'windows-en', requested: 4, state: 'reply', sent: 4, received: 2, lossPct: 50, rtt: [38, 41],
    unreach: { kind: 'net-unreachable', from: '10.0.0.1', type: 3, code: 0, count: 1 },
  },
  'windows-en-general-failure.txt': {
    format: 'windows-en', requested: 2, state: 'unreachable', sent: 2, received: 0, lossPct: 100,
    fatal: 'general-failure', unreachText: /General failure/,
  },
  'windows-en-unknown-host.txt': {
    format: 'windows-en', requested: 1, state: 'unavailable', sent: 0, received: 0, lossPct: 100,
    fatal: 'unknown-host', error: /could not find host/,
  },
  'windows-zh-reply-gbk.txt': {
    format: 'windows-zh', requested: 4, state: 'reply', sent: 4, received: 4, lossPct: 0,
    rtt: [1, 1, 1, 1], min: 1, max: 1,
  },
  'windows-zh-ipv6-reply-utf8.txt': {
    format: 'windows-zh', family: 6, requested: 2, state: 'reply', sent: 2, received: 2, lossPct: 0, rtt: [1, 1],
  },
  'windows-zh-timeout-gbk.txt': {
    format: 'windows-zh', requested: 4, state: 'timeout', sent: 4, received: 0, lossPct: 100,
  },
  'windows-zh-host-unreachable-gbk.txt': {
    format: 'windows-zh', requested: 4, state: 'unreachable', sent: 4, received: 0, lossPct: 100,
    unreach: { kind: 'host-unreachable', from: '192.168.1.10', type: 3, code: 1, count: 4 },
    unreachText: /无法访问目标主机/,
  },
  'windows-zh-general-failure-gbk.txt': {
    format: 'windows-zh', requested: 2, state: 'unreachable', sent: 2, received: 0, lossPct: 100,
    fatal: 'general-failure',
  },
  'windows-zh-unknown-host-gbk.txt': {
    format: 'windows-zh', requested: 1, state: 'unavailable', sent: 0, received: 0, lossPct: 100,
    fatal: 'unknown-host', error: /找不到主机/,
  },
};

describe('ping fixtures', () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.txt'));

  it('every fixture has an expectation and every expectation a fixture', () => {
    expect(files.sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  for (const [file, ex] of Object.entries(EXPECTED)) {
    it(`${file} → ${ex.state}`, () => {
      const { output, header } = loadFixture(file);
      expect(header).toMatch(/^# source: /);
      const p = parsePing(output, ex.family ?? 4);
      expect(p.format).toBe(ex.format);
      const o = interpretPing(p, ex.requested);
      expect(o.state).toBe(ex.state);
      expect(o.sent).toBe(ex.sent);
      expect(o.received).toBe(ex.received);
      expect(o.lossPct).toBe(ex.lossPct);
      if (ex.rtt) expect(o.rttMs).toEqual(ex.rtt);
      if (ex.min !== undefined) expect(o.rttMinMs).toBe(ex.min);
      if (ex.max !== undefined) expect(o.rttMaxMs).toBe(ex.max);
      if (ex.avg !== undefined) expect(o.rttAvgMs).toBe(ex.avg);
      if (ex.state !== 'reply') {
        expect(o.rttAvgMs).toBeNull();
        expect(o.rttMs).toEqual([]);
      }
      if (ex.unreach) {
        expect(p.unreachable).toHaveLength(ex.unreach.count);
        expect(p.unreachable[0].kind).toBe(ex.unreach.kind);
        expect(o.unreachable).toMatchObject({ from: ex.unreach.from, type: ex.unreach.type, code: ex.unreach.code });
      } else if (!ex.fatal) {
        expect(p.unreachable).toEqual([]);
        expect(o.unreachable).toBeUndefined();
      }
      if (ex.unreachText) expect(o.unreachable?.text).toMatch(ex.unreachText);
      expect(p.fatal?.kind).toBe(ex.fatal);
      if (ex.error) expect(o.error).toMatch(ex.error);
      else expect(o.error).toBeUndefined();
    });
  }
});

describe('decodePingOutput', () => {
  it('decodes GBK (code page 936) bytes that are not valid UTF-8', () => {
    const gbk = readFileSync(join(DIR, 'windows-zh-timeout-gbk.txt'));
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(gbk)).toThrow();
    expect(decodePingOutput(gbk)).toContain('请求超时。');
  });
  it('keeps UTF-8 as UTF-8', () => {
    expect(decodePingOutput(Buffer.from('来自 ::1 的回复：时间<1ms'))).toBe('来自 ::1 的回复：时间<1ms');
  });
});

describe('parsePing details', () => {
  it('folds full-width colon and comma (Chinese Windows)', () => {
    expect(normalisePingText('数据包：已发送 = 4，已接收 = 3')).toBe('数据包:已发送 = 4,已接收 = 3');
    const p = parsePing('来自 10.0.0.2 的回复：字节=32 时间=12ms TTL=54\r\n数据包：已发送 = 1，已接收 = 1，丢失 = 0 (0% 丢失)，\r\n');
    expect(p.replies).toEqual([{ from: '10.0.0.2', rttMs: 12, ttl: 54 }]);
    expect(p.transmitted).toBe(1);
  });
  it('ignores duplicate replies and resolves "name (address)" senders', () => {
    const p = parsePing(
      [
        'PING localhost (127.0.0.1) 56(84) bytes of data.',
        '64 bytes from localhost (127.0.0.1): icmp_seq=1 ttl=64 time=0.040 ms',
        '64 bytes from localhost (127.0.0.1): icmp_seq=1 ttl=64 time=0.090 ms (DUP!)',
      ].join('\n'),
    );
    expect(p.replies).toEqual([{ from: '127.0.0.1', seq: 1, ttl: 64, rttMs: 0.04 }]);
    expect(p.duplicates).toBe(1);
  });
  it('reads BusyBox reply lines (seq= without icmp_)', () => {
    const p = parsePing('64 bytes from 127.0.0.1: seq=0 ttl=64 time=0.058 ms\n');
    expect(p.replies[0]).toMatchObject({ from: '127.0.0.1', seq: 0, rttMs: 0.058 });
  });
  it('keeps IPv6 senders whole on Windows error replies', () => {
    const p = parsePing('Reply from fe80::1: Destination host unreachable.\r\n', 6);
    expect(p.unreachable[0]).toMatchObject({ from: 'fe80::1', kind: 'host-unreachable', type: 1, code: 3 });
  });
  it('sendmsg EPERM is a local firewall, not missing privileges', () => {
    const o = interpretPing(parsePing('ping: sendmsg: Operation not permitted\n'), 2);
    expect(o.state).toBe('unreachable');
    expect(o.unreachable?.text).toMatch(/local firewall/);
    const o2 = interpretPing(parsePing('ping: socket: Operation not permitted\n'), 2);
    expect(o2.state).toBe('unavailable');
  });
  it('partial output of a killed ping counts what it saw', () => {
    const o = interpretPing(parsePing('PING 10.0.0.1 (10.0.0.1) 56(84) bytes of data.\n64 bytes from 10.0.0.1: icmp_seq=1 ttl=64 time=1.5 ms\n'), 3);
    expect(o).toMatchObject({ state: 'reply', sent: 1, received: 1, lossPct: 0, rttMs: [1.5] });
  });
  it('empty output is unavailable, never a reply', () => {
    expect(interpretPing(parsePing(''), 3).state).toBe('unavailable');
  });
  it('classifies texts per family', () => {
    expect(classifyUnreachable('Destination Port Unreachable', 4)).toMatchObject({ kind: 'port-unreachable', type: 3, code: 3 });
    expect(classifyUnreachable('Destination unreachable: Port unreachable', 6)).toMatchObject({ type: 1, code: 4 });
    expect(classifyUnreachable('Time to live exceeded', 4)).toMatchObject({ kind: 'ttl-exceeded', type: 11 });
    expect(classifyUnreachable('something odd', 4)).toEqual({ text: 'something odd', kind: 'other' });
  });
});

// Runs the read-only Linux diagnostic script on this machine (it only lists sockets, firewall state and
// sshd settings) and parses its real output: the script and the parser agree, and the output fits 24 KB.
import { execFileSync } from 'node:child_process';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseServerEvidence } from '../src/core/diagnosis/server-evidence/parse';
import { OUTPUT_LIMIT_BYTES, linuxEvidenceScript } from '../src/core/diagnosis/server-evidence/scripts';

let server: net.Server;
let port = 0;

beforeAll(async () => {
  server = net.createServer((s) => s.end());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as net.AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe.skipIf(process.platform !== 'linux')('linux evidence script on this host', () => {
  it('runs, stays under the output limit, and its output parses', () => {
    const out = execFileSync('sh', ['-s'], { input: linuxEvidenceScript([port, 22]), encoding: 'utf8', timeout: 30_000, maxBuffer: 1 << 20 });
    expect(Buffer.byteLength(out)).toBeLessThan(OUTPUT_LIMIT_BYTES);
    expect(out).toMatch(/^===SGD:begin v=1 os=linux ports=/m);
    expect(out).toMatch(/^===SGD:end===$/m);
    const e = parseServerEvidence(out, { ports: [port, 22], source: 'cloud-assistant' });
    expect(e.os).toBe('linux');
    expect(e.warnings.filter((w) => /end marker/.test(w))).toEqual([]);
    // Our own listener, bound to loopback only, is found with its scope.
    expect(e.listeners).toContainEqual(expect.objectContaining({ protocol: 'tcp', address: '127.0.0.1', port }));
    for (const f of e.firewall) expect(Object.keys(f.allowsPort).sort()).toEqual([String(port), '22'].sort());
  });
});

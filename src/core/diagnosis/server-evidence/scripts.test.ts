import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { FORBIDDEN_COMMANDS, OUTPUT_LIMIT_BYTES, SECTION_BUDGETS, evidenceScript, linuxEvidenceScript, windowsEvidenceScript } from './scripts';
import { splitSections } from './sections';

describe('diagnostic scripts', () => {
  const linux = linuxEvidenceScript([22, 8080]);
  const windows = windowsEvidenceScript([3389]);

  it('are read-only: no command that changes state', () => {
    for (const script of [linux, windows]) for (const re of FORBIDDEN_COMMANDS) expect(script, String(re)).not.toMatch(re);
    // The check itself must bite: a write would be caught.
    expect(FORBIDDEN_COMMANDS.some((re) => re.test('firewall-cmd --add-port=22/tcp'))).toBe(true);
    expect(FORBIDDEN_COMMANDS.some((re) => re.test('Set-NetFirewallRule -Enabled True'))).toBe(true);
    expect(FORBIDDEN_COMMANDS.some((re) => re.test('iptables -I INPUT -j ACCEPT'))).toBe(true);
  });

  it('are parameterised by the ports and sanitise them', () => {
    expect(linux).toContain('ports=22,8080===');
    expect(windows).toContain('$SgdPorts = @(3389)');
    expect(linuxEvidenceScript([0, 70000, Number.NaN, 443, 443])).toContain('SGD_PORTS="443"');
    expect(linuxEvidenceScript([])).toContain('SGD_PORTS="22"');
    expect(evidenceScript('windows', [3389]).commandType).toBe('RunPowerShellScript');
    expect(evidenceScript('linux', [22]).commandType).toBe('RunShellScript');
  });

  it('budget every section under the 24 KB output limit', () => {
    const linuxSections = ['os', 'listeners', 'firewalld', 'ufw', 'iptables', 'nftables', 'sshd', 'services', 'selinux', 'tcpwrappers'];
    const sum = linuxSections.reduce((n, s) => n + SECTION_BUDGETS[s], 0);
    expect(sum + 40 * linuxSections.length).toBeLessThan(OUTPUT_LIMIT_BYTES);
    const winSections = ['os', 'listeners', 'netprofile', 'profiles', 'rules', 'rdp', 'services'];
    // PowerShell counts characters; budget 3 bytes each for CJK rule names in the rules section.
    const winBytes = winSections.reduce((n, s) => n + SECTION_BUDGETS[s] * (s === 'rules' ? 3 : 1), 0);
    expect(winBytes + 40 * winSections.length).toBeLessThan(OUTPUT_LIMIT_BYTES);
    for (const s of linuxSections) expect(linux).toContain(`section ${s} `);
    for (const s of winSections) expect(windows).toContain(`Section '${s}' `);
  });

  it('Linux script passes sh -n and dash -n', () => {
    for (const shell of ['sh', 'dash']) {
      try {
        execFileSync(shell, ['-n'], { input: linux, stdio: ['pipe', 'pipe', 'pipe'] });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw err;
      }
    }
  });

  it('section markers round-trip through the splitter', () => {
    const out = splitSections('===SGD:begin v=1 os=windows ports=3389,80===\n===SGD:rules===\nx\n===SGD:truncated rules===\n===SGD:end===\n');
    expect(out.header).toEqual({ version: 1, os: 'windows', ports: [3389, 80] });
    expect(out.sections.get('rules')).toEqual({ name: 'rules', text: 'x', truncated: true });
    expect(out.complete).toBe(true);
  });
});

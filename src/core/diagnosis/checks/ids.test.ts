import { describe, expect, it } from 'vitest';
import { CHECKS, orderChecks, runChecks } from '.';
import { facts } from '../testing/builders';
import { CHECK_IDS, CHECKLIST_ORDER, isCheckId } from './ids';

// The display order before the ids became constants (it was derived by slicing the check files' arrays):
// stating it explicitly must not have moved a single check. 'path.trace' (issue 12) came later, after the
// client checks; it is present only when a trace ran, so runChecks without a trace keeps the old list.
const ORDER_BEFORE = ['client.dns', 'client.egress', 'client.egress-ip', 'client.local-firewall', 'client.proxy', 'client.vpn-tunnel', 'path.trace', 'instance.running', 'instance.overdue-lock', 'instance.security-lock', 'sg.inbound-rule', 'sg.direction', 'sg.protocol', 'sg.port', 'sg.source', 'sg.priority-drop', 'sg.bound', 'sg.region', 'sg.enterprise-default', 'sg.nic-type', 'sg.group-count-quota', 'net.public-ip', 'net.eip', 'net.eip-financial-lock', 'net.eip-bandwidth', 'net.slb-or-nat-address', 'net.acl-inbound', 'net.acl-return', 'net.carrier-blocked-port', 'net.port25', 'icmp.not-a-port-test', 'icmp.blocked-by-default', 'net.icp-filing', 'os.listening', 'os.bind-address', 'os.firewall', 'os.sshd-config', 'os.service-running', 'app.responds'];

describe('check ids as typed constants, the checklist order stated explicitly', () => {
  it('the checklist keeps the order it had, and runChecks follows it', () => {
    expect(CHECKS.map((c) => c.id)).toEqual(ORDER_BEFORE);
    expect(runChecks(facts()).map((c) => c.id)).toEqual(ORDER_BEFORE.filter((id) => id !== 'path.trace'));
  });
  it('every check has exactly one id of CHECK_IDS and one place in CHECKLIST_ORDER', () => {
    expect(new Set(CHECK_IDS).size).toBe(CHECK_IDS.length);
    expect([...CHECKLIST_ORDER].sort()).toEqual([...CHECK_IDS].sort());
    expect(CHECKS.every((c) => isCheckId(c.id))).toBe(true);
    expect(isCheckId('sg.port')).toBe(true);
    expect(isCheckId('sg.ports')).toBe(false);
  });
  it('orderChecks refuses a check without a place, a place without a check, and a duplicate', () => {
    const [a, b] = CHECKS;
    expect(orderChecks([b, a], [a.id, b.id]).map((c) => c.id)).toEqual([a.id, b.id]);
    expect(() => orderChecks([a, b], [a.id])).toThrow(/without a place/);
    expect(() => orderChecks([a], [a.id, b.id])).toThrow(/no definition/);
    expect(() => orderChecks([a, a], [a.id])).toThrow(/twice/);
  });
});

// Invariants every diagnosis must satisfy, stated once and asserted over every scenario the tests know
// (unit tables, the network lab, the app). A verdict may report several real faults, but two failed
// checks must never claim incompatible things about the same packets:
//  - an inference drawn from the packets reaching the host (a RST, an ICMP reject from the target, a
//    silent drop left to the host's firewall) cannot stand beside a failure that says they never got
//    there (a cloud layer denying, the instance not running, no public path, the client's own network);
//  - a failure that says the application misbehaves needs a connection, so nothing on the path may be
//    failed as blocking it;
//  - the verdict's blocking checks must be failed (or, for a named suspicion, warned) checks, and a
//    verdict that the path works stands beside no failure that says it is blocked.
import type { Check, Verdict } from './types';

/** Conditions of checks that conclude from the packets reaching the instance's OS. */
const REACHED_HOST_INFERENCES = new Set(['inferred-from-refused', 'inferred-reject-host-prohibited', 'inferred-silent-drop']);

/** Checks whose failure means the packets cannot reach the instance's OS. */
export const PATH_BLOCKERS: ReadonlySet<string> = new Set([
  'client.local-firewall',
  'client.egress',
  'instance.running',
  'instance.overdue-lock',
  'instance.security-lock',
  'net.public-ip',
  'net.eip',
  'net.eip-financial-lock',
  'net.eip-bandwidth',
  'net.acl-inbound',
  'net.acl-return',
  'sg.inbound-rule',
  'sg.direction',
  'sg.protocol',
  'sg.port',
  'sg.source',
  'sg.priority-drop',
  'sg.bound',
  'sg.enterprise-default',
  'sg.nic-type',
  // A TCP SYN trace to the port that stops inside the user's own network.
  'path.trace',
]);

/** Check ids of the failures that contradict each other, as "a ⟂ b: why" lines; empty when consistent. */
export function contradictions(checks: readonly Check[], verdict?: Verdict): string[] {
  const out: string[] = [];
  const failed = checks.filter((c) => c.status === 'fail');
  const blockers = failed.filter((c) => PATH_BLOCKERS.has(c.id));
  for (const inf of failed.filter((c) => REACHED_HOST_INFERENCES.has(c.condition))) {
    for (const b of blockers) out.push(`${inf.id}[${inf.condition}] ⟂ ${b.id}[${b.condition}]: an inference from packets reaching the host beside a failure saying they cannot`);
  }
  const app = failed.find((c) => c.id === 'app.responds');
  if (app) for (const b of blockers) out.push(`${app.id}[${app.condition}] ⟂ ${b.id}[${b.condition}]: the application answered badly over a connection this says is blocked`);
  // A trace that reached the host beside a verdict blaming the carrier for the same port.
  const trace = checks.find((c) => c.id === 'path.trace');
  if (trace?.condition === 'reached-tcp' && verdict?.blockingCheckIds.includes('net.carrier-blocked-port')) {
    out.push(`path.trace[reached-tcp] ⟂ net.carrier-blocked-port: TCP SYNs to the port reached the host, so no carrier blocks it`);
  }
  if (verdict) {
    for (const id of verdict.blockingCheckIds) {
      const c = checks.find((x) => x.id === id);
      // A verdict may name a suspicion (warn) as the likely cause, never a check that passed or is unknown.
      if (!c || (c.status !== 'fail' && c.status !== 'warn')) out.push(`verdict blocks on ${id}, which did not fail (${c?.status ?? 'missing'})`);
    }
    if (verdict.locus === 'none' && failed.some((c) => PATH_BLOCKERS.has(c.id))) {
      out.push(`verdict says the path works while ${failed.filter((c) => PATH_BLOCKERS.has(c.id)).map((c) => c.id).join(', ')} failed`);
    }
  }
  return out;
}

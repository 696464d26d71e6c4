// What a firewall does with a new inbound TCP connection to one port from an arbitrary source.
import type { ServerEvidence } from '../types';

export type FirewallFact = ServerEvidence['firewall'][number];
export type Action = 'accept' | 'drop' | 'reject';

export interface PortDecision {
  /** null: could not be told (unknown chain, named set, truncated output). */
  action: Action | null;
  /** Which rule or default decided, quoted for the evidence panel. */
  by: string;
  /** Sources that a rule before the decision lets in: the port is open only to them. */
  allowedSources: string[];
  notes: string[];
}

export function newDecision(): PortDecision {
  return { action: null, by: '', allowedSources: [], notes: [] };
}

/** Fill allowsPort, sourceRestricted and details from per-port decisions. */
export function applyDecisions(fact: FirewallFact, decisions: Map<number, PortDecision>): FirewallFact {
  for (const [port, d] of decisions) {
    const key = String(port);
    if (d.action === 'accept') fact.allowsPort[key] = true;
    else if (d.action === null) fact.allowsPort[key] = null;
    else if (d.allowedSources.length) {
      fact.allowsPort[key] = null; // open to some sources only: depends on the client's egress IP
      (fact.sourceRestricted ??= {})[key] = [...new Set(d.allowedSources)];
    } else fact.allowsPort[key] = false;
    const only = d.allowedSources.length && d.action !== 'accept' ? ` (allowed only from ${[...new Set(d.allowedSources)].join(', ')})` : '';
    fact.details.push(`port ${port}: ${d.action ?? 'unknown'} by ${d.by || 'nothing decisive'}${only}`);
    for (const n of d.notes) fact.details.push(`port ${port}: ${n}`);
  }
  return fact;
}

export function allPorts(ports: number[], value: boolean | null): Record<string, boolean | null> {
  return Object.fromEntries(ports.map((p) => [String(p), value]));
}

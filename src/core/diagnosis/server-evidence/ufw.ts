// ufw: `ufw status verbose` (Ubuntu). Rules are evaluated in order, first match wins; unmatched
// traffic meets "Default: deny (incoming)".
import { applyDecisions, allPorts, newDecision, type Action, type FirewallFact, type PortDecision } from './decision';
import { listCovers, servicePorts } from './ports';

interface UfwRule {
  to: string;
  action: 'ALLOW' | 'DENY' | 'REJECT' | 'LIMIT';
  direction: string;
  from: string;
  line: string;
}

// ufw prints "%-26s %-12s%s": a 26-character To column is followed by one space only.
const RULE = /^(?:\[\s*\d+\]\s*)?(.+?)\s+(ALLOW|DENY|REJECT|LIMIT)(?:\s+(IN|OUT|FWD))?\s+(.+?)\s*$/;

function parseRules(text: string): UfwRule[] {
  const rules: UfwRule[] = [];
  let started = false;
  for (const line of text.split('\n')) {
    if (/^--\s+-+/.test(line.trim())) {
      started = true;
      continue;
    }
    if (!started) continue;
    const m = RULE.exec(line.trimEnd());
    if (m) rules.push({ to: m[1].trim(), action: m[2] as UfwRule['action'], direction: m[3] ?? 'IN', from: m[4].trim(), line: line.trim() });
  }
  return rules;
}

/** Does the "To" column cover tcp/port? "22/tcp", "80,443/tcp", "8000:8100/tcp", "OpenSSH", "22/tcp (OpenSSH)", "Anywhere". */
function toCovers(to: string, port: number): boolean {
  const spec = to.replace(/\s+on\s+\S+$/, '').replace(/\s*\((?:[^()]|\([^)]*\))*\)\s*$/, '').trim();
  if (spec === 'Anywhere') return true;
  const portPart = spec.split(/\s+/).pop() ?? '';
  const pm = /^([\d,:]+)(?:\/(tcp|udp))?$/.exec(portPart);
  if (pm) return pm[2] !== 'udp' && listCovers(pm[1], port);
  const app = servicePorts(spec) ?? servicePorts(spec.replace(/\s*\(v6\)$/, ''));
  return app ? app.includes(port) : false;
}

const ACTION: Record<UfwRule['action'], Action> = { ALLOW: 'accept', LIMIT: 'accept', DENY: 'drop', REJECT: 'reject' };

function decide(rules: UfwRule[], port: number, dflt: Action | null): PortDecision {
  const d = newDecision();
  for (const r of rules) {
    if (r.direction !== 'IN' || /\(v6\)/.test(r.to) || /\(v6\)/.test(r.from)) continue;
    if (!toCovers(r.to, port)) continue;
    const anywhere = /^Anywhere(\s+on\s+\S+)?$/.test(r.from);
    if (!anywhere) {
      if (ACTION[r.action] === 'accept') d.allowedSources.push(r.from.split(/\s+/)[0]);
      continue; // a rule for one source leaves other sources to later rules
    }
    d.action = ACTION[r.action];
    d.by = `ufw rule "${r.line.replace(/\s{2,}/g, ' ')}"`;
    if (r.action === 'LIMIT') d.notes.push('ufw LIMIT: more than 6 connections in 30 s from one address are denied');
    return d;
  }
  d.action = dflt;
  d.by = dflt ? `ufw default ${dflt === 'drop' ? 'deny' : dflt === 'accept' ? 'allow' : 'reject'} (incoming)` : 'ufw default (unknown)';
  return d;
}

export function parseUfw(text: string, ports: number[]): FirewallFact | null {
  const status = /^Status:\s*(active|inactive)/m.exec(text);
  if (!status) {
    if (/ERROR: You need to be root/.test(text)) {
      return { kind: 'ufw', active: null, allowsPort: allPorts(ports, null), details: ['ufw status needs root'] };
    }
    return null;
  }
  if (status[1] === 'inactive') {
    return { kind: 'ufw', active: false, allowsPort: allPorts(ports, true), defaultInbound: null, details: ['ufw is inactive'] };
  }
  const def = /^Default:\s*(allow|deny|reject)\s*\(incoming\)/m.exec(text)?.[1];
  const dflt: Action | null = def === 'allow' ? 'accept' : def === 'deny' ? 'drop' : def === 'reject' ? 'reject' : null;
  const fact: FirewallFact = { kind: 'ufw', active: true, allowsPort: allPorts(ports, null), defaultInbound: dflt, details: [] };
  if (!def) fact.details.push('no "Default:" line: use `ufw status verbose` to see the default policy');
  const rules = parseRules(text);
  fact.rules = { kind: 'ufw', rules: rules.map((r) => ({ ...r })), defaultIncoming: (def as 'allow' | 'deny' | 'reject' | undefined) ?? null };
  return applyDecisions(fact, new Map(ports.map((p) => [p, decide(rules, p, dflt)])));
}

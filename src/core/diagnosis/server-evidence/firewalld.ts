// firewalld: `firewall-cmd --state` and `--list-all` per active zone (CentOS, RHEL, Alibaba Cloud Linux).
import { applyDecisions, allPorts, newDecision, type FirewallFact, type PortDecision } from './decision';
import { rangeCovers, servicePorts } from './ports';

interface Zone {
  name: string;
  active: boolean;
  isDefault: boolean;
  fields: Record<string, string>;
  richRules: string[];
}

export function parseZones(text: string): Zone[] {
  const zones: Zone[] = [];
  let zone: Zone | null = null;
  let inRich = false;
  for (const line of text.split('\n')) {
    const head = /^([A-Za-z0-9_.-]+)(?:\s+\(([^)]*)\))?\s*$/.exec(line);
    if (head && !/^\s/.test(line) && !['running', 'not'].includes(head[1])) {
      const flags = (head[2] ?? '').split(/,\s*/);
      zone = { name: head[1], active: flags.includes('active'), isDefault: flags.includes('default'), fields: {}, richRules: [] };
      zones.push(zone);
      inRich = false;
      continue;
    }
    if (!zone) continue;
    const field = /^\s{1,4}([a-z][a-z0-9 -]*):\s*(.*)$/.exec(line);
    if (field && !line.startsWith('\t')) {
      zone.fields[field[1]] = field[2].trim();
      inRich = field[1] === 'rich rules';
      if (inRich && field[2].trim()) zone.richRules.push(field[2].trim());
      continue;
    }
    if (inRich && /^\s+rule\b/.test(line)) zone.richRules.push(line.trim());
  }
  return zones;
}

function words(v: string | undefined): string[] {
  return (v ?? '').split(/\s+/).filter(Boolean);
}

function richAttr(rule: string, re: RegExp): string | undefined {
  return re.exec(rule)?.[1];
}

function decideZone(zone: Zone, port: number): PortDecision {
  const d = newDecision();
  // Rich rules: deny and reject ones run before allows (firewalld chains: log, deny, allow).
  const rich = zone.richRules.map((r) => {
    const p = richAttr(r, /port port="([^"]+)" protocol="tcp"/);
    const svc = richAttr(r, /service name="([^"]+)"/);
    const covers = (p !== undefined && rangeCovers(p, port)) || (svc !== undefined && (servicePorts(svc) ?? []).includes(port));
    const action: 'accept' | 'drop' | 'reject' | undefined = /\baccept\b/.test(r) ? 'accept' : /\breject\b/.test(r) ? 'reject' : /\bdrop\b/.test(r) ? 'drop' : undefined;
    const source = richAttr(r, /source (?:not )?address="([^"]+)"/);
    const notSource = /source not address=/.test(r);
    const v6 = /family="ipv6"/.test(r);
    return { r, covers, action, source, notSource, v6 };
  });
  for (const x of rich) {
    if (!x.covers || x.v6 || x.action === undefined || x.action === 'accept') continue;
    if (x.source && !x.notSource) continue; // blocks one source; others unaffected
    d.action = x.action;
    d.by = `zone ${zone.name} rich rule: ${x.r}`;
    return d;
  }
  if (zone.fields.target === 'ACCEPT') {
    d.action = 'accept';
    d.by = `zone ${zone.name} target ACCEPT`;
    return d;
  }
  const port_ = words(zone.fields.ports).find((p) => /\/tcp$/.test(p) && rangeCovers(p.replace(/\/tcp$/, ''), port));
  if (port_) {
    d.action = 'accept';
    d.by = `zone ${zone.name} ports: ${port_}`;
    return d;
  }
  const svc = words(zone.fields.services).find((s) => (servicePorts(s) ?? []).includes(port));
  if (svc) {
    d.action = 'accept';
    d.by = `zone ${zone.name} services: ${svc}`;
    return d;
  }
  const fwd = words(zone.fields['forward-ports']).find((f) => {
    const m = /port=([\d-]+):proto=tcp/.exec(f);
    return m ? rangeCovers(m[1], port) : false;
  });
  if (fwd) {
    d.action = 'accept';
    d.by = `zone ${zone.name} forward-ports: ${fwd}`;
    return d;
  }
  for (const x of rich) {
    if (!x.covers || x.v6 || x.action !== 'accept') continue;
    if (x.source && !x.notSource) d.allowedSources.push(x.source);
    else {
      d.action = 'accept';
      d.by = `zone ${zone.name} rich rule: ${x.r}`;
      return d;
    }
  }
  const unknown = words(zone.fields.services).filter((s) => !servicePorts(s));
  if (unknown.length) d.notes.push(`services not known to SG Doctor (check their ports): ${unknown.join(', ')}`);
  const target = zone.fields.target ?? 'default';
  d.action = target === 'DROP' ? 'drop' : 'reject'; // default and %%REJECT%% reject (icmp-host-prohibited)
  d.by = `zone ${zone.name} target ${target} (not in services or ports)`;
  return d;
}

export function parseFirewalld(text: string, ports: number[]): FirewallFact | null {
  if (/^not installed/m.test(text) || !text.trim()) return null;
  const fact: FirewallFact = { kind: 'firewalld', active: null, allowsPort: allPorts(ports, null), details: [] };
  if (/^not running\s*$/m.test(text)) {
    fact.active = false;
    fact.allowsPort = allPorts(ports, true);
    fact.details.push('firewalld is installed but not running');
    return fact;
  }
  if (/^running\s*$/m.test(text)) fact.active = true;
  const err = /^(Error:.*|.*FirewallD is not running.*)$/m.exec(text);
  if (err) fact.details.push(err[1].slice(0, 200));
  // firewalld cannot run without the system D-Bus: no bus socket means no firewalld.
  if (/FirewallD is not running|Failed to connect to socket \/run\/dbus\/system_bus_socket/.test(text)) {
    if (!/FirewallD is not running/.test(text)) fact.details.push('firewall-cmd cannot reach D-Bus: firewalld is not running');
    fact.active = false;
    fact.allowsPort = allPorts(ports, true);
    return fact;
  }
  const zones = parseZones(text);
  if (!zones.length) return fact.active === null && !err ? null : fact;
  fact.active ??= true;
  const defaultZone = /^default-zone:\s*(\S+)/m.exec(text)?.[1];
  fact.rules = { kind: 'firewalld', zones: zones.map((z) => ({ ...z, fields: { ...z.fields }, richRules: [...z.richRules] })), ...(defaultZone ? { defaultZone } : {}) };
  // The zone of the interface that carries public traffic (eth0 on ECS), else the default zone.
  const zone =
    zones.find((z) => words(z.fields.interfaces).length > 0) ?? zones.find((z) => z.name === defaultZone || z.isDefault) ?? zones[0];
  fact.details.push(`zone ${zone.name} (interfaces: ${zone.fields.interfaces || '-'}, target: ${zone.fields.target ?? '?'})`);
  const sourceZones = zones.filter((z) => words(z.fields.sources).length > 0 && z !== zone);
  for (const z of sourceZones) fact.details.push(`zone ${z.name} applies to sources ${z.fields.sources}`);
  const target = zone.fields.target ?? 'default';
  fact.defaultInbound = target === 'ACCEPT' ? 'accept' : target === 'DROP' ? 'drop' : 'reject';
  const decisions = new Map(ports.map((p) => [p, decideZone(zone, p)]));
  return applyDecisions(fact, decisions);
}

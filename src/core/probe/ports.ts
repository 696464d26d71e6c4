// Service presets and port-list parsing. This is a diagnosis tool, not a scanner: a run probes at most
// MAX_PORTS_PER_RUN ports.
import { fail, ok, type Result } from '../result';
import { MAX_PORTS_PER_RUN } from './types';

/** Well-known TCP services a cloud-server user typically opens in a security group. */
export const SERVICE_PORTS: Readonly<Record<string, readonly number[]>> = {
  ssh: [22],
  rdp: [3389],
  http: [80],
  https: [443],
  'http-alt': [8080],
  'https-alt': [8443],
  web: [80, 443],
  mysql: [3306],
  postgres: [5432],
  redis: [6379],
  mongodb: [27017],
  mssql: [1433],
  oracle: [1521],
  ftp: [21],
  telnet: [23],
  smtp: [25],
  smtps: [465],
  submission: [587],
  dns: [53],
  vnc: [5900],
  winrm: [5985, 5986],
  'k8s-api': [6443],
  elasticsearch: [9200],
  kafka: [9092],
  rabbitmq: [5672],
  memcached: [11211],
};

/** Aliases users type. */
const SERVICE_ALIASES: Readonly<Record<string, string>> = {
  postgresql: 'postgres',
  pg: 'postgres',
  mongo: 'mongodb',
  'remote-desktop': 'rdp',
  ms_sql: 'mssql',
  sqlserver: 'mssql',
  www: 'web',
  kubernetes: 'k8s-api',
  es: 'elasticsearch',
};

/** Ports probed when the user names none: the usual reasons to reach a cloud server. */
export const DEFAULT_PORTS: readonly number[] = [22, 80, 443, 3389];

const NAME_BY_PORT: ReadonlyMap<number, string> = (() => {
  const m = new Map<number, string>();
  for (const [name, ports] of Object.entries(SERVICE_PORTS)) {
    if (name === 'web' || ports.length !== 1) continue; // groups are not names of a single port
    if (!m.has(ports[0])) m.set(ports[0], name);
  }
  m.set(5985, 'winrm');
  m.set(5986, 'winrm-https');
  return m;
})();

/** Well-known service name of a port (ssh, https, ...), if any. */
export function serviceForPort(port: number): string | undefined {
  return NAME_BY_PORT.get(port);
}

export function isValidPort(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && n <= 65535;
}

/** Ports of a service name (case-insensitive, aliases accepted), or undefined when unknown. */
export function portsForService(name: string): readonly number[] | undefined {
  const key = name.trim().toLowerCase();
  return SERVICE_PORTS[SERVICE_ALIASES[key] ?? key];
}

export function knownServiceNames(): string[] {
  return Object.keys(SERVICE_PORTS);
}

const DIGITS = /^\d+$/;

function parsePortNumber(text: string, whole: string): Result<number> {
  if (!DIGITS.test(text)) return fail('bad-port', `"${text}" in "${whole}" is not a port number or a known service`);
  const n = Number(text);
  if (!isValidPort(n)) return fail('bad-port', `port ${text} is out of range (1-65535)`);
  return ok(n);
}

/** Adds ports keeping the first-seen order and refusing to grow beyond `max` (so "1-65535" fails fast). */
function addAll(out: number[], seen: Set<number>, ports: Iterable<number>, max: number): boolean {
  for (const p of ports) {
    if (seen.has(p)) continue;
    if (out.length >= max) return false;
    seen.add(p);
    out.push(p);
  }
  return true;
}

function tooMany(max: number): Result<never> {
  return fail('too-many-ports', `too many ports: at most ${max} per run (SG Doctor diagnoses a few ports; it is not a port scanner)`);
}

/**
 * Parses "22,80,8000-8010" (service names allowed too: "ssh,https,8080") into distinct ports in the given
 * order. Empty items are an error, as are reversed ranges, out-of-range numbers and more than `max` ports.
 */
export function parsePortList(text: string, max: number = MAX_PORTS_PER_RUN): Result<number[]> {
  const whole = text.trim();
  if (whole === '') return fail('bad-port', 'the port list is empty');
  const out: number[] = [];
  const seen = new Set<number>();
  for (const raw of whole.split(',')) {
    const item = raw.trim();
    if (item === '') return fail('bad-port', `empty item in port list "${whole}"`);
    const range = /^(\d+)\s*-\s*(\d+)$/.exec(item);
    if (range) {
      const lo = parsePortNumber(range[1], whole);
      if (!lo.ok) return lo;
      const hi = parsePortNumber(range[2], whole);
      if (!hi.ok) return hi;
      if (lo.value > hi.value) return fail('bad-port', `range "${item}" is reversed`);
      if (hi.value - lo.value + 1 > max) return tooMany(max);
      const span = Array.from({ length: hi.value - lo.value + 1 }, (_, i) => lo.value + i);
      if (!addAll(out, seen, span, max)) return tooMany(max);
      continue;
    }
    if (!DIGITS.test(item)) {
      const svc = portsForService(item);
      if (!svc) return fail('bad-port', `"${item}" is not a port number, a range or a known service (${knownServiceNames().join(', ')})`);
      if (!addAll(out, seen, svc, max)) return tooMany(max);
      continue;
    }
    const n = parsePortNumber(item, whole);
    if (!n.ok) return n;
    if (!addAll(out, seen, [n.value], max)) return tooMany(max);
  }
  return ok(out);
}

/** Parses "ssh,https" (service names only). */
export function parseServiceList(text: string, max: number = MAX_PORTS_PER_RUN): Result<number[]> {
  const whole = text.trim();
  if (whole === '') return fail('bad-service', 'the service list is empty');
  const out: number[] = [];
  const seen = new Set<number>();
  for (const raw of whole.split(',')) {
    const item = raw.trim();
    const svc = item === '' ? undefined : portsForService(item);
    if (!svc) return fail('bad-service', `unknown service "${item}" (known: ${knownServiceNames().join(', ')})`);
    if (!addAll(out, seen, svc, max)) return tooMany(max);
  }
  return ok(out);
}

/** Validates an already-numeric list (UI/API input): integers 1-65535, de-duplicated, at most `max`. */
export function validatePorts(ports: readonly number[], max: number = MAX_PORTS_PER_RUN): Result<number[]> {
  const out: number[] = [];
  const seen = new Set<number>();
  for (const p of ports) {
    if (!isValidPort(p)) return fail('bad-port', `port ${String(p)} is out of range (1-65535)`);
    if (!addAll(out, seen, [p], max)) return tooMany(max);
  }
  if (out.length === 0) return fail('bad-port', 'no port to probe');
  return ok(out);
}

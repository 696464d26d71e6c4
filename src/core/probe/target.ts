// Validation of the host a user wants to probe: an IPv4 address (dotted quad only), an IPv6 address
// (optionally in brackets, optionally with a zone id) or a DNS name. Rejects the ambiguous forms that
// inet_aton would silently accept ("1.2.3" = 1.2.0.3, "0x7f.1", "010.0.0.1").
import { networkInterfaces } from 'node:os';
import { domainToASCII } from 'node:url';
import ipaddr from 'ipaddr.js';
import { fail, ok, type Result } from '../result';
import type { IpFamily } from './types';

export type TargetKind = 'ipv4' | 'ipv6' | 'hostname';

export interface ParsedTarget {
  /** What the user typed, trimmed. */
  input: string;
  kind: TargetKind;
  /** Normalised host: IPs in canonical form (IPv6 without brackets), names lower-case ASCII without trailing dot. */
  host: string;
  /** For IP literals: the address to connect to (same as host). */
  address?: string;
  family?: IpFamily;
}

const LABEL = /^(?!-)[a-z0-9_-]{1,63}(?<!-)$/; // '_' tolerated: it exists in real records (SRV-like names)

/** Classifies an address string (no brackets): 4, 6 or null. Accepts only dotted-quad IPv4. */
export function ipFamilyOf(s: string): IpFamily | null {
  if (ipaddr.IPv4.isValidFourPartDecimal(s)) return 4;
  if (ipaddr.IPv6.isValid(s)) return 6;
  return null;
}

export interface TargetOptions {
  /** Names of this machine's interfaces (default os.networkInterfaces()): an IPv6 zone must be one of them. */
  interfaces?: () => readonly string[];
  platform?: NodeJS.Platform;
}

const localInterfaces = (): string[] => Object.keys(networkInterfaces());

/** "fe80::1%eth0": the zone must name an interface of this machine (Windows also uses its interface numbers). */
function checkZone(address: string, input: string, opts: TargetOptions): Result<true> {
  const i = address.indexOf('%');
  if (i < 0) return ok(true);
  const zone = address.slice(i + 1);
  if ((opts.platform ?? process.platform) === 'win32' && /^\d{1,5}$/.test(zone)) return ok(true);
  const names = (opts.interfaces ?? localInterfaces)();
  if (zone && names.includes(zone)) return ok(true);
  const shown = zone.length > 32 ? `${zone.slice(0, 32)}…` : zone;
  return fail('bad-host', `"${input.length > 80 ? `${input.slice(0, 80)}…` : input}": the zone ${JSON.stringify(shown)} is not a network interface of this machine${names.length ? ` (interfaces: ${names.slice(0, 8).join(', ')})` : ''}`);
}

export function parseTarget(raw: string, opts: TargetOptions = {}): Result<ParsedTarget> {
  const input = (raw ?? '').trim();
  if (input === '') return fail('bad-host', 'the host is empty');
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(input)) {
    return fail('bad-host', `"${input}" is a URL; give just the host name or IP address (ports go in --ports)`);
  }
  if (/\s/.test(input)) return fail('bad-host', `"${input}" contains spaces`);

  let bare = input;
  const bracketed = /^\[(.*)\](?::(\d+))?$/.exec(input);
  if (bracketed) {
    if (bracketed[2] !== undefined) return fail('bad-host', `give the port with --ports, not in the host ("${input}")`);
    bare = bracketed[1];
    if (!ipaddr.IPv6.isValid(bare)) return fail('bad-host', `"${input}" is not a valid IPv6 address`);
  }

  if (ipaddr.IPv6.isValid(bare)) {
    const addr = ipaddr.IPv6.parse(bare);
    if (addr.isIPv4MappedAddress()) {
      // ::ffff:a.b.c.d is an IPv4 destination; probe it as such.
      const host = addr.toIPv4Address().toString();
      return ok({ input, kind: 'ipv4', host, address: host, family: 4 });
    }
    const host = addr.toRFC5952String(); // canonical lower-case, keeps %zone
    const zone = checkZone(host, input, opts);
    if (!zone.ok) return zone;
    return ok({ input, kind: 'ipv6', host, address: host, family: 6 });
  }
  if (ipaddr.IPv4.isValidFourPartDecimal(bare)) {
    const host = ipaddr.IPv4.parse(bare).toString();
    return ok({ input, kind: 'ipv4', host, address: host, family: 4 });
  }
  // Anything made only of digits and dots (1.2.3, 1.2.3.4.5, 01.2.3.4, 256.1.1.1) is a mistyped IPv4.
  if (/^[\d.]+$/.test(bare)) return fail('bad-host', `"${input}" is not a valid IPv4 address (expected four numbers 0-255, like 203.0.113.10)`);
  if (/^(0x[0-9a-f]+\.?)+$/i.test(bare) || ipaddr.IPv4.isValid(bare)) {
    return fail('bad-host', `"${input}" is not a dotted-decimal IPv4 address`);
  }
  const hostPort = /^([^:]+):(\d+)$/.exec(bare);
  if (hostPort) return fail('bad-host', `give the port with --ports, not in the host ("${input}")`);
  if (bare.includes(':')) return fail('bad-host', `"${input}" is not a valid IPv6 address`);

  // DNS name: IDN to punycode, then RFC 1123 label rules.
  const withoutDot = bare.endsWith('.') ? bare.slice(0, -1) : bare;
  if (/(^|\.)\d+$/.test(withoutDot)) {
    return fail('bad-host', `"${input}" is not a valid host name (its last label is all digits)`);
  }
  const ascii = domainToASCII(withoutDot.toLowerCase());
  if (ascii === '') return fail('bad-host', `"${input}" is not a valid host name`);
  if (ascii.length > 253) return fail('bad-host', `host name is too long (${ascii.length} > 253 characters)`);
  const labels = ascii.split('.');
  for (const label of labels) {
    if (!LABEL.test(label)) return fail('bad-host', `"${input}" is not a valid host name (bad label "${label}")`);
  }
  return ok({ input, kind: 'hostname', host: ascii });
}

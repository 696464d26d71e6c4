// Address matching for Huawei rules: CIDRs, bare addresses, IP address groups (whose `ip_set` entries are
// addresses, CIDRs or ranges "a-b") and security-group references.
import { addressScope, cidrContains, parseCidr, parseIp, type ParsedCidr, type ParsedIp } from '../../rules/cidr';
import type { AddressGroups, GroupMembers } from './types';

export type Tri = 'yes' | 'no' | 'maybe';

export type RemoteSpec =
  | { kind: 'any' }
  | { kind: 'cidr'; cidr: ParsedCidr }
  | { kind: 'invalid'; text: string }
  | { kind: 'group'; id: string }
  | { kind: 'address-group'; id: string };

export function remoteSpec(prefix: string | null | undefined, groupId: string | null | undefined, addressGroupId: string | null | undefined): RemoteSpec {
  if (addressGroupId) return { kind: 'address-group', id: addressGroupId };
  if (groupId) return { kind: 'group', id: groupId };
  if (prefix === null || prefix === undefined || prefix.trim() === '') return { kind: 'any' };
  const cidr = parseCidr(prefix);
  return cidr ? { kind: 'cidr', cidr } : { kind: 'invalid', text: prefix };
}

const ipValue = (ip: ParsedIp): bigint => (ip.family === 4 ? BigInt(ip.v4) : ip.v6);

/** One `ip_set` entry of an address group: "203.0.113.7", "203.0.113.0/24" or "203.0.113.1-203.0.113.9". */
export function inSetEntry(entry: string, ip: ParsedIp): Tri {
  const t = entry.trim();
  const dash = t.indexOf('-');
  if (dash > 0) {
    const a = parseIp(t.slice(0, dash));
    const b = parseIp(t.slice(dash + 1));
    if (!a || !b || a.family !== b.family) return 'maybe';
    if (a.family !== ip.family) return 'no';
    const v = ipValue(ip);
    return v >= ipValue(a) && v <= ipValue(b) ? 'yes' : 'no';
  }
  const c = parseCidr(t);
  if (!c) return 'maybe';
  return cidrContains(c, ip) ? 'yes' : 'no';
}

/** Does `remote` admit the address `ip`? Unresolvable references are 'maybe'. */
export function matchRemote(spec: RemoteSpec, ip: ParsedIp, addressGroups: AddressGroups | undefined, groupMembers: GroupMembers | undefined): Tri {
  switch (spec.kind) {
    case 'any':
      return 'yes';
    case 'cidr':
      return cidrContains(spec.cidr, ip) ? 'yes' : 'no';
    case 'invalid':
      return 'maybe';
    case 'address-group': {
      const set = addressGroups?.[spec.id];
      if (!set) return 'maybe';
      let out: Tri = 'no';
      for (const e of set) {
        const m = inSetEntry(e, ip);
        if (m === 'yes') return 'yes';
        if (m === 'maybe') out = 'maybe';
      }
      return out;
    }
    case 'group': {
      const members = groupMembers?.[spec.id];
      if (members) return members.some((m) => parseIp(m)?.text === ip.text) ? 'yes' : 'no';
      // A security-group reference admits the private addresses of the group's instances inside the VPC; a
      // public (internet) address is never one of them. Premise stated in the near miss that reports it.
      return addressScope(ip) === 'public' ? 'no' : 'maybe';
    }
  }
}

export const remoteText = (spec: RemoteSpec): string => {
  switch (spec.kind) {
    case 'any':
      return 'any';
    case 'cidr':
      return spec.cidr.text;
    case 'invalid':
      return spec.text;
    case 'group':
      return spec.id;
    case 'address-group':
      return spec.id;
  }
};

// The fake cloud, enforced: turns the fake Alibaba API's current state (test/fake-api) into iptables rules in
// the lab's server namespace, so that its security groups and network ACL really decide whether the client's
// SYN arrives — and an applied fix really opens the port (issue 11 §4).
//
// Semantics (DESIGN.md "Alibaba Cloud semantics"), re-implemented here independently of src/core/rules:
//   - the instance's security groups (all groups of its primary ENI, pooled): rules sorted by Priority (lower
//     number first), at equal priority Drop before Accept; no match → ingress denied (basic and enterprise
//     groups alike deny ingress from outside the group); stateful: packets of an established flow pass;
//   - the network ACL bound to the instance's vSwitch: stateless, entries in array order, first match wins,
//     no entry matches → denied (and an ACL without entries denies all); ingress entries match the server's
//     port, egress entries the client's (ephemeral) port, so a missing return range really breaks the
//     handshake (the SYN-ACK is dropped on the way out);
//   - a stopped instance answers nothing.
// The lab only has private 10.200.X.Y addresses, but the cloud sees a user under their NAT gateway's public
// address: `sources` maps each lab address to the address the cloud sees (e.g. 10.200.X.1 → 203.0.113.7), and
// a rule's CIDR is matched against that. Everything lives in dedicated chains (SGD-CLOUD-*), rebuilt
// atomically (iptables-restore --noflush) on every state change; the server's own OS firewall rules in INPUT
// still run after the cloud lets a packet through (the cloud's "accept" is RETURN, never ACCEPT).
import { spawnSync } from 'node:child_process';
import ipaddr from 'ipaddr.js';
import type { ApiObject, Scenario } from '../fake-api/scenarios';

export interface EnforceTarget {
  /** The server's network namespace (the instance). */
  ns: string;
  /** Its interface towards the client (the lab's hosts use eth0). */
  iface?: string;
  instanceId: string;
  /** Lab address → the address the cloud sees it as (its NAT's public IPv4). */
  sources: { labIp: string; seenAs: string }[];
}

const CHAIN_IN = 'SGD-CLOUD-IN';
const CHAIN_ACL_IN = 'SGD-CLOUD-ACL-IN';
const CHAIN_SG_IN = 'SGD-CLOUD-SG-IN';
const CHAIN_ACL_OUT = 'SGD-CLOUD-ACL-OUT';

function inCidr(ip: string, cidr: string): boolean {
  if (!cidr) return false;
  try {
    const addr = ipaddr.parse(ip);
    const [net, bits] = cidr.includes('/') ? ipaddr.parseCIDR(cidr) : [ipaddr.parse(cidr), addr.kind() === 'ipv4' ? 32 : 128];
    return addr.kind() === net.kind() && addr.match(net, bits);
  } catch {
    return false;
  }
}

/** iptables match arguments for protocol and a destination (or source) port range; null = matches nothing here. */
function protoPorts(protocol: string, range: string, portFlag: '--dport' | '--sport'): string[] | null {
  const p = protocol.toLowerCase();
  const [a, b] = (range || '-1/-1').split('/').map(Number);
  const all = a === -1 || (a === 1 && b === 65535) || (a === 0 && b === 65535);
  if (p === 'all') return [];
  if (p === 'icmp') return ['-p', 'icmp'];
  if (p === 'gre') return ['-p', 'gre'];
  if (p !== 'tcp' && p !== 'udp') return null; // ICMPv6 and anything unknown: never an IPv4 packet of the lab
  if (!Number.isInteger(a) || !Number.isInteger(b)) return null;
  return ['-p', p, ...(all ? [] : [portFlag, a === b ? String(a) : `${a}:${b}`])];
}

/** The lab sources a rule's peer admits (by the address the cloud sees them as). */
function peersOf(rule: ApiObject, target: EnforceTarget, prefixLists: Scenario['prefixLists']): string[] | 'any' | null {
  const cidr = String(rule.SourceCidrIp ?? '');
  const pl = String(rule.SourcePrefixListId ?? '');
  if (cidr) return cidr === '0.0.0.0/0' ? 'any' : target.sources.filter((s) => inCidr(s.seenAs, cidr)).map((s) => s.labIp);
  if (pl) {
    const entries = prefixLists.find((x) => x.PrefixListId === pl)?.Entries ?? [];
    return target.sources.filter((s) => entries.some((e) => inCidr(s.seenAs, e.Cidr))).map((s) => s.labIp);
  }
  // Another group, an IPv6 range, nothing: no lab client is admitted by it.
  return null;
}

/** The iptables-restore input (table filter, --noflush) that enforces the scenario for the target. */
export function enforcementRules(scenario: Scenario, target: EnforceTarget): string {
  const lines: string[] = ['*filter', `:${CHAIN_IN} - [0:0]`, `:${CHAIN_ACL_IN} - [0:0]`, `:${CHAIN_SG_IN} - [0:0]`, `:${CHAIN_ACL_OUT} - [0:0]`];
  const add = (chain: string, args: string[], comment: string): void => {
    lines.push(['-A', chain, ...args, '-m', 'comment', '--comment', `"${comment.replace(/["\\]/g, "'").slice(0, 250)}"`].join(' '));
  };
  const inst = scenario.instances.find((i) => i.InstanceId === target.instanceId);
  if (!inst || inst.Status !== 'Running') {
    add(CHAIN_IN, ['-j', 'DROP'], `instance ${String(inst?.Status ?? 'missing')}`);
    add(CHAIN_ACL_OUT, ['-j', 'DROP'], `instance ${String(inst?.Status ?? 'missing')}`);
    lines.push('COMMIT', '');
    return lines.join('\n');
  }

  // ---- network ACL of the instance's vSwitch (stateless, in order, first match) ----
  const vsw = String((inst.VpcAttributes as ApiObject | undefined)?.VSwitchId ?? '');
  const acl = scenario.networkAcls.find((a) => ((a.Resources as { Resource?: ApiObject[] } | undefined)?.Resource ?? []).some((r) => r.ResourceId === vsw));
  if (acl) {
    add(CHAIN_IN, ['-j', CHAIN_ACL_IN], `network ACL ${String(acl.NetworkAclId)}`);
    for (const [dir, chain, field, portFlag, peerFlag] of [
      ['Ingress', CHAIN_ACL_IN, 'SourceCidrIp', '--dport', '-s'],
      ['Egress', CHAIN_ACL_OUT, 'DestinationCidrIp', '--dport', '-d'],
    ] as const) {
      const entries = ((acl[`${dir}AclEntries`] as Record<string, ApiObject[]> | undefined)?.[`${dir}AclEntry`] ?? []) as ApiObject[];
      for (const e of entries) {
        const pp = protoPorts(String(e.Protocol ?? ''), String(e.Port ?? ''), portFlag);
        if (!pp) continue;
        const cidr = String(e[field] ?? '');
        const peers = cidr === '0.0.0.0/0' ? ['any'] : target.sources.filter((s) => inCidr(s.seenAs, cidr)).map((s) => s.labIp);
        const verdict = String(e.Policy ?? '').toLowerCase() === 'accept' ? 'RETURN' : 'DROP';
        for (const peer of peers) add(chain, [...(peer === 'any' ? [] : [peerFlag, `${peer}/32`]), ...pp, '-j', verdict], `ACL ${dir.toLowerCase()} ${String(e.NetworkAclEntryId ?? '')} ${String(e.Policy)}`);
      }
      add(chain, ['-j', 'DROP'], `ACL ${dir.toLowerCase()}: no entry matched`);
    }
  }

  // ---- security groups (stateful, pooled, priority then drop-before-accept) ----
  add(CHAIN_IN, ['-j', CHAIN_SG_IN], 'security groups');
  add(CHAIN_SG_IN, ['-m', 'conntrack', '--ctstate', 'ESTABLISHED,RELATED', '-j', 'RETURN'], 'stateful: established flows');
  const groupIds = ((inst.SecurityGroupIds as { SecurityGroupId?: string[] } | undefined)?.SecurityGroupId ?? []) as string[];
  const rules = groupIds
    .flatMap((id) => ((scenario.securityGroups.find((g) => g.SecurityGroupId === id)?.Permissions ?? []) as ApiObject[]).map((r): ApiObject => ({ ...r, group: id })))
    .filter((r) => String(r.Direction ?? 'ingress') === 'ingress')
    .map((r, i) => ({ r, i, prio: Number(r.Priority ?? 1), drop: String(r.Policy ?? '').toLowerCase() === 'drop' }))
    .sort((a, b) => a.prio - b.prio || Number(b.drop) - Number(a.drop) || a.i - b.i);
  for (const { r, prio, drop } of rules) {
    // Rule fields this enforcement cannot express make the rule match nothing (conservative: never more open).
    if (String(r.PortRangeListId ?? '') !== '' || String(r.DestCidrIp ?? '') !== '' || Object.keys(r).some((k) => /AddressBook/i.test(k) && String(r[k] ?? '') !== '')) continue;
    const pp = protoPorts(String(r.IpProtocol ?? ''), String(r.PortRange ?? ''), '--dport');
    if (!pp) continue;
    const sport = String(r.SourcePortRange ?? '');
    if (sport && sport !== '-1/-1') {
      if (!pp.includes('-p') || pp[1] === 'icmp' || pp[1] === 'gre') continue;
      const [a, b] = sport.split('/');
      pp.push('--sport', a === b ? a : `${a}:${b}`);
    }
    const peers = peersOf(r, target, scenario.prefixLists);
    if (peers === null) continue;
    for (const peer of peers === 'any' ? ['any'] : peers) {
      add(CHAIN_SG_IN, [...(peer === 'any' ? [] : ['-s', `${peer}/32`]), ...pp, '-j', drop ? 'DROP' : 'RETURN'], `${String(r.group)} ${String(r.SecurityGroupRuleId ?? '')} priority ${prio} ${drop ? 'drop' : 'accept'}`);
    }
  }
  add(CHAIN_SG_IN, ['-j', 'DROP'], 'security groups: no rule matched (ingress denied by default)');
  lines.push('COMMIT', '');
  return lines.join('\n');
}

function run(argv: string[], input?: string): void {
  const r = spawnSync(argv[0], argv.slice(1), { input, encoding: 'utf8', timeout: 15_000 });
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed (${r.status ?? r.signal}): ${r.stderr}`);
}

const inNs = (ns: string, argv: string[]): string[] => ['ip', 'netns', 'exec', ns, ...argv];

/** Rebuilds the cloud's chains from the state (atomically) and makes sure INPUT / OUTPUT jump to them first. */
export function enforce(scenario: Scenario, target: EnforceTarget): void {
  const iface = target.iface ?? 'eth0';
  run(inNs(target.ns, ['iptables-restore', '-w', '5', '--noflush']), enforcementRules(scenario, target));
  for (const [chain, jump, dirFlag] of [
    ['INPUT', CHAIN_IN, '-i'],
    ['OUTPUT', CHAIN_ACL_OUT, '-o'],
  ] as const) {
    const check = spawnSync('ip', ['netns', 'exec', target.ns, 'iptables', '-w', '5', '-C', chain, dirFlag, iface, '-j', jump], { timeout: 15_000 });
    if (check.status !== 0) run(inNs(target.ns, ['iptables', '-w', '5', '-I', chain, '1', dirFlag, iface, '-j', jump]));
  }
}

/** Removes the jumps and chains (the lab's own teardown deletes the namespace anyway). */
export function unenforce(target: EnforceTarget): void {
  const iface = target.iface ?? 'eth0';
  const quiet = (argv: string[]) => spawnSync('ip', ['netns', 'exec', target.ns, 'iptables', '-w', '5', ...argv], { timeout: 15_000 });
  quiet(['-D', 'INPUT', '-i', iface, '-j', CHAIN_IN]);
  quiet(['-D', 'OUTPUT', '-o', iface, '-j', CHAIN_ACL_OUT]);
  for (const c of [CHAIN_IN, CHAIN_ACL_IN, CHAIN_SG_IN, CHAIN_ACL_OUT]) quiet(['-F', c]);
  for (const c of [CHAIN_IN, CHAIN_ACL_IN, CHAIN_SG_IN, CHAIN_ACL_OUT]) quiet(['-X', c]);
}

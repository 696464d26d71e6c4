// The fake Huawei Cloud, enforced: turns the fake Huawei API's current state (test/fake-huawei) into iptables
// rules in the lab's server namespace, so that what the API says (security groups, network ACL, server state)
// and what the client's packets meet agree. Same idea as test/lab/cloud-enforce.ts (Alibaba), with Huawei's
// semantics (DESIGN.md "Huawei Cloud semantics"), re-implemented here independently of src/core/cloud/huawei:
//   - the server answers nothing unless its status is ACTIVE and it is not frozen (metadata EcmResStatus
//     "freeze"), and nothing reaches it through a frozen EIP (status FREEZED);
//   - the network ACL ("firewall") bound to the subnet of the server's port, when its admin state is up, is
//     matched BEFORE the security groups: enabled rules in their order, first match decides, nothing matched →
//     denied; it is STATEFUL: replies of an admitted connection pass whatever the egress rules say (no
//     ephemeral-port return rule needed, unlike Alibaba);
//   - the security groups of the port, in their order on the port: a group's rules by priority (lower number
//     first), at equal priority deny before allow; the groups one after another (not pooled); the first rule
//     that matches decides; none → ingress denied; stateful.
// The lab only has private 10.200.X.Y addresses, but the cloud sees a user under their NAT's public address:
// `sources` maps each lab address to the address the cloud sees. A rule's CIDR / address group is matched
// against that; a remote security group admits no lab client (the client is never a member).
// All rules live in dedicated chains (SGD-HW-*), rebuilt atomically (iptables-restore --noflush) on every
// state change; the server's own OS firewall in INPUT still runs after the cloud lets a packet through (the
// cloud's "allow" is RETURN, never ACCEPT).
import { spawnSync } from 'node:child_process';
import ipaddr from 'ipaddr.js';
import type { HuaweiState } from '../fake-huawei/scenarios';

export interface HuaweiEnforceTarget {
  /** The server's network namespace (the instance). */
  ns: string;
  /** Its interface towards the client (the lab's hosts use eth0). */
  iface?: string;
  serverId: string;
  /** Lab address → the address the cloud sees it as (its NAT's public IPv4). */
  sources: { labIp: string; seenAs: string }[];
}

const CHAIN_IN = 'SGD-HW-IN';
const CHAIN_ACL_IN = 'SGD-HW-ACL-IN';
const CHAIN_SG_IN = 'SGD-HW-SG-IN';
const CHAIN_OUT = 'SGD-HW-OUT';
const CHAINS = [CHAIN_IN, CHAIN_ACL_IN, CHAIN_SG_IN, CHAIN_OUT];

/** An address matches a CIDR, a bare address, or a range "a-b" (IP address groups allow ranges). */
export function inSet(ip: string, entry: string | null | undefined): boolean {
  const e = String(entry ?? '').trim();
  if (!e) return false;
  try {
    const addr = ipaddr.parse(ip);
    if (e.includes('-')) {
      const [lo, hi] = e.split('-').map((x) => ipaddr.parse(x.trim()).toByteArray());
      const a = addr.toByteArray();
      if (a.length !== lo.length || a.length !== hi.length) return false;
      const cmp = (x: number[], y: number[]): number => x.reduce((acc, v, i) => acc || v - y[i], 0);
      return cmp(a, lo) >= 0 && cmp(a, hi) <= 0;
    }
    const [net, bits] = e.includes('/') ? ipaddr.parseCIDR(e) : [ipaddr.parse(e), addr.kind() === 'ipv4' ? 32 : 128];
    return addr.kind() === net.kind() && addr.match(net, bits);
  } catch {
    return false;
  }
}

/**
 * iptables match arguments for a protocol and a destination-port list ("22", "80,443", "20-30", empty = all);
 * one argument list per port item; null = the rule matches no IPv4 TCP/UDP/ICMP packet of the lab.
 */
export function protoPortArgs(protocol: string | null | undefined, ports: string | null | undefined): string[][] | null {
  const p = String(protocol ?? '').trim().toLowerCase();
  if (p === '' || p === 'any' || p === 'all') return [[]];
  if (p === 'icmp') return [['-p', 'icmp']];
  if (p !== 'tcp' && p !== 'udp') return null;
  const list = String(ports ?? '').trim();
  if (!list || list === '1-65535' || list === '0-65535') return [['-p', p]];
  const out: string[][] = [];
  for (const item of list.split(',').map((x) => x.trim())) {
    const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(item);
    if (!m) return null; // unreadable: conservative, the rule matches nothing
    out.push(['-p', p, '--dport', m[2] && m[2] !== m[1] ? `${m[1]}:${m[2]}` : m[1]]);
  }
  return out;
}

/** The iptables-restore input (table filter, --noflush) that enforces the state for the target. */
export function huaweiEnforcementRules(state: HuaweiState, target: HuaweiEnforceTarget): string {
  const lines: string[] = ['*filter', ...CHAINS.map((c) => `:${c} - [0:0]`)];
  const add = (chain: string, args: string[], comment: string): void => {
    lines.push(['-A', chain, ...args, '-m', 'comment', '--comment', `"${comment.replace(/["\\]/g, "'").slice(0, 250)}"`].join(' '));
  };
  const done = (): string => {
    lines.push('COMMIT', '');
    return lines.join('\n');
  };
  const server = state.servers.find((s) => s.id === target.serverId);
  const frozen = String(server?.metadata?.EcmResStatus ?? '').toLowerCase() === 'freeze';
  const port = state.ports.find((p) => p.device_id === target.serverId);
  const eip = state.publicips.find((e) => port && e.port_id === port.id);
  const down = !server ? 'server missing' : server.status !== 'ACTIVE' ? `server ${String(server.status)}` : frozen ? 'server frozen' : String(eip?.status ?? 'ACTIVE') === 'FREEZED' ? 'EIP frozen' : null;
  if (down) {
    add(CHAIN_IN, ['-j', 'DROP'], down);
    add(CHAIN_OUT, ['-j', 'DROP'], down);
    return done();
  }

  // ---- network ACL of the port's subnet (stateful, in order, first match, default deny) ----
  const acl = state.firewalls.find((f) => f.admin_state_up !== false && (f.associations ?? []).some((a) => a.virsubnet_id === port?.network_id));
  if (acl) {
    add(CHAIN_IN, ['-j', CHAIN_ACL_IN], `network ACL ${acl.id}`);
    add(CHAIN_OUT, ['-m', 'conntrack', '--ctstate', 'ESTABLISHED,RELATED', '-j', 'RETURN'], 'ACL stateful: replies pass');
    add(CHAIN_ACL_IN, ['-m', 'conntrack', '--ctstate', 'ESTABLISHED,RELATED', '-j', 'RETURN'], 'ACL stateful: established flows');
    for (const [rules, chain, field, peerFlag] of [
      [acl.ingress_rules ?? [], CHAIN_ACL_IN, 'source_ip_address', '-s'],
      [acl.egress_rules ?? [], CHAIN_OUT, 'destination_ip_address', '-d'],
    ] as const) {
      for (const r of rules) {
        if (r.enabled === false || String(r.ip_version ?? 4) === '6') continue;
        const pp = protoPortArgs(r.protocol, r.destination_port);
        if (!pp) continue;
        const cidr = String(r[field] ?? '').trim();
        const peers = !cidr || cidr === '0.0.0.0/0' ? ['any'] : target.sources.filter((s) => inSet(s.seenAs, cidr)).map((s) => s.labIp);
        const verdict = String(r.action).toLowerCase() === 'allow' ? 'RETURN' : 'DROP';
        for (const peer of peers) for (const args of pp) add(chain, [...(peer === 'any' ? [] : [peerFlag, `${peer}/32`]), ...args, '-j', verdict], `ACL ${r.id} ${r.action}`);
      }
      add(chain, ['-j', 'DROP'], 'ACL default rule: deny');
    }
  }

  // ---- security groups of the port, in their order; inside one: priority, deny before allow ----
  add(CHAIN_IN, ['-j', CHAIN_SG_IN], 'security groups');
  add(CHAIN_SG_IN, ['-m', 'conntrack', '--ctstate', 'ESTABLISHED,RELATED', '-j', 'RETURN'], 'stateful: established flows');
  const groupIds = port?.security_groups ?? (server?.security_groups ?? []).map((g) => String(g.id ?? ''));
  for (const gid of groupIds) {
    const g = state.securityGroups.find((x) => x.id === gid);
    const rules = (g?.security_group_rules ?? [])
      .map((r, i) => ({ r, i, prio: Number(r.priority ?? 1), deny: String(r.action ?? 'allow').toLowerCase() === 'deny' }))
      .filter(({ r }) => String(r.direction).toLowerCase() === 'ingress' && String(r.ethertype ?? 'IPv4') === 'IPv4')
      .sort((a, b) => a.prio - b.prio || Number(b.deny) - Number(a.deny) || a.i - b.i);
    for (const { r, prio, deny } of rules) {
      const pp = protoPortArgs(r.protocol, r.multiport);
      if (!pp) continue;
      let peers: string[];
      if (r.remote_ip_prefix) peers = r.remote_ip_prefix === '0.0.0.0/0' ? ['any'] : target.sources.filter((s) => inSet(s.seenAs, r.remote_ip_prefix)).map((s) => s.labIp);
      else if (r.remote_address_group_id) {
        const set = state.addressGroups?.find((a) => a.id === r.remote_address_group_id)?.ip_set ?? [];
        peers = target.sources.filter((s) => set.some((e) => inSet(s.seenAs, e))).map((s) => s.labIp);
      } else peers = []; // a remote group: no lab client is one of its members
      for (const peer of peers) {
        for (const args of pp) add(CHAIN_SG_IN, [...(peer === 'any' ? [] : ['-s', `${peer}/32`]), ...args, '-j', deny ? 'DROP' : 'RETURN'], `${gid} ${r.id} priority ${prio} ${deny ? 'deny' : 'allow'}`);
      }
    }
  }
  add(CHAIN_SG_IN, ['-j', 'DROP'], 'security groups: no rule matched (ingress denied)');
  return done();
}

function run(argv: string[], input?: string): void {
  const r = spawnSync(argv[0], argv.slice(1), { input, encoding: 'utf8', timeout: 15_000 });
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed (${r.status ?? r.signal}): ${r.stderr}`);
}

/** Rebuilds the cloud's chains from the state (atomically) and makes sure INPUT / OUTPUT jump to them first. */
export function enforceHuawei(state: HuaweiState, target: HuaweiEnforceTarget): void {
  const iface = target.iface ?? 'eth0';
  run(['ip', 'netns', 'exec', target.ns, 'iptables-restore', '-w', '5', '--noflush'], huaweiEnforcementRules(state, target));
  for (const [chain, jump, dirFlag] of [
    ['INPUT', CHAIN_IN, '-i'],
    ['OUTPUT', CHAIN_OUT, '-o'],
  ] as const) {
    const check = spawnSync('ip', ['netns', 'exec', target.ns, 'iptables', '-w', '5', '-C', chain, dirFlag, iface, '-j', jump], { timeout: 15_000 });
    if (check.status !== 0) run(['ip', 'netns', 'exec', target.ns, 'iptables', '-w', '5', '-I', chain, '1', dirFlag, iface, '-j', jump]);
  }
}

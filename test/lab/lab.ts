// The network lab: real namespaces, veths, listeners and iptables rules that reproduce, on one Linux
// machine, every way a port can fail to answer (DESIGN.md "Probe semantics"). Tests run the prober inside
// the lab's CLIENT namespace and probe HOST namespaces (a "server" and any others the spec names).
//
// Topology of one lab (X = the lab's own /24 inside 10.200.0.0/16):
//
//   ns sgdlab-X-client                         ns sgdlab-X-<host>  (one per host)
//   br0 10.200.X.1/24, fd00:200:0:X::1/64 ──── eth0 10.200.X.(10+i)/24, fd00:200:0:X::(10+i)/64
//      (each host hangs off the client's bridge through its own veth: hosts reach each other too)
//
// The root namespace is not touched at all: veths are created directly inside the lab's namespaces, so a
// lab can neither disturb the machine's own networking nor send a packet outside 10.200.0.0/16.
//
// Use:
//   const lab = await createLab({ hosts: { server: { ports: [{ port: 22, listen: 'ssh' }, { port: 81, firewall: 'drop' }] } } });
//   const r = await lab.runInClient(['node', 'bin/sg-doctor.cjs', 'probe', lab.hosts.server.ipv4, '--ports', '22,81', '--json']);
//   const facts = await lab.call('src/core/probe/tcp', 'probeTcpPort', [{ host, address, port: 22 }]);
//   await lab.destroy();   // idempotent; also runs on process exit / SIGINT / SIGTERM
//
// In Vitest, wrap suites in `describeLab` (skips with a printed reason where the lab cannot run; FAILS
// instead when SGD_REQUIRE_LAB=1, as CI sets it).
//
// Needs: root (or CAP_NET_ADMIN + CAP_SYS_ADMIN), iproute2, iptables (nft or legacy), Node; ethtool (see
// deliverAsynchronously); openssl for an https listener. Debian: apt-get install iproute2 iptables ethtool openssl.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Zone } from '../support/dns-server';
import { RESULT_MARKER, type CallOutcome, type CallSpec, type HostListenerConfig, type HostServerConfig } from './protocol';

export { SSH_BANNER, HTTP_SERVER_HEADER, FILTER_SERVER_HEADER, FILTER_PAGE, type CallOutcome } from './protocol';

// Under tsx a .ts file in this CommonJS package has __dirname; under Vitest (ESM) it has import.meta.url.
const HERE = typeof __dirname === 'string' ? __dirname : dirname(fileURLToPath(import.meta.url));
/** Repository root (tests pass repository-relative paths to `call` and `runInClient`). */
export const REPO_ROOT = resolve(HERE, '..', '..');
export const LAB_PREFIX = 'sgdlab-';
const LOCK_ROOT = '/run/sgdlab';
const IP = 'ip';

// ---------------------------------------------------------------------------------------------------
// Spec.

/**
 * What the host's INPUT firewall does with TCP to this port (iptables and ip6tables):
 * - accept: nothing (the listener, or the kernel's RST when there is none, answers)
 * - drop: silent DROP (a security group, an ACL, ufw deny)                    → filtered / no-response
 * - reject-tcp-reset: REJECT --reject-with tcp-reset                         → closed / conn-refused
 * - reject-port-unreachable: REJECT icmp(6)-port-unreachable                → closed / conn-refused
 * - reject-host-prohibited: REJECT icmp-host-prohibited (IPv6: icmp6-adm-prohibited, as firewalld does)
 *                                                                            → filtered / host-unreach (v4)
 * - flaky: DROP every second SYN (`-m statistic --mode nth --every 2 --packet 0`): the first SYN is lost,
 *   a retry gets through → open, flaky. `lab.resetFlaky()` re-arms the counter.
 * - accept-client-net-then-drop: ACCEPT from the client's network (10.200.X.0/30, which holds the client
 *   only; IPv6 its /126) before a DROP for everyone                          → open from the client
 * - accept-other-net-then-drop: ACCEPT from another network (10.200.X.128/25, where no lab host lives;
 *   IPv6 fd00:200:0:X::8000/113) before a DROP for everyone                   → filtered / no-response
 */
export type FirewallAction =
  | 'accept'
  | 'drop'
  | 'reject-tcp-reset'
  | 'reject-port-unreachable'
  | 'reject-host-prohibited'
  | 'flaky'
  | 'accept-client-net-then-drop'
  | 'accept-other-net-then-drop';

/**
 * What listens on the port: 'none' (the kernel answers RST), 'tcp' (accepts and waits for the client),
 * 'ssh' (sends an SSH identification line, see SSH_BANNER), 'http', 'https' (self-signed certificate made
 * with openssl for the lab, CN sgdlab.test), 'egress-echo' (HTTP answering the caller's IP as plain text),
 * 'name-filter' (on a router: a relay answering one Host with a notice page, see PortSpec.filter),
 * 'http-500' (an HTTP application that fails: every request gets 500 Internal Server Error).
 */
export type ListenerKind = 'none' | 'tcp' | 'ssh' | 'http' | 'https' | 'egress-echo' | 'name-filter' | 'http-500';

export interface PortSpec {
  port: number;
  /** Default 'tcp'. */
  listen?: ListenerKind;
  /** 'any' (default, both families) or 'loopback' (127.0.0.1 only: refused from outside). */
  bind?: 'any' | 'loopback';
  /** Default 'accept'. */
  firewall?: FirewallAction;
  /**
   * With listen 'name-filter' on a router (see HostSpec.via): connections to `upstream` (a host behind this
   * router) on this port are REDIRECTed to the filter, which answers requests for `blockHost` with a notice
   * page of its own (FILTER_PAGE, Server FILTER_SERVER_HEADER) and relays every other request to the host.
   */
  filter?: { upstream: string; blockHost: string };
}

/** What the host does with an ICMP echo request: answer, drop silently, or REJECT host-prohibited. */
export type IcmpPolicy = 'reply' | 'drop' | 'host-prohibited';

export interface HostSpec {
  ports?: PortSpec[];
  /** Default 'reply'. */
  icmp?: IcmpPolicy;
  /** UDP ports answered by an echo responder. */
  udpEcho?: number[];
  /** A DNS server (UDP + TCP) on this host serving `zone` (test/support/dns-server semantics). */
  dns?: { zone: Zone | ((addresses: LabAddresses) => Zone); port?: number };
  /**
   * Further INPUT rules as iptables arguments after the chain, applied with iptables and ip6tables, e.g.
   * ['-p', 'udp', '--dport', '53', '-j', 'DROP'] (a resolver that never answers).
   */
  extraInputRules?: string[][];
  /**
   * Put this host BEHIND another host of the lab, which becomes a router (a middlebox) between the client
   * and it: the host is not on the client's bridge; a veth joins it to the router, the router forwards
   * (proxy ARP on that veth), and the client routes the host's address via the router. IPv4 only (the
   * host gets no IPv6 address). Only the client reaches it (the other hosts on the bridge do not).
   * Routers chain: a router may itself be behind another (client → r1 → r2 → host); each router on the
   * way routes the host's address to the next.
   */
  via?: string;
  /** On a router (a host others name in `via`): FORWARD-chain rules as iptables arguments after the chain (IPv4). */
  forwardRules?: string[][];
}

export interface LabSpec {
  /** Hosts by name (letters, digits, '-'; at most 8 chars). Default: one host "server" with no ports. */
  hosts?: Record<string, HostSpec>;
  /** Client-side block: the CLIENT's OUTPUT chain drops TCP to these destination ports (both families). */
  clientBlockedTcpPorts?: number[];
  /** Name of a host with `dns`: it becomes the client's system resolver (/etc/netns/<client>/resolv.conf). */
  clientResolver?: string;
  /** Add IPv6 (ULA) addresses too (default true; silently off when the kernel has no IPv6). */
  ipv6?: boolean;
  /**
   * Keep the kernel's per-destination ICMP error rate limit on the hosts (burst of 6, then 1 per second).
   * Default false: the lab turns it off so that REJECTed ports answer the same on every run.
   */
  icmpRateLimit?: boolean;
  /** Let unprivileged users of the client namespace open ICMP datagram sockets (ping_group_range). Default false, like a fresh namespace. */
  unprivilegedPing?: boolean;
}

// ---------------------------------------------------------------------------------------------------
// Lab objects.

export interface LabHost {
  name: string;
  /** Network namespace name (for `ip netns exec`). */
  ns: string;
  ipv4: string;
  /** null when the lab runs without IPv6. */
  ipv6: string | null;
}

/** What a zone function gets: the addresses of every host, known only once the lab has its number. */
export interface LabAddresses {
  id: number;
  client: LabHost;
  hosts: Readonly<Record<string, LabHost>>;
}

export interface ExecResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  durationMs: number;
  timedOut: boolean;
}

export interface ExecOptions {
  /** Kill the command after this many ms (default 60 000). */
  timeoutMs?: number;
  /** Run as this uid/gid (setpriv; e.g. 65534 = nobody) with no supplementary groups and no capabilities. */
  asUser?: { uid: number; gid: number };
  env?: NodeJS.ProcessEnv;
  /** Working directory (default: the repository root). */
  cwd?: string;
  input?: string;
}

export interface Lab {
  /** The lab's number X: its subnet is 10.200.X.0/24 (and fd00:200:0:X::/64). */
  readonly id: number;
  readonly subnet4: string;
  readonly subnet6: string | null;
  readonly client: LabHost;
  readonly hosts: Readonly<Record<string, LabHost>>;
  /** Certificate of the https listeners (PEM), when any. */
  readonly tlsCertPem: string | null;
  /** False when the veths could not be made to deliver asynchronously (no ethtool): ICMP errors to a SYN then come ~1 s late. */
  readonly asyncDelivery: boolean;
  /** Run argv in a namespace (default: the client's). argv[0] 'node' means this Node binary. */
  exec(argv: string[], opts?: ExecOptions & { ns?: string }): Promise<ExecResult>;
  /** Run argv in the client namespace. */
  runInClient(argv: string[], opts?: ExecOptions): Promise<ExecResult>;
  /** Run a shell script (bash -c) in a namespace (default: the client's). */
  sh(script: string, opts?: ExecOptions & { ns?: string }): Promise<ExecResult>;
  /**
   * Call exported functions of repository modules inside the client namespace (one child process for
   * the batch) and return their outcomes in order. `module` is repository-relative, e.g. 'src/core/probe/tcp'.
   */
  callMany(calls: { module: string; fn: string; args: unknown[] }[], opts?: ExecOptions & { ns?: string }): Promise<CallOutcome[]>;
  /** callMany for one call; throws when the call threw. */
  call<T = unknown>(module: string, fn: string, args: unknown[], opts?: ExecOptions & { ns?: string }): Promise<T>;
  /** Re-arm the nth counters of 'flaky' ports, so the next SYN to each is dropped again. */
  resetFlaky(): Promise<void>;
  /** Kill every process in the lab's namespaces and delete them. Idempotent. */
  destroy(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------
// Availability.

export type LabAvailability = { ok: true } | { ok: false; reason: string };

let availability: LabAvailability | undefined;

function has(cmd: string, args: string[]): boolean {
  const r = spawnSync(cmd, args, { stdio: 'ignore', timeout: 10_000 });
  return r.status === 0;
}

/** Whether this machine can build a lab (cached). Never throws. */
export function labAvailability(): LabAvailability {
  if (availability) return availability;
  availability = checkAvailability();
  return availability;
}

function checkAvailability(): LabAvailability {
  if (process.platform !== 'linux') return { ok: false, reason: `network namespaces need Linux (this is ${process.platform})` };
  if (process.getuid?.() !== 0) return { ok: false, reason: 'not root (the lab creates network namespaces; run as root, e.g. in CI or a VM)' };
  if (!has(IP, ['-V'])) return { ok: false, reason: "no 'ip' command (apt-get install iproute2)" };
  if (!has('iptables', ['--version'])) return { ok: false, reason: "no 'iptables' command (apt-get install iptables)" };
  const probeNs = `${LAB_PREFIX}check-${process.pid}`;
  const add = spawnSync(IP, ['netns', 'add', probeNs], { encoding: 'utf8', timeout: 10_000 });
  if (add.status !== 0) return { ok: false, reason: `network namespaces not permitted here: ${add.stderr.trim() || 'ip netns add failed'}` };
  try {
    const ipt = spawnSync(IP, ['netns', 'exec', probeNs, 'iptables', '-w', '5', '-A', 'INPUT', '-p', 'tcp', '--dport', '9', '-j', 'DROP'], {
      encoding: 'utf8',
      timeout: 10_000,
    });
    if (ipt.status !== 0) return { ok: false, reason: `iptables does not work inside a network namespace: ${ipt.stderr.trim()}` };
    const veth = spawnSync(IP, ['-n', probeNs, 'link', 'add', 'a0', 'type', 'veth', 'peer', 'name', 'b0'], { encoding: 'utf8', timeout: 10_000 });
    if (veth.status !== 0) return { ok: false, reason: `cannot create veth pairs: ${veth.stderr.trim()}` };
  } finally {
    spawnSync(IP, ['netns', 'del', probeNs], { stdio: 'ignore', timeout: 10_000 });
  }
  return { ok: true };
}

// ---------------------------------------------------------------------------------------------------
// Small process helpers.

function run(argv: string[], opts: { allowFail?: boolean; input?: string } = {}): string {
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', timeout: 20_000, input: opts.input });
  if (r.status !== 0 && !opts.allowFail) {
    throw new Error(`lab: ${argv.join(' ')} failed (${r.status ?? r.signal}): ${(r.stderr || r.stdout || String(r.error ?? '')).trim()}`);
  }
  return r.stdout ?? '';
}

const inNs = (ns: string, argv: string[]): string[] => [IP, 'netns', 'exec', ns, ...argv];

function nodeArgv(argv: string[]): string[] {
  return argv[0] === 'node' ? [process.execPath, ...argv.slice(1)] : argv;
}

/** argv to run a TypeScript file under tsx with this Node (one process, unlike the tsx CLI). */
export function tsxArgv(file: string, args: string[] = []): string[] {
  return [process.execPath, '--import', 'tsx', isAbsolute(file) ? file : join(REPO_ROOT, file), ...args];
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Where a private mount namespace shows folders an unprivileged lab user could not reach (see asUserArgv). */
const VIEW_ROOT = join(LOCK_ROOT, 'view');

/** Every folder from `dir` up to / lets "others" (an unprivileged user without groups) pass through. */
export function othersCanReach(dir: string): boolean {
  for (let cur = resolve(dir); ; cur = dirname(cur)) {
    if (!(statSync(cur).mode & 0o001)) return false;
    if (dirname(cur) === cur) return true;
  }
}

/**
 * argv that runs `argv` as an unprivileged user. A checkout (or the Node binary) inside a folder only root
 * may enter (/root/src/sg-doctor) cannot be read by that user: the process would fail to load its own
 * code. Such folders are bind-mounted, in a private mount namespace of this one command, at a reachable
 * place (/run/sgdlab/view/…), and argv and cwd refer to them there. The files' own permissions still apply.
 */
export function asUserArgv(argv: string[], user: { uid: number; gid: number }, cwd: string, roots: readonly string[] = [REPO_ROOT, dirname(process.execPath)]): string[] {
  const setpriv = ['setpriv', `--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups', '--inh-caps=-all'];
  const exposed: [string, string][] = [];
  roots.forEach((dir, i) => {
    if (!othersCanReach(dir)) exposed.push([dir, join(VIEW_ROOT, String(i))]);
  });
  if (!exposed.length) return [...setpriv, ...argv];
  const swap = (s: string): string => exposed.reduce((acc, [real, view]) => acc.split(real).join(view), s);
  for (const [, view] of exposed) mkdirSync(view, { recursive: true, mode: 0o755 });
  const script = 'cwd="$1"; shift; while [ "$1" != "--" ]; do mount --bind "$1" "$2" || exit 126; shift 2; done; shift; cd "$cwd" && exec "$@"';
  return ['unshare', '--mount', '--propagation', 'private', 'sh', '-c', script, 'sh', swap(cwd), ...exposed.flat(), '--', ...setpriv, ...argv.map(swap)];
}

function execIn(ns: string, argv: string[], opts: ExecOptions = {}): Promise<ExecResult> {
  const cmd = nodeArgv(argv);
  const full = inNs(ns, opts.asUser ? asUserArgv(cmd, opts.asUser, opts.cwd ?? REPO_ROOT) : cmd);
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const t0 = performance.now();
  return new Promise((resolvePromise) => {
    const child = spawn(full[0], full.slice(1), {
      cwd: opts.cwd ?? REPO_ROOT,
      env: { ...process.env, ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true', ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.input ?? '');
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (err) => {
      stderr += String(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr, durationMs: performance.now() - t0, timedOut });
    });
  });
}

// ---------------------------------------------------------------------------------------------------
// Allocation, registry and cleanup.

const live = new Set<LabImpl>();
let counter = 0;
let hooksInstalled = false;

/** Claims a free lab number X (1..250) with an atomic mkdir under /run/sgdlab; the owner pid is recorded. */
function allocateId(): number {
  mkdirSync(LOCK_ROOT, { recursive: true });
  const start = (process.pid * 7 + counter++ * 13) % 250;
  for (let i = 0; i < 250; i++) {
    const id = ((start + i) % 250) + 1;
    const dir = join(LOCK_ROOT, String(id));
    try {
      mkdirSync(dir);
    } catch {
      continue;
    }
    writeFileSync(join(dir, 'pid'), String(process.pid));
    return id;
  }
  throw new Error('lab: no free 10.200.X.0/24 (250 labs alive? run cleanupStaleLabs())');
}

function namespacesOf(id: number): string[] {
  const out = spawnSync(IP, ['netns', 'list'], { encoding: 'utf8' }).stdout ?? '';
  return out
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0])
    .filter((n) => n && n.startsWith(`${LAB_PREFIX}${id}-`));
}

/** Synchronous teardown of lab X (used by exit hooks too, where nothing async runs). */
function teardownSync(id: number, extraPids: number[] = []): void {
  const nss = namespacesOf(id);
  for (const pid of extraPids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  for (const ns of nss) {
    const pids = (spawnSync(IP, ['netns', 'pids', ns], { encoding: 'utf8' }).stdout ?? '').split(/\s+/).filter(Boolean).map(Number);
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  }
  for (const ns of nss) {
    spawnSync(IP, ['netns', 'del', ns], { stdio: 'ignore' });
    rmSync(join('/etc/netns', ns), { recursive: true, force: true });
  }
  rmSync(join(LOCK_ROOT, String(id)), { recursive: true, force: true });
  try {
    if (readdirSync('/etc/netns').length === 0) rmSync('/etc/netns', { recursive: true });
  } catch {
    // absent, or another lab's resolver is there
  }
}

/**
 * Deletes namespaces and locks left by labs whose process is gone (a crashed or killed test run).
 * Labs of live processes (parallel test files) are left alone. Returns the lab numbers removed.
 */
export function cleanupStaleLabs(): number[] {
  const ids = new Set<number>();
  const listed = spawnSync(IP, ['netns', 'list'], { encoding: 'utf8' }).stdout ?? '';
  for (const line of listed.split('\n')) {
    const m = /^sgdlab-(\d+)-/.exec(line.trim());
    if (m) ids.add(Number(m[1]));
  }
  if (existsSync(LOCK_ROOT)) for (const d of readdirSync(LOCK_ROOT)) if (/^\d+$/.test(d)) ids.add(Number(d));
  const removed: number[] = [];
  for (const id of ids) {
    const dir = join(LOCK_ROOT, String(id));
    let owner: number | null = null;
    try {
      owner = Number(readFileSync(join(dir, 'pid'), 'utf8').trim()) || null;
    } catch {
      // no pid file: a lab being created right now (young lock dir), or a broken leftover
      try {
        if (Date.now() - statSync(dir).mtimeMs < 60_000) continue;
      } catch {
        // no lock dir at all: namespaces without an owner
      }
    }
    if (owner !== null && (owner === process.pid ? [...live].some((l) => l.id === id) : pidAlive(owner))) continue;
    teardownSync(id);
    removed.push(id);
  }
  return removed;
}

function installExitHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', () => {
    for (const lab of live) lab.destroySync();
  });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      for (const lab of live) lab.destroySync();
      process.kill(process.pid, sig);
    });
  }
}

// ---------------------------------------------------------------------------------------------------
// Building.

const HOST_NAME = /^[a-z][a-z0-9-]{0,7}$/;

interface FlakyRule {
  ns: string;
  v6: boolean;
  port: number;
}

function firewallRules(ports: PortSpec[], v6: boolean, labId = 0): { rules: string[][]; flaky: number[] } {
  const rules: string[][] = [];
  const flaky: number[] = [];
  for (const p of ports) {
    const base = ['-A', 'INPUT', '-p', 'tcp', '--dport', String(p.port)];
    switch (p.firewall ?? 'accept') {
      case 'accept':
        break;
      case 'drop':
        rules.push([...base, '-j', 'DROP']);
        break;
      case 'reject-tcp-reset':
        rules.push([...base, '-j', 'REJECT', '--reject-with', 'tcp-reset']);
        break;
      case 'reject-port-unreachable':
        rules.push([...base, '-j', 'REJECT', '--reject-with', v6 ? 'icmp6-port-unreachable' : 'icmp-port-unreachable']);
        break;
      case 'reject-host-prohibited':
        rules.push([...base, '-j', 'REJECT', '--reject-with', v6 ? 'icmp6-adm-prohibited' : 'icmp-host-prohibited']);
        break;
      case 'flaky':
        rules.push(flakyRule(p.port));
        flaky.push(p.port);
        break;
      case 'accept-client-net-then-drop':
      case 'accept-other-net-then-drop': {
        const client = p.firewall === 'accept-client-net-then-drop';
        const net = v6 ? (client ? `fd00:200:0:${labId}::/126` : `fd00:200:0:${labId}::8000/113`) : client ? `10.200.${labId}.0/30` : `10.200.${labId}.128/25`;
        rules.push(['-A', 'INPUT', '-s', net, '-p', 'tcp', '--dport', String(p.port), '-j', 'ACCEPT'], [...base, '-j', 'DROP']);
        break;
      }
    }
  }
  return { rules, flaky };
}

function flakyRule(port: number, op: '-A' | '-D' = '-A'): string[] {
  return [op, 'INPUT', '-p', 'tcp', '--dport', String(port), '--syn', '-m', 'statistic', '--mode', 'nth', '--every', '2', '--packet', '0', '-j', 'DROP'];
}

function icmpRules(policy: IcmpPolicy, v6: boolean): string[][] {
  if (policy === 'reply') return [];
  const match = v6 ? ['-p', 'ipv6-icmp', '--icmpv6-type', 'echo-request'] : ['-p', 'icmp', '--icmp-type', 'echo-request'];
  const target = policy === 'drop' ? ['-j', 'DROP'] : ['-j', 'REJECT', '--reject-with', v6 ? 'icmp6-adm-prohibited' : 'icmp-host-prohibited'];
  return [['-A', 'INPUT', ...match, ...target]];
}

/**
 * Makes a veth deliver what it receives from a kernel thread (GRO → NAPI, threaded), not synchronously
 * inside the sender's system call. Without it, a REJECT's ICMP error comes back while connect() still
 * holds the socket lock; Linux then drops it as a "soft" error (TcpExtLockDroppedIcmps) and connect()
 * only fails at the SYN retransmit 1 s later — an artefact of a zero-latency link that no real network
 * has. Needs ethtool; returns false (lab still usable, ICMP errors slow) when it cannot.
 */
function deliverAsynchronously(ns: string, dev: string): boolean {
  const r = spawnSync(IP, ['netns', 'exec', ns, 'sh', '-c', `ethtool -K ${dev} tso off gro on >/dev/null && echo 1 > /sys/class/net/${dev}/threaded`], {
    encoding: 'utf8',
    timeout: 10_000,
  });
  if (r.status !== 0 && !warnedSync) {
    warnedSync = true;
    console.warn(`[lab] veths deliver synchronously (${(r.stderr || r.error?.message || '').trim()}): ICMP errors to a SYN arrive ~1 s late; apt-get install ethtool`);
  }
  return r.status === 0;
}
let warnedSync = false;

function makeCert(dir: string, hosts: LabHost[]): { certFile: string; keyFile: string } {
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  const san = ['DNS:sgdlab.test', ...hosts.flatMap((h) => [`IP:${h.ipv4}`, ...(h.ipv6 ? [`IP:${h.ipv6}`] : [])])].join(',');
  run([
    'openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', '/CN=sgdlab.test/O=SG Doctor lab',
    '-addext', `subjectAltName=${san}`,
  ]);
  return { certFile, keyFile };
}

function startHostServer(ns: string, cfg: HostServerConfig, procs: ChildProcess[]): Promise<void> {
  const argv = inNs(ns, tsxArgv(join(HERE, 'host-server.ts'), [JSON.stringify(cfg)]));
  const child = spawn(argv[0], argv.slice(1), { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  procs.push(child);
  return new Promise((resolvePromise, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`lab: listeners in ${ns} not ready after 30 s: ${err.trim()}`)), 30_000);
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (out.includes('READY\n')) {
        clearTimeout(timer);
        resolvePromise();
      } else if (out.includes('FAILED')) {
        clearTimeout(timer);
        reject(new Error(`lab: listeners in ${ns} failed: ${out.trim()} ${err.trim()}`));
      }
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`lab: listener process in ${ns} exited (${code}): ${out.trim()} ${err.trim()}`));
    });
  });
}

class LabImpl implements Lab {
  readonly subnet4: string;
  readonly subnet6: string | null;
  client!: LabHost;
  hosts: Record<string, LabHost> = {};
  tlsCertPem: string | null = null;
  readonly procs: ChildProcess[] = [];
  readonly flaky: FlakyRule[] = [];
  private destroyed = false;
  tmp: string | null = null;
  /** Whether every veth delivers from a NAPI thread (see deliverAsynchronously). */
  asyncDelivery = true;

  constructor(
    readonly id: number,
    readonly v6: boolean,
  ) {
    this.subnet4 = `10.200.${id}.0/24`;
    this.subnet6 = v6 ? `fd00:200:0:${id}::/64` : null;
  }

  ns(name: string): string {
    return `${LAB_PREFIX}${this.id}-${name}`;
  }

  exec(argv: string[], opts: ExecOptions & { ns?: string } = {}): Promise<ExecResult> {
    return execIn(opts.ns ?? this.client.ns, argv, opts);
  }

  runInClient(argv: string[], opts: ExecOptions = {}): Promise<ExecResult> {
    return execIn(this.client.ns, argv, opts);
  }

  sh(script: string, opts: ExecOptions & { ns?: string } = {}): Promise<ExecResult> {
    return execIn(opts.ns ?? this.client.ns, ['bash', '-c', script], opts);
  }

  async callMany(calls: { module: string; fn: string; args: unknown[] }[], opts: ExecOptions & { ns?: string } = {}): Promise<CallOutcome[]> {
    const specs: CallSpec[] = calls.map((c) => ({ ...c, module: resolveModule(c.module) }));
    const r = await execIn(opts.ns ?? this.client.ns, tsxArgv(join(HERE, 'call-child.ts'), [JSON.stringify(specs)]), opts);
    const line = r.stdout.split('\n').find((l) => l.startsWith(RESULT_MARKER));
    if (!line) throw new Error(`lab.call: no result (exit ${r.code}${r.timedOut ? ', timed out' : ''}): ${r.stderr.trim() || r.stdout.trim()}`);
    return JSON.parse(line.slice(RESULT_MARKER.length)) as CallOutcome[];
  }

  async call<T = unknown>(module: string, fn: string, args: unknown[], opts: ExecOptions & { ns?: string } = {}): Promise<T> {
    const [o] = await this.callMany([{ module, fn, args }], opts);
    if (!o.ok) throw new Error(`lab.call ${module}#${fn} threw: ${o.error}`);
    return o.value as T;
  }

  async resetFlaky(): Promise<void> {
    for (const f of this.flaky) {
      const tool = f.v6 ? 'ip6tables' : 'iptables';
      run(inNs(f.ns, [tool, '-w', '5', ...flakyRule(f.port, '-D')]));
      run(inNs(f.ns, [tool, '-w', '5', ...flakyRule(f.port, '-A')]));
    }
  }

  destroySync(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    live.delete(this);
    teardownSync(
      this.id,
      this.procs.map((p) => p.pid).filter((p): p is number => typeof p === 'number'),
    );
    if (this.tmp) rmSync(this.tmp, { recursive: true, force: true });
  }

  async destroy(): Promise<void> {
    this.destroySync();
    // Reap the listener processes we spawned (killed above), so none is left even as a zombie.
    await Promise.all(
      this.procs.map(
        (p) =>
          new Promise<void>((resolveExit) => {
            if (p.exitCode !== null || p.signalCode !== null) return resolveExit();
            const t = setTimeout(resolveExit, 5000);
            p.once('exit', () => {
              clearTimeout(t);
              resolveExit();
            });
          }),
      ),
    );
  }
}

function resolveModule(m: string): string {
  if (m.startsWith('node:')) return m;
  const abs = isAbsolute(m) ? m : join(REPO_ROOT, m);
  if (existsSync(abs)) return abs;
  for (const ext of ['.ts', '.tsx', '.mjs', '.js', '.cjs']) if (existsSync(abs + ext)) return abs + ext;
  return abs;
}

function ipv6Supported(): boolean {
  return existsSync('/proc/sys/net/ipv6');
}

/** Builds a lab (see the header). Cleans up after itself if building fails half-way. */
export async function createLab(spec: LabSpec = {}): Promise<Lab> {
  const avail = labAvailability();
  if (!avail.ok) throw new Error(`network lab unavailable: ${avail.reason}`);
  installExitHooks();
  cleanupStaleLabs();
  const hostSpecs = spec.hosts ?? { server: {} };
  const names = Object.keys(hostSpecs);
  if (names.length === 0 || names.length > 200) throw new Error('lab: 1 to 200 hosts');
  for (const n of names) if (!HOST_NAME.test(n) || n === 'client') throw new Error(`lab: bad host name "${n}"`);

  const lab = new LabImpl(allocateId(), spec.ipv6 !== false && ipv6Supported());
  live.add(lab);
  try {
    build(lab, spec, hostSpecs);
    await startListeners(lab, hostSpecs);
  } catch (err) {
    lab.destroySync();
    throw err;
  }
  return lab;
}

function build(lab: LabImpl, spec: LabSpec, hostSpecs: Record<string, HostSpec>): void {
  const X = lab.id;
  const v6 = lab.v6;
  const cns = lab.ns('client');
  const setupNs = (ns: string): void => {
    run([IP, 'netns', 'add', ns]);
    run([IP, '-n', ns, 'link', 'set', 'lo', 'up']);
    if (v6) {
      // No duplicate-address detection: addresses are usable at once (no "tentative" wait).
      run(inNs(ns, ['sysctl', '-q', '-w', 'net.ipv6.conf.all.accept_dad=0', 'net.ipv6.conf.default.accept_dad=0']));
    }
  };

  setupNs(cns);
  lab.client = { name: 'client', ns: cns, ipv4: `10.200.${X}.1`, ipv6: v6 ? `fd00:200:0:${X}::1` : null };
  run([IP, '-n', cns, 'link', 'add', 'br0', 'type', 'bridge']);
  run([IP, '-n', cns, 'addr', 'add', `${lab.client.ipv4}/24`, 'dev', 'br0']);
  if (v6) run([IP, '-n', cns, 'addr', 'add', `${lab.client.ipv6}/64`, 'dev', 'br0', 'nodad']);
  run([IP, '-n', cns, 'link', 'set', 'br0', 'up']);
  if (spec.unprivilegedPing) run(inNs(cns, ['sysctl', '-q', '-w', 'net.ipv4.ping_group_range=0 2147483647']));

  const names = Object.keys(hostSpecs);
  for (const [name, hs] of Object.entries(hostSpecs)) {
    if (hs.via === undefined) continue;
    if (!hostSpecs[hs.via] || hs.via === name) throw new Error(`lab: host "${name}" is via "${hs.via}", which is not another host of the lab`);
  }
  // Routers may be chained (a router behind a router): a host's depth is the number of routers before it.
  const depth = (n: string, seen: string[] = []): number => {
    const via = hostSpecs[n].via;
    if (via === undefined) return 0;
    if (seen.includes(n)) throw new Error(`lab: the routers ${[...seen, n].join(' → ')} form a loop`);
    return 1 + depth(via, [...seen, n]);
  };
  // Hosts on the bridge first, then by depth, so that a router exists before the hosts behind it are joined to it.
  const order = [...names].sort((a, b) => depth(a) - depth(b));
  order.forEach((name) => {
    const i = names.indexOf(name);
    const ns = lab.ns(name);
    setupNs(ns);
    if (!spec.icmpRateLimit) run(inNs(ns, ['sysctl', '-q', '-w', 'net.ipv4.icmp_ratelimit=0', ...(v6 ? ['net.ipv6.icmp.ratelimit=0'] : [])]));
    const via = hostSpecs[name].via;
    const host: LabHost = { name, ns, ipv4: `10.200.${X}.${10 + i}`, ipv6: v6 && via === undefined ? `fd00:200:0:${X}::${(10 + i).toString(16)}` : null };
    if (via !== undefined) {
      // The routers between the client's bridge and this host's own router, nearest the client first.
      const upstream: LabHost[] = [];
      for (let r = hostSpecs[via].via; r !== undefined; r = hostSpecs[r].via) upstream.unshift(lab.hosts[r]);
      joinBehindRouter(lab, host, lab.hosts[via], i, upstream);
    } else {
      const port = `h${i}`;
      // Create the pair inside the client namespace and move one end straight into the host's.
      run([IP, '-n', cns, 'link', 'add', port, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
      run([IP, '-n', cns, 'link', 'set', port, 'master', 'br0', 'up']);
      run([IP, '-n', ns, 'addr', 'add', `${host.ipv4}/24`, 'dev', 'eth0']);
      if (v6) run([IP, '-n', ns, 'addr', 'add', `${host.ipv6}/64`, 'dev', 'eth0', 'nodad']);
      run([IP, '-n', ns, 'link', 'set', 'eth0', 'up']);
      if (lab.asyncDelivery) lab.asyncDelivery = deliverAsynchronously(cns, port) && deliverAsynchronously(ns, 'eth0');
    }
    lab.hosts[name] = host;

    const hs = hostSpecs[name];
    for (const fam of v6 ? [false, true] : [false]) {
      const tool = fam ? 'ip6tables' : 'iptables';
      const { rules, flaky } = firewallRules(hs.ports ?? [], fam, X);
      const extra = (hs.extraInputRules ?? []).map((r) => ['-A', 'INPUT', ...r]);
      for (const r of [...rules, ...icmpRules(hs.icmp ?? 'reply', fam), ...extra]) run(inNs(ns, [tool, '-w', '5', ...r]));
      for (const p of flaky) lab.flaky.push({ ns, v6: fam, port: p });
    }
    for (const r of hs.forwardRules ?? []) run(inNs(ns, ['iptables', '-w', '5', '-A', 'FORWARD', ...r]));
  });

  // Name filters on routers: the upstream's port is redirected to the router's own filter listener.
  for (const [name, hs] of Object.entries(hostSpecs)) {
    for (const p of hs.ports ?? []) {
      if (!p.filter) continue;
      const up = lab.hosts[p.filter.upstream];
      if (!up || hostSpecs[p.filter.upstream].via !== name) throw new Error(`lab: the filter on ${name}:${p.port} needs a host behind ${name} as upstream`);
      run(inNs(lab.hosts[name].ns, ['iptables', '-w', '5', '-t', 'nat', '-A', 'PREROUTING', '-p', 'tcp', '-d', up.ipv4, '--dport', String(p.port), '-j', 'REDIRECT', '--to-ports', String(p.port)]));
    }
  }

  for (const fam of v6 ? [false, true] : [false]) {
    const tool = fam ? 'ip6tables' : 'iptables';
    for (const p of spec.clientBlockedTcpPorts ?? []) run(inNs(cns, [tool, '-w', '5', '-A', 'OUTPUT', '-p', 'tcp', '--dport', String(p), '-j', 'DROP']));
  }

  if (spec.clientResolver) {
    const r = lab.hosts[spec.clientResolver];
    const dns = hostSpecs[spec.clientResolver]?.dns;
    if (!r || !dns) throw new Error(`lab: clientResolver "${spec.clientResolver}" is not a host with dns`);
    if ((dns.port ?? 53) !== 53) throw new Error('lab: a client resolver must serve port 53 (resolv.conf has no port)');
    // `ip netns exec` bind-mounts /etc/netns/<ns>/* over /etc/*: the client's getaddrinfo asks the lab.
    const dir = join('/etc/netns', cns);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'resolv.conf'), `# sgdlab ${X}\nnameserver ${r.ipv4}\noptions timeout:1 attempts:1\n`);
    writeFileSync(join(dir, 'hosts'), `127.0.0.1 localhost\n::1 localhost\n`);
  }
}

/**
 * Joins `host` to `router` by a veth (r<i> in the router, eth0 in the host): the host has its address as a
 * /32 and a default route out of eth0; the router forwards and answers ARP for the rest of the subnet on
 * r<i> (proxy ARP); the client routes the host's /32 via the router's bridge address.
 */
function joinBehindRouter(lab: LabImpl, host: LabHost, router: LabHost, i: number, upstream: LabHost[] = []): void {
  const rdev = `r${i}`;
  run([IP, '-n', router.ns, 'link', 'add', rdev, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', host.ns]);
  // Proxy ARP answers after a random delay of up to 0.8 s (proxy_delay) by default: a lab artefact that would
  // make the first packet through a router slower than a trace's probe wait.
  run(inNs(router.ns, ['sysctl', '-q', '-w', 'net.ipv4.ip_forward=1', `net.ipv4.conf.${rdev}.proxy_arp=1`, `net.ipv4.neigh.${rdev}.proxy_delay=0`]));
  run([IP, '-n', router.ns, 'link', 'set', rdev, 'up']);
  run([IP, '-n', router.ns, 'route', 'add', `${host.ipv4}/32`, 'dev', rdev]);
  run([IP, '-n', host.ns, 'addr', 'add', `${host.ipv4}/32`, 'dev', 'eth0']);
  run([IP, '-n', host.ns, 'link', 'set', 'eth0', 'up']);
  run([IP, '-n', host.ns, 'route', 'add', 'default', 'dev', 'eth0']);
  // Chained routers: the client routes via the first, each router via the next, the last delivers on its veth.
  const chain = [...upstream, router];
  run([IP, '-n', lab.client.ns, 'route', 'add', `${host.ipv4}/32`, 'via', chain[0].ipv4]);
  for (let k = 0; k + 1 < chain.length; k++) run([IP, '-n', chain[k].ns, 'route', 'add', `${host.ipv4}/32`, 'via', chain[k + 1].ipv4]);
  if (lab.asyncDelivery) lab.asyncDelivery = deliverAsynchronously(router.ns, rdev) && deliverAsynchronously(host.ns, 'eth0');
}

async function startListeners(lab: LabImpl, hostSpecs: Record<string, HostSpec>): Promise<void> {
  const needsTls = Object.values(hostSpecs).some((h) => (h.ports ?? []).some((p) => p.listen === 'https'));
  let tlsFiles: { certFile: string; keyFile: string } | undefined;
  if (needsTls) {
    lab.tmp = mkdtempSync(join(tmpdir(), 'sgdlab-'));
    tlsFiles = makeCert(lab.tmp, Object.values(lab.hosts));
    lab.tlsCertPem = readFileSync(tlsFiles.certFile, 'utf8');
  }
  const starts: Promise<void>[] = [];
  for (const [name, hs] of Object.entries(hostSpecs)) {
    const host = lab.hosts[name];
    const any = lab.v6 ? '::' : '0.0.0.0';
    const listeners: HostListenerConfig[] = (hs.ports ?? [])
      .filter((p) => (p.listen ?? 'tcp') !== 'none')
      .map((p) => ({
        port: p.port,
        kind: (p.listen ?? 'tcp') as HostListenerConfig['kind'],
        host: p.bind === 'loopback' ? '127.0.0.1' : any,
        ...(p.filter ? { filter: { upstream: { host: lab.hosts[p.filter.upstream].ipv4, port: p.port }, blockHost: p.filter.blockHost } } : {}),
      }));
    const udpEcho = (hs.udpEcho ?? []).map((port) => ({ port, host: any }));
    if (!listeners.length && !udpEcho.length && !hs.dns) continue;
    const cfg: HostServerConfig = {
      listeners,
      udpEcho,
      ...(hs.dns ? { dns: { zone: typeof hs.dns.zone === 'function' ? hs.dns.zone({ id: lab.id, client: lab.client, hosts: lab.hosts }) : hs.dns.zone, port: hs.dns.port ?? 53, hosts: [host.ipv4, ...(host.ipv6 ? [host.ipv6] : [])] } } : {}),
      ...(tlsFiles ? { tls: tlsFiles } : {}),
    };
    starts.push(startHostServer(host.ns, cfg, lab.procs));
  }
  await Promise.all(starts);
}

// ---------------------------------------------------------------------------------------------------
// The product's command line, for tests and benchmarks that run it inside the lab.

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else if (/\.(ts|tsx|json)$/.test(e.name)) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/**
 * argv that runs `sg-doctor <args>`: the built CLI (bin/sg-doctor.cjs → out/cli) when it is at least as
 * new as the sources under src/core and src/cli, else the TypeScript source under tsx (a stale bundle
 * would test yesterday's code). `prefer: 'built'` always uses bin/sg-doctor.cjs.
 */
export function sgDoctorArgv(args: string[], prefer: 'fresh' | 'built' = 'fresh'): string[] {
  const bundle = join(REPO_ROOT, 'out', 'cli', 'index.cjs');
  const bin = [process.execPath, join(REPO_ROOT, 'bin', 'sg-doctor.cjs'), ...args];
  if (prefer === 'built') return bin;
  const fresh =
    existsSync(bundle) &&
    statSync(bundle).mtimeMs >= Math.max(newestMtime(join(REPO_ROOT, 'src', 'core')), newestMtime(join(REPO_ROOT, 'src', 'cli')));
  return fresh ? bin : tsxArgv(join(REPO_ROOT, 'src', 'cli', 'index.ts'), args);
}

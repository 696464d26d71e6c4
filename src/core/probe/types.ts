// Serialisable facts produced by the probes. Every probe returns one of these; none throws for a
// network outcome. Field names of ProbeReport are part of the `sg-doctor probe --json` contract.

import type { TraceFact, TraceHop } from './trace/types';

/** nmap connect-scan vocabulary (DESIGN.md, "Probe semantics"). */
export type PortState = 'open' | 'closed' | 'filtered';
export type PortReason =
  | 'syn-ack'
  | 'conn-refused'
  | 'no-response'
  | 'host-unreach'
  | 'net-unreach'
  | 'admin-prohibited';

export type IpFamily = 4 | 6;

/** One connect() attempt to one port. */
export interface TcpAttempt {
  startedAt: string; // ISO time
  durationMs: number;
  state: PortState;
  reason: PortReason;
  /** errno code as Node reports it (ECONNREFUSED, EHOSTUNREACH, ...); absent for success and timeout. */
  errno?: string;
  /** The timeout this attempt was given (adaptive). */
  timeoutMs: number;
}

export type BannerKind = 'ssh' | 'http' | 'tls' | 'generic' | 'none';

export interface TlsInfo {
  protocol: string | null; // e.g. TLSv1.3
  cipher: string | null;
  servername: string | null; // SNI sent
  subject: string | null; // CN / O of the leaf certificate
  issuer: string | null;
  validFrom: string | null; // ISO
  validTo: string | null; // ISO
  expired: boolean | null;
  selfSigned: boolean | null;
  authorized: boolean;
  authorizationError: string | null;
  altNames: string[];
}

export interface BannerFact {
  kind: BannerKind;
  /** What we asked for (e.g. 'ssh-ident', 'http-head', 'tls-handshake', 'first-bytes'). */
  method: string;
  /** SSH identification string, e.g. "SSH-2.0-OpenSSH_8.9p1 Ubuntu-3". */
  sshIdent?: string;
  /** HTTP status line and headers of interest. */
  http?: { statusLine: string; statusCode: number; server: string | null; location: string | null };
  tls?: TlsInfo;
  /** First bytes the server sent (printable, truncated) and their count. */
  firstBytes?: string;
  /** Application protocol recognised beyond kind (mysql, postgresql, redis, rdp). */
  service?: string;
  /** Server software version when the protocol tells it (MySQL greeting). */
  version?: string;
  /** One-line protocol-specific finding (e.g. "SSL supported", "+PONG", "negotiated TLS"). */
  detail?: string;
  bytesRead: number;
  durationMs: number;
  /** Why the banner could not be read (timeout, reset, tls-error: ...). */
  error?: string;
  /** The application answered in its own protocol that it refuses this client (MySQL error packet, Redis -DENIED, SMTP 421/554...): the reply, quoted. */
  refusal?: string;
  /** The conversation held with the port: which protocol, what was sent, how it ended. Absent in facts saved before it existed. */
  exchange?: BannerExchange;
}

/** How a banner conversation ended. */
export type BannerEnd =
  /** Bytes came back. */
  | 'answered'
  /** Nothing came back before the deadline. */
  | 'silent'
  /** The peer closed (FIN) without sending anything. */
  | 'closed'
  /** The peer reset the connection without sending anything. */
  | 'reset'
  /** A TLS alert in answer to our ClientHello. */
  | 'tls-alert'
  /** Another TLS handshake failure. */
  | 'tls-error'
  /** The port answers, but in another protocol than the one asked for (plain HTTP on a TLS port, TLS on a plain one). */
  | 'wrong-protocol'
  | 'aborted'
  | 'error';

export interface BannerExchange {
  /** The conversation held (banner strategy): ssh, http, https, tls, mysql, postgresql, redis, rdp, smtp, ftp, pop3, imap, generic. */
  protocol: string;
  /** Where that choice came from: the caller's protocol/service hint, the port's preset, or neither (listen, then nudge). */
  chosenBy: 'hint' | 'port' | 'default';
  /** In this protocol the server speaks first (a greeting on connect). */
  serverFirst: boolean;
  /** What was sent, in order and readable (text quoted, binary requests named with their bytes); empty when we only listened. */
  sent: string[];
  /** A complete, valid request of the protocol was sent (a blank-line nudge is not one). */
  requestSent: boolean;
  end: BannerEnd;
  /** What the end followed: the connect alone, our nudge, or our request. */
  endedAfter: 'connect' | 'nudge' | 'request';
}

export interface TcpPortFact {
  host: string;
  address: string;
  port: number;
  /** Well-known service name for the port (ssh, http, ...), if any. */
  service?: string;
  state: PortState;
  reason: PortReason;
  /** RTT of the best successful or refused attempt; null when every attempt timed out. */
  rttMs: number | null;
  /** Number of attempts made. */
  attempts: number;
  samples: TcpAttempt[];
  /** Filtered on some attempts but answered on others: reported as flaky, not filtered. */
  flaky: boolean;
  banner?: BannerFact;
  startedAt: string;
  finishedAt: string;
}

export type IcmpState = 'reply' | 'timeout' | 'unreachable' | 'unavailable';
export type IcmpMethod = 'raw-socket' | 'system-ping' | 'none';

export interface IcmpFact {
  address: string;
  state: IcmpState;
  method: IcmpMethod;
  sent: number;
  received: number;
  lossPct: number;
  /** RTT of every reply, in ms. */
  rttMs: number[];
  rttAvgMs: number | null;
  rttMinMs: number | null;
  rttMaxMs: number | null;
  /** ICMP error seen instead of a reply (e.g. "Destination Host Prohibited", type/code when known). */
  unreachable?: { type?: number; code?: number; from?: string; text: string };
  /** Raw system ping output (system-ping method), kept as evidence. */
  raw?: string;
  /** Why ICMP could not be tried (no permission and no ping binary, ...). */
  error?: string;
  /** Why the preferred method was not used, e.g. "raw socket unavailable (Operation not permitted ...)". */
  fallback?: string;
  /** argv of the system ping run (system-ping method), as evidence. */
  command?: string[];
  /** Output format the parser recognised (iputils, bsd, windows-en, windows-zh, unknown). */
  format?: string;
  startedAt: string;
  finishedAt: string;
}

export type DnsErrorClass = 'NXDOMAIN' | 'NODATA' | 'SERVFAIL' | 'TIMEOUT' | 'REFUSED' | 'OTHER';

export interface DnsAnswerSet {
  /** 'system' for getaddrinfo, else the resolver address queried directly. */
  resolver: string;
  a: string[];
  aaaa: string[];
  cname: string[];
  error?: DnsErrorClass;
  errorDetail?: string;
  durationMs: number;
}

export type DnsExpectation =
  | 'match' // the expected address is among the answers
  | 'mismatch' // all resolvers agree on other addresses (stale record, wrong record)
  | 'resolvers-disagree' // system and direct answers differ (split horizon, hosts file, hijack)
  | 'cdn-or-proxy' // a CNAME chain to another name and other addresses
  | 'no-answer';

export interface DnsFact {
  host: string;
  isIpLiteral: boolean;
  system: DnsAnswerSet | null;
  direct: DnsAnswerSet[];
  /** Union of addresses that will be probed, system resolver's order first. */
  addresses: string[];
  expected?: { address: string; verdict: DnsExpectation; detail: string };
  startedAt: string;
  finishedAt: string;
}

export interface EgressIpSource {
  url: string;
  address?: string;
  error?: string;
  durationMs: number;
}

export interface EgressIpFact {
  /** Consensus address (majority of sources), null when none answered. */
  address: string | null;
  consensus: boolean;
  sources: EgressIpSource[];
  /** Sources that returned an address, and how many of them agree with `address`. */
  answered?: number;
  agreeing?: number;
  /** Every distinct address seen (more than one: several egress paths, split tunnel, proxy). */
  distinct?: string[];
  /** IPv6 majority when sources answered over both families (`address` is then the IPv4 one). */
  addressV6?: string;
}

export interface NetworkInterfaceFact {
  name: string;
  addresses: { address: string; family: IpFamily; cidr: string | null; internal: boolean }[];
  /** tun/tap/wg/utun/ppp/... : traffic may leave through a VPN. */
  isTunnel: boolean;
}

export interface ProxySetting {
  variable: string; // HTTP_PROXY, https_proxy, ALL_PROXY, NO_PROXY
  value: string; // credentials in the URL are redacted
}

export interface ControlProbeFact {
  host: string;
  port: number;
  state: PortState;
  reason: PortReason;
  rttMs: number | null;
  /** errno of a failed connect (ENOTFOUND means the control host name did not resolve). */
  errno?: string;
}

export interface ClientContextFact {
  egressIp: EgressIpFact | null;
  interfaces: NetworkInterfaceFact[];
  tunnels: string[];
  defaultRoute?: { gateway: string | null; interface: string | null; viaTunnel?: boolean };
  proxies: ProxySetting[];
  control: ControlProbeFact[];
  platform: string;
}

export interface ProbeReport {
  target: { host: string; addresses: string[]; family: IpFamily | null };
  dns: DnsFact | null;
  icmp: IcmpFact | null;
  tcp: TcpPortFact[];
  client: ClientContextFact;
  timings: { startedAt: string; finishedAt: string; totalMs: number; phasesMs: Record<string, number> };
  /** ICP-filing (备案) interception test: the same request by IP and by name (only when asked, see ProbeRequest.icp). */
  icp?: IcpFact | null;
  /** Hop-by-hop path trace to the first address, run after the probes (only when asked, see ProbeRequest.trace). */
  trace?: TraceFact;
}

/** Progress events of a probe plan run (consumed by the CLI progress line and the UI). */
export type ProbeEvent =
  | { type: 'phase'; phase: 'dns' | 'icmp' | 'tcp' | 'banner' | 'client'; status: 'start' | 'done' }
  | { type: 'tcp-port'; fact: TcpPortFact; done: number; total: number }
  | { type: 'dns'; fact: DnsFact }
  | { type: 'icmp'; fact: IcmpFact }
  | { type: 'client'; fact: ClientContextFact }
  /** A banner read on an open port (after its `tcp-port` event). */
  | { type: 'banner'; address: string; port: number; fact: BannerFact }
  /** The path trace: start and end (phase), and each hop as it arrives (again, same TTL, when more answers come). */
  | { type: 'trace-phase'; status: 'start' | 'done'; method?: TraceFact['method'] }
  | { type: 'trace-hop'; hop: TraceHop };

/** Adaptive timing bounds (nmap-style). */
export interface TimingOptions {
  initialTimeoutMs: number; // before any RTT is known (nmap T4: 500, T3: 1000)
  minTimeoutMs: number; // floor (nmap: 100)
  maxTimeoutMs: number; // ceiling (nmap T4: 1250, T3: 10000)
}

/** What `runProbe` is asked to do (CLI flags and the UI map onto this). */
export interface ProbeRequest {
  host: string;
  ports: number[];
  icmp: boolean;
  dns: boolean;
  expectIp?: string;
  attempts: number;
  timing: TimingOptions;
  /** Read application banners on open ports. */
  banners: boolean;
  /** Upper bound on simultaneous probes. */
  concurrency: number;
  /** Client context: egress-IP echo endpoints (URLs returning the caller's IP) and control host:port pairs. */
  egressIpUrls: string[];
  controlHosts: string[]; // "host" or "host:port"; the probed ports are used when no port is given
  /** Resolvers for direct DNS queries ("ip" or "ip:port"); empty = the system's configured servers. */
  dnsServers: string[];
  /** Force ICMP method (tests): 'auto' tries raw sockets, then the system ping. */
  icmpMethod?: 'auto' | 'raw-socket' | 'system-ping';
  /** Most addresses of a name to probe (default 4; the expected IP is added when DNS does not return it). */
  maxAddresses?: number;
  /** ICMP echo requests to send (default 3). */
  icmpCount?: number;
  /** Per-banner time budget in ms (default 3000). */
  bannerTimeoutMs?: number;
  /**
   * Compare one web request by IP with the same request by name on this port (ICP-filing interception in
   * mainland-China regions). Only runs when the target is a name and the port connects.
   */
  icp?: { port: number; scheme: IcpScheme; timeoutMs?: number };
  /** Application protocol (or service name) per port, overriding the port's preset for the banner: { 18080: 'http' }. */
  appProtocols?: Record<number, string>;
  /**
   * Trace the path to the first address after the probes (src/core/probe/trace): TCP SYN to `port` (default:
   * the first port that did not connect, else the first port) where raw sockets are permitted, else UDP/ICMP.
   */
  trace?: TraceRequest;
}

/** What a path trace is asked to do; bounded by the engine (≤ 30 hops, ≤ 180 s). */
export interface TraceRequest {
  port?: number;
  maxHops?: number;
  /** Overall time limit in ms (default 60 000). */
  timeoutMs?: number;
  /** The user's own networks (CIDRs): see TraceFact.ownNetworks. */
  ownNetworks?: string[];
}

/** Hard bound: this is a diagnosis tool, not a port scanner. */
export const MAX_PORTS_PER_RUN = 32;

export type { TraceFact, TraceHop } from './trace/types';

// ---------------------------------------------------------------------------------------------------
// ICP-filing (备案) interception: the same web request sent by IP and by name to the same address.

export type IcpScheme = 'http' | 'https';

/** One of the two requests. */
export interface IcpRequestFact {
  by: 'ip' | 'name';
  /** Host header sent. */
  hostHeader: string;
  /** SNI sent in the TLS ClientHello (https); null: none. */
  sni: string | null;
  /** The TCP connection was established. */
  connected: boolean;
  /** The name-carrying bytes left us: the HTTP request (http) or the ClientHello (https). */
  sent: boolean;
  /** Where it stopped when it failed: connect, tls-handshake (after the ClientHello), response (after the request). */
  failedAt?: 'connect' | 'tls-handshake' | 'response';
  /** reset, closed, timeout, refused, aborted, tls-alert: …, or an errno code. */
  error?: string;
  /** The HTTP response head, when one came. */
  http?: { statusLine: string; statusCode: number; server: string | null; location: string | null };
  /** Leaf certificate presented (https). */
  tls?: { protocol: string | null; subject: string | null; issuer: string | null };
  /** Body bytes read (bounded), their SHA-256, and the start as printable text. */
  bodyBytes: number;
  bodySha256?: string;
  bodyStart?: string;
  /** A known interception-page phrase found in the body (see icp.ts for the source). */
  blockPageText?: string;
  bytesRead: number;
  durationMs: number;
}

/**
 * What the comparison shows: blocked (the name request is reset/closed or answered by something that is not
 * the server, while the IP request gets the server's answer), suspect (weaker signs), clear (both answered
 * by the same server), inconclusive (the IP request itself failed, so nothing can be compared).
 */
export type IcpDecisionStatus = 'blocked' | 'suspect' | 'clear' | 'inconclusive';

export interface IcpDecision {
  status: IcpDecisionStatus;
  /** Which condition fired, e.g. name-reset, sni-reset, different-server, block-page, foreign-redirect. */
  condition: string;
  /** The observations the decision rests on (short, technical, for the evidence panel). */
  observations: string[];
}

export interface IcpFact {
  host: string;
  address: string;
  port: number;
  scheme: IcpScheme;
  byIp: IcpRequestFact;
  byName: IcpRequestFact;
  decision: IcpDecision;
  startedAt: string;
  finishedAt: string;
}

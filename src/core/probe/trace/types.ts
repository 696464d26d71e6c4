// Serialisable facts of a hop-by-hop path trace (issue 12). The JSON shape `trace: { method, hops: [{ ttl,
// address, rttMs }], reached }` of `probe --json` / `diagnose --json` is a subset of TraceFact.

/**
 * How the probes were sent:
 * - tcp-syn: TCP SYNs to the diagnosed port with rising TTL (raw socket: root / CAP_NET_RAW; Linux `traceroute -T`);
 * - udp: UDP datagrams to high ports (Linux / macOS `traceroute`, Linux `tracepath`);
 * - icmp: ICMP echo requests (Windows `tracert`, `traceroute -I`);
 * - none: no trace could be run (see `error`).
 */
export type TraceMethod = 'tcp-syn' | 'udp' | 'icmp' | 'none';

/** The system program that ran the trace. */
export type TraceTool = 'traceroute' | 'tracepath' | 'tracert';

/**
 * What an ICMP error in place of a reply said (Linux / BSD traceroute `!H`, `!N`, `!X`, ...; Windows
 * "reports: ..." lines): the probe was stopped by the hop that sent it.
 */
export type HopUnreachable =
  | 'host-unreachable'
  | 'net-unreachable'
  | 'protocol-unreachable'
  | 'admin-prohibited'
  | 'frag-needed'
  | 'source-route-failed'
  | 'other';

export interface TraceHop {
  /** Time-to-live (hop limit) of the probes of this hop, from 1. */
  ttl: number;
  /** The address that answered; null for a silent hop (every probe lost). */
  address: string | null;
  /** Further addresses that answered probes of the same TTL (load-balanced paths), when any. */
  otherAddresses?: string[];
  /** Round-trip times of the answered probes, in ms (Windows `<1 ms` is recorded as 1). */
  rttMs: number[];
  /** Probes sent at this TTL (answered + lost), as far as the output shows them. */
  sent: number;
  /** Fraction of the probes of this hop that got no answer, 0..1. */
  loss: number;
  /** The answer was an ICMP error that stopped the probe at this hop (not time-exceeded, not the target's). */
  unreachable?: HopUnreachable;
}

export interface TraceFact {
  method: TraceMethod;
  tool: TraceTool | null;
  /** The target as asked (address or name). */
  target: string;
  /** The address the tool traced to (from its header line), when known. */
  targetAddress: string | null;
  /** Destination port of the probes when the method has one the caller chose (tcp-syn). */
  port?: number;
  hops: TraceHop[];
  /** The target itself answered (a hop's address is the target address). */
  reached: boolean;
  maxHops: number;
  durationMs: number;
  startedAt: string;
  /** Why the trace ended before the tool finished: the caller cancelled, the time bound, or a run of silent hops. */
  stopped?: 'cancelled' | 'timeout' | 'silent-hops';
  /**
   * The networks the user declared as their own (CIDRs, `--own-network`): when present, a hop belongs to the
   * user's own network exactly when its address lies in one of them, instead of by address class (for
   * networks that use many private hops, public space inside, or a private target reached over a VPN).
   */
  ownNetworks?: string[];
  /** Why no trace (or only part of one) could be run: no tool, the tool failed. */
  error?: { kind: 'no-tool' | 'spawn-failed' | 'tool-failed' | 'bad-target'; detail: string };
}

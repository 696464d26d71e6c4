// Shared between the lab (lab.ts, in the test process) and the scripts it starts inside namespaces
// (host-server.ts, call-child.ts). No side effects: importing it starts nothing.
import type { Zone } from '../support/dns-server';

/** Prefix of the line on which call-child.ts prints its JSON results. */
export const RESULT_MARKER = '@@sgdlab-result ';

export interface CallSpec {
  /** Absolute path of the module (a .ts file is fine: the child runs under tsx), or a 'node:' builtin. */
  module: string;
  fn: string;
  args: unknown[];
}

export type CallOutcome = { ok: true; value: unknown; ms: number } | { ok: false; error: string; ms: number };

/** The SSH identification line the lab's 'ssh' listeners send. */
export const SSH_BANNER = 'SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3 sgdlab';
/** The Server header of the lab's HTTP(S) listeners. */
export const HTTP_SERVER_HEADER = 'sgdlab-http/1.0';

/** What one listener serves; see `ListenerKind` in lab.ts. */
export interface HostListenerConfig {
  port: number;
  kind: 'tcp' | 'ssh' | 'http' | 'https' | 'egress-echo' | 'name-filter' | 'http-500';
  /** name-filter: where allowed requests are relayed, and the Host whose requests get the notice page instead. */
  filter?: { upstream: { host: string; port: number }; blockHost: string };
  /** '0.0.0.0', '::' (both families) or '127.0.0.1' (a service bound to loopback only). */
  host: string;
}

export interface HostServerConfig {
  listeners: HostListenerConfig[];
  udpEcho: { port: number; host: string }[];
  dns?: { zone: Zone; hosts: string[]; port: number };
  tls?: { certFile: string; keyFile: string };
}

/** The Server header and page of the lab's name-filter notice (another server than the site's). */
export const FILTER_SERVER_HEADER = 'sgdlab-filter/1.0';
export const FILTER_PAGE = '<html><head><meta charset="utf-8"></head><body><h1>网站暂时无法访问</h1><p>sgdlab name filter</p></body></html>';

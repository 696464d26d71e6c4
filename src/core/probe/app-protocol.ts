// The application protocol a port speaks, as the user can name it (for any port) and as presets know it
// (by well-known port or service name). It decides what the banner reader says to the port: server-first
// protocols are only listened to, client-first ones get one harmless request. The user's choice wins.
// No Node import: the renderer's contract (api.ts) uses these names too.

/** Protocols a user can name for any port (the app's picker and `--protocol`). */
export const APP_PROTOCOLS = ['http', 'https', 'ssh', 'rdp', 'mysql', 'postgresql', 'redis', 'smtp', 'other'] as const;
export type AppProtocol = (typeof APP_PROTOCOLS)[number];

/** Names users type for those protocols. */
const APP_PROTOCOL_ALIASES: Readonly<Record<string, AppProtocol>> = {
  web: 'http',
  'http-alt': 'http',
  tls: 'https',
  ssl: 'https',
  'https-alt': 'https',
  'remote-desktop': 'rdp',
  'ms-wbt-server': 'rdp',
  mariadb: 'mysql',
  postgres: 'postgresql',
  pg: 'postgresql',
  submission: 'smtp',
  unknown: 'other',
  custom: 'other',
  generic: 'other',
};

/** A protocol name (case-insensitive, aliases accepted), or undefined when it is not one. */
export function parseAppProtocol(name: string | undefined): AppProtocol | undefined {
  if (name === undefined) return undefined;
  const key = name.trim().toLowerCase();
  if ((APP_PROTOCOLS as readonly string[]).includes(key)) return key as AppProtocol;
  return APP_PROTOCOL_ALIASES[key];
}

/** The application protocol of a service preset (ssh, http-alt, postgres, ...), when it is one of ours. */
export function appProtocolForService(service: string | undefined): AppProtocol | undefined {
  if (!service) return undefined;
  const key = service.trim().toLowerCase();
  if (key === 'web' || key === 'custom' || key === 'unknown' || key === 'generic') return undefined; // not one protocol
  return parseAppProtocol(key);
}

/**
 * Protocols in which the server speaks first (it greets the client on connect). Silence from them is
 * a sign of a stuck service; for the others silence is what a healthy server does until asked.
 */
export const SERVER_FIRST_PROTOCOLS: ReadonlySet<string> = new Set(['ssh', 'mysql', 'smtp', 'ftp', 'pop3', 'imap']);

/** Takes a banner strategy name (ssh, http, smtp, generic, ...). */
export function isServerFirst(strategy: string | undefined): boolean {
  return strategy !== undefined && SERVER_FIRST_PROTOCOLS.has(strategy);
}

/** Human name of a protocol (the same in both languages). */
export function protocolLabel(p: string): string {
  const labels: Record<string, string> = {
    http: 'HTTP',
    https: 'HTTPS',
    tls: 'TLS',
    ssh: 'SSH',
    rdp: 'RDP',
    mysql: 'MySQL',
    postgresql: 'PostgreSQL',
    redis: 'Redis',
    smtp: 'SMTP',
    ftp: 'FTP',
    pop3: 'POP3',
    imap: 'IMAP',
  };
  return labels[p] ?? p;
}

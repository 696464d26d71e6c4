// The zod-free half of the contract: what the renderer needs at run time (the client over a transport,
// the service presets, the external-link allow-list). Schemas and validation stay in api.ts, so the
// renderer bundle does not carry zod.
import type { Client, Transport } from './api';
import type { Result } from './result';

/** Service presets of the guided flow (the SSH/RDP/HTTP/HTTPS/MySQL/custom). */
export const SERVICE_PRESETS = [
  { id: 'ssh', port: 22, label: 'SSH' },
  { id: 'rdp', port: 3389, label: 'RDP' },
  { id: 'http', port: 80, label: 'HTTP' },
  { id: 'https', port: 443, label: 'HTTPS' },
  { id: 'mysql', port: 3306, label: 'MySQL' },
  { id: 'custom', port: 0, label: 'Custom' },
] as const;
export type ServicePreset = (typeof SERVICE_PRESETS)[number]['id'];

export function createClient(transport: Transport): Client {
  return {
    async call(channel, args) {
      try {
        return (await transport.invoke(channel, args)) as Result<never>;
      } catch (e) {
        // A transport failure (backend gone, connection refused) is a result like any other.
        return { ok: false, code: 'TRANSPORT', message: e instanceof Error ? e.message : String(e) };
      }
    },
    on(event, listener) {
      return transport.subscribe(event, listener as (payload: unknown) => void);
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// External links: the allow-list both the backend and the Electron shell enforce (and the renderer uses to
// decide what to show as a link). Providers' console hosts must be listed here; a test keeps it so.

const ALLOWED_EXTERNAL_HOSTS = [
  'ecs.console.aliyun.com',
  'vpc.console.aliyun.com',
  'ram.console.aliyun.com',
  'home.console.aliyun.com',
  'usercenter2.aliyun.com',
  'help.aliyun.com',
  'www.alibabacloud.com',
  'ecs.console.alibabacloud.com',
  'vpc.console.alibabacloud.com',
  'api.aliyun.com',
  'next.api.aliyun.com',
  'beian.aliyun.com',
  // Huawei Cloud: console, documentation, filing (test/provider-port.test.ts checks every provider link is here).
  'console.huaweicloud.com',
  'support.huaweicloud.com',
  'beian.huaweicloud.com',
];

/** Parsed https URL on the allow-list, no credentials, default port; null otherwise. */
export function allowedExternalUrl(raw: string): string | null {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return null;
  }
  if (u.protocol !== 'https:' || u.username || u.password || u.port) return null;
  if (!ALLOWED_EXTERNAL_HOSTS.includes(u.hostname.toLowerCase())) return null;
  return u.toString();
}

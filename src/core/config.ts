// User configuration for endpoints the product talks to besides the probed server: egress-IP echo
// services, control hosts, DNS resolvers, and (read by the cloud module) API endpoints.
//
// Precedence: explicit options (CLI flags, UI settings) > environment > config file > shipped defaults.
// An environment variable set to the empty string means "none" (it disables the shipped default).
//
//   SGD_CONFIG             path of the config file (default $XDG_CONFIG_HOME/sg-doctor/config.json,
//                          else ~/.config/sg-doctor/config.json)
//   SGD_EGRESS_IP_URLS     comma- or space-separated URLs answering with the caller's IP (plain text or JSON {ip})
//   SGD_CONTROL_HOSTS      comma- or space-separated "host" or "host:port" known to accept connections
//   SGD_DNS_SERVERS        comma- or space-separated resolvers "ip" or "ip:port" for direct DNS queries
//
// Shipped defaults (real users only; tests always pass their own or empty lists):
//   egress IP: https://4.ipw.cn (mainland China), https://api.ipify.org, https://ipv4.icanhazip.com -- three
//     independent operators that answer with the bare IPv4 address, so a majority vote is meaningful and a
//     user in mainland China still gets an answer when foreign services are slow or blocked.
//   control hosts: gitee.com:22 and github.com:22 (public SSH on 22: the port most often blocked by
//     corporate or campus egress; one in and one outside mainland China), www.aliyun.com:443 and
//     www.aliyun.com:80 (always-on web ports of the cloud the user is diagnosing).
//   DNS servers: none, i.e. the system's configured resolvers (the probe compares them with 223.5.5.5-style
//     public resolvers only when the user configures them).
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { isEndpointHost } from './cloud/alicloud/endpoints';
import type { ContactKind, ContactSettings } from './api';
import { fail, ok, type Result } from './result';

export const SHIPPED_DEFAULTS = {
  egressIpUrls: ['https://4.ipw.cn', 'https://api.ipify.org', 'https://ipv4.icanhazip.com'],
  controlHosts: ['gitee.com:22', 'github.com:22', 'www.aliyun.com:443', 'www.aliyun.com:80'],
  dnsServers: [] as string[],
} as const;

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });
const hostSpec = z.string().trim().min(1).max(260);
/** "host[:port]" (a scheme and a trailing slash are tolerated): no user-info, path or query that could redirect a signed request. */
const endpointSpec = z
  .string()
  .trim()
  .min(1)
  .refine((v) => isEndpointHost(v.replace(/^[a-z]+:\/\//i, '').replace(/\/+$/, '')), { error: 'must be a host or host:port' });

export const ConfigFileSchema = z.looseObject({
  egressIpUrls: z.array(httpUrl).max(8).optional(),
  controlHosts: z.array(hostSpec).max(16).optional(),
  dnsServers: z.array(hostSpec).max(8).optional(),
  /** Cloud API endpoint overrides (read by the cloud module; e.g. "127.0.0.1:8089" for a local fake). */
  ecsEndpoint: endpointSpec.optional(),
  vpcEndpoint: endpointSpec.optional(),
});

export type ConfigFile = z.infer<typeof ConfigFileSchema>;

export interface EndpointConfig {
  egressIpUrls: string[];
  controlHosts: string[];
  dnsServers: string[];
  ecsEndpoint?: string;
  vpcEndpoint?: string;
  /** Where each list came from, for `--verbose` output and support requests. */
  sources: { egressIpUrls: ConfigSource; controlHosts: ConfigSource; dnsServers: ConfigSource };
  /** The file that was read, if any. */
  configPath: string | null;
}

export type ConfigSource = 'explicit' | 'env' | 'file' | 'default';

export function defaultConfigPath(env: NodeJS.ProcessEnv = process.env, home: string = os.homedir()): string {
  const base = env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.join(home, '.config');
  return path.join(base, 'sg-doctor', 'config.json');
}

/** "a, b c" -> ["a","b","c"]; undefined stays undefined, "" is an explicit empty list. */
export function splitList(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return value.split(/[\s,]+/).map((s) => s.trim()).filter(Boolean);
}

/** Pure: validates parsed JSON as a config file. */
export function parseConfigFile(json: unknown, where = 'config file'): Result<ConfigFile> {
  const r = ConfigFileSchema.safeParse(json);
  if (r.success) return ok(r.data);
  const issue = r.error.issues[0];
  const at = issue.path.length ? issue.path.join('.') : '(root)';
  return fail('bad-config', `${where}: ${at}: ${issue.message}`);
}

/**
 * Reads the config file. A missing file at the default location is fine (empty config); a missing file
 * that was named explicitly (SGD_CONFIG or `path`) is an error, as is invalid JSON or a schema violation.
 */
export async function loadConfigFile(opts: { path?: string; env?: NodeJS.ProcessEnv; home?: string } = {}): Promise<Result<{ config: ConfigFile; path: string | null }>> {
  const env = opts.env ?? process.env;
  const explicit = opts.path ?? (env.SGD_CONFIG ? env.SGD_CONFIG : undefined);
  const file = explicit ?? defaultConfigPath(env, opts.home);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (!explicit && (code === 'ENOENT' || code === 'ENOTDIR')) return ok({ config: {}, path: null });
    return fail('bad-config', `cannot read config file ${file}: ${code ?? (err as Error).message}`);
  }
  if (text.trim() === '') return ok({ config: {}, path: file }); // a freshly touched file
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return fail('bad-config', `config file ${file} is not valid JSON: ${(err as Error).message}`);
  }
  const parsed = parseConfigFile(json, `config file ${file}`);
  return parsed.ok ? ok({ config: parsed.value, path: file }) : parsed;
}

export interface ResolveOptions {
  /** Values given explicitly (CLI flags / UI); undefined = not given. */
  explicit?: { egressIpUrls?: string[]; controlHosts?: string[]; dnsServers?: string[] };
  env?: NodeJS.ProcessEnv;
  file?: ConfigFile;
  configPath?: string | null;
  /** Fall back to SHIPPED_DEFAULTS (true for the CLI and the app; tests pass false or explicit lists). */
  useShippedDefaults?: boolean;
}

/** Pure: merges the layers. */
export function resolveEndpointConfig(opts: ResolveOptions): Result<EndpointConfig> {
  const env = opts.env ?? {};
  const file = opts.file ?? {};
  const shipped = opts.useShippedDefaults ?? false;
  const pickList = (
    explicit: string[] | undefined,
    envName: string,
    fromFile: string[] | undefined,
    def: readonly string[],
  ): { value: string[]; source: ConfigSource } => {
    if (explicit !== undefined) return { value: explicit, source: 'explicit' };
    const fromEnv = splitList(env[envName]);
    if (fromEnv !== undefined) return { value: fromEnv, source: 'env' };
    if (fromFile !== undefined) return { value: fromFile, source: 'file' };
    return { value: shipped ? [...def] : [], source: 'default' };
  };
  const egress = pickList(opts.explicit?.egressIpUrls, 'SGD_EGRESS_IP_URLS', file.egressIpUrls, SHIPPED_DEFAULTS.egressIpUrls);
  const control = pickList(opts.explicit?.controlHosts, 'SGD_CONTROL_HOSTS', file.controlHosts, SHIPPED_DEFAULTS.controlHosts);
  const dns = pickList(opts.explicit?.dnsServers, 'SGD_DNS_SERVERS', file.dnsServers, SHIPPED_DEFAULTS.dnsServers);
  // Explicit and env values get the same validation as the file.
  const check = parseConfigFile({ egressIpUrls: egress.value, controlHosts: control.value, dnsServers: dns.value }, egress.source === 'env' || control.source === 'env' || dns.source === 'env' ? 'environment' : 'options');
  if (!check.ok) return check;
  const out: EndpointConfig = {
    egressIpUrls: egress.value,
    controlHosts: control.value,
    dnsServers: dns.value,
    sources: { egressIpUrls: egress.source, controlHosts: control.source, dnsServers: dns.source },
    configPath: opts.configPath ?? null,
  };
  if (file.ecsEndpoint) out.ecsEndpoint = file.ecsEndpoint;
  if (file.vpcEndpoint) out.vpcEndpoint = file.vpcEndpoint;
  return ok(out);
}

/** Imperative shell: file + environment + explicit values. */
export async function loadEndpointConfig(opts: Omit<ResolveOptions, 'file' | 'configPath'> & { path?: string; home?: string } = {}): Promise<Result<EndpointConfig>> {
  const env = opts.env ?? process.env;
  const loaded = await loadConfigFile({ path: opts.path, env, home: opts.home });
  if (!loaded.ok) return loaded;
  return resolveEndpointConfig({ ...opts, env, file: loaded.value.config, configPath: loaded.value.path });
}

// ---------------------------------------------------------------------------------------------------
// Outside contacts as the app's settings panel shows and changes them. They live in the same config
// file the command line reads, so the CLI and the app share both the shipped defaults and the user's
// choices. An empty list turns a kind of contact off; null (removing the key) goes back to the default.

export const CONTACT_KINDS: readonly ContactKind[] = ['egressIpUrls', 'controlHosts', 'dnsServers'];
export const CONTACT_ENV: Record<ContactKind, string> = { egressIpUrls: 'SGD_EGRESS_IP_URLS', controlHosts: 'SGD_CONTROL_HOSTS', dnsServers: 'SGD_DNS_SERVERS' };

export type { ContactKind, ContactSettings };

export async function contactSettings(opts: { env?: NodeJS.ProcessEnv; home?: string } = {}): Promise<Result<ContactSettings>> {
  const env = opts.env ?? process.env;
  const cfg = await loadEndpointConfig({ env, home: opts.home, useShippedDefaults: true });
  if (!cfg.ok) return cfg;
  return ok({
    effective: { egressIpUrls: cfg.value.egressIpUrls, controlHosts: cfg.value.controlHosts, dnsServers: cfg.value.dnsServers },
    sources: cfg.value.sources,
    defaults: { egressIpUrls: [...SHIPPED_DEFAULTS.egressIpUrls], controlHosts: [...SHIPPED_DEFAULTS.controlHosts], dnsServers: [...SHIPPED_DEFAULTS.dnsServers] },
    configPath: env.SGD_CONFIG ? env.SGD_CONFIG : defaultConfigPath(env, opts.home),
  });
}

/**
 * Writes the user's choice of outside contacts into the config file (other keys kept): a list replaces
 * the value ([] = off), null removes the key (back to the shipped default). Atomic: temp file + rename.
 */
export async function saveContactSettings(
  patch: Partial<Record<ContactKind, string[] | null>>,
  opts: { env?: NodeJS.ProcessEnv; home?: string } = {},
): Promise<Result<ContactSettings>> {
  const env = opts.env ?? process.env;
  const file = env.SGD_CONFIG ? env.SGD_CONFIG : defaultConfigPath(env, opts.home);
  const { mkdir, rename, writeFile, unlink } = await import('node:fs/promises');
  let current: Record<string, unknown> = {};
  try {
    const text = await readFile(file, 'utf8');
    if (text.trim()) {
      const json = JSON.parse(text) as unknown;
      if (typeof json !== 'object' || json === null || Array.isArray(json)) return fail('bad-config', `config file ${file} does not hold a JSON object; fix or remove it first`);
      current = json as Record<string, unknown>;
    }
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code !== 'ENOENT') return fail('bad-config', `cannot read config file ${file}: ${code ?? (err as Error).message}`);
  }
  const next: Record<string, unknown> = { ...current };
  for (const k of CONTACT_KINDS) {
    const v = patch[k];
    if (v === null) delete next[k];
    else if (v !== undefined) next[k] = v.map((s) => s.trim()).filter(Boolean);
  }
  const checked = parseConfigFile(next, 'settings');
  if (!checked.ok) return checked;
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  try {
    await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    await writeFile(tmp, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    await rename(tmp, file);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    return fail('io', `cannot write config file ${file}: ${(err as { code?: string }).code ?? (err as Error).message}`);
  }
  return contactSettings(opts);
}

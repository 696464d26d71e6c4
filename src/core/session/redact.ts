// Secrets never reach a session, a log or a report; IP masking is an option for reports sent to others.
// Text-level redaction lives in cloud/redact.ts; this module applies it to whole documents.
import { maskAccessKeyId, redactSecrets as redactSecretsInText } from '../cloud/redact';
const SECRET_KEY = /(secret|password|passwd|security_?token|sts_?token|private_?key)/i;
/** Alibaba Cloud AccessKey ids start with LTAI; STS ids with STS. */
const ACCESS_KEY_ID = /\b(LTAI|STS\.)[A-Za-z0-9]{8,}\b/g;

/** Masks AccessKey ids found in free text and blanks `AccessKeySecret=…`-shaped assignments. */
export function redactText(text: string): string {
  return redactSecretsInText(text).replace(ACCESS_KEY_ID, (m) => maskAccessKeyId(m));
}

/**
 * Deep copy without secret-looking keys and with AccessKey ids masked. Keys named like secrets are
 * dropped whatever their value: a session or report never needs one.
 */
export function redactDocument<T>(value: T): T {
  return walk(value, (s) => redactText(s), true) as T;
}

const IPV4 = /\b(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\b/g;
const IPV6 = /\b([0-9a-f]{1,4}):([0-9a-f]{1,4}):[0-9a-f:]*[0-9a-f]{1,4}\b/gi;
const KEEP = new Set(['0.0.0.0', '127.0.0.1', '255.255.255.255']);

/** Keeps the first two octets (enough to tell a network from another), hides the host part. */
export function maskIpsInText(text: string): string {
  return text
    .replace(IPV4, (m, a: string, b: string) => (KEEP.has(m) || Number(a) > 255 ? m : `${a}.${b}.x.x`))
    .replace(IPV6, (_m, a: string, b: string) => `${a}:${b}:x:x`);
}

export function maskIps<T>(value: T): T {
  return walk(value, maskIpsInText, false) as T;
}

function walk(value: unknown, mapString: (s: string) => string, dropSecretKeys: boolean): unknown {
  if (typeof value === 'string') return mapString(value);
  if (Array.isArray(value)) return value.map((v) => walk(v, mapString, dropSecretKeys));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (dropSecretKeys && SECRET_KEY.test(k) && v !== null && typeof v !== 'object') continue;
      out[k] = walk(v, mapString, dropSecretKeys);
    }
    return out;
  }
  return value;
}

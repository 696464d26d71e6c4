// Secrets never leave this process in text: every error message, log line and note goes through here.

/** `LTAI5tAbCdEfGh1234abcd` -> `LTAI****abcd`. Short or empty ids become `****`. */
export function maskAccessKeyId(id: string | undefined | null): string {
  if (!id) return '****';
  if (id.length <= 8) return '****';
  return `${id.slice(0, 4)}****${id.slice(-4)}`;
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Removes every known secret (AccessKey secrets, STS tokens) from `text` and masks known AccessKey ids.
 * Also catches secrets that appear URL-encoded (the SDK puts the token in query strings on some paths)
 * and generic `AccessKeySecret=...`/`"access_key_secret": "..."` shapes when the secret is not known.
 */
export function redactSecrets(text: string, knownSecrets: readonly (string | undefined | null)[] = [], knownIds: readonly (string | undefined | null)[] = []): string {
  let out = String(text);
  for (const secret of knownSecrets) {
    if (!secret || secret.length < 4) continue;
    for (const form of new Set([secret, encodeURIComponent(secret)])) {
      out = out.replace(new RegExp(escapeRegExp(form), 'g'), '[REDACTED]');
    }
  }
  for (const id of knownIds) {
    if (!id || id.length < 4) continue;
    out = out.replace(new RegExp(escapeRegExp(id), 'g'), maskAccessKeyId(id));
  }
  // Shapes that look like a secret assignment, whatever the value is.
  out = out.replace(
    /((?:access[_-]?key[_-]?secret|accesskeysecret|security[_-]?token|sts[_-]?token|securitytoken)["']?\s*[:=]\s*["']?)([^"'\s,&}]+)/gi,
    '$1[REDACTED]',
  );
  return out;
}

/** A redactor bound to the secrets of one credential. */
export type Redactor = (text: string) => string;

export function makeRedactor(secrets: readonly (string | undefined | null)[], ids: readonly (string | undefined | null)[] = []): Redactor {
  return (text: string) => redactSecrets(text, secrets, ids);
}

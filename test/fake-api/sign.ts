// ACS3-HMAC-SHA256 verification, computed exactly as @alicloud/openapi-core's Utils.getAuthorization does:
//   CanonicalRequest = METHOD \n URI \n CanonicalQuery \n CanonicalHeaders \n SignedHeaders \n HashedPayload
//   CanonicalQuery   = sorted `key=encode(value)` joined by '&'  (encode = encodeURIComponent + !'()* escaped)
//   CanonicalHeaders = for each signed header (x-acs-*, host, content-type; sorted): `name:trimmed value\n`
//   StringToSign     = "ACS3-HMAC-SHA256\n" + hex(sha256(CanonicalRequest));  Signature = hex(hmac(secret, StringToSign))
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export const sha256Hex = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

export function acsEncode(str: string): string {
  return encodeURIComponent(str).replace(/!/g, '%21').replace(/'/g, '%27').replace(/\(/g, '%28').replace(/\)/g, '%29').replace(/\*/g, '%2A');
}

export interface ParsedAuthorization {
  algorithm: string;
  accessKeyId: string;
  signedHeaders: string[];
  signature: string;
}

export function parseAuthorization(header: string | undefined): ParsedAuthorization | null {
  if (!header) return null;
  const m = /^(ACS3-[A-Z0-9-]+) Credential=([^,]+),SignedHeaders=([^,]+),Signature=([0-9a-f]+)$/.exec(header.trim());
  if (!m) return null;
  return { algorithm: m[1], accessKeyId: m[2], signedHeaders: m[3].split(';'), signature: m[4] };
}

export function canonicalRequest(input: {
  method: string;
  pathname: string;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  signedHeaders: string[];
  hashedPayload: string;
}): string {
  const canonicalQuery = Object.keys(input.query)
    .sort()
    .map((k) => `${k}=${acsEncode(input.query[k])}`)
    .join('&');
  const canonicalHeaders = input.signedHeaders
    .map((h) => {
      const v = input.headers[h];
      const value = Array.isArray(v) ? [...v].map((x) => x.trim()).sort().join(',') : (v ?? '').trim();
      return `${h}:${value}\n`;
    })
    .join('');
  const uri = input.pathname.replace(/\+/g, '%20').replace(/\*/g, '%2A').replace(/%7E/g, '~');
  return [input.method, uri, canonicalQuery, canonicalHeaders, input.signedHeaders.join(';'), input.hashedPayload].join('\n');
}

export function expectedSignature(secret: string, canonical: string): string {
  const stringToSign = `ACS3-HMAC-SHA256\n${sha256Hex(canonical)}`;
  return createHmac('sha256', secret).update(stringToSign).digest('hex');
}

export function signaturesEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

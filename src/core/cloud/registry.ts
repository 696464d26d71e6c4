// The provider registry: the only module that knows every provider. A third cloud = one folder exporting a
// CloudProvider + one line here (and its id in provider.ts's ProviderId / PROVIDER_IDS).
import { alicloudProvider } from './alicloud/provider';
import { huaweiProvider } from './huawei/provider';
import { documentValues } from './documents';
import type { CloudProvider, ProviderId } from './provider';

/**
 * Every registered provider, by id. (`Partial` only so tests can swap a provider out; every ProviderId has one.)
 */
export const providers: Partial<Record<ProviderId, CloudProvider>> = {
  alicloud: alicloudProvider,
  huawei: huaweiProvider,
};

/** The default cloud when nothing says otherwise (requests, sessions and plans written before the port). */
export const DEFAULT_PROVIDER: ProviderId = 'alicloud';

/** A provider id this build has no provider for (an id from a newer app's session, or not built yet). */
export class UnknownProviderError extends Error {
  override name = 'UnknownProviderError';
  readonly code = 'UNKNOWN_PROVIDER';
  constructor(readonly provider: string) {
    super(`this version of SG Doctor cannot read ${provider} cloud configurations`);
  }
}

export function providerFor(id: ProviderId): CloudProvider {
  const p = providers[id];
  if (!p) throw new UnknownProviderError(id);
  return p;
}

export function registeredProviders(): CloudProvider[] {
  return Object.values(providers).filter((p): p is CloudProvider => p !== undefined);
}

export type Detection =
  | { kind: 'none' } // no document any provider recognises
  | { kind: 'one'; provider: ProviderId }
  | { kind: 'mixed'; providers: ProviderId[] }; // documents of several clouds pasted together

/** Which registered providers recognise the documents (texts with one or more JSON values, or objects). */
export function detectProviders(documents: readonly unknown[]): Detection {
  const found = new Set<ProviderId>();
  for (const doc of documentValues(documents)) {
    for (const p of registeredProviders()) if (p.recognises(doc)) found.add(p.id);
  }
  if (found.size === 0) return { kind: 'none' };
  if (found.size === 1) return { kind: 'one', provider: [...found][0] };
  return { kind: 'mixed', providers: [...found].sort() };
}

/**
 * The provider whose documents these are; null when none recognises them or several clouds are mixed (the
 * default provider's importer then names the unrecognised document with its position).
 */
export function detectProvider(documents: readonly unknown[]): ProviderId | null {
  const d = detectProviders(documents);
  return d.kind === 'one' ? d.provider : null;
}

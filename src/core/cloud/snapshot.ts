// A saved snapshot (`sg-doctor cloud show --json`, a session's cloud part) read back as an offline input.
// Provider-neutral: each provider's importer recognises its own id and re-validates its own native data
// (`providerData`) — the file is untrusted.
import { z } from 'zod';
import { PROVIDER_IDS, type ProviderId } from './provider';

export const SavedSnapshotSchema = z.looseObject({
  provider: z.enum(PROVIDER_IDS),
  source: z.string(),
  region: z.string(),
  fetchedAt: z.string(),
  instance: z.looseObject({ id: z.string(), region: z.string(), status: z.string() }).nullable(),
  interfaces: z.array(z.looseObject({ id: z.string(), securityGroupIds: z.array(z.string()) })),
  securityGroups: z.array(z.looseObject({ id: z.string(), rules: z.array(z.looseObject({ id: z.string(), direction: z.string(), protocol: z.string(), priority: z.number() })) })),
  networkAcls: z.array(z.looseObject({ id: z.string(), ingress: z.array(z.unknown()), egress: z.array(z.unknown()) })),
  eips: z.array(z.unknown()),
  errors: z.array(z.unknown()),
  providerData: z.unknown().optional(),
});

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Does this document look like a saved snapshot of the given provider (before validation)? */
export function looksLikeSavedSnapshot(doc: unknown, provider: ProviderId): boolean {
  return isObj(doc) && doc.provider === provider && 'securityGroups' in doc && 'instance' in doc;
}

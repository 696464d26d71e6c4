// The account step's per-cloud facts for the backend (issue 10, "App"): which environment variables the
// "environment" source reads, whether they are set, and the cloud's CLI profiles as the contract's ProfileList
// — each asked of the cloud's provider (CloudProvider.accounts), so a new cloud brings its own.
import type { ProfileList } from '../api';
import type { ProviderId } from '../cloud/provider';
import { providerFor } from '../cloud/registry';
import type { Result } from '../result';

/** The variable names the environment source of this cloud reads (shown to the user). */
export function environmentVariables(provider: ProviderId): string[] {
  return providerFor(provider).accounts.environmentPairs.flat();
}

/** Whether a complete key pair of this cloud is set in the environment. */
export function environmentHasKey(provider: ProviderId, env: NodeJS.ProcessEnv): boolean {
  return providerFor(provider).accounts.environmentPairs.some(([id, secret]) => !!env[id]?.trim() && !!env[secret]?.trim());
}

/** The cloud's CLI profiles for the profile picker (never a secret; the access key id masked). */
export function listProfiles(provider: ProviderId, env: NodeJS.ProcessEnv): Result<ProfileList> {
  return providerFor(provider).accounts.listProfiles(env);
}

// Cloud accounts: the CLI profiles, the key kept in the OS keychain (per cloud), and pasted offline documents.
import type { ResultOf } from '../../api';
import type { ProviderId } from '../../cloud/provider';
import { maskAccessKeyId } from '../../cloud/redact';
import { DEFAULT_PROVIDER, providerFor } from '../../cloud/registry';
import { ok } from '../../result';
import { environmentHasKey, environmentVariables, listProfiles } from '../accounts';
import type { BackendContext } from './context';
import type { DomainHandlers } from './types';

export function accountHandlers(ctx: BackendContext): DomainHandlers<'profiles' | 'credentials' | 'cloud'> {
  const { host, engine, env, log } = ctx;
  async function credentialStatus(provider: ProviderId = DEFAULT_PROVIDER): Promise<ResultOf<'credentials.status'>> {
    const key = await host.secrets.load(provider);
    return {
      stored: !!key,
      accessKeyIdRedacted: key ? maskAccessKeyId(key.accessKeyId) : null,
      persistent: host.secrets.persistent,
      keychain: host.secrets.keychain,
      environment: environmentHasKey(provider, env),
      provider,
      environmentVariables: environmentVariables(provider),
      ...(provider === 'huawei' ? { projectId: key?.projectId ?? null } : {}),
    };
  }

  return {
    'profiles.list': async ({ provider }) => listProfiles(provider, env),
    'credentials.status': async ({ provider }) => ok(await credentialStatus(provider)),
    'credentials.setAccessKey': async (k) => {
      log.addSecret(k.accessKeySecret);
      await host.secrets.save({ accessKeyId: k.accessKeyId, accessKeySecret: k.accessKeySecret, ...(k.provider === 'huawei' && k.projectId ? { projectId: k.projectId.toLowerCase() } : {}) }, k.provider);
      log.info('access key stored', { provider: k.provider, accessKeyId: maskAccessKeyId(k.accessKeyId), persistent: host.secrets.persistent });
      return ok(await credentialStatus(k.provider));
    },
    'credentials.clear': async ({ provider }) => {
      await host.secrets.clear(provider);
      return ok(await credentialStatus(provider));
    },
    'cloud.checkImport': async ({ json }) => ok(await engine.checkImport(json)),
    'cloud.offlineCommands': async ({ provider, ...known }) => ok(providerFor(provider).offlineCommands(known)),
  };
}

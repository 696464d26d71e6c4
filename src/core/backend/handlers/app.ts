// App-level channels: what the app is and can do, preferences, target validation, outside contacts, links.
import ipaddr from 'ipaddr.js';
import { allowedExternalUrl } from '../../api';
import { contactSettings, saveContactSettings } from '../../config';
import type { Lang } from '../../diagnosis/types';
import { parseTarget } from '../../probe/target';
import { fail, ok } from '../../result';
import { APP_VERSION } from '../../version';
import { cloudCapabilities } from '../compose';
import type { BackendContext } from './context';
import type { DomainHandlers } from './types';

export function appHandlers(ctx: BackendContext): DomainHandlers<'app' | 'target' | 'settings' | 'shell'> {
  const { host, env, log } = ctx;
  return {
    'app.info': async () =>
      ok({
        version: APP_VERSION,
        shell: host.shell,
        platform: host.platform,
        osLang: (host.locale.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en') as Lang,
        capabilities: host.capabilities,
        dataDir: host.dataDir,
        clouds: cloudCapabilities(),
      }),
    'app.setPrefs': async (a) => {
      host.applyPrefs?.(a);
      return ok({ applied: true as const });
    },
    'app.setDirty': async (a) => {
      host.setDirty?.(a.dirty, a.title);
      return ok({ dirty: a.dirty });
    },
    'app.confirmClose': async () => ok({ closing: host.confirmClose?.() ?? false }),

    'target.validate': async ({ host: raw }) => {
      const t = parseTarget(raw);
      if (!t.ok) return t;
      let privateAddress = false;
      if (t.value.address) {
        const range = ipaddr.parse(t.value.address.replace(/%.*$/, '')).range();
        privateAddress = range !== 'unicast';
      }
      return ok({ kind: t.value.kind, normalized: t.value.host, privateAddress });
    },

    'settings.contacts': async () => contactSettings({ env }),
    'settings.setContacts': async (patch) => {
      const r = await saveContactSettings(patch, { env });
      if (r.ok) log.info('outside contacts changed', { kinds: Object.keys(patch) });
      return r;
    },

    'shell.openExternal': async ({ url }) => {
      const allowed = allowedExternalUrl(url);
      if (!allowed) return fail('URL_NOT_ALLOWED', 'Only https links to the cloud consoles and documentation are opened');
      return ok({ opened: await host.openExternal(allowed) });
    },
  };
}

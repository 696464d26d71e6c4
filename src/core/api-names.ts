// Channel names of the UI ↔ backend contract, without their schemas: the sandboxed preload bundles only
// this list (no zod), and api.ts checks at compile time that it matches the contract exactly.
export const REQUEST_CHANNELS = [
  'app.info',
  'app.setPrefs',
  'app.setDirty',
  'app.confirmClose',
  'target.validate',
  'profiles.list',
  'credentials.status',
  'credentials.setAccessKey',
  'credentials.clear',
  'cloud.checkImport',
  'cloud.offlineCommands',
  'diagnosis.start',
  'diagnosis.cancel',
  'server.script',
  'server.applyOutput',
  'server.runCloudAssistant',
  'sessions.save',
  'sessions.open',
  'sessions.recent',
  'sessions.browse',
  'sessions.example',
  'sessions.compare',
  'report.export',
  'shell.openExternal',
  'settings.contacts',
  'settings.setContacts',
  'watch.start',
  'watch.cancel',
  'fixes.preview',
  'fixes.apply',
  'fixes.undo',
] as const;

export const EVENT_CHANNELS = ['diagnosis.event', 'diagnosis.done', 'menu.command', 'session.opened', 'app.closeRequested', 'watch.attempt', 'watch.done'] as const;

export type RequestChannel = (typeof REQUEST_CHANNELS)[number];
export type EventChannel = (typeof EVENT_CHANNELS)[number];

/** IPC channel names are namespaced so nothing else on the bus can collide with them. */
export const ipcName = (channel: RequestChannel | EventChannel): string => `sgd:${channel}`;

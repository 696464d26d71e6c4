// The bridge between the sandboxed renderer and main: one function per contract channel (no generic
// invoke, no ipcRenderer exposed), and one subscribe function per event channel returning its
// unsubscribe. Bundled into a single file (a sandboxed preload cannot require npm packages).
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { EVENT_CHANNELS, ipcName, REQUEST_CHANNELS, type EventChannel, type RequestChannel } from '../core/api-names';

const invoke = Object.fromEntries(REQUEST_CHANNELS.map((c) => [c, (args: unknown) => ipcRenderer.invoke(ipcName(c), args)])) as Record<RequestChannel, (args: unknown) => Promise<unknown>>;

const on = Object.fromEntries(
  EVENT_CHANNELS.map((e) => [
    e,
    (listener: (payload: unknown) => void) => {
      const wrapped = (_event: IpcRendererEvent, payload: unknown) => listener(payload);
      ipcRenderer.on(ipcName(e), wrapped);
      return () => {
        ipcRenderer.removeListener(ipcName(e), wrapped);
      };
    },
  ]),
) as Record<EventChannel, (listener: (payload: unknown) => void) => () => void>;

contextBridge.exposeInMainWorld('sgDoctor', Object.freeze({ invoke: Object.freeze(invoke), on: Object.freeze(on) }));

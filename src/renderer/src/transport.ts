// The two transports behind the one client: Electron's preload bridge, or the web shell's HTTP + SSE.
import type { EventChannel, RequestChannel, Transport } from '../../core/api';
import type { Result } from '../../core/result';

interface Bridge {
  invoke: Record<RequestChannel, (args: unknown) => Promise<Result<unknown>>>;
  on: Record<EventChannel, (listener: (payload: unknown) => void) => () => void>;
}

declare global {
  interface Window {
    sgDoctor?: Bridge;
  }
}

export function ipcTransport(bridge: Bridge): Transport {
  return {
    invoke: (channel, args) => bridge.invoke[channel](args),
    subscribe: (event, listener) => bridge.on[event](listener),
  };
}

/** Same-origin HTTP to `sg-doctor serve`; the per-launch token comes from the page URL. */
export function webTransport(token: string): Transport {
  const listeners = new Map<EventChannel, Set<(p: unknown) => void>>();
  let source: EventSource | null = null;
  const ensureSource = (event: EventChannel) => {
    source ??= new EventSource(`/api/events?token=${encodeURIComponent(token)}`);
    if (!listeners.has(event)) {
      listeners.set(event, new Set());
      source.addEventListener(event, (m) => {
        const payload = JSON.parse((m as MessageEvent<string>).data) as unknown;
        for (const l of listeners.get(event) ?? []) l(payload);
      });
    }
    return listeners.get(event)!;
  };
  return {
    async invoke(channel, args) {
      const res = await fetch(`/api/invoke/${channel}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-sgd-token': token },
        body: JSON.stringify({ args }),
        credentials: 'omit',
      });
      const body = (await res.json()) as Result<unknown>;
      return body;
    },
    subscribe(event, listener) {
      const set = ensureSource(event);
      set.add(listener);
      return () => set.delete(listener);
    },
  };
}

export function detectTransport(): Transport | null {
  if (window.sgDoctor) return ipcTransport(window.sgDoctor);
  const token = new URLSearchParams(location.search).get('token');
  return token ? webTransport(token) : null;
}

/** Web shell: hands a report the backend exported to the browser as a download (the server sends it as an attachment). */
export function offerDownload(name: string): boolean {
  const token = new URLSearchParams(location.search).get('token');
  if (!token) return false;
  const a = document.createElement('a');
  a.href = `/api/download/${encodeURIComponent(name)}?token=${encodeURIComponent(token)}`;
  a.download = name;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
  return true;
}

// Window position and size remembered between launches, kept on a visible display.
import { readFileSync, writeFileSync } from 'node:fs';

export interface WindowState {
  x?: number;
  y?: number;
  width: number;
  height: number;
  maximized: boolean;
}

export const DEFAULT_STATE: WindowState = { width: 1280, height: 800, maximized: false };
interface Area {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Pure: the saved state if at least 100×50 px of it lies on one of the displays, else a centred default size. */
export function visibleState(saved: Partial<WindowState> | null, displays: Area[]): WindowState {
  if (!saved || typeof saved.width !== 'number' || typeof saved.height !== 'number') return DEFAULT_STATE;
  const width = Math.max(800, Math.min(saved.width, 10_000));
  const height = Math.max(560, Math.min(saved.height, 10_000));
  const maximized = saved.maximized === true;
  if (typeof saved.x !== 'number' || typeof saved.y !== 'number') return { width, height, maximized };
  const { x, y } = saved;
  const onScreen = displays.some((d) => Math.min(x + width, d.x + d.width) - Math.max(x, d.x) >= 100 && Math.min(y + height, d.y + d.height) - Math.max(y, d.y) >= 50);
  return onScreen ? { x, y, width, height, maximized } : { width, height, maximized };
}

export function readWindowState(file: string): Partial<WindowState> | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Partial<WindowState>;
  } catch {
    return null;
  }
}

export function writeWindowState(file: string, state: WindowState): void {
  try {
    writeFileSync(file, JSON.stringify(state));
  } catch {
    /* not worth failing a close for */
  }
}

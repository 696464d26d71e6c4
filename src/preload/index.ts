// Narrow, typed bridge to main. Replaced by the desktop-app work.
import { contextBridge } from 'electron';

contextBridge.exposeInMainWorld('sgDoctor', { version: '0.1.0' });

// Injected by the bundlers; falls back to package.json's version when running from source (tsx, vitest).
declare const __SGD_VERSION__: string | undefined;
export const APP_VERSION: string = typeof __SGD_VERSION__ === 'string' ? __SGD_VERSION__ : '0.1.0';

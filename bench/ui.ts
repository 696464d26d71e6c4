// npm run bench:ui — the UI's budget figures, median of several runs:
//   1. renderer bundle size (JS and CSS, gzip) of `electron-vite build` (goal: JS < 300 KB gzip)
//   2. time from launching the web shell (`node out/cli/index.cjs serve`) to the first interactive
//      screen in Chromium (goal: < 1 s), split into server start and page-to-interactive
//   3. memory after a full diagnosis: the backend process (the web shell stands in for Electron's
//      main process: same backend) RSS, and the renderer's JS heap — the diagnosis is a real
//      probe-only run against a loopback listener.
// Prints figures; asserts nothing. Needs `npm run build` first and Debian's Chromium.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { benchRuns, QUICK } from './quick';

const ROOT = resolve(__dirname, '..');
const RUNS = benchRuns(5, 'SGD_BENCH_RUNS', 50);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

function bundleSizes(): { js: number; jsGz: number; css: number; cssGz: number } {
  const dir = join(ROOT, 'out', 'renderer', 'assets');
  const out = { js: 0, jsGz: 0, css: 0, cssGz: 0 };
  for (const f of readdirSync(dir)) {
    const buf = readFileSync(join(dir, f));
    const gz = gzipSync(buf, { level: 9 }).length;
    if (f.endsWith('.js')) {
      out.js += buf.length;
      out.jsGz += gz;
    } else if (f.endsWith('.css')) {
      out.css += buf.length;
      out.cssGz += gz;
    }
  }
  return out;
}

function startServe(dataDir: string): Promise<{ child: ChildProcess; url: string; startedMs: number }> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [join(ROOT, 'out', 'cli', 'index.cjs'), 'serve', '--data-dir', dataDir], {
    cwd: ROOT,
    env: { ...process.env, ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true', SGD_EGRESS_IP_URLS: '', SGD_CONTROL_HOSTS: '', SGD_DNS_SERVERS: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((ok, ko) => {
    let buf = '';
    const timer = setTimeout(() => ko(new Error(`serve did not print its URL in 30 s: ${buf}`)), 30_000);
    child.stdout!.on('data', (c: Buffer) => {
      buf += c.toString();
      const m = /(http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(buf);
      if (m) {
        clearTimeout(timer);
        ok({ child, url: m[1], startedMs: performance.now() - t0 });
      }
    });
    child.on('exit', (code) => ko(new Error(`serve exited ${code}: ${buf}`)));
  });
}

function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
}

async function main(): Promise<void> {
  const sizes = bundleSizes();
  console.log(`renderer bundle: JS ${kb(sizes.js)} (${kb(sizes.jsGz)} gzip, goal < 300 KB), CSS ${kb(sizes.css)} (${kb(sizes.cssGz)} gzip)`);

  const listener = createServer((s) => {
    s.on('error', () => undefined);
    s.end('SSH-2.0-OpenSSH_9.6 bench\r\n');
  });
  await new Promise<void>((ok) => listener.listen(0, '127.0.0.1', ok));
  const port = (listener.address() as { port: number }).port;

  const browser = await chromium.launch({ executablePath: process.env.SGD_CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  const serverStart: number[] = [];
  const toInteractive: number[] = [];
  const total: number[] = [];
  const backendRss: number[] = [];
  const rendererHeap: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const { child, url, startedMs } = await startServe(join(tmpdir(), `sgd-bench-ui-${process.pid}-${i}`));
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      const tp = performance.now();
      await page.goto(url);
      await page.locator('[data-testid="start"]').waitFor();
      const tReady = performance.now();
      serverStart.push(startedMs);
      toInteractive.push(tReady - tp);
      total.push(tReady - t0);
      // A full (probe-only) diagnosis through the UI.
      await page.getByTestId('start').click();
      await page.locator('#host').fill('127.0.0.1');
      await page.locator('input[name="service"][value="custom"]').check();
      await page.locator('#port').fill(String(port));
      await page.getByTestId('next').click();
      // "No cloud data" is the last account choice (a probe-only run; no AccessKey, no pasted JSON).
      await page.locator('input[name="cloud"]').last().check();
      await page.getByTestId('next').click();
      await page.getByTestId('run').click();
      await page.getByTestId('verdict').waitFor({ timeout: 60_000 });
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('HeapProfiler.collectGarbage');
      const heap = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number };
      rendererHeap.push(heap.usedSize);
      backendRss.push(rssOf(child.pid!));
      await page.close();
    } finally {
      child.kill('SIGTERM');
    }
  }
  await browser.close();
  listener.close();
  const ms = (x: number) => `${Math.round(x)} ms`;
  console.log(`web shell launch → server listening: median ${ms(median(serverStart))} (runs: ${serverStart.map(ms).join(', ')})`);
  console.log(`page load → first interactive screen: median ${ms(median(toInteractive))} (runs: ${toInteractive.map(ms).join(', ')})`);
  console.log(`launch → first interactive screen (total): median ${ms(median(total))}, goal < 1000 ms`);
  console.log(`after a full diagnosis: backend RSS median ${kb(median(backendRss))} ; renderer JS heap median ${kb(median(rendererHeap))} (${RUNS} runs)`);
  if (QUICK) console.log('(quick mode: one run; figures are indicative only)');
  console.log('note: Electron cannot run here; the web shell runs the same backend (main) and renderer code.');
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});

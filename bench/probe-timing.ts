// Prints decision-time figures of the TCP probe (no pass/fail: timing goals live here, not in tests).
//   npx tsx bench/probe-timing.ts
// Loopback only. A silently dropped port is simulated with a connect that never answers (the real one
// needs a DROP rule in a network namespace: see the network-lab tests), with the real timers.
import net from 'node:net';
import { probeTcpPort, type ConnectFn } from '../src/core/probe/tcp';
import { HostTiming, TIMING_PRESETS } from '../src/core/probe/timing';
import { defaultProbeRequest, runProbe } from '../src/core/probe/run';
import { benchRuns } from './quick';

const RUNS = benchRuns(200, 'SGD_BENCH_RUNS');

const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const fmt = (ms: number): string => `${ms.toFixed(1)} ms`;

async function main(): Promise<void> {
  const srv = net.createServer((s) => s.destroy());
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const open = (srv.address() as net.AddressInfo).port;
  const tmp = net.createServer();
  await new Promise<void>((r) => tmp.listen(0, '127.0.0.1', () => r()));
  const closed = (tmp.address() as net.AddressInfo).port;
  await new Promise<void>((r) => tmp.close(() => r()));

  for (const [label, port] of [['open', open], ['closed', closed]] as const) {
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      await probeTcpPort({ host: 'lo', address: '127.0.0.1', port }, { attempts: 3 });
      times.push(performance.now() - t0);
    }
    console.log(`loopback ${label.padEnd(6)} port, ${RUNS} run(s): median ${fmt(pct(times, 50))}, p95 ${fmt(pct(times, 95))}`);
  }

  const silent: ConnectFn = () => Object.assign(new net.Socket(), {});
  for (const [label, seed] of [['nothing known', null], ['RTT 20 ms known', 20], ['RTT 50 ms known', 50], ['RTT 300 ms known', 300]] as const) {
    const timing = new HostTiming(TIMING_PRESETS.T4);
    if (seed !== null) timing.observe(seed, 'icmp');
    const t0 = performance.now();
    const f = await probeTcpPort({ host: 'x', address: '192.0.2.1', port: 22 }, { attempts: 3, timing, connect: silent });
    console.log(`silent port, T4, 3 attempts, ${label.padEnd(16)}: decided ${f.state}/${f.reason} in ${fmt(performance.now() - t0)} (timeouts ${f.samples.map((s) => s.timeoutMs).join('+')})`);
  }

  const ports = Array.from({ length: 32 }, (_, i) => (i === 0 ? open : closed + 0)).map((p, i) => (i < 2 ? p : 40000 + i));
  const t0 = performance.now();
  const report = await runProbe(defaultProbeRequest({ host: '127.0.0.1', ports, banners: false }));
  console.log(`runProbe 127.0.0.1, 32 ports (1 open, 31 closed), concurrency 16: ${fmt(performance.now() - t0)} (tcp phase ${fmt(report.timings.phasesMs.tcp)})`);
  await new Promise<void>((r) => srv.close(() => r()));
}

void main();

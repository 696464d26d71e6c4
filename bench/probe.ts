// `npm run bench:probe`: sg-doctor's TCP prober against nmap's connect scan (`nmap -sT`, Debian package)
// on the same ports of a network-lab host (open, closed, RST-rejected, ICMP-rejected, silently dropped,
// host-prohibited). Both run inside the lab's client namespace, N times, alternating. Prints the two
// classifications side by side, the median wall times and their ratio, and whether the goal is met:
// identical classification on every port and wall time no worse than nmap's default timing (T3).
// nmap -T4 is timed for reference. Results are saved to bench/results/probe-<time>.json (git-ignored).
// Exit code: 0 whatever the figures (a missed goal is printed, not failed); 1 on a crash or no lab.
//
// Options (env): SGD_BENCH_RUNS (default 5).
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLab, labAvailability, REPO_ROOT, sgDoctorArgv, type ExecResult, type Lab, type PortSpec } from '../test/lab/lab';
import type { ProbeReport } from '../src/core/probe/types';
import { benchRuns, cannotRun } from './quick';

interface BenchPort {
  port: number;
  rule: string;
  spec: Omit<PortSpec, 'port'>;
}

const PORTS: BenchPort[] = [
  { port: 22, rule: 'open (ssh)', spec: { listen: 'ssh' } },
  { port: 80, rule: 'open (http)', spec: { listen: 'http' } },
  { port: 3306, rule: 'closed: no listener', spec: { listen: 'none' } },
  { port: 5432, rule: 'closed: listener on 127.0.0.1', spec: { listen: 'tcp', bind: 'loopback' } },
  { port: 6379, rule: 'REJECT tcp-reset', spec: { firewall: 'reject-tcp-reset' } },
  { port: 8080, rule: 'REJECT icmp-port-unreachable', spec: { firewall: 'reject-port-unreachable' } },
  { port: 443, rule: 'DROP', spec: { firewall: 'drop' } },
  { port: 3389, rule: 'DROP', spec: { firewall: 'drop' } },
  { port: 8443, rule: 'DROP', spec: { firewall: 'drop' } },
  { port: 9000, rule: 'DROP', spec: { firewall: 'drop' } },
  { port: 25, rule: 'REJECT icmp-host-prohibited', spec: { firewall: 'reject-host-prohibited' } },
  { port: 21, rule: 'REJECT icmp-host-prohibited', spec: { firewall: 'reject-host-prohibited' } },
];

type Classification = Record<number, { state: string; reason: string }>;

interface RunResult {
  wallMs: number;
  classes: Classification;
  /** sg-doctor only: the report's own total (without Node start-up). */
  innerMs?: number;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

function check(r: ExecResult, what: string): void {
  if (r.code !== 0) throw new Error(`${what} exited ${r.code}${r.timedOut ? ' (timed out)' : ''}: ${r.stderr.trim().slice(0, 2000)}`);
}

/** nmap -oX: <port protocol="tcp" portid="22"><state state="open" reason="syn-ack" .../>. */
export function parseNmapXml(xml: string): Classification {
  const out: Classification = {};
  const re = /<port protocol="tcp" portid="(\d+)"><state state="([a-z|]+)" reason="([a-z-]+)"/g;
  for (const m of xml.matchAll(re)) out[Number(m[1])] = { state: m[2], reason: m[3] };
  return out;
}

async function runSgDoctor(lab: Lab, argvBase: string[]): Promise<RunResult> {
  const r = await lab.runInClient(argvBase, { timeoutMs: 120_000 });
  check(r, 'sg-doctor probe');
  const report = JSON.parse(r.stdout) as ProbeReport;
  const classes: Classification = {};
  for (const f of report.tcp) classes[f.port] = { state: f.state, reason: f.reason };
  return { wallMs: r.durationMs, classes, innerMs: report.timings.totalMs };
}

async function runNmap(lab: Lab, target: string, ports: string, extra: string[]): Promise<RunResult> {
  const r = await lab.runInClient(['nmap', '-sT', '-Pn', '-n', ...extra, '-p', ports, '--reason', '-oX', '-', target], { timeoutMs: 300_000 });
  check(r, 'nmap');
  return { wallMs: r.durationMs, classes: parseNmapXml(r.stdout) };
}

function ensureBuiltCli(): string {
  // The bench measures the shipped bundle; rebuild it when the sources are newer.
  const fresh = sgDoctorArgv([]);
  if (fresh[1]?.endsWith('sg-doctor.cjs')) return 'out/cli/index.cjs (up to date)';
  const b = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts', 'build-cli.mjs')], { cwd: REPO_ROOT, encoding: 'utf8' });
  if (b.status === 0) return 'out/cli/index.cjs (rebuilt)';
  console.warn(`bench: could not build the CLI (${b.stderr.trim().split('\n')[0]}); running the sources under tsx`);
  return 'src/cli/index.ts under tsx (build failed)';
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

async function main(): Promise<void> {
  const avail = labAvailability();
  if (!avail.ok) {
    cannotRun('bench:probe', `it needs the network lab: ${avail.reason}`);
  }
  if (spawnSync('nmap', ['--version'], { stdio: 'ignore' }).status !== 0) {
    cannotRun('bench:probe', 'it needs nmap (apt-get install nmap)');
  }
  const runs = benchRuns(5, 'SGD_BENCH_RUNS', 20);
  const cli = ensureBuiltCli();
  const lab = await createLab({ hosts: { server: { ports: PORTS.map((p) => ({ port: p.port, ...p.spec })) } } });
  try {
    const target = lab.hosts.server.ipv4;
    const portList = PORTS.map((p) => p.port).join(',');
    const sgdArgv = sgDoctorArgv(['probe', target, '--ports', portList, '--json', '--no-dns', '--no-banners', '--egress-ip-urls', '', '--control-hosts', '']);
    console.log(`bench:probe  target ${target} (lab ${lab.subnet4}), ${PORTS.length} ports, ${runs} runs each; sg-doctor: ${cli}`);

    const sgd: RunResult[] = [];
    const nmapT3: RunResult[] = [];
    const nmapT4: RunResult[] = [];
    const startup: number[] = [];
    for (let i = 0; i < runs; i++) {
      // Alternate the order so neither tool always runs on a warmer machine.
      if (i % 2 === 0) {
        sgd.push(await runSgDoctor(lab, sgdArgv));
        nmapT3.push(await runNmap(lab, target, portList, []));
      } else {
        nmapT3.push(await runNmap(lab, target, portList, []));
        sgd.push(await runSgDoctor(lab, sgdArgv));
      }
      nmapT4.push(await runNmap(lab, target, portList, ['-T4']));
      // Start-up alone (no probing): how much of sg-doctor's wall time is loading the CLI.
      const v = await lab.runInClient(sgDoctorArgv(['--version']));
      check(v, 'sg-doctor --version');
      startup.push(v.durationMs);
      process.stdout.write(`  run ${i + 1}/${runs}: sg-doctor ${sgd[i].wallMs.toFixed(0)} ms, nmap ${nmapT3[i].wallMs.toFixed(0)} ms, nmap -T4 ${nmapT4[i].wallMs.toFixed(0)} ms\n`);
    }

    // Classification: every run of each tool must agree with itself, and the two tools with each other.
    const fmt = (c: { state: string; reason: string } | undefined): string => (c ? `${c.state}/${c.reason}` : '(missing)');
    const rows = PORTS.map((p) => {
      const s = new Set(sgd.map((r) => fmt(r.classes[p.port])));
      const n = new Set(nmapT3.map((r) => fmt(r.classes[p.port])));
      const n4 = new Set(nmapT4.map((r) => fmt(r.classes[p.port])));
      const sgdText = [...s].join(' | ');
      const nmapText = [...n].join(' | ');
      const agree = s.size === 1 && n.size === 1 && sgdText === nmapText;
      return { port: p.port, rule: p.rule, sgDoctor: sgdText, nmap: nmapText, nmapT4: [...n4].join(' | '), agree };
    });
    console.log('');
    console.log(`${pad('port', 6)}${pad('lab rule', 32)}${pad('sg-doctor', 26)}${pad('nmap -sT', 26)}agree`);
    for (const r of rows) console.log(`${pad(String(r.port), 6)}${pad(r.rule, 32)}${pad(r.sgDoctor, 26)}${pad(r.nmap, 26)}${r.agree ? 'yes' : 'NO'}`);

    const sgdMed = median(sgd.map((r) => r.wallMs));
    const innerMed = median(sgd.map((r) => r.innerMs ?? 0));
    const t3Med = median(nmapT3.map((r) => r.wallMs));
    const t4Med = median(nmapT4.map((r) => r.wallMs));
    const allAgree = rows.every((r) => r.agree);
    const ratio = sgdMed / t3Med;
    console.log('');
    console.log(`median wall time  sg-doctor ${sgdMed.toFixed(0)} ms (probing ${innerMed.toFixed(0)} ms + Node start-up)`);
    console.log(`                  nmap -sT (T3) ${t3Med.toFixed(0)} ms   nmap -sT -T4 ${t4Med.toFixed(0)} ms`);
    const startMed = median(startup);
    console.log(`                  sg-doctor --version (start-up only) ${startMed.toFixed(0)} ms`);
    console.log(`ratio sg-doctor / nmap T3 = ${ratio.toFixed(2)}   sg-doctor / nmap T4 = ${(sgdMed / t4Med).toFixed(2)}`);
    console.log(`probe engine alone (report totalMs) / nmap T3 wall = ${(innerMed / t3Med).toFixed(2)}`);
    const goal = allAgree && sgdMed <= t3Med;
    console.log(
      goal
        ? 'goal met: identical classification on every port, wall time no worse than nmap default timing'
        : `goal missed: ${allAgree ? '' : 'classification differs on some port; '}${sgdMed <= t3Med ? '' : 'slower than nmap default timing'}`,
    );

    const dir = join(REPO_ROOT, 'bench', 'results');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `probe-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(
      file,
      `${JSON.stringify(
        {
          date: new Date().toISOString(),
          node: process.version,
          nmap: spawnSync('nmap', ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0],
          cli,
          runs,
          target,
          ports: PORTS,
          rows,
          wallMs: { sgDoctor: sgd.map((r) => r.wallMs), sgDoctorInner: sgd.map((r) => r.innerMs), nmapT3: nmapT3.map((r) => r.wallMs), nmapT4: nmapT4.map((r) => r.wallMs) },
          startupMs: startup,
          median: { sgDoctor: sgdMed, sgDoctorInner: innerMed, sgDoctorStartup: startMed, nmapT3: t3Med, nmapT4: t4Med },
          ratio: { vsT3: ratio, vsT4: sgdMed / t4Med, engineVsT3: innerMed / t3Med },
          goalMet: goal,
        },
        null,
        2,
      )}\n`,
    );
    console.log(`saved ${file}`);
  } finally {
    await lab.destroy();
  }
}

main().catch((err: unknown) => {
  console.error(`bench:probe crashed: ${(err as Error)?.stack ?? String(err)}`);
  process.exit(1);
});

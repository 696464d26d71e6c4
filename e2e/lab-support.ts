// Glue for the UI end-to-end scenarios against the network lab. The web shell (`sg-doctor serve`) and
// Chromium both run INSIDE the lab's client namespace, so every probe the app sends leaves from the lab
// client, exactly as a user's app probes from their own machine, and the browser reaches the shell on that
// namespace's 127.0.0.1. Playwright drives Chromium over a pipe (--remote-debugging-pipe), which survives
// `ip netns exec` (it keeps the file descriptors), so a two-line wrapper executable is all it takes.
//
// The lab itself is run by e2e/lab-controller.ts in a tsx child process (the lab module uses import.meta,
// which Playwright's loader cannot take); this module talks to it. Nothing leaves loopback and the lab's
// 10.200.X.0/24.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { chromium, type Browser } from '@playwright/test';
import config from '../playwright.config';
import type { Fault, Scenario, Variant } from '../test/fake-api';
import type { Diagnosis } from '../src/core/diagnosis/types';

const ROOT = resolve(__dirname, '..');
const CONTROLLER = join(ROOT, 'e2e', 'lab-controller.ts');
const tsx = (args: string[]): string[] => ['--import', 'tsx', CONTROLLER, ...args];

/** CI sets SGD_REQUIRE_LAB=1: a machine that cannot build the lab then FAILS instead of skipping. */
export const labRequired = (): boolean => process.env.SGD_REQUIRE_LAB === '1';

/** Mirrors test/scenarios/support.ts ScenarioSpec (the data comes from there, through the controller). */
export interface ScenarioSpec {
  name: string;
  variant: Variant;
  port: number;
  server: { listen?: string; bind?: string; firewall?: string };
  locus: Diagnosis['verdict']['locus'];
  failing: string | null;
  host?: 'dns-name';
  serverEvidence?: boolean;
  clientBlocked?: boolean;
}

export interface LabDescription {
  availability: { ok: true } | { ok: false; reason: string };
  scenarios: ScenarioSpec[];
  constants: { DNS_NAME: string; INSTANCE_ID: string; REGION: string; CLIENT_PUBLIC_IP: string; PROFILE: string };
}

/** Whether a lab can run here, and H7's scenario table (no lab is built). Never throws. */
export function describeLab(): LabDescription {
  const r = spawnSync(process.execPath, tsx(['describe']), { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  try {
    return JSON.parse(r.stdout.trim().split('\n').pop() ?? '') as LabDescription;
  } catch {
    const reason = `lab-controller describe failed (${r.status ?? r.signal}): ${(r.stderr || String(r.error ?? '')).trim().slice(0, 500)}`;
    return { availability: { ok: false, reason }, scenarios: [], constants: { DNS_NAME: '', INSTANCE_ID: '', REGION: '', CLIENT_PUBLIC_IP: '', PROFILE: '' } };
  }
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

export interface LabReady {
  /** The web shell's tokenised URL (127.0.0.1 inside the client namespace). */
  url: string;
  clientNs: string;
  /** Lab host name → IPv4 address. */
  hosts: Record<string, string>;
}

/** The running lab + fake API + web shell, in the controller process. */
export class LabSession {
  private seq = 0;

  private constructor(
    private readonly child: ChildProcess,
    readonly ready: LabReady,
    private readonly pending: Map<number, Pending>,
  ) {}

  /** `noEgressIp`: the web shell gets no public-IP service, so the app cannot detect the client's public IP. */
  /** `enforcePort`: the server listens there too, and the fake cloud's rules decide its packets (apply scenarios). */
  static async start(opts: { noEgressIp?: boolean; enforcePort?: number } = {}): Promise<LabSession> {
    const env = {
      ...process.env,
      ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true',
      ...(opts.noEgressIp ? { SGD_E2E_NO_EGRESS_IP: '1' } : {}),
      ...(opts.enforcePort ? { SGD_E2E_ENFORCE_PORT: String(opts.enforcePort) } : {}),
    };
    const child = spawn(process.execPath, tsx(['run']), { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'], env });
    const lines = createInterface({ input: child.stdout! });
    const pending = new Map<number, Pending>();
    const ready = await new Promise<LabReady>((resolveReady, reject) => {
      const timer = setTimeout(() => reject(new Error('the lab did not come up within 90 s')), 90_000);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`lab-controller exited (${code})`));
      });
      lines.on('line', (line) => {
        let msg: { ready?: LabReady; error?: string; id?: number; ok?: boolean; value?: unknown };
        try {
          msg = JSON.parse(line) as typeof msg;
        } catch {
          return;
        }
        if (msg.error && msg.id === undefined) {
          clearTimeout(timer);
          reject(new Error(`lab-controller: ${msg.error}`));
        } else if (msg.ready) {
          clearTimeout(timer);
          resolveReady(msg.ready);
        } else if (msg.id !== undefined) {
          const p = pending.get(msg.id);
          pending.delete(msg.id);
          if (msg.ok) p?.resolve(msg.value);
          else p?.reject(new Error(String(msg.error)));
        }
      });
    });
    child.on('exit', () => {
      for (const p of pending.values()) p.reject(new Error('lab-controller exited'));
      pending.clear();
    });
    return new LabSession(child, ready, pending);
  }

  private request<T>(op: string, args: Record<string, unknown> = {}, timeoutMs = 60_000): Promise<T> {
    const id = ++this.seq;
    return new Promise<T>((resolveReq, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`lab-controller: ${op} took more than ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolveReq(v as T);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.child.stdin!.write(`${JSON.stringify({ id, op, ...args })}\n`);
    });
  }

  /** Switch the fake API to a variant whose instance has `host`'s address and a rule for `port`. */
  scenario(variant: Variant, host: string, port: number): Promise<void> {
    return this.request('scenario', { variant, host, port });
  }

  /** A shell script inside a lab host's namespace. */
  sh(ns: string, script: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return this.request('sh', { ns, script });
  }

  /** `sg-doctor cloud show --json` against the fake API: what a user pastes as offline JSON. */
  cloudShow(): Promise<string> {
    return this.request('cloudShow');
  }

  /** Faults for the fake API's next calls (e.g. a write denied by policy); [] clears them. */
  setFaults(faults: Fault[]): Promise<void> {
    return this.request('faults', { faults });
  }

  /** The fake cloud's current state (write actions change it). */
  cloudState(): Promise<Scenario> {
    return this.request('cloudState');
  }

  /** What the web shell wrote on stderr (for failure messages). */
  shellLog(): Promise<string> {
    return this.request<string>('shellLog', {}, 5_000).catch((e: Error) => e.message);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((r) => this.child.once('exit', () => r()));
    await this.request('stop', {}, 45_000).catch(() => undefined);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** Chromium started inside the namespace `ns` (same flags as playwright.config.ts). */
export async function launchChromiumIn(ns: string, dir: string): Promise<Browser> {
  const real = process.env.SGD_CHROMIUM ?? '/usr/bin/chromium';
  if (!existsSync(real)) throw new Error(`no Chromium at ${real} (apt-get install chromium, or set SGD_CHROMIUM)`);
  const wrapper = join(dir, 'chromium-in-netns');
  writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec ${quote(ns)} ${quote(real)} "$@"\n`);
  chmodSync(wrapper, 0o755);
  const args = config.use?.launchOptions?.args ?? ['--no-sandbox', '--disable-gpu'];
  return chromium.launch({ executablePath: wrapper, args, timeout: 30_000 });
}

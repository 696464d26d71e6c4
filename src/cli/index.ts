// `sg-doctor`: the command line over the same core as the desktop app.
import { Command } from 'commander';
import { APP_VERSION } from '../core/version';
import { EXIT_INTERNAL, withUsageExitCodes } from './format';

process.env.ALIBABA_CLOUD_ECS_METADATA_DISABLED ??= 'true';

type Register = (program: Command) => void;

// Command modules are loaded on demand: `cloud` and `diagnose` pull in the Alibaba Cloud SDKs (about a
// second of CPU), which `probe` must not pay for at start-up.
const COMMANDS: Record<string, () => Promise<Register>> = {
  probe: () => import('./commands/probe').then((m) => m.registerProbe),
  cloud: () => import('./commands/cloud').then((m) => m.registerCloud),
  diagnose: () => import('./commands/diagnose').then((m) => m.registerDiagnose),
  serve: () => import('./commands/serve').then((m) => m.registerServe),
  open: () => import('./commands/session').then((m) => m.registerSession),
  report: () => import('./commands/session').then((m) => m.registerSession),
  rerun: () => import('./commands/session').then((m) => m.registerSession),
  'server-script': () => import('./commands/server-script').then((m) => m.registerServerScript),
  fix: () => import('./commands/fix').then((m) => m.registerFix),
  watch: () => import('./commands/watch').then((m) => m.registerWatch),
};

/** The sub-command named on the command line, if it is one of ours (help and --version need them all). */
export function requestedCommand(argv: readonly string[]): string | null {
  const first = argv.slice(2).find((a) => !a.startsWith('-'));
  return first && first in COMMANDS ? first : null;
}

async function main(): Promise<void> {
  const program = new Command('sg-doctor')
    .description('Find out why a cloud server is unreachable although "the security group rule is there".')
    .version(APP_VERSION);
  withUsageExitCodes(program); // an unknown command or option, or no command at all, is a usage error: 2
  const wanted = requestedCommand(process.argv);
  if (!wanted && process.argv.slice(2).some((a) => a === '--version' || a === '-V')) {
    process.stdout.write(`${APP_VERSION}\n`); // no command module needed
    return;
  }
  const loaders = wanted ? [COMMANDS[wanted]] : [...new Set(Object.values(COMMANDS))];
  const registered = new Set<Register>();
  for (const register of await Promise.all(loaders.map((load) => load()))) {
    if (registered.has(register)) continue; // open/report/rerun share one module
    registered.add(register);
    register(program);
  }
  await program.parseAsync(process.argv);
}

main().catch((err: unknown) => {
  // Usage errors and bad input are reported by the commands with exit code 2; anything here is a bug.
  console.error(`sg-doctor: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(EXIT_INTERNAL);
});

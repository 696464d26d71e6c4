// `sg-doctor`: the command line over the same core as the desktop app.
import { Command } from 'commander';
import { APP_VERSION } from '../core/version';
import { registerProbe } from './commands/probe';
import { registerCloud } from './commands/cloud';
import { registerDiagnose } from './commands/diagnose';
import { registerServe } from './commands/serve';
import { registerSession } from './commands/session';

process.env.ALIBABA_CLOUD_ECS_METADATA_DISABLED ??= 'true';

const program = new Command('sg-doctor')
  .description('Find out why a cloud server is unreachable although "the security group rule is there".')
  .version(APP_VERSION);

registerProbe(program);
registerCloud(program);
registerDiagnose(program);
registerServe(program);
registerSession(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  // Usage errors and bad input are reported by the commands with exit code 2; anything here is a bug.
  console.error(`sg-doctor: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});

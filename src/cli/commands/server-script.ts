// `sg-doctor server-script`: the read-only check script to run on the server by hand; its output goes
// back through `sg-doctor diagnose … --server-evidence FILE` (the manual path of server-side evidence).
import { Command, Option } from 'commander';
import { evidenceScript } from '../../core/diagnosis/server-evidence/scripts';
import { parsePortList } from '../../core/probe/ports';
import { action, fail, withUsageExitCodes } from '../format';

export function registerServerScript(program: Command): void {
  const cmd = new Command('server-script')
    .description('Print the read-only check script to run on the server (sh or PowerShell); feed its output to diagnose --server-evidence.')
    .addOption(new Option('--os <os>', 'the server\'s OS').choices(['linux', 'windows']).default('linux'))
    .option('-p, --ports <list>', 'port(s) of interest, e.g. 22 or 22,80', '22')
    .action(
      action(async (opts: { os: 'linux' | 'windows'; ports: string }) => {
        const ports = parsePortList(opts.ports);
        if (!ports.ok) fail(`--ports: ${ports.message}`);
        process.stdout.write(evidenceScript(opts.os, ports.value).script);
      }),
    );
  withUsageExitCodes(cmd);
  program.addCommand(cmd);
}

// Runs probeIcmp in a separate process, so tests can run it as another user (setpriv) or inside a
// network namespace (ip netns exec). Args: JSON array of {address, opts}; prints the facts as JSON.
import { probeIcmp, type IcmpOptions } from '../../src/core/probe/icmp';

async function main(): Promise<void> {
  const runs = JSON.parse(process.argv[2] ?? '[]') as { address: string; opts: IcmpOptions }[];
  const facts = [];
  for (const r of runs) facts.push(await probeIcmp(r.address, r.opts));
  process.stdout.write(`${JSON.stringify({ uid: process.getuid?.(), facts })}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${String((e as Error)?.stack ?? e)}\n`);
  process.exit(1);
});

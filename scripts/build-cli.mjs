// Bundles the command line (and the web shell server) into one CommonJS file under out/cli.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const external = [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.optionalDependencies ?? {}), 'electron'];

await build({
  entryPoints: ['src/cli/index.ts'],
  outfile: 'out/cli/index.cjs',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  external,
  define: { __SGD_VERSION__: JSON.stringify(pkg.version) },
  logLevel: 'warning',
});
console.log('built out/cli/index.cjs');

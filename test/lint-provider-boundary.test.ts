// The provider boundary is a lint rule (eslint.config.mjs): provider-neutral code (rules, diagnosis, session,
// report, renderer) never imports a provider module or the registry. This proves the rule fires on the real
// config, so it cannot silently rot (a renamed folder, a later block replacing the rule's options).
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: process.cwd() });

async function restricted(code: string, filePath: string): Promise<string[]> {
  const [r] = await eslint.lintText(code, { filePath });
  return r.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

const FORBIDDEN = [
  "import { importSnapshot } from '../cloud/alicloud/import';",
  "import type { Endpoints } from '../../cloud/alicloud/endpoints';",
  "import { alicloudProvider } from '../cloud/alicloud';",
  "import { evaluateHuaweiPath } from '../../core/cloud/huawei/path';",
  "export { parsePorts } from '../cloud/huawei';",
  "import { providerFor } from '../cloud/registry';",
  "import { composeDeps } from '../backend/compose';",
];

describe('provider modules stay out of provider-neutral code', () => {
  for (const file of ['src/core/rules/x.ts', 'src/core/diagnosis/checks/x.ts', 'src/core/session/x.ts', 'src/core/report/x.ts', 'src/renderer/src/x.tsx']) {
    it(`flags every provider import in ${file}`, async () => {
      for (const line of FORBIDDEN) expect(await restricted(`${line}\n`, file), line).toHaveLength(1);
    }, 60_000);
  }
  it('allows the port itself and the neutral model there', async () => {
    const ok = "import type { CloudProvider } from '../cloud/provider';\nimport type { CloudSnapshot } from '../cloud/model';\nexport type X = [CloudProvider, CloudSnapshot];\n";
    expect(await restricted(ok, 'src/core/diagnosis/x.ts')).toEqual([]);
  }, 60_000);
  it('the renderer keeps its own restrictions next to the provider ones', async () => {
    expect(await restricted("import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n", 'src/renderer/src/x.tsx')).toHaveLength(1);
  }, 60_000);
  it('the composition root, the CLI and the providers themselves may import providers', async () => {
    for (const file of ['src/core/backend/compose.ts', 'src/cli/commands/x.ts', 'src/core/cloud/registry.ts']) {
      expect(await restricted("import { alicloudProvider } from '../cloud/alicloud/provider';\nexport const p = alicloudProvider;\n", file)).toEqual([]);
    }
  }, 60_000);
  it('covers every provider folder by itself: the folders under src/core/cloud/ are exactly the registered clouds', async () => {
    const config = '../eslint.config.mjs'; // a plain JS module without types: imported by name at run time
    const { PROVIDER_FOLDERS } = (await import(config)) as { PROVIDER_FOLDERS: string[] };
    const { providers } = await import('../src/core/cloud/registry');
    expect([...PROVIDER_FOLDERS].sort()).toEqual(Object.keys(providers).sort());
  }, 60_000);
});

// Pure helpers of the apply flow (ApplyFix.tsx): which fix gets the Apply… button, and how a diff line looks.
import type { Check } from '../../core/diagnosis/types';

type Fix = Check['fixes'][number];

/**
 * Can this fix be offered for applying from here? Actions proven on the configuration, a plan to record
 * against, a writable document, and a run that read the cloud with an account (pasted JSON has none to write with).
 */
export function applicable(fix: Fix, doc: { plan: { cloudMode?: string } | null; readOnly: boolean; example: boolean }): boolean {
  const account = !!doc.plan && doc.plan.cloudMode !== 'snapshot' && doc.plan.cloudMode !== 'none';
  return !!fix.actions?.length && fix.simulated?.decision === 'allow' && account && !doc.readOnly && !doc.example;
}

/**
 * The console steps, the CLI command and the Terraform block of one change carry the same actions: the button
 * goes on one of them only — the command-line rendering when there is one (its title says the change plainly).
 */
export function carriesApplyButton(fixes: readonly Fix[], index: number): boolean {
  const key = (f: Fix | undefined): string | null => (f?.actions?.length ? JSON.stringify(f.actions) : null);
  const mine = key(fixes[index]);
  if (mine === null) return false;
  const same = fixes.map((f, i) => [f, i] as const).filter(([f]) => key(f) === mine);
  const cli = same.find(([f]) => f.kind === 'aliyun-cli' || f.kind === 'hcloud-cli');
  return (cli ?? same[0])[1] === index;
}

/** "+ …" added, "- …" removed, "~ …" changed, anything else context. */
export const diffLineClass = (l: string): string => (l.startsWith('+ ') ? 'diff-add' : l.startsWith('- ') ? 'diff-del' : l.startsWith('~ ') ? 'diff-mod' : 'diff-ctx');

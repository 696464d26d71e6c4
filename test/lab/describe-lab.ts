// Vitest glue for the network lab: `describeLab` runs a suite only where a lab can be built. Elsewhere it
// skips with a printed reason — unless SGD_REQUIRE_LAB=1 (CI), where the suite FAILS with that reason, so
// a CI machine that silently lost root or iptables cannot turn the lab tests into no-ops.
import { describe, it } from 'vitest';
import { labAvailability } from './lab';

export const labRequired = (): boolean => process.env.SGD_REQUIRE_LAB === '1';

export function describeLab(name: string, fn: () => void): void {
  const avail = labAvailability();
  if (avail.ok) {
    describe(name, fn);
    return;
  }
  if (labRequired()) {
    describe(name, () => {
      it('has a network lab (SGD_REQUIRE_LAB=1)', () => {
        throw new Error(`SGD_REQUIRE_LAB=1 but the network lab cannot run here: ${avail.reason}`);
      });
    });
    return;
  }
  console.warn(`[lab] skipping "${name}": ${avail.reason} (set SGD_REQUIRE_LAB=1 to make this a failure)`);
  describe.skip(name, fn);
}

import type { Command } from 'commander';

// Placeholder until the command is implemented; replaced by its owner.
export function registerDiagnose(_program: Command): void {}

// Prints labAvailability() as JSON (lab.lab.test.ts runs this as an unprivileged user).
import { labAvailability } from './lab';

process.stdout.write(`${JSON.stringify(labAvailability())}\n`);

// Web shell: exporting a report also hands it to the browser as a download (the report is written to the
// app's reports folder as before; the browser gets the same bytes as an attachment).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from './fixtures';

test('report export offers the file as a browser download', async ({ ready, app }) => {
  await ready.getByTestId('open-example').click();
  await ready.getByTestId('export').click();
  const downloaded = ready.waitForEvent('download');
  await ready.getByTestId('do-export').click();
  const download = await downloaded;
  expect(download.suggestedFilename()).toBe('sg-doctor-198.51.100.20-22.html');
  const saved = readFileSync((await download.path())!, 'utf8');
  expect(saved).toBe(readFileSync(join(app.dataDir, 'reports', 'sg-doctor-198.51.100.20-22.html'), 'utf8'));
  expect(saved).toContain('<!doctype html>');
});

// Sessions (save, open, recent, browse, the example, compare) and report export: files the user owns, written
// atomically, read back before they are kept, accepted from the UI only by the file-reference rules.
import { promises as fsp } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { renderReport } from '../../report';
import { fail, ok } from '../../result';
import { writeFileSafely } from '../../files';
import { compareDiagnoses, createSession, loadSession, parseSession, saveSession, serializeSession, SESSION_EXTENSION } from '../../session';
import type { BackendContext } from './context';
import type { DomainHandlers } from './types';

export function sessionHandlers(ctx: BackendContext): DomainHandlers<'sessions' | 'report'> {
  const { host, log, resourcesDir, sessionsDir, issued, readRecent, addRecent, resolveRef, refOf, openPath, checkDiagnosis } = ctx;
  return {
    'sessions.save': async ({ diagnosis, plan, ref, saveAs, name, watch: worked }) => {
      const d = checkDiagnosis(diagnosis);
      if (!d.ok) return d;
      let path: string | null;
      if (ref && !saveAs) {
        path = await resolveRef(ref);
        if (!path) return fail('UNKNOWN_FILE', 'That file was not opened or saved by SG Doctor; use Save as…');
      } else {
        const base = (name ?? `${d.value.target.host}-${d.value.target.port}`).replace(/\.sgdiag$/i, '');
        path = await host.chooseSavePath({ kind: 'session', defaultName: `${base}${SESSION_EXTENSION}`, extensions: ['sgdiag'] });
        if (!path) return ok(null);
      }
      // Saving over a file keeps the cloud changes applied from it (and their undo): the UI never holds them.
      const kept = ref && !saveAs ? await loadSession(path).then((r) => (r.ok ? r.value.session : null)) : null;
      const session = {
        ...createSession(d.value, plan),
        ...(kept?.applied ? { applied: kept.applied } : {}),
        ...(kept?.pendingApply ? { pendingApply: kept.pendingApply } : {}),
        ...(worked ? { watch: worked } : {}),
      };
      // What is written must read back: refuse to write a file this app could not open again.
      const check = parseSession(serializeSession(session), basename(path));
      if (!check.ok) return check;
      await fsp.mkdir(dirname(path), { recursive: true });
      const saved = await saveSession(path, session);
      if (!saved.ok) return saved;
      const abs = resolve(path);
      issued.add(abs);
      const entry = refOf(abs, session.savedAt);
      await addRecent(entry).catch(() => undefined);
      log.info('session saved', { bytes: saved.value.bytes });
      return ok({ ...entry, bytes: saved.value.bytes, backup: saved.value.backup });
    },
    'sessions.open': async ({ ref }) => {
      let path: string | null;
      if (ref) {
        path = await resolveRef(ref);
        if (!path) return fail('UNKNOWN_FILE', 'SG Doctor only opens files you chose, recent files, or files in its sessions folder');
      } else {
        path = await host.chooseOpenPath();
        if (!path) return ok(null);
      }
      return openPath(path);
    },
    'sessions.recent': async () => ok(await readRecent()),
    'sessions.browse': async () => {
      let names: string[];
      try {
        names = (await fsp.readdir(sessionsDir)).filter((n) => n.endsWith(SESSION_EXTENSION));
      } catch {
        return ok([]);
      }
      const refs = await Promise.all(
        names.map(async (n) => {
          const p = join(resolve(sessionsDir), n);
          const st = await fsp.stat(p).catch(() => null);
          return { ...refOf(p, st?.mtime.toISOString()), display: n };
        }),
      );
      return ok(refs.sort((a, b) => (b.savedAt ?? '').localeCompare(a.savedAt ?? '')));
    },
    'sessions.example': async () => {
      const path = join(resourcesDir, 'example.sgdiag');
      const loaded = await loadSession(path);
      if (!loaded.ok) return loaded;
      return ok({ ref: '', name: 'example.sgdiag', display: 'example.sgdiag', ...loaded.value, readOnly: true, example: true });
    },
    'sessions.compare': async ({ before, after }) => {
      const b = checkDiagnosis(before);
      if (!b.ok) return b;
      const a = checkDiagnosis(after);
      if (!a.ok) return a;
      return ok(compareDiagnoses(b.value, a.value));
    },

    'report.export': async ({ diagnosis, format, lang, maskIps, name, watch: worked }) => {
      const d = checkDiagnosis(diagnosis);
      if (!d.ok) return d;
      if (format === 'pdf' && !host.printPdf) return fail('NOT_SUPPORTED', 'PDF export needs the desktop app; export HTML and print it from the browser');
      const base = (name ?? `sg-doctor-${d.value.target.host}-${d.value.target.port}`).replace(/\.(md|html|pdf)$/i, '');
      const path = await host.chooseSavePath({ kind: 'report', defaultName: `${base}.${format}`, extensions: [format] });
      if (!path) return ok({ path: null, display: null, format, bytes: 0 });
      const html = renderReport(d.value, { lang, maskIps, format: format === 'md' ? 'md' : 'html', watch: worked });
      const data = format === 'pdf' ? await host.printPdf!(html) : html;
      await fsp.mkdir(dirname(path), { recursive: true });
      // Temp file + rename, never through a planted link. A native Save dialog has already asked before
      // replacing a file; the web shell cannot ask, so it keeps the old report and picks "name (2).html".
      const written = await writeFileSafely(path, data, { onExisting: host.capabilities.nativeDialogs ? 'replace' : 'free-name' });
      if (!written.ok) return written;
      const bytes = written.value.bytes;
      log.info('report exported', { format, bytes });
      return ok({ path: written.value.path, display: written.value.path, format, bytes, ...(host.shell === 'web' ? { download: basename(written.value.path) } : {}) });
    },
  };
}

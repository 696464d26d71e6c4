// File-system safety shared by session saves, report exports and the CLI's input files:
//   - writes go to a temp file in the same folder and are renamed into place (rename replaces a planted
//     symlink itself, it never writes through it); with `onExisting: 'free-name'` the new file is linked
//     in under a name nobody uses ("report (2).html"), atomically (link() fails if the name exists);
//   - temp files of our own naming left by an interrupted save are removed on the next save;
//   - a file read from a confined folder must really be inside it (no symlink pointing out);
//   - error texts name the file and the error code, never the file's content.
import { randomBytes } from 'node:crypto';
import { constants, promises as fsp } from 'node:fs';
import { basename, dirname, extname, join, resolve, sep } from 'node:path';
import { fail, ok, type Result } from './result';

/** `.<name>.<pid>.<8 hex>.tmp`: the temp-file naming of every save (sessions and reports). */
export const TEMP_FILE = /^\.(.+)\.(\d+)\.([0-9a-f]{8})\.tmp$/;

export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

const alive = (pid: number): boolean => {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * Removes temp files of our naming in `dir` whose writer is gone (its process no longer runs) or that are
 * older than `maxAgeMs`. Bounded: looks at most at 2000 entries. Returns the names removed.
 */
export async function cleanStaleTempFiles(dir: string, opts: { maxAgeMs?: number; now?: number } = {}): Promise<string[]> {
  const maxAge = opts.maxAgeMs ?? 60 * 60 * 1000;
  const now = opts.now ?? Date.now();
  let names: string[];
  try {
    names = (await fsp.readdir(dir)).slice(0, 2000);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const m = TEMP_FILE.exec(name);
    if (!m) continue;
    const p = join(dir, name);
    const st = await fsp.lstat(p).catch(() => null);
    if (!st || !(st.isFile() || st.isSymbolicLink())) continue;
    const pid = Number(m[2]);
    if (pid === process.pid && now - st.mtimeMs < maxAge) continue; // possibly a save of ours in flight
    if (pid !== process.pid && alive(pid) && now - st.mtimeMs < maxAge) continue;
    await fsp.unlink(p).then(
      () => removed.push(name),
      () => undefined,
    );
  }
  return removed;
}

/** Writes and fsyncs a new temp file; 'wx' + O_NOFOLLOW: never an existing file, never through a link. */
export async function writeNewFile(path: string, data: string | Uint8Array, mode = 0o600): Promise<void> {
  const fh = await fsp.open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0), mode);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** "report.html" → "report (2).html", "report (3).html", … */
export function numberedName(path: string, n: number): string {
  const ext = extname(path);
  const stem = basename(path, ext);
  return join(dirname(path), `${stem} (${n})${ext}`);
}

export type OnExisting =
  /** Refuse when anything (file, link, folder) has that name: the CLI without --force. */
  | 'refuse'
  /** Replace it (the user confirmed, e.g. in the native Save dialog, or --force); a link is replaced, not followed. */
  | 'replace'
  /** Keep it and write under the first free name "name (2).ext" (the web shell, which cannot ask). */
  | 'free-name';

export interface SafeWriteResult {
  path: string;
  bytes: number;
}

/**
 * Writes `data` to `path` through a temp file in the same folder. Never writes through a symlink, never
 * leaves a temp file behind, and (with 'refuse' / 'free-name') never overwrites another file.
 */
export async function writeFileSafely(path: string, data: string | Uint8Array, opts: { onExisting: OnExisting; mode?: number; maxTries?: number }): Promise<Result<SafeWriteResult>> {
  const dir = dirname(path);
  await cleanStaleTempFiles(dir);
  const bytes = typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
  const existing = await fsp.lstat(path).catch(() => null);
  if (existing && opts.onExisting === 'refuse') {
    return fail('EXISTS', `${basename(path)} already exists${existing.isSymbolicLink() ? ' (as a link)' : ''}; choose another name or pass --force to replace it`);
  }
  if (existing?.isDirectory()) return fail('EXISTS', `${basename(path)} is a folder`);
  const tmp = tempPathFor(path);
  try {
    await writeNewFile(tmp, data, opts.mode ?? 0o644);
    if (opts.onExisting === 'replace') {
      await fsp.rename(tmp, path); // replaces a planted link itself; its target is untouched
      return ok({ path, bytes });
    }
    // refuse / free-name: link() fails with EEXIST when the name is taken, even by a dangling link.
    const tries = Math.max(1, opts.maxTries ?? 100);
    for (let n = 1; n <= tries; n++) {
      const candidate = n === 1 ? path : numberedName(path, n);
      try {
        await fsp.link(tmp, candidate);
        return ok({ path: candidate, bytes });
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code !== 'EEXIST') throw e;
        if (opts.onExisting === 'refuse') return fail('EXISTS', `${basename(path)} already exists; choose another name or pass --force to replace it`);
      }
    }
    return fail('EXISTS', `no free name like ${basename(numberedName(path, 2))} in ${dir}`);
  } catch (e) {
    return fail('IO', `cannot write ${basename(path)}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  } finally {
    await fsp.rm(tmp, { force: true }).catch(() => undefined);
  }
}

/** Resolves `path` and checks that it really lies inside `folder` (symlinks resolved on both sides). */
export async function realPathWithin(path: string, folder: string): Promise<Result<string>> {
  let real: string;
  let root: string;
  try {
    root = await fsp.realpath(resolve(folder));
  } catch (e) {
    return fail('NOT_FOUND', `${basename(folder)}: ${(e as NodeJS.ErrnoException).code ?? 'missing'}`);
  }
  try {
    real = await fsp.realpath(resolve(path));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return fail(code === 'ENOENT' ? 'NOT_FOUND' : 'IO', `${basename(path)}: ${code === 'ENOENT' ? 'no such file' : `cannot read (${code ?? 'error'})`}`);
  }
  if (real !== root && !real.startsWith(root + sep)) return fail('OUTSIDE', `${basename(path)} points outside the sessions folder; SG Doctor does not follow it`);
  return ok(real);
}

/**
 * Reads a user-named input file (or stdin for "-") with a size limit, without ever quoting its content.
 * `limit` counts characters, as the web shell's request schemas do; the read stops early far above it.
 */
export async function readLimitedText(file: string, limit: number, readStdin: () => AsyncIterable<Buffer | string>): Promise<Result<string>> {
  const hardBytes = limit * 4 + 4; // UTF-8: at most 4 bytes a character
  const chunks: Buffer[] = [];
  let size = 0;
  const take = async (source: AsyncIterable<Buffer | string>): Promise<boolean> => {
    for await (const c of source) {
      const b = typeof c === 'string' ? Buffer.from(c) : c;
      size += b.length;
      if (size > hardBytes) return false;
      chunks.push(b);
    }
    return true;
  };
  try {
    if (file === '-') {
      if (!(await take(readStdin()))) return fail('TOO_LARGE', `standard input is over the limit of ${limit} characters`);
    } else {
      const st = await fsp.stat(file);
      if (!st.isFile()) return fail('IO', `${file} is not a file`);
      if (st.size > hardBytes) return fail('TOO_LARGE', `${file}: ${st.size} bytes is over the limit of ${limit} characters`);
      const fh = await fsp.open(file, 'r');
      try {
        if (!(await take(fh.createReadStream({ autoClose: false })))) return fail('TOO_LARGE', `${file} is over the limit of ${limit} characters`);
      } finally {
        await fh.close();
      }
    }
  } catch (e) {
    return fail('IO', `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.length > limit) return fail('TOO_LARGE', `${file === '-' ? 'standard input' : file}: ${text.length} characters is over the limit of ${limit}`);
  return ok(text);
}

// Shell: reads the files --set-file lines name, for the pure renderChart (SetValues.setFileContents). Paths
// are read as helm reads them (os.ReadFile: relative to the working directory, here `cwd`); a file that
// cannot be read carries the error text Go gives (`open x: no such file or directory`,
// `read x: is a directory`), which helm prints after `failed parsing --set-file data: `.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { setFilePaths } from './strvals.js';

const GO_ERRNO: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  ENOTDIR: 'not a directory',
  ELOOP: 'too many levels of symbolic links',
  ENAMETOOLONG: 'file name too long',
};

/** The content (or the Go error) of every path the --set-file `lines` name. */
export function readSetFiles(lines: readonly string[], cwd = process.cwd()): Map<string, string | Error> {
  const out = new Map<string, string | Error>();
  for (const path of lines.flatMap(setFilePaths)) {
    if (out.has(path)) continue;
    try {
      if (path === '') throw Object.assign(new Error(''), { code: 'ENOENT' });
      out.set(path, readFileSync(resolve(cwd, path), 'utf8'));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? '';
      if (code === 'EISDIR') out.set(path, new Error(`read ${path}: is a directory`));
      else out.set(path, new Error(`open ${path}: ${GO_ERRNO[code] ?? (e as Error).message}`));
    }
  }
  return out;
}

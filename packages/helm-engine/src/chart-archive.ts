// Packaged subcharts (`charts/<name>-<version>.tgz`, what `helm dependency build` downloads), read as helm's
// loader reads an archive (pkg/chart/loader/archive.go): gzip, then tar; directories and pax headers skipped;
// the first path component (the chart's directory) dropped; a path with a backslash, one that leaves the
// archive, or an archive with no file is refused. Pure: bytes in, files out.
import { gunzipSync } from 'node:zlib';
import { HelmError } from './chart.js';

const BLOCK = 512;

/** The text of a NUL-terminated field of a tar header. */
function field(h: Uint8Array, from: number, length: number): string {
  let end = from;
  while (end < from + length && h[end] !== 0) end++;
  return Buffer.from(h.subarray(from, end)).toString('utf8');
}

/** A pax extended header's records (`<length> <key>=<value>\n`). */
function paxRecords(data: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    if (space < 0) break;
    const length = Number(data.subarray(at, space).toString('ascii'));
    if (!Number.isInteger(length) || length <= 0) break;
    const record = data.subarray(space + 1, at + length - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (eq > 0) out.set(record.slice(0, eq), record.slice(eq + 1));
    at += length;
  }
  return out;
}

/** The regular files of a tar stream: path and content. */
function tarFiles(tar: Buffer, where: string): Array<{ name: string; data: Buffer }> {
  const out: Array<{ name: string; data: Buffer }> = [];
  let longName: string | undefined;
  for (let at = 0; at + BLOCK <= tar.length; ) {
    const h = tar.subarray(at, at + BLOCK);
    if (h.every((b) => b === 0)) break; // end of archive
    const size = Number.parseInt(field(h, 124, 12).trim() || '0', 8);
    if (!Number.isFinite(size) || size < 0) throw new HelmError('chart', `${where}: archive/tar: invalid tar header`);
    const type = String.fromCharCode(h[156] ?? 0);
    const data = tar.subarray(at + BLOCK, at + BLOCK + size);
    at += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'L') {
      longName = data.toString('utf8').replace(/\0+$/, '');
      continue;
    }
    if (type === 'x') {
      longName = paxRecords(data).get('path') ?? longName;
      continue;
    }
    if (type === 'g') continue;
    const prefix = field(h, 345, 155);
    const name = longName ?? (prefix ? `${prefix}/${field(h, 0, 100)}` : field(h, 0, 100));
    longName = undefined;
    if (type !== '0' && type !== '\0' && type !== '7') continue; // directories, links and devices are not chart files
    out.push({ name, data: Buffer.from(data) });
  }
  return out;
}

/**
 * The files of a chart archive, by path inside the chart (Chart.yaml, templates/x.yaml, ...), and the name of
 * its top directory. `where` names the archive in errors.
 */
export function readChartArchive(bytes: Uint8Array, where: string): { top: string; files: Map<string, Buffer> } {
  let tar: Buffer;
  try {
    tar = gunzipSync(bytes);
  } catch {
    throw new HelmError('chart', `${where}: gzip: invalid header`);
  }
  const files = new Map<string, Buffer>();
  let top = '';
  for (const f of tarFiles(tar, where)) {
    if (f.name.includes('\\'))
      throw new HelmError(
        'chart',
        `${where}: chart illegally contains content outside the base directory: "${f.name}"`,
      );
    const parts = f.name.split('/');
    if (parts[0] === 'pax_global_header') continue;
    const rest = parts.slice(1).join('/');
    const clean = posixClean(rest);
    if (clean === '.' || clean === '') continue;
    if (clean === '..' || clean.startsWith('../') || clean.startsWith('/'))
      throw new HelmError('chart', `${where}: chart illegally references parent directory`);
    top ||= parts[0]!;
    files.set(clean, f.data);
  }
  if (!files.size) throw new HelmError('chart', `${where}: no files in chart archive`);
  return { top, files };
}

/** Go's path.Clean for a relative path. */
function posixClean(p: string): string {
  const out: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..' && out.length && out[out.length - 1] !== '..') out.pop();
    else out.push(seg);
  }
  return out.join('/') || '.';
}

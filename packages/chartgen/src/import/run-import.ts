import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fsyncDirectory, writeFileAtomic } from '@cmsweb/toolkit';
import { listSafeTree, readSafeFile, RefusedFileError, refusedFinding, type SourceFinding } from '@cmsweb/yaml';
import { type ImportResult, importManifests } from './import-manifests.js';
import type { ManifestFile } from './manifest-documents.js';

// Shell of `chartgen import`: reads the manifests and catalog/cluster.yaml, runs the pure core
// (import-manifests.ts), writes each entry atomically (temp file + rename) unless --dry-run.

export interface RunImportOptions {
  root: string;
  paths: string[];
  /** Where entries go (default <root>/catalog/services). */
  out?: string;
  namespace?: string;
  dryRun?: boolean;
  force?: boolean;
  skipInvalid?: boolean;
}

export interface RunImportResult {
  result: ImportResult;
  /** Bad input found by the shell (missing path, unreadable file); nothing was written. */
  inputErrors: SourceFinding[];
  written: string[];
  /** Entries not written because their file exists (no --force). */
  kept: string[];
}

const MANIFEST = /\.ya?ml$/;

export function readManifestFiles(paths: string[], cwd: string): { files: ManifestFile[]; errors: SourceFinding[] } {
  const files: ManifestFile[] = [];
  const errors: SourceFinding[] = [];
  const missing = (p: string, why: string) =>
    errors.push({ file: p, line: 1, column: 1, check: 'import-input', severity: 'error', message: why });
  for (const given of paths) {
    const full = resolve(cwd, given);
    try {
      if (!existsSync(full)) {
        missing(given, 'no such file or directory (expected manifest files or folders of them)');
        continue;
      }
      const names = statSync(full).isDirectory()
        ? listSafeTree(full, '.', (n) => MANIFEST.test(n)).map((p) => join(full, p))
        : [full];
      for (const name of names) {
        const shown = relative(cwd, name) || name;
        const text = readSafeFile(name, { display: shown });
        if (text !== undefined) files.push({ path: shown, text });
      }
    } catch (e) {
      if (e instanceof RefusedFileError) errors.push(refusedFinding(e));
      else throw e;
    }
  }
  return { files, errors };
}

export async function runImport(options: RunImportOptions): Promise<RunImportResult> {
  const { root } = options;
  const read = readManifestFiles(options.paths, process.cwd());
  const clusterPath = join(root, 'catalog', 'cluster.yaml');
  const clusterText = readSafeFile(clusterPath, { display: 'catalog/cluster.yaml' });
  const empty: ImportResult = { errors: [], entries: [], notes: [], workloads: 0, refused: [], prodFiles: [] };
  if (clusterText === undefined)
    read.errors.push({
      file: 'catalog/cluster.yaml',
      line: 1,
      column: 1,
      check: 'import-input',
      severity: 'error',
      message: `missing under ${root}: the importer loads each entry with the cluster settings (use --root)`,
    });
  if (read.errors.length) return { result: empty, inputErrors: read.errors, written: [], kept: [] };
  const result = importManifests(read.files, {
    clusterFile: { path: 'catalog/cluster.yaml', text: clusterText! },
    ...(options.namespace ? { namespace: options.namespace } : {}),
    skipInvalid: options.skipInvalid ?? false,
  });
  if (result.errors.length) return { result, inputErrors: [], written: [], kept: [] };
  const outDir = options.out ? resolve(options.out) : join(root, 'catalog', 'services');
  const written: string[] = [];
  const kept: string[] = [];
  const targets = result.entries.map((e) => ({ e, path: join(outDir, `${e.name}.yaml`) }));
  for (const t of targets) if (existsSync(t.path) && !options.force) kept.push(t.path);
  if (options.dryRun) return { result, inputErrors: [], written: [], kept };
  mkdirSync(outDir, { recursive: true });
  for (const t of targets) {
    if (kept.includes(t.path)) continue;
    await writeFileAtomic(t.path, t.e.text, { syncDirectory: false });
    written.push(t.path);
  }
  if (written.length) await fsyncDirectory(dirname(written[0]!));
  return { result, inputErrors: [], written, kept };
}

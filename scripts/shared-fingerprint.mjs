// nx `runtime` input of every `test` target (nx.json, namedInputs.sharedData): prints a fingerprint of the
// shared data some tests read from ../shared (the real CMSWEB corpus and the upstream reference data), so
// that nx does not replay a cached test run when ../shared appears, disappears or changes: a missing corpus
// shows up as a fresh run with visible skips, never as a cache hit of a run that had it.
// Content hash of every file (path + bytes; about 15 MB, a few tens of milliseconds). Run from the workspace
// root (nx runs runtime inputs there); `node scripts/shared-fingerprint.mjs [workspace root]`.
//
// `--repository`: the same fingerprint of this repository's catalog/, charts/ and environments/ (nx.json,
// namedInputs.repoData), for the tests that read them (catalog, chartgen, validator). A runtime input
// rather than file globs: nx counts a project whose inputs name a changed {workspaceRoot} file as affected,
// and a tag bump in an overlay must not make every package's tests affected; the fingerprint still keeps
// those three from replaying a test run made on other repository contents.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const args = process.argv.slice(2);
const repository = args.includes('--repository');
const root = resolve(args.find((a) => a !== '--repository') ?? '.');
const shared = join(root, '..', 'shared');

function fingerprint(dir) {
  if (!existsSync(dir)) return 'absent';
  const hash = createHash('sha256');
  const walk = (d, rel) => {
    const entries = readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const e of entries) {
      const path = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(join(d, e.name), path);
      else if (e.isFile())
        hash
          .update(`${path}\0`)
          .update(readFileSync(join(d, e.name)))
          .update('\0');
    }
  };
  walk(dir, '');
  return hash.digest('hex').slice(0, 16);
}

const parts = repository
  ? ['catalog', 'charts', 'environments'].map((name) => `${name}:${fingerprint(join(root, name))}`)
  : ['corpus', 'reference'].map((name) => `${name}:${fingerprint(join(shared, name))}`);
console.log(parts.join(' '));

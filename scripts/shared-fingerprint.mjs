// nx `runtime` input of every `test` target (nx.json, namedInputs.sharedData): prints a fingerprint of the
// shared data some tests read from ../shared (the real CMSWEB corpus and the upstream reference data), so
// that nx does not replay a cached test run when ../shared appears, disappears or changes: a missing corpus
// shows up as a fresh run with visible skips, never as a cache hit of a run that had it.
// Content hash of every file (path + bytes; about 15 MB, a few tens of milliseconds). Run from the workspace
// root (nx runs runtime inputs there); `node scripts/shared-fingerprint.mjs [workspace root]`.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(process.argv[2] ?? '.');
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

console.log(['corpus', 'reference'].map((name) => `${name}:${fingerprint(join(shared, name))}`).join(' '));

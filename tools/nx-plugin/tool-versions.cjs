// nx `runtime` input of the validate targets (tools/nx-plugin/index.cjs): prints what, besides the
// repository's files, decides a validation result: the validator as built (content hash of the dist/ and
// data/ of packages/validator and of the workspace packages it depends on, which nx cannot hash as files
// because dist/ is git-ignored) and the helm that renders ($HELM_BIN, else tools/bin/helm). A rebuilt
// validator or another helm is a cache miss, never a replay of a result they did not produce.
// Run from the workspace root, as nx runs runtime inputs, once per task it hashes: the line is remembered
// (node_modules/.cache/cmsweb-tool-versions.json) under the identity of every file it is made of (path, size,
// inode, modification and change times in nanoseconds, as git's index tells a changed file without reading it),
// so that an unchanged build costs a stat per file instead of reading ~600 files and starting helm (about a
// third of a CPU second on the path of every `nx affected`).
const { createHash } = require('node:crypto');
const { spawnSync } = require('node:child_process');
const { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } = require('node:fs');
const { dirname, join, resolve } = require('node:path');

const root = resolve(process.argv[2] || '.');
const packagesDir = join(root, 'packages');

/** Workspace packages by npm name: { dir, deps }. */
function workspacePackages() {
  const out = new Map();
  if (!existsSync(packagesDir)) return out;
  for (const d of readdirSync(packagesDir).sort()) {
    const file = join(packagesDir, d, 'package.json');
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, 'utf8'));
    out.set(pkg.name, { dir: join(packagesDir, d), deps: Object.keys(pkg.dependencies || {}) });
  }
  return out;
}

/** validator and the workspace packages it depends on, transitively, sorted by name. */
function validatorClosure(all) {
  const seen = new Set();
  const visit = (name) => {
    const p = all.get(name);
    if (!p || seen.has(name)) return;
    seen.add(name);
    for (const d of p.deps) visit(d);
  };
  visit('validator');
  return [...seen].sort();
}

/** The files of `dir`, recursively, in name order: [path as hashed, absolute path]. */
function treeFiles(dir, rel, out = []) {
  if (!existsSync(dir)) return out;
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = `${rel}/${e.name}`;
    if (e.isDirectory()) treeFiles(join(dir, e.name), path, out);
    else if (e.isFile()) out.push([path, join(dir, e.name)]);
  }
  return out;
}

/** What the validator fingerprint hashes, in order: [label, absolute path of the content, is a package.json]. */
function validatorInputs() {
  const all = workspacePackages();
  const out = [];
  for (const name of validatorClosure(all)) {
    const { dir } = all.get(name);
    out.push([name, join(dir, 'package.json'), true]);
    treeFiles(join(dir, 'dist'), `${name}/dist`, out);
    treeFiles(join(dir, 'data'), `${name}/data`, out);
  }
  return out;
}

function validatorFingerprint(inputs) {
  if (!inputs.length) return 'absent';
  const hash = createHash('sha256');
  for (const [label, file, packageJson] of inputs) {
    hash.update(`${label}\0`).update(readFileSync(file));
    if (!packageJson) hash.update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

const HELM = process.env.HELM_BIN || join(root, 'tools', 'bin', 'helm');

function helmVersion() {
  const r = spawnSync(HELM, ['version', '--template', '{{.Version}}+{{.GitCommit}}'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : 'absent';
}

/** Identity of a file's content without reading it (undefined when it cannot be stat'ed). */
function identity(file) {
  try {
    const s = statSync(file, { bigint: true });
    return `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
  } catch {
    return undefined;
  }
}

const CACHE = join(root, 'node_modules', '.cache', 'cmsweb-tool-versions.json');

function main() {
  const inputs = validatorInputs();
  const key = createHash('sha256');
  for (const [label, file] of inputs) key.update(`${label}\0${identity(file)}\0`);
  key.update(`helm\0${resolve(HELM)}\0${identity(HELM)}`);
  const digest = key.digest('hex');
  try {
    const cached = JSON.parse(readFileSync(CACHE, 'utf8'));
    if (cached.key === digest && typeof cached.line === 'string') return cached.line;
  } catch {
    // none yet, or unreadable: compute below
  }
  const helm = identity(HELM) === undefined ? 'absent' : helmVersion();
  const line = `validator:${validatorFingerprint(inputs)} helm:${helm}`;
  if (helm !== 'absent') {
    try {
      mkdirSync(dirname(CACHE), { recursive: true });
      writeFileSync(`${CACHE}.${process.pid}`, JSON.stringify({ key: digest, line }));
      renameSync(`${CACHE}.${process.pid}`, CACHE); // whole or absent for a concurrent reader
    } catch {
      // read-only node_modules: computed again next time
    }
  }
  return line;
}

console.log(main());

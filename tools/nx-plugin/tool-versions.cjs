// nx `runtime` input of the validate targets (tools/nx-plugin/index.cjs): prints what, besides the
// repository's files, decides a validation result: the validator as built (content hash of the dist/ and
// data/ of packages/validator and of the workspace packages it depends on, which nx cannot hash as files
// because dist/ is git-ignored) and the helm that renders ($HELM_BIN, else tools/bin/helm). A rebuilt
// validator or another helm is a cache miss, never a replay of a result they did not produce.
// Run from the workspace root, as nx runs runtime inputs.
const { createHash } = require('node:crypto');
const { spawnSync } = require('node:child_process');
const { existsSync, readdirSync, readFileSync } = require('node:fs');
const { join, resolve } = require('node:path');

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

function hashTree(hash, dir, rel) {
  if (!existsSync(dir)) return;
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = `${rel}/${e.name}`;
    if (e.isDirectory()) hashTree(hash, join(dir, e.name), path);
    else if (e.isFile()) hash.update(`${path}\0`).update(readFileSync(join(dir, e.name))).update('\0');
  }
}

function validatorFingerprint() {
  const all = workspacePackages();
  const names = validatorClosure(all);
  if (!names.length) return 'absent';
  const hash = createHash('sha256');
  for (const name of names) {
    const { dir } = all.get(name);
    hash.update(`${name}\0`).update(readFileSync(join(dir, 'package.json')));
    hashTree(hash, join(dir, 'dist'), `${name}/dist`);
    hashTree(hash, join(dir, 'data'), `${name}/data`);
  }
  return hash.digest('hex').slice(0, 16);
}

function helmVersion() {
  const bin = process.env.HELM_BIN || join(root, 'tools', 'bin', 'helm');
  const r = spawnSync(bin, ['version', '--template', '{{.Version}}+{{.GitCommit}}'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : 'absent';
}

console.log(`validator:${validatorFingerprint()} helm:${helmVersion()}`);

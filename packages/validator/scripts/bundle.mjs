// Bundles the compiled CLI and its two worker threads into dist/bundle/ (run by `npm run build` after tsc).
// Why: a one-service run (what nx runs after a change) spent most of its CPU opening, resolving and compiling
// ~730 module files, many of them in both threads; one file per thread costs about a quarter less CPU
// (README "Start-up"). bin/validator.js runs the bundle only while it is newer than every compiled package
// it holds, else dist/cli.js, so a plain `tsc -b` never leaves a stale bundle running.
//
// Paths stay those of the unbundled modules: each workspace module's `import.meta.url` is rewritten to the URL
// its compiled file has, relative to the bundle (so packages/kube-schemas/data, the schema cache under
// node_modules/.cache, tools/bin/helm and package.json are found as before, wherever the checkout is). The
// exception are the modules that start worker threads (WORKER_STARTERS): they keep the bundle's own URL, so
// that './native-worker.js' and './manifest-worker.js' are the bundled workers beside it.
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
const packages = join(pkg, '..');
/** dist/bundle, or the folder given (test/bundle.test.ts bundles into a temporary one). */
const out = process.argv[2] ? resolve(process.argv[2]) : join(pkg, 'dist', 'bundle');

/** Entry (compiled file) → bundle name; the worker names are those native-pool.ts and run-batches.ts start. */
const ENTRIES = {
  cli: join(pkg, 'dist', 'cli.js'),
  'native-worker': join(pkg, 'dist', 'render', 'native-worker.js'),
  'manifest-worker': join(pkg, 'dist', 'manifests', 'manifest-worker.js'),
};
const WORKER_STARTERS = new Set(
  [join('dist', 'render', 'native-pool.js'), join('dist', 'manifests', 'run-batches.js')].map((p) => join(pkg, p)),
);

/** Rewrites import.meta.url in the workspace's compiled modules (see above). */
const moduleUrls = {
  name: 'module-urls',
  setup(b) {
    b.onLoad({ filter: /\.js$/ }, async (args) => {
      const inWorkspace = args.path.startsWith(packages + sep) && !args.path.includes(`${sep}node_modules${sep}`);
      if (!inWorkspace || WORKER_STARTERS.has(args.path)) return undefined;
      const text = await readFile(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return undefined;
      const rel = relative(out, args.path).split(sep).join('/');
      return {
        contents: text.replaceAll('import.meta.url', `new URL(${JSON.stringify(rel)}, import.meta.url).href`),
        loader: 'js',
      };
    });
  },
};

const common = {
  outdir: out,
  bundle: true,
  platform: 'node',
  target: 'node20',
  plugins: [moduleUrls],
  logLevel: 'warning',
  legalComments: 'none',
  metafile: true,
  absWorkingDir: pkg,
};
// The worker threads: ES modules (a Worker runs its file as the module it is).
const workers = await build({
  ...common,
  entryPoints: { 'native-worker': ENTRIES['native-worker'], 'manifest-worker': ENTRIES['manifest-worker'] },
  format: 'esm',
  // CommonJS dependencies (ajv, semver, yaml, ...) call require() for Node's built-ins.
  banner: {
    js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);",
  },
});
// The CLI: a CommonJS script, which the bin compiles through V8's code cache (toolkit run-built.mjs, runBundle);
// import.meta.url is the bundle's file URL (what the rewritten URLs above are relative to).
const cli = await build({
  ...common,
  entryPoints: { cli: ENTRIES.cli },
  format: 'cjs',
  outExtension: { '.js': '.cjs' },
  define: { 'import.meta.url': '__bundleUrl' },
  // Strict, as the ES modules it is made of (esbuild's own "use strict" comes after this line).
  banner: { js: "'use strict'; const __bundleUrl = require('node:url').pathToFileURL(__filename).href;" },
});
const metafile = { inputs: { ...workers.metafile.inputs, ...cli.metafile.inputs } };

// What bin/validator.js checks before it runs the bundle (toolkit run-built.mjs, bundleFresh): the
// .tsbuildinfo of every workspace package the bundles hold, written by tsc -b whenever it emits that package.
const held = new Set();
for (const input of Object.keys(metafile.inputs)) {
  const path = join(pkg, input); // metafile paths are relative to absWorkingDir
  if (!path.startsWith(packages + sep) || path.includes(`${sep}node_modules${sep}`)) continue;
  held.add(relative(packages, path).split(sep)[0]);
}
const inputs = [...held].sort().map((p) =>
  relative(out, join(packages, p, 'dist', '.tsbuildinfo'))
    .split(sep)
    .join('/'),
);
await writeFile(join(out, 'inputs.json'), `${JSON.stringify(inputs, null, 2)}\n`);

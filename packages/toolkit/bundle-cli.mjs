// Bundles a package's compiled CLI (and the worker threads it starts, if any) into <package>/dist/bundle/, the
// files the package's bin runs through runBuilt (run-built.mjs) while they are fresh. Shared by the packages'
// scripts/bundle.mjs so that every bundle is made one way. Why bundle: a CLI start spent most of its CPU
// opening, resolving and compiling hundreds of module files; one file, compiled through V8's code cache
// (runBundle), costs a fraction of that.
//
// Paths stay those of the unbundled modules: each workspace module's `import.meta.url` is rewritten to the URL
// its compiled file has, relative to the bundle (so data files, caches, tools/bin/helm, package.json and
// createRequire() resolutions are found as before, wherever the checkout is). The exception are the modules
// that start worker threads (`workerStarters`): they keep the bundle's own URL, so that './<name>.js' is the
// bundled worker beside it.
import { readFile, writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { build } from 'esbuild';

/**
 * Makes `<out>/cli.cjs` (CommonJS, for runBundle), `<out>/<worker>.js` for each of `workers` (ES modules: a
 * Worker runs its file as the module it is) and `<out>/inputs.json` (what bundleFresh checks: the
 * .tsbuildinfo of every workspace package the bundles hold, which `tsc -b` rewrites whenever it emits).
 *
 * @param {object} o
 * @param {string} o.pkg the package folder (absolute)
 * @param {string} o.out the output folder (absolute), normally <pkg>/dist/bundle
 * @param {string} o.cli the compiled CLI entry (absolute)
 * @param {Record<string, string>} [o.workers] bundle name → compiled worker entry (absolute)
 * @param {string[]} [o.workerStarters] compiled modules (absolute) that start those workers by a URL beside them
 * @param {string[]} [o.external] packages left out of the CLI bundle (required from node_modules when used)
 */
export async function bundleCli({ pkg, out, cli, workers = {}, workerStarters = [], external = [] }) {
  const packages = join(pkg, '..');
  const starters = new Set(workerStarters);
  /** Rewrites import.meta.url in the workspace's compiled modules (see above). */
  const moduleUrls = {
    name: 'module-urls',
    setup(b) {
      b.onLoad({ filter: /\.js$/ }, async (args) => {
        const inWorkspace = args.path.startsWith(packages + sep) && !args.path.includes(`${sep}node_modules${sep}`);
        if (!inWorkspace || starters.has(args.path)) return undefined;
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
  const inputs = {};
  if (Object.keys(workers).length > 0) {
    const w = await build({
      ...common,
      entryPoints: workers,
      format: 'esm',
      // CommonJS dependencies (ajv, semver, yaml, ...) call require() for Node's built-ins.
      banner: {
        js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);",
      },
    });
    Object.assign(inputs, w.metafile.inputs);
  }
  // The CLI: a CommonJS script, which the bin compiles through V8's code cache (run-built.mjs, runBundle);
  // import.meta.url is the bundle's file URL (what the rewritten URLs above are relative to).
  const c = await build({
    ...common,
    entryPoints: { cli },
    format: 'cjs',
    outExtension: { '.js': '.cjs' },
    define: { 'import.meta.url': '__bundleUrl' },
    ...(external.length > 0 ? { external } : {}),
    // Strict, as the ES modules it is made of (esbuild's own "use strict" comes after this line).
    banner: { js: "'use strict'; const __bundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  });
  Object.assign(inputs, c.metafile.inputs);

  const held = new Set();
  for (const input of Object.keys(inputs)) {
    const path = join(pkg, input); // metafile paths are relative to absWorkingDir
    if (!path.startsWith(packages + sep) || path.includes(`${sep}node_modules${sep}`)) continue;
    held.add(relative(packages, path).split(sep)[0]);
  }
  const list = [...held].sort().map((p) =>
    relative(out, join(packages, p, 'dist', '.tsbuildinfo'))
      .split(sep)
      .join('/'),
  );
  await writeFile(join(out, 'inputs.json'), `${JSON.stringify(list, null, 2)}\n`);
}

// The one launcher behind every tool's bin: it runs the compiled entry (dist/ is emitted by `npm ci`'s
// postinstall or `npm run build`) and, when it is missing, says how to build it instead of a stack trace.
// Plain JavaScript, so it works before anything is compiled.
import { existsSync, readFileSync, statSync } from 'node:fs';

/**
 * Imports `entry` (a file: URL) or exits 3 naming `tool` and the build command. With `bundle` (the same
 * program bundled into one file, e.g. the validator's dist/bundle/cli.js), imports that instead while it is
 * fresh (bundleFresh): fewer files to load, the same code.
 */
export async function runBuilt(tool, entry, bundle) {
  if (!existsSync(entry)) {
    process.stderr.write(`${tool}: not built: run \`npm run build\` at the repository root (\`npm ci\` does it)\n`);
    process.exit(3);
  }
  await import((bundle && bundleFresh(bundle) ? bundle : entry).href);
}

/**
 * Whether the bundle at `bundle` (a file: URL) is at least as new as every file named in inputs.json beside
 * it (paths relative to it: the .tsbuildinfo of each compiled package it holds, which `tsc -b` rewrites when
 * it emits). A `tsc -b` after the bundle was made, a missing or unreadable list: not fresh, so the compiled
 * modules run, never an outdated bundle.
 */
export function bundleFresh(bundle) {
  try {
    const inputs = JSON.parse(readFileSync(new URL('inputs.json', bundle), 'utf8'));
    const made = statSync(bundle).mtimeMs;
    return (
      Array.isArray(inputs) && inputs.length > 0 && inputs.every((p) => statSync(new URL(p, bundle)).mtimeMs <= made)
    );
  } catch {
    return false;
  }
}

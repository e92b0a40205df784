// The one launcher behind every tool's bin: it runs the compiled entry (dist/ is emitted by `npm ci`'s
// postinstall or `npm run build`) and, when it is missing, says how to build it instead of a stack trace.
// Plain JavaScript, so it works before anything is compiled.
import { existsSync } from 'node:fs';

/** Imports `entry` (a file: URL) or exits 3 naming `tool` and the build command. */
export async function runBuilt(tool, entry) {
  if (!existsSync(entry)) {
    process.stderr.write(`${tool}: not built: run \`npm run build\` at the repository root (\`npm ci\` does it)\n`);
    process.exit(3);
  }
  await import(entry.href);
}

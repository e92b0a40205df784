import { resolve } from 'node:path';
import { Command, CommanderError } from 'commander';
import { formatLocation, type SourceFinding } from '@cmsweb/yaml';
import { generate, UsageError } from './generate.js';

// The only file that prints or exits. Exit codes: 0 ok, 1 drift found by --check, 2 bad catalog or
// usage, 3 internal error (one line; the stack only with DEBUG=1).

const LIST_LIMIT = 50;

const finding = (f: SourceFinding) => `${formatLocation(f)}: ${f.severity === 'warning' ? 'warning: ' : ''}${f.message}`;

async function main(argv: string[]): Promise<number> {
  const program = new Command()
    .name('chartgen')
    .description('Generates a Helm chart per catalog service and the environment scaffolding (overlays, Argo CD, Flux, cluster objects).')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s), writeOut: (s) => process.stdout.write(s) });
  let code = 0;
  program
    .command('generate')
    .description('write charts/ and environments/ from catalog/ (only files that change)')
    .option('--root <dir>', 'repository root', process.cwd())
    .option('--check', 'write nothing; exit 1 listing every file that differs from what would be generated', false)
    .action(async (opts: { root: string; check: boolean }) => {
      code = await runGenerate(resolve(opts.root), opts.check);
    });
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    throw e;
  }
  if (!program.args.length) {
    program.outputHelp({ error: true });
    return 2;
  }
  return code;
}

async function runGenerate(root: string, check: boolean): Promise<number> {
  const result = await generate({ root, check });
  if (result.status === 'bad-catalog') {
    for (const f of result.findings) console.error(finding(f));
    const n = result.findings.filter((f) => f.severity === 'error').length;
    console.error(`chartgen: the catalog has ${n} error${n === 1 ? '' : 's'}; nothing written`);
    return 2;
  }
  for (const w of result.warnings) console.error(finding(w));
  if (check) {
    if (!result.changes.length) {
      console.log(`chartgen: up to date (${result.planned} files)`);
      return 0;
    }
    console.log(`chartgen: ${result.changes.length} file${result.changes.length === 1 ? '' : 's'} differ from the catalog (run \`npx chartgen generate\`):`);
    for (const c of result.changes) console.log(`  ${c.kind.padEnd(7)} ${c.path}`);
    return 1;
  }
  // A first generation writes hundreds of files: list a screenful, count the rest.
  for (const c of result.changes.slice(0, LIST_LIMIT)) console.log(`  ${c.kind.padEnd(7)} ${c.path}`);
  if (result.changes.length > LIST_LIMIT) console.log(`  ... and ${result.changes.length - LIST_LIMIT} more`);
  const count = (k: string) => result.changes.filter((c) => c.kind === k).length;
  console.log(`chartgen: ${count('added')} added, ${count('changed')} changed, ${count('removed')} removed, ${result.planned - count('added') - count('changed')} unchanged`);
  return 0;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (e) {
  if (e instanceof UsageError) {
    console.error(`chartgen: ${e.message}`);
    process.exitCode = 2;
  } else {
    const err = e as Error;
    console.error(`chartgen: internal error: ${err?.message ?? String(e)}${process.env.DEBUG === '1' ? '' : ' (DEBUG=1 shows the stack)'}`);
    if (process.env.DEBUG === '1') console.error(err?.stack);
    process.exitCode = 3;
  }
}

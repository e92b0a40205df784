import { resolve } from 'node:path';
import { Command, CommanderError } from 'commander';
import {
  createProgress,
  debugWanted,
  EXIT,
  helpFooter,
  packageVersion,
  type ProgressStream,
  UsageError,
} from '@cmsweb/toolkit';
import type { SourceFinding } from '@cmsweb/yaml';

// chartgen's command line as a function: `main(argv, io)` parses, runs and returns the exit code, writing
// only through `io`. src/cli.ts calls it with the process's streams; tests call it in process. Exit codes:
// 0 ok, 1 drift found by --check, 2 bad catalog or usage, 3 internal error (one line; the stack only with
// DEBUG=1). The generator (catalog, templates, handlebars) is imported when a command runs, so `--help` and
// `--version` start in a few tens of ms.

export interface CliIo {
  /** Standard output and standard error, written as the text comes (lines end with \n). */
  stdout(text: string): void;
  stderr(text: string): void;
  /** Where the progress line goes (drawn only on a TTY). */
  progress: ProgressStream;
  /** For DEBUG. */
  env: NodeJS.ProcessEnv;
  /** The default of --root. */
  cwd: string;
}

/** The process's own streams, environment and directory. */
export function processIo(): CliIo {
  return {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    progress: process.stderr,
    env: process.env,
    cwd: process.cwd(),
  };
}

const LIST_LIMIT = 50;

/** Runs chartgen with `argv` (the arguments after the program name); returns the exit code. Never throws. */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  try {
    return await run(argv, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`chartgen: ${e.message}\n`);
      return EXIT.usage;
    }
    const err = e as Error;
    const debug = debugWanted(io.env.DEBUG);
    io.stderr(`chartgen: internal error: ${err?.message ?? String(e)}${debug ? '' : ' (DEBUG=1 shows the stack)'}\n`);
    if (debug) io.stderr(`${err?.stack}\n`);
    return EXIT.internal;
  }
}

async function run(argv: string[], io: CliIo): Promise<number> {
  const program = new Command()
    .name('chartgen')
    .description(
      'Generates a Helm chart per catalog service and the environment scaffolding (overlays, Argo CD, Flux, cluster objects).',
    )
    .version(packageVersion(import.meta.url), '-V, --version', 'print the version and exit')
    .exitOverride()
    .configureOutput({ writeErr: (s) => io.stderr(s), writeOut: (s) => io.stdout(s) })
    .addHelpText(
      'after',
      helpFooter(
        [
          ['npx chartgen generate', 'write charts/ and environments/ from catalog/'],
          ['npx chartgen generate --check', 'CI: exit 1 listing the files that differ'],
          ['npx chartgen generate --root ../gitops --quiet', 'another checkout, no output on success'],
          ['npx chartgen import k8s/ --dry-run', 'catalog entries from existing manifests, with a report'],
        ],
        {
          findings:
            'generate --check: files differ from the catalog; import: a workload gave no entry, or an entry file exists',
          usage: 'bad input or usage, or a catalog with errors (nothing written)',
        },
      ),
    );
  let code = 0;
  program
    .command('generate')
    .description('write charts/ and environments/ from catalog/ (only files that change)')
    .option('--root <dir>', 'repository root', io.cwd)
    .option('--check', 'write nothing; exit 1 listing every file that differs from what would be generated', false)
    .option(
      '-q, --quiet',
      'print nothing on success (errors, warnings and --check differences still are); no progress',
      false,
    )
    .exitOverride()
    .action(async (opts: { root: string; check: boolean; quiet: boolean }) => {
      code = await runGenerate(resolve(io.cwd, opts.root), opts.check, opts.quiet, io);
    });
  program
    .command('import')
    .description(
      'write a catalog entry per workload of existing Kubernetes manifests (CMSKubernetes #PROD# files read as production), with a report of what the entries do not express',
    )
    .argument('<paths...>', 'manifest files or folders (*.yaml, *.yml, recursively)')
    .option('--root <dir>', 'repository root (its catalog/cluster.yaml loads each entry)', io.cwd)
    .option('--out <dir>', 'where entries go (default: <root>/catalog/services)')
    .option(
      '--namespace <ns>',
      'namespace of objects without metadata.namespace (kubectl applied them to its context namespace)',
    )
    .option('--dry-run', 'write nothing; print the report and the entries that would be written', false)
    .option('--force', 'overwrite existing entry files', false)
    .option(
      '--skip-invalid',
      'report documents kubectl would refuse (syntax, not Kubernetes objects) and import the rest',
      false,
    )
    .option('-q, --quiet', 'print only refusals and errors, not the report', false)
    .exitOverride()
    .action(async (paths: string[], opts: ImportCliOptions) => {
      code = await runImportCommand(paths, opts, io);
    });
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    throw e;
  }
  if (!program.args.length) {
    program.outputHelp({ error: true });
    return EXIT.usage;
  }
  return code;
}

interface ImportCliOptions {
  root: string;
  out?: string;
  namespace?: string;
  dryRun: boolean;
  force: boolean;
  skipInvalid: boolean;
  quiet: boolean;
}

async function runImportCommand(paths: string[], opts: ImportCliOptions, io: CliIo): Promise<number> {
  const out = lineWriter(io.stdout);
  const err = lineWriter(io.stderr);
  const [{ runImport }, { formatLocation }] = await Promise.all([
    import('./import/run-import.js'),
    import('@cmsweb/yaml'),
  ]);
  const r = await runImport({
    root: resolve(io.cwd, opts.root),
    paths,
    ...(opts.out ? { out: opts.out } : {}),
    ...(opts.namespace ? { namespace: opts.namespace } : {}),
    dryRun: opts.dryRun,
    force: opts.force,
    skipInvalid: opts.skipInvalid,
  });
  const errors = [...r.inputErrors, ...r.result.errors];
  if (errors.length) {
    for (const e of errors) err(`${formatLocation(e)}: ${e.message}`);
    err(
      `chartgen: ${errors.length} input error${errors.length === 1 ? '' : 's'}; nothing written (--skip-invalid imports the rest)`,
    );
    return EXIT.usage;
  }
  const { result } = r;
  const say = opts.quiet ? () => {} : out;
  for (const n of result.notes)
    say(`${formatLocation(n)}: ${n.workload ? `${n.workload}: ` : ''}${n.field ? `${n.field}: ` : ''}${n.message}`);
  for (const x of result.refused) err(`${x.file}:${x.line}:1: ${x.workload}: not imported: ${x.reason}`);
  for (const k of r.kept) err(`chartgen: ${k} exists: not overwritten (--force replaces it)`);
  if (opts.dryRun) for (const e of result.entries) say(`--- ${e.file}\n${e.text}`);
  const pct = result.workloads ? Math.round((1000 * result.entries.length) / result.workloads) / 10 : 100;
  say(
    `chartgen: ${result.workloads} workloads, ${result.entries.length} entries (${pct}%)${opts.dryRun ? ' (dry run: nothing written)' : `, ${r.written.length} written`}, ${result.refused.length} not imported, ${result.notes.length} report lines`,
  );
  return result.refused.length || r.kept.length ? EXIT.findings : EXIT.ok;
}

async function runGenerate(root: string, check: boolean, quiet: boolean, io: CliIo): Promise<number> {
  const out = lineWriter(io.stdout);
  const err = lineWriter(io.stderr);
  const [{ generate }, { formatLocation }] = await Promise.all([import('./generate.js'), import('@cmsweb/yaml')]);
  const finding = (f: SourceFinding) =>
    `${formatLocation(f)}: ${f.severity === 'warning' ? 'warning: ' : ''}${f.message}`;
  const progress = createProgress({ label: 'chartgen: written', quiet, stream: io.progress });
  const result = await generate({ root, check, onWritten: progress.update }).finally(progress.done);
  if (result.status === 'bad-catalog') {
    for (const f of result.findings) err(finding(f));
    const n = result.findings.filter((f) => f.severity === 'error').length;
    err(`chartgen: the catalog has ${n} error${n === 1 ? '' : 's'}; nothing written`);
    return EXIT.usage;
  }
  for (const w of result.warnings) err(finding(w));
  const say = quiet ? () => {} : out;
  const foreign = result.changes.filter((c) => c.kind === 'foreign');
  for (const c of foreign) {
    err(
      `chartgen: warning: ${c.path} is in a generated directory but chartgen cannot prove it wrote it (not listed in charts/.generated, no generated-file header): left in place; delete it by hand if it is stale`,
    );
  }
  if (check) {
    if (!result.changes.length) {
      say(`chartgen: up to date (${result.planned} files)`);
      return EXIT.ok;
    }
    out(
      `chartgen: ${result.changes.length} file${result.changes.length === 1 ? '' : 's'} differ from the catalog (run \`npx chartgen generate\`):`,
    );
    for (const c of result.changes) out(`  ${c.kind.padEnd(7)} ${c.path}`);
    return EXIT.findings;
  }
  // A first generation writes hundreds of files: list a screenful, count the rest.
  const edits = result.changes.filter((c) => c.kind !== 'foreign');
  for (const c of edits.slice(0, LIST_LIMIT)) say(`  ${c.kind.padEnd(7)} ${c.path}`);
  if (edits.length > LIST_LIMIT) say(`  ... and ${edits.length - LIST_LIMIT} more`);
  const count = (k: string) => result.changes.filter((c) => c.kind === k).length;
  const kept = foreign.length ? `, ${foreign.length} foreign kept` : '';
  say(
    `chartgen: ${count('added')} added, ${count('changed')} changed, ${count('removed')} removed, ${result.planned - count('added') - count('changed')} unchanged${kept}`,
  );
  return EXIT.ok;
}

function lineWriter(write: (text: string) => void): (line: string) => void {
  return (line) => write(`${line}\n`);
}

import { Command, CommanderError, Option } from 'commander';
import {
  colorWanted,
  createProgress,
  debugWanted,
  EXIT,
  helpFooter,
  listOption,
  packageVersion,
  repeatOption,
  UsageError,
} from '@cmsweb/toolkit';
import { setFlagsFromString } from 'node:v8';
import type { CommandOutput } from './commands.js';
import { DEFAULT_RENDERER } from './render/default-renderer.js';
import { endRenderProcesses } from './render/render-process.js';

/** VALIDATOR_RENDERER picks the renderer of a run without --renderer (nx targets, CI), else the default. */
const defaultRenderer = process.env.VALIDATOR_RENDERER || DEFAULT_RENDERER;

// The only file that prints or exits. Exit codes: 0 nothing at error severity, 1 findings,
// 2 bad input or usage, 3 internal error. The commands (and everything they load: schemas, ajv, the
// catalog) are imported when a command runs, so `--help` and `--version` start in a few tens of ms.

const RENDER_TIMEOUT_HELP =
  'seconds one render may take before it is stopped and reported (default: renderTimeout in validator.yaml, else 60 s scaled up by the load average per core)';

/** The options of every command that renders charts: the renderer, and how long one render may take. */
function rendering(cmd: Command, rendererHelp = 'how the chart is rendered: native or helm'): Command {
  return cmd
    .option('--renderer <name>', rendererHelp, defaultRenderer)
    .option('--render-timeout <seconds>', RENDER_TIMEOUT_HELP);
}

const KUBE_VERSION_HELP = 'Kubernetes version (default: catalog/cluster.yaml, else 1.33)';
const VALUES_HELP = 'values file (repeatable, in order)';

const color = () => colorWanted(process.env, Boolean(process.stdout.isTTY));
const commands = () => import('./commands.js');

interface Quiet {
  quiet?: boolean;
  output: string;
}

function common(cmd: Command): Command {
  return cmd
    .option('--root <dir>', 'repository root (validator.yaml, catalog)', process.cwd())
    .addOption(
      new Option('--output <format>', 'output format').choices(['text', 'json', 'junit', 'sarif']).default('text'),
    )
    .option(
      '--schema-location <location>',
      'kubeconform-style schema location (repeatable; "default" = built-in kinds and bundled CRDs)',
      repeatOption,
      [],
    )
    .option(
      '--crd <path>',
      'folder or file of CustomResourceDefinitions whose kinds are checked like built-ins, CEL rules included (repeatable; adds to validator.yaml crds:)',
      repeatOption,
      [],
    )
    .option('-q, --quiet', 'text output: print nothing when no finding is at error severity; no progress');
}

/** Exits once the output is flushed (a pipe reader must get all of a large JSON report). */
function exitAfter(stdout: string, code: number): Promise<never> {
  return new Promise(() => process.stdout.write(stdout, () => process.exit(code)));
}

async function finish(o: Quiet, run: () => Promise<CommandOutput> | CommandOutput): Promise<never> {
  try {
    const out = await run();
    // Render processes are reaped before the exit, so that their CPU time counts as this run's.
    await endRenderProcesses();
    if (out.stderr) process.stderr.write(out.stderr);
    const silent = o.quiet && o.output === 'text' && out.exitCode === EXIT.ok;
    return await exitAfter(silent ? '' : out.stdout, out.exitCode);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`validator: ${e.message}\n`);
      process.exit(EXIT.usage);
    }
    process.stderr.write(
      `validator: internal error: ${(e as Error).message ?? String(e)}${debugWanted(process.env.DEBUG) ? `\n${(e as Error).stack ?? ''}` : ' (set DEBUG=1 for the stack)'}\n`,
    );
    process.exit(EXIT.internal);
  }
}

/** Whether a run validates one service: --scope service:<name>, or --nx-task for a project svc-<name>. */
function oneService(o: Record<string, unknown>): boolean {
  if (typeof o.scope === 'string') return o.scope.startsWith('service:');
  return o.nxTask === true && /^svc-/.test(process.env.NX_TASK_TARGET_PROJECT ?? '');
}

/** --nx-task: the options the nx task running this process implies; refused beside the options it sets. */
async function nxTask(o: Record<string, unknown>) {
  const set = (['scope', 'reportFile', 'renderStore'] as const).filter((k) => o[k] !== undefined);
  if (set.length || (o.env as string[]).length || (o.environment as string[]).length)
    throw new UsageError(
      `--nx-task sets --scope, --env, --report-file and --render-store from the nx task: drop ${[...set, ...((o.env as string[]).length || (o.environment as string[]).length ? ['env'] : [])].map((k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(', ')}`,
    );
  return (await import('./repo/scope.js')).nxTaskRun(process.env);
}

const program = common(new Command('validator'))
  .description('Renders every chart for every environment as Argo CD would and checks sources and result, offline.')
  .version(packageVersion(import.meta.url), '-V, --version', 'print the version and exit')
  .enablePositionalOptions()
  .option('--env <env>', 'validate these environments only (repeatable, or comma-separated)', listOption, [])
  // An older spelling from when nx:run-commands took `--env` for itself; kept for scripts that use it.
  .option('--environment <env>', 'same as --env', listOption, [])
  .option('--service <name>', 'validate these services only (repeatable, or comma-separated)', listOption, [])
  .option(
    '--scope <scope>',
    'service:<name>: that service from its own files only (its nx project svc-<name>); cluster: everything, checks between services included (nx project cluster); default: the whole repository',
  )
  .option('--report-file <file>', 'also write the JSON report to this file (what the nx validate targets cache)')
  .option(
    '--render-store <dir>',
    "keep each chart's rendering in this folder, keyed by everything it depends on, and reuse it when found (the nx targets: .nx-results/renders)",
  )
  .option(
    '--nx-task',
    'what the validate targets of nx run: scope, environment, report file and render store from the nx task (NX_TASK_TARGET_PROJECT svc-<name> or cluster, NX_TASK_TARGET_CONFIGURATION)',
  );
rendering(
  program,
  'how charts are rendered: native (in-process engine) or helm (the binary); default $VALIDATOR_RENDERER, else native',
)
  .exitOverride()
  .addHelpText(
    'after',
    helpFooter([
      ['npx validator', 'validate the repository in the current directory'],
      ['npx validator --env dev --service dbs,das', 'two services in dev only'],
      ['npx validator --scope service:dbs --env prod', 'what nx runs for `nx run svc-dbs:validate:prod`'],
      ['npx validator --output sarif > validator.sarif', 'a report for code scanning'],
      ['npx validator chart ./mychart -f values-prod.yaml', 'any Helm chart'],
      ['kustomize build . | npx validator manifests -', 'plain manifests from standard input'],
      ['npx validator checks', 'every check, its id and severity'],
    ]),
  )
  .action((o) => {
    // Most of what a repository run allocates is garbage by the next render; V8 would let the heap grow to up
    // to 4 times what was live at the last full collection: at 5,000 services 2.7 GB peak against 1.8 GB with
    // 1.5 times, same wall and CPU time (README "Scale"). The same setting as manifests mode.
    setFlagsFromString('--heap-growing-percent=50');
    return finish(o, async () => {
      // One service's run (what nx runs after a change) renders a chart or two: its render thread loads the
      // engine on the other core while this thread loads the checks and reads the repository, instead of
      // after (runRepoCommand would start it only once the commands are loaded, ~1 s later at 5,000 services).
      if (o.renderer === 'native' && oneService(o))
        (await import('./render/native-pool.js')).pooledNativeRenderer.prestart();
      const progress = createProgress({ label: 'validator: rendered', quiet: o.quiet });
      try {
        const task = o.nxTask ? await nxTask(o) : {};
        return await (await commands()).runRepoCommand({
          ...o,
          env: [...new Set([...o.env, ...o.environment])],
          ...task,
          color: color(),
          onRendered: progress.update,
        });
      } finally {
        progress.done();
      }
    });
  });

rendering(
  common(
    program
      .command('chart <dir>')
      .description('validate any Helm chart: Chart.yaml, values schema, rendering, Kubernetes schemas, policies'),
  )
    .option('-f, --values <file>', VALUES_HELP, repeatOption, [])
    .option('--namespace <ns>', 'release namespace', 'default')
    .option('--release <name>', 'release name (default: the chart directory name)')
    .option('--kube-version <x.y>', KUBE_VERSION_HELP),
)
  .exitOverride()
  .action((dir: string, o) => finish(o, async () => (await commands()).runChartCommand(dir, { ...o, color: color() })));

common(
  program
    .command('manifests <paths...>')
    .description('validate plain manifests (files, directories, - for standard input), as kubeconform does'),
)
  .option('--kube-version <x.y>', KUBE_VERSION_HELP)
  .exitOverride()
  .action((paths: string[], o) => {
    // What a manifests run allocates is short-lived (one batch of documents at a time) and what it keeps is
    // small (object-facts.ts, retained.ts); V8 would still let the heap grow to up to 4 times what was live
    // at the last full collection. 1.5 times keeps peak memory near what is live (README "Performance").
    setFlagsFromString('--heap-growing-percent=50');
    return finish(o, async () => (await commands()).runManifestsCommand(paths, { ...o, color: color() }));
  });

rendering(
  program
    .command('render <dir>')
    .description('print what `helm template` prints for a chart, by the chosen renderer (nothing is validated)')
    .option('--root <dir>', 'repository root (validator.yaml, catalog/cluster.yaml)', process.cwd())
    .option('-f, --values <file>', VALUES_HELP, repeatOption, [])
    .option('--set <name=value>', 'set a value, as helm --set (repeatable)', repeatOption, [])
    .option('--set-string <name=value>', 'set a string value, as helm --set-string (repeatable)', repeatOption, [])
    .option(
      '--set-file <name=path>',
      "set a value to a file's content, as helm --set-file (repeatable)",
      repeatOption,
      [],
    )
    .option('--release <name>', 'release name', 'release-name')
    .option('--namespace <ns>', 'release namespace', 'default')
    .option('--kube-version <x.y>', KUBE_VERSION_HELP)
    .option('--include-crds', "include the chart's crds/ (as Argo CD does; helm template leaves them out)"),
)
  .exitOverride()
  .addHelpText(
    'after',
    helpFooter([
      ['npx validator render charts/dbs -f environments/prod/values/dbs.yaml', "a service's prod manifests"],
      ['npx validator render ./mychart --set image.tag=1.2.3 --renderer helm', 'any chart, with a value set'],
    ]),
  )
  .action((dir: string, o) =>
    finish({ ...o, output: 'text' }, async () => (await commands()).runRenderCommand(dir, o)),
  );

program
  .command('checks')
  .description('list every check with its id, default severity and description')
  .addOption(new Option('--output <format>', 'output format').choices(['text', 'json', 'markdown']).default('text'))
  .exitOverride()
  .action((o: { output: string }) => finish(o, async () => (await commands()).runChecksCommand(o.output)));

// A promise, not a top-level await: the bundle (scripts/bundle.mjs) is a CommonJS script, which V8 can compile
// from its code cache (toolkit run-built.mjs).
program.parseAsync(process.argv).catch((e: unknown) => {
  if (e instanceof CommanderError) {
    // commander already printed the message (or the help, or the version)
    process.exit(
      e.code === 'commander.helpDisplayed' || e.code === 'commander.help' || e.code === 'commander.version'
        ? EXIT.ok
        : EXIT.usage,
    );
  }
  process.stderr.write(`validator: internal error: ${(e as Error).message}\n`);
  process.exit(EXIT.internal);
});

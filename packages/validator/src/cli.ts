import { Command, CommanderError, Option } from 'commander';
import pc from 'picocolors';
import { UsageError } from './errors.js';
import { runChartCommand, runChecksCommand, runManifestsCommand, runRepoCommand, type CommandOutput } from './commands.js';

// The only file that prints or exits. Exit codes: 0 nothing at error severity, 1 findings,
// 2 bad input or usage, 3 internal error.

const collect = (value: string, previous: string[]) => [...previous, value];
const color = () => pc.isColorSupported && !process.env.NO_COLOR && Boolean(process.stdout.isTTY);

function common(cmd: Command): Command {
  return cmd
    .option('--root <dir>', 'repository root (validator.yaml, catalog)', process.cwd())
    .addOption(new Option('--output <format>', 'output format').choices(['text', 'json', 'junit', 'sarif']).default('text'))
    .option('--schema-location <location>', 'kubeconform-style schema location (repeatable; "default" = built-in kinds and bundled CRDs)', collect, []);
}

/** Exits once the output is flushed (a pipe reader must get all of a large JSON report). */
function exitAfter(stdout: string, code: number): Promise<never> {
  return new Promise(() => process.stdout.write(stdout, () => process.exit(code)));
}

async function finish(run: () => Promise<CommandOutput> | CommandOutput): Promise<never> {
  try {
    const out = await run();
    return await exitAfter(out.stdout, out.exitCode);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`validator: ${e.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`validator: internal error: ${(e as Error).message ?? String(e)}${process.env.DEBUG ? `\n${(e as Error).stack ?? ''}` : ' (set DEBUG=1 for the stack)'}\n`);
    process.exit(3);
  }
}

const program = common(new Command('validator'))
  .description('Renders every chart for every environment as Argo CD would and checks sources and result, offline.')
  .enablePositionalOptions()
  .option('--env <env>', 'validate this environment only (repeatable)', collect, [])
  // `nx run validator:validate --env x` is taken by nx:run-commands' own `env` option; this spelling is not.
  .option('--environment <env>', 'same as --env', collect, [])
  .option('--service <name>', 'validate this service only (repeatable)', collect, [])
  .option('--renderer <name>', 'how charts are rendered', 'helm')
  .exitOverride()
  .action((o) => finish(() => runRepoCommand({ ...o, env: [...o.env, ...o.environment], color: color() })));

common(program.command('chart <dir>').description('validate any Helm chart: Chart.yaml, values schema, rendering, Kubernetes schemas, policies'))
  .option('-f, --values <file>', 'values file (repeatable, in order)', collect, [])
  .option('--namespace <ns>', 'release namespace', 'default')
  .option('--release <name>', 'release name (default: the chart directory name)')
  .option('--kube-version <x.y>', 'Kubernetes version (default: catalog/cluster.yaml, else 1.33)')
  .option('--renderer <name>', 'how the chart is rendered', 'helm')
  .exitOverride()
  .action((dir: string, o) => finish(() => runChartCommand(dir, { ...o, color: color() })));

common(program.command('manifests <paths...>').description('validate plain manifests (files, directories, - for standard input), as kubeconform does'))
  .option('--kube-version <x.y>', 'Kubernetes version (default: catalog/cluster.yaml, else 1.33)')
  .exitOverride()
  .action((paths: string[], o) => finish(() => runManifestsCommand(paths, { ...o, color: color() })));

program
  .command('checks')
  .description('list every check with its id, default severity and description')
  .addOption(new Option('--output <format>', 'output format').choices(['text', 'json', 'markdown']).default('text'))
  .exitOverride()
  .action((o: { output: string }) => finish(() => runChecksCommand(o.output)));

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    // commander already printed the message (or the help)
    process.exit(e.code === 'commander.helpDisplayed' || e.code === 'commander.help' || e.code === 'commander.version' ? 0 : 2);
  }
  process.stderr.write(`validator: internal error: ${(e as Error).message}\n`);
  process.exit(3);
}

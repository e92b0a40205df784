import { Command, CommanderError } from 'commander';
import {
  createActivity,
  debugWanted,
  EXIT,
  helpFooter,
  listOption,
  oneOf,
  packageVersion,
  UsageError,
} from '@cmsweb/toolkit';
import type { ChangeReport } from './commands/change.js';
import { Refused } from './shell/git-state.js';

// The only file that prints or exits. Exit codes: 0 ok, 1 refused, 2 bad input or usage, 3 internal.
// The commands (git, catalog, planners) are imported when one runs, so `--help` and `--version` start fast.

interface Output {
  code: number;
  text: string;
}

const json = (v: unknown) => JSON.stringify(v, null, 2) + '\n';
const change = () => import('./commands/change.js');
const readOnly = () => import('./commands/read-only.js');
const formats = () => import('./format-output.js');

function common(cmd: Command): Command {
  return cmd
    .option('--root <dir>', 'the GitOps repository (default: the current directory)', process.cwd())
    .option('--json', 'print one JSON document (stable keys) instead of text');
}

function changing(cmd: Command): Command {
  return common(cmd)
    .option('--push', "fetch, commit on the remote's head and push it (re-applied on a lost race, never forced)")
    .option('--dry-run', 'print the file diffs and every gate result; change nothing')
    .option('--remote <name>', 'the remote to push to', 'origin')
    .option('--include-local-commits', 'with --push: also push the local commits the remote lacks (refused otherwise)')
    .option('-q, --quiet', 'print nothing when the change succeeds (a refusal or an error still is); no progress');
}

/** `--service` and `--env` parse the same way in every command (repeatable, comma-separated); these take one. */
function single(cmd: Command, required: boolean, flags: string[] = ['--service', '--env']): Command {
  const describe = {
    '--service': ['--service <name>', 'the service'],
    '--env': ['--env <env>', 'the environment'],
  } as const;
  for (const f of flags as (keyof typeof describe)[]) {
    const [spec, what] = describe[f];
    if (required) cmd.requiredOption(spec, what, listOption);
    else cmd.option(spec, `only ${what.replace('the ', 'this ')}`, listOption);
  }
  return cmd;
}

async function changeOutput(
  run: Promise<ChangeReport>,
  o: { json?: boolean; quiet?: boolean },
  label: string,
): Promise<Output> {
  const activity = createActivity({ label: `gitops-sync: ${label}`, quiet: o.quiet || o.json });
  const r = await run.finally(activity.done);
  const { changeJson, changeText, exitCodeOf } = await formats();
  const code = exitCodeOf(r);
  if (o.json) return { code, text: json(changeJson(r)) };
  return { code, text: o.quiet && code === EXIT.ok ? '' : changeText(r) };
}

const one = (values: string[] | undefined, flag: string, command: string) => oneOf(values, flag, command) as string;

type ChangeModule = Awaited<ReturnType<typeof change>>;
/** The flags of bump, rollback and release together (each reads its own). */
type SingleChangeFlags = Parameters<ChangeModule['bump']>[0] & Parameters<ChangeModule['rollback']>[0];
/** Options as commander parses them: --service and --env repeatable, the rest as declared. */
type ParsedOptions = Record<string, unknown> & { service?: string[]; env?: string[]; json?: boolean; quiet?: boolean };

function program(done: (o: Output) => void): Command {
  const p = new Command('gitops-sync')
    .description(
      'Bumps, promotes and rolls back image tags through the environments, with gates, git history and safe pushes.',
    )
    .version(packageVersion(import.meta.url), '-V, --version', 'print the version and exit')
    .exitOverride()
    .showHelpAfterError(false)
    .addHelpText(
      'after',
      helpFooter(
        [
          ['npx gitops-sync status', 'tags, lags, holds and possible promotions'],
          ['npx gitops-sync bump --service dbs --env dev --tag 1.4.2 --push', 'new tag in the testbed, pushed'],
          ['npx gitops-sync promote --service dbs,das --from dev --to preprod', 'two services, one commit'],
          ['npx gitops-sync promote --all --except frontend --from preprod --to prod --push', 'everything that lags'],
          ['npx gitops-sync rollback --service dbs --env prod --reason "bad release"', 'previous tag, and hold'],
          ['npx gitops-sync history --service dbs --json', 'who moved which tag where and when'],
          ['npx gitops-sync serve --clients /etc/imagebot/clients.yaml --port 8080', 'the signed bump webhook'],
        ],
        { findings: 'refused (a gate, a hold, a lost race, a dirty work tree): nothing was changed' },
      ),
    );
  /** The action of a change of one service in one environment: its one --service and one --env. */
  const singleChange = (name: 'bump' | 'rollback' | 'release') => async (o: ParsedOptions) => {
    const service = one(o.service, '--service', name);
    // commander checked the command's own options; the change function checks their values.
    const flags = { ...o, service, env: one(o.env, '--env', name) } as SingleChangeFlags;
    done(
      await changeOutput(
        change().then((m) => m[name](flags)),
        o,
        name,
      ),
    );
  };
  single(changing(p.command('bump').description('set a new tag in the testbed overlay')), true)
    .requiredOption('--tag <tag>', 'the new image tag')
    .option('--digest <sha256:...>', 'pin the image digest too')
    .option('--expect-tag <tag>', 'refuse unless the overlay runs this tag now (compare-and-swap)')
    .action(singleChange('bump'));
  changing(
    p
      .command('promote')
      .description('promote what the source runs into the environment that promotes from it (one commit)'),
  )
    .option('--service <names>', 'the services to promote (repeatable, or comma-separated)', listOption)
    .option('--all', 'every service that lags')
    .option('--except <names>', 'with --all: services to leave out (repeatable, or comma-separated)', listOption)
    .requiredOption('--from <env>', 'the source environment')
    .requiredOption('--to <env>', 'the target environment')
    .option('--tag <tag>', 'refuse unless the source runs this tag (single service)')
    .option('--expect-tag <tag>', 'refuse unless the target runs this tag now (compare-and-swap)')
    .option('--break-glass', 'override the soak and freeze gates (recorded as Gate-Override)')
    .option('--reason <text>', 'why the glass was broken (required with --break-glass)')
    .option('--wait', "with --push: wait until the target's cluster runs the promoted images, rolled out and healthy")
    .option('--timeout <duration>', 'with --wait: how long to wait (e.g. 10m)', '10m')
    .option('--kubeconfig <file>', "with --wait: the kubeconfig of the target's cluster")
    .option('--context <name>', 'with --wait: the kubeconfig context')
    .action(async (o) => {
      if (o.wait && !o.push) throw new UsageError('--wait goes with --push: it waits for what was pushed');
      const flags = { ...o, service: o.service?.join(','), except: o.except?.join(',') };
      const report = change().then((m) => m.promote(flags));
      const out = await changeOutput(report, o, 'promote');
      const r = await report;
      if (!o.wait || out.code !== EXIT.ok || !r.outcome.commit) return done(out);
      const [{ waitForRollout, parseDuration }, { waitJson, waitText }] = await Promise.all([
        import('./commands/cluster.js'),
        import('./format-cluster.js'),
      ]);
      const w = await waitForRollout({
        root: o.root,
        env: r.outcome.plan.env,
        commit: r.outcome.commit,
        services: r.outcome.plan.changes.map((c) => c.service),
        timeoutMs: parseDuration(o.timeout, '--timeout'),
        ...(o.kubeconfig !== undefined ? { kubeconfig: o.kubeconfig } : {}),
        ...(o.context !== undefined ? { context: o.context } : {}),
        ...(process.env.GITOPS_SYNC_POLL_MS ? { pollMs: Number(process.env.GITOPS_SYNC_POLL_MS) } : {}),
      });
      const code = w.ok ? EXIT.ok : EXIT.findings;
      if (o.json) {
        const { changeJson } = await formats();
        return done({ code, text: json({ ...(changeJson(r) as object), exitCode: code, wait: waitJson(w) }) });
      }
      done({ code, text: out.text + waitText(w) });
    });
  single(
    changing(
      p.command('rollback').description('go back to the previous tag (or --to TAG) from history and hold the service'),
    ),
    true,
  )
    .option('--to <tag>', 'the tag to go back to (must be in the history of that overlay)')
    .option('--reason <text>', 'why (recorded in the hold and the commit)')
    .action(singleChange('rollback'));
  single(changing(p.command('release').description('lift the hold a rollback placed')), true).action(
    singleChange('release'),
  );
  common(
    p
      .command('status')
      .description('services × environments: tags, digests, lags, holds and the promotions possible now'),
  )
    .option('--ref <ref>', 'read this commit or branch instead of HEAD (e.g. origin/main)')
    .option('--html <file>', 'write the matrix as an HTML page (no JavaScript) to this file')
    .option('--namespace <name>', 'with --html: only the services of this namespace')
    .option('--team <name>', 'with --html: only the services of this team')
    .action(async (o) => {
      if ((o.namespace !== undefined || o.team !== undefined) && o.html === undefined)
        throw new UsageError('--namespace and --team filter the page: use them with --html FILE');
      if (o.html !== undefined) {
        const [{ statusPage }, { writeFileAtomic }] = await Promise.all([
          import('./commands/status-page.js'),
          import('@cmsweb/toolkit'),
        ]);
        await writeFileAtomic(o.html, await statusPage(o));
        return done({ code: EXIT.ok, text: o.json ? json({ status: 'written', file: o.html }) : `wrote ${o.html}\n` });
      }
      const [{ status }, { statusJson, statusText }] = await Promise.all([readOnly(), formats()]);
      const s = await status(o);
      done({ code: EXIT.ok, text: o.json ? json(statusJson(s)) : statusText(s) });
    });
  single(
    single(
      common(p.command('history').description('who moved which tag where and when, from git history alone')),
      true,
      ['--service'],
    ),
    false,
    ['--env'],
  )
    .option('--ref <ref>', 'read history up to this commit or branch instead of HEAD')
    .action(async (o) => {
      const [{ history }, { historyJson, historyText }] = await Promise.all([readOnly(), formats()]);
      const h = await history({
        ...o,
        service: one(o.service, '--service', 'history'),
        env: oneOf(o.env, '--env', 'history'),
      });
      done({ code: EXIT.ok, text: o.json ? json(historyJson(h)) : historyText(h) });
    });
  p.command('cluster-status')
    .description("what the environment's cluster runs beside what git says: images, rollout, Argo CD sync/health")
    .option('--root <dir>', 'the GitOps repository (default: the current directory)', process.cwd())
    .requiredOption('--env <env>', 'the environment whose cluster to read')
    .option('--kubeconfig <file>', 'the kubeconfig (default: $KUBECONFIG, then ~/.kube/config)')
    .option('--context <name>', 'the kubeconfig context (default: its current-context)')
    .option('--timeout <duration>', 'the bound of each API call (e.g. 10s)', '10s')
    .option('--json', 'print one JSON document (stable keys) instead of text')
    .action(async (o) => {
      const [{ clusterStatus, clusterExitCode }, { clusterJson, clusterText }] = await Promise.all([
        import('./commands/cluster.js'),
        import('./format-cluster.js'),
      ]);
      const r = await clusterStatus(o);
      done({ code: clusterExitCode(r), text: o.json ? json(clusterJson(r)) : clusterText(r) });
    });
  p.command('serve')
    .description('the signed bump webhook: POST /v1/bump runs `bump --push` for authorised clients (see the README)')
    .option(
      '--root <dir>',
      'the GitOps repository (a clone with a remote; default: the current directory)',
      process.cwd(),
    )
    .requiredOption('--clients <file>', 'YAML: the clients, what each may bump, where each secret is')
    .option('--port <port>', 'the TCP port (0: any free one)', '8080')
    .option('--bind <address>', 'the address to listen on', '127.0.0.1')
    .option('--remote <name>', 'the remote to push to', 'origin')
    .option('--max-body <bytes>', 'the largest request body accepted (413 beyond)', '16384')
    .option('--queue <n>', 'bumps waiting or running at most (503 beyond)', '100')
    .option('--batch <n>', 'queued bumps taken into one push at most (one commit each)', '50')
    .option('--path-prefix <path>', 'also answer under this URL prefix (the frontend keeps it), e.g. /imagebot')
    .action(async (o) => {
      const { serve } = await import('./commands/serve.js');
      const log = (e: Record<string, unknown>) => process.stdout.write(JSON.stringify(e) + '\n');
      const running = await serve(o, process.env, log);
      await new Promise<void>((resolve) => {
        const stop = (signal: string) => {
          log({ time: new Date().toISOString(), level: 'info', event: 'shutdown', signal });
          running.server.shutdown().then(resolve);
        };
        process.once('SIGTERM', () => stop('SIGTERM'));
        process.once('SIGINT', () => stop('SIGINT'));
      });
      log({ time: new Date().toISOString(), level: 'info', event: 'stopped' });
      done({ code: EXIT.ok, text: '' });
    });
  for (const c of p.commands) c.exitOverride();
  return p;
}

async function main(argv: string[]): Promise<number> {
  const asJson = argv.includes('--json');
  let output: Output | undefined;
  try {
    await program((o) => (output = o)).parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return EXIT.ok;
      // 'commander.help' without --help: no command was given (the usage went to stderr): exit 2.
      if (asJson)
        process.stdout.write(json({ status: 'error', exitCode: EXIT.usage, error: e.message.replace(/^error: /, '') }));
      return EXIT.usage;
    }
    if (e instanceof Refused) {
      // A refusal of the repository's state (operation in progress, locks, local commits): nothing changed.
      if (asJson) process.stdout.write(json({ status: 'refused', exitCode: EXIT.findings, reason: e.message }));
      else process.stderr.write(`REFUSED: ${e.message}\n`);
      return EXIT.findings;
    }
    const code = e instanceof UsageError ? EXIT.usage : EXIT.internal;
    const message = e instanceof Error ? e.message : String(e);
    const text = code === EXIT.usage ? `error: ${message}` : `internal error: ${message.split('\n')[0]}`;
    if (asJson)
      process.stdout.write(json({ status: 'error', exitCode: code, error: code === EXIT.usage ? message : text }));
    else process.stderr.write(text + '\n');
    if (code === EXIT.internal && debugWanted(process.env.DEBUG) && e instanceof Error)
      process.stderr.write(`${e.stack}\n`);
    return code;
  }
  if (!output) {
    process.stderr.write(
      'error: expected a command: bump, promote, status, history, rollback, release, serve or cluster-status (see --help)\n',
    );
    return EXIT.usage;
  }
  process.stdout.write(output.text);
  return output.code;
}

// Not a top-level await: the bundle (scripts/bundle.mjs) is a CommonJS script, which cannot have one.
void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});

import { Command, CommanderError } from 'commander';
import { bump, promote, release, rollback, type ChangeReport } from './commands/change.js';
import { history, status } from './commands/read-only.js';
import { BadInput } from './core/input.js';
import { changeJson, changeText, exitCodeOf, historyJson, historyText, statusJson, statusText } from './format-output.js';

// The only file that prints or exits. Exit codes: 0 ok, 1 refused, 2 bad input or usage, 3 internal.

interface Output { code: number; text: string }

const json = (v: unknown) => JSON.stringify(v, null, 2) + '\n';

function common(cmd: Command): Command {
  return cmd
    .option('--root <dir>', 'the GitOps repository (default: the current directory)', process.cwd())
    .option('--json', 'print one JSON document (stable keys) instead of text');
}

function changing(cmd: Command): Command {
  return common(cmd)
    .option('--push', "fetch, commit on the remote's head and push it (re-applied on a lost race, never forced)")
    .option('--dry-run', 'print the file diffs and every gate result; change nothing')
    .option('--remote <name>', 'the remote to push to', 'origin');
}

function changeOutput(r: ChangeReport, asJson: boolean): Output {
  return { code: exitCodeOf(r), text: asJson ? json(changeJson(r)) : changeText(r) };
}

function program(done: (o: Output) => void): Command {
  const p = new Command('gitops-sync')
    .description('Bumps, promotes and rolls back image tags through the environments, with gates, git history and safe pushes.')
    .exitOverride()
    .showHelpAfterError(false);
  changing(p.command('bump').description('set a new tag in the testbed overlay'))
    .requiredOption('--service <service>', 'the service')
    .requiredOption('--env <env>', 'the environment (the testbed)')
    .requiredOption('--tag <tag>', 'the new image tag')
    .option('--digest <sha256:...>', 'pin the image digest too')
    .option('--expect-tag <tag>', 'refuse unless the overlay runs this tag now (compare-and-swap)')
    .action(async (o) => done(changeOutput(await bump(o), !!o.json)));
  changing(p.command('promote').description('promote what the source runs into the environment that promotes from it (one commit)'))
    .option('--service <s1,s2,...>', 'the services to promote')
    .option('--all', 'every service that lags')
    .option('--except <s1,s2,...>', 'with --all: services to leave out')
    .requiredOption('--from <env>', 'the source environment')
    .requiredOption('--to <env>', 'the target environment')
    .option('--tag <tag>', 'refuse unless the source runs this tag (single service)')
    .option('--expect-tag <tag>', 'refuse unless the target runs this tag now (compare-and-swap)')
    .option('--break-glass', 'override the soak and freeze gates (recorded as Gate-Override)')
    .option('--reason <text>', 'why the glass was broken (required with --break-glass)')
    .action(async (o) => done(changeOutput(await promote(o), !!o.json)));
  changing(p.command('rollback').description('go back to the previous tag (or --to TAG) from history and hold the service'))
    .requiredOption('--service <service>', 'the service')
    .requiredOption('--env <env>', 'the environment')
    .option('--to <tag>', 'the tag to go back to (must be in the history of that overlay)')
    .option('--reason <text>', 'why (recorded in the hold and the commit)')
    .action(async (o) => done(changeOutput(await rollback(o), !!o.json)));
  changing(p.command('release').description('lift the hold a rollback placed'))
    .requiredOption('--service <service>', 'the service')
    .requiredOption('--env <env>', 'the environment')
    .action(async (o) => done(changeOutput(await release(o), !!o.json)));
  common(p.command('status').description('services × environments: tags, digests, lags, holds and the promotions possible now'))
    .option('--ref <ref>', 'read this commit or branch instead of HEAD (e.g. origin/main)')
    .action(async (o) => {
      const s = await status(o);
      done({ code: 0, text: o.json ? json(statusJson(s)) : statusText(s) });
    });
  common(p.command('history').description('who moved which tag where and when, from git history alone'))
    .requiredOption('--service <service>', 'the service')
    .option('--env <env>', 'only this environment')
    .option('--ref <ref>', 'read history up to this commit or branch instead of HEAD')
    .action(async (o) => {
      const h = await history(o);
      done({ code: 0, text: o.json ? json(historyJson(h)) : historyText(h) });
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
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.help' || e.code === 'commander.version') return 0;
      if (asJson) process.stdout.write(json({ status: 'error', exitCode: 2, error: e.message.replace(/^error: /, '') }));
      return 2;
    }
    const code = e instanceof BadInput ? 2 : 3;
    const message = e instanceof Error ? e.message : String(e);
    const text = code === 2 ? `error: ${message}` : `internal error: ${message.split('\n')[0]}`;
    if (asJson) process.stdout.write(json({ status: 'error', exitCode: code, error: code === 2 ? message : text }));
    else process.stderr.write(text + '\n');
    if (code === 3 && process.env.DEBUG === '1' && e instanceof Error) process.stderr.write(`${e.stack}\n`);
    return code;
  }
  if (!output) {
    process.stderr.write('error: expected a command: bump, promote, status, history, rollback or release (see --help)\n');
    return 2;
  }
  process.stdout.write(output.text);
  return output.code;
}

process.exitCode = await main(process.argv.slice(2));

import { bump, promote, release, rollback, type ChangeReport } from '../../src/commands/change.js';
import { history, status } from '../../src/commands/read-only.js';
import { UsageError } from '@cmsweb/toolkit';
import {
  changeJson,
  changeText,
  exitCodeOf,
  historyJson,
  historyText,
  statusJson,
  statusText,
} from '../../src/format-output.js';
import { Refused } from '../../src/shell/git-state.js';
import { cliEnv, type CliResult } from './fixture.js';

// The commands in-process: the same functions and output formatting the CLI uses, without a child
// process (no TypeScript start-up per case). Argument parsing (commander) is covered by the few
// end-to-end CLI tests; here `--flag value` pairs map to the command's flags object.

const BOOLEAN = new Set(['push', 'dryRun', 'json', 'all', 'breakGlass', 'includeLocalCommits']);
const camel = (flag: string) => flag.replace(/^--/, '').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

function parse(cwd: string, args: readonly string[]): { command: string; flags: Record<string, any> } {
  const [command, ...rest] = args;
  const flags: Record<string, any> = { root: cwd };
  for (let i = 0; i < rest.length; i++) {
    const key = camel(rest[i]!);
    if (!rest[i]!.startsWith('--')) throw new Error(`run(): unexpected argument ${rest[i]}`);
    if (BOOLEAN.has(key)) flags[key] = true;
    else flags[key] = rest[++i];
  }
  return { command: command!, flags };
}

const json = (v: unknown) => JSON.stringify(v, null, 2) + '\n';
const CHANGES: Record<string, (flags: any, env: NodeJS.ProcessEnv) => Promise<ChangeReport>> = {
  bump,
  promote,
  rollback,
  release,
};

/** Runs a gitops-sync command in this process; the result has the CLI's shape (code, stdout, stderr, json). */
export async function run(
  cwd: string,
  args: readonly string[],
  now: string,
  extraEnv: Record<string, string> = {},
): Promise<CliResult> {
  const { command, flags } = parse(cwd, args);
  const env = { ...process.env, ...cliEnv(now), ...extraEnv };
  const done = (code: number, stdout: string, stderr = ''): CliResult => ({
    code,
    stdout,
    stderr,
    json: flags.json ? JSON.parse(stdout) : undefined,
  });
  try {
    if (command === 'status') {
      const s = await status(flags as any, env);
      return done(0, flags.json ? json(statusJson(s)) : statusText(s));
    }
    if (command === 'history') {
      const h = await history(flags as any);
      return done(0, flags.json ? json(historyJson(h)) : historyText(h));
    }
    const change = CHANGES[command];
    if (!change) throw new Error(`run(): no command ${command}`);
    const r = await change(flags, env);
    return done(exitCodeOf(r), flags.json ? json(changeJson(r)) : changeText(r));
  } catch (e) {
    if (e instanceof Refused)
      return flags.json
        ? done(1, json({ status: 'refused', exitCode: 1, reason: e.message }))
        : done(1, '', `REFUSED: ${e.message}\n`);
    if (e instanceof UsageError)
      return flags.json
        ? done(2, json({ status: 'error', exitCode: 2, error: e.message }))
        : done(2, '', `error: ${e.message}\n`);
    throw e;
  }
}

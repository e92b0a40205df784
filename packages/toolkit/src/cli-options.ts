// The option vocabulary the three tools share (docs/contracts.md "Vocabulary"): the same flag parses the
// same way everywhere. Pure functions; commander calls them as option parsers.

import { UsageError } from './usage-error.js';

/** Exit codes of every tool. */
export const EXIT = { ok: 0, findings: 1, usage: 2, internal: 3 } as const;

/**
 * Parser for a list option (`--service`, `--env`, `--except`, ...): the flag may be repeated and each value
 * may be comma-separated, so `--service a,b --service c` is `[a, b, c]`. Items are trimmed, the order is
 * kept and duplicates are removed; an empty item (`a,,b`, `a,`) is refused, as commander refuses an invalid
 * argument (exit 2, naming the option).
 */
export function listOption(value: string, previous: readonly string[] = []): string[] {
  const out = [...previous];
  for (const item of value.split(',')) {
    const v = item.trim();
    if (!v) throw invalidArgument(`${JSON.stringify(value)} has an empty entry: expected names separated by commas`);
    if (!out.includes(v)) out.push(v);
  }
  return out;
}

/** Exactly one value of a list option, for the commands that act on one service or environment. */
export function oneOf(values: readonly string[] | undefined, flag: string, command: string): string | undefined {
  if (!values || values.length === 0) return undefined;
  if (values.length > 1)
    throw new UsageError(`${command} takes one ${flag}, got ${values.length}: ${values.join(', ')}`);
  return values[0];
}

/** The error commander turns into `error: option '--x <v>' argument 'v' is invalid. <message>` and exit 2. */
function invalidArgument(message: string): Error {
  return Object.assign(new Error(message), { code: 'commander.invalidArgument', exitCode: EXIT.usage });
}

/** Parser for a repeatable option whose values may contain commas (files, locations): repeated, never split. */
export function repeatOption(value: string, previous: readonly string[] = []): string[] {
  return [...previous, value];
}

/** The help text after the options: examples, then the exit codes (the same four in every tool). */
export function helpFooter(
  examples: readonly [command: string, what: string][],
  exitCodes: Partial<Record<keyof typeof EXIT, string>> = {},
): string {
  const width = Math.max(...examples.map(([c]) => c.length));
  const codes = {
    ok: 'success',
    findings: 'findings (or a refused change)',
    usage: 'bad input or usage (nothing was changed)',
    internal: 'internal error (DEBUG=1 shows the stack)',
    ...exitCodes,
  };
  return [
    '',
    'Examples:',
    ...examples.map(([c, w]) => `  $ ${c.padEnd(width)}  ${w}`),
    '',
    'Exit codes:',
    ...(Object.keys(EXIT) as (keyof typeof EXIT)[]).map((k) => `  ${EXIT[k]}  ${codes[k]}`),
    '',
    'Environment: NO_COLOR=1 / FORCE_COLOR=1 turn colour off / on; DEBUG=1 prints the stack of an internal error.',
    '',
  ].join('\n');
}

/**
 * Whether to colour a stream, as the NO_COLOR (no-color.org) and FORCE_COLOR conventions say: NO_COLOR set
 * to anything non-empty wins, then FORCE_COLOR (`0`/`false` off, anything else on), then a terminal that is
 * not TERM=dumb.
 */
export function colorWanted(env: Readonly<Record<string, string | undefined>>, isTTY: boolean): boolean {
  if (env.NO_COLOR) return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return !(force === '0' || force === 'false');
  return isTTY && env.TERM !== 'dumb';
}

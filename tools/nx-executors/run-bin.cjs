// nx executor for the targets that run a repository CLI (`npx nx run chartgen:generate --root=...`,
// `npx nx run validator:validate --env=prod`, the gitops-sync targets). nx:run-commands hands its
// arguments to a shell, so `--root='$(touch x)'` would run `touch x`. This executor spawns node with an
// argv array instead: the arguments typed after the target arrive byte for byte (nx keeps them unparsed,
// so `--tag=1.10` stays "1.10"), and the CLI validates them. The exit code is the CLI's.
const { spawn } = require('node:child_process');
const { isAbsolute, join, normalize } = require('node:path');

/** Option keys that belong to the target (or to nx), never forwarded to the CLI (report: the validate targets' output path, already in command). */
const OWN = new Set(['bin', 'command', 'gitopsCommand', 'report']);

/** The arguments as typed after the target name, or (when nx is driven from code) the options rebuilt. */
function forwardedArgs(options, context) {
  const id = [context.projectName, context.targetName, context.configurationName].filter(Boolean).join(':');
  const task = context.taskGraph && context.taskGraph.tasks && context.taskGraph.tasks[id];
  const raw = task && task.overrides && task.overrides.__overrides_unparsed__;
  if (Array.isArray(raw)) return { args: raw.map(String) };
  const args = [];
  for (const [key, value] of Object.entries(options)) {
    if (OWN.has(key) || key.startsWith('__')) continue;
    if (value === true) args.push(`--${key}`);
    else if (typeof value === 'string') args.push(`--${key}=${value}`);
    else if (value !== false && value !== undefined) return { error: `--${key}=${JSON.stringify(value)}: nx parsed this as a ${typeof value}; pass it on the command line after the target so it arrives as typed` };
  }
  return { args };
}

/** Runs `node <bin> ...command ...args` in the workspace root; resolves to the exit code (3 when it cannot start). */
function runBin(context, bin, command, args) {
  if (typeof bin !== 'string' || isAbsolute(bin) || normalize(bin).startsWith('..')) {
    process.stderr.write(`error: executor option bin ${JSON.stringify(bin)}: expected a path inside the workspace\n`);
    return Promise.resolve(2);
  }
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(context.root, bin), ...command, ...args], { cwd: context.root, stdio: 'inherit', shell: false });
    child.on('error', (e) => {
      process.stderr.write(`error: cannot start ${bin}: ${e.message}\n`);
      resolve(3);
    });
    child.on('close', (c) => resolve(c === null ? 3 : c));
  });
}

async function run(options, context) {
  const forwarded = forwardedArgs(options, context);
  if (forwarded.error) {
    process.stderr.write(`error: ${forwarded.error}\n`);
    return { success: false };
  }
  const command = Array.isArray(options.command) ? options.command.map(String) : [];
  const code = await runBin(context, options.bin, command, forwarded.args);
  return { success: code === 0 };
}

module.exports = run;
module.exports.forwardedArgs = forwardedArgs;
module.exports.runBin = runBin;

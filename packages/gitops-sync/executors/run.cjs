// nx executor for the gitops-sync targets (`npx nx run gitops-sync:promote --service=... --from=... --to=...`).
// nx:run-commands would hand the arguments to a shell, so `--service='x$(id -u)'` would arrive as `x0`.
// This executor spawns node with an argv array instead: the arguments typed after the target arrive
// byte for byte (nx keeps them unparsed, so `--tag=1.10` stays "1.10"), and the CLI validates them.
const { spawn } = require('node:child_process');
const { join } = require('node:path');

/** The arguments as typed after the target name, or (when nx is driven from code) the options rebuilt. */
function forwardedArgs(options, context) {
  const id = [context.projectName, context.targetName, context.configurationName].filter(Boolean).join(':');
  const raw = context.taskGraph?.tasks?.[id]?.overrides.__overrides_unparsed__;
  if (Array.isArray(raw)) return { args: raw.map(String) };
  const args = [];
  for (const [key, value] of Object.entries(options)) {
    if (key === 'gitopsCommand' || key.startsWith('__')) continue;
    if (value === true) args.push(`--${key}`);
    else if (typeof value === 'string') args.push(`--${key}=${value}`);
    else if (value !== false && value !== undefined) return { error: `--${key}=${JSON.stringify(value)}: nx parsed this as a ${typeof value}; pass it on the command line after the target so it arrives as typed` };
  }
  return { args };
}

module.exports = async function run(options, context) {
  const forwarded = forwardedArgs(options, context);
  if (forwarded.error) {
    process.stderr.write(`error: ${forwarded.error}\n`);
    return { success: false };
  }
  const bin = join(context.root, 'packages', 'gitops-sync', 'bin', 'gitops-sync.js');
  const argv = [bin, options.gitopsCommand, ...forwarded.args];
  const code = await new Promise((resolve) => {
    const child = spawn(process.execPath, argv, { cwd: context.root, stdio: 'inherit', shell: false });
    child.on('error', (e) => { process.stderr.write(`error: cannot start gitops-sync: ${e.message}\n`); resolve(3); });
    child.on('close', (c) => resolve(c === null ? 3 : c));
  });
  return { success: code === 0 };
};

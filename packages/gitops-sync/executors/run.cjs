// nx executor for the gitops-sync targets (`npx nx run gitops-sync:promote --service=... --from=... --to=...`):
// the shared no-shell executor (tools/nx-executors/run-bin.cjs) with this package's bin and the target's command.
const run = require('../../../tools/nx-executors/run-bin.cjs');

module.exports = async function runGitopsSync(options, context) {
  return run({ ...options, bin: 'packages/gitops-sync/bin/gitops-sync.js', command: [options.gitopsCommand] }, context);
};

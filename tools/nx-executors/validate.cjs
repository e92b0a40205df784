// nx executor of the validate targets of tools/nx-plugin (svc-<name> and cluster): builds the validator's
// arguments from the target's two options and the configuration it runs under, so that each of thousands of
// projects stores only those (nx copies every project's configuration into each command's project graph).
//   svc-<name>:validate[:<env>]  ->  validator --scope service:<name> [--env <env>] --quiet
//                                     --report-file .nx-results/svc-<name>/<report>.json --render-store .nx-results/renders
// Arguments typed after the target follow, as with run-bin (argv array, no shell).
const { forwardedArgs, runBin } = require('./run-bin.cjs');

const VALIDATOR = 'packages/validator/bin/validator.js';
const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** The options of the target itself, never forwarded to the validator. */
const OWN = ['service', 'scope', 'report'];

/** Pure: the validator's arguments for a target's options and context, or the error that refuses them. */
function validatorArgs(options, context) {
  const { service, scope, report } = options;
  if (service !== undefined && !NAME.test(String(service)))
    return { error: `option service ${JSON.stringify(service)}: expected a service name (catalog/services/<name>.yaml)` };
  if (service === undefined && scope !== 'cluster')
    return { error: `options ${JSON.stringify({ service, scope })}: expected service: <name> or scope: "cluster"` };
  if (typeof report !== 'string' || !NAME.test(report))
    return { error: `option report ${JSON.stringify(report)}: expected a file name without extension (validate, validate-<env>)` };
  const env = context.configurationName;
  return {
    args: [
      '--scope',
      service !== undefined ? `service:${service}` : 'cluster',
      ...(env ? ['--env', env] : []),
      '--quiet',
      '--report-file',
      `.nx-results/${context.projectName}/${report}.json`,
      '--render-store',
      '.nx-results/renders',
    ],
  };
}

async function run(options, context) {
  const own = validatorArgs(options, context);
  const rest = Object.fromEntries(Object.entries(options).filter(([k]) => !OWN.includes(k)));
  const forwarded = own.error ? own : forwardedArgs(rest, context);
  if (forwarded.error) {
    process.stderr.write(`error: ${context.projectName}:${context.targetName}: ${forwarded.error}\n`);
    return { success: false };
  }
  const code = await runBin(context, VALIDATOR, own.args, forwarded.args);
  return { success: code === 0 };
}

module.exports = run;
module.exports.validatorArgs = validatorArgs;

// nx plugin (registered in nx.json "plugins"): one nx project per Kubernetes service of the catalog,
// `svc-<name>`, and one `cluster` project, so that `nx affected -t validate` validates only the services a
// change can alter and nx replays the rest from its cache (local or remote).
//
// The inputs of svc-<name>:validate are exactly the files `validator --scope service:<name>` reads
// (packages/validator/src/repo/scope.ts, serviceReads; test/nx-projects.test.ts holds the two together),
// plus the tool versions. nx also derives "affected" from these {workspaceRoot} globs: a file outside the
// project's root (an overlay under environments/) marks exactly the projects whose inputs name it.
//
// VM-hosted services (catalog `vm:`) have no chart, nothing to render: they get no project; their catalog
// entry and frontend routes are checked by the cluster project, which reads the whole catalog.
// Plain CommonJS, no build step: nx loads it directly.
const { readFileSync } = require('node:fs');
const { basename, join } = require('node:path');

const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const VALIDATOR = 'packages/validator/bin/validator.js';
const EXECUTOR = './tools/nx-executors:run-bin';
/** Prints the validator's build and the helm version: a runtime input of every validate target. */
const TOOL_VERSIONS = { runtime: 'node tools/nx-plugin/tool-versions.cjs' };
/** The renderer a target's run uses (validator --renderer's default): results of helm and native are not mixed. */
const RENDERER_ENV = { env: 'VALIDATOR_RENDERER' };

/** The environments declared in catalog/cluster.yaml (empty when it does not parse: validate then reports why). */
function environments(root) {
  try {
    const yaml = require('js-yaml');
    const cluster = yaml.load(readFileSync(join(root, 'catalog', 'cluster.yaml'), 'utf8'));
    const envs = cluster && Array.isArray(cluster.environments) ? cluster.environments : [];
    return envs.map((e) => e && e.name).filter((n) => typeof n === 'string' && NAME.test(n));
  } catch {
    return [];
  }
}

/** A catalog file describes a VM-hosted service when it has a top-level `vm:` key (the catalog schema's rule). */
function isVmService(text) {
  return /^vm\s*:/m.test(text);
}

/** Inputs of svc-<name>:validate: the files scope.ts serviceReads lets a service scope read. */
function serviceInputs(name) {
  const w = (p) => `{workspaceRoot}/${p}`;
  const own = (dir) => [w(`environments/*/${dir}/${name}.yaml`), w(`environments/*/${dir}/${name}.yml`)];
  return [
    w('catalog/cluster.yaml'),
    w(`catalog/services/${name}.yaml`),
    w(`catalog/services/${name}.yml`),
    w(`charts/${name}/**/*`),
    w('charts/_library/**/*'),
    ...own('values'),
    ...own('argocd/apps'),
    ...own('flux/helmreleases'),
    w('environments/*/environment.yaml'),
    w('environments/*/argocd/*'),
    w('environments/*/flux/*'),
    w('validator.yaml'),
    w('tools/nx-plugin/tool-versions.cjs'),
    TOOL_VERSIONS,
    RENDERER_ENV,
  ];
}

/** Inputs of cluster:validate: everything the whole-repository validation reads. */
const CLUSTER_INPUTS = [
  '{workspaceRoot}/catalog/**/*',
  '{workspaceRoot}/charts/**/*',
  '{workspaceRoot}/environments/**/*',
  '{workspaceRoot}/validator.yaml',
  '{workspaceRoot}/tools/nx-plugin/tool-versions.cjs',
  TOOL_VERSIONS,
  RENDERER_ENV,
];

/** helm's output by content (validator --render-store): each service's renders are in <RENDERS>/<service>/. */
const RENDERS = '.nx-results/renders';

/**
 * A validate target running `validator <scope args>` with one configuration per environment; the JSON
 * report goes to .nx-results/<project>/validate[-<env>].json, the output nx caches and replays, with the
 * renders of a service (its folder of the render store), which the cluster project replays.
 */
function validateTarget(project, scopeArgs, envs, inputs, { outputs = [], ...extra } = {}) {
  const run = (env) => {
    const report = `.nx-results/${project}/validate${env ? `-${env}` : ''}.json`;
    return {
      report,
      command: [
        ...scopeArgs,
        ...(env ? ['--env', env] : []),
        '--quiet',
        '--report-file',
        report,
        '--render-store',
        RENDERS,
      ],
    };
  };
  return {
    executor: EXECUTOR,
    cache: true,
    inputs,
    outputs: ['{options.report}', ...outputs],
    options: { bin: VALIDATOR, ...run(undefined) },
    configurations: Object.fromEntries(envs.map((e) => [e, run(e)])),
    metadata: { description: `validator ${scopeArgs.join(' ')} (configurations: one per environment)` },
    ...extra,
  };
}

/** Pure given the files: the projects of the catalog at `root`. */
function catalogProjects(root, serviceFiles) {
  const envs = environments(root);
  const services = [];
  const projects = {};
  for (const file of [...serviceFiles].sort()) {
    const name = basename(file).replace(/\.ya?ml$/, '');
    if (!NAME.test(name)) continue; // the cluster project's validation reports the badly named file
    let text;
    try {
      text = readFileSync(join(root, file), 'utf8');
    } catch {
      continue;
    }
    if (isVmService(text)) continue;
    services.push(name);
    projects[`charts/${name}`] = {
      name: `svc-${name}`,
      tags: ['type:service'],
      targets: {
        validate: validateTarget(`svc-${name}`, ['--scope', `service:${name}`], envs, serviceInputs(name), {
          outputs: [`{workspaceRoot}/${RENDERS}/${name}`],
        }),
      },
    };
  }
  projects.catalog = {
    name: 'cluster',
    tags: ['type:cluster'],
    // Every service is part of the cluster: a change to one marks the cluster affected too.
    implicitDependencies: services.map((s) => `svc-${s}`),
    targets: {
      // After every service's validate (same configuration): the whole repository is then checked with the
      // renders those left in the render store, helm runs only for what they did not render.
      validate: validateTarget('cluster', ['--scope', 'cluster'], envs, CLUSTER_INPUTS, {
        dependsOn: ['^validate'],
      }),
    },
  };
  return projects;
}

const createNodes = [
  'catalog/{cluster.yaml,services/*.{yaml,yml}}',
  (files, _options, context) => {
    const root = context.workspaceRoot;
    if (!files.includes('catalog/cluster.yaml')) return [];
    const projects = catalogProjects(
      root,
      files.filter((f) => f.startsWith('catalog/services/')),
    );
    // All projects come from one evaluation of the catalog, attributed to catalog/cluster.yaml.
    return [['catalog/cluster.yaml', { projects }]];
  },
];

module.exports = {
  name: 'cmsweb-catalog-projects',
  createNodesV2: createNodes,
  // Internals for the tests.
  serviceInputs,
  catalogProjects,
};

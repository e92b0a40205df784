// nx plugin (registered in nx.json "plugins"): one nx project per Kubernetes service of the catalog,
// `svc-<name>`, and one `cluster` project, so that `nx affected -t validate` validates only the services a
// change can alter and nx replays the rest from its cache (local or remote).
//
// The inputs of svc-<name>:validate are the files `validator --scope service:<name>` reads
// (packages/validator/src/repo/scope.ts, serviceReads; test/nx-projects.test.ts holds the two together),
// plus the tool versions. nx also derives "affected" from them: a file under the project's root
// (charts/<name>) is the project's own, a file outside it (an overlay under environments/) marks exactly the
// projects whose {workspaceRoot} globs name it. Each project stores only what differs from the others (nx
// repeats every project's configuration in each command's project graph): shared inputs are the nx.json
// named input SHARED_INPUT, and every validate target runs the same COMMAND.
//
// VM-hosted services (catalog `vm:`) have no chart, nothing to render: they get no project; their catalog
// entry and frontend routes are checked by the cluster project, which reads the whole catalog.
// Plain CommonJS, no build step: nx loads it directly.
const { readFileSync } = require('node:fs');
const { basename, join } = require('node:path');

const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/**
 * The command of every validate target, the same for all projects: the validator takes the project and the
 * configuration from the variables nx sets in each task's environment (validator --nx-task; scope.ts
 * nxTaskRun). nx:run-commands because nx runs that executor itself; any other executor is started in a process
 * of its own that loads nx and reads the whole project graph (about 1.7 CPU s at 5,000 services) before it
 * starts the validator. Arguments typed after the target are not forwarded (forwardAllArgs: false): nx would
 * hand them to a shell; run the validator itself for other options (`npx validator --scope service:<name>`).
 */
const COMMAND = 'node packages/validator/bin/validator.js --nx-task --quiet';
/**
 * nx.json's named input holding what every svc-<name>:validate reads besides the service's own files (the
 * cluster settings, the chart library, the environment-level files, the tool versions). Named once in nx.json
 * instead of copied into each of thousands of projects: nx serializes every project's configuration (and a
 * source-map entry per key) into each command's project graph.
 */
const SHARED_INPUT = 'serviceShared';
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

/**
 * Inputs of svc-<name>:validate (the project's root is charts/<name>): the files scope.ts serviceReads lets a
 * service scope read. Its own files outside its root are two globs, not one per folder and extension: nx
 * finds what a change affects by compiling every distinct {workspaceRoot} glob of every project with minimatch
 * (affected/locators/workspace-projects.js), nine per service took seconds at 5,000 services. `.y*ml` and
 * `environments/**` are wider than `.{yaml,yml}` under values/, argocd/apps/ and flux/helmreleases/ only by
 * names no generated file has (<name>.yXml, an environment-level file named like the service): a wider
 * input is at worst a cache miss, never a stale replay.
 */
function serviceInputs(name) {
  return [
    '{projectRoot}/**/*',
    `{workspaceRoot}/catalog/services/${name}.y*ml`,
    `{workspaceRoot}/environments/**/${name}.y*ml`,
    SHARED_INPUT,
  ];
}

/** What nx.json's namedInputs[SHARED_INPUT] must hold (a test compares them; the plugin checks it is there). */
const SHARED_INPUTS = [
  '{workspaceRoot}/catalog/cluster.yaml',
  '{workspaceRoot}/charts/_library/**/*',
  '{workspaceRoot}/environments/*/environment.yaml',
  '{workspaceRoot}/environments/*/argocd/*',
  '{workspaceRoot}/environments/*/flux/*',
  '{workspaceRoot}/validator.yaml',
  '{workspaceRoot}/tools/nx-plugin/tool-versions.cjs',
  TOOL_VERSIONS,
  RENDERER_ENV,
];

/** Inputs of cluster:validate: everything the whole-repository validation reads. */
const CLUSTER_INPUTS = [
  '{workspaceRoot}/catalog/**/*',
  '{workspaceRoot}/charts/**/*',
  '{workspaceRoot}/environments/**/*',
  SHARED_INPUT,
];

/**
 * A validate target running COMMAND, one configuration per environment. The JSON report goes to
 * .nx-results/<project>/<report>.json (`report` only names the output here: the validator derives the same
 * path, scope.ts nxTaskRun), the output nx caches and replays, with a service's renders (its folder of the
 * render store .nx-results/renders), which the cluster project replays.
 */
function validateTarget(options, envs, inputs, outputs, extra = {}) {
  return {
    executor: 'nx:run-commands',
    cache: true,
    inputs,
    outputs: ['{workspaceRoot}/.nx-results/{projectName}/{options.report}.json', ...outputs],
    options: { command: COMMAND, forwardAllArgs: false, ...options, report: 'validate' },
    configurations: Object.fromEntries(envs.map((e) => [e, { report: `validate-${e}` }])),
    ...extra,
  };
}

/** Pure given the files: the projects of the catalog at `root`. */
function catalogProjects(root, serviceFiles) {
  const envs = environments(root);
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
    projects[`charts/${name}`] = {
      name: `svc-${name}`,
      // Stated, so that nx does not look for tsconfig.lib.json, tsconfig.app.json and package.json in each
      // project's root to guess it (normalize-project-nodes.js, getProjectType): 15,000 file lookups at 5,000.
      projectType: 'library',
      tags: ['type:service'],
      targets: {
        validate: validateTarget({ service: name }, envs, serviceInputs(name), [
          '{workspaceRoot}/.nx-results/renders/{options.service}',
        ]),
      },
    };
  }
  projects.catalog = {
    name: 'cluster',
    projectType: 'library',
    tags: ['type:cluster'],
    // A change to any service's file marks the cluster affected too: its inputs hold every file a service
    // reads. No implicitDependencies on the services: nx adds each such edge with a scan of the edges already
    // there (project-graph-builder.js addDependency), quadratic in the number of services.
    targets: {
      // After every service's validate (same configuration): the whole repository is then checked with the
      // renders those left in the render store, helm runs only for what they did not render.
      validate: validateTarget({}, envs, CLUSTER_INPUTS, [], {
        dependsOn: [{ target: 'validate', projects: ['tag:type:service'] }],
        metadata: { description: 'validator --scope cluster (configurations: one per environment)' },
      }),
    },
  };
  return projects;
}

/** Throws when nx.json lacks the shared named input the targets refer to (nx would fail with less to go on). */
function checkSharedInput(nxJson) {
  const got = nxJson && nxJson.namedInputs && nxJson.namedInputs[SHARED_INPUT];
  if (JSON.stringify(got) !== JSON.stringify(SHARED_INPUTS))
    throw new Error(
      `nx.json namedInputs.${SHARED_INPUT}: ${got === undefined ? 'missing' : `${JSON.stringify(got)}`}; expected ${JSON.stringify(SHARED_INPUTS)} (the files every svc-<name>:validate reads, tools/nx-plugin/index.cjs SHARED_INPUTS)`,
    );
}

const createNodes = [
  'catalog/{cluster.yaml,services/*.{yaml,yml}}',
  (files, _options, context) => {
    const root = context.workspaceRoot;
    if (!files.includes('catalog/cluster.yaml')) return [];
    checkSharedInput(context.nxJsonConfiguration);
    const projects = catalogProjects(
      root,
      files.filter((f) => f.startsWith('catalog/services/')),
    );
    // All projects come from one evaluation of the catalog, attributed to catalog/cluster.yaml.
    return [['catalog/cluster.yaml', { projects }]];
  },
];

module.exports = {
  // Short: nx records [file, plugin name] for every key of every project it creates (its source maps, ~29 keys
  // per service), writes them to its cache and sends them to every command with the project graph; the
  // longer 'cmsweb-catalog-projects' made them 11.2 MB at 5,000 services instead of 8.9 MB (as sent).
  name: 'catalog',
  createNodesV2: createNodes,
  // Internals for the tests.
  serviceInputs,
  catalogProjects,
  SHARED_INPUT,
  SHARED_INPUTS,
};

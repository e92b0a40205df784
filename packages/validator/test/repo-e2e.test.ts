import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { UsageError } from '../src/errors.js';
import { DEFAULT_RENDERER } from '../src/render/default-renderer.js';
import {
  type JsonReport,
  runChartInProcess,
  runCli,
  runManifestsInProcess,
  runRepoInProcess,
  tempRepo,
  FIXTURE_REPO,
} from './helpers.js';

// End to end on the fixture repository with the real helm: a clean repository exits 0 (through the real
// CLI); each injected defect is reported with the file and line a person edits (the CLI's repository
// command in process, runRepoInProcess). The CLI contract below runs the real CLI.

const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));
// Most cases edit an overlay or validator.yaml, not what helm reads of the chart: the in-process runs share
// one render store (--render-store: keyed on the bytes of everything helm reads), so a render another case
// made of the same chart and values is replayed, not made again.
const STORE = mkdtempSync(join(tmpdir(), 'validator-repo-e2e-renders-'));
afterAll(() => rmSync(STORE, { recursive: true, force: true }));

function repoWith(edits: Record<string, (text: string) => string>): string {
  const repo = tempRepo();
  cleanups.push(repo.cleanup);
  for (const [file, edit] of Object.entries(edits)) {
    const p = join(repo.dir, file);
    writeFileSync(p, edit(readFileSync(p, 'utf8')));
  }
  return repo.dir;
}

async function validate(
  root: string,
  options: { env?: string[]; service?: string[] } = {},
): Promise<{ code: number; report: JsonReport }> {
  const r = await runRepoInProcess(root, { ...options, renderStore: STORE });
  return { code: r.code, report: JSON.parse(r.stdout) as JsonReport };
}

/** 1-based line of the first line of `file` in `root` containing `needle`. */
function lineOf(root: string, file: string, needle: string): number {
  const i = readFileSync(join(root, file), 'utf8')
    .split('\n')
    .findIndex((l) => l.includes(needle));
  expect(i, `${needle} in ${file}`).toBeGreaterThanOrEqual(0);
  return i + 1;
}

describe('validator on the fixture repository', { timeout: 60_000 }, () => {
  it('exits 0 on the clean repository and counts what it validated (the real CLI)', () => {
    const r = runCli(['--root', FIXTURE_REPO, '--output', 'json']);
    expect(r.stderr).toBe('');
    const { code, report } = { code: r.code, report: JSON.parse(r.stdout) as JsonReport };
    expect(report.findings).toEqual([]);
    expect(code).toBe(0);
    // per environment: Deployment, Service, HPA, PDB, NetworkPolicy rendered + 7 generated objects
    expect(report.summary).toEqual({ resources: 24, errors: 0, warnings: 0 });
  });

  it('a typo key in an overlay: overlay-schema at the key, with a suggestion', async () => {
    const root = repoWith({ 'environments/dev/values/demo.yaml': (t) => `${t}replicaz: 2\n` });
    const { code, report } = await validate(root);
    expect(code).toBe(1);
    expect(report.findings).toEqual([
      expect.objectContaining({
        check: 'overlay-schema',
        file: 'environments/dev/values/demo.yaml',
        line: lineOf(root, 'environments/dev/values/demo.yaml', 'replicaz'),
        column: 1,
        env: 'dev',
        service: 'demo',
        message: expect.stringContaining('did you mean "replicaCount"'),
      }),
    ]);
  });

  it('a duplicate key: yaml-duplicate-key at the second occurrence', async () => {
    const root = repoWith({
      'environments/prod/values/demo.yaml': (t) =>
        t.replace('environment: prod\n', 'environment: prod\nenvironment: dev\n'),
    });
    const { code, report } = await validate(root);
    expect(code).toBe(1);
    expect(report.findings).toEqual([
      expect.objectContaining({
        check: 'yaml-duplicate-key',
        file: 'environments/prod/values/demo.yaml',
        line: lineOf(root, 'environments/prod/values/demo.yaml', 'environment: dev'),
        column: 1,
      }),
    ]);
  });

  it('latest in prod: the tag policy and the moving tag at the overlay line, the template as related', async () => {
    const root = repoWith({ 'environments/prod/values/demo.yaml': (t) => t.replace('tag: v1.0.0', 'tag: latest') });
    const { code, report } = await validate(root);
    expect(code).toBe(1);
    const overlay = 'environments/prod/values/demo.yaml';
    const line = lineOf(root, overlay, 'tag: latest');
    expect(report.findings.map((f) => [f.check, f.file, f.line, f.column, f.env, f.related])).toEqual([
      ['tag-policy', overlay, line, 3, 'prod', undefined],
      [
        'image-tag',
        overlay,
        line,
        3,
        'prod',
        [
          {
            file: 'charts/demo/templates/deployment.yaml',
            line: lineOf(root, 'charts/demo/templates/deployment.yaml', 'image:'),
            column: 11,
            message: 'the chart template that renders it',
          },
        ],
      ],
    ]);
  });

  it('a hand-edited template that breaks rendering: chart-render at the template line, per environment', async () => {
    const root = repoWith({
      'charts/demo/templates/pdb.yaml': (t) => t.replace('minAvailable: 1', 'minAvailable: {{ .Values.pdb.min }}'),
    });
    const { code, report } = await validate(root);
    expect(code).toBe(1);
    const line = lineOf(root, 'charts/demo/templates/pdb.yaml', '.Values.pdb.min');
    expect(report.findings.map((f) => [f.check, f.file, f.line, f.env])).toEqual([
      ['chart-render', 'charts/demo/templates/pdb.yaml', line, 'dev'],
      ['chart-render', 'charts/demo/templates/pdb.yaml', line, 'prod'],
    ]);
    expect(report.findings[0]!.message).toMatch(/nil pointer/);
  });

  it('a template that does not parse: chart-template-parse, once for the chart', async () => {
    const root = repoWith({ 'charts/demo/templates/hpa.yaml': (t) => t.replace(/\{\{- end \}\}\n$/, '') });
    const { report } = await validate(root);
    expect(report.findings).toEqual([
      expect.objectContaining({ check: 'chart-template-parse', file: 'charts/demo/templates/hpa.yaml' }),
    ]);
    expect(report.findings[0]!.env).toBeUndefined();
  });

  it('an unknown field added to a template: schema-unknown-field at the template line', async () => {
    const root = repoWith({
      'charts/demo/templates/deployment.yaml': (t) =>
        t.replace('          ports:\n', '          imagePullPolicyy: Always\n          ports:\n'),
    });
    const { code, report } = await validate(root);
    expect(code).toBe(1);
    const line = lineOf(root, 'charts/demo/templates/deployment.yaml', 'imagePullPolicyy');
    expect(report.findings.map((f) => [f.check, f.file, f.line, f.column, f.path, f.env])).toEqual([
      [
        'schema-unknown-field',
        'charts/demo/templates/deployment.yaml',
        line,
        11,
        '/spec/template/spec/containers/0/imagePullPolicyy',
        'dev',
      ],
      [
        'schema-unknown-field',
        'charts/demo/templates/deployment.yaml',
        line,
        11,
        '/spec/template/spec/containers/0/imagePullPolicyy',
        'prod',
      ],
    ]);
    expect(report.findings[0]!.message).toContain('did you mean "imagePullPolicy"');
  });

  it('a generated Argo CD object with an unknown field is checked against its CRD', async () => {
    const root = repoWith({
      'environments/dev/argocd/apps/demo.yaml': (t) =>
        t.replace('  project: cmsweb', '  project: cmsweb\n  projekt: cmsweb'),
    });
    const { report } = await validate(root);
    expect(report.findings).toEqual([
      expect.objectContaining({
        check: 'schema-unknown-field',
        file: 'environments/dev/argocd/apps/demo.yaml',
        line: lineOf(root, 'environments/dev/argocd/apps/demo.yaml', 'projekt'),
        resource: expect.objectContaining({ kind: 'Application' }),
      }),
    ]);
  });

  it('--env and --service narrow what is rendered', async () => {
    const root = repoWith({ 'environments/prod/values/demo.yaml': (t) => t.replace('tag: v1.0.0', 'tag: latest') });
    expect((await validate(root, { env: ['dev'] })).code).toBe(0);
    expect((await validate(root, { env: ['prod'], service: ['demo'] })).code).toBe(1);
  });

  // Repository mode keeps no position of a rendered object: a finding between objects renders that service
  // again to place itself (validate-repo.ts, placeIssues), at the same file, line and column as when every
  // object kept its rendered text, with both renderers.
  it.each(['helm', 'native'])(
    'a Service port no pod has (%s): service-target-port at the template line, placed on demand',
    async (renderer) => {
      const root = repoWith({
        'charts/demo/templates/service.yaml': (t) => t.replace('targetPort: http', 'targetPort: web'),
      });
      const r = await runRepoInProcess(root, { renderer, renderStore: STORE });
      const report = JSON.parse(r.stdout) as JsonReport;
      expect(r.code).toBe(1);
      const line = lineOf(root, 'charts/demo/templates/service.yaml', 'targetPort: web');
      expect(report.findings.map((f) => [f.check, f.file, f.line, f.column, f.path, f.env, f.service])).toEqual(
        ['dev', 'prod'].map((env) => [
          'service-target-port',
          'charts/demo/templates/service.yaml',
          line,
          7,
          '/spec/ports/0/targetPort',
          env,
          'demo',
        ]),
      );
      expect(report.findings[0]!.resource).toEqual({
        apiVersion: 'v1',
        kind: 'Service',
        namespace: 'demo',
        name: 'demo',
      });
    },
  );

  it('validator.yaml switches a check off; an annotation ignores it for one object', async () => {
    const root = repoWith({ 'environments/prod/values/demo.yaml': (t) => t.replace('tag: v1.0.0', 'tag: latest') });
    writeFileSync(join(root, 'validator.yaml'), 'checks:\n  tag-policy: off\n');
    expect((await validate(root)).report.findings.map((f) => f.check)).toEqual(['image-tag']);
    const dep = join(root, 'charts/demo/templates/deployment.yaml');
    const original = readFileSync(dep, 'utf8');
    // The annotation is in the catalog's annotation domain (cluster.yaml `name: fixture`, no annotationDomain:
    // fixture.internal); another organisation's domain does not opt out.
    const annotated = (key: string) =>
      original.replace(
        '  labels:\n    {{- include "demo.labels" . | nindent 4 }}\nspec:',
        `  labels:\n    {{- include "demo.labels" . | nindent 4 }}\n  annotations:\n    ${key}: image-tag\nspec:`,
      );
    writeFileSync(dep, annotated('validator.cmsweb.cern.ch/ignore'));
    expect((await validate(root)).report.findings.map((f) => f.check)).toEqual(['image-tag']);
    writeFileSync(dep, annotated('validator.fixture.internal/ignore'));
    const { code, report } = await validate(root);
    expect(report.findings).toEqual([]);
    expect(code).toBe(0);
  });
});

describe('CLI contract', { timeout: 60_000 }, () => {
  // Through the real CLI: a refusal of each kind (commander's own, a command's UsageError), exit 2 with the
  // message as one line on stderr (manifests mode's through the CLI: hostile-files and crd-option). Every
  // UsageError is printed so (cli.ts, finish), so the other refusals are proven in process below: the same
  // function the CLI calls throws it.
  it.each([
    // A command's UsageError, printed as `validator: MESSAGE` (so is every other: see the cases in process below).
    [
      ['--root', '/nonexistent-dir'],
      /^validator: \/nonexistent-dir is not a repository of this project: catalog\/cluster.yaml is missing/,
    ],
    [['--root', FIXTURE_REPO, '--output', 'xml'], /argument 'xml' is invalid/],
    [['--no-such-flag'], /unknown option '--no-such-flag'/],
  ])('%j is bad usage: exit 2, one line on stderr, no stack', (args, message) => {
    const r = runCli(args, { input: '' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it.each([
    [
      '--env staging',
      () => runRepoInProcess(FIXTURE_REPO, { env: ['staging'] }),
      /unknown environment staging: expected one of dev, prod/,
    ],
    ['--service nope', () => runRepoInProcess(FIXTURE_REPO, { service: ['nope'] }), /unknown service nope/],
    [
      '--renderer nope',
      () => runRepoInProcess(FIXTURE_REPO, { renderer: 'nope' }),
      /unknown renderer "nope": expected one of helm, native/,
    ],
    // The manifests and chart refusals with --root a folder that is no repository (the render store's): the
    // same refusals, without reading this repository's catalog of ~100 services first.
    [
      'manifests /nonexistent.yaml',
      () => runManifestsInProcess(['/nonexistent.yaml'], { root: STORE }),
      /\/nonexistent.yaml: no such file or directory/,
    ],
    ['chart /nonexistent', () => runChartInProcess('/nonexistent', { root: STORE }), /\/nonexistent: not a directory/],
    [
      'manifests - --kube-version 1.99',
      () => runManifestsInProcess(['-'], { root: STORE, kubeVersion: '1.99' }),
      /--kube-version "1.99" is not a supported Kubernetes version: expected one of 1.30, 1.31, 1.32, 1.33, 1.34, 1.35, 1.36$/,
    ],
    [
      'manifests - --kube-version latest',
      () => runManifestsInProcess(['-'], { root: STORE, kubeVersion: 'latest' }),
      /--kube-version "latest" is not a Kubernetes version/,
    ],
  ])('%s is bad usage (in process): a one-line UsageError', async (_name, run, message) => {
    const error = await run().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
  });

  it('an internal error (here: no helm binary) exits 3 with one line, the stack only with DEBUG=1', () => {
    const r = runCli(['--root', FIXTURE_REPO, '--renderer', 'helm'], { env: { HELM_BIN: '/nonexistent/helm' } });
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      'validator: internal error: helm binary not found at /nonexistent/helm; run `npm ci` (its postinstall step extracts it) (set DEBUG=1 for the stack)\n',
    );
    const debug = runCli(['--root', FIXTURE_REPO, '--renderer', 'helm'], {
      env: { HELM_BIN: '/nonexistent/helm', DEBUG: '1' },
    });
    expect(debug.code).toBe(3);
    expect(debug.stderr).toMatch(/\n\s+at /);
  });

  // In process: a UsageError, which the CLI prints as `validator: MESSAGE` with exit 2 (the --root case above).
  it('a broken validator.yaml is bad input naming file:line:column', async () => {
    const repo = tempRepo();
    cleanups.push(repo.cleanup);
    writeFileSync(join(repo.dir, 'validator.yaml'), 'checks:\n  image-tags: off\n');
    const error = await runRepoInProcess(repo.dir).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toBe(
      'validator.yaml:2:3: unknown check "image-tags": run `npx validator checks` for the list of ids',
    );
  });

  it('text output groups by file, shows file:line:column and ends with one summary line', async () => {
    const root = repoWith({ 'environments/prod/values/demo.yaml': (t) => t.replace('tag: v1.0.0', 'tag: latest') });
    const r = await runRepoInProcess(root, { output: 'text', renderStore: STORE });
    expect(r.code).toBe(1);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toContain('environments/prod/values/demo.yaml');
    expect(lines.some((l) => l.startsWith('  environments/prod/values/demo.yaml:3:3  error  '))).toBe(true);
    expect(lines.at(-1)).toBe('✖ 2 errors, 0 warnings in 24 resources');
  });

  it('junit and sarif outputs carry the findings', async () => {
    const root = repoWith({ 'environments/prod/values/demo.yaml': (t) => t.replace('tag: v1.0.0', 'tag: latest') });
    const junit = (await runRepoInProcess(root, { output: 'junit', renderStore: STORE })).stdout;
    expect(junit).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="validator" tests="2" failures="2">/,
    );
    expect(junit).toContain('<testsuite name="environments/prod/values/demo.yaml" tests="2" failures="2">');
    const sarif = JSON.parse((await runRepoInProcess(root, { output: 'sarif', renderStore: STORE })).stdout);
    expect(sarif.version).toBe('2.1.0');
    // The tool is named after the repository's cluster (catalog/cluster.yaml name and git.repoURL).
    expect(sarif.runs[0].tool.driver.name).toBe('fixture-validator');
    expect(sarif.runs[0].tool.driver.fullName).toBe('fixture validator');
    expect(sarif.runs[0].tool.driver.informationUri).toBe('https://example.org/fixture');
    expect(
      sarif.runs[0].results.map(
        (r: {
          ruleId: string;
          locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }>;
        }) => [
          r.ruleId,
          r.locations[0]!.physicalLocation.artifactLocation.uri,
          r.locations[0]!.physicalLocation.region.startLine,
        ],
      ),
    ).toEqual([
      ['tag-policy', 'environments/prod/values/demo.yaml', 3],
      ['image-tag', 'environments/prod/values/demo.yaml', 3],
    ]);
  });

  it('chart mode validates any chart with values files', async () => {
    const repo = tempRepo();
    cleanups.push(repo.cleanup);
    writeFileSync(join(repo.dir, 'bad-values.yaml'), 'image:\n  tag: v1\n  tagg: v2\n');
    // The finding in process (the CLI's default renderer); the clean run through the real CLI (-f, --namespace,
    // --kube-version, exit 0). Both in the chart's own repository (--root, the CLI's working directory): its
    // catalog gives the policy context, not this repository's ~100 services (read twice per run).
    const r = await runChartInProcess(join(repo.dir, 'charts/demo'), {
      root: repo.dir,
      values: [join(repo.dir, 'bad-values.yaml')],
      namespace: 'demo',
      output: 'json',
      renderer: DEFAULT_RENDERER,
    });
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as JsonReport;
    expect(report.findings).toEqual([
      expect.objectContaining({ check: 'overlay-schema', file: join(repo.dir, 'bad-values.yaml'), line: 3, column: 3 }),
    ]);
    const ok = runCli(
      [
        'chart',
        join(repo.dir, 'charts/demo'),
        '-f',
        join(repo.dir, 'environments/prod/values/demo.yaml'),
        '--namespace',
        'demo',
        '--kube-version',
        '1.33',
      ],
      { cwd: repo.dir },
    );
    expect(ok.code).toBe(0);
    expect(ok.stdout.trimEnd().split('\n').at(-1)).toBe('✔ 0 errors, 0 warnings in 5 resources');
  });

  it('checks lists every check; --output markdown is the README table', () => {
    const r = runCli(['checks', '--output', 'markdown']);
    expect(r.code).toBe(0);
    const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
    const table = /<!-- checks:start -->\n([\s\S]*?)<!-- checks:end -->/.exec(readme)?.[1];
    expect(table, 'README.md has the generated check table (npx validator checks --output markdown)').toBe(r.stdout);
  });
});

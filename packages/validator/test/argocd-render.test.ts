import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseYaml, toJs } from '@cmsweb/yaml';
import { cleanSetParameter, envsubst, readHelmSource } from '../src/render/argocd-source.js';
import { schemaViolations, setKeyPath, typedSetValue } from '../src/render/app-values.js';
import { helmRenderer, helmTemplateArgs } from '../src/render/helm-renderer.js';
import { validateRepo } from '../src/repo/validate-repo.js';
import { createKubeSchemaValidator } from '../src/schema/kube-schemas-adapter.js';
import { DEFAULT_CONFIG } from '../src/config/validator-config.js';
import { FIXTURE_REPO, tempRepo } from './helpers.js';

// Argo CD's repo server (argo-cd reposerver/repository/repository.go helmTemplate, util/helm/cmd.go) is the
// oracle: the same Application fields, order and precedence, rendered by the real helm.

const FILES = new Set([
  'charts/demo/Chart.yaml',
  'charts/demo/values.yaml',
  'environments/dev/values/demo.yaml',
  'environments/dev/values/a.yaml',
  'environments/dev/values/b.yaml',
  'files/config.json',
]);

function app(helm: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: 'demo-dev' },
    spec: {
      project: 'p',
      source: { repoURL: 'https://example.org/r.git', targetRevision: 'main', path: 'charts/demo', helm },
      destination: { namespace: 'demo' },
      ...extra,
    },
  };
}
const read = (helm: Record<string, unknown>, extra?: Record<string, unknown>) =>
  readHelmSource({ app: app(helm, extra), sourcePath: ['spec', 'source'], kubernetesVersion: '1.33', files: FILES });

describe('readHelmSource (what Argo CD passes to helm)', () => {
  it('resolves value files against the chart path, keeps order, drops duplicates', () => {
    const r = read({
      valueFiles: [
        '../../environments/dev/values/b.yaml',
        '/environments/dev/values/a.yaml',
        '../../environments/dev/values/b.yaml',
      ],
    });
    expect(r.problems).toEqual([]);
    expect(r.source!.valueFiles).toEqual(['environments/dev/values/b.yaml', 'environments/dev/values/a.yaml']);
  });

  it('expands globs in lexical order, an explicit file keeping its own position', () => {
    const r = read({ valueFiles: ['../../environments/dev/values/*.yaml', '../../environments/dev/values/a.yaml'] });
    expect(r.source!.valueFiles).toEqual([
      'environments/dev/values/b.yaml',
      'environments/dev/values/demo.yaml',
      'environments/dev/values/a.yaml',
    ]);
  });

  it('a missing value file is a problem at its entry unless ignoreMissingValueFiles', () => {
    expect(read({ valueFiles: ['missing.yaml'] }).problems).toEqual([
      {
        at: ['spec', 'source', 'helm', 'valueFiles', 0],
        message:
          'value file "missing.yaml" resolves to charts/demo/missing.yaml, which does not exist: Argo CD fails to render the application (or set ignoreMissingValueFiles: true)',
      },
    ]);
    const r = read({ valueFiles: ['missing.yaml'], ignoreMissingValueFiles: true });
    expect(r.source!.valueFiles).toEqual([]);
    expect(r.source!.ignoredValueFiles).toEqual(['charts/demo/missing.yaml']);
  });

  it('refuses value files outside the repository and remote URLs', () => {
    expect(read({ valueFiles: ['../../../etc/passwd'] }).problems[0]!.message).toMatch(/outside the repository/);
    expect(read({ valueFiles: ['https://example.org/v.yaml'] }).problems[0]!.message).toMatch(/remote URL/);
  });

  it('releaseName, else the Application name; helm.namespace, else the destination; helm.kubeVersion, else the cluster', () => {
    expect(read({}).source).toMatchObject({ releaseName: 'demo-dev', namespace: 'demo', kubernetesVersion: '1.33' });
    expect(
      read({ releaseName: 'r', namespace: 'other', kubeVersion: 'v1.31.4', apiVersions: ['x/v1'] }).source,
    ).toMatchObject({ releaseName: 'r', namespace: 'other', kubernetesVersion: '1.31', apiVersions: ['x/v1'] });
  });

  it('valuesObject wins over values', () => {
    expect(read({ values: 'a: 1\n', valuesObject: { b: 2 } }).source!.inlineValues).toEqual({
      text: 'b: 2\n',
      at: ['spec', 'source', 'helm', 'valuesObject'],
    });
    expect(read({ values: 'a: 1\n' }).source!.inlineValues).toEqual({
      text: 'a: 1\n',
      at: ['spec', 'source', 'helm', 'values'],
    });
  });

  it('parameters: --set or --set-string (forceString), the last of one name wins, commas escaped, $VARS substituted', () => {
    const s = read({
      parameters: [
        { name: 'a', value: 'x,y' },
        { name: 'b', value: '{x,y}' },
        { name: 'a', value: '1', forceString: true },
        { name: 'c', value: '$ARGOCD_APP_NAME-$$' },
      ],
    }).source!;
    expect(s.set.map((x) => [x.name, x.value])).toEqual([
      ['b', '{x,y}'],
      ['c', 'demo-dev-$'],
    ]);
    expect(s.setString.map((x) => [x.name, x.value])).toEqual([['a', '1']]);
  });

  it('fileParameters resolve against the chart path and must exist', () => {
    expect(
      read({ fileParameters: [{ name: 'cfg', path: '../../files/config.json' }] }).source!.setFile.map((x) => [
        x.name,
        x.value,
      ]),
    ).toEqual([['cfg', 'files/config.json']]);
    expect(read({ fileParameters: [{ name: 'cfg', path: 'nope.json' }] }).problems[0]!.message).toMatch(
      /nope\.json resolves to charts\/demo\/nope\.json, which does not exist/,
    );
  });

  it("cleanSetParameter and envsubst behave as Argo CD's", () => {
    expect(cleanSetParameter('a,b\\,c')).toBe('a\\,b\\,c');
    expect(cleanSetParameter('{a,b}')).toBe('{a,b}');
    expect(envsubst('${A}/$B/$C/$$', { A: '1', B: '2' })).toBe('1/2//$');
  });
});

describe('helm template arguments', () => {
  it("are Argo CD's, in its order", () => {
    expect(
      helmTemplateArgs(
        {
          chartDir: '/c',
          releaseName: 'r',
          namespace: 'n',
          kubeVersion: '1.33',
          valueFiles: ['/a.yaml'],
          set: [{ name: 's', value: '1' }],
          setString: [{ name: 't', value: '2' }],
          setFile: [{ name: 'f', value: '/f' }],
          apiVersions: ['x/v1'],
          skipCrds: true,
          skipTests: true,
        },
        '/tmp/inline.yaml',
      ),
    ).toEqual([
      'template',
      '/c',
      '--name-template',
      'r',
      '--namespace',
      'n',
      '--kube-version',
      '1.33',
      '--set',
      's=1',
      '--set-string',
      't=2',
      '--set-file',
      'f=/f',
      '--values',
      '/a.yaml',
      '--values',
      '/tmp/inline.yaml',
      '--api-versions',
      'x/v1',
      '--skip-tests',
    ]);
  });
});

describe('rendering with the real helm', () => {
  it('applies value files, then the inline values, then parameters (helm precedence)', {
    timeout: 60_000,
  }, async () => {
    const repo = tempRepo(FIXTURE_REPO);
    try {
      mkdirSync(join(repo.dir, 'extra'), { recursive: true });
      writeFileSync(join(repo.dir, 'extra', 'v.yaml'), 'replicaCount: 3\ndatabase: { secretName: from-file }\n');
      const src = readHelmSource({
        app: app({
          valueFiles: ['../../extra/v.yaml'],
          valuesObject: { replicaCount: 4, database: { secretName: 'from-object' } },
          parameters: [{ name: 'replicaCount', value: '5' }],
          apiVersions: ['example.org/v1'],
        }),
        sourcePath: ['spec', 'source'],
        kubernetesVersion: '1.33',
        files: new Set(['charts/demo/Chart.yaml', 'extra/v.yaml']),
      }).source!;
      const r = await helmRenderer.render({
        chartDir: join(repo.dir, src.chartPath),
        releaseName: src.releaseName,
        namespace: src.namespace,
        kubeVersion: src.kubernetesVersion,
        valueFiles: src.valueFiles.map((f) => join(repo.dir, f)),
        inlineValues: src.inlineValues?.text,
        set: src.set,
        setString: src.setString,
        apiVersions: src.apiVersions,
      });
      expect(r.error).toBeUndefined();
      const docs = toJs(parseYaml(r.manifests, 'out.yaml')) as Array<{
        kind: string;
        spec?: {
          replicas?: number;
          template?: {
            spec: { containers: Array<{ env: Array<{ valueFrom?: { secretKeyRef: { name: string } } }> }> };
          };
        };
      }>;
      const deploy = docs.find((d) => d?.kind === 'Deployment')!;
      expect(deploy.spec!.replicas).toBe(5);
      expect(deploy.spec!.template!.spec.containers[0]!.env[1]!.valueFrom!.secretKeyRef.name).toBe('from-object');
    } finally {
      repo.cleanup();
    }
  });

  it('a parameter the chart schema refuses is an app-values finding at the parameter in the Application', {
    timeout: 60_000,
  }, async () => {
    const repo = tempRepo(FIXTURE_REPO, join(FIXTURE_REPO, '..', 'checks', 'app-values', 'fires'));
    try {
      const r = await validateRepo({
        root: repo.dir,
        envs: ['dev'],
        renderer: helmRenderer,
        createSchemas: createKubeSchemaValidator,
        config: DEFAULT_CONFIG,
      });
      // The fixture Application is hand-written without a sync policy (app-sync-policy's own subject).
      expect(r.findings.filter((f) => f.severity === 'error' && f.check !== 'app-sync-policy')).toEqual([
        {
          check: 'app-values',
          severity: 'error',
          message:
            "helm parameter replicaz=2: Argo CD's helm template fails, the values do not satisfy charts/demo/values.schema.json: at '': additional properties 'replicaz' not allowed",
          file: 'environments/dev/argocd/apps/demo.yaml',
          line: 18,
          column: 11,
          env: 'dev',
          service: 'demo',
          related: [{ file: 'charts/demo/values.schema.json', line: 1, column: 1, message: 'the chart values schema' }],
        },
      ]);
    } finally {
      repo.cleanup();
    }
  });
});

describe("the types helm gives --set values (what a finding's value tracing compares)", () => {
  it('typedSetValue agrees with the real helm on every kind of parameter value', { timeout: 60_000 }, async () => {
    // Each value set as v<i> (and as --set-string s<i>); the chart prints .Values as JSON, which keeps types.
    const values = [
      'true',
      'False',
      'NULL',
      '0',
      '007',
      '42',
      '-5',
      '+5',
      '1.5',
      '1e3',
      '9223372036854775807',
      '9223372036854775808',
      '{a,2,true}',
      '{}',
      'x\\,y',
      'a b',
      '',
    ];
    const dir = mkdtempSync(join(tmpdir(), 'validator-set-types-'));
    try {
      mkdirSync(join(dir, 'templates'));
      writeFileSync(join(dir, 'Chart.yaml'), 'apiVersion: v2\nname: types\nversion: 0.1.0\n');
      writeFileSync(
        join(dir, 'templates', 'cm.yaml'),
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: t\ndata:\n  values: {{ toJson .Values | quote }}\n',
      );
      const r = await helmRenderer.render({
        chartDir: dir,
        releaseName: 'types',
        namespace: 'default',
        kubeVersion: '1.33',
        valueFiles: [],
        set: values.map((value, i) => ({ name: `v${i}`, value })),
        setString: values.map((value, i) => ({ name: `s${i}`, value })),
      });
      expect(r.error).toBeUndefined();
      const cm = (toJs(parseYaml(r.manifests, 'out.yaml')) as Array<{ data: { values: string } } | null>).find(
        Boolean,
      )!;
      const helm = JSON.parse(cm.data.values) as Record<string, unknown>;
      const ours = (i: number, forceString: boolean) => typedSetValue(values[i]!, forceString);
      expect(values.map((_, i) => helm[`v${i}`])).toEqual(values.map((_, i) => ours(i, false)));
      expect(values.map((_, i) => helm[`s${i}`])).toEqual(values.map((_, i) => ours(i, true)));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('helm schema errors', () => {
  it('are split into violations with the value paths they name', () => {
    expect(
      schemaViolations(
        "values do not satisfy values.schema.json: demo: - at '/image': additional properties 'tagg', 'x' not allowed - at '/replicaCount': got string, want integer",
      ),
    ).toEqual([
      {
        pointer: '/image',
        message: "additional properties 'tagg', 'x' not allowed",
        paths: [
          ['image', 'tagg'],
          ['image', 'x'],
        ],
      },
      { pointer: '/replicaCount', message: 'got string, want integer', paths: [['replicaCount']] },
    ]);
    expect(setKeyPath('a.b[0].c\\.d')).toEqual(['a', 'b', '0', 'c.d']);
  });
});

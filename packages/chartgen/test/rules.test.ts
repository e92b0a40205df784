import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { environmentFile, loadCatalog, type Service } from '@cmsweb/catalog';
import { parseYaml, stringifyYaml } from '@cmsweb/yaml';
import { formatCommentedYaml } from '../src/commented-yaml.js';
import { buildEnvironmentValues, environmentValuesComments, overlayComments } from '../src/overlay-values.js';
import { VALUE_DOCS } from '../src/value-docs.js';
import {
  buildAdapterRules,
  buildChartValues,
  buildFrontendRules,
  buildOverlayValues,
  checkGenerationRules,
  diffTree,
  formatFrontendRule,
  FRONTEND_RULE_LINE,
} from '../src/index.js';
import { claimNameExpression } from '../src/chart-files.js';
import { buildEnvironmentFile } from '../src/environment-scaffold.js';
import { buildValuesSchema } from '../src/values-schema.js';
import { fixtureRepo, loadCatalogFrom, planFrom, repoRoot } from './helpers.js';

const catalog = loadCatalogFrom(fixtureRepo);
const { cluster } = catalog;
const svc = (name: string) => catalog.services.find((s) => s.name === name)!;

describe('frontend rules', () => {
  const rules = buildFrontendRules(cluster, catalog.services, 'prod');

  it('formats k8s services and VM hosts in the backends file format, longer prefixes first', () => {
    expect(rules.map(formatFrontendRule)).toEqual([
      '^/auth/complete/couch/gamma_cache(?:[/?]|$) gamma1.example.org|gamma2.example.org :affinity',
      '^/auth/complete/couch/gamma(?:[/?]|$) gamma1.example.org|gamma2.example.org :affinity',
      '^/auth/complete/alpha/v2(?:[/?]|$) alpha.web.svc.cluster.local',
      '^/auth/complete/alpha(?:[/?]|$) alpha.web.svc.cluster.local',
      '^/auth/complete/beta(?:[/?]|$) beta.web.svc.cluster.local',
    ]);
  });

  it.each([
    ['/a.b', '^/auth/complete/a\\.b(?:[/?]|$)'],
    ['/x/', '^/auth/complete/x(?:[/?]|$)'],
    ['/q(1)', '^/auth/complete/q\\(1\\)(?:[/?]|$)'],
  ])('escapes and normalises prefix %s', (prefix, regex) => {
    const s = { name: 's', namespace: 'web', urlPrefixes: [prefix], vm: { hosts: ['h.example.org'] } } as Service;
    expect(buildFrontendRules(cluster, [s], 'prod')[0]!.regex).toBe(regex);
  });

  it('a VM service without affinity has no :affinity marker', () => {
    const s = {
      name: 's',
      namespace: 'web',
      urlPrefixes: ['/s'],
      vm: { hosts: ['a.example.org', 'b.example.org'] },
    } as Service;
    expect(formatFrontendRule(buildFrontendRules(cluster, [s], 'prod')[0]!)).toBe(
      '^/auth/complete/s(?:[/?]|$) a.example.org|b.example.org',
    );
  });

  const corpus = join(repoRoot, '..', 'shared', 'corpus', 'cmsweb-frontend', 'backends-k8s-preprod.txt');
  it.skipIf(!existsSync(corpus))(
    `the real frontend file and ours follow the same line grammar${existsSync(corpus) ? '' : ' (SKIPPED: ../shared/corpus absent)'}`,
    () => {
      const real = readFileSync(corpus, 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== '');
      expect(real.length).toBeGreaterThan(50);
      expect(real.filter((l) => !FRONTEND_RULE_LINE.test(l))).toEqual([]);
      expect(rules.map(formatFrontendRule).filter((l) => !FRONTEND_RULE_LINE.test(l))).toEqual([]);
      // The shapes we produce occur in the real file: k8s targets, multi-host VM targets with affinity.
      expect(
        real.some((l) => /^\^\/auth\/complete\/\S+\(\?:\/\|\$\) [a-z0-9-]+\.[a-z0-9-]+\.svc\.cluster\.local$/.test(l)),
      ).toBe(true);
      // Query conditions (ms-unmerged's rse_type) and the final catch-all occur there too.
      expect(real.some((l) => /rse_type=/.test(l))).toBe(true);
      expect(real.some((l) => / [a-z0-9.-]+\|[a-z0-9.-]+ :affinity$/.test(l))).toBe(true);
    },
  );
});

describe('Prometheus Adapter rules', () => {
  it('has one rule per custom metric of an enabled HPA, sorted, mapping namespace and the pods or the described object', () => {
    expect(buildAdapterRules(cluster, catalog.services, 'prod').rules).toEqual([
      {
        // An Object metric on the apps/v1 Deployment alpha: the adapter asks for label deployment="alpha".
        seriesQuery: 'alpha_open_fds{namespace!="",pod!="",deployment!=""}',
        resources: {
          overrides: { deployment: { group: 'apps', resource: 'deployment' }, namespace: { resource: 'namespace' } },
        },
        name: { matches: '^alpha_open_fds$', as: 'alpha_open_fds' },
        metricsQuery: 'max(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)',
      },
      {
        seriesQuery: 'alpha_requests_per_second{namespace!="",pod!=""}',
        resources: { overrides: { namespace: { resource: 'namespace' }, pod: { resource: 'pod' } } },
        name: { matches: '^alpha_requests_per_second$', as: 'alpha_requests_per_second' },
        metricsQuery: 'sum(rate(<<.Series>>{<<.LabelMatchers>>}[2m])) by (<<.GroupBy>>)',
      },
    ]);
  });

  it('maps the described object of an Object metric: a batch/v1 Job by its `job` label (or objectLabel), with matchers in seriesQuery', () => {
    const metric = {
      name: 'rps',
      type: 'Object' as const,
      target: 1,
      describedObject: { apiVersion: 'batch/v1', kind: 'Job', name: 'x-exporter' },
    };
    const s = {
      ...svc('alpha'),
      autoscaling: { minReplicas: 1, maxReplicas: 2, customMetrics: [metric] },
      environments: {},
    } as Service;
    const rule = buildAdapterRules(cluster, [s], 'prod').rules[0]!;
    expect(rule.resources).toEqual({
      overrides: { job: { group: 'batch', resource: 'job' }, namespace: { resource: 'namespace' } },
    });
    expect(rule.seriesQuery).toBe('rps{job!="",namespace!=""}');
    const own = {
      ...s,
      autoscaling: {
        ...s.autoscaling!,
        customMetrics: [{ ...metric, objectLabel: 'exporter', seriesQuery: 'rps{env="prod"}' }],
      },
    } as Service;
    const r2 = buildAdapterRules(cluster, [own], 'prod').rules[0]!;
    expect(r2.resources).toEqual({
      overrides: { exporter: { group: 'batch', resource: 'job' }, namespace: { resource: 'namespace' } },
    });
    expect(r2.seriesQuery).toBe('rps{env="prod",exporter!="",namespace!=""}');
  });

  it('has none where the HPA is disabled (alpha in dev)', () => {
    expect(buildAdapterRules(cluster, catalog.services, 'dev')).toEqual({ rules: [] });
  });

  it('writes External metrics as externalRules: namespaced through the namespace label, or namespaced: false', () => {
    // prometheus-adapter pkg/naming BuildExternal: the HPA selector becomes matchers, and a namespaced rule
    // (the default) adds namespace="<hpa namespace>" through the label mapped to namespaces.
    const queue = { name: 'queue_depth', type: 'External' as const, target: 30, selector: { queue: 'jobs' } };
    const lag = {
      name: 'broker_lag',
      type: 'External' as const,
      target: 5,
      namespaced: false,
      query: 'max(<<.Series>>{<<.LabelMatchers>>})',
    };
    const s = {
      ...svc('alpha'),
      autoscaling: { minReplicas: 1, maxReplicas: 2, customMetrics: [queue, lag] },
      environments: {},
    } as Service;
    expect(buildAdapterRules(cluster, [s], 'prod')).toEqual({
      rules: [],
      externalRules: [
        {
          seriesQuery: 'broker_lag',
          resources: { namespaced: false },
          name: { matches: '^broker_lag$', as: 'broker_lag' },
          metricsQuery: 'max(<<.Series>>{<<.LabelMatchers>>})',
        },
        {
          seriesQuery: 'queue_depth{namespace!=""}',
          resources: { overrides: { namespace: { resource: 'namespace' } } },
          name: { matches: '^queue_depth$', as: 'queue_depth' },
          metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>})',
        },
      ],
    });
  });
});

describe('overlay values', () => {
  // charts/<svc>/values-<env>.yaml: the catalog's settings; the overlay chartgen creates holds only the image.
  const overlay = (name: string, env: string) => ({
    ...buildOverlayValues(cluster, svc(name), env),
    ...buildEnvironmentValues(cluster, svc(name), env, buildChartValues(cluster, svc(name))),
  });
  it('a new overlay holds only image.tag', () => {
    expect(buildOverlayValues(cluster, svc('alpha'), 'prod')).toEqual({ image: { tag: '1.4.0-stable' } });
  });

  it.each([
    [
      'alpha',
      'dev',
      {
        image: { tag: '1.4.0-stable' },
        environment: 'dev',
        replicaCount: 1,
        autoscaling: { enabled: false },
        logging: { enabled: false },
        database: { secretName: 'alpha-dev-db' },
      },
    ],
    [
      'alpha',
      'prod',
      {
        image: { tag: '1.4.0-stable' },
        environment: 'prod',
        replicaCount: 3,
        resources: { requests: { cpu: '200m', memory: '512Mi' }, limits: { cpu: '2', memory: '4Gi' } },
        autoscaling: { minReplicas: 2, maxReplicas: 6 },
        logging: { enabled: true },
        database: { secretName: 'alpha-prod-db' },
        nodeSelector: { role: 'prod-services' },
      },
    ],
    [
      'beta',
      'dev',
      { image: { tag: '0.9.0-rc1' }, environment: 'dev', replicaCount: 2, env: { BETA_DEBUG: { value: '1' } } },
    ],
    ['delta', 'prod', { image: { tag: 'v0.0.1-stable' }, environment: 'prod', replicaCount: 1 }],
  ])('%s in %s', (name, env, expected) => {
    expect(overlay(name, env)).toEqual(expected);
  });
});

describe('chart values and schema', () => {
  it('values.yaml parses back to exactly the values the chart is generated from', async () => {
    const planned = await planFrom(fixtureRepo);
    for (const s of catalog.services.filter((x) => !x.vm)) {
      expect(parse(planned.get(`charts/${s.name}/values.yaml`)!)).toEqual(buildChartValues(cluster, s));
    }
  });

  it('commented YAML is stringifyYaml output plus comment lines and blank lines, for every chart and overlay', async () => {
    const strip = (t: string) =>
      t
        .split('\n')
        .filter((l) => l.trim() !== '' && !l.trimStart().startsWith('#'))
        .join('\n');
    const real = loadCatalogFrom(repoRoot);
    for (const c of [catalog, real]) {
      const namespaces = new Map(c.services.filter((x) => !x.vm).map((x) => [x.name, x.namespace]));
      for (const s of c.services.filter((x) => !x.vm)) {
        const values = buildChartValues(c.cluster, s, namespaces) as unknown as Record<string, unknown>;
        expect(strip(formatCommentedYaml(values, VALUE_DOCS))).toBe(strip(stringifyYaml(values)));
        for (const env of c.cluster.environments) {
          const o = buildOverlayValues(c.cluster, s, env.name);
          expect(strip(formatCommentedYaml(o, overlayComments(env.name)))).toBe(strip(stringifyYaml(o)));
          const e = buildEnvironmentValues(c.cluster, s, env.name, buildChartValues(c.cluster, s, namespaces));
          expect(strip(formatCommentedYaml(e, environmentValuesComments(env.name)))).toBe(strip(stringifyYaml(e)));
        }
      }
    }
  });

  it('every object with fixed keys in values.schema.json forbids other keys', () => {
    const loose: string[] = [];
    const walk = (node: unknown, path: string) => {
      if (Array.isArray(node)) return node.forEach((n, i) => walk(n, `${path}[${i}]`));
      if (!node || typeof node !== 'object') return;
      const o = node as Record<string, unknown>;
      if (o.properties && o.additionalProperties !== false) loose.push(path);
      for (const [k, v] of Object.entries(o)) walk(v, `${path}/${k}`);
    };
    walk(buildValuesSchema(['dev'], { library: 'fixture-library', displayName: 'Fixture' }), '');
    expect(loose).toEqual([]);
  });

  it('every chart value key is declared in the schema (values.yaml itself passes)', () => {
    const schema = buildValuesSchema(['dev', 'prod'], { library: 'fixture-library', displayName: 'Fixture' }) as {
      properties: Record<string, { properties?: Record<string, unknown> }>;
    };
    const values = buildChartValues(cluster, svc('alpha')) as unknown as Record<string, unknown>;
    // and the key helm itself adds for the library dependency
    expect([...Object.keys(values), 'fixture-library'].sort()).toEqual(Object.keys(schema.properties).sort());
    for (const [k, v] of Object.entries(values)) {
      const props = schema.properties[k]!.properties;
      if (props && v && typeof v === 'object' && !Array.isArray(v))
        expect(Object.keys(props)).toEqual(expect.arrayContaining(Object.keys(v)));
    }
  });

  it('a service securityContext replaces the default whole (privileged never meets allowPrivilegeEscalation: false)', () => {
    const s = { ...svc('delta'), securityContext: { privileged: true } };
    const v = buildChartValues(cluster, s);
    expect(v.securityContext).toEqual({ privileged: true });
    expect(v.podSecurityContext).toEqual({});
  });

  it.each([
    ['logs-cephfs-claim-{env}-{namespace}', '"logs-cephfs-claim-%s-%s"', '$env .Release.Namespace'],
    ['{namespace}-logs-{env}', '"%s-logs-%s"', '.Release.Namespace $env'],
    ['fixed-100%', '"fixed-100%%"', ''],
  ])('log claim pattern %s becomes printf %s %s', (pattern, format, args) => {
    expect(claimNameExpression(pattern)).toEqual({ claimFormat: format, claimArgs: args });
  });
});

describe('environment.yaml scaffold', () => {
  it.each([0, 1])('environment %i passes the environment file schema', (i) => {
    const r = environmentFile.safeParse(buildEnvironmentFile(cluster, i));
    expect(r.success).toBe(true);
    expect(r.data?.promotesFrom).toBe(i === 0 ? null : 'dev');
  });
});

describe('diffTree', () => {
  const planned = new Map([
    ['charts/a/x', '1'],
    ['charts/a/y', '2'],
    ['environments/dev/values/a.yaml', 'o'],
  ]);
  it.each([
    [
      'nothing exists',
      new Map<string, string>(),
      [
        ['charts/a/x', 'added'],
        ['charts/a/y', 'added'],
        ['environments/dev/values/a.yaml', 'added'],
      ],
    ],
    ['all equal', new Map(planned), []],
    [
      'one differs, one stray owned, one stray elsewhere',
      new Map([
        ['charts/a/x', '1'],
        ['charts/a/y', 'old'],
        ['environments/dev/values/a.yaml', 'o'],
        ['charts/a/z', 'z'],
        ['environments/dev/values/gone.yaml', 'g'],
      ]),
      [
        ['charts/a/y', 'changed'],
        ['charts/a/z', 'removed'],
      ],
    ],
  ])('%s', (_what, current, expected) => {
    expect(diffTree(planned, current, ['charts/a']).map((c) => [c.path, c.kind])).toEqual(expected);
  });
});

describe('generation rules', () => {
  const cases: Array<[string, string, RegExp | null]> = [
    ['a clean service', 'name: s\nnamespace: web\nimage: {repository: r}\nports: {http: 8000}\n', null],
    [
      'the reserved name "cluster"',
      'name: cluster\nnamespace: web\nimage: {repository: r}\nports: {http: 8000}\n',
      /^catalog\/services\/cluster\.yaml:1:1: service name "cluster" is reserved/,
    ],
    [
      'a volume name the chart uses itself',
      'name: s\nnamespace: web\nimage: {repository: r}\nports: {http: 8000}\nsecrets:\n  - {name: x, mountPath: /x, volumeName: fixture-logs}\n',
      /^catalog\/services\/s\.yaml:6:30: volume name "fixture-logs" is already used by a volume the chart adds itself/,
    ],
    [
      'two mounts on one path',
      'name: s\nnamespace: web\nimage: {repository: r}\nports: {http: 8000}\nsecrets:\n  - {name: x, mountPath: /x}\n  - {name: y, mountPath: /x}\n',
      /^catalog\/services\/s\.yaml:7:15: mountPath \/x is already used by secrets\.0\.mountPath/,
    ],
    [
      'a sidecar mounting a missing volume',
      'name: s\nnamespace: web\nimage: {repository: r}\nports: {http: 8000}\nsidecars:\n  - name: c\n    image: i\n    volumeMounts: [{name: nope, mountPath: /n}]\n',
      /^catalog\/services\/s\.yaml:8:21: sidecar "c" mounts volume "nope", which the pod does not have/,
    ],
    [
      'a sidecar named like the service',
      'name: s\nnamespace: web\nimage: {repository: r}\nports: {http: 8000}\nsidecars:\n  - name: s\n    image: i\n',
      /^catalog\/services\/s\.yaml:6:5: container name "s" is already used/,
    ],
    [
      'the filebeat monitoring port as the http port of a service with logging',
      'name: s\nnamespace: web\nimage: {repository: r}\nports: {http: 5066}\nlogging: {path: /logs}\n',
      /^catalog\/services\/s\.yaml:4:9: port 5066 is reserved in pods with logging: the filebeat sidecar serves its monitoring endpoint/,
    ],
    [
      'the filebeat monitoring port on a sidecar of a service with logging',
      'name: s\nnamespace: web\nimage: {repository: r}\nports: {http: 8000}\nlogging: {path: /logs}\nsidecars:\n  - name: c\n    image: i\n    ports: [{name: m, containerPort: 5066}]\n',
      /^catalog\/services\/s\.yaml:9:23: port 5066 is reserved in pods with logging/,
    ],
    [
      'the filebeat monitoring port as an extra port of a service with logging',
      'name: s\nnamespace: web\nimage: {repository: r}\nports: {http: 8000, extra: [{name: x, containerPort: 5066}]}\nlogging: {path: /logs}\n',
      /^catalog\/services\/s\.yaml:4:39: port 5066 is reserved in pods with logging/,
    ],
    [
      'a service named filebeat that logs (two containers named filebeat)',
      'name: filebeat\nnamespace: web\nimage: {repository: r}\nlogging: {path: /logs}\n',
      /^catalog\/services\/filebeat\.yaml:4:1: logging adds a container "filebeat"/,
    ],
    [
      'an init container named like a sidecar',
      'name: s\nnamespace: web\nimage: {repository: r}\nsidecars:\n  - {name: c, image: i}\ninitContainers:\n  - {name: c, image: i}\n',
      /^catalog\/services\/s\.yaml:7:6: container name "c" is already used/,
    ],
    [
      'an init container mounting a volume the pod does not have',
      'name: s\nnamespace: web\nimage: {repository: r}\ninitContainers:\n  - {name: c, image: i, volumeMounts: [{name: data, mountPath: /d}]}\n',
      /^catalog\/services\/s\.yaml:5:41: init container "c" mounts volume "data", which the pod does not have/,
    ],
    [
      'a volume and a secret mounted at the same path',
      'name: s\nnamespace: web\nimage: {repository: r}\nsecrets: [{name: x, mountPath: /etc/x}]\nvolumes: [{name: tmp, emptyDir: {}, mountPath: /etc/x}]\n',
      /^catalog\/services\/s\.yaml:5:37: mountPath \/etc\/x is already used by secrets\.0\.mountPath/,
    ],
    [
      'an init container mounting an emptyDir of the pod, a volume without mountPath',
      'name: s\nnamespace: web\nimage: {repository: r}\nvolumes: [{name: tmp, emptyDir: {}}]\ninitContainers:\n  - {name: c, image: i, volumeMounts: [{name: tmp, mountPath: /t}]}\n',
      null,
    ],
    [
      'port 5066 in a service without logging (no filebeat in the pod)',
      'name: s\nnamespace: web\nimage: {repository: r}\nports: {http: 5066}\n',
      null,
    ],
  ];
  it.each(cases)('%s', (_what, text, expected) => {
    const name = /^name: (\S+)/.exec(text)![1]!;
    const file = `catalog/services/${name}.yaml`;
    const clusterText = readFileSync(join(fixtureRepo, 'catalog/cluster.yaml'), 'utf8');
    const loaded = loadCatalog({ path: 'catalog/cluster.yaml', text: clusterText }, [{ path: file, text }]);
    expect(loaded.findings).toEqual([]);
    const findings = checkGenerationRules(loaded.catalog!, { ...loaded.parsed, [file]: parseYaml(text, file) }).map(
      (f) => `${f.file}:${f.line}:${f.column}: ${f.message}`,
    );
    if (expected === null) expect(findings).toEqual([]);
    else {
      expect(findings).toHaveLength(1);
      expect(findings[0]).toMatch(expected);
    }
  });

  it('a custom metric defined differently by two services is a conflict', () => {
    const clusterText = readFileSync(join(fixtureRepo, 'catalog/cluster.yaml'), 'utf8');
    const svcText = (n: string, q: string) =>
      `name: ${n}\nnamespace: web\nimage: {repository: r}\nports: {http: 8000}\nautoscaling:\n  minReplicas: 1\n  maxReplicas: 2\n  customMetrics:\n    - {name: m, type: Pods, target: 1, query: "${q}"}\n`;
    const files = [
      { path: 'catalog/services/a.yaml', text: svcText('a', 'sum(x)') },
      { path: 'catalog/services/b.yaml', text: svcText('b', 'max(x)') },
    ];
    const loaded = loadCatalog({ path: 'catalog/cluster.yaml', text: clusterText }, files);
    const findings = checkGenerationRules(loaded.catalog!, loaded.parsed);
    expect(findings.map((f) => `${f.file}:${f.line}:${f.column}: ${f.message}`)).toEqual([
      'catalog/services/b.yaml:9:8: custom metric "m" has a different query or seriesQuery in service "a"; the Prometheus Adapter serves one definition per metric name',
    ]);
  });
});

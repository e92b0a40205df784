import { describe, expect, it } from 'vitest';
import { splitDocuments } from '../src/manifests/split-documents.js';
import { parseHelmError } from '../src/render/helm-errors.js';
import { mapRenderedLine } from '../src/render/template-lines.js';
import { parseValidatorConfig, applyConfig } from '../src/config/validator-config.js';
import { parseImage } from '../src/checks/templates/container-templates.js';
import { configServes, judgeConfig, judgeRule } from '../src/checks/templates/adapter-discovery.js';
import { selectorMatches } from '../src/checks/workloads.js';
import { buildObjectSet, sameNamespace } from '../src/checks/object-set.js';
import { matchPods, podIndex } from '../src/checks/templates/selector-templates.js';
import { refOf, type KubeObject, type Resource } from '../src/resources.js';
import { fromPointer, toPointer, buildResult, type Finding } from '../src/findings.js';
import { mergeValues } from '../src/sources/values-schema.js';

describe('splitDocuments', () => {
  it.each([
    ['a: 1\n', [[1, 'a: 1\n']]],
    [
      '---\na: 1\n---\nb: 2\n',
      [
        [1, '---\na: 1\n'],
        [3, '---\nb: 2\n'],
      ],
    ],
    [
      'a: 1\n--- # second\nb: 2',
      [
        [1, 'a: 1\n'],
        [2, '--- # second\nb: 2'],
      ],
    ],
    // a --- inside an indented block scalar is content, not a marker
    [
      'a: |\n  ---\n  x\n---\nb: 2\n',
      [
        [1, 'a: |\n  ---\n  x\n'],
        [4, '---\nb: 2\n'],
      ],
    ],
    [
      'a: 1\r\n---\r\nb: 2\r\n',
      [
        [1, 'a: 1\r\n'],
        [2, '---\r\nb: 2\r\n'],
      ],
    ],
    ['', [[1, '']]],
  ] as const)('%j', (text, expected) => {
    expect(splitDocuments(text).map((c) => [c.startLine, c.text])).toEqual(expected);
  });

  it('concatenated chunks are the input', () => {
    const text = '# head\n---\na: 1\n---\n---\nb: [1,\n 2]\n...\n';
    expect(
      splitDocuments(text)
        .map((c) => c.text)
        .join(''),
    ).toBe(text);
  });
});

describe('parseHelmError', () => {
  it.each([
    [
      'Error: parse error at (demo/templates/hpa.yaml:17): unexpected EOF\n\nUse --debug flag to render out invalid YAML\n',
      { kind: 'template-parse', file: 'templates/hpa.yaml', line: 17 },
    ],
    [
      'Error: mongodb/templates/monitoring.yaml:438:105\n  executing "mongodb/templates/monitoring.yaml" at <.Values.instance0.serviceName>:\n    nil pointer evaluating interface {}.serviceName\n',
      { kind: 'template-execute', file: 'templates/monitoring.yaml', line: 438, column: 105 },
    ],
    [
      'Error: template: mini/templates/cm.yaml:3:5: executing "mini/templates/cm.yaml" at <.Values.a.b>: nil pointer',
      { kind: 'template-execute', file: 'templates/cm.yaml', line: 3, column: 5 },
    ],
    [
      'Error: execution error at (demo/charts/sub/templates/x.yaml:5:3): image.tag is required',
      { kind: 'template-execute', file: 'charts/sub/templates/x.yaml', line: 5, column: 3 },
    ],
    [
      'Error: YAML parse error on demo/templates/bad.yaml: error converting YAML to JSON: yaml: line 2: mapping values are not allowed in this context',
      { kind: 'output-yaml', file: 'templates/bad.yaml' },
    ],
    [
      "Error: values don't meet the specifications of the schema(s) in the following chart(s):\nhc:\n- at '': additional properties 'replicaz' not allowed\n",
      { kind: 'values-schema' },
    ],
    ['Error: invalid chart apiVersion\n', { kind: 'chart', message: 'invalid chart apiVersion' }],
  ])('%s', (stderr, expected) => {
    expect(parseHelmError(stderr)).toMatchObject(expected);
  });
});

describe('mapRenderedLine', () => {
  const template =
    'kind: Deployment\nspec:\n  containers:\n    - name: {{ .Chart.Name }}\n      image: {{ .Values.image }}\n      command: [a]\n      command: [b]\n';
  const rendered =
    '# Source: x/templates/d.yaml\nkind: Deployment\nspec:\n  containers:\n    - name: web\n      image: "r:1"\n      command: [a]\n      command: [b]\n';
  it.each([
    [2, { line: 1, column: 1 }], // same content
    [6, { line: 5, column: 7 }], // same key, substituted value
    [5, { line: 4, column: 7 }], // list item key
    [8, { line: 7, column: 7 }], // second occurrence maps to the second occurrence
  ])('rendered line %i', (line, expected) => {
    expect(mapRenderedLine(rendered, line, template)).toEqual(expected);
  });
  it('skips template lines that did not render (a disabled block) and lines inserted by toYaml', () => {
    const tpl = [
      'containers:',
      '  - name: {{ .Chart.Name }}',
      '    env:',
      '      {{- toYaml .Values.env | nindent 6 }}',
      '  {{- if .Values.logging }}',
      '  - name: filebeat',
      '    image: filebeat:7',
      '  {{- end }}',
      '  {{- range .Values.sidecars }}',
      '  - name: {{ .name }}',
      '    image: {{ .image | quote }}',
      '  {{- end }}',
    ].join('\n');
    const out = [
      'containers:',
      '  - name: web',
      '    env:',
      '      - name: A',
      '        value: "1"',
      '  - name: exporter',
      '    image: "exporter:1"',
    ].join('\n');
    expect(mapRenderedLine(out, 6, tpl)).toEqual({ line: 10, column: 5 });
    expect(mapRenderedLine(out, 7, tpl)).toEqual({ line: 11, column: 5 });
    expect(mapRenderedLine(out, 4, tpl)).toBeUndefined();
  });
  it('aligns a key only where its enclosing keys agree (a literal key of a container not rendered is no match)', () => {
    const tpl = [
      'containers:',
      '  - name: {{ .Chart.Name }}',
      '    {{- with .Values.securityContext }}',
      '    securityContext:',
      '      {{- toYaml . | nindent 6 }}',
      '    {{- end }}',
      '  {{- if .Values.logging }}',
      '  - name: filebeat',
      '    securityContext:',
      '      allowPrivilegeEscalation: false',
      '  {{- end }}',
    ].join('\n');
    const out = ['containers:', '  - name: web', '    securityContext:', '      allowPrivilegeEscalation: false'].join(
      '\n',
    );
    // Without the enclosing-key rule the filebeat block (two exact lines) would win over line 4.
    expect(mapRenderedLine(out, 3, tpl)).toEqual({ line: 4, column: 5 });
    expect(mapRenderedLine(out, 4, tpl)).toBeUndefined();
  });

  it('gives up on a line the template does not have', () => {
    expect(mapRenderedLine('a: 1\nzzz: 2\n', 2, 'a: 1\n')).toBeUndefined();
  });
});

describe('validator.yaml', () => {
  it('switches checks off and changes severities', () => {
    const { config, problems } = parseValidatorConfig('checks:\n  standard-labels: off\n  liveness-probe: error\n');
    expect(problems).toEqual([]);
    const findings: Finding[] = [
      { check: 'standard-labels', severity: 'warning', message: 'a' },
      { check: 'liveness-probe', severity: 'warning', message: 'b' },
      { check: 'image-tag', severity: 'error', message: 'c' },
    ];
    expect(applyConfig(findings, config).map((f) => `${f.check}:${f.severity}`)).toEqual([
      'liveness-probe:error',
      'image-tag:error',
    ]);
  });
  it('names the line of an unknown check and of a bad level', () => {
    const { problems } = parseValidatorConfig('checks:\n  image-tags: off\n  image-tag: fatal\n', 'validator.yaml');
    expect(problems.map((p) => `${p.line}:${p.column} ${p.message}`)).toEqual([
      '2:3 unknown check "image-tags": run `npx validator checks` for the list of ids',
      '3:3 check "image-tag" is set to "fatal": expected off, warning or error',
    ]);
  });
  it('rejects keys other than checks', () => {
    expect(parseValidatorConfig('check:\n  a: off\n').problems[0]).toMatchObject({
      line: 1,
      column: 1,
      message: 'unknown key "check": the keys are "checks", "crds" and "renderTimeout"',
    });
    expect(parseValidatorConfig('crds: [crds, 3]\n').problems[0]).toMatchObject({
      line: 1,
      message: 'crds[1] must be a folder or file path, got 3',
    });
    expect(parseValidatorConfig('crds: [crds]\n').config).toEqual({ checks: {}, crds: ['crds'] });
  });
});

describe('small pure helpers', () => {
  it.each([
    ['nginx', { repository: 'nginx' }],
    ['nginx:1.25', { repository: 'nginx', tag: '1.25' }],
    ['registry:5000/a/b', { repository: 'registry:5000/a/b' }],
    ['registry:5000/a/b:v1', { repository: 'registry:5000/a/b', tag: 'v1' }],
    [`a/b@sha256:${'a'.repeat(64)}`, { repository: 'a/b', digest: `sha256:${'a'.repeat(64)}` }],
  ])('parseImage(%s)', (image, expected) => {
    expect(parseImage(image)).toEqual({ tag: undefined, digest: undefined, ...expected });
  });

  it('JSON pointers round-trip, escaping / and ~', () => {
    const path = ['metadata', 'annotations', 'a/b~c', 'spec', 0];
    expect(toPointer(path)).toBe('/metadata/annotations/a~1b~0c/spec/0');
    expect(fromPointer(toPointer(path))).toEqual(path);
  });

  it('selectors: matchLabels and matchExpressions', () => {
    const labels = { app: 'web', tier: 'front' };
    expect(selectorMatches({ matchLabels: { app: 'web' } }, labels)).toBe(true);
    expect(selectorMatches({ matchLabels: { app: 'api' } }, labels)).toBe(false);
    expect(selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'In', values: ['front'] }] }, labels)).toBe(
      true,
    );
    expect(selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['front'] }] }, labels)).toBe(
      false,
    );
    expect(selectorMatches({ matchExpressions: [{ key: 'zone', operator: 'DoesNotExist' }] }, labels)).toBe(true);
    expect(selectorMatches({ app: 'web' }, labels, true)).toBe(true);
  });

  it('Prometheus Adapter discovery: name mapping as the adapter does it (matches filters, as expands Go-style)', () => {
    const pods = (name: string) => ({ name, type: 'Pods' as const });
    const podRes = { overrides: { namespace: { resource: 'namespace' }, pod: { resource: 'pod' } } };
    const served = (rule: object, name: string) =>
      !judgeRule({ resources: podRes, ...rule }, 'rules[0]', pods(name)).problem;
    expect(
      served(
        { seriesQuery: 'http_requests_total{namespace!=""}', name: { matches: '^(.*)_total$', as: '${1}_per_second' } },
        'http_requests_per_second',
      ),
    ).toBe(true);
    expect(served({ seriesQuery: 'http_requests_total', name: { matches: '^(.*)_total$' } }, 'http_requests')).toBe(
      true,
    ); // one group: $1
    expect(served({ seriesQuery: 'queue_depth' }, 'queue_depth')).toBe(true); // no matches: .* and $0
    expect(
      served({ seriesQuery: 'queue_depth', name: { matches: '^queue_size$', as: 'queue_depth' } }, 'queue_depth'),
    ).toBe(false); // matches drops the series
    expect(served({ seriesQuery: 'a_b_c', name: { matches: '^(a)_(b)_c$' } }, 'a')).toBe(false); // two groups, no as: refused
    expect(
      served({ seriesQuery: '{__name__=~"^rps_.*",namespace!=""}', name: { matches: '^rps_(.*)$', as: 'rps' } }, 'rps'),
    ).toBe(true);
    expect(judgeConfig({ rules: [{ seriesQuery: 'x', resources: podRes }] }, pods('y'))[0]!.problem).toMatch(
      /served as "x" .*, not "y"/,
    );
  });

  it('Prometheus Adapter discovery: External metrics from externalRules, namespaced unless namespaced: false', () => {
    // prometheus-adapter pkg/naming BuildExternal: a namespaced rule (the default) adds the HPA's namespace via
    // the label mapped to namespaces (LabelForResource fails without one); namespaced: false adds nothing.
    const ext = { name: 'queue_depth', type: 'External' as const };
    const judge = (resources: object | undefined) =>
      judgeConfig({ externalRules: [{ seriesQuery: 'queue_depth', ...(resources ? { resources } : {}) }] }, ext)[0]!
        .problem;
    expect(judge({ overrides: { namespace: { resource: 'namespace' } } })).toBeUndefined();
    expect(judge({ namespaced: false })).toBeUndefined();
    expect(judge(undefined)).toMatch(/no series label to namespaces.*namespaced: false/);
    expect(judge({ template: '<<.Resource>>' })).toBeUndefined(); // the template names the namespace label
    expect(
      judgeConfig(
        {
          externalRules: [
            {
              seriesQuery: 'queue_depth{namespace=""}',
              resources: { overrides: { namespace: { resource: 'namespace' } } },
            },
          ],
        },
        ext,
      )[0]!.problem,
    ).toMatch(/carry no namespaces/);
    // External metrics are never served by `rules`.
    expect(judgeConfig({ rules: [{ seriesQuery: 'queue_depth' }] }, ext)).toEqual([]);
  });

  it('Prometheus Adapter discovery: resource mapping for the described object, the pods and the namespace', () => {
    const job = { name: 'rps', type: 'Object' as const, describedObject: { apiVersion: 'batch/v1', kind: 'Job' } };
    const rule = (overrides: object, seriesQuery = 'rps') =>
      judgeRule({ seriesQuery, resources: { overrides }, name: { matches: '^rps$', as: 'rps' } }, 'rules[0]', job);
    expect(rule({ namespace: { resource: 'namespace' }, pod: { resource: 'pod' } }).problem).toMatch(
      /no series label to jobs\.batch.*group: batch, resource: job/,
    );
    expect(
      rule({ namespace: { resource: 'namespace' }, job: { group: 'batch', resource: 'job' } }).problem,
    ).toBeUndefined();
    expect(
      rule({ namespace: { resource: 'namespaces' }, job: { group: 'batch', resource: 'jobs' } }).problem,
    ).toBeUndefined(); // RESTMapper: plural too
    expect(rule({ job: { group: 'batch', resource: 'job' } }).problem).toMatch(/namespaces/);
    expect(rule({ job: { group: '', resource: 'job' }, namespace: { resource: 'namespace' } }).problem).toMatch(
      /jobs\.batch/,
    ); // core group has no jobs
    expect(
      rule({ namespace: { resource: 'namespace' }, job: { group: 'batch', resource: 'job' } }, 'rps{job=""}').problem,
    ).toMatch(/carry no jobs\.batch/);
    const templated = judgeRule({ seriesQuery: 'rps', resources: { template: '<<.Resource>>' } }, 'rules[0]', job);
    expect(templated.problem).toBeUndefined(); // template: label "job" for jobs.batch, "namespace" for namespaces
  });

  it('Prometheus Adapter discovery: configServes (rules indexed by the name they serve) answers as judgeConfig does', () => {
    const podRes = { overrides: { namespace: { resource: 'namespace' }, pod: { resource: 'pod' } } };
    // Each kind of rule: a fixed series renamed, a fixed one dropped by matches, a refused one, an open
    // `__name__=~` selector, an open selector with a constant name.as, no name at all, and a broken selector.
    const config = {
      rules: [
        {
          seriesQuery: 'http_requests_total',
          name: { matches: '^(.*)_total$', as: '${1}_per_second' },
          resources: podRes,
        },
        { seriesQuery: 'queue_depth', name: { matches: '^queue_size$' }, resources: podRes },
        { seriesQuery: 'a_b_c', name: { matches: '^(a)_(b)_c$' }, resources: podRes },
        { seriesQuery: '{__name__=~"^rps_.*"}', name: { matches: '^rps_(.*)$', as: 'rps_$1' }, resources: podRes },
        { seriesQuery: '{namespace!=""}', name: { as: 'constant' }, resources: podRes },
        { seriesQuery: 'latency', resources: { overrides: { namespace: { resource: 'namespace' } } } },
        { seriesQuery: 'not a selector{' },
      ],
      externalRules: [{ seriesQuery: 'queue_depth', resources: { namespaced: false } }],
    };
    const names = ['http_requests_per_second', 'queue_depth', 'a', 'rps_x', 'rps_y', 'constant', 'latency', 'none'];
    for (const type of ['Pods', 'External'] as const)
      for (const name of names) {
        const req = { name, type };
        expect(configServes(config, req), `${type} ${name}`).toBe(judgeConfig(config, req).some((v) => !v.problem));
      }
    // The cases above are not all one answer.
    expect(configServes(config, { name: 'rps_x', type: 'Pods' })).toBe(true);
    expect(configServes(config, { name: 'constant', type: 'Pods' })).toBe(true);
    expect(configServes(config, { name: 'latency', type: 'Pods' })).toBe(false); // no pod label
    expect(configServes(config, { name: 'queue_depth', type: 'External' })).toBe(true);
  });

  it('values coalesce like Helm: maps merge, null deletes', () => {
    expect(mergeValues({ a: { b: 1, c: 2 }, d: [1] }, { a: { c: 3, b: null }, d: [2] })).toEqual({
      a: { c: 3 },
      d: [2],
    });
  });

  it('the result counts each finding once and orders them by file and line', () => {
    const f = (file: string, line: number): Finding => ({
      check: 'yaml-syntax',
      severity: 'error',
      message: 'm',
      file,
      line,
      column: 1,
    });
    const r = buildResult([f('b', 1), f('a', 2), f('a', 1), f('a', 1)], 7);
    expect(r.summary).toEqual({ resources: 7, errors: 3, warnings: 0 });
    expect(r.findings.map((x) => `${x.file}:${x.line}`)).toEqual(['a:1', 'a:2', 'b:1']);
  });
});

describe('matchPods', () => {
  it('the label index selects exactly the pods (and in the order) a scan over all pods selects', () => {
    let seed = 7;
    const rnd = (n: number) => Math.floor(((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x80000000) * n);
    const labels = () => Object.fromEntries(Array.from({ length: rnd(4) }, () => [`k${rnd(3)}`, `v${rnd(3)}`]));
    const namespaces = ['a', 'b', undefined];
    const resources: Resource[] = Array.from({ length: 300 }, (_, i) => {
      const object: KubeObject = {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: `d${i}`, namespace: namespaces[rnd(3)] },
        spec: { template: { metadata: { labels: labels() }, spec: { containers: [] } } },
      };
      return { object, ref: refOf(object), source: { file: 'x.yaml', locate: () => ({ line: 1, column: 1 }) } };
    });
    const index = podIndex(buildObjectSet(resources));
    for (let i = 0; i < 500; i++) {
      const plainMap = rnd(2) === 0;
      const ml = labels();
      const selector: unknown =
        rnd(20) === 0
          ? 'not a selector'
          : plainMap
            ? ml
            : {
                matchLabels: ml,
                ...(rnd(3) === 0 ? { matchExpressions: [{ key: `k${rnd(3)}`, operator: 'Exists' }] } : {}),
              };
      const namespace = namespaces[rnd(3)];
      const candidates =
        namespace === undefined
          ? index.all
          : [...(index.byNamespace.get(namespace) ?? []), ...(index.byNamespace.get(undefined) ?? [])];
      const here = candidates.filter((p) => selectorMatches(selector, p.labels, plainMap));
      const elsewhere = here.length
        ? []
        : index.all.filter(
            (p) => !sameNamespace(p.resource.ref.namespace, namespace) && selectorMatches(selector, p.labels, plainMap),
          );
      expect(matchPods(index, selector, namespace, plainMap)).toEqual({ here, elsewhere });
    }
  });
});

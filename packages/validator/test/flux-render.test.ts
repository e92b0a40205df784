import { describe, expect, it } from 'vitest';
import { compareRenders, firstDifference } from '../src/render/compare-renders.js';
import { mergeMaps, readHelmRelease } from '../src/render/flux-release.js';
import type { Resource } from '../src/resources.js';
import { jsonReporter } from '../src/report/json.js';
import { junitReporter } from '../src/report/junit.js';
import { sarifReporter } from '../src/report/sarif.js';
import { textReporter } from '../src/report/text.js';
import { buildResult } from '../src/findings.js';

// helm-controller (fluxcd/helm-controller api/v2 GetReleaseName/GetReleaseNamespace, chartutil
// ChartValuesFromReferences) and source-controller (valuesFiles from the source root) are the oracle.

const FILES = new Set(['charts/demo/Chart.yaml', 'charts/demo/values.yaml', 'environments/dev/values/demo.yaml']);

function hr(spec: Record<string, unknown>, name = 'demo') {
  return {
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    kind: 'HelmRelease',
    metadata: { name, namespace: 'flux-system' },
    spec: {
      chart: {
        spec: {
          chart: './charts/demo',
          sourceRef: { kind: 'GitRepository', name: 'r' },
          valuesFiles: ['charts/demo/values.yaml', 'environments/dev/values/demo.yaml'],
        },
      },
      ...spec,
    },
  };
}
const obj = (kind: string, name: string, body: Record<string, unknown>): Resource => ({
  object: { apiVersion: 'v1', kind, metadata: { name, namespace: 'flux-system' }, ...body },
  ref: { apiVersion: 'v1', kind, namespace: 'flux-system', name },
  source: { file: 'x.yaml', locate: () => ({ line: 1, column: 1 }) },
});

describe('readHelmRelease (what helm-controller renders)', () => {
  it("release name [targetNamespace-]name unless releaseName; namespace targetNamespace, else the HelmRelease's", () => {
    expect(
      readHelmRelease({ release: hr({ targetNamespace: 'web' }), files: FILES, objects: [] }).render,
    ).toMatchObject({
      chartPath: 'charts/demo',
      releaseName: 'web-demo',
      namespace: 'web',
      skipCrds: false,
      valuesFiles: ['charts/demo/values.yaml', 'environments/dev/values/demo.yaml'],
    });
    expect(
      readHelmRelease({ release: hr({ releaseName: 'r', install: { crds: 'Skip' } }), files: FILES, objects: [] })
        .render,
    ).toMatchObject({ releaseName: 'r', namespace: 'flux-system', skipCrds: true });
  });

  it('values files come from the source root and must exist unless ignoreMissingValuesFiles', () => {
    const bad = hr({});
    (bad.spec.chart.spec as Record<string, unknown>).valuesFiles = ['values/missing.yaml'];
    expect(readHelmRelease({ release: bad, files: FILES, objects: [] }).problems).toEqual([
      {
        at: ['spec', 'chart', 'spec', 'valuesFiles', 0],
        message:
          'values file "values/missing.yaml" does not exist (resolved from the source root as values/missing.yaml): the chart build fails (or set ignoreMissingValuesFiles: true)',
      },
    ]);
    (bad.spec.chart.spec as Record<string, unknown>).ignoreMissingValuesFiles = true;
    expect(readHelmRelease({ release: bad, files: FILES, objects: [] }).render!.valuesFiles).toEqual([]);
  });

  it('a chart path without Chart.yaml, and a source that is not a GitRepository, are problems', () => {
    const bad = hr({});
    (bad.spec.chart.spec as Record<string, unknown>).chart = './charts/nope';
    expect(readHelmRelease({ release: bad, files: FILES, objects: [] }).problems[0]!.message).toMatch(
      /chart path "\.\/charts\/nope" has no Chart\.yaml/,
    );
    (bad.spec.chart.spec as Record<string, unknown>).sourceRef = { kind: 'HelmRepository', name: 'x' };
    expect(readHelmRelease({ release: bad, files: FILES, objects: [] }).problems[0]!.message).toMatch(
      /cannot be rendered from this repository/,
    );
  });

  it('valuesFrom in order (ConfigMap, Secret, targetPath), then spec.values on top; a missing one is a problem unless optional', () => {
    const objects = [
      obj('ConfigMap', 'a', { data: { 'values.yaml': 'replicaCount: 2\nimage: { tag: a }\n' } }),
      obj('Secret', 'b', { data: { pw: Buffer.from('s3cret').toString('base64') } }),
    ];
    const r = readHelmRelease({
      release: hr({
        valuesFrom: [
          { kind: 'ConfigMap', name: 'a' },
          { kind: 'Secret', name: 'b', valuesKey: 'pw', targetPath: 'database.password' },
          { kind: 'Secret', name: 'gone', optional: true },
        ],
        values: { image: { digest: 'd' } },
      }),
      files: FILES,
      objects,
    });
    expect(r.render!.values).toEqual({
      replicaCount: 2,
      image: { tag: 'a', digest: 'd' },
      database: { password: 's3cret' },
    });
    expect(
      readHelmRelease({ release: hr({ valuesFrom: [{ kind: 'Secret', name: 'gone' }] }), files: FILES, objects })
        .problems,
    ).toEqual([
      {
        at: ['spec', 'valuesFrom', 0],
        message:
          'valuesFrom Secret flux-system/gone is not in the repository, so the release values cannot be checked: keep it in environments/<env>/ or mark it optional: true',
      },
    ]);
  });

  it('mergeMaps merges maps deeply and replaces anything else (lists too)', () => {
    expect(mergeMaps({ a: { b: 1, c: [1, 2] }, d: 1 }, { a: { c: [3] }, d: { e: 1 } })).toEqual({
      a: { b: 1, c: [3] },
      d: { e: 1 },
    });
  });
});

describe('compareRenders', () => {
  const ref = (name: string, namespace?: string) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    name,
    ...(namespace ? { namespace } : {}),
  });
  it("matches objects by identity (an object without namespace lands in the render's) and names the first differing path", () => {
    const argo = [
      { ref: ref('a'), object: { spec: { replicas: 1, b: [1, 2] } } },
      { ref: ref('only-argo', 'x'), object: {} },
    ];
    const flux = [
      { ref: ref('a', 'web'), object: { spec: { b: [1, 3], replicas: 1 } } },
      { ref: ref('only-flux', 'x'), object: {} },
    ];
    expect(compareRenders(argo, 'web', flux, 'web')).toEqual([
      { ref: ref('a', 'web'), path: '/spec/b/1', argo: 2, flux: 3 },
      { ref: ref('only-argo', 'x'), path: '', argo: {}, flux: undefined, only: 'argo' },
      { ref: ref('only-flux', 'x'), path: '', argo: undefined, flux: {}, only: 'flux' },
    ]);
    expect(
      compareRenders(
        argo.slice(0, 1),
        'web',
        [{ ref: ref('a'), object: { spec: { replicas: 1, b: [1, 2] } } }],
        'other',
      )[0]!.only,
    ).toBe('argo');
  });
  it('ignores key order', () => {
    expect(firstDifference({ a: 1, b: { c: 2, d: 3 } }, { b: { d: 3, c: 2 }, a: 1 }, [])).toBeUndefined();
  });
});

describe('related locations in every report format', () => {
  const result = buildResult(
    [
      {
        check: 'app-values',
        severity: 'error',
        message: 'm',
        file: 'environments/dev/values/x.yaml',
        line: 3,
        column: 5,
        related: [{ file: 'charts/x/templates/deployment.yaml', line: 20, column: 7, message: 'the template' }],
      },
    ],
    1,
  );
  it('json carries them, sarif as relatedLocations, text and junit as a related line', () => {
    expect(JSON.parse(jsonReporter.format(result, { color: false })).findings[0].related).toEqual([
      { file: 'charts/x/templates/deployment.yaml', line: 20, column: 7, message: 'the template' },
    ]);
    expect(JSON.parse(sarifReporter.format(result, { color: false })).runs[0].results[0].relatedLocations).toEqual([
      {
        id: 0,
        physicalLocation: {
          artifactLocation: { uri: 'charts/x/templates/deployment.yaml' },
          region: { startLine: 20, startColumn: 7 },
        },
        message: { text: 'the template' },
      },
    ]);
    expect(textReporter.format(result, { color: false })).toContain(
      '\n      related: charts/x/templates/deployment.yaml:20:7 (the template)\n',
    );
    expect(junitReporter.format(result, { color: false })).toContain(
      'environments/dev/values/x.yaml:3:5: m\nrelated: charts/x/templates/deployment.yaml:20:7 (the template)</failure>',
    );
  });
});

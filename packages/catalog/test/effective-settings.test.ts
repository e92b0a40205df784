import { describe, expect, it } from 'vitest';
import { effectiveSettings, parseQuantity, type Service } from '../src/index.js';
import { load, service } from './fixtures.js';

/** Loads one service next to the fixture cluster; fails the test on any finding. */
function one(text: string) {
  const r = load({ 'catalog/services/httpgo.yaml': text });
  expect(r.findings).toEqual([]);
  const catalog = r.catalog!;
  const s = catalog.services[0] as Service;
  return (env: string) => effectiveSettings(catalog.cluster, s, env);
}

describe('effectiveSettings', () => {
  it('falls back to the cluster defaults', () => {
    const eff = one(service('httpgo'))('prod');
    expect(eff).toEqual({
      env: 'prod',
      replicas: 1,
      resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '1000m', memory: '1Gi' } },
      autoscaling: undefined,
      logging: false,
      databaseSecret: undefined,
      env_: [],
      nodeSelector: {},
      initialTag: 'v0.0.1-stable',
    });
  });

  it('applies the service over the defaults and the environment over the service', () => {
    const at = one(
      service(
        'httpgo',
        `replicas: 2
resources:
  requests: { memory: 512Mi }
  limits: { memory: 2Gi }
env:
  - { name: LOG_LEVEL, value: info }
  - { name: MY_POD_NAME, fieldRef: metadata.name }
nodeSelector: { role: services }
logging: { path: /data/srv/logs/httpgo }
databaseSecret: httpgo-dev-db
environments:
  dev:
    logging: false
    initialTag: 00.00.19-dev
  prod:
    replicas: 5
    resources:
      limits: { cpu: 4000m }
    env:
      - { name: LOG_LEVEL, value: warn }
      - { name: EXTRA, value: "1" }
    nodeSelector: { zone: a }
    databaseSecret: httpgo-prod-db
  preprod:
    databaseSecret: httpgo-preprod-db
`,
      ).replace(
        'image: { repository: registry.cern.ch/cmsweb/httpgo }',
        'image: { repository: registry.cern.ch/cmsweb/httpgo, initialTag: 00.00.19 }',
      ),
    );
    const dev = at('dev');
    expect(dev.replicas).toBe(2);
    expect(dev.logging).toBe(false);
    expect(dev.initialTag).toBe('00.00.19-dev');
    expect(dev.databaseSecret).toBe('httpgo-dev-db');

    const prod = at('prod');
    expect(prod.replicas).toBe(5);
    // Requests and limits merge key by key: defaults, then service, then environment.
    expect(prod.resources).toEqual({
      requests: { cpu: '100m', memory: '512Mi' },
      limits: { cpu: '4000m', memory: '2Gi' },
    });
    // An environment's variable replaces the service's variable of the same name.
    expect(prod.env_).toEqual([
      { name: 'MY_POD_NAME', fieldRef: 'metadata.name' },
      { name: 'LOG_LEVEL', value: 'warn' },
      { name: 'EXTRA', value: '1' },
    ]);
    expect(prod.nodeSelector).toEqual({ role: 'services', zone: 'a' });
    expect(prod.logging).toBe(true);
    expect(prod.initialTag).toBe('00.00.19');
    expect(prod.databaseSecret).toBe('httpgo-prod-db');
    expect(at('preprod').databaseSecret).toBe('httpgo-preprod-db');
    expect(at('preprod').replicas).toBe(2);
  });

  it('merges autoscaling: environments override single fields and may switch it off', () => {
    const at = one(
      service(
        'httpgo',
        `autoscaling:
  minReplicas: 1
  maxReplicas: 3
  cpuUtilization: 400
  customMetrics:
    - { name: myapphttp_load1, type: Object, target: 250m, describedObject: { apiVersion: batch/v1, kind: Job, name: httpgo }, query: "max(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)" }
environments:
  dev: { autoscaling: { enabled: false } }
  prod:
    autoscaling:
      minReplicas: 5
      maxReplicas: 10
      customMetrics:
        - { name: myapphttp_rps, type: Pods, target: "100", query: "sum(rate(<<.Series>>{<<.LabelMatchers>>}[2m])) by (<<.GroupBy>>)" }
`,
      ),
    );
    expect(at('dev').autoscaling).toMatchObject({ enabled: false, minReplicas: 1, maxReplicas: 3 });
    expect(at('preprod').autoscaling).toMatchObject({
      enabled: true,
      minReplicas: 1,
      maxReplicas: 3,
      cpuUtilization: 400,
    });
    expect(at('preprod').autoscaling?.customMetrics?.map((m) => m.name)).toEqual(['myapphttp_load1']);
    const prod = at('prod').autoscaling;
    expect(prod).toMatchObject({ enabled: true, minReplicas: 5, maxReplicas: 10, cpuUtilization: 400 });
    // An environment's metric list replaces the service's list.
    expect(prod?.customMetrics?.map((m) => m.name)).toEqual(['myapphttp_rps']);
  });

  it('autoscales an environment that declares autoscaling when the service does not', () => {
    const at = one(
      service(
        'httpgo',
        'environments:\n  prod: { autoscaling: { minReplicas: 2, maxReplicas: 4, cpuUtilization: 200 } }\n',
      ),
    );
    expect(at('dev').autoscaling).toBeUndefined();
    expect(at('prod').autoscaling).toEqual({
      enabled: true,
      minReplicas: 2,
      maxReplicas: 4,
      cpuUtilization: 200,
      memoryUtilization: undefined,
      customMetrics: undefined,
    });
  });
});

describe('parseQuantity', () => {
  const cases: Array<[string | number, number]> = [
    ['500m', 0.5],
    ['100m', 0.1],
    ['2', 2],
    ['1.5', 1.5],
    [3, 3],
    ['256Mi', 256 * 2 ** 20],
    ['2Gi', 2 * 2 ** 30],
    ['1Ki', 1024],
    ['1k', 1000],
    ['3000Mi', 3000 * 2 ** 20],
    ['1G', 1e9],
    ['1T', 1e12],
  ];
  for (const [q, n] of cases) it(`${JSON.stringify(q)} is ${n}`, () => expect(parseQuantity(q)).toBeCloseTo(n, 6));

  it('is NaN for what is no quantity', () => {
    for (const q of ['2 cores', 'abc', '1Xi', '', '-1']) expect(parseQuantity(q), q).toBeNaN();
  });

  it('compares binary and decimal units by value', () => {
    expect(parseQuantity('1Gi')).toBeGreaterThan(parseQuantity('1000Mi'));
    expect(parseQuantity('1G')).toBeLessThan(parseQuantity('1000Mi'));
    expect(parseQuantity('1')).toBe(parseQuantity('1000m'));
  });
});

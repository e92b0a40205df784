import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  effectiveSettings,
  loadEnvironmentFile,
  prefixPath,
  prefixRoutedIn,
  readCatalog,
  type Catalog,
  type LoadedCatalog,
} from '../src/index.js';
import { lines } from './fixtures.js';

// The catalog this repository ships (catalog/), built from the real CMSWEB facts.

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
let loaded: LoadedCatalog;
let catalog: Catalog;

beforeAll(async () => {
  loaded = await readCatalog(ROOT);
  catalog = loaded.catalog!;
});

const svc = (name: string) => {
  const s = catalog.services.find((x) => x.name === name);
  if (!s) throw new Error(`service ${name} is not in the bundled catalog`);
  return s;
};

describe('bundled catalog', () => {
  it('loads without findings', () => {
    expect(lines(loaded.findings)).toEqual([]);
    expect(catalog).toBeDefined();
  });

  it('has at least 40 services in at least 8 namespaces, the main teams among them', () => {
    expect(catalog.services.length).toBeGreaterThanOrEqual(40);
    const used = new Set(catalog.services.map((s) => s.namespace));
    expect(used.size).toBeGreaterThanOrEqual(8);
    for (const ns of ['dbs', 'dmwm', 'crab', 'das', 'tzero', 'dqm', 'http']) expect(used, ns).toContain(ns);
  });

  it('has at least 3 VM-hosted services, each routed by URL prefix', () => {
    const vms = catalog.services.filter((s) => s.vm);
    expect(vms.length).toBeGreaterThanOrEqual(3);
    for (const s of vms) expect(s.urlPrefixes?.length, s.name).toBeGreaterThan(0);
    // Hosts per environment, as in the real frontend files (backends-k8s-test/preprod/prod.txt).
    expect(svc('phedex').vm).toEqual({
      hosts: {
        dev: ['vocms0132.cern.ch', 'vocms0731.cern.ch'],
        preprod: ['vocms0132.cern.ch', 'vocms0731.cern.ch'],
        prod: ['vocms0136.cern.ch'],
      },
      affinity: true,
    });
  });

  it('keeps the real facts of dbs-global-r', () => {
    const s = svc('dbs-global-r');
    expect(s.namespace).toBe('dbs');
    expect(s.ports?.http).toBe(8252);
    expect(s.ports?.metrics).toBe(18252);
    expect(s.urlPrefixes).toContain('/dbspy/prod/global/DBSReader');
    expect(s.autoscaling?.cpuUtilization).toBe(400);
    const metric = s.autoscaling?.customMetrics?.find((m) => m.type === 'Object');
    expect(metric).toMatchObject({
      name: 'dbs_global_exporter_process_open_fds',
      target: 800,
      describedObject: { apiVersion: 'batch/v1', kind: 'Job', name: 'dbs-global-r' },
    });
    expect(metric?.query).toContain('<<.Series>>');
    expect(effectiveSettings(catalog.cluster, s, 'prod').replicas).toBe(5);
  });

  it('routes /dbs/... to the Go server and /dbspy/... to the Python server', () => {
    expect(svc('dbs2go-global-r').urlPrefixes).toContain('/dbs/prod/global/DBSReader');
    expect(svc('dbs2go-global-r').ports?.http).toBe(9252);
  });

  it('fixes the real anomalies: t0reqmon autoscales in dmwm, where it runs', () => {
    const s = svc('t0reqmon');
    expect(s.namespace).toBe('dmwm');
    expect(s.autoscaling).toMatchObject({
      minReplicas: 5,
      maxReplicas: 8,
      cpuUtilization: 200,
      memoryUtilization: 300,
    });
  });

  it("gives every chart an initial tag that prod's tag policy accepts", () => {
    const prod = loadEnvironmentFile(
      'environments/prod/environment.yaml',
      readFileSync(join(ROOT, 'environments/prod/environment.yaml'), 'utf8'),
    );
    const policy = new RegExp(prod.environment!.promotion!.tagPolicy!.pattern);
    for (const s of catalog.services.filter((x) => !x.vm)) {
      // Entries whose manifest names no tag (`#imagetag` placeholders) take defaults.initialTag.
      expect(effectiveSettings(catalog.cluster, s, 'prod').initialTag, s.name).toMatch(policy);
    }
  });

  it('ships logs only from prod and preprod', () => {
    const logging = catalog.services.filter((s) => s.logging);
    expect(logging.length).toBeGreaterThan(10);
    for (const s of logging) {
      expect(effectiveSettings(catalog.cluster, s, 'dev').logging, s.name).toBe(false);
      expect(effectiveSettings(catalog.cluster, s, 'prod').logging, s.name).toBe(true);
    }
  });

  it('protects every service with more than one prod replica with a disruption budget', () => {
    for (const s of catalog.services.filter((x) => !x.vm)) {
      const prod = effectiveSettings(catalog.cluster, s, 'prod');
      const least = prod.autoscaling?.enabled ? prod.autoscaling.minReplicas : prod.replicas;
      if (least > 1) expect(s.podDisruptionBudget, s.name).toBeDefined();
    }
  });

  it('gives prod and preprod their own database accounts', () => {
    const withDb = catalog.services.filter((s) => effectiveSettings(catalog.cluster, s, 'prod').databaseSecret);
    expect(withDb.length).toBeGreaterThan(10);
    for (const s of withDb) {
      const [pre, prod] = ['preprod', 'prod'].map((e) => effectiveSettings(catalog.cluster, s, e).databaseSecret);
      expect(pre, s.name).toBeDefined();
      expect(pre, s.name).not.toBe(prod);
    }
  });

  it('uses each URL prefix once per environment and query condition (ms-unmerged is split by rse_type)', () => {
    const prefixes = catalog.cluster.environments.flatMap(({ name: env }) =>
      catalog.services.flatMap((s) =>
        (s.urlPrefixes ?? [])
          .filter((p) => prefixRoutedIn(p, env))
          .map((p) => `${env} ${prefixPath(p)}?${JSON.stringify(s.urlQuery ?? {})}`),
      ),
    );
    expect(new Set(prefixes).size).toBe(prefixes.length);
    // The real preprod routes /dqm/offline-test-new to the new DQM GUI in Kubernetes, prod to the VM.
    const owner = (env: string) =>
      catalog.services.find((s) =>
        s.urlPrefixes?.some((p) => prefixPath(p) === '/dqm/offline-test-new' && prefixRoutedIn(p, env)),
      )?.name;
    expect([owner('dev'), owner('preprod'), owner('prod')]).toEqual([undefined, 'newdqmgui', 'dqmgui-dev']);
    expect(svc('ms-unmer-t2t3').urlQuery).toEqual({ rse_type: 't2t3' });
  });

  it('uses the HPA features of the real cluster: utilisation above 100% and Object metrics with queries', () => {
    const autoscaled = catalog.services.filter((s) => s.autoscaling);
    expect(autoscaled.some((s) => (s.autoscaling?.cpuUtilization ?? 0) > 100)).toBe(true);
    const metrics = autoscaled.flatMap((s) => s.autoscaling?.customMetrics ?? []);
    expect(metrics.length).toBeGreaterThan(5);
    for (const m of metrics) expect(m.query, m.name).toBeTruthy();
  });
});

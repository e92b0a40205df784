import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runHelm } from '@cmsweb/toolchain';
import { generate } from '../src/index.js';
import { copyRepo, loadCatalogFrom, mapLimit, removeTempDirs, repoRoot } from './helpers.js';
import {
  buildDependencies,
  find,
  helmTemplate,
  mergeValues,
  readYaml,
  serviceChartDirs,
  vendorLibraryDirectory,
  type K8sObject,
} from './render.js';

// Every chart of the repository's real catalog, generated into a temp copy (with the repository's
// own overlays where they exist), checked by the real helm binary: lint --strict, and template with
// each environment's overlay. The rendered objects must say what the merged values say.
//
// Before/after proof of the library chart: the charts of BEFORE (the last commit whose charts carried
// their own copies of every template; CHARTS_BEFORE=<git ref> overrides it) render byte for byte what
// today's library-based charts render, for every service × environment, with the library resolved as
// Argo CD does (helm dependency build: a packaged .tgz) and as Flux does (the library directory loaded
// as it is).
const BEFORE = process.env.CHARTS_BEFORE ?? '0dfa83f627806aa632e0b601750effb792912b0a';
// Services added after BEFORE (new workload kinds and the workloads they unlocked) have no chart there to compare with.
const beforeAvailable = (() => {
  try {
    execFileSync('git', ['-C', repoRoot, 'cat-file', '-e', `${BEFORE}^{commit}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
if (!beforeAvailable)
  console.warn(
    `helm-real-catalog: commit ${BEFORE} is not in this clone (shallow?): the before/after equality test is skipped`,
  );

const CONCURRENCY = 4;
const FILEBEAT_MONITOR_PORT = 5066;
const FILEBEAT_LIVENESS = {
  httpGet: { path: '/', port: FILEBEAT_MONITOR_PORT },
  initialDelaySeconds: 30,
  periodSeconds: 30,
  timeoutSeconds: 5,
  failureThreshold: 3,
};

describe('real catalog rendered by the real helm', () => {
  let root = '';
  let services: Array<{ name: string; namespace: string }> = [];
  let envs: string[] = [];

  beforeAll(async () => {
    root = copyRepo(repoRoot, true);
    const r = await generate({ root, check: false });
    if (r.status !== 'ok') throw new Error(`real catalog does not generate: ${JSON.stringify(r.findings.slice(0, 5))}`);
    const catalog = loadCatalogFrom(root);
    services = catalog.services.filter((s) => !s.vm).map((s) => ({ name: s.name, namespace: s.namespace }));
    envs = catalog.cluster.environments.map((e) => e.name);
    expect(await buildDependencies(serviceChartDirs(root))).toEqual([]);
  }, 300_000);
  afterAll(removeTempDirs);
  /** What `helm template` printed for "<service>/<env>" with the library-based charts. */
  const rendered = new Map<string, string>();

  it('generates a chart for every Kubernetes service, the library chart, and none for VM services', () => {
    expect(services.length).toBeGreaterThan(0);
    expect(
      readdirSync(join(root, 'charts'))
        .filter((n) => n !== '.generated')
        .sort(),
    ).toEqual(['_library', ...services.map((s) => s.name)].sort());
  });

  it('the library chart passes helm lint --strict', async () => {
    const r = await runHelm(['lint', '--strict', join(root, 'charts', '_library')]);
    expect(`${r.code} ${r.stderr}`).toBe('0 ');
  });

  it('every chart passes helm lint --strict', async () => {
    const results = await mapLimit(services, CONCURRENCY, async (s) => ({
      s: s.name,
      r: await runHelm(['lint', '--strict', join(root, 'charts', s.name)]),
    }));
    const failed = results.filter((x) => x.r.code !== 0).map((x) => `${x.s}: ${x.r.stdout}${x.r.stderr}`);
    expect(failed).toEqual([]);
  }, 300_000);

  it('helm template succeeds for every chart with every environment overlay, matching the merged values', async () => {
    const jobs = services.flatMap((s) => envs.map((env) => ({ ...s, env })));
    const problems = (
      await mapLimit(jobs, CONCURRENCY, async (j) => {
        // As the Argo CD Application lists them: the catalog's values-<env>.yaml, then the overlay.
        const envValues = join(root, 'charts', j.name, `values-${j.env}.yaml`);
        const overlay = join(root, 'environments', j.env, 'values', `${j.name}.yaml`);
        const r = await helmTemplate(root, j.name, j.namespace, [envValues, overlay]);
        if (r.code !== 0) return [`${j.name}/${j.env}: helm template failed: ${r.stderr}`];
        rendered.set(`${j.name}/${j.env}`, r.stdout);
        const values = mergeValues(
          mergeValues(readYaml(join(root, 'charts', j.name, 'values.yaml')), readYaml(envValues)),
          readYaml(overlay),
        ) as K8sObject;
        return checkRendered(j.name, j.namespace, j.env, values, r.objects).map((p) => `${j.name}/${j.env}: ${p}`);
      })
    ).flat();
    expect(problems).toEqual([]);
  }, 600_000);

  it.skipIf(!beforeAvailable)(
    `renders every service × environment byte for byte as the charts of ${BEFORE.slice(0, 12)} did (Argo CD's dependency build)`,
    async () => {
      const before = mkdtempSync(join(tmpdir(), 'chartgen-before-'));
      try {
        execFileSync('sh', [
          '-c',
          'git -C "$0" archive "$1" charts environments | tar -x -C "$2"',
          repoRoot,
          BEFORE,
          before,
        ]);
        const beforeCharts = readdirSync(join(before, 'charts')).sort();
        const names = services.map((s) => s.name);
        expect(beforeCharts.filter((c) => !names.includes(c))).toEqual([]);
        const jobs = services
          .filter((s) => beforeCharts.includes(s.name))
          .flatMap((s) => envs.map((env) => ({ ...s, env })));
        expect(jobs.length).toBeGreaterThanOrEqual(42 * envs.length);
        const differing = (
          await mapLimit(jobs, CONCURRENCY, async (j) => {
            // The overlays of that commit too: they held the catalog's settings that values-<env>.yaml holds now.
            const r = await helmTemplate(before, j.name, j.namespace, [
              join(before, 'environments', j.env, 'values', `${j.name}.yaml`),
            ]);
            const now = rendered.get(`${j.name}/${j.env}`);
            return r.code === 0 && now === r.stdout
              ? []
              : [`${j.name}/${j.env}: ${r.code === 0 ? firstDifference(r.stdout, now ?? '(not rendered)') : r.stderr}`];
          })
        ).flat();
        expect(rendered.size).toBe(services.length * envs.length);
        expect(differing).toEqual([]);
      } finally {
        rmSync(before, { recursive: true, force: true });
      }
    },
    600_000,
  );

  it("renders identically with the library loaded as a directory (Flux source-controller's local dependency)", async () => {
    const flux = mkdtempSync(join(tmpdir(), 'chartgen-flux-'));
    try {
      cpSync(join(root, 'charts'), join(flux, 'charts'), {
        recursive: true,
        filter: (src) => !/\/charts\/[^/]+\/(charts|Chart\.lock)$/.test(src),
      });
      vendorLibraryDirectory(flux, serviceChartDirs(flux));
      const env = envs[envs.length - 1]!;
      const differing = (
        await mapLimit(services, CONCURRENCY, async (s) => {
          const r = await helmTemplate(flux, s.name, s.namespace, [
            join(flux, 'charts', s.name, `values-${env}.yaml`),
            join(root, 'environments', env, 'values', `${s.name}.yaml`),
          ]);
          return r.code === 0 && r.stdout === rendered.get(`${s.name}/${env}`)
            ? []
            : [
                `${s.name}/${env}: ${r.code === 0 ? firstDifference(r.stdout, rendered.get(`${s.name}/${env}`) ?? '') : r.stderr}`,
              ];
        })
      ).flat();
      expect(differing).toEqual([]);
    } finally {
      rmSync(flux, { recursive: true, force: true });
    }
  }, 600_000);
});

/** The first line where two renderings differ, for a readable failure. */
function firstDifference(a: string, b: string): string {
  const x = a.split('\n');
  const y = b.split('\n');
  const i = x.findIndex((line, k) => line !== y[k]);
  const at = i === -1 ? x.length : i;
  return `line ${at + 1}: before ${JSON.stringify(x[at])}, now ${JSON.stringify(y[at])}`;
}

/** What every rendered release must contain, derived from its merged values. */
function checkRendered(name: string, namespace: string, env: string, v: K8sObject, objects: K8sObject[]): string[] {
  const out: string[] = [];
  const expectEq = (what: string, actual: unknown, expected: unknown) => {
    if (!isDeepStrictEqual(actual, expected))
      out.push(`${what}: got ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
  };
  // The workload of the chart's kind; its pod template where that kind keeps it.
  const workload = find(objects, v.kind, name);
  if (!workload) return [`no ${v.kind}`];
  const deploy = v.kind === 'CronJob' ? { spec: workload.spec.jobTemplate.spec } : workload;
  for (const o of objects)
    if (!['ClusterRole', 'ClusterRoleBinding'].includes(o.kind))
      expectEq(`${o.kind} namespace`, o.metadata?.namespace, namespace);
  const main = deploy.spec.template.spec.containers[0];
  const image = v.image.digest ? `${v.image.repository}@${v.image.digest}` : `${v.image.repository}:${v.image.tag}`;
  expectEq('image', main.image, image);
  const svc = find(objects, 'Service', name);
  if (v.ports.http) {
    expectEq('http port', main.ports.find((p: K8sObject) => p.name === 'http')?.containerPort, v.ports.http);
    expectEq('Service port', svc?.spec.ports[0], {
      name: 'http',
      port: v.ports.servicePort,
      targetPort: 'http',
      protocol: v.ports.protocol ?? 'TCP',
    });
  } else expectEq('Service of a worker without ports', svc, undefined);
  const hpa = find(objects, 'HorizontalPodAutoscaler', name);
  expectEq('HPA present', Boolean(hpa), v.autoscaling.enabled);
  if (['Deployment', 'StatefulSet'].includes(v.kind))
    expectEq('replicas', deploy.spec.replicas, v.autoscaling.enabled ? undefined : v.replicaCount);
  if (hpa) {
    expectEq('HPA apiVersion', hpa.apiVersion, 'autoscaling/v2');
    expectEq(
      'HPA bounds',
      [hpa.spec.minReplicas, hpa.spec.maxReplicas],
      [v.autoscaling.minReplicas, v.autoscaling.maxReplicas],
    );
    const wanted =
      (v.autoscaling.cpuUtilization ? 1 : 0) +
      (v.autoscaling.memoryUtilization ? 1 : 0) +
      v.autoscaling.customMetrics.length;
    expectEq('HPA metric count', (hpa.spec.metrics ?? []).length, wanted);
  }
  const containers: string[] = deploy.spec.template.spec.containers.map((c: K8sObject) => c.name);
  expectEq('containers', containers, [
    name,
    ...(v.logging.enabled ? ['filebeat'] : []),
    ...v.sidecars.map((s: K8sObject) => s.name),
  ]);
  const volumes = deploy.spec.template.spec.volumes ?? [];
  if (v.logging.enabled) {
    const claim = volumes.find((x: K8sObject) => x.name === 'cmsweb-logs')?.persistentVolumeClaim?.claimName;
    expectEq('log claim', claim, v.logging.claimName || `logs-cephfs-claim-${env}-${namespace}`);
    const filebeat = deploy.spec.template.spec.containers.find((c: K8sObject) => c.name === 'filebeat');
    expectEq('filebeat livenessProbe', filebeat?.livenessProbe, FILEBEAT_LIVENESS);
    expectEq('filebeat ports', filebeat?.ports, undefined);
    const config = parse(
      find(objects, 'ConfigMap', `${name}-filebeat`)?.data?.['filebeat.yml'] ?? '',
    ) as K8sObject | null;
    expectEq(
      'filebeat http endpoint',
      [config?.['http.enabled'], config?.['http.host'], config?.['http.port']],
      [true, '0.0.0.0', FILEBEAT_MONITOR_PORT],
    );
    const podPorts = deploy.spec.template.spec.containers.flatMap((c: K8sObject) =>
      (c.ports ?? []).map((p: K8sObject) => p.containerPort),
    );
    expectEq(
      `container ports on the filebeat monitoring port ${FILEBEAT_MONITOR_PORT}`,
      podPorts.filter((p: number) => p === FILEBEAT_MONITOR_PORT),
      [],
    );
  }
  expectEq(
    'grid-security hostPath',
    Boolean(
      volumes.find((x: K8sObject) => x.name === 'etc-grid-security' && x.hostPath?.path === '/etc/grid-security'),
    ),
    v.gridSecurity.enabled,
  );
  expectEq('NetworkPolicy present', Boolean(find(objects, 'NetworkPolicy', name)), v.networkPolicy.enabled);
  expectEq('nodeSelector', deploy.spec.template.spec.nodeSelector ?? {}, v.nodeSelector);
  expectEq('resources', main.resources ?? {}, v.resources);
  return out;
}

import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { generate } from '../src/index.js';
import { copyRepo, fixtureRepo, removeTempDirs } from './helpers.js';
import { buildDependencies, find, helmTemplate, serviceChartDirs, writeOverlay, type K8sObject } from './render.js';

// The fixture charts rendered by the real helm with their generated overlays: the objects must carry
// the catalog's images, ports, HPA metrics, volumes and sidecars. Assertions are on parsed objects.

const DIGEST = `sha256:${'ab12'.repeat(16)}`;

describe('fixture charts rendered by the real helm', { timeout: 120_000 }, () => {
  let root = '';
  const render = (svc: string, ns: string, env: string, extra: string[] = []) =>
    helmTemplate(root, svc, ns, [
      join(root, 'charts', svc, `values-${env}.yaml`),
      join(root, 'environments', env, 'values', `${svc}.yaml`),
      ...extra,
    ]);
  const ok = async (svc: string, ns: string, env: string, extra: string[] = []) => {
    const r = await render(svc, ns, env, extra);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    return r.objects;
  };

  beforeAll(async () => {
    root = copyRepo(fixtureRepo);
    const r = await generate({ root, check: false });
    expect(r.status).toBe('ok');
    expect(await buildDependencies(serviceChartDirs(root))).toEqual([]);
  }, 120_000);
  afterAll(removeTempDirs);

  describe('alpha in prod (HPA with Pods and Object metrics, logging, every volume kind)', () => {
    let objects: K8sObject[] = [];
    let pod: K8sObject = {};
    let main: K8sObject = {};
    beforeAll(async () => {
      objects = await ok('alpha', 'web', 'prod');
      pod = find(objects, 'Deployment', 'alpha')!.spec.template.spec;
      main = pod.containers[0];
    }, 120_000);

    it('runs the overlay tag and omits replicas under the HPA', () => {
      expect(main.image).toBe('registry.example.org/cmsweb/alpha:1.4.0-stable');
      expect(main.imagePullPolicy).toBe('Always');
      expect(find(objects, 'Deployment', 'alpha')!.spec.replicas).toBeUndefined();
    });

    it('scales on CPU above 100 %, memory, a Pods and an Object metric', () => {
      const hpa = find(objects, 'HorizontalPodAutoscaler', 'alpha')!;
      expect(hpa.apiVersion).toBe('autoscaling/v2');
      expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'alpha' });
      expect([hpa.spec.minReplicas, hpa.spec.maxReplicas]).toEqual([2, 6]);
      expect(hpa.spec.metrics).toEqual([
        { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 250 } } },
        { type: 'Resource', resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: 150 } } },
        {
          type: 'Pods',
          pods: { metric: { name: 'alpha_requests_per_second' }, target: { type: 'AverageValue', averageValue: '50' } },
        },
        {
          type: 'Object',
          object: {
            metric: { name: 'alpha_open_fds' },
            describedObject: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'alpha' },
            target: { type: 'Value', value: '800' },
          },
        },
      ]);
    });

    it('has its ports, probes, env sources and prometheus annotations', () => {
      expect(main.ports).toEqual([
        { name: 'http', containerPort: 8080, protocol: 'TCP' },
        { name: 'metrics', containerPort: 18080, protocol: 'TCP' },
      ]);
      expect(main.livenessProbe).toEqual({
        httpGet: { path: '/alpha/healthz', port: 8080 },
        initialDelaySeconds: 30,
        periodSeconds: 10,
      });
      expect(main.readinessProbe).toEqual({ tcpSocket: { port: 8080 } });
      expect(main.startupProbe).toEqual({ exec: { command: ['cat', '/tmp/started'] }, failureThreshold: 30 });
      expect(main.env).toEqual([
        { name: 'DB_URL', valueFrom: { secretKeyRef: { name: 'alpha-db', key: 'url' } } },
        { name: 'FEATURES', valueFrom: { configMapKeyRef: { name: 'alpha-features', key: 'list' } } },
        { name: 'MODE', value: 'reader' },
        { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      ]);
      const annotations = find(objects, 'Deployment', 'alpha')!.spec.template.metadata.annotations;
      expect(annotations).toMatchObject({
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': '18080',
        'prometheus.io/path': '/metrics',
      });
      expect(pod.nodeSelector).toEqual({ role: 'prod-services' });
      expect(main.resources).toEqual({
        requests: { cpu: '200m', memory: '512Mi' },
        limits: { cpu: '2', memory: '4Gi' },
      });
    });

    it('mounts secrets, config maps, grid-security read-only, the database secret and the log claim', () => {
      const volumes = Object.fromEntries(pod.volumes.map((v: K8sObject) => [v.name, v]));
      expect(volumes['alpha-secrets']).toEqual({ name: 'alpha-secrets', secret: { secretName: 'alpha-secrets' } });
      expect(volumes['proxy']).toEqual({ name: 'proxy', secret: { secretName: 'proxy-secrets' } });
      expect(volumes['run']).toEqual({ name: 'run', configMap: { name: 'alpha-run', defaultMode: 493 } });
      expect(volumes['etc-grid-security']).toEqual({
        name: 'etc-grid-security',
        hostPath: { path: '/etc/grid-security', type: 'Directory' },
      });
      expect(volumes['database-secret']).toEqual({ name: 'database-secret', secret: { secretName: 'alpha-prod-db' } });
      expect(volumes['fixture-logs']).toEqual({
        name: 'fixture-logs',
        persistentVolumeClaim: { claimName: 'logs-cephfs-claim-prod-web' },
      });
      const mounts = Object.fromEntries(main.volumeMounts.map((m: K8sObject) => [m.name, m]));
      expect(mounts['etc-grid-security']).toEqual({
        name: 'etc-grid-security',
        mountPath: '/etc/grid-security',
        readOnly: true,
      });
      expect(mounts['fixture-logs'].mountPath).toBe('/data/srv/logs/alpha');
      expect(mounts['database-secret']).toEqual({
        name: 'database-secret',
        mountPath: '/etc/database',
        readOnly: true,
      });
    });

    it('runs the filebeat sidecar with its config from the generated ConfigMap', () => {
      const filebeat = pod.containers.find((c: K8sObject) => c.name === 'filebeat');
      expect(filebeat.image).toBe('docker.elastic.co/beats/filebeat:7.12.0');
      expect(filebeat.volumeMounts.map((m: K8sObject) => m.name)).toEqual([
        'fixture-logs',
        'filebeat-config',
        'filebeat-data',
      ]);
      const config = find(objects, 'ConfigMap', 'alpha-filebeat')!;
      expect(config.data['filebeat.yml']).toContain('- /data/srv/logs/alpha/*${MY_POD_NAME}*.log');
      expect(find(objects, 'ConfigMap', 'alpha-run')!.data['run.sh']).toContain('exec /usr/bin/alpha --port 8080');
    });

    it('probes filebeat on its monitoring endpoint, which no port, Service or NetworkPolicy declares', () => {
      const filebeat = pod.containers.find((c: K8sObject) => c.name === 'filebeat');
      expect(filebeat.livenessProbe).toEqual({
        httpGet: { path: '/', port: 5066 },
        initialDelaySeconds: 30,
        periodSeconds: 30,
        timeoutSeconds: 5,
        failureThreshold: 3,
      });
      expect(filebeat.readinessProbe).toBeUndefined();
      expect(filebeat.ports).toBeUndefined();
      const config = parse(find(objects, 'ConfigMap', 'alpha-filebeat')!.data['filebeat.yml']) as K8sObject;
      expect([config['http.enabled'], config['http.host'], config['http.port']]).toEqual([true, '0.0.0.0', 5066]);
      const declared = [
        ...pod.containers.flatMap((c: K8sObject) => (c.ports ?? []).map((p: K8sObject) => p.containerPort)),
        ...find(objects, 'Service', 'alpha')!.spec.ports.flatMap((p: K8sObject) => [p.port, p.targetPort]),
        ...find(objects, 'NetworkPolicy', 'alpha')!.spec.ingress.flatMap((r: K8sObject) =>
          r.ports.map((p: K8sObject) => p.port),
        ),
      ];
      expect(declared).not.toContain(5066);
    });

    it('admits only the frontend on the service port and Prometheus on the metrics port', () => {
      const np = find(objects, 'NetworkPolicy', 'alpha')!;
      expect(np.spec.policyTypes).toEqual(['Ingress']);
      expect(np.spec.ingress).toEqual([
        {
          from: [
            {
              namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'auth' } },
              podSelector: { matchLabels: { app: 'frontend' } },
            },
          ],
          ports: [{ protocol: 'TCP', port: 8080 }],
        },
        {
          from: [
            {
              namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } },
              podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } },
            },
          ],
          ports: [{ protocol: 'TCP', port: 18080 }],
        },
      ]);
      expect(find(objects, 'PodDisruptionBudget', 'alpha')!.spec.minAvailable).toBe(1);
    });
  });

  it('alpha in dev: no HPA, fixed replicas, no filebeat, the dev database account', async () => {
    const objects = await ok('alpha', 'web', 'dev');
    const deploy = find(objects, 'Deployment', 'alpha')!;
    expect(find(objects, 'HorizontalPodAutoscaler')).toBeUndefined();
    expect(deploy.spec.replicas).toBe(1);
    expect(deploy.spec.template.spec.containers.map((c: K8sObject) => c.name)).toEqual(['alpha']);
    expect(
      deploy.spec.template.spec.volumes.find((v: K8sObject) => v.name === 'database-secret').secret.secretName,
    ).toBe('alpha-dev-db');
    expect(find(objects, 'ConfigMap', 'alpha-filebeat')).toBeUndefined();
  });

  it('beta in dev: the exporter sidecar, exposed extra ports and the dev-only variable', async () => {
    const objects = await ok('beta', 'web', 'dev');
    const pod = find(objects, 'Deployment', 'beta')!.spec.template.spec;
    expect(pod.containers[0].image).toBe('registry.example.org/cmsweb/beta:0.9.0-rc1');
    expect(pod.containers[0].env).toEqual([{ name: 'BETA_DEBUG', value: '1' }]);
    const exporter = pod.containers.find((c: K8sObject) => c.name === 'exporter');
    expect(exporter).toMatchObject({
      image: 'registry.example.org/cmsweb/exporters:2.1',
      ports: [{ name: 'exporter', containerPort: 19000, protocol: 'TCP' }],
      volumeMounts: [{ name: 'beta-secrets', mountPath: '/etc/beta', readOnly: true }],
      env: [{ name: 'EXPORTER_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } }],
    });
    expect(find(objects, 'Service', 'beta')!.spec.ports).toEqual([
      { name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' },
      { name: 'grpc', port: 9090, targetPort: 'grpc', protocol: 'TCP' },
    ]);
    const np = find(objects, 'NetworkPolicy', 'beta')!;
    expect(np.spec.ingress.map((r: K8sObject) => r.ports.map((p: K8sObject) => p.port))).toEqual([
      [9000, 9090],
      [19000],
    ]);
    expect(find(objects, 'PodDisruptionBudget')).toBeUndefined();
  });

  it('beta in prod: the database secret exposed as env when database.envFrom is switched on', async () => {
    const extra = writeOverlay(root, 'beta-envfrom.yaml', 'database:\n  envFrom: true\n  mountPath: ""\n');
    const pod = find(await ok('beta', 'web', 'prod', [extra]), 'Deployment', 'beta')!.spec.template.spec;
    expect(pod.containers[0].envFrom).toEqual([{ secretRef: { name: 'beta-prod-db' } }]);
    expect(pod.volumes.find((v: K8sObject) => v.name === 'database-secret')).toBeUndefined();
  });

  it('pins the image by digest when the overlay sets image.digest', async () => {
    const extra = writeOverlay(root, 'digest.yaml', `image:\n  digest: ${DIGEST}\n`);
    const deploy = find(await ok('delta', 'tools', 'prod', [extra]), 'Deployment', 'delta')!;
    expect(deploy.spec.template.spec.containers[0].image).toBe(`registry.example.org/cmsweb/delta@${DIGEST}`);
  });

  it('delta (defaults only) renders the cluster defaults', async () => {
    const objects = await ok('delta', 'tools', 'dev');
    const pod = find(objects, 'Deployment', 'delta')!.spec.template.spec;
    expect(pod.containers[0].image).toBe('registry.example.org/cmsweb/delta:v0.0.1-stable');
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 1000 });
    expect(pod.containers[0].securityContext).toEqual({ allowPrivilegeEscalation: false });
    expect(pod.volumes).toBeUndefined();
    expect(objects.map((o) => o.kind).sort()).toEqual(['Deployment', 'NetworkPolicy', 'Service']);
  });

  describe('values.schema.json makes helm refuse a bad overlay', () => {
    it('a typo key (replicaz) fails citing the schema and the key', async () => {
      const typo = writeOverlay(root, 'typo.yaml', 'replicaz: 2\n');
      const r = await render('delta', 'tools', 'prod', [typo]);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/schema/);
      expect(r.stderr).toMatch(/additional propert(y|ies) 'replicaz' not allowed/);
    });

    it('a nested typo key fails too (additionalProperties false at every level)', async () => {
      const typo = writeOverlay(root, 'nested.yaml', 'autoscaling:\n  minReplica: 2\n');
      const r = await render('alpha', 'web', 'prod', [typo]);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/'minReplica' not allowed/);
    });

    it.each([
      ['a numeric tag', 'image:\n  tag: 1.5\n', /image\/tag/],
      ['a malformed digest', 'image:\n  digest: sha256:xyz\n', /image\/digest/],
      ['an unknown environment', 'environment: prd\n', /environment/],
      ['replicaCount as a string', 'replicaCount: "3"\n', /replicaCount/],
    ])('%s fails the schema', async (_what, text, where) => {
      const bad = writeOverlay(root, 'bad.yaml', text);
      const r = await render('alpha', 'web', 'prod', [bad]);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/schema/);
      expect(r.stderr).toMatch(where);
    });

    it('logging without an environment fails with a message naming the overlay', async () => {
      const bad = writeOverlay(root, 'noenv.yaml', 'environment: ""\n');
      const r = await render('alpha', 'web', 'prod', [bad]);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain(
        'logging.enabled needs environment (or logging.claimName): set it in environments/<env>/values/alpha.yaml',
      );
    });
  });
});

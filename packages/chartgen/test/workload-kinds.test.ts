import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { generate } from '../src/index.js';
import { copyRepo, mapLimit, packageDir, removeTempDirs } from './helpers.js';
import {
  find,
  helmTemplate,
  lintCharts,
  serviceChartDirs,
  vendorLibraryDirectory,
  writeOverlay,
  type K8sObject,
} from './render.js';

// The workload kinds and pod features, end to end with the real helm: the fixture catalog test/fixtures/kinds
// (a DaemonSet, a StatefulSet, a CronJob, a Job, a worker without ports, a UDP service) is generated, every
// chart passes helm lint --strict, and every service × environment renders byte for byte as its golden file
// test/golden-kinds/<service>.<env>.yaml (regenerate deliberately with UPDATE_GOLDEN=1, then review the diff).

const kindsRepo = join(packageDir, 'test', 'fixtures', 'kinds');
const goldenKinds = join(packageDir, 'test', 'golden-kinds');
const SERVICES: Record<string, string> = {
  datagram: 'web',
  migrate: 'web',
  nodeagent: 'tools',
  report: 'tools',
  store: 'web',
  worker: 'web',
};
const ENVS = ['dev', 'prod'];

describe('workload kinds rendered by the real helm', () => {
  let root = '';
  const rendered = new Map<string, { stdout: string; objects: K8sObject[] }>();

  beforeAll(async () => {
    root = copyRepo(kindsRepo);
    const r = await generate({ root, check: false });
    if (r.status !== 'ok') throw new Error(`kinds catalog does not generate: ${JSON.stringify(r.findings)}`);
    vendorLibraryDirectory(root, serviceChartDirs(root));
    const jobs = Object.keys(SERVICES).flatMap((name) => ENVS.map((env) => ({ name, env })));
    await mapLimit(jobs, 4, async ({ name, env }) => {
      const t = await render(name, env);
      if (t.code !== 0) throw new Error(`${name}/${env}: ${t.stderr}`);
      rendered.set(`${name}.${env}`, { stdout: t.stdout, objects: t.objects });
    });
    if (process.env.UPDATE_GOLDEN === '1') {
      rmSync(goldenKinds, { recursive: true, force: true });
      mkdirSync(goldenKinds, { recursive: true });
      for (const [key, r] of rendered) writeFileSync(join(goldenKinds, `${key}.yaml`), r.stdout);
    }
  }, 300_000);
  afterAll(removeTempDirs);

  const render = (name: string, env: string, extra: string[] = []) =>
    helmTemplate(root, name, SERVICES[name]!, [
      join(root, 'charts', name, `values-${env}.yaml`),
      join(root, 'environments', env, 'values', `${name}.yaml`),
      ...extra,
    ]);
  const objects = (key: string) => rendered.get(key)!.objects;

  it('every chart passes helm lint --strict', async () => {
    expect(await lintCharts(Object.keys(SERVICES).map((s) => join(root, 'charts', s)))).toEqual([]);
  }, 120_000);

  it('renders every service × environment as its golden file', () => {
    expect(readdirSync(goldenKinds).sort()).toEqual([...rendered.keys()].map((k) => `${k}.yaml`).sort());
    for (const [key, r] of rendered) expect(r.stdout, key).toBe(readFileSync(join(goldenKinds, `${key}.yaml`), 'utf8'));
  });

  it('each service renders exactly its workload kind', () => {
    const workloads = ['Deployment', 'DaemonSet', 'StatefulSet', 'CronJob', 'Job'];
    const kinds = Object.fromEntries(
      Object.keys(SERVICES).map((s) => [
        s,
        objects(`${s}.prod`)
          .filter((o) => workloads.includes(o.kind))
          .map((o) => o.kind),
      ]),
    );
    expect(kinds).toEqual({
      datagram: ['Deployment'],
      migrate: ['Job'],
      nodeagent: ['DaemonSet'],
      report: ['CronJob'],
      store: ['StatefulSet'],
      worker: ['Deployment'],
    });
  });

  it('a worker without ports has no Service, no container port, and a NetworkPolicy admitting no one', () => {
    const o = objects('worker.prod');
    expect(find(o, 'Service')).toBeUndefined();
    const pod = find(o, 'Deployment')!.spec.template.spec;
    expect(pod.containers[0].ports).toBeUndefined();
    expect(find(o, 'NetworkPolicy')!.spec.ingress).toEqual([]);
    const proxy = pod.containers[1];
    expect(proxy).toMatchObject({
      name: 'proxy',
      imagePullPolicy: 'Always',
      envFrom: [{ secretRef: { name: 'proxy-secrets' } }],
      livenessProbe: { exec: { command: ['/bin/proxy-check'] }, periodSeconds: 30 },
      securityContext: { runAsUser: 2000, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
      lifecycle: { preStop: { exec: { command: ['sleep', '5'] } } },
    });
  });

  it('UDP ports reach the container, the Service and the NetworkPolicy as UDP', () => {
    const o = objects('datagram.prod');
    expect(find(o, 'Deployment')!.spec.template.spec.containers[0].ports).toEqual([
      { name: 'http', containerPort: 9331, protocol: 'UDP' },
    ]);
    expect(find(o, 'Service')!.spec.ports[0]).toMatchObject({ port: 9331, protocol: 'UDP' });
    expect(find(o, 'NetworkPolicy')!.spec.ingress[0].ports).toEqual([{ protocol: 'UDP', port: 9331 }]);
    const agent = objects('nodeagent.prod');
    expect(find(agent, 'Service')!.spec.ports[1]).toMatchObject({ name: 'syslog', port: 5514, protocol: 'UDP' });
  });

  it('the HPA scales on External metrics with its behavior, an environment merging into it as helm merges values', () => {
    const hpa = (env: string) => find(objects(`datagram.${env}`), 'HorizontalPodAutoscaler')!.spec;
    expect(hpa('dev').metrics).toEqual([
      {
        type: 'External',
        external: {
          metric: { name: 'datagram_queue_depth', selector: { matchLabels: { queue: 'datagram' } } },
          target: { type: 'AverageValue', averageValue: '30' },
        },
      },
      {
        type: 'External',
        external: { metric: { name: 'datagram_backlog' }, target: { type: 'Value', value: '1k' } },
      },
    ]);
    expect(hpa('dev').behavior).toEqual({
      scaleDown: { stabilizationWindowSeconds: 600, policies: [{ type: 'Pods', value: 1, periodSeconds: 120 }] },
      scaleUp: {
        selectPolicy: 'Max',
        policies: [
          { type: 'Percent', value: 100, periodSeconds: 60 },
          { type: 'Pods', value: 2, periodSeconds: 60 },
        ],
      },
    });
    // prod replaces the scaleDown policies (a list) and keeps the window (a key): helm's coalescing, as the catalog says.
    expect(hpa('prod').behavior.scaleDown).toEqual({
      stabilizationWindowSeconds: 600,
      policies: [{ type: 'Percent', value: 10, periodSeconds: 300 }],
    });
    expect(hpa('prod').behavior.scaleUp).toEqual(hpa('dev').behavior.scaleUp);
  });

  it("the Ingress of the environments cluster.yaml names routes the service's prefixes on each host to its Service port", () => {
    expect(find(objects('nodeagent.dev'), 'Ingress')).toBeUndefined();
    const ing = find(objects('nodeagent.prod'), 'Ingress')!;
    const svc = find(objects('nodeagent.prod'), 'Service')!;
    expect(ing.metadata.annotations).toEqual({
      'nginx.ingress.kubernetes.io/whitelist-source-range': '10.0.0.0/8,192.0.2.7',
    });
    const backend = { service: { name: 'nodeagent', port: { number: svc.spec.ports[0].port } } };
    expect(ing.spec).toEqual({
      ingressClassName: 'nginx',
      rules: ['web.example.org', 'web-alias.example.org'].map((host) => ({
        host,
        http: { paths: [{ path: '/nodeagent', pathType: 'Prefix', backend }] },
      })),
    });
  });

  it('podLabels label the pods, not the selector', () => {
    const ds = find(objects('nodeagent.prod'), 'DaemonSet')!;
    expect(ds.spec.template.metadata.labels.app).toBe('nodeagent');
    expect(ds.spec.selector.matchLabels.app).toBeUndefined();
    expect(ds.metadata.labels.app).toBeUndefined();
  });

  it("the NetworkPolicy admits the frontend's peers of each environment (cluster.yaml frontend.peers)", () => {
    const peers = (env: string) =>
      find(objects(`store.${env}`), 'NetworkPolicy')!
        .spec.ingress.filter((r: { from: Array<{ namespaceSelector: object }> }) =>
          r.from.some((p) => JSON.stringify(p.namespaceSelector).match(/auth|kube-system/)),
        )
        .map((r: { from: object[] }) => r.from);
    const frontend = {
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'auth' } },
      podSelector: { matchLabels: { app: 'frontend' } },
    };
    expect(peers('dev')).toEqual([[frontend]]);
    expect(peers('prod')).toEqual([
      [
        {
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
          podSelector: { matchLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } },
        },
      ],
      [frontend],
    ]);
  });

  it('the NetworkPolicy admits the allowFrom clients on the service ports: a catalog service by its pods, a namespace', () => {
    const ingress = find(objects('datagram.prod'), 'NetworkPolicy')!.spec.ingress;
    const ports = [{ protocol: 'UDP', port: 9331 }];
    expect(ingress.slice(2)).toEqual([
      {
        from: [
          {
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'web' } },
            podSelector: { matchLabels: { 'app.kubernetes.io/instance': 'store', 'app.kubernetes.io/name': 'store' } },
          },
        ],
        ports,
      },
      {
        from: [
          {
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'tools' } },
            podSelector: { matchLabels: { role: 'probe' } },
          },
        ],
        ports,
      },
    ]);
    // The store's pods really carry the labels the policy selects.
    const store = find(objects('store.prod'), 'StatefulSet')!;
    expect(store.metadata.namespace).toBe('web');
    expect(store.spec.template.metadata.labels).toMatchObject(ingress[2].from[0].podSelector.matchLabels);
  });

  it('the DaemonSet runs on the node network of the selected, tainted nodes with an allowed host path', () => {
    const pod = find(objects('nodeagent.prod'), 'DaemonSet')!.spec.template.spec;
    expect(pod).toMatchObject({
      hostNetwork: true,
      dnsPolicy: 'ClusterFirstWithHostNet',
      nodeSelector: { role: 'auth' },
      tolerations: [{ key: 'node-role.kubernetes.io/auth', operator: 'Exists', effect: 'NoSchedule' }],
      volumes: [{ name: 'varlog', hostPath: { path: '/var/log', type: 'Directory' } }],
    });
    expect(pod.containers[0].volumeMounts).toEqual([{ name: 'varlog', mountPath: '/host/var/log', readOnly: true }]);
    expect(pod.containers[0].livenessProbe.httpGet.httpHeaders).toEqual([{ name: 'Host', value: 'localhost' }]);
    expect(pod.containers[0].securityContext.seccompProfile).toEqual({ type: 'RuntimeDefault' });
  });

  it('the StatefulSet names its headless Service and gives each pod a claim', () => {
    const o = objects('store.prod');
    expect(find(o, 'Service')!.spec.clusterIP).toBe('None');
    const sts = find(o, 'StatefulSet')!;
    expect(sts.spec.serviceName).toBe('store');
    expect(sts.spec.volumeClaimTemplates[0].spec).toEqual({
      accessModes: ['ReadWriteOnce'],
      storageClassName: 'cephfs',
      resources: { requests: { storage: '20Gi' } },
    });
    expect(sts.spec.template.spec.containers[0].volumeMounts).toEqual([{ name: 'data', mountPath: '/data/db' }]);
    expect(sts.spec.template.spec.initContainers[0].name).toBe('wait-for-dns');
  });

  it("the CronJob takes each environment's schedule and suspension, and its ServiceAccount gets its rules", () => {
    const cron = (env: string) => find(objects(`report.${env}`), 'CronJob')!.spec;
    expect(cron('dev')).toMatchObject({ schedule: '*/10 * * * *', suspend: true, timeZone: 'Europe/Zurich' });
    expect(cron('prod').schedule).toBe('5 * * * *');
    expect(cron('prod').suspend).toBeUndefined();
    expect(cron('prod').jobTemplate.spec.template.spec).toMatchObject({
      restartPolicy: 'OnFailure',
      serviceAccountName: 'report',
      imagePullSecrets: [{ name: 'registry-credentials' }],
    });
    const o = objects('report.prod');
    expect(find(o, 'RoleBinding')!.subjects).toEqual([{ kind: 'ServiceAccount', name: 'report', namespace: 'tools' }]);
    expect(find(o, 'ClusterRole')!.metadata.name).toBe('tools-report');
    const project = parse(readFileSync(join(root, 'environments', 'prod', 'argocd', 'project.yaml'), 'utf8'));
    expect(project.spec.clusterResourceWhitelist.map((k: K8sObject) => k.kind)).toEqual([
      'Namespace',
      'ClusterRole',
      'ClusterRoleBinding',
    ]);
  });

  it('the Job never restarts and keeps its settings', () => {
    const job = find(objects('migrate.prod'), 'Job')!.spec;
    expect(job).toMatchObject({ backoffLimit: 0, ttlSecondsAfterFinished: 600 });
    expect(job.template.spec.restartPolicy).toBe('Never');
    expect(job.template.spec.volumes).toEqual([
      { name: 'scratch', emptyDir: { sizeLimit: '1Gi' } },
      { name: 'scripts', configMap: { name: 'migrate-scripts', defaultMode: 493 } },
    ]);
  });

  it('an overlay that autoscales a DaemonSet or names an unknown kind fails the render with a clear message', async () => {
    const auto = writeOverlay(root, 'auto.yaml', 'autoscaling: { enabled: true, minReplicas: 1, maxReplicas: 2 }\n');
    const a = await render('nodeagent', 'prod', [auto]);
    expect(a.code).not.toBe(0);
    expect(a.stderr).toContain(
      'autoscaling.enabled: a DaemonSet cannot be autoscaled (only a Deployment or StatefulSet)',
    );
    const kind = writeOverlay(root, 'kind.yaml', 'kind: Deployments\n');
    const k = await render('worker', 'prod', [kind]);
    expect(k.code).not.toBe(0);
    expect(k.stderr).toMatch(/kind/);
  });
});

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { importManifests } from '../src/import/import-manifests.js';
import { prodVariant } from '../src/import/prod-variant.js';
import { copyRepo, fixtureRepo, removeTempDirs, runCli, runMain } from './helpers.js';

// The pure core of `chartgen import` on small manifests, one per feature and per refusal, and the CLI.

afterAll(removeTempDirs);
const clusterFile = {
  path: 'catalog/cluster.yaml',
  text: readFileSync(join(fixtureRepo, 'catalog/cluster.yaml'), 'utf8'),
};
const run = (text: string, extra: { namespace?: string; skipInvalid?: boolean } = {}) =>
  importManifests([{ path: 'm.yaml', text }], { clusterFile, ...extra });
const entryOf = (r: ReturnType<typeof run>, name: string) => parse(r.entries.find((e) => e.name === name)!.text);
const notesOf = (r: ReturnType<typeof run>) => r.notes.map((n) => `${n.line}:${n.column} ${n.field}: ${n.message}`);

const ns = parse(clusterFile.text).namespaces[0].name as string;
const deployment = (spec: string, extra = '') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: ${ns}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
      annotations: {prometheus.io/scrape: "true", prometheus.io/port: "9100"}
    spec:
${spec}
${extra}`;
const container = `      containers:
      - name: web
        image: registry.example.org/web:1.2.3
        ports:
        - {containerPort: 8080, name: web}
        - {containerPort: 9100, name: mon}
        resources:
          requests: {cpu: 100m, memory: 64Mi}
        readinessProbe:
          httpGet: {path: /ready, port: 8080, httpHeaders: [{name: Host, value: web}]}
          periodSeconds: 5
        env:
        - {name: MODE, value: prod}
        - name: TOKEN
          valueFrom: {secretKeyRef: {name: web-token, key: token}}`;

describe('prodVariant (deploy-srv.sh, k8s-prod)', () => {
  it('uncomments #PROD# lines in place, takes the production replica count, keeps every line', () => {
    const text = 'spec:\n  replicas: 1 #PROD# 5\n  template:\n    spec:\n      x: 1\n#PROD#y: 2\n';
    const out = prodVariant(text);
    expect(out).toBe('spec:\n  replicas:  5\n  template:\n    spec:\n      x: 1\n      y: 2\n');
    expect(parse(out)).toEqual({ spec: { replicas: 5, template: { spec: { x: 1, y: 2 } } } });
    expect(prodVariant('claimName: logs-cephfs-claim-dmwm')).toBe('claimName: logs-cephfs-claim-prod-dmwm');
  });
  it('is what the importer reads from a marked file', () => {
    const r = run(deployment(container).replace('replicas: 2', 'replicas: 1 #PROD# 4'));
    expect(entryOf(r, 'web').replicas).toBe(4);
    expect(r.prodFiles).toEqual(['m.yaml']);
  });
});

describe('importManifests', () => {
  it('maps a Deployment with its Service and HPA; unexpressed fields are reported with file:line', () => {
    const svc = `\n---\napiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: ${ns}}\nspec:\n  selector: {app: web}\n  sessionAffinity: ClientIP\n  ports:\n  - {port: 80, targetPort: 8080}\n  - {port: 81, targetPort: 9999}\n`;
    const hpa = `---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: web, namespace: ${ns}}\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n  minReplicas: 2\n  maxReplicas: 4\n  metrics:\n  - type: Resource\n    resource: {name: cpu, target: {type: Utilization, averageUtilization: 150}}\n`;
    const r = run(deployment(container, '  strategy: {type: Recreate}') + svc + hpa);
    expect(r.errors).toEqual([]);
    expect(r.workloads).toBe(1);
    const e = entryOf(r, 'web');
    expect(e).toMatchObject({
      name: 'web',
      namespace: ns,
      replicas: 2,
      image: { repository: 'registry.example.org/web', initialTag: '1.2.3' },
      ports: { http: 8080, servicePort: 80, metrics: 9100 },
      prometheus: { scrape: true, port: 9100 },
      resources: { requests: { cpu: '100m', memory: '64Mi' } },
      probes: {
        readiness: {
          httpGet: { path: '/ready', port: 8080, httpHeaders: [{ name: 'Host', value: 'web' }] },
          periodSeconds: 5,
        },
      },
      env: [
        { name: 'MODE', value: 'prod' },
        { name: 'TOKEN', secretKeyRef: { name: 'web-token', key: 'token' } },
      ],
      autoscaling: { minReplicas: 2, maxReplicas: 4, cpuUtilization: 150 },
      securityContext: {},
    });
    const notes = notesOf(r);
    expect(notes).toContain('30:3 spec.strategy: not expressible in a catalog entry');
    expect(notes.some((n) => /^\d+:3 spec.sessionAffinity: not expressible/.test(n))).toBe(true);
    expect(
      notes.some((n) => /spec.ports.1: targets port 9999, which the main container does not declare/.test(n)),
    ).toBe(true);
    expect(e.podLabels).toEqual({ app: 'web' });
    expect(notes.filter((n) => n.includes('template.metadata.labels'))).toEqual([]);
  });

  it("imports the pod template's labels as podLabels; the chart's own keys and non-strings stay reported", () => {
    const r = run(
      deployment(container).replace(
        'labels: {app: web}\n      annotations',
        'labels: {app: web, env: k8s, app.kubernetes.io/name: web, helm.sh/chart: x, tier: 3}\n      annotations',
      ),
    );
    expect(entryOf(r, 'web').podLabels).toEqual({ app: 'web', env: 'k8s' });
    const labelNotes = notesOf(r).filter((n) => n.includes('template.metadata.labels'));
    expect(labelNotes).toEqual([
      expect.stringMatching(
        /^12:\d+ spec.template.metadata.labels.app.kubernetes.io\/name: the chart sets app.kubernetes.io\/\* and helm.sh\/\*/,
      ),
      expect.stringMatching(/^12:\d+ spec.template.metadata.labels.helm.sh\/chart: the chart sets/),
      expect.stringMatching(
        /^12:\d+ spec.template.metadata.labels.tier: not a valid label value \(number; labels are strings\)/,
      ),
    ]);
  });

  it('imports HPA behavior and External metrics (selector matchLabels, target type); matchExpressions and a bad behavior are reported', () => {
    const hpa = (metrics: string, behavior: string) =>
      `---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: web, namespace: ${ns}}\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n  minReplicas: 2\n  maxReplicas: 6\n  metrics:\n${metrics}\n  behavior:\n${behavior}\n`;
    const external = `  - type: External
    external:
      metric:
        name: queue_depth
        selector:
          matchLabels: {queue: jobs}
          matchExpressions: [{key: zone, operator: In, values: [a]}]
      target: {type: Value, value: "30"}
  - type: External
    external:
      metric: {name: backlog}
      target: {type: AverageValue, averageValue: 5}`;
    const behavior = `    scaleDown:
      stabilizationWindowSeconds: 600
      policies: [{type: Pods, value: 1, periodSeconds: 120}]
    scaleUp: {selectPolicy: Max}`;
    const r = run(`${deployment(container)}\n${hpa(external, behavior)}`);
    expect(entryOf(r, 'web').autoscaling).toEqual({
      minReplicas: 2,
      maxReplicas: 6,
      customMetrics: [
        {
          name: 'queue_depth',
          type: 'External',
          target: '30',
          targetType: 'Value',
          selector: { queue: 'jobs' },
          query: 'sum(<<.Series>>{<<.LabelMatchers>>})',
        },
        { name: 'backlog', type: 'External', target: 5, query: 'sum(<<.Series>>{<<.LabelMatchers>>})' },
      ],
      behavior: {
        scaleDown: { stabilizationWindowSeconds: 600, policies: [{ type: 'Pods', value: 1, periodSeconds: 120 }] },
        scaleUp: { selectPolicy: 'Max' },
      },
    });
    const notes = notesOf(r);
    expect(
      notes.filter((n) => /matchExpressions: metric selector matchExpressions are not expressible/.test(n)),
    ).toHaveLength(1);
    expect(notes.some((n) => n.includes('behavior'))).toBe(false);
    // Outside the API server's limits (a window over 3600 s): reported, not imported.
    const bad = run(`${deployment(container)}\n${hpa(external, '    scaleDown: {stabilizationWindowSeconds: 7200}')}`);
    expect(entryOf(bad, 'web').autoscaling.behavior).toBeUndefined();
    expect(
      notesOf(bad).some((n) =>
        /spec.behavior: behavior does not fit the catalog: .*scaleDown.stabilizationWindowSeconds/.test(n),
      ),
    ).toBe(true);
  });

  it('maps NetworkPolicy peers: an imported workload → {service}, other pods → {namespace, podLabels}; the frontend needs nothing; the rest is reported', () => {
    const api = `---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api, namespace: ${ns}}\nspec:\n  selector: {matchLabels: {app: api}}\n  template:\n    metadata: {labels: {app: api}}\n    spec:\n      containers: [{name: api, image: registry.example.org/api:1}]\n`;
    const policy = `---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-policy, namespace: ${ns}}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Ingress]
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: auth}}
      podSelector: {matchLabels: {app: frontend}}
    - podSelector: {matchLabels: {app: api}}
    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: probes}}
      podSelector: {matchLabels: {app: probe}}
    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: tools}}
    - ipBlock: {cidr: 10.0.0.0/8}
    - namespaceSelector: {matchLabels: {team: x}}
    ports:
    - {protocol: TCP, port: 8080}
    - {protocol: TCP, port: 7000}
`;
    const r = run(`${deployment(container)}\n${api}${policy}`);
    expect(r.errors).toEqual([]);
    expect(entryOf(r, 'web').allowFrom).toEqual([
      { service: 'api' },
      { namespace: 'probes', podLabels: { app: 'probe' } },
      { namespace: 'tools' },
    ]);
    expect(entryOf(r, 'api').allowFrom).toBeUndefined();
    const notes = r.notes.filter((n) => n.line > 40).map((n) => `${n.line} ${n.field}: ${n.message}`);
    expect(notes).toEqual([
      '48 spec.ingress: allowFrom names namespace probes, which is not declared in catalog/cluster.yaml: add it to namespaces (the entry loads once it is)',
      "50 spec.ingress.0.from.0: information: a peer selects the frontend's pods (cluster.yaml frontend.podLabels), which the chart's NetworkPolicy admits: no entry needed",
      '56 spec.ingress.0.from.4.ipBlock: an address block is not expressible: allowFrom admits pods',
      '57 spec.ingress.0.from.5: selects namespaces by other labels than kubernetes.io/metadata.name (or all namespaces): allowFrom names one namespace',
      '60 spec.ingress.0.ports.1: port 7000 is not a service port: the chart admits allowFrom clients on the service ports (8080) and Prometheus on the metrics port',
    ]);
  });

  it('reports a policy rule that admits clients on no service port, and does not map it', () => {
    const policy = `---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: ${ns}}\nspec:\n  podSelector: {matchLabels: {app: web}}\n  ingress:\n  - from: [{podSelector: {matchLabels: {app: other}}}]\n    ports: [{port: 7000}]\n`;
    const r = run(`${deployment(container)}\n${policy}`);
    expect(entryOf(r, 'web').allowFrom).toBeUndefined();
    expect(notesOf(r).some((n) => /spec.ingress.0.from.0: admitted on no service port/.test(n))).toBe(true);
  });

  it("maps Ingress paths to the urlPrefixes of the workload whose Service they route to; regex, Exact, '/' and other Services are reported", () => {
    const svc = `---\napiVersion: v1\nkind: Service\nmetadata: {name: web-svc, namespace: ${ns}}\nspec:\n  selector: {app: web}\n  ports: [{port: 80, targetPort: 8080}]\n`;
    const ingress = (annotations: string) => `---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: ing
  namespace: ${ns}
  annotations: {kubernetes.io/ingress.class: nginx${annotations}}
spec:
  rules:
  - host: web.example.org
    http:
      paths:
      - {path: /web, pathType: Prefix, backend: {service: {name: web-svc, port: {number: 80}}}}
      - {path: /web/api, pathType: ImplementationSpecific, backend: {service: {name: web-svc, port: {number: 80}}}}
      - {path: /exact, pathType: Exact, backend: {service: {name: web-svc, port: {number: 80}}}}
      - {path: /, pathType: Prefix, backend: {service: {name: web-svc, port: {number: 80}}}}
      - {path: /other, pathType: Prefix, backend: {service: {name: other, port: {number: 80}}}}
      - {path: "/re(/|$)(.*)", pathType: Prefix, backend: {service: {name: web-svc, port: {number: 80}}}}
`;
    const r = run(`${deployment(container)}\n${svc}${ingress(', nginx.ingress.kubernetes.io/rewrite-target: /$2')}`);
    expect(r.errors).toEqual([]);
    expect(entryOf(r, 'web').urlPrefixes).toEqual(['/web', '/web/api']);
    const notes = r.notes.filter((n) => n.line > 41).map((n) => `${n.field}: ${n.message}`);
    expect(notes).toEqual([
      'metadata.annotations.kubernetes.io/ingress.class: information: the ingress class, hosts and source ranges are cluster-wide: compare them with cluster.yaml ingress (className, hosts and sourceRanges per environment)',
      'metadata.annotations.nginx.ingress.kubernetes.io/rewrite-target: not expressible in a catalog entry',
      'spec.rules.0.http.paths.2: an Exact path: urlPrefixes are prefixes: not imported as a urlPrefix of web',
      "spec.rules.0.http.paths.3: the whole host: not one service's URL prefix (cluster.yaml frontend.catchAll routes what no prefix claims): not imported as a urlPrefix of web",
      `spec.rules.0.http.paths.4: Service other is the Service of no imported workload (in namespace ${ns})`,
      'spec.rules.0.http.paths.5: a regular expression (use-regex or rewrite-target): urlPrefixes are plain prefixes: not imported as a urlPrefix of web',
    ]);
  });

  it('turns a filebeat sidecar with the log claim into logging, other sidecars and init containers into their own', () => {
    const spec = `${container}
        volumeMounts: [{name: logs, mountPath: /data/logs}, {name: cfg, mountPath: /etc/web}]
      - name: filebeat
        image: docker.elastic.co/beats/filebeat:7.12.0
        volumeMounts: [{name: logs, mountPath: /data/logs}, {name: fbdata, mountPath: /usr/share/filebeat/data}]
      - name: exporter
        image: registry.example.org/exporter:1
        ports: [{containerPort: 9200, name: exp}]
      initContainers:
      - {name: wait, image: "busybox:1.28", command: [sh, -c, "sleep 1"]}
      volumes:
      - {name: logs, persistentVolumeClaim: {claimName: logs-cephfs-claim-web}}
      - {name: fbdata, emptyDir: {}}
      - {name: cfg, configMap: {name: web-config}}`;
    const cm = `---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: web-config, namespace: ${ns}}\ndata: {a.conf: "x=1"}\n`;
    const r = run(deployment(spec) + cm);
    const e = entryOf(r, 'web');
    expect(e.logging).toEqual({ path: '/data/logs' });
    expect(e.sidecars).toEqual([
      { name: 'exporter', image: 'registry.example.org/exporter:1', ports: [{ name: 'exp', containerPort: 9200 }] },
    ]);
    expect(e.initContainers).toEqual([{ name: 'wait', image: 'busybox:1.28', command: ['sh', '-c', 'sleep 1'] }]);
    expect(e.configMaps).toEqual([
      { name: 'web-config', mountPath: '/etc/web', volumeName: 'cfg', data: { 'a.conf': 'x=1' } },
    ]);
    expect(e.volumes).toBeUndefined();
    expect(notesOf(r).filter((n) => n.includes('replaced by logging'))).toHaveLength(3);
  });

  it('imports a CronJob worker without ports (schedule, history, restart policy)', () => {
    const cron = `apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly, namespace: ${ns}}
spec:
  schedule: "0 3 * * *"
  concurrencyPolicy: Forbid
  successfulJobsHistoryLimit: 1
  jobTemplate:
    spec:
      backoffLimit: 2
      template:
        spec:
          restartPolicy: OnFailure
          containers:
          - {name: nightly, image: "registry.example.org/tools:7", args: [run]}
`;
    const e = entryOf(run(cron), 'nightly');
    expect(e).toMatchObject({
      kind: 'CronJob',
      cronJob: { schedule: '0 3 * * *', concurrencyPolicy: 'Forbid', successfulJobsHistoryLimit: 1 },
      job: { backoffLimit: 2, restartPolicy: 'OnFailure' },
      args: ['run'],
    });
    expect(e.ports).toBeUndefined();
  });

  it('drops a host path the cluster does not allow, with the reason', () => {
    const spec = `${container}
        volumeMounts: [{name: host, mountPath: /host}]
      volumes:
      - {name: host, hostPath: {path: /srv/private}}`;
    const r = run(deployment(spec));
    expect(entryOf(r, 'web').volumes).toBeUndefined();
    expect(notesOf(r).some((n) => n.includes('host path /srv/private is not under allowedHostPaths'))).toBe(true);
  });

  it('refuses bad YAML and non-objects with file:line (nothing imported); --skip-invalid reports them and goes on', () => {
    const bad = run('apiVersion: v1\nkind: [\n');
    expect(bad.entries).toEqual([]);
    expect(bad.errors[0]).toMatchObject({ file: 'm.yaml', line: 3 });
    const noKind = `kind: Deployment\nmetadata: {name: x}\n---\n${deployment(container)}`;
    expect(run(noKind).errors.map((e) => `${e.line}:${e.message}`)).toEqual([
      '1:expected a Kubernetes object: apiVersion and kind must be strings',
    ]);
    const skipped = run(noKind, { skipInvalid: true });
    expect(skipped.entries.map((e) => e.name)).toEqual(['web']);
    expect(notesOf(skipped)[0]).toMatch(/^1:1 : skipped \(kubectl would refuse it too\)/);
  });

  it('refuses a workload without namespace (unless --namespace) and a second workload of the same name', () => {
    const noNs = deployment(container).replace(`  namespace: ${ns}\n`, '');
    const r = run(`${noNs}---\n${deployment(container)}`);
    expect(r.refused.map((x) => x.reason)).toEqual(['no metadata.namespace: pass --namespace']);
    const both = run(`${deployment(container)}---\n${deployment(container)}`);
    expect(both.refused[0]!.reason).toMatch(/^the name web is imported already from m.yaml:1 /);
    expect(run(noNs, { namespace: ns }).entries).toHaveLength(1);
  });

  it('reads manifests as kubectl does (YAML 1.1): defaultMode 0640 is octal 416', () => {
    const spec = `${container}
        volumeMounts: [{name: cfg, mountPath: /etc/web}]
      volumes:
      - name: cfg
        configMap: {name: web-config, defaultMode: 0640}`;
    expect(entryOf(run(deployment(spec)), 'web').configMaps).toEqual([
      { name: 'web-config', mountPath: '/etc/web', volumeName: 'cfg', defaultMode: 0o640 },
    ]);
  });

  it('imports the ServiceAccount with the rules bound to it; an account bound to a role outside the input stays by name', () => {
    const rbac = (roleKind: string, withRole: boolean) => `
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: web-sa, namespace: ${ns}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ${roleKind === 'Role' ? 'RoleBinding' : 'ClusterRoleBinding'}
metadata: {name: web-sa, namespace: ${ns}}
subjects: [{kind: ServiceAccount, name: web-sa, namespace: ${ns}}]
roleRef: {kind: ${roleKind}, name: web-reader, apiGroup: rbac.authorization.k8s.io}
${
  withRole
    ? `---
apiVersion: rbac.authorization.k8s.io/v1
kind: ${roleKind}
metadata: {name: web-reader, namespace: ${ns}}
rules:
- {apiGroups: [""], resources: [pods], verbs: [get, list]}
`
    : ''
}`;
    const spec = `      serviceAccountName: web-sa
${container}`;
    const own = run(deployment(spec) + rbac('Role', true));
    expect(entryOf(own, 'web').serviceAccount).toEqual({
      rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }],
    });
    expect(
      notesOf(own).some((n) => n.includes('the chart creates the ServiceAccount web with the rules bound to web-sa')),
    ).toBe(true);
    const cluster = run(deployment(spec) + rbac('ClusterRole', true));
    expect(entryOf(cluster, 'web').serviceAccount.clusterRules).toHaveLength(1);
    const outside = run(deployment(spec) + rbac('ClusterRole', false));
    expect(entryOf(outside, 'web').serviceAccount).toEqual({ name: 'web-sa' });
    expect(
      notesOf(outside).some((n) => n.includes('binds roles the input does not define (ClusterRole web-reader)')),
    ).toBe(true);
  });

  it('reports duplicate keys and imports the last value, as kubectl read them', () => {
    const r = run(deployment(container).replace('replicas: 2', 'replicas: 2\n  replicas: 3'));
    expect(entryOf(r, 'web').replicas).toBe(3);
    expect(notesOf(r)).toContain('8:3 : duplicate key "replicas": the last value is imported, as kubectl read it');
  });

  it("every entry loads with the catalog loader, else the workload is refused with the loader's reason", () => {
    const r = run(
      deployment(
        container
          .replace('name: web\n        image', 'name: web\n        image')
          .replace('8080, name: web', '70000, name: web'),
      ),
    );
    expect(r.entries).toEqual([]);
    expect(r.refused[0]!.reason).toMatch(/^the entry does not load: .*ports.http/);
  });
});

// The first import runs the real CLI (a child process); the others the same main() in this process.
describe('chartgen import (CLI)', { timeout: 120_000 }, () => {
  it('writes entries, keeps existing files without --force (exit 1), writes nothing on --dry-run or bad input', async () => {
    const root = copyRepo(fixtureRepo);
    const manifests = join(root, 'manifests');
    mkdirSync(manifests);
    writeFileSync(join(manifests, 'web.yaml'), deployment(container));
    const out = join(root, 'imported');
    const dry = await runMain(['import', manifests, '--root', root, '--out', out, '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(
      /^chartgen: 1 workloads, 1 entries \(100%\) \(dry run: nothing written\), 0 not imported, \d+ report lines$/m,
    );
    expect(existsSync(out)).toBe(false);
    const first = await runCli(['import', manifests, '--root', root, '--out', out]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(readFileSync(join(out, 'web.yaml'), 'utf8')).toMatch(/^# Imported by `chartgen import` from .*web.yaml:1;/);
    const again = await runMain(['import', manifests, '--root', root, '--out', out]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/web.yaml exists: not overwritten \(--force replaces it\)/);
    expect((await runMain(['import', manifests, '--root', root, '--out', out, '--force'])).code).toBe(0);
    writeFileSync(join(manifests, 'bad.yaml'), 'kind: [\n');
    const bad = await runMain(['import', manifests, '--root', root, '--out', join(root, 'none')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/bad.yaml:2:1: .*\nchartgen: 1 input error; nothing written/);
    expect(existsSync(join(root, 'none'))).toBe(false);
  });
});

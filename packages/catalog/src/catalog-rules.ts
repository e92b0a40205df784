import { closest } from 'fastest-levenshtein';
import { locate, type ParsedYaml, type PathSegment, type SourceFinding } from '@cmsweb/yaml';
import type { Cluster, CustomMetric, Service } from './schema.js';
import { effectiveSettings, parseQuantity } from './effective-settings.js';
import { checkWorkloadRules } from './workload-rules.js';
import { prefixPath } from './frontend-routes.js';

interface Entry {
  service: Service;
  file: string;
}

/** Env var names whose literal value would be a secret in the repository. */
const SECRET_NAME = /(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL)/i;
const SECRET_VALUE = /-----BEGIN [A-Z ]*PRIVATE KEY-----|^[A-Za-z0-9+/]{40,}={0,2}$/;
/** The keys a VM-hosted service may set: identity and frontend routing. */
const VM_KEYS = new Set<string>(['name', 'namespace', 'description', 'vm', 'urlPrefixes', 'urlQuery']);

/** Pure: rules that span fields or files. Each finding points at the key that breaks the rule. */
export function checkCatalogRules(
  cluster: Cluster,
  clusterFile: string,
  entries: Entry[],
  parsed: Record<string, ParsedYaml>,
  partial = false,
): SourceFinding[] {
  const out: SourceFinding[] = [];
  const at = (file: string, path: PathSegment[], check: string, message: string) => {
    const p = parsed[file];
    out.push({ ...(p ? locate(p, 0, path) : { file, line: 1, column: 1 }), check, severity: 'error', message });
  };
  const namespaces = new Set(cluster.namespaces.map((n) => n.name));
  const envNames = cluster.environments.map((e) => e.name);
  /** The key at `path` names `env`, which must be an environment declared in `where`. */
  const declaredEnv = (file: string, path: PathSegment[], env: string, where: string) => {
    if (!envNames.includes(env))
      at(
        file,
        path,
        'catalog-environment',
        `environment "${env}" is not declared in ${where} (declared: ${envNames.join(', ')})`,
      );
  };
  const byName = new Map<string, string>();
  const prefixOwner = new Map<string, { service: string; scoped: boolean }>();

  seen(
    cluster.namespaces.map((n) => n.name),
    (name, i) =>
      at(clusterFile, ['namespaces', i, 'name'], 'catalog-duplicate', `namespace "${name}" is declared twice`),
  );
  seen(envNames, (name, i) =>
    at(clusterFile, ['environments', i, 'name'], 'catalog-duplicate', `environment "${name}" is declared twice`),
  );

  const envKeyed: Array<[PathSegment[], object | undefined]> = [
    [['frontend', 'peers'], cluster.frontend?.peers],
    [['ingress', 'hosts'], cluster.ingress?.hosts],
    [['ingress', 'sourceRanges'], cluster.ingress?.sourceRanges],
    // One list for every environment, or one per environment.
    [['frontend', 'catchAll'], Array.isArray(cluster.frontend?.catchAll) ? undefined : cluster.frontend?.catchAll],
  ];
  for (const [path, byEnv] of envKeyed)
    for (const env of Object.keys(byEnv ?? {})) declaredEnv(clusterFile, [...path, env], env, 'environments');

  for (const { service: s, file } of entries) {
    const expectedFile = `${s.name}.yaml`;
    if (!file.endsWith(`/${expectedFile}`) && file !== expectedFile) {
      at(
        file,
        ['name'],
        'catalog-file-name',
        `service "${s.name}" must live in a file named ${expectedFile}, one file per service`,
      );
    }
    const other = byName.get(s.name);
    if (other)
      at(
        file,
        ['name'],
        'catalog-duplicate',
        `service name "${s.name}" is already used by ${other}; service names must be unique`,
      );
    else byName.set(s.name, file);

    if (!namespaces.has(s.namespace)) {
      at(
        file,
        ['namespace'],
        'catalog-namespace',
        `namespace "${s.namespace}" is not declared in ${clusterFile} (declared: ${[...namespaces].sort().join(', ')})`,
      );
    }
    // A prefix is claimed once per query condition (ms-unmerged: one service per rse_type, one without).
    const query = Object.entries(s.urlQuery ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .sort()
      .join('&');
    (s.urlPrefixes ?? []).forEach((entry, i) => {
      const prefix = prefixPath(entry);
      const envs = typeof entry === 'string' ? envNames : entry.environments;
      if (typeof entry !== 'string')
        entry.environments.forEach((env, j) =>
          declaredEnv(file, ['urlPrefixes', i, 'environments', j], env, clusterFile),
        );
      // Claimed per environment: a prefix may go to a VM in prod and to a Kubernetes service in preprod.
      const norm = (prefix.replace(/\/+$/, '') || '/') + (query ? `?${query}` : '');
      const scoped = typeof entry !== 'string';
      // A partial catalog (one service: validator --scope service:<name>) cannot know the other owners.
      const clash = partial
        ? undefined
        : envs
            .map((env) => [env, prefixOwner.get(`${env} ${norm}`)] as const)
            .find(([, o]) => o && o.service !== s.name);
      if (clash) {
        const where = scoped || clash[1]!.scoped ? ` in ${clash[0]}` : '';
        at(
          file,
          ['urlPrefixes', i],
          'catalog-url-prefix',
          `URL prefix "${prefix}"${query ? ` with query ${query}` : ''} is already routed to service "${clash[1]!.service}"${where}; the frontend needs each prefix once${where ? ' per environment' : ''} (give one of them urlQuery to split it by query string${where ? ', or limit each to its environments: { path, environments: [...] }' : ''})`,
        );
      } else for (const env of envs) prefixOwner.set(`${env} ${norm}`, { service: s.name, scoped });
    });
    if (s.urlQuery && !(s.urlPrefixes ?? []).length)
      at(
        file,
        ['urlQuery'],
        'catalog-url-prefix',
        'urlQuery applies to the urlPrefixes of the service, and it has none: add urlPrefixes or remove urlQuery',
      );
    if (s.vm && !Array.isArray(s.vm.hosts)) {
      const hosts = s.vm.hosts;
      for (const env of Object.keys(hosts)) declaredEnv(file, ['vm', 'hosts', env], env, clusterFile);
      const missing = envNames.filter((e) => !hosts[e]);
      if (missing.length)
        at(
          file,
          ['vm', 'hosts'],
          'catalog-vm-service',
          `vm.hosts has no hosts for environment(s) ${missing.join(', ')}: with hosts per environment every environment of ${clusterFile} needs its list (or give one list for all)`,
        );
    }
    for (const env of Object.keys(s.environments ?? {})) declaredEnv(file, ['environments', env], env, clusterFile);

    // A VM-hosted service exists in the catalog only to be routed by the frontend: without one it does nothing.
    if (s.vm && !cluster.frontend) {
      at(
        file,
        ['vm'],
        'catalog-feature',
        `a VM-hosted service is reached only through the frontend, which ${clusterFile} does not declare: add frontend to ${clusterFile} or remove this service`,
      );
    }
    if (s.vm) {
      // Everything but routing describes the chart's workload, which a VM-hosted service does not have.
      for (const key of Object.keys(s) as Array<keyof Service>) {
        if (!VM_KEYS.has(key) && s[key] !== undefined)
          at(
            file,
            [key],
            'catalog-vm-service',
            `"${key}" has no meaning for a VM-hosted service (vm: is set): the service has no chart`,
          );
      }
      continue;
    }
    if (!s.image)
      at(
        file,
        [],
        'catalog-schema',
        'missing required key "image" (a Kubernetes service needs image.repository; set vm: for a VM-hosted one)',
      );

    checkWorkloadRules(cluster, clusterFile, s, file, at);
    checkPorts(s, file, at);
    checkSecrets(s, file, at);
    checkAutoscaling(s, file, at);
    // Logging is an optional feature of the cluster: a service cannot ask for a sidecar nobody configured.
    if (s.logging && !cluster.logging) {
      at(
        file,
        ['logging'],
        'catalog-feature',
        `logging needs the cluster's logging feature (image, claimName), which ${clusterFile} does not declare: add logging to ${clusterFile} or remove logging here`,
      );
    }
    if (s.gridSecurity && !cluster.allowedHostPaths.includes('/etc/grid-security')) {
      at(
        file,
        ['gridSecurity'],
        'catalog-host-path',
        `/etc/grid-security is not in allowedHostPaths of ${clusterFile}`,
      );
    }
    // Per-environment rules: one finding per place, naming every environment it affects.
    const perEnv = new Map<string, { path: PathSegment[]; check: string; message: string; envs: string[] }>();
    const atEnv = (env: string, path: PathSegment[], check: string, message: string) => {
      const key = `${path.join('.')}|${check}|${message}`;
      const e = perEnv.get(key) ?? { path, check, message, envs: [] };
      e.envs.push(env);
      perEnv.set(key, e);
    };
    for (const env of envNames) {
      const eff = effectiveSettings(cluster, s, env);
      const overridden = s.environments?.[env]?.resources !== undefined;
      const basePath: PathSegment[] = overridden
        ? ['environments', env, 'resources']
        : s.resources
          ? ['resources']
          : [];
      for (const r of ['cpu', 'memory'] as const) {
        const req = eff.resources.requests?.[r];
        const lim = eff.resources.limits?.[r];
        if (req !== undefined && lim !== undefined && parseQuantity(lim) < parseQuantity(req)) {
          atEnv(
            env,
            [...basePath, 'limits', r],
            'catalog-resources',
            `limits.${r} ${lim} is below requests.${r} ${req}; limits must be >= requests`,
          );
        }
      }
      if (eff.autoscaling && eff.autoscaling.minReplicas > eff.autoscaling.maxReplicas) {
        const p: PathSegment[] = s.environments?.[env]?.autoscaling
          ? ['environments', env, 'autoscaling']
          : ['autoscaling'];
        atEnv(
          env,
          [...p, 'minReplicas'],
          'catalog-autoscaling',
          `autoscaling minReplicas ${eff.autoscaling.minReplicas} is greater than maxReplicas ${eff.autoscaling.maxReplicas}; expected min <= max`,
        );
      }
    }
    for (const e of perEnv.values()) at(file, e.path, e.check, `${e.envs.join(', ')}: ${e.message}`);
    // Production is whichever environment cluster.yaml marks `production: true`, whatever its name.
    for (const prod of cluster.environments.filter((e) => e.production)) {
      const prodDb = effectiveSettings(cluster, s, prod.name).databaseSecret;
      for (const env of cluster.environments.filter((e) => !e.production).map((e) => e.name)) {
        const db = effectiveSettings(cluster, s, env).databaseSecret;
        if (prodDb && db === prodDb) {
          const p: PathSegment[] = s.environments?.[env]?.databaseSecret
            ? ['environments', env, 'databaseSecret']
            : ['databaseSecret'];
          at(
            file,
            p,
            'catalog-database-secret',
            `${env} uses the database account secret "${prodDb}" of production environment ${prod.name}; give ${env} its own (environments.${env}.databaseSecret)`,
          );
        }
      }
    }
  }
  const services = new Map(entries.map((e) => [e.service.name, e.service]));
  for (const { service: s, file } of entries) checkAllowFrom(s, file, partial ? undefined : services, namespaces, at);
  return out;
}

/** allowFrom: each entry names a catalog service running in Kubernetes, or a declared namespace (check catalog-allow-from). */
function checkAllowFrom(
  s: Service,
  file: string,
  /** Undefined for a partial catalog: which services exist is not known then, so client names are not checked. */
  services: Map<string, Service> | undefined,
  namespaces: Set<string>,
  at: At,
): void {
  if (s.allowFrom?.length && !s.ports)
    at(
      file,
      ['allowFrom'],
      'catalog-allow-from',
      'allowFrom admits clients to the service ports, and this service has none (a worker without ports): remove allowFrom',
    );
  (s.allowFrom ?? []).forEach((a, i) => {
    const p: PathSegment[] = ['allowFrom', i];
    const w = (path: PathSegment[], message: string) => at(file, path, 'catalog-allow-from', message);
    if ((a.service === undefined) === (a.namespace === undefined)) {
      w(p, 'an allowFrom entry needs exactly one of service: <catalog service> or namespace: <namespace>');
      return;
    }
    if (a.service !== undefined) {
      if (!services) return;
      const client = services.get(a.service);
      if (a.podLabels)
        w([...p, 'podLabels'], "podLabels go with namespace:; a service entry selects that service's own pods");
      if (!client)
        w([...p, 'service'], `no service "${a.service}" in the catalog${didYouMean(a.service, [...services.keys()])}`);
      else if (client.vm)
        w(
          [...p, 'service'],
          `service "${a.service}" runs on VMs outside the cluster: a NetworkPolicy selects pods, so it cannot admit it`,
        );
    } else if (!namespaces.has(a.namespace!)) {
      w(
        [...p, 'namespace'],
        `namespace "${a.namespace}" is not declared in catalog/cluster.yaml${didYouMean(a.namespace!, [...namespaces])}`,
      );
    }
  });
}

function didYouMean(name: string, known: string[]): string {
  return known.length ? ` (did you mean "${closest(name, known)}"?)` : '';
}

type At = (file: string, path: PathSegment[], check: string, message: string) => void;

function checkPorts(s: Service, file: string, at: At): void {
  const named: Array<[number, PathSegment[]]> = s.ports ? [[s.ports.http, ['ports', 'http']]] : [];
  if (s.ports?.metrics !== undefined) named.push([s.ports.metrics, ['ports', 'metrics']]);
  (s.ports?.extra ?? []).forEach((p, i) => named.push([p.containerPort, ['ports', 'extra', i, 'containerPort']]));
  (s.sidecars ?? []).forEach((c, ci) =>
    (c.ports ?? []).forEach((p, i) => named.push([p.containerPort, ['sidecars', ci, 'ports', i, 'containerPort']])),
  );
  const used = new Map<number, string>();
  for (const [port, path] of named) {
    const prev = used.get(port);
    if (prev)
      at(file, path, 'catalog-ports', `port ${port} is already used by ${prev}; container ports of a pod must differ`);
    else used.set(port, path.join('.'));
  }
  const known = new Set(named.map(([p]) => p));
  if (s.prometheus?.port !== undefined && !known.has(s.prometheus.port)) {
    at(
      file,
      ['prometheus', 'port'],
      'catalog-ports',
      `prometheus.port ${s.prometheus.port} is not a port of the pod (known: ${[...known].join(', ')})`,
    );
  }
  for (const kind of ['liveness', 'readiness', 'startup'] as const) {
    const pr = s.probes?.[kind];
    const p = pr?.httpGet?.port ?? pr?.tcpSocket?.port;
    if (typeof p === 'number' && !known.has(p)) {
      at(
        file,
        ['probes', kind, pr?.httpGet ? 'httpGet' : 'tcpSocket', 'port'],
        'catalog-ports',
        `${kind} probe port ${p} is not a port of the pod (known: ${[...known].join(', ')})`,
      );
    }
    if (pr) {
      const handlers = ['exec', 'httpGet', 'tcpSocket'].filter((h) => (pr as Record<string, unknown>)[h] !== undefined);
      if (handlers.length !== 1)
        at(
          file,
          ['probes', kind],
          'catalog-probe',
          `${kind} probe needs exactly one of exec, httpGet, tcpSocket (has ${handlers.length ? handlers.join(', ') : 'none'})`,
        );
    }
  }
}

function checkSecrets(s: Service, file: string, at: At): void {
  const lists: Array<[PathSegment[], Service['env']]> = [[['env'], s.env]];
  for (const [env, o] of Object.entries(s.environments ?? {})) lists.push([['environments', env, 'env'], o.env]);
  (s.sidecars ?? []).forEach((c, i) => lists.push([['sidecars', i, 'env'], c.env]));
  (s.initContainers ?? []).forEach((c, i) => lists.push([['initContainers', i, 'env'], c.env]));
  for (const [base, list] of lists) {
    (list ?? []).forEach((e, i) => {
      const sources = ['value', 'secretKeyRef', 'configMapKeyRef', 'fieldRef'].filter(
        (k) => (e as Record<string, unknown>)[k] !== undefined,
      );
      if (sources.length > 1)
        at(
          file,
          [...base, i],
          'catalog-env',
          `env ${e.name} has ${sources.join(' and ')}; expected exactly one source`,
        );
      if (e.value !== undefined && (SECRET_NAME.test(e.name) || SECRET_VALUE.test(e.value))) {
        at(
          file,
          [...base, i, 'value'],
          'catalog-literal-secret',
          `env ${e.name} has a literal value that looks like a secret; secrets never enter the repository: use secretKeyRef: {name: <secret>, key: <key>}`,
        );
      }
    });
  }
}

function checkAutoscaling(s: Service, file: string, at: At): void {
  const lists: Array<[PathSegment[], CustomMetric[] | undefined]> = [
    [['autoscaling', 'customMetrics'], s.autoscaling?.customMetrics],
  ];
  for (const [env, o] of Object.entries(s.environments ?? {}))
    lists.push([['environments', env, 'autoscaling', 'customMetrics'], o.autoscaling?.customMetrics]);
  for (const [base, list] of lists) {
    (list ?? []).forEach((m, i) => {
      const p: PathSegment[] = [...base, i];
      if (!m.query)
        at(
          file,
          [...p, 'name'],
          'catalog-metric-query',
          `custom metric "${m.name}" has no adapter query; the Prometheus Adapter cannot serve it without query:`,
        );
      if (m.type === 'Object' && !m.describedObject)
        at(
          file,
          [...p, 'type'],
          'catalog-metric-object',
          `Object metric "${m.name}" needs describedObject: {apiVersion, kind, name}`,
        );
      if (m.type !== 'Object' && m.describedObject)
        at(
          file,
          [...p, 'describedObject'],
          'catalog-metric-object',
          `${m.type} metric "${m.name}" takes no describedObject (only Object metrics do)`,
        );
      if (m.type === 'Pods' && m.targetType && m.targetType !== 'AverageValue')
        at(
          file,
          [...p, 'targetType'],
          'catalog-metric-object',
          `Pods metric "${m.name}" is always an AverageValue per pod (the API server refuses type ${m.targetType}): remove targetType`,
        );
      for (const key of ['selector', 'namespaced'] as const)
        if (m.type !== 'External' && m[key] !== undefined)
          at(
            file,
            [...p, key],
            'catalog-metric-object',
            `${key} applies to External metrics only, and "${m.name}" is a ${m.type} metric`,
          );
    });
  }
}

function seen(names: string[], onDuplicate: (name: string, index: number) => void): void {
  const s = new Set<string>();
  names.forEach((n, i) => (s.has(n) ? onDuplicate(n, i) : s.add(n)));
}

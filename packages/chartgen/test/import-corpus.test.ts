import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../src/index.js';
import { parseManifests } from '../src/import/manifest-documents.js';
import { readManifestFiles, runImport } from '../src/import/run-import.js';
import { isWorkloadKind } from '../src/import/import-workload.js';
import { mapLimit, packageDir, removeTempDirs, repoRoot } from './helpers.js';
import { helmTemplate, serviceChartDirs, useHelmSpawner, vendorLibraryDirectory, type K8sObject } from './render.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';

// `chartgen import` on the real CMSKubernetes manifests (../shared/corpus/cmskubernetes/kubernetes/cmsweb):
// at least 90% of the workloads become entries; each entry is generated into a chart and rendered with the
// real helm for prod, and its workload is compared with the original's production variant: containers,
// images, ports, volumes, probes, resources and replicas. Every difference is listed in
// test/golden-import/corpus-differences.txt with the reason (DOCUMENTED below) it belongs to: a new
// difference, or one no reason explains, fails. Refresh the list deliberately with UPDATE_GOLDEN=1.

const CORPUS = join(repoRoot, '..', 'shared', 'corpus', 'cmskubernetes', 'kubernetes', 'cmsweb');
const haveCorpus = existsSync(CORPUS);
const GOLDEN = join(packageDir, 'test', 'golden-import', 'corpus-differences.txt');

/** Why a rendered workload may differ from the original; each difference must match exactly one reason. */
const DOCUMENTED: Array<{ id: string; why: string; match: RegExp }> = [
  {
    id: 'logging-sidecar',
    why: "logging: the original's filebeat sidecar (<svc>-filebeat, its own config) is replaced by the chart's `filebeat` sidecar (cluster.yaml logging.image, generated config): same image, another name and mounts",
    match: / container \S+: only (in the original|rendered) \("docker\.elastic\.co\/beats\/filebeat"\)$/,
  },
  {
    id: 'logging-volumes',
    why: "logging: volumes only the original filebeat sidecar mounted (node log directories, its config map) against the chart's generated <svc>-filebeat config map",
    match:
      / volume (hostPath:\/var\/log(\/pods|\/containers)?|hostPath:\/var\/lib\/docker\/containers|configMap:\S+-(filebeat|fb)(-config)?): only (in the original|rendered)$/,
  },
  {
    id: 'log-claim',
    why: 'logging: the chart mounts the claim cluster.yaml logging.claimName names (logs-cephfs-claim-{env}-{namespace}); the originals in namespace auth wrote to the claims of aps and default',
    match: /(volume |mount \S+←)pvc:logs-cephfs-claim-prod-\S+: only (in the original|rendered)$/,
  },
  {
    id: 'default-resources',
    why: 'a catalog entry inherits cluster.yaml defaults.resources for the requests and limits a container leaves out (it cannot say "no limit")',
    match: / resources: .* → the same \+ cluster\.yaml defaults\.resources$/,
  },
  {
    id: 'hpa-replicas',
    why: "autoscaled: the chart leaves spec.replicas to the HorizontalPodAutoscaler (so a sync does not reset the HPA's count); the HPA's minReplicas is imported",
    match: / replicas: \d+ → -$/,
  },
  {
    id: 'main-container-name',
    why: 'the chart names the main container after the service (reported by the import)',
    match: / main container name: \S+ → \S+$/,
  },
  {
    id: 'unmounted-volume',
    why: 'a volume no container mounts is not imported (reported by the import)',
    match: / \(mounted by no container\)$/,
  },
];

type View = Record<string, unknown>;

/** What the comparison looks at in a pod workload (original or rendered). */
function workloadView(o: K8sObject): { replicas?: unknown; containers: Record<string, View>; volumes: string[] } {
  const spec = o.kind === 'CronJob' ? o.spec?.jobTemplate?.spec?.template?.spec : o.spec?.template?.spec;
  const volumes = (spec?.volumes ?? []).map((v: K8sObject) => volumeSource(v)).sort();
  const containers: Record<string, View> = {};
  for (const [kind, list] of [
    ['container', spec?.containers],
    ['init', spec?.initContainers],
  ] as const)
    for (const c of list ?? []) {
      const mounts = (c.volumeMounts ?? []).map((m: K8sObject) => {
        const v = (spec?.volumes ?? []).find((x: K8sObject) => x.name === m.name);
        return `${m.mountPath}${m.subPath ? `:${m.subPath}` : ''}←${v ? volumeSource(v) : `?${m.name}`}`;
      });
      containers[`${kind} ${c.name}`] = {
        image: String(c.image).replace(/:[^:/@]+$/, ''),
        ports: (c.ports ?? []).map((p: K8sObject) => `${p.containerPort}/${p.protocol ?? 'TCP'}`).sort(),
        resources: c.resources ?? {},
        probes: { liveness: c.livenessProbe, readiness: c.readinessProbe, startup: c.startupProbe },
        mounts: mounts.sort(),
      };
    }
  // The original's omitted replicas mean 1; the rendered one omits them only when its HPA owns them ('-').
  const replicas = o.kind === 'Deployment' || o.kind === 'StatefulSet' ? o.spec?.replicas : undefined;
  return { replicas, containers, volumes };
}

function volumeSource(v: K8sObject): string {
  if (v.secret) return `secret:${v.secret.secretName}`;
  if (v.configMap) return `configMap:${v.configMap.name}`;
  if (v.persistentVolumeClaim) return `pvc:${v.persistentVolumeClaim.claimName}`;
  if (v.hostPath) return `hostPath:${v.hostPath.path}`;
  if (v.emptyDir) return 'emptyDir';
  return `other:${Object.keys(v)
    .filter((k) => k !== 'name')
    .join(',')}`;
}

/** JSON with sorted keys: key order is no difference. */
const show = (v: unknown): string =>
  v === undefined
    ? '-'
    : JSON.stringify(v, (_k, x) =>
        x && typeof x === 'object' && !Array.isArray(x)
          ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => a.localeCompare(b)))
          : x,
      );

/** The catalog's merge of cluster defaults under a container's own requests and limits. */
function mergeResources(defaults: K8sObject, own: K8sObject): K8sObject {
  const out: K8sObject = {};
  for (const side of ['requests', 'limits']) {
    const v = { ...(defaults[side] ?? {}), ...(own[side] ?? {}) };
    if (Object.keys(v).length) out[side] = v;
  }
  return out;
}

const FILEBEAT = /(^|\/)beats\/filebeat(:|$)/;

/** Pure: the differences between an original workload and the rendered one, one line each. */
function differences(
  name: string,
  original: K8sObject,
  rendered: K8sObject | undefined,
  defaults: K8sObject,
): string[] {
  if (!rendered) return [`${name} workload: not rendered`];
  const a = workloadView(original);
  const b = workloadView(rendered);
  if ((original.kind === 'Deployment' || original.kind === 'StatefulSet') && a.replicas === undefined) a.replicas = 1;
  const out: string[] = [];
  // The chart names the main container after the service: compare it under that name.
  const mainKey =
    Object.keys(a.containers).find((k) => k === `container ${name}`) ??
    Object.keys(a.containers).find((k) => k.startsWith('container ') && !FILEBEAT.test(String(a.containers[k]!.image)));
  if (mainKey && mainKey !== `container ${name}`) {
    out.push(`${name} main container name: ${mainKey.slice('container '.length)} → ${name}`);
    a.containers[`container ${name}`] = a.containers[mainKey]!;
    delete a.containers[mainKey];
  }
  if (show(a.replicas) !== show(b.replicas)) out.push(`${name} replicas: ${show(a.replicas)} → ${show(b.replicas)}`);
  const spec =
    original.kind === 'CronJob' ? original.spec?.jobTemplate?.spec?.template?.spec : original.spec?.template?.spec;
  const mounted = new Set(
    [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])].flatMap((c: K8sObject) =>
      (c.volumeMounts ?? []).map((m: K8sObject) => m.name),
    ),
  );
  const unmounted = new Set((spec?.volumes ?? []).filter((v: K8sObject) => !mounted.has(v.name)).map(volumeSource));
  const listDiff = (what: string, x: string[], y: string[]) => {
    for (const v of x.filter((i) => !y.includes(i)))
      out.push(
        `${name} ${what} ${v}: only in the original${unmounted.has(v) && what === 'volume' ? ' (mounted by no container)' : ''}`,
      );
    for (const v of y.filter((i) => !x.includes(i))) out.push(`${name} ${what} ${v}: only rendered`);
  };
  listDiff('volume', a.volumes, b.volumes);
  for (const c of new Set([...Object.keys(a.containers), ...Object.keys(b.containers)])) {
    const x = a.containers[c];
    const y = b.containers[c];
    if (!x || !y) {
      out.push(`${name} ${c}: ${x ? 'only in the original' : 'only rendered'} (${show((x ?? y)!.image)})`);
      continue;
    }
    for (const k of Object.keys(x)) {
      if (Array.isArray(x[k])) listDiff(`${c} ${k.replace(/s$/, '')}`, x[k] as string[], y[k] as string[]);
      else if (show(x[k]) !== show(y[k])) {
        const filled = k === 'resources' && show(mergeResources(defaults, x[k] as K8sObject)) === show(y[k]);
        out.push(
          `${name} ${c} ${k}: ${show(x[k])} → ${filled ? 'the same + cluster.yaml defaults.resources' : show(y[k])}`,
        );
      }
    }
  }
  return out;
}

describe.skipIf(!haveCorpus)(
  `chartgen import of the real CMSKubernetes manifests${haveCorpus ? '' : ' (SKIPPED: ../shared/corpus absent)'}`,
  { timeout: 600_000 },
  () => {
    const root = mkdtempSync(join(tmpdir(), 'chartgen-import-'));
    let imported: Awaited<ReturnType<typeof runImport>>;
    const originals = new Map<string, K8sObject>();
    const rendered = new Map<string, K8sObject | undefined>();
    /** The corpus's documents, parsed once (beforeAll) for both tests. */
    let docs: ReturnType<typeof parseManifests>['documents'] = [];
    const defaults = parse(readFileSync(join(repoRoot, 'catalog', 'cluster.yaml'), 'utf8')).defaults
      .resources as K8sObject;
    // 113 helms: started from a small process (render.ts runHelm), not from this one.
    // Taken in beforeAll (a skipped suite runs no hook), given back in afterAll.
    let stopSpawner = async () => {};
    beforeAll(() => {
      stopSpawner = useHelmSpawner();
    });
    afterAll(() => stopSpawner());
    afterAll(() => {
      removeTempDirs();
      rmSync(root, { recursive: true, force: true }); // the imported repository (it used to stay in /tmp)
    });

    beforeAll(async () => {
      mkdirSync(join(root, 'catalog', 'services'), { recursive: true });
      cpSync(join(repoRoot, 'catalog', 'cluster.yaml'), join(root, 'catalog', 'cluster.yaml'));
      // Objects without a namespace went to kubectl's context namespace: `default`.
      imported = await runImport({ root, paths: [CORPUS], namespace: 'default', skipInvalid: true });
      // Declare the namespaces the report asks for, as people would, then generate and render prod.
      const cluster = parse(readFileSync(join(root, 'catalog', 'cluster.yaml'), 'utf8'));
      const entries = imported.result.entries.map((e) => parse(e.text));
      for (const ns of new Set(entries.map((e) => e.namespace as string)))
        if (!cluster.namespaces.some((n: { name: string }) => n.name === ns))
          cluster.namespaces.push({ name: ns, team: 'imported' });
      writeFileSync(join(root, 'catalog', 'cluster.yaml'), stringify(cluster));
      const g = await generate({ root, check: false });
      if (g.status !== 'ok')
        throw new Error(`imported entries do not generate: ${JSON.stringify(g.findings.slice(0, 5))}`);
      vendorLibraryDirectory(root, serviceChartDirs(root));
      const { files } = readManifestFiles([CORPUS], CORPUS);
      docs = parseManifests(files).documents;
      for (const e of imported.result.entries) {
        const [file, line] = e.source.split(':');
        const doc = docs.find(
          (d) =>
            d.file.endsWith(file!.replace(/^.*cmsweb\//, '')) &&
            isWorkloadKind(d.kind) &&
            d.at([]).line === Number(line),
        );
        if (doc) originals.set(e.name, doc.object);
      }
      await mapLimit(entries, 2, async (e) => {
        // Unparsed (false): only the workload is compared, so only its document is parsed (parsing a whole
        // render costs about a tenth of the helm process). helm prints each document as `---\n# Source: ...`.
        const r = await helmTemplate(
          root,
          e.name,
          e.namespace,
          [
            join(root, 'charts', e.name, 'values-prod.yaml'),
            join(root, 'environments', 'prod', 'values', `${e.name}.yaml`),
          ],
          false,
        );
        if (r.code !== 0) throw new Error(`${e.name}: ${r.stderr}`);
        const workload = r.stdout.split(/^---\n/m).find((doc) => isWorkloadKind(/^kind: (\S+)$/m.exec(doc)?.[1] ?? ''));
        rendered.set(e.name, workload === undefined ? undefined : (parse(workload) as K8sObject));
      });
    }, 600_000);

    it('imports at least 90% of the workloads (the figure is printed)', () => {
      const names = new Set<string>();
      for (const d of docs) if (isWorkloadKind(d.kind)) names.add(d.name);
      const share = imported.result.entries.length / names.size;
      console.log(
        `chartgen import: ${imported.result.entries.length} entries of ${names.size} distinct workloads (${(100 * share).toFixed(1)}%), ${imported.result.notes.length} report lines`,
      );
      expect(share).toBeGreaterThanOrEqual(0.9);
      expect(originals.size).toBe(imported.result.entries.length);
    });

    it('renders, per workload, the original production variant up to the documented differences', () => {
      const lines = [...originals.keys()]
        .sort()
        .flatMap((name) => differences(name, originals.get(name)!, rendered.get(name), defaults));
      const explained = lines.map((l) => {
        const reasons = DOCUMENTED.filter((d) => d.match.test(l));
        return {
          l,
          id:
            reasons.length === 1
              ? reasons[0]!.id
              : reasons.length
                ? `AMBIGUOUS(${reasons.map((r) => r.id).join(',')})`
                : 'UNDOCUMENTED',
        };
      });
      const text = explained.map((e) => `${e.id}\t${e.l}`).join('\n') + '\n';
      if (process.env.UPDATE_GOLDEN === '1') writeFileSync(GOLDEN, text);
      expect(explained.filter((e) => e.id === 'UNDOCUMENTED' || e.id.startsWith('AMBIGUOUS')).map((e) => e.l)).toEqual(
        [],
      );
      expect(text).toBe(readFileSync(GOLDEN, 'utf8'));
    });
  },
);

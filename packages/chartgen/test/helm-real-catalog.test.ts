import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseDocument } from 'yaml';
import { generate } from '../src/index.js';
import { copyRepo, loadCatalogFrom, mapLimit, readDirTree, removeTempDirs, repoRoot } from './helpers.js';
import {
  archiveEntries,
  buildSharedDependencies,
  find,
  helmTemplate,
  lintCharts,
  mergeValues,
  readYaml,
  runHelm,
  serviceChartDirs,
  useHelmSpawner,
  vendorLibraryDirectory,
  type K8sObject,
} from './render.js';

// Every chart of the repository's real catalog, generated into a temp copy (with the repository's
// own overlays where they exist), checked by the real helm binary: lint --strict, and template with
// each environment's overlay. The rendered objects must say what the merged values say.
//
// Before/after proof of the library chart: the charts of BEFORE (the last commit whose charts carried
// their own copies of every template; CHARTS_BEFORE=<git ref> overrides it) render what today's
// library-based charts render, for every service × environment: the same documents in the same order, each
// byte for byte but for its `# Source:` comment, which names the template file (one per kind then,
// templates/resources.yaml now). Nothing downstream reads that comment: Argo CD's repo server and Flux's
// helm-controller decode the documents into objects, and comments are not part of an object. The library is
// resolved as
// Argo CD does (helm dependency build: a packaged .tgz; run for two charts, its output copied into the others
// whose dependencies are the same, render.ts buildSharedDependencies) and as Flux does (the library directory
// loaded as it is: the archive's files are proven to be the directory's, and a subset of releases producing every
// object kind and field path is rendered that way too; see the two Flux tests).
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

  // Some 500 helms: started from a small process (render.ts runHelm), not from this one.
  // Taken in beforeAll (a skipped suite runs no hook), given back in afterAll.
  let stopSpawner = async () => {};
  beforeAll(() => {
    stopSpawner = useHelmSpawner();
  });
  afterAll(() => stopSpawner());
  beforeAll(async () => {
    root = copyRepo(repoRoot, true);
    const r = await generate({ root, check: false });
    if (r.status !== 'ok') throw new Error(`real catalog does not generate: ${JSON.stringify(r.findings.slice(0, 5))}`);
    const catalog = loadCatalogFrom(root);
    services = catalog.services.filter((s) => !s.vm).map((s) => ({ name: s.name, namespace: s.namespace }));
    envs = catalog.cluster.environments.map((e) => e.name);
    expect(await buildSharedDependencies(serviceChartDirs(root))).toEqual([]);
  }, 300_000);
  afterAll(removeTempDirs);
  /** What `helm template` printed for "<service>/<env>" with the library-based charts. */
  const rendered = new Map<string, string>();
  /** The objects of prod's renders, parsed once (the Ingress test reads them again). */
  const prodObjects = new Map<string, K8sObject[]>();
  /** What each render of `rendered` exercises of the templates (objectShapes), for the Flux-way subset. */
  const shapes = new Map<string, Set<string>>();

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
    expect(await lintCharts(services.map((s) => join(root, 'charts', s.name)))).toEqual([]);
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
        shapes.set(`${j.name}/${j.env}`, objectShapes(r.objects));
        if (j.env === 'prod') prodObjects.set(j.name, r.objects);
        const values = mergeValues(
          mergeValues(readYaml(join(root, 'charts', j.name, 'values.yaml')), readYaml(envValues)),
          readYaml(overlay),
        ) as K8sObject;
        return checkRendered(j.name, j.namespace, j.env, values, r.objects).map((p) => `${j.name}/${j.env}: ${p}`);
      })
    ).flat();
    expect(problems).toEqual([]);
  }, 600_000);

  const facts = join(repoRoot, '..', 'shared', 'reference', 'cmsweb-facts.yaml');
  it.skipIf(!existsSync(facts))(
    `prod's Ingress routes what the real backend ingress routes, differences documented${existsSync(facts) ? '' : ' (SKIPPED: ../shared/reference absent)'}`,
    () => {
      // ingress-nginx (helm/ingress of CMSKubernetes, {env} = prod) as cmsweb-facts.yaml sums it up.
      const real = (parse(readFileSync(facts, 'utf8')) as { ingress_paths: IngressPath[] }).ingress_paths.map(
        (p) => `${p.path.replace('{env}', 'prod')} -> ${p.service}:${p.port}`,
      );
      const ours: string[] = [];
      for (const s of services) {
        for (const o of prodObjects.get(s.name) ?? []) {
          if (o.kind !== 'Ingress') continue;
          for (const rule of o.spec.rules.slice(0, 1))
            for (const p of rule.http.paths)
              ours.push(`${p.path} -> ${p.backend.service.name}:${p.backend.service.port.number}`);
        }
      }
      const missing = [...new Set(real)].filter((x) => !ours.includes(x)).map((x) => `missing ${x}`);
      const extra = [...new Set(ours)].filter((x) => !real.includes(x)).map((x) => `extra ${x}`);
      expect([...missing, ...extra].sort()).toEqual(Object.keys(INGRESS_DIFFERENCES).sort());
      // Most of prod's routes agree: the differences are the documented ones, not the rule.
      expect(real.length - missing.length).toBeGreaterThan(30);
    },
  );

  it.skipIf(!beforeAvailable)(
    `renders every service × environment as the charts of ${BEFORE.slice(0, 12)} did: the same documents in the same order, byte for byte but their # Source: line (Argo CD's dependency build)`,
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
        // The catalog without the features added since (they change rendered objects on purpose): what remains
        // must render exactly as the per-service charts did, so the library itself changed nothing.
        const plain = copyRepo(repoRoot, true);
        stripLaterFeatures(plain);
        const g = await generate({ root: plain, check: false });
        expect(g.status).toBe('ok');
        // The library chart and every chart's dependency on it are those of the real catalog, for which beforeAll
        // ran helm dependency build: what that build wrote (charts/*.tgz, Chart.lock) is what it would write
        // here, so it is copied instead of running helm once more per chart.
        expect(readDirTree(join(plain, 'charts', '_library'))).toEqual(readDirTree(join(root, 'charts', '_library')));
        for (const dir of serviceChartDirs(plain)) {
          const name = dir.slice(dir.lastIndexOf('/') + 1);
          expect(readYaml(join(dir, 'Chart.yaml')).dependencies, name).toEqual(
            readYaml(join(root, 'charts', name, 'Chart.yaml')).dependencies,
          );
          cpSync(join(root, 'charts', name, 'charts'), join(dir, 'charts'), { recursive: true });
          cpSync(join(root, 'charts', name, 'Chart.lock'), join(dir, 'Chart.lock'));
        }
        // A render of `plain` whose every input is byte for byte one the first test rendered from `root` (most
        // of dev: the stripped features only change some charts and preprod's and prod's values) is that
        // render: helm template is a function of what it reads, and the same helm read the same bytes there.
        expect(filesMentioningFiles([join(root, 'charts', '_library'), ...serviceChartDirs(plain)])).toEqual([]);
        let reused = 0;
        const differing = (
          await mapLimit(jobs, CONCURRENCY, async (j) => {
            // The overlays of that commit too: they held the catalog's settings that values-<env>.yaml holds now.
            const r = await helmTemplate(
              before,
              j.name,
              j.namespace,
              [join(before, 'environments', j.env, 'values', `${j.name}.yaml`)],
              false,
            );
            const same = rendered.get(`${j.name}/${j.env}`);
            const reuse =
              same !== undefined &&
              isDeepStrictEqual(renderInputs(plain, j.name, j.env), renderInputs(root, j.name, j.env));
            if (reuse) reused++;
            const n = reuse
              ? { code: 0, stdout: same, stderr: '' }
              : await helmTemplate(
                  plain,
                  j.name,
                  j.namespace,
                  [
                    join(plain, 'charts', j.name, `values-${j.env}.yaml`),
                    join(plain, 'environments', j.env, 'values', `${j.name}.yaml`),
                  ],
                  false,
                );
            if (r.code !== 0 || n.code !== 0) return [`${j.name}/${j.env}: ${r.code !== 0 ? r.stderr : n.stderr}`];
            const difference = documentDifference(r.stdout, n.stdout ?? '');
            return difference === undefined ? [] : [`${j.name}/${j.env}: ${difference}`];
          })
        ).flat();
        expect(rendered.size).toBe(services.length * envs.length);
        expect(differing).toEqual([]);
        // Most of dev is reused (the renders that remain are still the majority): a sign the comparison of
        // inputs works, not a bound that matters to the claim.
        console.log(`before/after: ${reused} of ${jobs.length} current renders reused from the first test`);
        expect(reused).toBeGreaterThan(0);
      } finally {
        rmSync(before, { recursive: true, force: true });
      }
    },
    600_000,
  );

  // Flux's way differs from Argo CD's in one thing only: how helm gets the library chart (source-controller
  // adds the directory as loaded; Argo CD's helm dependency build packs it into charts/<name>-<version>.tgz).
  // The chart's own files are the same files either way. So, instead of a second render of every release:
  // (1) every chart's archive holds the library directory's files, the same names and bytes (Chart.yaml, which
  // helm's packaging rewrites from the parsed metadata, the same once parsed: helm reads it only as metadata);
  // (2) the real helm renders, with the library as a directory, a subset of the releases that together produce
  // every object kind and every field path any release produces (objectShapes: every template of the library
  // that prints something, each branch that adds a field), byte for byte as the Argo CD way printed them.
  // (1) says helm is given the same chart; (2) that helm renders the same chart the same way whichever way
  // it was loaded, over all the library's output. 93 renders (prod's) became about a dozen, over every env.
  it('packs into every chart the library directory as it is: the same files, the same bytes (Argo CD = Flux input)', () => {
    const library = join(root, 'charts', '_library');
    const meta = readYaml(join(library, 'Chart.yaml'));
    const files = readdirSync(library, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => relative(library, join(e.parentPath, e.name)))
      .sort();
    const unpacked = new Map<string, Map<string, Buffer> | undefined>();
    const problems = serviceChartDirs(root).flatMap((dir) => {
      const archives = readdirSync(join(dir, 'charts'));
      const wanted = `${meta.name}-${meta.version}.tgz`;
      if (archives.join() !== wanted) return [`${dir}/charts holds ${archives.join(', ')}: expected ${wanted} only`];
      // The archives are copies of two builds' (buildSharedDependencies): each distinct content is read once.
      const bytes = readFileSync(join(dir, 'charts', wanted));
      const digest = createHash('sha256').update(bytes).digest('hex');
      if (!unpacked.has(digest)) unpacked.set(digest, archiveEntries(bytes));
      const entries = unpacked.get(digest);
      if (!entries) return [`${dir}/charts/${wanted}: holds links or pax records, expected files only`];
      const prefix = `${meta.name}/`;
      const names = [...entries.keys()].map((n) => (n.startsWith(prefix) ? n.slice(prefix.length) : `(outside) ${n}`));
      if (names.sort().join('\n') !== files.join('\n'))
        return [
          `${dir}/charts/${wanted}: files ${JSON.stringify(names)}, expected the library's ${JSON.stringify(files)}`,
        ];
      return files.flatMap((f) => {
        const packed = entries.get(prefix + f)!;
        const same =
          f === 'Chart.yaml'
            ? isDeepStrictEqual(parse(packed.toString('utf8')), meta)
            : packed.equals(readFileSync(join(library, f)));
        return same ? [] : [`${dir}/charts/${wanted}: ${f} differs from ${join(library, f)}`];
      });
    });
    expect(problems).toEqual([]);
  });

  it("renders identically with the library loaded as a directory (Flux source-controller's local dependency)", async () => {
    const cover = coveringRenders(shapes);
    const all = new Set([...shapes.values()].flatMap((s) => [...s]));
    expect(new Set(cover.flatMap((k) => [...shapes.get(k)!])), 'the subset produces every shape').toEqual(all);
    expect(rendered.size).toBe(services.length * envs.length);
    // Every kind a release renders today, at least Deployment, CronJob and the Service: a subset that saw fewer
    // would mean the shapes were not collected.
    expect([...all].filter((x) => !x.includes(' ')).length).toBeGreaterThanOrEqual(3);
    console.log(`flux way: ${cover.length} of ${rendered.size} renders, ${all.size} object kinds and field paths`);
    const flux = mkdtempSync(join(tmpdir(), 'chartgen-flux-'));
    try {
      cpSync(join(root, 'charts'), join(flux, 'charts'), {
        recursive: true,
        filter: (src) => !/\/charts\/[^/]+\/(charts|Chart\.lock)$/.test(src),
      });
      vendorLibraryDirectory(flux, serviceChartDirs(flux));
      const byName = new Map(services.map((s) => [s.name, s]));
      const differing = (
        await mapLimit(cover, CONCURRENCY, async (key) => {
          const [name, env] = key.split('/') as [string, string];
          const r = await helmTemplate(
            flux,
            name,
            byName.get(name)!.namespace,
            [
              join(flux, 'charts', name, `values-${env}.yaml`),
              join(root, 'environments', env, 'values', `${name}.yaml`),
            ],
            false,
          );
          return r.code === 0 && r.stdout === rendered.get(key)
            ? []
            : [`${key}: ${r.code === 0 ? firstDifference(r.stdout, rendered.get(key) ?? '') : r.stderr}`];
        })
      ).flat();
      expect(differing).toEqual([]);
    } finally {
      rmSync(flux, { recursive: true, force: true });
    }
  }, 600_000);
});

describe('the Flux-way subset', () => {
  it('sees each kind and field path, list items under one path', () => {
    const shapes = objectShapes([
      { kind: 'Service', spec: { ports: [{ port: 1 }, { name: 'x' }] } },
      { kind: 'ConfigMap', data: { a: '1' } },
    ]);
    expect([...shapes].sort()).toEqual(
      [
        'ConfigMap',
        'ConfigMap data',
        'ConfigMap data.a',
        'ConfigMap kind',
        'Service',
        'Service kind',
        'Service spec',
        'Service spec.ports',
        'Service spec.ports[].name',
        'Service spec.ports[].port',
      ].sort(),
    );
  });

  it('picks renders until every shape is produced, none that adds nothing', () => {
    const of = (...x: string[]) => new Set(x);
    const shapes = new Map([
      ['a/dev', of('x', 'y')],
      ['b/dev', of('y')],
      ['c/dev', of('z', 'x', 'w')],
      ['d/dev', of('y', 'v')],
    ]);
    expect(coveringRenders(shapes)).toEqual(['c/dev', 'd/dev']);
    expect(coveringRenders(new Map())).toEqual([]);
  });
});

describe('the before/after comparison of helm output', () => {
  const doc = (file: string, body: string) => `---\n# Source: svc/templates/${file}\n${body}\n`;
  const cm = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: svc\ndata:\n  a: "1"';
  const svc = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: svc';
  const before = doc('configmap.yaml', cm) + doc('service.yaml', svc);
  const now = doc('resources.yaml', cm) + doc('resources.yaml', svc);

  it('sees no difference when only the # Source: lines differ', () => {
    expect(documentDifference(before, now)).toBeUndefined();
  });

  it('sees every changed or removed byte outside the # Source: lines, a swapped order, a missing or an extra document', () => {
    const source = [...now.matchAll(/^# Source: .*\n/gm)].map((m) => [m.index, m.index + m[0].length]);
    let tried = 0;
    for (let i = 0; i < now.length; i++) {
      if (source.some(([a, b]) => i >= a! && i < b!)) continue;
      const changed = `${now.slice(0, i)}${now[i] === 'x' ? 'y' : 'x'}${now.slice(i + 1)}`;
      const removed = now.slice(0, i) + now.slice(i + 1);
      expect(documentDifference(before, changed), `byte ${i} changed`).toBeDefined();
      expect(documentDifference(before, removed), `byte ${i} removed`).toBeDefined();
      tried++;
    }
    expect(tried).toBe(now.length - source.reduce((n, [a, b]) => n + b! - a!, 0));
    expect(documentDifference(before, doc('resources.yaml', svc) + doc('resources.yaml', cm))).toMatch(/^document 1 /);
    expect(documentDifference(before, doc('resources.yaml', cm))).toMatch(/^document 2 of 2 \(now 1\)/);
    expect(documentDifference(before, now + doc('resources.yaml', svc))).toMatch(/^document 3 of 2 \(now 3\)/);
  });
});

/**
 * Removes from a copied catalog the settings added after BEFORE that change rendered objects on purpose: the
 * frontend's per-environment peers and the ingress (cluster.yaml), pod labels and allowFrom clients (services).
 */
function stripLaterFeatures(root: string): void {
  const strip = (file: string, paths: string[][]) => {
    const doc = parseDocument(readFileSync(file, 'utf8'));
    for (const p of paths) doc.deleteIn(p);
    writeFileSync(file, doc.toString());
  };
  strip(join(root, 'catalog', 'cluster.yaml'), [['frontend', 'peers'], ['ingress']]);
  const dir = join(root, 'catalog', 'services');
  for (const f of readdirSync(dir)) strip(join(dir, f), [['podLabels'], ['allowFrom']]);
}

interface IngressPath {
  path: string;
  service: string;
  port: number;
}

/**
 * Where prod's generated Ingress and the real one differ, each for a reason:
 * - missing: the real Ingress routes these; the catalog does not (services not carried, prefixes the catalog
 *   routes differently, or split by urlQuery, which an Ingress path cannot express: the frontend splits them).
 * - extra: prefixes the catalog routes that the real Ingress leaves to the frontend's VMs.
 */
const FRONTEND_ITSELF =
  "the real Ingress sends / to the frontend or auth proxies themselves; the catalog's prefixes are the backends'";
const COUCHDB = 'CouchDB is a VM service in the catalog (vm:), reached through the frontend, not a Kubernetes Service';
const DBS_PYTHON_OLD_PATHS =
  'the real Ingress still maps /dbs/int/* to the Python DBS servers; the catalog routes /dbs/* to dbs2go and /dbspy/* to the Python ones';
const MS_UNMERGED =
  'the real Ingress splits ms-unmerged by path; the catalog (like the frontend rules) splits it by query string (urlQuery), which an Ingress cannot express';
const OLD_NAMES =
  'a workload or Service name the catalog does not carry (older manifests: das, dqmgui, dqm-square-k8, phedex, cmskv without a URL prefix, tfaas on httpgo)';
const REGEX_PATH =
  'a regular-expression path (ingress-nginx use-regex); the catalog routes prefixes only (newdqmgui: /dqm/newdqmgui)';
const DBS_OTHER_INSTANCES =
  "the catalog routes every DBS instance's prefixes (prod, int, dev) in every environment, as the frontend rules do; the real prod Ingress carries {env}=prod only (owners: scope them with urlPrefixes environments)";
const NOT_IN_REAL_INGRESS =
  "a prefix the catalog routes that the real backend Ingress leaves to the frontend's own rules";
const INGRESS_DIFFERENCES: Record<string, string> = {
  'missing / -> auth-proxy-server:443': FRONTEND_ITSELF,
  'missing / -> cms-couchdb:5984': COUCHDB,
  'missing / -> couchdb:5984': COUCHDB,
  'missing / -> frontend:443': FRONTEND_ITSELF,
  'missing /cmskv -> cmskv:9212': OLD_NAMES,
  'missing /das -> das:8217': OLD_NAMES,
  'missing /dbs/int/global/DBSMigrate -> dbs-migrate:8251': DBS_PYTHON_OLD_PATHS,
  'missing /dbs/int/global/DBSReader -> dbs-global-r:8252': DBS_PYTHON_OLD_PATHS,
  'missing /dbs/int/global/DBSWriter -> dbs-global-w:8253': DBS_PYTHON_OLD_PATHS,
  'missing /dbs/int/phys03/DBSReader -> dbs-phys03-r:8254': DBS_PYTHON_OLD_PATHS,
  'missing /dbs/int/phys03/DBSWriter -> dbs-phys03-w:8255': DBS_PYTHON_OLD_PATHS,
  'missing /dqm/dev -> dqmgui:8060': OLD_NAMES,
  'missing /dqm/dqm-square -> dqm-square-k8:8084': OLD_NAMES,
  'missing /dqm/dqm-square-k8 -> dqm-square-k8:8084': OLD_NAMES,
  'missing /dqm/offline -> dqmgui:8080': OLD_NAMES,
  'missing /dqm/offline-new(/|$)(.*) -> newdqmgui:8889': REGEX_PATH,
  'missing /dqm/offline-test -> dqmgui:8080': OLD_NAMES,
  'missing /dqm/relval -> dqmgui:8081': OLD_NAMES,
  'missing /dqm/relval-test -> dqmgui:8081': OLD_NAMES,
  'missing /ms-unmerged/t2t3/data -> ms-unmer-t2t3:8242': MS_UNMERGED,
  'missing /ms-unmerged/t2t3us/data -> ms-unmer-t2t3us:8242': MS_UNMERGED,
  'missing /phedex -> phedex:7101': OLD_NAMES,
  'missing /phedex/datasvc -> phedex:7001': OLD_NAMES,
  'missing /tfaas -> httpgo:8083': OLD_NAMES,
  'extra /das2go -> das-server:8217': NOT_IN_REAL_INGRESS,
  // The frontend's app_runregistry_ssl.conf sends /runregistry to port 8350, rr-prod-fe's Service.
  'extra /runregistry -> rr-prod-fe:8350': NOT_IN_REAL_INGRESS,
  'extra /dbs/dev/global/DBSReader -> dbs2go-global-r:9252': DBS_OTHER_INSTANCES,
  'extra /dbs/dev/global/DBSWriter -> dbs2go-global-w:9253': DBS_OTHER_INSTANCES,
  'extra /dbs/dev/phys03/DBSReader -> dbs2go-phys03-r:9254': DBS_OTHER_INSTANCES,
  'extra /dbs/dev/phys03/DBSWriter -> dbs2go-phys03-w:9255': DBS_OTHER_INSTANCES,
  'extra /dbs/int/global/DBSMigrate -> dbs2go-global-m:9257': DBS_OTHER_INSTANCES,
  'extra /dbs/int/global/DBSReader -> dbs2go-global-r:9252': DBS_OTHER_INSTANCES,
  'extra /dbs/int/global/DBSWriter -> dbs2go-global-w:9253': DBS_OTHER_INSTANCES,
  'extra /dbs/int/phys03/DBSMigrate -> dbs2go-phys03-m:9257': DBS_OTHER_INSTANCES,
  'extra /dbs/int/phys03/DBSReader -> dbs2go-phys03-r:9254': DBS_OTHER_INSTANCES,
  'extra /dbs/int/phys03/DBSWriter -> dbs2go-phys03-w:9255': DBS_OTHER_INSTANCES,
  'extra /dbs2go -> dbs2go:8258': NOT_IN_REAL_INGRESS,
  'extra /dbs2go-migrate -> dbs2go-migrate:8259': NOT_IN_REAL_INGRESS,
  'extra /dbs2go-writer -> dbs2go-writer:8260': NOT_IN_REAL_INGRESS,
  'extra /dbsproxy -> dbsproxy:8222': NOT_IN_REAL_INGRESS,
  'extra /dbspy/dev/global/DBSMigrate -> dbs-migrate:8257': DBS_OTHER_INSTANCES,
  'extra /dbspy/dev/global/DBSReader -> dbs-global-r:8252': DBS_OTHER_INSTANCES,
  'extra /dbspy/dev/global/DBSWriter -> dbs-global-w:8253': DBS_OTHER_INSTANCES,
  'extra /dbspy/dev/phys03/DBSReader -> dbs-phys03-r:8254': DBS_OTHER_INSTANCES,
  'extra /dbspy/dev/phys03/DBSWriter -> dbs-phys03-w:8255': DBS_OTHER_INSTANCES,
  'extra /dbspy/int/global/DBSMigrate -> dbs-migrate:8257': DBS_OTHER_INSTANCES,
  'extra /dbspy/int/global/DBSReader -> dbs-global-r:8252': DBS_OTHER_INSTANCES,
  'extra /dbspy/int/global/DBSWriter -> dbs-global-w:8253': DBS_OTHER_INSTANCES,
  'extra /dbspy/int/phys03/DBSReader -> dbs-phys03-r:8254': DBS_OTHER_INSTANCES,
  'extra /dbspy/int/phys03/DBSWriter -> dbs-phys03-w:8255': DBS_OTHER_INSTANCES,
  'extra /dqm/dqm-square-k8 -> dqm-square-mirror-server:8084': NOT_IN_REAL_INGRESS,
  'extra /dqm/newdqmgui -> newdqmgui:8889': NOT_IN_REAL_INGRESS,
  'extra /httppy -> httppy:8080': NOT_IN_REAL_INGRESS,
  'extra /imagebot -> imagebot:8111': NOT_IN_REAL_INGRESS,
  'extra /registry-notification -> registry-notification:9215': NOT_IN_REAL_INGRESS,
  'extra /wflow-dbs -> wflow-dbs:8888': NOT_IN_REAL_INGRESS,
  'extra /wmstats2go -> wmstats:8360': NOT_IN_REAL_INGRESS,
};

/**
 * What a render exercises of the templates: each object's kind, and each field path of each object under its
 * kind (`Deployment spec.template.spec.containers[].livenessProbe.httpGet.port`; list items share a path).
 * A template of the library that prints something, and each of its branches that adds a field, shows here.
 */
function objectShapes(objects: K8sObject[]): Set<string> {
  const out = new Set<string>();
  const walk = (kind: string, v: unknown, path: string) => {
    if (Array.isArray(v)) for (const x of v) walk(kind, x, `${path}[]`);
    else if (v && typeof v === 'object')
      for (const [k, x] of Object.entries(v)) {
        out.add(`${kind} ${path}${path ? '.' : ''}${k}`);
        walk(kind, x, `${path}${path ? '.' : ''}${k}`);
      }
  };
  for (const o of objects) {
    out.add(String(o.kind));
    walk(String(o.kind), o, '');
  }
  return out;
}

/**
 * Pure: a few keys of `shapes` whose shapes together are all of them (greedy: the render adding the most
 * shapes not yet seen, ties to the first key in order), so that a second way of rendering, checked on these,
 * is checked on every shape any render produces.
 */
function coveringRenders(shapes: Map<string, Set<string>>): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  const keys = [...shapes.keys()].sort();
  for (;;) {
    let best: string | undefined;
    let gain = 0;
    for (const k of keys) {
      let n = 0;
      for (const x of shapes.get(k)!) if (!seen.has(x)) n++;
      if (n > gain) [best, gain] = [k, n];
    }
    if (best === undefined) return out;
    out.push(best);
    for (const x of shapes.get(best)!) seen.add(x);
  }
}

/**
 * What `helm template <service>` reads for one environment, as sha256 per file: every file of the chart
 * directory (its library archive included) but the other environments' values-<env>.yaml, and the
 * environment's overlay. The other values files are loaded too, as `.Files`, so they can be left out only
 * because nothing in a chart mentions `.Files` (filesMentioningFiles).
 */
function renderInputs(top: string, service: string, env: string): Map<string, string> {
  const out = new Map<string, string>();
  const digest = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
  const dir = join(top, 'charts', service);
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const rel = relative(dir, join(e.parentPath, e.name));
    if (/^values-[^/]+\.yaml$/.test(rel) && rel !== `values-${env}.yaml`) continue;
    out.set(rel, digest(join(dir, rel)));
  }
  out.set('(overlay)', digest(join(top, 'environments', env, 'values', `${service}.yaml`)));
  return new Map([...out].sort(([a], [b]) => (a < b ? -1 : 1)));
}

/**
 * Files of charts (or of the library) that mention `.Files`, archives aside: a template, or a value that a
 * template passes to `tpl`, could read any file of its chart with it.
 */
function filesMentioningFiles(chartDirs: string[]): string[] {
  return chartDirs.flatMap((dir) =>
    readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && !e.name.endsWith('.tgz'))
      .map((e) => join(e.parentPath, e.name))
      .filter((path) => readFileSync(path, 'utf8').includes('.Files')),
  );
}

/**
 * The documents of `helm template` output in order, each without its `# Source:` line (the template file's
 * name) and otherwise byte for byte: helm writes every document as `---\n# Source: <file>\n<content>\n`.
 */
function documentsWithoutSource(output: string): string[] {
  return output
    .split(/^---\n/m)
    .slice(1)
    .map((doc) => doc.replace(/^# Source: [^\n]*\n/, ''));
}

/** Where two renderings differ but for their `# Source:` lines (document count, then the first document), or undefined. */
function documentDifference(before: string, now: string): string | undefined {
  const a = documentsWithoutSource(before);
  const b = documentsWithoutSource(now);
  if (!before.startsWith('---\n') || !now.startsWith('---\n'))
    return `output does not start with a document: before ${JSON.stringify(before.slice(0, 40))}, now ${JSON.stringify(now.slice(0, 40))}`;
  const i = a.findIndex((doc, k) => doc !== b[k]);
  if (i === -1 && a.length === b.length) return undefined;
  const at = i === -1 ? a.length : i;
  return `document ${at + 1} of ${a.length} (now ${b.length}): ${firstDifference(a[at] ?? '(none)', b[at] ?? '(none)')}`;
}

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

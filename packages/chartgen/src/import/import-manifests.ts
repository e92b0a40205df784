import { loadCatalog, type SourceFile } from '@cmsweb/catalog';
import { parse } from 'yaml';
import { type PathSegment, type SourceFinding, sortFindings, stringifyYaml } from '@cmsweb/yaml';
import { checkGenerationRules } from '../generation-rules.js';
import { logVolumeName } from '../chart-files.js';
import { type ManifestDocument, type ManifestFile, parseManifests } from './manifest-documents.js';
import { importWorkload, isWorkloadKind } from './import-workload.js';
import { importNetworkPolicies } from './import-network-policy.js';
import { importIngresses, serviceOf } from './import-ingress.js';
import { isPlain, type Plain, unusedFields } from './tracked-field.js';

// The functional core of `chartgen import`: manifests in → catalog entries and a report out. No I/O.

export interface ImportOptions {
  /** Namespace for objects without metadata.namespace (else they are reported and skipped). */
  namespace?: string;
  /** catalog/cluster.yaml as read by the shell: each entry is loaded with it before it is kept. */
  clusterFile: SourceFile;
  /** Report documents kubectl would refuse (not Kubernetes objects, YAML syntax) and go on, instead of refusing everything. */
  skipInvalid?: boolean;
}

export interface ImportedEntry {
  name: string;
  /** Repository-relative file the entry is meant for: catalog/services/<name>.yaml. */
  file: string;
  text: string;
  /** Where the workload was read. */
  source: string;
}

/** One thing of the input the entries do not express, with where it is. */
export interface ImportNote {
  file: string;
  line: number;
  column: number;
  /** The workload (catalog entry) the note belongs to, when any. */
  workload?: string;
  /** The field, as a dotted path in its object (`spec.template.spec.containers.0.ports.1`). */
  field: string;
  message: string;
}

export interface ImportResult {
  /** Bad input; when any, `entries` is empty (nothing may be written). */
  errors: SourceFinding[];
  entries: ImportedEntry[];
  notes: ImportNote[];
  /** Workloads found, and those that gave no entry (with why). */
  workloads: number;
  refused: Array<{ workload: string; file: string; line: number; reason: string }>;
  prodFiles: string[];
}

const WORKLOAD_HEADER = (source: string) =>
  `# Imported by \`chartgen import\` from ${source}; review the import report, then edit freely.\n`;

const selects = (selector: unknown, labels: unknown) =>
  isPlain(selector) &&
  Object.keys(selector).length > 0 &&
  isPlain(labels) &&
  Object.entries(selector).every(([k, v]) => labels[k] === v);

function podLabels(doc: ManifestDocument): unknown {
  const spec = doc.object.spec as Plain | undefined;
  const template =
    doc.kind === 'CronJob'
      ? ((spec?.jobTemplate as Plain | undefined)?.spec as Plain | undefined)?.template
      : spec?.template;
  return ((template as Plain | undefined)?.metadata as Plain | undefined)?.labels;
}

export function importManifests(files: ManifestFile[], options: ImportOptions): ImportResult {
  const parsed = parseManifests(files);
  const result: ImportResult = {
    errors: [],
    entries: [],
    notes: [],
    workloads: 0,
    refused: [],
    prodFiles: parsed.prodFiles,
  };
  const notes = result.notes;
  if (parsed.errors.length && !options.skipInvalid) return { ...result, errors: sortFindings(parsed.errors) };
  for (const e of parsed.errors)
    notes.push({
      file: e.file,
      line: e.line,
      column: e.column,
      field: '',
      message: `skipped (kubectl would refuse it too): ${e.message}`,
    });
  for (const d of parsed.duplicates)
    notes.push({
      file: d.file,
      line: d.line,
      column: d.column,
      field: '',
      message: `${d.message.replace(/ \(.*$/, '')}: the last value is imported, as kubectl read it`,
    });

  const cluster = loadCatalog(options.clusterFile, []).catalog?.cluster;
  if (!cluster) {
    const loaded = loadCatalog(options.clusterFile, []);
    return { ...result, errors: loaded.findings.filter((f) => f.severity === 'error') };
  }
  const nsOf = (d: ManifestDocument) => d.namespace ?? options.namespace;
  const byKind = (kind: string) => parsed.documents.filter((d) => d.kind === kind);
  const configMaps = new Map(byKind('ConfigMap').map((d) => [`${nsOf(d)}/${d.name}`, d]));
  const consumed = new Set<ManifestDocument>();
  const seen = new Map<string, ManifestDocument>();
  const accepted: Array<{
    w: ManifestDocument;
    ns: string;
    labels: unknown;
    file: string;
    header: string;
    imported: ReturnType<typeof importWorkload>;
    /** The Service the entry's ports were read with. */
    service: string | undefined;
  }> = [];

  for (const w of parsed.documents.filter((d) => isWorkloadKind(d.kind))) {
    result.workloads++;
    const at = w.at([]);
    const refuse = (reason: string) => {
      consumed.add(w);
      result.refused.push({ workload: w.name, file: w.file, line: at.line, reason });
    };
    const ns = nsOf(w);
    if (!ns) {
      refuse('no metadata.namespace: pass --namespace');
      continue;
    }
    const first = seen.get(w.name);
    if (first) {
      refuse(
        `the name ${w.name} is imported already from ${first.file}:${first.at([]).line} (catalog names are unique)`,
      );
      continue;
    }
    seen.set(w.name, w);
    const labels = podLabels(w);
    const services = byKind('Service').filter(
      (s) => nsOf(s) === ns && selects((s.object.spec as Plain | undefined)?.selector, labels),
    );
    const hpas = byKind('HorizontalPodAutoscaler').filter((h) => nsOf(h) === ns);
    const rbac = parsed.documents.filter((d) => RBAC_KINDS.includes(d.kind));
    const imported = importWorkload({
      rbac,
      workload: w,
      services,
      hpas,
      configMaps,
      namespace: ns,
      allowedHostPaths: cluster.allowedHostPaths,
      logVolume: logVolumeName(cluster),
    });
    const file = `catalog/services/${w.name}.yaml`;
    // A namespace the target cluster.yaml lacks is for people to add there: the entry is checked as if it
    // were declared (it loads once it is), and the report says so.
    const undeclared = !cluster.namespaces.some((n) => n.name === ns);
    const header = WORKLOAD_HEADER(`${w.file}:${at.line}`);
    const problems = loadProblems(
      options.clusterFile,
      undeclared ? [ns] : [],
      file,
      header + stringifyYaml(imported.entry),
      [],
    );
    if (problems) {
      refuse(`the entry does not load: ${problems}`);
      continue;
    }
    if (undeclared)
      notes.push({
        ...w.at(['metadata', 'namespace']),
        workload: w.name,
        field: 'metadata.namespace',
        message: `namespace ${ns} is not declared in catalog/cluster.yaml: add it to namespaces (the entry loads once it is)`,
      });
    accepted.push({ w, ns, labels, file, header, imported, service: serviceOf(imported.entry, services) });
  }
  // Ingress paths routed to an imported workload's Service → its urlPrefixes.
  const ingresses = importIngresses(
    byKind('Ingress'),
    accepted.flatMap((a) => (a.service ? [{ workload: a.w.name, namespace: a.ns, service: a.service }] : [])),
    nsOf,
  );
  for (const i of ingresses.information) notes.push(noteAt(i.document, i.path, undefined, i.message));
  for (const { document, usage } of ingresses.used) {
    consumed.add(document);
    for (const u of unusedFields(document.object, usage)) notes.push(noteAt(document, u.path, undefined, u.reason));
  }
  // NetworkPolicies once every entry is known: a peer may select the pods of another imported workload.
  const workloads = accepted.map((a) => ({ name: a.w.name, namespace: a.ns, labels: a.labels }));
  for (const { w, ns, labels, file, header, imported } of accepted) {
    const policies = byKind('NetworkPolicy').filter(
      (n) =>
        nsOf(n) === ns &&
        selects(((n.object.spec as Plain | undefined)?.podSelector as Plain | undefined)?.matchLabels, labels),
    );
    const ports = imported.entry.ports as Plain | undefined;
    const servicePorts = ports
      ? [
          ports.http as number,
          ...((ports.extra as Plain[] | undefined) ?? []).filter((x) => x.expose).map((x) => x.containerPort as number),
        ]
      : [];
    const policyUse: typeof imported.used = [];
    const {
      allowFrom,
      information,
      undeclared: peerNamespaces,
    } = importNetworkPolicies(
      policies,
      { namespace: ns, workload: w.name, servicePorts, cluster, workloads },
      policyUse,
    );
    if (allowFrom.length) {
      // Loaded with the entries it names, as the catalog will hold them.
      const clients = accepted
        .filter((a) => allowFrom.some((x) => x.service === a.w.name))
        .map((a) => ({ path: a.file, text: stringifyYaml(a.imported.entry) }));
      const withAllow = { ...imported.entry, allowFrom };
      const declare = [...new Set([ns, ...peerNamespaces])].filter(
        (n) => !cluster.namespaces.some((c) => c.name === n),
      );
      const problems = loadProblems(options.clusterFile, declare, file, header + stringifyYaml(withAllow), clients);
      if (problems)
        for (const p of policies)
          notes.push(noteAt(p, ['spec', 'ingress'], w.name, `allowFrom from these rules does not load: ${problems}`));
      else {
        imported.entry.allowFrom = allowFrom;
        for (const n of peerNamespaces)
          notes.push(
            noteAt(
              policies[0]!,
              ['spec', 'ingress'],
              w.name,
              `allowFrom names namespace ${n}, which is not declared in catalog/cluster.yaml: add it to namespaces (the entry loads once it is)`,
            ),
          );
      }
    }
    const urlPrefixes = ingresses.prefixes.get(w.name);
    if (urlPrefixes) {
      const problems = loadProblems(
        options.clusterFile,
        cluster.namespaces.some((c) => c.name === ns) ? [] : [ns],
        file,
        header + stringifyYaml({ ...imported.entry, urlPrefixes }),
        [],
      );
      if (problems)
        notes.push(
          noteAt(
            w,
            [],
            w.name,
            `urlPrefixes ${urlPrefixes.join(', ')} (from the Ingress objects) do not load: ${problems}`,
          ),
        );
      else imported.entry.urlPrefixes = urlPrefixes;
    }
    for (const i of information) notes.push(noteAt(i.document, i.path, w.name, i.message));
    for (const { document, usage } of [...imported.used, ...policyUse]) {
      consumed.add(document);
      for (const u of unusedFields(document.object, usage)) notes.push(noteAt(document, u.path, w.name, u.reason));
    }
    const text = header + stringifyYaml(imported.entry);
    result.entries.push({ name: w.name, file, text, source: `${w.file}:${w.at([]).line}` });
  }
  for (const d of parsed.documents) {
    if (consumed.has(d)) continue;
    notes.push(noteAt(d, [], undefined, `${d.kind} ${d.name} is not imported: ${leftOverReason(d)}`));
  }
  result.notes = sortNotes(notes);
  result.entries.sort((a, b) => a.name.localeCompare(b.name));
  return result;
}

/** The cluster file with more namespaces (for checking an entry whose namespaces people still have to declare). */
function withNamespaces(clusterFile: SourceFile, names: string[]): SourceFile {
  if (!names.length) return clusterFile;
  const value = parse(clusterFile.text) as Plain;
  const namespaces = Array.isArray(value.namespaces) ? value.namespaces : [];
  return {
    path: clusterFile.path,
    text: stringifyYaml({
      ...value,
      namespaces: [...namespaces, ...names.map((name) => ({ name, team: 'imported' }))],
    }),
  };
}

/** Loads an entry (with the entries it names) as the catalog will: the errors of the entry's file, or undefined. */
function loadProblems(
  clusterFile: SourceFile,
  declare: string[],
  file: string,
  text: string,
  others: SourceFile[],
): string | undefined {
  const loaded = loadCatalog(withNamespaces(clusterFile, declare), [{ path: file, text }, ...others]);
  const generation = loaded.catalog ? checkGenerationRules(loaded.catalog, loaded.parsed) : [];
  const problems = [...loaded.findings, ...generation].filter((f) => f.severity === 'error' && f.file === file);
  return problems.length ? problems.map((p) => `${p.line}:${p.column} ${p.message}`).join('; ') : undefined;
}

const RBAC_KINDS = ['ServiceAccount', 'Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding'];

function leftOverReason(d: ManifestDocument): string {
  if (RBAC_KINDS.includes(d.kind)) return 'no imported workload runs as a ServiceAccount it defines or binds';
  switch (d.kind) {
    case 'Service':
      return 'it selects no imported workload';
    case 'HorizontalPodAutoscaler':
      return 'it scales no imported workload';
    case 'NetworkPolicy':
      return 'it selects no imported workload';
    case 'ConfigMap':
      return 'no imported workload mounts it as a volume (the catalog generates only mounted ConfigMaps)';
    default:
      return 'the catalog has no such object (an entry describes a workload with its Service, HPA, mounted ConfigMaps, ServiceAccount and RBAC)';
  }
}

function noteAt(d: ManifestDocument, path: PathSegment[], workload: string | undefined, reason?: string): ImportNote {
  const loc = d.at(path);
  return {
    file: loc.file,
    line: loc.line,
    column: loc.column,
    ...(workload ? { workload } : {}),
    field: path.join('.'),
    message: reason ?? 'not expressible in a catalog entry',
  };
}

const sortNotes = (notes: ImportNote[]) =>
  [...notes].sort(
    (a, b) =>
      a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.message.localeCompare(b.message),
  );

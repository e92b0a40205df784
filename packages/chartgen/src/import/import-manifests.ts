import { loadCatalog, type SourceFile } from '@cmsweb/catalog';
import { parse } from 'yaml';
import { type PathSegment, type SourceFinding, sortFindings, stringifyYaml } from '@cmsweb/yaml';
import { checkGenerationRules } from '../generation-rules.js';
import { type ManifestDocument, type ManifestFile, parseManifests } from './manifest-documents.js';
import { importWorkload, isWorkloadKind } from './import-workload.js';
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
    });
    const file = `catalog/services/${w.name}.yaml`;
    const text = WORKLOAD_HEADER(`${w.file}:${at.line}`) + stringifyYaml(imported.entry);
    // A namespace the target cluster.yaml lacks is for people to add there: the entry is checked as if it
    // were declared (it loads once it is), and the report says so.
    const undeclared = !cluster.namespaces.some((n) => n.name === ns);
    const loaded = loadCatalog(undeclared ? withNamespace(options.clusterFile, ns) : options.clusterFile, [
      { path: file, text },
    ]);
    const generation = loaded.catalog ? checkGenerationRules(loaded.catalog, loaded.parsed) : [];
    const problems = [...loaded.findings, ...generation].filter((f) => f.severity === 'error');
    if (problems.length) {
      refuse(`the entry does not load: ${problems.map((p) => `${p.line}:${p.column} ${p.message}`).join('; ')}`);
      continue;
    }
    if (undeclared)
      notes.push({
        ...w.at(['metadata', 'namespace']),
        workload: w.name,
        field: 'metadata.namespace',
        message: `namespace ${ns} is not declared in catalog/cluster.yaml: add it to namespaces (the entry loads once it is)`,
      });
    for (const { document, usage } of imported.used) {
      consumed.add(document);
      for (const u of unusedFields(document.object, usage)) notes.push(noteAt(document, u.path, w.name, u.reason));
    }
    for (const p of byKind('NetworkPolicy').filter(
      (n) =>
        nsOf(n) === ns &&
        selects(((n.object.spec as Plain | undefined)?.podSelector as Plain | undefined)?.matchLabels, labels),
    )) {
      consumed.add(p);
      notes.push(
        noteAt(
          p,
          ['spec'],
          w.name,
          'the chart generates its own NetworkPolicy (from the frontend and Prometheus): these rules are not imported',
        ),
      );
    }
    result.entries.push({ name: w.name, file, text, source: `${w.file}:${at.line}` });
  }
  for (const d of parsed.documents) {
    if (consumed.has(d)) continue;
    notes.push(noteAt(d, [], undefined, `${d.kind} ${d.name} is not imported: ${leftOverReason(d)}`));
  }
  result.notes = sortNotes(notes);
  result.entries.sort((a, b) => a.name.localeCompare(b.name));
  return result;
}

/** The cluster file with one more namespace (for checking an entry whose namespace people still have to declare). */
function withNamespace(clusterFile: SourceFile, ns: string): SourceFile {
  const value = parse(clusterFile.text) as Plain;
  const namespaces = Array.isArray(value.namespaces) ? value.namespaces : [];
  return {
    path: clusterFile.path,
    text: stringifyYaml({ ...value, namespaces: [...namespaces, { name: ns, team: 'imported' }] }),
  };
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

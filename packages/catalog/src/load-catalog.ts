import { parseYaml, toJs, type ParsedYaml, type SourceFinding } from '@cmsweb/yaml';
import { cluster as clusterSchema, service as serviceSchema, type Cluster, type Service } from './schema.js';
import { zodIssuesToFindings } from './zod-findings.js';
import { checkCatalogRules } from './catalog-rules.js';
import { checkCatalogText } from './text-rules.js';

export interface SourceFile {
  /** Path as shown to users, relative to the repository root (e.g. catalog/services/dbs-global-r.yaml). */
  path: string;
  text: string;
}

export interface Catalog {
  cluster: Cluster;
  /** Sorted by name. */
  services: Service[];
  /** Repository-relative path of each service's file, by service name. */
  serviceFiles: Record<string, string>;
  clusterFile: string;
}

export interface LoadedCatalog {
  /** Present only when there are no findings at error severity. */
  catalog?: Catalog;
  findings: SourceFinding[];
  /** Parsed sources, for locating later findings (by repository-relative path). */
  parsed: Record<string, ParsedYaml>;
}

/**
 * Pure: parses and checks the catalog sources; every problem in every file comes back at once. `partial`:
 * `serviceFiles` are some of the catalog's services only, so rules between services (a URL prefix claimed
 * twice, an allowFrom naming another service) are left to a load of the whole catalog.
 */
export function loadCatalog(
  clusterFile: SourceFile,
  serviceFiles: SourceFile[],
  options: { partial?: boolean } = {},
): LoadedCatalog {
  const findings: SourceFinding[] = [];
  const parsed: Record<string, ParsedYaml> = {};

  const readOne = <T>(file: SourceFile, schema: typeof clusterSchema | typeof serviceSchema): T | undefined => {
    const p = parseYaml(file.text, file.path);
    parsed[file.path] = p;
    findings.push(...p.findings);
    if (p.findings.some((f) => f.severity === 'error')) return undefined;
    if (p.documents.length !== 1) {
      findings.push({
        file: file.path,
        line: 1,
        column: 1,
        check: 'catalog-schema',
        severity: 'error',
        message: `expected exactly one YAML document, found ${p.documents.length}`,
      });
      return undefined;
    }
    const value = toJs(p)[0];
    const text = checkCatalogText(value, p);
    if (text.length) {
      findings.push(...text);
      return undefined;
    }
    const result = schema.safeParse(value);
    if (!result.success) {
      findings.push(...zodIssuesToFindings(result.error.issues, p, schema, value));
      return undefined;
    }
    return result.data as T;
  };

  const cluster = readOne<Cluster>(clusterFile, clusterSchema);
  const services: Service[] = [];
  const files: Record<string, string> = {};
  const entries: Array<{ service: Service; file: string }> = [];
  for (const f of [...serviceFiles].sort((a, b) => a.path.localeCompare(b.path))) {
    const s = readOne<Service>(f, serviceSchema);
    if (!s) continue;
    services.push(s);
    entries.push({ service: s, file: f.path });
    files[s.name] ??= f.path;
  }
  if (cluster)
    findings.push(...checkCatalogRules(cluster, clusterFile.path, entries, parsed, options.partial === true));
  services.sort((a, b) => a.name.localeCompare(b.name));
  const ok = cluster && !findings.some((f) => f.severity === 'error');
  return {
    catalog: ok ? { cluster, services, serviceFiles: files, clusterFile: clusterFile.path } : undefined,
    findings,
    parsed,
  };
}

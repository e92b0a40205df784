import {
  locate,
  parseYaml,
  toJs,
  type ParsedYaml,
  type PathSegment,
  type SourceFinding,
  type SourceLocation,
} from '@cmsweb/yaml';
import { hasProdMarkers, prodVariant } from './prod-variant.js';
import { isPlain, type Plain } from './tracked-field.js';

/** A manifest file as read by the shell: path as shown to users, text as on disk. */
export interface ManifestFile {
  path: string;
  text: string;
}

/** One Kubernetes object of the input and where it is. */
export interface ManifestDocument {
  file: string;
  /** Index of the YAML document in its file. */
  index: number;
  object: Plain;
  kind: string;
  name: string;
  namespace?: string;
  /** Locates a field of this object (file:line:column of the original file). */
  at: (path: readonly PathSegment[]) => SourceLocation;
}

export interface ParsedManifests {
  documents: ManifestDocument[];
  /** Bad input: YAML errors, documents that are not Kubernetes objects. Any of them refuses the import. */
  errors: SourceFinding[];
  /**
   * Duplicate keys: kubectl applied these files (its YAML decoding keeps the last value), so the importer
   * reads them the same way and reports each one.
   */
  duplicates: SourceFinding[];
  /** Files read in their production variant (they had `#PROD#` markers). */
  prodFiles: string[];
}

const bad = (loc: SourceLocation, message: string): SourceFinding => ({
  ...loc,
  check: 'import-input',
  severity: 'error',
  message,
});

/**
 * Pure: every Kubernetes object of the files, CMSKubernetes files read in their production variant
 * (prod-variant.ts). Empty documents (a lone `---`) are skipped; a document without apiVersion, kind and
 * metadata.name is bad input.
 */
export function parseManifests(files: ManifestFile[]): ParsedManifests {
  const documents: ManifestDocument[] = [];
  const errors: SourceFinding[] = [];
  const duplicates: SourceFinding[] = [];
  const prodFiles: string[] = [];
  for (const file of files) {
    const marked = hasProdMarkers(file.text);
    if (marked) prodFiles.push(file.path);
    // kubectl decodes YAML with go-yaml v2 (sigs.k8s.io/yaml): YAML 1.1, so `defaultMode: 0640` is octal.
    const parsed: ParsedYaml = parseYaml(marked ? prodVariant(file.text) : file.text, file.path, { version: '1.1' });
    const yamlErrors = parsed.findings.filter((f) => f.severity === 'error' && f.check !== 'yaml-duplicate-key');
    duplicates.push(...parsed.findings.filter((f) => f.check === 'yaml-duplicate-key'));
    if (yamlErrors.length) {
      errors.push(
        ...yamlErrors.map((f) => ({
          ...f,
          message: marked ? `${f.message} (in the production variant: #PROD# markers uncommented)` : f.message,
        })),
      );
      continue;
    }
    toJs(parsed).forEach((object, index) => {
      const at = (path: readonly PathSegment[]) => locate(parsed, index, path);
      if (object === null || object === undefined) return;
      if (!isPlain(object)) {
        errors.push(bad(at([]), 'expected a Kubernetes object (a mapping with apiVersion, kind and metadata)'));
        return;
      }
      const kind = object.kind;
      const metadata = object.metadata;
      const name = isPlain(metadata) ? metadata.name : undefined;
      if (typeof object.apiVersion !== 'string' || typeof kind !== 'string') {
        errors.push(bad(at([]), 'expected a Kubernetes object: apiVersion and kind must be strings'));
        return;
      }
      if (typeof name !== 'string' || name === '') {
        errors.push(bad(at(['metadata']), `${kind} without metadata.name: every object needs a name`));
        return;
      }
      const ns = isPlain(metadata) && typeof metadata.namespace === 'string' ? metadata.namespace : undefined;
      documents.push({ file: file.path, index, object, kind, name, ...(ns ? { namespace: ns } : {}), at });
    });
  }
  return { documents, errors, duplicates, prodFiles };
}

// A kubeconform -schema-location on local disk: a directory laid out as kubeconform expects, or a path
// template. Like kubeconform, the strict flag selects the "-strict" files through {{ .StrictSuffix }}.
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { jsonDepthFinding } from '@cmsweb/yaml';
import { apiVersionOf } from '../gvk.js';
import type { GroupVersionKind, JSONSchema, SchemaSource } from '../types.js';
import { inlineFileRefs } from './inline-refs.js';
import { expandLocation, locationTemplateData, renderLocation } from './location-template.js';

export interface LocationSourceOptions {
  readonly strict: boolean;
  /** Base for a relative location. Default process.cwd(). */
  readonly cwd?: string;
}

export interface LocationSource extends SchemaSource {
  loadSync(gvk: GroupVersionKind, kubernetesVersion: string): JSONSchema | undefined;
  /** The files tried for a kind, in order. */
  candidates(gvk: GroupVersionKind, kubernetesVersion: string): string[];
}

function parseJson(file: string, text: string): JSONSchema {
  // JSON.parse and the schema compiler recurse: nesting is bounded first (YAML_LIMITS of @cmsweb/yaml).
  const deep = jsonDepthFinding(text, file);
  if (deep) throw new Error(`${file}:${deep.line}:${deep.column}: ${deep.message}`);
  try {
    return JSON.parse(text) as JSONSchema;
  } catch (err) {
    throw new Error(`${file}: not valid JSON: ${(err as Error).message}`);
  }
}

export function createLocationSource(location: string, options: LocationSourceOptions): LocationSource {
  if (/^https?:\/\//i.test(location)) {
    throw new Error(`schema location "${location}": only local directories and files are supported (no network)`);
  }
  const template = expandLocation(location);
  // Fail at construction on a malformed template, as kubeconform does.
  renderLocation(template, locationTemplateData('Deployment', 'v1', 'master', true));
  const base = options.cwd ?? process.cwd();

  const candidates = (gvk: GroupVersionKind, kubernetesVersion: string): string[] => {
    // kubeconform uses the version exactly as given; '1.33' also tries '1.33.0', the layout of the
    // published schema sets, since environments name minor versions.
    const versions = [kubernetesVersion];
    if (/^v?\d+\.\d+$/.test(kubernetesVersion)) versions.push(`${kubernetesVersion}.0`);
    const paths = versions.map((v) =>
      renderLocation(template, locationTemplateData(gvk.kind, apiVersionOf(gvk), v, options.strict)),
    );
    return [...new Set(paths.map((p) => (isAbsolute(p) ? p : resolve(base, p))))];
  };

  const readJson = (file: string) => parseJson(file, readFileSync(file, 'utf8'));

  return {
    name: `schema location ${location}`,
    candidates,
    loadSync(gvk, kubernetesVersion) {
      const file = candidates(gvk, kubernetesVersion).find((f) => existsSync(f));
      return file ? inlineFileRefs(readJson(file), file, readJson) : undefined;
    },
    async load(gvk, kubernetesVersion) {
      for (const file of candidates(gvk, kubernetesVersion)) {
        let text: string;
        try {
          text = await readFile(file, 'utf8');
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
          throw err;
        }
        return inlineFileRefs(parseJson(file, text), file, readJson);
      }
      return undefined;
    },
  };
}

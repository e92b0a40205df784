// Pure: kubeconform's -schema-location path templates (pkg/registry/registry.go), same variables and
// values: for apps/v1 Deployment, Kubernetes 1.33.0, strict:
//   NormalizedKubernetesVersion v1.33.0   StrictSuffix -strict   ResourceKind deployment
//   ResourceAPIVersion v1                 Group apps             KindSuffix -apps-v1
// (core "v1": Group "v1", KindSuffix "-v1"; networking.k8s.io/v1: KindSuffix "-networking-v1").

export interface LocationTemplateData {
  readonly NormalizedKubernetesVersion: string;
  readonly StrictSuffix: string;
  readonly ResourceKind: string;
  readonly ResourceAPIVersion: string;
  readonly Group: string;
  readonly KindSuffix: string;
}

/** What kubeconform appends to a location that does not end in "json" (a directory). */
export const DIRECTORY_LAYOUT =
  '/{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json';

export function expandLocation(location: string): string {
  return location.endsWith('json') ? location : location + DIRECTORY_LAYOUT;
}

export function locationTemplateData(
  kind: string,
  apiVersion: string,
  kubernetesVersion: string,
  strict: boolean,
): LocationTemplateData {
  // kubeconform prefixes "v" to the -kubernetes-version value; a value already starting with "v" is
  // taken as is rather than doubled.
  const bare = kubernetesVersion.replace(/^v/, '');
  const groupParts = apiVersion.split('/');
  const versionParts = groupParts[0]!.split('.');
  let kindSuffix = `-${versionParts[0]!.toLowerCase()}`;
  if (groupParts.length > 1) kindSuffix += `-${groupParts[1]!.toLowerCase()}`;
  return {
    NormalizedKubernetesVersion: bare === 'master' ? 'master' : `v${bare}`,
    StrictSuffix: strict ? '-strict' : '',
    ResourceKind: kind.toLowerCase(),
    ResourceAPIVersion: groupParts[groupParts.length - 1]!,
    Group: groupParts[0]!,
    KindSuffix: kindSuffix,
  };
}

const ACTION = /\{\{(-?)\s*([^}]*?)\s*(-?)\}\}/g;

/** Renders a template; `{{- ... -}}` trims surrounding whitespace as Go templates do. */
export function renderLocation(template: string, data: LocationTemplateData): string {
  let out = '';
  let last = 0;
  for (const m of template.matchAll(ACTION)) {
    let before = template.slice(last, m.index);
    if (m[1]) before = before.trimEnd();
    out += before;
    const field = /^\.(\w+)$/.exec(m[2]!)?.[1];
    if (!field)
      throw new Error(`schema location template: unsupported action "{{${m[2]}}}" (only {{ .Field }} is supported)`);
    if (!Object.hasOwn(data, field)) {
      throw new Error(`schema location template: unknown field ".${field}" (known: ${Object.keys(data).join(', ')})`);
    }
    out += data[field as keyof LocationTemplateData];
    last = m.index + m[0].length;
    if (m[3]) {
      const rest = template.slice(last);
      last += rest.length - rest.trimStart().length;
    }
  }
  const tail = template.slice(last);
  if (tail.includes('{{')) throw new Error(`schema location template: unclosed action in "${template}"`);
  return out + tail;
}

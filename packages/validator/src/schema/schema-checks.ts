import { fromPointer, type Finding } from '../findings.js';
import type { Resource } from '../resources.js';
import { checkDefinition, type CheckId } from '../checks/registry.js';
import { objectFinding } from '../checks/object-findings.js';
import type { KubeSchemaValidator } from './schema-validator.js';

/** Pure (given a validator): schema, removed and deprecated API findings for each object. */
export function runSchemaChecks(
  resources: readonly Resource[],
  validator: KubeSchemaValidator,
  kubernetesVersion: string,
  enabled: (id: string) => boolean,
  ignoreAnnotation: string,
): Finding[] {
  const out: Finding[] = [];
  const add = (id: CheckId, r: Resource, path: ReadonlyArray<string | number>, message: string) => {
    if (!enabled(id)) return;
    const f = objectFinding(id, checkDefinition(id).severity, r, path, message, ignoreAnnotation);
    if (f) out.push(f);
  };
  for (const r of resources) {
    const api = validator.checkApiVersion(r.ref.apiVersion, r.ref.kind);
    if (api.status === 'removed') add('api-removed', r, ['apiVersion'], api.message);
    else if (api.status === 'deprecated') add('api-deprecated', r, ['apiVersion'], api.message);
    const result = validator.validate(r.object);
    if (result === 'unknown-kind') {
      if (api.status !== 'removed') {
        add(
          'schema-unknown-kind',
          r,
          ['kind'],
          `no schema for ${r.ref.apiVersion} ${r.ref.kind} in Kubernetes ${kubernetesVersion} (built-in kinds, Argo CD and Flux CRDs, --schema-location): the object was not validated`,
        );
      }
      continue;
    }
    for (const v of result) {
      const path = fromPointer(v.path);
      const field = path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
      add(v.check, r, path, field && !v.message.includes(field) ? `${field}: ${v.message}` : v.message);
    }
  }
  return out;
}

// Which client model is the schema of which group/version/kind. The client's generated API classes
// carry that fact: every `create...` request POSTs a body of the kind's model type to the kind's
// collection path (/api/v1/... or /apis/<group>/<version>/...). List kinds follow as <model>List.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gvkKey } from '../../gvk.js';
import type { GroupVersionKind } from '../../types.js';
import { clientNodeDir } from './client-node-models.js';

export interface KindIndexEntry {
  readonly gvk: GroupVersionKind;
  readonly model: string;
}

/** 'CoreV1Event' → 'Event', 'V2HorizontalPodAutoscaler' → 'HorizontalPodAutoscaler'. */
export function kindOfModel(model: string): string {
  return model.replace(/^(?:[A-Z][a-z]+)*?V\d+(?:(?:alpha|beta)\d+)?(?=[A-Z])/, '');
}

/** The model name without a group prefix: 'ResourceV1ResourceClaim' → 'V1ResourceClaim'. */
function withoutGroupPrefix(model: string): string {
  return model.replace(/^(?:[A-Z][a-z]+)+(?=V\d)/, '');
}

const CREATE = /async create\w*\([^)]*\) \{[\s\S]*?localVarPath = '([^']+)'[\s\S]*?serialize\(body, "(\w+)"/g;
const COLLECTION = /^\/(?:api\/(v1)|apis\/([a-z0-9.-]+)\/([a-z0-9]+))\//;

/** Pure: the kinds one API class file declares; `hasModel` tells which model files exist. */
export function kindsOfApiSource(source: string, hasModel: (model: string) => boolean): KindIndexEntry[] {
  const entries: KindIndexEntry[] = [];
  for (const m of source.matchAll(CREATE)) {
    const [, path, model] = m as unknown as [string, string, string];
    // Subresources (pods/{name}/eviction) and templated groups (custom objects) name no kind of their own.
    if (path.includes('{name}') || !hasModel(model)) continue;
    const c = COLLECTION.exec(path);
    if (!c) continue;
    const group = c[1] ? '' : c[2]!;
    const version = c[1] ?? c[3]!;
    const kind = kindOfModel(model);
    entries.push({ gvk: { group, version, kind }, model });
    const list = [`${model}List`, `${withoutGroupPrefix(model)}List`].find(hasModel);
    if (list) entries.push({ gvk: { group, version, kind: `${kind}List` }, model: list });
  }
  return entries;
}

/** Reads every API class of the installed client: 'apps/v1 Deployment' → entry. */
export function readKindIndex(root = join(clientNodeDir(), 'dist', 'gen')): Map<string, KindIndexEntry> {
  const apis = join(root, 'apis');
  const hasModel = (model: string) => existsSync(join(root, 'models', `${model}.js`));
  const index = new Map<string, KindIndexEntry>();
  for (const file of readdirSync(apis)
    .filter((f) => f.endsWith('Api.js'))
    .sort()) {
    for (const entry of kindsOfApiSource(readFileSync(join(apis, file), 'utf8'), hasModel)) {
      index.set(gvkKey(entry.gvk), entry);
    }
  }
  return index;
}

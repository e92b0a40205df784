import { isRecord, labelsOf } from '../../resources.js';
import type { CheckTemplate, Issue } from '../check.js';
import { podTemplateOf } from '../workloads.js';

// Per-object templates: each looks at one object at a time.

/** hostPath volumes only under an allowed path (catalog/cluster.yaml allowedHostPaths). */
export const hostPathAllowed: CheckTemplate = {
  name: 'host-path-allowed',
  description: 'hostPath volumes mount only allowed host paths',
  crossObject: false,
  params: {},
  run(_params, objects, context) {
    const out: Issue[] = [];
    const allowed = context.allowedHostPaths.map((p) => p.replace(/\/+$/, ''));
    for (const r of objects.all) {
      const pod = podTemplateOf(r);
      if (!pod || !Array.isArray(pod.spec.volumes)) continue;
      pod.spec.volumes.forEach((v, i) => {
        if (!isRecord(v) || !isRecord(v.hostPath)) return;
        const path = String(v.hostPath.path ?? '');
        const norm = path.replace(/\/+$/, '');
        if (allowed.some((a) => norm === a || norm.startsWith(`${a}/`))) return;
        out.push({
          resource: r,
          path: [...pod.path, 'spec', 'volumes', i, 'hostPath', 'path'],
          message: `volume "${String(v.name)}" mounts host path ${path}, which is not allowed: expected one of ${allowed.length ? allowed.join(', ') : '(none: allowedHostPaths is empty)'} (catalog/cluster.yaml allowedHostPaths)`,
        });
      });
    }
    return out;
  },
};

/** Labels every object carries. Params: labels (names), kinds to skip. */
export const requiredLabels: CheckTemplate = {
  name: 'required-labels',
  description: 'every object carries the given metadata labels',
  crossObject: false,
  params: { labels: { type: 'string[]', required: true, description: 'label keys every object carries' } },
  run(params, objects) {
    const names = params.labels as string[];
    const out: Issue[] = [];
    for (const r of objects.all) {
      const labels = labelsOf(r.object);
      const missing = names.filter((n) => !labels[n]);
      if (missing.length) {
        const set = missing.length < names.length ? ` (the standard set is ${names.join(', ')})` : '';
        out.push({ resource: r, path: ['metadata', 'labels'], message: `${r.ref.kind} ${r.ref.name} lacks the standard label${missing.length > 1 ? 's' : ''} ${missing.join(', ')}${set}` });
      }
    }
    return out;
  },
};

/**
 * Frontend rules (`<regex> <host>[|<host>...] [:affinity]`, one per line) held in a ConfigMap data key:
 * each URL prefix may be routed once. Params: dataKey (regular expression over data keys).
 */
export const frontendRulesUnique: CheckTemplate = {
  name: 'frontend-rules-unique',
  description: 'each URL prefix appears in one frontend rule only',
  crossObject: false,
  params: { dataKey: { type: 'regexp', required: true, description: 'which data keys of ConfigMaps hold frontend rules' } },
  run(params, objects) {
    const keyPattern = new RegExp(String(params.dataKey));
    const out: Issue[] = [];
    for (const r of objects.byKind('ConfigMap')) {
      const data = isRecord(r.object.data) ? r.object.data : {};
      for (const [key, text] of Object.entries(data)) {
        if (!keyPattern.test(key) || typeof text !== 'string') continue;
        const seen = new Map<string, number>();
        text.split('\n').forEach((line, i) => {
          const t = line.trim();
          if (t === '' || t.startsWith('#')) return;
          const prefix = t.split(/\s+/)[0]!;
          const first = seen.get(prefix);
          if (first !== undefined) {
            out.push({ resource: r, path: ['data', key], message: `${key} line ${i + 1} routes URL prefix ${prefix} again (first on line ${first}): expected each prefix once; the frontend uses the first match only` });
          } else seen.set(prefix, i + 1);
        });
      }
    }
    return out;
  },
};

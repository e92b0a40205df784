import { appendFileSync, cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderKey, storedRenderer } from '../src/render/render-store.js';
import type { Renderer, RenderRequest, RenderResult } from '../src/render/renderer.js';
import { REPO_ROOT } from './helpers.js';

// The render store (--render-store) on copies of this repository's dbs chart, its library and overlay: a
// render is replayed only for the same bytes of everything helm reads, whatever the checkout's path.

const base = mkdtempSync(join(tmpdir(), 'validator-render-store-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

function checkout(name: string): string {
  const root = join(base, name);
  for (const p of ['charts/dbs', 'charts/_library', 'environments/prod/values/dbs.yaml'])
    cpSync(join(REPO_ROOT, p), join(root, p), { recursive: true });
  return root;
}

const request = (root: string, extra: Partial<RenderRequest> = {}): RenderRequest => ({
  chartDir: join(root, 'charts/dbs'),
  releaseName: 'dbs',
  namespace: 'dbs',
  valueFiles: [join(root, 'environments/prod/values/dbs.yaml')],
  kubeVersion: '1.33',
  ...extra,
});

/** A renderer that counts its calls and answers `result`. */
function counting(result: RenderResult): Renderer & { calls: number } {
  const r = {
    name: 'counting',
    calls: 0,
    render: async () => {
      r.calls++;
      return result;
    },
  };
  return r;
}

describe('render store', () => {
  it('the same inputs in another checkout have the same key; each file helm reads changes it', async () => {
    const a = checkout('a');
    const b = checkout('b');
    const key = (root: string, extra?: Partial<RenderRequest>) => renderKey('counting', request(root, extra), root);
    const k = await key(a);
    expect(await key(b)).toBe(k);
    expect(await key(a, { timeoutSeconds: 5 }), 'the timeout does not change a finished render').toBe(k);
    expect(await key(a, { namespace: 'other' })).not.toBe(k);
    const edits = ['charts/_library/templates/_pod.tpl', 'charts/dbs/values.yaml', 'environments/prod/values/dbs.yaml'];
    let last = k;
    for (const f of edits) {
      appendFileSync(join(b, f), '\n# edited\n');
      const now = await key(b);
      expect(now, f).not.toBe(last);
      last = now;
    }
  });

  it('replays a stored render without calling the renderer; a timeout is not stored', async () => {
    const root = checkout('replay');
    const store = join(base, 'store');
    const ok = counting({ manifests: 'kind: ConfigMap\n' });
    const first = await storedRenderer(ok, store, root).render(request(root));
    const again = await storedRenderer(ok, store, root).render(request(root));
    expect(ok.calls).toBe(1);
    expect(again).toEqual(first);
    expect(readdirSync(join(store, 'dbs'))).toHaveLength(1); // by chart name: the service's folder

    const slow = counting({ manifests: '', error: { kind: 'timeout', message: 'helm did not finish in 1 s' } });
    const other = request(root, { releaseName: 'slow' });
    await storedRenderer(slow, store, root).render(other);
    await storedRenderer(slow, store, root).render(other);
    expect(slow.calls).toBe(2);
  });
});

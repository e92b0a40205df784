import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../src/config/validator-config.js';
import { nativeRenderer } from '../src/render/native-renderer.js';
import type { Renderer, RenderRequest, RenderResult } from '../src/render/renderer.js';
import { validateRepo } from '../src/repo/validate-repo.js';
import { createKubeSchemaValidator } from '../src/schema/kube-schemas-adapter.js';
import { tempRepo } from './helpers.js';

// Repository mode keeps no position of a rendered object (validate-repo.ts, keptResource): a finding
// between objects renders its service again and places itself there (placeIssues). Only the renders such a
// finding needs are made again; a render that no longer gives the same object still reports the finding
// (fail closed), at the template file.

const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

/** The fixture repository with a Service port no pod has (service-target-port in dev and prod). */
function brokenPortRepo(): string {
  const repo = tempRepo();
  cleanups.push(repo.cleanup);
  const p = join(repo.dir, 'charts/demo/templates/service.yaml');
  writeFileSync(p, readFileSync(p, 'utf8').replace('targetPort: http', 'targetPort: web'));
  return repo.dir;
}

/** The in-process native renderer, counting the renders of each request. */
function counting(then?: (request: RenderRequest, n: number, result: RenderResult) => RenderResult) {
  const renders = new Map<string, number>();
  const renderer: Renderer = {
    name: 'native',
    async render(request) {
      const key = JSON.stringify(request);
      const n = (renders.get(key) ?? 0) + 1;
      renders.set(key, n);
      const result = await nativeRenderer.render(request);
      return then ? then(request, n, result) : result;
    },
  };
  return { renderer, renders };
}

async function crossFindings(root: string, renderer: Renderer) {
  const r = await validateRepo({ root, renderer, createSchemas: createKubeSchemaValidator, config: DEFAULT_CONFIG });
  return r.findings
    .filter((f) => f.check === 'service-target-port')
    .map((f) => [f.file, f.line, f.column, f.path, f.env, f.related]);
}

describe('positions of findings between objects, found on demand', { timeout: 120_000 }, () => {
  it('renders again only the services a finding between objects needs, and places it at the template line', async () => {
    const root = brokenPortRepo();
    const { renderer, renders } = counting();
    const found = await crossFindings(root, renderer);
    const line = readFileSync(join(root, 'charts/demo/templates/service.yaml'), 'utf8')
      .split('\n')
      .findIndex((l) => l.includes('targetPort: web'));
    expect(found).toEqual(
      ['dev', 'prod'].map((env) => [
        'charts/demo/templates/service.yaml',
        line + 1,
        7,
        '/spec/ports/0/targetPort',
        env,
        undefined,
      ]),
    );
    // Each render of demo twice (once to check, once to place its finding); nothing else again.
    const demo = [...renders].filter(([k]) => k.includes('/values/demo.yaml'));
    expect(demo.length).toBe(2);
    for (const [, n] of demo) expect(n).toBe(2);
    for (const [k, n] of renders) if (!k.includes('/values/demo.yaml')) expect(n, k).toBe(1);
  });

  it('a render that fails the second time still reports the finding, at the template file (fail closed)', async () => {
    const root = brokenPortRepo();
    const { renderer } = counting((_req, n, result) =>
      n === 1 ? result : { manifests: '', error: { kind: 'timeout', message: 'timed out' } },
    );
    expect(await crossFindings(root, renderer)).toEqual(
      ['dev', 'prod'].map((env) => [
        'charts/demo/templates/service.yaml',
        1,
        1,
        '/spec/ports/0/targetPort',
        env,
        undefined,
      ]),
    );
  });

  it('the environment rules place their findings on rendered objects the same way (exclusive-secret)', async () => {
    const repo = tempRepo();
    cleanups.push(repo.cleanup);
    const p = join(repo.dir, 'charts/demo/templates/deployment.yaml');
    // Every environment's Deployment reads prod's exclusive secret (prod's overlay owns demo-prod-db).
    writeFileSync(
      p,
      readFileSync(p, 'utf8').replace(
        '          env:\n',
        '          env:\n            - name: PROD_PASSWORD\n              valueFrom:\n                secretKeyRef:\n                  name: demo-prod-db\n                  key: password\n',
      ),
    );
    const { renderer, renders } = counting();
    const r = await validateRepo({
      root: repo.dir,
      renderer,
      createSchemas: createKubeSchemaValidator,
      config: DEFAULT_CONFIG,
    });
    const line = readFileSync(p, 'utf8')
      .split('\n')
      .findIndex((l) => l.includes('name: demo-prod-db'));
    expect(
      r.findings.filter((f) => f.check === 'exclusive-secret').map((f) => [f.file, f.line, f.column, f.path, f.env]),
    ).toEqual([
      [
        'charts/demo/templates/deployment.yaml',
        line + 1,
        19,
        '/spec/template/spec/containers/0/env/0/valueFrom/secretKeyRef/name',
        'dev',
      ],
    ]);
    // Only dev's render of demo again.
    const again = [...renders].filter(([, n]) => n > 1).map(([k]) => k);
    expect(again.length).toBe(1);
    expect(again[0]).toContain('/environments/dev/values/demo.yaml');
  });
});

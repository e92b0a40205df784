import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseYaml, stringifyYaml, toJs } from '@cmsweb/yaml';
import { loadCatalog } from '@cmsweb/catalog';
import { CHECKS } from '../src/checks/registry.js';
import { EMPTY_CONTEXT, type CheckDefinition, type PolicyContext } from '../src/checks/check.js';
import { DEFAULT_CONFIG } from '../src/config/validator-config.js';
import { parseManifests } from '../src/manifests/parse-manifests.js';
import { validateObjects } from '../src/validate-objects.js';
import { validateChart } from '../src/chart/validate-chart.js';
import { validateRepo } from '../src/repo/validate-repo.js';
import { helmRenderer } from '../src/render/helm-renderer.js';
import { storedRenderer } from '../src/render/render-store.js';
import { createKubeSchemaValidator } from '../src/schema/kube-schemas-adapter.js';
import { mergeValues } from '../src/sources/values-schema.js';
import type { Finding } from '../src/findings.js';
import { fromSourceFinding } from '../src/sources/yaml-findings.js';
import { FIXTURES, FIXTURE_REPO, tempRepo } from './helpers.js';

// Every check of the registry has a fixture that fires and one that does not (kube-linter style):
// test/fixtures/checks/<id>/{fires,passes}(.yaml | /). The layout per scope is in src/checks/check.ts.

const DIR = join(FIXTURES, 'checks');
const KUBE = '1.33';
// The repository fixtures are the fixture repository with a few files changed, mostly not what helm reads:
// one render store for the file (validator --render-store, keyed on the bytes of everything helm reads), so
// a chart and values already rendered for another fixture are replayed, not rendered by helm again.
const STORE = mkdtempSync(join(tmpdir(), 'validator-check-fixtures-renders-'));
afterAll(() => rmSync(STORE, { recursive: true, force: true }));

async function findingsFor(check: CheckDefinition, kind: 'fires' | 'passes'): Promise<Finding[]> {
  const base = join(DIR, check.id);
  switch (check.scope) {
    case 'source':
    case 'object': {
      const file = join(base, `${kind}.yaml`);
      const ctxFile = join(base, `${kind}.context.yaml`);
      const ctx = (
        existsSync(ctxFile) ? toJs(parseYaml(readFileSync(ctxFile, 'utf8'), ctxFile))[0] : {}
      ) as Partial<PolicyContext> & { service?: string };
      const parsed = parseManifests(readFileSync(file, 'utf8'), file);
      const resources = parsed.resources.map((r) => (ctx.service ? { ...r, service: ctx.service } : r));
      // <kind>.schemas/: extra JSON schemas, passed as a kubeconform-style --schema-location after the default.
      const extra = join(base, `${kind}.schemas`);
      const schemas = await createKubeSchemaValidator({
        kubernetesVersion: KUBE,
        ...(existsSync(extra)
          ? { schemaLocations: ['default', `${extra}/{{ .ResourceKind }}{{ .KindSuffix }}.json`] }
          : {}),
      });
      const context: PolicyContext = { ...EMPTY_CONTEXT, ...ctx };
      const found = [
        ...parsed.findings,
        ...validateObjects(resources, { schemas, kubernetesVersion: KUBE, context, enabled: () => true }),
      ];
      return found;
    }
    case 'chart': {
      const r = await validateChart({
        dir: join(base, kind),
        valueFiles: [],
        namespace: 'web',
        kubernetesVersion: KUBE,
        renderer: helmRenderer,
        createSchemas: createKubeSchemaValidator,
        config: DEFAULT_CONFIG,
        context: { ...EMPTY_CONTEXT, complete: true },
      });
      return r.findings;
    }
    case 'catalog': {
      const dir = join(base, kind);
      let cluster = readFileSync(join(FIXTURE_REPO, 'catalog', 'cluster.yaml'), 'utf8');
      if (existsSync(join(dir, 'cluster.yaml'))) {
        const patch = toJs(parseYaml(readFileSync(join(dir, 'cluster.yaml'), 'utf8'), 'cluster.yaml'))[0];
        cluster = stringifyYaml(mergeValues(toJs(parseYaml(cluster, 'cluster.yaml'))[0], patch));
      }
      const services = readdirSync(join(dir, 'services')).map((n) => ({
        path: `catalog/services/${n}`,
        text: readFileSync(join(dir, 'services', n), 'utf8'),
      }));
      return loadCatalog({ path: 'catalog/cluster.yaml', text: cluster }, services).findings.map((f) =>
        fromSourceFinding(f),
      );
    }
    case 'repository': {
      const repo = tempRepo(FIXTURE_REPO, join(base, kind));
      try {
        const r = await validateRepo({
          root: repo.dir,
          renderer: storedRenderer(helmRenderer, STORE, repo.dir),
          createSchemas: createKubeSchemaValidator,
          config: DEFAULT_CONFIG,
        });
        return r.findings.map((f) => ({ ...f, file: f.file?.replace(`${repo.dir}/`, '') }));
      } finally {
        repo.cleanup();
      }
    }
  }
}

function fixturePaths(check: CheckDefinition): string[] {
  const base = join(DIR, check.id);
  return check.scope === 'source' || check.scope === 'object'
    ? [join(base, 'fires.yaml'), join(base, 'passes.yaml')]
    : [join(base, 'fires'), join(base, 'passes')];
}

describe('every check has fixtures', () => {
  it.each(CHECKS.map((c) => [c.id, c] as const))('%s has a fixture that fires and one that passes', (_id, check) => {
    const missing = fixturePaths(check).filter((p) => !existsSync(p));
    expect(missing, `missing fixtures for ${check.id}`).toEqual([]);
  });

  it('has no fixture directory for a check that does not exist', () => {
    const ids = new Set<string>(CHECKS.map((c) => c.id));
    expect(readdirSync(DIR).filter((d) => !ids.has(d))).toEqual([]);
  });
});

// The exact findings of the check on its firing fixture (id, position, message), as committed in
// <id>/fires.expected.json. UPDATE_FIXTURES=1 rewrites those files from the current output (review the diff).
function exact(check: CheckDefinition, found: Finding[]): Array<Record<string, unknown>> {
  const base = join(DIR, check.id);
  return found
    .filter((f) => f.check === check.id)
    .map((f) => ({
      check: f.check,
      file: f.file?.replace(`${base}/`, ''),
      line: f.line,
      column: f.column,
      message: f.message.replaceAll(`${base}/`, ''),
      ...(f.path ? { path: f.path } : {}),
    }));
}

describe('check fixtures', () => {
  for (const check of CHECKS) {
    it(`${check.id}: fires exactly as expected on fires, not on passes`, { timeout: 120_000 }, async () => {
      const fires = exact(check, await findingsFor(check, 'fires'));
      const expectedFile = join(DIR, check.id, 'fires.expected.json');
      if (process.env.UPDATE_FIXTURES === '1') writeFileSync(expectedFile, `${JSON.stringify(fires, null, 2)}\n`);
      expect(existsSync(expectedFile), `${expectedFile} is missing (run with UPDATE_FIXTURES=1 and review it)`).toBe(
        true,
      );
      expect(fires.length, `${check.id} does not fire on its fixture`).toBeGreaterThan(0);
      expect(fires).toEqual(JSON.parse(readFileSync(expectedFile, 'utf8')));
      expect((await findingsFor(check, 'passes')).map((f) => f.check)).not.toContain(check.id);
    });
  }
});

// The shipped data (data/kubernetes/) is exactly what the generator writes from ../shared/reference.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateCrdFiles, generateSchemaFiles, REFERENCE_DIR, SCHEMA_DATA_DIR } from '../scripts/schema-files.js';

if (!existsSync(join(REFERENCE_DIR, 'kubernetes-openapi'))) {
  it.skip(`shipped schema data matches the generator: ${REFERENCE_DIR} is absent (../shared not checked out), comparison skipped`, () => {});
} else {
  describe('shipped schema data', () => {
    const files = { ...generateSchemaFiles(REFERENCE_DIR), ...generateCrdFiles(REFERENCE_DIR) };

    it('covers the CRDs, the releases 1.30-1.36, the definition pool and the enums', () => {
      expect(Object.keys(files).sort()).toEqual([
        'crds/argoproj.io_v1alpha1_AppProject.json',
        'crds/argoproj.io_v1alpha1_Application.json',
        'crds/helm.toolkit.fluxcd.io_v2_HelmRelease.json',
        'crds/kustomize.toolkit.fluxcd.io_v1_Kustomization.json',
        'crds/source.toolkit.fluxcd.io_v1_GitRepository.json',
        'kubernetes/definitions.json',
        'kubernetes/enums.json',
        ...['30', '31', '32', '33', '34', '35', '36'].map((m) => `kubernetes/v1.${m}.json`),
      ]);
    });

    it.each(Object.keys(files).sort())('%s equals what `npm run schemas:generate` writes', (rel) => {
      const file = join(SCHEMA_DATA_DIR, rel);
      expect(existsSync(file), `${file} is missing: run npm run schemas:generate`).toBe(true);
      expect(
        readFileSync(file, 'utf8') === files[rel],
        `${rel} differs from the generator's output: run npm run schemas:generate`,
      ).toBe(true);
    });
  });
}

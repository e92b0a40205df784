// --crd DIR and validator.yaml `crds:`: a user's CRDs check their custom resources like built-in kinds,
// CEL rules included; a missing or broken CRD is bad input (exit 2) and nothing is validated.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_RENDERER } from '../src/render/default-renderer.js';
import { UsageError } from '../src/errors.js';
import { runCli, runManifestsInProcess, runRepoInProcess, tempRepo } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'validator-crd-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: { name: widgets.example.org }
spec:
  group: example.org
  names: { kind: Widget, plural: widgets }
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              required: [size]
              properties:
                size: { type: integer, maximum: 10 }
                mode: { type: string, enum: [fast, slow] }
              x-kubernetes-validations:
                - rule: "self.mode != 'fast' || self.size <= 5"
                  message: fast widgets are at most 5
`;
const widget = (spec: string) =>
  `apiVersion: example.org/v1\nkind: Widget\nmetadata: { name: w, namespace: default }\nspec: ${spec}\n`;

mkdirSync(join(dir, 'crds'));
writeFileSync(join(dir, 'crds', 'widget.yaml'), CRD);
writeFileSync(join(dir, 'good.yaml'), widget('{ size: 3, mode: fast }'));
writeFileSync(join(dir, 'bad.yaml'), widget('{ size: 7, mode: fast, colour: red }'));

type SchemaFinding = { check: string; message: string; path?: string };
const schemaFindings = (stdout: string) =>
  stdout ? (JSON.parse(stdout).findings as SchemaFinding[]).filter((f) => f.check.startsWith('schema-')) : [];

/** The manifests command in process (absolute paths: the test does not change directory). */
const findings = async (files: string[], crd: string[] = [], root = dir) => {
  const r = await runManifestsInProcess(
    files.map((f) => join(dir, f)),
    { root, crd: crd.map((c) => join(dir, c)) },
  );
  return { code: r.code, findings: schemaFindings(r.stdout) };
};

describe('user CRDs', () => {
  it('without them the kind is unknown; with --crd it is checked, CEL rule included', async () => {
    expect((await findings(['good.yaml'])).findings.map((f) => f.check)).toContain('schema-unknown-kind');
    // The real CLI once: --crd and the file relative to its working directory, exit 0.
    const cli = runCli(['manifests', 'good.yaml', '--crd', 'crds', '--output', 'json', '--root', dir], { cwd: dir });
    expect(cli.stderr).toBe('');
    expect({ code: cli.code, findings: schemaFindings(cli.stdout) }).toEqual({ code: 0, findings: [] });
    const bad = await findings(['bad.yaml'], ['crds']);
    expect(bad.code).toBe(1);
    expect(bad.findings.map((f) => [f.check, f.path, f.message])).toEqual([
      ['schema-format', '/spec', 'spec: fast widgets are at most 5'],
      ['schema-unknown-field', '/spec/colour', 'spec.colour: unknown field "colour"'],
    ]);
  }, 120_000);

  it('validator.yaml crds: does the same, relative to the root', async () => {
    const root = join(dir, 'with-config');
    mkdirSync(root);
    writeFileSync(join(root, 'validator.yaml'), 'crds: [../crds]\n');
    const r = await findings(['bad.yaml'], [], root);
    expect(r.findings.map((f) => f.message)).toContain('spec: fast widgets are at most 5');
  }, 120_000);

  it('a missing folder or a broken CRD is bad input, naming the file', async () => {
    // The real CLI: exit 2 and the message on standard error.
    const missing = runCli(['manifests', 'good.yaml', '--crd', 'nowhere', '--root', dir], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`CRD location ${join(dir, 'nowhere')}: no such file or directory`);
    mkdirSync(join(dir, 'broken'));
    writeFileSync(
      join(dir, 'broken', 'x.yaml'),
      CRD.replace('apiextensions.k8s.io/v1', 'apiextensions.k8s.io/v1beta1'),
    );
    // In process: the same refusal is the CLI's UsageError (printed as above, exit 2).
    const broken = findings(['good.yaml'], ['broken']);
    await expect(broken).rejects.toThrow(UsageError);
    await expect(broken).rejects.toThrow(
      `${join(dir, 'broken', 'x.yaml')}:1 (CRD widgets.example.org): apiVersion "apiextensions.k8s.io/v1beta1" is not supported`,
    );
  }, 120_000);

  it('a Kubernetes version without shipped schemas in cluster.yaml is a catalog finding at its line', async () => {
    const repo = tempRepo();
    try {
      const cluster = join(repo.dir, 'catalog', 'cluster.yaml');
      writeFileSync(
        cluster,
        readFileSync(cluster, 'utf8').replace(/kubernetesVersion: "1\.\d+"/, 'kubernetesVersion: "1.29"'),
      );
      const r = await runRepoInProcess(repo.dir, { renderer: DEFAULT_RENDERER });
      expect(r.code).toBe(1);
      expect(JSON.parse(r.stdout).findings).toEqual([
        expect.objectContaining({
          check: 'catalog-schema',
          file: 'catalog/cluster.yaml',
          message: expect.stringContaining(
            'not a supported Kubernetes version: expected one of 1.30, 1.31, 1.32, 1.33, 1.34, 1.35, 1.36',
          ),
        }),
      ]);
    } finally {
      repo.cleanup();
    }
  }, 300_000);
});

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EMPTY_CONTEXT } from '../src/checks/check.js';
import { DEFAULT_CONFIG } from '../src/config/validator-config.js';
import { validateManifestInputs } from '../src/manifests/validate-manifests.js';
import { runCli, runManifestsInProcess } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'validator-manifests-'));
// Every run here (in process and the real CLI) has its --root, its working directory, in `dir`: plain
// manifests outside a repository, as these are, not in this repository, whose catalog of ~100 services each
// run would read twice for a Kubernetes version and a policy context none of these claims depends on.
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A document with a multi-byte block scalar (cheap to parse, many bytes), missing one standard label
 * (a finding with its line for every document) and, every 7th, a duplicate key.
 */
function doc(i: number): string {
  const body = Array.from({ length: 16 }, (_, k) => `    ligne ${k} — élément ${i} ✓ 測試 ${'x'.repeat(40)}`).join(
    '\n',
  );
  const defect = i % 7 === 0 ? `  tier: one\n  tier: two\n` : '';
  return `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-${i}\n  namespace: ns-${i % 13}\n  labels: {app.kubernetes.io/name: cm, app.kubernetes.io/instance: cm-${i}}\n  annotations: {note: "élément ${i} ✓ 測試"}\ndata:\n${defect}  payload: |\n${body}\n`;
}

/** Bytes a file is read in (SCAN_BLOCK of @cmsweb/yaml read-safe.ts): a block ends after its last newline. */
const READ_BLOCK = 1 << 20;

describe('manifests mode', () => {
  // What the claim depends on is not the size but the boundaries: the pipe's chunks (64 KB: many here), the
  // blocks a file is read in (1 MB), one of them opening on a document marker (a case of its own in
  // DocumentSplitter, placed here on purpose), one ending inside a document, and at least 1,000 documents
  // (run-batches.ts: batched, each batch read again from disk). About 2.5 MB covers all of these at a tenth
  // of the CPU time of the 24 MB this test used to pipe.
  it('piped input of megabytes gives exactly the result of the same file read from disk', {
    timeout: 240_000,
  }, async () => {
    const docs: string[] = [];
    let size = 0;
    for (let i = 0; size < 2.5 * READ_BLOCK || docs.length < 1200; i++) {
      let d = doc(i);
      const next = size + (docs.length ? 4 : 0) + Buffer.byteLength(d);
      if (size < READ_BLOCK && next + 4 + Buffer.byteLength(doc(i + 1)) > READ_BLOCK) {
        // Pad this document so that it ends exactly at the first block's end: the next block opens on `---`.
        const gap = READ_BLOCK - next;
        d += gap === 1 ? '\n' : `#${'x'.repeat(gap - 2)}\n`;
      }
      docs.push(d);
      size += (docs.length > 1 ? 4 : 0) + Buffer.byteLength(d);
    }
    const text = docs.join('---\n');
    const bytes = Buffer.from(text);
    expect(bytes.length).toBe(size);
    expect(bytes.toString('latin1', READ_BLOCK - 1, READ_BLOCK + 4)).toBe('\n---\n');
    const file = join(dir, 'big.yaml');
    writeFileSync(file, text);
    // Standard input through a real pipe to the real CLI; the file by the same command in process (the CLI
    // reads files in crd-option.test.ts).
    const fromDisk = await runManifestsInProcess([file], { root: dir });
    const piped = runCli(['manifests', '-', '--output', 'json'], { input: bytes, cwd: dir });
    expect(piped.stderr).toBe('');
    expect(fromDisk.code).toBe(1);
    expect(piped.code).toBe(fromDisk.code);
    const disk = JSON.parse(fromDisk.stdout);
    const pipe = JSON.parse(piped.stdout.replaceAll('"file": "-"', `"file": ${JSON.stringify(file)}`));
    expect(pipe).toEqual(disk);
    const defective = docs.filter((_, i) => i % 7 === 0).length;
    // a defective document has a duplicate key, so it yields that finding and no resource
    const count = (check: string) => disk.findings.filter((f: { check: string }) => f.check === check).length;
    expect(count('yaml-duplicate-key')).toBe(defective);
    expect(count('standard-labels')).toBe(docs.length - defective);
    expect(disk.findings).toHaveLength(docs.length);
    expect(disk.summary.resources).toBe(docs.length - defective);
  });

  it('worker threads and a single thread give the same result', { timeout: 120_000 }, async () => {
    const docs = Array.from(
      { length: 60 },
      (_, i) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: app-${i}, namespace: ns-${i % 3}}
spec:
  selector: {matchLabels: {app: app-${i}}}
  template:
    metadata: {labels: {app: app-${i}}}
    spec:
      containers: [{name: app, image: "r/app:${i % 5 === 0 ? 'latest' : 'v1'}", imagePullPolicyy: Always}]
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: app-${i}, namespace: ns-${(i + (i % 4 === 0 ? 1 : 0)) % 3}}
spec: {maxReplicas: 2, scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: app-${i}}}
`,
    );
    const inputs = [
      { path: 'a.yaml', text: docs.slice(0, 30).join('---\n') },
      { path: 'b.yaml', text: docs.slice(30).join('---\n') },
    ];
    const opts = { kubernetesVersion: '1.33', config: DEFAULT_CONFIG, context: EMPTY_CONTEXT };
    const single = await validateManifestInputs(inputs, { ...opts, parallel: 1 });
    const workers = await validateManifestInputs(inputs, {
      ...opts,
      parallel: 2,
      workerThreshold: 10,
      waitForWorkers: true,
    });
    expect(workers).toEqual(single);
    const checks = new Set(single.findings.map((f) => f.check));
    for (const c of ['schema-unknown-field', 'image-tag', 'hpa-target', 'liveness-probe']) expect(checks).toContain(c);
  });

  it('--schema-location passes kubeconform-style locations through (a CRD schema by path template)', {
    timeout: 60_000,
  }, async () => {
    const schemas = join(dir, 'schemas');
    mkdirSync(schemas, { recursive: true });
    writeFileSync(
      join(schemas, 'widget-example-v1.json'),
      JSON.stringify({
        type: 'object',
        additionalProperties: false,
        required: ['apiVersion', 'kind', 'metadata', 'spec'],
        properties: {
          apiVersion: { type: 'string' },
          kind: { type: 'string' },
          metadata: { type: 'object' },
          spec: { type: 'object', additionalProperties: false, properties: { size: { type: 'integer' } } },
        },
      }),
    );
    const widget = join(dir, 'widget.yaml');
    writeFileSync(
      widget,
      'apiVersion: example/v1\nkind: Widget\nmetadata:\n  name: w\n  namespace: web\n  labels: {app.kubernetes.io/name: w, app.kubernetes.io/instance: w, app.kubernetes.io/managed-by: test}\nspec:\n  size: 3\n  colour: red\n',
    );
    // Without the location in process; with it through the real CLI (the repeated option parsed).
    const without = JSON.parse((await runManifestsInProcess([widget], { root: dir })).stdout);
    expect(without.findings.map((f: { check: string }) => f.check)).toEqual(['schema-unknown-kind']);
    const location = `${schemas}/{{ .ResourceKind }}{{ .KindSuffix }}.json`;
    const r = runCli(
      ['manifests', widget, '--output', 'json', '--schema-location', 'default', '--schema-location', location],
      { cwd: dir },
    );
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).findings).toEqual([
      expect.objectContaining({
        check: 'schema-unknown-field',
        file: widget,
        line: 9,
        column: 3,
        path: '/spec/colour',
      }),
    ]);
  });
});

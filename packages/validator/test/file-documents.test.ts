import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EMPTY_CONTEXT } from '../src/checks/check.js';
import { DEFAULT_CONFIG } from '../src/config/validator-config.js';
import { UsageError } from '../src/errors.js';
import { readInputs } from '../src/manifests/read-inputs.js';
import { DocumentSplitter, splitDocumentBytes, splitDocuments } from '../src/manifests/split-documents.js';
import { validateManifestInputs } from '../src/manifests/validate-manifests.js';

// Files on disk are split by byte range and their documents read again when checked (read-inputs.ts):
// the split must be splitDocuments' to the byte, and a file that changes meanwhile must be refused.

const dir = mkdtempSync(join(tmpdir(), 'validator-file-docs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * splitDocumentBytes' ranges as texts, for comparison with splitDocuments; with `cut`, the bytes fed to a
 * DocumentSplitter in blocks of whole lines (as a file is read), a block ending after the lines `cut` picks.
 */
function byBytes(text: string, cut?: (lines: number) => boolean) {
  const bytes = Buffer.from(text, 'utf8');
  let ranges = splitDocumentBytes(bytes);
  if (cut) {
    const splitter = new DocumentSplitter();
    let from = 0;
    let lines = 0;
    for (let nl = bytes.indexOf(10); nl >= 0; nl = bytes.indexOf(10, nl + 1))
      if (cut(++lines)) splitter.feed(bytes.subarray(from, (from = nl + 1)));
    splitter.feed(bytes.subarray(from));
    ranges = splitter.finish();
  }
  return ranges.map((r) => ({
    text: bytes.subarray(r.start, r.end).toString('utf8'),
    startLine: r.startLine,
  }));
}

const LINES = [
  'kind: A',
  '---',
  '--- ',
  '---\t# c',
  '---x',
  '----',
  '---\r',
  '--- a\rb',
  '--- \u2028',
  '--- é ✓ 測試',
  '  ---',
  'k: "é\u2028"',
  '',
  '# ---',
  '...',
];

describe('split by bytes', () => {
  it('cuts exactly where splitDocuments cuts, with the same lines (seeded, 3,000 texts)', () => {
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let t = 0; t < 3000; t++) {
      const lines = Array.from({ length: rand(12) }, () => LINES[rand(LINES.length)]!);
      const nl = rand(3) === 0 ? '\r\n' : '\n';
      const text = lines.join(nl) + (rand(2) ? nl : '');
      expect(byBytes(text), JSON.stringify(text)).toEqual(splitDocuments(text));
      expect(
        byBytes(text, () => rand(2) === 0),
        `in blocks: ${JSON.stringify(text)}`,
      ).toEqual(splitDocuments(text));
    }
  });

  it('an empty file is one empty document', () => {
    expect(byBytes('')).toEqual(splitDocuments(''));
    expect(byBytes('', () => true)).toEqual(splitDocuments(''));
    expect(splitDocumentBytes(Buffer.alloc(0))).toEqual([{ start: 0, end: 0, startLine: 1 }]);
  });
});

describe('manifests read from disk', () => {
  const opts = { kubernetesVersion: '1.33', config: DEFAULT_CONFIG, context: EMPTY_CONTEXT };
  /** Worker threads from the first batches on (the main thread waits for them before it takes one). */
  const withWorkers = { ...opts, parallel: 2, workerThreshold: 10, waitForWorkers: true };
  const doc = (i: number) =>
    `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-${i}\n  namespace: ns\n  labels: {é: "✓ ${i}"}\ndata: {k: "測試"}\n`;
  const docs = Array.from({ length: 1500 }, (_, i) => doc(i));

  it('give the result of the same text held in memory, on one thread and with workers, a BOM dropped', async () => {
    const text = docs.join('---\n');
    const file = join(dir, 'many.yaml');
    writeFileSync(file, `\ufeff${text}`);
    const held = await validateManifestInputs([{ path: file, text }], { ...opts, parallel: 1 });
    expect(held.findings.length).toBeGreaterThan(1000);
    const read = await readInputs([file]);
    expect('text' in read[0]!).toBe(false);
    expect(await validateManifestInputs(read, { ...opts, parallel: 1 })).toEqual(held);
    expect(await validateManifestInputs(read, withWorkers)).toEqual(held);
  });

  it('a file changed between reading and checking is refused, naming it (no report on a mix of versions)', async () => {
    const file = join(dir, 'changing.yaml');
    writeFileSync(file, docs.slice(0, 1200).join('---\n'));
    const read = await readInputs([file]);
    writeFileSync(file, docs.slice(0, 1200).join('---\n').replace('cm-5\n', 'cm-X\n'));
    const run = validateManifestInputs(read, { ...opts, parallel: 1 });
    await expect(run).rejects.toBeInstanceOf(UsageError);
    await expect(run).rejects.toThrow(`${file}: changed while being validated`);
    // The same when the batch refused is one a worker thread would have checked.
    const shared = validateManifestInputs(read, withWorkers);
    await expect(shared).rejects.toBeInstanceOf(UsageError);
    await expect(shared).rejects.toThrow(`${file}: changed while being validated`);
  });
});

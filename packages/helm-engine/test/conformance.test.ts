// Differential tests against the real helm (tools/bin/helm): the oracle is helm's output, never our model.
// Bounded: the template cases go to helm in one chart (a few runs), the chart sets are sampled; the full
// sets run with `npm run conformance -w @cmsweb/helm-engine`.
import { repoRoot } from '@cmsweb/toolchain';
import { describe, expect, it } from 'vitest';
import {
  corpusCases,
  generatedCases,
  groupSetCases,
  runCases,
  runSetCases,
  runTemplateCases,
  SET_CASES,
  TEMPLATE_CASES,
  VALUE_MATRIX_CASES,
} from '../src/conformance/index.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const sample = <T>(list: T[], n: number): T[] =>
  list.filter((_, i) => i % Math.max(1, Math.floor(list.length / n)) === 0).slice(0, n);
const failures = (rs: Array<{ name: string; outcome: { kind: string } }>) =>
  rs
    .filter((r) => r.outcome.kind === 'mismatch' || r.outcome.kind === 'semantic-equal')
    .map((r) => ({ name: r.name, ...r.outcome }));

describe('conformance with the real helm', () => {
  it('small templates: every construct and function renders what helm renders, and fails where helm fails', async () => {
    const rs = await runTemplateCases();
    expect(rs.length).toBe(TEMPLATE_CASES.length + VALUE_MATRIX_CASES.length);
    expect(failures(rs.map((r) => ({ name: `#${r.index} ${r.body}`, outcome: r.outcome })))).toEqual([]);
    // Both kinds are exercised: cases helm renders and cases helm refuses.
    expect(rs.filter((r) => r.outcome.kind === 'byte-equal').length).toBeGreaterThan(100);
    expect(rs.filter((r) => r.outcome.kind === 'both-failed').length).toBeGreaterThan(20);
  });

  it('--set/--set-string/--set-file lines: the values helm renders, or the error helm prints', async () => {
    const rs = await runSetCases();
    expect(rs.length).toBe(SET_CASES.length);
    expect(failures(rs)).toEqual([]);
    expect(rs.filter((r) => r.outcome.kind === 'byte-equal').length).toBeGreaterThan(50);
    expect(rs.filter((r) => r.outcome.kind === 'both-failed').length).toBeGreaterThan(20);
  });

  it('generated charts × environments (a sample): byte-identical to helm template', async () => {
    const cases = generatedCases(repoRoot);
    expect(cases.length).toBeGreaterThan(200);
    const rs = await runCases(sample(cases, 12));
    expect(failures(rs)).toEqual([]);
    expect(rs.every((r) => r.outcome.kind === 'byte-equal')).toBe(true);
  });

  const corpus = [join(repoRoot, '..', 'shared'), join(repoRoot, '..', '..', 'shared')]
    .map((d) => join(d, 'corpus', 'cmskubernetes', 'helm'))
    .find((d) => existsSync(d));
  it.skipIf(!corpus)('cmskubernetes corpus charts (a sample): same output as helm, or both fail', async () => {
    const rs = await runCases(sample(corpusCases(corpus!), 10));
    expect(failures(rs)).toEqual([]);
  });
});

describe('groupSetCases (which --set cases share a helm run)', () => {
  const groupOf = (cases: Array<Parameters<typeof groupSetCases>[0][number]['c']>) => {
    const gs = groupSetCases(cases.map((c, index) => ({ index, c })));
    return (i: number) => gs.findIndex((g) => g.some((x) => x.index === i));
  };
  it('keeps apart cases that could set the same top-level key, however it is spelled', () => {
    const g = groupOf([
      { set: ['a\\.b=1'] }, // key "a.b"
      { set: ['a=2'] }, // key "a": shares the word a
      { set: ['x=1,\\a\\b=2'] }, // key "ab", escaped letters
      { set: ['ab=3'] },
      { values: 'zz: 1\n', set: ['q=1'] }, // the value file's keys count
      { set: ['zz.k=2'] },
      { setFile: ['f1=one.txt'], files: { 'one.txt': '1' } }, // same file, other content
      { setFile: ['f2=one.txt'], files: { 'one.txt': '2' } },
    ]);
    expect([g(0) !== g(1), g(2) !== g(3), g(4) !== g(5), g(6) !== g(7)]).toEqual([true, true, true, true]);
  });
  it('runs alone a case with a key of no word, and groups the rest', () => {
    const g = groupOf([{ set: ['=1'] }, { set: ['.a=1'] }, { set: ['b=1,'] }, { set: ['c=1'] }, { set: ['d=1'] }]);
    expect(new Set([g(0), g(1), g(2), g(3)]).size).toBe(4);
    expect(g(3)).toBe(g(4));
  });
});

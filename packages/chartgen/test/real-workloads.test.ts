import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadCatalogFrom, repoRoot } from './helpers.js';

// Issue 10's measure, taken on the real cluster's facts (../shared/reference/cmsweb-facts.yaml, read as data):
// the bundled catalog carries at least 95 of the distinct workload names of the real CMSWEB cluster, and each
// one it leaves out is named in the README's table "Real workloads left out of the catalog" with its reason.

const FACTS = join(repoRoot, '..', 'shared', 'reference', 'cmsweb-facts.yaml');
const haveFacts = existsSync(FACTS);
const SKIP = haveFacts ? '' : ' (SKIPPED: ../shared/reference absent)';

/** The workload names of the README table's first column: "a, b (note)" → [a, b]. */
function leftOutInReadme(readme: string): string[] {
  const start = readme.indexOf('### Real workloads left out of the catalog');
  expect(start, 'README.md has the section "Real workloads left out of the catalog"').toBeGreaterThan(-1);
  const section = readme.slice(start + 4);
  const end = section.search(/\n#{1,3} /);
  const rows = section
    .slice(0, end === -1 ? undefined : end)
    .split('\n')
    .filter((l) => /^\| [a-z0-9]/.test(l) && !l.startsWith('| workload |'));
  return rows.flatMap((row) =>
    row
      .split('|')[1]!
      .replace(/\([^)]*\)/g, '')
      .split(',')
      .map((n) => n.trim())
      .filter(Boolean),
  );
}

describe('the real cluster in the catalog', () => {
  it.skipIf(!haveFacts)(`carries at least 95 real workloads; the README names every one left out${SKIP}`, () => {
    const facts = parse(readFileSync(FACTS, 'utf8')) as { services: Array<{ name: string }> };
    const real = [...new Set(facts.services.map((s) => s.name))].sort();
    const catalog = new Set(loadCatalogFrom(repoRoot).services.map((s) => s.name));
    const carried = real.filter((n) => catalog.has(n));
    const notCarried = real.filter((n) => !catalog.has(n));
    const table = leftOutInReadme(readFileSync(join(repoRoot, 'README.md'), 'utf8'));

    expect(carried.length).toBeGreaterThanOrEqual(95);
    expect(notCarried.filter((n) => !table.includes(n))).toEqual([]);
    // No stale row: every name in the table is a real workload (a carried one only as a duplicate name).
    expect(table.filter((n) => !real.includes(n))).toEqual([]);
    // The README's figure is the measured one.
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    expect(readme).toContain(`The catalog carries ${carried.length} of the ${real.length} distinct workload names`);
  });
});

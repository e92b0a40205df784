// `npm run conformance`: agreement of our schemas with the official Kubernetes definitions (per version,
// every kind) and with the upstream CRDs (schema + CEL rules), on generated valid/invalid objects.
// Prints a table and every difference with its cause; exit 1 when a difference is unexplained.
import { existsSync } from 'node:fs';
import { REFERENCE_DIR } from './schema-files.js';
import { crdRows, kubernetesRows, type Row } from './conformance/run.js';

if (!existsSync(REFERENCE_DIR)) {
  console.error(`conformance: ${REFERENCE_DIR} is absent; the reference data (../shared) is the oracle`);
  process.exit(2);
}
const versions = process.argv.slice(2).filter((a) => /^1\.\d+$/.test(a));
const rows: Row[] = [
  ...kubernetesRows(REFERENCE_DIR, versions.length ? versions : undefined),
  ...crdRows(REFERENCE_DIR),
];
const pct = (r: Row) => `${((100 * r.agree) / Math.max(1, r.cases)).toFixed(2)}%`;
const width = Math.max(...rows.map((r) => r.target.length));
console.log(`${'target'.padEnd(width)}  kinds  cases  agree  agreement  explained differences`);
for (const r of rows) {
  const explained = r.differences.filter((d) => !d.cause.startsWith('UNEXPLAINED')).length;
  console.log(
    `${r.target.padEnd(width)}  ${String(r.kinds).padStart(5)}  ${String(r.cases).padStart(5)}  ${String(r.agree).padStart(5)}  ${pct(r).padStart(9)}  ${explained}`,
  );
}
const all = rows.flatMap((r) => r.differences);
if (all.length) {
  console.log('\ndifferences (version, kind, case: oracle → ours; cause; our findings):');
  for (const d of all)
    console.log(
      `- ${d.target} ${d.kind}, ${d.case}: ${d.oracle ? 'valid' : 'invalid'} → ${d.ours ? 'valid' : 'invalid'}; ${d.cause}; ${d.detail}`,
    );
}
const unexplained = all.filter((d) => d.cause.startsWith('UNEXPLAINED')).length;
console.log(`\n${rows.reduce((n, r) => n + r.cases, 0)} cases, ${all.length} differences, ${unexplained} unexplained`);
process.exit(unexplained ? 1 : 0);

// Build step: regenerates data/kubernetes/ from the official definitions in ../shared/reference
// (never read at run time). `npm run schemas:generate` at the repository root; `--check` compares instead.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateCrdFiles, generateSchemaFiles, REFERENCE_DIR, SCHEMA_DATA_DIR } from './schema-files.js';

const check = process.argv.includes('--check');
if (!existsSync(REFERENCE_DIR)) {
  console.error(`generate-schemas: ${REFERENCE_DIR} is absent; the reference data (../shared) is needed to regenerate`);
  process.exit(2);
}
const files = { ...generateSchemaFiles(REFERENCE_DIR), ...generateCrdFiles(REFERENCE_DIR) };
const differ: string[] = [];
for (const [rel, text] of Object.entries(files)) {
  const file = join(SCHEMA_DATA_DIR, rel);
  const current = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  if (current === text) continue;
  differ.push(rel);
  if (!check) {
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, text);
  }
}
if (check && differ.length) {
  console.error(
    `generate-schemas --check: ${differ.length} file(s) differ from what the generator writes: ${differ.join(', ')}`,
  );
  process.exit(1);
}
console.log(
  `${check ? 'checked' : 'wrote'} ${Object.keys(files).length} files in ${SCHEMA_DATA_DIR}${differ.length && !check ? ` (${differ.length} changed)` : ''}`,
);

// Generation speed and memory: `npx tsx packages/chartgen/bench/bench-generate.ts`.
// For the repository's catalog and synthetic catalogs of 250/500/1000 services it prints, per catalog:
// plan only (catalog already loaded, templates compiled), a full `generate` into an empty tree
// (read catalog + plan + diff + write), a no-op `generate` (everything up to date), and peak RSS.
// Each catalog runs in its own child process so peak RSS is that catalog's alone.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readCatalog } from '@cmsweb/catalog';
import { repoRoot } from '@cmsweb/toolchain';
import { createRenderer, generate, planGeneration, readTemplateSources } from '../src/index.js';
import { writeSyntheticCatalog } from './make-synthetic-catalog.js';

interface Figures {
  services: number;
  files: number;
  planMs: number;
  generateMs: number;
  noopMs: number;
  peakRssMb: number;
}

const PLAN_RUNS = 5;

/** Child: measures one catalog whose root (with catalog/) is `root`. */
async function measure(root: string): Promise<Figures> {
  const loaded = await readCatalog(root);
  if (!loaded.catalog) throw new Error(`catalog under ${root} has findings: ${loaded.findings[0]?.message}`);
  const catalog = loaded.catalog;
  const renderer = createRenderer(await readTemplateSources());
  planGeneration({ catalog, existing: new Set(), renderer }); // warm-up (JIT)
  const times: number[] = [];
  let files = 0;
  for (let i = 0; i < PLAN_RUNS; i++) {
    const t = performance.now();
    files = planGeneration({ catalog, existing: new Set(), renderer }).size;
    times.push(performance.now() - t);
  }
  const t1 = performance.now();
  const r = await generate({ root, check: false });
  const generateMs = performance.now() - t1;
  if (r.status !== 'ok') throw new Error('generate failed');
  const t2 = performance.now();
  const again = await generate({ root, check: false });
  const noopMs = performance.now() - t2;
  if (again.status !== 'ok' || again.changes.length) throw new Error('second generate was not a no-op');
  return {
    services: catalog.services.length,
    files,
    planMs: times.sort((a, b) => a - b)[Math.floor(PLAN_RUNS / 2)]!,
    generateMs,
    noopMs,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  };
}

function runChild(label: string, root: string): void {
  const out = execFileSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--measure', root], {
    encoding: 'utf8',
  });
  const f = JSON.parse(out.trim().split('\n').at(-1)!) as Figures;
  const rate = (ms: number) => Math.round(f.services / (ms / 1000));
  console.log(
    `${label.padEnd(16)} ${String(f.services).padStart(5)} services ${String(f.files).padStart(6)} files | ` +
      `plan ${f.planMs.toFixed(0).padStart(6)} ms (${String(rate(f.planMs)).padStart(6)} services/s) | ` +
      `plan+write ${f.generateMs.toFixed(0).padStart(6)} ms (${String(rate(f.generateMs)).padStart(5)} services/s) | ` +
      `no-op ${f.noopMs.toFixed(0).padStart(5)} ms | peak RSS ${f.peakRssMb.toFixed(0).padStart(4)} MB`,
  );
}

if (process.argv[2] === '--measure') {
  console.log(JSON.stringify(await measure(process.argv[3]!)));
} else {
  const work = mkdtempSync(join(tmpdir(), 'chartgen-bench-'));
  try {
    const bundled = join(work, 'bundled');
    cpSync(join(repoRoot, 'catalog'), join(bundled, 'catalog'), { recursive: true });
    runChild('bundled catalog', bundled);
    for (const n of [250, 500, 1000])
      runChild(`synthetic ${n}`, writeSyntheticCatalog(n, join(work, `synthetic-${n}`)));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

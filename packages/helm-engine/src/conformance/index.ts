// The conformance report: `npm run conformance -w @cmsweb/helm-engine` (bin/conformance.mjs).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@cmsweb/toolchain';
import { corpusCases } from './corpus.js';
import { type CaseResult, generatedCases, type Outcome, runCases } from './generated-charts.js';
import { runSetCases } from './set-cases.js';
import { runTemplateCases } from './template-cases.js';

export { corpusCases } from './corpus.js';
export * from './generated-charts.js';
export * from './set-cases.js';
export * from './template-cases.js';
export { YAML_PIECES } from './yaml-pieces.js';

export interface Row {
  set: string;
  cases: number;
  semantic: number;
  bytes: number;
  bothFailed: number;
  mismatches: Array<{ name: string; outcome: Outcome }>;
  skipped?: string;
}

export function tally(set: string, results: Array<{ name: string; outcome: Outcome }>): Row {
  const row: Row = { set, cases: results.length, semantic: 0, bytes: 0, bothFailed: 0, mismatches: [] };
  for (const r of results) {
    if (r.outcome.kind === 'byte-equal') {
      row.bytes++;
      row.semantic++;
    } else if (r.outcome.kind === 'semantic-equal') {
      row.semantic++;
      row.mismatches.push(r);
    } else if (r.outcome.kind === 'both-failed') row.bothFailed++;
    else row.mismatches.push(r);
  }
  return row;
}

export function formatTable(rows: Row[]): string {
  const lines = ['set                      cases  semantic  bytes  both-failed  mismatches'];
  for (const r of rows) {
    if (r.skipped) {
      lines.push(`${r.set.padEnd(24)} skipped: ${r.skipped}`);
      continue;
    }
    lines.push(
      `${r.set.padEnd(24)} ${String(r.cases).padStart(5)}  ${String(r.semantic).padStart(8)}  ${String(r.bytes).padStart(5)}  ${String(r.bothFailed).padStart(11)}  ${String(r.mismatches.filter((m) => m.outcome.kind === 'mismatch').length).padStart(10)}`,
    );
  }
  for (const r of rows)
    for (const m of r.mismatches) {
      const o = m.outcome;
      lines.push('', `--- ${r.set}: ${m.name} (${o.kind})`, 'diff' in o ? o.diff : '');
    }
  return lines.join('\n');
}

/** Runs the four sets; `only` limits to some of them (generated, cases, set, corpus). */
export async function conformance(
  only: string[] = [],
  root = repoRoot,
): Promise<{ rows: Row[]; results: CaseResult[] }> {
  const rows: Row[] = [];
  const want = (s: string) => only.length === 0 || only.includes(s);
  const results: CaseResult[] = [];
  if (want('generated')) {
    const r = await runCases(generatedCases(root));
    results.push(...r);
    rows.push(tally('generated charts × envs', r));
  }
  if (want('cases')) {
    const r = await runTemplateCases();
    rows.push(
      tally(
        'template cases',
        r.map((x) => ({ name: `#${x.index} ${x.body.slice(0, 80)}`, outcome: x.outcome })),
      ),
    );
  }
  if (want('set')) {
    const r = await runSetCases();
    rows.push(tally('--set cases', r));
  }
  if (want('corpus')) {
    // ../shared next to the checkout (a worktree sits one level deeper), or $HELM_ENGINE_CORPUS.
    const candidates = [
      process.env.HELM_ENGINE_CORPUS,
      join(root, '..', 'shared', 'corpus', 'cmskubernetes', 'helm'),
      join(root, '..', '..', 'shared', 'corpus', 'cmskubernetes', 'helm'),
    ].filter((d): d is string => !!d);
    const dir = candidates.find((d) => existsSync(d)) ?? candidates[0]!;
    const cases = corpusCases(dir);
    if (cases.length === 0)
      rows.push({
        set: 'corpus',
        cases: 0,
        semantic: 0,
        bytes: 0,
        bothFailed: 0,
        mismatches: [],
        skipped: `${dir} is absent`,
      });
    else rows.push(tally('corpus (cmskubernetes)', await runCases(cases)));
  }
  return { rows, results };
}

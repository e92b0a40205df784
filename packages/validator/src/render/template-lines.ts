// Pure: maps lines of rendered output back to the template lines that produced them. Helm keeps no
// source map, but a template's literal lines reappear verbatim (or with their {{ }} actions substituted)
// at the same indentation. We align the two texts with a longest-common-subsequence over "compatible"
// lines: exact matches weigh more than matches through {{ }} wildcards. Lines inserted by include/toYaml
// stay unmatched, and a finding on them falls back to the nearest matched ancestor.

const ACTION = /\{\{.*?\}\}/g;

interface TemplateLine {
  indent: number;
  text: string;
  /** Literal text with actions as wildcards; undefined for lines that are only actions or blank. */
  pattern?: RegExp;
}

function indentOf(line: string): number {
  return line.length - line.trimStart().length;
}

function compile(line: string): TemplateLine {
  const text = line.trimEnd();
  const body = text.trimStart();
  const literal = body.replace(ACTION, '').trim();
  if (literal === '' || body.startsWith('#')) return { indent: indentOf(text), text: body };
  const source = body
    .split(ACTION)
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*?');
  return { indent: indentOf(text), text: body, pattern: new RegExp(`^${source}$`) };
}

/** Weight of aligning a rendered line (its trimmed body) with a template line of the same indentation: 2 exact, 1 through wildcards, 0 incompatible. */
function weight(body: string, t: TemplateLine): number {
  if (body === t.text) return 2;
  return t.pattern!.test(body) ? 1 : 0;
}

/** For each line, the nearest line above with a smaller indentation among those `counts`, or -1. */
function parents(indents: number[], counts: (i: number) => boolean): Int32Array {
  const out = new Int32Array(indents.length).fill(-1);
  const open: number[] = [];
  for (let i = 0; i < indents.length; i++) {
    if (!counts(i)) continue;
    while (open.length && indents[open.at(-1)!]! >= indents[i]!) open.pop();
    out[i] = open.at(-1) ?? -1;
    open.push(i);
  }
  return out;
}

/** A template's lines compiled, and their parents: templates of the shared chart library repeat across charts. */
const compiledTemplates = new Map<string, { lines: TemplateLine[]; parent: Int32Array }>();
const COMPILED_KEPT = 64;

function compiledTemplate(template: string): { lines: TemplateLine[]; parent: Int32Array } {
  let hit = compiledTemplates.get(template);
  if (!hit) {
    const lines = template.split('\n').map(compile);
    hit = {
      lines,
      parent: parents(
        lines.map((x) => x.indent),
        (j) => lines[j]!.pattern !== undefined,
      ),
    };
    compiledTemplates.set(template, hit);
    if (compiledTemplates.size > COMPILED_KEPT) compiledTemplates.delete(compiledTemplates.keys().next().value!);
  }
  return hit;
}

/**
 * For each rendered line (0-based), the 0-based template line it came from, or -1. A rendered line aligns
 * only with a template line whose enclosing keys agree too (line by line up to the top), so that a key of
 * the first container is not taken for the same literal key of a container that was not rendered.
 */
export function alignTemplate(renderedDoc: string, template: string): Int32Array {
  const r = renderedDoc.split('\n').map((l) => l.replace(/\r$/, ''));
  const { lines: t, parent: tParent } = compiledTemplate(template);
  const n = r.length;
  const m = t.length;
  const blank = r.map((l) => l.trim() === '' || l.trimStart().startsWith('#'));
  const rIndent = r.map(indentOf);
  const rBody = r.map((l) => l.trim());
  const rParent = parents(rIndent, (i) => !blank[i]);
  // 0 unknown, 1..2 weight + 1 (compatible, with its ancestors), -1 incompatible.
  const memo = new Int8Array(n * m);
  const compatible = (i: number, j: number): number => {
    // Most pairs differ in indentation or face a template line of actions only: settled without the memo.
    const tj = t[j]!;
    if (blank[i] || !tj.pattern || rIndent[i] !== tj.indent) return 0;
    const k = i * m + j;
    if (memo[k] === 0) {
      const w = weight(rBody[i]!, tj);
      const pi = rParent[i]!;
      const pj = tParent[j]!;
      memo[k] = w > 0 && (pi < 0 || pj < 0 || compatible(pi, pj) > 0) ? w + 1 : -1;
    }
    return memo[k]! > 0 ? memo[k]! - 1 : 0;
  };
  const score = new Int32Array((n + 1) * (m + 1));
  const at = (i: number, j: number) => i * (m + 1) + j;
  // The template lines each rendered line may align with (same indentation, some literal text): a few of the
  // m, so the n × m table below is filled by a loop over plain numbers, compatible() asked only for those.
  const candidates = new Map<number, number[]>();
  for (let j = 0; j < m; j++) {
    const tj = t[j]!;
    if (!tj.pattern) continue;
    const list = candidates.get(tj.indent);
    if (list) list.push(j);
    else candidates.set(tj.indent, [j]);
  }
  const w = new Int8Array(m);
  for (let i = n - 1; i >= 0; i--) {
    const row = blank[i] ? undefined : candidates.get(rIndent[i]!);
    if (row) for (const j of row) w[j] = compatible(i, j);
    const here = i * (m + 1);
    const below = here + m + 1;
    for (let j = m - 1; j >= 0; j--) {
      const wj = w[j]!;
      const diagonal = wj > 0 ? wj + score[below + j + 1]! : 0;
      score[here + j] = Math.max(score[below + j]!, score[here + j + 1]!, diagonal);
    }
    if (row) for (const j of row) w[j] = 0;
  }
  const map = new Int32Array(n).fill(-1);
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    const w = compatible(i, j);
    if (w > 0 && score[at(i, j)] === w + score[at(i + 1, j + 1)]!) {
      map[i] = j;
      i++;
      j++;
    } else if (score[at(i + 1, j)] === score[at(i, j)]) i++;
    else j++;
  }
  return map;
}

/** 1-based template line and column for 1-based `renderedLine`, given an alignment; undefined when unmatched. */
export function templatePosition(
  alignment: Int32Array,
  renderedLine: number,
  template: string,
): { line: number; column: number } | undefined {
  const j = alignment[renderedLine - 1];
  if (j === undefined || j < 0) return undefined;
  const line = template.split('\n')[j]!;
  return { line: j + 1, column: /^\s*(?:-\s+)?/.exec(line)![0].length + 1 };
}

/** Convenience for one lookup (tests, single findings). */
export function mapRenderedLine(
  renderedDoc: string,
  renderedLine: number,
  template: string,
): { line: number; column: number } | undefined {
  return templatePosition(alignTemplate(renderedDoc, template), renderedLine, template);
}

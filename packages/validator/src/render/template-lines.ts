// Pure: maps a line of rendered output back to the template line that most likely produced it.
// Helm keeps no source map; a rendered line is usually a template line verbatim, or the same key with
// a substituted value. We match by content, then by key, counting repeats so the n-th `command:` of a
// document maps to the n-th `command:` of its template.

const keyOf = (line: string): string | undefined => /^\s*(?:-\s+)?("[^"]*"|'[^']*'|[^\s:#{][^:#]*?)\s*:(\s|$)/.exec(line)?.[1];

function nth(lines: string[], k: number, pred: (l: string) => boolean): number | undefined {
  let seen = 0;
  for (let i = 0; i < lines.length; i++) {
    if (pred(lines[i]!) && ++seen === k) return i;
  }
  return undefined;
}

function occurrence(lines: string[], index: number, pred: (l: string) => boolean): number {
  let k = 0;
  for (let i = 0; i <= index; i++) if (pred(lines[i]!)) k++;
  return k;
}

/** 1-based template line and column for 1-based `renderedLine` of `renderedDoc`, or undefined. */
export function mapRenderedLine(renderedDoc: string, renderedLine: number, template: string): { line: number; column: number } | undefined {
  const rendered = renderedDoc.split('\n');
  const tpl = template.split('\n');
  const target = rendered[renderedLine - 1];
  if (target === undefined || target.trim() === '') return undefined;
  const content = target.trim();
  const same = (l: string) => l.trim() === content;
  const byContent = nth(tpl, occurrence(rendered, renderedLine - 1, same), same) ?? nth(tpl, 1, same);
  const key = keyOf(target);
  const sameKey = (l: string) => key !== undefined && keyOf(l) === key;
  const idx = byContent ?? (key !== undefined ? (nth(tpl, occurrence(rendered, renderedLine - 1, sameKey), sameKey) ?? nth(tpl, 1, sameKey)) : undefined);
  if (idx === undefined) return undefined;
  const line = tpl[idx]!;
  const indent = /^\s*(?:-\s+)?/.exec(line)![0].length;
  return { line: idx + 1, column: indent + 1 };
}

import { VALUE_DOCS } from './value-docs.js';

export interface ReadmeRow {
  key: string;
  type: string;
  defaultValue: string;
  description: string;
}

const MAX_DEFAULT = 80;
/** Keys whose children have their own documentation (and so their own rows). */
const DOCUMENTED_PARENTS = new Set(
  Object.keys(VALUE_DOCS)
    .filter((p) => p.includes('.'))
    .map((p) => p.slice(0, p.lastIndexOf('.'))),
);

/**
 * Pure: the values table of a chart's README: one row per documented key, descending into a key when
 * its children are documented (image.tag, autoscaling.enabled, ...).
 */
export function buildReadmeRows(values: Record<string, unknown>): ReadmeRow[] {
  const rows: ReadmeRow[] = [];
  const visit = (obj: Record<string, unknown>, prefix: string) => {
    for (const [k, v] of Object.entries(obj)) {
      const path = prefix + k;
      if (DOCUMENTED_PARENTS.has(path) && isPlainObject(v)) {
        visit(v, `${path}.`);
        continue;
      }
      rows.push({
        key: path,
        type: typeOf(v),
        defaultValue: formatDefault(v),
        description: cell(VALUE_DOCS[path] ?? ''),
      });
    }
  };
  visit(values, '');
  return rows;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function typeOf(v: unknown): string {
  if (Array.isArray(v)) return 'list';
  if (isPlainObject(v)) return 'map';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function formatDefault(v: unknown): string {
  const json = JSON.stringify(v);
  if (json.length > MAX_DEFAULT) return '(see values.yaml)';
  return `\`${cell(json)}\``;
}

/** Text safe inside a Markdown table cell. */
function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

import type { PathSegment } from '@cmsweb/yaml';
import type { ManifestDocument } from './manifest-documents.js';

// Every field of an imported document is read through a Field, which records what the importer used.
// Whatever was not used (or was dropped with a reason) ends up in the report with its location: nothing
// of the input is lost silently, without a list of unsupported fields to keep up to date.

export type Plain = Record<string, unknown>;
export const isPlain = (v: unknown): v is Plain => typeof v === 'object' && v !== null && !Array.isArray(v);

const keyOf = (path: readonly PathSegment[]) => JSON.stringify(path);

/** What the importer did with the fields of one document. */
export class Usage {
  /** Paths whose whole subtree is expressed (or reported with a reason). */
  readonly taken = new Set<string>();
  /** Paths the importer looked into (a mapping or list some of whose children were used). */
  readonly visited = new Set<string>();
  /** Fields dropped on purpose, with the reason the report gives. */
  readonly dropped: Array<{ path: PathSegment[]; reason: string }> = [];
}

export class Field {
  constructor(
    readonly value: unknown,
    readonly path: PathSegment[],
    private readonly usage: Usage,
  ) {}

  get present(): boolean {
    return this.value !== undefined && this.value !== null;
  }
  /** A child of a mapping (absent children are Fields whose value is undefined). */
  get(key: string): Field {
    this.usage.visited.add(keyOf(this.path));
    return new Field(isPlain(this.value) ? this.value[key] : undefined, [...this.path, key], this.usage);
  }
  /** The items of a list (none when not a list). */
  items(): Field[] {
    this.usage.visited.add(keyOf(this.path));
    return Array.isArray(this.value) ? this.value.map((v, i) => new Field(v, [...this.path, i], this.usage)) : [];
  }
  /** The keys of a mapping (none when not a mapping). */
  keys(): string[] {
    return isPlain(this.value) ? Object.keys(this.value) : [];
  }
  /** Marks the whole subtree as expressed and returns its value. */
  take(): unknown {
    if (this.present) this.usage.taken.add(keyOf(this.path));
    return this.value;
  }
  /** A string, or a number/boolean written where Kubernetes wants a string; marks it as expressed. */
  str(): string | undefined {
    if (typeof this.value === 'string') return this.take() as string;
    return undefined;
  }
  num(): number | undefined {
    return typeof this.value === 'number' ? (this.take() as number) : undefined;
  }
  bool(): boolean | undefined {
    return typeof this.value === 'boolean' ? (this.take() as boolean) : undefined;
  }
  /** Reports this field (when present) as not expressed, with the reason. */
  drop(reason: string): void {
    if (!this.present) return;
    this.usage.taken.add(keyOf(this.path));
    this.usage.dropped.push({ path: this.path, reason });
  }
}

export const rootField = (value: unknown, usage: Usage): Field => new Field(value, [], usage);

/** The documents an import read, each with what it used of it (the report lists the rest). */
export type UsedDocuments = Array<{ document: ManifestDocument; usage: Usage }>;

/** The root field of `document`, read under a usage of its own that joins `used`. */
export function openDocument(document: ManifestDocument, used: UsedDocuments): Field {
  const usage = new Usage();
  used.push({ document, usage });
  return rootField(document.object, usage);
}

/** The same for a document several parts of the import read: the usage it has in `used` already, if any. */
export function reopenDocument(document: ManifestDocument, used: UsedDocuments): Field {
  const known = used.find((x) => x.document === document)?.usage;
  return known ? rootField(document.object, known) : openDocument(document, used);
}

/** Takes what the chart writes itself for an object it generates: apiVersion, kind, metadata.name, namespace. */
export function takeIdentity(root: Field): void {
  for (const k of ['apiVersion', 'kind']) root.get(k).take();
  root.get('metadata').get('name').take();
  root.get('metadata').get('namespace').take();
}

/**
 * Pure: the fields of `value` nobody used, outermost first: a field is unused when it was neither taken
 * nor visited; a visited mapping or list is searched further. Dropped fields come with their own reason.
 */
export function unusedFields(value: unknown, usage: Usage): Array<{ path: PathSegment[]; reason?: string }> {
  const out: Array<{ path: PathSegment[]; reason?: string }> = usage.dropped.map((d) => ({ ...d }));
  const walk = (v: unknown, path: PathSegment[]) => {
    const k = keyOf(path);
    if (usage.taken.has(k)) return;
    if (!usage.visited.has(k)) {
      if (v !== undefined && v !== null) out.push({ path });
      return;
    }
    if (Array.isArray(v)) v.forEach((item, i) => walk(item, [...path, i]));
    else if (isPlain(v)) for (const [key, child] of Object.entries(v)) walk(child, [...path, key]);
    else if (v !== undefined && v !== null) out.push({ path });
  };
  walk(value, []);
  return out;
}

// Reads kubernetes-models' .d.ts interfaces as data. They carry two facts the client models lost:
// enums (`"imagePullPolicy"?: "Always" | "IfNotPresent" | "Never"`) and which strings are resource
// Quantities (`IIoK8sApimachineryPkgApiResourceQuantity`).
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export interface DtsField {
  readonly name: string;
  /** The TypeScript type text, whitespace collapsed. */
  readonly type: string;
}

export interface DtsInterface {
  readonly file: string;
  readonly fields: ReadonlyMap<string, DtsField>;
  /** Imported interface name → the .d.ts file that declares it. */
  readonly imports: ReadonlyMap<string, string>;
}

/** Pure: the first exported interface of a kubernetes-models .d.ts text. */
export function parseDtsInterface(file: string, text: string, resolveImport: (from: string) => string): DtsInterface {
  const imports = new Map<string, string>();
  for (const m of text.matchAll(/^import \{ (\w+) \} from "([^"]+)";$/gm)) imports.set(m[1]!, resolveImport(m[2]!));
  const fields = new Map<string, DtsField>();
  const body = /^export interface \w+(?: extends [\w, ]+)? \{\n([\s\S]*?)^\}/m.exec(text)?.[1] ?? '';
  const flat = body.replace(/\/\*\*[\s\S]*?\*\//g, '').replace(/\s+/g, ' ');
  // A field's type may hold one brace level of its own (`{ [key: string]: X; }`).
  for (const m of flat.matchAll(/"([^"]+)"\??: ((?:[^;{]|\{[^}]*\})+);/g)) {
    fields.set(m[1]!, { name: m[1]!, type: m[2]!.trim() });
  }
  return { file, fields, imports };
}

/** String literals of a pure literal union ('"A" | "B"'), else undefined. */
export function literalUnion(type: string): string[] | undefined {
  const parts = type.split('|').map((p) => p.trim());
  if (!parts.every((p) => /^"[^"]*"$/.test(p))) return undefined;
  return parts.map((p) => p.slice(1, -1));
}

/** The interface a field type refers to, through Array<...> and { [key: string]: ...; }. */
export function referencedInterface(type: string): string | undefined {
  const m = /^(?:Array<(\w+)>|\{ \[key: string\]: (\w+); \}|(\w+))$/.exec(type);
  const name = m?.[1] ?? m?.[2] ?? m?.[3];
  return name && /^I[A-Z]/.test(name) ? name : undefined;
}

export const QUANTITY = 'IIoK8sApimachineryPkgApiResourceQuantity';

export type DtsReader = (file: string) => DtsInterface | undefined;

/** A cached reader; files are absolute paths of .d.ts files inside kubernetes-models and its deps. */
export function createDtsReader(): DtsReader {
  const require = createRequire(import.meta.url);
  const modelsDir = dirname(require.resolve('kubernetes-models/package.json'));
  const fromModels = createRequire(join(modelsDir, 'package.json'));
  const packageDirs = new Map<string, string>();
  const resolveImport = (fromFile: string) => (spec: string) => {
    if (spec.startsWith('.')) return join(dirname(fromFile), `${spec}.d.ts`);
    const pkg = spec.split('/').slice(0, 2).join('/');
    if (!packageDirs.has(pkg)) packageDirs.set(pkg, dirname(fromModels.resolve(`${pkg}/package.json`)));
    return join(packageDirs.get(pkg)!, `${spec.slice(pkg.length + 1)}.d.ts`);
  };
  const cache = new Map<string, DtsInterface | undefined>();
  return (file) => {
    if (!cache.has(file)) {
      cache.set(
        file,
        existsSync(file) ? parseDtsInterface(file, readFileSync(file, 'utf8'), resolveImport(file)) : undefined,
      );
    }
    return cache.get(file);
  };
}

/** The .d.ts of a top-level kind inside kubernetes-models ('apps', 'v1', 'Deployment'). */
export function kindDtsFile(group: string, version: string, kind: string): string {
  const require = createRequire(import.meta.url);
  const modelsDir = dirname(require.resolve('kubernetes-models/package.json'));
  return join(modelsDir, group, version, `${kind}.d.ts`);
}

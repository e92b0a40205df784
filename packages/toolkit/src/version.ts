import { readFileSync } from 'node:fs';

/** `<name> <version>` from the package.json next to the given module's directory (src/ or dist/), for `--version`. */
export function packageVersion(moduleUrl: string | URL): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', moduleUrl), 'utf8')) as {
    name: string;
    version: string;
  };
  return `${pkg.name} ${pkg.version}`;
}

/** Bundles a package's compiled CLI into `out`/cli.cjs (and its workers into `out`/<name>.js) plus inputs.json. */
export declare function bundleCli(options: {
  pkg: string;
  out: string;
  cli: string;
  workers?: Record<string, string>;
  workerStarters?: string[];
  external?: string[];
}): Promise<void>;

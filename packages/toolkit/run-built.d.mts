/**
 * Imports `entry` (a file: URL) or exits 3 naming `tool` and the build command; runs the CommonJS `bundle`
 * instead (runBundle) while bundleFresh(bundle).
 */
export declare function runBuilt(tool: string, entry: URL, bundle?: URL): Promise<void>;

/** Whether the arguments only ask for help or the version (answered by the compiled entry, not the bundle). */
export declare function asksHelpOrVersion(argv: readonly string[]): boolean;

/** Whether `bundle` is at least as new as every file its inputs.json (beside it) names. */
export declare function bundleFresh(bundle: URL): boolean;

/** Where the V8 code cache of the bundle at path `file` (<package>/dist/bundle/<name>) is kept. */
export declare function codeCacheFile(file: string): string;

/** Runs the CommonJS bundle at `bundle` as Node would, compiled through its V8 code cache (written at exit). */
export declare function runBundle(bundle: URL): void;

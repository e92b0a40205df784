/**
 * Imports `entry` (a file: URL) or exits 3 naming `tool` and the build command; imports `bundle` instead
 * while bundleFresh(bundle).
 */
export declare function runBuilt(tool: string, entry: URL, bundle?: URL): Promise<void>;

/** Whether `bundle` is at least as new as every file its inputs.json (beside it) names. */
export declare function bundleFresh(bundle: URL): boolean;

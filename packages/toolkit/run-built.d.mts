/** Imports `entry` (a file: URL) or exits 3 naming `tool` and the build command. */
export declare function runBuilt(tool: string, entry: URL): Promise<void>;

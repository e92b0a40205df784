// Where a worker thread's or a child process's module is: compiled (dist/*.js), the emitted module itself; run
// from the TypeScript sources (vitest), an .mjs entry beside it that registers tsx (a devDependency) in the
// thread or process first, with the "source" export condition so that the workspace packages load from their
// sources too.

export interface WorkerModule {
  /** What `new Worker` (or `fork`) is given. */
  entry: URL;
  /** The thread's or process's node options (undefined: none added; a Worker then takes the process's own). */
  execArgv: string[] | undefined;
}

/**
 * The worker module of the caller at `callerUrl` (its import.meta.url): `built` (e.g. './native-worker.js')
 * when the caller runs compiled, else `sourceEntry` (e.g. './native-worker-entry.mjs'); both relative to it.
 */
export function workerModule(callerUrl: string, built: string, sourceEntry: string): WorkerModule {
  const fromSource = callerUrl.endsWith('.ts');
  return {
    entry: new URL(fromSource ? sourceEntry : built, callerUrl),
    execArgv: fromSource ? [...process.execArgv, '--conditions=source'] : undefined,
  };
}

/**
 * The environment of an nx run started from inside another process that may itself run under nx (a test of
 * `nx run x:test`, a benchmark): only PATH and HOME are kept, so the outer run's NX_*, npm_* and INIT_CWD
 * variables cannot leak in and change the inner task hashes from one run to the next; no daemon, no cloud,
 * no terminal UI, no colour. `extra` (cache directories, a remote cache) comes last.
 */
export function innerNxEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NX_DAEMON: 'false',
    NX_NO_CLOUD: 'true',
    NX_TUI: 'false',
    NO_COLOR: '1',
    ...extra,
  };
}

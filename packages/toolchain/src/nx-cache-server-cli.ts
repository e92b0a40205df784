// `node packages/toolchain/bin/nx-cache-server.js --dir DIR [--port 8090] [--bind 127.0.0.1]` (`npm run cache-server`):
// the shell around startCacheServer. Tokens come from the environment, never from the command line (it shows
// in `ps`): NX_CACHE_SERVER_TOKENS (read-write) and NX_CACHE_SERVER_READ_TOKENS (read-only), comma-separated.
import { parseArgs } from 'node:util';
import { startCacheServer } from './nx-cache-server.js';

const USAGE = `usage: nx-cache-server --dir DIR [--port PORT] [--bind ADDRESS] [--max-mb N]

A self-hosted nx remote cache (nx's HTTP cache API). Clients set
  NX_SELF_HOSTED_REMOTE_CACHE_SERVER=http://<host>:<port>
  NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN=<token>
Tokens (at least 16 characters; comma-separated lists):
  NX_CACHE_SERVER_TOKENS       read and write (main's CI)
  NX_CACHE_SERVER_READ_TOKENS  read only (merge requests, laptops)
Exit codes: 0 stopped by SIGTERM/SIGINT, 2 bad usage, 3 cannot listen.`;

function fail(message: string, code: number): never {
  process.stderr.write(`nx-cache-server: ${message}\n`);
  process.exit(code);
}

let values: { dir?: string; port?: string; bind?: string; 'max-mb'?: string; help?: boolean };
try {
  ({ values } = parseArgs({
    options: {
      dir: { type: 'string' },
      port: { type: 'string', default: '8090' },
      bind: { type: 'string', default: '127.0.0.1' },
      'max-mb': { type: 'string', default: '1024' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  }));
} catch (e) {
  fail(`${(e as Error).message}\n${USAGE}`, 2);
}
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
if (!values.dir) fail(`--dir is required: the folder that holds the cache entries\n${USAGE}`, 2);
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535)
  fail(`--port ${values.port}: expected a port number from 0 to 65535`, 2);
const maxMb = Number(values['max-mb']);
if (!Number.isFinite(maxMb) || maxMb <= 0) fail(`--max-mb ${values['max-mb']}: expected a number of MiB above 0`, 2);
const list = (v: string | undefined) =>
  (v ?? '')
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
const readWriteTokens = list(process.env.NX_CACHE_SERVER_TOKENS);
if (!readWriteTokens.length)
  fail('NX_CACHE_SERVER_TOKENS is not set: the cache serves build results, so it never runs without a token', 2);

try {
  const server = await startCacheServer({
    dir: values.dir,
    readWriteTokens,
    readOnlyTokens: list(process.env.NX_CACHE_SERVER_READ_TOKENS),
    host: values.bind,
    port,
    maxBytes: Math.floor(maxMb * 1024 * 1024),
    log: (line) => process.stdout.write(`${new Date().toISOString()} ${line}\n`),
  });
  const stop = () => void server.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.stdout.write(`nx-cache-server: listening on ${server.url}, entries in ${values.dir}\n`);
} catch (e) {
  const err = e as NodeJS.ErrnoException;
  fail(`cannot start: ${err.message}`, err.code ? 3 : 2);
}

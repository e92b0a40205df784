// A self-hosted nx remote cache: the HTTP API nx (>= 20.8) speaks when NX_SELF_HOSTED_REMOTE_CACHE_SERVER is set
// (nx's OpenAPI "custom remote cache specification", implemented in nx's packages/nx/src/native/cache/
// http_remote_cache.rs): GET /v1/cache/<hash> answers the stored tar.gz (200) or 404; PUT /v1/cache/<hash> stores
// the body (200), 409 when the entry exists (nx then keeps quiet), 403 for a read-only token, 401 without a valid
// bearer token (NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN on the nx side). Entries are files named by hash, written
// to a temporary file and renamed, so a reader never sees half an entry and a crash leaves no corrupt one.
// No vendor account, no extra dependency: node:http and the file system.
import { timingSafeEqual } from 'node:crypto';
import {
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

export interface CacheServerOptions {
  /** Folder holding the entries (created if missing). */
  dir: string;
  /** Tokens that may read and write. */
  readWriteTokens: readonly string[];
  /** Tokens that may only read (CI of merge requests: it must not poison the cache of main). */
  readOnlyTokens?: readonly string[];
  /** Largest entry accepted, in bytes (default 1 GiB): larger is 413. */
  maxBytes?: number;
  host?: string;
  /** 0 (default): any free port. */
  port?: number;
  /** One line per request (method, hash, status, bytes); never a token. */
  log?: (line: string) => void;
}

export interface CacheServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** nx's task hashes are decimal today; anything that could be a path is refused. */
const HASH = /^[A-Za-z0-9_-]{1,128}$/;
const PATH = /^\/v1\/cache\/([^/?#]*)$/;

type Access = 'none' | 'read' | 'write';

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Pure: what a request's Authorization header grants. */
export function accessOf(header: string | undefined, rw: readonly string[], ro: readonly string[]): Access {
  const m = /^Bearer (.+)$/.exec(header ?? '');
  if (!m) return 'none';
  const token = m[1]!;
  // Every token is compared (no early exit), so timing does not tell which list matched.
  let access: Access = 'none';
  for (const t of ro) if (sameToken(token, t)) access = 'read';
  for (const t of rw) if (sameToken(token, t)) access = 'write';
  return access;
}

function answer(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(`${message}\n`);
}

export async function startCacheServer(options: CacheServerOptions): Promise<CacheServer> {
  if (!options.readWriteTokens.length) throw new Error('the cache server needs at least one read-write token');
  if ([...options.readWriteTokens, ...(options.readOnlyTokens ?? [])].some((t) => t.length < 16))
    throw new Error('a token of at least 16 characters is required (a short token can be guessed)');
  const dir = options.dir;
  mkdirSync(dir, { recursive: true });
  // Temporary files of a previous run that died mid-upload.
  for (const name of readdirSync(dir)) if (name.startsWith('.upload-')) rmSync(join(dir, name), { force: true });
  const maxBytes = options.maxBytes ?? 1024 ** 3;
  const log = options.log ?? (() => undefined);
  let uploads = 0;

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const done = (status: number, message: string, hash = '-', bytes = 0) => {
      log(`${req.method} ${hash} ${status} ${bytes}`);
      answer(res, status, message);
    };
    const m = PATH.exec(req.url ?? '');
    if (!m) return done(404, 'not found: the API is GET and PUT /v1/cache/<hash>');
    const hash = decodeURIComponent(m[1]!);
    if (!HASH.test(hash)) return done(400, 'bad hash: expected letters, digits, "-" or "_" (at most 128)');
    const access = accessOf(req.headers.authorization, options.readWriteTokens, options.readOnlyTokens ?? []);
    if (access === 'none') return done(401, 'missing or unknown bearer token');
    const file = join(dir, hash);
    if (req.method === 'GET') {
      if (!existsSync(file)) return done(404, 'no such entry', hash);
      const size = statSync(file).size;
      log(`GET ${hash} 200 ${size}`);
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': size });
      createReadStream(file).pipe(res);
      return;
    }
    if (req.method !== 'PUT') return done(405, 'method not allowed: GET or PUT', hash);
    if (access !== 'write') return done(403, 'this token may only read', hash);
    if (existsSync(file)) {
      req.resume();
      return done(409, 'the entry exists (entries are immutable)', hash);
    }
    const declared = Number(req.headers['content-length'] ?? Number.NaN);
    if (declared > maxBytes) {
      req.resume();
      return done(413, `entry larger than ${maxBytes} bytes`, hash);
    }
    const tmp = join(dir, `.upload-${process.pid}-${++uploads}`);
    const out = createWriteStream(tmp, { flags: 'wx' });
    let bytes = 0;
    let failed = false;
    const fail = (status: number, message: string) => {
      if (failed) return;
      failed = true;
      out.destroy();
      rmSync(tmp, { force: true });
      req.resume();
      done(status, message, hash, bytes);
    };
    req.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > maxBytes) fail(413, `entry larger than ${maxBytes} bytes`);
    });
    req.on('aborted', () => fail(400, 'upload aborted'));
    out.on('error', (e) => fail(500, `cannot store the entry: ${e.message}`));
    req.pipe(out);
    out.on('finish', () => {
      if (failed) return;
      if (existsSync(file)) {
        rmSync(tmp, { force: true });
        return done(409, 'the entry exists (entries are immutable)', hash, bytes);
      }
      renameSync(tmp, file);
      done(200, 'stored', hash, bytes);
    });
  };

  const server = createServer(handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}`,
    server,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

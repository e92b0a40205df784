import { readFileSync, realpathSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { UsageError } from '@cmsweb/toolkit';
import { formatLocation } from '@cmsweb/yaml';
import { parseClientsFile, type WebhookClient } from '../core/webhook-clients.js';
import { readClock } from '../shell/context.js';
import { openRepository } from '../shell/git.js';
import { readSnapshot } from '../shell/read-snapshot.js';
import { openReplayStore } from '../shell/replay-store.js';
import { createWebhookServer, type LogEntry, type WebhookServer } from '../shell/webhook-server.js';
import { bumpBatch } from './change.js';
import { statusPage } from './status-page.js';

// `gitops-sync serve`: reads the clients file and every client's secret (refusing to start on any problem,
// with file:line), finds the testbed, opens the replay store in the git directory and starts the server.
// Accepted bumps run in batches through bumpBatch: per bump the code path of `gitops-sync bump --push`, one push per batch.

export interface ServeFlags {
  root: string;
  port?: string;
  bind?: string;
  clients?: string;
  remote?: string;
  maxBody?: string;
  queue?: string;
  batch?: string;
  pathPrefix?: string;
}

export const MIN_SECRET_BYTES = 32;

export interface RunningServer {
  url: string;
  server: WebhookServer;
}

function intFlag(value: string | undefined, flag: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (!/^\d{1,9}$/.test(value) || Number(value) < min || Number(value) > max)
    throw new UsageError(
      `${flag} ${JSON.stringify(value)} is not valid: expected a whole number from ${min} to ${max}`,
    );
  return Number(value);
}

const inside = (dir: string, path: string) => {
  const r = relative(dir, path);
  return r === '' || (!r.startsWith('..') && !isAbsolute(r));
};

/** Reads each client's secret from its file or environment variable; any problem is a usage error naming where. */
export function readSecrets(
  clients: WebhookClient[],
  env: NodeJS.ProcessEnv,
  repoRoot: string,
): Map<string, { client: WebhookClient; secret: Uint8Array }> {
  const out = new Map<string, { client: WebhookClient; secret: Uint8Array }>();
  for (const c of clients) {
    let secret: Buffer;
    if ('file' in c.secret) {
      let real: string;
      try {
        real = realpathSync(c.secret.file);
        secret = readFileSync(real);
      } catch (e) {
        throw new UsageError(
          `${c.secretAt}: cannot read the secret of client ${c.name} from ${c.secret.file} (${(e as NodeJS.ErrnoException).code ?? 'error'}): expected a readable file`,
        );
      }
      if (inside(realpathSync(repoRoot), real))
        throw new UsageError(
          `${c.secretAt}: the secret of client ${c.name} is inside the repository (${c.secret.file}): secrets never enter the repository; keep it outside, e.g. /etc/imagebot/`,
        );
    } else {
      const v = env[c.secret.env];
      if (v === undefined || v === '')
        throw new UsageError(
          `${c.secretAt}: the environment variable ${c.secret.env} (secret of client ${c.name}) is not set in the server's environment`,
        );
      secret = Buffer.from(v, 'utf8');
    }
    // A trailing newline from `echo > file` is not part of the secret.
    const trimmed = secret.subarray(0, secret.length - (/\r?\n$/.exec(secret.toString('latin1'))?.[0].length ?? 0));
    if (trimmed.length < MIN_SECRET_BYTES)
      throw new UsageError(
        `${c.secretAt}: the secret of client ${c.name} has ${trimmed.length} bytes: expected at least ${MIN_SECRET_BYTES} (e.g. openssl rand -hex 32)`,
      );
    out.set(c.name, { client: c, secret: trimmed });
  }
  return out;
}

export async function serve(
  flags: ServeFlags,
  env: NodeJS.ProcessEnv,
  log: (entry: LogEntry) => void,
): Promise<RunningServer> {
  const port = intFlag(flags.port, '--port', 8080, 0, 65535);
  const bind = flags.bind ?? '127.0.0.1';
  if (!/^[0-9A-Za-z.:-]{1,253}$/.test(bind))
    throw new UsageError(`--bind ${JSON.stringify(bind)} is not an address: expected such as 127.0.0.1 or 0.0.0.0`);
  const maxBodyBytes = intFlag(flags.maxBody, '--max-body', 16 * 1024, 256, 1024 * 1024);
  const queueLimit = intFlag(flags.queue, '--queue', 100, 1, 100_000);
  const batchLimit = intFlag(flags.batch, '--batch', 50, 1, 1000);
  const remote = flags.remote ?? 'origin';
  if (flags.pathPrefix !== undefined && !/^(\/[A-Za-z0-9._~-]+)+$/.test(flags.pathPrefix))
    throw new UsageError(
      `--path-prefix ${JSON.stringify(flags.pathPrefix)} is not a URL path prefix: expected such as /imagebot (no trailing slash)`,
    );
  if (!flags.clients)
    throw new UsageError('serve needs --clients FILE: who may post bumps, and where their secrets are');
  const clientsPath = resolve(flags.clients);
  let text: string;
  try {
    text = readFileSync(clientsPath, 'utf8');
  } catch (e) {
    throw new UsageError(
      `--clients ${flags.clients}: cannot read it (${(e as NodeJS.ErrnoException).code ?? 'error'}): expected a YAML file`,
    );
  }
  const parsed = parseClientsFile(flags.clients, text);
  const errors = parsed.findings.filter((f) => f.severity === 'error');
  if (errors.length)
    throw new UsageError(
      `the clients file is invalid:\n  ${errors.map((f) => `${formatLocation(f)}: ${f.message}`).join('\n  ')}`,
    );
  const repo = await openRepository(flags.root);
  const secrets = readSecrets(parsed.clients, env, repo.root);
  const snapshot = await readSnapshot(repo.root, 'HEAD');
  const testbed = snapshot.order[0]!;
  const now = () => readClock(env);
  const replay = await openReplayStore(
    join(repo.commonDir, 'gitops-sync-webhook-ids.jsonl'),
    Math.floor(now().getTime() / 1000),
  );
  const server = createWebhookServer({
    clients: secrets,
    testbed,
    replay,
    now,
    log,
    maxBodyBytes,
    queueLimit,
    batchLimit,
    ...(flags.pathPrefix !== undefined ? { pathPrefix: flags.pathPrefix } : {}),
    page: (filter) =>
      statusPage({ root: repo.root, ...filter, action: flags.pathPrefix ? `${flags.pathPrefix}/` : '/' }, env),
    bumps: (batch) =>
      bumpBatch(
        { root: repo.root, remote },
        batch.map((r) => ({
          service: r.service,
          env: r.env,
          tag: r.tag,
          requester: r.requester,
          ...(r.digest !== null ? { digest: r.digest } : {}),
        })),
        env,
      ),
  });
  let address;
  try {
    address = await server.listen(port, bind);
  } catch (e) {
    await replay.close();
    throw new UsageError(
      `cannot listen on ${bind}:${port} (${(e as NodeJS.ErrnoException).code ?? String(e)}): expected a free port and a local address`,
    );
  }
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  log({
    time: now().toISOString(),
    level: 'info',
    event: 'listening',
    url: `http://${host}:${address.port}`,
    repository: repo.root,
    testbed,
    clients: secrets.size,
  });
  return { url: `http://${host}:${address.port}`, server };
}

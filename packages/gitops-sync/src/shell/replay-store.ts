import { open, readFile } from 'node:fs/promises';
import { writeFileAtomic } from '@cmsweb/toolkit';

// The request ids `gitops-sync serve` has accepted, remembered for as long as their timestamp is inside the
// window (so at most 2 × 5 minutes), across restarts: an append-only JSON-lines file in the repository's git
// directory (.git/gitops-sync-webhook-ids.jsonl: never tracked, never pushed), each line fsync'ed before the
// request goes further. Loading drops expired lines and rewrites the file atomically; so does growth past
// twice the live entries.
//
// An id is first *reserved* in memory (a concurrent duplicate is refused at once), then either *kept*
// (written down: the request went on, whatever its result) or *released* (the request was turned away
// for a reason the client may retry: rate limit, queue full, shutting down).

export interface ReplayStore {
  /** false when the id was seen (kept or reserved) and has not expired. */
  reserve(key: string, expiresAtSeconds: number, nowSeconds: number): boolean;
  keep(key: string): Promise<void>;
  release(key: string): void;
  close(): Promise<void>;
}

interface Line {
  key: string;
  until: number;
}

export async function openReplayStore(path: string, nowSeconds: number): Promise<ReplayStore> {
  const live = new Map<string, number>();
  const reserved = new Map<string, number>();
  let text = '';
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  for (const raw of text.split('\n')) {
    if (!raw) continue;
    try {
      const l = JSON.parse(raw) as Line;
      if (typeof l.key === 'string' && typeof l.until === 'number' && l.until > nowSeconds) live.set(l.key, l.until);
    } catch {
      // a line cut short by a crash: nothing was accepted on it (the request had not gone further)
    }
  }
  const serialize = () => [...live].map(([key, until]) => JSON.stringify({ key, until }) + '\n').join('');
  await writeFileAtomic(path, serialize(), { mode: 0o600 });
  let lines = live.size;
  let file = await open(path, 'a', 0o600);
  // Appends and compactions run one after the other.
  let chain: Promise<void> = Promise.resolve();
  const prune = (now: number) => {
    for (const [k, until] of live) if (until <= now) live.delete(k);
  };
  let now = nowSeconds;
  return {
    reserve(key, expiresAt, nowS) {
      now = nowS;
      const until = live.get(key) ?? reserved.get(key);
      if (until !== undefined && until > nowS) return false;
      reserved.set(key, expiresAt);
      return true;
    },
    keep(key) {
      const until = reserved.get(key);
      if (until === undefined) return Promise.resolve();
      reserved.delete(key);
      live.set(key, until);
      const run = chain.then(async () => {
        await file.appendFile(JSON.stringify({ key, until }) + '\n');
        await file.sync();
        lines++;
        if (lines > 2 * live.size + 1000) {
          prune(now);
          await file.close();
          await writeFileAtomic(path, serialize(), { mode: 0o600 });
          lines = live.size;
          file = await open(path, 'a', 0o600);
        }
      });
      chain = run.catch(() => undefined);
      return run;
    },
    release(key) {
      reserved.delete(key);
    },
    async close() {
      await chain;
      await file.close();
    },
  };
}

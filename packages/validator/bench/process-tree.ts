// Peak memory of a command and every process under it (Linux /proc). The validator renders in a child process
// (src/render/native-pool.ts): the memory of a run is the sum of its processes, which /usr/bin/time's %M (the
// largest single process) and process.resourceUsage().maxRSS (this process) do not give.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Resident memory in MB of `pid` and every process under it now (0 where /proc is not). */
export function treeRssMb(pid: number): number {
  const children = new Map<number, number[]>();
  try {
    for (const d of readdirSync('/proc')) {
      if (!/^\d+$/.test(d)) continue;
      try {
        const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        children.set(ppid, [...(children.get(ppid) ?? []), Number(d)]);
      } catch {
        // ended meanwhile
      }
    }
  } catch {
    return 0;
  }
  let kb = 0;
  const todo = [pid];
  while (todo.length) {
    const p = todo.pop()!;
    try {
      const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${p}/status`, 'utf8'));
      if (m) kb += Number(m[1]);
    } catch {
      // ended meanwhile
    }
    todo.push(...(children.get(p) ?? []));
  }
  return kb / 1024;
}

/** Samples treeRssMb(pid) every `ms` until stop(), which returns the largest sample in MB. */
export function sampleTreeRss(pid: number | undefined, ms = 200): { stop(): number } {
  let peak = 0;
  const timer = setInterval(() => {
    if (pid !== undefined) peak = Math.max(peak, treeRssMb(pid));
  }, ms);
  return {
    stop() {
      clearInterval(timer);
      return peak;
    },
  };
}

/**
 * Runs `file argv` to its end (its output collected), sampling the summed memory of its process tree meanwhile:
 * exit code (-1 when killed), stdout, stderr, and that peak in MB.
 */
export async function runSampled(
  file: string,
  argv: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<{ code: number; stdout: string; stderr: string; treeMb: number }> {
  const child = spawn(file, argv, options);
  const sampler = sampleTreeRss(child.pid);
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (b: Buffer) => out.push(b));
  child.stderr.on('data', (b: Buffer) => err.push(b));
  const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? -1)));
  return {
    code,
    stdout: Buffer.concat(out).toString('utf8'),
    stderr: Buffer.concat(err).toString('utf8'),
    treeMb: sampler.stop(),
  };
}

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { writeTree } from '../src/write-tree.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('writeTree', () => {
  it('fsyncs a replaced file and the directories of replaced or removed files, not a new file', async () => {
    const root = mkdtempSync(join(tmpdir(), 'chartgen-write-tree-'));
    dirs.push(root);
    mkdirSync(join(root, 'old'));
    writeFileSync(join(root, 'old', 'a.yaml'), 'a: 0\n');
    writeFileSync(join(root, 'old', 'gone.yaml'), 'g: 0\n');
    const probe = await open(join(root, 'probe'), 'w');
    const handleProto = Object.getPrototypeOf(probe) as { sync: () => Promise<void> };
    await probe.close();
    rmSync(join(root, 'probe'));
    const sync = vi.spyOn(handleProto, 'sync');
    try {
      const planned = new Map([
        ['old/a.yaml', 'a: 1\n'],
        ['new/b.yaml', 'b: 1\n'],
        ['new/c.yaml', 'c: 1\n'],
      ]);
      await writeTree(
        root,
        [
          { path: 'new/b.yaml', kind: 'added' },
          { path: 'new/c.yaml', kind: 'added' },
          { path: 'old/a.yaml', kind: 'changed' },
          { path: 'old/gone.yaml', kind: 'removed' },
        ],
        planned,
        ['old', 'new'],
      );
      // old/a.yaml's content, then the directory old/ (once for the replacement and the removal).
      expect(sync).toHaveBeenCalledTimes(2);
    } finally {
      sync.mockRestore();
    }
    expect(readFileSync(join(root, 'old', 'a.yaml'), 'utf8')).toBe('a: 1\n');
    expect(readFileSync(join(root, 'new', 'b.yaml'), 'utf8')).toBe('b: 1\n');
    expect(readFileSync(join(root, 'new', 'c.yaml'), 'utf8')).toBe('c: 1\n');
  });
});

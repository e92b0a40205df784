import { describe, expect, it } from 'vitest';
import { runHelm } from '../src/index.js';

describe('helm binary', () => {
  it('is the real Helm v4 and runs offline', async () => {
    const r = await runHelm(['version', '--short']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^v4\.\d+\.\d+/);
  });
  it('reports a failing command through its exit code', async () => {
    const r = await runHelm(['template', '/nonexistent-chart-dir']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/nonexistent-chart-dir/);
  });
});

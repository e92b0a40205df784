import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Finding } from '../src/findings.js';
import { runRepoInProcess, tempRepo } from './helpers.js';

// The unsafe states of issue 7 injected into the fixture repository, through the CLI's repository command
// (in process: runRepoInProcess; repo-e2e runs the real CLI): each is
// reported with its check, file, line and the exact message a person acts on.

const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

function repoWith(files: Record<string, string | ((text: string) => string)>): string {
  const repo = tempRepo();
  cleanups.push(repo.cleanup);
  for (const [file, content] of Object.entries(files)) {
    const p = join(repo.dir, file);
    mkdirSync(join(p, '..'), { recursive: true });
    writeFileSync(p, typeof content === 'string' ? content : content(readFileSync(p, 'utf8')));
  }
  return repo.dir;
}

async function findings(root: string, check: string): Promise<Finding[]> {
  const r = await runRepoInProcess(root, { env: ['prod'] });
  return (JSON.parse(r.stdout) as { findings: Finding[] }).findings.filter((f) => f.check === check);
}

const PROD = 'environments/prod/values/demo.yaml';

describe('overlay rules on the fixture repository', { timeout: 120_000 }, () => {
  it('an emptied prod overlay: overlay-image at the top of the file', async () => {
    const root = repoWith({ [PROD]: '# emptied\nenvironment: prod\ndatabase:\n  secretName: demo-prod-db\n' });
    expect(await findings(root, 'overlay-image')).toEqual([
      {
        check: 'overlay-image',
        severity: 'error',
        file: PROD,
        line: 2,
        column: 1,
        env: 'prod',
        service: 'demo',
        message:
          "sets no image.tag (or image.digest): prod would run the chart's default (no tag: the image would be :latest or fail to pull), not what was promoted. Set image.tag to the tag that runs in prod (gitops-sync bump/promote writes it)",
      },
    ]);
  });

  it('an overlay value that contradicts the catalog (charts/demo/values-prod.yaml): at the overlay line', async () => {
    const root = repoWith({
      'charts/demo/values-prod.yaml': 'environment: prod\ndatabase:\n  secretName: demo-prod-db-2026\n',
    });
    expect(await findings(root, 'overlay-contradicts-catalog')).toEqual([
      {
        check: 'overlay-contradicts-catalog',
        severity: 'error',
        file: PROD,
        line: 6,
        column: 3,
        env: 'prod',
        service: 'demo',
        message:
          'database.secretName is "demo-prod-db" here, but the catalog sets "demo-prod-db-2026" for prod (charts/demo/values-prod.yaml, from catalog/services/demo.yaml): the overlay wins, so the catalog\'s setting never reaches prod. Change environments.prod in the catalog and delete database.secretName here',
      },
    ]);
  });

  it('replicaCount while autoscaling is on: at the replicaCount line; not when the overlay switches autoscaling off', async () => {
    const on = repoWith({ [PROD]: (t) => `${t}replicaCount: 4\n` });
    expect(await findings(on, 'overlay-replicas-autoscaled')).toEqual([
      {
        check: 'overlay-replicas-autoscaled',
        severity: 'error',
        file: PROD,
        line: 7,
        column: 1,
        env: 'prod',
        service: 'demo',
        message:
          'replicaCount 4 has no effect: autoscaling is enabled in prod (autoscaling.enabled in charts/demo/values.yaml), so the HorizontalPodAutoscaler sets the replicas; delete replicaCount here, or set the replica range (autoscaling.minReplicas/maxReplicas) in the catalog',
      },
    ]);
    const off = repoWith({ [PROD]: (t) => `${t}replicaCount: 4\nautoscaling:\n  enabled: false\n` });
    expect(await findings(off, 'overlay-replicas-autoscaled')).toEqual([]);
  });

  it('a folder of an environment cluster.yaml no longer declares: environment-leftover', async () => {
    const root = repoWith({ 'environments/staging/values/demo.yaml': 'image:\n  tag: v1.0.0\n' });
    expect(await findings(root, 'environment-leftover')).toEqual([
      {
        check: 'environment-leftover',
        severity: 'error',
        file: 'environments/staging/values/demo.yaml',
        line: 1,
        column: 1,
        env: 'staging',
        message:
          'environments/staging/ belongs to no environment: catalog/cluster.yaml declares dev, prod. Delete environments/staging/ (chartgen already removed the files it generated there), or declare staging again in catalog/cluster.yaml environments',
      },
    ]);
  });
});

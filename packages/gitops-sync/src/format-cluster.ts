import { type ClusterReport, clusterExitCode, type WaitResult } from './commands/cluster.js';

// Pure: what `cluster-status` prints. JSON with a fixed key order; text as a table, then each difference.

export function clusterJson(r: ClusterReport): unknown {
  return {
    environment: r.env,
    commit: r.commit,
    context: r.context,
    server: r.server,
    status: r.error !== null ? 'error' : clusterExitCode(r) === 0 ? 'in-sync' : 'differs',
    exitCode: clusterExitCode(r),
    error: r.error,
    services: r.rows.map((row) => ({
      service: row.service,
      namespace: row.namespace,
      git: row.git,
      cluster: row.cluster,
      argocd: row.app,
      differences: row.differences,
    })),
  };
}

export function clusterText(r: ClusterReport): string {
  const head = `cluster-status ${r.env}: git ${r.commit.slice(0, 10)} beside ${r.context ?? '?'} (${r.server ?? '?'})`;
  if (r.error !== null) return `${head}\nERROR: ${r.error}\n`;
  const table = [
    ['service', 'namespace', 'git', 'cluster', 'ready', 'rollout', 'argo cd', ''],
    ...r.rows.map((row) => [
      row.service,
      row.namespace,
      (row.git.tag ?? '(none)') + (row.git.digest ? `@${row.git.digest.slice(7, 19)}` : ''),
      row.cluster.image === null
        ? '-'
        : (row.cluster.tag ?? '') + (row.cluster.digest ? `@${row.cluster.digest.slice(7, 19)}` : ''),
      row.cluster.ready,
      row.cluster.rollout,
      row.app ? `${row.app.sync}/${row.app.health}` : '-',
      row.differences.length ? 'DIFFERS' : 'ok',
    ]),
  ];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((t) => t[i]!.length)));
  const lines = table.map((t) =>
    t
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd(),
  );
  const diffs = r.rows.flatMap((row) => row.differences.map((d) => `  ${row.service}: ${d}`));
  const differing = r.rows.filter((row) => row.differences.length).length;
  return [
    head,
    ...lines,
    differing
      ? `${differing} of ${r.rows.length} services differ from git:`
      : `all ${r.rows.length} services run what git says`,
    ...diffs,
    '',
  ].join('\n');
}

export function waitJson(w: WaitResult): unknown {
  return {
    status: w.ok ? 'rolled-out' : 'timed-out',
    environment: w.env,
    commit: w.commit,
    polls: w.polls,
    error: w.error,
    services: w.rows.map((row) => ({
      service: row.service,
      cluster: row.cluster,
      argocd: row.app,
      differences: row.differences,
    })),
  };
}

export function waitText(w: WaitResult): string {
  if (w.ok)
    return `${w.env}: the cluster runs the promoted images, rolled out and healthy (${w.polls} reading${w.polls > 1 ? 's' : ''})\n`;
  const why = w.error ?? w.rows.flatMap((r) => r.differences.map((d) => `${r.service}: ${d}`)).join('; ');
  return `TIMED OUT waiting for ${w.env} after ${w.seconds.toFixed(0)} s: ${why} (the commit is pushed; Argo CD may still sync it)\n`;
}

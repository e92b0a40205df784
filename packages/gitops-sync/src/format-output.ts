import type { ChangeReport } from './commands/change.js';
import type { HistoryReport } from './commands/read-only.js';
import { unifiedDiff } from './core/diff.js';
import type { GateResult } from './core/gates.js';
import type { Image } from './core/model.js';
import type { StatusReport } from './core/status-matrix.js';

// Pure: what the CLI prints. JSON documents have a fixed key order (stable for scripts and goldens);
// text is for people.

const img = (i: Image | null) => (i ? { tag: i.tag, digest: i.digest } : null);
const tagOf = (i: Image | null) => (i?.tag ?? '(none)') + (i?.digest ? `@${i.digest.slice(7, 19)}` : '');

export function exitCodeOf(r: ChangeReport): 0 | 1 {
  return r.outcome.status === 'refused' ? 1 : 0;
}

export function changeJson(r: ChangeReport): unknown {
  const o = r.outcome;
  const p = o.plan;
  return {
    command: r.command,
    status: o.status,
    exitCode: exitCodeOf(r),
    environment: p.env,
    from: p.from ?? null,
    base: o.base,
    commit: o.commit ?? null,
    changes: p.changes.map((c) => ({
      service: c.service,
      environment: c.env,
      from: img(c.from),
      to: img(c.to),
      promotedFrom: c.promotedFrom ?? null,
    })),
    upToDate: p.upToDate,
    gates: p.gates.map((g) => ({ gate: g.gate, service: g.service, status: g.status, message: g.message })),
    files: p.files.map((f) => ({ path: f.path, diff: unifiedDiff(f.path, f.before, f.after) })),
    message: p.message || null,
    reason: o.reason ?? null,
    attempts: o.attempts,
    races: o.races,
    notes: o.notes,
  };
}

const MARK: Record<GateResult['status'], string> = {
  pass: 'pass',
  fail: 'FAIL',
  skipped: 'skip',
  overridden: 'OVERRIDDEN',
};

export function formatGates(gates: readonly GateResult[]): string[] {
  const width = Math.max(0, ...gates.map((g) => g.gate.length));
  return gates.map(
    (g) => `  ${MARK[g.status].padEnd(10)} ${g.gate.padEnd(width)}  ${g.service ? `${g.service}: ` : ''}${g.message}`,
  );
}

export function changeText(r: ChangeReport): string {
  const o = r.outcome;
  const p = o.plan;
  const where = p.from ? `${p.from} → ${p.env}` : p.env;
  const head: Record<typeof o.status, string> = {
    committed: `committed ${o.commit?.slice(0, 10)} (not pushed)`,
    pushed: `pushed ${o.commit?.slice(0, 10)}`,
    'up-to-date': 'nothing to do: already up to date',
    'dry-run': 'dry run: nothing was changed',
    refused: 'REFUSED: nothing was changed',
  };
  const lines = [`${r.command} ${where}: ${head[o.status]}`];
  for (const c of p.changes) lines.push(`  ${c.service}: ${tagOf(c.from)} → ${tagOf(c.to)}`);
  if (p.upToDate.length > 0) lines.push(`  up to date: ${p.upToDate.join(', ')}`);
  if (p.gates.length > 0) lines.push('gates:', ...formatGates(p.gates));
  if (o.reason) lines.push(`reason: ${o.reason}`);
  if (o.status === 'dry-run') {
    lines.push('diff:');
    for (const f of p.files) lines.push(unifiedDiff(f.path, f.before, f.after).trimEnd());
    lines.push(
      'commit message:',
      ...p.message
        .trimEnd()
        .split('\n')
        .map((l) => `  ${l}`),
    );
  }
  if (o.races.length > 0)
    lines.push(`lost push races (re-applied on the new head): ${o.races.length}`, ...o.races.map((x) => `  ${x}`));
  lines.push(...o.notes.map((n) => `note: ${n}`));
  return lines.join('\n') + '\n';
}

export function statusJson(s: StatusReport & { notes: string[] }): unknown {
  return {
    commit: s.commit,
    environments: s.environments,
    services: s.services.map((row) => ({
      service: row.service,
      environments: Object.fromEntries(
        s.environments.map((e) => {
          const c = row.environments[e];
          return [
            e,
            c
              ? {
                  tag: c.tag,
                  digest: c.digest,
                  held: c.hold ? { since: c.hold.since, rolledBackFrom: c.hold.rolledBackFrom, by: c.hold.by } : null,
                  lags: c.lag ? c.lag.direction !== 'same' : null,
                  lag: c.lag,
                  promotion: c.promotion
                    ? {
                        from: c.promotion.from,
                        tag: c.promotion.tag,
                        possible: c.promotion.possible,
                        blockedBy: c.promotion.blockedBy.map((g) => ({ gate: g.gate, message: g.message })),
                      }
                    : null,
                  problems: c.problems,
                }
              : null,
          ];
        }),
      ),
    })),
    possible: s.possible,
    notes: s.notes,
  };
}

export function statusText(s: StatusReport & { notes: string[] }): string {
  const rows = [['SERVICE', ...s.environments]];
  for (const r of s.services) {
    rows.push([
      r.service,
      ...s.environments.map((e) => {
        const c = r.environments[e];
        if (!c) return '-';
        const marks = [
          c.lag && c.lag.direction !== 'same' ? `<${c.lag.direction === 'ahead' ? '>' : ''}` : '',
          c.hold ? 'HELD' : '',
          c.problems.length ? '!' : '',
        ].filter(Boolean);
        return `${c.tag ?? '(none)'}${c.digest ? '@' + c.digest.slice(7, 15) : ''}${marks.length ? ' ' + marks.join(' ') : ''}`;
      }),
    ]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = rows.map((r) =>
    r
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd(),
  );
  lines.push(
    '',
    '< lags the environment it promotes from (<> differs, ahead of it); HELD: rollback hold; !: unreadable overlay',
  );
  lines.push(s.possible.length ? 'possible promotions now:' : 'no promotion possible now');
  for (const p of s.possible) lines.push(`  ${p.service}: ${p.from} → ${p.to} (${p.tag})`);
  const blocked = s.services.flatMap((r) =>
    s.environments.flatMap((e) => {
      const c = r.environments[e];
      return c?.promotion && !c.promotion.possible
        ? [
            `  ${r.service} ${c.promotion.from} → ${e}: ${c.promotion.blockedBy.map((g) => `${g.gate}: ${g.message}`).join('; ') || 'unreadable overlay'}`,
          ]
        : [];
    }),
  );
  if (blocked.length) lines.push('blocked:', ...blocked);
  lines.push(...s.notes.map((n) => `note: ${n}`));
  return lines.join('\n') + '\n';
}

export function historyJson(h: HistoryReport): unknown {
  return {
    service: h.service,
    environment: h.env,
    commit: h.commit,
    events: h.events.map((e) => ({
      commit: e.commit,
      date: e.date,
      environment: e.env,
      action: e.action,
      from: img(e.from),
      to: img(e.to),
      by: e.by,
      author: e.author,
      promotedFrom: e.promotedFrom,
      promotionId: e.promotionId,
      gateOverrides: e.gateOverrides,
      hold: e.hold,
      release: e.release,
      subject: e.subject,
    })),
    notes: h.notes,
  };
}

export function historyText(h: HistoryReport): string {
  if (h.events.length === 0) return `no history for ${h.service}${h.env ? ` in ${h.env}` : ''}\n`;
  const lines = h.events.map((e) => {
    const what =
      e.action === 'release' ? `hold lifted (rollback of ${e.release})` : `${tagOf(e.from)} → ${tagOf(e.to)}`;
    const extra = [
      e.promotedFrom ? `from ${e.promotedFrom}` : '',
      e.hold ? `held (rolled back from ${e.hold})` : '',
      ...e.gateOverrides.map((o) => `override ${o.gate}: ${o.reason}`),
    ]
      .filter(Boolean)
      .join(', ');
    return `${e.date}  ${e.env.padEnd(8)} ${e.action.padEnd(8)} ${what}${extra ? ` (${extra})` : ''}  by ${e.by}  ${e.commit.slice(0, 10)}`;
  });
  return [...lines, ...h.notes.map((n) => `note: ${n}`)].join('\n') + '\n';
}

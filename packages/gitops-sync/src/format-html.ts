import type { StatusReport } from './core/status-matrix.js';

// Pure: the environment matrix as one HTML page (no JavaScript, no external resources): services ×
// environments with tag, digest, lag, hold, the promotion possible now or what blocks it (soak remaining
// included), and filters by namespace or team as a plain GET form. Every text is escaped.

export interface PageContext {
  /** service → namespace (from the catalog; missing: "-"). */
  namespaces: ReadonlyMap<string, string>;
  /** namespace → team (catalog/cluster.yaml). */
  teams: ReadonlyMap<string, string>;
  filter: { namespace?: string; team?: string };
  /** The form's target ("" for the page itself). */
  action: string;
  /** The organisation's name in the title: catalog/cluster.yaml displayName, else name (absent: none). */
  title?: string;
}

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function options(values: string[], selected: string | undefined): string {
  return [
    `<option value="">all</option>`,
    ...values.map((v) => `<option${v === selected ? ' selected' : ''}>${esc(v)}</option>`),
  ].join('');
}

export function statusHtml(s: StatusReport, ctx: PageContext): string {
  const nsOf = (svc: string) => ctx.namespaces.get(svc) ?? '-';
  const rows = s.services.filter((r) => {
    const ns = nsOf(r.service);
    if (ctx.filter.namespace && ns !== ctx.filter.namespace) return false;
    if (ctx.filter.team && ctx.teams.get(ns) !== ctx.filter.team) return false;
    return true;
  });
  const cell = (r: StatusReport['services'][number], env: string): string => {
    const c = r.environments[env];
    if (!c) return '<td class="none">-</td>';
    const classes = [
      c.lag && c.lag.direction !== 'same' ? 'lags' : '',
      c.hold ? 'held' : '',
      c.problems.length ? 'problem' : '',
    ]
      .filter(Boolean)
      .join(' ');
    const parts = [`<span class="tag">${esc(c.tag ?? '(none)')}</span>`];
    if (c.digest) parts.push(`<span class="digest" title="${esc(c.digest)}">@${esc(c.digest.slice(7, 19))}</span>`);
    if (c.lag && c.lag.direction !== 'same')
      parts.push(
        `<span class="lag">${esc(c.lag.direction)} ${esc(c.lag.source)} (${esc(c.lag.sourceTag ?? '(none)')})</span>`,
      );
    if (c.hold) parts.push(`<span class="hold">held since ${esc(c.hold.since)} by ${esc(c.hold.by)}</span>`);
    if (c.promotion?.possible)
      parts.push(
        `<span class="promotion">promotable: ${esc(c.promotion.tag ?? '')} from ${esc(c.promotion.from)}</span>`,
      );
    else if (c.promotion)
      parts.push(
        `<span class="blocked">blocked: ${esc(c.promotion.blockedBy.map((g) => `${g.gate}: ${g.message}`).join('; ') || 'unreadable overlay')}</span>`,
      );
    for (const p of c.problems) parts.push(`<span class="problem">${esc(p)}</span>`);
    return `<td${classes ? ` class="${classes}"` : ''} data-env="${esc(env)}">${parts.join('<br>')}</td>`;
  };
  const namespaces = [...new Set(s.services.map((r) => nsOf(r.service)))].sort();
  const teams = [...new Set(namespaces.map((n) => ctx.teams.get(n)).filter((t): t is string => !!t))].sort();
  const heading = ctx.title ? `${ctx.title} environments` : 'Environments';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${esc(heading)}</title>
<style>
body { font-family: sans-serif; margin: 1.5em; }
table { border-collapse: collapse; }
th, td { border: 1px solid #bbb; padding: 0.3em 0.6em; vertical-align: top; text-align: left; }
td.lags { background: #fff4d6; } td.held { background: #fde0e0; } td.problem { background: #f6c6c6; }
.digest, .lag, .hold, .promotion, .blocked { font-size: 0.85em; color: #444; }
.promotion { color: #176b1f; } .blocked { color: #8a4b00; }
</style>
</head>
<body>
<h1>${esc(heading)}</h1>
<p>git commit <code>${esc(s.commit.slice(0, 12))}</code>; ${rows.length} of ${s.services.length} services shown; ${s.possible.length} promotions possible now.</p>
<form method="get" action="${esc(ctx.action)}">
<label>namespace <select name="namespace">${options(namespaces, ctx.filter.namespace)}</select></label>
<label>team <select name="team">${options(teams, ctx.filter.team)}</select></label>
<button type="submit">filter</button>
</form>
<table id="matrix">
<thead><tr><th>service</th><th>namespace</th>${s.environments.map((e) => `<th>${esc(e)}</th>`).join('')}</tr></thead>
<tbody>
${rows.map((r) => `<tr data-service="${esc(r.service)}"><th>${esc(r.service)}</th><td>${esc(nsOf(r.service))}</td>${s.environments.map((e) => cell(r, e)).join('')}</tr>`).join('\n')}
</tbody>
</table>
</body>
</html>
`;
}

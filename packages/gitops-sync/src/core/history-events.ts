import type { Image, OverlayVersion } from './model.js';
import { parseCommitTrailers } from './trailers.js';

// Pure: who moved which tag where and when, from overlay versions (git history alone). Commits made by
// gitops-sync carry trailers; any other commit that changed an overlay shows up as an `edit` by its author.

export interface HistoryEvent {
  commit: string;
  date: string;
  env: string;
  action: 'bump' | 'promote' | 'rollback' | 'release' | 'edit';
  from: Image | null;
  to: Image | null;
  by: string;
  author: string;
  promotedFrom: string | null;
  promotionId: string | null;
  gateOverrides: Array<{ gate: string; reason: string }>;
  hold: string | null;
  release: string | null;
  subject: string;
}

export function buildHistory(versions: readonly OverlayVersion[], service: string, env?: string): HistoryEvent[] {
  const mine = versions.filter((v) => v.service === service && (env === undefined || v.env === env));
  const events: HistoryEvent[] = [];
  mine.forEach((v, i) => {
    if (v.kind === 'holds' && mine.some((o) => o.kind === 'overlay' && o.commit === v.commit && o.env === v.env))
      return;
    const previous =
      v.kind === 'overlay' ? mine.slice(i + 1).find((o) => o.kind === 'overlay' && o.env === v.env) : undefined;
    const t = parseCommitTrailers(v.trailers);
    const own = t.services.find((s) => s.service === service && s.environment === v.env);
    const action = (/^(bump|promote|rollback|release)\(/.exec(v.subject)?.[1] ?? 'edit') as HistoryEvent['action'];
    events.push({
      commit: v.commit,
      date: v.date,
      env: v.env,
      action: own ? action : 'edit',
      from: v.kind === 'overlay' ? (previous?.image ?? null) : null,
      to: v.kind === 'overlay' ? v.image : null,
      by: t.requestedBy ?? v.author,
      author: v.author,
      promotedFrom: own?.promotedFrom ?? null,
      promotionId: t.promotionId ?? null,
      gateOverrides: t.gateOverrides,
      hold: own?.hold ?? null,
      release: own?.release ?? null,
      subject: v.subject,
    });
  });
  return events;
}

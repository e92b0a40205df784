import { Counter, Gauge, Histogram, Registry } from 'prom-client';

// The Prometheus metrics of `gitops-sync serve` (GET /metrics, text exposition format 0.0.4), on a registry
// of their own (no process-wide default registry, so two servers in one process do not share counts).
// prom-client is the Prometheus client for Node.js that the Prometheus project lists; it writes the
// exposition format (escaping, histogram buckets, _sum/_count) so that we do not hand-roll it.

export interface WebhookMetrics {
  registry: Registry;
  requests: Counter<'route' | 'status'>;
  bumpSeconds: Histogram<'outcome'>;
  pushes: Counter;
  batches: Counter;
  batchSize: Histogram;
  retries: Counter;
  failures: Counter<'reason'>;
  queue: Gauge;
}

export function createWebhookMetrics(): WebhookMetrics {
  const registry = new Registry();
  return {
    registry,
    requests: new Counter({
      name: 'gitops_sync_webhook_requests_total',
      help: 'HTTP requests answered, by route and status code',
      labelNames: ['route', 'status'],
      registers: [registry],
    }),
    bumpSeconds: new Histogram({
      name: 'gitops_sync_webhook_bump_duration_seconds',
      help: 'Time one bump took from leaving the queue to its answer (fetch, gates, validation, commit, push)',
      labelNames: ['outcome'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers: [registry],
    }),
    pushes: new Counter({
      name: 'gitops_sync_webhook_pushes_total',
      help: 'Pushes to the remote (one per batch that landed; each carries one commit per bump)',
      registers: [registry],
    }),
    batches: new Counter({
      name: 'gitops_sync_webhook_batches_total',
      help: 'Batches of queued bumps run (one fetch, one commit per bump, one push)',
      registers: [registry],
    }),
    batchSize: new Histogram({
      name: 'gitops_sync_webhook_batch_size',
      help: 'Bumps per batch',
      buckets: [1, 2, 5, 10, 20, 50, 100],
      registers: [registry],
    }),
    retries: new Counter({
      name: 'gitops_sync_webhook_push_retries_total',
      help: 'Pushes lost to a concurrent pusher, the batch re-applied on the new head',
      registers: [registry],
    }),
    failures: new Counter({
      name: 'gitops_sync_webhook_bump_failures_total',
      help: 'Bumps that did not push: refused (a gate, compare-and-swap, the remote) or error (internal)',
      labelNames: ['reason'],
      registers: [registry],
    }),
    queue: new Gauge({
      name: 'gitops_sync_webhook_queue_depth',
      help: 'Bumps waiting or running (one runs at a time per repository)',
      registers: [registry],
    }),
  };
}

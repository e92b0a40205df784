// The catalog's grammar (names, tags, digests, versions, cron schedules, time zones) and quantities without
// its zod schema: what the validator's checks need. Loading the whole catalog loads zod (~100 modules), which
// a run on plain manifests never uses; the validator's manifests mode imports this entry only.
export * from './grammar.js';
export { parseQuantity } from './effective-settings.js';

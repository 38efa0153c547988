/**
 * Order of the integration files across the two jest workers (scripts/test.sh). Jest dispatches files in
 * this order to whichever worker is free, so:
 * - the crash test goes first, and the files that mostly wait on NATS, HTTP and PostgreSQL follow it: they
 *   run on the other worker while the crash test's worker processes render, so its 6 s stage leases are not
 *   starved by a second full-size render beside it (run beside the playback renders at load average 13,
 *   it finished 1 of 4 jobs in 360 s);
 * - then the files that render full-size ads, longest first, so neither worker is left with a 3-minute file
 *   at the end while the other idles.
 * Jest's own order (durations from its cache, file size on a fresh clone) knows neither. Durations are the
 * serial ones measured in README, "Measured figures" (`npm test`); files not named run last in Jest's order.
 */
const Sequencer = require('@jest/test-sequencer').default;
const path = require('node:path');

const ORDER = [
  'crash.test.ts', // 211 s
  // Mostly waiting on the services (about 230 s together, serially).
  'access.test.ts',
  'webhooks-crash.test.ts',
  'webhooks.test.ts',
  'fuzz.test.ts',
  'saga.test.ts',
  'sim-providers.test.ts',
  'assets.test.ts',
  'providers-adapters.test.ts',
  'cancel.test.ts',
  'text-rendering.test.ts',
  'job-metrics.test.ts',
  'artifact-store.test.ts',
  'api.test.ts',
  'status-read.test.ts',
  'pipeline.test.ts',
  'artifact-stages.test.ts',
  'dashboard-contract.test.ts',
  'storyboard-v2.test.ts',
  'batch.test.ts',
  // Full-size renders, longest first (the playback file after two others, so it starts once the crash test is done).
  'dashboard.test.ts', // 79 s
  'v2-s3-store.test.ts', // 72 s
  'playback.test.ts', // 215 s
  'plan-repair.test.ts',
  'exports.test.ts',
  'dashboard-v2.test.ts',
  'clip-shapes.test.ts',
  'job-events.test.ts',
  'variations.test.ts',
  'ad-assets.test.ts',
  'plan-properties.test.ts',
  'providers-jobs.test.ts',
  'stage-cache.test.ts',
  'media.test.ts',
];

class OrderedSequencer extends Sequencer {
  sort(tests) {
    const rank = (t) => {
      const i = ORDER.indexOf(path.basename(t.path));
      return i < 0 ? ORDER.length : i;
    };
    const byJest = super.sort(tests);
    const order = new Map(byJest.map((t, i) => [t, i]));
    return [...byJest].sort((a, b) => rank(a) - rank(b) || order.get(a) - order.get(b));
  }
}

module.exports = OrderedSequencer;

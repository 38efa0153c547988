/**
 * Order of the integration files across jest workers: the files known to run longest start first, so no
 * worker is left with a 3-minute file at the end while the other idles (with two workers the wall time is
 * about max(longest file, sum / 2) only when the long ones go first). Jest's own order uses durations from
 * its cache and falls back to file size on a fresh machine, which puts plan-repair (58 lines, ~1 min) last.
 * The list is the ranking measured in README, "Measured figures" (`npm test`); files not named keep
 * Jest's order after them.
 */
const Sequencer = require('@jest/test-sequencer').default;
const path = require('node:path');

/** Longest first, from the last measured run. */
const SLOW_FIRST = [
  'crash.test.ts',
  'playback.test.ts',
  'dashboard.test.ts',
  'v2-s3-store.test.ts',
  'plan-repair.test.ts',
  'exports.test.ts',
  'dashboard-v2.test.ts',
  'clip-shapes.test.ts',
  'job-events.test.ts',
  'variations.test.ts',
  'ad-assets.test.ts',
  'plan-properties.test.ts',
  'providers-jobs.test.ts',
];

class SlowFirstSequencer extends Sequencer {
  sort(tests) {
    const rank = (t) => {
      const i = SLOW_FIRST.indexOf(path.basename(t.path));
      return i < 0 ? SLOW_FIRST.length : i;
    };
    const byJest = super.sort(tests);
    const order = new Map(byJest.map((t, i) => [t, i]));
    return [...byJest].sort((a, b) => rank(a) - rank(b) || order.get(a) - order.get(b));
  }
}

module.exports = SlowFirstSequencer;

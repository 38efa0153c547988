/**
 * Preloaded (`node --require`) into a service process that the orchestration bench profiles with
 * `--cpu-prof`. Node writes the profile only on a normal exit, but Nest's shutdown hooks end the process by
 * re-sending itself the signal once they have run. With this listener in place that second SIGTERM finds a
 * handler and the process exits with code 0 instead, so the profile is written (docs/design/performance.md,
 * "Orchestration").
 */
let signals = 0;
process.on('SIGTERM', () => {
  signals += 1;
  // The first is Nest's cue to shut down; the second is its re-sent signal after the hooks ran.
  if (signals >= 2) process.exit(0);
  setTimeout(() => process.exit(0), 8000).unref();
});

// Preloaded (`node -r`) by the benches' profile runs: SIGUSR2 ends the process through process.exit, so
// `--cpu-prof` writes its profile (a signal's default action would end it without one).
process.on('SIGUSR2', () => process.exit(0));

#!/usr/bin/env bash
# README command (2): the whole test suite on the real PostgreSQL, NATS and ffmpeg of this machine.
# Each run uses its own database and stream prefix (test/global-setup.ts).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# Chromium (Debian) for the playback test: a person's browser must play the finished ad to the end.
if [ ! -x /usr/bin/chromium ]; then
  echo "[test] installing chromium from Debian" >&2
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
npx eslint "{src,libs,config,test,scripts}/**/*.ts"
mkdir -p data
npx jest --selectProjects unit --json --outputFile=data/jest-unit.json
# Two workers: every test app has its own database, NATS prefix and artifact dir (test/support/test-app.ts),
# and most files wait on NATS and stage latency, so two files side by side fit the two cores
# (test/support/slow-first.sequencer.js starts the long ones first).
npx jest --selectProjects integration --maxWorkers=2 --json --outputFile=data/jest-integration.json
# One closing line for both runs.
node -e '
const r = ["unit", "integration"].map((p) => require(`./data/jest-${p}.json`));
const sum = (k) => r.reduce((n, x) => n + x[k], 0);
console.log(`tests: ${sum("numPassedTests")} passed, ${sum("numFailedTests")} failed`);
'

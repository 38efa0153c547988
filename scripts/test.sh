#!/usr/bin/env bash
# README command (2): the whole test suite on the real PostgreSQL, NATS and ffmpeg of this machine.
# Each run uses its own database and stream prefix (test/global-setup.ts).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npx eslint "{src,libs,config,test,scripts}/**/*.ts"
npx jest --selectProjects unit
npx jest --selectProjects integration --runInBand

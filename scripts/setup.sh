#!/usr/bin/env bash
# Idempotent set-up for a fresh machine (README commands call it): Node dependencies, ffmpeg and fonts
# from Debian when missing, a build, reachability of PostgreSQL and NATS, the database and its migrations.
# Streams and consumers are provisioned by the service itself at startup (idempotently).
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[setup] %s\n' "$*" >&2; }

if ! command -v ffmpeg >/dev/null 2>&1 || ! command -v ffprobe >/dev/null 2>&1; then
  log "installing ffmpeg from Debian"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq ffmpeg fonts-dejavu-core >/dev/null
fi

lock_hash=$(sha256sum package-lock.json | cut -c1-16)
if [ ! -f node_modules/.setup-lock-hash ] || [ "$(cat node_modules/.setup-lock-hash)" != "$lock_hash" ]; then
  log "installing Node dependencies (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_hash" > node_modules/.setup-lock-hash
fi

src_hash=$(find src libs config migrations apps package-lock.json tsconfig.json tsconfig.build.json nest-cli.json -type f -newer dist/.build-stamp 2>/dev/null | head -1 || true)
if [ ! -f dist/.build-stamp ] || [ -n "$src_hash" ] || [ ! -f assets/wasm/ken-burns.wasm ] || [ ! -f dist/dashboard/index.html ]; then
  log "building"
  npm run --silent build
  touch dist/.build-stamp
fi

# PostgreSQL and NATS are the machine's running services, reached at configurable URLs.
node dist/src/migrate.js

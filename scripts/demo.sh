#!/usr/bin/env bash
# README command (1): the main job. Turns the shipped luxury-watch sample (assets/samples/prompts.json) into an MP4 on the
# local providers, through the full event flow (NATS JetStream + saga on PostgreSQL).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec node dist/src/cli.js --sample "${1:-luxury-watch}" --out "${2:-out/${1:-luxury-watch}.mp4}"

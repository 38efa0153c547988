#!/usr/bin/env bash
# Three-node NATS cluster test (docs/design/performance.md, "Production layout"): see scripts/nats-cluster-test.ts.
# Uses the installed nats-server (Debian: /usr/sbin/nats-server) unless NATS_SERVER names another binary.
set -euo pipefail
cd "$(dirname "$0")/.."
NATS_SERVER="${NATS_SERVER:-$(command -v nats-server || echo /usr/sbin/nats-server)}"
[ -x "$NATS_SERVER" ] || { echo "nats-server not found (install Debian's nats-server or set NATS_SERVER)" >&2; exit 1; }
[ -f dist/scripts/nats-cluster-test.js ] || npm run build
export NATS_SERVER
exec node dist/scripts/nats-cluster-test.js "$@"

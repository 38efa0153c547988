#!/usr/bin/env bash
# Compiles the media layer, local providers and fixtures into a temp dir (no ts-node in this repo) and runs
# scripts/render-samples.ts. Usage: bash scripts/render-samples.sh [out-dir] [sample-name...]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="$(mktemp -d)"
trap 'rm -rf "$build"' EXIT
cat > "$build/tsconfig.json" <<JSON
{
  "extends": "$root/tsconfig.json",
  "compilerOptions": { "outDir": "$build/out", "rootDir": "$root", "sourceMap": false, "baseUrl": "$root",
    "types": ["node"], "typeRoots": ["$root/node_modules/@types"] },
  "include": [],
  "files": ["$root/scripts/render-samples.ts"]
}
JSON
"$root/node_modules/.bin/tsc" -p "$build/tsconfig.json"
# Resolve the @app/contracts alias and the bundled assets from the compiled tree.
mkdir -p "$build/out/node_modules/@app/contracts"
echo "module.exports = require('$build/out/libs/contracts/src/index.js');" > "$build/out/node_modules/@app/contracts/index.js"
ln -s "$root/assets" "$build/out/assets"
cd "$root"
NODE_PATH="$root/node_modules" node "$build/out/scripts/render-samples.js" "$@"

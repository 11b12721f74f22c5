#!/usr/bin/env bash
# schemathesis against a real `dailypapers serve` with the demo set: every API operation, checked
# for server errors and for answers that break the published schema. Deterministic (fixed seed).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
data=$(mktemp -d)
port=${PORT:-8791}
trap 'kill "$server" 2>/dev/null || true; rm -rf "$data"' EXIT
export DAILYPAPERS_DATA_DIR="$data" DAILYPAPERS_SEARCH_WORKER=false DAILYPAPERS_SCHEDULER=false
"$BIN/dailypapers" demo >/dev/null
"$BIN/dailypapers" serve --port "$port" >"$data/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$port/openapi.json" >/dev/null && break
  sleep 0.2
done
"$BIN/schemathesis" run "http://127.0.0.1:$port/openapi.json" \
  --checks not_a_server_error,response_schema_conformance \
  --max-examples 60 --seed 20261127 --no-color

#!/usr/bin/env bash
# Re-records the Lambda event fixtures under events/ from the real local pipeline: a private
# in-memory stack on spare ports, the producer, and `eddy record`. Run from the project root.
set -euo pipefail
export EDDY_STATE_DIR="$(mktemp -d)"
trap 'node bin/eddy.js stack down >/dev/null; rm -rf "$EDDY_STATE_DIR"' EXIT
ports=(--kinesis-port 24567 --dynamodb-port 28000 --s3-port 24569)

record() { # name, produce flags…
  local name=$1; shift
  node bin/eddy.js stack down >/dev/null
  node bin/eddy.js stack up --memory "${ports[@]}" >/dev/null
  node bin/eddy.js produce --partition-key explicit:fixture --seed 1 "$@" >/dev/null
  node bin/eddy.js record --function enrich --limit 500 --out "events/$name.json"
}

record enrich-sample --file events/sources/sample_transactions.jsonl
record enrich-bad-records --file events/sources/bad_transactions.jsonl --format jsonl
record enrich-kpl --file events/sources/sample_transactions.jsonl --aggregate

#!/usr/bin/env bash
# API fuzzing: build a hash-embedder index of sample/seeds, serve it, run schemathesis against the
# OpenAPI schema with every check, stop the server. Exit status: schemathesis's (0 = no failure).
#   scripts/api_fuzz.sh [MAX_EXAMPLES]        (default 300 per operation; CI may pass fewer)
# Env: PYTHON (default: python), PORT (default: a free one), API_FUZZ_DIR (default: a temp folder).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python}
MAX=${1:-300}
DIR=${API_FUZZ_DIR:-$(mktemp -d -t chidao-fuzz.XXXXXX)}
PORT=${PORT:-$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
KEY=fuzz-key
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"

"$PY" -m chidao.cli index build --from sample/seeds --index "$DIR/index" --embedder hash >/dev/null
CHIDAO_API_KEY=$KEY CHIDAO_UPLOAD_DIR="$DIR/uploads" \
    "$PY" -m chidao.cli serve --index "$DIR/index" --host 127.0.0.1 --port "$PORT" >"$DIR/server.log" 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null; wait "$SERVER" 2>/dev/null || true' EXIT
for _ in $(seq 100); do
    curl -fs "http://127.0.0.1:$PORT/health" >/dev/null && break
    sleep 0.2
done

SCHEMATHESIS=$(dirname "$PY")/schemathesis
[ -x "$SCHEMATHESIS" ] || SCHEMATHESIS=schemathesis
status=0
"$SCHEMATHESIS" --config-file scripts/api_fuzz.toml run "http://127.0.0.1:$PORT/openapi.json" --checks all --max-examples "$MAX" \
    -H "X-API-Key: $KEY" --seed 1 --report junit --report-dir "$DIR/report" || status=$?
echo "server log: $DIR/server.log ($(grep -c ' 500 ' "$DIR/server.log" || true) responses 500)"
exit $status

#!/usr/bin/env bash
# Set up, build the sample index from the bundled seed directives (brought up to date when it
# exists, rebuilt when an older chidao wrote it; an index named by CHIDAO_INDEX is used as it is),
# ask a first question, then start the HTTP API and the Streamlit app and print both URLs.
# Ctrl-C stops both. Ports: CHIDAO_API_PORT (8000), CHIDAO_APP_PORT (8501).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
. .venv/bin/activate
INDEX=${CHIDAO_INDEX:-data/index}
API_PORT=${CHIDAO_API_PORT:-8000}
APP_PORT=${CHIDAO_APP_PORT:-8501}
if [ -n "${CHIDAO_INDEX:-}" ] && [ -f "$INDEX/CURRENT" ]; then
  echo "reusing the index in $INDEX"  # the user's own index: never rebuilt here
elif ! chidao index build --from sample/seeds --index "$INDEX"; then
  # The sample index is brought up to date (seconds when nothing changed); one written by an
  # older chidao (another chunker or tokenizer) is refused, so it is built afresh.
  echo "rebuilding the sample index in $INDEX"
  rm -rf "$INDEX.old" && mv "$INDEX" "$INDEX.old"
  chidao index build --from sample/seeds --index "$INDEX"
  rm -rf "$INDEX.old"
fi
chidao ask "nhiệm vụ của Sở Y tế là gì" --index "$INDEX"

if [ -z "${CHIDAO_API_KEY:-}" ]; then
  CHIDAO_API_KEY=$(python -c 'import secrets; print(secrets.token_urlsafe(24))')
  export CHIDAO_API_KEY
  echo "uploads and deletes need this API key (header X-API-Key): $CHIDAO_API_KEY"
fi
chidao serve --index "$INDEX" --port "$API_PORT" &
API_PID=$!
chidao app --index "$INDEX" --port "$APP_PORT" &
APP_PID=$!
trap 'kill $API_PID $APP_PID 2>/dev/null || true' EXIT INT TERM

wait_for() {  # url: poll until it answers 200, or give up after 120 s
  python - "$1" <<'PY'
import sys, time, urllib.request
deadline = time.monotonic() + 120
while time.monotonic() < deadline:
    try:
        if urllib.request.urlopen(sys.argv[1], timeout=2).status == 200:
            sys.exit(0)
    except OSError:
        time.sleep(0.5)
sys.exit(f"no answer from {sys.argv[1]}")
PY
}
wait_for "http://127.0.0.1:$API_PORT/health"
wait_for "http://127.0.0.1:$APP_PORT/_stcore/health"
echo
echo "API: http://127.0.0.1:$API_PORT   (OpenAPI docs: http://127.0.0.1:$API_PORT/docs)"
echo "App: http://127.0.0.1:$APP_PORT"
echo "Ctrl-C stops both."
wait

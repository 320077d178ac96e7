#!/usr/bin/env bash
# The fast tier: unit + integration tests (no reliability harnesses, no real model, no browser).
# Uses the environment scripts/setup.sh made (.venv) when there is one; extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -f .venv/bin/activate ]; then . .venv/bin/activate; fi
python -m pytest -q -m "unit or integration" "$@"

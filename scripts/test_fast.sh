#!/usr/bin/env bash
# The fast tier: unit + integration tests (no reliability harnesses, no real model, no browser),
# on two workers (pytest-xdist): 45 s on an idle 2-core machine (2026-12-01, 801 tests).
# Uses the environment scripts/setup.sh made (.venv) when there is one; extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -f .venv/bin/activate ]; then . .venv/bin/activate; fi
python -m pytest -q -m "unit or integration" -n 2 "$@"  # pytest-xdist: one worker per core

#!/usr/bin/env bash
# Install everything, then run the whole test suite (the slow tests load the real bundled model).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
. .venv/bin/activate
python -m pytest -q "$@"

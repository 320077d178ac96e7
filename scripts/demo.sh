#!/usr/bin/env bash
# Set up, build the sample index from the bundled seed directives (reused when it exists),
# and run a first search.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
. .venv/bin/activate
INDEX=${CHIDAO_INDEX:-data/index}
if [ ! -f "$INDEX/CURRENT" ]; then
  chidao index build --from sample/seeds --index "$INDEX"
else
  echo "reusing the index in $INDEX"
fi
chidao search "nhiệm vụ của Sở Y tế là gì" --index "$INDEX" --k 5

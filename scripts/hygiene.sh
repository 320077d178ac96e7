#!/usr/bin/env bash
# Supply chain and static security checks (issue 7.8): pip-audit over the installed environment,
# bandit over the code with the waivers in pyproject.toml [tool.bandit]. Fails on a known
# vulnerability without a waiver, or on any medium/high bandit finding.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
# Vulnerabilities waived with a reason (one --ignore-vuln ID per line in scripts/audit-waivers.txt).
IGNORES=()
if [ -f scripts/audit-waivers.txt ]; then
  while read -r id _; do
    [[ -z "$id" || "$id" == \#* ]] && continue
    IGNORES+=(--ignore-vuln "$id")
  done < scripts/audit-waivers.txt
fi
"$PY" -m pip_audit --progress-spinner off --skip-editable "${IGNORES[@]}"
"$PY" -m bandit -q -c pyproject.toml -r chidao ingest index search eval --severity-level medium
echo "hygiene: pip-audit and bandit clean"

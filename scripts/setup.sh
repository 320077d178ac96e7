#!/usr/bin/env bash
# Install the Debian tools the readers shell out to, then create .venv and install chidao with
# everything it needs (CPU-only torch, pinned).
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages: antiword reads Word 97-2003 .doc; tesseract-ocr with its Vietnamese model
# (tesseract-ocr-vie) reads scanned PDF pages. Installed when run as root with apt-get; skipped
# at once when they are there already; otherwise named, with what cannot be read without them.
debs=()
command -v antiword >/dev/null || debs+=(antiword)
command -v tesseract >/dev/null || debs+=(tesseract-ocr)
tesseract --list-langs 2>/dev/null | grep -qx vie || debs+=(tesseract-ocr-vie)
if [ "${#debs[@]}" -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    echo "setup.sh: installing Debian packages: ${debs[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${debs[@]}" >/dev/null
  else
    echo "setup.sh: MISSING Debian packages: ${debs[*]} (not root, or no apt-get)." >&2
    echo "  Without them .doc files (antiword) and scanned PDFs (tesseract-ocr, tesseract-ocr-vie)" >&2
    echo "  are refused with that reason. Install: sudo apt-get install ${debs[*]}" >&2
  fi
fi
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
. .venv/bin/activate
python -m pip install -q --upgrade pip
# torch first and pinned: a bare requirement would pull a multi-GB CUDA build.
python -m pip install -q "torch==2.13.0"
python -m pip install -q -e ".[index,serve,eval,dev,e2e,ray]"

"""Regex review aid (issue 7.6): time every compiled pattern of ingest/ and index/ on inputs
built to trigger catastrophic backtracking (long runs of one character or of a short unit,
with and without a failing tail), and list the slowest.

    PYTHONPATH=. python scripts/regex_scan.py [--length 5000] [--top 15]
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import re
import time

UNITS = [" ", "a", "A", "1", "/", "-", ".", "\n", "a ", "A ", "1/", "1.", "a.", "Đ", "đ ", "ệ", "Ủy ", "số ",
         "I.", "1)", "a)", "- ", "\n ", " \n", ":", "(", "<", "*", "|", "_", "ngày ", "1/2", "\t"]
TAILS = ["", "!", "\x00", "\n", "#"]


def patterns(packages: list[str]) -> list[tuple[str, re.Pattern[str]]]:
    out = []
    for pkg in packages:
        mod = importlib.import_module(pkg)
        names = [pkg] + [f"{pkg}.{m.name}" for m in pkgutil.walk_packages(mod.__path__) if not m.ispkg]
        for name in names:
            try:
                m = importlib.import_module(name)
            except Exception:  # noqa: BLE001, S112 - a module that cannot import has nothing to scan
                continue
            for attr, value in vars(m).items():
                if isinstance(value, re.Pattern) and isinstance(value.pattern, str):
                    out.append((f"{name}.{attr}", value))
    return out


def worst(p: re.Pattern[str], length: int) -> tuple[float, float, str]:
    """Slowest (match at 0, search over the text) and the input of the slower match. A pattern
    used with .match(text, pos) only needs the first to be small; .search costs up to n times it."""
    slowest = (0.0, 0.0, "")
    for unit in UNITS:
        for tail in TAILS:
            text = unit * (length // len(unit)) + tail
            t = time.perf_counter()
            p.match(text)
            matched = time.perf_counter() - t
            p.search(text)
            searched = time.perf_counter() - t - matched
            if (matched, searched) > slowest[:2]:
                slowest = (matched, max(searched, slowest[1]), f"{unit!r}*{length // len(unit)}+{tail!r}")
            else:
                slowest = (slowest[0], max(searched, slowest[1]), slowest[2])
    return slowest


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--length", type=int, default=5000)
    ap.add_argument("--top", type=int, default=15)
    ap.add_argument("--verbose", action="store_true", help="name each pattern before timing it")
    args = ap.parse_args()
    found = patterns(["ingest", "index"])
    rows = []
    for name, p in found:
        if args.verbose:
            print(f"... {name}", flush=True)
        rows.append((*worst(p, args.length), name))
    rows.sort(reverse=True)
    print(f"{len(found)} patterns, input length {args.length}")
    print("    match    search  pattern")
    for matched, searched, text, name in rows[: args.top]:
        print(f"{matched * 1000:6.1f} ms {searched * 1000:7.1f} ms  {name}  (match on {text})")


if __name__ == "__main__":
    main()

"""How much metadata ingest recovers from a folder of documents, and why the rest is missing.

    PYTHONPATH=. python -m eval.ingest_report /work/shared/corpus/provinces [--json] [--verbose]

For each file: read, clean, split, extract the first document's metadata. Prints the share of
documents with a number, a date and a province, then each document missing one with a one-line
reason. `report(..., columns=...)` takes extra columns (name -> predicate over the clean text):
the lead adds "has a numbered section" through it without touching this module.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ingest.attachments import split_documents
from ingest.clean import clean
from ingest.metadata import explain_metadata, is_national
from ingest.model import CleanText, Metadata

FIELDS = ("number", "date", "province")
Column = Callable[[CleanText], bool]

_QUESTION = re.compile(r"\?\s*$")
_WIKI = re.compile(r"Bài viết hoặc đoạn này|Bài này cần|Tiền nhiệm|Nhiệm kỳ|Thành lập|Tên khác|Quốc gia\s+Việt Nam")
_MOTTO = re.compile(r"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT N|ĐẢNG CỘNG SẢN VIỆT NAM")


@dataclass(frozen=True)
class Row:
    file: str
    kind: str  # directive | article | q&a | encyclopedia | other
    meta: Metadata
    sources: dict[str, str]
    parts: int  # documents carried by the file (attachments included)
    missing: dict[str, str] = field(default_factory=dict)  # field -> reason
    extra: dict[str, bool] = field(default_factory=dict)


def _read(path: Path) -> str:
    try:
        from ingest.readers import read  # type: ignore[attr-defined]
    except ImportError:
        return path.read_text(encoding="utf-8", errors="replace")
    return read(path).text


def classify(text: CleanText, meta: Metadata, sources: Mapping[str, str]) -> str:
    """What kind of page a crawled file is: a directive, a news article about one, or neither."""
    head = text.text[:3000]
    first = head.lstrip("# \n").split("\n", 1)[0]
    if sources.get("number") in ("header", "summary") or sources.get("type") == "header" or _MOTTO.search(head):
        return "directive"
    if sources.get("number") == "lede":
        return "q&a" if _QUESTION.search(first) else "article"
    if _QUESTION.search(first):
        return "q&a"
    if _WIKI.search(head):
        return "encyclopedia"
    return "other"


def _reason(name: str, kind: str, meta: Metadata, text: CleanText) -> str:
    if kind == "encyclopedia":
        return "encyclopedia article (Wikipedia): not a directive"
    if kind == "q&a":
        return "legal Q&A article: not a directive, and its lede names none"
    if kind == "other":
        return "no header, no library summary, no lede naming a directive"
    if name == "province":
        if is_national(meta.issuer, meta.number):
            return f"national body ({meta.issuer or meta.number}): no province"
        if meta.issuer:
            return f"issuer {meta.issuer!r} names no province and the text names none as its place"
        return "no issuer and no place-date line"
    head = text.text[:4000]
    if name == "number":
        if meta.type in ("Luật", "Bộ luật"):
            return "law: no number line"
        if re.search(r"S[ốỐ]\s*:?\s*(?:\.|…|/)", head):
            return "blank number in the header ('Số: .../...'): a draft or a form"
        return "header cut off in the crawl: no 'Số:' line, no library summary, no annex reference"
    if name == "date":
        if re.search(r",\s*ngày\s*(?:\.|…|tháng)", head):
            return "blank date in the header ('ngày ... tháng ... năm'): a draft or a form"
        return "header cut off in the crawl: no place-date line, no library summary, no annex reference"
    return "not found"


def inspect(path: Path, columns: Mapping[str, Column] | None = None) -> Row:
    text = clean(_read(path))
    spans = split_documents(text)
    explained = explain_metadata(text, str(path))
    meta = explained.meta
    kind = classify(text, meta, explained.sources)
    missing = {f: _reason(f, kind, meta, text) for f in FIELDS if getattr(meta, f) is None}
    extra = {name: fn(text) for name, fn in (columns or {}).items()}
    return Row(path.name, kind, meta, explained.sources, len(spans), missing, extra)


def report(paths: Sequence[Path], columns: Mapping[str, Column] | None = None) -> list[Row]:
    return [inspect(p, columns) for p in paths]


def summary(rows: Sequence[Row]) -> dict[str, object]:
    n = len(rows)
    names = list(FIELDS) + sorted({k for r in rows for k in r.extra})
    shares = {}
    for name in names:
        have = sum(1 for r in rows if (getattr(r.meta, name) is not None if name in FIELDS else r.extra.get(name)))
        shares[name] = {"have": have, "share": round(have / n, 4) if n else 0.0}
    directives = [r for r in rows if r.kind == "directive"]
    kinds: dict[str, int] = {}
    for r in rows:
        kinds[r.kind] = kinds.get(r.kind, 0) + 1
    on_directives = {
        f: round(sum(1 for r in directives if getattr(r.meta, f) is not None) / len(directives), 4) if directives else 0.0
        for f in FIELDS
    }
    split = [r.file for r in rows if r.parts > 1]
    return {"documents": n, "kinds": kinds, "fields": shares, "directives_only": on_directives, "split_files": split}


def _print(rows: Sequence[Row], verbose: bool) -> None:
    s = summary(rows)
    print(f"{s['documents']} documents; kinds: {s['kinds']}; files split into several documents: {len(s['split_files'])}")
    fields = s["fields"]
    assert isinstance(fields, dict)
    for name, v in fields.items():
        print(f"  has {name:<10} {v['have']:>4}/{s['documents']}  {100 * v['share']:5.1f}%")
    print(f"  on directives only: { {k: f'{100 * v:.1f}%' for k, v in s['directives_only'].items()} }")  # type: ignore[union-attr]
    for name in FIELDS:
        lacking = [r for r in rows if name in r.missing]
        if lacking:
            print(f"\nmissing {name} ({len(lacking)}):")
            for r in lacking:
                print(f"  {r.file}  [{r.kind}] {r.missing[name]}")
    if verbose:
        print()
        for r in rows:
            m = r.meta
            print(f"{r.file} [{r.kind}] {m.type} | {m.number} | {m.date} | {m.issuer} | {m.province} | {m.signer} | {r.sources}")


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval.ingest_report", description=__doc__.split("\n")[0])
    ap.add_argument("folder", type=Path)
    ap.add_argument("--json", action="store_true", help="one JSON object: summary and rows")
    ap.add_argument("--verbose", action="store_true", help="also list every document's metadata")
    args = ap.parse_args(argv)
    paths = sorted(p for p in args.folder.iterdir() if p.is_file() and p.suffix.lower() in (".md", ".txt", ".html", ".htm"))
    if not paths:
        print(f"{args.folder}: no .md/.txt/.html files", file=sys.stderr)
        return 2
    rows = report(paths)
    if args.json:
        out = {"summary": summary(rows), "rows": [{**asdict(r), "meta": asdict(r.meta)} for r in rows]}
        json.dump(out, sys.stdout, ensure_ascii=False, indent=1)
        print()
    else:
        _print(rows, args.verbose)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

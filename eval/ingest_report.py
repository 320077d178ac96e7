"""How much metadata ingest recovers from a folder of documents, and why the rest is missing.

    PYTHONPATH=. python -m eval.ingest_report /work/shared/corpus/provinces [--json] [--verbose]

Each file is read (`ingest.readers.read` when it exists), cleaned, split into the documents it
carries, and its first document's metadata extracted. The report gives, for number, date and
province, the share of files that have it, the share among the files where it applies (number
and date: directives; province: directives of a local body, a ministry has none), and for every
file missing one a one-line reason. Extra columns plug in without editing this module:
`report(paths, sections_fn=parse_sections)` adds "numbered section" (the section tree is not empty).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ingest.attachments import split_documents
from ingest.clean import clean
from ingest.metadata import explain_metadata, is_national
from ingest.model import CleanText, Metadata, Section
from ingest.sections import parse_sections

FIELDS = ("number", "date", "province")
Column = Callable[[CleanText], bool]
SectionsFn = Callable[[str], Sequence[object]]

_QUESTION = re.compile(r"\?\s*$")
_WIKI = re.compile(
    r"Bài viết hoặc đoạn này|Bài (?:viết )?này cần|Tiền nhiệm|Nhiệm kỳ|Tên khác|Quốc gia\s+Việt Nam"
)
_CITATION = re.compile(r"\[\d{1,3}\]")
_BLANK_NUMBER = re.compile(r"S[ốỐ]\s*:?\s*(?:\.|…|/)")
_BLANK_DATE = re.compile(r",\s*ngày\s*(?:\.|…|tháng)")


@dataclass(frozen=True)
class Missing:
    category: str  # groups files in the summary: "national body", "not a directive: encyclopedia" ...
    detail: str


@dataclass(frozen=True)
class Row:
    file: str
    kind: str  # directive | article | q&a | encyclopedia | other
    meta: Metadata
    sources: dict[str, str]  # field -> where it came from (see ingest.metadata.explain_metadata)
    parts: int  # documents the file carries (attachments included)
    missing: dict[str, Missing] = field(default_factory=dict)
    extra: dict[str, bool] = field(default_factory=dict)

    def applies(self, name: str) -> bool:
        """Whether the field is expected at all for this file."""
        if self.kind not in ("directive", "article"):
            return False
        return not (name == "province" and is_national(self.meta.issuer, self.meta.number))


def _read(path: Path) -> str:
    try:
        from ingest.readers import read
    except ImportError:  # the readers package is optional for this report
        return path.read_text(encoding="utf-8", errors="replace")
    return read(path).text


def classify(text: CleanText, sources: Mapping[str, str]) -> str:
    """What a crawled file is: a directive, a news article about one, a Q&A page, an encyclopedia page."""
    head = text.text[:3000]
    first = head.lstrip("# \n").split("\n", 1)[0]
    if sources.get("number") in ("header", "summary") or sources.get("date") in ("header", "summary"):
        return "directive"
    if sources.get("number") == "lede":
        return "q&a" if _QUESTION.search(first) else "article"
    if _QUESTION.search(first):
        return "q&a"
    if _WIKI.search(head) or len(_CITATION.findall(text.text)) >= 3:
        return "encyclopedia"
    if sources.get("type") == "header":
        return "directive"
    return "other"


def _missing(name: str, kind: str, meta: Metadata, text: CleanText) -> Missing:
    if kind == "encyclopedia":
        return Missing("not a directive: encyclopedia", "encyclopedia article (Wikipedia): not a directive")
    if kind == "q&a":
        return Missing("not a directive: Q&A", "legal Q&A page: not a directive, and its lede names none")
    if kind == "other":
        return Missing(
            "not a directive: other page", "no header, no library summary, no lede naming a directive"
        )
    head = text.text[:4000]
    if name == "province":
        if is_national(meta.issuer, meta.number):
            return Missing("national body", f"national body ({meta.issuer or meta.number}): no province")
        if meta.issuer:
            return Missing("unexplained", f"issuer {meta.issuer!r} names no province, nor does the text")
        return Missing("no issuer", "no issuing body, no place-date line, no province named")
    if name == "number":
        if meta.type == "Thông cáo":
            return Missing("not numbered", "a communiqué (Thông cáo) carries no number")
        if _BLANK_NUMBER.search(head):
            return Missing("blank in a draft or form", "blank number in the header ('Số: .../...')")
        return Missing("header cut off", "no 'Số:' line, no library summary, no annex reference in the crawl")
    if _BLANK_DATE.search(head):
        return Missing("blank in a draft or form", "blank date in the header ('ngày ... tháng ... năm')")
    return Missing("header cut off", "the crawl lost the place-date line; no summary, annex or adoption date")


def inspect(
    path: Path, sections_fn: SectionsFn | None = None, columns: Mapping[str, Column] | None = None
) -> Row:
    text = clean(_read(path))
    explained = explain_metadata(text, str(path))
    meta = explained.meta
    kind = classify(text, explained.sources)
    missing = {f: _missing(f, kind, meta, text) for f in FIELDS if getattr(meta, f) is None}
    extra = {name: fn(text) for name, fn in (columns or {}).items()}
    if sections_fn is not None:
        extra["numbered section"] = bool(sections_fn(text.text))
    return Row(path.name, kind, meta, explained.sources, len(split_documents(text)), missing, extra)


def report(
    paths: Sequence[Path], sections_fn: SectionsFn | None = None, columns: Mapping[str, Column] | None = None
) -> list[Row]:
    return [inspect(p, sections_fn, columns) for p in paths]


def summary(rows: Sequence[Row]) -> dict[str, object]:
    n = len(rows)
    fields: dict[str, object] = {}
    for name in FIELDS:
        have = sum(1 for r in rows if getattr(r.meta, name) is not None)
        applicable = [r for r in rows if r.applies(name)]
        have_applicable = sum(1 for r in applicable if getattr(r.meta, name) is not None)
        fields[name] = {
            "have": have,
            "share": round(have / n, 4) if n else 0.0,
            "applicable": len(applicable),
            "share_applicable": round(have_applicable / len(applicable), 4) if applicable else 0.0,
            "missing_by_reason": dict(Counter(r.missing[name].category for r in rows if name in r.missing)),
        }
    for name in sorted({k for r in rows for k in r.extra}):
        have = sum(1 for r in rows if r.extra.get(name))
        fields[name] = {"have": have, "share": round(have / n, 4) if n else 0.0}
    return {
        "documents": n,
        "kinds": dict(Counter(r.kind for r in rows)),
        "fields": fields,
        "split_files": [r.file for r in rows if r.parts > 1],
    }


def _print(rows: Sequence[Row], verbose: bool) -> None:
    s = summary(rows)
    print(
        f"{s['documents']} files; kinds: {s['kinds']}; files carrying several documents: {s['split_files']}"
    )
    fields = s["fields"]
    assert isinstance(fields, dict)
    for name, v in fields.items():
        line = f"  has {name:<17}{v['have']:>4}/{s['documents']} {100 * v['share']:5.1f}%"
        if "applicable" in v:
            where = "local directives" if name == "province" else "directives"
            line += f"   of {where}: {v['share_applicable'] * v['applicable']:.0f}/{v['applicable']}"
            line += f" {100 * v['share_applicable']:5.1f}%   missing: {v['missing_by_reason']}"
        print(line)
    for name in FIELDS:
        lacking = [r for r in rows if name in r.missing]
        if lacking:
            print(f"\nmissing {name} ({len(lacking)}):")
            for r in lacking:
                print(f"  {r.file}  [{r.kind}] {r.missing[name].detail}")
    unnumbered = [r for r in rows if r.extra.get("numbered section") is False]
    if unnumbered:
        print(f"\nno numbered section ({len(unnumbered)}):")
        for r in unnumbered:
            why = (f"not a directive: {r.kind}" if r.kind != "directive"
                   else f"{r.meta.type or 'letter'} {r.meta.number or ''}: the body is unnumbered prose")
            print(f"  {r.file}  [{r.kind}] {why}")
    if verbose:
        print()
        for r in rows:
            m = r.meta
            print(
                f"{r.file} [{r.kind}] {m.type} | {m.number} | {m.date} | {m.issuer} | {m.province} | {m.signer} | {r.sources}"
            )


def numbered_sections(text: str) -> list[Section]:
    """Sections that carry a numbering (not bullets, not the address or recipients blocks)."""
    return [s for s in parse_sections(text) if s.keys[0] not in ("address", "recipients")
            and not s.keys[-1].startswith(("-", "+", "•", "–", "*"))]


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m eval.ingest_report", description=(__doc__ or "").split("\n")[0]
    )
    ap.add_argument("folder", type=Path)
    ap.add_argument("--json", action="store_true", help="one JSON object: summary and rows")
    ap.add_argument("--verbose", action="store_true", help="also list every file's metadata and sources")
    args = ap.parse_args(argv)
    if not args.folder.is_dir():
        print(f"{args.folder}: not a folder", file=sys.stderr)
        return 2
    paths = sorted(p for p in args.folder.iterdir() if p.is_file())
    rows = report(paths, sections_fn=numbered_sections)
    if args.json:
        out = {"summary": summary(rows), "rows": [{**asdict(r), "meta": asdict(r.meta)} for r in rows]}
        json.dump(out, sys.stdout, ensure_ascii=False, indent=1)
        print()
    else:
        _print(rows, args.verbose)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

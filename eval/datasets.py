"""Evaluation data: the snippet-labelled dev queries and BEIR-layout sets (ALQAC).

Formats and the matching rule are those of `shared/eval/README.md`.
"""

from __future__ import annotations

import csv
import json
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from domain.model import Hit
from ingest.vietnamese import normalize as canonical_vietnamese


@dataclass(frozen=True)
class RelevantItem:
    """A piece of gold: a verbatim snippet `text` of the source file whose stem is `doc`.

    In BEIR mode `doc` is a corpus id and `text` its title (shown in failure reports only).
    """

    doc: str
    text: str


@dataclass(frozen=True)
class Query:
    id: str
    type: str  # agency | topic | number | noaccent | question (BEIR: metadata.type)
    query: str
    relevant: tuple[RelevantItem, ...]
    not_answer: tuple[RelevantItem, ...] = ()
    answer: str | None = None  # questions: the short exact answer as written ("trước ngày 31/12/2025")


@dataclass(frozen=True)
class BeirQuery:
    id: str
    text: str
    type: str  # metadata.type, e.g. "Đúng/Sai", "Trắc nghiệm", "Tự luận"
    answer: str | None = None  # metadata.answer


@dataclass(frozen=True)
class BeirSet:
    corpus: dict[str, tuple[str, str]]  # _id -> (title, text)
    queries: list[BeirQuery]
    qrels: dict[str, dict[str, int]]  # query id -> corpus id -> graded score (> 0 is relevant)


class DatasetError(ValueError):
    """A malformed evaluation file; the message names the file and the line."""


# --- the README matching rule ---------------------------------------------------------------------

_DROP = str.maketrans("", "", "*_#|")
_SPACE = re.compile(r"\s+")


def normalize_for_match(text: str) -> str:
    """The README rule, exactly: Unicode NFC, lower-case, delete `* _ # |`, collapse whitespace.

    Whitespace runs become one space; the ends are stripped too (a snippet's leading or trailing
    space would otherwise defeat the substring test, and never carries meaning).
    """
    text = unicodedata.normalize("NFC", text).lower().translate(_DROP)
    return _SPACE.sub(" ", text).strip()


@lru_cache(maxsize=32768)
def match_form(text: str, canonical_tones: bool = True) -> str:
    """`normalize_for_match`, after `ingest.vietnamese.normalize` when `canonical_tones` is set.

    Cached: the same passage text is compared against many relevant items.
    """
    return normalize_for_match(canonical_vietnamese(text) if canonical_tones else text)


def source_stem(doc_id: str) -> str:
    """The source file stem of a chidao document id: attachments are `<stem>#2`, `<stem>#3`..."""
    return doc_id.split("#", 1)[0]


def matches(item: RelevantItem, hit: Hit, canonical_tones: bool = True) -> bool:
    """Whether a retrieved passage matches a relevant snippet (the README rule).

    The passage must come from document `item.doc` (an attached document `<stem>#n` counts as
    its source file `<stem>`, which is what `doc` names), and the normalised snippet must be a
    substring of the normalised passage text.

    With `canonical_tones=True` (the default) both sides first pass through
    `ingest.vietnamese.normalize`, which puts every tone mark on one canonical vowel. chidao
    stores chunk text that way ("hoà" -> "hòa", "uỷ" -> "ủy") while snippets are verbatim from
    the raw files; the README's "NFC" intends "the same word", and NFC alone keeps "hoà" and
    "hòa" apart. Pass `canonical_tones=False` for the rule with NFC only.
    """
    if source_stem(hit.doc_id) != item.doc:
        return False
    return match_form(item.text, canonical_tones) in match_form(hit.text, canonical_tones)


def matches_doc(item: RelevantItem, hit: Hit) -> bool:
    """BEIR relevance: the passage is the judged corpus entry itself (ids compared exactly)."""
    return hit.doc_id == item.doc


# --- loaders -------------------------------------------------------------------------------------


def _items(raw: object, where: str) -> tuple[RelevantItem, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise DatasetError(f"{where}: expected a list of {{doc, text}} objects")
    try:
        return tuple(RelevantItem(doc=str(r["doc"]), text=str(r["text"])) for r in raw)
    except (KeyError, TypeError) as e:
        raise DatasetError(f"{where}: each item needs 'doc' and 'text' ({e!r})") from e


def load_snippet_queries(path: str | Path) -> list[Query]:
    """Read `dev_queries.jsonl`: one query per line, `relevant` required and non-empty."""
    queries: list[Query] = []
    seen: set[str] = set()
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        where = f"{path}:{n}"
        try:
            raw = json.loads(line)
            query = Query(
                id=str(raw["id"]),
                type=str(raw["type"]),
                query=str(raw["query"]),
                relevant=_items(raw["relevant"], where),
                not_answer=_items(raw.get("not_answer"), where),
                answer=str(raw["answer"]) if raw.get("answer") is not None else None,
            )
        except (json.JSONDecodeError, KeyError, TypeError) as e:
            raise DatasetError(f"{where}: not a query object ({e!r})") from e
        if not query.relevant:
            raise DatasetError(f"{where}: query {query.id} has no relevant items")
        if query.id in seen:
            raise DatasetError(f"{where}: duplicate query id {query.id}")
        seen.add(query.id)
        queries.append(query)
    return queries


def _jsonl(path: Path) -> list[dict[str, object]]:
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as e:
                raise DatasetError(f"{path}:{n}: {e}") from e
    return rows


def load_beir(directory: str | Path) -> BeirSet:
    """Read a BEIR folder: `corpus.jsonl`, `queries.jsonl`, `qrels/test.tsv` (with a header line).

    Queries keep the file's order; every query id and corpus id in the qrels must exist.
    """
    root = Path(directory)
    corpus: dict[str, tuple[str, str]] = {}
    for row in _jsonl(root / "corpus.jsonl"):
        corpus[str(row["_id"])] = (str(row.get("title") or ""), str(row.get("text") or ""))
    queries = []
    for row in _jsonl(root / "queries.jsonl"):
        raw_meta = row.get("metadata")
        meta: dict[str, object] = raw_meta if isinstance(raw_meta, dict) else {}
        answer = meta.get("answer")
        queries.append(
            BeirQuery(
                id=str(row["_id"]),
                text=str(row["text"]),
                type=str(meta.get("type") or "all"),
                answer=None if answer is None else str(answer),
            )
        )
    qrels: dict[str, dict[str, int]] = {}
    qrels_path = root / "qrels" / "test.tsv"
    query_ids = {q.id for q in queries}
    with qrels_path.open(encoding="utf-8", newline="") as f:
        rows = csv.reader(f, delimiter="\t")
        next(rows, None)  # header: query-id, corpus-id, score
        for n, fields in enumerate(rows, 2):
            if not fields:
                continue
            if len(fields) != 3:
                raise DatasetError(f"{qrels_path}:{n}: expected 3 tab-separated fields, got {len(fields)}")
            qid, cid, score = fields
            if qid not in query_ids or cid not in corpus:
                raise DatasetError(f"{qrels_path}:{n}: unknown query {qid!r} or corpus id {cid!r}")
            qrels.setdefault(qid, {})[cid] = int(score)
    return BeirSet(corpus=corpus, queries=queries, qrels=qrels)


def beir_as_queries(beir: BeirSet) -> list[Query]:
    """BEIR queries as `Query` objects whose relevant items are the corpus ids with score > 0.

    Queries without a positive judgement are left out (as pytrec_eval and BEIR do).
    """
    out = []
    for q in beir.queries:
        docs = [cid for cid, score in beir.qrels.get(q.id, {}).items() if score > 0]
        if docs:
            items = tuple(RelevantItem(doc=cid, text=beir.corpus[cid][0]) for cid in docs)
            out.append(Query(id=q.id, type=q.type, query=q.text, relevant=items))
    return out

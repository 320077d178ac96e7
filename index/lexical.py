"""BM25 over tantivy for chunks tokenised by index/tokenize.py.

Texts are tokenised here in Python and handed to tantivy joined by spaces, for its "whitespace"
tokenizer (no lower-casing, no length filter): tantivy stores and scores exactly the tokens of
`tokenize()`. Scoring is tantivy's BM25 (k1 = 1.2, b = 0.75; idf = ln(1 + (N - n + 0.5) / (n + 0.5))
as in Lucene), checked against rank-bm25 in tests/unit/index/test_lexical.py.

Two text fields: `text` holds the tokens, `text_folded` the same tokens without diacritics.
A query typed without diacritics (`not has_diacritics(query)`) searches `text_folded` only, with
`tokenize(query, folded=True)`, so "nhiem vu cua so y te" finds "nhiệm vụ của Sở Y tế". A query
with diacritics searches both: its tokens in `text` plus its folded tokens in `text_folded`, the
two BM25 scores added. Measured (Hit@10 / MRR@10, bigram tokenizer; ALQAC dev = 200 legal
questions over 2,249 articles, dev_queries = 55 queries over the seeds cut into paragraphs):

    query form                    text only      both fields    folded only
    with diacritics, ALQAC        0.985/0.905    0.985/0.909    0.985/0.908
    with diacritics, dev          1.000/0.819    1.000/0.820    0.982/0.818
    every 2nd word folded, ALQAC  0.885/0.705    0.985/0.887    0.985/0.908
    every 2nd word folded, dev    0.964/0.752    1.000/0.812    0.982/0.818

Both fields cost nothing on fully accented queries and rescue half-accented ones ("so y tế"),
while keeping exact-diacritic matches ahead of folded look-alikes ("bộ" / "bố" / "bổ").

The folded field is filled with the folded document tokens (`fold_tokens`, memoised per token)
rather than a second tokenize(folded=True) pass: that halves the tokenizing time and keeps a
folded spelling from being read as an abbreviation ("ĐN" = Đồng Nai must not become "dn" =
doanh nghiệp). On 2,005 documents (seeds and scale corpus) the two differ only there and in
scripts whose vowel signs are combining marks (Thai, Khmer).

Filters are exact terms on normalised values (`filter_key`: NFC, tone placement, diacritics
folded, lower-case, single spaces), so "Đồng Nai", "đồng nai" and "Dong Nai" are one province.
A chunk's `province` holds every name that covers it (pre-2025 and merged); `date` is an integer
yyyymmdd, absent when the document has no date, so such chunks never pass a date filter.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date as Date
from pathlib import Path

import tantivy

from domain.errors import ChidaoError
from domain.model import Filters
from index.tokenize import (
    canonical_doc_number,
    expand_abbreviations,
    fold_fast,
    fold_tokens,
    tokenize,
    tokenizer_id,
)
from ingest import provinces
from ingest.vietnamese import has_diacritics, normalize

SCHEMA_VERSION = 1
MANIFEST = "lexical.json"
BM25_K1 = 1.2  # tantivy's constants; recorded in the manifest, not settable
BM25_B = 0.75


class LexicalIndexError(ChidaoError):
    """Base of the errors this module raises."""


class IndexNotOpen(LexicalIndexError):
    """add/search/commit before create() or open()."""


class IndexMismatch(LexicalIndexError):
    """The index on disk was built by another schema or tokenizer: rebuild it."""


class BadFilter(LexicalIndexError, ValueError):
    """A filter value that cannot be read (a date that is not ISO)."""


@dataclass(frozen=True)
class LexicalRow:
    """One chunk as the lexical index sees it."""

    chunk_id: str
    doc_id: str
    text: str
    province: tuple[str, ...] = ()  # every name that covers the document: old and new
    type: str | None = None
    issuer: str | None = None
    date: str | None = None  # ISO yyyy-mm-dd
    cites: tuple[str, ...] = ()  # cited document numbers


_SPACES = re.compile(r"\s+")
_PROVINCE_PREFIX = re.compile(r"^(?:tinh|thanh pho|tp\.?)\s+")
_ISO_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def filter_key(value: str) -> str:
    """The stored and compared form of a filter value: "Công văn" -> "cong van"."""
    return _SPACES.sub(" ", fold_fast(normalize(value)).lower()).strip()


def province_key(value: str) -> str:
    """The canonical province folded ("TP HCM" = "Thành phố Hồ Chí Minh"); an unknown name is
    filter_key without the administrative prefix ("Tỉnh Kon Tum" = "Kon Tum" -> "kon tum")."""
    return _PROVINCE_PREFIX.sub("", filter_key(provinces.canonical(value) or value))


def issuer_key(value: str) -> str:
    """filter_key after writing out abbreviations: "UBND tỉnh" = "Ủy ban nhân dân tỉnh"."""
    return filter_key(expand_abbreviations(value))


# A local body followed by its place: "uy ban nhan dan tinh kon tum" (issuer_key form).
_PLACED_ISSUER = re.compile(
    r"^(?P<head>(?:chu tich )?(?:uy ban nhan dan|hoi dong nhan dan)(?: tinh| thanh pho)?|tinh uy|thanh uy)"
    r" (?P<place>.+)$"
)


def placed_issuer(value: str) -> tuple[str, str] | None:
    """For an issuer filter naming a local body with its province ("UBND tỉnh Kon Tum"): the key
    of the body as a letter from that province may write it ("UBND tỉnh", whose header leaves the
    province to the text) and the province key. Such a filter matches documents whose issuer is
    the full name, or the bare body in that province. None for any other issuer."""
    m = _PLACED_ISSUER.match(issuer_key(value))
    if m is None or provinces.canonical(m["place"]) is None:
        return None
    return m["head"], province_key(m["place"])


def cite_key(value: str) -> str:
    """A document number as the tokenizer writes it, folded: "117/2020/NĐ-CP" -> "117/2020/nd-cp"."""
    return fold_fast(canonical_doc_number(value))


def date_key(value: str, *, end: bool = False) -> int:
    """ISO date (or year, or year-month) as yyyymmdd.

    A partial date stands for its first day, or with `end` for a bound past its last one
    ("2021-02" -> 20210201 / 20210231), which is all a range filter needs.
    """
    m = _ISO_DATE.match(value.strip())
    if m is None:
        raise BadFilter(f"not an ISO date (yyyy-mm-dd, yyyy-mm or yyyy): {value!r}")
    year, month, day = int(m[1]), m[2], m[3]
    try:
        if day is not None:
            Date(year, int(month), int(day))
            return year * 10000 + int(month) * 100 + int(day)
        if month is not None:
            Date(year, int(month), 1)
            return year * 10000 + int(month) * 100 + (31 if end else 1)
    except ValueError as err:
        raise BadFilter(f"not a valid date: {value!r} ({err})") from err
    return year * 10000 + (1231 if end else 101)


def query_fields(query: str) -> list[tuple[str, list[str]]]:
    """Which field each query token list is looked up in (see the module docstring)."""
    folded = ("text_folded", tokenize(query, folded=True))
    if not has_diacritics(query):
        return [folded]
    return [("text", tokenize(query)), folded]


def _schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("chunk_id", stored=True, tokenizer_name="raw", index_option="basic")
    sb.add_text_field("doc_id", tokenizer_name="raw", index_option="basic")
    sb.add_text_field("text", tokenizer_name="whitespace", index_option="freq")
    sb.add_text_field("text_folded", tokenizer_name="whitespace", index_option="freq")
    for name in ("province", "type", "issuer", "cites"):
        sb.add_text_field(name, tokenizer_name="raw", index_option="basic")
    sb.add_integer_field("date", indexed=True, fast=True)
    return sb.build()


def _manifest() -> dict[str, object]:
    return {
        "kind": "chidao-lexical",
        "schema_version": SCHEMA_VERSION,
        "tokenizer": tokenizer_id(),
        "bm25": {"k1": BM25_K1, "b": BM25_B},
        "tantivy": tantivy.__version__ if hasattr(tantivy, "__version__") else "unknown",
    }


class LexicalIndex:
    """A tantivy index in a folder of its own, plus `lexical.json` naming schema and tokenizer.

    The constructor only records the path; `create()` or `open()` loads. Changes are visible to
    search after `commit()`, which is tantivy's atomic commit (a crash keeps the last commit).
    """

    def __init__(self, path: str | Path, *, heap_size: int = 256_000_000, threads: int = 1) -> None:
        self.path = Path(path)
        self._heap_size = heap_size
        self._threads = threads
        self._schema: tantivy.Schema | None = None
        self._index: tantivy.Index | None = None
        self._writer: tantivy.IndexWriter | None = None

    # -- lifecycle -------------------------------------------------------------------------

    def create(self, *, overwrite: bool = False) -> LexicalIndex:
        """A new empty index at `path`; replaces an existing lexical index only if `overwrite`.

        Any other non-empty folder is refused, overwrite or not: nothing but an index is deleted.
        """
        if self.path.exists() and any(self.path.iterdir()):
            is_index = (self.path / MANIFEST).exists() or (self.path / "meta.json").exists()
            if not (overwrite and is_index):
                reason = "holds a lexical index (pass overwrite=True)" if is_index else "is not empty"
                raise LexicalIndexError(f"{self.path}: folder {reason}")
            shutil.rmtree(self.path)
        self.path.mkdir(parents=True, exist_ok=True)
        self._schema = _schema()
        self._index = tantivy.Index(self._schema, path=str(self.path), reuse=False)
        text = json.dumps(_manifest(), ensure_ascii=False, indent=2)
        (self.path / MANIFEST).write_text(text + "\n", encoding="utf-8")
        return self

    def open(self) -> LexicalIndex:
        """Open the index at `path`; IndexMismatch if it was built by another schema/tokenizer."""
        manifest_path = self.path / MANIFEST
        if not manifest_path.exists() or not tantivy.Index.exists(str(self.path)):
            raise LexicalIndexError(f"{self.path}: no lexical index here (create() builds one)")
        found = json.loads(manifest_path.read_text(encoding="utf-8"))
        expected = _manifest()
        for key in ("kind", "schema_version", "tokenizer"):
            if found.get(key) != expected[key]:
                raise IndexMismatch(
                    f"{self.path}: built with {key} {found.get(key)!r}, this code has "
                    f"{expected[key]!r}; rebuild the index"
                )
        self._schema = _schema()
        self._index = tantivy.Index.open(str(self.path))
        return self

    def close(self) -> None:
        """Drop the writer (uncommitted changes are lost) and wait for background merges."""
        if self._writer is not None:
            self._writer.rollback()
            self._writer.wait_merging_threads()
            self._writer = None

    def finish(self) -> None:
        """After commit(): wait for the merges the commit started and drop the writer, so that no
        background thread writes to the folder any more (it is about to be checksummed)."""
        if self._writer is not None:
            self._writer.wait_merging_threads()
            self._writer = None

    def _ready(self) -> tuple[tantivy.Index, tantivy.Schema]:
        if self._index is None or self._schema is None:
            raise IndexNotOpen(f"{self.path}: call create() or open() first")
        return self._index, self._schema

    def _get_writer(self) -> tantivy.IndexWriter:
        index, _ = self._ready()
        if self._writer is None:
            self._writer = index.writer(heap_size=self._heap_size, num_threads=self._threads)
        return self._writer

    # -- writing ---------------------------------------------------------------------------

    def add(self, rows: Iterable[LexicalRow]) -> int:
        """Queue chunks for the next commit; returns how many were queued."""
        writer = self._get_writer()
        n = 0
        for row in rows:
            writer.add_document(self._document(row))
            n += 1
        return n

    @staticmethod
    def _document(row: LexicalRow) -> tantivy.Document:
        tokens = tokenize(row.text)
        doc = tantivy.Document()
        doc.add_text("chunk_id", row.chunk_id)
        doc.add_text("doc_id", row.doc_id)
        doc.add_text("text", " ".join(tokens))
        doc.add_text("text_folded", " ".join(fold_tokens(tokens)))
        for name in sorted({province_key(p) for p in row.province if p.strip()}):
            doc.add_text("province", name)
        if row.type:
            doc.add_text("type", filter_key(row.type))
        if row.issuer:
            doc.add_text("issuer", issuer_key(row.issuer))
        if row.date:
            try:
                doc.add_integer("date", date_key(row.date))
            except BadFilter as err:
                raise LexicalIndexError(f"{row.chunk_id}: {err}") from err
        for number in sorted({cite_key(c) for c in row.cites if c.strip()}):
            doc.add_text("cites", number)
        return doc

    def delete_documents(self, doc_ids: Iterable[str]) -> None:
        """Queue the removal of every chunk of these documents for the next commit."""
        writer = self._get_writer()
        for doc_id in doc_ids:
            writer.delete_documents_by_term("doc_id", doc_id)

    def commit(self) -> None:
        """Publish queued adds and deletes atomically, and make them visible to search."""
        index, _ = self._ready()
        if self._writer is not None:
            self._writer.commit()
        index.reload()

    # -- reading ---------------------------------------------------------------------------

    def count(self) -> int:
        """Chunks in the last commit."""
        index, _ = self._ready()
        return int(index.searcher().num_docs)

    def chunk_ids(self) -> list[str]:
        """Every chunk id in the last commit (consistency checks against the store)."""
        index, _ = self._ready()
        searcher = index.searcher()
        n = int(searcher.num_docs)
        if n == 0:
            return []
        hits = searcher.search(tantivy.Query.all_query(), limit=n).hits
        return [searcher.doc(address)["chunk_id"][0] for _, address in hits]

    def search(self, query: str, k: int = 10, filters: Filters | None = None) -> list[tuple[str, float]]:
        """The k best chunks for `query` by BM25, as (chunk_id, score), best first."""
        index, _ = self._ready()
        text_query = self._text_query(query)
        if text_query is None or k <= 0:
            return []
        clauses = [(tantivy.Occur.Must, text_query)]
        clauses += [(tantivy.Occur.Must, q) for q in self._filter_queries(filters)]
        final = text_query if len(clauses) == 1 else tantivy.Query.boolean_query(clauses)
        searcher = index.searcher()
        hits = searcher.search(final, limit=k, count=False).hits
        return [(str(searcher.doc(address).get_first("chunk_id")), float(score)) for score, address in hits]

    def _text_query(self, query: str) -> tantivy.Query | None:
        """OR of term queries (no query parser: "/", "-", "&" in document numbers stay literal).

        A token repeated in the query is scored once per repetition, as in rank-bm25.
        """
        _, schema = self._ready()
        clauses = [
            (tantivy.Occur.Should, tantivy.Query.term_query(schema, field, token, index_option="freq"))
            for field, tokens in query_fields(query)
            for token in tokens
        ]
        return tantivy.Query.boolean_query(clauses) if clauses else None

    def _filter_queries(self, filters: Filters | None) -> list[tantivy.Query]:
        """Filters as zero-score queries, so they restrict without changing BM25 scores."""
        if filters is None or filters.is_empty():
            return []
        _, schema = self._ready()
        queries: list[tantivy.Query] = []

        def term(field: str, value: str) -> None:
            q = tantivy.Query.term_query(schema, field, value, index_option="basic")
            queries.append(tantivy.Query.const_score_query(q, 0.0))

        if filters.province:
            term("province", province_key(filters.province))
        if filters.type:
            term("type", filter_key(filters.type))
        if filters.issuer:
            full = tantivy.Query.term_query(schema, "issuer", issuer_key(filters.issuer), index_option="basic")
            placed = placed_issuer(filters.issuer)
            if placed is None:
                queries.append(tantivy.Query.const_score_query(full, 0.0))
            else:
                bare = tantivy.Query.boolean_query([
                    (tantivy.Occur.Must, tantivy.Query.term_query(schema, "issuer", placed[0], index_option="basic")),
                    (tantivy.Occur.Must, tantivy.Query.term_query(schema, "province", placed[1], index_option="basic")),
                ])
                either = tantivy.Query.boolean_query([(tantivy.Occur.Should, full), (tantivy.Occur.Should, bare)])
                queries.append(tantivy.Query.const_score_query(either, 0.0))
        if filters.cites:
            term("cites", cite_key(filters.cites))
        if filters.since or filters.until:
            since = date_key(filters.since) if filters.since else None
            until = date_key(filters.until, end=True) if filters.until else None
            q = tantivy.Query.range_query(schema, "date", tantivy.FieldType.Integer, since, until)
            queries.append(tantivy.Query.const_score_query(q, 0.0))
        return queries

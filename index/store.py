"""SQLite store: the system of record for documents, chunks, metadata and embeddings.

FAISS and tantivy are derived from it and can be rebuilt without re-embedding. One store lives
in each index generation; WAL mode lets searches read while nothing writes to that generation.

A generation's store is one file (`store.sqlite`) or two layers: `store.sqlite`, a base shared
read-only with the generations before it (a hard link), and `store-delta.sqlite`, this
generation's changes since that base: the rows of added documents, and in `hidden` the ids of
base documents removed or replaced. The connection opens the delta as `main`, attaches the base
as `base`, and defines temporary views named like the tables (base rows not hidden, then delta
rows), so every read below runs unchanged on either layout; writes name `main.` explicitly.
A batch thus copies only the delta, never the base (see index/writer.py for when the two are
merged back into one file).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import quote

import numpy as np

from domain.model import Filters, StoredTask
from index.filters import sql_clauses
from index.generation import STORE, IndexNotReady
from index.generation import STORE_DELTA as DELTA
from index.lexical import cite_key, date_key, filter_key, issuer_key, province_key
from ingest.assignments import Assignment
from ingest.jsonl import document_from_dict, document_to_dict
from ingest.model import Chunk, Document

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY,
    content_hash TEXT NOT NULL,
    number_key TEXT,
    type_key TEXT,
    issuer_key TEXT,
    date INTEGER,                 -- yyyymmdd
    body TEXT NOT NULL            -- the document as documents.jsonl writes it
);
CREATE TABLE IF NOT EXISTS document_provinces (doc_id TEXT NOT NULL, province_key TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS document_cites (doc_id TEXT NOT NULL, number_key TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS chunks (
    rowid INTEGER PRIMARY KEY,
    chunk_id TEXT UNIQUE NOT NULL,
    doc_id TEXT NOT NULL,
    section_path TEXT NOT NULL,
    text TEXT NOT NULL,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    embedding BLOB
);
CREATE TABLE IF NOT EXISTS assignments (
    doc_id TEXT NOT NULL,
    chunk_id TEXT,
    section_path TEXT NOT NULL,   -- JSON list
    agency TEXT NOT NULL,         -- canonical name (ingest/data/agencies.json)
    agency_text TEXT NOT NULL,
    role TEXT NOT NULL,           -- chu_tri | phoi_hop | giao | collective
    task TEXT NOT NULL,
    deadline TEXT,                -- ISO date
    deadline_text TEXT,
    reports_to TEXT,
    start INTEGER NOT NULL,       -- clean-text span
    end INTEGER NOT NULL,
    orig_start INTEGER NOT NULL,  -- the same span in the original text (citations)
    orig_end INTEGER NOT NULL,
    quote TEXT NOT NULL           -- the original text of that span
);
CREATE INDEX IF NOT EXISTS assignments_agency ON assignments(agency);
CREATE INDEX IF NOT EXISTS assignments_doc ON assignments(doc_id);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id);
CREATE INDEX IF NOT EXISTS documents_number ON documents(number_key);
CREATE INDEX IF NOT EXISTS provinces_key ON document_provinces(province_key);
CREATE INDEX IF NOT EXISTS provinces_doc ON document_provinces(doc_id);
CREATE INDEX IF NOT EXISTS cites_key ON document_cites(number_key);
CREATE INDEX IF NOT EXISTS cites_doc ON document_cites(doc_id);
"""

# Base documents a delta removes or replaces: their base rows are invisible through the views.
_HIDDEN = "CREATE TABLE IF NOT EXISTS hidden (doc_id TEXT PRIMARY KEY);"
# table -> its document-id column, for the views over base + delta
_LAYERED = {"documents": "id", "document_provinces": "doc_id", "document_cites": "doc_id", "chunks": "doc_id",
            "assignments": "doc_id"}
_CHUNK_COLUMNS = "chunk_id, doc_id, section_path, text, start, end, embedding"


def _uri(path: Path, readonly: bool) -> str:
    return f"file:{quote(str(path.resolve()))}" + ("?mode=ro&immutable=1" if readonly else "")


def _views() -> str:
    """Temporary views that shadow main's tables: base rows not hidden, then the delta's."""
    out = []
    for table, col in _LAYERED.items():
        cols = f"rowid AS rowid, {_CHUNK_COLUMNS}" if table == "chunks" else "*"
        out.append(
            f"CREATE TEMP VIEW {table} AS SELECT {cols} FROM base.{table} "  # nosec B608
            f"WHERE {col} NOT IN (SELECT doc_id FROM main.hidden) UNION ALL SELECT {cols} FROM main.{table};"
        )
    return "\n".join(out)


def copy_store(src: Path, dst: Path) -> None:
    """Copy a one-file store (or a delta) to the new file `dst` through SQLite's backup API."""
    source = sqlite3.connect(_uri(src, True), uri=True)
    dest = sqlite3.connect(_uri(dst, False), uri=True)
    try:
        source.backup(dest)
    finally:
        source.close()
        dest.close()


def merge_layers(base: Path, delta: Path, dst: Path) -> None:
    """Write the store that `base` with `delta` on top reads as, into the new file `dst` (one
    layer again): the base copied through SQLite's backup API, hidden documents deleted, the
    delta's rows inserted with their rowids (FAISS ids stay valid)."""
    src = sqlite3.connect(_uri(base, True), uri=True)
    out = sqlite3.connect(_uri(dst, False), uri=True, isolation_level=None)
    try:
        src.backup(out)
        out.execute("ATTACH DATABASE ? AS d", (_uri(delta, True),))
        out.execute("BEGIN IMMEDIATE")
        for table, col in _LAYERED.items():
            out.execute(f"DELETE FROM main.{table} WHERE {col} IN (SELECT doc_id FROM d.hidden)")  # nosec B608
            if table == "chunks":
                out.execute(f"INSERT INTO main.chunks (rowid, {_CHUNK_COLUMNS}) "  # nosec B608
                            f"SELECT rowid, {_CHUNK_COLUMNS} FROM d.chunks")
            else:
                out.execute(f"INSERT INTO main.{table} SELECT * FROM d.{table}")  # nosec B608
        out.execute("COMMIT")
        out.execute("DETACH DATABASE d")
    finally:
        src.close()
        out.close()


def key(value: str | None) -> str | None:
    """Comparison key of a document number: the tokenizer's canonical form, folded."""
    return cite_key(value) if value else None


class Store:
    """`readonly` opens a published generation: immutable, so it is never written, not even by
    SQLite's own journal bookkeeping (its checksum must keep holding).

    With `base`, `path` is a delta over the store at `base` (see the module docstring); the base
    is always opened read-only and immutable, even when the delta is written."""

    def __init__(self, path: Path, readonly: bool = False, base: Path | None = None) -> None:
        self.path = Path(path)
        self.readonly = readonly
        self.base = Path(base) if base is not None else None
        self._conn: sqlite3.Connection | None = None
        self._organisations: dict[str, int] | None = None  # a read-only generation's, read once

    @classmethod
    def of(cls, folder: Path, layered: bool, readonly: bool = False) -> Store:
        """The store of a generation folder: base + delta when `layered`, else one file."""
        return cls(folder / DELTA, readonly, base=folder / STORE) if layered else cls(folder / STORE, readonly)

    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is None:
            conn = sqlite3.connect(_uri(self.path, self.readonly), uri=True, check_same_thread=False,
                                   isolation_level=None)
            try:
                if not self.readonly:
                    conn.execute("PRAGMA journal_mode=WAL")
                    conn.execute("PRAGMA synchronous=FULL")
                    conn.executescript(_SCHEMA + (_HIDDEN if self.base is not None else ""))
                if self.base is not None:
                    conn.execute("ATTACH DATABASE ? AS base", (_uri(self.base, True),))
                    conn.executescript(_views())
            except BaseException:
                conn.close()
                raise
            self._conn = conn
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    # ---- writes -------------------------------------------------------------------------
    def put(
        self,
        docs: Sequence[Document],
        chunks: Sequence[Chunk],
        vectors: np.ndarray | None,
        assignments: Sequence[Assignment] = (),
    ) -> list[int]:
        """Insert or replace documents, their chunks and their assignments in one transaction;
        returns chunk rowids."""
        c = self.conn
        rowids: list[int] = []
        c.execute("BEGIN IMMEDIATE")
        try:
            self._delete(c, [d.id for d in docs])
            next_rowid = self._next_rowid(c)
            for d in docs:
                body = json.dumps(document_to_dict(d), ensure_ascii=False)
                c.execute(
                    "INSERT INTO main.documents VALUES (?,?,?,?,?,?,?)",
                    (d.id, d.content_hash, key(d.meta.number), d.meta.type and filter_key(d.meta.type),
                     d.meta.issuer and issuer_key(d.meta.issuer), d.meta.date and date_key(d.meta.date), body),
                )
                pkeys = {province_key(n) for n in (d.meta.province, d.meta.province_2025) if n}
                c.executemany("INSERT INTO main.document_provinces VALUES (?,?)", [(d.id, p) for p in sorted(pkeys)])
                c.executemany("INSERT INTO main.document_cites VALUES (?,?)", [(d.id, key(n)) for n in d.meta.cites])
            for i, ch in enumerate(chunks):
                blob = vectors[i].astype(np.float32).tobytes() if vectors is not None else None
                cur = c.execute(
                    "INSERT INTO main.chunks (rowid, chunk_id, doc_id, section_path, text, start, end, embedding) "
                    "VALUES (?,?,?,?,?,?,?,?)",
                    (next_rowid, ch.chunk_id, ch.doc_id, json.dumps(list(ch.section_path), ensure_ascii=False),
                     ch.text, ch.start, ch.end, blob),
                )
                rowids.append(int(cur.lastrowid or 0))
                next_rowid = None if next_rowid is None else next_rowid + 1
            self._insert_assignments(c, {d.id: d for d in docs}, assignments)
            c.execute("COMMIT")
        except BaseException:
            c.execute("ROLLBACK")
            raise
        return rowids

    def _next_rowid(self, c: sqlite3.Connection) -> int | None:
        """The first rowid a delta may use: past every base rowid, so FAISS ids never collide
        (None for a one-file store: SQLite's own choice)."""
        if self.base is None:
            return None
        top = c.execute("SELECT MAX(m) FROM (SELECT MAX(rowid) AS m FROM base.chunks "
                        "UNION ALL SELECT MAX(rowid) FROM main.chunks)").fetchone()[0]
        return int(top or 0) + 1

    @staticmethod
    def _insert_assignments(c: sqlite3.Connection, docs: dict[str, Document], assignments: Iterable[Assignment]) -> None:
        for a in assignments:
            doc = docs[a.doc_id]
            o_start, o_end = doc.text.to_original(a.start, a.end)
            c.execute(
                "INSERT INTO main.assignments VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (a.doc_id, a.chunk_id, json.dumps(list(a.section_path), ensure_ascii=False), a.agency,
                 a.agency_text, a.role, a.task, a.deadline, a.deadline_text, a.reports_to, a.start, a.end,
                 o_start, o_end, doc.text.original[o_start:o_end]),
            )

    def replace_assignments(self, by_doc: dict[str, Sequence[Assignment]]) -> None:
        """Replace the stored assignments of these documents, in one transaction (one-file
        stores only: the writer merges the layers first)."""
        if self.base is not None:
            raise ValueError(f"{self.path}: assignments are rewritten on a one-file store only")
        c = self.conn
        docs = {doc_id: self.document(doc_id) for doc_id in by_doc}
        c.execute("BEGIN IMMEDIATE")
        try:
            for doc_id, assignments in by_doc.items():
                c.execute("DELETE FROM main.assignments WHERE doc_id=?", (doc_id,))
                doc = docs[doc_id]
                if doc is not None:
                    self._insert_assignments(c, {doc_id: doc}, assignments)
            c.execute("COMMIT")
        except BaseException:
            c.execute("ROLLBACK")
            raise

    def delete(self, doc_ids: Sequence[str]) -> list[int]:
        """Delete documents and their chunks; returns the chunk rowids removed."""
        c = self.conn
        c.execute("BEGIN IMMEDIATE")
        try:
            removed = self._delete(c, doc_ids)
            c.execute("COMMIT")
        except BaseException:
            c.execute("ROLLBACK")
            raise
        return removed

    def _delete(self, c: sqlite3.Connection, doc_ids: Sequence[str]) -> list[int]:
        removed: list[int] = []
        for doc_id in doc_ids:
            removed += [r for (r,) in c.execute("SELECT rowid FROM chunks WHERE doc_id=?", (doc_id,))]
            for table, col in _LAYERED.items():
                c.execute(f"DELETE FROM main.{table} WHERE {col}=?", (doc_id,))  # nosec B608
            if self.base is not None and c.execute("SELECT 1 FROM base.documents WHERE id=?", (doc_id,)).fetchone():
                c.execute("INSERT OR IGNORE INTO main.hidden VALUES (?)", (doc_id,))
        return removed

    # ---- reads --------------------------------------------------------------------------
    def content_hashes(self) -> dict[str, str]:
        return dict(self.conn.execute("SELECT id, content_hash FROM documents"))

    def documents_from_source_stem(self, stem: str) -> list[str]:
        return [i for (i,) in self.conn.execute("SELECT id FROM documents WHERE id=? OR id LIKE ?", (stem, stem + "#%"))]

    def document(self, doc_id: str) -> Document | None:
        row = self.conn.execute("SELECT body FROM documents WHERE id=?", (doc_id,)).fetchone()
        return document_from_dict(json.loads(row[0])) if row else None

    def documents(self) -> Iterator[Document]:
        for (body,) in self.conn.execute("SELECT body FROM documents ORDER BY id"):
            yield document_from_dict(json.loads(body))

    def chunks_by_rowid(self, rowids: Iterable[int]) -> dict[int, Chunk]:
        return self._chunks_where("rowid", rowids)

    def chunk_ids_by_rowid(self, rowids: Iterable[int]) -> dict[int, str]:
        """Only the chunk ids of FAISS ids: what a dense search needs before fusion (the texts of
        fifty candidates and their section paths cost 0.27 ms of CPU at 100k, this 0.04 ms)."""
        ids = list(rowids)
        out: dict[int, str] = {}
        for i in range(0, len(ids), 900):
            part = ids[i : i + 900]
            q = f"SELECT rowid, chunk_id FROM chunks WHERE rowid IN ({','.join('?' * len(part))})"  # noqa: S608 (only "?" placeholders)  # nosec B608
            out.update(self.conn.execute(q, part))
        return out

    def chunks_by_id(self, chunk_ids: Iterable[str]) -> dict[str, Chunk]:
        return self._chunks_where("chunk_id", chunk_ids)

    def _chunks_where(self, column: str, keys: Iterable[Any]) -> dict[Any, Chunk]:
        """Chunks keyed by `column` (rowid or chunk_id), in batches under SQLite's variable limit."""
        ids = list(keys)
        out: dict[Any, Chunk] = {}
        for i in range(0, len(ids), 900):
            part = ids[i : i + 900]
            q = f"SELECT {column}, chunk_id, doc_id, section_path, text, start, end FROM chunks WHERE {column} IN ({','.join('?' * len(part))})"  # noqa: S608 (column is "rowid" or "chunk_id", values "?")  # nosec B608
            for r in self.conn.execute(q, part):
                out[r[0]] = Chunk(r[1], r[2], tuple(json.loads(r[3])), r[4], r[5], r[6])
        return out

    def chunks_of(self, doc_id: str) -> list[Chunk]:
        rows = self.conn.execute(
            "SELECT chunk_id, doc_id, section_path, text, start, end FROM chunks WHERE doc_id=? ORDER BY start", (doc_id,)
        )
        return [Chunk(r[0], r[1], tuple(json.loads(r[2])), r[3], r[4], r[5]) for r in rows]

    def rowid_map(self) -> dict[str, int]:
        return dict(self.conn.execute("SELECT chunk_id, rowid FROM chunks"))

    def embeddings(self, dim: int) -> tuple[np.ndarray, np.ndarray]:
        """All stored (rowids, vectors), for rebuilding FAISS without re-embedding."""
        ids, vecs = [], []
        for rowid, blob in self.conn.execute("SELECT rowid, embedding FROM chunks WHERE embedding IS NOT NULL ORDER BY rowid"):
            ids.append(rowid)
            vecs.append(np.frombuffer(blob, dtype=np.float32))
        if not ids:
            return np.zeros(0, dtype=np.int64), np.zeros((0, dim), dtype=np.float32)
        return np.asarray(ids, dtype=np.int64), np.vstack(vecs)

    def embeddings_by_rowid(self, rowids: Sequence[int], dim: int) -> dict[int, np.ndarray]:
        """The stored float32 vectors of these FAISS ids (those that have one)."""
        ids = list(rowids)
        out: dict[int, np.ndarray] = {}
        for i in range(0, len(ids), 900):
            part = ids[i : i + 900]
            q = f"SELECT rowid, embedding FROM chunks WHERE rowid IN ({','.join('?' * len(part))}) AND embedding IS NOT NULL"  # noqa: S608 (only "?" placeholders)  # nosec B608
            out.update((r, np.frombuffer(b, dtype=np.float32)) for r, b in self.conn.execute(q, part))
        return {r: v for r, v in out.items() if len(v) == dim}

    def count(self, table: str) -> int:
        if table not in ("documents", "chunks", "assignments"):
            raise ValueError(table)
        if self.base is None:
            return int(self.conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])  # nosec B608
        # Counted per layer: a COUNT(*) over the view would read every base row.
        col = _LAYERED[table]
        base, hidden, delta = (int(self.conn.execute(q).fetchone()[0]) for q in (
            f"SELECT COUNT(*) FROM base.{table}",  # nosec B608
            f"SELECT COUNT(*) FROM base.{table} WHERE {col} IN (SELECT doc_id FROM main.hidden)",  # nosec B608
            f"SELECT COUNT(*) FROM main.{table}",  # nosec B608
        ))
        return base - hidden + delta

    # ---- layers ---------------------------------------------------------------------------
    def hidden_rowids(self) -> np.ndarray:
        """Rowids of the base chunks the delta hides (empty for a one-file store)."""
        if self.base is None:
            return np.zeros(0, dtype=np.int64)
        rows = self.conn.execute("SELECT rowid FROM base.chunks WHERE doc_id IN (SELECT doc_id FROM main.hidden)")
        return np.asarray(sorted(r for (r,) in rows), dtype=np.int64)

    def delta_weight(self) -> tuple[int, int]:
        """(chunks the delta holds or hides, chunks in the base): when to merge the layers."""
        if self.base is None:
            return 0, self.count("chunks")
        c = self.conn
        base = int(c.execute("SELECT COUNT(*) FROM base.chunks").fetchone()[0])
        held = int(c.execute("SELECT COUNT(*) FROM main.chunks").fetchone()[0])
        return held + len(self.hidden_rowids()), base

    def docs_with_number(self, number: str) -> list[str]:
        return [i for (i,) in self.conn.execute("SELECT id FROM documents WHERE number_key=? ORDER BY id", (key(number),))]

    def docs_citing(self, number: str) -> list[str]:
        return [i for (i,) in self.conn.execute(
            "SELECT DISTINCT doc_id FROM document_cites WHERE number_key=? ORDER BY doc_id", (key(number),))]

    def filtered_doc_ids(self, f: Filters) -> set[str]:
        """Documents that pass the filters (call only when some filter is set)."""
        where, args = sql_clauses(f)
        q = "SELECT id FROM documents" + (" WHERE " + " AND ".join(where) if where else "")  # fixed clauses, values bound as "?"  # nosec B608
        return {i for (i,) in self.conn.execute(q, args)}

    def rowids_of_docs(self, doc_ids: Iterable[str]) -> np.ndarray:
        ids = list(doc_ids)
        out: list[int] = []
        for i in range(0, len(ids), 900):
            part = ids[i : i + 900]
            q = f"SELECT rowid FROM chunks WHERE doc_id IN ({','.join('?' * len(part))})"  # noqa: S608 (only "?" placeholders)  # nosec B608
            out += [r for (r,) in self.conn.execute(q, part)]
        return np.asarray(sorted(out), dtype=np.int64)

    # ---- assignments ----------------------------------------------------------------------
    def has_assignments(self) -> bool:
        row = self.conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='assignments'").fetchone()
        return row is not None

    def organisations(self) -> dict[str, int]:
        """Every organisation the stored assignments name (canonical name -> number of tasks)."""
        if self._organisations is not None:
            return self._organisations
        if not self.has_assignments():
            raise IndexNotReady(f"{self.path}: this index was built before assignments were stored; rebuild it")
        rows = self.conn.execute("SELECT agency, COUNT(*) FROM assignments GROUP BY agency").fetchall()
        found = {name: n for name, n in rows}
        if self.readonly:
            self._organisations = found
        return found

    def chunks_assigned_to(self, agencies: Sequence[str], filters: Filters | None = None) -> list[str]:
        """The chunk ids every stored task of `agencies` (canonical names) runs over, newest
        directive first, in text order: what an agency search puts first. One query, no texts."""
        if not agencies or not self.has_assignments():
            return []
        clauses, values = sql_clauses(filters or Filters(), doc_id="a.doc_id", table="d.")
        where = [f"a.agency IN ({','.join('?' * len(agencies))})", *clauses]
        q = (
            "SELECT c.chunk_id FROM assignments a JOIN documents d ON d.id = a.doc_id "  # nosec B608 (fixed clauses, values bound as "?")
            "JOIN chunks c ON c.doc_id = a.doc_id AND c.start < a.end AND a.start < c.end "
            "WHERE " + " AND ".join(where) + " ORDER BY d.date IS NULL, d.date DESC, a.doc_id, a.start, c.start"
        )
        rows = self.conn.execute(q, [*agencies, *values]).fetchall()
        return list(dict.fromkeys(r[0] for r in rows))

    def tasks(
        self,
        agency: str | None = None,
        province: str | None = None,
        since: str | None = None,
        until: str | None = None,
        deadline_before: str | None = None,
        role: str | None = None,
        filters: Filters | None = None,
    ) -> list[StoredTask]:
        """Assignments, newest directive first (undated last), each in text order.

        `agency` is any spelling the alias table knows ("Sở KH&ĐT", "so y te", "Giám đốc Sở
        Tài chính"), matched to its canonical name; `province` accepts the old and the 2025
        name like `Filters`; `since`/`until` bound the directive's date; `deadline_before` keeps
        tasks whose deadline is on or before that ISO date. `filters` restricts the directives as
        it restricts search (the same SQL, `index.filters`); `province`/`since`/`until` narrow it.
        """
        if not self.has_assignments():
            raise IndexNotReady(f"{self.path}: this index was built before assignments were stored; rebuild it")
        where: list[str] = []
        args: list[object] = []
        if agency:
            from ingest.agencies import table

            stored = self.conn.execute("SELECT 1 FROM assignments WHERE agency=? LIMIT 1", (agency,)).fetchone()
            known = None if stored else table().lookup(agency)
            where.append("a.agency=?")
            args.append(known.name if known else agency)
        if role:
            where.append("a.role=?")
            args.append(role)
        f = filters or Filters()
        f = replace(f, province=province or f.province, since=since or f.since, until=until or f.until)
        clauses, values = sql_clauses(f, doc_id="a.doc_id", table="d.")
        where += clauses
        args += values
        if deadline_before:
            where.append("a.deadline IS NOT NULL AND a.deadline<=?")
            args.append(deadline_before)
        q = (
            "SELECT a.doc_id, a.chunk_id, a.section_path, a.agency, a.agency_text, a.role, a.task, a.deadline, "  # nosec B608 (fixed clauses, values bound as "?")
            "a.deadline_text, a.reports_to, a.start, a.end, a.orig_start, a.orig_end, a.quote "
            "FROM assignments a JOIN documents d ON d.id = a.doc_id"
            + (" WHERE " + " AND ".join(where) if where else "")
            + " ORDER BY d.date IS NULL, d.date DESC, a.doc_id, a.start, a.agency"
        )
        rows = self.conn.execute(q, args).fetchall()
        docs: dict[str, Document | None] = {}
        out: list[StoredTask] = []
        for r in rows:
            if r[0] not in docs:
                docs[r[0]] = self.document(r[0])
            doc = docs[r[0]]
            meta = doc.meta if doc is not None else None
            out.append(StoredTask(
                doc_id=r[0], chunk_id=r[1], section_path=tuple(json.loads(r[2])), agency=r[3], agency_text=r[4],
                role=r[5], task=r[6], deadline=r[7], deadline_text=r[8], reports_to=r[9], start=r[10], end=r[11],
                orig_start=r[12], orig_end=r[13], quote=r[14],
                number=meta.number if meta else None, date=meta.date if meta else None,
                type=meta.type if meta else None, issuer=meta.issuer if meta else None,
                province=meta.province if meta else None, province_2025=meta.province_2025 if meta else None,
            ))
        return out

"""SQLite store: the system of record for documents, chunks, metadata and embeddings.

FAISS and tantivy are derived from it and can be rebuilt without re-embedding. One store lives
in each index generation; WAL mode lets searches read while nothing writes to that generation.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from index.generation import IndexNotReady
from index.lexical import cite_key, date_key, filter_key, issuer_key, province_key
from ingest.assignments import Assignment
from ingest.jsonl import document_from_dict, document_to_dict
from ingest.model import Chunk, Document
from search.model import Filters, StoredTask

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


def key(value: str | None) -> str | None:
    """Comparison key of a document number: the tokenizer's canonical form, folded."""
    return cite_key(value) if value else None


class Store:
    """`readonly` opens a published generation: immutable, so it is never written, not even by
    SQLite's own journal bookkeeping (its checksum must keep holding)."""

    def __init__(self, path: Path, readonly: bool = False) -> None:
        self.path = Path(path)
        self.readonly = readonly
        self._conn: sqlite3.Connection | None = None

    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is None:
            if self.readonly:
                uri = f"file:{self.path.resolve()}?mode=ro&immutable=1"
                conn = sqlite3.connect(uri, uri=True, check_same_thread=False, isolation_level=None)
            else:
                conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=FULL")
                conn.executescript(_SCHEMA)
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
            for d in docs:
                body = json.dumps(document_to_dict(d), ensure_ascii=False)
                c.execute(
                    "INSERT INTO documents VALUES (?,?,?,?,?,?,?)",
                    (d.id, d.content_hash, key(d.meta.number), d.meta.type and filter_key(d.meta.type),
                     d.meta.issuer and issuer_key(d.meta.issuer), d.meta.date and date_key(d.meta.date), body),
                )
                pkeys = {province_key(n) for n in (d.meta.province, d.meta.province_2025) if n}
                c.executemany("INSERT INTO document_provinces VALUES (?,?)", [(d.id, p) for p in sorted(pkeys)])
                c.executemany("INSERT INTO document_cites VALUES (?,?)", [(d.id, key(n)) for n in d.meta.cites])
            for i, ch in enumerate(chunks):
                blob = vectors[i].astype(np.float32).tobytes() if vectors is not None else None
                cur = c.execute(
                    "INSERT INTO chunks (chunk_id, doc_id, section_path, text, start, end, embedding) "
                    "VALUES (?,?,?,?,?,?,?)",
                    (ch.chunk_id, ch.doc_id, json.dumps(list(ch.section_path), ensure_ascii=False), ch.text,
                     ch.start, ch.end, blob),
                )
                rowids.append(int(cur.lastrowid or 0))
            self._insert_assignments(c, {d.id: d for d in docs}, assignments)
            c.execute("COMMIT")
        except BaseException:
            c.execute("ROLLBACK")
            raise
        return rowids

    @staticmethod
    def _insert_assignments(c: sqlite3.Connection, docs: dict[str, Document], assignments: Iterable[Assignment]) -> None:
        for a in assignments:
            doc = docs[a.doc_id]
            o_start, o_end = doc.text.to_original(a.start, a.end)
            c.execute(
                "INSERT INTO assignments VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (a.doc_id, a.chunk_id, json.dumps(list(a.section_path), ensure_ascii=False), a.agency,
                 a.agency_text, a.role, a.task, a.deadline, a.deadline_text, a.reports_to, a.start, a.end,
                 o_start, o_end, doc.text.original[o_start:o_end]),
            )

    def replace_assignments(self, by_doc: dict[str, Sequence[Assignment]]) -> None:
        """Replace the stored assignments of these documents, in one transaction."""
        c = self.conn
        docs = {doc_id: self.document(doc_id) for doc_id in by_doc}
        c.execute("BEGIN IMMEDIATE")
        try:
            for doc_id, assignments in by_doc.items():
                c.execute("DELETE FROM assignments WHERE doc_id=?", (doc_id,))
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

    @staticmethod
    def _delete(c: sqlite3.Connection, doc_ids: Sequence[str]) -> list[int]:
        removed: list[int] = []
        for doc_id in doc_ids:
            removed += [r for (r,) in c.execute("SELECT rowid FROM chunks WHERE doc_id=?", (doc_id,))]
            for table, col in (("chunks", "doc_id"), ("assignments", "doc_id"), ("document_provinces", "doc_id"),
                               ("document_cites", "doc_id"), ("documents", "id")):
                c.execute(f"DELETE FROM {table} WHERE {col}=?", (doc_id,))  # noqa: S608 (fixed table/column names)  # nosec B608
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

    def count(self, table: str) -> int:
        if table not in ("documents", "chunks", "assignments"):
            raise ValueError(table)
        return int(self.conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])  # noqa: S608 (table checked against a fixed pair)  # nosec B608

    def docs_with_number(self, number: str) -> list[str]:
        return [i for (i,) in self.conn.execute("SELECT id FROM documents WHERE number_key=? ORDER BY id", (key(number),))]

    def docs_citing(self, number: str) -> list[str]:
        return [i for (i,) in self.conn.execute(
            "SELECT DISTINCT doc_id FROM document_cites WHERE number_key=? ORDER BY doc_id", (key(number),))]

    def filtered_doc_ids(self, f: Filters) -> set[str]:
        """Documents that pass the filters (call only when some filter is set)."""
        where, args = [], []
        if f.province:
            where.append("id IN (SELECT doc_id FROM document_provinces WHERE province_key=?)")
            args.append(province_key(f.province))
        if f.type:
            where.append("type_key=?")
            args.append(filter_key(f.type))
        if f.issuer:
            where.append("issuer_key=?")
            args.append(issuer_key(f.issuer))
        if f.since:
            where.append("date IS NOT NULL AND date>=?")
            args.append(date_key(f.since))
        if f.until:
            where.append("date IS NOT NULL AND date<=?")
            args.append(date_key(f.until, end=True))
        if f.cites:
            where.append("id IN (SELECT doc_id FROM document_cites WHERE number_key=?)")
            args.append(key(f.cites))
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
        if not self.has_assignments():
            raise IndexNotReady(f"{self.path}: this index was built before assignments were stored; rebuild it")
        rows = self.conn.execute("SELECT agency, COUNT(*) FROM assignments GROUP BY agency").fetchall()
        return {name: n for name, n in rows}

    def tasks(
        self,
        agency: str | None = None,
        province: str | None = None,
        since: str | None = None,
        until: str | None = None,
        deadline_before: str | None = None,
        role: str | None = None,
    ) -> list[StoredTask]:
        """Assignments, newest directive first (undated last), each in text order.

        `agency` is any spelling the alias table knows ("Sở KH&ĐT", "so y te", "Giám đốc Sở
        Tài chính"), matched to its canonical name; `province` accepts the old and the 2025
        name like `Filters`; `since`/`until` bound the directive's date; `deadline_before` keeps
        tasks whose deadline is on or before that ISO date.
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
        if province:
            where.append("a.doc_id IN (SELECT doc_id FROM document_provinces WHERE province_key=?)")
            args.append(province_key(province))
        if since:
            where.append("d.date IS NOT NULL AND d.date>=?")
            args.append(date_key(since))
        if until:
            where.append("d.date IS NOT NULL AND d.date<=?")
            args.append(date_key(until, end=True))
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

"""`Filters` in SQL: one translation, used for chunks (dense pre-filtering, `Store.filtered_doc_ids`)
and for tasks (`Store.tasks`). The tantivy translation is `LexicalIndex._filter_queries`; both
compare the same keys (`index.lexical.filter_key` and its kin), so a filter means the same
documents on every path (tests/integration/test_filter_paths.py checks it on the seeds).

Clauses are fixed strings over fixed column names (checked); every value is bound as "?".
"""

from __future__ import annotations

from domain.model import Filters
from index.lexical import cite_key, date_key, filter_key, issuer_key, placed_issuer, province_key

_DOC_COLUMNS = frozenset({"id", "a.doc_id"})  # documents.id, assignments.doc_id
_TABLE_PREFIXES = frozenset({"", "d."})


def sql_clauses(f: Filters, doc_id: str = "id", table: str = "") -> tuple[list[str], list[object]]:
    """WHERE clauses (to be joined with AND) and their arguments: `doc_id` is the column holding
    the document id, `table` the prefix of the documents table's columns ("d." in a join)."""
    if doc_id not in _DOC_COLUMNS or table not in _TABLE_PREFIXES:
        raise ValueError(f"not a column of the store: {doc_id!r} / {table!r}")
    where: list[str] = []
    args: list[object] = []
    if f.province:
        where.append(f"{doc_id} IN (SELECT doc_id FROM document_provinces WHERE province_key=?)")  # nosec B608
        args.append(province_key(f.province))
    if f.type:
        where.append(f"{table}type_key=?")
        args.append(filter_key(f.type))
    if f.issuer:
        placed = placed_issuer(f.issuer)
        if placed is None:
            where.append(f"{table}issuer_key=?")
            args.append(issuer_key(f.issuer))
        else:  # "UBND tỉnh Kon Tum": that name, or "UBND tỉnh" in Kon Tum
            where.append(f"({table}issuer_key=? OR ({table}issuer_key=? AND {doc_id} IN "  # nosec B608
                         "(SELECT doc_id FROM document_provinces WHERE province_key=?)))")
            args += [issuer_key(f.issuer), placed[0], placed[1]]
    if f.since:
        where.append(f"{table}date IS NOT NULL AND {table}date>=?")
        args.append(date_key(f.since))
    if f.until:
        where.append(f"{table}date IS NOT NULL AND {table}date<=?")
        args.append(date_key(f.until, end=True))
    if f.cites:
        where.append(f"{doc_id} IN (SELECT doc_id FROM document_cites WHERE number_key=?)")  # nosec B608
        args.append(cite_key(f.cites))
    return where, args

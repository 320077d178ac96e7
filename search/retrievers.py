"""Retrievers over an index: BM25 (tantivy), dense (FAISS), and their hybrid.

Every retriever implements `domain.model.Retriever`. The hybrid fuses the two candidate lists
(`FusionPolicy`, chosen on the union of the dev sets), searches a topic that names one province
in that province's documents ("… ở Đồng Tháp"), puts the passages that assign an agency
question's organisation its tasks first ("Sở Y tế Cần Thơ phải làm gì"), and a document whose own
number is in the query before everything: "Công văn 1536/UBND-KTTH" must open on that letter.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import wait as wait_for
from dataclasses import dataclass, replace

import numpy as np

from domain.model import Filters, Hit, Retriever
from index.index import Index
from index.store import key
from ingest.metadata import find_doc_numbers
from ingest.vietnamese import fold, normalize
from search import agency_question
from search.diacritics import needs_restoration, restore_query
from search.fusion import get_fusion
from search.province_scope import question_province


def numbers_in(query: str) -> list[str]:
    """Document numbers typed in a query ("Công văn 1536/UBND-KTTH" -> ["1536/UBND-KTTH"])."""
    return find_doc_numbers(normalize(query))


def _hits(index: Index, ranked: list[tuple[str, float]]) -> list[Hit]:
    chunks = index.store.chunks_by_id(cid for cid, _ in ranked)
    return [
        Hit(cid, c.doc_id, score, c.text, c.section_path)
        for cid, score in ranked
        if (c := chunks.get(cid)) is not None  # a chunk id that does not resolve is never returned
    ]


class BM25Retriever:
    name = "bm25"

    def __init__(self, index: Index) -> None:
        self.index = index

    def ranked(self, query: str, k: int, filters: Filters | None = None) -> list[tuple[str, float]]:
        return self.index.lexical.search(query, k, filters)

    def search(self, query: str, k: int = 10, filters: Filters | None = None) -> list[Hit]:
        return _hits(self.index, self.ranked(query, k, filters))


class DenseRetriever:
    """FAISS over the embedded passages. A query typed without (some of) its marks is embedded
    restored ("so tai chinh" -> "sở tài chính", `search.diacritics`): e5 reads unmarked syllables
    as other words. When the restoration is unsure, both readings are searched and their lists
    fused (RRF), so a wrong guess costs half a list, not all of it."""

    name = "dense"

    def __init__(self, index: Index, restore: bool = True) -> None:
        self.index = index
        self.restore = restore

    def forms(self, query: str) -> tuple[str, ...]:
        """The texts embedded for a query: itself, or its restored reading(s)."""
        if not self.restore or not needs_restoration(query):
            return (query,)
        return restore_query(query).forms

    def ranked(self, query: str, k: int, filters: Filters | None = None) -> list[tuple[str, float]]:
        allowed = None
        if filters is not None and not filters.is_empty():
            allowed = self.index.store.rowids_of_docs(self.index.store.filtered_doc_ids(filters))
        forms = self.forms(query)
        vecs = self.index.embedder.encode_queries(list(forms))
        lists = []
        for vec in vecs:
            found = self.index.search_vectors(np.asarray(vec), k, allowed)
            chunk_ids = self.index.store.chunk_ids_by_rowid(i for i, _ in found)
            lists.append([(chunk_ids[i], s) for i, s in found if i in chunk_ids])
        if len(lists) == 1:
            return lists[0]
        return _max_fuse(lists)[:k]

    def search(self, query: str, k: int = 10, filters: Filters | None = None) -> list[Hit]:
        return _hits(self.index, self.ranked(query, k, filters))


def _max_fuse(lists: list[list[tuple[str, float]]]) -> list[tuple[str, float]]:
    """Several lists of the same retriever (comparable scores): each id at its best score."""
    best: dict[str, float] = {}
    for ranked in lists:
        for cid, score in ranked:
            if cid not in best or score > best[cid]:
                best[cid] = score
    return sorted(best.items(), key=lambda kv: -kv[1])


@dataclass(frozen=True)
class QueryFeatures:
    """What a query looks like, for query-dependent fusion weights."""

    unaccented: bool  # some syllable typed without its marks (restored for dense and BM25)
    unsure: bool  # the restoration kept a runner-up reading
    number: bool  # names a document number
    words: int  # syllables
    question: bool = False  # asked as a question ("... là gì?", "bao nhiêu", "đúng hay sai")

    @classmethod
    def of(cls, query: str) -> QueryFeatures:
        unaccented = needs_restoration(query)
        return cls(unaccented=unaccented,
                   unsure=unaccented and restore_query(query).alternative is not None,
                   number=bool(numbers_in(query)), words=len(query.split()),
                   question=_QUESTION.search(fold(normalize(query)).lower()) is not None)


# Question words of Vietnamese (folded): a question repeats the wording of the text it asks about
# more often than a topic described in the official's own words.
_QUESTION = re.compile(r"\?|\b(gi|nao|bao nhieu|bao gio|bao lau|khong|hay sai|the nao|ra sao|tai sao|vi sao|ai|dau)\s*\??$"
                       r"|\b(bao nhieu|nhu the nao|hay khong|dung hay sai|co phai)\b")


def topic_scope(query: str, filters: Filters | None = None,
                features: QueryFeatures | None = None) -> tuple[str, str] | None:
    """(province, words) when the hybrid searches `query` inside one province, else None.

    A topic search that names one province ("cảnh báo sụt lún cầu đường ở Đồng Tháp") searches
    that province's documents, and BM25 matches the rest of its words: inside the scope the
    place's name matches only the passages that spell it out (a letterhead, a preamble), not the
    ones about the topic. Dense still reads the whole query. Fewer than k passages inside are
    followed by the unscoped results.

    Not for a question (the factual answer scopes it itself, and its answer sentence often names
    the place), a document number, an agency question (scoped by its own grammar), or a search
    already filtered by province."""
    features = features or QueryFeatures.of(query)
    if features.question or features.number or (filters is not None and filters.province):
        return None
    province, words = question_province(query)  # 0.02-0.06 ms; the agency grammar ~0.2 ms
    if province is None or agency_question.parse(query, dt.date.today().isoformat()) is not None:
        return None
    return province, words


@dataclass(frozen=True)
class FusionPolicy:
    """How the BM25 and dense lists are fused: `fusion` ("rrf" or "weighted"), the (bm25, dense)
    weights, and the weights for queries typed without marks (`unaccented`, None: the same)."""

    fusion: str = "rrf"
    weights: tuple[float, float] = (1.0, 1.0)
    unaccented: tuple[float, float] | None = None
    rrf_k: int = 60
    question: tuple[float, float] | None = None  # weights for a query asked as a question

    def weights_for(self, features: QueryFeatures) -> tuple[float, float]:
        if features.unaccented and self.unaccented is not None:
            return self.unaccented
        if features.question and self.question is not None:
            return self.question
        return self.weights

    def fuse(self, lists: list[list[tuple[str, float]]], features: QueryFeatures) -> list[tuple[str, float]]:
        weights = self.weights_for(features)
        fuse = get_fusion(self.fusion)
        return fuse(lists, k=self.rrf_k, weights=weights) if self.fusion == "rrf" else fuse(lists, weights)


# Chosen with eval/sweep.py (table in README, "Unaccented queries, fusion, short answers"): on
# dev2025 no candidate giving dense more weight beat 0.7 BM25 / 0.3 dense (topic MRR@10 0.742 vs
# 0.686 for 0.5/0.5, 0.688 for RRF), and with restored queries the dense list is as useful for an
# unaccented query as for an accented one, so the former quarter weight for it is dropped:
# unaccented topics R@10 0.713 vs 0.673 (the same queries accented: 0.740). Accented queries
# (all of ALQAC's but one) fuse exactly as before.
DEFAULT_POLICY = FusionPolicy("weighted", (0.7, 0.3))


class HybridRetriever:
    """BM25 and dense candidates fused by a `FusionPolicy`, then a document whose own number is in
    the query first: "Công văn 1536/UBND-KTTH" must open on that letter. A query typed without
    marks is restored first (`search.diacritics`): BM25 reads the restored reading on the accented
    field beside the typed one on the folded field, dense embeds the restored reading(s).

    The two searches overlap (`parallel`, see `candidate_lists`): at 100k chunks a query cost
    BM25 + dense one after the other; now about the dense time (docs/scale.md)."""

    name = "hybrid"

    def __init__(self, index: Index, policy: FusionPolicy | None = None, candidates: int = 50,
                 restore: bool = True, parallel: bool = True) -> None:
        self.index = index
        self.policy = policy or DEFAULT_POLICY
        self.candidates = candidates
        self.restore = restore
        self.parallel = parallel  # BM25 on the shared lexical pool while this thread runs dense
        self.bm25 = BM25Retriever(index)
        self.dense = DenseRetriever(index, restore=restore)

    def lexical_query(self, query: str) -> str:
        """The text BM25 searches: the restored reading when it is sure, else the query as typed
        (folded field only, as before)."""
        if not self.restore or not needs_restoration(query):
            return query
        r = restore_query(query)
        return r.text if r.alternative is None else query

    def candidate_lists(self, query: str, n: int, filters: Filters | None = None,
                        words: str | None = None) -> list[list[tuple[str, float]]]:
        """[BM25 list, dense list]; BM25 searches `words` (the query's words to match, by default
        the query) and dense the whole query. With `parallel` the BM25 search runs on
        `lexical_pool()` while this thread embeds the query and searches the vectors: ONNX
        Runtime, FAISS and tantivy release the GIL, so on two cores a query costs about the dense
        time instead of the sum. The lists are the sequential path's. An error of either branch is
        raised with its own message (the dense one when both fail); a failed dense branch waits
        for the BM25 search."""
        lexical = self.lexical_query(query if words is None else words)
        if not self.parallel:
            return [self.bm25.ranked(lexical, n, filters), self.dense.ranked(query, n, filters)]
        _ = self.index.store  # a first query opens the index here, not in two threads at once
        pending = lexical_pool().submit(self.bm25.ranked, lexical, n, filters)
        try:
            dense = self.dense.ranked(query, n, filters)
        except BaseException:
            wait_for([pending])  # no search left running behind a failed query
            raise
        return [pending.result(), dense]

    def ranked(self, query: str, k: int, filters: Filters | None = None) -> list[tuple[str, float]]:
        features = QueryFeatures.of(query)
        scope = topic_scope(query, filters, features)
        if scope is None:
            return self._fused(query, k, features, filters)
        province, words = scope
        inside = self._fused(query, k, features, replace(filters or Filters(), province=province), words)
        if len(inside) >= k:
            return inside
        return _put_first(self._fused(query, k, features, filters), [cid for cid, _ in inside])[:k]

    def _fused(self, query: str, k: int, features: QueryFeatures, filters: Filters | None,
               words: str | None = None) -> list[tuple[str, float]]:
        lists = self.candidate_lists(query, max(self.candidates, k), filters, words)
        fused = self.policy.fuse(lists, features)
        return self._numbers_first(query, self._assigned_first(query, fused, filters), filters)[:k]

    def _assigned_first(self, query: str, fused: list[tuple[str, float]],
                        filters: Filters | None) -> list[tuple[str, float]]:
        """An agency question ("Sở Y tế Cần Thơ phải làm gì", typed with marks or without) opens on
        the passages that give the organisations it names their tasks (`Store.tasks`, every passage
        a task runs over, in the province the question names, if any): first those among the
        candidates, in fused order, then the others, newest directive first. The agency answer
        lists the same tasks (`answer.answers.agency_ask`)."""
        q = agency_question.parse(query, dt.date.today().isoformat())
        store = self.index.store
        if q is None or not store.has_assignments():
            return fused
        names = agency_question.match(q, store.organisations())
        if not names:
            return fused
        f = filters or Filters()
        if q.province and not f.province:
            f = replace(f, province=q.province)
        # Every passage a task covers: a task with its fields after it ("a) Nhiệm vụ: - ... - ...
        # b) Cơ quan thực hiện: ...") runs over several.
        own = store.chunks_assigned_to(names, f)
        if not own:
            return fused
        mine = set(own)
        first = [cid for cid, _ in fused if cid in mine]
        placed = set(first)
        return _put_first(fused, first + [cid for cid in own if cid not in placed])

    def _numbers_first(self, query: str, fused: list[tuple[str, float]],
                       filters: Filters | None) -> list[tuple[str, float]]:
        """A query that names a document number opens on exact matches: first the document
        that bears the number (its best chunk), then chunks that cite it, in fused order."""
        numbers = {k for k in map(key, numbers_in(query)) if k}
        if not numbers:
            return fused
        store = self.index.store
        owners = [d for n in numbers for d in store.docs_with_number(n)]
        if filters is not None and not filters.is_empty() and owners:
            allowed = store.filtered_doc_ids(filters)
            owners = [d for d in owners if d in allowed]
        chunks = store.chunks_by_id(cid for cid, _ in fused)

        def cites(cid: str) -> bool:
            c = chunks.get(cid)
            return c is not None and bool(numbers & {key(n) for n in find_doc_numbers(c.text)})

        first: list[str] = []
        for doc_id in dict.fromkeys(owners):
            best = next((cid for cid, _ in fused if chunks.get(cid) and chunks[cid].doc_id == doc_id), None)
            if best is None:
                own = store.chunks_of(doc_id)
                best = next((c.chunk_id for c in own if numbers & {key(n) for n in find_doc_numbers(c.text)}),
                            own[0].chunk_id if own else None)
            if best is not None:
                first.append(best)
        first += [cid for cid, _ in fused if cid not in first and cites(cid)]
        return _put_first(fused, first)

    def search(self, query: str, k: int = 10, filters: Filters | None = None) -> list[Hit]:
        return _hits(self.index, self.ranked(query, k, filters))


def _put_first(fused: list[tuple[str, float]], first: list[str]) -> list[tuple[str, float]]:
    """The chunks `first`, in that order, ahead of the rest of `fused`: scored above its top score
    (top + 1 + a step per place), the rest keeping their fused order and scores."""
    if not first:
        return fused
    top = (fused[0][1] if fused else 0.0) + 1.0
    ahead = set(first)
    boosted = [(cid, top + (len(first) - i) / len(first)) for i, cid in enumerate(first)]
    return boosted + [(cid, s) for cid, s in fused if cid not in ahead]


_POOL: ThreadPoolExecutor | None = None
_POOL_LOCK = threading.Lock()
LEXICAL_WORKERS = 4  # threads start only as concurrent queries need them


def lexical_pool() -> ThreadPoolExecutor:
    """The process's pool for the BM25 half of hybrid queries, created on first use and shared by
    every `HybridRetriever` (answers and evals make retrievers per call; threads must not be)."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            _POOL = ThreadPoolExecutor(LEXICAL_WORKERS, thread_name_prefix="chidao-bm25")
        return _POOL


def _forget_pool_in_child() -> None:
    """A forked child (multiprocessing, a server's workers) has none of the parent's threads, but a
    copied executor would believe its idle thread is there and queue work for nobody: start over."""
    global _POOL, _POOL_LOCK
    _POOL, _POOL_LOCK = None, threading.Lock()


os.register_at_fork(after_in_child=_forget_pool_in_child)


def _hybrid_weighted(index: Index) -> HybridRetriever:
    """The former default, weighted score fusion 0.7 BM25 / 0.3 dense, dense at a quarter of that
    for unaccented queries; kept for comparison in the eval."""
    r = HybridRetriever(index, FusionPolicy("weighted", (0.7, 0.3), (0.7, 0.075)))
    r.name = "hybrid_weighted"
    return r


def _dense_typed(index: Index) -> DenseRetriever:
    """Dense retrieval of the query as typed (no diacritic restoration), for comparison."""
    r = DenseRetriever(index, restore=False)
    r.name = "dense_typed"
    return r


RETRIEVERS: dict[str, Callable[[Index], Retriever]] = {"bm25": BM25Retriever, "dense": DenseRetriever, "hybrid": HybridRetriever,
              "hybrid_weighted": _hybrid_weighted, "dense_typed": _dense_typed}


def retrievers_for(index: Index, names: tuple[str, ...] = ("hybrid", "bm25", "dense")) -> Mapping[str, Retriever]:
    unknown = [n for n in names if n not in RETRIEVERS]
    if unknown:
        raise ValueError(f"unknown retriever {unknown[0]!r}; valid: {', '.join(RETRIEVERS)}")
    return {n: RETRIEVERS[n](index) for n in names}

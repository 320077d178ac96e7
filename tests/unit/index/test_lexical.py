"""index/lexical.py against rank-bm25 on the five seed directives, plus deletes and filters.

The seeds are cut into paragraphs (blank-line separated) here: the real chunker lives elsewhere,
and BM25 agreement does not depend on how chunks are cut.

Reference: rank_bm25.BM25Okapi on the very tokens the index stores, with k1 = 1.2, b = 0.75 and
two documented differences from tantivy taken into account:

1. idf. rank-bm25 uses log((N - n + 0.5) / (n + 0.5)) with an epsilon floor for common terms;
   tantivy (like Lucene) uses log(1 + (N - n + 0.5) / (n + 0.5)). `LuceneBM25` swaps in the
   Lucene formula, nothing else.
2. Document length. tantivy stores each field length in one byte ("fieldnorm"): exact up to 40
   tokens, then rounded down to a table whose steps double every 8 entries (42, 44, ... 56, 60,
   64, ... 88, 96, ...), at most about 11 % below the true length. The average length stays
   exact. `tantivy_fieldnorm` rebuilds that table.

With the table applied (test_scores_equal_reference) every score agrees to 1e-5 relative (tantivy
computes in float32) and the ranking is identical except among chunks whose scores tie exactly.
With rank-bm25's exact lengths (test_ranking_agrees_with_plain_rank_bm25) the ranking agrees up to
a tolerance derived from the table, not guessed: a shorter stored length only ever raises a
term's score, by at most the factor dl / fieldnorm(dl), so tantivy may put chunk a above chunk b
only if plain(a) * dl_a / fieldnorm(dl_a) >= plain(b).
"""

from __future__ import annotations

import bisect
import json
import math
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from rank_bm25 import BM25Okapi

from domain.model import Filters
from index.lexical import (
    MANIFEST,
    BadFilter,
    IndexMismatch,
    IndexNotOpen,
    LexicalIndex,
    LexicalIndexError,
    LexicalRow,
    query_fields,
)
from index.tokenize import tokenize
from ingest.vietnamese import fold

SEEDS = Path(__file__).resolve().parents[3] / "sample" / "seeds"
K1, B = 1.2, 0.75

# Gold metadata of the seeds (shared/eval/dev_metadata.jsonl), plus the post-2025 province names:
# Kon Tum was merged into Quảng Ngãi; Thái Nguyên and Đồng Nai kept their names.
META = {
    "000_e039e5926f709e92": (
        "Công văn",
        "2021-05-14",
        ("Kon Tum", "Quảng Ngãi"),
        ("203-TB/TU", "117/2020/NĐ-CP"),
    ),
    "001_b75f6995bec0e83d": ("Thông báo", None, ("Kon Tum", "Quảng Ngãi"), ("37/2016/QĐ-UBND", "79/NQ-CP")),
    "002_df20b3de81934500": ("Thông báo", "2021-10-12", ("Kon Tum", "Quảng Ngãi"), ("01-NQ/TU",)),
    "003_104911c3395eed31": ("Công văn", "2021-11-19", ("Thái Nguyên",), ("138/NQ-CP", "88/NQ-CP")),
    "004_8e1e77f4468c0f15": ("Công văn", "2020-07-30", ("Đồng Nai",), ("1098-KL/TU", "01/NQ-CP")),
}
ISSUERS = {"004_8e1e77f4468c0f15": "UBND tỉnh Đồng Nai"}

QUERIES = [
    "Sở Y tế",
    "nhiệm vụ của Sở Y tế",
    "giải ngân vốn đầu tư công",
    "đeo khẩu trang",
    "Sâm Ngọc Linh",
    "1536/UBND-KTTH",
    "Kết luận 1098-KL/TU",
    "Nghị quyết 138/NQ-CP",
    "Sở KH&ĐT",
    "Sở Lao động - Thương binh và Xã hội",
    "phòng, chống dịch Covid-19",
    "bệnh viêm da nổi cục trên trâu bò",
    "tiêm vắc-xin cho học sinh",
    "dịch vụ công trực tuyến mức độ 3, 4",
    "công nhận xã đạt chuẩn nông thôn mới",
    "so y te",
    "giai ngan von dau tu cong",
]


def paragraphs() -> Iterator[LexicalRow]:
    for path in sorted(SEEDS.glob("*.txt")):
        doc_id = path.stem
        kind, date, provinces, cites = META[doc_id]
        text = path.read_text(encoding="utf-8")
        parts = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
        for i, part in enumerate(parts):
            yield LexicalRow(
                chunk_id=f"{doc_id}#p{i}",
                doc_id=doc_id,
                text=part,
                province=provinces,
                type=kind,
                issuer=ISSUERS.get(doc_id, "UBND tỉnh"),
                date=date,
                cites=cites,
            )


ROWS = list(paragraphs())
TEXT = {row.chunk_id: row.text for row in ROWS}


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> LexicalIndex:
    ix = LexicalIndex(tmp_path_factory.mktemp("lexical") / "ix").create()
    assert ix.add(ROWS) == len(ROWS) == 164
    ix.commit()
    return ix


# -- the reference ------------------------------------------------------------------------


def tantivy_fieldnorm_table() -> list[int]:
    """tantivy's fieldnorm decode table (src/fieldnorm/code.rs): 0..40, then 8 steps per power of 2."""
    table, value, step = list(range(41)), 40, 2
    while len(table) < 256:
        for _ in range(8):
            value += step
            table.append(value)
        step *= 2
    return table[:256]


FIELDNORMS = tantivy_fieldnorm_table()


def tantivy_fieldnorm(length: int) -> int:
    """The length tantivy scores a field of `length` tokens with (rounded down to the table)."""
    return FIELDNORMS[bisect.bisect_right(FIELDNORMS, length) - 1]


class LuceneBM25(BM25Okapi):
    """rank-bm25's Okapi BM25 with Lucene's idf, optionally with tantivy's stored lengths."""

    doc_len: list[int]

    def __init__(self, corpus: list[list[str]], *, quantise: bool) -> None:
        super().__init__(corpus, k1=K1, b=B)
        if quantise:  # avgdl stays the exact mean, as in tantivy
            self.doc_len = [tantivy_fieldnorm(n) for n in self.doc_len]

    def _calc_idf(self, nd: dict[str, int]) -> None:
        for word, freq in nd.items():
            self.idf[word] = math.log(1 + (self.corpus_size - freq + 0.5) / (freq + 0.5))


class Reference:
    """Both index fields rebuilt in rank-bm25; a query scores as index.lexical queries them."""

    def __init__(self, *, quantise: bool) -> None:
        self.ids = [row.chunk_id for row in ROWS]
        tokens = [tokenize(row.text) for row in ROWS]
        self.doc_len: list[int] = [len(t) for t in tokens]
        self.fields = {
            "text": LuceneBM25(tokens, quantise=quantise),
            "text_folded": LuceneBM25([[fold(w) for w in t] for t in tokens], quantise=quantise),
        }

    def scores(self, query: str) -> dict[str, float]:
        total = [0.0] * len(self.ids)
        for field, tokens in query_fields(query):
            for i, s in enumerate(self.fields[field].get_scores(tokens)):
                total[i] += float(s)
        return dict(zip(self.ids, total))


@pytest.fixture(scope="module")
def exact_reference() -> Reference:
    return Reference(quantise=True)


@pytest.fixture(scope="module")
def plain_reference() -> Reference:
    return Reference(quantise=False)


def test_fieldnorm_table_matches_known_entries() -> None:
    assert FIELDNORMS[:3] == [0, 1, 2] and FIELDNORMS[40:50] == [40, 42, 44, 46, 48, 50, 52, 54, 56, 60]
    assert [tantivy_fieldnorm(n) for n in (40, 41, 95, 96, 2100)] == [40, 40, 88, 96, 2072]


@pytest.mark.parametrize("query", QUERIES)
def test_scores_equal_reference(index: LexicalIndex, exact_reference: Reference, query: str) -> None:
    hits = index.search(query, k=10)
    ref = exact_reference.scores(query)
    best = sorted(ref.values(), reverse=True)[: len(hits)]
    assert len(hits) == min(10, sum(s > 0 for s in ref.values()))
    for (chunk_id, score), expected in zip(hits, best):
        assert score == pytest.approx(ref[chunk_id], rel=1e-5)  # this chunk's own score
        assert score == pytest.approx(expected, rel=1e-5)  # and the rank it holds


@pytest.mark.parametrize("query", QUERIES)
def test_ranking_agrees_with_plain_rank_bm25(
    index: LexicalIndex, plain_reference: Reference, query: str
) -> None:
    hits = [chunk_id for chunk_id, _ in index.search(query, k=10)]
    ref = plain_reference.scores(query)
    length = dict(zip(plain_reference.ids, plain_reference.doc_len))

    def ceiling(chunk_id: str) -> float:  # the most tantivy can raise this chunk's plain score
        return ref[chunk_id] * length[chunk_id] / tantivy_fieldnorm(length[chunk_id]) * (1 + 1e-5)

    for i, above in enumerate(hits):
        for below in hits[i + 1 :]:
            assert ceiling(above) >= ref[below], (above, below)
    left_out = [c for c in sorted(ref, key=ref.__getitem__, reverse=True)[:10] if c not in hits]
    for chunk_id in left_out:
        assert ceiling(hits[-1]) >= ref[chunk_id], chunk_id


def test_plain_and_exact_top_hit_agree_on_most_queries(
    index: LexicalIndex, plain_reference: Reference, exact_reference: Reference
) -> None:
    same = 0
    for query in QUERIES:
        plain = max(plain_reference.scores(query).items(), key=lambda kv: kv[1])[0]
        same += index.search(query, k=1)[0][0] == plain
    assert same >= len(QUERIES) - 2


# -- behaviour on the seeds ----------------------------------------------------------------


def test_document_number_query_finds_its_chunk_first(index: LexicalIndex) -> None:
    for number in ("1098-KL/TU", "1536/UBND-KTTH", "138/NQ-CP", "8888 /UBND-THNC"):
        top, _ = index.search(number, k=1)[0]
        assert number.replace(" ", "") in TEXT[top].replace(" /", "/"), number


def test_folded_query_finds_the_same_top_hit(index: LexicalIndex) -> None:
    accented = index.search("nhiệm vụ của Sở Y tế", k=1)
    folded = index.search("nhiem vu cua so y te", k=1)
    assert folded[0][0] == accented[0][0]
    assert "Sở Y tế" in TEXT[folded[0][0]]


def test_abbreviation_query_finds_the_full_name(index: LexicalIndex) -> None:
    def words(text: str) -> str:  # "Lao động - Thương binh" = "Lao động, Thương binh" (seed 001)
        return " ".join(re.split(r"[\s,\-]+", text))

    for query, name in (
        ("Sở KH&ĐT", "Sở Kế hoạch và Đầu tư"),
        ("Sở LĐ-TB&XH", "Sở Lao động - Thương binh và Xã hội"),
    ):
        top, _ = index.search(query, k=1)[0]
        assert words(name) in words(TEXT[top]), query


def test_filters_restrict_without_changing_scores(index: LexicalIndex) -> None:
    free = dict(index.search("Sở Y tế", k=200))
    for filters in (Filters(province="Đồng Nai"), Filters(type="Công văn"), Filters(since="2021-01-01")):
        hits = index.search("Sở Y tế", k=200, filters=filters)
        assert hits
        for chunk_id, score in hits:
            assert score == pytest.approx(free[chunk_id], rel=1e-6)


def docs_of(hits: list[tuple[str, float]]) -> set[str]:
    return {chunk_id.split("#")[0] for chunk_id, _ in hits}


KON_TUM = {"000_e039e5926f709e92", "001_b75f6995bec0e83d", "002_df20b3de81934500"}


def test_province_filter_old_and_new_names_without_diacritics(index: LexicalIndex) -> None:
    for name in ("Kon Tum", "kon tum", "Tỉnh Kon Tum", "Quảng Ngãi", "quang ngai"):
        assert docs_of(index.search("Sở", k=200, filters=Filters(province=name))) == KON_TUM, name
    assert docs_of(index.search("Sở", k=200, filters=Filters(province="Dong Nai"))) == {
        "004_8e1e77f4468c0f15"
    }
    assert index.search("Sở", k=200, filters=Filters(province="Gia Lai")) == []


def test_type_and_issuer_filters(index: LexicalIndex) -> None:
    notices = {"001_b75f6995bec0e83d", "002_df20b3de81934500"}
    assert docs_of(index.search("tỉnh", k=200, filters=Filters(type="thong bao"))) == notices
    dong_nai = index.search("tỉnh", k=200, filters=Filters(issuer="Ủy ban nhân dân tỉnh Đồng Nai"))
    assert docs_of(dong_nai) == {"004_8e1e77f4468c0f15"}


def test_date_range_excludes_undated_documents(index: LexicalIndex) -> None:
    in_2021 = docs_of(index.search("tỉnh", k=200, filters=Filters(since="2021-01-01", until="2021-12-31")))
    assert in_2021 == {"000_e039e5926f709e92", "002_df20b3de81934500", "003_104911c3395eed31"}
    assert docs_of(index.search("tỉnh", k=200, filters=Filters(until="2021-05-14"))) == {
        "000_e039e5926f709e92",
        "004_8e1e77f4468c0f15",
    }
    assert docs_of(index.search("tỉnh", k=200, filters=Filters(since="2021-10"))) == {
        "002_df20b3de81934500",
        "003_104911c3395eed31",
    }
    with pytest.raises(BadFilter):
        index.search("tỉnh", filters=Filters(since="14/5/2021"))


def test_cites_filter_normalises_numbers(index: LexicalIndex) -> None:
    for number in ("117/2020/NĐ-CP", "117/2020/ND-CP", "117/2020/nđ-cp"):
        assert docs_of(index.search("tỉnh", k=200, filters=Filters(cites=number))) == {"000_e039e5926f709e92"}
    assert docs_of(index.search("tỉnh", k=200, filters=Filters(cites="1/NQ-CP"))) == {"004_8e1e77f4468c0f15"}


def test_delete_by_document_removes_its_chunks(tmp_path: Path) -> None:
    ix = LexicalIndex(tmp_path / "ix").create()
    ix.add(ROWS)
    ix.commit()
    doc = "004_8e1e77f4468c0f15"
    n_doc = sum(row.doc_id == doc for row in ROWS)
    assert docs_of(ix.search("1098-KL/TU", k=3)) == {doc}
    ix.delete_documents([doc])
    assert ix.count() == len(ROWS)  # not visible before commit
    ix.commit()
    assert ix.count() == len(ROWS) - n_doc
    assert doc not in docs_of(ix.search("1098-KL/TU tỉnh Đồng Nai", k=200))
    ix.close()


def test_reopen_and_manifest(tmp_path: Path) -> None:
    path = tmp_path / "ix"
    with pytest.raises(IndexNotOpen):
        LexicalIndex(path).search("Sở Y tế")
    ix = LexicalIndex(path).create()
    ix.add(ROWS[:20])
    ix.commit()
    before = ix.search("Ủy ban nhân dân tỉnh", k=5)
    ix.close()
    again = LexicalIndex(path).open()
    assert again.count() == 20
    assert again.search("Ủy ban nhân dân tỉnh", k=5) == before
    manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    manifest["tokenizer"] = "some-other-tokenizer"
    (path / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(IndexMismatch, match="rebuild"):
        LexicalIndex(path).open()
    with pytest.raises(LexicalIndexError, match="overwrite"):
        LexicalIndex(path).create()
    assert LexicalIndex(path).create(overwrite=True).count() == 0
    other = tmp_path / "not-an-index"
    other.mkdir()
    (other / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(LexicalIndexError, match="not empty"):
        LexicalIndex(other).create(overwrite=True)
    assert (other / "notes.txt").exists()

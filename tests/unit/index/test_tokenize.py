"""index/tokenize.py: exact tokens for the cases the style guide and the seeds call out."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.tokenize import (
    TOKENIZER_VERSION,
    _tokens,
    abbreviation_key,
    abbreviations,
    canonical_doc_number,
    expand_abbreviations,
    fold_fast,
    fold_tokens,
    stopwords,
    tokenize,
    tokenizer_id,
)
from ingest.vietnamese import fold, normalize

SEEDS = sorted((Path(__file__).resolve().parents[3] / "sample" / "seeds").glob("*.txt"))


@pytest.fixture(scope="module")
def seed_texts() -> list[str]:
    assert len(SEEDS) == 5
    return [p.read_text(encoding="utf-8") for p in SEEDS]


# -- syllables, bigrams, one-letter syllables, numbers --------------------------------------


def test_agency_keeps_one_letter_syllable() -> None:
    assert tokenize("Sở Y tế") == ["sở", "y", "tế", "sở_y", "y_tế"]


def test_point_and_clause_numbers() -> None:
    assert tokenize("điểm a khoản 2") == ["điểm", "a", "khoản", "2", "điểm_a", "a_khoản", "khoản_2"]


def test_tone_placement_is_normalised() -> None:
    assert tokenize("Uỷ ban") == tokenize("Ủy ban") == ["ủy", "ban", "ủy_ban"]
    assert tokenize("hoà bình") == tokenize("hòa bình")


def test_bigrams_stop_at_punctuation_not_at_a_single_newline() -> None:
    # "phòng, chống": the comma ends the clause; a hard-wrapped line does not.
    assert tokenize("phòng, chống dịch") == ["phòng", "chống", "dịch", "chống_dịch"]
    assert tokenize("ban hành\nCông văn") == [
        "ban",
        "hành",
        "công",
        "văn",
        "ban_hành",
        "hành_công",
        "công_văn",
    ]
    assert tokenize("Công văn\n\nTHÔNG BÁO") == ["công", "văn", "thông", "báo", "công_văn", "thông_báo"]
    assert tokenize("các sở:\n- Sở Y tế") == ["các", "sở", "sở", "y", "tế", "các_sở", "sở_y", "y_tế"]


def test_dash_between_words_keeps_the_clause() -> None:
    assert tokenize("kinh tế - xã hội") == ["kinh", "tế", "xã", "hội", "kinh_tế", "tế_xã", "xã_hội"]


def test_dates_and_numbers_are_single_tokens_without_leading_zeros() -> None:
    assert tokenize("ngày 06/01/2020") == ["ngày", "6/1/2020", "ngày_6/1/2020"]
    assert tokenize("ngày 6/1/2020") == tokenize("ngày 06/01/2020")
    assert tokenize("đạt 6,05%") == ["đạt", "6,05", "đạt_6,05"]
    assert tokenize("lúc 08:30") == ["lúc", "8:30", "lúc_8:30"]
    assert tokenize("Covid-19") == ["covid", "19", "covid_19"]


# -- document numbers --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1536/UBND-KTTH", ["1536/ubnd-ktth", "1536"]),
        ("1098-KL/TU", ["1098-kl/tu", "1098"]),
        ("117/2020/NĐ-CP", ["117/2020/nđ-cp", "117"]),
        ("138/NQ-CP", ["138/nq-cp", "138"]),
        ("01/NQ-CP", ["1/nq-cp", "1"]),
        ("8888 /UBND-THNC", ["8888/ubnd-thnc", "8888"]),
        ("59/2020/QH14", ["59/2020/qh14", "59"]),
        ("15/CT-TTg", ["15/ct-ttg", "15"]),
    ],
)
def test_document_numbers(text: str, expected: list[str]) -> None:
    assert tokenize(text) == expected


def test_document_number_in_a_sentence() -> None:
    # The bare number stands in the bigram chain ("số_138"), so "Nghị quyết số 138" matches too.
    assert tokenize("Nghị quyết số 138/NQ-CP ngày 10/11/2021") == [
        "nghị", "quyết", "số", "138/nq-cp", "138", "ngày", "10/11/2021",
        "nghị_quyết", "quyết_số", "số_138", "138_ngày", "ngày_10/11/2021",
    ]  # fmt: skip


def test_no_document_number_without_letters_or_with_one_bare_code() -> None:
    assert tokenize("15/8/2020") == ["15/8/2020"]
    assert tokenize("50/ha") == ["50", "ha"]  # "/" ends the clause: no bigram either


def test_canonical_doc_number() -> None:
    assert canonical_doc_number("8888 /UBND-THNC") == "8888/ubnd-thnc"
    assert canonical_doc_number("01/NQ-CP") == canonical_doc_number("1/NQ-CP") == "1/nq-cp"
    assert canonical_doc_number("1098–KL/TU") == "1098-kl/tu"  # en dash


# -- abbreviations -------------------------------------------------------------------------


def test_agency_abbreviation_matches_the_full_name() -> None:
    full = tokenize("Sở Kế hoạch và Đầu tư")
    assert full == [
        "sở", "kế", "hoạch", "và", "đầu", "tư",
        "sở_kế", "kế_hoạch", "hoạch_và", "và_đầu", "đầu_tư",
    ]  # fmt: skip
    short = tokenize("Sở KH&ĐT")
    assert short == ["sở", "khđt", *full[1:]]
    assert tokenize("Sở KHĐT") == tokenize("Sở KH-ĐT") == short


def test_labour_ministry_abbreviation() -> None:
    full = tokenize("Sở Lao động - Thương binh và Xã hội")
    assert tokenize("Sở LĐ-TB&XH") == ["sở", "lđtbxh", *full[1:]]
    assert tokenize("Sở LĐTBXH") == tokenize("Sở LĐ-TB&XH")


def test_people_committee() -> None:
    assert tokenize("UBND tỉnh") == [
        "ubnd", "ủy", "ban", "nhân", "dân", "tỉnh",
        "ủy_ban", "ban_nhân", "nhân_dân", "dân_tỉnh",
    ]  # fmt: skip
    assert set(tokenize("Ủy ban nhân dân tỉnh")) == set(tokenize("UBND tỉnh")) - {"ubnd"}


def test_comma_variant_keeps_the_official_name_break() -> None:
    assert tokenize("Sở VH,TT&DL") == tokenize("Sở VH-TT&DL") == [
        "sở", "vhttdl", "văn", "hóa", "thể", "thao", "và", "du", "lịch",
        "sở_văn", "văn_hóa", "thể_thao", "thao_và", "và_du", "du_lịch",
    ]  # fmt: skip
    assert set(tokenize("Sở Văn hóa, Thể thao và Du lịch")) == set(tokenize("Sở VH,TT&DL")) - {"vhttdl"}


def test_joined_abbreviations_expand_each() -> None:
    assert tokenize("HĐND-UBND") == [
        "hđnd", "hội", "đồng", "nhân", "dân", "ubnd", "ủy", "ban", "nhân", "dân",
        "hội_đồng", "đồng_nhân", "nhân_dân", "dân_ủy", "ủy_ban", "ban_nhân", "nhân_dân",
    ]  # fmt: skip


def test_document_type_codes_expand_only_before_a_number() -> None:
    assert tokenize("QĐ 4019") == ["qđ", "quyết", "định", "4019", "quyết_định", "định_4019"]
    assert tokenize("theo QĐ\n\n4019") == ["theo", "qđ", "4019", "theo_qđ"]  # a blank line between
    assert tokenize("CT của tỉnh") == ["ct", "của", "tỉnh", "ct_của", "của_tỉnh"]  # chỉ thị? chương trình?


def test_abbreviations_inside_document_numbers_stay_codes() -> None:
    assert "ủy" not in tokenize("1536/UBND-KTTH")


def test_folded_abbreviations() -> None:
    assert tokenize("so khdt", folded=True) == tokenize("Sở KH&ĐT", folded=True)
    assert tokenize("Sở KH&ĐT", folded=True) == [fold(t) for t in tokenize("Sở KH&ĐT")]


def test_expand_abbreviations_text() -> None:
    assert expand_abbreviations("Sở KH&ĐT, UBND tỉnh") == "Sở Kế hoạch và Đầu tư, Ủy ban nhân dân tỉnh"
    assert expand_abbreviations("theo QĐ 4019, CT của tỉnh") == "theo Quyết định 4019, CT của tỉnh"
    assert expand_abbreviations("Công văn số 1536/UBND-KTTH") == "Công văn số 1536/UBND-KTTH"
    assert expand_abbreviations("Sở LĐ-TB&XH") == "Sở Lao động - Thương binh và Xã hội"


def test_expanded_text_tokenizes_into_the_same_tokens(seed_texts: list[str]) -> None:
    # tokenize() and expand_abbreviations() agree: writing the expansions out adds nothing new.
    for text in seed_texts:
        assert set(tokenize(expand_abbreviations(text))) <= set(tokenize(text))


def test_lexicon_data() -> None:
    table = abbreviations()
    assert table["khđt"].expansion == "Kế hoạch và Đầu tư"
    assert table["lđtbxh"].expansion == "Lao động - Thương binh và Xã hội"
    assert abbreviation_key("LĐ-TB&XH") == abbreviation_key("LĐTB&XH") == "lđtbxh"
    for key, abbr in table.items():
        assert abbr.source, key
        assert " " not in key, key
    assert {"tu", "ca"}.isdisjoint(table)  # Vietnamese words, never abbreviations


# -- folding, stopwords ------------------------------------------------------------------


def test_folded_query_tokens_equal_folded_document_tokens() -> None:
    assert tokenize("nhiem vu cua so y te") == tokenize("nhiệm vụ của Sở Y tế", folded=True)
    assert tokenize("Đồng Nai", folded=True) == ["dong", "nai", "dong_nai"]


def test_fold_fast_equals_fold(seed_texts: list[str]) -> None:
    for text in seed_texts:
        n = normalize(text)
        assert fold_fast(n) == fold(n)
        tokens = tokenize(text)
        assert fold_tokens(tokens) == [fold(t) for t in tokens]


def test_stopwords_drop_unigrams_only_and_never_one_letter() -> None:
    assert tokenize("nhiệm vụ của Sở Y tế và a", drop_stopwords=True) == [
        "nhiệm", "vụ", "sở", "y", "tế", "a",
        "nhiệm_vụ", "vụ_của", "của_sở", "sở_y", "y_tế", "tế_và", "và_a",
    ]  # fmt: skip
    assert all(len(w) > 1 for w in stopwords())


# -- whole documents -----------------------------------------------------------------------


def test_same_tokens_as_normalising_the_whole_text_first(seed_texts: list[str]) -> None:
    # tokenize() places tones word by word (memoised) for speed; the result must be exactly
    # that of ingest.vietnamese.normalize() on the whole text followed by the scanner.
    for text in seed_texts:
        assert tokenize(text) == _tokens(normalize(text).lower(), False, False, False)
        assert tokenize(text, folded=True) == _tokens(fold(normalize(text)).lower(), True, False, False)


def test_seed_tokens_are_whitespace_free_and_keep_key_terms(seed_texts: list[str]) -> None:
    tokens = [t for text in seed_texts for t in tokenize(text)]
    assert all(t and not any(c.isspace() for c in t) for t in tokens)
    vocab = set(tokens)
    for term in (
        "1536/ubnd-ktth",
        "1098-kl/tu",
        "117/2020/nđ-cp",
        "8888/ubnd-thnc",
        "1/nq-cp",
        "sở_y",
        "y_tế",
    ):
        assert term in vocab, term


def test_tokenizer_id_names_the_version() -> None:
    assert tokenizer_id().startswith(TOKENIZER_VERSION + "+")

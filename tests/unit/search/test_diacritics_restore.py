"""Diacritic restoration with the shipped model (search/data/diacritics.npz) on real directive wording."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from search.diacritics import (
    MODEL_PATH,
    DiacriticModel,
    DiacriticModelError,
    needs_restoration,
    restore_query,
    segments,
)


def test_segments_break_at_punctuation_and_numbers() -> None:
    assert list(segments("Sở Y tế, UBND tỉnh: trước ngày 15/8/2020 báo cáo")) == [
        ["sở", "y", "tế"], ["ubnd", "tỉnh"], ["trước", "ngày"], ["báo", "cáo"]]


@pytest.mark.parametrize(("typed", "restored"), [
    ("so tai chinh", "sở tài chính"),
    ("So Y te", "Sở Y tế"),
    ("phan loai rac thai sinh hoat tai nguon", "phân loại rác thải sinh hoạt tại nguồn"),
    ("nhiem vu cua uy ban nhan dan tinh", "nhiệm vụ của ủy ban nhân dân tỉnh"),
])
def test_unaccented_directive_words_are_restored_with_their_case(typed: str, restored: str) -> None:
    assert restore_query(typed).text == restored


def test_marks_the_user_typed_are_kept_and_only_the_rest_restored() -> None:
    r = restore_query("so Tài chính")
    assert r.text == "sở Tài chính"
    assert restore_query("Sở Tài chính").text == "Sở Tài chính"
    assert not needs_restoration("Sở Tài chính")
    assert needs_restoration("so Tài chính")


def test_acronyms_numbers_and_document_numbers_are_kept_as_typed() -> None:
    r = restore_query("cong van 1536/UBND-KTTH cua UBND tinh")
    assert r.text == "công văn 1536/UBND-KTTH của UBND tỉnh"


def test_an_unsure_reading_comes_with_its_runner_up() -> None:
    r = restore_query("ban")  # bàn, bán, bản, ban, bạn: one syllable has no context
    assert r.alternative is not None and r.alternative != r.text
    assert r.forms == (r.text, r.alternative)
    sure = restore_query("nhiem vu cua uy ban nhan dan tinh")
    assert sure.alternative is None and sure.margin >= 2.0 and sure.forms == (sure.text,)


def test_the_model_file_is_small_and_has_no_pickled_objects() -> None:
    assert MODEL_PATH.stat().st_size < 8_000_000
    with np.load(MODEL_PATH, allow_pickle=False) as z:
        assert set(z.files) == {"format", "words", "unigrams", "bigram_deltas", "bigram_counts",
                                "trigram_deltas", "trigram_counts"}


def test_a_bad_model_file_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "diacritics.npz"
    bad.write_bytes(b"not a model")
    with pytest.raises(DiacriticModelError, match=r"diacritics\.npz: cannot read the diacritics model"):
        DiacriticModel.load(bad)


def test_a_saved_model_round_trips(tmp_path: Path) -> None:
    model = DiacriticModel(["<s>", "<unk>", "sở", "số", "so", "y", "tế"], np.array([0, 0, 50, 80, 10, 60, 60]),
                           np.array([2 * 7 + 5, 5 * 7 + 6]), np.array([40, 55]),
                           np.array([(2 * 7 + 5) * 7 + 6]), np.array([40]))
    path = tmp_path / "m.npz"
    model.save(path)
    again = DiacriticModel.load(path)
    assert again.words == model.words
    words, margin, _ = again.decode(["so", "y", "te"])
    assert words == ["sở", "y", "tế"] and margin > 0 and not math.isinf(margin)


def test_in_a_query_typed_with_marks_a_plain_word_stays_unless_its_neighbours_vouch_for_it() -> None:
    assert restore_query("bệnh viêm da nổi cục trên trâu bò").text == "bệnh viêm da nổi cục trên trâu bò"
    assert not needs_restoration("bệnh viêm da nổi cục trên trâu bò")
    assert restore_query("nhiệm vụ cua Sở Y tế").text == "nhiệm vụ của Sở Y tế"
    assert restore_query("Kết luận 1098-KL/TU").text == "Kết luận 1098-KL/TU"

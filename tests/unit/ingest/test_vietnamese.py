from __future__ import annotations

import unicodedata

import pytest

from ingest.vietnamese import fold, has_diacritics, normalize


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("hoà", "hòa"), ("uỷ", "ủy"), ("khoá", "khóa"), ("Uỷ ban", "Ủy ban"), ("thuỷ lợi", "thủy lợi"),
        ("hòang", "hoàng"),  # a final consonant moves the tone to the last vowel
        ("người", "người"), ("quý", "quý"), ("già", "già"), ("khuỷu", "khuỷu"), ("ngoài", "ngoài"),
        ("Sở Y tế", "Sở Y tế"), ("UBND", "UBND"), ("1536/UBND-KTTH", "1536/UBND-KTTH"),
    ],
)
def test_one_tone_placement(given: str, expected: str) -> None:
    assert normalize(given) == expected


def test_decomposed_input_is_composed() -> None:
    assert normalize(unicodedata.normalize("NFD", "Thủ trưởng các sở")) == "Thủ trưởng các sở"


def test_fold_strips_every_diacritic() -> None:
    assert fold("Nhiệm vụ của Sở Y tế Đồng Nai") == "Nhiem vu cua So Y te Dong Nai"
    assert not has_diacritics("nhiem vu cua so y te")
    assert has_diacritics("Sở")

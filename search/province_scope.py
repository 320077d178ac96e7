"""The one province a query names ("… ở Đồng Tháp", "Cần Thơ tặng bằng khen …"), and the query
without it: a place in a search box is a scope, not words to match.

Both the hybrid retriever (a topic search) and the factual answer (a question) read it here.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ingest import provinces
from ingest.vietnamese import fold, normalize


@lru_cache(maxsize=1)
def _province_pattern() -> tuple[re.Pattern[str], dict[str, str]]:
    """Every listed spelling of a province of two or more words, over folded lower-case text
    ("dong nai", "tinh kon tum", "ba ria vung tau"); one-word spellings ("Huế") are too often
    ordinary words once folded."""
    names = {k: v for k, v in provinces.spellings().items() if " " in k}
    body = "|".join(re.escape(k).replace(r"\ ", r"[\s-]+") for k in sorted(names, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:(?:tinh|thanh pho|tp\.?)\s+)?(?P<name>{body})(?!\w)"), names


def question_province(question: str) -> tuple[str | None, str]:
    """The one province a query names, and the query without it.

    "Thu ngân sách ... của Đồng Nai đạt bao nhiêu" -> ("Đồng Nai", "Thu ngân sách ... của đạt bao
    nhiêu"), spaces collapsed. A query naming no province, or several, gives (None, query)."""
    pattern, names = _province_pattern()
    folded = fold(normalize(question)).lower()
    found = list(pattern.finditer(folded))
    named = {names[" ".join(m.group("name").replace("-", " ").split())] for m in found}
    if len(named) != 1:
        return None, question
    text = normalize(question)
    for m in reversed(found):  # folding keeps offsets: one character in, one out
        text = text[: m.start()] + " " + text[m.end():]
    return named.pop(), " ".join(text.split())

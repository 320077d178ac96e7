"""Every labelled snippet of the dev queries lives whole inside some chunk of its document."""

from __future__ import annotations

import json
from pathlib import Path

from eval.datasets import normalize_for_match
from ingest.pipeline import ingest_file
from tests.conftest import SEEDS


def test_every_relevant_snippet_is_inside_one_chunk(shared: Path) -> None:
    chunks: dict[str, list[str]] = {}
    for path in sorted(SEEDS.glob("*.txt")):
        for c in ingest_file(path).chunks:
            chunks.setdefault(c.doc_id.split("#")[0], []).append(normalize_for_match(c.text))
    missing = []
    n = 0
    for line in (shared / "eval" / "dev_queries.jsonl").read_text(encoding="utf-8").splitlines():
        q = json.loads(line)
        for item in q["relevant"] + q.get("not_answer", []):
            n += 1
            snippet = normalize_for_match(item["text"])
            if not any(snippet in text for text in chunks[item["doc"]]):
                missing.append((q["id"], item["text"]))
    assert n == 100
    assert missing == []

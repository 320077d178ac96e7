"""Coverage-guided fuzzing with atheris (issue 7.6), where it installs (`pip install atheris`).

    PYTHONPATH=. python scripts/fuzz_atheris.py TARGET -atheris_runs=200000 -max_total_time=120

TARGET is one of: text (ingest_text: clean, attachments, metadata, sections, chunks), docx,
pdf, html, sniff. A crash is any exception other than IngestError; atheris writes the input that
caused it to crash-<sha1> in the working directory. The Hypothesis tests in
tests/reliability/test_fuzz_parsers.py are the CI part; this runs longer, guided by coverage.
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports():
    from ingest.model import IngestError
    from ingest.pipeline import ingest_text
    from ingest.readers import READERS, detect_format


def _text(data: bytes) -> None:
    text = atheris.FuzzedDataProvider(data).ConsumeUnicodeNoSurrogates(len(data))
    try:
        ingest_text(text, "fuzz", "fuzz.txt")
    except IngestError:
        pass


def _reader(fmt: str):  # type: ignore[no-untyped-def]
    def one(data: bytes) -> None:
        try:
            READERS[fmt](data, f"fuzz.{fmt}")
        except IngestError:
            pass

    return one


def _sniff(data: bytes) -> None:
    try:
        detect_format(data, ".docx", "fuzz.docx")
    except IngestError:
        pass


TARGETS = {"text": _text, "docx": _reader("docx"), "pdf": _reader("pdf"), "html": _reader("html"), "sniff": _sniff}


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in TARGETS:
        sys.exit(f"usage: fuzz_atheris.py TARGET [libFuzzer flags]; TARGET one of: {', '.join(TARGETS)}")
    target = TARGETS[sys.argv.pop(1)]
    atheris.Setup(sys.argv, target)
    atheris.Fuzz()


if __name__ == "__main__":
    main()

"""Subcommand bodies. Heavy modules are imported inside each command, so `chidao --help` is instant."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path


class CommandError(Exception):
    """A user-facing failure: printed as one line, exit status 2."""


EXTRA_PARSERS: list[Callable[[argparse._SubParsersAction], None]] = []


def ingest(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from ingest.jsonl import chunk_to_dict, document_to_dict, write_jsonl
    from ingest.model import IngestError
    from ingest.pipeline import expand_paths, ingest_paths

    paths = expand_paths(args.paths)
    if not paths:
        raise CommandError("no input files found in " + " ".join(args.paths))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    docs, chunks, failed = [], [], 0
    started = time.perf_counter()
    bar = tqdm(total=len(paths), unit="file", disable=args.quiet or len(paths) < 20, file=sys.stderr)
    for result in ingest_paths(paths):
        bar.update(1)
        if isinstance(result, IngestError):
            failed += 1
            bar.write(f"error: {result}", file=sys.stderr)
            continue
        docs.extend(document_to_dict(d) for d in result.documents)
        chunks.extend(chunk_to_dict(c) for c in result.chunks)
    bar.close()
    write_jsonl(out / "documents.jsonl", docs)
    write_jsonl(out / "chunks.jsonl", chunks)
    elapsed = time.perf_counter() - started
    print(
        f"ingested {len(paths) - failed}/{len(paths)} files: {len(docs)} documents, {len(chunks)} chunks "
        f"in {elapsed:.2f}s -> {out}",
        file=sys.stderr,
    )
    return 1 if failed else 0

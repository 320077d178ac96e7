"""The `chidao` command. Each subcommand parses arguments, calls the core, and maps errors."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from chidao import commands

Handler = Callable[[argparse.Namespace], int]


def _add_ingest(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("ingest", help="read directive files into documents.jsonl and chunks.jsonl")
    p.add_argument("paths", nargs="+", help="files or folders (.txt .md .html .docx .pdf .doc)")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(handler=commands.ingest)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="chidao", description="Search Vietnamese government directives.")
    sub = parser.add_subparsers(dest="command", required=True)
    for add in (_add_ingest, *commands.EXTRA_PARSERS):
        add(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler: Handler = args.handler
    try:
        return handler(args)
    except KeyboardInterrupt:
        return 130
    except commands.CommandError as exc:
        print(f"chidao: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

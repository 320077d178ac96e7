"""Write an evaluation to a folder: report.md, recall_at_k.png, TREC run files, failures.jsonl."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from eval.runner import EvalResult, QueryResult

SHOWN_RETRIEVED = 3  # passages listed per failed query in report.md


def trec_id(raw: str) -> str:
    """An id as one whitespace-free TREC token: whitespace runs become "_".

    ALQAC corpus ids hold spaces ("Luật Phòng, chống ma túy#1"); trec_eval splits on them.
    """
    return re.sub(r"\s+", "_", raw.strip())


def _file_safe(name: str) -> str:
    return re.sub(r"[^\w.-]+", "_", name)


def trec_run_lines(result: EvalResult, retriever: str) -> list[str]:
    """`qid Q0 docid rank score runname`, the whole depth; docid is the chunk id in snippet mode.

    Scores are the retriever's own. trec_eval re-sorts by score (ties by docid), so where
    scores tie its figures can differ from ours, which keep the retriever's order.
    """
    lines = []
    for r in result.results(retriever):
        for p in r.retrieved:
            docid = p.chunk_id if result.unit == "chunk" else p.doc_id
            qid, docid, run = trec_id(r.query.id), trec_id(docid), trec_id(retriever)
            lines.append(f"{qid} Q0 {docid} {p.rank} {p.score:.6f} {run}")
    return lines


def trec_qrels_lines(result: EvalResult) -> list[str]:
    """`qid 0 docid 1` for doc-mode (BEIR) results, so trec_eval can score the run files."""
    results = next(iter(result.runs.values()), ())
    return [f"{trec_id(r.query.id)} 0 {trec_id(item.doc)} 1" for r in results for item in r.query.relevant]


def failures(result: EvalResult) -> list[dict[str, object]]:
    """One record per (retriever, query) whose recall@k is below 1: what was missed and returned."""
    k = result.k
    out: list[dict[str, object]] = []
    for retriever in result.runs:
        for r in result.results(retriever):
            missing = r.missing(k)
            if not missing:
                continue
            out.append(
                {
                    "retriever": retriever,
                    "query_id": r.query.id,
                    "type": r.query.type,
                    "query": r.query.query,
                    "first_rank": r.first_rank,
                    f"recall@{k}": r.metric(f"recall@{k}"),
                    "missing": [{"doc": i.doc, "text": i.text} for i in missing],
                    "retrieved": [
                        {
                            "rank": p.rank,
                            "doc_id": p.doc_id,
                            "chunk_id": p.chunk_id,
                            "score": p.score,
                            "matched": sorted(p.matched),
                            "snippet": p.snippet,
                        }
                        for p in r.retrieved[:k]
                    ],
                }
            )
    return out


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]


def _failure_lines(result: EvalResult, r: QueryResult) -> list[str]:
    k = result.k
    if r.first_rank is None:
        rank = f"nothing relevant in the top {result.depth}"
    else:
        rank = f"first relevant at rank {r.first_rank}"
    lines = [(f"- **{r.query.id}** ({r.query.type}) `{r.query.query}`: recall@{k} "
             f"{r.metric(f'recall@{k}'):.2f}, {rank}")]
    lines += [f"  - missed `{item.doc}`: {item.text}" for item in r.missing(k)]
    for p in r.retrieved[:SHOWN_RETRIEVED]:
        mark = " (relevant)" if p.matched else ""
        lines.append(f"  - got {p.rank}. `{p.chunk_id}`{mark}: {p.snippet}")
    return lines


def report_markdown(result: EvalResult, now: datetime | None = None) -> str:
    now = now or datetime.now(UTC)
    names = result.metric_names
    lines = [
        f"# Retrieval evaluation: {result.dataset}",
        "",
        f"- date: {now.date().isoformat()}",
        f"- dataset: {result.dataset}, {result.n_queries} queries",
        f"- k = {result.k}, ranking depth {result.depth}; ranks keep the retriever's order on equal scores",
        "",
        "## All queries",
        "",
    ]
    rows = []
    for retriever in result.runs:
        seconds = [r.seconds for r in result.results(retriever)]
        summary = result.summary(retriever)
        ms = 1000 * sum(seconds) / len(seconds) if seconds else 0.0
        rows.append([retriever, *(f"{summary[m]:.3f}" for m in names), f"{ms:.1f}"])
    lines += _table(["retriever", *names, "ms/query"], rows)
    lines += ["", "## By query type", ""]
    rows = []
    for t in result.query_types:
        n = len(result.results(next(iter(result.runs)), t))
        for retriever in result.runs:
            summary = result.summary(retriever, t)
            rows.append([f"{t} ({n})", retriever, *(f"{summary[m]:.3f}" for m in names)])
    lines += _table(["type", "retriever", *names], rows)
    if result.answers:
        lines += ["", *answers_markdown(result.answers)]
    lines += ["", f"## Failed queries (recall@{result.k} < 1)", ""]
    for retriever in result.runs:
        failed = [r for r in result.results(retriever) if r.missing(result.k)]
        lines += [f"### {retriever}: {len(failed)} of {result.n_queries}", ""]
        for r in failed:
            lines += _failure_lines(result, r)
        lines.append("")
    return "\n".join(lines)


def answers_markdown(answers: dict[str, Any]) -> list[str]:
    """The answers section: task recall per agency query, answer spans per question query."""
    lines = ["## Answers (`chidao ask`)", ""]
    agency = answers.get("agency") or []
    if agency:
        summary = (
            f"- agency queries: mean task recall {answers['agency_mean_recall']:.3f}, "
            f"min {answers['agency_min_recall']:.3f}; not_answer hits among own tasks: "
            f"{answers['not_answer_total']} (in the separate collective groups: "
            f"{answers['collective_not_answer_total']})"
        )
        lines += [summary, ""]
        rows = [[str(r["id"]), str(r.get("agency") or r["kind"]), str(r.get("tasks", 0)), f"{r['recall']:.2f}",
                 str(r["not_answer"]), "; ".join(str(m)[:60] for m in r["missing"])] for r in agency]
        lines += _table(["query", "agency", "tasks", "task recall", "not_answer", "missing"], rows)
        lines.append("")
    question = answers.get("question") or []
    if question:
        rate = f"- question queries: answer span contains the snippet for {answers['question_contains_rate']:.0%}"
        if "question_short_exact_rate" in answers:
            rate += f"; short answer equals the labelled answer for {answers['question_short_exact_rate']:.0%}"
        if "question_unaccented_contains_rate" in answers:
            rate += (f"; typed without marks: span {answers['question_unaccented_contains_rate']:.0%}, short answer "
                     f"{answers.get('question_unaccented_short_exact_rate', 0.0):.0%}")
        lines += [rate, ""]
        rows = [[str(r["id"]), str(r["kind"]), "yes" if r["contains"] else "no",
                 {True: "yes", False: "no"}.get(r.get("short_exact"), "—"),
                 str(r.get("short") or "").replace("|", "/"), str(r["span"] or "")[:80].replace("|", "/")]
                for r in question]
        lines += _table(["query", "answer kind", "contains snippet", "short exact", "short", "span"], rows)
    return lines


def plot_recall_curve(result: EvalResult, path: Path, k_max: int | None = None) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    k_max = min(k_max or result.depth, result.depth)
    ks = list(range(1, k_max + 1))
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for retriever in result.runs:
        ax.plot(ks, result.recall_curve(retriever, k_max), label=retriever)
    ax.set_xscale("log")
    ax.set_xlabel("k")
    ax.set_ylabel("Recall@k")
    ax.set_ylim(0, 1.02)
    ax.set_title(f"Recall@k, {result.dataset} ({result.n_queries} queries)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def write_report(result: EvalResult, out_dir: str | Path, now: datetime | None = None) -> list[Path]:
    """Write the report files into `out_dir` (created) and return their paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = [out / "report.md", out / "recall_at_k.png", out / "failures.jsonl"]
    written[0].write_text(report_markdown(result, now) + "\n", encoding="utf-8")
    plot_recall_curve(result, written[1])
    records = failures(result)
    written[2].write_text(
        "".join(json.dumps(rec, ensure_ascii=False) + "\n" for rec in records), encoding="utf-8"
    )
    for retriever in result.runs:
        path = out / f"run.{_file_safe(retriever)}.trec"
        path.write_text("".join(line + "\n" for line in trec_run_lines(result, retriever)), encoding="utf-8")
        written.append(path)
    if result.unit == "doc":
        path = out / "qrels.trec"
        path.write_text("".join(line + "\n" for line in trec_qrels_lines(result)), encoding="utf-8")
        written.append(path)
    return written

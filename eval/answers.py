"""Answer-level evaluation: what `answer.answers.ask` returns for the dev queries.

- `agency` queries: task recall = share of the query's `relevant` snippets found in the tasks the
  answer lists as the agency's own (the README matching rule, applied to the task text and its
  cited original span); `not_answer` hits = `not_answer` snippets found in those same tasks
  (other agencies' tasks that leaked in). Tasks shown in the separate collective groups are
  counted apart (`collective_not_answer`), since they are labelled as addressed to everyone.
  `agency_unrouted` counts agency queries that were not answered as agency questions at all.
- `question` queries: whether the answer's span (FactualAnswer.answer_text, from the cited
  document) contains the relevant snippet; and, for queries labelled with their short `answer`,
  whether the short answer (FactualAnswer.short) equals it, both normalised (`short_form`: NFC and
  one tone placement, lower case, whitespace runs as one space, no trailing punctuation). The
  same questions typed without marks (`eval.runner.unaccented_twins`) give the `question_unaccented`
  rates.
"""

from __future__ import annotations

from collections.abc import Sequence
from statistics import fmean
from typing import Any

from answer.answers import AgencyAnswer, Task, ask
from eval.datasets import Query, RelevantItem, match_form, source_stem
from eval.runner import unaccented_twins
from index.index import Index
from ingest.vietnamese import normalize


def _in_tasks(item: RelevantItem, tasks: Sequence[Task]) -> bool:
    needle = match_form(item.text)
    return any(
        source_stem(t.citation.doc_id) == item.doc
        and (needle in match_form(t.text) or needle in match_form(t.citation.quote))
        for t in tasks
    )


def _agency(query: Query, answer: Any) -> dict[str, Any]:
    if not isinstance(answer, AgencyAnswer):
        return {"id": query.id, "query": query.query, "kind": getattr(answer, "kind", "?"), "recall": 0.0,
                "not_answer": 0, "collective_not_answer": 0, "missing": [r.text for r in query.relevant]}
    own = answer.tasks
    shared = tuple(t for g in answer.collective for t in g.tasks)
    found = [_in_tasks(r, own) for r in query.relevant]
    return {
        "id": query.id,
        "query": query.query,
        "kind": "agency",
        "agency": answer.agency,
        "tasks": len(own),
        "recall": sum(found) / len(found),
        "not_answer": sum(_in_tasks(r, own) for r in query.not_answer),
        "collective_not_answer": sum(_in_tasks(r, shared) for r in query.not_answer),
        "missing": [r.text for r, ok in zip(query.relevant, found) if not ok],
    }


def _question(query: Query, answer: Any) -> dict[str, Any]:
    kind = getattr(answer, "kind", "?")
    span = getattr(answer, "answer_text", None) if getattr(answer, "answered", False) else None
    citation = getattr(answer, "citation", None)
    doc = source_stem(citation.doc_id) if citation is not None else None
    ok = span is not None and any(
        doc == r.doc and match_form(r.text) in match_form(span) for r in query.relevant
    )
    short = getattr(answer, "short", None) if getattr(answer, "answered", False) else None
    out = {"id": query.id, "query": query.query, "kind": kind, "contains": ok, "span": span, "short": short}
    if query.answer is not None:
        out["answer"] = query.answer
        out["short_exact"] = short is not None and short_form(short) == short_form(query.answer)
    return out


def short_form(text: str) -> str:
    """A short answer as compared: NFC with one tone placement, lower case, single spaces."""
    return " ".join(normalize(text).lower().split()).rstrip(" .;,")


def _rates(results: list[dict[str, Any]], prefix: str) -> dict[str, float]:
    out = {f"{prefix}_contains_rate": round(fmean(1.0 if r["contains"] else 0.0 for r in results), 4)}
    labelled = [r for r in results if "short_exact" in r]
    if labelled:
        out[f"{prefix}_short_exact_rate"] = round(fmean(1.0 if r["short_exact"] else 0.0 for r in labelled), 4)
    return out


def evaluate_answers(index: Index, queries: Sequence[Query]) -> dict[str, Any]:
    """Per-query results and totals for the agency and question queries of `queries`; the
    questions are also asked typed without marks (`question_unaccented_*`), against the same gold."""
    agency = [_agency(q, ask(index, q.query)) for q in queries if q.type == "agency"]
    question = [_question(q, ask(index, q.query)) for q in queries if q.type == "question"]
    twins = [_question(q, ask(index, q.query)) for q in unaccented_twins(queries, ("question",))]
    out: dict[str, Any] = {"agency": agency, "question": question, "question_unaccented": twins}
    if agency:
        out["agency_mean_recall"] = round(fmean(r["recall"] for r in agency), 4)
        out["agency_routed"] = sum(r["kind"] == "agency" for r in agency)
        out["agency_unrouted"] = sum(r["kind"] != "agency" for r in agency)
        out["agency_min_recall"] = round(min(r["recall"] for r in agency), 4)
        out["not_answer_total"] = sum(r["not_answer"] for r in agency)
        out["collective_not_answer_total"] = sum(r["collective_not_answer"] for r in agency)
    if question:
        out.update(_rates(question, "question"))
    if twins:
        out.update(_rates(twins, "question_unaccented"))
    return out

"""Unaccented twins of accented queries and the per-type and gap floors, on real seed lines."""

from __future__ import annotations

from eval.runner import TWIN, Floors, check_floors, evaluate, unaccented_twins
from tests.unit.eval.test_eval_runner import QUERIES, WordOverlap, seed_passages


def test_twins_fold_topic_and_question_queries_only_and_stay_out_of_overall_means() -> None:
    twins = unaccented_twins(QUERIES)
    assert [(q.id, q.type, q.query) for q in twins] == [("t1" + TWIN, "topic" + TWIN, "So chu tri")]
    res = evaluate({"overlap": WordOverlap(seed_passages()), "folded": WordOverlap(seed_passages(), folded=True)},
                   [*QUERIES, *twins], k=5, dataset="toy")
    assert res.n_queries == len(QUERIES)
    assert len(res.results("overlap")) == len(QUERIES)
    assert res.query_types[-1] == "topic" + TWIN
    # "So chu tri" shares no word with any passage unless folded
    assert res.metric("overlap", "recall@5", "topic" + TWIN) == 0.0
    assert res.metric("folded", "recall@5", "topic" + TWIN) == 1.0


def test_type_floors_and_the_gap_between_a_type_and_its_twin() -> None:
    queries = [*QUERIES, *unaccented_twins(QUERIES)]
    res = evaluate({"overlap": WordOverlap(seed_passages())}, queries, k=5, dataset="toy")
    floors = Floors(
        by_type={("toy", "overlap", "topic", "recall@5"): 1.0,  # t1 found at rank 3: holds
                 ("toy", "overlap", "topic", "mrr@10"): 0.5,  # 1/3: violated
                 ("toy", "overlap", "number", "mrr@10"): 1.0},  # holds
        gaps=(("toy", "overlap", "recall@5", "topic", "topic" + TWIN, 0.05),),
    )
    assert check_floors(res, floors) == [
        "toy/overlap: topic mrr@10 = 0.3333 < floor 0.5000",
        "toy/overlap: topic~unaccented recall@5 = 0.0000 is 1.0000 below topic (1.0000), more than 0.05",
    ]

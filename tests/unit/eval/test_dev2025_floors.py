"""dev2025 floors (issue 13): every agency question routed, no wrong-agency task, task recall,
number queries finding their document; the seeds' floors untouched."""

from __future__ import annotations

from eval.runner import DEFAULT_FLOORS, DEV, DEV2025, EvalResult, check_floors


def _result(dataset: str, answers: dict) -> EvalResult:
    return EvalResult(dataset=dataset, k=10, depth=10, runs={}, answers=answers)


def test_dev2025_answer_floors() -> None:
    good = {"agency_mean_recall": 0.95, "agency_unrouted": 0, "not_answer_total": 0}
    assert check_floors(_result(DEV2025, good), DEFAULT_FLOORS) == []
    bad = {"agency_mean_recall": 0.5, "agency_unrouted": 2, "not_answer_total": 1}
    assert sorted(check_floors(_result(DEV2025, bad), DEFAULT_FLOORS)) == sorted([
        f"dev2025/answers: agency_mean_recall = 0.5 < floor {DEFAULT_FLOORS.answers_min[(DEV2025, 'agency_mean_recall')]}",
        "dev2025/answers: agency_unrouted = 2 > ceiling 0",
        "dev2025/answers: not_answer_total = 1 > ceiling 0",
    ])


def test_the_seed_floors_do_not_apply_to_dev2025_and_stay_as_they_were() -> None:
    assert DEFAULT_FLOORS.answers_min[(DEV, "agency_min_recall")] == 0.9
    assert DEFAULT_FLOORS.answers_max[(DEV, "not_answer_total")] == 0
    # dev2025 has no per-query minimum recall floor; the seeds' one is not checked there.
    assert check_floors(_result(DEV2025, {"agency_min_recall": 0.0, "agency_mean_recall": 0.95}), DEFAULT_FLOORS) == []


"""Answers: POST /ask, GET /compare, GET /agencies/{name}/tasks."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request

from api.deps import core_of
from api.models import AskIn, AskOut, CompareOut, IsoDate, TasksOut, error_responses
from service.core import AskRequest, CompareRequest, TasksRequest

router = APIRouter(tags=["answers"])
ERRORS = error_responses(400, 401, 403, 404, 422, 429, 503)


@router.post("/ask", response_model=AskOut, responses=ERRORS)
def ask(request: Request, body: AskIn) -> AskOut:
    """Answer a question: an agency's tasks ("Nhiệm vụ của Sở Y tế là gì?"), a short answer with
    its citation, a comparison ("So sánh ... giữa các tỉnh"), or, for plain search words, the
    matching passages."""
    answer = core_of(request).ask(AskRequest(body.question, body.filters.to_filters(), body.k))
    d = answer.to_dict()
    d.setdefault("question", body.question)
    return AskOut.model_validate(d)


@router.get("/compare", response_model=CompareOut, responses=ERRORS)
def compare(
    request: Request,
    topic: Annotated[str, Query(min_length=1, max_length=500, examples=["phòng chống dịch COVID-19"])],
    provinces: Annotated[str | None, Query(description="comma-separated, old or new names",
                                           examples=["Kon Tum,Thái Nguyên,Đồng Nai"])] = None,
) -> CompareOut:
    """One column per province with its directives on the topic, then what they share."""
    names = tuple(p.strip() for p in provinces.split(",") if p.strip()) if provinces else ()
    return CompareOut.model_validate(core_of(request).compare(CompareRequest(topic, names)).to_dict())


@router.get("/agencies/{name}/tasks", response_model=TasksOut, responses=ERRORS)
def agency_tasks(
    request: Request,
    name: Annotated[str, Path(max_length=500, description="cơ quan, any spelling",
                              examples=["Sở Y tế", "so y te", "Sở KH&ĐT"])],
    province: Annotated[str | None, Query(examples=["Kon Tum"])] = None,
    since: Annotated[IsoDate | None, Query(examples=["2021-01-01"])] = None,
    until: Annotated[IsoDate | None, Query(examples=["2021-12-31"])] = None,
    overdue: Annotated[bool, Query(description="only tasks whose deadline has passed")] = False,
    today: Annotated[IsoDate | None, Query(
                                       description="the date 'overdue' is judged on (default: today)")] = None,
) -> TasksOut:
    """Tasks assigned to an agency ("Sở Y tế", "so y te", "Sở KH&ĐT"), by directive."""
    req = TasksRequest(name, province=province, since=since, until=until, overdue=overdue, today=today)
    return TasksOut.model_validate(core_of(request).tasks(req).to_dict())

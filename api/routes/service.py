"""GET /health: the index's state."""

from __future__ import annotations

from fastapi import APIRouter, Request

from api.deps import core_of
from api.models import HealthOut

router = APIRouter(tags=["service"])


@router.get("/health", response_model=HealthOut)
def health(request: Request) -> HealthOut:
    """Whether the index is loaded, which generation and embedder, how many documents."""
    return HealthOut(**core_of(request).health().to_dict())

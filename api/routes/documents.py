"""Documents: GET /documents/{id}, POST /documents (upload, a background job), GET /jobs/{id},
DELETE /documents/{id}."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, HTTPException, Path, Query, Request, UploadFile

from api.deps import ERRORS, WRITE_ERRORS, core_of, require_read_key, require_write_key, settings_of
from api.models import DeleteOut, DocumentOut, JobOut
from service.ingest_jobs import IncomingFile

router = APIRouter(tags=["documents"])


@router.get("/documents/{doc_id}", response_model=DocumentOut, responses=ERRORS,
            dependencies=[Depends(require_read_key)])
def document(
    request: Request,
    doc_id: Annotated[str, Path(examples=["001_b75f6995bec0e83d"])],
    start: Annotated[int | None, Query(ge=0, description="a cited span of the original text")] = None,
    end: Annotated[int | None, Query(ge=0)] = None,
) -> DocumentOut:
    """Metadata, section tree and original text; sections and chunks as spans of the original.
    With `start`/`end` (a search hit's or a citation's span), `highlight` maps it onto the original."""
    span = (start, end) if start is not None and end is not None else None
    return DocumentOut.from_view(core_of(request).document(doc_id, span))


@router.post("/documents", response_model=JobOut, status_code=202, responses=WRITE_ERRORS,
          dependencies=[Depends(require_write_key)])
async def upload(request: Request, files: Annotated[list[UploadFile], File(description="văn bản .docx .pdf .doc .txt .html")]) -> JobOut:
    """Upload directives; they are ingested in a background job (poll GET /jobs/{id})."""
    core = core_of(request)
    core.admit_upload(len(files))
    limit = settings_of(request).limits.max_file_bytes
    incoming = [IncomingFile(f.filename or "", await f.read(limit + 1), f.size) for f in files]  # size: as the parser counted
    up = core.upload(incoming)
    return JobOut.from_state(up.job, list(up.files))


@router.get("/jobs/{job_id}", response_model=JobOut, responses=ERRORS, dependencies=[Depends(require_read_key)])
def job(request: Request, job_id: str) -> JobOut:
    """Status and progress (0..1) of an upload job."""
    up = core_of(request).job(job_id)
    if up is None:
        raise HTTPException(404, f"no job {job_id!r}")
    return JobOut.from_state(up.job, list(up.files))


@router.delete("/documents/{doc_id}", response_model=DeleteOut, responses=WRITE_ERRORS,
            dependencies=[Depends(require_write_key)])
def delete(request: Request, doc_id: str) -> DeleteOut:
    """Remove a document (a file's id removes its attachments too); searchable state updates at once."""
    deleted = core_of(request).delete(doc_id)
    return DeleteOut(removed=list(deleted.removed), generation=deleted.generation)

"""Pydantic models of every HTTP request and response, with Vietnamese examples for the
OpenAPI schema (/docs). They mirror the frozen results of the core (`service.results`):
`from_*` builds them, or `model_validate` of the result's `to_dict()`."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from domain.model import Filters
from service.ingest_jobs import JobState, StoredFile
from service.reading import DocMeta, DocumentView, Facets

ISO_DATE = r"^\d{4}-\d{2}-\d{2}$"


def real_date(value: str | None) -> str | None:
    """YYYY-MM-DD that is a day of the calendar (the pattern alone lets 7393-15-00 through)."""
    if value is not None:
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"not a date: {value!r} (YYYY-MM-DD)") from None
    return value


# a calendar date as YYYY-MM-DD: the pattern and `format: date` in the schema, the calendar checked
IsoDate = Annotated[str, Field(pattern=ISO_DATE, json_schema_extra={"format": "date"}), AfterValidator(real_date)]


class Error(BaseModel):
    detail: str = Field(examples=["không có văn bản 'abc' trong chỉ mục (no such document)"])
    hint: str | None = Field(default=None, examples=["build it with: chidao index build --from sample/seeds --index DIR"])


ERROR_MEANING = {
    400: "a body that cannot be parsed", 401: "missing or wrong API key", 403: "writes are disabled on this server", 404: "not found",
    409: "the index is being written; try again",
    413: "the upload (CHIDAO_MAX_UPLOAD_MB) or request body (1 MB) is too large", 414: "URL over 16,384 bytes",
    422: "invalid input, with the reason",
    429: "too many requests (header Retry-After)",
    503: "the index is not built or not loaded",
}


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` declaring each code with the `Error` body."""
    return {c: {"model": Error, "description": ERROR_MEANING[c]} for c in codes}


class FiltersIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    province: str | None = Field(default=None, description="tỉnh, tên cũ (trước 2025) hoặc mới", examples=["Kon Tum"])
    type: str | None = Field(default=None, description="loại văn bản", examples=["Thông báo"])
    issuer: str | None = Field(default=None, description="cơ quan ban hành", examples=["UBND tỉnh Kon Tum"])
    since: IsoDate | None = Field(default=None, description="từ ngày (ISO)", examples=["2021-01-01"])
    until: IsoDate | None = Field(default=None, description="đến ngày (ISO)", examples=["2021-12-31"])
    cites: str | None = Field(default=None, description="văn bản được trích dẫn", examples=["1536/UBND-KTTH"])

    def to_filters(self) -> Filters:
        return Filters(**self.model_dump())


class OcrOut(BaseModel):
    """Pages of a scanned file read by OCR: show a mark, the user should check the original."""

    pages: list[int] = Field(description="1-based pages read by OCR", examples=[[1, 2]])
    confidence: float = Field(description="mean word confidence of the OCR, 0-100", examples=[96.0])


class DocMetaOut(BaseModel):
    id: str = Field(examples=["001_b75f6995bec0e83d"])
    number: str | None = Field(examples=["133/TB-UBND"])
    type: str | None = Field(examples=["Thông báo"])
    date: str | None = Field(examples=["2021-08-13"])
    issuer: str | None = Field(examples=["UBND tỉnh Kon Tum"])
    province: str | None = Field(examples=["Kon Tum"])
    province_2025: str | None = Field(examples=["Quảng Ngãi"])
    subject: str | None = Field(examples=["Kết quả phiên họp Ủy ban nhân dân tỉnh thường kỳ tháng 7 năm 2021"])
    signer: str | None = None
    parent: str | None = None
    attachments: list[str] = []
    cites: list[str] = []
    ocr: OcrOut | None = Field(default=None, description="set when pages were scans read by OCR")

    @classmethod
    def from_meta(cls, m: DocMeta) -> DocMetaOut:
        ocr = OcrOut(pages=list(m.ocr.pages), confidence=m.ocr.confidence) if m.ocr else None
        return cls(id=m.id, number=m.number, type=m.type, date=m.date, issuer=m.issuer, province=m.province,
                   province_2025=m.province_2025, subject=m.subject, signer=m.signer, parent=m.parent,
                   attachments=list(m.attachments), cites=list(m.cites), ocr=ocr)


class SearchHitOut(BaseModel):
    rank: int = Field(examples=[1])
    chunk_id: str
    doc_id: str
    score: float
    text: str = Field(examples=["- Sở Y tế chủ trì, phối hợp với các đơn vị liên quan tổ chức tiêm vắc xin ..."])
    section_path: list[str] = Field(examples=[["II. Nhiệm vụ trọng tâm:", "7. Sở Y tế:"]])
    highlights: list[tuple[int, int]] = Field(description="spans of `text` matching the query")
    start: int = Field(description="span of the passage in the document's original text")
    end: int
    link: str = Field(description="the source, opened on this passage", examples=["/documents/001_b75f6995bec0e83d?start=1200&end=1480"])
    document: DocMetaOut


class SearchOut(BaseModel):
    query: str = Field(examples=["giải ngân vốn đầu tư công"])
    filters: FiltersIn
    scope: str | None = Field(None, description="the province a topic naming one was searched in first",
                              examples=["Đồng Tháp"])
    hits: list[SearchHitOut]


class SectionOut(BaseModel):
    path: list[str]
    start: int = Field(description="span in `original`")
    end: int


class ChunkSpanOut(BaseModel):
    chunk_id: str
    section_path: list[str]
    start: int = Field(description="span in `original`")
    end: int


class DocumentOut(BaseModel):
    meta: DocMetaOut
    source_name: str = Field(examples=["001_b75f6995bec0e83d.txt"])
    original: str = Field(description="the text as read from the file, what citations point into")
    sections: list[SectionOut]
    chunks: list[ChunkSpanOut]
    highlight: tuple[int, int] | None = Field(default=None, description="the cited span asked for (start/end), in `original`")

    @classmethod
    def from_view(cls, v: DocumentView) -> DocumentOut:
        return cls(meta=DocMetaOut.from_meta(v.meta), source_name=v.source_name, original=v.original,
                   highlight=v.highlight,
                   sections=[SectionOut(path=list(s.path), start=s.start, end=s.end) for s in v.sections],
                   chunks=[ChunkSpanOut(chunk_id=c.chunk_id, section_path=list(c.section_path), start=c.start,
                                        end=c.end) for c in v.chunks])


class FacetsOut(BaseModel):
    provinces: list[str] = Field(examples=[["Kon Tum", "Quảng Ngãi", "Đồng Nai"]])
    types: list[str] = Field(examples=[["Công văn", "Kế hoạch", "Thông báo"]])
    issuers: list[str]
    first_date: str | None
    last_date: str | None
    documents: int
    chunks: int

    @classmethod
    def from_facets(cls, f: Facets) -> FacetsOut:
        return cls(provinces=list(f.provinces), types=list(f.types), issuers=list(f.issuers),
                   first_date=f.first_date, last_date=f.last_date, documents=f.documents, chunks=f.chunks)


class HealthOut(BaseModel):
    status: str = Field(examples=["ok", "not_ready"])
    index: str
    generation: str | None = Field(default=None, examples=["gen-000003"])
    embedder: str | None = None
    documents: int | None = None
    chunks: int | None = None
    detail: str | None = None
    hint: str | None = None


class StoredFileOut(BaseModel):
    doc_id: str = Field(examples=["u_3fa2c0d19b7e4410"], description="stored by content hash")
    filename: str = Field(examples=["cong_van_so_y_te.docx"], description="the client's name, for display only")
    size: int

    @classmethod
    def from_stored(cls, s: StoredFile) -> StoredFileOut:
        return cls(doc_id=s.doc_id, filename=s.filename, size=s.size)


class JobOut(BaseModel):
    id: str
    status: str = Field(examples=["running"], description="queued | running | done | failed")
    stage: str = Field(examples=["indexing"])
    total: int = Field(description="files in the job")
    progress: float = Field(ge=0, le=1, examples=[0.5])
    added: list[str] = []
    replaced: list[str] = []
    unchanged: list[str] = []
    errors: list[str] = Field(default=[], examples=[["bao_cao.pdf: not a PDF (no %PDF header)"]])
    files: list[StoredFileOut] = []

    @classmethod
    def from_state(cls, j: JobState, files: list[StoredFile] | None = None) -> JobOut:
        return cls(id=j.id, status=j.status, stage=j.stage, total=j.total, progress=j.progress,
                   added=list(j.added), replaced=list(j.replaced), unchanged=list(j.unchanged),
                   errors=list(j.errors), files=[StoredFileOut.from_stored(s) for s in files or []])


class DeleteOut(BaseModel):
    removed: list[str] = Field(examples=[["u_3fa2c0d19b7e4410"]])
    generation: int


class AskIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: str = Field(min_length=1, max_length=1000, examples=["Nhiệm vụ của Sở Y tế là gì?"])
    filters: FiltersIn = Field(default_factory=FiltersIn)
    k: int = Field(default=10, ge=1, le=100)


def json_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else value.to_dict()


class CitationOut(BaseModel):
    """Where an answer comes from; `start`/`end` are offsets in the document's original text."""

    doc_id: str = Field(examples=["001_b75f6995bec0e83d"])
    chunk_id: str
    section_path: list[str] = Field(examples=[["I. Về công tác chỉ đạo, điều hành ...", "2. Sở Kế hoạch và Đầu tư:"]])
    start: int
    end: int
    quote: str = Field(examples=["- Chủ trì, phối hợp với các đơn vị, địa phương thường xuyên kiểm tra, đôn đốc ..."])
    number: str | None = None
    date: str | None = None
    province: str | None = Field(default=None, examples=["Kon Tum"])


class PassageOut(BaseModel):
    chunk_id: str
    doc_id: str
    section_path: list[str]
    text: str
    score: float
    number: str | None = None
    date: str | None = None
    province: str | None = None
    doc_type: str | None = None
    subject: str | None = None


class TaskCitationOut(BaseModel):
    doc_id: str
    chunk_id: str | None
    section_path: list[str]
    start: int = Field(description="span of the task in the document's original text")
    end: int
    quote: str


class TaskOut(BaseModel):
    agency: str = Field(examples=["Sở Y tế"])
    agency_text: str = Field(examples=["Sở Y tế"], description="as the directive writes it")
    role: str = Field(examples=["chu_tri"], description="chu_tri | phoi_hop | giao | collective")
    text: str = Field(examples=["Chủ trì, phối hợp với các đơn vị liên quan tổ chức tiêm vắc-xin phòng COVID-19 ..."])
    deadline: str | None = Field(default=None, examples=["2021-08-30"], description="ISO date when the text gives one")
    deadline_text: str | None = Field(default=None, examples=["trước ngày 30/8/2021"])
    reports_to: str | None = None
    section_path: list[str] = Field(examples=[["II. Nhiệm vụ cụ thể", "8. Giao Sở Y tế:"]])
    citation: TaskCitationOut
    via: str | None = Field(default=None, description="the predecessor agency whose task this is (2025 reorganisation)")
    overdue: bool | None = Field(default=None, description="deadline passed (only where `today` was given)")


class DirectiveTasksOut(BaseModel):
    doc_id: str = Field(examples=["004_8e1e77f4468c0f15"])
    number: str | None = Field(examples=["8888/UBND-THNC"])
    date: str | None = Field(examples=["2020-07-30"])
    province: str | None = Field(examples=["Đồng Nai"])
    province_2025: str | None = None
    issuer: str | None = None
    type: str | None = Field(examples=["Công văn"])
    tasks: list[TaskOut]
    label: str = Field(default="", description="collective groups: the addressees", examples=["Các sở, ban, ngành"])


class AskOut(BaseModel):
    """`kind` says which fields are filled: `agency` (tasks by directive), `question` (a short
    extractive answer with its citation, or the closest passages when the directives do not
    answer), `compare` (`comparison`), `search` (`hits`, for plain search words)."""

    model_config = ConfigDict(extra="allow")
    kind: str = Field(examples=["question"], description="agency | question | compare | search")
    question: str = Field(examples=["Ai chủ trì giải ngân vốn đầu tư công?"])
    hits: list[SearchHitOut] = []
    scope: str | None = Field(default=None, description="search: the province a topic naming one was searched in first")
    answered: bool | None = None
    answer_text: str | None = Field(default=None, examples=[("- Chủ trì, phối hợp với các đơn vị, địa phương thường xuyên "
                                                    "kiểm tra, đôn đốc ... kết quả giải ngân.")])
    citation: CitationOut | None = None
    passage: PassageOut | None = None
    span: tuple[int, int] | None = Field(default=None, description="the answer inside passage.text")
    short: str | None = Field(default=None, examples=["trước ngày 30/8/2021"],
                              description="the short answer (date, figure, organisation, document number)")
    short_span: tuple[int, int] | None = Field(default=None, description="the short answer inside passage.text")
    sentence_marked: str | None = Field(default=None, description="the answer sentence, short answer in « »")
    closest: list[PassageOut] = []
    generated: str | None = None
    generation_note: str | None = None
    question_type: str | None = Field(default=None, examples=["responsible"])
    agency: str | None = Field(default=None, examples=["Sở Y tế"])
    groups: list[DirectiveTasksOut] = Field(default=[], description="the agency's tasks by directive, newest first")
    collective: list[DirectiveTasksOut] = Field(default=[], description="tasks given to all departments, kept apart")
    predecessors_included: list[str] = []
    comparison: CompareOut | None = None


class InstructionOut(BaseModel):
    province: str = Field(examples=["Đồng Nai"])
    doc_id: str
    text: str = Field(description="the instruction as the directive words it (one bullet, table row or clause)")
    start: int = Field(description="its span in the document's clean text")
    end: int
    section_path: list[str]
    lead_agencies: list[str] = Field(default=[], examples=[["Sở Y tế"]])
    deadlines: list[str] = Field(default=[], examples=[["trước ngày 15/8/2020"]])
    source: str = Field(default="section", description="assignment (a stored assignment lies in it) | section")
    relevance: float = Field(default=0.0, description="share of the subject's words in it with its headings")
    link: str = Field(default="", description="API path that opens the directive on this instruction")


class CompareDirectiveOut(BaseModel):
    doc_id: str
    number: str | None = Field(examples=["8888/UBND-THNC"])
    doc_type: str | None = Field(examples=["Công văn"])
    date: str | None = Field(examples=["2020-07-30"])
    province: str | None = Field(examples=["Đồng Nai"], description="at issue time")
    subject: str | None
    score: float = Field(default=0.0, description="the document's score on the subject")
    lead_agencies: list[str]
    deadlines: list[str]
    instructions: list[InstructionOut]


class ColumnOut(BaseModel):
    province: str = Field(examples=["Kon Tum"])
    directives: list[CompareDirectiveOut]


class CellOut(BaseModel):
    province: str
    instructions: list[InstructionOut] = Field(description="empty: the province gave no such instruction")


class GroupOut(BaseModel):
    """One row of the comparison table: alike instructions, one cell per province (column order)."""

    provinces: list[str] = Field(examples=[["Kon Tum", "Đồng Nai"]], description="the provinces that gave it")
    members: list[InstructionOut]
    cells: list[CellOut] = []
    similarity: float = Field(description="the lowest cosine that linked two members")
    shared: bool


class CompareOut(BaseModel):
    """`shared` rows then `unique` rows make the table; `columns` hold each province's directives."""

    kind: str = "compare"
    topic: str = Field(examples=["phòng chống dịch COVID-19"])
    provinces: list[str] = Field(examples=[["Kon Tum", "Thái Nguyên", "Đồng Nai"]])
    columns: list[ColumnOut]
    shared: list[GroupOut] = Field(description="rows several provinces gave, most provinces first")
    unique: list[GroupOut] = Field(description="rows only one province gave, in column order")
    threshold: float


class TasksOut(BaseModel):
    agency: str = Field(examples=["Sở Y tế"])
    groups: list[DirectiveTasksOut]
    collective: list[DirectiveTasksOut]
    predecessors_included: list[str] = Field(default=[], examples=[["Sở Kế hoạch và Đầu tư"]])
    today: str = Field(examples=["2021-09-01"], description="the date `overdue` is judged on")


AskOut.model_rebuild()

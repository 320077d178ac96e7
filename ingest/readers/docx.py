"""Word .docx: body paragraphs and tables in document order, with list numbers.

Read with python-docx after a zip-bomb guard. A table row becomes one line, its cells joined
with " | " (the crawled corpus's Markdown tables read the same); a vertically merged cell is
written once. Runs set in TCVN3 fonts (".VnTime", ".VnArial"; the "H" variants show capitals)
or VNI fonts ("VNI-Times") are converted when their text really is legacy-encoded; without
font hints the whole text goes through `legacy.detect_legacy`. Headers, footers, footnotes and
text boxes are not read. A document using an XML entity (declared in a DTD, which Word never
writes) is refused: python-docx neither expands it (no XXE) nor keeps the text after it in its run,
so reading it would lose text silently.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections import Counter
from dataclasses import dataclass
from typing import Any

import docx
from docx.oxml.ns import qn
from lxml import etree  # type: ignore[import-untyped]

from ingest.model import IngestError, RawText
from ingest.readers.docx_numbering import Numbering, paragraph_numbering
from ingest.readers.encoding import convert_if_legacy
from ingest.readers.errors import short
from ingest.readers.legacy import LegacyEncoding, has_unicode_vietnamese, score, to_unicode

MB = 1024 * 1024
MAX_UNPACKED_BYTES = 100 * MB
MAX_RATIO = 100  # checked once the archive unpacks to more than RATIO_FLOOR
RATIO_FLOOR = 1 * MB
CELL_SEP = " | "
_MAIN_PART = re.compile(r"word/document\d*\.xml")  # some converters write document2.xml
_RUNS = (
    "./w:r | ./w:hyperlink/w:r | ./w:ins/w:r | ./w:smartTag/w:r | ./w:fldSimple/w:r"
    " | ./w:sdt/w:sdtContent/w:r | ./w:hyperlink/w:ins/w:r"
)


@dataclass(frozen=True)
class Segment:
    text: str
    legacy: LegacyEncoding | None = None  # from the run's font
    upper: bool = False  # an ABC "H" font: lowercase codes drawn as capitals


def legacy_font(name: str | None) -> tuple[LegacyEncoding, bool] | None:
    """(encoding, capitals) for a TCVN3 (".Vn...") or VNI ("VNI-...") font name."""
    if not name:
        return None
    name = name.strip()
    if name.lower().startswith(".vn"):
        return "tcvn3", name.endswith("H")
    if name.upper().startswith("VNI-") or name.upper().startswith("VNI "):
        return "vni", False
    return None


def check_zip(data: bytes, path: str) -> None:
    """Reject truncated archives, archives that are not Word documents, and zip bombs."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except Exception:  # noqa: BLE001 - BadZipFile, but also NotImplementedError, ValueError, EOFError...
        raise IngestError(path, "broken .docx: truncated or corrupt zip archive") from None
    if not any(_MAIN_PART.fullmatch(info.filename) for info in infos):
        raise IngestError(path, "zip archive is not a Word .docx (no word/document.xml)")
    unpacked = sum(info.file_size for info in infos)
    packed = max(sum(info.compress_size for info in infos), 1)
    if unpacked > MAX_UNPACKED_BYTES:
        raise IngestError(
            path, f"docx unpacks to {unpacked / MB:.1f} MB > {MAX_UNPACKED_BYTES / MB:g} MB limit (zip bomb?)"
        )
    if unpacked > RATIO_FLOOR and unpacked > MAX_RATIO * packed:
        raise IngestError(path, f"docx compression ratio {unpacked // packed}:1 > {MAX_RATIO}:1 (zip bomb?)")


class _Fonts:
    """Effective font name of a run: its own w:rFonts, its character style, paragraph style, defaults."""

    def __init__(self, styles_xml: Any) -> None:
        self._styles = {s.get(qn("w:styleId")): s for s in styles_xml.findall(qn("w:style"))}
        self.default_paragraph_style = next(
            (sid for sid, s in self._styles.items()
             if s.get(qn("w:type")) == "paragraph" and s.get(qn("w:default")) in ("1", "true")),
            None,
        )  # fmt: skip
        self._default = _rfonts(styles_xml.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}"))
        self._cache: dict[str | None, str | None] = {}

    def style_font(self, style_id: str | None) -> str | None:
        if style_id not in self._cache:
            font: str | None = None
            seen: set[str] = set()
            sid = style_id
            while sid is not None and sid not in seen and font is None:
                seen.add(sid)
                style = self._styles.get(sid)
                if style is None:
                    break
                font = _rfonts(style.find(qn("w:rPr")))
                based = style.find(qn("w:basedOn"))
                sid = None if based is None else based.get(qn("w:val"))
            self._cache[style_id] = font or self._default
        return self._cache[style_id]

    def run_font(self, r: Any, paragraph_font: str | None) -> str | None:
        rpr = r.find(qn("w:rPr"))
        own = _rfonts(rpr)
        if own:
            return own
        rstyle = rpr.find(qn("w:rStyle")) if rpr is not None else None
        if rstyle is not None:
            styled = self.style_font(rstyle.get(qn("w:val")))
            if styled and styled != self._default:
                return styled
        return paragraph_font

    def style_element(self, style_id: str | None) -> Any | None:
        return self._styles.get(style_id)


def _rfonts(rpr: Any | None) -> str | None:
    rfonts = rpr.find(qn("w:rFonts")) if rpr is not None else None
    if rfonts is None:
        return None
    name: str | None = rfonts.get(qn("w:hAnsi")) or rfonts.get(qn("w:ascii"))
    return name


class _Walker:
    """Collects lines of segments from a body, a table cell or a content control."""

    def __init__(self, fonts: _Fonts, numbering: Numbering) -> None:
        self.fonts = fonts
        self.numbering = numbering
        self.lines: list[list[Segment]] = []

    def block(self, el: Any) -> None:
        for child in el.iterchildren():
            if child.tag == qn("w:p"):
                self.lines.append(self.paragraph(child))
            elif child.tag == qn("w:tbl"):
                self.table(child)
            elif child.tag == qn("w:sdt"):
                content = child.find(qn("w:sdtContent"))
                if content is not None:
                    self.block(content)

    def paragraph(self, p: Any) -> list[Segment]:
        ppr = p.find(qn("w:pPr"))
        pstyle = ppr.find(qn("w:pStyle")) if ppr is not None else None
        style_id = pstyle.get(qn("w:val")) if pstyle is not None else self.fonts.default_paragraph_style
        num_id, ilvl = paragraph_numbering(p, self.fonts.style_element(style_id))
        label = self.numbering.label(num_id, ilvl) if num_id else ""
        out = [Segment(label + " ")] if label else []
        paragraph_font = self.fonts.style_font(style_id)
        for r in p.xpath(_RUNS):
            font = legacy_font(self.fonts.run_font(r, paragraph_font))
            text: str = r.text  # python-docx renders w:tab as "\t", w:br as "\n"
            if text:
                out.append(Segment(text, font[0], font[1]) if font else Segment(text))
        return out

    def table(self, tbl: Any) -> None:
        for tr in tbl.findall(qn("w:tr")):
            cells: list[list[Segment]] = []
            for tc in tr.findall(qn("w:tc")):
                vmerge = tc.find(f"{qn('w:tcPr')}/{qn('w:vMerge')}")
                if vmerge is not None and vmerge.get(qn("w:val"), "continue") == "continue":
                    cells.append([])
                    continue
                inner = _Walker(self.fonts, self.numbering)
                inner.block(tc)
                cell: list[Segment] = []
                for line in (ln for ln in inner.lines if _plain(ln).strip()):
                    cell.extend([Segment(" ")] if cell else [])
                    cell.extend(line)
                cells.append(cell)
            if any(_plain(c).strip() for c in cells):
                row: list[Segment] = []
                for i, cell in enumerate(cells):
                    row.extend(([Segment(CELL_SEP)] if i else []) + cell)
                self.lines.append(row)


def _plain(segments: list[Segment]) -> str:
    return "".join(s.text for s in segments)


def _numbering_xml(document: Any) -> Any | None:
    try:
        return document.part.numbering_part.element
    except (KeyError, NotImplementedError):
        return None


def _font_text(line: list[Segment], encoding: LegacyEncoding) -> str:
    return "".join(seg.text for seg in line if seg.legacy == encoding)


def _retyped(lines: list[list[Segment]]) -> set[LegacyEncoding]:
    """Legacy fonts whose paragraphs mostly hold Unicode Vietnamese already: a document
    converted with Unikey but left formatted ".VnTime"."""
    votes: dict[LegacyEncoding, Counter[bool]] = {}
    for line in lines:
        for encoding in {seg.legacy for seg in line if seg.legacy is not None}:
            text = _font_text(line, encoding)
            if not text.isascii():
                votes.setdefault(encoding, Counter())[has_unicode_vietnamese(text)] += 1
    return {encoding for encoding, vote in votes.items() if vote[True] > vote[False]}


def _convert_paragraph(text: str, encoding: LegacyEncoding, retyped: bool) -> bool:
    """Whether a paragraph's legacy-font text is legacy-encoded. Text with Unicode Vietnamese
    never is. Text valid either way ("và các" or TCVN3 "Sè" for "Số") follows the document:
    converted, unless most of the document's text in that font is Unicode already."""
    if has_unicode_vietnamese(text):
        return False
    if not retyped:
        return True
    s = score(text)
    return (s.tcvn3 if encoding == "tcvn3" else s.vni) > s.unicode


def _render(lines: list[list[Segment]]) -> tuple[str, LegacyEncoding | None]:
    """Join the lines, converting runs in legacy fonts; the encoding converted most wins the label."""
    retyped = _retyped(lines)
    converted: Counter[LegacyEncoding] = Counter()
    out_lines = []
    for line in lines:
        fonts = {seg.legacy for seg in line if seg.legacy is not None}
        convert = {enc for enc in fonts if _convert_paragraph(_font_text(line, enc), enc, enc in retyped)}
        parts = []
        for seg in line:
            text = seg.text
            if seg.legacy is not None and seg.legacy in convert:
                text = to_unicode(text, seg.legacy)
                text = text.upper() if seg.upper else text
                converted[seg.legacy] += text != seg.text
            parts.append(text)
        line_text = "".join(parts).strip()
        if line_text:
            out_lines.append(line_text)
    text = "\n".join(out_lines)
    if converted:
        return text, converted.most_common(1)[0][0]
    return convert_if_legacy(text)


def read_docx(data: bytes, path: str) -> RawText:
    check_zip(data, path)
    try:
        document = docx.Document(io.BytesIO(data))
        walker = _Walker(_Fonts(document.styles.element), Numbering(_numbering_xml(document)))
        walker.block(document.element.body)
    except Exception as exc:  # noqa: BLE001 - python-docx raises many types on bad packages
        raise IngestError(path, f"broken .docx: {short(exc)}") from exc
    entity = next(document.element.iter(etree.Entity), None)
    if entity is not None:
        part = str(document.part.partname).lstrip("/")
        raise IngestError(path, f"{part} uses the XML entity &{entity.name}; (declared in a DTD, which Word "
                                "never writes): it is not expanded, so the text would be incomplete; "
                                "save the file again from Word")
    text, legacy = _render(walker.lines)
    if not text.strip():
        raise IngestError(path, "no text in .docx (images or text boxes only?)")
    return RawText(path=path, text=text, format="docx", encoding=legacy or "docx")


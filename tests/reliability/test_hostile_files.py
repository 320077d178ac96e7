"""Hostile files (issue 7.7): each gets a clear IngestError from the sandbox within its 5 s limit,
and nothing is written outside the upload folder. The fixtures are built here, not committed."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path

import docx
import pytest

from ingest.model import IngestError
from ingest.sandbox import Limits, ingest_file_sandboxed, ingest_upload, safe_filename
from tests.conftest import SEEDS

FIVE_SECONDS = Limits(seconds=5.0, cpu_seconds=5)
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _docx_with(document_xml: bytes) -> bytes:
    """A real .docx (python-docx's template) whose word/document.xml is replaced."""
    buf = io.BytesIO()
    docx.Document().save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = document_xml if info.filename == "word/document.xml" else src.read(info.filename)
            dst.writestr(info.filename, data)
    return out.getvalue()


def zip_bomb() -> bytes:
    """word/document.xml of 64 MB of spaces, deflated to ~64 KB (ratio ~1000:1)."""
    filler = b" " * (64 * 1024 * 1024)
    xml = f'<w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>'.encode() + filler + b"</w:t></w:r></w:p></w:body></w:document>"
    return _docx_with(xml)


def lying_zip_bomb() -> bytes:
    """The same bomb with its sizes in the zip headers rewritten to 1 KB, so the ratio check
    is fooled: reading must still stop at the declared size (and fail the CRC)."""
    data = bytearray(zip_bomb())
    name = b"word/document.xml"
    at = data.find(b"PK\x03\x04")
    while at != -1:
        if data[at + 30 : at + 30 + len(name)] == name:
            struct.pack_into("<I", data, at + 22, 1024)  # local header: uncompressed size
        at = data.find(b"PK\x03\x04", at + 4)
    at = data.find(b"PK\x01\x02")
    while at != -1:
        if data[at + 46 : at + 46 + len(name)] == name:
            struct.pack_into("<I", data, at + 24, 1024)  # central directory: uncompressed size
        at = data.find(b"PK\x01\x02", at + 4)
    return bytes(data)


def billion_laughs() -> bytes:
    """XML entity expansion: 10^9 'lol's from 1 KB."""
    ents = ['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10)]
    xml = (
        '<?xml version="1.0"?><!DOCTYPE d [' + "".join(ents) + "]>"
        f'<w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>'
    )
    return _docx_with(xml.encode())


def external_entity() -> bytes:
    """XXE: an entity that would pull /etc/passwd into the document text."""
    xml = (
        '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        f'<w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>Chỉ thị &xxe; số 05</w:t></w:r></w:p>'
        "</w:body></w:document>"
    )
    return _docx_with(xml.encode())


def _pdf(objects: list[bytes]) -> bytes:
    """A PDF with a correct xref table; objects numbered from 1, object 1 the catalog."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def circular_pdf() -> bytes:
    """Page tree nodes that are each other's kids and parents, and a content stream of length
    given by a reference to itself."""
    return _pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 /Parent 3 0 R >>",
        b"<< /Type /Pages /Kids [2 0 R] /Count 1 /Parent 2 0 R >>",
    ])


def ten_thousand_pages() -> bytes:
    n = 10_000
    stream = b"BT /F1 12 Tf 72 720 Td (Trang) Tj ET"
    kids = " ".join(f"{i + 4} 0 R" for i in range(n)).encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count " + str(n).encode() + b" >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
    ]
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 3 0 R >>"
    return _pdf(objects + [page] * n)


def png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b"")


HOSTILE = {
    "zip_bomb.docx": (zip_bomb, "compression ratio"),
    "lying_zip_bomb.docx": (lying_zip_bomb, "broken .docx: BadZipFile: Bad CRC-32 for file 'word/document.xml'"),
    "billion_laughs.docx": (billion_laughs, "broken .docx: XMLSyntaxError: Maximum entity amplification factor exceeded"),
    "circular.pdf": (circular_pdf, "broken PDF"),
    "ten_thousand_pages.pdf": (ten_thousand_pages, "too many pages: 10000 > 2000 page limit"),
    "empty.docx": (lambda: b"", "empty file"),
    "picture.docx": (png, "not a .docx (not a zip archive): wrong extension or damaged file"),
    "picture.pdf": (png, "not a PDF (no %PDF header)"),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_file_gets_a_clear_error_from_the_sandbox(tmp_path: Path, name: str) -> None:
    make, reason = HOSTILE[name]
    folder = tmp_path / "uploads"
    with pytest.raises(IngestError) as caught:
        ingest_upload(make(), name, folder, FIVE_SECONDS)
    err = caught.value
    assert err.path == name
    assert "took over" not in err.reason and "CPU" not in err.reason and "memory" not in err.reason
    assert reason in err.reason
    assert list(tmp_path.rglob("*")) == [folder]  # the rejected file and the scratch folders are gone


def internal_entity() -> bytes:
    """An entity declared in the document itself; python-docx does not expand it either."""
    xml = (
        '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY cv "Công văn">]>'
        f'<w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>Chỉ thị &cv; số 05</w:t></w:r></w:p>'
        "<w:p><w:r><w:t>Giao Sở Y tế chủ trì</w:t></w:r></w:p></w:body></w:document>"
    )
    return _docx_with(xml.encode())


@pytest.mark.parametrize(("make", "entity"), [(external_entity, "xxe"), (internal_entity, "cv")])
def test_entities_are_neither_resolved_nor_silently_dropped(tmp_path: Path, make, entity: str) -> None:  # type: ignore[no-untyped-def]
    # Word never writes a DTD; an entity it cannot expand would leave a hole in the text (python-docx
    # dropped the entity and the rest of its run: "Chỉ thị"), so the whole file is refused, saying why.
    folder = tmp_path / "uploads"
    with pytest.raises(IngestError) as caught:
        ingest_upload(make(), "entity.docx", folder, FIVE_SECONDS)
    reason = (f"word/document.xml uses the XML entity &{entity}; (declared in a DTD, which Word never writes): "
              "it is not expanded, so the text would be incomplete; save the file again from Word")
    assert (caught.value.path, caught.value.reason) == ("entity.docx", reason)
    assert list(tmp_path.rglob("*")) == [folder]


@pytest.mark.parametrize("hostile_name, stored", [
    ("../../../evil.txt", "evil.txt"),
    ("..\\..\\windows\\evil.txt", "evil.txt"),
    ("/etc/cron.d/evil.txt", "evil.txt"),
    ("..", "upload"),
    ("ev\x00il\n.txt", "evil.txt"),
    ("Chỉ thị số 05/CT-UBND.txt", "CT-UBND.txt"),
])
def test_upload_names_cannot_leave_the_folder(tmp_path: Path, hostile_name: str, stored: str) -> None:
    assert safe_filename(hostile_name) == stored
    folder = tmp_path / "a" / "uploads"
    seed = min(SEEDS.glob("*.txt"))
    if stored == "upload":
        with pytest.raises(IngestError, match="unsupported file type"):
            ingest_upload(seed.read_bytes(), hostile_name, folder, FIVE_SECONDS)
        assert list(tmp_path.rglob("*.txt")) == []
        return
    ingested = ingest_upload(seed.read_bytes(), hostile_name, folder, FIVE_SECONDS)
    assert ingested.path == str(folder.resolve() / stored)
    assert ingested.documents[0].id == Path(stored).stem
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == [folder / stored]


def test_sandboxed_ingest_equals_ingest_in_process(tmp_path: Path) -> None:
    from ingest.pipeline import ingest_file

    seed = sorted(SEEDS.glob("*.txt"))[3]
    assert ingest_file_sandboxed(seed, FIVE_SECONDS) == ingest_file(seed)


def test_a_parser_over_its_memory_limit_is_stopped(tmp_path: Path) -> None:
    seed = min(SEEDS.glob("*.txt"))
    with pytest.raises(IngestError, match=r"(needs more than 64 MB of memory|parser failed|crashed)"):
        ingest_file_sandboxed(seed, Limits(seconds=5.0, memory_bytes=64 * 1024 * 1024))

"""Remake the office-file fixtures of tests/fixtures/office/ from seed 004 (Đồng Nai, 8888/UBND-THNC).

    python scripts/make_ocr_fixtures.py
    # needs, once: apt-get install libreoffice-writer-nogui fonts-liberation2
    # (fonts-liberation 1.x lacks Vietnamese letters: LibreOffice falls back per glyph and its
    # PDF text layer comes out scrambled)

Made once and committed; CI never runs this (LibreOffice is not a project dependency).

- dong_nai_8888.doc: the seed typed into Word (python-docx, Times New Roman 13 pt, bold headings),
  saved by LibreOffice headless as Word 97-2003 (.doc).
- scan_page1.pdf: page 1 of LibreOffice's PDF of that document, rendered at 200 dpi to a
  black-and-white image, put back into a PDF with no text layer (what a office scanner makes).
- scan_page1_skewed.pdf: the same page turned 1.2 degrees, with speckle noise and a little blur
  (a sheet fed crooked through a dusty scanner), 8-bit grey JPEG.
- mixed.pdf: LibreOffice's PDF with page 1 replaced by scan_page1's image: text pages and a
  scanned page in one file.
- scan_page1.truth: (UTF-8 text) the ground truth of page 1: the text layer of LibreOffice's PDF before it was
  rasterised (the seed's own characters), what OCR character accuracy is measured against.
"""

from __future__ import annotations

import io
import random
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import docx
import numpy as np
import pypdfium2 as pdfium  # type: ignore[import-untyped]
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt
from PIL import Image, ImageFilter
from pypdf import PdfReader, PdfWriter

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "sample" / "seeds" / "004_8e1e77f4468c0f15.txt"
OUT = ROOT / "tests" / "fixtures" / "office"
DPI = 200
SKEW_DEGREES = 1.2
_HEADING = re.compile(r"^(?:\d+\.|[IVX]+\.)\s")
_CENTRED = ("ỦY BAN NHÂN DÂN", "TỈNH ĐỒNG NAI", "CỘNG HÒA", "Độc lập")


def seed_paragraphs() -> list[tuple[str, bool]]:
    """(text, bold) per paragraph of the seed; its markdown ** marks become bold."""
    text = SEED.read_text(encoding="utf-8")
    out: list[tuple[str, bool]] = []
    for block in re.split(r"\n\s*\n", text.strip()):
        bold = block.startswith("**")
        for line in block.replace("**", "").split("\n"):
            if line.strip():
                out.append((line.strip(), bold))
    return out


def write_docx(path: Path) -> None:
    d = docx.Document()
    section = d.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.top_margin = section.bottom_margin = Cm(2.0)
    section.left_margin, section.right_margin = Cm(3.0), Cm(2.0)
    style = d.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(13)
    for text, bold in seed_paragraphs():
        p = d.add_paragraph()
        run = p.add_run(text)
        run.bold = bold or bool(_HEADING.match(text))
        if text.startswith(_CENTRED):
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        else:
            p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        p.paragraph_format.space_after = Pt(4)
    d.core_properties.title = "8888/UBND-THNC"
    d.core_properties.author = "UBND tỉnh Đồng Nai"
    d.save(str(path))


def soffice(src: Path, target: str, outdir: Path) -> Path:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        sys.exit("LibreOffice (soffice) is needed once to make the fixtures: apt-get install libreoffice-writer-nogui")
    subprocess.run([exe, "--headless", f"-env:UserInstallation=file://{outdir}/lo-profile", "--convert-to",
                    target, "--outdir", str(outdir), str(src)], check=True, capture_output=True, timeout=180)
    (made,) = [p for p in outdir.glob(src.stem + ".*") if p != src and p.suffix == "." + target.split(":")[0]]
    return made


def render(pdf: Path, index: int) -> Image.Image:
    page = pdfium.PdfDocument(str(pdf))[index]
    return page.render(scale=DPI / 72, grayscale=True).to_pil().convert("L")


def bilevel(img: Image.Image) -> Image.Image:
    return img.point(lambda v: 255 if v > 160 else 0).convert("1")


def skewed_noisy(img: Image.Image, seed: int = 17) -> Image.Image:
    turned = img.rotate(SKEW_DEGREES, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=255)
    a = np.asarray(turned, dtype=np.float64)
    rng = np.random.default_rng(seed)
    a = a + rng.normal(0.0, 12.0, a.shape)  # sensor noise
    specks = rng.random(a.shape) < 0.0015  # dust
    a[specks] = rng.uniform(0, 90, int(specks.sum()))
    a = a * 0.92 + 10  # grey paper, faded toner
    noisy = Image.fromarray(np.clip(a, 0, 255).astype(np.uint8), "L")
    return noisy.filter(ImageFilter.GaussianBlur(0.6))


def image_pdf(img: Image.Image, path: Path, quality: int = 40) -> None:
    kwargs = {"quality": quality} if img.mode == "L" else {}
    img.save(path, "PDF", resolution=float(DPI), **kwargs)


def main() -> None:
    random.seed(0)
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="chidao-fixtures-") as tmp_name:
        tmp = Path(tmp_name)
        src = tmp / "dong_nai_8888.docx"
        write_docx(src)
        doc = soffice(src, "doc:MS Word 97", tmp)
        shutil.copyfile(doc, OUT / "dong_nai_8888.doc")
        pdf = soffice(src, "pdf", tmp)
        page1 = render(pdf, 0)
        image_pdf(bilevel(page1), OUT / "scan_page1.pdf")
        image_pdf(skewed_noisy(page1), OUT / "scan_page1_skewed.pdf")
        truth = PdfReader(str(pdf)).pages[0].extract_text()
        (OUT / "scan_page1.truth").write_text(truth.strip() + "\n", encoding="utf-8")
        writer = PdfWriter()
        writer.append(str(OUT / "scan_page1.pdf"))
        reader = PdfReader(str(pdf))
        for page in reader.pages[1:]:
            writer.add_page(page)
        buf = io.BytesIO()
        writer.write(buf)
        (OUT / "mixed.pdf").write_bytes(buf.getvalue())
        pages = len(reader.pages)
    for p in sorted(OUT.iterdir()):
        print(f"{p.relative_to(ROOT)}  {p.stat().st_size / 1024:.0f} KB")
    print(f"LibreOffice's PDF had {pages} pages; mixed.pdf: page 1 scanned, pages 2-{pages} text")


if __name__ == "__main__":
    main()

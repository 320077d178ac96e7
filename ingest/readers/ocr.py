"""OCR of PDF pages that have no text layer (scans): pypdfium2 renders, tesseract reads.

    >>> OcrSettings().language, OcrSettings().dpi
    ('vie', 200)

A page is rendered to an 8-bit grey image at `dpi` (200, what office scanners use; capped at
MAX_PIXELS for oversized pages) and piped as PGM to Debian's `tesseract` with the Vietnamese
model (`-l vie`), one thread (OMP_THREAD_LIMIT=1: on a small server, pages in a queue go faster
one core each). tesseract's TSV output gives the words, their lines and paragraphs, and a
confidence (0-100) per word. The text is NFC with one tone placement (ingest.vietnamese); the
pipeline then cleans it like any other text.

Limits (environment, read per file): CHIDAO_OCR_MAX_PAGES (default 50) scanned pages per file,
refused before any OCR when over; CHIDAO_OCR_SECONDS (default 600) of OCR per file, checked
between pages and given to tesseract as its timeout. The upload sandbox sets both from its
`Limits` (ingest.sandbox), so its memory and time limits cover OCR too.
"""

from __future__ import annotations

import math
import os
import shutil
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ingest.model import IngestError
from ingest.vietnamese import normalize

LANGUAGE = "vie"
DPI = 200
MAX_PIXELS = 30_000_000  # an A0 poster at 200 dpi would be 70 M; A4 is 3.9 M
MAX_PAGES_ENV = "CHIDAO_OCR_MAX_PAGES"
SECONDS_ENV = "CHIDAO_OCR_SECONDS"
DEFAULT_MAX_PAGES = 50
DEFAULT_SECONDS = 600.0
INSTALL = "apt-get install tesseract-ocr tesseract-ocr-vie, or run scripts/setup.sh as root"
NO_TESSERACT = f"scanned PDF: OCR needs Debian's tesseract-ocr ({INSTALL})"
NO_VIETNAMESE = f"scanned PDF: tesseract has no Vietnamese model 'vie' ({INSTALL})"


@dataclass(frozen=True)
class OcrSettings:
    max_pages: int = DEFAULT_MAX_PAGES
    seconds: float = DEFAULT_SECONDS
    dpi: int = DPI
    language: str = LANGUAGE

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> OcrSettings:
        """The defaults, overridden by CHIDAO_OCR_MAX_PAGES and CHIDAO_OCR_SECONDS."""
        env = os.environ if env is None else env
        return cls(max_pages=int(_positive(env, MAX_PAGES_ENV, DEFAULT_MAX_PAGES)),
                   seconds=_positive(env, SECONDS_ENV, DEFAULT_SECONDS))


def _positive(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not value > 0:
        raise ValueError(f"{name}={raw!r}: expected a positive number")
    return value


@dataclass(frozen=True)
class OcrPage:
    number: int  # 1-based page number in the file
    text: str  # NFC, one tone placement; lines by "\n", paragraphs by a blank line
    confidence: float  # mean word confidence, 0-100 (0 when no word was found)
    words: int
    seconds: float


@lru_cache(maxsize=4)
def _languages(exe: str) -> frozenset[str]:
    try:
        done = subprocess.run([exe, "--list-langs"], capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return frozenset()
    lines = done.stdout.decode("utf-8", "replace").splitlines()
    return frozenset(line.strip() for line in lines[1:] if line.strip())


def tesseract(path: str, language: str = LANGUAGE) -> str:
    """The tesseract executable, once it is known to have `language`; IngestError otherwise."""
    exe = shutil.which("tesseract")
    if exe is None:
        raise IngestError(path, NO_TESSERACT)
    if language not in _languages(exe):
        raise IngestError(path, NO_VIETNAMESE)
    return exe


def pgm(grey: np.ndarray) -> bytes:
    """An 8-bit grey image (rows x columns) as binary PGM, which tesseract reads from stdin."""
    h, w = grey.shape
    return f"P5 {w} {h} 255\n".encode("ascii") + np.ascontiguousarray(grey, dtype=np.uint8).tobytes()


def render(page: object, dpi: int = DPI) -> bytes:
    """A pypdfium2 page as a PGM image at `dpi` (lower for pages over MAX_PIXELS)."""
    width, height = page.get_size()  # type: ignore[attr-defined]  # points
    scale = dpi / 72
    if width * height * scale * scale > MAX_PIXELS:
        scale = math.sqrt(MAX_PIXELS / (width * height))
    bitmap = page.render(scale=scale, grayscale=True)  # type: ignore[attr-defined]
    array = bitmap.to_numpy()
    if array.ndim == 3:
        array = array[:, :, 0]
    return pgm(array)


# Marks a speck of dust or a scanner streak is read as; no directive starts a word with one.
NOISE_GLYPHS = "~`^|¦¬"


def parse_tsv(tsv: str) -> tuple[str, list[float]]:
    """tesseract's TSV -> (text, word confidences). Words of a line joined by spaces, lines by
    "\\n", paragraphs and blocks by a blank line. Noise glyphs (NOISE_GLYPHS) at the start or
    end of a word are dropped, and a word of nothing else with them."""
    out: list[str] = []
    confidences: list[float] = []
    line_key: tuple[str, str, str] | None = None
    for row in tsv.splitlines()[1:]:
        cols = row.split("\t", 11)
        word = cols[11].strip().strip(NOISE_GLYPHS) if len(cols) == 12 else ""
        if cols[0] != "5" or not word:
            continue
        key = (cols[2], cols[3], cols[4])  # block, paragraph, line
        if line_key is not None and key != line_key:
            out.append("\n\n" if key[:2] != line_key[:2] else "\n")
        elif line_key is not None:
            out.append(" ")
        line_key = key
        out.append(word)
        try:
            confidences.append(max(0.0, float(cols[10])))
        except ValueError:
            confidences.append(0.0)
    return "".join(out), confidences


def read_image(image: bytes, path: str, number: int, exe: str, settings: OcrSettings,
               timeout: float) -> OcrPage:
    """OCR one page image (PGM/PNG bytes). IngestError names the file and the page."""
    started = time.monotonic()
    cmd = [exe, "stdin", "stdout", "-l", settings.language, "--dpi", str(settings.dpi), "--psm", "3", "tsv"]
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    try:
        done = subprocess.run(cmd, input=image, capture_output=True, timeout=timeout, check=False, env=env)
    except subprocess.TimeoutExpired:
        raise IngestError(path, over_time(number, settings)) from None
    except OSError as exc:
        raise IngestError(path, f"cannot run tesseract: {exc.strerror}") from None
    if done.returncode != 0:
        if done.returncode < 0:
            detail = f"stopped by signal {-done.returncode} (CPU or memory limit?)"
        else:
            lines = done.stderr.decode("utf-8", "replace").strip().splitlines()
            detail = lines[-1][:160] if lines else f"exit status {done.returncode}"
        raise IngestError(path, f"OCR of page {number} failed: tesseract {detail}")
    text, confidences = parse_tsv(done.stdout.decode("utf-8", "replace"))
    confidence = sum(confidences) / len(confidences) if confidences else 0.0
    return OcrPage(number, normalize(text), confidence, len(confidences), time.monotonic() - started)


def over_time(number: int, settings: OcrSettings) -> str:
    return f"OCR stopped at page {number}: over the {settings.seconds:g} s OCR time limit ({SECONDS_ENV})"


def ocr_pages(pages: Mapping[int, object], path: str, settings: OcrSettings) -> list[OcrPage]:
    """OCR the given pypdfium2 pages (keyed by 1-based number), within `settings`' limits."""
    if len(pages) > settings.max_pages:
        raise IngestError(path, f"{len(pages)} scanned pages (no text layer) need OCR, over the "
                                f"{settings.max_pages}-page OCR limit ({MAX_PAGES_ENV})")
    exe = tesseract(path, settings.language)
    started = time.monotonic()
    out: list[OcrPage] = []
    for number, page in sorted(pages.items()):
        left = settings.seconds - (time.monotonic() - started)
        if left <= 0:
            raise IngestError(path, over_time(number, settings))
        out.append(read_image(render(page, settings.dpi), path, number, exe, settings, timeout=left))
    return out


def mean_confidence(pages: list[OcrPage]) -> float:
    """Word-weighted mean confidence over pages, 0-100, one decimal."""
    words = sum(p.words for p in pages)
    return round(sum(p.confidence * p.words for p in pages) / words, 1) if words else 0.0

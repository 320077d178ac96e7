"""Ingest untrusted files in a child process with resource limits.

A hostile upload (zip bomb, XML entity expansion, a PDF whose objects loop, a parser bug that
recurses forever) must cost the server one bounded child process, not its memory or its time.
`ingest_file_sandboxed(path)` runs `ingest.pipeline.ingest_file` in `python -m ingest.sandbox`
under setrlimit — address space (RLIMIT_AS), CPU seconds (RLIMIT_CPU), size of any file it
writes (RLIMIT_FSIZE), open files — with a wall-clock timeout, in a scratch folder of its own
(cwd and TMPDIR) that is removed afterwards. OCR of scanned PDF pages runs inside the same
limits: tesseract is the child's own subprocess (it inherits the rlimits), at most `ocr_pages`
scanned pages are read (more are refused before any OCR), and OCR stops with a clear message
`OCR_MARGIN_S` before the wall-clock limit. The child sends the result back as JSON (no pickle);
every failure comes back as IngestError(file, reason).

`ingest_upload(data, filename, folder)` is what an upload endpoint calls: the client's filename
is reduced to a safe base name (no directories, no "..", no control characters), the bytes are
written inside `folder` only, and the file is ingested in the sandbox (and deleted again if it
cannot be ingested).
"""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from ingest.jsonl import chunk_from_dict, chunk_to_dict, document_from_dict, document_to_dict
from ingest.model import IngestError
from ingest.pipeline import SUPPORTED_SUFFIXES, IngestedFile, ingest_text
from ingest.readers import MAX_FILE_BYTES, read

MB = 1024 * 1024
ROOT = Path(__file__).resolve().parent.parent
MAX_NAME = 120
OCR_MARGIN_S = 10.0  # of the wall-clock limit, left for start-up, cleaning and chunking after OCR
_UNSAFE = re.compile(r"[^\w.\- ()]+")


@dataclass(frozen=True)
class Limits:
    seconds: float = 120.0  # wall clock, from start to result (OCR of a 20-page scan fits in it)
    cpu_seconds: int = 30  # of the child itself; tesseract, its subprocess, has the same limit per page
    memory_bytes: int = 1024 * MB  # address space of the child (python + lxml + pypdf fit in ~150 MB)
    file_bytes: int = MAX_FILE_BYTES  # largest file the child may write (antiword's copy of a .doc)
    open_files: int = 64
    ocr_pages: int = 20  # scanned pages (no text layer) OCR'd per file; a file with more is refused

    @property
    def ocr_seconds(self) -> float:
        """The OCR time budget the child is given: the wall clock less a margin."""
        return max(1.0, self.seconds - OCR_MARGIN_S)


DEFAULT_LIMITS = Limits()


def _apply_limits(limits: Limits) -> None:
    """In the child, before exec: the limits, and a process group of its own (killed as one)."""
    os.setsid()
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_bytes, limits.file_bytes))
    resource.setrlimit(resource.RLIMIT_NOFILE, (limits.open_files, limits.open_files))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _signal_reason(code: int, limits: Limits) -> str:
    sig = -code
    if sig == signal.SIGXCPU or sig == signal.SIGKILL:
        return f"parsing used more than {limits.cpu_seconds} s of CPU (stopped)"
    if sig == signal.SIGXFSZ:
        return "parser tried to write a file over the size limit (stopped)"
    return f"parser crashed ({signal.Signals(sig).name})"


def ingest_file_sandboxed(path: str | Path, limits: Limits = DEFAULT_LIMITS, source: str | Path | None = None
                          ) -> IngestedFile:
    """`ingest_file(path)` in a resource-limited child; IngestError(path, reason) on any failure,
    the limits' included. `source` (default: `path`) is the path the documents record."""
    name = str(source or path)
    scratch = Path(tempfile.mkdtemp(prefix=".chidao-sandbox-", dir=Path(path).parent))
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(ROOT),
        "PYTHONDONTWRITEBYTECODE": "1",
        "TMPDIR": str(scratch),
        "HOME": str(scratch),
        "LANG": "C.UTF-8",
        "CHIDAO_OCR_MAX_PAGES": str(limits.ocr_pages),
        "CHIDAO_OCR_SECONDS": f"{limits.ocr_seconds:g}",
    }
    cmd = [sys.executable, "-m", "ingest.sandbox", str(Path(path).resolve()), name]
    try:
        proc = subprocess.Popen(  # fixed argv: this interpreter and this module
            cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, cwd=scratch, env=env,
            preexec_fn=lambda: _apply_limits(limits),  # noqa: PLW1509 - only setrlimit/setsid run there
        )
        try:
            out, err = proc.communicate(timeout=limits.seconds)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise IngestError(name, f"parsing took over {limits.seconds:g} s (stopped)") from None
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if proc.returncode != 0:
        if proc.returncode < 0:
            raise IngestError(name, _signal_reason(proc.returncode, limits))
        tail = err.decode("utf-8", "replace").strip().splitlines()
        if tail and tail[-1].startswith("MemoryError"):
            raise IngestError(name, f"parsing needs more than {limits.memory_bytes // MB} MB of memory (stopped)")
        raise IngestError(name, f"parser failed: {tail[-1][:160] if tail else f'exit status {proc.returncode}'}")
    try:
        result = json.loads(out)
    except ValueError:
        raise IngestError(name, "parser returned no result") from None
    if "error" in result:
        raise IngestError(name, result["error"])
    return IngestedFile(
        path=result["path"],
        documents=tuple(document_from_dict(d) for d in result["documents"]),
        chunks=tuple(chunk_from_dict(c) for c in result["chunks"]),
    )


def safe_filename(filename: str) -> str:
    """A client-supplied file name reduced to a base name safe to create in a folder:
    directories, "..", control and reserved characters dropped, NFC, at most MAX_NAME chars."""
    base = re.split(r"[\\/]", unicodedata.normalize("NFC", filename or ""))[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    base = _UNSAFE.sub("_", base).strip(" .")
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    stem = stem[: MAX_NAME - len(suffix) - 1].strip(" .") or "upload"
    return f"{stem}.{suffix.lower()}" if suffix else stem


def ingest_upload(data: bytes, filename: str, folder: str | Path, limits: Limits = DEFAULT_LIMITS) -> IngestedFile:
    """Store an uploaded file as `folder`/safe_filename(filename) and ingest it in the sandbox.
    The bytes are staged in a private subfolder and moved into place only once ingested (an
    existing file of that name is replaced: a re-upload); nothing is written outside `folder`.
    IngestError names the safe file name and the reason."""
    folder = Path(folder).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    name = safe_filename(filename)
    if Path(name).suffix.lower() not in SUPPORTED_SUFFIXES:
        raise IngestError(name, f"unsupported file type; valid: {' '.join(SUPPORTED_SUFFIXES)}")
    if len(data) > MAX_FILE_BYTES:
        raise IngestError(name, f"file too large: {len(data) / MB:.1f} MB > {MAX_FILE_BYTES / MB:g} MB limit")
    target = folder / name
    if target.resolve().parent != folder:
        raise IngestError(name, "invalid file name")
    staging = Path(tempfile.mkdtemp(prefix=".incoming-", dir=folder))
    try:
        staged = staging / name
        with open(staged, "xb") as fh:
            fh.write(data)
        try:
            ingested = ingest_file_sandboxed(staged, limits, source=target)
        except IngestError as exc:
            raise IngestError(name, exc.reason) from None
        os.replace(staged, target)
        return ingested
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _child(path: str, source: str) -> int:
    """The child's side: ingest one file, print the result or the reason as one JSON object."""
    try:
        raw = read(path)
        ingested = ingest_text(raw.text, Path(source).stem, source, raw.sha256, raw.ocr)
        result: dict[str, object] = {
            "path": ingested.path,
            "documents": [document_to_dict(d) for d in ingested.documents],
            "chunks": [chunk_to_dict(c) for c in ingested.chunks],
        }
    except IngestError as exc:
        result = {"error": exc.reason}
    except RecursionError:
        result = {"error": "structure nested too deeply (recursion limit)"}
    except Exception as exc:  # noqa: BLE001 - the promise is IngestError, never a traceback
        result = {"error": f"unexpected {type(exc).__name__}: {str(exc)[:160]}"}
    sys.stdout.write(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(_child(sys.argv[1], sys.argv[2]))

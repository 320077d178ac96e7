"""Legacy Word 97-2003 .doc, through Debian's `antiword` (run as a subprocess with a timeout).

antiword writes UTF-8 with `-m UTF-8.txt`; `-w 0` keeps each paragraph on one line. Text in
TCVN3/VNI fonts comes out as Windows-1252 gibberish and is converted by `legacy`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile

from ingest.model import IngestError, RawText
from ingest.readers.encoding import convert_if_legacy

TIMEOUT_S = 60.0
NO_ANTIWORD = "legacy .doc needs Debian's antiword (apt-get install antiword)"


def read_doc(data: bytes, path: str) -> RawText:
    exe = shutil.which("antiword")
    if exe is None:
        raise IngestError(path, NO_ANTIWORD)
    with tempfile.TemporaryDirectory(prefix="chidao-doc-") as tmp:
        copy = os.path.join(tmp, "input.doc")
        with open(copy, "wb") as fh:
            fh.write(data)
        try:
            done = subprocess.run(
                [exe, "-m", "UTF-8.txt", "-w", "0", copy],
                capture_output=True,
                timeout=TIMEOUT_S,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise IngestError(path, f"antiword timed out after {TIMEOUT_S:g} s") from None
        except OSError as exc:
            raise IngestError(path, f"cannot run antiword: {exc.strerror}") from None
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip().replace(copy, "file")
        first = detail.split("\n", 1)[0][:160] if detail else f"exit status {done.returncode}"
        raise IngestError(path, f"antiword failed: {first}")
    text = done.stdout.decode("utf-8", "replace").strip()
    if not text:
        raise IngestError(path, "no text in .doc")
    text, legacy = convert_if_legacy(text)
    return RawText(path=path, text=text, format="doc", encoding=legacy or "doc")

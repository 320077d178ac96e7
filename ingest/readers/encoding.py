"""Bytes of a text-like file -> str, with the encoding that produced it.

Order of tries, first match wins:
1. A byte-order mark: UTF-8 (utf-8-sig), UTF-16 LE/BE.
2. UTF-16 without a BOM: many NUL bytes at odd positions (LE) or even positions (BE), since
   ASCII letters, digits and spaces carry a zero high byte.
3. Binary: NUL bytes, or more than 1% control bytes that no text encoding uses.
4. UTF-8: strict, or with at most one damaged byte in a thousand (replaced by U+FFFD).
5. Legacy font encodings (TCVN3, VNI) in the Latin-1 view of the bytes (`legacy.detect_legacy`).
6. Windows-1258, accepted only if most non-ASCII words come out as Vietnamese syllables;
   it writes tones as combining marks, so the result is NFC-normalised.
Unicode text (1, 2, 4) whose words are TCVN3/VNI gibberish (legacy text pasted into a UTF-8
file, or a web page) is converted too, line by line (`legacy.convert_lines`).
Anything else is "binary or undecodable content".
"""

from __future__ import annotations

import codecs
import unicodedata
from dataclasses import dataclass

from ingest.model import IngestError
from ingest.readers.legacy import (
    LEGACY_ENCODINGS,
    LegacyEncoding,
    convert_lines,
    detect_legacy,
    score,
    to_unicode,
)

UNDECODABLE = "binary or undecodable content"
_UTF16_MIN_ZERO_SHARE = 0.2  # ASCII-heavy Vietnamese text: about 0.7
_UTF16_MAX_OTHER_SHARE = 0.02
_MAX_CONTROL_SHARE = 0.01
_MAX_BAD_UTF8 = 1000  # one bad byte per this many
_SAMPLE = 1 << 20  # the statistics look at the first MiB (or million characters)
# C0 bytes no text uses. Tab, LF, VT, FF, CR and SUB are kept out, and so are the twelve
# codes TCVN3 (VN1) gives to uppercase vowels.
_TCVN3_C0 = frozenset({0x01, 0x02, 0x04, 0x05, 0x06, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17})
_CONTROL_BYTES = frozenset(range(0x20)) - {0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1A} - _TCVN3_C0
_CONTROL_DELETE = bytes(sorted(_CONTROL_BYTES))


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # utf-8 | utf-16 | cp1258 | tcvn3 | vni


def _control_share(data: bytes) -> float:
    kept = len(data.translate(None, _CONTROL_DELETE))
    return (len(data) - kept) / max(len(data), 1)


def _text_control_share(text: str) -> float:
    sample = text[:_SAMPLE]
    bad = sum(1 for ch in sample if ord(ch) in _CONTROL_BYTES)
    return bad / max(len(sample), 1)


def _utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le' / 'utf-16-be' when the NUL pattern says so, else None."""
    if len(data) < 4 or len(data) % 2:
        return None
    sample = data[:_SAMPLE]
    pairs = len(sample) // 2
    zero_even = sample[0::2].count(0) / pairs
    zero_odd = sample[1::2].count(0) / pairs
    if zero_odd >= _UTF16_MIN_ZERO_SHARE and zero_even <= _UTF16_MAX_OTHER_SHARE:
        return "utf-16-le"
    if zero_even >= _UTF16_MIN_ZERO_SHARE and zero_odd <= _UTF16_MAX_OTHER_SHARE:
        return "utf-16-be"
    return None


def _unicode_codec(data: bytes) -> tuple[str, str] | None:
    """(Python codec, label) for BOM-marked or BOM-less UTF-16 input."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", "utf-8"
    if data.startswith(codecs.BOM_UTF16_LE) and not data.startswith(codecs.BOM_UTF32_LE):
        return "utf-16", "utf-16"
    if data.startswith(codecs.BOM_UTF16_BE):
        return "utf-16", "utf-16"
    bomless = _utf16_without_bom(data)
    return (bomless, "utf-16") if bomless else None


def _mostly_utf8(data: bytes) -> str | None:
    """UTF-8 with a few damaged bytes (a crawl cut mid-character), U+FFFD in their place.

    Accepted when at most 1 byte in 1000 is bad and valid non-ASCII characters outnumber the
    bad ones ten to one, so a Windows-1258 file with one accented letter is not taken for it.
    """
    text = data.decode("utf-8", "replace")
    bad = text.count("\ufffd")
    valid = sum(1 for ch in text[:_SAMPLE] if ord(ch) > 0x7F and ch != "\ufffd")
    if bad * _MAX_BAD_UTF8 <= len(data) and valid >= 10 * bad:
        return text
    return None


def _cp1258_plausible(text: str) -> bool:
    """Windows-1258 decodes almost any byte string; keep it only if the words are Vietnamese."""
    s = score(text)
    return s.words > 0 and 2 * s.unicode >= s.words


def decode_bytes(data: bytes, path: str, convert_legacy: bool = True) -> Decoded:
    """Decode a text-like file. With convert_legacy=False (readers that convert after parsing,
    HTML) Unicode text is returned as decoded and 8-bit TCVN3/VNI in its Latin-1 view,
    labelled with its encoding."""
    unicode_codec = _unicode_codec(data)
    if unicode_codec is not None:
        codec, label = unicode_codec
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            raise IngestError(path, f"{UNDECODABLE} (invalid {label})") from None
        if _text_control_share(text) > _MAX_CONTROL_SHARE:
            raise IngestError(path, UNDECODABLE)
        return _unicode_text(text, label, convert_legacy)
    if 0 in data or _control_share(data) > _MAX_CONTROL_SHARE:
        raise IngestError(path, UNDECODABLE)
    try:
        utf8 = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return _unicode_text(utf8, "utf-8", convert_legacy)
    damaged = _mostly_utf8(data)
    if damaged is not None:
        return _unicode_text(damaged, "utf-8", convert_legacy)
    view = data.decode("latin-1")
    legacy = detect_legacy(view)
    if legacy is not None:
        return Decoded(to_unicode(view, legacy) if convert_legacy else view, legacy)
    try:
        text = unicodedata.normalize("NFC", data.decode("cp1258"))
    except UnicodeDecodeError:
        raise IngestError(path, UNDECODABLE) from None
    if not _cp1258_plausible(text):
        raise IngestError(path, UNDECODABLE)
    return Decoded(text, "cp1258")


def _unicode_text(text: str, label: str, convert_legacy: bool) -> Decoded:
    if not convert_legacy:
        return Decoded(text, label)
    converted, legacy = convert_if_legacy(text)
    return Decoded(converted, legacy or label)


def convert_if_legacy(text: str, known: str | None = None) -> tuple[str, LegacyEncoding | None]:
    """Convert all of `text` when `known` names a legacy encoding (8-bit bytes, all legacy);
    otherwise, when `detect_legacy` finds one, the lines that look legacy (`convert_lines`)."""
    for name in LEGACY_ENCODINGS:
        if name == known:
            return to_unicode(text, name), name
    legacy = detect_legacy(text)
    if legacy is None:
        return text, None
    return convert_lines(text, legacy), legacy

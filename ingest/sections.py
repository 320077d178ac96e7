"""Parse the numbering of a directive into a section tree.

Recognised at the start of a line (Nghị định 30/2020/NĐ-CP, Phụ lục I, and the habits of
provincial letters): Phần / Chương / Mục / Điều; I. II- III) ; 1. 1- 1) ; 1.1. ; a) b) ; and the
bullets - + * • –. Nesting follows the order in which marker kinds appear: a kind already open
closes back to its level (a sibling); a new kind opens one level deeper. The legal kinds and
Roman numerals are "strong": they also close any weaker kind that is open. "Nơi nhận:" closes
everything (the recipients list is not part of the body).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.attachments import _SIGN_FILLER, _SIGN_TITLE, is_person_name, is_upper_line
from ingest.model import Section

SECTIONS_VERSION = "2"

_HEADING = re.compile(
    r"(?P<legal>(?:Phần|PHẦN|Chương|CHƯƠNG|Mục|MỤC)\s+(?:[IVXLC]+|\d{1,3}|thứ\s+\w+|THỨ\s+\w+)\b)"
    r"|(?P<dieu>(?:Điều|ĐIỀU)\s+\d{1,3}[a-z]?)[.:]?"
    r"|(?P<dotted>\d{1,2}(?:\.\d{1,2})+)\.?(?=\s)"
    r"|(?P<roman>[IVXL]{1,6})\s?[.\-–):](?=\s)"
    r"|(?P<arabic>\d{1,3})\s?[.\-–)](?=\s)"
    r"|(?P<letter>[a-zđ])\s?[).](?=\s)"
    r"|(?P<bullet>[-+•–])(?=\s)"
    r"|(?P<star>\*)(?=\s)"
    r"|(?P<address>Kính gửi|KÍNH GỬI)\s*:?"
    r"|(?P<recipients>N[oơ]i nh[aậ]n|N[OƠ]I NH[AẬ]N)\s*:?"
    r"|(?P<appendix>PHỤ LỤC(?:\s+(?:SỐ\s*)?(?:[IVXLC]+|\d{1,2}[a-z]?))?\b|Phụ lục(?:\s+(?:số\s*)?(?:[IVXLC]+|\d{1,2}[a-z]?))(?=\s*(?:$|[.:\-–])))"
)
# Rank of each kind from the outermost; used only for the strong kinds' closing rule.
_BLOCK = 99
_RANK = {"recipients": _BLOCK, "address": _BLOCK, "signature": _BLOCK, "appendix": -1, "legal": 0, "dieu": 1, "roman": 2, "arabic": 3, "dotted": 4, "letter": 5, "star": 6, "bullet": 7}
_STRONG = frozenset({"appendix", "legal", "dieu", "roman"})
_LABEL_MAX = 150


@dataclass
class _Node:
    kind: str  # heading kind, with the bullet character for bullets ("bullet-", "bullet+")
    key: str
    label: str
    start: int
    body_start: int
    end: int = -1
    parent: _Node | None = None
    children: list[_Node] = field(default_factory=list)


def _label(line: str, kind: str) -> str:
    """The heading text a path shows: up to a colon when one comes early, else the line."""
    colon = line.find(":")
    if 0 < colon < _LABEL_MAX:
        return line[: colon + 1]
    if len(line) <= _LABEL_MAX:
        return line
    cut = line.rfind(" ", 0, _LABEL_MAX)
    return line[: cut if cut > 0 else _LABEL_MAX] + "…"


def _is_upper(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return len(letters) >= 3 and all(c.isupper() for c in letters)


def _kind_key(m: re.Match[str]) -> tuple[str, str]:
    kind = m.lastgroup or "bullet"
    if kind == "bullet":
        return "bullet" + m.group("bullet"), ""
    value = m.group(kind)
    if kind == "appendix":
        num = re.sub(r"(?i)^(?:phụ lục|PHỤ LỤC)\s*(?:số|SỐ)?\s*", "", value)
        return kind, f"PL{num}"
    if kind in ("legal", "dieu"):
        word, _, num = value.partition(" ")
        return f"{kind}:{word.lower()}", f"{word[0].upper()}{num.strip()}"
    return kind, value


def _is_bullet(kind: str) -> bool:
    return kind.startswith("bullet") or kind == "star"


def _rank(kind: str) -> int:
    base = "bullet" if kind.startswith("bullet") else kind.split(":")[0]
    return _RANK[base]


def parse_sections(text: str) -> list[Section]:
    """Return every section of `text` in document order (pre-order of the tree)."""
    root = _Node("root", "", "", 0, 0)
    stack: list[_Node] = [root]
    lines = list(_iter_lines(text))
    skip_next = False
    for i, (start, line) in enumerate(lines):
        if skip_next:
            skip_next = False
            continue
        m = _HEADING.match(line)
        if m and m.lastgroup == "appendix" and len(line) > _LABEL_MAX:
            m = None  # "Phụ lục ..." opening a long sentence is text, not an annex title
        in_list = any(n.kind == "recipients" for n in stack[1:])
        in_block = in_list or stack[-1].kind == "signature"
        if not m and in_list and not _signature_line(line) and is_upper_line(line) and len(line) >= 6:
            _close_to(stack, 1, start)  # "QUY ĐỊNH", "KẾ HOẠCH": an attached text's title ends the list
        if not m and in_block and (in_list or not is_person_name(line)) and _signature_line(line):
            # The signature block ends the recipients list (either may come first); it is the
            # signer's, not content, and what follows it (an annex) is the document's again.
            _close_to(stack, 1, start)
            _attach(stack, _Node("signature", "signature", line, start, start + len(line)))
            continue
        if not m and stack[-1].kind == "signature" and is_person_name(line):
            stack[-1].label = f"{stack[-1].label} {line}"
            _close_to(stack, 1, start + len(line))
            continue
        if not m and stack[-1].kind == "signature" and not (is_upper_line(line) or _SIGN_FILLER.match(line)):
            _close_to(stack, 1, start)  # no name came: the block ends at the first lower-case line
        if not m and len(stack) == 1 and _signature_line(line) and _signer_follows(lines, i):
            _attach(stack, _Node("signature", "signature", line, start, start + len(line)))
            continue
        if not m:
            # The address block ("Kính gửi:" and its bullets) ends at the first plain paragraph.
            depth = next((d for d, n in enumerate(stack) if n.kind == "address"), None)
            if depth is not None:
                _close_to(stack, depth, start)
            continue
        kind, key = _kind_key(m)
        if kind == "appendix":
            _close_to(stack, 1, start)
            _attach(stack, _Node(kind, key, _label(line, kind), start, start + len(line)))
            continue
        if kind in ("recipients", "address"):
            _close_to(stack, 1, start)
            node = _Node(kind, kind, _label(line, kind), start, start + len(line))
            _attach(stack, node)
            continue
        if kind == "star":
            _close_to(stack, 1, start)  # a starred note speaks to everyone: a top-level unit
        elif any(n.kind == kind for n in stack[1:]):
            depth = max(d for d, n in enumerate(stack) if n.kind == kind)
            _close_to(stack, depth, start)
        else:
            # A numbered heading never nests under a bullet or an address block.
            while len(stack) > 1 and (_is_bullet(stack[-1].kind) or _rank(stack[-1].kind) == _BLOCK):
                if _is_bullet(kind):
                    break
                _close_to(stack, len(stack) - 1, start)
            if kind.split(":")[0] in _STRONG:
                strong = _rank(kind)
                while len(stack) > 1 and _rank(stack[-1].kind) >= strong:
                    _close_to(stack, len(stack) - 1, start)
        label = _label(line, kind)
        body_start = start + len(line)
        if kind.startswith("legal") and i + 1 < len(lines) and _is_upper(lines[i + 1][1]):
            nxt_start, nxt = lines[i + 1]
            label = f"{line} {nxt}"
            body_start = nxt_start + len(nxt)
            skip_next = True
        elif len(label) < len(line):
            body_start = start + len(label)
        node = _Node(kind, key, label, start, body_start)
        _attach(stack, node)
    _close_to(stack, 0, len(text))
    root.end = len(text)
    return _flatten(root)


def _signature_line(line: str) -> bool:
    """A signer's capacity or title in capitals ("TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH")."""
    return len(line) <= 120 and is_upper_line(line) and _SIGN_TITLE.match(line) is not None


def _signer_follows(lines: list[tuple[int, str]], i: int) -> bool:
    """A person's name within the next five lines: the capitals line opens a signature block."""
    return any(is_person_name(x) for _, x in lines[i + 1 : i + 6])


def _iter_lines(text: str):
    pos = 0
    for raw in text.split("\n"):
        stripped = raw.strip()
        if stripped:
            yield pos + (len(raw) - len(raw.lstrip())), stripped
        pos += len(raw) + 1


def _attach(stack: list[_Node], node: _Node) -> None:
    parent = stack[-1]
    node.parent = parent
    parent.children.append(node)
    stack.append(node)


def _close_to(stack: list[_Node], depth: int, pos: int) -> None:
    """Close every node deeper than or at `depth` (depth 0 is the root, never closed here)."""
    while len(stack) > max(depth, 1):
        stack.pop().end = pos


def _flatten(root: _Node) -> list[Section]:
    out: list[Section] = []

    def visit(node: _Node, path: tuple[str, ...], keys: tuple[str, ...]) -> None:
        counts: dict[str, int] = {}
        for child in node.children:
            if _is_bullet(child.kind):
                counts[child.kind] = counts.get(child.kind, 0) + 1
                mark = "*" if child.kind == "star" else child.kind[-1]
                key = f"{mark}{counts[child.kind]}"
            else:
                key = child.key
                counts[key] = counts.get(key, 0) + 1
                if counts[key] > 1:
                    key = f"{key}'{counts[key]}"
            child_path = path + (child.label,)
            child_keys = keys + (key,)
            out.append(Section(child_path, child_keys, child.start, child.end, child.body_start))
            visit(child, child_path, child_keys)

    visit(root, (), ())
    return out

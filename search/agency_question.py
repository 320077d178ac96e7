"""Agency questions for any organisation: who is asked about, where, and on what topic.

"X phải làm gì / được giao gì / có nhiệm vụ gì / có trách nhiệm gì / chịu trách nhiệm gì / chủ trì
việc gì", "Nhiệm vụ của X là gì", with or without diacritics. X is whatever stands before the
predicate (or after "nhiệm vụ của"); it is an organisation when the agency table or the name
grammar (`ingest.organisations`) reads one there, or when it matches an organisation the index
has seen. "X tỉnh Y" / "X ở Y" scopes the question to province Y; "... trong/về/đối với T" is a
topic qualifier.

Matching against the organisations the index has seen works on `org_key` (name tokens, place
dropped): the same key, else the seen names sharing most of the question's name words. A
question about the communes' collective ("UBND các xã, phường") also takes every named commune.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from ingest import provinces
from ingest.agencies import AgencyTable, fold_text, table
from ingest.organisations import COMMUNES, DISTRICTS, Finder, is_commune, org_key

# The predicate of an agency question, on folded text.
_PREDICATE = re.compile(
    r"\b(?:co trach nhiem|chiu trach nhiem|co nhiem vu|phai|duoc giao|duoc yeu cau|duoc de nghi|"
    r"can lam|can thuc hien|chu tri|lam gi|lam nhung|thuc hien nhung|thuc hien gi|co y kien|"
    r"dam nhan|phu trach|theo doi|don doc|can thuc hien)\b"
)
_OF = re.compile(r"^(?:cac\s+)?(?:nhiem vu|trach nhiem|viec|cong viec|nhung viec)(?:\s+(?:duoc giao|chinh))?\s+cua\s+")
_OF_END = re.compile(r"\s+(?:la gi|gom nhung gi|gom|bao gom|la nhung gi|trong|ve|doi voi)\b")
# Interrogatives of a factual question: the answer is a fact, not a list of tasks.
_FACTUAL = re.compile(
    r"\b(?:khi nao|bao gio|bao nhieu|ngay nao|ngay may|thoi han|han chot|bao lau|o dau|van ban nao|"
    r"so hieu|ai (?:chu tri|phu trach|chiu trach nhiem)|co quan nao|don vi nao|so nao|thoi gian nao|luc nao|"
    r"thoi diem nao|bao nhieu lan|may lan|tan suat)\b"
    # A yes/no question ("Viện kiểm sát nhân dân có trách nhiệm ..., đúng hay sai?") asks whether a
    # statement holds.
    r"|\b(?:dung hay sai|dung hay khong|(?:co )?dung khong|phai khong|hay khong|duoc khong)\W*$"
)
# Words that make a question naming an organisation ask for its tasks.
_TASK_WORDS = re.compile(r"\b(?:nhiem vu|duoc giao|phai lam|lam gi|viec gi|cong viec|nhung gi|yeu cau|trach nhiem)\b")
_TOPIC = re.compile(r"\b(?:trong|ve|doi voi|lien quan den|cho)\s+(.+)$")
_PLACE = re.compile(r"\s+(?:o|tai|tren dia ban)\s+(\S.*)$")
_MIN_SCORE = 0.6
_NEAR = 0.75


@dataclass(frozen=True)
class AgencyQuestion:
    """What an agency question asks about."""

    phrase: str  # the organisation as typed ("Ủy ban nhân dân các xã, phường ở Cần Thơ")
    names: tuple[str, ...]  # organisations read in it (canonical where the table knows them)
    province: str | None
    topic: str | None


def parse(question: str, date: str | None = None, agencies: AgencyTable | None = None) -> AgencyQuestion | None:
    """The organisation, place and topic of an agency question, or None when it is none."""
    agencies = agencies or table()
    folded = fold_text(question).strip()
    if _FACTUAL.search(folded):
        return None
    of = _OF.search(folded)
    if of:
        end = _OF_END.search(folded, of.end())
        a, b = of.end(), end.start() if end else len(folded.rstrip(" ?.!"))
        rest = folded[b:]
    else:
        pred = _PREDICATE.search(folded)
        if pred is None:
            return _bare(question, folded, date, agencies)
        a, b = 0, pred.start()
        rest = folded[pred.end() :]
    phrase = question[a:b].strip(" ,:?")
    if not phrase:
        return None
    province = _province(phrase)
    cut = _place_cut(phrase)
    core = phrase[:cut] if cut is not None else phrase
    core = re.split(r"\s(?:là|la|như|nhu|gồm|gom)\s", core)[0]  # "Các chủ rừng là tổ chức như ..."
    names = _names(core, date, agencies)
    if not names and not _looks_like_body(core):
        return None
    topic = _TOPIC.search(rest)
    return AgencyQuestion(phrase, names, province, topic.group(1).strip(" ?.!") if topic else None)


def _bare(question: str, folded: str, date: str | None, agencies: AgencyTable) -> AgencyQuestion | None:
    """A question that is just a name ("Sở Y tế", "so y te?") asks for its tasks too."""
    words = re.sub(r"[^0-9a-z ]", " ", folded).split()
    names = _names(question.strip(" ?.!"), date, agencies)
    mentions = Finder(agencies, date, casual=True).find(question)
    covered = sum(len(fold_text(question[m.start : m.end]).split()) for m in mentions)
    if names and (len(words) - covered <= 3 or _TASK_WORDS.search(folded)):
        return AgencyQuestion(question.strip(" ?.!"), names, _province(question), None)
    return None


def _names(phrase: str, date: str | None, agencies: AgencyTable) -> tuple[str, ...]:
    mentions = Finder(agencies, date, casual=True).find(phrase)
    named = [m for m in mentions if not m.agency.collective] or list(mentions)
    return tuple(dict.fromkeys(m.name for m in named))


def _looks_like_body(phrase: str) -> bool:
    """An open description of addressees ("Các chủ rừng là tổ chức ...", "Doanh nghiệp cung cấp
    dịch vụ ..."): a plural or collective noun phrase of at least two words."""
    f = fold_text(phrase)
    return len(f.split()) >= 2 and re.match(r"(?:cac|nhung|moi)\s|(?:doanh nghiep|chu rung|nha dau tu|chu dau tu|to chuc|don vi|co quan)\b", f) is not None


def _province(phrase: str) -> str | None:
    found = provinces.mentions(phrase) or provinces.bare_mentions(phrase)
    if found:
        return found[0]
    cut = _place_cut(phrase)
    return provinces.place_province(phrase[cut:].split(None, 1)[-1]) if cut is not None else None


def _place_cut(phrase: str) -> int | None:
    """Where "ở Cần Thơ", "tại Đồng Tháp", "trên địa bàn ..." starts in `phrase`, if anywhere."""
    for m in _PLACE.finditer(fold_text(phrase)):
        if phrase[m.start(1) : m.start(1) + 1].isupper() or fold_text(phrase[m.start(1) :]).startswith(("tinh", "thanh pho")):
            return m.start()
    return None


def _tokens(key: str) -> set[str]:
    return set(key.split()) - {"cac", "va", "tinh", "thanh", "pho", "nhan", "dan", "tren", "dia", "ban"}


@dataclass(frozen=True)
class _Seen:
    """The organisations an index has seen, keyed for matching: `org_key` and its tokens of each,
    and the names by key and by token, so a question looks at the few names that share a word with
    it, not at every name (thousands at 100k chunks)."""

    order: dict[str, int]
    keys: dict[str, str]
    tokens: dict[str, frozenset[str]]
    by_key: dict[str, list[str]]
    by_token: dict[str, list[str]]

    @classmethod
    def of(cls, seen: Mapping[str, int]) -> _Seen:
        keys = {s: org_key(s) for s in seen}
        tokens = {s: frozenset(_tokens(k)) for s, k in keys.items()}
        by_key: dict[str, list[str]] = {}
        by_token: dict[str, list[str]] = {}
        for s, k in keys.items():
            by_key.setdefault(k, []).append(s)
            for t in tokens[s]:
                by_token.setdefault(t, []).append(s)
        return cls({s: i for i, s in enumerate(seen)}, keys, tokens, by_key, by_token)

    def sharing(self, want: set[str]) -> list[str]:
        """The names that share a token with `want`, in the order seen."""
        return sorted({s for t in want for s in self.by_token.get(t, ())}, key=self.order.__getitem__)


_LAST: tuple[Mapping[str, int], _Seen] | None = None


def _keyed(seen: Mapping[str, int]) -> _Seen:
    """`_Seen` of the last mapping asked about (a served index hands the same one to every query)."""
    global _LAST
    if _LAST is None or _LAST[0] is not seen:
        _LAST = (seen, _Seen.of(seen))
    return _LAST[1]


def match(q: AgencyQuestion, seen: Mapping[str, int]) -> tuple[str, ...]:
    """The organisations of `seen` (stored canonical names) the question asks about."""
    out: list[str] = []
    keyed = _keyed(seen)
    for name in q.names:
        key = org_key(name)
        same = sorted({*keyed.by_key.get(key, ()), *([name] if name in seen else [])}, key=keyed.order.__getitem__)
        if key in _GENERIC_HEADS:  # "các doanh nghiệp": every kind of them the index has seen
            same += _same_head(key, seen)
        # The same name, and names that differ from it by a modifier ("Các đơn vị cấp nước" for
        # "Các đơn vị cấp nước sạch"); else the nearest, else the same generic head.
        near = [c for c in _closest(key, seen, _NEAR) if c not in same]
        out += (same + near) or _closest(key, seen, _MIN_SCORE) or _same_head(key, seen)
    if not q.names:
        out += _closest(org_key(re.split(r"[,(]| la | như | nhu ", q.phrase)[0]), seen, _MIN_SCORE)
    if COMMUNES in out or DISTRICTS in q.names:
        if DISTRICTS in q.names and COMMUNES in seen:
            out.append(COMMUNES)
        out += [s for s in seen if is_commune(s)]
    return tuple(dict.fromkeys(out))


_GENERIC_HEADS = ("doanh nghiep", "chu rung", "don vi", "to chuc", "nha dau tu", "chu dau tu", "cong ty", "ngan hang",
                  "hop tac xa", "co so")


def _same_head(key: str, seen: Mapping[str, int]) -> list[str]:
    """An open description of addressees ("các doanh nghiệp xây dựng, vận tải ...") takes every
    seen organisation with the same generic head noun; the province scope narrows them."""
    head = next((h for h in _GENERIC_HEADS if key == h or key.startswith(h + " ")), None)
    if head is None:
        return []
    keys = _keyed(seen).keys
    return [s for s in seen if keys[s] == head or keys[s].startswith(head + " ")]


def _closest(key: str, seen: Mapping[str, int], minimum: float) -> list[str]:
    want = _tokens(key)
    if not want:
        return []
    keyed = _keyed(seen)
    scored = []
    for s in keyed.sharing(want):  # a name sharing no token scores 0, under any minimum here
        have = keyed.tokens[s]
        score = len(want & have) / len(want | have)
        if score >= minimum:
            scored.append((score, s))
    if not scored:
        return []
    best = max(sc for sc, _ in scored)
    return [s for sc, s in scored if sc == best]


def closest(phrase: str, seen: Mapping[str, int], n: int = 5) -> tuple[str, ...]:
    """The seen organisations nearest to an unknown one, for "did you mean"."""
    want = _tokens(org_key(phrase))
    keyed = _keyed(seen)
    scored = sorted(((len(want & keyed.tokens[s]) / max(len(want | keyed.tokens[s]), 1), -seen[s], s)
                     for s in keyed.sharing(want)), reverse=True)
    return tuple(s for sc, _, s in scored[:n] if sc > 0)


_TOPIC_STOP = frozenset(["trong", "ve", "doi", "voi", "cua", "cac", "nhung", "va", "la", "gi", "cho", "tai", "theo", "de", "o", "nay", "ke", "hoach", "nhiem", "vu", "cong", "tac", "thuc", "hien", "viec", "linh", "vuc", "tinh", "thanh", "pho"])


def topic_words(topic: str) -> set[str]:
    """The content words of a topic qualifier ("về cải cách hành chính" -> cai, cach, hanh, chinh)."""
    return {w for w in re.findall(r"[0-9a-z]+", fold_text(topic)) if w not in _TOPIC_STOP and len(w) > 1}


def on_topic(topic: str, text: str, minimum: float = 0.6) -> bool:
    """Whether a document's text holds most of the topic's content words."""
    want = topic_words(topic)
    if not want:
        return True
    have = set(re.findall(r"[0-9a-z]+", fold_text(text)))
    return len(want & have) / len(want) >= minimum

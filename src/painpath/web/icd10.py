"""ICD-10-CM look-up for the diagnosis fields: billable codes by code prefix or by words.

The code tables come from simple-icd-10-cm, the package that validates diagnosis codes, so a
suggested code is always one the record will accept. Loading the tables takes a few seconds;
the index is built once per process (``warm`` starts it in the background when a form that
needs it is opened) and every search after that is a scan of about 75,000 short strings.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

from painpath.domain.case import _icd10cm  # the one lazy, warning-quiet import of the tables

MAX_MATCHES = 20
_CODE_LIKE = re.compile(r"^[A-Za-z][0-9][0-9A-Za-z.]*$")
_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class Icd10Match:
    code: str
    description: str


@dataclass(frozen=True)
class _Entry:
    match: Icd10Match
    bare_code: str  # without the dot, upper case: "M5116"
    words: str  # " word word ...": each word of the description, lower case, after a space
    text: str  # the description in lower case


_lock = threading.Lock()
_index: tuple[_Entry, ...] | None = None


def _build() -> tuple[_Entry, ...]:
    icd = _icd10cm()
    entries = []
    for code in icd.get_all_codes(with_dots=True):
        if not icd.is_leaf(code):
            continue  # categories and blocks are not billable; the record refuses them
        description = str(icd.get_description(code))
        text = description.lower()
        entries.append(
            _Entry(
                match=Icd10Match(code=str(code), description=description),
                bare_code=str(code).replace(".", "").upper(),
                words=" " + " ".join(_WORD.findall(text)),
                text=text,
            )
        )
    return tuple(entries)


def _entries() -> tuple[_Entry, ...]:
    global _index  # noqa: PLW0603 - one index per process, built on first use
    with _lock:
        if _index is None:
            _index = _build()
        return _index


def warm() -> None:
    """Build the index in the background, so the first search a user makes is quick."""
    if _index is None:
        threading.Thread(target=_entries, name="icd10-index", daemon=True).start()


def search(query: str, *, limit: int = MAX_MATCHES) -> list[Icd10Match]:
    """Up to ``limit`` billable codes for ``query``.

    A query that looks like a code (a letter, then a digit: ``M51.1``, ``m5116``) matches codes
    that start with it, dots ignored. Any other query matches descriptions that contain every
    word of it, each word as the start of a word in the description (``lumb radic`` finds
    "... with radiculopathy, lumbar region"). Shorter descriptions come first.
    """
    cleaned = query.strip()
    if not cleaned:
        return []
    entries = _entries()
    if _CODE_LIKE.match(cleaned):
        prefix = cleaned.replace(".", "").upper()
        found = [entry.match for entry in entries if entry.bare_code.startswith(prefix)]
        return found[:limit]
    wanted = [f" {part}" for part in _WORD.findall(cleaned.lower())]
    if not wanted:
        return []
    hits = [entry for entry in entries if all(part in entry.words for part in wanted)]
    hits.sort(key=lambda entry: (len(entry.text), entry.bare_code))
    return [entry.match for entry in hits[:limit]]

"""Translations of the patient's pages (the self-report) into Hindi and Telugu.

Catalogues are gettext ``.po`` files under ``painpath/locale/<lang>/LC_MESSAGES/painpath.po``,
read with Babel when first needed and kept for the life of the process; no compiled ``.mo``
is shipped, so the text a reviewer edits is the text served. A message a catalogue lacks (or
marks fuzzy) falls back to English. Clinicians' pages are English: they render with
``NullTranslations``, which gives every message back as it is.

``N_`` marks a message in Python code for extraction without translating it there: the page
translates it when it renders, in the reader's language.
"""

from __future__ import annotations

import gettext
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path
from typing import Final

from painpath.catalogues import (
    ENGLISH,
    LANGUAGES,
    LOCALE_DIR,
    SOURCE_LANGUAGE,
    TRANSLATED,
    as_language,
    read_catalogue,
)
from painpath.domain.records import Language

__all__ = [
    "DOMAIN",
    "LANGUAGES",
    "LANGUAGE_NAMES",
    "LOCALE_DIR",
    "N_",
    "SOURCE_LANGUAGE",
    "TRANSLATED",
    "as_language",
    "catalogue_path",
    "current",
    "gettext_now",
    "ngettext_now",
    "rendering_in",
    "translations",
]

DOMAIN: Final = "painpath"
# Each language named in itself, for the language switch.
LANGUAGE_NAMES: Final[dict[Language, str]] = {"en": "English", "hi": "हिन्दी", "te": "తెలుగు"}
_current: ContextVar[gettext.NullTranslations] = ContextVar("painpath_translations")


def N_(message: str) -> str:  # noqa: N802 (the gettext convention extractors look for)
    """Mark ``message`` for translation; it is translated where it is shown."""
    return message


def catalogue_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(language: str) -> gettext.NullTranslations:
    """The translations into ``language``, falling back to English for anything missing."""
    return read_catalogue(catalogue_path(language), language=language, domain=DOMAIN)


def current() -> gettext.NullTranslations:
    """The translations of the page being rendered (English when none was chosen)."""
    return _current.get(ENGLISH)


@contextmanager
def rendering_in(language: str | None) -> Iterator[None]:
    """Render in ``language`` inside the block; every other render stays English."""
    token = _current.set(translations(language) if language else ENGLISH)
    try:
        yield
    finally:
        _current.reset(token)


def gettext_now(message: str) -> str:
    return current().gettext(message)


def ngettext_now(singular: str, plural: str, count: int) -> str:
    return current().ngettext(singular, plural, count)

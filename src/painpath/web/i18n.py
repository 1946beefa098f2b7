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
import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path
from typing import Final, get_args

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from painpath.domain.records import Language

LOCALE_DIR: Final = Path(__file__).resolve().parents[1] / "locale"
DOMAIN: Final = "painpath"
SOURCE_LANGUAGE: Final = "en"
LANGUAGES: Final[tuple[Language, ...]] = get_args(Language)
# Each language named in itself, for the language switch.
LANGUAGE_NAMES: Final[dict[Language, str]] = {"en": "English", "hi": "हिन्दी", "te": "తెలుగు"}
TRANSLATED: Final[tuple[Language, ...]] = tuple(
    language for language in LANGUAGES if language != SOURCE_LANGUAGE
)

_ENGLISH = gettext.NullTranslations()
_current: ContextVar[gettext.NullTranslations] = ContextVar("painpath_translations")


def N_(message: str) -> str:  # noqa: N802 (the gettext convention extractors look for)
    """Mark ``message`` for translation; it is translated where it is shown."""
    return message


def catalogue_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(language: str) -> gettext.NullTranslations:
    """The translations into ``language``, falling back to English for anything missing."""
    if language not in TRANSLATED:
        return _ENGLISH
    path = catalogue_path(language)
    if not path.is_file():
        return _ENGLISH
    with path.open("rb") as source:
        catalogue = read_po(source, locale=language, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalogue)  # fuzzy entries are left out, so they fall back to English
    compiled.seek(0)
    found = gettext.GNUTranslations(compiled)
    found.add_fallback(_ENGLISH)
    return found


def current() -> gettext.NullTranslations:
    """The translations of the page being rendered (English when none was chosen)."""
    return _current.get(_ENGLISH)


@contextmanager
def rendering_in(language: str | None) -> Iterator[None]:
    """Render in ``language`` inside the block; every other render stays English."""
    token = _current.set(translations(language) if language else _ENGLISH)
    try:
        yield
    finally:
        _current.reset(token)


def gettext_now(message: str) -> str:
    return current().gettext(message)


def ngettext_now(singular: str, plural: str, count: int) -> str:
    return current().ngettext(singular, plural, count)


def as_language(value: str | None) -> Language | None:
    """``value`` if it is a language the patient's pages speak, else None."""
    for language in LANGUAGES:
        if value == language:
            return language
    return None

"""Gettext catalogues: the languages painpath speaks to patients, and reading a catalogue.

The patient's pages (domain ``painpath``) and the printed documents (domain ``documents``) each
keep one ``.po`` file per language under ``painpath/locale/<lang>/LC_MESSAGES/``. Catalogues are
read with Babel when first needed; no compiled ``.mo`` is shipped, so the text a reviewer edits
is the text served. A message a catalogue lacks (or marks fuzzy) falls back to English, one
message at a time.
"""

from __future__ import annotations

import gettext
import io
from pathlib import Path
from typing import Final, get_args

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from painpath.domain.records import Language

LOCALE_DIR: Final = Path(__file__).resolve().parent / "locale"
SOURCE_LANGUAGE: Final = "en"
LANGUAGES: Final[tuple[Language, ...]] = get_args(Language)
TRANSLATED: Final[tuple[Language, ...]] = tuple(
    language for language in LANGUAGES if language != SOURCE_LANGUAGE
)
ENGLISH: Final = gettext.NullTranslations()


def as_language(value: str | None) -> Language | None:
    """``value`` if it is one of painpath's languages, else None."""
    for language in LANGUAGES:
        if value == language:
            return language
    return None


def read_catalogue(path: Path, *, language: str, domain: str) -> gettext.NullTranslations:
    """The translations into ``language`` in the catalogue at ``path``, falling back to English
    for anything missing (and English whole when there is no such catalogue)."""
    if language not in TRANSLATED or not path.is_file():
        return ENGLISH
    with path.open("rb") as source:
        catalogue = read_po(source, locale=language, domain=domain)
    compiled = io.BytesIO()
    write_mo(compiled, catalogue)  # fuzzy entries are left out, so they fall back to English
    compiled.seek(0)
    found = gettext.GNUTranslations(compiled)
    found.add_fallback(ENGLISH)
    return found

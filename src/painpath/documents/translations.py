"""The documents' translations: the ``documents`` gettext domain, in Hindi and Telugu.

One catalogue per language, ``painpath/locale/<lang>/LC_MESSAGES/documents.po``, holds both the
documents' fixed text (headings, labels) and the knowledge base's education text, whose English
is the message id, so the knowledge base stays the source and a changed English sentence shows
up as an untranslated message rather than a stale translation. Catalogues are read with Babel
when first needed; a missing or fuzzy message falls back to English, one message at a time.
"""

from __future__ import annotations

import gettext
import io
from functools import cache
from pathlib import Path
from typing import Final, get_args

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from painpath.domain.records import Language

LOCALE_DIR: Final = Path(__file__).resolve().parents[1] / "locale"
DOMAIN: Final = "documents"
SOURCE_LANGUAGE: Final = "en"
LANGUAGES: Final[tuple[Language, ...]] = get_args(Language)
TRANSLATED: Final[tuple[Language, ...]] = tuple(
    language for language in LANGUAGES if language != SOURCE_LANGUAGE
)

_ENGLISH: Final = gettext.NullTranslations()


def catalogue_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(language: str) -> gettext.NullTranslations:
    """The documents' translations into ``language``, English for anything missing."""
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


def as_language(value: str | None) -> Language | None:
    """``value`` if it is a language the documents are written in, else None."""
    for language in LANGUAGES:
        if value == language:
            return language
    return None

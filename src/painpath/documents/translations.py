"""The documents' translations: the ``documents`` gettext domain, in Hindi and Telugu.

One catalogue per language, ``painpath/locale/<lang>/LC_MESSAGES/documents.po``, holds both the
documents' fixed text (headings, labels) and the knowledge base's education text, whose English
is the message id, so the knowledge base stays the source and a changed English sentence shows
up as an untranslated message rather than a stale translation. Catalogues are read with Babel
when first needed; a missing or fuzzy message falls back to English, one message at a time.
"""

from __future__ import annotations

import gettext
from functools import cache
from pathlib import Path
from typing import Final

from painpath.catalogues import (
    LANGUAGES,
    LOCALE_DIR,
    SOURCE_LANGUAGE,
    TRANSLATED,
    as_language,
    read_catalogue,
)

__all__ = [
    "DOMAIN",
    "LANGUAGES",
    "LOCALE_DIR",
    "SOURCE_LANGUAGE",
    "TRANSLATED",
    "as_language",
    "catalogue_path",
    "translations",
]

DOMAIN: Final = "documents"


def catalogue_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(language: str) -> gettext.NullTranslations:
    """The documents' translations into ``language``, English for anything missing."""
    return read_catalogue(catalogue_path(language), language=language, domain=DOMAIN)

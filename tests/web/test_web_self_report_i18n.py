"""The patient's pages speak Hindi and Telugu: every message they use has a translation in
both catalogues, with the same placeholders, and anything missing falls back to English."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from painpath.web.i18n import (
    LOCALE_DIR,
    TRANSLATED,
    catalogue_path,
    gettext_now,
    rendering_in,
    translations,
)

PACKAGE = LOCALE_DIR.parent
MAPPING = LOCALE_DIR / "babel.cfg"
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _extracted() -> dict[str, set[str]]:
    """Every message the self-report's templates and code mark, with its source files."""
    with MAPPING.open(encoding="utf-8") as mapping:
        method_map, options_map = parse_mapping_cfg(mapping)
    found: dict[str, set[str]] = {}
    for filename, _line, message, _comments, _context in extract_from_dir(
        str(PACKAGE), method_map, options_map
    ):
        assert isinstance(message, str), f"{filename}: plural messages are not used here"
        found.setdefault(message, set()).add(filename)
    return found


def _catalogue(language: str) -> Catalog:
    with catalogue_path(language).open("rb") as source:
        return read_po(source, locale=language)


def test_the_extraction_finds_the_pages_messages() -> None:
    found = _extracted()
    # One from each kind of source, so an empty extraction cannot pass the test below.
    assert "Send my answers" in found  # self_report.html
    assert "Thank you" in found  # self_report_done.html
    assert "This link has expired" in found  # self_report_closed.html
    assert "Left thigh" in found  # body_map.py
    assert "%(region)s: how bad, 0 to 10" in found  # _body_map.html
    assert (
        "What number best describes your pain on average in the past week?" in found
    )  # self_report_form.py, the PEG's published wording
    assert len(found) > 60


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_has_a_translation(language: str) -> None:
    catalogue = _catalogue(language)
    missing = []
    for message, sources in sorted(_extracted().items()):
        entry = catalogue.get(message)
        if entry is None or not entry.string or entry.fuzzy:
            missing.append(f"{message!r} (from {', '.join(sorted(sources))})")
    assert not missing, f"{language}: untranslated: " + "; ".join(missing)


@pytest.mark.parametrize("language", TRANSLATED)
def test_translations_keep_the_placeholders_and_the_catalogue_has_nothing_stale(
    language: str,
) -> None:
    extracted = _extracted()
    for entry in _catalogue(language):
        if not entry.id:
            continue
        assert entry.id in extracted, f"{language}: {entry.id!r} is no longer used"
        assert isinstance(entry.string, str)
        assert set(PLACEHOLDER.findall(entry.string)) == set(PLACEHOLDER.findall(entry.id)), (
            entry.id
        )


@pytest.mark.parametrize(
    ("language", "script"), [("hi", r"[\u0900-\u097f]"), ("te", r"[\u0c00-\u0c7f]")]
)
def test_the_translations_are_in_the_language_s_own_script(language: str, script: str) -> None:
    for entry in _catalogue(language):
        if entry.id and re.search(r"[A-Za-z]{3}", PLACEHOLDER.sub("", entry.id)):
            assert re.search(script, str(entry.string)), (language, entry.id)


def test_anything_missing_falls_back_to_english() -> None:
    assert translations("hi").gettext("Send my answers") == "मेरे जवाब भेजें"
    assert translations("te").gettext("Send my answers") == "నా జవాబులు పంపండి"
    assert translations("hi").gettext("A message no catalogue has") == "A message no catalogue has"
    assert translations("en").gettext("Send my answers") == "Send my answers"
    assert translations("fr").gettext("Send my answers") == "Send my answers"


def test_only_the_page_being_rendered_in_a_language_is_translated() -> None:
    assert gettext_now("Thank you") == "Thank you"
    with rendering_in("te"):
        assert gettext_now("Thank you") == "ధన్యవాదాలు"
        with rendering_in(None):
            assert gettext_now("Thank you") == "Thank you"
        assert gettext_now("Thank you") == "ధన్యవాదాలు"
    assert gettext_now("Thank you") == "Thank you"


def test_no_compiled_catalogue_is_shipped() -> None:
    # The .po files are what is read (and reviewed); a stale .mo beside them would mislead.
    assert not list(Path(LOCALE_DIR).rglob("*.mo"))

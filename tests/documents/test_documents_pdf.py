"""The PDF layer every document uses: the base page (header, footer with page numbers and
date), metadata, fonts per script, strict templates, and reading a PDF back with poppler."""

from __future__ import annotations

import io
import re
import zlib
from datetime import date

import pytest
from jinja2 import UndefinedError
from PIL import Image

from painpath.documents import pdf
from painpath.documents.handout import procedure_named, render_handout
from painpath.documents.translations import translations

DAY = date(2026, 11, 26)


def _catalog_entries(data: bytes) -> bytes:
    """The PDF's objects, with compressed streams inflated (the catalog may sit in one)."""
    parts = [data]
    for match in re.finditer(rb"stream\r?\n", data):
        end = data.find(b"endstream", match.end())
        try:
            parts.append(zlib.decompress(data[match.end() : end]))
        except zlib.error:
            continue
    return b"".join(parts)


def test_the_base_page_has_the_clinic_the_title_page_numbers_and_the_day() -> None:
    data = pdf.render_pdf(
        "_document.html", {"clinic_name": "North Spine Clinic"}, title="A title", today=DAY
    )

    assert data.startswith(b"%PDF-")
    text = pdf.pdf_to_text(data)
    assert "North Spine Clinic" in text
    assert "A title" in text
    assert "Page 1 of 1" in text
    assert "Printed November 26, 2026" in text


def test_the_header_leaves_the_clinic_out_when_none_is_given() -> None:
    text = pdf.pdf_to_text(pdf.render_pdf("_document.html", {}, title="Only a title", today=DAY))

    assert "Only a title" in text
    assert "Clinic" not in text


def test_a_clinic_name_cannot_break_out_of_the_page_style() -> None:
    name = 'Dr "Quote" & Sons </style><h1>injected</h1>'
    text = pdf.pdf_to_text(pdf.render_pdf("_document.html", {"clinic_name": name}, title="T"))

    assert name in text  # printed as written, not read as markup


def test_the_pdf_carries_its_title_and_language() -> None:
    data = pdf.render_pdf("_document.html", {}, language="hi", title="Handout title", today=DAY)

    objects = _catalog_entries(data)
    assert b"/Lang (hi)" in objects
    assert b"/Title (Handout title)" in objects


def test_the_pdf_is_tagged_for_screen_readers_as_pdf_ua() -> None:
    data = pdf.render_pdf("_document.html", {}, language="te", title="Tagged", today=DAY)

    objects = _catalog_entries(data)
    assert b"/StructTreeRoot" in objects  # the tagged structure a screen reader follows
    assert b"/MarkInfo" in objects
    assert b"pdfuaid" in objects  # the PDF/UA-1 identification in the XMP metadata


def test_the_footer_is_translated_and_counts_every_page() -> None:
    procedure = procedure_named("scs_implant")
    assert procedure is not None

    text = pdf.pdf_to_text(render_handout(procedure, language="hi"))

    pages = re.findall(r"पृष्ठ (\d+) / (\d+)", text)
    assert len(pages) >= 2
    assert [int(number) for number, _ in pages] == list(range(1, len(pages) + 1))
    assert {total for _, total in pages} == {str(len(pages))}
    assert "छपाई की तारीख़" in text


@pytest.mark.parametrize(
    ("language", "font"),
    [("en", "Noto-Sans"), ("hi", "Noto-Sans-Devanagari"), ("te", "Noto-Sans-Telugu")],
)
def test_each_script_is_set_in_its_noto_font(language: str, font: str) -> None:
    procedure = procedure_named("facet_joint_injection")
    assert procedure is not None

    fonts = pdf.pdf_fonts(render_handout(procedure, language=language))

    assert font in fonts
    assert "Noto-Sans" in fonts  # Latin (drug names, numbers) stays in Noto Sans
    if language == "en":
        assert not {"Noto-Sans-Devanagari", "Noto-Sans-Telugu"} & fonts


def test_the_first_page_draws_as_a_non_blank_image() -> None:
    procedure = procedure_named("esi_caudal")
    assert procedure is not None

    image = Image.open(io.BytesIO(pdf.pdf_page_png(render_handout(procedure), dpi=40)))

    assert image.format == "PNG"
    grey = image.convert("L")
    inked = sum(grey.histogram()[:128])  # pixels darker than mid-grey
    assert inked > 0.01 * grey.width * grey.height
    assert grey.height > grey.width  # A4 portrait


def test_a_template_that_uses_an_undefined_value_fails_instead_of_printing_blank() -> None:
    with pytest.raises(UndefinedError):
        pdf.render_html("handout.html", {}, title="T")


def test_a_language_without_a_catalogue_reads_in_english() -> None:
    text = pdf.pdf_to_text(pdf.render_pdf("_document.html", {}, language="fr", title="T"))

    assert "Page 1 of 1" in text
    assert translations("fr").gettext("Risks") == "Risks"


def test_reading_a_pdf_back_names_the_missing_poppler_tool(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PATH", "")

    with pytest.raises(pdf.PdfToolMissingError, match="pdffonts"):
        pdf.pdf_fonts(b"%PDF-1.7")


def test_css_strings_escape_what_would_end_the_string_or_the_style() -> None:
    assert pdf.css_string('a"b\\c</style>') == '"a\\22 b\\5c c\\3c /style\\3e "'
    assert pdf.css_string(f"Page {pdf.PAGE} of {pdf.PAGES}") == (
        '"Page " counter(page) " of " counter(pages) ""'
    )


def test_the_style_sheets_lay_out_without_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    procedure = procedure_named("kyphoplasty")
    assert procedure is not None

    with caplog.at_level("WARNING", logger="weasyprint"):
        render_handout(procedure, language="te", clinic_name="North Spine Clinic")

    assert not caplog.records, [record.getMessage() for record in caplog.records]
